package ui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/driftless/driftless/client/app"
)

// The reports offered, in menu order; the first is the usage chart.
var reportKinds = []struct{ kind, label string }{
	{app.ReportUsage, "Usage chart"},
	{app.ReportOnHand, "On hand & value"},
	{app.ReportTurnover, "Turnover & cover"},
	{app.ReportDeadStock, "Dead stock"},
	{app.ReportStockouts, "Stockouts"},
}

// Usage targets and periods.
const (
	targetSKU      = "SKU"
	targetCategory = "Category"
	byDay          = "By day"
	byWeek         = "By week"
)

// maxTableRows is how many rows a report shows; Export CSV has them all.
const maxTableRows = 200

// reportsPanel runs the supervisor's reports on the server: usage over a
// date range for a SKU, a category or the whole warehouse, as a chart of
// units consumed and received per day or week; on hand and value,
// turnover and days of cover, dead stock and stockouts as tables. A
// progress bar shows while a report loads; Export CSV saves what the
// server exports to a file the supervisor chooses.
type reportsPanel struct {
	u        *UI
	kind     *widget.Select
	target   *widget.Select      // SKU or category (usage)
	key      *widget.SelectEntry // the SKU or the category; empty: the warehouse
	period   *widget.Select      // by day or by week (usage)
	from, to *widget.Entry
	days     *widget.Entry // dead stock: no usage in this many days
	run      *widget.Button
	export   *widget.Button
	progress *widget.ProgressBar
	msg      *widget.Label
	params   *fyne.Container // the fields the chosen report takes
	body     *fyne.Container // the chart or the table
	chart    *usageChart
	root     fyne.CanvasObject

	fields  map[string]fyne.CanvasObject // by name, for params
	seq     int                          // the load under way; older answers are dropped
	loading bool
	report  *app.Report // the table shown, if any
	usage   []app.UsagePoint
	shown   map[string]string // the parameters of the usage shown

	keyOptions []string // the categories offered
}

func newReportsPanel(u *UI) *reportsPanel {
	s := &reportsPanel{u: u, fields: map[string]fyne.CanvasObject{}}
	var labels []string
	for _, k := range reportKinds {
		labels = append(labels, k.label)
	}
	s.kind = widget.NewSelect(labels, func(string) { s.kindChanged() })
	s.kind.Selected = labels[0]
	s.key = widget.NewSelectEntry(nil)
	s.key.SetPlaceHolder("All SKUs")
	s.target = widget.NewSelect([]string{targetSKU, targetCategory}, func(t string) {
		// A category is chosen from those the device knows.
		var opts []string
		if t == targetCategory {
			cs, err := u.state.Categories(u.ctx)
			if err != nil {
				u.opts.Log.Error("read categories", "err", err)
			}
			opts = cs
		}
		s.keyOptions = opts
		s.key.SetOptions(opts)
	})
	s.target.Selected = targetSKU
	s.key.OnSubmitted = func(string) { s.load() }
	s.period = widget.NewSelect([]string{byDay, byWeek}, func(string) {
		if s.usage != nil {
			s.showUsage(s.usage, nil)
		}
	})
	s.period.Selected = byDay
	today := u.opts.Now()
	s.to = widget.NewEntry()
	s.to.SetText(today.Format(time.DateOnly))
	s.from = widget.NewEntry()
	s.from.SetText(today.AddDate(0, 0, -27).Format(time.DateOnly))
	s.days = widget.NewEntry()
	s.days.SetText("90")
	for _, e := range []*widget.Entry{s.from, s.to, s.days} {
		e.OnSubmitted = func(string) { s.load() }
	}
	s.fields["from"] = field("From", s.from)
	s.fields["to"] = field("To", s.to)
	s.fields["days"] = field("Unused for (days)", s.days)

	s.run = button("Run", theme.MediaPlayIcon(), s.load)
	s.run.Importance = widget.HighImportance
	s.export = button("Export CSV…", theme.DocumentSaveIcon(), s.exportCSV)
	if !s.wide() {
		s.export.SetText("CSV…")
	}
	s.progress = widget.NewProgressBar()
	s.progress.Hide()
	s.msg = wrapped("")
	s.msg.Hide()
	s.chart = newUsageChart(u.theme)
	s.body = container.NewStack()
	s.params = container.NewVBox()
	controls := container.NewVBox(
		container.NewBorder(nil, nil, nil, container.NewHBox(touch(s.run), touch(s.export)), touch(s.kind)),
		s.params, s.progress, s.msg)
	s.root = container.NewBorder(container.NewPadded(controls), nil, nil, nil, container.NewPadded(s.body))
	s.kindChanged()
	return s
}

