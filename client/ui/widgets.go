package ui

import (
	"fmt"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/driftless/driftless/client/app"
)

// Touch targets: at least 48dp high; the main actions are taller.
const (
	minTouch  float32 = 52
	bigTouch  float32 = 72
	wideWidth float32 = 900 // wider than this, screens put their list beside the controls
)

// minSize is a layout that stretches its objects over the container and
// makes it at least min.
type minSize struct{ min fyne.Size }

func (l minSize) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

func (l minSize) MinSize(objs []fyne.CanvasObject) fyne.Size {
	m := l.min
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	return m
}

// atLeast wraps o so that it is at least h high.
func atLeast(h float32, o fyne.CanvasObject) fyne.CanvasObject {
	return container.New(minSize{fyne.NewSize(0, h)}, o)
}

// button is a touch-sized button.
func button(label string, icon fyne.Resource, tap func()) *widget.Button {
	return widget.NewButtonWithIcon(label, icon, tap)
}

// big wraps a button (or anything) to the height of a main action.
func big(o fyne.CanvasObject) fyne.CanvasObject { return atLeast(bigTouch, o) }

// touch wraps a control to the minimum touch height.
func touch(o fyne.CanvasObject) fyne.CanvasObject { return atLeast(minTouch, o) }

// heading is a screen's title.
func heading(text string) *widget.Label {
	return lbl(&widget.Label{Text: text, SizeName: theme.SizeNameHeadingText, TextStyle: fyne.TextStyle{Bold: true}, Truncation: fyne.TextTruncateEllipsis})
}

// wrapped is a label that wraps words.
func wrapped(text string) *widget.Label {
	return lbl(&widget.Label{Text: text, Wrapping: fyne.TextWrapWord})
}

// tapArea makes any content tappable (the status bar).
type tapArea struct {
	widget.BaseWidget
	content fyne.CanvasObject
	onTap   func()
}

func newTapArea(content fyne.CanvasObject, onTap func()) *tapArea {
	t := &tapArea{content: content, onTap: onTap}
	t.ExtendBaseWidget(t)
	return t
}

func (t *tapArea) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(t.content) }

func (t *tapArea) Tapped(*fyne.PointEvent) {
	if t.onTap != nil {
		t.onTap()
	}
}

// feedbackPanel is the big coloured result of the last scan: green, amber
// or red, the title in large text, the detail below.
type feedbackPanel struct {
	bg     *canvas.Rectangle
	title  *widget.Label
	detail *widget.Label
	over   *container.ThemeOverride
	root   fyne.CanvasObject
	base   fyne.Theme
	last   app.Feedback
	shown  bool
}

func newFeedbackPanel(base fyne.Theme, prompt string) *feedbackPanel {
	return newFeedbackPanelMin(base, prompt, 140)
}

// newFeedbackPanelMin is a feedback panel at least minHeight high, for
// screens that need the height for more (the picking screen).
func newFeedbackPanelMin(base fyne.Theme, prompt string, minHeight float32) *feedbackPanel {
	p := &feedbackPanel{base: base}
	p.bg = canvas.NewRectangle(color.Transparent)
	p.bg.CornerRadius = 8
	p.bg.StrokeWidth = 2
	p.title = lbl(&widget.Label{SizeName: sizeFeedback, TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord})
	p.detail = lbl(&widget.Label{Wrapping: fyne.TextWrapWord})
	p.over = container.NewThemeOverride(container.NewVBox(p.title, p.detail), base)
	p.root = atLeast(minHeight, container.NewStack(p.bg, container.NewPadded(p.over)))
	p.prompt(prompt)
	return p
}

// prompt shows a neutral instruction (no scan yet).
func (p *feedbackPanel) prompt(text string) {
	p.shown = false
	p.bg.FillColor = p.base.Color(theme.ColorNameInputBackground, 0)
	p.bg.StrokeColor = p.base.Color(theme.ColorNameSeparator, 0)
	p.over.Theme = p.base
	p.title.SizeName = theme.SizeNameSubHeadingText
	p.title.SetText(text)
	p.detail.SetText("")
	p.over.Refresh()
	p.bg.Refresh()
}

// show shows a scan result.
func (p *feedbackPanel) show(fb app.Feedback) {
	p.last, p.shown = fb, true
	bg, fg := colBad, color.Color(colOnBad)
	switch fb.Level {
	case app.Good:
		bg, fg = colGood, colOnGood
	case app.Warn:
		bg, fg = colWarn, colOnWarn
	}
	p.bg.FillColor, p.bg.StrokeColor = bg, bg
	p.over.Theme = textOn{p.base, fg}
	p.title.SizeName = sizeFeedback
	p.title.SetText(fb.Title)
	p.detail.SetText(fb.Detail)
	p.over.Refresh()
	p.bg.Refresh()
}

// newCard puts content on a rounded panel with an outline: the task or
// the item a screen is about.
func newCard(base fyne.Theme, content fyne.CanvasObject) fyne.CanvasObject {
	bg := canvas.NewRectangle(base.Color(theme.ColorNameInputBackground, 0))
	bg.CornerRadius = 8
	bg.StrokeWidth = 2
	bg.StrokeColor = base.Color(theme.ColorNamePrimary, 0)
	return container.NewStack(bg, container.NewPadded(content))
}

// showIf shows or hides o.
func showIf(o fyne.CanvasObject, on bool) {
	if on {
		o.Show()
	} else {
		o.Hide()
	}
}

// scanField is the always-focused entry that keyboard-wedge scanners type
// into, with the camera and image-file buttons beside it.
type scanField struct {
	u      *UI
	entry  *widget.Entry
	root   fyne.CanvasObject
	onScan func(text string)
}

