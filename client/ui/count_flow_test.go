package ui

import (
	"regexp"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/driftless/driftless/client/app"
	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/syncproto"
)

// The flows of issue 8 over the real app state and device store: a blind
// count, and a supervisor's PIN asked again after a restart.

// countCatalog is testCatalog with a counter (Cal, PIN 3333), a
// supervisor (Sue, PIN 4444) and count tasks: CT-1 at B2 (Cal's, after a
// short pick) and CT-2 at B1 (anyone's, scheduled).
func countCatalog(t testing.TB) syncproto.Catalog {
	c := testCatalog(t, false)
	c.Users = append(c.Users,
		syncproto.User{Code: "cal", Name: "Cal", Roles: []string{"counter"}, PINHash: pinHash(t, "3333"), Position: 1},
		syncproto.User{Code: "sue", Name: "Sue", Roles: []string{"supervisor"}, PINHash: pinHash(t, "4444"), Position: 1})
	c.CountTasks = []syncproto.CountTask{
		{ID: "CT-2", Location: "B1", Status: "open", Reason: "scheduled", Due: "2026-06-03", Position: 1},
		{ID: "CT-1", Location: "B2", Status: "assigned", AssignedTo: "cal", Reason: "short_pick", Due: "2026-06-01", Position: 1},
	}
	return c
}

// The stock the records hold at B2: figures found nowhere else, so that
// the screens can be searched for them.
var expectedAtB2 = []string{"47", "13", "29"}

func newCountDevice(t testing.TB) *device {
	return newDeviceWith(t, countCatalog(t), store.SyncNormal, []syncproto.Level{
		{Location: "B1", SKU: "A", Qty: 5, Position: 1},
		{Location: "B2", SKU: "A", Qty: 47, Position: 2},
		{Location: "B2", SKU: "L", Lot: "L7", Qty: 13, Position: 3},
		{Location: "B2", SKU: "B", Qty: 29, Position: 4},
	})
}

// blindCheck walks everything on the window (the screen, the status bar,
// any dialog) and fails if an expected figure or the word shows.
func (d *device) blindCheck(when string) {
	d.t.Helper()
	objs := []fyne.CanvasObject{d.w.Content()}
	objs = append(objs, d.w.Canvas().Overlays().List()...)
	var texts []string
	for _, o := range objs {
		texts = append(texts, widgetTexts(o)...)
	}
	all := strings.Join(texts, "\n")
	for _, n := range expectedAtB2 {
		if regexp.MustCompile(`\b` + n + `\b`).MatchString(all) {
			d.t.Errorf("%s: the screen shows %s, a figure of the records:\n%s", when, n, all)
		}
	}
	if strings.Contains(strings.ToLower(all), "expected") {
		d.t.Errorf("%s: the screen speaks of an expected figure:\n%s", when, all)
	}
}

