package ui

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/driftless/driftless/client/app"
)

// accuracyWeeks is how many weeks the chart shows.
const accuracyWeeks = 12

// The filters' first options: no filter.
const (
	allClasses  = "All classes"
	allCounters = "All counters"
)

// accuracyPanel charts the warehouse's weekly inventory accuracy
// (location, SKU and value), filtered by class and counter, with the
// figures in a table below.
type accuracyPanel struct {
	u       *UI
	msg     *widget.Label
	class   *widget.Select
	counter *widget.Select
	chart   *accuracyChart
	table   *widget.RichText
	body    *fyne.Container // the chart and the table: side by side on a laptop
	root    fyne.CanvasObject

	counters []app.User // read once, for the counter filter
	loading  bool
}

func newAccuracyPanel(u *UI) *accuracyPanel {
	s := &accuracyPanel{u: u}
	s.msg = wrapped("")
	s.class = widget.NewSelect([]string{allClasses, "Class A", "Class B", "Class C"}, func(string) { s.load() })
	s.class.Selected = allClasses
	s.counter = widget.NewSelect([]string{allCounters}, func(string) { s.load() })
	s.counter.Selected = allCounters
	s.chart = newAccuracyChart(u.theme)
	s.table = widget.NewRichText()
	filters := container.NewGridWithColumns(2, touch(s.class), touch(s.counter))
	s.body = container.NewVBox()
	note := lbl(&widget.Label{Text: "Location: share of the bins counted with no variance. SKU: share of the SKU lines counted with no variance. " +
		"Value: 1 − the variances' value ÷ the value counted. Bars: the bins counted each week.", Wrapping: fyne.TextWrapWord, SizeName: theme.SizeNameCaptionText})
	s.root = container.NewBorder(container.NewPadded(container.NewVBox(filters, s.msg)), nil, nil, nil,
		container.NewVScroll(container.NewPadded(container.NewVBox(s.body, note))))
	return s
}

// classFilter is the class chosen, "" for all.
func (s *accuracyPanel) classFilter() string {
	if c, ok := strings.CutPrefix(s.class.Selected, "Class "); ok {
		return c
	}
	return ""
}

// load reads the accuracy (and, the first time, the counters) from the
// server, off the UI goroutine.
func (s *accuracyPanel) load() {
	if s.loading {
		return
	}
	s.loading = true
	s.msg.SetText("Reading the accuracy from the server…")
	class, counter := s.classFilter(), s.counterCode()
	var pts []app.AccuracyPoint
	var counters []app.User
	first := s.counters == nil
	s.u.supervise(func() (err error) {
		if first {
			if counters, err = s.u.state.Counters(s.u.ctx); err != nil {
				return err
			}
		}
		pts, err = s.u.state.Accuracy(s.u.ctx, class, counter, accuracyWeeks)
		return err
	}, func(err error) {
		s.loading = false
		if first && err == nil {
			s.setCounters(counters)
		}
		s.show(pts, err)
	})
}

func (s *accuracyPanel) setCounters(us []app.User) {
	s.counters = us
	opts := []string{allCounters}
	for _, u := range us {
		opts = append(opts, cmpOr(u.Name, u.Code))
	}
	s.counter.Options = opts
	s.counter.Refresh()
}

// counterCode is the user code of the counter chosen in the filter.
func (s *accuracyPanel) counterCode() string {
	for _, u := range s.counters {
		if cmpOr(u.Name, u.Code) == s.counter.Selected {
			return u.Code
		}
	}
	return ""
}

