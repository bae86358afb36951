package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/syncproto"
)

// RunCounting runs the suite of issue 8's counting: counts checked
// against the ledger position, tolerance per class, the discrepancy
// queue's decisions reaching the device, triggered and scheduled count
// tasks as catalog records of their warehouse.
func RunCounting(t *testing.T, open CatalogOpener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, c *server.Catalog, l *server.Ledger)
	}{
		{"ApproveRejectRecount", testDiscrepancies},
		{"TolerancePerClass", testTolerancePerClass},
		{"TriggeredTasks", testTriggeredCounts},
		{"ScheduleJob", testScheduleJob},
		{"DailyJobServe", testCountJobsServe},
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
			c := server.NewCatalog(st, l)
			seedCatalog(t, c)
			addTester(t, c)
			for _, u := range []server.User{{Code: "cara", Roles: []string{"counter"}}, {Code: "dan", Roles: []string{"counter"}},
				{Code: "sue", Roles: []string{"supervisor"}}, {Code: "pete", Roles: []string{"picker"}}} {
				u.Name = u.Code
				must(c.Users.Create(ctx, u))
			}
			tc.fn(t, c, l)
		})
	}
}

// countAt is a count event of user at a minute past noon.
func countAt(d *Device, user, sku, bin, task string, qty int64, minute int) syncproto.Event {
	ev := d.Event(syncproto.KindCount, sku, bin, "", qty)
	ev.User, ev.Task = user, task
	ev.DeviceTime = time.Date(2026, 11, 29, 12, minute, 0, 0, time.UTC)
	ev.Seal()
	return ev
}

func at(ev syncproto.Event, minute int) syncproto.Event {
	ev.DeviceTime = time.Date(2026, 11, 29, 12, minute, 0, 0, time.UTC)
	ev.Seal()
	return ev
}

func resolutionOf(t *testing.T, l *server.Ledger, d *Device, eventID string) syncproto.Resolution {
	t.Helper()
	for _, r := range pull(t, l, d, 0, 1000, false).Resolutions {
		if r.EventID == eventID {
			return r
		}
	}
	t.Fatalf("device %s got no resolution of %s", d.ID, eventID)
	return syncproto.Resolution{}
}

