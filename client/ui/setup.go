package ui

import (
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/driftless/driftless/client/app"
)

// setupScreen is the first run: the server's address and an enrollment
// code, then the catalog snapshot with a progress bar.
type setupScreen struct {
	u        *UI
	server   *widget.Entry
	code     *widget.Entry
	connect  *widget.Button
	progress *widget.ProgressBar
	stage    *widget.Label
	errMsg   *widget.Label
	root     fyne.CanvasObject
	form     *fyne.Container
	busy     bool
}

func newSetupScreen(u *UI) *setupScreen {
	s := &setupScreen{u: u}
	s.server = widget.NewEntry()
	s.server.SetPlaceHolder("warehouse-server:8080")
	s.code = widget.NewEntry()
	s.code.SetPlaceHolder("K7Q4-M2XP")
	s.server.SetText(u.opts.SetupServer)
	s.code.SetText(u.opts.SetupCode)
	s.server.OnSubmitted = func(string) { u.win.Canvas().Focus(s.code) }
	s.code.OnSubmitted = func(string) { s.start() }
	s.connect = button("Connect", theme.LoginIcon(), s.start)
	s.connect.Importance = widget.HighImportance
	s.progress = widget.NewProgressBar()
	s.progress.Hide()
	s.stage = wrapped("")
	s.errMsg = lbl(&widget.Label{Wrapping: fyne.TextWrapWord, Importance: widget.DangerImportance, TextStyle: fyne.TextStyle{Bold: true}})
	intro := wrapped("Ask a supervisor for an enrollment code (syncd device add) and type the server's address and the code.")
	s.form = container.NewVBox(
		heading("Set up this scanner"),
		intro,
		widget.NewLabelWithStyle("Server address", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		touch(s.server),
		widget.NewLabelWithStyle("Enrollment code", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		touch(s.code),
		s.errMsg,
		s.progress,
		s.stage,
	)
	s.root = container.NewBorder(nil, container.NewPadded(big(s.connect)), nil, nil,
		container.NewVScroll(container.NewPadded(limitWidth(640, s.form))))
	return s
}

func (s *setupScreen) content() fyne.CanvasObject { return s.root }
func (s *setupScreen) refresh()                   {}
func (s *setupScreen) focus() {
	if s.server.Text == "" {
		s.u.win.Canvas().Focus(s.server)
	} else {
		s.u.win.Canvas().Focus(s.code)
	}
}

func (s *setupScreen) start() {
	if s.busy {
		return
	}
	server, code := strings.TrimSpace(s.server.Text), strings.ToUpper(strings.TrimSpace(s.code.Text))
	switch {
	case server == "":
		s.fail("Type the server's address, for example warehouse-server:8080.")
		s.u.win.Canvas().Focus(s.server)
		return
	case code == "":
		s.fail("Type the enrollment code.")
		s.u.win.Canvas().Focus(s.code)
		return
	}
	s.busy = true
	s.errMsg.SetText("")
	s.connect.Disable()
	s.server.Disable()
	s.code.Disable()
	s.progress.SetValue(0)
	s.progress.Show()
	s.form.Refresh()
	s.stage.SetText("Connecting to " + server + "…")
	s.u.async(func() {
		err := s.u.state.Enroll(s.u.ctx, server, code, func(p app.EnrollProgress) {
			fyne.Do(func() { s.step(p) })
		})
		fyne.Do(func() { s.done(err) })
	})
}

// step shows the snapshot's progress.
func (s *setupScreen) step(p app.EnrollProgress) {
	if p.Total > 0 {
		s.progress.Max = float64(p.Total)
		s.progress.SetValue(float64(min(p.Done, p.Total)))
		s.stage.SetText(fmt.Sprintf("Downloading the catalog: %d of %d records", p.Done, p.Total))
		return
	}
	s.stage.SetText(fmt.Sprintf("Downloading the catalog: %d records", p.Done))
}

func (s *setupScreen) done(err error) {
	s.busy = false
	s.connect.Enable()
	s.server.Enable()
	s.code.Enable()
	if err != nil {
		s.progress.Hide()
		s.stage.SetText("")
		s.form.Refresh()
		s.u.opts.Log.Error("enroll", "err", err)
		s.fail(enrollMessage(err))
		s.u.win.Canvas().Focus(s.code)
		return
	}
	s.u.show(newSignInScreen(s.u))
}

func (s *setupScreen) fail(msg string) {
	s.errMsg.SetText(msg)
	s.u.opts.Feedback.Bad()
}

// enrollMessage says what to do about a failed enrollment.
func enrollMessage(err error) string {
	msg := err.Error()
	low := strings.ToLower(msg)
	switch {
	case errors.Is(err, app.ErrEnrollmentInvalid):
		return "The server refused the code: it is wrong, used or expired. Ask for a new one (syncd device code)."
	case errors.Is(err, app.ErrServerUnreachable):
		return "Cannot reach the server at that address. Check the address and the Wi-Fi, then try again."
	case strings.Contains(low, "enrollment_invalid") || strings.Contains(low, "enrollment code"):
		return "The server refused the code: it is wrong, used or expired. Ask for a new one (syncd device code). (" + msg + ")"
	case strings.Contains(low, "connection refused") || strings.Contains(low, "no such host") ||
		strings.Contains(low, "timeout") || strings.Contains(low, "unreachable") || strings.Contains(low, "dial"):
		return "Cannot reach the server. Check the address and the Wi-Fi, then try again. (" + msg + ")"
	}
	return "Set-up failed: " + msg
}

// limitedWidth centres its content and keeps it at most max wide (forms
// on a laptop window).
type limitedWidth struct{ max float32 }

func limitWidth(max float32, o fyne.CanvasObject) fyne.CanvasObject {
	return container.New(limitedWidth{max}, o)
}

func (l limitedWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	w := min(size.Width, l.max)
	for _, o := range objs {
		o.Resize(fyne.NewSize(w, size.Height))
		o.Move(fyne.NewPos((size.Width-w)/2, 0))
	}
}

func (l limitedWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	return m
}
