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

// supervisorScreen is the supervisor's area: the discrepancy queue, the
// parked queue, the accuracy chart, the purchase-order drafts and the
// reports, one at a time under tab buttons.
// Everything in it is read from the server; Reload reads the open tab
// again.
type supervisorScreen struct {
	u      *UI
	tabs   []*widget.Button
	tab    int
	body   *fyne.Container
	disc   *discrepancyPanel
	parked *parkedPanel
	acc    *accuracyPanel
	drafts *draftsPanel
	rep    *reportsPanel
	root   fyne.CanvasObject
}

// The supervisor area's tabs.
const (
	tabDiscrepancies = iota
	tabParked
	tabAccuracy
	tabReplenishment
	tabReports
)

// tabNames are the supervisor area's tabs, in tab order.
var tabNames = []string{"Discrepancies", "Parked", "Accuracy", "Replenishment", "Reports"}

func newSupervisorScreen(u *UI) *supervisorScreen { return newSupervisorScreenAt(u, tabDiscrepancies) }

func newSupervisorScreenAt(u *UI, tab int) *supervisorScreen {
	s := &supervisorScreen{u: u, body: container.NewStack(), tab: -1}
	s.disc = newDiscrepancyPanel(u)
	s.parked = newParkedPanel(u)
	s.acc = newAccuracyPanel(u)
	s.drafts = newDraftsPanel(u)
	s.rep = newReportsPanel(u)
	// Widths in proportion to the labels: equal cells would not fit
	// "Discrepancies" on a 480-point handheld, which has the tabs in two
	// rows; a laptop's window has them in one.
	rows := []*fyne.Container{container.New(fillRow{})}
	if u.win.Canvas().Size().Width <= wideWidth {
		rows = append(rows, container.New(fillRow{}))
	}
	for i, name := range tabNames {
		i := i
		b := btn(&widget.Button{Text: name, OnTapped: func() { s.open(i) }})
		s.tabs = append(s.tabs, b)
		rows[min(i/3, len(rows)-1)].Add(touch(b))
	}
	grid := container.NewVBox()
	for _, r := range rows {
		grid.Add(r)
	}
	reload := button("Reload", theme.ViewRefreshIcon(), s.reload)
	header := container.NewBorder(nil, nil, touch(button("Home", theme.HomeIcon(), u.home)), touch(reload), heading("Supervisor"))
	s.root = container.NewBorder(container.NewPadded(container.NewVBox(header, grid)), nil, nil, nil, s.body)
	s.open(tab)
	return s
}

func (s *supervisorScreen) content() fyne.CanvasObject { return s.root }
func (s *supervisorScreen) focus()                     {}

// refresh follows the app state's change signal: the queues live on the
// server, so only Reload and the decisions read them again.
func (s *supervisorScreen) refresh() {}

// open shows a tab and reads it from the server.
func (s *supervisorScreen) open(tab int) {
	if tab == s.tab {
		return
	}
	s.tab = tab
	for i, b := range s.tabs {
		b.Importance = widget.MediumImportance
		if i == tab {
			b.Importance = widget.HighImportance
		}
		b.Refresh()
	}
	var c fyne.CanvasObject
	switch tab {
	case tabParked:
		c = s.parked.root
	case tabAccuracy:
		c = s.acc.root
	case tabReplenishment:
		c = s.drafts.root
	case tabReports:
		c = s.rep.root
	default:
		c = s.disc.root
	}
	s.body.Objects = []fyne.CanvasObject{c}
	s.body.Refresh()
	s.reload()
}

func (s *supervisorScreen) reload() {
	switch s.tab {
	case tabParked:
		s.parked.load()
	case tabAccuracy:
		s.acc.load()
	case tabReplenishment:
		s.drafts.load()
	case tabReports:
		s.rep.reload()
	default:
		s.disc.load()
	}
}

