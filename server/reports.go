package server

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// The supervisor's stock reports. Each is one read transaction over
// usage_daily, the stock levels and (turnover, stockouts) the ledger
// entries of the period; none rescans the whole ledger. Values are in
// cents at the SKUs' current unit cost, on hand is summed over every
// location of the warehouse (transit and quarantine included).
//
//   - On hand: units and value per warehouse, and per SKU.
//   - Turnover: per SKU over [from, to], consumed value ÷ average
//     inventory value, where the average inventory is (on hand at the
//     start + on hand at the end) ÷ 2, both rebuilt from the ledger; days
//     of cover = on hand now ÷ average daily consumption over the period
//     (none when nothing was consumed).
//   - Dead stock: SKUs on hand with no consumption in the last N days.
//   - Stockouts: a stockout day of a SKU is a day (UTC, by the server's
//     ledger time) at whose end the warehouse held none of it while it was
//     in demand: consumed within the DemandDays days up to that day, or on
//     an open sales-order line of the warehouse now (an order not yet
//     picked, shipped or cancelled with qty above picked).

// SKUStock is what a warehouse holds of a SKU, valued at its unit cost.
type SKUStock struct {
	Warehouse string `json:"warehouse"`
	SKU       string `json:"sku"`
	Name      string `json:"name"`
	Category  string `json:"category,omitempty"`
	OnHand    int64  `json:"on_hand"`
	UnitCost  int64  `json:"unit_cost"`
	Value     int64  `json:"value"`
}

// LedgerDayNet is the net change of a SKU's stock in a warehouse over one
// day (UTC, by the ledger's recorded time).
type LedgerDayNet struct {
	SKU   string
	Day   time.Time
	Delta int64
}

// ReportReadTx reads what the reports need beyond usage_daily. Both
// stores' transactions implement it (found by type assertion).
type ReportReadTx interface {
	UsageReadTx
	// StockBySKU sums the positive stock per warehouse and SKU (of one
	// warehouse, or all when ""), with the SKU's name, category and cost.
	StockBySKU(ctx context.Context, warehouse string) ([]SKUStock, error)
	// LedgerNetByDay sums the deltas of a warehouse's ledger entries with
	// positions above after, per SKU and recorded day.
	LedgerNetByDay(ctx context.Context, warehouse string, after uint64) ([]LedgerDayNet, error)
	// LedgerAt returns the first ledger position at or above pos and when
	// it was recorded; false when there is none.
	LedgerAt(ctx context.Context, pos uint64) (uint64, time.Time, bool, error)
}

func (r *Reports) view(ctx context.Context, fn func(ctx context.Context, tx ReportReadTx) error) error {
	return r.store.View(ctx, func(ctx context.Context, tx ReadTx) error {
		rtx, ok := tx.(ReportReadTx)
		if !ok {
			return Errorf(EInternal, "this store keeps no reports")
		}
		return fn(ctx, rtx)
	})
}

// positionBefore is the last ledger position recorded before t (0 when
// none): a binary search over positions, whose recorded times grow.
func positionBefore(ctx context.Context, tx ReportReadTx, t time.Time) (uint64, error) {
	lo, hi := uint64(0), uint64(1)
	for { // find an upper bound recorded at or after t
		p, at, ok, err := tx.LedgerAt(ctx, hi)
		if err != nil {
			return 0, err
		}
		if !ok {
			break
		}
		if !at.Before(t) {
			hi = p
			break
		}
		lo, hi = p, p*2
	}
	// Invariant: every position ≤ lo is before t; the first position
	// recorded at or after t is above lo and at most hi (or none).
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		p, at, ok, err := tx.LedgerAt(ctx, mid)
		if err != nil {
			return 0, err
		}
		if !ok || !at.Before(t) {
			hi = mid
		} else {
			lo = p
			if p >= hi {
				break
			}
		}
	}
	return lo, nil
}

// OnHandReport is stock on hand and its value per warehouse and SKU.
type OnHandReport struct {
	Warehouses []WarehouseStock `json:"warehouses"`
	Items      []SKUStock       `json:"items"`
}

// WarehouseStock is a warehouse's stock in total.
type WarehouseStock struct {
	Warehouse string `json:"warehouse"`
	SKUs      int    `json:"skus"`
	OnHand    int64  `json:"on_hand"`
	Value     int64  `json:"value"`
}

