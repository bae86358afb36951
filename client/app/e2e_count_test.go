package app_test

import (
	"errors"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/driftless/driftless/client/app"
	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/client/syncer"
	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/syncproto"
)

// serverStock is the server's stock of W1 by "location/sku".
func serverStock(t *testing.T, srv *e2eServer) map[string]int64 {
	t.Helper()
	levels, err := srv.ledger.Stock(ctx, server.StockFilter{Warehouse: "W1"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	for _, lv := range levels {
		got[lv.Location+"/"+lv.SKU] = lv.Qty
	}
	return got
}

// holds waits until a device's view holds qty of A at loc.
func holds(t *testing.T, d *e2eDevice, who, loc string, qty int64) {
	t.Helper()
	waitFor(t, d.app, who+" seeing "+loc+" at "+itoa(qty), func() bool {
		n, err := d.st.Stock(ctx, loc, "A", "")
		return err == nil && n == qty
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func storeScan(user string, kind syncproto.Kind, bin string, qty int64) store.Scan {
	return store.Scan{User: user, Kind: kind, From: bin, SKU: "A", Qty: qty}
}

// restart stops the device's app and starts a new one over the same
// database, as after a reboot.
func (d *e2eDevice) restart() {
	d.t.Helper()
	d.offline()
	d.app = app.New(d.st, app.Config{AppVersion: "e2e", Now: func() time.Time { return today }, PickListWait: 10 * time.Second,
		SyncConfig: syncer.Config{BackoffMin: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond,
			PollInterval: 100 * time.Millisecond, HandshakeTimeout: 2 * time.Second,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}})
	d.online()
}

// countBin counts A at a bin on a device: the bin, then n units.
func countBin(t *testing.T, d *e2eDevice, task, bin string, n int64) {
	t.Helper()
	c, err := d.app.StartCount(ctx, task)
	if err != nil {
		t.Fatal(err)
	}
	countScan(t, c, bin, app.Good)
	if n > 0 {
		fb, err := c.SetLine(ctx, "A", "", n)
		checkFB(t, "count "+bin, fb, err, app.Good)
	}
	fb, err := c.Finish(ctx)
	checkFB(t, "finish "+bin, fb, err, app.Good)
}

// taskAt returns the ID of the task a device holds for a bin.
func taskAt(t *testing.T, d *e2eDevice, who, bin string) string {
	t.Helper()
	var id string
	waitFor(t, d.app, "a count task for "+bin+" on "+who+"'s device", func() bool {
		tasks, err := d.app.CountTasks(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, ct := range tasks {
			if ct.Location == bin {
				id = ct.ID
				return true
			}
		}
		return false
	})
	return id
}

// outcomeOf waits for the server's outcome of a device's count at a bin.
func outcomeOf(t *testing.T, d *e2eDevice, bin string, want syncproto.Status) string {
	t.Helper()
	var id string
	waitFor(t, d.app, "the count at "+bin+" "+string(want), func() bool {
		all, err := d.st.Outcomes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, eo := range all {
			if eo.Event.Kind == syncproto.KindCount && eo.Event.From == bin && eo.Outcome.Status == want {
				id = eo.Event.ID
				return true
			}
		}
		return false
	})
	return id
}

// TestEndToEndCounting: blind counts on a counter's device against the
// real server, with the roles and PINs it enforces.
//   - B1 is counted while a picker's picks land in it: cleo counts the 10
//     she sees, then a pick of 3 lands and her device pulls it before she
//     finishes; and B2 is counted after a pick she saw happen but her
//     (offline) device never pulled. Neither is a discrepancy, and the
//     stock stays what the picks left.
//   - B3 is short by 5: a discrepancy of exactly -5 waits for a
//     supervisor; sam approves it from his device (after a restart, once
//     he gives his PIN again), cleo's device hears of it, and the stock is
//     the count.
//   - B4 is short too: sam asks for a recount by dan; the new task,
//     assigned to dan and not for cleo, reaches dan's device, and cleo's
//     count is cancelled on hers. dan's recount matches and applies.
//   - bo, a picker, may not count: the app refuses, and a count his device
//     records anyway is rejected by the server as forbidden.
func TestEndToEndCounting(t *testing.T) {
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
	for i, code := range []string{"B1", "B2", "B3", "B4", "B9"} {
		must(c.Locations.Create(ctx, server.Location{Warehouse: "W1", Code: code, Type: server.LocationBin, Sequence: int64(i + 1)}))
	}
	// Dear enough that any shortfall here is outside every tolerance.
	must(c.SKUs.Create(ctx, server.SKU{Code: "A", Name: "Apples", Unit: "each", UnitCost: 5000}))
	must(c.Barcodes.Create(ctx, server.Barcode{Value: eachA, SKU: "A", Type: "gtin", Pack: 1}))
	must(c.Users.Create(ctx, server.User{Code: "cleo", Name: "Cleo", Roles: []string{"counter"}, PIN: pinCleo}))
	must(c.Users.Create(ctx, server.User{Code: "dan", Name: "Dan", Roles: []string{"counter"}, PIN: pinDan}))
	must(c.Users.Create(ctx, server.User{Code: "bo", Name: "Bo", Roles: []string{"picker"}, PIN: "3333"}))
	must(c.Users.Create(ctx, server.User{Code: "sam", Name: "Sam", Roles: []string{"supervisor"}, PIN: pinSam}))
	if err := c.ImportOpeningStock(ctx, []server.OpeningStock{
		{Warehouse: "W1", Location: "B1", SKU: "A", Qty: 10},
		{Warehouse: "W1", Location: "B2", SKU: "A", Qty: 10},
		{Warehouse: "W1", Location: "B3", SKU: "A", Qty: 20},
		{Warehouse: "W1", Location: "B4", SKU: "A", Qty: 8},
		{Warehouse: "W1", Location: "B9", SKU: "A", Qty: 50},
	}); err != nil {
		t.Fatal(err)
	}
	for _, bin := range []string{"B1", "B2", "B3", "B4"} {
		must(c.CreateCountTask(ctx, server.CountTask{Warehouse: "W1", Location: bin, AssignedTo: "cleo"}))
	}

	counter := newE2EDevice(t, srv, "counter")
	picker := newE2EDevice(t, srv, "picker")
	super := newE2EDevice(t, srv, "super")
	other := newE2EDevice(t, srv, "other")
	for _, s := range []struct {
		d         *e2eDevice
		user, pin string
	}{{counter, "cleo", pinCleo}, {picker, "bo", "3333"}, {super, "sam", pinSam}, {other, "dan", pinDan}} {
		if _, err := s.d.app.SignIn(ctx, s.user, s.pin); err != nil {
			t.Fatal(err)
		}
	}
	pick := func(bin string, n int64) {
		t.Helper()
		if _, err := picker.st.Record(ctx, storeScan("bo", syncproto.KindPick, bin, n)); err != nil {
			t.Fatal(err)
		}
		waitFor(t, picker.app, "the pick synced", picker.synced)
	}

	// B1: counted before the pick, finished after the device pulled it.
	t1 := taskAt(t, counter, "cleo", "B1")
	holds(t, counter, "cleo", "B1", 10)
	c1, err := counter.app.StartCount(ctx, t1)
	if err != nil {
		t.Fatal(err)
	}
	countScan(t, c1, "B1", app.Good)
	if fb, err := c1.SetLine(ctx, "A", "", 10); err != nil || fb.Level != app.Good {
		t.Fatalf("count B1: %+v %v", fb, err)
	}
	pick("B1", 3)
	holds(t, counter, "cleo", "B1", 7)
	fb, err := c1.Finish(ctx)
	checkFB(t, "finish B1", fb, err, app.Good)

	// B2: the pick happens before cleo counts, her device offline.
	t2 := taskAt(t, counter, "cleo", "B2")
	holds(t, counter, "cleo", "B2", 10)
	counter.offline()
	pick("B2", 4)
	countBin(t, counter, t2, "B2", 6)
	counter.online()
	outcomeOf(t, counter, "B1", syncproto.StatusApplied)
	outcomeOf(t, counter, "B2", syncproto.StatusApplied)
	if got := serverStock(t, srv); got["B1/A"] != 7 || got["B2/A"] != 6 {
		t.Fatalf("stock after counts amid picks: %v, want B1 7, B2 6", got)
	}

	// B3: a real shortfall of 5.
	countBin(t, counter, taskAt(t, counter, "cleo", "B3"), "B3", 15)
	short := outcomeOf(t, counter, "B3", syncproto.StatusParked)
	// B4: 3 short, recounted by dan.
	countBin(t, counter, taskAt(t, counter, "cleo", "B4"), "B4", 5)
	recounted := outcomeOf(t, counter, "B4", syncproto.StatusParked)

	// sam's device restarts: he is signed in, but the PIN is gone.
	super.restart()
	if _, err := super.app.Discrepancies(ctx); !errors.Is(err, app.ErrPINRequired) {
		t.Fatalf("queue after a restart: %v, want ErrPINRequired", err)
	}
	if err := super.app.ConfirmPIN(ctx, pinSam); err != nil {
		t.Fatal(err)
	}
	if _, err := counter.app.Discrepancies(ctx); !errors.Is(err, app.ErrNotSupervisor) {
		t.Fatalf("cleo's queue: %v, want ErrNotSupervisor", err)
	}
	ds, err := super.app.Discrepancies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]app.Discrepancy{}
	for _, d := range ds {
		byID[d.EventID] = d
	}
	if len(ds) != 2 {
		t.Fatalf("discrepancies %+v, want B3's and B4's", ds)
	}
	if d := byID[short]; d.Location != "B3" || d.Counted != 15 || d.Expected != 20 || d.Variance != -5 || d.CountedBy != "cleo" ||
		d.Value != -5*5000 {
		t.Fatalf("B3's discrepancy %+v, want 15 counted of 20 expected, -5", d)
	}
	if d := byID[recounted]; d.Location != "B4" || d.Variance != -3 {
		t.Fatalf("B4's discrepancy %+v, want -3", d)
	}

	// Approved: the stock is the count, and cleo's device hears of it.
	if err := super.app.ApproveDiscrepancy(ctx, short, "theft"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, counter.app, "the approval on cleo's device", func() bool {
		all, err := counter.st.Outcomes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, eo := range all {
			if eo.Event.ID == short {
				return eo.Resolution != nil && eo.Outcome.Status == syncproto.StatusApplied &&
					eo.Outcome.Reason == "approved by sam: theft"
			}
		}
		return false
	})
	holds(t, counter, "cleo", "B3", 15)
	if got := serverStock(t, srv); got["B3/A"] != 15 {
		t.Fatalf("B3 after the approval: %v, want 15", got)
	}

	// A recount by dan: cleo's count is cancelled on her device, the new
	// task reaches dan's and is not offered to cleo.
	if err := super.app.RequestRecount(ctx, recounted, "cleo"); err == nil {
		t.Fatal("a recount by the first counter was accepted")
	}
	if err := super.app.RequestRecount(ctx, recounted, "dan"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, counter.app, "the recount on cleo's device", func() bool {
		att, err := counter.app.Attention(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, eo := range att {
			if eo.Event.ID == recounted {
				return eo.Outcome.Status == syncproto.StatusCancelled
			}
		}
		return false
	})
	rt := taskAt(t, other, "dan", "B4")
	att, err := counter.app.Attention(ctx)
	if err != nil || len(att) != 1 || att[0].Outcome.Reason != "recount requested by sam: "+rt+" for dan" {
		t.Fatalf("cleo's attention after the recount: %+v, %v", att, err)
	}
	tasks, err := counter.app.CountTasks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, ct := range tasks {
		if ct.ID == rt {
			t.Fatalf("cleo is offered the recount of her own count: %+v", ct)
		}
	}
	if _, err := counter.app.StartCount(ctx, rt); !errors.Is(err, app.ErrCountTaken) {
		t.Fatalf("cleo takes dan's recount: %v, want ErrCountTaken", err)
	}
	if _, err := other.app.StartCount(ctx, rt); err != nil {
		t.Fatal(err)
	}
	countBin(t, other, rt, "B4", 8)
	outcomeOf(t, other, "B4", syncproto.StatusApplied)
	if got := serverStock(t, srv); got["B4/A"] != 8 {
		t.Fatalf("B4 after the recount: %v, want 8", got)
	}

	// Accuracy this week: four bins decided (B4 by dan's recount), three
	// of them exact; B3 is not.
	pts, err := super.app.Accuracy(ctx, "", "", 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 1 || pts[0].Bins != 4 || pts[0].Location != 0.75 {
		t.Fatalf("accuracy %+v, want one week of 4 bins, 3 exact", pts)
	}
	counters, err := super.app.Counters(ctx)
	if err != nil || len(counters) != 2 {
		t.Fatalf("counters %+v, %v; want cleo and dan", counters, err)
	}

	// bo may not count: the app says so, and the server rejects a count his
	// device records anyway.
	if _, err := picker.app.CountTasks(ctx); !errors.Is(err, app.ErrNotCounter) {
		t.Fatalf("bo's count tasks: %v, want ErrNotCounter", err)
	}
	forged := storeScan("bo", syncproto.KindCount, "B9", 0)
	if _, err := picker.st.Record(ctx, forged); err != nil {
		t.Fatal(err)
	}
	waitFor(t, picker.app, "bo's count rejected", func() bool {
		att, err := picker.app.Attention(ctx)
		return err == nil && len(att) == 1 && att[0].Outcome.Code == syncproto.CodeForbidden &&
			att[0].Outcome.Reason == "Rejected: bo may not count (needs the counter role)"
	})
	if got := serverStock(t, srv); got["B9/A"] != 50 {
		t.Fatalf("B9 after a forbidden count: %v, want 50", got)
	}
}
