package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/driftless/driftless/client/app"
)

// canMove: moves and transfers need the picker, receiver or supervisor
// role.
func canMove(u app.User) bool {
	return u.Has(app.RolePicker) || u.Has(app.RoleReceiver) || u.Has(app.RoleSupervisor)
}

// moveScreen moves stock between bins: scan the bin to take from, the
// item (and set the quantity), then the bin to put it in. In shipment
// mode it ships a transfer: the moves go to the warehouse's transit
// location with the transfer's number.
type moveScreen struct {
	u    *UI
	m    Move
	back func() // where Back goes: home, or the transfers
	scan *scanField
	fb   *feedbackPanel

	card     *widget.RichText // the step, the from-bin, what moves, what is available
	qty      *widget.Button
	reset    *widget.Button
	here     *fyne.Container
	hereHdr  *widget.Label
	hereOf   string // the bin s.here lists, "" for none
	controls *fyne.Container
	split    *fyne.Container
	root     fyne.CanvasObject
}

func newMoveScreen(u *UI, m Move, title string, back func()) *moveScreen {
	s := &moveScreen{u: u, m: m, back: back, here: container.NewVBox()}
	s.scan = newScanField(u, "Scan the from-bin, the item, the to-bin", s.onScan)
	s.fb = newFeedbackPanel(u.theme, "Scan the bin to take from")
	s.card = widget.NewRichText()
	s.card.Wrapping = fyne.TextWrapWord
	s.qty = button("Qty", theme.ContentAddIcon(), func() {
		u.askQty("Units to move", func(n int64) { s.m.SetQty(n); s.refresh(); s.focus() })
	})
	s.reset = button("Start over", theme.ContentClearIcon(), func() {
		s.m.Reset()
		s.fb.prompt("Scan the bin to take from")
		s.refresh()
		s.focus()
	})
	s.hereHdr = lbl(&widget.Label{TextStyle: fyne.TextStyle{Bold: true}, Truncation: fyne.TextTruncateEllipsis})
	backLabel, backIcon := "Home", theme.HomeIcon()
	if back == nil {
		s.back = u.home
	} else {
		backLabel, backIcon = "Back", theme.NavigateBackIcon()
	}
	header := container.NewBorder(nil, nil, touch(button(backLabel, backIcon, func() { s.back() })), nil, heading(title))
	card := newCard(u.theme, s.card)
	s.controls = container.NewVBox(header, s.fb.root, s.scan.root, card,
		container.NewGridWithColumns(2, touch(s.qty), touch(s.reset)))
	list := container.NewBorder(s.hereHdr, nil, nil, nil, container.NewVScroll(s.here))
	s.split = container.New(&sideBySide{}, s.controls, list)
	s.root = container.NewPadded(s.split)
	s.refresh()
	return s
}

func (s *moveScreen) content() fyne.CanvasObject   { return s.root }
func (s *moveScreen) focus()                       { s.scan.focus() }
func (s *moveScreen) showFeedback(fb app.Feedback) { s.fb.show(fb) }

func (s *moveScreen) onScan(text string) {
	fb, err := s.m.Scan(s.u.ctx, text)
	if err != nil {
		fb = s.u.failure("move", err)
	}
	s.fb.show(fb)
	s.u.signal(fb.Level)
	s.update(false)
	s.u.status.refresh()
	relayoutSplit(s.controls, s.split)
	s.focus()
}

// refresh re-reads the move and what the from-bin holds (a sync may have
// changed it).
func (s *moveScreen) refresh() { s.update(true) }

// update shows the move's state; it reads the from-bin's stock again when
// the bin changed or when asked to (reading the bins' stock costs more
// than a scan in a large warehouse).
func (s *moveScreen) update(stock bool) {
	st := s.m.State()
	transit := "the transit location"
	if t, ok := s.m.(interface{ Transit() string }); ok && t.Transit() != "" {
		transit = t.Transit()
	}
	setSegments(s.card, moveSegments(st, transit))
	switch st.Step {
	case app.MoveScanFrom:
		s.scan.entry.SetPlaceHolder("Scan the bin to take from")
	case app.MoveScanItem:
		s.scan.entry.SetPlaceHolder("Scan the item")
	default:
		s.scan.entry.SetPlaceHolder("Scan the bin to put it in")
		if st.Transfer != "" {
			s.scan.entry.SetPlaceHolder("Scan " + transit)
		}
	}
	enable(s.reset, st.Step != app.MoveScanFrom)
	if stock || st.From != s.hereOf {
		s.setHere(st.From)
	}
	relayout(s.controls)
}

