package httpapi

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/driftless/driftless/server"
)

// Usage and reports on the REST API (issue 9). Every route needs the
// supervisor role (a device's supervisor sees their warehouse only), and
// answers JSON, or CSV with ?format=csv. Days are YYYY-MM-DD (UTC);
// values are cents at the unit cost (usage: when the event applied;
// reports: now). Each answer is built whole and sent with its
// Content-Length, so a client shows a report's progress as its body
// downloads; the reports read usage_daily and the stock, never the whole
// ledger, so even large ones take well under the benchmark's seconds.
//
//	GET /usage               warehouse, sku or category (neither: every SKU), from, to
//	                         (default the last 30 days) → {warehouse, sku, category,
//	                         from, to, days: [every day, zeros included], totals,
//	                         skus: [per-SKU totals]}; CSV: the days
//	GET /reports/on-hand     warehouse (all when empty, admin only) → {warehouses, items}
//	GET /reports/turnover    warehouse, from, to (default the last 90 days) → {items}
//	GET /reports/dead-stock  warehouse, days (default 90) → {items}
//	GET /reports/stockouts   warehouse, from, to (default the last 90 days) → {items}

func (s *Server) mountReports(r chi.Router) {
	if s.Catalog == nil {
		return
	}
	r.Group(func(r chi.Router) {
		r.Use(s.requireSupervisor)
		r.Get("/usage", s.usage)
		r.Get("/reports/on-hand", s.onHandReport)
		r.Get("/reports/turnover", s.turnoverReport)
		r.Get("/reports/dead-stock", s.deadStockReport)
		r.Get("/reports/stockouts", s.stockoutReport)
	})
}

// usageTotals are a day's (or a period's) figures.
type usageTotals struct {
	ConsumedUnits int64 `json:"consumed_units"`
	ConsumedValue int64 `json:"consumed_value"`
	ReceivedUnits int64 `json:"received_units"`
	ReceivedValue int64 `json:"received_value"`
}

func (t *usageTotals) add(u server.UsageDay) {
	t.ConsumedUnits += u.ConsumedUnits
	t.ConsumedValue += u.ConsumedValue
	t.ReceivedUnits += u.ReceivedUnits
	t.ReceivedValue += u.ReceivedValue
}

type usageDayJSON struct {
	Day string `json:"day"`
	usageTotals
}

type usageSKUJSON struct {
	SKU string `json:"sku"`
	usageTotals
}

// usageJSON is the answer of GET /usage.
type usageJSON struct {
	Warehouse string         `json:"warehouse,omitempty"`
	SKU       string         `json:"sku,omitempty"`
	Category  string         `json:"category,omitempty"`
	From      string         `json:"from"`
	To        string         `json:"to"`
	Days      []usageDayJSON `json:"days"`
	Totals    usageTotals    `json:"totals"`
	SKUs      []usageSKUJSON `json:"skus"`
}

// period reads from and to (YYYY-MM-DD), defaulting to the days before
// and including today.
func (s *Server) period(r *http.Request, days int) (server.Period, error) {
	q := r.URL.Query()
	var from, to time.Time
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &from}, {"to", &to}} {
		if v := q.Get(p.name); v != "" {
			t, err := time.Parse(time.DateOnly, v)
			if err != nil {
				return server.Period{}, &server.Error{Code: server.EInvalid, Field: p.name, Message: p.name + " must be a date, YYYY-MM-DD"}
			}
			*p.dst = t
		}
	}
	return s.Ledger.Reports().CheckPeriod(from, to, days)
}

