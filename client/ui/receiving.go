package ui

import (
	"fmt"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/driftless/driftless/client/app"
)

// choosePOScreen opens a receipt: scan the purchase order or a pallet's
// SSCC, or choose an open order from the list.
type choosePOScreen struct {
	u     *UI
	scan  *scanField
	fb    *feedbackPanel
	list  *fyne.Container
	root  fyne.CanvasObject
	count *widget.Label
}

func newChoosePOScreen(u *UI) *choosePOScreen {
	s := &choosePOScreen{u: u, list: container.NewVBox(), count: widget.NewLabel("")}
	s.scan = newScanField(u, "Scan a PO or pallet label", s.open)
	s.fb = newFeedbackPanel(u.theme, "Scan the purchase order or a pallet label, or choose the order below")
	top := container.NewVBox(
		container.NewBorder(nil, nil, touch(button("Home", theme.HomeIcon(), u.home)), nil, heading("Receive")),
		s.fb.root, s.scan.root, s.count)
	s.root = container.NewBorder(container.NewPadded(top), nil, nil, nil, container.NewVScroll(container.NewPadded(s.list)))
	s.refresh()
	return s
}

func (s *choosePOScreen) content() fyne.CanvasObject   { return s.root }
func (s *choosePOScreen) focus()                       { s.scan.focus() }
func (s *choosePOScreen) showFeedback(fb app.Feedback) { s.fb.show(fb) }

func (s *choosePOScreen) refresh() {
	pos, err := s.u.state.OpenPurchaseOrders(s.u.ctx)
	s.list.RemoveAll()
	if err != nil {
		s.count.SetText("Could not read the orders: " + err.Error())
		return
	}
	s.count.SetText(fmt.Sprintf("Open purchase orders: %d", len(pos)))
	for _, po := range pos {
		po := po
		label := fmt.Sprintf("%s · %s", po.Number, po.Supplier)
		detail := fmt.Sprintf("%s · due %s", plural(int64(po.Lines), "line", "lines"), po.ExpectedDate)
		if po.ExpectedDate == "" {
			detail = plural(int64(po.Lines), "line", "lines")
		}
		if po.Status != "" && po.Status != "open" {
			detail += " · " + strings.ReplaceAll(po.Status, "_", " ")
		}
		b := button("", nil, func() { s.open(po.Number) })
		rt := widget.NewRichText(
			&widget.TextSegment{Text: label, Style: widget.RichTextStyle{TextStyle: fyne.TextStyle{Bold: true}}},
			&widget.TextSegment{Text: detail, Style: widget.RichTextStyle{}})
		rt.Truncation = fyne.TextTruncateEllipsis
		text := container.New(layout.NewCustomPaddedLayout(4, 4, 6, 6), rt)
		s.list.Add(atLeast(bigTouch, container.NewStack(b, text)))
	}
}

func (s *choosePOScreen) open(scan string) {
	r, err := s.u.state.StartReceipt(s.u.ctx, scan)
	if err != nil {
		fb := s.u.failure("open the order", err)
		fb.Title = "No open order for " + strings.TrimSpace(scan)
		s.fb.show(fb)
		s.u.signal(app.Bad)
		return
	}
	s.u.opts.Feedback.Good()
	s.u.show(newReceiptScreen(s.u, r))
}

// receiptScreen scans items against an open receipt: the feedback panel,
// the scan field, the actions, and the running tally per line.
type receiptScreen struct {
	u        *UI
	r        Receipt
	scan     *scanField
	fb       *feedbackPanel
	lines    *fyne.Container
	qty      *widget.Button
	damage   *widget.Button
	undo     *widget.Button
	finish   *widget.Button
	root     fyne.CanvasObject
	next     int64 // the quantity set for the next scan, 0: the barcode's
	rows     []*widget.RichText
	split    *fyne.Container
	controls *fyne.Container

	damageDlg dialog.Dialog
}