// moveSegments is the move's card: the step, the from-bin, what moves
// and what the device sees there. A shipment goes to transit (its code).
func moveSegments(st app.MoveState, transit string) []widget.RichTextSegment {
	bold := fyne.TextStyle{Bold: true}
	txt, head := theme.SizeNameText, theme.SizeNameHeadingText
	fg := theme.ColorNameForeground
	to := "Then scan the bin to put it in."
	if st.Transfer != "" {
		to = "Then scan " + transit + " to ship it on " + st.Transfer + "."
	}
	switch st.Step {
	case app.MoveScanFrom:
		return []widget.RichTextSegment{
			para("1 of 3 · Scan the bin to take from", txt, theme.ColorNamePrimary, bold),
			para("From: scan a bin", head, fg, bold),
			para("Then the item, then where it goes.", txt, fg, fyne.TextStyle{}),
		}
	case app.MoveScanItem:
		return []widget.RichTextSegment{
			para("2 of 3 · Scan the item", txt, theme.ColorNamePrimary, bold),
			para("From "+st.From, head, fg, bold),
			para(to, txt, fg, fyne.TextStyle{}),
		}
	}
	step := "3 of 3 · Scan the bin to put it in"
	if st.Transfer != "" {
		step = "3 of 3 · Scan " + transit
	}
	availCol := fg
	if st.Item.Qty > st.Available {
		availCol = theme.ColorNameError
	}
	return []widget.RichTextSegment{
		para(step, txt, theme.ColorNamePrimary, bold),
		para("From "+st.From, head, fg, bold),
		para("Moving "+stockText(st.Item), txt, fg, fyne.TextStyle{}),
		para(fmt.Sprintf("Available at %s: %d", st.From, st.Available), txt, availCol, bold),
	}
}

// setHere lists what the device sees at the from-bin.
func (s *moveScreen) setHere(from string) {
	s.hereOf = from
	s.here.RemoveAll()
	if from == "" {
		s.hereHdr.SetText("Scan a bin to see what it holds")
		s.here.Refresh()
		return
	}
	s.hereHdr.SetText("At " + from)
	lines, err := s.u.state.Stock(s.u.ctx, "bin")
	if err != nil {
		s.here.Add(wrapped("Could not read the stock: " + err.Error()))
		s.here.Refresh()
		return
	}
	n := 0
	for _, l := range lines {
		if l.Location != from || l.Qty == 0 {
			continue
		}
		n++
		s.here.Add(atLeast(minTouch, container.New(layout.NewCustomPaddedLayout(0, 0, 6, 6),
			lbl(&widget.Label{Text: stockText(l), Truncation: fyne.TextTruncateEllipsis}))))
		s.here.Add(widget.NewSeparator())
	}
	if n == 0 {
		s.here.Add(wrapped("Nothing, as far as this scanner knows."))
	}
	s.here.Refresh()
}

// transfersScreen lists the warehouse's open transfers: ship the ones it
// sends, receive the ones it gets. Scanning a transfer's number opens it.
type transfersScreen struct {
	u     *UI
	scan  *scanField
	fb    *feedbackPanel
	list  *fyne.Container
	count *widget.Label
	root  fyne.CanvasObject
	all   []app.TransferSummary
}

func newTransfersScreen(u *UI) *transfersScreen {
	s := &transfersScreen{u: u, list: container.NewVBox(), count: widget.NewLabel("")}
	s.scan = newScanField(u, "Scan a transfer", s.onScan)
	s.fb = newFeedbackPanel(u.theme, "Ship or receive a transfer between warehouses")
	top := container.NewVBox(
		container.NewBorder(nil, nil, touch(button("Home", theme.HomeIcon(), u.home)), nil, heading("Transfers")),
		s.fb.root, s.scan.root, s.count)
	s.root = container.NewBorder(container.NewPadded(top), nil, nil, nil, container.NewVScroll(container.NewPadded(s.list)))
	s.refresh()
	return s
}

func (s *transfersScreen) content() fyne.CanvasObject   { return s.root }
func (s *transfersScreen) focus()                       { s.scan.focus() }
func (s *transfersScreen) showFeedback(fb app.Feedback) { s.fb.show(fb) }

func (s *transfersScreen) refresh() {
	all, err := s.u.state.Transfers(s.u.ctx)
	s.list.RemoveAll()
	s.all = all
	if err != nil {
		s.count.SetText("Could not read the transfers: " + err.Error())
		return
	}
	out := 0
	for _, t := range all {
		if t.Outbound {
			out++
		}
	}
	s.count.SetText(fmt.Sprintf("Open transfers: %d to ship, %d to receive", out, len(all)-out))
	for _, t := range all {
		t := t
		label, icon := "Receive", theme.DownloadIcon()
		if t.Outbound {
			label, icon = "Ship", theme.UploadIcon()
		}
		b := button(label, icon, func() { s.openTransfer(t) })
		if (t.Outbound && t.Status == "open") || (!t.Outbound && t.Status == "shipped") {
			b.Importance = widget.HighImportance
		}
		rt := widget.NewRichText(
			&widget.TextSegment{Text: fmt.Sprintf("%s · %s → %s", t.Number, t.From, t.To), Style: widget.RichTextStyle{TextStyle: fyne.TextStyle{Bold: true}}},
			&widget.TextSegment{Text: fmt.Sprintf("%s · %s", plural(int64(t.Lines), "line", "lines"), strings.ReplaceAll(t.Status, "_", " "))})
		rt.Truncation = fyne.TextTruncateEllipsis
		s.list.Add(container.NewBorder(nil, nil, nil, container.NewCenter(touch(b)), rt))
		s.list.Add(widget.NewSeparator())
	}
	if len(all) == 0 {
		s.list.Add(wrapped("No open transfers for this warehouse."))
	}
	s.list.Refresh()
}

