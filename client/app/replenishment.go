package app

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Replenishment (issue 9). Low-stock alerts come with the device's
// reference data (a catalog kind of its warehouse), so Alerts works
// offline. Purchase-order drafts, usage and reports are the server's
// (REST, online only, supervisor): the device calls them with its
// credentials and the signed-in user's PIN, as the supervisor queues do
// (ErrNotSupervisor, ErrPINRequired before any request).

// LowStockAlert is an active low-stock alert of the device's warehouse,
// as the device holds it (works offline).
type LowStockAlert struct {
	ID           string
	SKU          string
	Name         string
	Available    int64
	ReorderPoint int64
	OnOrder      int64
	Suggested    int64
	RaisedAt     time.Time
}

// shortfall orders alerts by urgency: the share of the reorder point
// still available (less first: an SKU at 0 of 5 before one at 80 of 100),
// then the units below it (more first).
func shortfall(x, y LowStockAlert) int {
	share := func(a LowStockAlert) float64 {
		if a.ReorderPoint <= 0 {
			return float64(a.Available)
		}
		return float64(a.Available) / float64(a.ReorderPoint)
	}
	return cmp.Or(cmp.Compare(share(x), share(y)),
		cmp.Compare(y.ReorderPoint-y.Available, x.ReorderPoint-x.Available),
		x.RaisedAt.Compare(y.RaisedAt), cmp.Compare(x.ID, y.ID))
}

// Alerts lists the warehouse's active low-stock alerts, most urgent
// (furthest below the reorder point, as a share of it) first, each with
// its SKU's name. It reads the device database only: an alert the server
// clears leaves the list when its change is pulled.
func (a *App) Alerts(ctx context.Context) ([]LowStockAlert, error) {
	held, err := a.st.Alerts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]LowStockAlert, 0, len(held))
	for _, h := range held {
		al := LowStockAlert{ID: h.ID, SKU: h.SKU, Available: h.Available, ReorderPoint: h.ReorderPoint, OnOrder: h.OnOrder,
			Suggested: h.Suggested}
		al.RaisedAt, _ = time.Parse(time.RFC3339Nano, h.RaisedAt)
		k, ok, err := a.st.SKU(ctx, h.SKU)
		if err != nil {
			return nil, err
		}
		if ok {
			al.Name = k.Name
		}
		out = append(out, al)
	}
	slices.SortFunc(out, shortfall)
	return out, nil
}

// DraftLine is one line of a purchase-order draft.
type DraftLine struct {
	SKU       string
	Name      string
	Qty       int64 // suggested, or as edited
	Suggested int64
	UnitCost  int64  // cents
	Why       string // "available 4 below reorder point 20; on order 0; multiple 12"
}

// PODraft is a purchase-order draft the server made for one supplier from
// the current suggestions.
type PODraft struct {
	ID       string
	Supplier string
	Name     string // supplier's name
	Lines    []DraftLine
	Value    int64 // cents
	Created  time.Time
}

// draftJSON is a draft as the server's /api/v1/po-drafts routes send it.
type draftJSON struct {
	ID           string    `json:"id"`
	Warehouse    string    `json:"warehouse"`
	Supplier     string    `json:"supplier"`
	SupplierName string    `json:"supplier_name"`
	Status       string    `json:"status"`
	Value        *int64    `json:"value"`
	CreatedAt    time.Time `json:"created_at"`
	Lines        []struct {
		SKU       string `json:"sku"`
		Name      string `json:"name"`
		Qty       int64  `json:"qty"`
		Suggested int64  `json:"suggested"`
		UnitCost  int64  `json:"unit_cost"`
		Why       string `json:"why"`
	} `json:"lines"`
}