// TestFlowBlindCount counts B2 through the screens: the tasks (Cal's
// first, with reason and due date), a wrong bin and an item before the bin
// refused, item scans, Qty for the next scan, a lot, a line typed, Finish
// with its summary; the count events written are the counted figures with
// the task, and a zero count for the SKU not found. Nowhere does the
// screen show what the records expect.
func TestFlowBlindCount(t *testing.T) {
	d := newCountDevice(t)
	d.signIn("Cal", "3333")
	home := screenAs[*homeScreen](t, d.u)
	if home.count.Disabled() || home.count.Importance != widget.HighImportance || !home.pick.Disabled() {
		t.Fatalf("counter's home: Count disabled %v, importance %v; Pick disabled %v", home.count.Disabled(), home.count.Importance, home.pick.Disabled())
	}
	test.Tap(home.count)
	ts := screenAs[*countTasksScreen](t, d.u)
	d.focusedOnScan()
	rows := richTexts(ts.list)
	if len(rows) != 2 || !strings.HasPrefix(rows[0], "B2 · CT-1") || !strings.Contains(rows[0], "yours · short pick · due today") ||
		!strings.Contains(rows[1], "B1 · CT-2") || !strings.Contains(rows[1], "scheduled · due 2026-06-03") {
		t.Fatalf("count tasks:\n%s", strings.Join(rows, "\n"))
	}
	d.expect("CT-404", app.Bad)
	test.Tap(findIn(ts.list, ""))
	cs := screenAs[*countScreen](t, d.u)
	d.focusedOnScan()
	if cs.c.Task().ID != "CT-1" || !cs.qty.Disabled() || !cs.finish.Disabled() {
		t.Fatalf("count of %s; Qty and Finish before the bin: %v %v", cs.c.Task().ID, cs.qty.Disabled(), cs.finish.Disabled())
	}
	d.blindCheck("at the start")

	d.expect("LOC-B1", app.Bad) // the wrong bin
	d.expect(eachA, app.Bad)    // an item before the bin
	d.expect("LOC-B2", app.Good)
	if !cs.c.BinScanned() || cs.qty.Disabled() || !strings.Contains(cs.card.String(), "B2 ✓") {
		t.Fatalf("at the bin: scanned %v, card %q", cs.c.BinScanned(), cs.card.String())
	}
	d.expect(eachA, app.Good)
	d.expect(eachA, app.Good)
	d.setQty(cs.qty, 4)
	if cs.qty.Text != "Qty ×4" {
		t.Errorf("Qty button %q", cs.qty.Text)
	}
	d.expect(eachA, app.Good) // 2 + 4
	if cs.qty.Text != "Qty" {
		t.Errorf("Qty button %q after the scan", cs.qty.Text)
	}
	d.expect(eanL, app.Bad) // lot-tracked without its lot
	d.expect(gs1(eanL, "L7", "271231", ""), app.Good)
	d.expect(unknown, app.Bad)
	d.blindCheck("after the scans")
	if got := strings.Join(labelTexts(cs.lines), " "); got != "6 1" {
		t.Fatalf("counted %q, want A 6 and L 1", got)
	}

	// A typed line: A was miscounted, there are 5.
	test.Tap(findIn(cs.lines, ""))
	if !strings.Contains(strings.Join(widgetTexts(topDialog(t, d.w)), " "), "How many A in B2?") {
		t.Errorf("line dialog: %q", widgetTexts(topDialog(t, d.w)))
	}
	d.tapQtyKeys(5)
	d.focusedOnScan()
	if got := strings.Join(labelTexts(cs.lines), " "); got != "5 1" {
		t.Fatalf("after typing: %q", got)
	}
	d.blindCheck("after typing a line")

	// Killed and started again: the count resumes with its lines.
	d.restart()
	cs = screenAs[*countScreen](t, d.u)
	d.focusedOnScan()
	if got := strings.Join(labelTexts(cs.lines), " "); got != "5 1" || !cs.c.BinScanned() {
		t.Fatalf("resumed: %q, bin scanned %v", got, cs.c.BinScanned())
	}

	test.Tap(cs.finish)
	if cs.confirm == nil {
		t.Fatal("Finish did not ask")
	}
	summary := strings.Join(widgetTexts(topDialog(t, d.w)), "\n")
	for _, want := range []string{"B2: 2 lines, 6 units.", "5 × A · Apples", "1 × L · Lettuce, lot L7", "counts as zero"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	d.blindCheck("in the summary")
	if n := len(d.events()); n != 0 {
		t.Fatalf("%d events before Finish", n)
	}
	test.Tap(findIn(topDialog(t, d.w), "Finish"))
	ts = screenAs[*countTasksScreen](t, d.u)
	if p := panelOf(t, d.u); p.last.Level != app.Good || p.last.Title != "B2 counted" {
		t.Errorf("after Finish: %s %q (%s)", p.last.Level, p.last.Title, p.last.Detail)
	}
	d.blindCheck("after Finish")
	if rows := richTexts(ts.list); len(rows) != 1 || !strings.HasPrefix(rows[0], "B1 · CT-2") {
		t.Errorf("tasks after Finish:\n%s", strings.Join(rows, "\n"))
	}
	want := strings.Join([]string{
		"count B2→ A  5 CT-1",
		"count B2→ L L7 1 CT-1",
		"count B2→ B  0 CT-1",
	}, "\n")
	if got := eventLines(d.events()); got != want {
		t.Errorf("events:\n%s\nwant:\n%s", got, want)
	}
	for _, e := range d.events() {
		if e.SeenPosition != 4 { // the snapshot's
			t.Errorf("count %s %s: ledger position seen %d, want 4", e.SKU, e.Lot, e.SeenPosition)
		}
	}
	if d.fb.good == 0 || d.fb.bad == 0 {
		t.Errorf("sounds played: %+v", *d.fb)
	}
	d.wantStock("B2", "A", "", 47) // the server decides; the view waits
}

// TestFlowSupervisorPINAfterRestart: after a restart the app no longer
// holds the supervisor's PIN; the supervisor area asks for it (a wrong PIN
// refused on the device), then retries: without a server the queue says
// the scanner is offline.
func TestFlowSupervisorPINAfterRestart(t *testing.T) {
	d := newCountDevice(t)
	d.signIn("Sue", "4444")
	d.restart()
	test.Tap(screenAs[*homeScreen](t, d.u).supervisor)
	s := screenAs[*supervisorScreen](t, d.u)
	p := d.u.pin
	if p == nil {
		t.Fatalf("no PIN pad after a restart; queue says %q", s.disc.msg.Text)
	}
	p.entry.SetText("1234")
	p.submit()
	if d.u.pin != p || !strings.Contains(p.errMsg.Text, "Wrong PIN") {
		t.Fatalf("wrong PIN: pad %v, %q", d.u.pin == p, p.errMsg.Text)
	}
	for _, k := range "4444" {
		test.Tap(findIn(topDialog(t, d.w), string(k)))
	}
	test.Tap(p.ok)
	if d.u.pin != nil {
		t.Fatalf("PIN pad still open: %q", p.errMsg.Text)
	}
	if !d.app.HasPIN(t.Context()) {
		t.Error("the app does not hold the PIN after the pad")
	}
	if m := s.disc.msg.Text; !strings.Contains(m, "offline") || !strings.Contains(m, "Reload") {
		t.Errorf("queue without a server says %q", m)
	}
}
