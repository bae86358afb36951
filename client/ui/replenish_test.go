package ui

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"github.com/driftless/driftless/client/app"
)

// TestLowStockAlertsOffline: a supervisor's home says how many SKUs are
// below the reorder point while the scanner is offline; the list shows
// each with its figures; Replenishment opens the drafts. A picker's home
// has no banner.
func TestLowStockAlertsOffline(t *testing.T) {
	f := signedIn(1)()
	if f.status.Online {
		t.Fatal("the fake should be offline")
	}
	u, _ := newTestUI(t, f, handheld, false)
	h := screenAs[*homeScreen](t, u)
	if !h.lowStockRow.Visible() || h.lowStock.Text != "3 SKUs below the reorder point ›" {
		t.Fatalf("banner: visible %v, %q", h.lowStockRow.Visible(), h.lowStock.Text)
	}
	test.Tap(h.lowStock)
	s := screenAs[*alertsScreen](t, u)
	text := strings.Join(widgetTexts(s.list), "|")
	for _, want := range []string{"LAMP-BRASS · Brass desk lamp|since 07:30|Available|4|Reorder pt|20|On order|0|Suggested|36",
		"CUSHION-LIN · Linen cushion|since 13 Mar 08:30|Available|9|Reorder pt|18|On order|12|Suggested|12"} {
		if !strings.Contains(text, want) {
			t.Errorf("alerts lack %q:\n%s", want, text)
		}
	}
	if !strings.Contains(s.msg.Text, "works offline") {
		t.Errorf("message %q", s.msg.Text)
	}
	test.Tap(s.drafts)
	area := screenAs[*supervisorScreen](t, u)
	if area.tab != tabReplenishment || len(area.drafts.drafts) != 2 {
		t.Fatalf("Replenishment opened tab %d with %d drafts", area.tab, len(area.drafts.drafts))
	}

	// No alerts: no banner.
	f.alerts = nil
	test.Tap(findIn(area.root, "Home"))
	if screenAs[*homeScreen](t, u).lowStockRow.Visible() {
		t.Error("banner without alerts")
	}

	p := signedIn(2)()
	u, _ = newTestUI(t, p, handheld, false)
	if screenAs[*homeScreen](t, u).lowStockRow.Visible() {
		t.Error("a picker sees the low-stock banner")
	}
}

// TestPODrafts: a quantity changed on the keypad reaches the state and
// the line and value show it; Approve shows the new PO number and drops
// the draft; Discard asks, No keeps it, Yes discards it.
func TestPODrafts(t *testing.T) {
	f := signedIn(1)()
	u, w := newTestUI(t, f, handheld, false)
	s := openTab(t, u, tabReplenishment).drafts
	if !strings.Contains(s.msg.Text, "2 drafts, 3,146.00 in all") {
		t.Fatalf("message %q", s.msg.Text)
	}
	test.Tap(findIn(s.list, "36"))
	tapKeys(t, w, "48")
	if !slices.Equal(f.draftLog, []string{"update D-0031 LAMP-BRASS=48"}) {
		t.Fatalf("draft log %v", f.draftLog)
	}
	text := strings.Join(widgetTexts(s.list), "|")
	if findIn(s.list, "48") == nil || !strings.Contains(text, "2,208.00") || !strings.Contains(text, "2,982.00") {
		t.Fatalf("after the edit (48 × 46.00 = 2,208.00; draft 2,982.00):\n%s", text)
	}

	// 0 removes the line.
	test.Tap(findIn(s.list, "6"))
	tapKeys(t, w, "0")
	if strings.Contains(strings.Join(widgetTexts(s.list), "|"), "LAMP-FLOOR") {
		t.Fatal("the line set to 0 is still shown")
	}

	test.Tap(findIn(s.list, "Approve"))
	if s.approved != "PO-2026-0141" || !strings.Contains(s.msg.Text, "Purchase order PO-2026-0141 is open") {
		t.Fatalf("approved %q, message %q", s.approved, s.msg.Text)
	}
	if !strings.Contains(strings.Join(widgetTexts(topDialog(t, w)), "|"), "PO-2026-0141") {
		t.Error("no dialog with the PO number")
	}
	if len(s.drafts) != 1 || s.drafts[0].ID != "D-0032" {
		t.Fatalf("drafts after the approval: %+v", s.drafts)
	}

	test.Tap(findIn(s.list, "Discard…"))
	test.Tap(findIn(topDialog(t, w), "No"))
	if len(s.drafts) != 1 || slices.Contains(f.draftLog, "discard D-0032") {
		t.Fatal("discarded after No")
	}
	test.Tap(findIn(s.list, "Discard…"))
	test.Tap(findIn(topDialog(t, w), "Yes"))
	if len(s.drafts) != 0 || !slices.Contains(f.draftLog, "discard D-0032") || !strings.Contains(s.msg.Text, "No purchase-order drafts") {
		t.Fatalf("after Yes: %d drafts, log %v, message %q", len(s.drafts), f.draftLog, s.msg.Text)
	}

	// New drafts: made at once when there are none.
	test.Tap(s.generate)
	if len(s.drafts) != 2 || f.draftLog[len(f.draftLog)-1] != "generate" {
		t.Fatalf("after New drafts: %d drafts, log %v", len(s.drafts), f.draftLog)
	}
}

