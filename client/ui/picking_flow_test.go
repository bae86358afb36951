package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/driftless/driftless/client/app"
	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/syncproto"
)

// The flows of issue 7 over the real app state and device store: a whole
// pick list, a move, a transfer shipped and one received.

// pickCatalog is testCatalog with bin B3, a transit location, a sales
// order, pick lists PL-1 (Pat's: 3 A at B1, 2 L lot L7 at B2, 5 B at B3)
// and PL-2 (anyone's), and transfers TR-1 (W1 → W2: 3 A) and TR-2 (W2 →
// W1, shipped: 2 A and 1 L lot L7).
func pickCatalog(t testing.TB) syncproto.Catalog {
	c := testCatalog(t, false)
	c.Locations = append(c.Locations,
		syncproto.Location{Code: "B3", Type: "bin", Barcode: "LOC-B3", Sequence: 3, Position: 1},
		syncproto.Location{Code: "TRANSIT", Type: "transit", Barcode: "LOC-TRANSIT", Sequence: 9, Position: 1})
	c.SalesOrders = []syncproto.SalesOrder{{Number: "SO-1", Customer: "C", Status: "open", Position: 1,
		Lines: []syncproto.SOLine{{SKU: "A", Qty: 3}, {SKU: "L", Qty: 2}, {SKU: "B", Qty: 5}}}}
	c.PickLists = []syncproto.PickList{
		{ID: "PL-1", Status: "assigned", AssignedTo: "pat", Orders: []string{"SO-1"}, Position: 1, Tasks: []syncproto.PickTask{
			{ID: "PL-1/1", Seq: 1, Order: "SO-1", Location: "B1", SKU: "A", Qty: 3, Status: "open"},
			{ID: "PL-1/2", Seq: 2, Order: "SO-1", Location: "B2", SKU: "L", Lot: "L7", Expiry: "2027-12-31", Qty: 2, Status: "open"},
			{ID: "PL-1/3", Seq: 3, Order: "SO-1", Location: "B3", SKU: "B", Qty: 5, Status: "open"},
		}},
		{ID: "PL-2", Status: "open", Orders: []string{"SO-2"}, Position: 1, Tasks: []syncproto.PickTask{
			{ID: "PL-2/1", Seq: 1, Order: "SO-2", Location: "B2", SKU: "A", Qty: 1, Status: "open"},
		}},
	}
	c.Transfers = []syncproto.Transfer{
		{Number: "TR-1", From: "W1", To: "W2", Status: "open", Position: 1, Lines: []syncproto.TransferLine{{SKU: "A", Qty: 3}}},
		{Number: "TR-2", From: "W2", To: "W1", Status: "shipped", Position: 1,
			Lines: []syncproto.TransferLine{{SKU: "A", Qty: 2, Shipped: 2}, {SKU: "L", Lot: "L7", Qty: 1, Shipped: 1}}},
	}
	return c
}

// newPickDevice is a device of W1 with pickCatalog and stock at the bins
// (B1: 5 A; B2: 7 A and 3 L lot L7; B3: 2 B, less than PL-1 wants).
func newPickDevice(t testing.TB) *device {
	return newDeviceWith(t, pickCatalog(t), store.SyncNormal, []syncproto.Level{
		{Location: "DOCK-1", SKU: "A", Qty: 10, Position: 1},
		{Location: "B1", SKU: "A", Qty: 5, Position: 2},
		{Location: "B2", SKU: "A", Qty: 7, Position: 3},
		{Location: "B2", SKU: "L", Lot: "L7", Qty: 3, Position: 4},
		{Location: "B3", SKU: "B", Qty: 2, Position: 5},
	})
}

// eventLines describes events for comparison: "kind from→to sku lot qty task ref reason".
func eventLines(evs []syncproto.Event) string {
	var out []string
	for _, e := range evs {
		out = append(out, strings.TrimSpace(fmt.Sprintf("%s %s→%s %s %s %d %s %s %s", e.Kind, e.From, e.To, e.SKU, e.Lot, e.Qty, e.Task, e.Ref, e.Reason)))
	}
	return strings.Join(out, "\n")
}

