package server

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/driftless/driftless/syncproto"
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
//
// A server upgraded with ledger history has none before the upgrade:
// `syncd usage rebuild` (RebuildUsage) recomputes a warehouse's rows from
// its ledger, valued at today's unit costs.

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
// SKUs listed (all when nil) or of one category.
type UsageFilter struct {
	Warehouse string
	SKUs      []string
	Category  string
	From, To  time.Time
	// GroupBy sums the selected rows: UsageByDay (one row per day, SKU and
	// warehouse empty), UsageBySKU (one per warehouse and SKU, Day zero);
	// "" lists them as stored.
	GroupBy string
}

// UsageFilter.GroupBy values.
const (
	UsageByDay = "day"
	UsageBySKU = "sku"
)

// UsageReadTx reads usage_daily. Both stores' transactions implement it
// (found by type assertion).
type UsageReadTx interface {
	// UsageDays lists the rows the filter selects (or their sums),
	// ordered by warehouse, SKU and day. Days without usage have no row.
	UsageDays(ctx context.Context, f UsageFilter) ([]UsageDay, error)
}

// UsageTx keeps usage_daily.
type UsageTx interface {
	UsageReadTx
	// AddUsage adds u's figures to its (warehouse, SKU, day) row,
	// creating it when absent.
	AddUsage(ctx context.Context, u UsageDay) error
	// ClearUsage deletes a warehouse's rows, holding the warehouse's write
	// lock (the one pushes take) until the transaction ends.
	ClearUsage(ctx context.Context, warehouse string) error
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

// usageOf is what an applied event adds to its warehouse's usage (false:
// nothing), valued at the SKU's unit cost now. The ledger's keeping
// (recordUsage) and the recomputation from it (RecomputeUsage) both ask it.
func usageOf(ctx context.Context, tx any, warehouse string, ev *syncproto.Event, knownNot func(ref string) bool) (UsageDay, bool, error) {
	u := UsageDay{Warehouse: warehouse, SKU: ev.SKU, Day: UTCDay(ev.DeviceTime)}
	switch ev.Kind {
	case syncproto.KindPick, syncproto.KindDamage:
		u.ConsumedUnits = ev.Qty
	case syncproto.KindReceive, syncproto.KindReturn:
		if ev.DeviceID == ImportDeviceID(warehouse) || strings.HasPrefix(ev.DeviceID, "transit-") {
			return u, false, nil // opening stock; a system device's entry
		}
		if ev.Kind == syncproto.KindReceive && ev.Ref != "" && (knownNot == nil || !knownNot(ev.Ref)) {
			if ttx, ok := tx.(TransferReadTx); ok {
				t, err := ttx.Transfer(ctx, ev.Ref)
				if err == nil && t.To == warehouse {
					return u, false, nil // stock arriving from another warehouse of ours
				}
				if err != nil && !IsNotFound(err) {
					return u, false, err
				}
			}
		}
		u.ReceivedUnits = ev.Qty
	default:
		return u, false, nil
	}
	if ev.Qty <= 0 {
		return u, false, nil
	}
	var cost int64
	if ctx2, ok := tx.(interface {
		SKU(ctx context.Context, code string) (SKU, error)
	}); ok {
		s, err := ctx2.SKU(ctx, ev.SKU)
		if err != nil && !IsNotFound(err) {
			return u, false, err
		}
		cost = s.UnitCost
	}
	u.ConsumedValue, u.ReceivedValue = u.ConsumedUnits*cost, u.ReceivedUnits*cost
	return u, true, nil
}

// recordUsage adds an applied event to usage_daily in its transaction.
func (a *applier) recordUsage(ctx context.Context, ev *syncproto.Event) error {
	utx, ok := a.tx.(UsageTx)
	if !ok {
		return nil
	}
	u, ok, err := usageOf(ctx, a.tx, a.dev.Warehouse, ev, func(ref string) bool { return a.knownNot("transfer", ref) })
	if err != nil || !ok {
		return err
	}
	if err := utx.AddUsage(ctx, u); err != nil {
		return fmt.Errorf("record usage: %w", err)
	}
	return nil
}

// RecomputeUsage recomputes a warehouse's usage from its ledger alone:
// every event with an entry there counts once, as usageOf says, valued at
// today's unit costs. With unchanged costs it equals what usage_daily
// holds (the property tests check it); rows are in warehouse, SKU, day
// order.
func (r *Reports) RecomputeUsage(ctx context.Context, warehouse string) ([]UsageDay, error) {
	var out []UsageDay
	err := r.store.View(ctx, func(ctx context.Context, tx ReadTx) (err error) {
		out, err = recomputeUsage(ctx, tx, warehouse)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("recompute usage of %s: %w", warehouse, err)
	}
	return out, nil
}

// RebuildUsage replaces a warehouse's usage_daily with RecomputeUsage's
// figures in one transaction that holds the warehouse's write lock, so no
// push adds to it meanwhile, and returns the rows written. It fills the
// history of a server upgraded with ledger history (usage is kept from
// the upgrade on): `syncd usage rebuild`. Values are at today's unit
// costs, not those of the day of each event.
func (r *Reports) RebuildUsage(ctx context.Context, warehouse string) (int, error) {
	var n int
	err := r.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		utx, ok := tx.(UsageTx)
		if !ok {
			return Errorf(EInternal, "this store keeps no usage history")
		}
		if err := utx.ClearUsage(ctx, warehouse); err != nil {
			return err
		}
		us, err := recomputeUsage(ctx, tx, warehouse)
		if err != nil {
			return err
		}
		for _, u := range us {
			if err := utx.AddUsage(ctx, u); err != nil {
				return err
			}
		}
		n = len(us)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("rebuild usage of %s: %w", warehouse, err)
	}
	return n, nil
}

func recomputeUsage(ctx context.Context, tx ReadTx, warehouse string) ([]UsageDay, error) {
	sums := map[[2]string]*UsageDay{}
	err := func() error {
		seen := map[string]bool{}
		var after uint64
		for {
			page, err := tx.Entries(ctx, warehouse, after, 5000)
			if err != nil {
				return err
			}
			if len(page) == 0 {
				return nil
			}
			var ids []string
			for _, e := range page {
				if !seen[e.EventID] {
					seen[e.EventID] = true
					ids = append(ids, e.EventID)
				}
				after = e.Position
			}
			evs, err := tx.EventsByID(ctx, ids)
			if err != nil {
				return err
			}
			for _, id := range ids {
				rec, ok := evs[id]
				if !ok {
					continue
				}
				u, ok, err := usageOf(ctx, tx, warehouse, &rec.Event, nil)
				if err != nil {
					return err
				}
				if !ok {
					continue
				}
				k := [2]string{u.SKU, u.Day.Format(time.DateOnly)}
				if s, ok := sums[k]; ok {
					s.add(u)
				} else {
					sums[k] = &u
				}
			}
		}
	}()
	if err != nil {
		return nil, err
	}
	out := make([]UsageDay, 0, len(sums))
	for _, u := range sums {
		out = append(out, *u)
	}
	sortUsage(out)
	return out, nil
}

func sortUsage(us []UsageDay) {
	slices.SortFunc(us, func(a, b UsageDay) int {
		return cmp.Or(cmp.Compare(a.Warehouse, b.Warehouse), cmp.Compare(a.SKU, b.SKU), a.Day.Compare(b.Day))
	})
}

// Usage lists usage rows (or their sums, by f.GroupBy).
func (r *Reports) Usage(ctx context.Context, f UsageFilter) ([]UsageDay, error) {
	var out []UsageDay
	err := r.store.View(ctx, func(ctx context.Context, tx ReadTx) error {
		utx, ok := tx.(UsageReadTx)
		if !ok {
			return Errorf(EInternal, "this store keeps no usage history")
		}
		var err error
		out, err = utx.UsageDays(ctx, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list usage: %w", err)
	}
	return out, nil
}

// Reports returns the reports over the ledger's store and clock.
func (l *Ledger) Reports() *Reports { return NewReports(l.store, l.now) }