func (s *accuracyPanel) show(pts []app.AccuracyPoint, err error) {
	if err != nil {
		s.msg.Importance = widget.DangerImportance
		s.msg.SetText(s.u.offlineText("the accuracy", err))
		s.chart.set(nil)
		setSegments(s.table, nil)
		relayout(s.root)
		return
	}
	s.msg.Importance = widget.MediumImportance
	bins := 0
	for _, p := range pts {
		bins += p.Bins
	}
	if bins == 0 {
		s.msg.SetText("No decided counts in these weeks.")
	} else {
		s.msg.SetText(fmt.Sprintf("The last %d weeks: %s counted.", len(pts), plural(int64(bins), "bin", "bins")))
	}
	s.chart.set(pts)
	// The figures, a line a week, newest first.
	head := widget.RichTextStyle{TextStyle: fyne.TextStyle{Bold: true, Monospace: true}}
	mono := widget.RichTextStyle{TextStyle: fyne.TextStyle{Monospace: true}}
	segs := []widget.RichTextSegment{&widget.TextSegment{Text: fmt.Sprintf("%-8s %5s %6s %6s %6s", "Week", "Bins", "Loc", "SKU", "Value"), Style: head}}
	for i := len(pts) - 1; i >= 0; i-- {
		p := pts[i]
		row := fmt.Sprintf("%-8s %5d %6s %6s %6s", shortWeek(p.Week), p.Bins, pct(p.Location), pct(p.SKU), pct(p.Value))
		if p.Bins == 0 {
			row = fmt.Sprintf("%-8s %5d %6s %6s %6s", shortWeek(p.Week), 0, "–", "–", "–")
		}
		segs = append(segs, &widget.TextSegment{Text: row, Style: mono})
	}
	setSegments(s.table, segs)
	// The table beside the chart on a laptop's window, below it on a
	// handheld.
	if s.u.win.Canvas().Size().Width > wideWidth {
		s.chart.minHeight = 400
		side := container.NewBorder(nil, nil, nil, container.NewPadded(s.table), s.chart)
		s.body.Objects = []fyne.CanvasObject{side}
		s.body.Refresh()
		side.Refresh() // lay the table out at its width
	} else {
		s.chart.minHeight = 340
		s.body.Objects = []fyne.CanvasObject{s.chart, s.table}
	}
	relayout(s.root)
}

func pct(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }

// shortWeek turns "2026-W09" into "W09 '26" for the axis and table.
func shortWeek(w string) string {
	if y, wk, ok := strings.Cut(w, "-"); ok && len(y) == 4 {
		return wk + " '" + y[2:]
	}
	return w
}

// accuracySeries are the chart's three lines, in legend order.
var accuracySeries = []struct {
	name string
	col  color.NRGBA
	get  func(app.AccuracyPoint) float64
}{
	{"Location", color.NRGBA{R: 0x0b, G: 0x57, B: 0xd0, A: 0xff}, func(p app.AccuracyPoint) float64 { return p.Location }},
	{"SKU", color.NRGBA{R: 0x1b, G: 0x8a, B: 0x3a, A: 0xff}, func(p app.AccuracyPoint) float64 { return p.SKU }},
	{"Value", color.NRGBA{R: 0xd9, G: 0x6c, B: 0x00, A: 0xff}, func(p app.AccuracyPoint) float64 { return p.Value }},
}

// accuracyChart draws weekly accuracy as three lines with dots over bars
// of the bins counted, with a percentage axis, week labels and a legend,
// from canvas primitives.
type accuracyChart struct {
	widget.BaseWidget
	th        fyne.Theme
	pts       []app.AccuracyPoint
	minHeight float32
}

func newAccuracyChart(th fyne.Theme) *accuracyChart {
	c := &accuracyChart{th: th, minHeight: 340}
	c.ExtendBaseWidget(c)
	return c
}

func (c *accuracyChart) set(pts []app.AccuracyPoint) {
	c.pts = pts
	c.Refresh()
}

func (c *accuracyChart) MinSize() fyne.Size { return fyne.NewSize(300, c.minHeight) }

func (c *accuracyChart) CreateRenderer() fyne.WidgetRenderer {
	r := &chartRenderer{c: c}
	r.rebuild()
	return r
}

// chartRenderer builds the chart's objects when the data changes and
// places them when the size does.
type chartRenderer struct {
	c    *accuracyChart
	objs []fyne.CanvasObject
	size fyne.Size

	bg      *canvas.Rectangle
	grid    []*canvas.Line
	yLabels []*canvas.Text
	xLabels []*canvas.Text
	bars    []*canvas.Rectangle
	lines   [][]*canvas.Line   // per series, a segment between weeks
	dots    [][]*canvas.Circle // per series, a dot a week
	legend  []fyne.CanvasObject
	barNote *canvas.Text
	empty   *canvas.Text
	lo      float64 // the axis' lowest value (its top is 100%)
}