// wide: a laptop's window.
func (s *reportsPanel) wide() bool { return s.u.win.Canvas().Size().Width > wideWidth }

// field is an input with its caption on its left.
func field(caption string, o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewBorder(nil, nil, lbl(&widget.Label{Text: caption}), nil, touch(o))
}

// kindName is the report kind chosen.
func (s *reportsPanel) kindName() string {
	for _, k := range reportKinds {
		if k.label == s.kind.Selected {
			return k.kind
		}
	}
	return app.ReportUsage
}

// kindChanged shows the fields the chosen report takes and clears the
// last result.
func (s *reportsPanel) kindChanged() {
	// The fields: the usage's target and period, then the dates, in
	// one row on a laptop, two on a handheld.
	dates := container.NewGridWithColumns(2, s.fields["from"], s.fields["to"])
	var rows []fyne.CanvasObject
	switch s.kindName() {
	case app.ReportUsage:
		what := container.New(weightedRow{[]float32{1, 1.5, 1}}, touch(s.target), touch(s.key), touch(s.period))
		if s.wide() {
			rows = append(rows, container.New(weightedRow{[]float32{2.4, 1, 1}}, what, s.fields["from"], s.fields["to"]))
		} else {
			rows = append(rows, what, dates)
		}
	case app.ReportTurnover, app.ReportStockouts:
		rows = append(rows, dates)
	case app.ReportDeadStock:
		rows = append(rows, container.NewGridWithColumns(2, s.fields["days"], layoutSpacer()))
	}
	s.params.Objects = rows
	s.params.Refresh()
	s.seq++ // an answer on its way is for the other report
	s.loading = false
	s.report, s.usage = nil, nil
	s.progress.Hide()
	s.body.Objects = nil
	s.body.Refresh()
	s.say("Choose and tap Run.", widget.MediumImportance)
}

// say shows a message above the result; "" hides it.
func (s *reportsPanel) say(text string, imp widget.Importance) {
	s.msg.Text, s.msg.Importance = text, imp
	showIf(s.msg, text != "")
	relayout(s.root)
}

// reload runs the chosen report again (the supervisor area's Reload, and
// opening the tab).
func (s *reportsPanel) reload() { s.load() }

// query checks the fields and returns the report's parameters.
func (s *reportsPanel) query() (map[string]string, error) {
	p := map[string]string{}
	kind := s.kindName()
	if kind == app.ReportDeadStock {
		n, err := strconv.Atoi(strings.TrimSpace(s.days.Text))
		if err != nil || n < 1 || n > 3650 {
			return nil, fmt.Errorf("give the days as a number from 1 to 3650")
		}
		p["days"] = strconv.Itoa(n)
		return p, nil
	}
	if kind == app.ReportOnHand {
		return p, nil
	}
	from, err1 := time.Parse(time.DateOnly, strings.TrimSpace(s.from.Text))
	to, err2 := time.Parse(time.DateOnly, strings.TrimSpace(s.to.Text))
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("give the dates as YYYY-MM-DD, for example %s", s.u.opts.Now().Format(time.DateOnly))
	}
	if to.Before(from) {
		return nil, fmt.Errorf("the From date is after the To date")
	}
	if to.Sub(from) > 3*366*24*time.Hour {
		return nil, fmt.Errorf("choose at most three years")
	}
	p["from"], p["to"] = from.Format(time.DateOnly), to.Format(time.DateOnly)
	if kind == app.ReportUsage {
		if key := strings.TrimSpace(s.key.Text); key != "" {
			if s.target.Selected == targetCategory {
				p["category"] = key
			} else {
				p["sku"] = strings.ToUpper(key)
			}
		}
	}
	return p, nil
}

// load runs the chosen report on the server, off the UI goroutine: a
// table report moves the progress bar as it downloads.
func (s *reportsPanel) load() {
	p, err := s.query()
	if err != nil {
		s.say("Cannot run the report: "+err.Error()+".", widget.DangerImportance)
		return
	}
	s.seq++
	seq, kind := s.seq, s.kindName()
	s.loading = true
	s.run.Disable()
	s.progress.SetValue(0)
	s.progress.Show()
	s.say("Running the report on the server…", widget.MediumImportance)
	if kind == app.ReportUsage {
		var pts []app.UsagePoint
		s.u.supervise(func() (err error) {
			pts, err = s.u.state.Usage(s.u.ctx, p["sku"], p["category"], p["from"], p["to"])
			return err
		}, func(err error) {
			if seq == s.seq {
				s.finish()
				s.shown = p
				s.showUsage(pts, err)
			}
		})
		return
	}
	var rep app.Report
	s.u.supervise(func() (err error) {
		rep, err = s.u.state.RunReport(s.u.ctx, kind, p, func(f float64) {
			fyne.Do(func() {
				if seq == s.seq {
					s.progress.SetValue(min(1, max(0, f)))
				}
			})
		})
		return err
	}, func(err error) {
		if seq == s.seq {
			s.finish()
			s.showReport(rep, err)
		}
	})
}

