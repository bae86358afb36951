package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/driftless/driftless/client/app"
	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/syncproto"
)

// TestSupervisorQueue: the queue shows each parked event with its
// evidence; Accept and Cancel need a reason and reach the state with it;
// the list empties as events are decided.
func TestSupervisorQueue(t *testing.T) {
	f := signedIn(1)()
	u, w := newTestUI(t, f, handheld, false)
	h := screenAs[*homeScreen](t, u)
	if !h.supervisorCell.Visible() {
		t.Fatal("supervisor's home has no parked queue")
	}
	test.Tap(h.supervisor)
	test.Tap(screenAs[*supervisorScreen](t, u).tabs[tabParked])
	s := screenAs[*supervisorScreen](t, u).parked
	text := strings.Join(richTexts(s.list), "\n")
	for _, want := range []string{
		"pick 6 × LAMP-BRASS lot L2403 at A-02-01", "insufficient stock: A-02-01 held 2 of the 6",
		"By pat on HH-07 · 09:40", "Stock there now: 2", "• pick 4 by ana on HH-03 · 09:32",
		"move 3 × CHAIR-OAK at A-01-03", "• move 1 by sam on HH-03 · 10:01",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("queue lacks %q:\n%s", want, text)
		}
	}

	// Accept without a reason is refused by the form.
	test.Tap(findIn(s.list, "Accept…"))
	form := s.decision
	if form == nil || w.Canvas().Focused() != form.reason {
		t.Fatal("no decision form with the focus on its reason")
	}
	form.submit()
	if form.errMsg.Text == "" || len(f.decisions) != 0 {
		t.Fatalf("accepted without a reason: %q %v", form.errMsg.Text, f.decisions)
	}
	test.Tap(findIn(topDialog(t, w), "stock found in the bin"))
	form.submit()
	if s.decision != nil || len(f.decisions) != 1 || f.decisions[0] != "accept ev-77 stock found in the bin" {
		t.Fatalf("decisions %v (form open %v)", f.decisions, s.decision != nil)
	}
	if n := len(richTexts(s.list)); n != 1 {
		t.Fatalf("%d events left after the accept", n)
	}

	test.Tap(findIn(s.list, "Cancel…"))
	test.Type(s.decision.reason, "goods were never there")
	s.decision.reason.OnSubmitted(s.decision.reason.Text)
	if len(f.decisions) != 2 || f.decisions[1] != "cancel ev-81 goods were never there" {
		t.Fatalf("decisions %v", f.decisions)
	}
	if !strings.Contains(s.msg.Text, "Nothing is parked") {
		t.Errorf("empty queue says %q", s.msg.Text)
	}
}

// TestSupervisorQueueOffline: without the server the queue says so and
// what to do; a decision that fails keeps the form open with the error.
func TestSupervisorQueueOffline(t *testing.T) {
	f := signedIn(1)()
	f.parkedErr = &app.Error{Code: "server_unreachable", Message: "Cannot reach the server"}
	u, _ := newTestUI(t, f, handheld, false)
	test.Tap(screenAs[*homeScreen](t, u).supervisor)
	area := screenAs[*supervisorScreen](t, u)
	test.Tap(area.tabs[tabParked])
	s := area.parked
	if !strings.Contains(s.msg.Text, "offline") || !strings.Contains(s.msg.Text, "Cannot reach the server") || len(s.list.Objects) != 0 {
		t.Errorf("offline queue: %q, %d rows", s.msg.Text, len(s.list.Objects))
	}

	// Back online, the reload lists the queue; a decision that fails on
	// the way shows the error in the form.
	f.parkedErr = nil
	test.Tap(findIn(area.root, "Reload"))
	if len(s.list.Objects) != 2 {
		t.Fatalf("%d rows after the reload", len(s.list.Objects))
	}
	test.Tap(findIn(s.list, "Cancel…"))
	f.parkedErr = &app.Error{Code: "server_unreachable", Message: "Cannot reach the server"}
	s.decision.reason.SetText("scanned twice")
	s.decision.submit()
	if s.decision == nil || !strings.Contains(s.decision.errMsg.Text, "Cannot reach the server") {
		t.Fatal("failed decision did not keep the form with its error")
	}
}