func (s *Server) usage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	wh, err := warehouseOf(r, q.Get("warehouse"), false)
	if err != nil {
		writeError(w, r, err)
		return
	}
	p, err := s.period(r, 30)
	if err != nil {
		writeError(w, r, err)
		return
	}
	f := server.UsageFilter{Warehouse: wh, Category: q.Get("category"), From: p.From, To: p.To}
	if sku := q.Get("sku"); sku != "" {
		if f.Category != "" {
			writeError(w, r, &server.Error{Code: server.EInvalid, Field: "category", Message: "ask for a sku or a category, not both"})
			return
		}
		f.SKUs = []string{sku}
	}
	rep := s.Ledger.Reports()
	f.GroupBy = server.UsageByDay
	days, err := rep.Usage(r.Context(), f)
	if err != nil {
		writeError(w, r, err)
		return
	}
	f.GroupBy = server.UsageBySKU
	skus, err := rep.Usage(r.Context(), f)
	if err != nil {
		writeError(w, r, err)
		return
	}
	out := usageJSON{Warehouse: wh, SKU: q.Get("sku"), Category: f.Category, From: p.From.Format(time.DateOnly), To: p.To.Format(time.DateOnly),
		Days: make([]usageDayJSON, 0, p.Days()), SKUs: []usageSKUJSON{}}
	byDay := map[time.Time]server.UsageDay{}
	for _, u := range days {
		byDay[u.Day] = u
		out.Totals.add(u)
	}
	for d := p.From; !d.After(p.To); d = d.AddDate(0, 0, 1) {
		day := usageDayJSON{Day: d.Format(time.DateOnly)}
		day.add(byDay[d])
		out.Days = append(out.Days, day)
	}
	for _, u := range skus {
		if n := len(out.SKUs); n > 0 && out.SKUs[n-1].SKU == u.SKU {
			out.SKUs[n-1].add(u) // the same SKU in another warehouse
			continue
		}
		sk := usageSKUJSON{SKU: u.SKU}
		sk.add(u)
		out.SKUs = append(out.SKUs, sk)
	}
	writeReport(w, r, "usage", out, func() [][]string {
		rows := [][]string{{"day", "consumed_units", "consumed_value", "received_units", "received_value"}}
		for _, d := range out.Days {
			rows = append(rows, []string{d.Day, i64(d.ConsumedUnits), i64(d.ConsumedValue), i64(d.ReceivedUnits), i64(d.ReceivedValue)})
		}
		return rows
	})
}

func (s *Server) onHandReport(w http.ResponseWriter, r *http.Request) {
	wh, err := warehouseOf(r, r.URL.Query().Get("warehouse"), false)
	if err != nil {
		writeError(w, r, err)
		return
	}
	rep, err := s.Ledger.Reports().OnHand(r.Context(), wh)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeReport(w, r, "on-hand", rep, func() [][]string {
		rows := [][]string{{"warehouse", "sku", "name", "category", "on_hand", "unit_cost", "value"}}
		for _, it := range rep.Items {
			rows = append(rows, []string{it.Warehouse, it.SKU, it.Name, it.Category, i64(it.OnHand), i64(it.UnitCost), i64(it.Value)})
		}
		return rows
	})
}

// periodReport is the answer of the reports over a period.
type periodReport[T any] struct {
	Warehouse string `json:"warehouse"`
	From      string `json:"from"`
	To        string `json:"to"`
	Items     []T    `json:"items"`
}

func (s *Server) turnoverReport(w http.ResponseWriter, r *http.Request) {
	wh, err := warehouseOf(r, r.URL.Query().Get("warehouse"), true)
	if err != nil {
		writeError(w, r, err)
		return
	}
	p, err := s.period(r, 90)
	if err != nil {
		writeError(w, r, err)
		return
	}
	items, err := s.Ledger.Reports().Turnover(r.Context(), wh, p)
	if err != nil {
		writeError(w, r, err)
		return
	}
	out := periodReport[server.TurnoverRow]{wh, p.From.Format(time.DateOnly), p.To.Format(time.DateOnly), items}
	writeReport(w, r, "turnover", out, func() [][]string {
		rows := [][]string{{"sku", "name", "category", "consumed_units", "consumed_value", "opening_units", "closing_units",
			"average_value", "turnover", "on_hand", "days_of_cover"}}
		for _, it := range items {
			rows = append(rows, []string{it.SKU, it.Name, it.Category, i64(it.ConsumedUnits), i64(it.ConsumedValue), i64(it.OpeningUnits),
				i64(it.ClosingUnits), i64(it.AverageValue), f64(it.Turnover), i64(it.OnHand), f64(it.DaysOfCover)})
		}
		return rows
	})
}

