package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/driftless/driftless/server"
)

var _ server.UsageTx = (*tx)(nil)

func init() {
	writeStmts["addUsage"] = `INSERT INTO usage_daily (warehouse, sku, day, consumed_units, consumed_value, received_units, received_value)
		VALUES (?,?,?,?,?,?,?) ON CONFLICT (warehouse, sku, day) DO UPDATE SET
		consumed_units = consumed_units + excluded.consumed_units, consumed_value = consumed_value + excluded.consumed_value,
		received_units = received_units + excluded.received_units, received_value = received_value + excluded.received_value`
	writeStmts["clearUsage"] = `DELETE FROM usage_daily WHERE warehouse = ?`
}

func (t *tx) ClearUsage(ctx context.Context, warehouse string) error {
	if err := t.flushUsage(ctx); err != nil {
		return err
	}
	if _, err := t.exec(ctx, "clearUsage", warehouse); err != nil {
		return fmt.Errorf("clear usage of %s: %w", warehouse, err)
	}
	return nil
}

// AddUsage notes u; flushUsage adds the transaction's notes to their
// rows, one statement per row, when the transaction commits or reads
// usage. A group commit of one-scan pushes added to the same few (SKU,
// day) rows again and again, a statement each.
func (t *tx) AddUsage(ctx context.Context, u server.UsageDay) error {
	t.usage = append(t.usage, u)
	return nil
}

// flushUsage writes the usage noted since the last flush, summed per row.
// A savepoint rolled back forgets its notes and, when it flushed, makes
// the notes before it unflushed again (its rollback took their rows'
// update back too).
func (t *tx) flushUsage(ctx context.Context) error {
	if t.usageFlushed == len(t.usage) {
		return nil
	}
	type rowKey struct{ warehouse, sku, day string }
	sums := map[rowKey]*server.UsageDay{}
	var order []rowKey
	for _, u := range t.usage[t.usageFlushed:] {
		k := rowKey{u.Warehouse, u.SKU, u.Day.Format(time.DateOnly)}
		sum, ok := sums[k]
		if !ok {
			sum = &server.UsageDay{}
			sums[k], order = sum, append(order, k)
		}
		sum.ConsumedUnits += u.ConsumedUnits
		sum.ConsumedValue += u.ConsumedValue
		sum.ReceivedUnits += u.ReceivedUnits
		sum.ReceivedValue += u.ReceivedValue
	}
	for _, k := range order {
		u := sums[k]
		if _, err := t.exec(ctx, "addUsage", k.warehouse, k.sku, k.day,
			u.ConsumedUnits, u.ConsumedValue, u.ReceivedUnits, u.ReceivedValue); err != nil {
			return fmt.Errorf("add usage of %s on %s: %w", k.sku, k.day, err)
		}
	}
	t.usageFlushed = len(t.usage)
	return nil
}

func (t *tx) UsageDays(ctx context.Context, f server.UsageFilter) ([]server.UsageDay, error) {
	if err := t.flushUsage(ctx); err != nil {
		return nil, err
	}
	var conds []string
	var args []any
	if f.Warehouse != "" {
		conds, args = append(conds, "warehouse = ?"), append(args, f.Warehouse)
	}
	if f.SKUs != nil {
		if len(f.SKUs) == 0 {
			return nil, nil
		}
		ph, a := inArgs(f.SKUs)
		conds, args = append(conds, "sku IN ("+ph+")"), append(args, a...)
	}
	if f.Category != "" {
		conds, args = append(conds, "sku IN (SELECT code FROM skus WHERE category = ?)"), append(args, f.Category)
	}
	if !f.From.IsZero() {
		conds, args = append(conds, "day >= ?"), append(args, f.From.Format(time.DateOnly))
	}
	if !f.To.IsZero() {
		conds, args = append(conds, "day <= ?"), append(args, f.To.Format(time.DateOnly))
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	const sums = `SUM(consumed_units), SUM(consumed_value), SUM(received_units), SUM(received_value)`
	var q string
	switch f.GroupBy {
	case server.UsageByDay:
		q = `SELECT '', '', day, ` + sums + ` FROM usage_daily` + where + ` GROUP BY day ORDER BY day`
	case server.UsageBySKU:
		q = `SELECT warehouse, sku, '', ` + sums + ` FROM usage_daily` + where + ` GROUP BY warehouse, sku ORDER BY warehouse, sku`
	default:
		q = `SELECT warehouse, sku, day, consumed_units, consumed_value, received_units, received_value FROM usage_daily` +
			where + ` ORDER BY warehouse, sku, day`
	}
	rows, err := t.q.QueryContext(ctx, q, args...)
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
	q := `SELECT s.warehouse, s.sku, COALESCE(k.name, ''), COALESCE(k.category, ''), SUM(s.qty), COALESCE(k.unit_cost, 0)
		FROM stock s LEFT JOIN skus k ON k.code = s.sku WHERE s.qty > 0`
	var args []any
	if warehouse != "" {
		q, args = q+` AND s.warehouse = ?`, append(args, warehouse)
	}
	rows, err := t.q.QueryContext(ctx, q+` GROUP BY s.warehouse, s.sku ORDER BY s.warehouse, s.sku`, args...)
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
	rows, err := t.q.QueryContext(ctx, `SELECT s.sku, substr(l.recorded_at, 1, 10) AS day, SUM(l.delta)
		FROM ledger l JOIN stock s ON s.id = l.key_id WHERE l.warehouse = ? AND l.position > ?
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
	var at string
	err := t.q.QueryRowContext(ctx, `SELECT position, recorded_at FROM ledger WHERE position >= ? ORDER BY position LIMIT 1`, pos).Scan(&p, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, time.Time{}, false, nil
	}
	if err != nil {
		return 0, time.Time{}, false, fmt.Errorf("ledger at %d: %w", pos, err)
	}
	return p, parseTime(at), true, nil
}
