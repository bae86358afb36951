package storetest

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/syncproto"
)

// CatalogOpener returns a new, empty catalog store for one test.
type CatalogOpener func(t *testing.T) server.CatalogStore

// RunCatalog runs the catalog suite: reference records, their rules,
// change positions, imports and opening stock.
func RunCatalog(t *testing.T, open CatalogOpener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, c *server.Catalog, l *server.Ledger)
	}{
		{"CreateGetUpdateArchive", testCatalogCRUD},
		{"BarcodeRules", testBarcodeRules},
		{"ListFiltersAndPaging", testCatalogList},
		{"OrdersAndLines", testOrders},
		{"ChangePositions", testCatalogChanges},
		{"ImportAllOrNothing", testImportAllOrNothing},
		{"OpeningStock", testOpeningStock},
		{"Users", testUsers},
		{"ReceivingSettingsAndSSCCs", testReceivingSettings},
		{"ReceiveCountsAgainstPurchaseOrder", testReceiveAgainstPO},
		{"ExceptionEvents", testExceptions},
		{"EnrollmentCodes", testEnrollment},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					mf, ok := r.(mustFail)
					if !ok {
						panic(r)
					}
					t.Fatalf("%s:%d: %v", mf.file, mf.line, mf.err)
				}
			}()
			st := open(t)
			l := server.NewLedger(st)
			tc.fn(t, server.NewCatalog(st, l), l)
		})
	}
	t.Run("PullCatalogSeesEveryChange", func(t *testing.T) {
		defer func() {
			if r := recover(); r != nil {
				mf, ok := r.(mustFail)
				if !ok {
					panic(r)
				}
				t.Fatalf("%s:%d: %v", mf.file, mf.line, mf.err)
			}
		}()
		testPullCatalogHeads(t, open(t))
	})
}

// testPullCatalogHeads: a catalog pull skips the store while the catalog
// has not changed since the device's cursor, and still sees every change:
// at once when it was announced, within the recheck when it was not (a
// write through another server's catalog, whose hub this one never
// hears).
func testPullCatalogHeads(t *testing.T, st server.CatalogStore) {
	now := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { return now }
	l := server.NewLedger(st, server.WithClock(clock))
	c := server.NewCatalog(st, l)
	other := server.NewCatalog(st, server.NewLedger(st))
	seedCatalog(t, c)
	head := must(c.Head(ctx))
	if p := must(c.PullCatalog(ctx, "W1", head, 1<<20)); p.Cursor != head || p.Records.Len() != 0 || p.More {
		t.Fatalf("pull at the head: %+v", p)
	}
	must(c.SKUs.Create(ctx, server.SKU{Code: "ANNOUNCED", Name: "announced", Unit: "each"}))
	p := must(c.PullCatalog(ctx, "W1", head, 1<<20))
	if len(p.Records.SKUs) != 1 || p.Records.SKUs[0].Code != "ANNOUNCED" {
		t.Fatalf("announced change not pulled at once: %+v", p.Records)
	}
	head = p.Cursor
	must(other.SKUs.Create(ctx, server.SKU{Code: "UNHEARD", Name: "unheard", Unit: "each"}))
	now = now.Add(2 * time.Second)
	p = must(c.PullCatalog(ctx, "W1", head, 1<<20))
	if len(p.Records.SKUs) != 1 || p.Records.SKUs[0].Code != "UNHEARD" {
		t.Fatalf("unannounced change not pulled after the recheck: %+v", p.Records)
	}
}

// mustFail carries a failed must to the test's recover.
type mustFail struct {
	err  error
	file string
	line int
}

// must returns v, or fails the running catalog test when err is not nil
// (RunCatalog turns the panic into t.Fatal).
func must[T any](v T, err error) T {
	if err != nil {
		_, file, line, _ := runtime.Caller(1)
		panic(mustFail{err, filepath.Base(file), line})
	}
	return v
}

func wantField(t *testing.T, err error, code, field string) {
	t.Helper()
	e := wantCode(t, err, code)
	if e.Field != field {
		t.Fatalf("error %v names field %q, want %q", err, e.Field, field)
	}
}

