package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/driftless/driftless/client/app"
)

// TestCountScreens over the fake: the tasks (the counter's first, with
// reason and due date), a wrong bin refused, scans, Qty, a line typed,
// and Finish with its summary.
func TestCountScreens(t *testing.T) {
	f := signedIn(0)()
	u, w := newTestUI(t, f, handheld, false)
	h := screenAs[*homeScreen](t, u)
	if h.count.Disabled() {
		t.Fatal("Count disabled for a counter")
	}
	test.Tap(h.count)
	ts := screenAs[*countTasksScreen](t, u)
	rows := richTexts(ts.list)
	if len(rows) != 5 || !strings.HasPrefix(rows[0], "A-01-03 · CT-000042") || !strings.Contains(rows[0], "yours · short pick · due today") ||
		!strings.Contains(rows[1], "overdue since 2026-03-13") || !strings.Contains(rows[2], "C-02-04") {
		t.Fatalf("count tasks:\n%s", strings.Join(rows, "\n"))
	}
	if w.Canvas().Focused() != ts.scan.entry {
		t.Error("scan field not focused on the task list")
	}
	scan(t, w, "LOC-B-02-01") // scanning a task's bin opens it
	cs := screenAs[*countScreen](t, u)
	if cs.c.Task().ID != "CT-000045" {
		t.Fatalf("scanning B-02-01 opened %s", cs.c.Task().ID)
	}
	test.Tap(findIn(cs.root, "Tasks"))
	ts = screenAs[*countTasksScreen](t, u)
	test.Tap(findIn(ts.list, ""))
	cs = screenAs[*countScreen](t, u)
	if cs.c.Task().ID != "CT-000042" || !cs.qty.Disabled() || !cs.finish.Disabled() {
		t.Fatalf("task %s; Qty and Finish before the bin: %v %v", cs.c.Task().ID, cs.qty.Disabled(), cs.finish.Disabled())
	}
	if !strings.Contains(cs.card.String(), "A-01-03") {
		t.Errorf("card %q", cs.card.String())
	}

	scan(t, w, "LOC-A-01-04")
	if cs.fb.last.Level != app.Bad || cs.c.BinScanned() {
		t.Fatalf("wrong bin: %+v", cs.fb.last)
	}
	scan(t, w, "LAMP") // an item before the bin is a wrong bin too
	if cs.fb.last.Level != app.Bad || len(f.count.lines) != 0 {
		t.Fatalf("item before the bin: %+v", cs.fb.last)
	}
	scan(t, w, "LOC-A-01-03")
	if !cs.c.BinScanned() || cs.qty.Disabled() || !strings.Contains(cs.card.String(), "✓") {
		t.Fatal("bin scanned but the screen does not say so")
	}
	scan(t, w, "LAMP")
	test.Tap(cs.qty)
	tapKeys(t, w, "12")
	if cs.qty.Text != "Qty ×12" {
		t.Errorf("Qty button %q", cs.qty.Text)
	}
	scan(t, w, "CHAIR")
	if cs.qty.Text != "Qty" {
		t.Errorf("Qty button %q after the scan", cs.qty.Text)
	}
	lines := strings.Join(richTexts(cs.lines), "\n")
	if !strings.Contains(lines, "LAMP-BRASS · Brass desk lampLot L2403") || !strings.Contains(lines, "CHAIR-OAK") {
		t.Fatalf("lines:\n%s", lines)
	}
	if got := strings.Join(labelTexts(cs.lines), " "); got != "1 12" {
		t.Errorf("counted quantities %q", got)
	}

	// Tapping a line types its quantity.
	test.Tap(findIn(cs.lines, ""))
	tapKeys(t, w, "3")
	if f.count.lines[0].Qty != 3 || w.Canvas().Focused() != cs.scan.entry {
		t.Fatalf("line typed: %+v", f.count.lines)
	}

	test.Tap(cs.finish)
	if cs.confirm == nil {
		t.Fatal("Finish did not ask")
	}
	summary := strings.Join(widgetTexts(topDialog(t, w)), "\n")
	for _, want := range []string{"A-01-03: 2 lines, 15 units.", "3 × LAMP-BRASS · Brass desk lamp, lot L2403", "12 × CHAIR-OAK"} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	test.Tap(findIn(topDialog(t, w), "Back"))
	if f.count.finished {
		t.Fatal("finished after Back")
	}
	test.Tap(cs.finish)
	test.Tap(findIn(topDialog(t, w), "Finish"))
	if !f.count.finished {
		t.Fatal("not finished")
	}
	ts = screenAs[*countTasksScreen](t, u)
	if !ts.fb.shown || ts.fb.last.Title != "A-01-03 counted" {
		t.Errorf("after Finish: %+v", ts.fb.last)
	}
}

