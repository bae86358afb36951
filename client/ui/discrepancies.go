package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/driftless/driftless/client/app"
)

// approveReasons are the reason codes of an approved discrepancy, with
// their labels.
var approveReasons = []struct{ code, label string }{
	{"miscount", "Miscount"},
	{"damage", "Damage"},
	{"theft", "Theft"},
	{"unrecorded_receipt", "Unrecorded receipt"},
	{"unit_of_measure", "Unit of measure"},
	{"other", "Other"},
}

// rejectReasons are offered for a rejection; the supervisor may type
// another.
var rejectReasons = []string{"wrong bin counted", "count incomplete"}

// discrepancyPanel is the queue of counts outside tolerance, read from the
// server, each with its evidence and Approve, Reject and Recount.
type discrepancyPanel struct {
	u    *UI
	msg  *widget.Label
	list *fyne.Container
	root fyne.CanvasObject

	form *discrepancyForm // the open decision, if any
}

func newDiscrepancyPanel(u *UI) *discrepancyPanel {
	s := &discrepancyPanel{u: u, list: container.NewVBox()}
	s.msg = wrapped("")
	s.root = container.NewBorder(container.NewPadded(s.msg), nil, nil, nil,
		container.NewVScroll(container.NewPadded(container.NewVBox(s.list))))
	return s
}

func (s *discrepancyPanel) setMsg(text string, imp widget.Importance) {
	s.msg.Text, s.msg.Importance = text, imp
	relayout(s.root) // a wrapped label knows its height once laid out
}

// load reads the queue from the server, off the UI goroutine.
func (s *discrepancyPanel) load() {
	s.setMsg("Reading the discrepancies from the server…", widget.MediumImportance)
	var ds []app.Discrepancy
	s.u.supervise(func() (err error) {
		ds, err = s.u.state.Discrepancies(s.u.ctx)
		return err
	}, func(err error) { s.show(ds, err) })
}

func (s *discrepancyPanel) show(ds []app.Discrepancy, err error) {
	s.list.RemoveAll()
	defer s.list.Refresh()
	if err != nil {
		s.setMsg(s.u.offlineText("the discrepancy queue", err), widget.DangerImportance)
		return
	}
	if len(ds) == 0 {
		s.setMsg("No discrepancies: every count was within tolerance or decided.", widget.SuccessImportance)
		return
	}
	var stake int64
	for _, d := range ds {
		stake += abs(d.Value)
	}
	s.setMsg(fmt.Sprintf("%s outside tolerance, %s at stake. Approve adjusts the stock by the variance; Reject keeps the records; Recount sends another counter.",
		plural(int64(len(ds)), "count", "counts"), money(stake)), widget.MediumImportance)
	s.list.Layout = cardColumns(s.u)
	for _, d := range ds {
		s.list.Add(s.card(d))
	}
}