func newReceiptScreen(u *UI, r Receipt) *receiptScreen {
	s := &receiptScreen{u: u, r: r, lines: container.NewVBox()}
	s.scan = newScanField(u, "Scan items", s.onScan)
	s.fb = newFeedbackPanel(u.theme, "Scan the first item")
	s.qty = button("Qty", theme.ContentAddIcon(), s.askQty)
	s.damage = button("Damaged", theme.WarningIcon(), s.askDamage)
	s.undo = button("Undo", theme.ContentUndoIcon(), s.onUndo)
	s.finish = button("Finish", theme.ConfirmIcon(), s.onFinish)
	s.finish.Importance = widget.HighImportance
	title := r.PO()
	if r.Blind() {
		title += " · blind"
	}
	header := container.NewBorder(nil, nil, touch(button("Home", theme.HomeIcon(), u.home)), nil, heading(title))
	// Two by two: four in a row would not fit a 480-point handheld at
	// these touch sizes (TestScenesFitHandheld).
	actions := container.NewGridWithColumns(2, touch(s.qty), touch(s.damage), touch(s.undo), touch(s.finish))
	s.controls = container.NewVBox(header, s.fb.root, s.scan.root, actions)
	tally := container.NewBorder(lbl(&widget.Label{Text: "Lines", TextStyle: fyne.TextStyle{Bold: true}}), nil, nil, nil,
		container.NewVScroll(s.lines))
	s.split = container.New(&sideBySide{}, s.controls, tally)
	s.root = container.NewPadded(s.split)
	s.refresh()
	return s
}

func (s *receiptScreen) content() fyne.CanvasObject   { return s.root }
func (s *receiptScreen) focus()                       { s.scan.focus() }
func (s *receiptScreen) showFeedback(fb app.Feedback) { s.fb.show(fb) }

func (s *receiptScreen) onScan(text string) {
	fb, err := s.r.Scan(s.u.ctx, text)
	if err != nil {
		fb = s.u.failure("record the scan", err)
	}
	s.after(fb)
	s.setNext(0)
}

// after shows a result, plays it, and re-reads the tally.
func (s *receiptScreen) after(fb app.Feedback) {
	s.fb.show(fb)
	s.u.signal(fb.Level)
	s.refresh()
	s.u.status.refresh()
	relayoutSplit(s.controls, s.split)
	s.focus()
}

func (s *receiptScreen) setNext(n int64) {
	s.next = n
	s.r.SetQty(n)
	showNextQty(s.qty, n)
}

func (s *receiptScreen) askQty() {
	s.u.askQty("Units in the next scan", s.setNext)
}

// damageReasons are the reasons offered for damaged goods.
var damageReasons = []string{"crushed", "wet", "torn packaging"}

func (s *receiptScreen) askDamage() {
	box := container.NewVBox(wrapped("The last accepted scan goes to quarantine. Why?"))
	var d dialog.Dialog
	for _, reason := range damageReasons {
		reason := reason
		box.Add(touch(button(reason, nil, func() { d.Hide(); s.markDamaged(reason) })))
	}
	other := widget.NewEntry()
	other.SetPlaceHolder("Other reason")
	other.OnSubmitted = func(t string) {
		if strings.TrimSpace(t) != "" {
			d.Hide()
			s.markDamaged(strings.TrimSpace(t))
		}
	}
	box.Add(touch(container.NewBorder(nil, nil, nil, button("Other", nil, func() { other.OnSubmitted(other.Text) }), other)))
	d = dialog.NewCustom("Damaged", "Cancel", box, s.u.win)
	d.SetOnClosed(s.focus)
	s.damageDlg = d
	d.Show()
}

func (s *receiptScreen) markDamaged(reason string) {
	fb, err := s.r.MarkDamaged(s.u.ctx, reason)
	if err != nil {
		fb = s.u.failure("mark the damage", err)
	}
	s.after(fb)
}

func (s *receiptScreen) onUndo() {
	fb, err := s.r.Undo(s.u.ctx)
	if err != nil {
		fb = s.u.failure("undo", err)
	}
	s.after(fb)
}

func (s *receiptScreen) onFinish() {
	sum, err := s.r.Summary(s.u.ctx)
	if err != nil {
		s.after(s.u.failure("summarise the receipt", err))
		return
	}
	s.u.show(newSummaryScreen(s.u, s, sum))
}

func (s *receiptScreen) refresh() {
	lines, err := s.r.Lines(s.u.ctx)
	s.rows = showLineRows(s.lines, s.rows, lines, err)
}