func testDiscrepancies(t *testing.T, c *server.Catalog, l *server.Ledger) {
	clerk, counter := Enroll(t, l, "clerk", "W1"), Enroll(t, l, "counter", "W1")
	push(t, l, clerk, at(clerk.Event(syncproto.KindReceive, "A", "", "BIN-1", 100), 0))
	counter.Seen = head(t, l, counter)
	// −1 of 100 is within class C's tolerance: applied as its own entry.
	a := push(t, l, counter, countAt(counter, "cara", "A", "BIN-1", "", 99, 1))
	wantStatus(t, a.Outcomes[0], syncproto.StatusApplied, "")
	if got := stock(t, l, "W1", "BIN-1", "A"); got != 99 {
		t.Fatalf("BIN-1 = %d after a count within tolerance, want 99", got)
	}
	counter.Seen = head(t, l, counter)
	// A shortfall of 9 waits for a supervisor; picks of 10 land after it
	// was counted.
	short := countAt(counter, "cara", "A", "BIN-1", "", 90, 5)
	wantStatus(t, push(t, l, counter, short).Outcomes[0], syncproto.StatusParked, syncproto.CodeCountVariance)
	push(t, l, clerk, at(clerk.Event(syncproto.KindPick, "A", "BIN-1", "", 10), 9))
	q := must(l.Discrepancies(ctx, server.DiscrepancyFilter{Warehouse: "W1"}))
	if len(q) != 1 || q[0].EventID != short.ID || q[0].Expected != 99 || q[0].Variance != -9 || q[0].Value != -9*129 ||
		q[0].Counter != "cara" || q[0].Class != "C" || q[0].Name != "Apple juice 1l" || q[0].StockNow != 89 {
		t.Fatalf("queue = %+v", q)
	}
	// Evidence: the movements since the last good count (the −1 count),
	// the previous count.
	if len(q[0].Movements) != 1 || q[0].Movements[0].Kind != "pick" || q[0].Movements[0].Delta != -10 ||
		len(q[0].Previous) != 1 || q[0].Previous[0].Outcome != server.CountAuto || q[0].Previous[0].Variance != -1 {
		t.Fatalf("evidence = %+v / %+v", q[0].Movements, q[0].Previous)
	}
	// Approve: adjusted by the variance (−9), not by now − counted.
	_, err := l.DecideDiscrepancy(ctx, short.ID, server.DiscrepancyDecision{Action: server.CountApproved, Reason: "shrink", By: "sue"})
	wantCode(t, err, server.EInvalid)
	d := must(l.DecideDiscrepancy(ctx, short.ID, server.DiscrepancyDecision{Action: server.CountApproved, Reason: "theft", By: "sue", Warehouse: "W1"}))
	if d.Status != server.CountApproved || d.DecidedBy != "sue" || d.ReasonCode != "theft" || d.Position == 0 {
		t.Fatalf("approved = %+v", d)
	}
	if got := stock(t, l, "W1", "BIN-1", "A"); got != 80 {
		t.Fatalf("BIN-1 = %d after approving −9 of 89, want 80", got)
	}
	if r := resolutionOf(t, l, counter, short.ID); r.Status != syncproto.StatusApplied || r.Reason != "approved: theft" || r.By != "sue" {
		t.Fatalf("resolution = %+v", r)
	}
	_, err = l.DecideDiscrepancy(ctx, short.ID, server.DiscrepancyDecision{Action: server.CountRejected, Reason: "x", By: "sue"})
	wantCode(t, err, server.EConflict)

	// Reject: the ledger stands.
	counter.Seen = head(t, l, counter)
	over := countAt(counter, "cara", "A", "BIN-1", "", 95, 20)
	wantStatus(t, push(t, l, counter, over).Outcomes[0], syncproto.StatusParked, syncproto.CodeCountVariance)
	must(l.DecideDiscrepancy(ctx, over.ID, server.DiscrepancyDecision{Action: server.CountRejected, Reason: "counted the next bin too", By: "sue"}))
	if got := stock(t, l, "W1", "BIN-1", "A"); got != 80 {
		t.Fatalf("BIN-1 = %d after a rejected count, want 80", got)
	}
	if r := resolutionOf(t, l, counter, over.ID); r.Status != syncproto.StatusCancelled || r.Reason != "rejected: counted the next bin too" {
		t.Fatalf("resolution = %+v", r)
	}

	// Recount: by another counter, never the first.
	third := countAt(counter, "cara", "A", "BIN-1", "", 60, 30)
	wantStatus(t, push(t, l, counter, third).Outcomes[0], syncproto.StatusParked, syncproto.CodeCountVariance)
	_, err = l.DecideDiscrepancy(ctx, third.ID, server.DiscrepancyDecision{Action: server.CountRecounted, Counter: "cara", By: "sue"})
	wantCode(t, err, server.EInvalid)
	_, err = l.DecideDiscrepancy(ctx, third.ID, server.DiscrepancyDecision{Action: server.CountRecounted, Counter: "pete", By: "sue"})
	wantCode(t, err, server.EInvalid) // not a counter
	must(l.DecideDiscrepancy(ctx, third.ID, server.DiscrepancyDecision{Action: server.CountRecounted, Counter: "dan", By: "sue"}))
	cts := must(c.CountTasks(ctx, server.CountTaskFilter{Warehouse: "W1", Reason: server.CountRecount}))
	if len(cts) != 1 || cts[0].AssignedTo != "dan" || cts[0].NotBy != "cara" || cts[0].Status != server.CountTaskAssigned || cts[0].Location != "BIN-1" {
		t.Fatalf("recount tasks = %+v", cts)
	}
	if r := resolutionOf(t, l, counter, third.ID); r.Status != syncproto.StatusCancelled || r.Reason != "recount: "+cts[0].ID+" for dan" {
		t.Fatalf("resolution = %+v", r)
	}
	// The recount task reaches W1's devices, not W2's.
	page := must(c.PullCatalog(ctx, "W1", 0, 1<<20))
	found := false
	for _, w := range page.Records.CountTasks {
		found = found || (w.ID == cts[0].ID && w.AssignedTo == "dan" && w.NotBy == "cara" && w.Reason == "recount")
	}
	if !found {
		t.Fatalf("W1's catalog has no recount task: %+v", page.Records.CountTasks)
	}
	if page := must(c.PullCatalog(ctx, "W2", 0, 1<<20)); len(page.Records.CountTasks) != 0 {
		t.Fatalf("W2 pulled count tasks %+v", page.Records.CountTasks)
	}
	if _, err := c.AssignCountTask(ctx, cts[0].ID, "cara"); server.ErrorCode(err) != server.EInvalid {
		t.Fatalf("assigning a recount to its first counter: %v", err)
	}
	// dan recounts through the task: exact, so it applies and the task is counted.
	counter.Seen = head(t, l, counter)
	wantStatus(t, push(t, l, counter, countAt(counter, "dan", "A", "BIN-1", cts[0].ID, 80, 40)).Outcomes[0], syncproto.StatusApplied, "")
	if ct := must(c.CountTask(ctx, cts[0].ID)); ct.Status != server.CountTaskCounted {
		t.Fatalf("recount task after its count = %+v", ct)
	}
	// Every decision is audited.
	for _, action := range []string{server.AuditDiscrepancyApprove, server.AuditDiscrepancyReject, server.AuditDiscrepancyRecount} {
		if es := must(l.AuditLog(ctx, server.AuditFilter{Action: action})); len(es) != 1 || es[0].Actor != "sue" {
			t.Fatalf("audit %s = %+v", action, es)
		}
	}
	// Accuracy of the decided counts: the recount-requested one is left
	// out; the rejected one counts as exact.
	acc := must(l.Accuracy(ctx, server.AccuracyFilter{Warehouse: "W1", By: server.ByCounter}))
	if len(acc) != 2 || acc[0].Key != "cara" || acc[0].Lines != 3 || acc[0].LinesExact != 1 || acc[1].Key != "dan" || acc[1].SKU != 1 {
		t.Fatalf("accuracy = %+v", acc)
	}
}