func (s *transfersScreen) onScan(text string) {
	text = strings.TrimSpace(text)
	for _, t := range s.all {
		if strings.EqualFold(t.Number, text) {
			s.openTransfer(t)
			return
		}
	}
	s.fb.show(app.Feedback{Level: app.Bad, Title: "No open transfer " + text, Detail: "Scan the transfer's number, or choose it below."})
	s.u.signal(app.Bad)
}

// openTransfer ships an outbound transfer or receives an inbound one.
func (s *transfersScreen) openTransfer(t app.TransferSummary) {
	back := func() { s.u.show(newTransfersScreen(s.u)) }
	if t.Outbound {
		m, err := s.u.state.StartShipment(s.u.ctx, t.Number)
		if err != nil {
			s.fb.show(s.u.failure("ship "+t.Number, err))
			s.u.signal(app.Bad)
			return
		}
		s.u.opts.Feedback.Good()
		s.u.show(newMoveScreen(s.u, m, "Ship "+t.Number, back))
		return
	}
	r, err := s.u.state.StartTransferReceipt(s.u.ctx, t.Number)
	if err != nil {
		s.fb.show(s.u.failure("receive "+t.Number, err))
		s.u.signal(app.Bad)
		return
	}
	s.u.opts.Feedback.Good()
	s.u.show(newTransferReceiptScreen(s.u, r, t.Number, back))
}

// transferReceiptScreen receives a transfer at the dock: scan each item,
// with a running tally per line.
type transferReceiptScreen struct {
	u        *UI
	r        TransferReceipt
	scan     *scanField
	fb       *feedbackPanel
	qty      *widget.Button
	lines    *fyne.Container
	rows     []*widget.RichText
	controls *fyne.Container
	split    *fyne.Container
	root     fyne.CanvasObject
}

func newTransferReceiptScreen(u *UI, r TransferReceipt, number string, back func()) *transferReceiptScreen {
	s := &transferReceiptScreen{u: u, r: r, lines: container.NewVBox()}
	s.scan = newScanField(u, "Scan items", s.onScan)
	s.fb = newFeedbackPanel(u.theme, "Scan each item of "+number)
	s.qty = button("Qty", theme.ContentAddIcon(), func() {
		u.askQty("Units in the next scan", func(n int64) { s.setNext(n) })
	})
	done := button("Done", theme.ConfirmIcon(), back)
	header := container.NewBorder(nil, nil, touch(button("Back", theme.NavigateBackIcon(), back)), nil, heading("Receive "+number))
	s.controls = container.NewVBox(header, s.fb.root, s.scan.root, container.NewGridWithColumns(2, touch(s.qty), touch(done)))
	tally := container.NewBorder(lbl(&widget.Label{Text: "Lines (received / on the transfer)", TextStyle: fyne.TextStyle{Bold: true}}), nil, nil, nil,
		container.NewVScroll(s.lines))
	s.split = container.New(&sideBySide{}, s.controls, tally)
	s.root = container.NewPadded(s.split)
	s.refresh()
	return s
}

func (s *transferReceiptScreen) content() fyne.CanvasObject   { return s.root }
func (s *transferReceiptScreen) focus()                       { s.scan.focus() }
func (s *transferReceiptScreen) showFeedback(fb app.Feedback) { s.fb.show(fb) }

func (s *transferReceiptScreen) setNext(n int64) {
	s.r.SetQty(n)
	showNextQty(s.qty, n)
}

func (s *transferReceiptScreen) onScan(text string) {
	fb, err := s.r.Scan(s.u.ctx, text)
	if err != nil {
		fb = s.u.failure("receive", err)
	}
	s.setNext(0)
	s.fb.show(fb)
	s.u.signal(fb.Level)
	s.refresh()
	s.u.status.refresh()
	relayoutSplit(s.controls, s.split)
	s.focus()
}

func (s *transferReceiptScreen) refresh() {
	lines, err := s.r.Lines(s.u.ctx)
	s.rows = showLineRows(s.lines, s.rows, lines, err)
}
