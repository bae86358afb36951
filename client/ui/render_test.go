package ui

import (
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/driftless/driftless/client/app"
	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/syncproto"
)

// screenshots: `go test ./client/ui -run TestScreenshots -args -screenshots DIR`
// renders every main screen to DIR/<screen>-<size>-<variant>.png.
var screenshotDir = flag.String("screenshots", "", "render the main screens as PNG files into this directory")

var (
	handheld = fyne.NewSize(480, 800)
	laptop   = fyne.NewSize(1280, 800)
)

// newTestUI builds the UI over st in a test window of the given size,
// synchronously (no goroutines) and with the fixed clock.
func newTestUI(t testing.TB, st State, size fyne.Size, dark bool) (*UI, fyne.Window) {
	t.Helper()
	test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(size)
	u := newUI(st, w, Options{Now: func() time.Time { return fixedNow }, Dark: dark, NoWatch: true})
	return u, w
}

// newUI is New with the enrollment made synchronous.
func newUI(st State, w fyne.Window, opts Options) *UI {
	opts.syncAsync = true
	return New(st, w, opts)
}

// scene is one screen in a given state, for goldens and screenshots.
type scene struct {
	name string
	// state builds the fake state; go drives the UI to the screen.
	state func() *fakeState
	goTo  func(t testing.TB, u *UI, w fyne.Window)
}

func signedIn(user int) func() *fakeState {
	return func() *fakeState {
		f := newFakeState()
		u := fakeUsers[user]
		f.user = &u
		return f
	}
}