// draft converts a server draft, naming its supplier and SKUs from the
// device's reference data where the server did not.
func (a *App) draft(ctx context.Context, d draftJSON) (PODraft, error) {
	out := PODraft{ID: d.ID, Supplier: d.Supplier, Name: d.SupplierName, Created: d.CreatedAt}
	if out.Name == "" && d.Supplier != "" {
		s, ok, err := a.st.Supplier(ctx, d.Supplier)
		if err != nil {
			return PODraft{}, err
		}
		if ok {
			out.Name = s.Name
		}
	}
	var value int64
	for _, l := range d.Lines {
		ln := DraftLine{SKU: l.SKU, Name: l.Name, Qty: l.Qty, Suggested: l.Suggested, UnitCost: l.UnitCost, Why: l.Why}
		if ln.Name == "" {
			k, ok, err := a.st.SKU(ctx, l.SKU)
			if err != nil {
				return PODraft{}, err
			}
			if ok {
				ln.Name = k.Name
			}
		}
		value += ln.Qty * ln.UnitCost
		out.Lines = append(out.Lines, ln)
	}
	out.Value = value
	if d.Value != nil {
		out.Value = *d.Value
	}
	return out, nil
}

// listOf decodes a list the server sends bare or in an object under one
// of keys (by default "items").
func listOf[T any](raw json.RawMessage, what string, keys ...string) ([]T, error) {
	var list []T
	if err := json.Unmarshal(raw, &list); err == nil {
		return list, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, errorf(ErrServerRefused, err, "The server sent %s this app does not understand", what)
	}
	if len(keys) == 0 {
		keys = []string{"items"}
	}
	for _, k := range keys {
		if v, ok := obj[k]; ok {
			if err := json.Unmarshal(v, &list); err != nil {
				return nil, errorf(ErrServerRefused, err, "The server sent %s this app does not understand", what)
			}
			return list, nil
		}
	}
	return nil, nil
}

// GeneratePODrafts asks the server for fresh drafts from the current
// suggestions (one per supplier; the server replaces the warehouse's open
// drafts) and returns the warehouse's open drafts (online only;
// supervisor).
func (a *App) GeneratePODrafts(ctx context.Context) ([]PODraft, error) {
	u, err := a.supervisor(ctx)
	if err != nil {
		return nil, err
	}
	wh, _, err := a.Warehouse(ctx)
	if err != nil {
		return nil, err
	}
	if err := a.rest(ctx, http.MethodPost, "/api/v1/po-drafts/generate", u.Code, map[string]string{"warehouse": wh}, nil); err != nil {
		return nil, forbidden(err)
	}
	return a.PODrafts(ctx)
}

// PODrafts lists the warehouse's open purchase-order drafts, oldest first
// (online only; supervisor).
func (a *App) PODrafts(ctx context.Context) ([]PODraft, error) {
	u, err := a.supervisor(ctx)
	if err != nil {
		return nil, err
	}
	wh, _, err := a.Warehouse(ctx)
	if err != nil {
		return nil, err
	}
	var raw json.RawMessage
	if err := a.rest(ctx, http.MethodGet, "/api/v1/po-drafts?warehouse="+url.QueryEscape(wh), u.Code, nil, &raw); err != nil {
		return nil, forbidden(err)
	}
	list, err := listOf[draftJSON](raw, "purchase-order drafts")
	if err != nil {
		return nil, err
	}
	out := make([]PODraft, 0, len(list))
	for _, d := range list {
		if d.Status != "" && d.Status != "draft" && d.Status != "open" {
			continue
		}
		pd, err := a.draft(ctx, d)
		if err != nil {
			return nil, err
		}
		out = append(out, pd)
	}
	slices.SortStableFunc(out, func(x, y PODraft) int { return cmp.Or(x.Created.Compare(y.Created), cmp.Compare(x.ID, y.ID)) })
	return out, nil
}