// lineSegments is one line of the running tally: the SKU in bold, the
// counts below in the colour of how the line stands.
func lineSegments(l app.ReceiptLine) []widget.RichTextSegment {
	name := l.SKU
	if l.Name != "" {
		name += " · " + l.Name
	}
	var count string
	col := theme.ColorNameForeground
	switch {
	case !l.OnOrder:
		count = fmt.Sprintf("%d received · not on the order", l.Received)
		col = theme.ColorNameError
	case l.Blind:
		count = fmt.Sprintf("%d received", l.Received)
	default:
		got := l.Before + l.Received
		count = fmt.Sprintf("%d / %d", got, l.Ordered)
		if l.Before > 0 {
			count += fmt.Sprintf(" (%d earlier)", l.Before)
		}
		switch {
		case got == l.Ordered:
			col = theme.ColorNameSuccess
			count += " ✓"
		case got > l.Ordered:
			col = theme.ColorNameWarning
		}
	}
	if l.Quarantined > 0 {
		count += fmt.Sprintf(" · %d quarantined", l.Quarantined)
		if col != theme.ColorNameError {
			col = theme.ColorNameWarning
		}
	}
	return []widget.RichTextSegment{
		&widget.TextSegment{Text: name, Style: widget.RichTextStyle{TextStyle: fyne.TextStyle{Bold: true}}},
		&widget.TextSegment{Text: count, Style: widget.RichTextStyle{ColorName: col, TextStyle: fyne.TextStyle{Bold: col != theme.ColorNameForeground}}},
	}
}

// lineRow is a tally line as a new widget.
func lineRow(l app.ReceiptLine) fyne.CanvasObject {
	rt := widget.NewRichText(lineSegments(l)...)
	rt.Truncation = fyne.TextTruncateEllipsis
	return rt
}

// setLineRow updates a tally row, refreshing it only when it changed.
func setLineRow(rt *widget.RichText, l app.ReceiptLine) {
	segs := lineSegments(l)
	if len(rt.Segments) == len(segs) {
		same := true
		for i := range segs {
			a, b := rt.Segments[i].(*widget.TextSegment), segs[i].(*widget.TextSegment)
			if a.Text != b.Text || a.Style != b.Style {
				same = false
			}
		}
		if same {
			return
		}
	}
	rt.Segments = segs
	rt.Refresh()
}

// summaryScreen shows what finishing writes and asks to confirm.
type summaryScreen struct {
	u       *UI
	receipt *receiptScreen
	sum     app.ReceiptSummary
	confirm *widget.Button
	root    fyne.CanvasObject
}

func newSummaryScreen(u *UI, rs *receiptScreen, sum app.ReceiptSummary) *summaryScreen {
	s := &summaryScreen{u: u, receipt: rs, sum: sum}
	s.confirm = button("Confirm and write", theme.ConfirmIcon(), s.onConfirm)
	s.confirm.Importance = widget.HighImportance
	back := button("Back to scanning", theme.NavigateBackIcon(), func() { u.show(rs) })
	body := container.NewVBox(heading("Finish "+sum.PO), summaryTotals(sum))
	if exc := exceptionLines(sum.Exceptions); len(exc) > 0 {
		body.Add(lbl(&widget.Label{Text: "Exceptions", TextStyle: fyne.TextStyle{Bold: true}}))
		for _, e := range exc {
			body.Add(lbl(&widget.Label{Text: e, Importance: widget.WarningImportance}))
		}
	}
	body.Add(lbl(&widget.Label{Text: "Lines", TextStyle: fyne.TextStyle{Bold: true}}))
	for _, l := range sum.Lines {
		body.Add(lineRow(l))
	}
	s.root = container.NewBorder(nil, container.NewPadded(container.NewGridWithColumns(2, big(back), big(s.confirm))), nil, nil,
		container.NewVScroll(container.NewPadded(body)))
	return s
}

func (s *summaryScreen) content() fyne.CanvasObject { return s.root }
func (s *summaryScreen) refresh()                   {}
func (s *summaryScreen) focus()                     {}

func (s *summaryScreen) onConfirm() {
	sum, err := s.receipt.r.Finish(s.u.ctx)
	if err != nil {
		s.receipt.fb.show(s.u.failure("finish the receipt", err))
		s.u.signal(app.Bad)
		s.u.show(s.receipt)
		return
	}
	s.u.opts.Feedback.Good()
	s.u.show(newReceiptDoneScreen(s.u, sum))
}

