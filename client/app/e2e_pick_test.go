package app_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/driftless/driftless/client/app"
	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/client/store/storetest"
	"github.com/driftless/driftless/client/syncer"
	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/syncproto"
)

// e2eDevice is an app on its own device database, enrolled at the server,
// whose sync can be stopped (the device offline) and started again.
type e2eDevice struct {
	t    *testing.T
	st   *store.Store
	app  *app.App
	stop func()
}

func newE2EDevice(t *testing.T, srv *e2eServer, name string) *e2eDevice {
	return newE2EDeviceAt(t, srv, name, "W1")
}

func newE2EDeviceAt(t *testing.T, srv *e2eServer, name, warehouse string) *e2eDevice {
	t.Helper()
	dev, _, err := srv.ledger.AddDevice(ctx, name, warehouse)
	if err != nil {
		t.Fatal(err)
	}
	code, _, err := srv.ledger.IssueEnrollmentCode(ctx, dev.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	d := &e2eDevice{t: t, st: storetest.MustOpenPath(t, filepath.Join(t.TempDir(), name+".db"))}
	d.app = app.New(d.st, app.Config{AppVersion: "e2e", Now: func() time.Time { return today }, PickListWait: 10 * time.Second,
		SyncConfig: syncer.Config{BackoffMin: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond,
			PollInterval: 100 * time.Millisecond, HandshakeTimeout: 2 * time.Second,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}})
	d.online()
	t.Cleanup(func() { d.offline() })
	if err := d.app.Enroll(ctx, srv.addr, code, nil); err != nil {
		t.Fatal(err)
	}
	return d
}

// online runs the app's sync.
func (d *e2eDevice) online() {
	c, cancel := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- d.app.Serve(c) }()
	d.stop = func() {
		cancel()
		if err := <-served; err != nil {
			d.t.Errorf("Serve: %v", err)
		}
	}
}

// offline stops the app's sync, as a device out of Wi-Fi range.
func (d *e2eDevice) offline() {
	if d.stop != nil {
		d.stop()
		d.stop = nil
	}
}

func (d *e2eDevice) synced() bool {
	s := d.app.SyncStatus()
	return s.Online && s.Unsynced == 0
}