// UpdatePODraft sets a draft's line quantities (0 removes a line); lines
// not named keep theirs. A negative quantity is refused before any
// request (ErrBadQty).
func (a *App) UpdatePODraft(ctx context.Context, id string, qty map[string]int64) (PODraft, error) {
	u, err := a.supervisor(ctx)
	if err != nil {
		return PODraft{}, err
	}
	type line struct {
		SKU string `json:"sku"`
		Qty int64  `json:"qty"`
	}
	lines := make([]line, 0, len(qty))
	for sku, q := range qty {
		if q < 0 {
			return PODraft{}, errorf(ErrBadQty, nil, "The quantity of %s cannot be negative", sku)
		}
		lines = append(lines, line{sku, q})
	}
	slices.SortFunc(lines, func(x, y line) int { return cmp.Compare(x.SKU, y.SKU) })
	var d draftJSON
	if err := a.rest(ctx, http.MethodPut, "/api/v1/po-drafts/"+url.PathEscape(id), u.Code, map[string]any{"lines": lines}, &d); err != nil {
		return PODraft{}, forbidden(err)
	}
	return a.draft(ctx, d)
}

// ApprovePODraft turns a draft into an open purchase order (a receiving
// target on devices once it is pulled) and returns its number.
func (a *App) ApprovePODraft(ctx context.Context, id string) (string, error) {
	u, err := a.supervisor(ctx)
	if err != nil {
		return "", err
	}
	var raw json.RawMessage
	if err := a.rest(ctx, http.MethodPost, "/api/v1/po-drafts/"+url.PathEscape(id)+"/approve", u.Code, map[string]string{}, &raw); err != nil {
		return "", forbidden(err)
	}
	n := approvedOrder(raw)
	if n == "" {
		return "", errorf(ErrServerRefused, nil, "The server approved draft %s but did not say the purchase order's number", id)
	}
	// The order reaches the warehouse's devices (to receive against)
	// through the pull stream, as any catalog change.
	return n, nil
}

// approvedOrder finds the purchase order's number in an approval's
// answer: the draft ({order}), or an object holding it ({draft: {order}})
// and perhaps the order ({purchase_order: {number}} or a number).
func approvedOrder(raw json.RawMessage) string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return ""
	}
	for _, k := range []string{"order", "purchase_order", "po", "number"} {
		v, ok := obj[k]
		if !ok {
			continue
		}
		var n string
		if json.Unmarshal(v, &n) == nil && n != "" {
			return n
		}
		var po struct{ Number string }
		if json.Unmarshal(v, &po) == nil && po.Number != "" {
			return po.Number
		}
	}
	if d, ok := obj["draft"]; ok {
		return approvedOrder(d)
	}
	return ""
}

// DiscardPODraft discards a draft.
func (a *App) DiscardPODraft(ctx context.Context, id string) error {
	u, err := a.supervisor(ctx)
	if err != nil {
		return err
	}
	return forbidden(a.rest(ctx, http.MethodPost, "/api/v1/po-drafts/"+url.PathEscape(id)+"/discard", u.Code, map[string]string{}, nil))
}

// UsagePoint is one day of a SKU's (or a category's, or the warehouse's)
// usage.
type UsagePoint struct {
	Day           string // YYYY-MM-DD
	Consumed      int64  // units picked, damaged or scrapped
	ConsumedValue int64  // cents
	Received      int64
	ReceivedValue int64
}

// usageJSON is one day of GET /api/v1/usage ({days: [...], totals, skus};
// every day of the period, zeros included).
type usageJSON struct {
	Day           string `json:"day"`
	Date          string `json:"date"`
	Consumed      int64  `json:"consumed_units"`
	ConsumedValue int64  `json:"consumed_value"`
	Received      int64  `json:"received_units"`
	ReceivedValue int64  `json:"received_value"`
}

// dayLayout is how the usage and report routes write days.
const dayLayout = "2006-01-02"

// maxUsageDays bounds a usage query's range (the chart's x axis).
const maxUsageDays = 3 * 366