// tapQtyKeys answers the open quantity keypad with n and Set.
func (d *device) tapQtyKeys(n int) {
	d.t.Helper()
	dlg := topDialog(d.t, d.w)
	for _, k := range fmt.Sprint(n) {
		b := findIn(dlg, string(k))
		if b == nil {
			d.t.Fatalf("no key %c on the keypad", k)
		}
		test.Tap(b)
	}
	test.Tap(findIn(dlg, "Set"))
	if d.w.Canvas().Overlays().Top() != nil {
		d.t.Fatal("keypad still open")
	}
}

// TestFlowPickList picks PL-1 through the screens: a wrong bin, an item
// before its bin, a wrong item, a unit scanned and the rest entered, a
// task skipped, the app restarted, a short pick through the keypad, the
// skipped task picked with a wrong lot refused, and Finish; the events
// written are exactly the picks and the short pick, with their tasks.
func TestFlowPickList(t *testing.T) {
	d := newPickDevice(t)
	d.signIn("Pat", "2222")
	home := screenAs[*homeScreen](t, d.u)
	if home.pick.Disabled() || home.supervisorCell.Visible() {
		t.Fatalf("picker's home: Pick disabled %v, supervisor shown %v", home.pick.Disabled(), home.supervisorCell.Visible())
	}
	test.Tap(home.pick)
	ls := screenAs[*pickListsScreen](t, d.u)
	d.focusedOnScan()
	if got := richTexts(ls.list); len(got) != 2 || !strings.Contains(got[0], "PL-1 · yours") || !strings.Contains(got[1], "PL-2") {
		t.Fatalf("pick lists: %q", got)
	}
	d.expect("PL-404", app.Bad)
	d.scan("PL-1")
	ps := screenAs[*pickScreen](t, d.u)
	d.focusedOnScan()
	cur := func() app.PickTaskView { return ps.st.Current }
	if c := cur(); c.ID != "PL-1/1" || ps.st.Step != app.PickScanBin || ps.progress.Text != "1 of 3" {
		t.Fatalf("first task %+v step %v progress %q", c, ps.st.Step, ps.progress.Text)
	}
	if !strings.Contains(ps.task.String(), "B1") || !ps.qty.Disabled() || !ps.short.Disabled() {
		t.Errorf("task card %q; Qty and Short before the bin: %v %v", ps.task.String(), ps.qty.Disabled(), ps.short.Disabled())
	}

	d.expect("LOC-B2", app.Bad) // wrong bin
	d.expect(eachA, app.Bad)    // the item before its bin
	d.expect("LOC-B1", app.Good)
	if ps.st.Step != app.PickScanItem || ps.qty.Disabled() || ps.short.Disabled() {
		t.Fatalf("at the bin: step %v, Qty disabled %v", ps.st.Step, ps.qty.Disabled())
	}
	d.expect(eanB, app.Bad) // wrong item
	d.expect(eachA, app.Good)
	test.Tap(ps.qty)
	d.tapQtyKeys(2)
	if p := panelOf(t, d.u); p.last.Level != app.Good {
		t.Fatalf("Qty 2: %s %q (%s)", p.last.Level, p.last.Title, p.last.Detail)
	}
	d.focusedOnScan()
	if c := cur(); c.ID != "PL-1/2" || ps.progress.Text != "2 of 3" {
		t.Fatalf("after task 1: %+v, %q", c, ps.progress.Text)
	}

	// Skip PL-1/2: it comes back after PL-1/3.
	test.Tap(ps.skip)
	d.focusedOnScan()
	if c := cur(); c.ID != "PL-1/3" {
		t.Fatalf("after the skip: %+v", c)
	}
	if rows := ps.tasks.String(); !strings.Contains(rows, "✓ picked") || !strings.Contains(rows, "skipped") {
		t.Errorf("task list after a pick and a skip:\n%s", rows)
	}

	// Killed and started again: Pat is still signed in, at the same task.
	d.restart()
	ps = screenAs[*pickScreen](t, d.u)
	d.focusedOnScan()
	if c := cur(); c.ID != "PL-1/3" || ps.st.Step != app.PickScanBin {
		t.Fatalf("resumed at %+v step %v", c, ps.st.Step)
	}

	// B3 holds 2 of the 5: a short pick through the keypad.
	d.expect("LOC-B3", app.Good)
	test.Tap(ps.short)
	d.tapQtyKeys(2)
	if p := panelOf(t, d.u); p.last.Level != app.Warn {
		t.Fatalf("short pick: %s %q (%s)", p.last.Level, p.last.Title, p.last.Detail)
	}
	d.focusedOnScan()
	if c := cur(); c.ID != "PL-1/2" || !c.Skipped {
		t.Fatalf("after the short pick: %+v", c)
	}
	if rows := ps.tasks.String(); !strings.Contains(rows, "short") {
		t.Errorf("task list after the short pick:\n%s", rows)
	}

	// Back at the skipped task: the wrong lot is refused.
	d.expect("LOC-B2", app.Good)
	d.expect(gs1(eanL, "L8", "271231", ""), app.Bad)
	d.expect(gs1(eanL, "L7", "271231", ""), app.Good)
	d.expect(gs1(eanL, "L7", "271231", ""), app.Good)
	if ps.st.Step != app.PickDone || !ps.skip.Disabled() || ps.finish.Importance != widget.HighImportance {
		t.Fatalf("list not done: step %v", ps.st.Step)
	}
	if !strings.Contains(ps.task.String(), "Done") {
		t.Errorf("task card when done: %q", ps.task.String())
	}

	test.Tap(ps.finish) // nothing open: no confirmation
	ls = screenAs[*pickListsScreen](t, d.u)
	if p := panelOf(t, d.u); p.last.Level != app.Good || !strings.Contains(p.last.Title, "PL-1") {
		t.Errorf("after Finish: %s %q (%s)", p.last.Level, p.last.Title, p.last.Detail)
	}
	if _, ok, _ := d.app.ActivePicking(context.Background()); ok {
		t.Error("PL-1 still in progress after Finish")
	}

	want := strings.Join([]string{
		"pick B1→ A  1 PL-1/1 SO-1",
		"pick B1→ A  2 PL-1/1 SO-1",
		"pick B3→ B  2 PL-1/3 SO-1",
		"exception B3→ B  3 PL-1/3 SO-1 short_pick",
		"pick B2→ L L7 1 PL-1/2 SO-1",
		"pick B2→ L L7 1 PL-1/2 SO-1",
	}, "\n")
	if got := eventLines(d.events()); got != want {
		t.Errorf("events:\n%s\nwant:\n%s", got, want)
	}
	if d.fb.good == 0 || d.fb.warn == 0 || d.fb.bad == 0 {
		t.Errorf("sounds played: %+v", *d.fb)
	}
}

