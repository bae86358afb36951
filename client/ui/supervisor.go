package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/driftless/driftless/client/app"
)

// isSupervisor: the parked queue is for supervisors.
func isSupervisor(u app.User) bool { return u.Has(app.RoleSupervisor) }

// supervisorScreen is the warehouse's parked queue, read from the server:
// each parked event with its evidence (who, when, what, the events that
// took the stock, the stock now) and Accept or Cancel, each with a
// reason.
type supervisorScreen struct {
	u    *UI
	msg  *widget.Label
	list *fyne.Container
	root fyne.CanvasObject

	decision *decisionForm // the open Accept or Cancel, if any
}

func newSupervisorScreen(u *UI) *supervisorScreen {
	s := &supervisorScreen{u: u, list: container.NewVBox()}
	s.msg = wrapped("")
	reload := button("Reload", theme.ViewRefreshIcon(), s.load)
	header := container.NewBorder(nil, nil, touch(button("Home", theme.HomeIcon(), u.home)), touch(reload), heading("Parked"))
	s.root = container.NewBorder(container.NewPadded(container.NewVBox(header, s.msg)), nil, nil, nil,
		container.NewVScroll(container.NewPadded(container.NewVBox(s.list))))
	s.load()
	return s
}

func (s *supervisorScreen) content() fyne.CanvasObject { return s.root }
func (s *supervisorScreen) focus()                     {}

// refresh follows the app state's change signal: the queue lives on the
// server, so only Reload and the decisions read it again.
func (s *supervisorScreen) refresh() {}

// load reads the queue from the server, off the UI goroutine (a request
// to a server out of reach takes its time).
func (s *supervisorScreen) load() {
	s.setMsg("Reading the parked queue from the server…", widget.MediumImportance)
	s.u.async(func() {
		evs, err := s.u.state.ParkedQueue(s.u.ctx)
		fyne.Do(func() { s.show(evs, err) })
	})
}

// show lists the queue read by load.
func (s *supervisorScreen) show(evs []app.ParkedEvent, err error) {
	s.list.RemoveAll()
	defer s.list.Refresh()
	if err != nil {
		fb := s.u.failure("read the parked queue", err)
		text := fb.Detail
		if !s.u.state.SyncStatus().Online {
			text = "The scanner is offline. The parked queue is on the server: connect and tap Reload. (" + fb.Detail + ")"
		}
		s.setMsg("Could not read the queue. "+text, widget.DangerImportance)
		return
	}
	if len(evs) == 0 {
		s.setMsg("Nothing is parked: every event of this warehouse applied.", widget.SuccessImportance)
		return
	}
	s.setMsg(fmt.Sprintf("%s the server could not apply. Accept adjusts the stock it lacked and applies it; Cancel never applies it. Both need a reason.",
		plural(int64(len(evs)), "event", "events")), widget.MediumImportance)
	// Two columns of cards on a laptop's window, one on a handheld.
	if s.u.win.Canvas().Size().Width > wideWidth {
		s.list.Layout = layout.NewGridLayoutWithColumns(2)
	}
	for _, e := range evs {
		s.list.Add(s.card(e))
	}
}

func (s *supervisorScreen) setMsg(text string, imp widget.Importance) {
	s.msg.Text, s.msg.Importance = text, imp
	s.msg.Refresh()
}