func testTolerancePerClass(t *testing.T, c *server.Catalog, l *server.Ledger) {
	must(c.Locations.Create(ctx, server.Location{Warehouse: "W1", Code: "BIN-2", Type: server.LocationBin, Sequence: 20}))
	clerk, counter := Enroll(t, l, "clerk", "W1"), Enroll(t, l, "counter", "W1")
	push(t, l, clerk, at(clerk.Event(syncproto.KindReceive, "A", "", "BIN-1", 100), 0))
	r := at(clerk.Event(syncproto.KindReceive, "B", "", "BIN-2", 100), 0)
	r.Lot = "L1"
	r.Seal()
	push(t, l, clerk, r, at(clerk.Event(syncproto.KindPick, "A", "BIN-1", "", 10), 1))
	classes := must(c.RecomputeABC(ctx, "W1"))
	if len(classes) != 2 || classes[0].SKU != "A" || classes[0].Class != "A" || classes[0].Value != 10*129 || classes[1].Class != "C" {
		t.Fatalf("classes = %+v", classes)
	}
	counter.Seen = head(t, l, counter)
	// Class A: nothing but an exact count applies by itself.
	wantStatus(t, push(t, l, counter, countAt(counter, "cara", "A", "BIN-1", "", 89, 5)).Outcomes[0], syncproto.StatusParked, syncproto.CodeCountVariance)
	wantStatus(t, push(t, l, counter, countAt(counter, "cara", "A", "BIN-1", "", 90, 6)).Outcomes[0], syncproto.StatusApplied, "")
	// Class C: 2 units of 100 apply.
	b := countAt(counter, "cara", "B", "BIN-2", "", 98, 7)
	b.Lot = "L1"
	b.Seal()
	wantStatus(t, push(t, l, counter, b).Outcomes[0], syncproto.StatusApplied, "")
	if got := stock(t, l, "W1", "BIN-2", "B"); got != 98 {
		t.Fatalf("BIN-2 = %d, want 98", got)
	}
	// Settings per warehouse: C tolerates nothing now.
	must(c.SetCountSettings(ctx, "W1", server.CountSettings{Tolerances: map[string]server.Tolerance{"C": {}}}))
	b = countAt(counter, "cara", "B", "BIN-2", "", 97, 8)
	b.Lot = "L1"
	b.Seal()
	wantStatus(t, push(t, l, counter, b).Outcomes[0], syncproto.StatusParked, syncproto.CodeCountVariance)
	// Accepting a count from the parked queue (issue 7's route) adjusts
	// by the variance too: −1, whatever moved since.
	pk := clerk.Event(syncproto.KindPick, "B", "BIN-2", "", 8)
	pk.Lot = "L1"
	wantStatus(t, push(t, l, clerk, at(pk, 30)).Outcomes[0], syncproto.StatusApplied, "")
	must(l.Resolve(ctx, b.ID, server.Decision{Status: syncproto.StatusApplied, Reason: "miscount", By: "sue"}))
	if got := stock(t, l, "W1", "BIN-2", "B"); got != 89 {
		t.Fatalf("BIN-2 = %d after accepting −1 of 98 − 8, want 89", got)
	}
}