// TestFlowMove moves stock between bins: more than the bin holds is
// refused, the same bin and a dock are refused as destinations, and the
// move is written once.
func TestFlowMove(t *testing.T) {
	d := newPickDevice(t)
	d.signIn("Ana", "1111")
	test.Tap(screenAs[*homeScreen](t, d.u).move)
	ms := screenAs[*moveScreen](t, d.u)
	d.focusedOnScan()
	d.expect(eachA, app.Bad) // the item before the bin
	d.expect("LOC-B2", app.Good)
	if here := strings.Join(labelTexts(ms.here), "\n"); !strings.Contains(here, "7 × A · Apples") || !strings.Contains(here, "3 × L · Lettuce, lot L7") {
		t.Errorf("at B2 the screen shows:\n%s", here)
	}
	d.setQty(ms.qty, 9)
	d.expect(eachA, app.Bad) // B2 holds 7
	d.setQty(ms.qty, 5)
	d.expect(eachA, app.Good)
	st := ms.m.State()
	if st.Step != app.MoveScanTo || st.Item.Qty != 5 || st.Available != 7 {
		t.Fatalf("after the item: %+v", st)
	}
	if card := ms.card.String(); !strings.Contains(card, "Available at B2: 7") {
		t.Errorf("move card: %q", card)
	}
	d.expect("LOC-B2", app.Bad)     // same bin
	d.expect("LOC-DOCK-1", app.Bad) // not a bin
	d.expect("LOC-B1", app.Good)
	if ms.m.State().Step != app.MoveScanFrom {
		t.Error("move did not go back to the first step")
	}
	if got, want := eventLines(d.events()), "move B2→B1 A  5"; got != want {
		t.Errorf("events:\n%s\nwant %s", got, want)
	}
	d.wantStock("B2", "A", "", 2)
	d.wantStock("B1", "A", "", 10)
}