// TestEndToEndPicking: a wave on the server, the next list taken from a
// device, picked offline with a short pick while a supervisor's device
// moves stock out of the bin; once the picker is back one pick is parked,
// the short pick is re-allocated with a count task, the supervisor accepts
// the parked pick from their device and the decision reaches the picker's
// device, which then picks the re-allocated task and finishes the list.
func TestEndToEndPicking(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	srv := startE2EServer(t)
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	c := srv.cat
	must(c.Warehouses.Create(ctx, server.Warehouse{Code: "W1", Name: "Main"}))
	for _, l := range []server.Location{
		{Warehouse: "W1", Code: "DOCK", Type: server.LocationDock, Sequence: 1},
		{Warehouse: "W1", Code: "B1", Type: server.LocationBin, Sequence: 1},
		{Warehouse: "W1", Code: "B2", Type: server.LocationBin, Sequence: 2},
		{Warehouse: "W1", Code: "B3", Type: server.LocationBin, Sequence: 3},
	} {
		must(c.Locations.Create(ctx, l))
	}
	must(c.SKUs.Create(ctx, server.SKU{Code: "A", Name: "Apples", Unit: "each"}))
	must(c.Barcodes.Create(ctx, server.Barcode{Value: eachA, SKU: "A", Type: "gtin", Pack: 1}))
	must(c.Users.Create(ctx, server.User{Code: "ana", Name: "Ana", Roles: []string{"picker"}, PIN: pinAna}))
	must(c.Users.Create(ctx, server.User{Code: "sam", Name: "Sam", Roles: []string{"supervisor"}, PIN: pinSam}))
	if err := c.ImportOpeningStock(ctx, []server.OpeningStock{
		{Warehouse: "W1", Location: "B1", SKU: "A", Qty: 5},
		{Warehouse: "W1", Location: "B2", SKU: "A", Qty: 10},
	}); err != nil {
		t.Fatal(err)
	}
	must(c.SalesOrders.Create(ctx, server.SalesOrder{Number: "SO-1", Customer: "C", Warehouse: "W1", Status: server.SOOpen,
		Lines: []server.SalesOrderLine{{SKU: "A", Qty: 8}}}))
	wave, err := c.CreatePickWave(ctx, server.WaveRequest{Warehouse: "W1"})
	if err != nil {
		t.Fatal(err)
	}
	if len(wave.Lists) != 1 || len(wave.Lists[0].Tasks) != 1 || wave.Lists[0].Tasks[0].Location != "B2" {
		t.Fatalf("wave %+v, want one list with one task at B2", wave)
	}
	listID := wave.Lists[0].ID

	picker := newE2EDevice(t, srv, "picker")
	super := newE2EDevice(t, srv, "super")
	if _, err := picker.app.SignIn(ctx, "ana", pinAna); err != nil {
		t.Fatal(err)
	}
	if _, err := super.app.SignIn(ctx, "sam", pinSam); err != nil {
		t.Fatal(err)
	}
	if _, err := picker.app.ParkedQueue(ctx); !errors.Is(err, app.ErrNotSupervisor) {
		t.Fatalf("a picker's queue: %v, want ErrNotSupervisor", err)
	}
	waitFor(t, picker.app, "the picker online", picker.synced)
	sum, err := picker.app.NextPickList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.ID != listID || sum.AssignedTo != "ana" || sum.Open != 1 {
		t.Fatalf("next list %+v, want %s assigned to ana", sum, listID)
	}
	p, err := picker.app.StartPicking(ctx, listID)
	if err != nil {
		t.Fatal(err)
	}

	// Offline: 1 scanned, 4 more found, 3 short. Meanwhile the supervisor
	// moves 7 of B2's 10 away.
	picker.offline()
	waitFor(t, super.app, "the supervisor's device holding the stock", func() bool {
		n, err := super.st.Stock(ctx, "B2", "A", "")
		return err == nil && n == 10
	})
	m := super.app.StartMove()
	moveScan(t, m, "B2", app.Good)
	m.SetQty(7)
	moveScan(t, m, eachA, app.Good)
	moveScan(t, m, "B3", app.Good)
	waitFor(t, super.app, "the move synced", super.synced)

	pickScan(t, p, "B2", app.Good)
	pickScan(t, p, eachA, app.Good)
	fb, err := p.Short(ctx, 4)
	checkFB(t, "short", fb, err, app.Warn)
	evs, err := picker.st.Events(ctx, 0, 100)
	if err != nil || len(evs) != 3 {
		t.Fatalf("picker's events offline: %d, %v", len(evs), err)
	}
	parkedID := evs[1].ID // the pick of 4: only 2 left at B2 when it arrives

	picker.online()
	waitFor(t, picker.app, "the picker synced", picker.synced)
	att, err := picker.app.Attention(ctx)
	if err != nil || len(att) != 1 || att[0].Event.ID != parkedID || att[0].Outcome.Status != syncproto.StatusParked {
		t.Fatalf("picker's attention after syncing: %+v, %v; want the pick of 4 parked", att, err)
	}
	l, err := c.PickLists.Get(ctx, server.CatalogKey{Warehouse: "W1", Code: listID})
	if err != nil {
		t.Fatal(err)
	}
	// The re-allocated task comes first in walking order (B1).
	first, second := listID+"/1", listID+"/2"
	if len(l.Tasks) != 2 || l.Tasks[1].ID != first || l.Tasks[1].Picked != 1 || l.Tasks[1].Status != server.PickTaskStatus("short") ||
		l.Tasks[0].ID != second || l.Tasks[0].Location != "B1" || l.Tasks[0].Qty != 3 {
		t.Fatalf("list on the server after the short pick: %+v", l.Tasks)
	}
	cts, err := c.CountTasks(ctx, server.CountTaskFilter{Warehouse: "W1"})
	// One task for B2 (a bin holds one at a time): the parked pick raises
	// it, before the short pick would.
	if err != nil || len(cts) != 1 || cts[0].Location != "B2" || cts[0].SKU != "A" ||
		(cts[0].Reason != "parked" && cts[0].Reason != "short_pick") {
		t.Fatalf("count tasks %+v, %v; want one for B2/A", cts, err)
	}

	// The supervisor sees the parked pick with the move that took the
	// stock, and accepts it.
	q, err := super.app.ParkedQueue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 1 || q[0].EventID != parkedID || q[0].Qty != 4 || q[0].Location != "B2" || q[0].User != "ana" ||
		len(q[0].Competing) == 0 || q[0].Competing[0].User != "sam" {
		t.Fatalf("parked queue %+v", q)
	}
	if err := super.app.AcceptParked(ctx, parkedID, "found 2 behind the bin"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, picker.app, "the decision on the picker's device", func() bool {
		all, err := picker.st.Outcomes(ctx, syncproto.StatusApplied)
		if err != nil {
			return false
		}
		for _, eo := range all {
			if eo.Event.ID == parkedID && eo.Resolution != nil {
				return true
			}
		}
		return false
	})
	if att, err := picker.app.Attention(ctx); err != nil || len(att) != 0 {
		t.Fatalf("picker's attention after the acceptance: %+v, %v", att, err)
	}
	if st := picker.app.SyncStatus(); st.Attention != 0 {
		t.Fatalf("attention count after the acceptance: %d", st.Attention)
	}

	// The re-allocated task reaches the picker, who picks it and finishes.
	waitFor(t, picker.app, "the re-allocated task on the picker's device", func() bool {
		s, err := p.State(ctx)
		return err == nil && s.Current.Location == "B1" && s.Step == app.PickScanBin
	})
	pickScan(t, p, "B1", app.Good)
	pickScan(t, p, eachA, app.Good)
	fb, err = p.EnterQty(ctx, 2)
	checkFB(t, "EnterQty", fb, err, app.Good)
	fb, err = p.Finish(ctx)
	checkFB(t, "finish", fb, err, app.Good)
	waitFor(t, picker.app, "everything synced", func() bool {
		_, held, err := picker.st.PickList(ctx, listID)
		return picker.synced() && err == nil && !held
	})

	so, err := c.SalesOrders.Get(ctx, server.CatalogKey{Warehouse: "W1", Code: "SO-1"})
	if err != nil {
		t.Fatal(err)
	}
	if so.Status != server.SOPicked || so.Lines[0].Picked != 8 {
		t.Fatalf("SO-1 on the server: %s %+v, want picked 8", so.Status, so.Lines)
	}
	l, err = c.PickLists.Get(ctx, server.CatalogKey{Warehouse: "W1", Code: listID})
	if err != nil {
		t.Fatal(err)
	}
	if l.Status != server.PickListStatus("done") || l.Tasks[1].ID != first || l.Tasks[1].Picked != 5 || l.Tasks[0].Picked != 3 {
		t.Fatalf("list on the server at the end: %s %+v", l.Status, l.Tasks)
	}
	levels, err := srv.ledger.Stock(ctx, server.StockFilter{Warehouse: "W1"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, lv := range levels {
		got[lv.Location+"/"+lv.SKU] = lv.Qty
	}
	// B2: 10 - 7 moved - 1 - 4 (after +2 adjusted) = 0; B1: 5 - 3.
	want := map[string]int64{"B1/A": 2, "B2/A": 0, "B3/A": 7}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("server stock %v, want %v", got, want)
		}
	}
	waitFor(t, picker.app, "the picker's view converged", func() bool {
		view, err1 := picker.st.StockLevels(ctx)
		server, err2 := picker.st.ServerLevels(ctx)
		return err1 == nil && err2 == nil && reflect.DeepEqual(view, server)
	})
}