// OnHand reports stock on hand and value (of one warehouse, or every one
// when warehouse is "").
func (r *Reports) OnHand(ctx context.Context, warehouse string) (OnHandReport, error) {
	var out OnHandReport
	err := r.view(ctx, func(ctx context.Context, tx ReportReadTx) error {
		items, err := tx.StockBySKU(ctx, warehouse)
		if err != nil {
			return err
		}
		out.Items = items
		for _, it := range items {
			if n := len(out.Warehouses); n == 0 || out.Warehouses[n-1].Warehouse != it.Warehouse {
				out.Warehouses = append(out.Warehouses, WarehouseStock{Warehouse: it.Warehouse})
			}
			w := &out.Warehouses[len(out.Warehouses)-1]
			w.SKUs++
			w.OnHand += it.OnHand
			w.Value += it.Value
		}
		return nil
	})
	if err != nil {
		return OnHandReport{}, fmt.Errorf("on-hand report: %w", err)
	}
	if out.Items == nil {
		out.Items, out.Warehouses = []SKUStock{}, []WarehouseStock{}
	}
	return out, nil
}

// Period is a report's days, both inclusive (UTC dates).
type Period struct{ From, To time.Time }

// Days is the number of days in the period.
func (p Period) Days() int { return int(p.To.Sub(p.From).Hours()/24) + 1 }

// MaxReportDays bounds a report's period (about three years).
const MaxReportDays = 1100

// CheckPeriod returns the period from..to as UTC dates: days back from
// today when from is zero, today when to is zero.
func (r *Reports) CheckPeriod(from, to time.Time, days int) (Period, error) {
	p := Period{From: UTCDay(from), To: UTCDay(to)}
	if to.IsZero() {
		p.To = UTCDay(r.now())
	}
	if from.IsZero() {
		p.From = p.To.AddDate(0, 0, 1-days)
	}
	switch {
	case p.To.Before(p.From):
		return p, &Error{Code: EInvalid, Field: "to", Message: "to must not be before from"}
	case p.Days() > MaxReportDays:
		return p, &Error{Code: EInvalid, Field: "from", Message: fmt.Sprintf("a report covers at most %d days", MaxReportDays)}
	}
	return p, nil
}

// TurnoverRow is a SKU's turnover and days of cover over a period.
type TurnoverRow struct {
	SKU           string `json:"sku"`
	Name          string `json:"name"`
	Category      string `json:"category,omitempty"`
	ConsumedUnits int64  `json:"consumed_units"`
	ConsumedValue int64  `json:"consumed_value"`
	OpeningUnits  int64  `json:"opening_units"` // on hand when the period began
	ClosingUnits  int64  `json:"closing_units"` // on hand when it ended
	AverageValue  int64  `json:"average_value"` // (opening + closing) ÷ 2 × unit cost
	// Turnover is consumed value ÷ average value (absent when the
	// average is zero).
	Turnover *float64 `json:"turnover"`
	OnHand   int64    `json:"on_hand"`
	// DaysOfCover is on hand ÷ average daily consumption (absent when
	// nothing was consumed).
	DaysOfCover *float64 `json:"days_of_cover"`
}

// ledgerNets returns the ledger's net changes of a warehouse recorded on
// or after day from, per SKU and day.
func ledgerNets(ctx context.Context, tx ReportReadTx, warehouse string, from time.Time) ([]LedgerDayNet, error) {
	after, err := positionBefore(ctx, tx, from)
	if err != nil {
		return nil, err
	}
	nets, err := tx.LedgerNetByDay(ctx, warehouse, after)
	if err != nil {
		return nil, err
	}
	// The search finds the boundary by time; drop any earlier day an
	// out-of-order recorded time let through.
	return slices.DeleteFunc(nets, func(n LedgerDayNet) bool { return n.Day.Before(from) }), nil
}

