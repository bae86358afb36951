package ui

import (
	"fmt"
	"image/color"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/driftless/driftless/client/app"
)

// usageBucket is one bar pair of the usage chart: a day or a week.
type usageBucket struct {
	label              string
	consumed, received int64
}

// usageBuckets sums daily usage into a bucket for every day (or ISO
// week) from from to to, empty ones included, so that the x axis is
// time.
func usageBuckets(pts []app.UsagePoint, from, to time.Time, week bool) []usageBucket {
	var out []usageBucket
	index := map[string]int{}
	key := func(d time.Time) (string, string) {
		if week {
			y, w := d.ISOWeek()
			return fmt.Sprintf("%d-W%02d", y, w), fmt.Sprintf("W%02d", w)
		}
		return d.Format(time.DateOnly), d.Format("Jan 2")
	}
	if !to.Before(from) && to.Sub(from) < 4*366*24*time.Hour {
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			k, l := key(d)
			if _, ok := index[k]; !ok {
				index[k] = len(out)
				out = append(out, usageBucket{label: l})
			}
		}
	}
	for _, p := range pts {
		d, err := time.Parse(time.DateOnly, p.Day)
		if err != nil {
			continue
		}
		k, l := key(d)
		i, ok := index[k]
		if !ok { // outside the range asked for: shown all the same
			i = len(out)
			index[k] = i
			out = append(out, usageBucket{label: l})
		}
		out[i].consumed += p.Consumed
		out[i].received += p.Received
	}
	return out
}

// The usage chart's series, in legend order.
var (
	colConsumed = color.NRGBA{R: 0xd9, G: 0x6c, B: 0x00, A: 0xff}
	colReceived = color.NRGBA{R: 0x0b, G: 0x57, B: 0xd0, A: 0xff}
)

// usageChart draws units consumed and received per day or week as pairs
// of bars, with a unit axis on round figures, period labels and a legend,
// from canvas primitives.
type usageChart struct {
	widget.BaseWidget
	th        fyne.Theme
	buckets   []usageBucket
	unit      string // "units per day"
	minHeight float32
}

func newUsageChart(th fyne.Theme) *usageChart {
	c := &usageChart{th: th, minHeight: 300}
	c.ExtendBaseWidget(c)
	return c
}

func (c *usageChart) set(b []usageBucket, unit string) {
	c.buckets, c.unit = b, unit
	c.Refresh()
}

func (c *usageChart) MinSize() fyne.Size { return fyne.NewSize(300, c.minHeight) }

func (c *usageChart) CreateRenderer() fyne.WidgetRenderer {
	r := &usageRenderer{c: c}
	r.rebuild()
	return r
}

type usageRenderer struct {
	c    *usageChart
	objs []fyne.CanvasObject
	size fyne.Size

	bg       *canvas.Rectangle
	grid     []*canvas.Line
	yLabels  []*canvas.Text
	xLabels  []*canvas.Text
	consumed []*canvas.Rectangle
	received []*canvas.Rectangle
	legend   []fyne.CanvasObject // swatch, name, swatch, name
	unit     *canvas.Text
	empty    *canvas.Text
	top      int64 // the axis' top figure
}

func (r *usageRenderer) Destroy()                     {}
func (r *usageRenderer) Objects() []fyne.CanvasObject { return r.objs }
func (r *usageRenderer) MinSize() fyne.Size           { return r.c.MinSize() }

func (r *usageRenderer) Refresh() {
	r.rebuild()
	r.Layout(r.size)
	canvas.Refresh(r.c)
}

// niceAxis returns the axis' top and step for a largest value: round
// steps of 1, 2 or 5 × 10^k, four or five of them.
func niceAxis(most int64) (top, step int64) {
	if most <= 0 {
		return 4, 1
	}
	raw := float64(most) / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if s := m * mag; s >= raw {
			step = max(1, int64(s))
			break
		}
	}
	top = (most + step - 1) / step * step
	return top, step
}