var scenes = []scene{
	{name: "setup", state: func() *fakeState { f := newFakeState(); f.enrolled = false; return f },
		goTo: func(t testing.TB, u *UI, w fyne.Window) {
			s := u.screen.(*setupScreen)
			s.server.SetText("10.0.0.5:8080")
			s.code.SetText("K7Q4-M2XP")
		}},
	{name: "setup-progress", state: func() *fakeState {
		f := newFakeState()
		f.enrolled = false
		return f
	},
		goTo: func(t testing.TB, u *UI, w fyne.Window) {
			s := u.screen.(*setupScreen)
			s.server.SetText("10.0.0.5:8080")
			s.code.SetText("K7Q4-M2XP")
			u.async = func(func()) {} // the enrollment stays under way
			test.Tap(s.connect)
			s.step(app.EnrollProgress{Done: 1840, Total: 4200})
		}},
	{name: "signin", state: newFakeState, goTo: func(testing.TB, *UI, fyne.Window) {}},
	{name: "pin", state: newFakeState, goTo: func(t testing.TB, u *UI, w fyne.Window) {
		test.Tap(userButton(t, u, "Ana Lima"))
		s := u.screen.(*pinScreen)
		s.key("4")
		s.key("2")
		s.key("OK")
		s.key("7")
	}},
	{name: "home", state: signedIn(0), goTo: func(testing.TB, *UI, fyne.Window) {}},
	{name: "home-picker", state: signedIn(2), goTo: func(testing.TB, *UI, fyne.Window) {}},
	{name: "receive-choose", state: signedIn(0), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		test.Tap(u.screen.(*homeScreen).receive)
	}},
	{name: "receiving-good", state: signedIn(0), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		openReceipt(t, u, w)
		scan(t, w, "CHAIR")
	}},
	{name: "receiving-warn", state: signedIn(0), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		openReceipt(t, u, w)
		scan(t, w, "LAMP")
	}},
	{name: "receiving-bad", state: signedIn(0), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		openReceipt(t, u, w)
		scan(t, w, "4006381333931")
	}},
	{name: "receiving-blind", state: func() *fakeState {
		f := signedIn(0)()
		f.receipt = newFakeReceipt(true)
		return f
	}, goTo: func(t testing.TB, u *UI, w fyne.Window) { scan(t, w, "CHAIR") }},
	{name: "summary", state: signedIn(0), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		openReceipt(t, u, w)
		test.Tap(u.screen.(*receiptScreen).finish)
	}},
	{name: "putaway", state: signedIn(0), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		test.Tap(u.screen.(*homeScreen).putaway)
		scan(t, w, "LAMP")
	}},
	{name: "returns", state: signedIn(0), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		test.Tap(u.screen.(*homeScreen).returns)
		s := u.screen.(*returnsScreen)
		w.Canvas().Focus(s.ref)
		scan(t, w, "RMA-2291") // the reference field hands the focus back
		scan(t, w, "CHAIR")
	}},
	{name: "attention", state: signedIn(0), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		test.Tap(u.status)
	}},
	{name: "attention-cancelled", state: func() *fakeState {
		f := signedIn(2)()
		f.attn = append(f.attn, store.EventOutcome{
			Event:      syncproto.Event{ID: "ev-9", Kind: "pick", SKU: "LAMP-BRASS", Lot: "L2403", Qty: 6, From: "A-02-01", User: "pat", Ref: "SO-5531"},
			Outcome:    syncproto.Outcome{ID: "ev-9", Status: syncproto.StatusCancelled, Reason: "cancelled by sam: goods not there"},
			RecordedAt: fixedNow.Add(-65 * time.Minute),
		})
		f.status.Attention = 2
		return f
	}, goTo: func(t testing.TB, u *UI, w fyne.Window) { test.Tap(u.status) }},
	{name: "home-supervisor", state: signedIn(1), goTo: func(testing.TB, *UI, fyne.Window) {}},
	{name: "pick-lists", state: signedIn(2), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		test.Tap(u.screen.(*homeScreen).pick)
	}},
	{name: "picking", state: signedIn(2), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		openPickList(t, u, w)
		scan(t, w, "LOC-A-02-01")
		scan(t, w, "LAMP")
	}},
	{name: "picking-wrong-bin", state: signedIn(2), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		openPickList(t, u, w)
		scan(t, w, "LOC-A-02-04")
	}},
	{name: "move", state: signedIn(0), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		test.Tap(u.screen.(*homeScreen).move)
		scan(t, w, "LOC-A-01-03")
		scan(t, w, "CHAIR")
	}},
	{name: "transfers", state: signedIn(0), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		test.Tap(u.screen.(*homeScreen).transfers)
	}},
	{name: "transfer-receive", state: signedIn(0), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		test.Tap(u.screen.(*homeScreen).transfers)
		test.Tap(findButton(u.screen.(*transfersScreen).list, "Receive"))
		scan(t, w, "CHAIR")
	}},
	{name: "supervisor", state: signedIn(1), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		test.Tap(u.screen.(*homeScreen).supervisor)
		test.Tap(u.screen.(*supervisorScreen).tabs[tabParked])
	}},
	{name: "count-tasks", state: signedIn(0), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		test.Tap(u.screen.(*homeScreen).count)
	}},
	{name: "counting", state: signedIn(0), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		openCount(t, u, w)
		scan(t, w, "LOC-A-01-03")
		scan(t, w, "CHAIR")
		scan(t, w, "LAMP")
		scan(t, w, "LAMP")
	}},
	{name: "counting-wrong-bin", state: signedIn(0), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		openCount(t, u, w)
		scan(t, w, "LOC-A-01-04")
	}},
	{name: "count-finish", state: signedIn(0), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		openCount(t, u, w)
		scan(t, w, "LOC-A-01-03")
		scan(t, w, "CHAIR")
		scan(t, w, "LAMP")
		test.Tap(u.screen.(*countScreen).finish)
	}},
	{name: "discrepancies", state: signedIn(1), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		test.Tap(u.screen.(*homeScreen).supervisor)
	}},
	{name: "discrepancy-approve", state: signedIn(1), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		test.Tap(u.screen.(*homeScreen).supervisor)
		p := u.screen.(*supervisorScreen).disc
		test.Tap(findIn(p.list, "Approve…"))
		test.Tap(findIn(topDialog(t, w), "Miscount"))
	}},
	{name: "discrepancy-recount", state: signedIn(1), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		test.Tap(u.screen.(*homeScreen).supervisor)
		p := u.screen.(*supervisorScreen).disc
		test.Tap(findIn(p.list, "Recount…"))
		test.Tap(findIn(topDialog(t, w), "Lee Chen"))
	}},
	{name: "supervisor-pin", state: func() *fakeState {
		f := signedIn(1)()
		f.pinNeeded = true
		return f
	}, goTo: func(t testing.TB, u *UI, w fyne.Window) {
		test.Tap(u.screen.(*homeScreen).supervisor)
		u.pin.key("1")
		u.pin.key("1")
	}},
	{name: "accuracy", state: signedIn(1), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		test.Tap(u.screen.(*homeScreen).supervisor)
		test.Tap(u.screen.(*supervisorScreen).tabs[tabAccuracy])
	}},
	{name: "alerts", state: signedIn(1), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		test.Tap(u.screen.(*homeScreen).lowStock)
	}},
	{name: "po-drafts", state: signedIn(1), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		openTab(t, u, tabReplenishment)
	}},
	{name: "usage-chart", state: signedIn(1), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		s := openTab(t, u, tabReports).rep
		s.key.SetText("LAMP-BRASS")
		test.Tap(s.run)
	}},
	{name: "report-loading", state: signedIn(1), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		s := openTab(t, u, tabReports).rep
		s.kind.SetSelected("Turnover & cover")
		u.async = func(func()) {} // the report stays under way
		test.Tap(s.run)
		s.progress.SetValue(0.6)
	}},
	{name: "report-table", state: signedIn(1), goTo: func(t testing.TB, u *UI, w fyne.Window) {
		s := openTab(t, u, tabReports).rep
		s.kind.SetSelected("Turnover & cover")
		test.Tap(s.run)
	}},
}