// card is one discrepancy with its evidence and the three decisions.
func (s *discrepancyPanel) card(d app.Discrepancy) fyne.CanvasObject {
	now := s.u.opts.Now()
	txt, fg, bold, plain := theme.SizeNameText, theme.ColorNameForeground, fyne.TextStyle{Bold: true}, fyne.TextStyle{}
	item := d.SKU
	if d.Name != "" {
		item += " · " + d.Name
	}
	if d.Lot != "" {
		item += ", lot " + d.Lot
	}
	varCol := theme.ColorNameWarning
	if d.Variance < 0 {
		varCol = theme.ColorNameError
	}
	head := d.Location
	if d.Class != "" {
		head += " · class " + d.Class
	}
	segs := []widget.RichTextSegment{
		para(head, theme.SizeNameSubHeadingText, fg, bold),
		para(item, txt, fg, bold),
		&widget.TextSegment{Text: fmt.Sprintf("Counted %d · expected %d · ", d.Counted, d.Expected), Style: widget.RichTextStyle{Inline: true, SizeName: txt}},
		para("variance "+signed(d.Variance), txt, varCol, bold),
		para("Value at stake "+money(abs(d.Value)), txt, fg, bold),
		para(fmt.Sprintf("Counted by %s · %s", orDash(d.CountedBy), clock(now, d.CountedAt)), txt, fg, plain),
	}
	if len(d.Movements) > 0 {
		segs = append(segs, para("Movements since the last good count:", txt, fg, plain))
		for _, m := range d.Movements {
			what := m.Kind + " " + signed(m.Delta)
			if m.SKU != "" && m.SKU != d.SKU {
				what += " " + m.SKU
			}
			segs = append(segs, para(fmt.Sprintf("• %s by %s · %s", what, orDash(m.User), clock(now, m.At)), txt, fg, plain))
		}
	} else {
		segs = append(segs, para("No movements since the last good count.", txt, fg, plain))
	}
	if len(d.Previous) > 0 {
		segs = append(segs, para("Previous counts:", txt, fg, plain))
		for _, p := range d.Previous {
			segs = append(segs, para(fmt.Sprintf("• %s by %s: %d (%s, %s)", p.At.Format("2 Jan"), orDash(p.By), p.Counted, signed(p.Variance), p.Outcome), txt, fg, plain))
		}
	} else {
		segs = append(segs, para("No previous counts of the bin.", txt, fg, plain))
	}
	evidence := widget.NewRichText(segs...)
	evidence.Wrapping = fyne.TextWrapWord
	approve := btn(&widget.Button{Text: "Approve…", Importance: widget.HighImportance, OnTapped: func() { s.decide(d, decideApprove) }})
	reject := btn(&widget.Button{Text: "Reject…", Importance: widget.DangerImportance, OnTapped: func() { s.decide(d, decideReject) }})
	recount := btn(&widget.Button{Text: "Recount…", OnTapped: func() { s.decide(d, decideRecount) }})
	return newCard(s.u.theme, container.NewVBox(evidence, container.NewGridWithColumns(3, touch(approve), touch(reject), touch(recount))))
}

// signed formats a variance with its sign: "+3", "−4", "0".
func signed(n int64) string {
	switch {
	case n > 0:
		return fmt.Sprintf("+%d", n)
	case n < 0:
		return fmt.Sprintf("−%d", -n)
	}
	return "0"
}