// TestFlowTransferShipAndReceive ships TR-1 (to transit, with the
// transfer's number) and receives TR-2 at the dock, with items not on the
// transfers refused.
func TestFlowTransferShipAndReceive(t *testing.T) {
	d := newPickDevice(t)
	d.signIn("Ana", "1111")
	test.Tap(screenAs[*homeScreen](t, d.u).transfers)
	ts := screenAs[*transfersScreen](t, d.u)
	d.focusedOnScan()
	if rows := strings.Join(richTexts(ts.list), "\n"); !strings.Contains(rows, "TR-1 · W1 → W2") || !strings.Contains(rows, "TR-2 · W2 → W1") {
		t.Fatalf("transfers:\n%s", rows)
	}
	d.expect("TR-404", app.Bad)

	test.Tap(findIn(ts.list, "Ship"))
	ms := screenAs[*moveScreen](t, d.u)
	d.focusedOnScan()
	if ms.m.State().Transfer != "TR-1" {
		t.Fatalf("shipping %q", ms.m.State().Transfer)
	}
	d.expect("LOC-B2", app.Good)
	d.expect(eanL, app.Bad) // not on the transfer
	d.setQty(ms.qty, 3)
	d.expect(eachA, app.Good)
	if !strings.Contains(ms.scan.entry.PlaceHolder, "TRANSIT") {
		t.Errorf("ship placeholder %q", ms.scan.entry.PlaceHolder)
	}
	d.expect("LOC-B1", app.Bad) // shipping goes to transit
	d.expect("LOC-TRANSIT", app.Good)
	test.Tap(findIn(ms.root, "Back"))

	ts = screenAs[*transfersScreen](t, d.u)
	d.scan("TR-2") // scanning the number opens it
	rs := screenAs[*transferReceiptScreen](t, d.u)
	d.focusedOnScan()
	d.expect(eanB, app.Bad) // not on the transfer
	d.setQty(rs.qty, 2)
	d.expect(eachA, app.Good)
	d.expect(gs1(eanL, "L7", "271231", ""), app.Good)
	if lines := strings.Join(richTexts(rs.lines), "\n"); !strings.Contains(lines, "2 / 2") || !strings.Contains(lines, "1 / 1") {
		t.Errorf("transfer tally:\n%s", lines)
	}
	want := strings.Join([]string{
		"move B2→TRANSIT A  3  TR-1",
		"receive →DOCK-1 A  2  TR-2",
		"receive →DOCK-1 L L7 1  TR-2",
	}, "\n")
	if got := eventLines(d.events()); got != want {
		t.Errorf("events:\n%s\nwant:\n%s", got, want)
	}
	d.wantStock("TRANSIT", "A", "", 3)
	d.wantStock("DOCK-1", "A", "", 12)
}

// labelTexts returns the texts of the labels under o.
func labelTexts(o fyne.CanvasObject) []string {
	var out []string
	switch o := o.(type) {
	case *widget.Label:
		out = append(out, o.Text)
	case *fyne.Container:
		for _, c := range o.Objects {
			out = append(out, labelTexts(c)...)
		}
	}
	return out
}