// seedCatalog makes warehouses W1 and W2, SKUs A and B, a supplier and
// a bin in each warehouse.
func seedCatalog(t *testing.T, c *server.Catalog) {
	t.Helper()
	for _, w := range []string{"W1", "W2"} {
		must(c.Warehouses.Create(ctx, server.Warehouse{Code: w, Name: "Warehouse " + w}))
		must(c.Locations.Create(ctx, server.Location{Warehouse: w, Code: "BIN-1", Type: server.LocationBin, Barcode: "L-" + w + "-1", Sequence: 10}))
		must(c.Locations.Create(ctx, server.Location{Warehouse: w, Code: "DOCK", Type: server.LocationDock}))
	}
	must(c.SKUs.Create(ctx, server.SKU{Code: "A", Name: "Apple juice 1l", Unit: "each", UnitCost: 129, Category: "Drinks"}))
	must(c.SKUs.Create(ctx, server.SKU{Code: "B", Name: "Banana chips", Unit: "each", TrackLot: true, TrackExpiry: true}))
	must(c.Suppliers.Create(ctx, server.Supplier{Code: "S1", Name: "Orchard Ltd", LeadTimeDays: 5}))
}

func testCatalogCRUD(t *testing.T, c *server.Catalog, _ *server.Ledger) {
	seedCatalog(t, c)
	got := must(c.SKUs.Get(ctx, server.CatalogKey{Code: "A"}))
	if got.Name != "Apple juice 1l" || got.UnitCost != 129 || got.Category != "Drinks" || got.Archived || got.Position == 0 {
		t.Fatalf("SKU A = %+v", got)
	}
	_, err := c.SKUs.Create(ctx, server.SKU{Code: "A", Name: "again", Unit: "each"})
	wantCode(t, err, server.EConflict)
	_, err = c.SKUs.Create(ctx, server.SKU{Code: "C", Unit: "each"})
	wantField(t, err, server.EInvalid, "name")
	_, err = c.SKUs.Create(ctx, server.SKU{Code: "C", Name: "x", Unit: "each", UnitCost: -1})
	wantField(t, err, server.EInvalid, "unit_cost")
	_, err = c.SKUs.Create(ctx, server.SKU{Code: "C", Name: "x", Unit: "each", Category: " Drinks"})
	wantField(t, err, server.EInvalid, "category")
	_, err = c.SKUs.Update(ctx, server.SKU{Code: "NOPE", Name: "x", Unit: "each"})
	wantCode(t, err, server.ENotFound)

	up := must(c.SKUs.Update(ctx, server.SKU{Code: "A", Name: "Apple juice 1 l", Unit: "each", UnitCost: 135}))
	if up.Position <= got.Position {
		t.Fatalf("update position %d is not after %d", up.Position, got.Position)
	}
	arch := must(c.SKUs.SetArchived(ctx, server.CatalogKey{Code: "A"}, true))
	if !arch.Archived || arch.ArchivedAt.IsZero() || arch.Name != "Apple juice 1 l" {
		t.Fatalf("archived SKU = %+v", arch)
	}
	again := must(c.SKUs.SetArchived(ctx, server.CatalogKey{Code: "A"}, true))
	if again.Position != arch.Position {
		t.Fatalf("archiving twice changed the record: %d then %d", arch.Position, again.Position)
	}
	// An update keeps the archived state.
	up = must(c.SKUs.Update(ctx, server.SKU{Code: "A", Name: "Apple juice", Unit: "each"}))
	if !up.Archived {
		t.Fatalf("update unarchived the SKU: %+v", up)
	}
	// Archived records do not take new references.
	_, err = c.Barcodes.Create(ctx, server.Barcode{Value: "A-INT", SKU: "A", Type: server.BarcodeInternal, Pack: 1})
	wantField(t, err, server.EInvalid, "sku")
	restored := must(c.SKUs.SetArchived(ctx, server.CatalogKey{Code: "A"}, false))
	if restored.Archived || !restored.ArchivedAt.IsZero() {
		t.Fatalf("restored SKU = %+v", restored)
	}
	must(c.Barcodes.Create(ctx, server.Barcode{Value: "A-INT", SKU: "A", Type: server.BarcodeInternal, Pack: 1}))

	_, err = c.Locations.Create(ctx, server.Location{Warehouse: "W9", Code: "X", Type: server.LocationBin})
	wantField(t, err, server.EInvalid, "warehouse")
	_, err = c.Locations.Create(ctx, server.Location{Warehouse: "W1", Code: "X", Type: "shelf"})
	wantField(t, err, server.EInvalid, "type")
	_, err = c.Locations.Create(ctx, server.Location{Warehouse: "W1", Code: "BIN-2", Type: server.LocationBin, Barcode: "L-W1-1"})
	wantField(t, err, server.EInvalid, "barcode")
	// The same label in another warehouse is fine.
	must(c.Locations.Create(ctx, server.Location{Warehouse: "W2", Code: "BIN-2", Type: server.LocationBin, Barcode: "L-W1-1"}))
}