// money formats cents: "1,234.56".
func money(cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	units := fmt.Sprint(cents / 100)
	for i := len(units) - 3; i > 0; i -= 3 {
		units = units[:i] + "," + units[i:]
	}
	s := fmt.Sprintf("%s.%02d", units, cents%100)
	if neg {
		return "−" + s
	}
	return s
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// The three decisions on a discrepancy.
type decisionKind int

const (
	decideApprove decisionKind = iota
	decideReject
	decideRecount
)

// discrepancyForm asks for what a decision needs: a reason code to
// approve, a reason to reject, another counter for a recount.
type discrepancyForm struct {
	s      *discrepancyPanel
	d      app.Discrepancy
	kind   decisionKind
	choice string // the reason code or the counter chosen
	picks  []*widget.Button
	reason *widget.Entry // Reject's reason
	picker *fyne.Container
	errMsg *widget.Label
	ok     *widget.Button
	dlg    *dialog.CustomDialog
}

func (s *discrepancyPanel) decide(d app.Discrepancy, kind decisionKind) {
	f := &discrepancyForm{s: s, d: d, kind: kind, picker: container.NewGridWithColumns(2)}
	f.errMsg = lbl(&widget.Label{Importance: widget.DangerImportance, Wrapping: fyne.TextWrapWord})
	f.errMsg.Hide()
	what := fmt.Sprintf("%s at %s: counted %d, expected %d.", d.SKU, d.Location, d.Counted, d.Expected)
	var title, okText string
	body := container.NewVBox()
	switch kind {
	case decideApprove:
		title, okText = "Approve the count", "Approve"
		body.Add(wrapped(fmt.Sprintf("%s The stock is adjusted by %s (%s). Why was it off?", what, signed(d.Variance), money(d.Value))))
		for _, r := range approveReasons {
			f.addPick(r.label, r.code)
		}
		body.Add(f.picker)
	case decideReject:
		title, okText = "Reject the count", "Reject"
		body.Add(wrapped(what + " The stock stays as the records say; the counter's device is told."))
		f.reason = widget.NewEntry()
		f.reason.SetPlaceHolder("Reason (required)")
		f.reason.OnSubmitted = func(string) { f.submit() }
		body.Add(touch(f.reason))
		for _, r := range rejectReasons {
			r := r
			f.picker.Add(touch(button(r, nil, func() { f.reason.SetText(r) })))
		}
		body.Add(f.picker)
	case decideRecount:
		title, okText = "Request a recount", "Send recount"
		body.Add(wrapped(fmt.Sprintf("%s The count is set aside and %s is counted again by someone other than %s. Who?", what, d.Location, orDash(d.CountedBy))))
		body.Add(f.picker)
		f.loadCounters()
	}
	f.ok = button(okText, theme.ConfirmIcon(), f.submit)
	f.ok.Importance = widget.HighImportance
	if kind == decideReject {
		f.ok.Importance = widget.DangerImportance
	}
	body.Add(f.errMsg)
	body.Add(touch(f.ok))
	f.dlg = dialog.NewCustom(title, "Back", body, s.u.win)
	f.dlg.SetOnClosed(func() {
		if s.form == f {
			s.form = nil
		}
	})
	f.dlg.Resize(fyne.NewSize(min(s.u.win.Canvas().Size().Width-20, 600), 0))
	s.form = f
	f.dlg.Show()
	if f.reason != nil {
		s.u.win.Canvas().Focus(f.reason)
	}
}

// addPick adds a choice (a reason code, a counter) to the form's picker:
// the chosen one is highlighted.
func (f *discrepancyForm) addPick(label, value string) {
	var b *widget.Button
	b = btn(&widget.Button{Text: label, OnTapped: func() {
		f.choice = value
		for _, o := range f.picks {
			o.Importance = widget.MediumImportance
			o.Refresh()
		}
		b.Importance = widget.HighImportance
		b.Refresh()
		say(f.errMsg, "")
	}})
	f.picks = append(f.picks, b)
	f.picker.Add(touch(b))
}

// loadCounters lists the counters a recount may go to: not the one who
// counted.
func (f *discrepancyForm) loadCounters() {
	say(f.errMsg, "Reading the counters…")
	var us []app.User
	f.s.u.supervise(func() (err error) {
		us, err = f.s.u.state.Counters(f.s.u.ctx)
		return err
	}, func(err error) {
		say(f.errMsg, "")
		if err != nil {
			say(f.errMsg, f.s.u.failure("read the counters", err).Detail)
			return
		}
		n := 0
		for _, u := range us {
			if u.Code == f.d.CountedBy {
				continue
			}
			f.addPick(cmpOr(u.Name, u.Code), u.Code)
			n++
		}
		if n == 0 {
			say(f.errMsg, "No other counter: give someone the counter role first.")
		}
		f.picker.Refresh()
		if f.dlg != nil {
			f.dlg.Resize(fyne.NewSize(min(f.s.u.win.Canvas().Size().Width-20, 600), 0))
		}
	})
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (f *discrepancyForm) submit() {
	if f.ok.Disabled() {
		return // a decision is on its way
	}
	arg := f.choice
	switch f.kind {
	case decideApprove:
		if arg == "" {
			say(f.errMsg, "Choose a reason code: it is kept with the adjustment.")
			return
		}
	case decideReject:
		arg = strings.TrimSpace(f.reason.Text)
		if arg == "" {
			say(f.errMsg, "Give a reason: it is kept with the decision.")
			return
		}
	case decideRecount:
		if arg == "" {
			say(f.errMsg, "Choose who counts the bin again.")
			return
		}
	}
	f.ok.Disable()
	say(f.errMsg, "Sending the decision…")
	st, ctx, id, kind := f.s.u.state, f.s.u.ctx, f.d.EventID, f.kind
	f.s.u.supervise(func() error {
		switch kind {
		case decideApprove:
			return st.ApproveDiscrepancy(ctx, id, arg)
		case decideReject:
			return st.RejectDiscrepancy(ctx, id, arg)
		}
		return st.RequestRecount(ctx, id, arg)
	}, f.done)
}

// done closes the form after a decision the server took, or shows why it
// did not.
func (f *discrepancyForm) done(err error) {
	f.ok.Enable()
	if err != nil {
		say(f.errMsg, f.s.u.failure("record the decision", err).Detail)
		f.s.u.signal(app.Bad)
		return
	}
	say(f.errMsg, "")
	f.s.u.opts.Feedback.Good()
	f.dlg.Hide()
	f.s.load()
}