// TestReplenishmentOfflineAndPIN: offline, the drafts and reports say so
// and Reload reads them again; after a restart the PIN pad asks for the
// PIN and the request goes through.
func TestReplenishmentOfflineAndPIN(t *testing.T) {
	f := signedIn(1)()
	f.discErr = &app.Error{Code: "server_unreachable", Message: "Cannot reach the server"}
	u, w := newTestUI(t, f, handheld, false)
	area := openTab(t, u, tabReplenishment)
	if !strings.Contains(area.drafts.msg.Text, "offline") || !strings.Contains(area.drafts.msg.Text, "Reload") || len(area.drafts.list.Objects) != 0 {
		t.Fatalf("offline drafts: %q", area.drafts.msg.Text)
	}
	test.Tap(area.tabs[tabReports])
	if !strings.Contains(area.rep.msg.Text, "offline") || len(area.rep.body.Objects) != 0 || area.rep.progress.Visible() {
		t.Fatalf("offline report: %q", area.rep.msg.Text)
	}
	f.discErr = nil
	f.pinNeeded = true
	test.Tap(area.tabs[tabReplenishment])
	if u.pin == nil {
		t.Fatal("no PIN pad")
	}
	tapKeys2(t, w, "1111")
	if u.pin != nil || len(area.drafts.list.Objects) != 2 {
		t.Fatalf("after the PIN: pad open %v, %d drafts", u.pin != nil, len(area.drafts.list.Objects))
	}
}

// tapKeys2 types a PIN on the open PIN pad and taps OK.
func tapKeys2(t testing.TB, w fyne.Window, keys string) {
	t.Helper()
	dlg := topDialog(t, w)
	for _, k := range keys {
		test.Tap(findIn(dlg, string(k)))
	}
	test.Tap(findIn(dlg, "OK"))
}