// openTab goes from home to a tab of the supervisor area.
func openTab(t testing.TB, u *UI, tab int) *supervisorScreen {
	t.Helper()
	test.Tap(u.screen.(*homeScreen).supervisor)
	s := screenAs[*supervisorScreen](t, u)
	test.Tap(s.tabs[tab])
	return s
}

// openCount goes from home to count task CT-000042 by choosing it.
func openCount(t testing.TB, u *UI, w fyne.Window) {
	t.Helper()
	test.Tap(u.screen.(*homeScreen).count)
	ts, ok := u.screen.(*countTasksScreen)
	if !ok {
		t.Fatalf("after Count the screen is %T", u.screen)
	}
	ts.open("CT-000042")
	if _, ok := u.screen.(*countScreen); !ok {
		t.Fatalf("after choosing the task the screen is %T", u.screen)
	}
}

// openPickList goes from home to PL-000123 by choosing it.
func openPickList(t testing.TB, u *UI, w fyne.Window) {
	t.Helper()
	test.Tap(u.screen.(*homeScreen).pick)
	ls, ok := u.screen.(*pickListsScreen)
	if !ok {
		t.Fatalf("after Pick the screen is %T", u.screen)
	}
	ls.open("PL-000123")
	if _, ok := u.screen.(*pickScreen); !ok {
		t.Fatalf("after choosing the list the screen is %T", u.screen)
	}
}

// render builds a scene at a size and returns the window's image.
func (sc scene) render(t testing.TB, size fyne.Size, dark bool) image.Image {
	u, w := newTestUI(t, sc.state(), size, dark)
	sc.goTo(t, u, w)
	return w.Canvas().Capture()
}

// goldens are the scenes kept in testdata, with the sizes and variants
// that are compared on every run.
var goldens = []struct {
	scene string
	size  fyne.Size
	dark  bool
}{
	{"setup", handheld, false}, {"setup", laptop, false},
	{"signin", handheld, false}, {"signin", laptop, false},
	{"pin", handheld, false},
	{"home", handheld, false}, {"home", handheld, true}, {"home", laptop, false},
	{"receiving-good", handheld, false}, {"receiving-bad", handheld, true}, {"receiving-warn", laptop, false},
	{"receiving-blind", handheld, false},
	{"summary", handheld, false}, {"summary", laptop, true},
	{"putaway", handheld, false}, {"putaway", laptop, false},
	{"returns", handheld, false}, {"returns", laptop, true},
	{"picking", handheld, false}, {"picking", laptop, false},
	{"picking-wrong-bin", handheld, true},
	{"move", handheld, false},
	{"supervisor", handheld, false},
	{"counting", handheld, false},
	{"discrepancies", handheld, false}, {"discrepancies", laptop, false},
	{"accuracy", laptop, false},
	{"alerts", handheld, false}, {"po-drafts", laptop, false}, {"usage-chart", laptop, false},
	{"report-table", handheld, false},
}

