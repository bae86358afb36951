package app

import (
	"context"
	"errors"
	"time"
)

// errReplenishmentTODO marks the parts of issue 9's API still being
// written; nothing that returns it is reachable from a finished screen.
var errReplenishmentTODO = errors.New("app: replenishment not implemented yet")

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

// Alerts lists the warehouse's active low-stock alerts, most urgent
// (furthest below the reorder point) first.
func (a *App) Alerts(ctx context.Context) ([]LowStockAlert, error) {
	return nil, errReplenishmentTODO
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

// PODrafts lists the warehouse's open purchase-order drafts (online only;
// supervisor).
func (a *App) PODrafts(ctx context.Context) ([]PODraft, error) { return nil, errReplenishmentTODO }

// UpdatePODraft sets a draft's line quantities (0 removes a line).
func (a *App) UpdatePODraft(ctx context.Context, id string, qty map[string]int64) (PODraft, error) {
	return PODraft{}, errReplenishmentTODO
}

// ApprovePODraft turns a draft into an open purchase order (a receiving
// target on devices) and returns its number.
func (a *App) ApprovePODraft(ctx context.Context, id string) (string, error) {
	return "", errReplenishmentTODO
}

// DiscardPODraft discards a draft.
func (a *App) DiscardPODraft(ctx context.Context, id string) error { return errReplenishmentTODO }

// UsagePoint is one day of a SKU's (or a category's, or the warehouse's)
// usage.
type UsagePoint struct {
	Day           string // YYYY-MM-DD
	Consumed      int64  // units picked, damaged or scrapped
	ConsumedValue int64  // cents
	Received      int64
	ReceivedValue int64
}

// Usage returns daily usage of a SKU (sku set), a category (category set)
// or the whole warehouse between two dates, inclusive (online only).
func (a *App) Usage(ctx context.Context, sku, category, from, to string) ([]UsagePoint, error) {
	return nil, errReplenishmentTODO
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
)

// RunReport computes a report on the server (online only), calling
// progress with the share done (0..1) while it runs.
func (a *App) RunReport(ctx context.Context, kind string, params map[string]string, progress func(float64)) (Report, error) {
	return Report{}, errReplenishmentTODO
}

// ExportCSV fetches a report or usage series as CSV from the server
// (online only), for saving to a file.
func (a *App) ExportCSV(ctx context.Context, kind string, params map[string]string) ([]byte, error) {
	return nil, errReplenishmentTODO
}
