package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/driftless/driftless/client/app"
)

// TestSetup: empty fields and a refused code are errors the clerk can act
// on; a good code shows the snapshot's progress, then the sign-in screen.
func TestSetup(t *testing.T) {
	f := newFakeState()
	f.enrolled = false
	var progress []app.EnrollProgress
	f.enrollFn = func(server, code string, report func(app.EnrollProgress)) error {
		if code != "K7Q4-M2XP" {
			return app.ErrEnrollmentInvalid
		}
		if server != "10.0.0.5:8080" {
			return errors.New("dial tcp 10.0.0.9:8080: connect: connection refused")
		}
		for _, p := range []app.EnrollProgress{{Done: 0}, {Done: 100, Total: 200}, {Done: 200, Total: 200}} {
			report(p)
			progress = append(progress, p)
		}
		f.enrolled = true
		return nil
	}
	u, w := newTestUI(t, f, handheld, false)
	s := screenAs[*setupScreen](t, u)
	if w.Canvas().Focused() != s.server {
		t.Errorf("focus on %T, not the server field", w.Canvas().Focused())
	}
	if u.status.pillText.Text != "NOT SET UP" || u.status.attention.Text != "" {
		t.Errorf("status bar before set-up: %q %q", u.status.pillText.Text, u.status.attention.Text)
	}
	test.Tap(s.connect)
	if !strings.Contains(s.errMsg.Text, "server's address") {
		t.Errorf("no server: %q", s.errMsg.Text)
	}
	test.Type(s.server, "10.0.0.9:8080")
	s.server.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if w.Canvas().Focused() != s.code {
		t.Error("Enter in the server field does not move to the code")
	}
	test.Type(s.code, "nope")
	s.code.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if !strings.Contains(s.errMsg.Text, "wrong, used or expired") || s.progress.Visible() {
		t.Errorf("refused code: %q, progress visible %v", s.errMsg.Text, s.progress.Visible())
	}
	s.code.SetText("k7q4-m2xp") // typed in lower case
	test.Tap(s.connect)
	if !strings.Contains(s.errMsg.Text, "Cannot reach the server") {
		t.Errorf("unreachable: %q", s.errMsg.Text)
	}
	s.server.SetText(" 10.0.0.5:8080 ")
	test.Tap(s.connect)
	if len(progress) != 3 {
		t.Fatalf("progress %v", progress)
	}
	if s.progress.Value != 200 || s.progress.Max != 200 {
		t.Errorf("progress bar at %v of %v", s.progress.Value, s.progress.Max)
	}
	screenAs[*signInScreen](t, u)
}

// TestStatusBarAndAttention: the status bar shows the sync state; tapping
// it lists the parked event, which Dismiss removes, and Back returns to
// the screen it came from.
func TestStatusBarAndAttention(t *testing.T) {
	f := newFakeState()
	u, _ := newTestUI(t, f, handheld, false)
	b := u.status
	if b.pillText.Text != "OFFLINE" || b.unsynced.Text != "7 unsynced · oldest 12 min" ||
		b.lastSync.Text != "server unreachable" || b.attention.Text != "⚠ 1 need attention ›" {
		t.Errorf("status bar: %q %q %q %q", b.pillText.Text, b.unsynced.Text, b.lastSync.Text, b.attention.Text)
	}
	f.status = app.SyncStatus{Online: true, LastSync: fixedNow.Add(-time.Minute)}
	u.Refresh()
	if b.pillText.Text != "ONLINE" || b.unsynced.Text != "All scans synced" || b.lastSync.Text != "Last sync 10:29" || b.attention.Text != "" {
		t.Errorf("status bar online: %q %q %q %q", b.pillText.Text, b.unsynced.Text, b.lastSync.Text, b.attention.Text)
	}
	f.status.Attention = 1

	screenAs[*signInScreen](t, u)
	test.Tap(b)
	a := screenAs[*attentionScreen](t, u)
	dismiss := findIn(a.list, "Dismiss")
	if dismiss == nil {
		t.Fatal("no Dismiss button")
	}
	test.Tap(dismiss)
	if findIn(a.list, "Dismiss") != nil || !strings.Contains(a.msg.Text, "Nothing needs attention") {
		t.Errorf("after Dismiss: %q", a.msg.Text)
	}
	if f.attn[0].DismissedAt.IsZero() {
		t.Error("event not dismissed in the state")
	}
	test.Tap(findIn(a.root, "Back"))
	screenAs[*signInScreen](t, u)
}

// TestWatchRefreshes: a change signalled by the state reaches the status
// bar through fyne.Do.
func TestWatchRefreshes(t *testing.T) {
	f := &watchedState{fakeState: newFakeState(), ch: make(chan struct{})}
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	u := New(f, w, Options{Now: func() time.Time { return fixedNow }})
	f.status.Online, f.status.Problem = true, ""
	f.ch <- struct{}{} // the watcher refreshes
	close(f.ch)
	<-u.watched // and has returned
	if text := u.status.pillText.Text; text != "ONLINE" {
		t.Fatalf("status bar says %q", text)
	}
}

// watchedState signals changes.
type watchedState struct {
	*fakeState
	ch chan struct{}
}

func (w *watchedState) Changed() <-chan struct{} { return w.ch }

// TestPickerHome: without the receiver or supervisor role the workflows
// are disabled, with the reason.
func TestPickerHome(t *testing.T) {
	u, _ := newTestUI(t, signedIn(2)(), handheld, false)
	h := screenAs[*homeScreen](t, u)
	if !h.receive.Disabled() || !h.putaway.Disabled() || !h.returns.Disabled() || h.signOut.Disabled() {
		t.Error("picker's home: workflows enabled")
	}
}

// TestResumeOpensReceipt: a signed-in user with an open receipt starts on
// it, and home offers to resume it.
func TestResumeOpensReceipt(t *testing.T) {
	f := signedIn(0)()
	f.receipt = newFakeReceipt(false)
	u, w := newTestUI(t, f, handheld, false)
	rs := screenAs[*receiptScreen](t, u)
	if w.Canvas().Focused() != rs.scan.entry {
		t.Error("scan field not focused on start")
	}
	test.Tap(findIn(rs.root, "Home"))
	if h := screenAs[*homeScreen](t, u); h.resumeReceipt.Text != "Resume receipt PO-1001" || !h.resumeReceiptRow.Visible() {
		t.Errorf("home's resume button: %q (visible %v)", h.resumeReceipt.Text, h.resumeReceiptRow.Visible())
	}
}
