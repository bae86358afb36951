package app_test

import (
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/driftless/driftless/client/app"
	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/client/store/storetest"
	"github.com/driftless/driftless/syncproto"
)

const (
	pinCleo = "5555"
	pinDan  = "6666"
)

// countCatalog is the fixture's catalog with counters cleo and dan, a
// supervisor sam, and count tasks: CT-1 (B2, cleo's), CT-2 (B1,
// unassigned, due first), CT-3 (B3, dan's), CT-4 (B1, a recount cleo may
// not take), CT-5 (B3, unassigned, confirm empty) and CT-6 (B1, counted:
// not held).
func countCatalog(t testing.TB) syncproto.Catalog {
	c := catalog(t, false)
	c.Users = append(c.Users,
		syncproto.User{Code: "cleo", Name: "Cleo", Roles: []string{"counter"}, PINHash: hash(t, pinCleo), Position: 1},
		syncproto.User{Code: "dan", Name: "Dan", Roles: []string{"counter", "picker"}, PINHash: hash(t, pinDan), Position: 1},
		syncproto.User{Code: "sam", Name: "Sam", Roles: []string{"supervisor"}, PINHash: hash(t, pinSam), Position: 1},
		syncproto.User{Code: "vic", Name: "Vic", Roles: []string{"supervisor"}, PINHash: hash(t, pinVic), Position: 1})
	c.CountTasks = []syncproto.CountTask{
		{ID: "CT-1", Location: "B2", Status: "assigned", AssignedTo: "cleo", Reason: "short_pick", Class: "A", Due: "2026-06-01", Position: 1},
		{ID: "CT-2", Location: "B1", Status: "open", Reason: "scheduled", Class: "C", Due: "2026-05-30", Position: 1},
		{ID: "CT-3", Location: "B3", Status: "assigned", AssignedTo: "dan", Reason: "scheduled", Due: "2026-06-01", Position: 1},
		{ID: "CT-4", Location: "B1", Status: "open", NotBy: "cleo", Reason: "recount", Due: "2026-06-01", Position: 1},
		{ID: "CT-5", Location: "B3", Status: "open", Reason: "zero_stock", Due: "2026-06-02", Position: 1},
		{ID: "CT-6", Location: "B1", Status: "counted", Reason: "scheduled", Due: "2026-05-01", Position: 1},
	}
	return c
}

// clock is a settable clock for the store (count lines' times).
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// countFixture is the fixture over countCatalog, its store on a clock.
type countFixture struct {
	*fixture
	clk *clock
}

func newCountFixture(t *testing.T) *countFixture {
	f := &countFixture{fixture: newFixtureWith(t, countCatalog(t), store.SyncNormal), clk: &clock{t: today}}
	f.reopen()
	return f
}

// reopen closes the store, as a killed app would leave it, and opens it
// again with the clock.
func (f *countFixture) reopen() {
	f.t.Helper()
	if err := f.st.Close(); err != nil {
		f.t.Fatal(err)
	}
	f.st = storetest.MustOpenPath(f.t, f.path, store.WithSynchronous(f.sync), store.WithNow(f.clk.now))
	f.app = app.New(f.st, app.Config{Now: func() time.Time { return today }})
}

func (f *countFixture) signInAs(code, pin string) {
	f.t.Helper()
	if _, err := f.app.SignIn(ctx, code, pin); err != nil {
		f.t.Fatal(err)
	}
}

// pull applies ledger levels pulled from the server up to cursor.
func (f *countFixture) pull(from, cursor uint64, levels ...syncproto.Level) {
	f.t.Helper()
	if err := f.st.ApplyChanges(ctx, &syncproto.Changes{From: from, Cursor: cursor, Levels: levels}); err != nil {
		f.t.Fatal(err)
	}
}

func countScan(t testing.TB, c *app.Count, text string, want app.Level) app.Feedback {
	t.Helper()
	fb, err := c.Scan(ctx, text)
	checkFB(t, "scan "+text, fb, err, want)
	return fb
}

func taskIDs(ts []app.CountTaskSummary) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}

// countEv is the part of a count event tests compare.
type countEv struct {
	User     string
	Kind     syncproto.Kind
	From     string
	SKU, Lot string
	Qty      int64
	Task     string
	Seen     uint64
	At       time.Time
}

func countEvs(evs []syncproto.Event) []countEv {
	var out []countEv
	for _, e := range evs {
		if e.Kind == syncproto.KindCount {
			out = append(out, countEv{e.User, e.Kind, e.From, e.SKU, e.Lot, e.Qty, e.Task, e.SeenPosition, e.DeviceTime})
		}
	}
	return out
}

