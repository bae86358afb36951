package ui

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/driftless/driftless/client/app"
)

// replenishing is the fake state's issue 9 side: low-stock alerts (held
// offline), purchase-order drafts, usage and reports; the supervisor
// calls share counting's supervisorCall (offline, PIN).
type replenishing struct {
	alerts      []app.LowStockAlert
	drafts      []app.PODraft
	draftLog    []string // "update D-1 LAMP-BRASS=30", "approve D-1", "discard D-2"
	usage       []app.UsagePoint
	usageCalls  []string // "sku category from to"
	reports     map[string]app.Report
	reportCalls []string // "kind k=v …"
	// onProgress is called after each progress step of RunReport, with the
	// share it sent (tests look at the screen between steps).
	onProgress func(float64)
	csv        []byte
	csvCalls   []string
	nextPO     int
}

func newReplenishing() replenishing {
	r := replenishing{
		alerts: []app.LowStockAlert{
			{ID: "AL-000012", SKU: "LAMP-BRASS", Name: "Brass desk lamp", Available: 4, ReorderPoint: 20, OnOrder: 0, Suggested: 36, RaisedAt: fixedNow.Add(-3 * time.Hour)},
			{ID: "AL-000015", SKU: "CUSHION-LIN", Name: "Linen cushion", Available: 9, ReorderPoint: 18, OnOrder: 12, Suggested: 12, RaisedAt: fixedNow.Add(-26 * time.Hour)},
			{ID: "AL-000017", SKU: "CHAIR-OAK", Name: "Oak dining chair", Available: 11, ReorderPoint: 14, OnOrder: 0, Suggested: 8, RaisedAt: fixedNow.Add(-40 * time.Minute)},
		},
		drafts: []app.PODraft{
			{ID: "D-0031", Supplier: "NORDLYS", Name: "Nordlys Lighting", Created: fixedNow.Add(-2 * time.Hour), Lines: []app.DraftLine{
				{SKU: "LAMP-BRASS", Name: "Brass desk lamp", Qty: 36, Suggested: 36, UnitCost: 4600, Why: "available 4 below reorder point 20; on order 0; multiple 12"},
				{SKU: "LAMP-FLOOR", Name: "Arc floor lamp", Qty: 6, Suggested: 6, UnitCost: 12900, Why: "available 2 below reorder point 5; on order 0; minimum order 6"},
			}},
			{ID: "D-0032", Supplier: "OAKWORKS", Name: "Oakworks Furniture", Created: fixedNow.Add(-2 * time.Hour), Lines: []app.DraftLine{
				{SKU: "CHAIR-OAK", Name: "Oak dining chair", Qty: 8, Suggested: 8, UnitCost: 8950, Why: "available 11 below reorder point 14; on order 0; multiple 4"},
			}},
		},
		reports: map[string]app.Report{
			app.ReportOnHand: {Name: "On hand and value", Columns: []string{"Warehouse", "SKUs", "On hand", "Value"},
				Rows: [][]string{{"WH1", "412", "18,220", "624,310.50"}}},
			app.ReportTurnover: {Name: "Turnover and days of cover", Columns: []string{"SKU", "Name", "On hand", "Consumed", "Turnover", "Days of cover"},
				Rows: [][]string{
					{"LAMP-BRASS", "Brass desk lamp", "4", "96", "11.2", "1.2"},
					{"CHAIR-OAK", "Oak dining chair", "19", "64", "3.8", "8.3"},
					{"CUSHION-LIN", "Linen cushion", "21", "40", "2.1", "14.7"},
					{"TABLE-ASH", "Ash extending table", "2", "3", "1.4", "18.7"},
				}},
			app.ReportDeadStock: {Name: "Dead stock", Columns: []string{"SKU", "Name", "On hand", "Value", "Last used"},
				Rows: [][]string{{"VASE-GLS", "Glass vase", "14", "392.00", "2025-10-02"}}},
			app.ReportStockouts: {Name: "Stockouts", Columns: []string{"SKU", "Name", "Stockout days", "Demand missed"},
				Rows: [][]string{{"LAMP-BRASS", "Brass desk lamp", "3", "7"}}},
		},
		csv: []byte("day,consumed_units,consumed_value,received_units,received_value\n2026-03-14,6,27600,0,0\n"),
	}
	// Four weeks of a lamp's usage: picks most days, two receipts.
	consumed := []int64{4, 6, 3, 0, 5, 7, 2, 3, 5, 4, 0, 0, 6, 8, 4, 3, 6, 2, 0, 5, 7, 3, 4, 6, 1, 0, 4, 6}
	for i, c := range consumed {
		d := fixedNow.AddDate(0, 0, i-27)
		p := app.UsagePoint{Day: d.Format(time.DateOnly), Consumed: c, ConsumedValue: c * 4600}
		if i == 6 || i == 20 {
			p.Received, p.ReceivedValue = 36, 36*4600
		}
		r.usage = append(r.usage, p)
	}
	return r
}