// TestPickerScreens over the fake: the list, Next list offline, a task
// with a wrong bin and a wrong item, Finish with tasks left asks first.
func TestPickerScreens(t *testing.T) {
	f := signedIn(2)()
	u, w := newTestUI(t, f, handheld, false)
	h := screenAs[*homeScreen](t, u)
	if h.pick.Importance != widget.HighImportance || h.supervisorCell.Visible() || h.resumePickRow.Visible() {
		t.Errorf("picker's home: Pick importance %v, supervisor %v, resume %v", h.pick.Importance, h.supervisorCell.Visible(), h.resumePickRow.Visible())
	}
	test.Tap(h.pick)
	ls := screenAs[*pickListsScreen](t, u)
	test.Tap(ls.next)
	if !ls.fb.shown || ls.fb.last.Level != app.Bad || !strings.Contains(ls.fb.last.Detail, "offline") {
		t.Errorf("Next list offline: %+v", ls.fb.last)
	}
	test.Tap(findIn(ls.list, ""))
	ps := screenAs[*pickScreen](t, u)
	if w.Canvas().Focused() != ps.scan.entry {
		t.Error("scan field not focused on the task")
	}
	scan(t, w, "LOC-A-02-04")
	if ps.fb.last.Level != app.Bad || ps.st.Step != app.PickScanBin {
		t.Fatalf("wrong bin: %+v, step %v", ps.fb.last, ps.st.Step)
	}
	scan(t, w, "A-02-01")
	scan(t, w, "CHAIR")
	if ps.fb.last.Level != app.Bad || ps.fb.last.Title != "Wrong item" {
		t.Fatalf("wrong item: %+v", ps.fb.last)
	}
	if ps.scan.entry.PlaceHolder != "Scan LAMP-BRASS" {
		t.Errorf("placeholder at the item step: %q", ps.scan.entry.PlaceHolder)
	}

	// Home offers to resume the list; Pick goes back to it.
	test.Tap(findIn(ps.root, "Lists"))
	test.Tap(findIn(screenAs[*pickListsScreen](t, u).root, "Home"))
	h = screenAs[*homeScreen](t, u)
	if !h.resumePickRow.Visible() || h.resumePick.Text != "Resume pick list PL-000123" {
		t.Errorf("resume: %v %q", h.resumePickRow.Visible(), h.resumePick.Text)
	}
	test.Tap(h.resumePick)
	ps = screenAs[*pickScreen](t, u)

	test.Tap(ps.finish)
	if ps.confirm == nil {
		t.Fatal("Finish with open tasks did not ask")
	}
	test.Tap(findIn(topDialog(t, w), "No"))
	if f.picking.finished {
		t.Fatal("finished after No")
	}
	test.Tap(ps.finish)
	test.Tap(findIn(topDialog(t, w), "Yes"))
	if !f.picking.finished {
		t.Fatal("not finished after Yes")
	}
	screenAs[*pickListsScreen](t, u)
}

// TestAttentionShowsCancelled: a supervisor's cancellation shows on the
// attention list with its reason.
func TestAttentionShowsCancelled(t *testing.T) {
	f := signedIn(2)()
	f.attn = append(f.attn, store.EventOutcome{
		Event:      syncproto.Event{ID: "ev-9", Kind: "pick", SKU: "LAMP-BRASS", Qty: 6, From: "A-02-01", User: "pat"},
		Outcome:    syncproto.Outcome{ID: "ev-9", Status: syncproto.StatusCancelled, Reason: "cancelled by sam: goods not there"},
		RecordedAt: fixedNow.Add(-2 * time.Hour),
	})
	u, _ := newTestUI(t, f, handheld, false)
	test.Tap(u.status)
	s := screenAs[*attentionScreen](t, u)
	text := strings.Join(labelTexts(s.list), "\n")
	if !strings.Contains(text, "Cancelled: pick 6 × LAMP-BRASS from A-02-01") || !strings.Contains(text, "cancelled by sam: goods not there") {
		t.Errorf("attention list:\n%s", text)
	}
}

// TestNextListAsksForPIN: after a restart the app holds no PIN, and the
// server wants it for the next list: the PIN pad asks, then the request
// is retried.
func TestNextListAsksForPIN(t *testing.T) {
	f := signedIn(2)()
	f.status.Online = true
	f.pinNeeded = true
	u, w := newTestUI(t, f, handheld, false)
	test.Tap(screenAs[*homeScreen](t, u).pick)
	ls := screenAs[*pickListsScreen](t, u)
	test.Tap(ls.next)
	if u.pin == nil {
		t.Fatalf("no PIN pad for the next list: %+v", ls.fb.last)
	}
	for _, k := range "1111" {
		test.Tap(findIn(topDialog(t, w), string(k)))
	}
	test.Tap(u.pin.ok)
	if u.pin != nil {
		t.Fatal("PIN pad still open after the right PIN")
	}
	// The retried request got the server's next list (PL-000124, which
	// this fake cannot open).
	if !strings.Contains(ls.fb.last.Title, "PL-000124") {
		t.Fatalf("after the PIN: %T, feedback %+v", u.screen, ls.fb.last)
	}
}