func (s *reportsPanel) finish() {
	s.loading = false
	s.run.Enable()
	s.progress.Hide()
}

// usageWhat names what the usage is of, for the message.
func (s *reportsPanel) usageWhat(p map[string]string) string {
	switch {
	case p["sku"] != "":
		return p["sku"]
	case p["category"] != "":
		return "category " + p["category"]
	}
	return "the whole warehouse"
}

// showUsage charts the usage read by load, per day or per week.
func (s *reportsPanel) showUsage(pts []app.UsagePoint, err error) {
	if err != nil {
		s.usage = nil
		s.body.Objects = nil
		s.body.Refresh()
		s.say(s.u.offlineText("the usage", err), widget.DangerImportance)
		return
	}
	s.usage, s.report = pts, nil
	p := s.shown
	from, _ := time.Parse(time.DateOnly, p["from"])
	to, _ := time.Parse(time.DateOnly, p["to"])
	week := s.period.Selected == byWeek
	buckets := usageBuckets(pts, from, to, week)
	per := "day"
	if week {
		per = "week"
	}
	s.chart.set(buckets, "units per "+per)
	var c, cv, r, rv int64
	for _, pt := range pts {
		c, cv, r, rv = c+pt.Consumed, cv+pt.ConsumedValue, r+pt.Received, rv+pt.ReceivedValue
	}
	s.say("", widget.MediumImportance)
	summary := lbl(&widget.Label{Text: fmt.Sprintf("%s, %s to %s: consumed %d units (%s), received %d units (%s).",
		upperFirst(s.usageWhat(p)), p["from"], p["to"], c, money(cv), r, money(rv)), Wrapping: fyne.TextWrapWord, TextStyle: fyne.TextStyle{Bold: true}})
	var note fyne.CanvasObject
	// The chart takes the height left: on a handheld, with the summary
	// small and without the note.
	s.chart.minHeight = 180
	if s.wide() {
		s.chart.minHeight = 260
		note = lbl(&widget.Label{Text: "Consumed: picked, damaged or scrapped. Received: received or returned. Moves between bins are not usage.",
			Wrapping: fyne.TextWrapWord, SizeName: theme.SizeNameCaptionText})
	} else {
		summary.SizeName, summary.TextStyle = theme.SizeNameCaptionText, fyne.TextStyle{}
	}
	s.body.Objects = []fyne.CanvasObject{container.NewBorder(summary, note, nil, nil, s.chart)}
	s.body.Refresh()
	relayout(s.root)
}

// showReport shows a table report read by load.
func (s *reportsPanel) showReport(rep app.Report, err error) {
	s.body.Objects = nil
	if err != nil {
		s.report = nil
		s.body.Refresh()
		s.say(s.u.offlineText("the report", err), widget.DangerImportance)
		return
	}
	s.report, s.usage = &rep, nil
	name := cmpOr(rep.Name, s.kind.Selected)
	text := fmt.Sprintf("%s: %s.", name, plural(int64(len(rep.Rows)), "row", "rows"))
	if len(rep.Rows) > maxTableRows {
		text = fmt.Sprintf("%s: the first %d of %d rows. Export CSV has them all.", name, maxTableRows, len(rep.Rows))
	}
	if len(rep.Rows) == 0 {
		text = name + ": nothing to report."
	}
	s.say(text, widget.MediumImportance)
	s.body.Objects = []fyne.CanvasObject{container.NewVScroll(reportTable(s.u, rep))}
	s.body.Refresh()
	relayout(s.root)
}