// TestEndToEndTransfer: W1 ships a transfer to its transit location from
// one device, W2 receives it at its dock from another; the server's
// transfer and the stock of both warehouses follow.
func TestEndToEndTransfer(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	srv := startE2EServer(t)
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	c := srv.cat
	must(c.Warehouses.Create(ctx, server.Warehouse{Code: "W1", Name: "Main"}))
	must(c.Warehouses.Create(ctx, server.Warehouse{Code: "W2", Name: "North"}))
	for _, l := range []server.Location{
		{Warehouse: "W1", Code: "B1", Type: server.LocationBin, Sequence: 1},
		{Warehouse: "W1", Code: "T1", Type: server.LocationTransit, Sequence: 9},
		{Warehouse: "W2", Code: "D2", Type: server.LocationDock, Sequence: 1},
	} {
		must(c.Locations.Create(ctx, l))
	}
	must(c.SKUs.Create(ctx, server.SKU{Code: "A", Name: "Apples", Unit: "each"}))
	must(c.Barcodes.Create(ctx, server.Barcode{Value: eachA, SKU: "A", Type: "gtin", Pack: 1}))
	must(c.SKUs.Create(ctx, server.SKU{Code: "B", Name: "Bananas", Unit: "each"}))
	must(c.Barcodes.Create(ctx, server.Barcode{Value: eanB, SKU: "B", Type: "gtin", Pack: 1}))
	must(c.Users.Create(ctx, server.User{Code: "ana", Name: "Ana", Roles: []string{"picker", "receiver"}, PIN: pinAna}))
	if err := c.ImportOpeningStock(ctx, []server.OpeningStock{{Warehouse: "W1", Location: "B1", SKU: "A", Qty: 5}}); err != nil {
		t.Fatal(err)
	}
	must(c.CreateTransfer(ctx, server.Transfer{Number: "TR-1", From: "W1", To: "W2",
		Lines: []server.TransferLine{{SKU: "A", Qty: 3}}}))

	ship := newE2EDeviceAt(t, srv, "w1", "W1")
	recv := newE2EDeviceAt(t, srv, "w2", "W2")
	for _, d := range []*e2eDevice{ship, recv} {
		if _, err := d.app.SignIn(ctx, "ana", pinAna); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, ship.app, "W1's device holding B1's stock", func() bool {
		n, err := ship.st.Stock(ctx, "B1", "A", "")
		return err == nil && n == 5
	})
	ts, err := recv.app.Transfers(ctx)
	if err != nil || len(ts) != 1 || ts[0].Outbound || ts[0].Number != "TR-1" {
		t.Fatalf("W2's transfers %+v, %v", ts, err)
	}
	m, err := ship.app.StartShipment(ctx, "TR-1")
	if err != nil {
		t.Fatal(err)
	}
	moveScan(t, m, "B1", app.Good)
	m.SetQty(3)
	moveScan(t, m, eachA, app.Good)
	moveScan(t, m, "T1", app.Good)
	waitFor(t, ship.app, "the shipment synced", ship.synced)

	r, err := recv.app.StartTransferReceipt(ctx, "TR-1")
	if err != nil {
		t.Fatal(err)
	}
	fb, err := r.Scan(ctx, eanB)
	checkFB(t, "receive an item not on the transfer", fb, err, app.Bad)
	r.SetQty(3)
	fb, err = r.Scan(ctx, eachA)
	checkFB(t, "receive", fb, err, app.Good)
	waitFor(t, recv.app, "the receipt synced", recv.synced)

	waitFor(t, recv.app, "the transfer received on the server", func() bool {
		tr, err := c.Transfer(ctx, "TR-1")
		return err == nil && tr.Status == server.TransferReceived && tr.Lines[0].Shipped == 3 && tr.Lines[0].Received == 3
	})
	got := map[string]int64{}
	for _, wh := range []string{"W1", "W2"} {
		levels, err := srv.ledger.Stock(ctx, server.StockFilter{Warehouse: wh})
		if err != nil {
			t.Fatal(err)
		}
		for _, lv := range levels {
			got[wh+"/"+lv.Location+"/"+lv.SKU] = lv.Qty
		}
	}
	for k, v := range map[string]int64{"W1/B1/A": 2, "W1/T1/A": 0, "W2/D2/A": 3} {
		if got[k] != v {
			t.Fatalf("server stock %v: %s = %d, want %d", got, k, got[k], v)
		}
	}
	// The received transfer leaves both devices.
	for _, d := range []*e2eDevice{ship, recv} {
		waitFor(t, d.app, "the transfer gone from the device", func() bool {
			_, held, err := d.st.Transfer(ctx, "TR-1")
			return err == nil && !held
		})
	}
}