func newScanField(u *UI, placeholder string, onScan func(string)) *scanField {
	f := &scanField{u: u, onScan: onScan}
	f.entry = widget.NewEntry()
	f.entry.SetPlaceHolder(placeholder)
	f.entry.OnSubmitted = func(s string) {
		f.entry.SetText("")
		f.submit(s)
	}
	var extra []fyne.CanvasObject
	if u.opts.Camera != nil {
		extra = append(extra, touch(button("", theme.MediaPhotoIcon(), f.openCamera)))
	}
	if !fyne.CurrentDevice().IsMobile() {
		extra = append(extra, touch(button("Image…", theme.FileImageIcon(), f.openFile)))
	}
	f.root = touch(container.NewBorder(nil, nil, nil, container.NewHBox(extra...), f.entry))
	return f
}

// submit handles one scan from any source.
func (f *scanField) submit(s string) {
	s = strings.TrimRight(s, "\r\n\t")
	if strings.TrimSpace(s) != "" {
		f.onScan(s)
	}
	f.focus()
}

func (f *scanField) focus() {
	if c := f.u.win.Canvas(); c != nil {
		c.Focus(f.entry)
	}
}

// openFile scans a barcode from an image file (laptops without a scanner).
func (f *scanField) openFile() {
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		defer f.focus()
		if err != nil || rc == nil {
			return
		}
		path := rc.URI().Path()
		rc.Close()
		text, err := f.u.opts.DecodeFile(path)
		if err != nil {
			f.u.scanError(app.Feedback{Level: app.Bad, Title: "No barcode found", Detail: err.Error()})
			return
		}
		f.submit(text)
	}, f.u.win)
	d.Show()
}

// scanError shows a failed scan on the current screen, if it has a panel.
func (u *UI) scanError(fb app.Feedback) {
	if p, ok := u.screen.(interface{ showFeedback(app.Feedback) }); ok {
		p.showFeedback(fb)
	}
	u.signal(fb.Level)
}

// numberDialog asks for a quantity.
func (u *UI) askQty(title string, done func(n int64)) {
	e := widget.NewEntry()
	e.SetPlaceHolder("units")
	keys := container.NewGridWithColumns(3)
	for _, k := range []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "C"} {
		k := k
		keys.Add(atLeast(64, button(k, nil, func() {
			switch k {
			case "⌫":
				if t := e.Text; t != "" {
					e.SetText(t[:len(t)-1])
				}
			case "C":
				e.SetText("")
			default:
				e.SetText(e.Text + k)
			}
		})))
	}
	var d dialog.Dialog
	submit := func() {
		n, ok := parseQty(e.Text)
		if !ok {
			return
		}
		d.Hide()
		done(n)
		u.focus()
	}
	e.OnSubmitted = func(string) { submit() }
	d = dialog.NewCustomConfirm(title, "Set", "Cancel", container.NewVBox(touch(e), keys), func(ok bool) {
		if ok {
			if n, valid := parseQty(e.Text); valid {
				done(n)
			}
		}
		u.focus()
	}, u.win)
	d.Show()
	u.win.Canvas().Focus(e)
}

func parseQty(s string) (int64, bool) {
	var n int64
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 6 {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// relayout lays a screen out again after texts changed: wrapped labels
// know their height only once they have their width, so twice.
func relayout(o fyne.CanvasObject) {
	o.Refresh()
	o.Refresh()
}

// relayoutSplit lays out again the controls of a screen split into
// controls and a list, after the feedback panel changed height, and then
// the split, without refreshing the list.
func relayoutSplit(controls, split *fyne.Container) {
	before := controls.MinSize()
	controls.Refresh()
	if controls.MinSize() != before {
		controls.Refresh()
	}
	split.Layout.Layout(split.Objects, split.Size())
}

// lbl and btn finish widgets built as struct literals: a widget lays out
// its renderer only once it knows itself (ExtendBaseWidget).
func lbl(l *widget.Label) *widget.Label {
	l.ExtendBaseWidget(l)
	return l
}

func btn(b *widget.Button) *widget.Button {
	b.ExtendBaseWidget(b)
	return b
}

// say sets a form's message, hiding the label while there is none.
func say(l *widget.Label, text string) {
	l.SetText(text)
	showIf(l, text != "")
}

// showNextQty labels a Qty button with the quantity the next scan stands
// for (n > 0), highlighted, or plainly "Qty".
func showNextQty(b *widget.Button, n int64) {
	if n > 0 {
		b.SetText(fmt.Sprintf("Qty ×%d", n))
		b.Importance = widget.WarningImportance
	} else {
		b.SetText("Qty")
		b.Importance = widget.MediumImportance
	}
	b.Refresh()
}

// showLineRows shows a receipt's lines (or why they could not be read) in
// box, one row and a separator per line, and returns the rows. The rows
// are updated in place while the number of lines stays the same:
// re-measuring text is most of a scan's cost, and a scan changes one line.
func showLineRows(box *fyne.Container, rows []*widget.RichText, lines []app.ReceiptLine, err error) []*widget.RichText {
	if err != nil {
		box.RemoveAll()
		box.Add(wrapped("Could not read the lines: " + err.Error()))
		return nil
	}
	if len(rows) != len(lines) {
		box.RemoveAll()
		rows = rows[:0]
		for range lines {
			rt := widget.NewRichText()
			rt.Truncation = fyne.TextTruncateEllipsis
			rows = append(rows, rt)
			box.Add(rt)
			box.Add(widget.NewSeparator())
		}
		box.Refresh()
	}
	for i, l := range lines {
		setLineRow(rows[i], l)
	}
	return rows
}