func sceneNamed(t testing.TB, name string) scene {
	for _, sc := range scenes {
		if sc.name == name {
			return sc
		}
	}
	t.Fatalf("no scene %q", name)
	return scene{}
}

func fileName(name string, size fyne.Size, dark bool) string {
	variant := "light"
	if dark {
		variant = "dark"
	}
	form := "handheld"
	if size == laptop {
		form = "laptop"
	}
	return name + "-" + form + "-" + variant + ".png"
}

func TestGoldenRenders(t *testing.T) {
	for _, g := range goldens {
		name := fileName(g.scene, g.size, g.dark)
		t.Run(name, func(t *testing.T) {
			img := sceneNamed(t, g.scene).render(t, g.size, g.dark)
			test.AssertImageMatches(t, name, img)
		})
	}
}

// TestScreenshots writes every scene at both sizes, light and dark, when
// -screenshots DIR is given.
func TestScreenshots(t *testing.T) {
	if *screenshotDir == "" {
		t.Skip("no -screenshots DIR")
	}
	if err := os.MkdirAll(*screenshotDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, sc := range scenes {
		for _, size := range []fyne.Size{handheld, laptop} {
			for _, dark := range []bool{false, true} {
				img := sc.render(t, size, dark)
				path := filepath.Join(*screenshotDir, fileName(sc.name, size, dark))
				f, err := os.Create(path)
				if err != nil {
					t.Fatal(err)
				}
				if err := png.Encode(f, img); err != nil {
					t.Fatal(err)
				}
				if err := f.Close(); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// userButton finds a user's button on the sign-in screen.
func userButton(t testing.TB, u *UI, name string) *widget.Button {
	t.Helper()
	s, ok := u.screen.(*signInScreen)
	if !ok {
		t.Fatalf("screen is %T, not sign-in", u.screen)
	}
	for _, o := range s.users.Objects {
		if b := findButton(o, name); b != nil {
			return b
		}
	}
	t.Fatalf("no user button %q", name)
	return nil
}

// findButton finds a button by its text under o.
func findButton(o fyne.CanvasObject, text string) *widget.Button {
	switch o := o.(type) {
	case *widget.Button:
		if o.Text == text {
			return o
		}
	case *fyne.Container:
		for _, c := range o.Objects {
			if b := findButton(c, text); b != nil {
				return b
			}
		}
	}
	return nil
}

// openReceipt goes from home to the receipt of PO-1001, by scanning it.
func openReceipt(t testing.TB, u *UI, w fyne.Window) {
	t.Helper()
	test.Tap(u.screen.(*homeScreen).receive)
	scan(t, w, "PO-1001")
	if _, ok := u.screen.(*receiptScreen); !ok {
		t.Fatalf("after scanning the PO the screen is %T", u.screen)
	}
}

// scan types text into the focused widget, as a keyboard-wedge scanner
// does, and presses Enter. The focused widget must be a scan field.
func scan(t testing.TB, w fyne.Window, text string) {
	t.Helper()
	e, ok := w.Canvas().Focused().(*widget.Entry)
	if !ok {
		t.Fatalf("focus is on %T, not the scan field", w.Canvas().Focused())
	}
	test.Type(e, text)
	e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
}

// TestScenesFitHandheld: no screen needs more than a handheld's 480 points
// of width (a window asks the system for its content's minimum size, so a
// wider screen would run off a handheld's display).
func TestScenesFitHandheld(t *testing.T) {
	for _, sc := range scenes {
		for _, dark := range []bool{false, true} {
			u, w := newTestUI(t, sc.state(), handheld, dark)
			sc.goTo(t, u, w)
			if min := w.Content().MinSize(); min.Width > handheld.Width {
				t.Errorf("%s (dark %v) needs %.0f points of width, more than %.0f", sc.name, dark, min.Width, handheld.Width)
			}
		}
	}
}
