package app_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/driftless/driftless/client/app"
	"github.com/driftless/driftless/client/store/storetest"
	"github.com/driftless/driftless/client/syncer"
	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/httpapi"
	"github.com/driftless/driftless/server/sqlite"
)

// e2eServer is the real sync server (SQLite, chi, websocket) on a fixed
// 127.0.0.1 port that can be stopped and started again on its data.
type e2eServer struct {
	t    *testing.T
	dir  string
	addr string
	quit func() // stops the running server; nil when stopped

	ledger *server.Ledger
	cat    *server.Catalog
	repl   *server.Replenisher
}

func startE2EServer(t *testing.T) *e2eServer {
	s := &e2eServer{t: t, dir: t.TempDir(), addr: "127.0.0.1:0"}
	s.start()
	t.Cleanup(s.stop)
	return s
}

func (s *e2eServer) start() {
	s.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	st, err := sqlite.OpenDir(ctx, s.dir)
	if err != nil {
		s.t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	s.ledger = server.NewLedger(st, server.WithLogger(quiet))
	s.cat = server.NewCatalog(st, s.ledger)
	s.repl = server.NewReplenisher(s.cat, nil)
	srv := &httpapi.Server{Ledger: s.ledger, Catalog: s.cat, Store: st, AdminToken: "admin", Log: quiet,
		Heartbeat: 500 * time.Millisecond, PokeInterval: 20 * time.Millisecond}
	var ln net.Listener
	for range 50 { // the port of a stopped server may take a moment to free
		if ln, err = net.Listen("tcp", s.addr); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		s.t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	s.quit = func() {
		cancel()
		<-done
		st.Close()
	}
}

func (s *e2eServer) stop() {
	if s.quit != nil {
		s.quit()
		s.quit = nil
	}
}

// seed creates warehouse W1 (10% tolerance), its dock, quarantine and a
// bin, SKUs A (with an each and a case GTIN) and L (lot-tracked), purchase
// order PO-1 (A: 20, L: 10), user ana, and a device with an enrollment
// code.
func (s *e2eServer) seed() (code string) {
	s.t.Helper()
	must := func(_ any, err error) {
		s.t.Helper()
		if err != nil {
			s.t.Fatal(err)
		}
	}
	c := s.cat
	must(c.Warehouses.Create(ctx, server.Warehouse{Code: "W1", Name: "Main", OverReceiptPct: 10, MinShelfLifeDays: 30}))
	for _, l := range []server.Location{
		{Warehouse: "W1", Code: "DOCK", Type: server.LocationDock, Sequence: 1},
		{Warehouse: "W1", Code: "QUAR", Type: server.LocationQuarantine, Sequence: 1},
		{Warehouse: "W1", Code: "B1", Type: server.LocationBin, Sequence: 1},
	} {
		must(c.Locations.Create(ctx, l))
	}
	must(c.Suppliers.Create(ctx, server.Supplier{Code: "ACME", Name: "Acme Foods"}))
	must(c.SKUs.Create(ctx, server.SKU{Code: "A", Name: "Apples", Unit: "each"}))
	must(c.SKUs.Create(ctx, server.SKU{Code: "L", Name: "Lettuce", Unit: "each", TrackLot: true, TrackExpiry: true}))
	must(c.Barcodes.Create(ctx, server.Barcode{Value: eachA, SKU: "A", Type: "gtin", Pack: 1}))
	must(c.Barcodes.Create(ctx, server.Barcode{Value: caseA, SKU: "A", Type: "gtin", Pack: 12}))
	must(c.Barcodes.Create(ctx, server.Barcode{Value: eanL, SKU: "L", Type: "gtin", Pack: 1}))
	must(c.PurchaseOrders.Create(ctx, server.PurchaseOrder{Number: "PO-1", Supplier: "ACME", Warehouse: "W1",
		Status: server.POOpen, ExpectedDate: "2026-06-01",
		Lines: []server.PurchaseOrderLine{{SKU: "A", Ordered: 20}, {SKU: "L", Ordered: 10}}}))
	must(c.Users.Create(ctx, server.User{Code: "ana", Name: "Ana", Roles: []string{"receiver"}, PIN: pinAna}))
	dev, _, err := s.ledger.AddDevice(ctx, "handheld", "W1")
	if err != nil {
		s.t.Fatal(err)
	}
	code, _, err = s.ledger.IssueEnrollmentCode(ctx, dev.ID, 0)
	if err != nil {
		s.t.Fatal(err)
	}
	return code
}

// waitFor waits until cond holds, checking at every change of the app and
// every 50ms.
func waitFor(t *testing.T, a *app.App, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for !cond() {
		select {
		case <-a.Changed():
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s; sync status %+v", what, a.SyncStatus())
		}
	}
}

// TestEndToEndReceiveOffline enrolls the app with a code at a real server,
// receives a purchase order while the server is down, and checks that once
// the server is back the server's stock and the order's received figures
// are exactly what was scanned.
func TestEndToEndReceiveOffline(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	srv := startE2EServer(t)
	code := srv.seed()

	st := storetest.MustOpenPath(t, filepath.Join(t.TempDir(), "device.db"))
	a := app.New(st, app.Config{AppVersion: "e2e", Now: func() time.Time { return today }, SyncConfig: syncer.Config{
		BackoffMin: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond, PollInterval: 100 * time.Millisecond,
		HandshakeTimeout: 2 * time.Second, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}})
	ctx, cancel := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})

	if err := a.Enroll(ctx, srv.addr, "not-a-code", nil); !errors.Is(err, app.ErrEnrollmentInvalid) {
		t.Fatalf("Enroll with a wrong code: %v, want ErrEnrollmentInvalid", err)
	}
	var last app.EnrollProgress
	if err := a.Enroll(ctx, srv.addr, code, func(p app.EnrollProgress) { last = p }); err != nil {
		t.Fatal(err)
	}
	if last.Total == 0 || last.Done != last.Total {
		t.Fatalf("last snapshot progress %+v, want done", last)
	}
	if w, name, err := a.Warehouse(ctx); w != "W1" || name != "Main" || err != nil {
		t.Fatalf("warehouse after enrollment %q %q %v", w, name, err)
	}
	if _, err := a.SignIn(ctx, "ana", pinAna); err != nil {
		t.Fatal(err)
	}
	waitFor(t, a, "online", func() bool { return a.SyncStatus().Online })

	srv.stop()
	waitFor(t, a, "offline", func() bool { s := a.SyncStatus(); return !s.Online && s.Problem != "" })

	r, err := a.StartReceipt(ctx, "PO-1")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		text string
		qty  int64
		want app.Level
	}{
		{eachA, 0, app.Good},                         // A 1
		{caseA, 0, app.Good},                         // A 13
		{eachA, 5, app.Good},                         // A 18
		{caseA, 0, app.Warn},                         // 4 more in (22), 8 to quarantine
		{unknown, 0, app.Bad},                        // an exception, nothing received
		{gs1(eanL, "L7", "271231", ""), 4, app.Good}, // L/L7 4
		{gs1(eanL, "OLD", "200101", ""), 2, app.Bad}, // expired: 2 to quarantine
		{gs1(eanL, "L7", "271231", ""), 0, app.Good}, // L/L7 5
		{eanL, 0, app.Bad},                           // no lot: refused
	} {
		r.SetQty(c.qty)
		scan(t, r, c.text, c.want)
	}
	sum, err := r.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s := a.SyncStatus(); s.Online || s.Unsynced != sum.Events || s.Oldest.IsZero() {
		t.Fatalf("sync status offline after Finish = %+v, want %d unsynced", s, sum.Events)
	}

	srv.start()
	waitFor(t, a, "everything synced", func() bool { s := a.SyncStatus(); return s.Online && s.Unsynced == 0 })

	levels, err := srv.ledger.Stock(ctx, server.StockFilter{Warehouse: "W1"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, l := range levels {
		got[l.Location+"/"+l.SKU+"/"+l.Lot] = l.Qty
	}
	want := map[string]int64{"DOCK/A/": 22, "QUAR/A/": 8, "DOCK/L/L7": 5, "QUAR/L/OLD": 2}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("server stock %v, want %v", got, want)
	}
	po, err := srv.cat.PurchaseOrders.Get(ctx, server.CatalogKey{Warehouse: "W1", Code: "PO-1"})
	if err != nil {
		t.Fatal(err)
	}
	wantLines := []server.PurchaseOrderLine{{SKU: "A", Ordered: 20, Received: 30}, {SKU: "L", Ordered: 10, Received: 7}}
	if !reflect.DeepEqual(po.Lines, wantLines) || po.Status != server.POPartiallyReceived {
		t.Fatalf("PO-1 on the server: %s %+v, want partially_received %+v", po.Status, po.Lines, wantLines)
	}
	exc, err := srv.ledger.Exceptions(ctx, server.ExceptionFilter{Warehouse: "W1", Ref: "PO-1"})
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]int64{}
	for _, e := range exc {
		reasons[e.Reason] += e.Qty
	}
	if want := map[string]int64{"over_receipt": 8, "unknown_barcode": 1, "expired_lot": 2}; !reflect.DeepEqual(reasons, want) {
		t.Fatalf("exceptions on the server (reason: units) %v, want %v", reasons, want)
	}
	// The order's new figures come back to the device.
	waitFor(t, a, "the order's received figures on the device", func() bool {
		o, ok, err := st.PurchaseOrder(ctx, "PO-1")
		return err == nil && ok && len(o.Lines) == 2 && o.Lines[0].Received == 30 && o.Lines[1].Received == 7
	})

	// Someone redeems a new code for the device elsewhere: its token here
	// is stale, the server refuses it for good, and enrolling again with a
	// fresh code brings it back without restarting Serve.
	id, err := st.Identity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stolen, _, err := srv.ledger.IssueEnrollmentCode(ctx, id.DeviceID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := srv.ledger.Enroll(ctx, stolen, "other"); err != nil {
		t.Fatal(err)
	}
	srv.stop()
	srv.start()
	waitFor(t, a, "the refusal", func() bool { return a.SyncStatus().Fatal })
	if s := a.SyncStatus(); s.Online || s.Problem == "" || !s.Enrolled {
		t.Fatalf("sync status when refused = %+v", s)
	}
	fresh, _, err := srv.ledger.IssueEnrollmentCode(ctx, id.DeviceID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Enroll(ctx, "http://"+srv.addr+"/", fresh, nil); err != nil {
		t.Fatal(err)
	}
	r, err = a.StartReceipt(ctx, "PO-1")
	if err != nil {
		t.Fatal(err)
	}
	scan(t, r, eachA, app.Bad) // the line is over its tolerance: to quarantine
	if _, err := r.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, a, "synced after enrolling again", func() bool {
		s := a.SyncStatus()
		return s.Online && !s.Fatal && s.Unsynced == 0
	})
	if q, err := srv.ledger.Stock(ctx, server.StockFilter{Warehouse: "W1", Location: "QUAR", SKU: "A"}); err != nil || len(q) != 1 || q[0].Qty != 9 {
		t.Fatalf("server quarantine after enrolling again: %+v, %v; want 9 A", q, err)
	}
}