// TestBlindCount counts B2 as cleo: tasks offered, the bin first (a wrong
// one refused), item scans (each, case, SetQty, a GS1 lot), typed lines,
// a restart in the middle, and the finish: a count per line stamped with
// when it was counted and what the device had pulled then, a zero count
// for what the view holds at the bin and nobody found, nothing for a key
// at 0, all for task CT-1.
func TestBlindCount(t *testing.T) {
	f := newCountFixture(t)
	a := f.app

	f.signIn() // ana: receiver and picker
	if _, err := a.CountTasks(ctx); !errors.Is(err, app.ErrNotCounter) {
		t.Fatalf("ana's count tasks: %v, want ErrNotCounter", err)
	}
	if _, err := a.StartCount(ctx, "CT-2"); !errors.Is(err, app.ErrNotCounter) {
		t.Fatalf("ana starts a count: %v, want ErrNotCounter", err)
	}

	f.signInAs("cleo", pinCleo)
	tasks, err := a.CountTasks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Hers first, then unassigned by due date; not dan's, not the recount
	// of her own count, not the counted one.
	if got, want := taskIDs(tasks), []string{"CT-1", "CT-2", "CT-5"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("cleo's tasks %q, want %q", got, want)
	}
	if want := (app.CountTaskSummary{ID: "CT-1", Location: "B2", Reason: "short_pick", Due: "2026-06-01", AssignedTo: "cleo",
		Status: "assigned"}); tasks[0] != want {
		t.Fatalf("task %+v, want %+v", tasks[0], want)
	}
	for id, want := range map[string]*app.Error{"CT-3": app.ErrCountTaken, "CT-4": app.ErrCountTaken, "CT-6": app.ErrNoCountTask,
		"CT-9": app.ErrNoCountTask} {
		if _, err := a.StartCount(ctx, id); !errors.Is(err, want) {
			t.Errorf("start %s: %v, want %s", id, err, want.Code)
		}
	}

	// The device pulls B2's other keys: 3 L lot L7, 2 X, and B at 0.
	f.pull(3, 6,
		syncproto.Level{Location: "B2", SKU: "L", Lot: "L7", Qty: 3, Position: 4},
		syncproto.Level{Location: "B2", SKU: "X", Qty: 2, Position: 5},
		syncproto.Level{Location: "B2", SKU: "B", Qty: 0, Position: 6})

	c, err := a.StartCount(ctx, "CT-1")
	if err != nil {
		t.Fatal(err)
	}
	if c.BinScanned() || c.Task().Location != "B2" {
		t.Fatalf("new count: bin scanned %v, task %+v", c.BinScanned(), c.Task())
	}
	countScan(t, c, eachA, app.Bad) // the bin first
	countScan(t, c, "LOC-B1", app.Bad)
	if c.BinScanned() {
		t.Fatal("a wrong bin was taken")
	}
	if fb, err := c.Finish(ctx); err != nil || fb.Level != app.Bad {
		t.Fatalf("finish before the bin: %+v, %v", fb, err)
	}
	countScan(t, c, "B2", app.Good)
	if !c.BinScanned() {
		t.Fatal("bin not scanned")
	}

	t1 := today.Add(time.Minute)
	f.clk.set(t1)
	fb := countScan(t, c, caseA, app.Good)
	if fb.Title != "A × 12" || fb.Detail != "Apples · 12 counted" {
		t.Fatalf("case scan: %+v", fb)
	}
	countScan(t, c, eachA, app.Good)
	countScan(t, c, "LOC-B1", app.Bad) // another bin mid-count
	countScan(t, c, eanL, app.Bad)     // lot needed
	countScan(t, c, unknown, app.Bad)
	t2 := today.Add(2 * time.Minute)
	f.clk.set(t2)
	countScan(t, c, gs1(eanL, "L7", "271231", ""), app.Good)

	// A pick lands in B2 while cleo counts, and the device pulls it.
	f.pull(6, 8, syncproto.Level{Location: "B2", SKU: "A", Qty: 5, Position: 8})
	t3 := today.Add(3 * time.Minute)
	f.clk.set(t3)
	c.SetQty(5)
	if fb := countScan(t, c, eachA, app.Good); fb.Title != "A × 5" {
		t.Fatalf("SetQty scan: %+v", fb)
	}
	if fb := countScan(t, c, eachA, app.Good); fb.Detail != "Apples · 19 counted" {
		t.Fatalf("scan after SetQty's: %+v", fb)
	}

	// Restart: the count resumes as it was.
	f.reopen()
	a = f.app
	c, ok, err := a.ActiveCount(ctx)
	if err != nil || !ok || c.Task().ID != "CT-1" || !c.BinScanned() {
		t.Fatalf("active count after restart: %v %v %v", c, ok, err)
	}
	if _, err := a.StartCount(ctx, "CT-2"); !errors.Is(err, app.ErrCountOpen) {
		t.Fatalf("a second count: %v, want ErrCountOpen", err)
	}
	t4 := today.Add(4 * time.Minute)
	f.clk.set(t4)
	for _, tc := range []struct {
		sku, lot string
		qty      int64
		want     app.Level
	}{
		{"L", "L7", 4, app.Good}, // counted by hand: 4, not 1
		{"L", "L9", 2, app.Good}, // another lot
		{"L", "", 1, app.Bad},    // lot needed
		{"Q", "", 1, app.Bad},    // unknown SKU
		{"B", "", -1, app.Bad},   // negative
		{"S", "", 0, app.Good},   // none there, said outright
		{" B ", "", 1, app.Good}, // trimmed
		{"B", "", 0, app.Good},   // corrected to none
	} {
		fb, err := c.SetLine(ctx, tc.sku, tc.lot, tc.qty)
		checkFB(t, "set line "+tc.sku+"/"+tc.lot, fb, err, tc.want)
	}
	lines, err := c.Lines(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantLines := []app.CountLine{{SKU: "A", Name: "Apples", Qty: 19}, {SKU: "L", Name: "Lettuce", Lot: "L7", Qty: 4},
		{SKU: "L", Name: "Lettuce", Lot: "L9", Qty: 2}, {SKU: "S", Name: "Scanner"}, {SKU: "B", Name: "Bananas"}}
	if !reflect.DeepEqual(lines, wantLines) {
		t.Fatalf("lines %+v, want %+v", lines, wantLines)
	}

	before, err := f.st.StockLevels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t5 := today.Add(5 * time.Minute)
	f.clk.set(t5)
	fb, err = c.Finish(ctx)
	checkFB(t, "finish", fb, err, app.Good)
	got := countEvs(f.events())
	want := []countEv{
		{"cleo", syncproto.KindCount, "B2", "A", "", 19, "CT-1", 8, t3},
		{"cleo", syncproto.KindCount, "B2", "L", "L7", 4, "CT-1", 8, t4},
		{"cleo", syncproto.KindCount, "B2", "L", "L9", 2, "CT-1", 8, t4},
		{"cleo", syncproto.KindCount, "B2", "S", "", 0, "CT-1", 8, t4},
		{"cleo", syncproto.KindCount, "B2", "B", "", 0, "CT-1", 8, t4},
		// Not found: the view's 2 X. (B at 0 was counted; nothing else.)
		{"cleo", syncproto.KindCount, "B2", "X", "", 0, "CT-1", 8, t5},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("count events:\n%+v\nwant\n%+v", got, want)
	}
	if n := len(f.events()); n != len(want) {
		t.Fatalf("%d events, want only the %d counts", n, len(want))
	}
	// Counts are proposals: the view does not move.
	after, err := f.st.StockLevels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("view changed by counting: %v → %v", before, after)
	}

	if _, ok, err := a.ActiveCount(ctx); ok || err != nil {
		t.Fatalf("active count after finishing: %v %v", ok, err)
	}
	if _, err := c.Scan(ctx, eachA); !errors.Is(err, app.ErrCountClosed) {
		t.Fatalf("scan after finishing: %v, want ErrCountClosed", err)
	}
	if _, err := a.StartCount(ctx, "CT-1"); !errors.Is(err, app.ErrCountClosed) {
		t.Fatalf("start a counted task: %v, want ErrCountClosed", err)
	}
	tasks, err = a.CountTasks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := taskIDs(tasks), []string{"CT-2", "CT-5"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("tasks after counting %q, want %q", got, want)
	}

	// The server closes CT-1 once its counts are decided: the device drops
	// the task and the finished count with it.
	if err := f.st.ApplyChanges(ctx, &syncproto.Changes{From: 8, Cursor: 8, CatalogFrom: 1, CatalogCursor: 2,
		Catalog: &syncproto.Catalog{CountTasks: []syncproto.CountTask{{ID: "CT-1", Location: "B2", Status: "counted",
			Reason: "short_pick", Due: "2026-06-01", Position: 2}}}}); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := f.st.CountTask(ctx, "CT-1"); ok || err != nil {
		t.Fatalf("CT-1 still held: %v %v", ok, err)
	}
	if _, ok, err := f.st.CountDraft(ctx, "CT-1"); ok || err != nil {
		t.Fatalf("CT-1's finished count kept: %v %v", ok, err)
	}
}

