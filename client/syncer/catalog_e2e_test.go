package syncer_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/client/store/storetest"
	"github.com/driftless/driftless/client/syncer"
	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/httpapi"
	"github.com/driftless/driftless/server/sqlite"
	"github.com/driftless/driftless/syncproto"
)

// refServer is a real sync server (SQLite, chi, websocket) on 127.0.0.1:0.
type refServer struct {
	ledger *server.Ledger
	cat    *server.Catalog
	addr   string
}

func startRefServer(tb testing.TB) *refServer {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	st, err := sqlite.OpenDir(ctx, tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	l := server.NewLedger(st, server.WithLogger(quiet))
	cat := server.NewCatalog(st, l)
	srv := &httpapi.Server{Ledger: l, Catalog: cat, Store: st, AdminToken: "admin", Log: quiet, Heartbeat: time.Second}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	tb.Cleanup(func() {
		cancel()
		<-done
		st.Close()
	})
	return &refServer{ledger: l, cat: cat, addr: ln.Addr().String()}
}

// enroll enrolls a device of a warehouse and returns its store.
func (rs *refServer) enroll(tb testing.TB, warehouse string, opts ...store.Option) (*store.Store, store.Identity) {
	tb.Helper()
	dev, token, err := rs.ledger.AddDevice(context.Background(), "scanner", warehouse)
	if err != nil {
		tb.Fatal(err)
	}
	st := storetest.MustOpenPath(tb, filepath.Join(tb.TempDir(), "device.db"), opts...)
	id := store.Identity{DeviceID: dev.ID, Token: token, ServerURL: "ws://" + rs.addr + "/api/v1/sync", Warehouse: warehouse}
	if err := st.Enroll(context.Background(), id); err != nil {
		tb.Fatal(err)
	}
	return st, id
}

// gtin13 makes a valid GTIN-13 from a 12-digit number.
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

// sscc makes a valid SSCC from a number.
func sscc(n int) string {
	d := fmt.Sprintf("0%016d", n)
	sum := 0
	for i := range d {
		w := 1
		if (len(d)-i)%2 == 1 {
			w = 3
		}
		sum += int(d[i]-'0') * w
	}
	return d + fmt.Sprint((10-sum%10)%10)
}

// serverView is what a device of warehouse should hold: the server's
// catalog as a device sees it (active records, open orders of its own).
func serverView(tb testing.TB, cat *server.Catalog, warehouse string) *syncproto.Catalog {
	tb.Helper()
	ctx := context.Background()
	out := &syncproto.Catalog{}
	must := func(err error) {
		if err != nil {
			tb.Fatal(err)
		}
	}
	w, err := cat.Warehouses.Get(ctx, server.CatalogKey{Code: warehouse})
	must(err)
	if !w.Archived {
		out.Warehouses = append(out.Warehouses, server.WireWarehouse(w))
	}
	sups, err := cat.Suppliers.List(ctx, server.ListFilter{})
	must(err)
	for _, s := range sups {
		out.Suppliers = append(out.Suppliers, server.WireSupplier(s))
	}
	skus, err := cat.SKUs.List(ctx, server.ListFilter{})
	must(err)
	for _, s := range skus {
		out.SKUs = append(out.SKUs, server.WireSKU(s))
	}
	bcs, err := cat.Barcodes.List(ctx, server.ListFilter{})
	must(err)
	for _, b := range bcs {
		out.Barcodes = append(out.Barcodes, server.WireBarcode(b))
	}
	locs, err := cat.Locations.List(ctx, server.ListFilter{Warehouse: warehouse})
	must(err)
	for _, l := range locs {
		out.Locations = append(out.Locations, server.WireLocation(l))
	}
	pos, err := cat.PurchaseOrders.List(ctx, server.ListFilter{Warehouse: warehouse})
	must(err)
	for _, o := range pos {
		if w := server.WirePurchaseOrder(o); w.Held() {
			out.PurchaseOrders = append(out.PurchaseOrders, w)
		}
	}
	users, err := cat.Users.List(ctx, server.ListFilter{})
	must(err)
	for _, u := range users {
		if !u.Archived {
			out.Users = append(out.Users, server.WireUser(u))
		}
	}
	sos, err := cat.SalesOrders.List(ctx, server.ListFilter{Warehouse: warehouse})
	must(err)
	for _, o := range sos {
		if w := server.WireSalesOrder(o); w.Held() {
			out.SalesOrders = append(out.SalesOrders, w)
		}
	}
	return out
}

// catalogEditor makes random catalog edits through server.Catalog.
type catalogEditor struct {
	tb     testing.TB
	cat    *server.Catalog
	rng    *rand.Rand
	n      int
	skus   []string
	bcs    []string
	sups   []string
	locs   map[string][]string // warehouse → codes
	pos    []string
	sos    []string
	users  []string
	orderW map[string]string
}

func (e *catalogEditor) must(_ any, err error) {
	e.tb.Helper()
	if err != nil {
		e.tb.Fatal(err)
	}
}

func (e *catalogEditor) seed(whs ...string) {
	ctx := context.Background()
	e.locs, e.orderW = map[string][]string{}, map[string]string{}
	for _, w := range whs {
		e.must(e.cat.Warehouses.Create(ctx, server.Warehouse{Code: w, Name: "Warehouse " + w, OverReceiptPct: 10, MinShelfLifeDays: 30}))
	}
	for i := range 3 {
		code := fmt.Sprintf("user%d", i)
		e.must(e.cat.Users.Create(ctx, server.User{Code: code, Name: "User " + code, Roles: []string{"receiver"}, PIN: "1234"}))
		e.users = append(e.users, code)
	}
	for range 3 {
		e.newSupplier()
	}
	for range 20 {
		e.newSKU()
	}
	for range 30 {
		e.newBarcode()
	}
	for _, w := range whs {
		for range 10 {
			e.newLocation(w)
		}
	}
	for i := range 8 {
		e.newPO(whs[i%len(whs)])
		e.newSO(whs[i%len(whs)])
	}
}

func (e *catalogEditor) next() int { e.n++; return e.n }

func (e *catalogEditor) newSupplier() {
	code := fmt.Sprintf("SUP-%03d", e.next())
	e.must(e.cat.Suppliers.Create(context.Background(), server.Supplier{Code: code, Name: "Supplier " + code, LeadTimeDays: int64(e.rng.IntN(30))}))
	e.sups = append(e.sups, code)
}

func (e *catalogEditor) newSKU() {
	code := fmt.Sprintf("SKU-%05d", e.next())
	e.must(e.cat.SKUs.Create(context.Background(), server.SKU{Code: code, Name: "Item " + code, Unit: "each",
		TrackLot: e.rng.IntN(3) == 0, UnitCost: int64(e.rng.IntN(10000))}))
	e.skus = append(e.skus, code)
}

func (e *catalogEditor) newBarcode() {
	v := gtin13(400000000000 + e.next())
	e.must(e.cat.Barcodes.Create(context.Background(), server.Barcode{Value: v, SKU: e.activeSKU(), Type: server.BarcodeGTIN,
		Pack: []int64{1, 1, 6, 12}[e.rng.IntN(4)]}))
	e.bcs = append(e.bcs, v)
}

func (e *catalogEditor) newLocation(w string) {
	code := fmt.Sprintf("A-%03d-%d", e.next(), e.rng.IntN(5))
	e.must(e.cat.Locations.Create(context.Background(), server.Location{Warehouse: w, Code: code, Type: server.LocationBin,
		Barcode: "LOC" + w + code, Sequence: int64(e.n)}))
	e.locs[w] = append(e.locs[w], code)
}

func (e *catalogEditor) poLines() []server.PurchaseOrderLine {
	var lines []server.PurchaseOrderLine
	seen := map[string]bool{}
	for range 1 + e.rng.IntN(4) {
		s := e.activeSKU()
		if !seen[s] {
			seen[s] = true
			lines = append(lines, server.PurchaseOrderLine{SKU: s, Ordered: int64(1 + e.rng.IntN(100)), Received: int64(e.rng.IntN(2))})
		}
	}
	return lines
}

func (e *catalogEditor) newPO(w string) {
	n := fmt.Sprintf("PO-%05d", e.next())
	var ssccs []string
	for range e.rng.IntN(3) {
		ssccs = append(ssccs, sscc(e.next()))
	}
	e.must(e.cat.PurchaseOrders.Create(context.Background(), server.PurchaseOrder{Number: n, Supplier: e.pick(e.sups), Warehouse: w,
		Status: server.POOpen, Lines: e.poLines(), SSCCs: ssccs}))
	e.pos, e.orderW[n] = append(e.pos, n), w
}

func (e *catalogEditor) newSO(w string) {
	n := fmt.Sprintf("SO-%05d", e.next())
	var lines []server.SalesOrderLine
	for _, l := range e.poLines() {
		lines = append(lines, server.SalesOrderLine{SKU: l.SKU, Qty: l.Ordered})
	}
	e.must(e.cat.SalesOrders.Create(context.Background(), server.SalesOrder{Number: n, Customer: "Customer " + n, Warehouse: w,
		Status: server.SOOpen, Lines: lines}))
	e.sos, e.orderW[n] = append(e.sos, n), w
}

func (e *catalogEditor) pick(xs []string) string { return xs[e.rng.IntN(len(xs))] }

// activeSKU picks a SKU that is not archived (new references must not
// point at archived records).
func (e *catalogEditor) activeSKU() string {
	for {
		s, err := e.cat.SKUs.Get(context.Background(), server.CatalogKey{Code: e.pick(e.skus)})
		e.must(nil, err)
		if !s.Archived {
			return s.Code
		}
	}
}

// edit makes one random change: a create, an update or an archive or
// restore of some kind.
func (e *catalogEditor) edit(whs []string) {
	ctx := context.Background()
	w := whs[e.rng.IntN(len(whs))]
	switch e.rng.IntN(14) {
	case 12:
		u, err := e.cat.Users.Get(ctx, server.CatalogKey{Code: e.pick(e.users)})
		e.must(nil, err)
		if e.rng.IntN(2) == 0 {
			e.must(e.cat.Users.SetArchived(ctx, server.CatalogKey{Code: u.Code}, !u.Archived))
			return
		}
		u.Roles = [][]string{{"picker"}, {"receiver", "supervisor"}, {"counter"}}[e.rng.IntN(3)]
		e.must(e.cat.Users.Update(ctx, u))
	case 13:
		wh, err := e.cat.Warehouses.Get(ctx, server.CatalogKey{Warehouse: w, Code: w})
		e.must(nil, err)
		wh.OverReceiptPct, wh.MinShelfLifeDays, wh.BlindReceiving = int64(e.rng.IntN(25)), int64(e.rng.IntN(90)), e.rng.IntN(2) == 0
		e.must(e.cat.Warehouses.Update(ctx, wh))
	case 0:
		e.newSKU()
	case 1:
		s, err := e.cat.SKUs.Get(ctx, server.CatalogKey{Code: e.pick(e.skus)})
		e.must(nil, err)
		s.Name = fmt.Sprintf("Item renamed %d", e.next())
		s.UnitCost++
		e.must(e.cat.SKUs.Update(ctx, s))
	case 2:
		e.must(e.cat.SKUs.SetArchived(ctx, server.CatalogKey{Code: e.pick(e.skus)}, e.rng.IntN(3) > 0))
	case 3:
		b, err := e.cat.Barcodes.Get(ctx, server.CatalogKey{Code: e.pick(e.bcs)})
		e.must(nil, err)
		b.Pack = int64(1 + e.rng.IntN(24))
		e.must(e.cat.Barcodes.Update(ctx, b))
	case 4:
		e.must(e.cat.Barcodes.SetArchived(ctx, server.CatalogKey{Code: e.pick(e.bcs)}, e.rng.IntN(3) > 0))
	case 5:
		s := e.activeSKU()
		v := gtin13(400000000000 + e.next())
		e.must(e.cat.Barcodes.Create(ctx, server.Barcode{Value: v, SKU: s, Type: server.BarcodeGTIN, Pack: 1}))
		e.bcs = append(e.bcs, v)
	case 6:
		e.newLocation(w)
	case 7:
		code := e.pick(e.locs[w])
		l, err := e.cat.Locations.Get(ctx, server.CatalogKey{Warehouse: w, Code: code})
		e.must(nil, err)
		if e.rng.IntN(2) == 0 {
			l.Sequence += 1000
			l.Type = server.LocationStaging
			e.must(e.cat.Locations.Update(ctx, l))
		} else {
			e.must(e.cat.Locations.SetArchived(ctx, server.CatalogKey{Warehouse: w, Code: code}, !l.Archived))
		}
	case 8:
		e.newPO(w)
	case 9:
		o, err := e.cat.PurchaseOrders.Get(ctx, server.CatalogKey{Code: e.pick(e.pos)})
		e.must(nil, err)
		o.Status = []server.PurchaseOrderStatus{server.POOpen, server.POPartiallyReceived, server.POReceived, server.POClosed}[e.rng.IntN(4)]
		for i := range o.Lines {
			o.Lines[i].Received++
		}
		e.must(e.cat.PurchaseOrders.Update(ctx, o))
	case 10:
		o, err := e.cat.SalesOrders.Get(ctx, server.CatalogKey{Code: e.pick(e.sos)})
		e.must(nil, err)
		if e.rng.IntN(2) == 0 {
			e.must(e.cat.SalesOrders.SetArchived(ctx, server.CatalogKey{Code: o.Number}, !o.Archived))
			return
		}
		o.Status = []server.SalesOrderStatus{server.SOOpen, server.SOPartiallyPicked, server.SOShipped}[e.rng.IntN(3)]
		e.must(e.cat.SalesOrders.Update(ctx, o))
	case 11:
		s, err := e.cat.Suppliers.Get(ctx, server.CatalogKey{Code: e.pick(e.sups)})
		e.must(nil, err)
		s.LeadTimeDays = int64(e.rng.IntN(60))
		e.must(e.cat.Suppliers.Update(ctx, s))
	}
}

// waitConverged waits until the device's reference data equals the
// server's view for its warehouse.
func waitConverged(t *testing.T, st *store.Store, cat *server.Catalog, warehouse string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		want := serverView(t, cat, warehouse)
		got, err := st.ReferenceData(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if reflect.DeepEqual(got, want) {
			return
		}
		if time.Now().After(deadline) {
			g, _ := json.MarshalIndent(got, "", " ")
			w, _ := json.MarshalIndent(want, "", " ")
			t.Fatalf("device reference data did not converge:\n got %s\nwant %s", g, w)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestReferenceDataConverges: a device takes a snapshot, then random
// catalog edits across kinds (creates, updates, archives, restores, orders
// closing) reach it through pulls, and its reference data equals the
// server's, over a real server with the real syncer.
func TestReferenceDataConverges(t *testing.T) {
	rs := startRefServer(t)
	whs := []string{"W1", "W2"}
	ed := &catalogEditor{tb: t, cat: rs.cat, rng: rand.New(rand.NewPCG(1, 2))}
	ed.seed(whs...)
	// Opening stock, so the snapshot carries levels too.
	if err := rs.cat.ImportOpeningStock(context.Background(), []server.OpeningStock{
		{Warehouse: "W1", Location: ed.locs["W1"][0], SKU: ed.skus[0], Qty: 5},
		{Warehouse: "W1", Location: ed.locs["W1"][1], SKU: ed.skus[1], Qty: 7},
		{Warehouse: "W2", Location: ed.locs["W2"][0], SKU: ed.skus[0], Qty: 9},
	}); err != nil {
		t.Fatal(err)
	}
	for range 30 {
		ed.edit(whs)
	}

	st, _ := rs.enroll(t, "W1")
	var progress []syncer.SnapshotProgress
	eng := syncer.New(st, syncer.Config{AppVersion: "test", Snapshot: true,
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		OnSnapshot: func(p syncer.SnapshotProgress) { progress = append(progress, p) }})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- eng.Serve(ctx) }()
	defer func() { cancel(); <-done }()

	waitConverged(t, st, rs.cat, "W1")
	if len(progress) == 0 || progress[len(progress)-1].Done != progress[len(progress)-1].Total {
		t.Fatalf("snapshot progress %+v does not end at its total", progress)
	}
	levels, err := st.StockLevels(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(levels) != 2 {
		t.Fatalf("device stock after the snapshot: %+v, want W1's 2 levels", levels)
	}
	state, err := st.State(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if state.Cursor == 0 {
		t.Fatal("the ledger cursor did not move to the snapshot's position")
	}

	// Edits after the snapshot arrive through pokes and pulls.
	for round := range 5 {
		for range 40 {
			ed.edit(whs)
		}
		waitConverged(t, st, rs.cat, "W1")
		t.Logf("round %d converged", round)
	}
	state, err = st.State(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	head, err := rs.cat.Head(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if state.CatalogCursor > head || state.CatalogCursor == 0 {
		t.Fatalf("catalog cursor %d, head %d", state.CatalogCursor, head)
	}
}

// TestReferenceDataWithoutSnapshot: a device that never takes a snapshot
// gets the same reference data by pulling the catalog from position 0.
func TestReferenceDataWithoutSnapshot(t *testing.T) {
	rs := startRefServer(t)
	whs := []string{"W1", "W2"}
	ed := &catalogEditor{tb: t, cat: rs.cat, rng: rand.New(rand.NewPCG(3, 4))}
	ed.seed(whs...)
	for range 60 {
		ed.edit(whs)
	}
	st, _ := rs.enroll(t, "W2")
	eng := syncer.New(st, syncer.Config{AppVersion: "test", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- eng.Serve(ctx) }()
	defer func() { cancel(); <-done }()
	waitConverged(t, st, rs.cat, "W2")
}

// TestSnapshotRefusesWrongToken: the snapshot route authenticates the
// device; a wrong or missing token gets 401 unauthorized and no data.
func TestSnapshotRefusesWrongToken(t *testing.T) {
	rs := startRefServer(t)
	ed := &catalogEditor{tb: t, cat: rs.cat, rng: rand.New(rand.NewPCG(5, 6))}
	ed.seed("W1")
	_, id := rs.enroll(t, "W1")
	get := func(auth string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, "http://"+rs.addr+"/api/v1/snapshot", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			Error struct{ Code string } `json:"error"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body.Error.Code
	}
	for _, auth := range []string{"", "Device " + id.DeviceID + ":wrong", "Device " + id.DeviceID, "Bearer admin",
		"Device 0193a5d0-0000-7000-8000-000000000001:" + id.Token} {
		if code, ec := get(auth); code != http.StatusUnauthorized || ec != "unauthorized" {
			t.Errorf("Authorization %q: status %d code %q, want 401 unauthorized", auth, code, ec)
		}
	}
	if code, _ := get("Device " + id.DeviceID + ":" + id.Token); code != http.StatusOK {
		t.Errorf("the right token: status %d, want 200", code)
	}

	// The syncer stops: a person has to re-enroll the device.
	st, _ := rs.enroll(t, "W1")
	bad, err := st.Identity(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	bad.Token = "wrong"
	if err := st.Enroll(context.Background(), bad); err != nil {
		t.Fatal(err)
	}
	eng := syncer.New(st, syncer.Config{AppVersion: "test", Snapshot: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var fe *syncer.FatalError
	if err := eng.Serve(ctx); !errors.As(err, &fe) {
		t.Fatalf("Serve with a wrong token: %v, want a FatalError", err)
	}
}