// deadStockJSON is the answer of GET /reports/dead-stock.
type deadStockJSON struct {
	Warehouse string                `json:"warehouse"`
	Days      int                   `json:"days"`
	Items     []server.DeadStockRow `json:"items"`
}

func (s *Server) deadStockReport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	wh, err := warehouseOf(r, q.Get("warehouse"), true)
	if err != nil {
		writeError(w, r, err)
		return
	}
	days := 90
	if v := q.Get("days"); v != "" {
		if days, err = strconv.Atoi(v); err != nil {
			writeError(w, r, &server.Error{Code: server.EInvalid, Field: "days", Message: "days must be a number of days"})
			return
		}
	}
	items, err := s.Ledger.Reports().DeadStock(r.Context(), wh, days)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeReport(w, r, "dead-stock", deadStockJSON{wh, days, items}, func() [][]string {
		rows := [][]string{{"sku", "name", "category", "on_hand", "unit_cost", "value", "last_consumed"}}
		for _, it := range items {
			last := ""
			if it.LastConsumed != nil {
				last = it.LastConsumed.Format(time.DateOnly)
			}
			rows = append(rows, []string{it.SKU, it.Name, it.Category, i64(it.OnHand), i64(it.UnitCost), i64(it.Value), last})
		}
		return rows
	})
}

// stockoutJSON is a SKU's stockout days on the REST API.
type stockoutJSON struct {
	SKU      string   `json:"sku"`
	Name     string   `json:"name"`
	Days     int      `json:"days"`
	Dates    []string `json:"dates"`
	OutNow   bool     `json:"out_now"`
	OpenQty  int64    `json:"open_qty"`
	Consumed int64    `json:"consumed"`
}

// stockoutsJSON is the answer of GET /reports/stockouts.
type stockoutsJSON struct {
	periodReport[stockoutJSON]
	DemandDays int `json:"demand_days"`
}

func (s *Server) stockoutReport(w http.ResponseWriter, r *http.Request) {
	wh, err := warehouseOf(r, r.URL.Query().Get("warehouse"), true)
	if err != nil {
		writeError(w, r, err)
		return
	}
	p, err := s.period(r, 90)
	if err != nil {
		writeError(w, r, err)
		return
	}
	rows, err := s.Ledger.Reports().Stockouts(r.Context(), wh, p)
	if err != nil {
		writeError(w, r, err)
		return
	}
	out := stockoutsJSON{periodReport[stockoutJSON]{wh, p.From.Format(time.DateOnly), p.To.Format(time.DateOnly), make([]stockoutJSON, 0, len(rows))},
		server.DemandDays}
	for _, x := range rows {
		sj := stockoutJSON{SKU: x.SKU, Name: x.Name, Days: x.Days, OutNow: x.OutNow, OpenQty: x.OpenQty, Consumed: x.Consumed}
		for _, d := range x.Dates {
			sj.Dates = append(sj.Dates, d.Format(time.DateOnly))
		}
		out.Items = append(out.Items, sj)
	}
	writeReport(w, r, "stockouts", out, func() [][]string {
		rows := [][]string{{"sku", "name", "days", "first_day", "last_day", "out_now", "open_qty", "consumed", "dates"}}
		for _, it := range out.Items {
			rows = append(rows, []string{it.SKU, it.Name, strconv.Itoa(it.Days), it.Dates[0], it.Dates[len(it.Dates)-1],
				strconv.FormatBool(it.OutNow), i64(it.OpenQty), i64(it.Consumed), strings.Join(it.Dates, " ")})
		}
		return rows
	})
}