// TestReportProgressThenTable: while a report loads, the progress bar
// shows and follows RunReport's progress; then the table replaces it.
func TestReportProgressThenTable(t *testing.T) {
	f := signedIn(1)()
	u, _ := newTestUI(t, f, laptop, false)
	s := openTab(t, u, tabReports).rep
	s.kind.SetSelected("Turnover & cover")
	s.from.SetText("2026-03-01")
	var seen []float64
	f.onProgress = func(p float64) {
		if !s.progress.Visible() || s.run.Disabled() == false {
			t.Errorf("at %.2f the bar is hidden or Run enabled", p)
		}
		seen = append(seen, s.progress.Value)
		if s.report != nil {
			t.Error("the table shows before the report is done")
		}
	}
	test.Tap(s.run)
	if !slices.Equal(seen, []float64{0.25, 0.6, 1}) {
		t.Errorf("progress bar went %v", seen)
	}
	if got := f.reportCalls[len(f.reportCalls)-1]; got != "turnover from=2026-03-01 to=2026-03-14" {
		t.Errorf("report call %q", got)
	}
	if s.progress.Visible() || s.run.Disabled() || s.report == nil {
		t.Fatalf("after the report: bar %v, run disabled %v", s.progress.Visible(), s.run.Disabled())
	}
	text := strings.Join(widgetTexts(s.body), "|")
	for _, want := range []string{"SKU|Name|On hand|Consumed|Turnover|Days of cover", "LAMP-BRASS|Brass desk lamp|4|96|11.2|1.2", "TABLE-ASH|Ash extending table|2|3|1.4|18.7"} {
		if !strings.Contains(text, want) {
			t.Errorf("table lacks %q:\n%s", want, text)
		}
	}

	// Dead stock takes a number of days, checked before any request.
	s.kind.SetSelected("Dead stock")
	s.days.SetText("soon")
	n := len(f.reportCalls)
	test.Tap(s.run)
	if len(f.reportCalls) != n || !strings.Contains(s.msg.Text, "days as a number") {
		t.Fatalf("bad days: %d calls, %q", len(f.reportCalls)-n, s.msg.Text)
	}
	s.days.SetText("120")
	test.Tap(s.run)
	if got := f.reportCalls[len(f.reportCalls)-1]; got != "dead_stock days=120" {
		t.Errorf("report call %q", got)
	}
}

// csvSink is the file the supervisor chose in the save dialog.
type csvSink struct {
	bytes.Buffer
	uri    fyne.URI
	closed bool
}

func (c *csvSink) Close() error  { c.closed = true; return nil }
func (c *csvSink) URI() fyne.URI { return c.uri }

// TestExportCSV: Export CSV fetches the CSV of what is chosen and writes
// exactly its bytes to the file chosen, suggesting a name.
func TestExportCSV(t *testing.T) {
	f := signedIn(1)()
	u, _ := newTestUI(t, f, laptop, false)
	s := openTab(t, u, tabReports).rep
	sink := &csvSink{uri: storage.NewFileURI("/reports/usage-2026-03-14.csv")}
	var suggested string
	u.saveFile = func(name string, done func(fyne.URIWriteCloser, error)) {
		suggested = name
		done(sink, nil)
	}
	s.key.SetText("lamp-brass")
	test.Tap(s.export)
	if got := f.csvCalls[len(f.csvCalls)-1]; got != "usage from=2026-02-15 sku=LAMP-BRASS to=2026-03-14" {
		t.Errorf("export call %q", got)
	}
	if suggested != "usage-2026-03-14.csv" || !bytes.Equal(sink.Bytes(), f.csv) || !sink.closed {
		t.Fatalf("saved %q as %q (closed %v)", sink.String(), suggested, sink.closed)
	}
	if !strings.Contains(s.msg.Text, "Saved usage-2026-03-14.csv") {
		t.Errorf("message %q", s.msg.Text)
	}

	// Cancelling the dialog writes nothing.
	u.saveFile = func(name string, done func(fyne.URIWriteCloser, error)) { done(nil, nil) }
	test.Tap(s.export)
	if !strings.Contains(s.msg.Text, "cancelled") {
		t.Errorf("message after cancelling %q", s.msg.Text)
	}
}