func testBarcodeRules(t *testing.T, c *server.Catalog, _ *server.Ledger) {
	seedCatalog(t, c)
	ean := server.WithGTINCheckDigit("400638133393")
	must(c.Barcodes.Create(ctx, server.Barcode{Value: ean, SKU: "A", Type: server.BarcodeGTIN, Pack: 1}))
	bad := ean[:12] + string('0'+(ean[12]-'0'+1)%10)
	_, err := c.Barcodes.Create(ctx, server.Barcode{Value: bad, SKU: "A", Type: server.BarcodeGTIN, Pack: 1})
	wantField(t, err, server.EInvalid, "value")
	_, err = c.Barcodes.Create(ctx, server.Barcode{Value: "12345", SKU: "A", Type: server.BarcodeGTIN, Pack: 1})
	wantField(t, err, server.EInvalid, "value")
	// The same value as an internal code is not checked as a GTIN.
	must(c.Barcodes.Create(ctx, server.Barcode{Value: "12345", SKU: "A", Type: server.BarcodeInternal, Pack: 1}))
	case14 := server.WithGTINCheckDigit("1" + ean[:12])
	b := must(c.Barcodes.Create(ctx, server.Barcode{Value: case14, SKU: "A", Type: server.BarcodeGTIN, Pack: 12}))
	if b.Pack != 12 {
		t.Fatalf("case barcode = %+v", b)
	}
	_, err = c.Barcodes.Create(ctx, server.Barcode{Value: ean, SKU: "B", Type: server.BarcodeGTIN, Pack: 1})
	wantCode(t, err, server.EConflict)
	_, err = c.Barcodes.Update(ctx, server.Barcode{Value: ean, SKU: "B", Type: server.BarcodeGTIN, Pack: 1})
	wantField(t, err, server.EInvalid, "value")
	_, err = c.Barcodes.Create(ctx, server.Barcode{Value: "X1", SKU: "NOPE", Type: server.BarcodeInternal, Pack: 1})
	wantField(t, err, server.EInvalid, "sku")
	_, err = c.Barcodes.Create(ctx, server.Barcode{Value: "X1", SKU: "A", Type: server.BarcodeInternal, Pack: 0})
	wantField(t, err, server.EInvalid, "pack")
	// A location label is not an item barcode, and the other way round.
	_, err = c.Barcodes.Create(ctx, server.Barcode{Value: "L-W1-1", SKU: "A", Type: server.BarcodeInternal, Pack: 1})
	wantField(t, err, server.EInvalid, "value")
	_, err = c.Locations.Create(ctx, server.Location{Warehouse: "W1", Code: "BIN-9", Type: server.LocationBin, Barcode: ean})
	wantField(t, err, server.EInvalid, "barcode")
	list := must(c.Barcodes.List(ctx, server.ListFilter{SKU: "A"}))
	if len(list) != 3 {
		t.Fatalf("barcodes of A = %+v", list)
	}
}

