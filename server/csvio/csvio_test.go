package csvio_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/csvio"
	"github.com/driftless/driftless/server/sqlite"
)

var ctx = context.Background()

func openCatalog(tb testing.TB) *server.Catalog {
	tb.Helper()
	st, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "t.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return server.NewCatalog(st, server.NewLedger(st))
}

func importOK(t *testing.T, c *server.Catalog, kind, file string) {
	t.Helper()
	if _, err := csvio.Import(ctx, c, kind, strings.NewReader(file)); err != nil {
		t.Fatalf("import %s: %v", kind, err)
	}
}

func export(t *testing.T, c *server.Catalog, kind string) string {
	t.Helper()
	var b bytes.Buffer
	if _, err := csvio.Export(ctx, c, kind, &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

var (
	gtinA  = server.WithGTINCheckDigit("400638133393")
	gtinB  = server.WithGTINCheckDigit("501234567890")
	caseA  = server.WithGTINCheckDigit("1" + gtinA[:12])
	badChk = gtinB[:12] + string('0'+(gtinB[12]-'0'+1)%10)
	ssccA  = server.WithGTINCheckDigit("03401234567890123")
	ssccB  = server.WithGTINCheckDigit("03401234567890124")
)

// files is a small catalog in every kind, in import order, with archived
// records, quotes, commas and non-ASCII text.
var files = []struct{ kind, body string }{
	{"warehouses", "code,name,blind_receiving,over_receipt_pct,min_shelf_life_days,archived\nW1,Main,true,10,30,false\nW2,\"Zweitlager, Süd\",false,0,0,false\nW3,Old,false,0,0,true\n"},
	{"skus", "code,name,unit,track_lot,track_expiry,track_serial,unit_cost,category,archived\n" +
		"A,Apple juice 1 l,each,false,false,false,129,Drinks,false\n" +
		"B,\"Banana chips \"\"extra\"\"\",kg,true,true,false,450,\"Snacks, dried\",false\n" +
		"C,Crème fraîche,each,true,true,true,0,,true\n"},
	{"barcodes", "value,sku,type,pack,archived\n" + caseA + ",A,gtin,12,false\n" + gtinA + ",A,gtin,1,false\nINT-B,B,internal,1,false\nOLD-C,C,internal,1,true\n"},
	{"locations", "warehouse,code,type,barcode,sequence,archived\nW1,A-01-1,bin,L-A-01-1,10,false\nW1,DOCK,dock,,0,false\nW1,Q,quarantine,L-Q,900,true\nW2,RET,returns,L-RET,5,false\n"},
	{"suppliers", "code,name,lead_time_days,archived\nS1,Orchard Ltd,5,false\nS2,\"Snacks, Inc\",14,false\n"},
	{"purchase-orders", "number,supplier,warehouse,status,expected_date,ssccs,line,sku,ordered,received,archived\n" +
		"PO-1,S1,W1,open,2026-12-01," + ssccA + " " + ssccB + ",1,A,24,0,false\nPO-1,S1,W1,open,2026-12-01," + ssccA + " " + ssccB + ",2,B,10,4,false\nPO-2,S2,W2,draft,,,,,,,false\n"},
	{"sales-orders", "number,customer,warehouse,status,line,sku,qty,picked,archived\n" +
		"SO-1,Corner shop,W1,open,1,A,3,0,false\nSO-1,Corner shop,W1,open,2,B,1,1,false\nSO-2,\"Café \"\"Zur Post\"\"\",W2,shipped,1,A,6,6,true\n"},
	{"opening-stock", "warehouse,location,sku,lot,qty\nW1,A-01-1,A,,24\nW1,A-01-1,B,L42,7\nW1,DOCK,A,,3\nW2,RET,B,L1,2\n"},
}

// TestRoundTrip imports a file of every kind and exports it again: the
// bytes are the same, and importing the export into another server gives
// the same export.
func TestRoundTrip(t *testing.T) {
	c1, c2 := openCatalog(t), openCatalog(t)
	for _, f := range files {
		importOK(t, c1, f.kind, f.body)
		got := export(t, c1, f.kind)
		if got != f.body {
			t.Fatalf("%s export differs from the import:\n got %q\nwant %q", f.kind, got, f.body)
		}
		importOK(t, c2, f.kind, got)
		if again := export(t, c2, f.kind); again != got {
			t.Fatalf("%s: export → import → export differs:\n%q\n%q", f.kind, got, again)
		}
	}
	// Importing the catalog kinds again changes nothing (each row replaces
	// its record with itself).
	for _, f := range files[:7] {
		importOK(t, c1, f.kind, f.body)
		if got := export(t, c1, f.kind); got != f.body {
			t.Fatalf("%s re-import changed the export: %q", f.kind, got)
		}
	}
}

func rejected(t *testing.T, c *server.Catalog, kind, body string) []csvio.RowError {
	t.Helper()
	_, err := csvio.Import(ctx, c, kind, strings.NewReader(body))
	var rej *csvio.Rejected
	if !errors.As(err, &rej) {
		t.Fatalf("import %s = %v, want *Rejected", kind, err)
	}
	return rej.Rows
}

// want checks that rows holds exactly the expected row/column pairs and
// that each reason mentions its word.
func want(t *testing.T, rows []csvio.RowError, expect ...string) {
	t.Helper()
	if len(rows) != len(expect) {
		t.Fatalf("got %d bad rows %+v, want %d: %v", len(rows), rows, len(expect), expect)
	}
	for i, e := range expect {
		parts := strings.SplitN(e, " ", 3) // "ROW COLUMN word"
		got := fmt.Sprintf("%d %s", rows[i].Row, rows[i].Column)
		if got != parts[0]+" "+parts[1] || !strings.Contains(rows[i].Reason, parts[2]) {
			t.Errorf("bad row %d = %+v, want %s", i, rows[i], e)
		}
	}
}

func seed(t *testing.T, c *server.Catalog) {
	t.Helper()
	for _, f := range files[:5] {
		importOK(t, c, f.kind, f.body)
	}
}

func TestImportReportsEveryBadRow(t *testing.T) {
	c := openCatalog(t)
	seed(t, c)
	before := map[string]string{}
	for _, f := range files {
		before[f.kind] = export(t, c, f.kind)
	}

	want(t, rejected(t, c, "barcodes", "value,sku,type,pack\n"+
		badChk+",A,gtin,1\n"+ // bad check digit
		"12345,A,gtin,1\n"+ // not a GTIN length
		"NEW-1,A,internal,x\n"+ // bad number
		"NEW-2,ZZZ,internal,1\n"+ // unknown SKU
		"NEW-3,B,internal,1\n"+
		"NEW-3,A,internal,1\n"+ // duplicate within the file
		gtinA+",B,gtin,1\n"+ // duplicate against the database (belongs to A)
		"L-A-01-1,B,internal,1\n"+ // a location's label
		"NEW-4,B,internal,\xff\n"+ // bad encoding
		"NEW-5,B,internal\n"), // missing field
		"2 value check digit", "3 value 8, 12, 13 or 14", "4 pack bad number", "5 sku unknown SKU",
		"7 value duplicate barcode NEW-3", "8 value duplicate barcode", "9 value location",
		"10 pack bad encoding", "11  header 4")

	want(t, rejected(t, c, "locations", "warehouse,code,type,sequence\nW9,X,bin,1\nW1,Y,shelf,1\nW1,Z,bin,-1\n"),
		"2 warehouse unknown warehouse", "3 type shelf", "4 sequence negative")

	want(t, rejected(t, c, "skus", "code,name\nA,x\n"), "1 unit missing column")
	want(t, rejected(t, c, "skus", "code,name,unit,colour\nA,x,each,red\n"), "1 colour unknown column")
	want(t, rejected(t, c, "skus", "code,name,unit,unit_cost,track_lot\nA,x,each,1.20,true\n,y,each,1,maybe\n"),
		"2 unit_cost bad number", "3 track_lot boolean", "3 code required")
	want(t, rejected(t, c, "skus", ""), "1  empty")
	want(t, rejected(t, c, "skus", "code,name,unit\nA,\"unterminated,each\n"), "2  malformed")

	want(t, rejected(t, c, "purchase-orders", "number,supplier,warehouse,status,line,sku,ordered\n"+
		"PO-9,S9,W1,open,1,A,5\n"+ // unknown supplier
		"PO-9,S9,W1,open,2,NOPE,5\n"+ // unknown SKU on a line
		"PO-9,S9,W2,open,3,B,5\n"+ // conflicting warehouse for the same order
		"PO-8,S1,W1,open,1,A,0\n"+ // ordered 0
		"PO-7,S1,W1,sent,1,A,1\n"), // bad status
		"2 supplier unknown supplier", "3 sku unknown SKU", "4 warehouse W1", "5 ordered 1 or more", "6 status sent")

	want(t, rejected(t, c, "sales-orders", "number,customer,warehouse,status,line,sku,qty\nSO-9,x,W1,open,1,A,1\nSO-9,x,W1,open,1,B,1\nSO-8,y,W1,open,1,A,z\n"),
		"3 line line 1", "4 qty bad number")

	want(t, rejected(t, c, "opening-stock", "warehouse,location,sku,lot,qty\n"+
		"W1,NOWHERE,A,,5\n"+ // unknown location
		"W1,A-01-1,NOPE,,5\n"+ // unknown SKU
		"W1,A-01-1,A,,-3\n"+ // negative
		"W1,A-01-1,A,LX,1.5\n"+ // bad number
		"W1,DOCK,A,,1\nW1,DOCK,A,,2\n"), // duplicate row
		"2 location unknown location", "3 sku unknown SKU", "4 qty 1 or more", "5 qty bad number", "7 sku duplicate")

	// Nothing of any rejected file was written.
	for _, f := range files {
		if got := export(t, c, f.kind); got != before[f.kind] {
			t.Fatalf("%s changed after rejected imports:\n%q\n%q", f.kind, before[f.kind], got)
		}
	}
}

// TestAllOrNothing: one bad row at the end of a large file keeps every
// good row before it out.
func TestAllOrNothing(t *testing.T) {
	c := openCatalog(t)
	var b strings.Builder
	b.WriteString("code,name,unit\n")
	for i := range 5000 {
		fmt.Fprintf(&b, "S%05d,Item %d,each\n", i, i)
	}
	b.WriteString("S99999,,each\n")
	want(t, rejected(t, c, "skus", b.String()), "5002 name required")
	if got := export(t, c, "skus"); got != "code,name,unit,track_lot,track_expiry,track_serial,unit_cost,category,archived\n" {
		t.Fatalf("a rejected import wrote %d bytes of SKUs", len(got))
	}
	seed(t, c)
	rows := rejected(t, c, "opening-stock", "warehouse,location,sku,lot,qty\nW1,A-01-1,A,,5\nW1,A-01-1,A,L1,5\nW1,GONE,A,,1\n")
	want(t, rows, "4 location unknown location")
	if lv, _ := c.Ledger().Stock(ctx, server.StockFilter{}); len(lv) != 0 {
		t.Fatalf("a rejected opening stock import left stock %+v", lv)
	}
}

// BenchmarkImportSKUs imports a 100,000-row SKU file into an empty
// catalog (the target: at most 10 s).
func BenchmarkImportSKUs(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("code,name,unit,track_lot,track_expiry,track_serial,unit_cost,archived\n")
	const rows = 100_000
	for i := range rows {
		fmt.Fprintf(&buf, "SKU-%06d,Product number %d with a longer descriptive name,each,%v,false,false,%d,false\n", i, i, i%7 == 0, 100+i%5000)
	}
	file := buf.Bytes()
	b.SetBytes(int64(len(file)))
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		c := openCatalog(b)
		b.StartTimer()
		n, err := csvio.Import(ctx, c, "skus", bytes.NewReader(file))
		if err != nil || n != rows {
			b.Fatalf("import: %d, %v", n, err)
		}
	}
	b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/import")
}