func testTriggeredCounts(t *testing.T, c *server.Catalog, l *server.Ledger) {
	must(c.Locations.Create(ctx, server.Location{Warehouse: "W1", Code: "BIN-2", Type: server.LocationBin, Sequence: 20}))
	d := Enroll(t, l, "h1", "W1")
	push(t, l, d, d.Event(syncproto.KindReceive, "A", "", "BIN-1", 5), d.Event(syncproto.KindReceive, "A", "", "BIN-2", 5))
	// Taking more than the bin holds parks and raises a count; a second
	// one at the same bin raises nothing more while the task is held.
	wantStatus(t, push(t, l, d, d.Event(syncproto.KindPick, "A", "BIN-1", "", 9)).Outcomes[0], syncproto.StatusParked, syncproto.CodeInsufficientStock)
	wantStatus(t, push(t, l, d, d.Event(syncproto.KindPick, "A", "BIN-1", "", 8)).Outcomes[0], syncproto.StatusParked, syncproto.CodeInsufficientStock)
	// Emptying BIN-2 asks to confirm it is empty; the dock is no bin.
	push(t, l, d, d.Event(syncproto.KindPick, "A", "BIN-2", "", 5))
	push(t, l, d, d.Event(syncproto.KindReceive, "A", "", "DOCK", 1), d.Event(syncproto.KindMove, "A", "DOCK", "BIN-2", 1))
	cts := must(c.CountTasks(ctx, server.CountTaskFilter{Warehouse: "W1"}))
	if len(cts) != 2 || cts[0].Location != "BIN-1" || cts[0].Reason != server.CountParked || cts[1].Location != "BIN-2" ||
		cts[1].Reason != server.CountZeroStock || cts[0].Due == "" || cts[0].Class != "C" {
		t.Fatalf("count tasks = %+v", cts)
	}
	// A disputed put-away at W2's bin.
	d2 := Enroll(t, l, "h2", "W2")
	ex := exception(d2, "putaway_dispute", "A", "", "", 4)
	ex.From = "BIN-1"
	ex.Seal()
	wantStatus(t, push(t, l, d2, ex).Outcomes[0], syncproto.StatusApplied, "")
	if cts := must(c.CountTasks(ctx, server.CountTaskFilter{Warehouse: "W2"})); len(cts) != 1 || cts[0].Reason != server.CountPutawayDispute {
		t.Fatalf("W2 count tasks = %+v", cts)
	}
	// By hand: refused while the bin holds a task; assign and cancel.
	_, err := c.CreateCountTask(ctx, server.CountTask{Warehouse: "W1", Location: "BIN-1"})
	wantCode(t, err, server.EConflict)
	must(c.CancelCountTask(ctx, cts[0].ID))
	mt := must(c.CreateCountTask(ctx, server.CountTask{Warehouse: "W1", Location: "BIN-1", AssignedTo: "cara"}))
	if mt.Status != server.CountTaskAssigned || mt.Reason != server.CountManual {
		t.Fatalf("manual task = %+v", mt)
	}
	_, err = c.AssignCountTask(ctx, mt.ID, "pete")
	wantCode(t, err, server.EInvalid)
	// A count with a discrepancy holds its task until it is decided.
	ch := pull(t, l, d, 0, 1000, false)
	d.Seen = ch.Cursor
	cnt := countAt(d, "cara", "A", "BIN-1", mt.ID, 0, 50)
	wantStatus(t, push(t, l, d, cnt).Outcomes[0], syncproto.StatusParked, syncproto.CodeCountVariance)
	if got := must(c.CountTask(ctx, mt.ID)); got.Status != server.CountTaskAssigned {
		t.Fatalf("task with a pending count = %+v", got)
	}
	must(l.DecideDiscrepancy(ctx, cnt.ID, server.DiscrepancyDecision{Action: server.CountApproved, Reason: "miscount", By: "sue"}))
	if got := must(c.CountTask(ctx, mt.ID)); got.Status != server.CountTaskCounted {
		t.Fatalf("task after its count was approved = %+v", got)
	}
}