// Turnover reports each SKU's turnover and days of cover in a warehouse
// over a period: the SKUs on hand now or consumed in the period.
func (r *Reports) Turnover(ctx context.Context, warehouse string, p Period) ([]TurnoverRow, error) {
	rows := map[string]*TurnoverRow{}
	err := r.view(ctx, func(ctx context.Context, tx ReportReadTx) error {
		stock, err := tx.StockBySKU(ctx, warehouse)
		if err != nil {
			return err
		}
		cost := map[string]int64{}
		for _, s := range stock {
			rows[s.SKU] = &TurnoverRow{SKU: s.SKU, Name: s.Name, Category: s.Category, OnHand: s.OnHand}
			cost[s.SKU] = s.UnitCost
		}
		used, err := tx.UsageDays(ctx, UsageFilter{Warehouse: warehouse, From: p.From, To: p.To, GroupBy: UsageBySKU})
		if err != nil {
			return err
		}
		var missing []string
		for _, u := range used {
			row, ok := rows[u.SKU]
			if !ok {
				row = &TurnoverRow{SKU: u.SKU}
				rows[u.SKU] = row
				missing = append(missing, u.SKU)
			}
			row.ConsumedUnits, row.ConsumedValue = u.ConsumedUnits, u.ConsumedValue
		}
		if err := r.describe(ctx, tx, missing, rows, cost); err != nil {
			return err
		}
		nets, err := ledgerNets(ctx, tx, warehouse, p.From)
		if err != nil {
			return err
		}
		end := p.To.AddDate(0, 0, 1)
		for _, row := range rows {
			row.OpeningUnits, row.ClosingUnits = row.OnHand, row.OnHand
		}
		for _, n := range nets {
			row, ok := rows[n.SKU]
			if !ok {
				continue // none now, none consumed: not in the report
			}
			row.OpeningUnits -= n.Delta
			if !n.Day.Before(end) {
				row.ClosingUnits -= n.Delta
			}
		}
		days := float64(p.Days())
		for sku, row := range rows {
			row.AverageValue = (row.OpeningUnits + row.ClosingUnits) * cost[sku] / 2
			if row.AverageValue > 0 {
				t := float64(row.ConsumedValue) / float64(row.AverageValue)
				row.Turnover = &t
			}
			if row.ConsumedUnits > 0 {
				c := float64(row.OnHand) / (float64(row.ConsumedUnits) / days)
				row.DaysOfCover = &c
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("turnover report of %s: %w", warehouse, err)
	}
	out := make([]TurnoverRow, 0, len(rows))
	for _, row := range rows {
		out = append(out, *row)
	}
	slices.SortFunc(out, func(a, b TurnoverRow) int { return cmp.Compare(a.SKU, b.SKU) })
	return out, nil
}

// describe fills in the names, categories and costs of SKUs a report
// found in usage but not on hand.
func (r *Reports) describe(ctx context.Context, tx any, skus []string, rows map[string]*TurnoverRow, cost map[string]int64) error {
	ctx2, ok := tx.(interface {
		SKU(ctx context.Context, code string) (SKU, error)
	})
	if !ok {
		return nil
	}
	for _, code := range skus {
		s, err := ctx2.SKU(ctx, code)
		if IsNotFound(err) {
			continue
		}
		if err != nil {
			return err
		}
		rows[code].Name, rows[code].Category, cost[code] = s.Name, s.Category, s.UnitCost
	}
	return nil
}

// DeadStockRow is a SKU on hand that nothing consumed in the period.
type DeadStockRow struct {
	SKUStock
	// LastConsumed is the last day anything was consumed (absent: never).
	LastConsumed *time.Time `json:"last_consumed"`
}

// DeadStock reports the SKUs a warehouse holds with no consumption in the
// last days days (today included).
func (r *Reports) DeadStock(ctx context.Context, warehouse string, days int) ([]DeadStockRow, error) {
	if days < 1 || days > MaxReportDays {
		return nil, &Error{Code: EInvalid, Field: "days", Message: fmt.Sprintf("days must be from 1 to %d", MaxReportDays)}
	}
	today := UTCDay(r.now())
	from := today.AddDate(0, 0, 1-days)
	var out []DeadStockRow
	err := r.view(ctx, func(ctx context.Context, tx ReportReadTx) error {
		stock, err := tx.StockBySKU(ctx, warehouse)
		if err != nil {
			return err
		}
		used, err := tx.UsageDays(ctx, UsageFilter{Warehouse: warehouse, From: from, GroupBy: UsageBySKU})
		if err != nil {
			return err
		}
		consumed := map[string]bool{}
		for _, u := range used {
			consumed[u.SKU] = u.ConsumedUnits > 0
		}
		var dead []string
		for _, s := range stock {
			if !consumed[s.SKU] {
				out = append(out, DeadStockRow{SKUStock: s})
				dead = append(dead, s.SKU)
			}
		}
		if len(dead) == 0 {
			return nil
		}
		before, err := tx.UsageDays(ctx, UsageFilter{Warehouse: warehouse, SKUs: dead, To: from.AddDate(0, 0, -1)})
		if err != nil {
			return err
		}
		last := map[string]time.Time{}
		for _, u := range before {
			if u.ConsumedUnits > 0 && u.Day.After(last[u.SKU]) {
				last[u.SKU] = u.Day
			}
		}
		for i := range out {
			if d, ok := last[out[i].SKU]; ok {
				out[i].LastConsumed = &d
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dead-stock report of %s: %w", warehouse, err)
	}
	if out == nil {
		out = []DeadStockRow{}
	}
	return out, nil
}

// StockoutRow is a SKU's stockout days in a period.
type StockoutRow struct {
	SKU      string      `json:"sku"`
	Name     string      `json:"name"`
	Days     int         `json:"days"`
	Dates    []time.Time `json:"dates"`
	OutNow   bool        `json:"out_now"`  // none on hand now
	OpenQty  int64       `json:"open_qty"` // on open sales-order lines now
	Consumed int64       `json:"consumed"` // units consumed in the period
}

// DemandDays is how far back consumption makes a SKU in demand for the
// stockout report.
const DemandDays = 30

// Stockouts reports the SKUs of a warehouse with stockout days in a
// period (see the top of this file).
func (r *Reports) Stockouts(ctx context.Context, warehouse string, p Period) ([]StockoutRow, error) {
	var out []StockoutRow
	err := r.view(ctx, func(ctx context.Context, tx ReportReadTx) error {
		stock, err := tx.StockBySKU(ctx, warehouse)
		if err != nil {
			return err
		}
		onHand, names := map[string]int64{}, map[string]string{}
		for _, s := range stock {
			onHand[s.SKU], names[s.SKU] = s.OnHand, s.Name
		}
		open, err := openOrderQty(ctx, tx, warehouse)
		if err != nil {
			return err
		}
		lookback := p.From.AddDate(0, 0, 1-DemandDays)
		used, err := tx.UsageDays(ctx, UsageFilter{Warehouse: warehouse, From: lookback, To: p.To})
		if err != nil {
			return err
		}
		usedOn := map[string]map[int]int64{} // SKU → day index from lookback → consumed
		for _, u := range used {
			if u.ConsumedUnits == 0 {
				continue
			}
			if usedOn[u.SKU] == nil {
				usedOn[u.SKU] = map[int]int64{}
			}
			usedOn[u.SKU][int(u.Day.Sub(lookback).Hours()/24)] = u.ConsumedUnits
		}
		nets, err := ledgerNets(ctx, tx, warehouse, p.From)
		if err != nil {
			return err
		}
		netOn := map[string]map[int]int64{} // SKU → day index from p.From → net change
		for _, n := range nets {
			if netOn[n.SKU] == nil {
				netOn[n.SKU] = map[int]int64{}
			}
			netOn[n.SKU][int(n.Day.Sub(p.From).Hours()/24)] += n.Delta
		}
		skus := map[string]bool{}
		for s := range usedOn {
			skus[s] = true
		}
		for s := range open {
			skus[s] = true
		}
		ndays, offset := p.Days(), DemandDays-1
		for sku := range skus {
			// Closing stock of each day, walking back from today.
			closing := onHand[sku]
			var after int64 // the net change after the period
			for d, n := range netOn[sku] {
				if d >= ndays {
					after += n
				}
			}
			closing -= after
			row := StockoutRow{SKU: sku, Name: names[sku], OutNow: onHand[sku] <= 0, OpenQty: open[sku]}
			for d := ndays - 1; d >= 0; d-- {
				inDemand := open[sku] > 0
				for k := d; k < d+DemandDays && !inDemand; k++ {
					inDemand = usedOn[sku][k] > 0
				}
				if closing <= 0 && inDemand {
					row.Dates = append(row.Dates, p.From.AddDate(0, 0, d))
				}
				row.Consumed += usedOn[sku][d+offset]
				closing -= netOn[sku][d]
			}
			if len(row.Dates) == 0 {
				continue
			}
			slices.SortFunc(row.Dates, func(a, b time.Time) int { return a.Compare(b) })
			row.Days = len(row.Dates)
			out = append(out, row)
		}
		if len(out) > 0 {
			if ctx2, ok := tx.(interface {
				SKU(ctx context.Context, code string) (SKU, error)
			}); ok {
				for i := range out {
					if out[i].Name == "" {
						if s, err := ctx2.SKU(ctx, out[i].SKU); err == nil {
							out[i].Name = s.Name
						}
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("stockout report of %s: %w", warehouse, err)
	}
	slices.SortFunc(out, func(a, b StockoutRow) int { return cmp.Or(cmp.Compare(b.Days, a.Days), cmp.Compare(a.SKU, b.SKU)) })
	if out == nil {
		out = []StockoutRow{}
	}
	return out, nil
}

// openOrderQty sums, per SKU, the open sales-order lines of a warehouse
// (qty above picked on orders not yet picked, shipped or cancelled).
func openOrderQty(ctx context.Context, tx any, warehouse string) (map[string]int64, error) {
	out := map[string]int64{}
	ctx2, ok := tx.(interface {
		SalesOrders(ctx context.Context, f ListFilter) ([]SalesOrder, error)
	})
	if !ok {
		return out, nil
	}
	for _, st := range []SalesOrderStatus{SOOpen, SOPartiallyPicked} {
		os, err := ctx2.SalesOrders(ctx, ListFilter{Warehouse: warehouse, Status: string(st)})
		if err != nil {
			return nil, err
		}
		for _, o := range os {
			for _, ln := range o.Lines {
				if ln.Qty > ln.Picked {
					out[ln.SKU] += ln.Qty - ln.Picked
				}
			}
		}
	}
	return out, nil
}