// card is one parked event with its evidence and the two decisions.
func (s *supervisorScreen) card(e app.ParkedEvent) fyne.CanvasObject {
	now := s.u.opts.Now()
	what := fmt.Sprintf("%s %d × %s", e.Kind, e.Qty, e.SKU)
	if e.Lot != "" {
		what += " lot " + e.Lot
	}
	if e.Location != "" {
		what += " at " + e.Location
	}
	reason := strings.ReplaceAll(e.Reason, "_", " ")
	txt, fg, bold := theme.SizeNameText, theme.ColorNameForeground, fyne.TextStyle{Bold: true}
	segs := []widget.RichTextSegment{
		para(what, txt, fg, bold),
		para(reason, txt, theme.ColorNameWarning, bold),
		para(fmt.Sprintf("By %s on %s · %s", orDash(e.User), orDash(e.Device), clock(now, e.At)), txt, fg, fyne.TextStyle{}),
		para(fmt.Sprintf("Stock there now: %d", e.StockNow), txt, fg, bold),
	}
	if len(e.Competing) > 0 {
		segs = append(segs, para("Took the stock first:", txt, fg, fyne.TextStyle{}))
		for _, c := range e.Competing {
			segs = append(segs, para(fmt.Sprintf("• %s %d by %s on %s · %s", c.Kind, c.Qty, orDash(c.User), orDash(c.Device), clock(now, c.At)), txt, fg, fyne.TextStyle{}))
		}
	} else {
		segs = append(segs, para("No competing events on record.", txt, fg, fyne.TextStyle{}))
	}
	evidence := widget.NewRichText(segs...)
	evidence.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(evidence)
	accept := button("Accept…", theme.ConfirmIcon(), func() { s.decide(e, true) })
	accept.Importance = widget.HighImportance
	cancel := button("Cancel…", theme.CancelIcon(), func() { s.decide(e, false) })
	cancel.Importance = widget.DangerImportance
	box.Add(container.NewGridWithColumns(2, touch(accept), touch(cancel)))
	return newCard(s.u.theme, box)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// decisionForm asks for the reason of an Accept or a Cancel.
type decisionForm struct {
	s      *supervisorScreen
	e      app.ParkedEvent
	accept bool
	reason *widget.Entry
	errMsg *widget.Label
	ok     *widget.Button
	dlg    *dialog.CustomDialog
}

// decisionReasons are offered; the supervisor may type another.
var decisionReasons = map[bool][]string{
	true:  {"stock found in the bin", "earlier count was wrong"},
	false: {"goods not there", "scanned twice"},
}

func (s *supervisorScreen) decide(e app.ParkedEvent, accept bool) {
	f := &decisionForm{s: s, e: e, accept: accept}
	f.reason = widget.NewEntry()
	f.reason.SetPlaceHolder("Reason (required)")
	f.reason.OnSubmitted = func(string) { f.submit() }
	f.errMsg = lbl(&widget.Label{Importance: widget.DangerImportance, Wrapping: fyne.TextWrapWord})
	title, what := "Cancel the event", "It is never applied; the device that wrote it is told."
	if accept {
		title = "Accept the event"
		what = fmt.Sprintf("The server adjusts %s at %s by what it lacked and applies the %s.", e.SKU, e.Location, e.Kind)
	}
	suggestions := container.NewGridWithColumns(2)
	for _, r := range decisionReasons[accept] {
		r := r
		suggestions.Add(touch(button(r, nil, func() { f.reason.SetText(r) })))
	}
	f.ok = button(strings.Fields(title)[0], theme.ConfirmIcon(), f.submit)
	f.ok.Importance = widget.HighImportance
	if !accept {
		f.ok.Importance = widget.DangerImportance
	}
	form := container.NewVBox(wrapped(what), touch(f.reason), suggestions, f.errMsg, touch(f.ok))
	f.dlg = dialog.NewCustom(title, "Back", form, s.u.win)
	f.dlg.SetOnClosed(func() { s.decision = nil })
	f.dlg.Resize(fyne.NewSize(min(s.u.win.Canvas().Size().Width-20, 560), 0))
	s.decision = f
	f.dlg.Show()
	s.u.win.Canvas().Focus(f.reason)
}

func (f *decisionForm) submit() {
	if f.ok.Disabled() {
		return // a decision is on its way
	}
	reason := strings.TrimSpace(f.reason.Text)
	if reason == "" {
		f.errMsg.SetText("Give a reason: it is kept with the decision.")
		return
	}
	f.ok.Disable()
	f.errMsg.SetText("Sending the decision…")
	id, accept, st := f.e.EventID, f.accept, f.s.u.state
	f.s.u.async(func() {
		var err error
		if accept {
			err = st.AcceptParked(f.s.u.ctx, id, reason)
		} else {
			err = st.CancelParked(f.s.u.ctx, id, reason)
		}
		fyne.Do(func() { f.done(err) })
	})
}

// done closes the form after a decision the server took, or shows why it
// did not.
func (f *decisionForm) done(err error) {
	f.ok.Enable()
	if err != nil {
		fb := f.s.u.failure("record the decision", err)
		f.errMsg.SetText(fb.Detail)
		f.s.u.signal(app.Bad)
		return
	}
	f.errMsg.SetText("")
	f.s.u.opts.Feedback.Good()
	f.dlg.Hide()
	f.s.load()
}
