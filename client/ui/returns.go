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

// returnsScreen books customer returns into the returns location (scan
// each item, with the return's reference) and disposes of what waits
// there: restock to a bin, damage to quarantine, or scrap.
type returnsScreen struct {
	u       *UI
	r       Returns
	scan    *scanField
	fb      *feedbackPanel
	ref     *widget.Entry
	qty     *widget.Button
	waiting *fyne.Container
	root    fyne.CanvasObject

	dispose *disposeForm // the open disposition, if any
}

func newReturnsScreen(u *UI) *returnsScreen {
	s := &returnsScreen{u: u, r: u.state.StartReturns(), waiting: container.NewVBox()}
	s.scan = newScanField(u, "Scan returned items", s.onScan)
	s.fb = newFeedbackPanel(u.theme, "Type the return's reference, then scan each item")
	s.ref = widget.NewEntry()
	s.ref.SetPlaceHolder("Return reference (RMA or order)")
	s.ref.OnChanged = func(t string) { s.r.SetRef(strings.TrimSpace(t)) }
	s.ref.OnSubmitted = func(string) { s.focus() }
	s.qty = button("Qty", theme.ContentAddIcon(), func() {
		u.askQty("Units in the next scan", func(n int64) {
			s.r.SetQty(n)
			s.setQtyLabel(n)
		})
	})
	header := container.NewBorder(nil, nil, touch(button("Home", theme.HomeIcon(), u.home)), nil, heading("Returns"))
	controls := container.NewVBox(header, s.fb.root, s.scan.root,
		container.NewBorder(nil, nil, nil, touch(s.qty), touch(s.ref)))
	list := container.NewBorder(lbl(&widget.Label{Text: "Waiting at returns", TextStyle: fyne.TextStyle{Bold: true}}), nil, nil, nil,
		container.NewVScroll(s.waiting))
	s.root = container.NewPadded(container.New(&sideBySide{}, controls, list))
	s.refresh()
	return s
}

func (s *returnsScreen) content() fyne.CanvasObject   { return s.root }
func (s *returnsScreen) focus()                       { s.scan.focus() }
func (s *returnsScreen) showFeedback(fb app.Feedback) { s.fb.show(fb) }

func (s *returnsScreen) setQtyLabel(n int64) {
	if n > 0 {
		s.qty.SetText(fmt.Sprintf("Qty ×%d", n))
	} else {
		s.qty.SetText("Qty")
	}
}

func (s *returnsScreen) onScan(text string) {
	fb, err := s.r.Scan(s.u.ctx, text)
	if err != nil {
		fb = s.u.failure("book the return", err)
	}
	s.r.SetQty(0)
	s.setQtyLabel(0)
	s.after(fb)
}

func (s *returnsScreen) after(fb app.Feedback) {
	s.fb.show(fb)
	s.u.signal(fb.Level)
	s.refresh()
	s.u.status.refresh()
	relayout(s.root)
	s.focus()
}

func (s *returnsScreen) refresh() {
	lines, err := s.r.Waiting(s.u.ctx)
	s.waiting.RemoveAll()
	switch {
	case err != nil:
		s.waiting.Add(wrapped("Could not read the returns: " + err.Error()))
	case len(lines) == 0:
		s.waiting.Add(wrapped("Nothing waiting."))
	}
	for _, l := range lines {
		l := l
		b := button("Dispose", theme.MoreHorizontalIcon(), func() { s.openDispose(l) })
		s.waiting.Add(container.NewBorder(nil, nil, nil, container.NewCenter(touch(b)),
			lbl(&widget.Label{Text: stockText(l), Wrapping: fyne.TextWrapWord})))
		s.waiting.Add(widget.NewSeparator())
	}
	s.waiting.Refresh()
}