func i64(n int64) string { return strconv.FormatInt(n, 10) }

func f64(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', 2, 64)
}

// writeReport sends a report as JSON, or as CSV (?format=csv) of the rows
// csvRows returns, whole and with its Content-Length.
func writeReport(w http.ResponseWriter, r *http.Request, name string, v any, csvRows func() [][]string) {
	var buf bytes.Buffer
	switch format := r.URL.Query().Get("format"); format {
	case "", "json":
		if err := json.NewEncoder(&buf).Encode(v); err != nil {
			writeError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
	case "csv":
		cw := csv.NewWriter(&buf)
		if err := cw.WriteAll(csvRows()); err != nil {
			writeError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	default:
		writeError(w, r, &server.Error{Code: server.EInvalid, Field: "format", Message: "format is json (the default) or csv"})
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
}

// describeReports adds the usage and report routes to the OpenAPI document.
func (s *Server) describeReports(d *openAPIDoc) {
	tags := []string{"Reports"}
	sup := server.RoleSupervisor
	resp := func(desc string, t reflect.Type) map[string]any {
		r := jsonResponse(desc+" (?format=csv: the same as CSV)", d.ref(t))
		r["content"].(map[string]any)["text/csv"] = map[string]any{"schema": strSchema}
		return r
	}
	period := func(days string) []apiParam {
		return queryParams("warehouse", "from:first day YYYY-MM-DD (default "+days+" days before to)", "to:last day YYYY-MM-DD (default today)",
			"format:json (default) or csv")
	}
	d.add("GET", "/api/v1/usage", &apiOp{Summary: "Daily usage (consumed: picks and damage; received: receipts and returns) of a SKU, " +
		"a category or a whole warehouse, every day of the period",
		OperationID: "usage", Tags: tags, Role: sup,
		Parameters: append(period("30"), queryParams("sku:one SKU", "category:the SKUs of a category")...),
		Responses:  map[string]any{"200": resp("the daily series", reflect.TypeFor[usageJSON]())}})
	d.add("GET", "/api/v1/reports/on-hand", &apiOp{Summary: "Stock on hand and its value (current unit cost) per warehouse and SKU",
		OperationID: "onHandReport", Tags: tags, Role: sup, Parameters: queryParams("warehouse:one warehouse (all when empty)", "format:json (default) or csv"),
		Responses: map[string]any{"200": resp("on hand", reflect.TypeFor[server.OnHandReport]())}})
	d.add("GET", "/api/v1/reports/turnover", &apiOp{Summary: "Per SKU: consumed value ÷ average inventory value ((opening + closing) ÷ 2), " +
		"and days of cover (on hand ÷ average daily consumption)",
		OperationID: "turnoverReport", Tags: tags, Role: sup, Parameters: period("90"),
		Responses: map[string]any{"200": resp("rows", reflect.TypeFor[periodReport[server.TurnoverRow]]())}})
	d.add("GET", "/api/v1/reports/dead-stock", &apiOp{Summary: "SKUs on hand with no consumption in the last N days",
		OperationID: "deadStockReport", Tags: tags, Role: sup, Parameters: queryParams("warehouse", "days:N (default 90)", "format:json (default) or csv"),
		Responses: map[string]any{"200": resp("rows", reflect.TypeFor[deadStockJSON]())}})
	d.add("GET", "/api/v1/reports/stockouts", &apiOp{Summary: "Stockout days per SKU: days that ended with none on hand while the SKU " +
		"was consumed within the 30 days before or is on an open sales-order line",
		OperationID: "stockoutReport", Tags: tags, Role: sup, Parameters: period("90"),
		Responses: map[string]any{"200": resp("rows, most days first", reflect.TypeFor[stockoutsJSON]())}})
}