func (f *fakeState) Alerts(context.Context) ([]app.LowStockAlert, error) { return f.alerts, nil }

func (f *fakeState) GeneratePODrafts(ctx context.Context) ([]app.PODraft, error) {
	if err := f.supervisorCall(); err != nil {
		return nil, err
	}
	f.draftLog = append(f.draftLog, "generate")
	f.drafts = newReplenishing().drafts
	return f.PODrafts(ctx)
}

func (f *fakeState) Categories(context.Context) ([]string, error) {
	return []string{"Furniture", "Lighting", "Textiles"}, nil
}

func (f *fakeState) PODrafts(context.Context) ([]app.PODraft, error) {
	if err := f.supervisorCall(); err != nil {
		return nil, err
	}
	out := make([]app.PODraft, len(f.drafts))
	for i, d := range f.drafts {
		out[i] = withValue(d)
	}
	return out, nil
}

func withValue(d app.PODraft) app.PODraft {
	d.Lines = slices.Clone(d.Lines)
	d.Value = 0
	for _, l := range d.Lines {
		d.Value += l.Qty * l.UnitCost
	}
	return d
}

func (f *fakeState) draft(id string) (int, error) {
	for i, d := range f.drafts {
		if d.ID == id {
			return i, nil
		}
	}
	return 0, &app.Error{Code: "not_found", Message: "Draft " + id + " is gone."}
}

func (f *fakeState) UpdatePODraft(_ context.Context, id string, qty map[string]int64) (app.PODraft, error) {
	if err := f.supervisorCall(); err != nil {
		return app.PODraft{}, err
	}
	i, err := f.draft(id)
	if err != nil {
		return app.PODraft{}, err
	}
	d := withValue(f.drafts[i])
	var lines []app.DraftLine
	for _, l := range d.Lines {
		if n, ok := qty[l.SKU]; ok {
			f.draftLog = append(f.draftLog, fmt.Sprintf("update %s %s=%d", id, l.SKU, n))
			if n == 0 {
				continue
			}
			l.Qty = n
		}
		lines = append(lines, l)
	}
	d.Lines = lines
	f.drafts[i] = withValue(d)
	return f.drafts[i], nil
}

func (f *fakeState) ApprovePODraft(_ context.Context, id string) (string, error) {
	if err := f.supervisorCall(); err != nil {
		return "", err
	}
	i, err := f.draft(id)
	if err != nil {
		return "", err
	}
	f.drafts = slices.Delete(f.drafts, i, i+1)
	f.draftLog = append(f.draftLog, "approve "+id)
	f.nextPO++
	return fmt.Sprintf("PO-2026-%04d", 140+f.nextPO), nil
}

func (f *fakeState) DiscardPODraft(_ context.Context, id string) error {
	if err := f.supervisorCall(); err != nil {
		return err
	}
	i, err := f.draft(id)
	if err != nil {
		return err
	}
	f.drafts = slices.Delete(f.drafts, i, i+1)
	f.draftLog = append(f.draftLog, "discard "+id)
	return nil
}

func (f *fakeState) Usage(_ context.Context, sku, category, from, to string) ([]app.UsagePoint, error) {
	if err := f.supervisorCall(); err != nil {
		return nil, err
	}
	f.usageCalls = append(f.usageCalls, strings.Join([]string{sku, category, from, to}, " "))
	var out []app.UsagePoint
	for _, p := range f.usage {
		if p.Day >= from && p.Day <= to {
			out = append(out, p)
		}
	}
	return out, nil
}

func paramText(kind string, params map[string]string) string {
	s := kind
	for _, k := range slices.Sorted(maps.Keys(params)) {
		s += " " + k + "=" + params[k]
	}
	return s
}

func (f *fakeState) RunReport(_ context.Context, kind string, params map[string]string, progress func(float64)) (app.Report, error) {
	if err := f.supervisorCall(); err != nil {
		return app.Report{}, err
	}
	f.reportCalls = append(f.reportCalls, paramText(kind, params))
	for _, p := range []float64{0.25, 0.6, 1} {
		progress(p)
		if f.onProgress != nil {
			f.onProgress(p)
		}
	}
	r, ok := f.reports[kind]
	if !ok {
		return app.Report{}, &app.Error{Code: "not_found", Message: "No report " + kind}
	}
	return r, nil
}

func (f *fakeState) ExportCSV(_ context.Context, kind string, params map[string]string) ([]byte, error) {
	if err := f.supervisorCall(); err != nil {
		return nil, err
	}
	f.csvCalls = append(f.csvCalls, paramText(kind, params))
	return f.csv, nil
}