func (r *chartRenderer) Destroy()                     {}
func (r *chartRenderer) Objects() []fyne.CanvasObject { return r.objs }
func (r *chartRenderer) MinSize() fyne.Size           { return r.c.MinSize() }

func (r *chartRenderer) Refresh() {
	r.rebuild()
	r.Layout(r.size)
	canvas.Refresh(r.c)
}

func (r *chartRenderer) text(s string, col color.Color, size float32, bold bool) *canvas.Text {
	t := canvas.NewText(s, col)
	t.TextSize = size
	t.TextStyle.Bold = bold
	return t
}

// rebuild makes the objects for the current data.
func (r *chartRenderer) rebuild() {
	th, pts := r.c.th, r.c.pts
	fg := th.Color(theme.ColorNameForeground, 0)
	sep := th.Color(theme.ColorNameSeparator, 0)
	small := th.Size(theme.SizeNameCaptionText)
	r.objs = nil
	r.bg = canvas.NewRectangle(th.Color(theme.ColorNameInputBackground, 0))
	r.bg.CornerRadius = 8
	r.objs = append(r.objs, r.bg)

	// The axis runs from 100% down to a round ten below the lowest value
	// (at most 50%), so that the differences that matter show.
	r.lo = 0.9
	for _, p := range pts {
		if p.Bins == 0 {
			continue
		}
		for _, s := range accuracySeries {
			r.lo = math.Min(r.lo, math.Floor(s.get(p)*10)/10)
		}
	}
	r.lo = math.Max(0, math.Min(r.lo, 0.9))
	if r.lo < 0.5 {
		r.lo = 0
	}
	r.grid, r.yLabels = nil, nil
	for i := 0; i <= 4; i++ {
		v := r.lo + (1-r.lo)*float64(i)/4
		l := canvas.NewLine(sep)
		l.StrokeWidth = 1
		r.grid = append(r.grid, l)
		t := r.text(fmt.Sprintf("%.0f%%", 100*v), fg, small, false)
		t.Alignment = fyne.TextAlignTrailing
		r.yLabels = append(r.yLabels, t)
		r.objs = append(r.objs, l, t)
	}

	// Bars: the bins counted each week, faint, scaled to the busiest week.
	r.bars, r.xLabels = nil, nil
	barCol := th.Color(theme.ColorNameSeparator, 0)
	for _, p := range pts {
		b := canvas.NewRectangle(barCol)
		r.bars = append(r.bars, b)
		r.objs = append(r.objs, b)
		t := r.text(shortWeek(p.Week), fg, small, false)
		t.Alignment = fyne.TextAlignCenter
		r.xLabels = append(r.xLabels, t)
		r.objs = append(r.objs, t)
	}

	r.lines, r.dots = nil, nil
	for _, s := range accuracySeries {
		var ls []*canvas.Line
		var ds []*canvas.Circle
		for i, p := range pts {
			if p.Bins == 0 {
				ds = append(ds, nil)
				if i > 0 {
					ls = append(ls, nil)
				}
				continue
			}
			ds = append(ds, canvas.NewCircle(s.col))
			if i > 0 {
				if pts[i-1].Bins == 0 {
					ls = append(ls, nil)
					continue
				}
				l := canvas.NewLine(s.col)
				l.StrokeWidth = 3
				ls = append(ls, l)
				r.objs = append(r.objs, l)
			}
		}
		r.lines = append(r.lines, ls)
		r.dots = append(r.dots, ds)
	}
	// The dots on top of the lines.
	for _, ds := range r.dots {
		for _, d := range ds {
			if d != nil {
				r.objs = append(r.objs, d)
			}
		}
	}

	r.legend = nil
	for _, s := range accuracySeries {
		sw := canvas.NewRectangle(s.col)
		sw.CornerRadius = 3
		t := r.text(s.name, fg, th.Size(theme.SizeNameText)*0.85, true)
		r.legend = append(r.legend, sw, t)
		r.objs = append(r.objs, sw, t)
	}
	r.barNote = r.text("bars: bins counted", fg, small, false)
	r.objs = append(r.objs, r.barNote)
	r.empty = r.text("", fg, th.Size(theme.SizeNameText), false)
	if len(pts) == 0 {
		r.empty.Text = "No accuracy to show"
	}
	r.objs = append(r.objs, r.empty)
}