// usageRange checks a usage query's dates: both YYYY-MM-DD, from not after
// to, at most maxUsageDays.
func usageRange(from, to string) (time.Time, time.Time, error) {
	f, err1 := time.Parse(dayLayout, from)
	t, err2 := time.Parse(dayLayout, to)
	switch {
	case err1 != nil || err2 != nil:
		return f, t, errorf(ErrBadDates, errors.Join(err1, err2), "Give both dates as YYYY-MM-DD")
	case t.Before(f):
		return f, t, errorf(ErrBadDates, nil, "The end date %s is before the start date %s", to, from)
	case t.Sub(f) > maxUsageDays*24*time.Hour:
		return f, t, errorf(ErrBadDates, nil, "Choose at most three years")
	}
	return f, t, nil
}

// Usage returns daily usage of a SKU (sku set), a category (category set)
// or the whole warehouse between two dates, inclusive (online only;
// supervisor): one point per day of the range, days without usage at
// zero, so a chart's x axis is the calendar.
func (a *App) Usage(ctx context.Context, sku, category, from, to string) ([]UsagePoint, error) {
	if sku != "" && category != "" {
		return nil, errorf(ErrBadDates, nil, "Choose a SKU or a category, not both")
	}
	f, t, err := usageRange(from, to)
	if err != nil {
		return nil, err
	}
	u, err := a.supervisor(ctx)
	if err != nil {
		return nil, err
	}
	q, err := a.reportQuery(ctx, map[string]string{"sku": sku, "category": category, "from": from, "to": to})
	if err != nil {
		return nil, err
	}
	var raw json.RawMessage
	if err := a.rest(ctx, http.MethodGet, "/api/v1/usage?"+q.Encode(), u.Code, nil, &raw); err != nil {
		return nil, forbidden(err)
	}
	days, err := listOf[usageJSON](raw, "a usage series", "days", "items")
	if err != nil {
		return nil, err
	}
	byDay := map[string]UsagePoint{}
	for _, d := range days {
		day := cmpOr(d.Day, d.Date)
		if len(day) > len(dayLayout) {
			day = day[:len(dayLayout)]
		}
		p := byDay[day]
		p.Consumed += d.Consumed
		p.ConsumedValue += d.ConsumedValue
		p.Received += d.Received
		p.ReceivedValue += d.ReceivedValue
		byDay[day] = p
	}
	var out []UsagePoint
	for d := f; !d.After(t); d = d.AddDate(0, 0, 1) {
		day := d.Format(dayLayout)
		p := byDay[day]
		p.Day = day
		out = append(out, p)
	}
	return out, nil
}

// Report is a tabular report as the server computed it: column names and
// rows of text, ready to show and to export.
type Report struct {
	Name    string
	Columns []string
	Rows    [][]string
}

// Report kinds.
const (
	ReportOnHand    = "on_hand"    // on hand and value by warehouse
	ReportTurnover  = "turnover"   // turnover and days of cover per SKU
	ReportDeadStock = "dead_stock" // no usage in N days
	ReportStockouts = "stockouts"  // stockout days per SKU
	// ReportUsage is the daily usage series (ExportCSV only; Usage reads
	// it for the chart).
	ReportUsage = "usage"
)

// reportRoutes are the server's routes of each report kind and their
// titles.
var reportRoutes = map[string]struct{ path, title string }{
	ReportOnHand:    {"/api/v1/reports/on-hand", "On hand and value"},
	ReportTurnover:  {"/api/v1/reports/turnover", "Turnover and days of cover"},
	ReportDeadStock: {"/api/v1/reports/dead-stock", "Dead stock"},
	ReportStockouts: {"/api/v1/reports/stockouts", "Stockout days"},
	ReportUsage:     {"/api/v1/usage", "Usage"},
}

// reportQuery is a report's query: params without empty values, and the
// device's warehouse unless params name one.
func (a *App) reportQuery(ctx context.Context, params map[string]string) (url.Values, error) {
	q := url.Values{}
	for k, v := range params {
		if v = strings.TrimSpace(v); v != "" {
			q.Set(k, v)
		}
	}
	if q.Get("warehouse") == "" {
		wh, _, err := a.Warehouse(ctx)
		if err != nil {
			return nil, err
		}
		q.Set("warehouse", wh)
	}
	return q, nil
}

