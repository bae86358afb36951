package app_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/driftless/driftless/client/app"
	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/client/store/storetest"
	"github.com/driftless/driftless/syncproto"
	"golang.org/x/crypto/bcrypt"
)

var ctx = context.Background()

// today is the fixture's clock: lots expiring before it are expired, before
// today+30 days short-dated.
var today = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// gtin13 makes a valid GTIN-13 from a number.
func gtin13(n int) string {
	d := fmt.Sprintf("%012d", n)
	sum := 0
	for i, c := range d {
		w := 1
		if i%2 == 1 {
			w = 3
		}
		sum += int(c-'0') * w
	}
	return d + fmt.Sprint((10-sum%10)%10)
}

// The fixture's barcodes.
var (
	eachA   = gtin13(1001) // SKU A, 1 unit
	caseA   = gtin13(1002) // SKU A, 12 units
	eanL    = gtin13(1003) // SKU L (lot and expiry tracked)
	eanS    = gtin13(1004) // SKU S (serial tracked)
	eanX    = gtin13(1005) // SKU X, on no order
	eanB    = gtin13(1006) // SKU B
	unknown = gtin13(9999)
)

// gs1 is a bracketed GS1 element string for a GTIN-13 with lot, expiry
// (YYMMDD) and serial when not empty.
func gs1(gtin, lot, expiry, serial string) string {
	s := "(01)0" + gtin
	if expiry != "" {
		s += "(17)" + expiry
	}
	if lot != "" {
		s += "(10)" + lot
	}
	if serial != "" {
		s += "(21)" + serial
	}
	return s
}

const pinAna = "1111"