// TestCountOthersAndEmpty: dan sees his own task and the recount cleo may
// not take; a bin where nothing is found and the view holds only keys at
// 0 is confirmed empty by zero counts of them; one the view knows nothing
// of sends nothing.
func TestCountOthersAndEmpty(t *testing.T) {
	f := newCountFixture(t)
	a := f.app
	f.pull(3, 4, syncproto.Level{Location: "B3", SKU: "B", Qty: 0, Position: 4})
	f.signInAs("dan", pinDan)
	tasks, err := a.CountTasks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := taskIDs(tasks), []string{"CT-3", "CT-2", "CT-4", "CT-5"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("dan's tasks %q, want %q", got, want)
	}
	c, err := a.StartCount(ctx, "CT-5")
	if err != nil {
		t.Fatal(err)
	}
	countScan(t, c, "B3", app.Good)
	fb, err := c.Finish(ctx)
	checkFB(t, "finish an empty bin", fb, err, app.Good)
	got := countEvs(f.events())
	want := []countEv{{"dan", syncproto.KindCount, "B3", "B", "", 0, "CT-5", 4, today}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("count events %+v, want %+v", got, want)
	}

	// Cleo, on the same device, no longer sees CT-5 (counted here).
	f.signInAs("cleo", pinCleo)
	if tasks, err = a.CountTasks(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := taskIDs(tasks), []string{"CT-1", "CT-2"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("cleo's tasks %q, want %q", got, want)
	}
	// B1: nothing in the view, nothing found.
	c, err = a.StartCount(ctx, "CT-2")
	if err != nil {
		t.Fatal(err)
	}
	countScan(t, c, "LOC-B1", app.Good)
	fb, err = c.Finish(ctx)
	checkFB(t, "finish an unknown empty bin", fb, err, app.Warn)
	if n := len(countEvs(f.events())); n != 1 {
		t.Fatalf("%d count events, want still 1", n)
	}
}

// TestForbiddenInAttention: an event the server rejected as forbidden
// says who may not do what.
func TestForbiddenInAttention(t *testing.T) {
	f := newCountFixture(t)
	var evs []syncproto.Event
	for _, sc := range []store.Scan{
		{User: "ana", Kind: syncproto.KindCount, From: "B2", SKU: "A", Qty: 7, Task: "CT-1"},
		{User: "cleo", Kind: syncproto.KindPick, From: "B2", SKU: "A", Qty: 1},
		{User: "old", Kind: syncproto.KindPick, From: "B2", SKU: "A", Qty: 1},
		{User: "cleo", Kind: syncproto.KindCount, From: "B2", SKU: "A", Qty: 2, Task: "CT-1"},
	} {
		ev, err := f.st.Record(ctx, sc)
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, ev)
	}
	ack := &syncproto.Ack{AckedThrough: evs[len(evs)-1].Seq}
	for _, ev := range evs[:3] {
		ack.Outcomes = append(ack.Outcomes, syncproto.Outcome{ID: ev.ID, Seq: ev.Seq, Status: syncproto.StatusRejected,
			Code: syncproto.CodeForbidden, Reason: "forbidden"})
	}
	last := evs[3]
	ack.Outcomes = append(ack.Outcomes, syncproto.Outcome{ID: last.ID, Seq: last.Seq, Status: syncproto.StatusParked,
		Code: "count_variance", Reason: "expected 7, counted 2"})
	if err := f.st.ApplyAck(ctx, ack); err != nil {
		t.Fatal(err)
	}
	attn, err := f.app.Attention(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, eo := range attn {
		got = append(got, eo.Outcome.Reason)
	}
	want := []string{
		"Outside tolerance: a supervisor will approve it, reject it or send someone to count again",
		"Rejected: old may no longer work here (archived)",
		"Rejected: cleo may not pick (needs the picker role)",
		"Rejected: ana may not count (needs the counter role)",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("attention reasons:\n%q\nwant\n%q", got, want)
	}
	for _, r := range got {
		if strings.Contains(r, "7") {
			t.Errorf("attention shows the expected figure: %q", r)
		}
	}
}
