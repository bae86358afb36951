package app_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/driftless/driftless/client/app"
	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/syncproto"
)

const pinSam = "2222"

// pickCatalog is the fixture's catalog with a transit location, a
// supervisor (sam) and another picker (bo), pick lists PL-1 (ana's: A at
// B1, L lot L7 at B2, B at B3), PL-2 (unassigned), PL-3 (bo's) and
// transfers TR-1 (W1 → W2: 3 A) and TR-2 (W2 → W1: 4 L lot L7, 2 A).
func pickCatalog(t testing.TB) syncproto.Catalog {
	c := catalog(t, false)
	c.Locations = append(c.Locations, syncproto.Location{Code: "TRANSIT", Type: "transit", Sequence: 9, Position: 1})
	c.Users = append(c.Users,
		syncproto.User{Code: "sam", Name: "Sam", Roles: []string{"supervisor"}, PINHash: hash(t, pinSam), Position: 1},
		syncproto.User{Code: "bo", Name: "Bo", Roles: []string{"picker"}, PINHash: hash(t, "3333"), Position: 1})
	c.SalesOrders = []syncproto.SalesOrder{{Number: "SO-1", Customer: "C", Status: "open", Position: 1,
		Lines: []syncproto.SOLine{{SKU: "A", Qty: 3}, {SKU: "L", Qty: 2}, {SKU: "B", Qty: 5}}}}
	c.PickLists = []syncproto.PickList{
		{ID: "PL-1", Status: "assigned", AssignedTo: "ana", Orders: []string{"SO-1"}, Position: 1, Tasks: []syncproto.PickTask{
			{ID: "PL-1/1", Seq: 1, Order: "SO-1", Location: "B1", SKU: "A", Qty: 3, Status: "open"},
			{ID: "PL-1/2", Seq: 2, Order: "SO-1", Location: "B2", SKU: "L", Lot: "L7", Expiry: "2027-12-31", Qty: 2, Status: "open"},
			{ID: "PL-1/3", Seq: 3, Order: "SO-1", Location: "B3", SKU: "B", Qty: 5, Status: "open"},
		}},
		{ID: "PL-2", Status: "open", Orders: []string{"SO-2"}, Position: 1, Tasks: []syncproto.PickTask{
			{ID: "PL-2/1", Seq: 1, Order: "SO-2", Location: "B2", SKU: "A", Qty: 1, Status: "open"},
		}},
		{ID: "PL-3", Status: "assigned", AssignedTo: "bo", Orders: []string{"SO-3"}, Position: 1, Tasks: []syncproto.PickTask{
			{ID: "PL-3/1", Seq: 1, Order: "SO-3", Location: "B2", SKU: "A", Qty: 1, Status: "open"},
		}},
	}
	c.Transfers = []syncproto.Transfer{
		{Number: "TR-1", From: "W1", To: "W2", Status: "open", Position: 1, Lines: []syncproto.TransferLine{{SKU: "A", Qty: 3}}},
		{Number: "TR-2", From: "W2", To: "W1", Status: "shipped", Position: 1,
			Lines: []syncproto.TransferLine{{SKU: "L", Lot: "L7", Qty: 4, Shipped: 4}, {SKU: "A", Qty: 2, Shipped: 2}}},
	}
	return c
}

func newPickFixture(t *testing.T) *fixture {
	f := newFixtureWith(t, pickCatalog(t), store.SyncNormal)
	f.signIn()
	return f
}

// pickScan scans into a pick list and checks the feedback's level.
func pickScan(t testing.TB, p *app.Picking, text string, want app.Level) app.Feedback {
	t.Helper()
	fb, err := p.Scan(ctx, text)
	if err != nil {
		t.Fatalf("scan %q: %v", text, err)
	}
	if fb.Level != want {
		t.Fatalf("scan %q: %s %q (%s), want %s", text, fb.Level, fb.Title, fb.Detail, want)
	}
	return fb
}

func checkFB(t testing.TB, what string, fb app.Feedback, err error, want app.Level) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if fb.Level != want {
		t.Fatalf("%s: %s %q (%s), want %s", what, fb.Level, fb.Title, fb.Detail, want)
	}
}