// disposeForm decides what happens to one returned line.
type disposeForm struct {
	s      *returnsScreen
	line   app.StockLine
	qty    *widget.Entry
	how    *widget.RadioGroup
	bin    *widget.Entry
	reason *widget.Entry
	errMsg *widget.Label
	dlg    *dialog.CustomDialog
}

// disposeReasons are offered per disposition; the clerk may type another.
var disposeReasons = map[app.Disposition][]string{
	app.Restock: {"unopened", "inspected OK"},
	app.Damage:  {"damaged in transit", "faulty"},
	app.Scrap:   {"beyond repair", "expired"},
}

func (s *returnsScreen) openDispose(l app.StockLine) {
	f := &disposeForm{s: s, line: l}
	f.qty = widget.NewEntry()
	f.qty.SetText(fmt.Sprint(l.Qty))
	f.bin = widget.NewEntry()
	f.bin.SetPlaceHolder("Scan the bin")
	f.reason = widget.NewEntry()
	f.reason.SetPlaceHolder("Reason")
	f.errMsg = lbl(&widget.Label{Importance: widget.DangerImportance, Wrapping: fyne.TextWrapWord})
	suggestions := container.NewGridWithColumns(2)
	f.how = widget.NewRadioGroup([]string{"Restock", "Damage", "Scrap"}, func(v string) {
		d := app.Disposition(strings.ToLower(v))
		if d == app.Restock {
			f.bin.Enable()
			s.u.win.Canvas().Focus(f.bin)
		} else {
			f.bin.Disable()
		}
		suggestions.RemoveAll()
		for _, r := range disposeReasons[d] {
			r := r
			suggestions.Add(touch(button(r, nil, func() { f.reason.SetText(r) })))
		}
	})
	f.how.Horizontal = true
	f.how.Required = true
	f.bin.OnSubmitted = func(string) { s.u.win.Canvas().Focus(f.reason) }
	f.reason.OnSubmitted = func(string) { f.submit() }
	ok := button("Confirm", theme.ConfirmIcon(), f.submit)
	ok.Importance = widget.HighImportance
	form := container.NewVBox(
		lbl(&widget.Label{Text: stockText(l), TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord}),
		container.NewBorder(nil, nil, widget.NewLabel("Units"), nil, touch(f.qty)),
		touch(f.how),
		touch(f.bin),
		touch(f.reason),
		suggestions,
		f.errMsg,
		touch(ok),
	)
	f.dlg = dialog.NewCustom("Dispose of a return", "Cancel", form, s.u.win)
	f.dlg.SetOnClosed(func() { s.dispose = nil; s.focus() })
	f.dlg.Resize(fyne.NewSize(min(s.u.win.Canvas().Size().Width-20, 560), 0))
	s.dispose = f
	f.how.SetSelected("Restock")
	f.dlg.Show()
	s.u.win.Canvas().Focus(f.bin)
}

func (f *disposeForm) submit() {
	n, ok := parseQty(f.qty.Text)
	if !ok || n <= 0 || n > f.line.Qty {
		f.errMsg.SetText(fmt.Sprintf("Units must be 1 to %d.", f.line.Qty))
		return
	}
	d := app.Disposition(strings.ToLower(f.how.Selected))
	bin, reason := strings.TrimSpace(f.bin.Text), strings.TrimSpace(f.reason.Text)
	if d == app.Restock && bin == "" {
		f.errMsg.SetText("Scan the bin to restock to.")
		return
	}
	if reason == "" {
		f.errMsg.SetText("Every disposition needs a reason.")
		return
	}
	if d != app.Restock {
		bin = ""
	}
	fb, err := f.s.r.Dispose(f.s.u.ctx, f.line, n, d, bin, reason)
	if err != nil {
		fb = f.s.u.failure("dispose of the return", err)
	}
	if fb.Level == app.Bad {
		f.errMsg.SetText(fb.Title + ". " + fb.Detail)
		f.s.u.signal(fb.Level)
		return
	}
	f.dlg.Hide()
	f.s.after(fb)
}