// Downloads of reports and CSV files: longer than a plain REST call, and
// bounded in size.
const (
	downloadTimeout = 2 * time.Minute
	maxDownload     = 64 << 20
)

// download GETs path as CSV for user, calling progress (when not nil)
// with the share of the body received: from the answer's Content-Length,
// in steps of at least 1%, then 1 when done. A server that sends no
// Content-Length (a streamed answer) gets 0 then 1.
func (a *App) download(ctx context.Context, path, user string, progress func(float64)) ([]byte, error) {
	if progress == nil {
		progress = func(float64) {}
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, downloadTimeout)
		defer cancel()
	}
	progress(0)
	res, pin, err := a.restDo(ctx, http.MethodGet, path, user, "text/csv", nil)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
		return nil, a.refusal(res, b, user, pin)
	}
	total := res.ContentLength
	var buf bytes.Buffer
	if total > 0 {
		buf.Grow(int(min(total, maxDownload)))
	}
	chunk := make([]byte, 32<<10)
	last := 0.0
	for {
		n, err := res.Body.Read(chunk)
		buf.Write(chunk[:n])
		if buf.Len() > maxDownload {
			return nil, errorf(ErrServerRefused, nil, "The report is too large for this device (over %d MB): narrow it", maxDownload>>20)
		}
		if total > 0 {
			if share := min(float64(buf.Len())/float64(total), 1); share-last >= 0.01 && share < 1 {
				last = share
				progress(share)
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, errorf(ErrServerUnreachable, err, "The server stopped sending the report: try again")
		}
	}
	progress(1)
	return buf.Bytes(), nil
}

// reportPath is the CSV route of a report kind with its query.
func (a *App) reportPath(ctx context.Context, kind string, params map[string]string) (string, string, error) {
	r, ok := reportRoutes[kind]
	if !ok {
		return "", "", fmt.Errorf("report kind %q: unknown", kind)
	}
	q, err := a.reportQuery(ctx, params)
	if err != nil {
		return "", "", err
	}
	q.Set("format", "csv")
	return r.path + "?" + q.Encode(), r.title, nil
}

// RunReport computes a report on the server (online only; supervisor),
// calling progress with the share done (0..1) while it runs. The report is
// the server's CSV (the same as ExportCSV's): its header row gives the
// columns. The server computes a report before it sends a byte, so the
// share is that of the download (from its Content-Length), which is what
// takes long on a handheld's Wi-Fi.
func (a *App) RunReport(ctx context.Context, kind string, params map[string]string, progress func(float64)) (Report, error) {
	if kind == ReportUsage {
		return Report{}, fmt.Errorf("report kind %q: use Usage", kind)
	}
	u, err := a.supervisor(ctx)
	if err != nil {
		return Report{}, err
	}
	path, title, err := a.reportPath(ctx, kind, params)
	if err != nil {
		return Report{}, err
	}
	b, err := a.download(ctx, path, u.Code, progress)
	if err != nil {
		return Report{}, forbidden(err)
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		return Report{}, errorf(ErrServerRefused, err, "The server sent a report this app does not understand")
	}
	out := Report{Name: title}
	if len(recs) > 0 {
		out.Columns, out.Rows = recs[0], recs[1:]
	}
	return out, nil
}

// ExportCSV fetches a report (a Report kind) or the usage series
// (ReportUsage, params sku or category, from, to) as CSV from the server
// (online only; supervisor), for saving to a file.
func (a *App) ExportCSV(ctx context.Context, kind string, params map[string]string) ([]byte, error) {
	u, err := a.supervisor(ctx)
	if err != nil {
		return nil, err
	}
	path, _, err := a.reportPath(ctx, kind, params)
	if err != nil {
		return nil, err
	}
	b, err := a.download(ctx, path, u.Code, nil)
	return b, forbidden(err)
}

// Categories lists the SKUs' categories the device knows (offline), for
// choosing a usage chart's category.
func (a *App) Categories(ctx context.Context) ([]string, error) { return a.st.Categories(ctx) }