func pickState(t testing.TB, p *app.Picking) app.PickState {
	t.Helper()
	s, err := p.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func wantAt(t testing.TB, p *app.Picking, task string, step app.PickStep) app.PickState {
	t.Helper()
	s := pickState(t, p)
	if s.Current.ID != task || s.Step != step {
		t.Fatalf("at %s step %d, want %s step %d (%+v)", s.Current.ID, s.Step, task, step, s.Current)
	}
	return s
}

// pickEv is the part of a pick or short_pick event tests compare.
type pickEv struct {
	Kind        syncproto.Kind
	SKU, Lot    string
	From        string
	Qty         int64
	Reason, Ref string
	Task        string
}

func pickEvs(evs []syncproto.Event) []pickEv {
	out := make([]pickEv, len(evs))
	for i, e := range evs {
		out[i] = pickEv{e.Kind, e.SKU, e.Lot, e.From, e.Qty, e.Reason, e.Ref, e.Task}
	}
	return out
}

// TestPickWholeList works through PL-1 with a wrong bin, a wrong item, a
// wrong lot, a skip, a short pick, EnterQty, a restart and the finish.
func TestPickWholeList(t *testing.T) {
	f := newPickFixture(t)
	a := f.app

	lists, err := a.PickLists(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, l := range lists {
		ids = append(ids, l.ID)
	}
	if !reflect.DeepEqual(ids, []string{"PL-1", "PL-2"}) || lists[0].Tasks != 3 || lists[0].Open != 3 {
		t.Fatalf("pick lists for ana: %+v, want PL-1 (3 open) then PL-2", lists)
	}
	if _, err := a.StartPicking(ctx, "PL-3"); !errors.Is(err, app.ErrPickListTaken) {
		t.Fatalf("start bo's list: %v, want ErrPickListTaken", err)
	}
	if _, ok, err := a.ActivePicking(ctx); ok || err != nil {
		t.Fatalf("active picking before starting: %v %v", ok, err)
	}
	p, err := a.StartPicking(ctx, "PL-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.StartPicking(ctx, "PL-2"); !errors.Is(err, app.ErrPickingOpen) {
		t.Fatalf("start a second list: %v, want ErrPickingOpen", err)
	}
	s := wantAt(t, p, "PL-1/1", app.PickScanBin)
	if s.Current.Location != "B1" || s.Current.N != 1 || s.Current.Of != 3 || s.Current.Name != "Apples" || len(s.Tasks) != 3 {
		t.Fatalf("first task %+v", s.Current)
	}

	// Task 1: 3 A at B1.
	pickScan(t, p, "B2", app.Bad)      // wrong bin
	pickScan(t, p, eachA, app.Bad)     // item before the bin
	pickScan(t, p, "LOC-B1", app.Good) // B1's label
	wantAt(t, p, "PL-1/1", app.PickScanItem)
	fb, err := p.EnterQty(ctx, 2)
	checkFB(t, "EnterQty before the item", fb, err, app.Bad)
	pickScan(t, p, eanB, app.Bad)   // wrong item
	pickScan(t, p, "B3", app.Bad)   // wrong bin at the item step
	pickScan(t, p, eachA, app.Good) // 1 of 3
	pickScan(t, p, caseA, app.Bad)  // 12 > 2 left
	fb, err = p.EnterQty(ctx, 3)
	checkFB(t, "EnterQty beyond the task", fb, err, app.Bad)
	fb, err = p.EnterQty(ctx, 2)
	checkFB(t, "EnterQty", fb, err, app.Good)
	if len(f.events()) != 2 {
		t.Fatalf("%d events after task 1, want 2", len(f.events()))
	}

	// Task 2: 2 L lot L7 at B2, skipped after a wrong lot.
	wantAt(t, p, "PL-1/2", app.PickScanBin)
	pickScan(t, p, "B2", app.Good)
	pickScan(t, p, gs1(eanL, "L8", "271231", ""), app.Bad) // wrong lot
	pickScan(t, p, eanL, app.Bad)                          // no lot
	fb, err = p.Skip(ctx)
	checkFB(t, "skip", fb, err, app.Good)

	// Task 3: 5 B at B3, short: 1 scanned, 2 more found, 2 short.
	wantAt(t, p, "PL-1/3", app.PickScanBin)
	fb, err = p.Short(ctx, 0)
	checkFB(t, "short before the bin", fb, err, app.Bad)
	pickScan(t, p, "B3", app.Good)
	pickScan(t, p, eanB, app.Good)
	fb, err = p.Short(ctx, 4)
	checkFB(t, "short that is not short", fb, err, app.Bad)
	fb, err = p.Short(ctx, 2)
	checkFB(t, "short", fb, err, app.Warn)

	// The skipped task comes back; the picker is at its bin when the app
	// is killed.
	wantAt(t, p, "PL-1/2", app.PickScanBin)
	pickScan(t, p, "B2", app.Good)
	f.reopen()
	f.signIn()
	a = f.app
	p, ok, err := a.ActivePicking(ctx)
	if err != nil || !ok {
		t.Fatalf("active picking after the restart: %v %v", ok, err)
	}
	s = wantAt(t, p, "PL-1/2", app.PickScanItem)
	if !s.Current.Skipped {
		t.Fatal("the skipped task does not say so")
	}
	if s.Tasks[0].Status != "picked" || s.Tasks[0].Picked != 3 || s.Tasks[2].Status != "short" || s.Tasks[2].Picked != 3 {
		t.Fatalf("tasks after the restart: %+v", s.Tasks)
	}
	pickScan(t, p, gs1(eanL, "L7", "271231", ""), app.Good)
	fb, err = p.EnterQty(ctx, 1)
	checkFB(t, "EnterQty of the last unit", fb, err, app.Good)
	s = pickState(t, p)
	if s.Step != app.PickDone {
		t.Fatalf("step %d after the last task, want done", s.Step)
	}
	pickScan(t, p, "B1", app.Bad) // nothing left
	fb, err = p.Finish(ctx)
	checkFB(t, "finish", fb, err, app.Good)
	if _, ok, _ := a.ActivePicking(ctx); ok {
		t.Fatal("a finished list is still active")
	}
	if _, err := p.Scan(ctx, "B1"); !errors.Is(err, app.ErrPickingClosed) {
		t.Fatalf("scan after finishing: %v, want ErrPickingClosed", err)
	}

	want := []pickEv{
		{syncproto.KindPick, "A", "", "B1", 1, "", "SO-1", "PL-1/1"},
		{syncproto.KindPick, "A", "", "B1", 2, "", "SO-1", "PL-1/1"},
		{syncproto.KindPick, "B", "", "B3", 1, "", "SO-1", "PL-1/3"},
		{syncproto.KindPick, "B", "", "B3", 2, "", "SO-1", "PL-1/3"},
		{syncproto.KindException, "B", "", "B3", 2, "short_pick", "SO-1", "PL-1/3"},
		{syncproto.KindPick, "L", "L7", "B2", 1, "", "SO-1", "PL-1/2"},
		{syncproto.KindPick, "L", "L7", "B2", 1, "", "SO-1", "PL-1/2"},
	}
	evs := f.events()
	if got := pickEvs(evs); !reflect.DeepEqual(got, want) {
		t.Fatalf("events\n got %+v\nwant %+v", got, want)
	}
	for _, e := range evs {
		if e.User != "ana" || e.Hash != e.ComputeHash() {
			t.Fatalf("event %+v: user or hash wrong", e)
		}
	}
	f.wantStock("B1", "A", "", -3) // the device saw no A at B1: the server decides
	f.wantStock("B2", "A", "", 7)
}

// TestPickFinishWithOpenTasks: finishing early reports what is left, and
// the list can be started again.
func TestPickFinishWithOpenTasks(t *testing.T) {
	f := newPickFixture(t)
	p, err := f.app.StartPicking(ctx, "PL-1")
	if err != nil {
		t.Fatal(err)
	}
	pickScan(t, p, "B1", app.Good)
	pickScan(t, p, caseA, app.Bad) // a case of 12 for 3
	pickScan(t, p, eachA, app.Good)
	fb, err := p.Finish(ctx)
	checkFB(t, "finish early", fb, err, app.Warn)
	p, err = f.app.StartPicking(ctx, "PL-1")
	if err != nil {
		t.Fatal(err)
	}
	s := wantAt(t, p, "PL-1/1", app.PickScanBin)
	if s.Current.Picked != 1 {
		t.Fatalf("picked after starting again: %d, want 1", s.Current.Picked)
	}
	lists, err := f.app.PickLists(ctx)
	if err != nil || lists[0].Open != 3 {
		t.Fatalf("lists %+v %v", lists, err)
	}
}

// TestPickListClosedByServer: the server's view of the list (picked
// figures from other devices, the list done) reaches the device through
// the catalog, and picking follows it.
func TestPickListClosedByServer(t *testing.T) {
	f := newPickFixture(t)
	p, err := f.app.StartPicking(ctx, "PL-1")
	if err != nil {
		t.Fatal(err)
	}
	pickScan(t, p, "B1", app.Good)
	pickScan(t, p, eachA, app.Good)
	// The server reports task 1 picked (this device's pick applied plus 2
	// from elsewhere) and task 2 cancelled.
	l := pickCatalog(t).PickLists[0]
	l.Status, l.Position = "in_progress", 2
	l.Tasks[0].Picked, l.Tasks[0].Status = 3, "picked"
	l.Tasks[1].Status = "cancelled"
	applyCatalog(t, f, 2, syncproto.Catalog{PickLists: []syncproto.PickList{l}})
	wantAt(t, p, "PL-1/3", app.PickScanBin)
	// Then the list is done on the server: the device drops it.
	l.Status, l.Position = "done", 3
	applyCatalog(t, f, 3, syncproto.Catalog{PickLists: []syncproto.PickList{l}})
	if _, ok, err := f.st.PickList(ctx, "PL-1"); ok || err != nil {
		t.Fatalf("a done list is still held: %v %v", ok, err)
	}
	s := pickState(t, p)
	// What this device did stays visible; the rest of the task is the
	// server's business now.
	if s.Step != app.PickDone || len(s.Tasks) != 1 || s.Tasks[0].Picked != 1 || s.Tasks[0].Status != "cancelled" {
		t.Fatalf("state after the list is done: %+v", s)
	}
}

// applyCatalog applies a pulled catalog page moving the catalog cursor to
// cursor.
func applyCatalog(t testing.TB, f *fixture, cursor uint64, c syncproto.Catalog) {
	t.Helper()
	st, err := f.st.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.ApplyChanges(ctx, &syncproto.Changes{From: st.Cursor, Cursor: st.Cursor, CatalogFrom: st.CatalogCursor,
		CatalogCursor: cursor, Catalog: &c}); err != nil {
		t.Fatal(err)
	}
}
