package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/driftless/driftless/server"
)

var _ server.UsageTx = (*tx)(nil)

// ClearUsage takes the warehouse's lock first: a push to it waits for
// the end of this transaction.
func (t *tx) ClearUsage(ctx context.Context, warehouse string) error {
	if err := t.lock(ctx, warehouse); err != nil {
		return err
	}
	if _, err := t.q.Exec(ctx, `DELETE FROM usage_daily WHERE warehouse = $1`, warehouse); err != nil {
		return fmt.Errorf("clear usage of %s: %w", warehouse, err)
	}
	return nil
}

func (t *tx) AddUsage(ctx context.Context, u server.UsageDay) error {
	_, err := t.q.Exec(ctx, `INSERT INTO usage_daily AS u (warehouse, sku, day, consumed_units, consumed_value, received_units, received_value)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (warehouse, sku, day) DO UPDATE SET
		consumed_units = u.consumed_units + excluded.consumed_units, consumed_value = u.consumed_value + excluded.consumed_value,
		received_units = u.received_units + excluded.received_units, received_value = u.received_value + excluded.received_value`,
		u.Warehouse, u.SKU, u.Day.Format(time.DateOnly), u.ConsumedUnits, u.ConsumedValue, u.ReceivedUnits, u.ReceivedValue)
	if err != nil {
		return fmt.Errorf("add usage of %s on %s: %w", u.SKU, u.Day.Format(time.DateOnly), err)
	}
	return nil
}

func (t *tx) UsageDays(ctx context.Context, f server.UsageFilter) ([]server.UsageDay, error) {
	w := &where{}
	w.eq("warehouse", f.Warehouse)
	if f.SKUs != nil {
		if len(f.SKUs) == 0 {
			return nil, nil
		}
		w.conds = append(w.conds, "sku = ANY("+w.arg(f.SKUs)+")")
	}
	if f.Category != "" {
		w.conds = append(w.conds, "sku IN (SELECT code FROM skus WHERE category = "+w.arg(f.Category)+")")
	}
	if !f.From.IsZero() {
		w.conds = append(w.conds, "day >= "+w.arg(f.From.Format(time.DateOnly))+"::date")
	}
	if !f.To.IsZero() {
		w.conds = append(w.conds, "day <= "+w.arg(f.To.Format(time.DateOnly))+"::date")
	}
	const sums = `SUM(consumed_units)::bigint, SUM(consumed_value)::bigint, SUM(received_units)::bigint, SUM(received_value)::bigint`
	var q string
	switch f.GroupBy {
	case server.UsageByDay:
		q = `SELECT '', '', to_char(day, 'YYYY-MM-DD'), ` + sums + ` FROM usage_daily` + w.sql() + ` GROUP BY day ORDER BY day`
	case server.UsageBySKU:
		q = `SELECT warehouse, sku, '', ` + sums + ` FROM usage_daily` + w.sql() + ` GROUP BY warehouse, sku ORDER BY warehouse, sku`
	default:
		q = `SELECT warehouse, sku, to_char(day, 'YYYY-MM-DD'), consumed_units, consumed_value, received_units, received_value FROM usage_daily` +
			w.sql() + ` ORDER BY warehouse, sku, day`
	}
	rows, err := t.q.Query(ctx, q, w.args...)
	if err != nil {
		return nil, fmt.Errorf("list usage: %w", err)
	}
	defer rows.Close()
	var out []server.UsageDay
	for rows.Next() {
		var u server.UsageDay
		var day string
		if err := rows.Scan(&u.Warehouse, &u.SKU, &day, &u.ConsumedUnits, &u.ConsumedValue, &u.ReceivedUnits, &u.ReceivedValue); err != nil {
			return nil, fmt.Errorf("list usage: %w", err)
		}
		if day != "" {
			if u.Day, err = time.Parse(time.DateOnly, day); err != nil {
				return nil, fmt.Errorf("list usage: day %q: %w", day, err)
			}
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

var _ server.ReportReadTx = (*tx)(nil)

func (t *tx) StockBySKU(ctx context.Context, warehouse string) ([]server.SKUStock, error) {
	q := `SELECT s.warehouse, s.sku, COALESCE(k.name, ''), COALESCE(k.category, ''), SUM(s.qty)::bigint, COALESCE(k.unit_cost, 0)
		FROM stock s LEFT JOIN skus k ON k.code = s.sku WHERE s.qty > 0`
	var args []any
	if warehouse != "" {
		q, args = q+` AND s.warehouse = $1`, append(args, warehouse)
	}
	rows, err := t.q.Query(ctx, q+` GROUP BY s.warehouse, s.sku, k.name, k.category, k.unit_cost ORDER BY s.warehouse, s.sku`, args...)
	if err != nil {
		return nil, fmt.Errorf("stock by SKU: %w", err)
	}
	defer rows.Close()
	var out []server.SKUStock
	for rows.Next() {
		var s server.SKUStock
		if err := rows.Scan(&s.Warehouse, &s.SKU, &s.Name, &s.Category, &s.OnHand, &s.UnitCost); err != nil {
			return nil, fmt.Errorf("stock by SKU: %w", err)
		}
		s.Value = s.OnHand * s.UnitCost
		out = append(out, s)
	}
	return out, rows.Err()
}

func (t *tx) LedgerNetByDay(ctx context.Context, warehouse string, after uint64) ([]server.LedgerDayNet, error) {
	rows, err := t.q.Query(ctx, `SELECT s.sku, to_char(l.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, SUM(l.delta)::bigint
		FROM ledger l JOIN stock s ON s.id = l.key_id WHERE l.warehouse = $1 AND l.position > $2
		GROUP BY s.sku, day`, warehouse, after)
	if err != nil {
		return nil, fmt.Errorf("ledger net by day: %w", err)
	}
	defer rows.Close()
	var out []server.LedgerDayNet
	for rows.Next() {
		var n server.LedgerDayNet
		var day string
		if err := rows.Scan(&n.SKU, &day, &n.Delta); err != nil {
			return nil, fmt.Errorf("ledger net by day: %w", err)
		}
		if n.Day, err = time.Parse(time.DateOnly, day); err != nil {
			return nil, fmt.Errorf("ledger net by day: day %q: %w", day, err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func (t *tx) LedgerAt(ctx context.Context, pos uint64) (uint64, time.Time, bool, error) {
	var p uint64
	var at time.Time
	err := t.q.QueryRow(ctx, `SELECT position, recorded_at FROM ledger WHERE position >= $1 ORDER BY position LIMIT 1`, pos).Scan(&p, &at)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, time.Time{}, false, nil
	}
	if err != nil {
		return 0, time.Time{}, false, fmt.Errorf("ledger at %d: %w", pos, err)
	}
	return p, at.UTC(), true, nil
}
