package server

import (
	"context"
	"fmt"
	"time"
)

// Usage history: per warehouse, SKU and day, the units and value consumed
// and received, kept in the table usage_daily INCREMENTALLY, in the push
// transaction that applies each event (never by rescanning the ledger):
//
//   - consumed: pick, and damage (scrap, without To, and damage moved into
//     quarantine alike: the unit is lost to sale either way);
//   - received: receive and return, except the opening-stock import (a
//     starting balance, not a delivery) and a receive against a transfer
//     (stock moving between the business's own warehouses);
//   - neither: put-aways, moves, transfers, counts and adjustments (moves
//     change where stock is, counts and adjustments correct the record).
//
// Value is the units × the SKU's unit cost (cents) when the event applies,
// so a later price change does not rewrite history. Day is the event's
// device date in UTC (DeviceTime truncated to the UTC day): when the work
// was done, not when the device synced. An event parked for a supervisor
// counts on the day the device recorded it, once it is accepted.

// UsageDay is one day of a SKU's usage in a warehouse. Day is midnight
// UTC; values are in cents.
type UsageDay struct {
	Warehouse     string    `json:"warehouse"`
	SKU           string    `json:"sku"`
	Day           time.Time `json:"day"`
	ConsumedUnits int64     `json:"consumed_units"`
	ConsumedValue int64     `json:"consumed_value"`
	ReceivedUnits int64     `json:"received_units"`
	ReceivedValue int64     `json:"received_value"`
}

// add adds o's figures to u's.
func (u *UsageDay) add(o UsageDay) {
	u.ConsumedUnits += o.ConsumedUnits
	u.ConsumedValue += o.ConsumedValue
	u.ReceivedUnits += o.ReceivedUnits
	u.ReceivedValue += o.ReceivedValue
}

// UsageFilter selects usage rows: the days From to To (both inclusive,
// UTC dates; zero for no bound) of a warehouse ("" for all) and of the
// SKUs listed (all when nil).
type UsageFilter struct {
	Warehouse string
	SKUs      []string
	From, To  time.Time
}

// UsageReadTx reads usage_daily. Both stores' transactions implement it
// (found by type assertion).
type UsageReadTx interface {
	// UsageDays lists the rows the filter selects, ordered by warehouse,
	// SKU and day. Days without usage have no row.
	UsageDays(ctx context.Context, f UsageFilter) ([]UsageDay, error)
}

// UsageTx keeps usage_daily.
type UsageTx interface {
	UsageReadTx
	// AddUsage adds u's figures to its (warehouse, SKU, day) row,
	// creating it when absent.
	AddUsage(ctx context.Context, u UsageDay) error
}

// UsageReader reads the daily usage of one SKU in one warehouse over the
// days from to to (both inclusive). Replenishment computes demand from it.
type UsageReader interface {
	DailyUsage(ctx context.Context, warehouse, sku string, from, to time.Time) ([]UsageDay, error)
}

var _ UsageReader = (*Reports)(nil)

// Reports answers the usage and stock reports (reports.go) from the
// ledger's store.
type Reports struct {
	store Store
	now   func() time.Time
}

// NewReports returns the reports over a store; now is the clock (the
// current day ends the default periods); time.Now when nil.
func NewReports(store Store, now func() time.Time) *Reports {
	if now == nil {
		now = time.Now
	}
	return &Reports{store: store, now: now}
}

// UTCDay is t's date at midnight UTC.
func UTCDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// DailyUsage lists a SKU's usage rows in a warehouse over [from, to]
// (days without usage are absent).
func (r *Reports) DailyUsage(ctx context.Context, warehouse, sku string, from, to time.Time) ([]UsageDay, error) {
	var out []UsageDay
	err := r.store.View(ctx, func(ctx context.Context, tx ReadTx) error {
		utx, ok := tx.(UsageReadTx)
		if !ok {
			return Errorf(EInternal, "this store keeps no usage history")
		}
		var err error
		out, err = utx.UsageDays(ctx, UsageFilter{Warehouse: warehouse, SKUs: []string{sku}, From: UTCDay(from), To: UTCDay(to)})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("usage of %s in %s: %w", sku, warehouse, err)
	}
	return out, nil
}
