package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/driftless/driftless/server"
)

var _ server.UsageTx = (*tx)(nil)

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