// TestCountResumes: home offers the count in progress, and a restart
// opens it.
func TestCountResumes(t *testing.T) {
	f := signedIn(0)()
	u, _ := newTestUI(t, f, handheld, false)
	test.Tap(screenAs[*homeScreen](t, u).count)
	screenAs[*countTasksScreen](t, u).open("CT-000045")
	test.Tap(findIn(screenAs[*countScreen](t, u).root, "Tasks"))
	test.Tap(findIn(screenAs[*countTasksScreen](t, u).root, "Home"))
	h := screenAs[*homeScreen](t, u)
	if !h.resumeCountRow.Visible() || h.resumeCount.Text != "Resume count of B-02-01" {
		t.Fatalf("resume: %v %q", h.resumeCountRow.Visible(), h.resumeCount.Text)
	}
	u2, _ := newTestUI(t, f, handheld, false)
	if s := screenAs[*countScreen](t, u2); s.c.Task().ID != "CT-000045" {
		t.Errorf("restart opened %s", s.c.Task().ID)
	}
}

// TestDiscrepancyDecisions: the queue with its evidence; Approve needs a
// reason code, Reject a reason, Recount another counter than the one who
// counted; each reaches the state and leaves the queue.
func TestDiscrepancyDecisions(t *testing.T) {
	f := signedIn(1)()
	u, w := newTestUI(t, f, laptop, false)
	test.Tap(screenAs[*homeScreen](t, u).supervisor)
	s := screenAs[*supervisorScreen](t, u).disc
	text := strings.Join(richTexts(s.list), "\n")
	for _, want := range []string{
		"A-02-01 · class A", "LAMP-BRASS · Brass desk lamp, lot L2403", "Counted 2 · expected 6 · variance −4",
		"Value at stake 184.00", "Counted by ana · 09:55", "• pick −4 by pat · 07:30", "• 12 Feb by sam: 8 (0, auto)",
		"variance +1", "• 15 Jan by lee: 3 (+1, rejected)", "No movements since the last good count.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("queue lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(s.msg.Text, "3 counts outside tolerance, 609.00 at stake") {
		t.Errorf("queue message %q", s.msg.Text)
	}

	// Approve: a reason code is required.
	test.Tap(findIn(s.list, "Approve…"))
	form := s.form
	if form == nil {
		t.Fatal("no approve form")
	}
	form.submit()
	if !form.errMsg.Visible() || len(f.countDecided) != 0 {
		t.Fatalf("approved without a reason code: %q %v", form.errMsg.Text, f.countDecided)
	}
	for _, r := range approveReasons {
		if findIn(topDialog(t, w), r.label) == nil {
			t.Errorf("no reason code %q", r.label)
		}
	}
	test.Tap(findIn(topDialog(t, w), "Unrecorded receipt"))
	test.Tap(form.ok)
	if s.form != nil || strings.Join(f.countDecided, ";") != "approve ev-120 unrecorded_receipt" {
		t.Fatalf("decisions %v (form open %v)", f.countDecided, s.form != nil)
	}
	if n := len(richTexts(s.list)); n != 2 {
		t.Fatalf("%d discrepancies left after the approval", n)
	}

	// Reject: a reason is required.
	test.Tap(findIn(s.list, "Reject…"))
	form = s.form
	if w.Canvas().Focused() != form.reason {
		t.Error("reject: focus not on the reason")
	}
	form.submit()
	if len(f.countDecided) != 1 {
		t.Fatal("rejected without a reason")
	}
	test.Type(form.reason, "wrong bin counted")
	form.reason.OnSubmitted(form.reason.Text)
	if got := f.countDecided[1]; got != "reject ev-131 wrong bin counted" {
		t.Fatalf("reject: %q", got)
	}

	// Recount: the counters offered are all but the one who counted (ana).
	test.Tap(findIn(s.list, "Recount…"))
	form = s.form
	var offered []string
	for _, b := range form.picks {
		offered = append(offered, b.Text)
	}
	if strings.Join(offered, ",") != "Lee Chen,Sam Okafor" {
		t.Fatalf("recount offers %v", offered)
	}
	form.submit()
	if len(f.countDecided) != 2 || !form.errMsg.Visible() {
		t.Fatal("recount sent without a counter")
	}
	test.Tap(findIn(topDialog(t, w), "Sam Okafor"))
	test.Tap(form.ok)
	if got := f.countDecided[2]; got != "recount ev-140 sam" {
		t.Fatalf("recount: %q", got)
	}
	if !strings.Contains(s.msg.Text, "No discrepancies") {
		t.Errorf("empty queue says %q", s.msg.Text)
	}
}

// TestSupervisorPINPrompt: when the app wants the PIN again, a PIN pad
// opens; a wrong PIN keeps it open, the right one retries the request; a
// decision that needs the PIN is retried after it too; cancelling the pad
// leaves the request failed with a message.
func TestSupervisorPINPrompt(t *testing.T) {
	f := signedIn(1)()
	f.pinNeeded = true
	u, w := newTestUI(t, f, handheld, false)
	test.Tap(screenAs[*homeScreen](t, u).supervisor)
	s := screenAs[*supervisorScreen](t, u).disc
	if u.pin == nil || len(s.list.Objects) != 0 {
		t.Fatal("no PIN pad for the queue")
	}
	if w.Canvas().Focused() != u.pin.entry {
		t.Error("PIN pad without the focus")
	}
	p := u.pin
	for _, k := range "9999" {
		test.Tap(findIn(topDialog(t, w), string(k)))
	}
	test.Tap(p.ok)
	if u.pin != p || !strings.Contains(p.errMsg.Text, "Wrong PIN") {
		t.Fatalf("wrong PIN: pad open %v, %q", u.pin == p, p.errMsg.Text)
	}
	for _, k := range "1111" {
		test.Tap(findIn(topDialog(t, w), string(k)))
	}
	test.Tap(p.ok)
	if u.pin != nil || len(s.list.Objects) != 3 {
		t.Fatalf("after the PIN: pad open %v, %d discrepancies", u.pin != nil, len(s.list.Objects))
	}
	if strings.Join(f.pinTries, ",") != "9999,1111" {
		t.Errorf("PINs tried %v", f.pinTries)
	}

	// The PIN is wanted again (the app restarted meanwhile): the
	// approval asks for it and goes through.
	f.pinNeeded = true
	test.Tap(findIn(s.list, "Approve…"))
	test.Tap(findIn(topDialog(t, w), "Miscount"))
	test.Tap(s.form.ok)
	if u.pin == nil || len(f.countDecided) != 0 {
		t.Fatal("approval without the PIN")
	}
	u.pin.entry.SetText("1111")
	u.pin.entry.OnSubmitted("1111")
	if strings.Join(f.countDecided, ";") != "approve ev-120 miscount" || s.form != nil {
		t.Fatalf("after the PIN: %v", f.countDecided)
	}

	// Cancelled: the queue says why it is empty.
	f.pinNeeded = true
	test.Tap(findIn(screenAs[*supervisorScreen](t, u).root, "Reload"))
	test.Tap(findIn(topDialog(t, w), "Cancel"))
	if u.pin != nil || !strings.Contains(s.msg.Text, "Enter your PIN again") {
		t.Errorf("cancelled PIN: pad %v, message %q", u.pin != nil, s.msg.Text)
	}
}

// TestSupervisorOffline: every tab says the scanner is offline and what
// to do; Reload lists them once it is back.
func TestSupervisorOffline(t *testing.T) {
	f := signedIn(1)()
	f.discErr = &app.Error{Code: "server_unreachable", Message: "Cannot reach the server"}
	u, _ := newTestUI(t, f, handheld, false)
	test.Tap(screenAs[*homeScreen](t, u).supervisor)
	area := screenAs[*supervisorScreen](t, u)
	if m := area.disc.msg.Text; !strings.Contains(m, "offline") || !strings.Contains(m, "Reload") || len(area.disc.list.Objects) != 0 {
		t.Errorf("offline discrepancies: %q", m)
	}
	test.Tap(area.tabs[tabAccuracy])
	if m := area.acc.msg.Text; !strings.Contains(m, "offline") || len(area.acc.chart.pts) != 0 {
		t.Errorf("offline accuracy: %q", m)
	}
	f.discErr = nil
	f.status.Online = true
	test.Tap(findIn(area.root, "Reload"))
	if len(area.acc.chart.pts) != 12 || strings.Contains(area.acc.msg.Text, "offline") {
		t.Errorf("after Reload: %d points, %q", len(area.acc.chart.pts), area.acc.msg.Text)
	}
	test.Tap(area.tabs[tabDiscrepancies])
	if len(area.disc.list.Objects) != 3 {
		t.Errorf("after going online: %d discrepancies", len(area.disc.list.Objects))
	}
}

// TestAccuracyChart: twelve weeks charted with a legend, the figures in a
// table, and the class and counter filters passed on.
func TestAccuracyChart(t *testing.T) {
	f := signedIn(1)()
	u, _ := newTestUI(t, f, laptop, false)
	test.Tap(screenAs[*homeScreen](t, u).supervisor)
	area := screenAs[*supervisorScreen](t, u)
	test.Tap(area.tabs[tabAccuracy])
	a := area.acc
	r := test.WidgetRenderer(a.chart).(*chartRenderer)
	var texts []string
	for _, tx := range append(r.xLabels, r.yLabels...) {
		texts = append(texts, tx.Text)
	}
	all := strings.Join(texts, " ")
	if len(r.xLabels) != 12 || !strings.Contains(all, "W11 '26") || !strings.Contains(all, "100%") || !strings.Contains(all, "80%") {
		t.Errorf("chart labels: %s", all)
	}
	if table := a.table.String(); !strings.Contains(table, "W11 '26     23  95.0%  98.0%  99.2%") {
		t.Errorf("table:\n%s", table)
	}
	a.class.SetSelected("Class B")
	a.counter.SetSelected("Lee Chen")
	if got := f.accuracyCalls[len(f.accuracyCalls)-1]; got != "B lee 12" {
		t.Errorf("filtered call %q (calls %v)", got, f.accuracyCalls)
	}
}

// tapKeys answers the open quantity keypad and taps Set.
func tapKeys(t testing.TB, w fyne.Window, keys string) {
	t.Helper()
	dlg := topDialog(t, w)
	for _, k := range keys {
		test.Tap(findIn(dlg, string(k)))
	}
	test.Tap(findIn(dlg, "Set"))
}

// widgetTexts returns every text under o: labels, rich texts, buttons,
// entries, canvas texts, widgets' renderers included. Nothing a screen
// shows escapes it.
func widgetTexts(o fyne.CanvasObject) []string {
	var out []string
	switch o := o.(type) {
	case *widget.Label:
		return []string{o.Text}
	case *widget.RichText:
		return []string{o.String()}
	case *widget.Button:
		return []string{o.Text}
	case *widget.Entry:
		return []string{o.Text, o.PlaceHolder}
	case *canvas.Text:
		return []string{o.Text}
	case *fyne.Container:
		for _, c := range o.Objects {
			out = append(out, widgetTexts(c)...)
		}
		return out
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(o).Objects() {
			out = append(out, widgetTexts(c)...)
		}
	}
	return out
}
