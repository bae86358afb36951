package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/driftless/driftless/client/app"
)

// putawayScreen moves received stock from the dock to bins: scan the item
// (or choose a dock line), see the suggested bin and why, scan the bin.
type putawayScreen struct {
	u        *UI
	p        Putaway
	scan     *scanField
	fb       *feedbackPanel
	step     *widget.Label
	item     *widget.Label
	bin      *widget.Label
	why      *widget.Label
	target   *fyne.Container
	qty      *widget.Button
	cancel   *widget.Button
	dock     *fyne.Container
	root     fyne.CanvasObject
	dockHdr  *widget.Label
	controls *fyne.Container
}

func newPutawayScreen(u *UI) *putawayScreen {
	s := &putawayScreen{u: u, p: u.state.StartPutaway(), dock: container.NewVBox()}
	s.scan = newScanField(u, "Scan an item, then the bin", s.onScan)
	s.fb = newFeedbackPanel(u.theme, "Scan an item at the dock")
	s.step = lbl(&widget.Label{TextStyle: fyne.TextStyle{Bold: true}})
	s.item = lbl(&widget.Label{Wrapping: fyne.TextWrapWord})
	s.bin = lbl(&widget.Label{SizeName: sizeFeedback, TextStyle: fyne.TextStyle{Bold: true}, Importance: widget.HighImportance})
	s.why = lbl(&widget.Label{Wrapping: fyne.TextWrapWord})
	s.target = container.NewVBox(s.item, container.NewBorder(nil, nil, widget.NewLabel("Suggested bin"), nil, s.bin), s.why)
	s.qty = button("Qty", theme.ContentAddIcon(), func() {
		u.askQty("Units to put away", func(n int64) { s.p.SetQty(n); s.refresh() })
	})
	s.cancel = button("Start over", theme.ContentClearIcon(), func() {
		s.p.Reset()
		s.fb.prompt("Scan an item at the dock")
		s.refresh()
		s.focus()
	})
	s.dockHdr = lbl(&widget.Label{Text: "At the dock", TextStyle: fyne.TextStyle{Bold: true}})
	header := container.NewBorder(nil, nil, touch(button("Home", theme.HomeIcon(), u.home)), nil, heading("Put away"))
	s.controls = container.NewVBox(header, s.fb.root, s.scan.root, s.step, s.target,
		container.NewGridWithColumns(2, touch(s.qty), touch(s.cancel)))
	list := container.NewBorder(s.dockHdr, nil, nil, nil, container.NewVScroll(s.dock))
	s.root = container.NewPadded(container.New(&sideBySide{}, s.controls, list))
	s.refresh()
	return s
}

func (s *putawayScreen) content() fyne.CanvasObject   { return s.root }
func (s *putawayScreen) focus()                       { s.scan.focus() }
func (s *putawayScreen) showFeedback(fb app.Feedback) { s.fb.show(fb) }

func (s *putawayScreen) onScan(text string) {
	fb, err := s.p.Scan(s.u.ctx, text)
	if err != nil {
		fb = s.u.failure("put away", err)
	}
	s.after(fb)
}

func (s *putawayScreen) choose(l app.StockLine) {
	fb, err := s.p.Choose(s.u.ctx, l)
	if err != nil {
		fb = s.u.failure("choose the line", err)
	}
	s.after(fb)
}

func (s *putawayScreen) after(fb app.Feedback) {
	s.fb.show(fb)
	s.u.signal(fb.Level)
	s.refresh()
	s.u.status.refresh()
	relayout(s.root)
	s.focus()
}

func (s *putawayScreen) refresh() {
	st := s.p.State()
	if st.Step == app.PutawayScanBin {
		s.step.SetText("Step 2 of 2: scan the destination bin")
		s.item.SetText(fmt.Sprintf("Moving %s", stockText(st.Item)))
		bin := st.Suggested
		if bin == "" {
			bin = "none"
		}
		s.bin.SetText(bin)
		s.why.SetText(st.Why)
		s.target.Show()
		s.cancel.Enable()
	} else {
		s.step.SetText("Step 1 of 2: scan an item at the dock")
		s.target.Hide()
		s.cancel.Disable()
	}
	relayout(s.controls)
	lines, err := s.u.state.Stock(s.u.ctx, "dock")
	s.dock.RemoveAll()
	switch {
	case err != nil:
		s.dock.Add(wrapped("Could not read the dock: " + err.Error()))
	case len(lines) == 0:
		s.dock.Add(wrapped("Nothing at the dock."))
	}
	for _, l := range lines {
		l := l
		b := button("", nil, func() { s.choose(l) })
		s.dock.Add(atLeast(minTouch, container.NewStack(b, container.New(layout.NewCustomPaddedLayout(0, 0, 12, 12),
			lbl(&widget.Label{Text: stockText(l), Truncation: fyne.TextTruncateEllipsis})))))
	}
	s.dock.Refresh()
}

// stockText describes a stock line: "12 × SKU · Name, lot L".
func stockText(l app.StockLine) string {
	t := fmt.Sprintf("%d × %s", l.Qty, l.SKU)
	if l.Name != "" {
		t += " · " + l.Name
	}
	if l.Lot != "" {
		t += ", lot " + l.Lot
	}
	return t
}