func hash(t testing.TB, pin string) string {
	h, err := bcrypt.GenerateFromPassword([]byte(pin), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

// catalog is the fixture's reference data: warehouse W1 (tolerance 10%,
// 30 days' shelf life), PO-1 (A: 20 ordered, 5 received before; L: 10; S:
// 3) announced with one SSCC, users ana (receiver) and old (archived).
func catalog(t testing.TB, blind bool) syncproto.Catalog {
	return syncproto.Catalog{
		Warehouses: []syncproto.Warehouse{{Code: "W1", Name: "Main", BlindReceiving: blind, OverReceiptPct: 10, MinShelfLifeDays: 30, Position: 1}},
		Suppliers:  []syncproto.Supplier{{Code: "ACME", Name: "Acme Foods", Position: 1}},
		SKUs: []syncproto.SKU{
			{Code: "A", Name: "Apples", Unit: "each", Position: 1},
			{Code: "B", Name: "Bananas", Unit: "each", Position: 1},
			{Code: "L", Name: "Lettuce", Unit: "each", TrackLot: true, TrackExpiry: true, Position: 1},
			{Code: "S", Name: "Scanner", Unit: "each", TrackSerial: true, Position: 1},
			{Code: "X", Name: "Xylophone", Unit: "each", Position: 1},
		},
		Barcodes: []syncproto.Barcode{
			{Value: eachA, SKU: "A", Type: "gtin", Pack: 1, Position: 1},
			{Value: caseA, SKU: "A", Type: "gtin", Pack: 12, Position: 1},
			{Value: eanL, SKU: "L", Type: "gtin", Pack: 1, Position: 1},
			{Value: eanS, SKU: "S", Type: "gtin", Pack: 1, Position: 1},
			{Value: eanX, SKU: "X", Type: "gtin", Pack: 1, Position: 1},
			{Value: eanB, SKU: "B", Type: "gtin", Pack: 1, Position: 1},
		},
		Locations: []syncproto.Location{
			{Code: "DOCK-2", Type: "dock", Sequence: 2, Position: 1},
			{Code: "DOCK-1", Type: "dock", Barcode: "LOC-DOCK-1", Sequence: 1, Position: 1},
			{Code: "QUAR", Type: "quarantine", Sequence: 1, Position: 1},
			{Code: "RET", Type: "returns", Sequence: 1, Position: 1},
			{Code: "B1", Type: "bin", Barcode: "LOC-B1", Sequence: 1, Position: 1},
			{Code: "B2", Type: "bin", Sequence: 2, Position: 1},
			{Code: "B3", Type: "bin", Sequence: 3, Position: 1},
		},
		PurchaseOrders: []syncproto.PurchaseOrder{{Number: "PO-1", Supplier: "ACME", Status: "partially_received",
			ExpectedDate: "2026-06-01",
			Lines:        []syncproto.POLine{{SKU: "A", Ordered: 20, Received: 5}, {SKU: "L", Ordered: 10}, {SKU: "S", Ordered: 3}},
			SSCCs:        []string{"003456789012345670"}, Position: 1}},
		Users: []syncproto.User{
			{Code: "ana", Name: "Ana", Roles: []string{"receiver", "picker"}, PINHash: hash(t, pinAna), Position: 1},
			{Code: "old", Name: "Olaf", Roles: []string{"picker"}, PINHash: hash(t, "0000"), Archived: true, Position: 1},
		},
	}
}

// fixture is an app on a real, enrolled device store holding the catalog
// and some stock: DOCK-1 has 10 A and 4 B, B2 has 7 A.
type fixture struct {
	t    testing.TB
	path string
	sync string // the store's synchronous level
	gs   string // the app's GSSubstitute
	st   *store.Store
	app  *app.App
}

func newFixture(t testing.TB, blind bool) *fixture {
	return newFixtureWith(t, catalog(t, blind), store.SyncNormal)
}

// newFixtureWith opens the fixture with its own catalog and synchronous
// level.
func newFixtureWith(t testing.TB, cat syncproto.Catalog, synchronous string) *fixture {
	t.Helper()
	f := &fixture{t: t, path: filepath.Join(t.TempDir(), "device.db"), sync: synchronous}
	f.open()
	if err := f.st.Enroll(ctx, storetest.Identity); err != nil {
		t.Fatal(err)
	}
	page := &syncproto.SnapshotPage{Warehouse: "W1", Page: 1, CatalogHead: 1, Position: 3, Stock: true, Catalog: cat,
		Levels: []syncproto.Level{
			{Location: "DOCK-1", SKU: "A", Qty: 10, Position: 1},
			{Location: "DOCK-1", SKU: "B", Qty: 4, Position: 2},
			{Location: "B2", SKU: "A", Qty: 7, Position: 3},
		}}
	if err := f.st.ApplySnapshotPage(ctx, page, true); err != nil {
		t.Fatal(err)
	}
	return f
}

// open opens (or reopens) the store and a new app over it.
func (f *fixture) open() {
	f.t.Helper()
	f.st = storetest.MustOpenPath(f.t, f.path, store.WithSynchronous(f.sync))
	f.app = app.New(f.st, app.Config{Now: func() time.Time { return today }, GSSubstitute: f.gs})
}

// reopen closes the store, as a killed app would leave it, and opens it again.
func (f *fixture) reopen() {
	f.t.Helper()
	if err := f.st.Close(); err != nil {
		f.t.Fatal(err)
	}
	f.open()
}

func (f *fixture) signIn() {
	f.t.Helper()
	if _, err := f.app.SignIn(ctx, "ana", pinAna); err != nil {
		f.t.Fatal(err)
	}
}

// scan scans into a receipt and checks the feedback's level.
func scan(t testing.TB, r *app.Receipt, text string, want app.Level) app.Feedback {
	t.Helper()
	fb, err := r.Scan(ctx, text)
	if err != nil {
		t.Fatalf("scan %q: %v", text, err)
	}
	if fb.Level != want {
		t.Fatalf("scan %q: %s %q (%s), want %s", text, fb.Level, fb.Title, fb.Detail, want)
	}
	return fb
}

// events returns the device's events.
func (f *fixture) events() []syncproto.Event {
	f.t.Helper()
	evs, err := f.st.Events(ctx, 0, 1000)
	if err != nil {
		f.t.Fatal(err)
	}
	return evs
}

// ev is the part of an event tests compare.
type ev struct {
	Kind                    syncproto.Kind
	SKU, Lot, From, To      string
	Qty                     int64
	Reason, Ref             string
	Serial, Expiry, Barcode string
}

func evsOf(evs []syncproto.Event) []ev {
	out := make([]ev, len(evs))
	for i, e := range evs {
		out[i] = ev{e.Kind, e.SKU, e.Lot, e.From, e.To, e.Qty, e.Reason, e.Ref, e.Serial, e.Expiry, e.Barcode}
	}
	return out
}

func (f *fixture) wantStock(loc, sku, lot string, want int64) {
	f.t.Helper()
	got, err := f.st.Stock(ctx, loc, sku, lot)
	if err != nil {
		f.t.Fatal(err)
	}
	if got != want {
		f.t.Errorf("stock %s/%s/%s = %d, want %d", loc, sku, lot, got, want)
	}
}