// offlineText says why a server list could not be read and what to do.
func (u *UI) offlineText(what string, err error) string {
	fb := u.failure("read "+what, err)
	if !u.state.SyncStatus().Online {
		return "The scanner is offline. " + upperFirst(what) + " is on the server: connect and tap Reload. (" + fb.Detail + ")"
	}
	return "Could not read " + what + ": " + fb.Detail + ". Tap Reload to try again."
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// parkedPanel is the warehouse's parked queue, read from the server:
// each parked event with its evidence (who, when, what, the events that
// took the stock, the stock now) and Accept or Cancel, each with a
// reason.
type parkedPanel struct {
	u    *UI
	msg  *widget.Label
	list *fyne.Container
	root fyne.CanvasObject

	decision *decisionForm // the open Accept or Cancel, if any
}

func newParkedPanel(u *UI) *parkedPanel {
	s := &parkedPanel{u: u, list: container.NewVBox()}
	s.msg = wrapped("")
	s.root = container.NewBorder(container.NewPadded(s.msg), nil, nil, nil,
		container.NewVScroll(container.NewPadded(container.NewVBox(s.list))))
	return s
}

// load reads the queue from the server, off the UI goroutine (a request
// to a server out of reach takes its time).
func (s *parkedPanel) load() {
	s.setMsg("Reading the parked queue from the server…", widget.MediumImportance)
	var evs []app.ParkedEvent
	s.u.supervise(func() (err error) {
		evs, err = s.u.state.ParkedQueue(s.u.ctx)
		return err
	}, func(err error) { s.show(evs, err) })
}

// show lists the queue read by load.
func (s *parkedPanel) show(evs []app.ParkedEvent, err error) {
	s.list.RemoveAll()
	defer s.list.Refresh()
	if err != nil {
		s.setMsg(s.u.offlineText("the parked queue", err), widget.DangerImportance)
		return
	}
	if len(evs) == 0 {
		s.setMsg("Nothing is parked: every event of this warehouse applied.", widget.SuccessImportance)
		return
	}
	s.setMsg(fmt.Sprintf("%s the server could not apply. Accept adjusts the stock it lacked and applies it; Cancel never applies it. Both need a reason.",
		plural(int64(len(evs)), "event", "events")), widget.MediumImportance)
	s.list.Layout = cardColumns(s.u)
	for _, e := range evs {
		s.list.Add(s.card(e))
	}
}

func (s *parkedPanel) setMsg(text string, imp widget.Importance) {
	s.msg.Text, s.msg.Importance = text, imp
	relayout(s.root) // a wrapped label knows its height once laid out
}

// card is one parked event with its evidence and the two decisions.
func (s *parkedPanel) card(e app.ParkedEvent) fyne.CanvasObject {
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
	s      *parkedPanel
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

func (s *parkedPanel) decide(e app.ParkedEvent, accept bool) {
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
	f.s.u.supervise(func() error {
		if accept {
			return st.AcceptParked(f.s.u.ctx, id, reason)
		}
		return st.CancelParked(f.s.u.ctx, id, reason)
	}, f.done)
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

// cardColumns lays cards out two a row on a laptop's window, one on a
// handheld; top-aligned.
func cardColumns(u *UI) fyne.Layout {
	if u.win.Canvas().Size().Width > wideWidth {
		return layout.NewGridLayoutWithColumns(2)
	}
	return layout.NewVBoxLayout()
}

// fillRow lays its objects out in a row, each at least its minimum width,
// sharing the width left over equally.
type fillRow struct{}

func (fillRow) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	var used float32
	for _, o := range objs {
		used += o.MinSize().Width
	}
	extra := max(0, size.Width-used-pad*float32(len(objs)-1)) / float32(max(1, len(objs)))
	x := float32(0)
	for _, o := range objs {
		w := o.MinSize().Width + extra
		o.Resize(fyne.NewSize(w, size.Height))
		o.Move(fyne.NewPos(x, 0))
		x += w + pad
	}
}

func (fillRow) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for i, o := range objs {
		m := o.MinSize()
		s.Width += m.Width
		if i > 0 {
			s.Width += theme.Padding()
		}
		s.Height = max(s.Height, m.Height)
	}
	return s
}