// TestUsageChart: the Reports tab charts a SKU's usage per day, then per
// week, with its unit axis, period labels and legend; the summary adds
// the figures up.
func TestUsageChart(t *testing.T) {
	f := signedIn(1)()
	u, _ := newTestUI(t, f, laptop, false)
	s := openTab(t, u, tabReports).rep
	s.key.SetText("LAMP-BRASS")
	test.Tap(s.run)
	if got := f.usageCalls[len(f.usageCalls)-1]; got != "LAMP-BRASS  2026-02-15 2026-03-14" {
		t.Errorf("usage call %q", got)
	}
	r := test.WidgetRenderer(s.chart).(*usageRenderer)
	if len(r.consumed) != 28 || len(r.received) != 28 {
		t.Fatalf("%d consumed and %d received bars for 28 days", len(r.consumed), len(r.received))
	}
	texts := chartTexts(r)
	for _, want := range []string{"Consumed", "Received", "units per day", "0", "10", "20", "30", "40", "Feb 16", "Mar 14"} {
		if !slices.Contains(texts, want) {
			t.Errorf("chart lacks %q: %v", want, texts)
		}
	}
	// The tallest bar (36 received) is 36/40 of the plot.
	if r.received[6].Size().Height <= r.consumed[6].Size().Height*4 {
		t.Errorf("received bar %v, consumed %v", r.received[6].Size(), r.consumed[6].Size())
	}
	body := strings.Join(widgetTexts(s.body), "|")
	if !strings.Contains(body, "LAMP-BRASS, 2026-02-15 to 2026-03-14: consumed 104 units (4,784.00), received 72 units (3,312.00).") {
		t.Errorf("summary:\n%s", body)
	}

	s.period.SetSelected(byWeek)
	r = test.WidgetRenderer(s.chart).(*usageRenderer)
	texts = chartTexts(r)
	if len(r.consumed) != 5 || !slices.Contains(texts, "W07") || !slices.Contains(texts, "W11") || !slices.Contains(texts, "units per week") {
		t.Errorf("by week: %d bars, %v", len(r.consumed), texts)
	}

	// A category's usage, chosen from the device's categories.
	s.target.SetSelected(targetCategory)
	if !slices.Equal(s.keyOptions, []string{"Furniture", "Lighting", "Textiles"}) {
		t.Errorf("category options %v", s.keyOptions)
	}
	s.key.SetText("Lighting")
	test.Tap(s.run)
	if got := f.usageCalls[len(f.usageCalls)-1]; got != " Lighting 2026-02-15 2026-03-14" {
		t.Errorf("usage call %q", got)
	}

	// Dates the wrong way round are refused before any request.
	n := len(f.usageCalls)
	s.from.SetText("2026-04-01")
	test.Tap(s.run)
	if len(f.usageCalls) != n || !strings.Contains(s.msg.Text, "From date is after the To date") {
		t.Errorf("reversed dates: %d calls, %q", len(f.usageCalls)-n, s.msg.Text)
	}
}

func chartTexts(r *usageRenderer) []string {
	var out []string
	for _, o := range r.Objects() {
		if t, ok := o.(*canvas.Text); ok && t.Text != "" && !t.Hidden {
			out = append(out, t.Text)
		}
	}
	return out
}

func TestNiceAxis(t *testing.T) {
	for _, c := range []struct{ most, top, step int64 }{
		{0, 4, 1}, {1, 1, 1}, {3, 3, 1}, {7, 8, 2}, {36, 40, 10}, {99, 100, 50}, {412, 600, 200}, {1234, 1500, 500},
	} {
		if top, step := niceAxis(c.most); top != c.top || step != c.step {
			t.Errorf("niceAxis(%d) = %d, %d; want %d, %d", c.most, top, step, c.top, c.step)
		}
	}
}

func TestUsageBuckets(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	pts := []app.UsagePoint{{Day: "2026-03-09", Consumed: 2, Received: 5}, {Day: "2026-03-10", Consumed: 3}, {Day: "2026-03-16", Consumed: 4}}
	days := usageBuckets(pts, day("2026-03-08"), day("2026-03-16"), false)
	if len(days) != 9 || days[0].label != "Mar 8" || days[0].consumed != 0 || days[1].consumed != 2 || days[1].received != 5 || days[8].consumed != 4 {
		t.Errorf("days: %+v", days)
	}
	weeks := usageBuckets(pts, day("2026-03-08"), day("2026-03-16"), true)
	want := []usageBucket{{"W10", 0, 0}, {"W11", 5, 5}, {"W12", 4, 0}}
	if !slices.Equal(weeks, want) {
		t.Errorf("weeks: %+v, want %+v", weeks, want)
	}
}