// summaryTotals is the big figures of a summary.
func summaryTotals(sum app.ReceiptSummary) fyne.CanvasObject {
	var n int
	for _, c := range sum.Exceptions {
		n += c
	}
	fig := func(v string, label string, imp widget.Importance) fyne.CanvasObject {
		return container.NewVBox(
			lbl(&widget.Label{Text: v, SizeName: sizeFeedback, TextStyle: fyne.TextStyle{Bold: true}, Importance: imp, Alignment: fyne.TextAlignCenter}),
			lbl(&widget.Label{Text: label, Alignment: fyne.TextAlignCenter}))
	}
	qImp, eImp := widget.MediumImportance, widget.MediumImportance
	if sum.Quarantine > 0 {
		qImp = widget.WarningImportance
	}
	if n > 0 {
		eImp = widget.DangerImportance
	}
	return container.NewGridWithColumns(3,
		fig(fmt.Sprint(sum.Matched), "matched", widget.SuccessImportance),
		fig(fmt.Sprint(sum.Quarantine), "quarantine", qImp),
		fig(fmt.Sprint(n), "exceptions", eImp))
}

// exceptionWords names the exception codes for the clerk.
var exceptionWords = map[app.ExceptionCode]string{
	app.ExUnknownBarcode:  "unknown barcode",
	app.ExNotOnPO:         "not on the order",
	app.ExOverReceipt:     "over-receipt",
	app.ExExpired:         "expired lot",
	app.ExShortDated:      "short-dated lot",
	app.ExDuplicateSerial: "duplicate serial",
	app.ExDamaged:         "damaged",
}

func exceptionLines(m map[app.ExceptionCode]int) []string {
	var out []string
	for code, n := range m {
		if n == 0 {
			continue
		}
		w := exceptionWords[code]
		if w == "" {
			w = strings.ReplaceAll(string(code), "_", " ")
		}
		out = append(out, fmt.Sprintf("%d × %s", n, w))
	}
	sort.Strings(out)
	return out
}

// receiptDoneScreen confirms a written receipt.
type receiptDoneScreen struct {
	u    *UI
	root fyne.CanvasObject
}

func newReceiptDoneScreen(u *UI, sum app.ReceiptSummary) *receiptDoneScreen {
	s := &receiptDoneScreen{u: u}
	fb := newFeedbackPanel(u.theme, "")
	fb.show(app.Feedback{Level: app.Good, Title: sum.PO + " received",
		Detail: fmt.Sprintf("%s written; they sync when the scanner is online.", plural(int64(sum.Events), "event", "events"))})
	body := container.NewVBox(fb.root, summaryTotals(sum))
	for _, e := range exceptionLines(sum.Exceptions) {
		body.Add(lbl(&widget.Label{Text: e, Importance: widget.WarningImportance}))
	}
	next := button("Receive another", theme.DownloadIcon(), func() { u.show(newChoosePOScreen(u)) })
	next.Importance = widget.HighImportance
	s.root = container.NewBorder(nil, container.NewPadded(container.NewGridWithColumns(2, big(button("Home", theme.HomeIcon(), u.home)), big(next))), nil, nil,
		container.NewVScroll(container.NewPadded(body)))
	return s
}

func (s *receiptDoneScreen) content() fyne.CanvasObject { return s.root }
func (s *receiptDoneScreen) refresh()                   {}
func (s *receiptDoneScreen) focus()                     {}

// sideBySide lays out a screen's controls and its list: stacked on a
// narrow screen (the list below), side by side on a wide one.
type sideBySide struct{}

func (sideBySide) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if len(objs) != 2 {
		return
	}
	pad := theme.Padding() * 2
	controls, list := objs[0], objs[1]
	if size.Width > wideWidth {
		w := min(size.Width*0.5, 620)
		controls.Resize(fyne.NewSize(w, controls.MinSize().Height))
		controls.Move(fyne.NewPos(0, 0))
		list.Resize(fyne.NewSize(size.Width-w-pad, size.Height))
		list.Move(fyne.NewPos(w+pad, 0))
		return
	}
	h := controls.MinSize().Height
	controls.Resize(fyne.NewSize(size.Width, h))
	controls.Move(fyne.NewPos(0, 0))
	list.Resize(fyne.NewSize(size.Width, max(0, size.Height-h-pad)))
	list.Move(fyne.NewPos(0, h+pad))
}

func (sideBySide) MinSize(objs []fyne.CanvasObject) fyne.Size {
	if len(objs) != 2 {
		return fyne.Size{}
	}
	c, l := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(max(c.Width, l.Width), c.Height+l.Height)
}