func testCatalogList(t *testing.T, c *server.Catalog, _ *server.Ledger) {
	must(c.Warehouses.Create(ctx, server.Warehouse{Code: "W1", Name: "One"}))
	for i := range 25 {
		must(c.SKUs.Create(ctx, server.SKU{Code: fmt.Sprintf("S%03d", i), Name: fmt.Sprintf("Item %d %s", i, []string{"red", "blue"}[i%2]), Unit: "each"}))
		must(c.Locations.Create(ctx, server.Location{Warehouse: "W1", Code: fmt.Sprintf("L%03d", i), Type: server.LocationBin, Sequence: int64(i)}))
	}
	must(c.SKUs.SetArchived(ctx, server.CatalogKey{Code: "S003"}, true))
	var codes []string
	f := server.ListFilter{Limit: 10}
	for {
		page := must(c.SKUs.List(ctx, f))
		for _, s := range page {
			codes = append(codes, s.Code)
		}
		if len(page) < f.Limit {
			break
		}
		// A record added before the cursor during paging does not shift pages.
		if len(codes) == 10 {
			must(c.SKUs.Create(ctx, server.SKU{Code: "S000a", Name: "late", Unit: "each"}))
		}
		f.After = &server.CatalogKey{Code: page[len(page)-1].Code}
	}
	if len(codes) != 24 || codes[0] != "S000" || codes[23] != "S024" {
		t.Fatalf("paged %d codes: %v", len(codes), codes)
	}
	for _, cd := range codes {
		if cd == "S003" {
			t.Fatal("an archived SKU is listed by default")
		}
	}
	all := must(c.SKUs.List(ctx, server.ListFilter{Archived: server.ActiveAndArchived}))
	arch := must(c.SKUs.List(ctx, server.ListFilter{Archived: server.ArchivedOnly}))
	if len(all) != 26 || len(arch) != 1 || arch[0].Code != "S003" {
		t.Fatalf("all = %d, archived = %+v", len(all), arch)
	}
	blue := must(c.SKUs.List(ctx, server.ListFilter{Q: "BLUE"}))
	if len(blue) != 11 { // 12 blue, one of them (S003) archived
		t.Fatalf("q=BLUE matched %d, want 11", len(blue))
	}
	pct := must(c.SKUs.List(ctx, server.ListFilter{Q: "%"}))
	if len(pct) != 0 {
		t.Fatalf("q=%% matched %d, want 0 (it is not a wildcard)", len(pct))
	}
	locs := must(c.Locations.List(ctx, server.ListFilter{Warehouse: "W1", After: &server.CatalogKey{Warehouse: "W1", Code: "L020"}}))
	if len(locs) != 4 || locs[0].Code != "L021" {
		t.Fatalf("locations after L020 = %+v", locs)
	}
}

func testOrders(t *testing.T, c *server.Catalog, _ *server.Ledger) {
	seedCatalog(t, c)
	po := server.PurchaseOrder{Number: "PO-1", Supplier: "S1", Warehouse: "W1", Status: server.POOpen, ExpectedDate: "2026-12-01",
		Lines: []server.PurchaseOrderLine{{SKU: "A", Ordered: 24}, {SKU: "B", Ordered: 10, Received: 4}}}
	must(c.PurchaseOrders.Create(ctx, po))
	got := must(c.PurchaseOrders.Get(ctx, server.CatalogKey{Code: "PO-1"}))
	if len(got.Lines) != 2 || got.Lines[1] != po.Lines[1] || got.ExpectedDate != "2026-12-01" {
		t.Fatalf("PO-1 = %+v", got)
	}
	bad := po
	bad.Number, bad.Supplier = "PO-2", "S9"
	_, err := c.PurchaseOrders.Create(ctx, bad)
	wantField(t, err, server.EInvalid, "supplier")
	bad.Supplier, bad.Lines = "S1", []server.PurchaseOrderLine{{SKU: "A", Ordered: 1}, {SKU: "ZZ", Ordered: 1}}
	_, err = c.PurchaseOrders.Create(ctx, bad)
	wantField(t, err, server.EInvalid, "lines[1].sku")
	bad.Lines = []server.PurchaseOrderLine{{SKU: "A", Ordered: 0}}
	_, err = c.PurchaseOrders.Create(ctx, bad)
	wantField(t, err, server.EInvalid, "lines[0].ordered")
	bad.Lines, bad.ExpectedDate = po.Lines, "1/12/2026"
	_, err = c.PurchaseOrders.Create(ctx, bad)
	wantField(t, err, server.EInvalid, "expected_date")
	bad.ExpectedDate, bad.Status = "", "shipped"
	_, err = c.PurchaseOrders.Create(ctx, bad)
	wantField(t, err, server.EInvalid, "status")

	po.Status, po.Lines = server.POPartiallyReceived, []server.PurchaseOrderLine{{SKU: "B", Ordered: 10, Received: 10}}
	must(c.PurchaseOrders.Update(ctx, po))
	got = must(c.PurchaseOrders.Get(ctx, server.CatalogKey{Code: "PO-1"}))
	if len(got.Lines) != 1 || got.Lines[0].Received != 10 || got.Status != server.POPartiallyReceived {
		t.Fatalf("updated PO-1 = %+v", got)
	}
	po.Warehouse = "W2"
	_, err = c.PurchaseOrders.Update(ctx, po)
	wantField(t, err, server.EInvalid, "warehouse")

	so := server.SalesOrder{Number: "SO-1", Customer: "Corner shop", Warehouse: "W2", Status: server.SOOpen,
		Lines: []server.SalesOrderLine{{SKU: "A", Qty: 3}}}
	must(c.SalesOrders.Create(ctx, so))
	so.Number, so.Lines = "SO-2", []server.SalesOrderLine{{SKU: "A", Qty: 3}, {SKU: "A", Qty: 1}}
	_, err = c.SalesOrders.Create(ctx, so)
	wantField(t, err, server.EInvalid, "lines[1].sku")
	open := must(c.SalesOrders.List(ctx, server.ListFilter{Warehouse: "W2", Status: "open"}))
	none := must(c.SalesOrders.List(ctx, server.ListFilter{Warehouse: "W1"}))
	if len(open) != 1 || len(open[0].Lines) != 1 || len(none) != 0 {
		t.Fatalf("sales orders W2 open = %+v, W1 = %+v", open, none)
	}
}