func (r *usageRenderer) rebuild() {
	th, bs := r.c.th, r.c.buckets
	fg := th.Color(theme.ColorNameForeground, 0)
	sep := th.Color(theme.ColorNameSeparator, 0)
	small := th.Size(theme.SizeNameCaptionText)
	text := func(s string, size float32, bold bool) *canvas.Text {
		t := canvas.NewText(s, fg)
		t.TextSize, t.TextStyle.Bold = size, bold
		return t
	}
	r.objs = nil
	r.bg = canvas.NewRectangle(th.Color(theme.ColorNameInputBackground, 0))
	r.bg.CornerRadius = 8
	r.objs = append(r.objs, r.bg)

	var most int64
	for _, b := range bs {
		most = max(most, b.consumed, b.received)
	}
	top, step := niceAxis(most)
	r.top = top
	r.grid, r.yLabels = nil, nil
	for v := int64(0); v <= top; v += step {
		l := canvas.NewLine(sep)
		l.StrokeWidth = 1
		t := text(fmt.Sprint(v), small, false)
		t.Alignment = fyne.TextAlignTrailing
		r.grid = append(r.grid, l)
		r.yLabels = append(r.yLabels, t)
		r.objs = append(r.objs, l, t)
	}
	r.consumed, r.received, r.xLabels = nil, nil, nil
	for _, b := range bs {
		cr, rr := canvas.NewRectangle(colConsumed), canvas.NewRectangle(colReceived)
		t := text(b.label, small, false)
		r.consumed = append(r.consumed, cr)
		r.received = append(r.received, rr)
		r.xLabels = append(r.xLabels, t)
		r.objs = append(r.objs, cr, rr, t)
	}
	r.legend = nil
	for _, s := range []struct {
		name string
		col  color.Color
	}{{"Consumed", colConsumed}, {"Received", colReceived}} {
		sw := canvas.NewRectangle(s.col)
		sw.CornerRadius = 3
		t := text(s.name, th.Size(theme.SizeNameText)*0.85, true)
		r.legend = append(r.legend, sw, t)
		r.objs = append(r.objs, sw, t)
	}
	r.unit = text(r.c.unit, small, false)
	r.empty = text("", th.Size(theme.SizeNameText), false)
	if most == 0 {
		r.empty.Text = "No usage in these dates"
	}
	r.objs = append(r.objs, r.unit, r.empty)
}

// Layout places the legend on top, the unit axis on the left, the bars,
// and the period labels below.
func (r *usageRenderer) Layout(size fyne.Size) {
	r.size = size
	if size.Width <= 0 || size.Height <= 0 {
		return
	}
	pad := float32(10)
	r.bg.Resize(size)
	x, y := pad, pad
	for i := 0; i+1 < len(r.legend); i += 2 {
		sw, t := r.legend[i], r.legend[i+1]
		ts := t.MinSize()
		sw.Resize(fyne.NewSize(18, 18))
		sw.Move(fyne.NewPos(x, y+(ts.Height-18)/2))
		t.Resize(ts)
		t.Move(fyne.NewPos(x+24, y))
		x += 24 + ts.Width + 18
	}
	legendH := r.legend[1].MinSize().Height
	us := r.unit.MinSize()
	r.unit.Resize(us)
	if x+us.Width+pad <= size.Width {
		r.unit.Move(fyne.NewPos(size.Width-pad-us.Width, y+(legendH-us.Height)/2))
	} else {
		r.unit.Move(fyne.NewPos(pad, y+legendH+2))
		legendH += us.Height + 2
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
	n := len(r.yLabels) - 1
	// Every figure's label when they fit, else every other one.
	ystep := 1
	if n > 0 && len(r.yLabels) > 0 {
		for th := r.yLabels[0].MinSize().Height * 1.3; plotH/float32(n)*float32(ystep) < th && ystep < n; ystep++ {
		}
	}
	for i, l := range r.grid {
		r.yLabels[i].Hidden = i%ystep != 0
		gy := bottom - plotH*float32(i)/float32(max(1, n))
		l.Position1, l.Position2 = fyne.NewPos(left, gy), fyne.NewPos(right, gy)
		t := r.yLabels[i]
		ts := t.MinSize()
		t.Resize(fyne.NewSize(labelW, ts.Height))
		t.Move(fyne.NewPos(pad, gy-ts.Height/2))
	}
	es := r.empty.MinSize()
	r.empty.Resize(es)
	r.empty.Move(fyne.NewPos(left+(plotW-es.Width)/2, top+(plotH-es.Height)/2))

	bs := r.c.buckets
	if len(bs) == 0 {
		return
	}
	slot := plotW / float32(len(bs))
	barW := max(1, min(slot*0.38, 28))
	h := func(v int64) float32 { return plotH * float32(v) / float32(r.top) }
	// Every period's label when they fit, else every other one, and so
	// on; the last one always shows.
	step := 1
	for lw := r.xLabels[len(bs)-1].MinSize().Width + 12; lw*float32(len(bs))/float32(step) > plotW && step < len(bs); step++ {
	}
	for i, b := range bs {
		cx := left + slot*(float32(i)+0.5)
		ch, rh := h(b.consumed), h(b.received)
		r.consumed[i].Resize(fyne.NewSize(barW, ch))
		r.consumed[i].Move(fyne.NewPos(cx-barW-0.5, bottom-ch))
		r.received[i].Resize(fyne.NewSize(barW, rh))
		r.received[i].Move(fyne.NewPos(cx+0.5, bottom-rh))
		t := r.xLabels[i]
		ts := t.MinSize()
		t.Resize(ts)
		t.Move(fyne.NewPos(min(max(cx-ts.Width/2, left), right-ts.Width), bottom+6))
		t.Hidden = (len(bs)-1-i)%step != 0
	}
}