// reportTable lays a report out: a table with a header row on a laptop's
// window; on a handheld, a block a row with the first column as its title
// and the others as caption and value, two a line.
func reportTable(u *UI, rep app.Report) fyne.CanvasObject {
	rows := rep.Rows
	if len(rows) > maxTableRows {
		rows = rows[:maxTableRows]
	}
	numeric := make([]bool, len(rep.Columns))
	for c := range rep.Columns {
		numeric[c] = len(rows) > 0
		for _, r := range rows {
			if c < len(r) && r[c] != "" && !looksNumeric(r[c]) {
				numeric[c] = false
				break
			}
		}
	}
	cell := func(r []string, c int) string {
		if c < len(r) {
			return r[c]
		}
		return ""
	}
	box := container.NewVBox()
	if u.win.Canvas().Size().Width > wideWidth {
		// Column widths by the longest text in each.
		weights := make([]float32, len(rep.Columns))
		for c, h := range rep.Columns {
			w := len([]rune(h))
			for _, r := range rows {
				w = max(w, len([]rune(cell(r, c))))
			}
			weights[c] = float32(min(max(w, 6), 40))
		}
		row := func(texts []string, bold bool) fyne.CanvasObject {
			line := container.New(weightedRow{weights})
			for c := range rep.Columns {
				l := lbl(&widget.Label{Text: cell(texts, c), TextStyle: fyne.TextStyle{Bold: bold}, Truncation: fyne.TextTruncateEllipsis})
				if numeric[c] {
					l.Alignment = fyne.TextAlignTrailing
				}
				line.Add(l)
			}
			return line
		}
		box.Add(row(rep.Columns, true))
		box.Add(separator(u.theme))
		for _, r := range rows {
			box.Add(row(r, false))
		}
		return box
	}
	// The title: the first column, and the second if it is a name.
	first := 1
	if len(rep.Columns) > 2 && !numeric[1] {
		first = 2
	}
	for i, r := range rows {
		if i > 0 {
			box.Add(separator(u.theme))
		}
		title := cell(r, 0)
		if first == 2 && cell(r, 1) != "" {
			title += " · " + cell(r, 1)
		}
		box.Add(lbl(&widget.Label{Text: title, TextStyle: fyne.TextStyle{Bold: true}, Truncation: fyne.TextTruncateEllipsis}))
		pairs := container.NewGridWithColumns(2)
		for c := first; c < len(rep.Columns); c++ {
			pairs.Add(container.NewBorder(nil, nil,
				lbl(&widget.Label{Text: rep.Columns[c], SizeName: theme.SizeNameCaptionText}), nil,
				lbl(&widget.Label{Text: cell(r, c), Alignment: fyne.TextAlignTrailing, Truncation: fyne.TextTruncateEllipsis})))
		}
		box.Add(pairs)
	}
	return box
}

// looksNumeric: a figure to right-align ("1,234.56", "−4", "12.5%", "3.1").
func looksNumeric(s string) bool {
	s = strings.TrimSpace(strings.NewReplacer(",", "", "%", "", "−", "-", "+", "").Replace(s))
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// exportCSV fetches the chosen report as CSV from the server, then asks
// where to save it.
func (s *reportsPanel) exportCSV() {
	p, err := s.query()
	if err != nil {
		s.say("Cannot export: "+err.Error()+".", widget.DangerImportance)
		return
	}
	kind := s.kindName()
	var data []byte
	s.say("Exporting the report from the server…", widget.MediumImportance)
	s.u.supervise(func() (err error) {
		data, err = s.u.state.ExportCSV(s.u.ctx, kind, p)
		return err
	}, func(err error) {
		if err != nil {
			s.say(s.u.offlineText("the CSV export", err), widget.DangerImportance)
			return
		}
		name := strings.ReplaceAll(kind, "_", "-") + "-" + s.u.opts.Now().Format(time.DateOnly) + ".csv"
		s.u.saveFile(name, func(w fyne.URIWriteCloser, err error) {
			if err != nil || w == nil {
				if err != nil {
					s.say("Could not save the CSV: "+err.Error(), widget.DangerImportance)
				} else {
					s.say("Export cancelled.", widget.MediumImportance)
				}
				return
			}
			_, werr := w.Write(data)
			if cerr := w.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil {
				s.say("Could not save the CSV: "+werr.Error(), widget.DangerImportance)
				s.u.signal(app.Bad)
				return
			}
			s.u.opts.Feedback.Good()
			s.say(fmt.Sprintf("Saved %s (%d bytes).", w.URI().Name(), len(data)), widget.SuccessImportance)
		})
	})
}

// saveFileDialog asks where to save a file, starting with name.
func saveFileDialog(win fyne.Window) func(string, func(fyne.URIWriteCloser, error)) {
	return func(name string, done func(fyne.URIWriteCloser, error)) {
		d := dialog.NewFileSave(done, win)
		d.SetFileName(name)
		d.Resize(fyne.NewSize(min(win.Canvas().Size().Width-20, 900), min(win.Canvas().Size().Height-40, 640)))
		d.Show()
	}
}
