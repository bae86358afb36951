package ui

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"

	"github.com/driftless/driftless/client/app"
	"github.com/driftless/driftless/client/scan/camera"
	"github.com/driftless/driftless/client/scan/decode"
)

// FeedbackSink plays the sound and vibration of a scan result. Its methods
// are called on the UI goroutine and must return quickly.
type FeedbackSink interface {
	Good()
	Warn()
	Bad()
}

// Options configure the screens. Zero values have usable defaults.
type Options struct {
	// Feedback plays sounds and vibrations (nil: silent).
	Feedback FeedbackSink
	// Dark selects the dark variant of the handheld theme.
	Dark bool
	// Camera opens the camera; the camera button is shown only when it is
	// set.
	Camera func() (camera.Source, error)
	// DecodeFile reads a barcode from an image file and returns the scan
	// text (AIM symbology identifier included). Nil: client/scan/decode.
	// "Scan from image file" is offered on desktops only.
	DecodeFile func(path string) (string, error)
	// Now is the clock of the status bar and of screen texts.
	Now func() time.Time
	// Log receives errors the user only sees summarised (nil: discarded).
	Log *slog.Logger
	// NoWatch: do not start the goroutine that follows state.Changed();
	// call Refresh instead. Tests use it to keep to one goroutine.
	NoWatch bool
	// SetupServer and SetupCode fill in the set-up screen.
	SetupServer, SetupCode string

	syncAsync bool // tests: run enrollment on the calling goroutine
}

// screen is one page of the app below the status bar.
type screen interface {
	content() fyne.CanvasObject
	// refresh re-reads the state (after a change from elsewhere).
	refresh()
	// focus puts the keyboard focus where it belongs (the scan field).
	focus()
}

// UI is the handheld's window content: a sync status bar over one screen
// at a time.
type UI struct {
	state State
	win   fyne.Window
	opts  Options
	theme fyne.Theme
	ctx   context.Context

	status *statusBar
	body   *fyne.Container
	screen screen

	// async runs slow work (enrollment) off the UI goroutine; tests make it
	// synchronous.
	async func(func())
	// saveFile asks where to save a file (dialog.NewFileSave); tests
	// answer it with a writer of their own.
	saveFile func(name string, done func(fyne.URIWriteCloser, error))

	user    app.User
	pin     *pinPrompt    // the supervisor's PIN pad, while open
	notice  string        // shown once on the sign-in screen (after signing out)
	watched chan struct{} // closed when watch returns
}

// New builds the UI over state in win, shows the first screen (set-up,
// sign-in, home, or the open receipt) and follows state.Changed().
func New(state State, win fyne.Window, opts Options) *UI {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Feedback == nil {
		opts.Feedback = silent{}
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.DecodeFile == nil {
		opts.DecodeFile = decodeFile
	}
	u := &UI{
		state: state, win: win, opts: opts, theme: NewTheme(opts.Dark), ctx: context.Background(),
		async: func(f func()) { go f() },
	}
	u.saveFile = saveFileDialog(win)
	if opts.syncAsync {
		u.async = func(f func()) { f() }
	}
	if a := fyne.CurrentApp(); a != nil {
		a.Settings().SetTheme(u.theme)
	}
	u.status = newStatusBar(u)
	u.body = container.NewStack()
	win.SetContent(container.NewBorder(u.status, nil, nil, nil, u.body))
	u.start()
	u.watched = make(chan struct{})
	if opts.NoWatch {
		close(u.watched)
	} else {
		go u.watch()
	}
	return u
}

// silent is the FeedbackSink of a device without sound.
type silent struct{}

func (silent) Good() {}
func (silent) Warn() {}
func (silent) Bad()  {}

var fileDecoder = decode.New(decode.Options{TryHarder: true, TryInverted: true})

func decodeFile(path string) (string, error) {
	r, err := fileDecoder.DecodeFile(path)
	if err != nil {
		return "", err
	}
	return scanText(r), nil
}

// scanText is the scan text of a decoded barcode: its AIM symbology
// identifier (which tells GS1 data from plain text) and its text.
func scanText(r decode.Result) string {
	if r.Symbology != "" && !strings.HasPrefix(r.Text, "]") {
		return r.Symbology + r.Text
	}
	return r.Text
}

// watch follows the app state's change signal until the window closes.
func (u *UI) watch() {
	defer close(u.watched)
	ch := u.state.Changed()
	if ch == nil {
		return
	}
	for range ch {
		fyne.Do(u.Refresh)
	}
}

// Refresh re-reads the state into the status bar and the current screen.
// It must run on the UI goroutine (fyne.Do).
func (u *UI) Refresh() {
	u.status.refresh()
	if u.screen != nil {
		u.screen.refresh()
	}
}

// start shows the screen the device is at: set-up until it is enrolled,
// then sign-in, then the signed-in user's open receipt, pick list or
// count, or home.
func (u *UI) start() {
	ok, err := u.state.Enrolled(u.ctx)
	if err != nil {
		u.opts.Log.Error("read enrollment", "err", err)
	}
	if !ok {
		u.show(newSetupScreen(u))
		return
	}
	user, signedIn, err := u.state.CurrentUser(u.ctx)
	if err != nil {
		u.opts.Log.Error("read current user", "err", err)
	}
	if !signedIn {
		u.show(newSignInScreen(u))
		return
	}
	u.user = user
	if canReceive(user) {
		if r, ok, err := u.state.ActiveReceipt(u.ctx); err == nil && ok {
			u.show(newReceiptScreen(u, r))
			return
		}
	}
	if canPick(user) {
		if p, ok, err := u.state.ActivePicking(u.ctx); err == nil && ok {
			u.show(newPickScreen(u, p))
			return
		}
	}
	if canCount(user) {
		if c, ok, err := u.state.ActiveCount(u.ctx); err == nil && ok {
			u.show(newCountScreen(u, c))
			return
		}
	}
	u.show(newHomeScreen(u))
}

// show replaces the current screen.
func (u *UI) show(s screen) {
	u.screen = s
	u.body.Objects = []fyne.CanvasObject{s.content()}
	u.body.Refresh()
	u.status.refresh()
	s.focus()
}

// focus puts the keyboard focus on the current screen's scan field.
func (u *UI) focus() {
	if u.screen != nil {
		u.screen.focus()
	}
}

// home returns to the home screen.
func (u *UI) home() { u.show(newHomeScreen(u)) }

// signal plays the feedback of a scan result.
func (u *UI) signal(l app.Level) {
	switch l {
	case app.Good:
		u.opts.Feedback.Good()
	case app.Warn:
		u.opts.Feedback.Warn()
	default:
		u.opts.Feedback.Bad()
	}
}

// failure turns an error from the state into feedback the clerk can act
// on, and logs the chain.
func (u *UI) failure(op string, err error) app.Feedback {
	u.opts.Log.Error(op, "err", err)
	msg := err.Error()
	var ae *app.Error
	if errors.As(err, &ae) {
		msg = ae.Message
	}
	return app.Feedback{Level: app.Bad, Title: "Could not " + op, Detail: msg}
}

// canReceive: receiving, put-away and returns need the receiver or the
// supervisor role.
func canReceive(u app.User) bool { return u.Has(app.RoleReceiver) || u.Has(app.RoleSupervisor) }

// age formats a duration for the status bar: "40 s", "5 min", "2 h 05 min", "3 d".
func age(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", max(0, int(d/time.Second)))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	case d < 24*time.Hour:
		return fmt.Sprintf("%d h %02d min", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%d d", int(d/(24*time.Hour)))
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