// Layout places the chart: the legend on top, the y axis labels on the
// left, the plot, the week labels below.
func (r *chartRenderer) Layout(size fyne.Size) {
	r.size = size
	if size.Width <= 0 || size.Height <= 0 {
		return
	}
	pad := float32(10)
	r.bg.Resize(size)
	r.bg.Move(fyne.NewPos(0, 0))

	// Legend: swatch and name, in a row.
	x, y := pad, pad
	for i := 0; i+1 < len(r.legend); i += 2 {
		sw, t := r.legend[i], r.legend[i+1].(*canvas.Text)
		ts := t.MinSize()
		sw.Resize(fyne.NewSize(18, 18))
		sw.Move(fyne.NewPos(x, y+(ts.Height-18)/2))
		t.Move(fyne.NewPos(x+24, y))
		t.Resize(ts)
		x += 24 + ts.Width + 18
	}
	legendH := r.legend[1].MinSize().Height
	ns := r.barNote.MinSize()
	r.barNote.Resize(ns)
	if x+ns.Width+pad <= size.Width {
		r.barNote.Move(fyne.NewPos(size.Width-pad-ns.Width, y+(legendH-ns.Height)/2))
	} else {
		r.barNote.Move(fyne.NewPos(pad, y+legendH+2))
		legendH += ns.Height + 2
	}

	labelW := float32(0)
	for _, t := range r.yLabels {
		labelW = max(labelW, t.MinSize().Width)
	}
	xlH := float32(0)
	if len(r.xLabels) > 0 {
		xlH = r.xLabels[0].MinSize().Height
	}
	left := pad + labelW + 8
	right := size.Width - pad
	top := pad + legendH + 14
	bottom := size.Height - pad - xlH - 6
	plotW, plotH := right-left, bottom-top

	for i, l := range r.grid {
		gy := bottom - plotH*float32(i)/4
		l.Position1 = fyne.NewPos(left, gy)
		l.Position2 = fyne.NewPos(right, gy)
		t := r.yLabels[i]
		ts := t.MinSize()
		t.Resize(fyne.NewSize(labelW, ts.Height))
		t.Move(fyne.NewPos(pad, gy-ts.Height/2))
	}
	es := r.empty.MinSize()
	r.empty.Resize(es)
	r.empty.Move(fyne.NewPos(left+(plotW-es.Width)/2, top+(plotH-es.Height)/2))

	n := len(r.c.pts)
	if n == 0 {
		return
	}
	slot := plotW / float32(n)
	xAt := func(i int) float32 { return left + slot*(float32(i)+0.5) }
	yAt := func(v float64) float32 {
		f := (v - r.lo) / (1 - r.lo)
		f = math.Max(0, math.Min(1, f))
		return bottom - plotH*float32(f)
	}
	most := 1
	for _, p := range r.c.pts {
		most = max(most, p.Bins)
	}
	// Every week's label when they fit, else every other one.
	step := 1
	for lw := r.xLabels[0].MinSize().Width + 14; lw*float32(n)/float32(step) > plotW; step++ {
	}
	for i, p := range r.c.pts {
		bh := plotH * 0.35 * float32(p.Bins) / float32(most)
		bw := slot * 0.5
		r.bars[i].Resize(fyne.NewSize(bw, bh))
		r.bars[i].Move(fyne.NewPos(xAt(i)-bw/2, bottom-bh))
		t := r.xLabels[i]
		ts := t.MinSize()
		t.Resize(ts)
		t.Move(fyne.NewPos(xAt(i)-ts.Width/2, bottom+6))
		t.Hidden = (n-1-i)%step != 0 // keep the newest week's label
	}
	for si, s := range accuracySeries {
		for i, p := range r.c.pts {
			if d := r.dots[si][i]; d != nil {
				c := fyne.NewPos(xAt(i), yAt(s.get(p)))
				d.Position1 = fyne.NewPos(c.X-5, c.Y-5)
				d.Position2 = fyne.NewPos(c.X+5, c.Y+5)
			}
			if i == 0 {
				continue
			}
			if l := r.lines[si][i-1]; l != nil {
				l.Position1 = fyne.NewPos(xAt(i-1), yAt(s.get(r.c.pts[i-1])))
				l.Position2 = fyne.NewPos(xAt(i), yAt(s.get(p)))
			}
		}
	}
}