func testCatalogChanges(t *testing.T, c *server.Catalog, _ *server.Ledger) {
	seedCatalog(t, c)
	must(c.SalesOrders.Create(ctx, server.SalesOrder{Number: "SO-1", Customer: "x", Warehouse: "W2", Status: server.SODraft}))
	must(c.SKUs.SetArchived(ctx, server.CatalogKey{Code: "B"}, true))
	all, head, err := c.Changes(ctx, "", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	// 2 warehouses, 4 locations, 2 SKUs, 1 supplier, 1 order, 1 archive.
	if len(all) != 11 || head != all[len(all)-1].Position {
		t.Fatalf("%d changes, head %d: %+v", len(all), head, all)
	}
	for i := 1; i < len(all); i++ {
		if all[i].Position <= all[i-1].Position {
			t.Fatalf("positions do not increase: %+v", all)
		}
	}
	last := all[len(all)-1]
	if last.Kind != server.KindSKU || last.Key.Code != "B" {
		t.Fatalf("last change = %+v, want the archive of SKU B", last)
	}
	w1, _, err := c.Changes(ctx, "W1", 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range w1 {
		if ch.Key.Warehouse != "" && ch.Key.Warehouse != "W1" {
			t.Fatalf("W1's changes include %+v", ch)
		}
	}
	if len(w1) != 7 { // W1 and its 2 locations, 2 SKUs, the supplier, the archive of B
		t.Fatalf("W1 has %d changes: %+v", len(w1), w1)
	}
	after, _, err := c.Changes(ctx, "W1", all[5].Position, 2)
	if err != nil || len(after) != 2 || after[0].Position <= all[5].Position {
		t.Fatalf("changes after %d = %+v, %v", all[5].Position, after, err)
	}
	// A failed change takes no position.
	_, err = c.SKUs.Create(ctx, server.SKU{Code: "A", Name: "dup", Unit: "each"})
	wantCode(t, err, server.EConflict)
	_, head2, _ := c.Changes(ctx, "", head, 0)
	if head2 != head {
		t.Fatalf("head moved from %d to %d on a failed create", head, head2)
	}
}

func testImportAllOrNothing(t *testing.T, c *server.Catalog, _ *server.Ledger) {
	seedCatalog(t, c)
	_, head, _ := c.Changes(ctx, "", 0, 0)
	ean := server.WithGTINCheckDigit("500000000001")
	recs := []server.Barcode{
		{Value: ean, SKU: "A", Type: server.BarcodeGTIN, Pack: 1},
		{Value: "X-1", SKU: "NOPE", Type: server.BarcodeInternal, Pack: 1},
		{Value: ean, SKU: "B", Type: server.BarcodeGTIN, Pack: 1},
		{Value: "4000000000001", SKU: "A", Type: server.BarcodeGTIN, Pack: 1},
	}
	err := c.Barcodes.Import(ctx, recs)
	var ie *server.ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("import error = %v, want an *ImportError", err)
	}
	got := map[int]string{}
	for _, is := range ie.Issues {
		got[is.Index] = is.Field
		if is.Index == 2 && is.DuplicateOf != 0 {
			t.Fatalf("duplicate issue = %+v, want DuplicateOf 0", is)
		}
	}
	if len(got) != 3 || got[1] != "sku" || got[2] != "value" || got[3] != "value" {
		t.Fatalf("issues = %+v", ie.Issues)
	}
	if _, h, _ := c.Changes(ctx, "", 0, 0); h != head {
		t.Fatalf("a rejected import moved the head from %d to %d", head, h)
	}
	if bs := must(c.Barcodes.List(ctx, server.ListFilter{})); len(bs) != 0 {
		t.Fatalf("a rejected import wrote %+v", bs)
	}
	good := []server.SKU{
		{Code: "A", Name: "Apple juice (new name)", Unit: "each"},
		{Code: "C", Name: "Cherries", Unit: "kg", Meta: server.Meta{Archived: true}},
	}
	if err := c.SKUs.Import(ctx, good); err != nil {
		t.Fatal(err)
	}
	a := must(c.SKUs.Get(ctx, server.CatalogKey{Code: "A"}))
	cc := must(c.SKUs.Get(ctx, server.CatalogKey{Code: "C"}))
	if a.Name != "Apple juice (new name)" || !cc.Archived || cc.ArchivedAt.IsZero() {
		t.Fatalf("after import A = %+v, C = %+v", a, cc)
	}
}

func testOpeningStock(t *testing.T, c *server.Catalog, l *server.Ledger) {
	seedCatalog(t, c)
	bad := []server.OpeningStock{
		{Warehouse: "W1", Location: "BIN-1", SKU: "A", Qty: 5},
		{Warehouse: "W1", Location: "BIN-404", SKU: "A", Qty: 5},
		{Warehouse: "W1", Location: "BIN-1", SKU: "NOPE", Qty: 5},
		{Warehouse: "W1", Location: "BIN-1", SKU: "A", Qty: 0},
	}
	err := c.ImportOpeningStock(ctx, bad)
	var ie *server.ImportError
	if !errors.As(err, &ie) || len(ie.Issues) != 3 {
		t.Fatalf("bad opening stock: %v", err)
	}
	if got := stock(t, l, "W1", "BIN-1", "A"); got != 0 {
		t.Fatalf("a rejected opening stock import left %d", got)
	}
	good := []server.OpeningStock{
		{Warehouse: "W1", Location: "BIN-1", SKU: "A", Qty: 5},
		{Warehouse: "W1", Location: "BIN-1", SKU: "B", Lot: "L7", Qty: 3},
		{Warehouse: "W2", Location: "DOCK", SKU: "A", Qty: 9},
	}
	if err := c.ImportOpeningStock(ctx, good); err != nil {
		t.Fatal(err)
	}
	if err := c.ImportOpeningStock(ctx, good[:1]); err != nil {
		t.Fatal(err)
	}
	if a, b, w2 := stock(t, l, "W1", "BIN-1", "A"), stock(t, l, "W1", "BIN-1", "B"), stock(t, l, "W2", "DOCK", "A"); a != 10 || b != 3 || w2 != 9 {
		t.Fatalf("stock after opening = %d, %d, %d; want 10, 3, 9", a, b, w2)
	}
	dev, err := l.Device(ctx, server.ImportDeviceID("W1"))
	if err != nil || dev.AckedThrough != 3 || !dev.Revoked {
		t.Fatalf("import device = %+v, %v", dev, err)
	}
	evs, err := l.DeviceEvents(ctx, dev.ID, 0, 0)
	if err != nil || len(evs) != 3 {
		t.Fatalf("import device events = %d, %v", len(evs), err)
	}
	for _, ev := range evs {
		if ev.Outcome.Status != syncproto.StatusApplied || ev.Event.Kind != syncproto.KindReceive || ev.Event.Ref != server.OpeningStockRef {
			t.Fatalf("opening stock event = %+v", ev)
		}
	}
}