func testScheduleJob(t *testing.T, c *server.Catalog, l *server.Ledger) {
	for i := range 9 {
		must(c.Locations.Create(ctx, server.Location{Warehouse: "W1", Code: "S-" + string(rune('A'+i)), Type: server.LocationBin, Sequence: int64(100 + i)}))
	}
	must(c.SetCountSettings(ctx, "W1", server.CountSettings{Periods: map[string]int{"A": 2, "B": 3, "C": 5}}))
	day0 := time.Date(2026, 12, 1, 6, 0, 0, 0, time.UTC)
	raised := map[string]int{}
	for i := range 30 {
		now := day0.AddDate(0, 0, i)
		run := must(c.RunCountSchedule(ctx, "W1", now))
		again := must(c.RunCountSchedule(ctx, "W1", now.Add(time.Hour)))
		if again.Raised != 0 {
			t.Fatalf("a second run on day %d raised %d", i, again.Raised)
		}
		// 10 bins (BIN-1 and 9 more), all C: 2 a day.
		if run.Bins != 10 || run.Due != 2 || run.Raised != 2 {
			t.Fatalf("day %d: %+v", i, run)
		}
		for _, ct := range must(c.CountTasks(ctx, server.CountTaskFilter{Warehouse: "W1", Held: true})) {
			raised[ct.Location]++
			must(c.CancelCountTask(ctx, ct.ID)) // done for the day
		}
	}
	for loc, n := range raised {
		if n != 6 {
			t.Fatalf("%s was raised %d times in 30 days of a 5-day period", loc, n)
		}
	}
	if len(raised) != 10 {
		t.Fatalf("raised for %d bins, want 10", len(raised))
	}
}

// testCountJobsServe: the daily job of `syncd serve` runs once at start
// and once on each new UTC day (not on every tick), raises that day's
// tasks, and returns nil when its context ends.
func testCountJobsServe(t *testing.T, c *server.Catalog, l *server.Ledger) {
	must(c.SetCountSettings(ctx, "W1", server.CountSettings{Periods: map[string]int{"A": 1, "B": 1, "C": 1}}))
	var mu sync.Mutex
	clock := time.Date(2026, 12, 1, 23, 0, 0, 0, time.UTC)
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	days := make(chan string, 10)
	j := &server.CountJobs{Catalog: c, Now: now, Tick: time.Millisecond,
		Ran: func(day string, runs []server.ScheduleRun) {
			raised := 0
			for _, r := range runs {
				raised += r.Raised
			}
			if raised == 0 {
				t.Errorf("run of %s raised no task though every bin is due every day", day)
			}
			days <- day
		}}
	jctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- j.Serve(jctx) }()
	wait := func(want string) {
		t.Helper()
		select {
		case got := <-days:
			if got != want {
				t.Fatalf("job ran for %s, want %s", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("job did not run for %s", want)
		}
	}
	wait("2026-12-01")
	time.Sleep(20 * time.Millisecond) // many ticks on the same day: no run
	select {
	case d := <-days:
		t.Fatalf("a second run on the same day (%s)", d)
	default:
	}
	for _, ct := range must(c.CountTasks(ctx, server.CountTaskFilter{Warehouse: "W1", Held: true})) {
		must(c.CancelCountTask(ctx, ct.ID))
	}
	mu.Lock()
	clock = clock.Add(2 * time.Hour) // past midnight
	mu.Unlock()
	wait("2026-12-02")
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve returned %v after its context ended, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
}
