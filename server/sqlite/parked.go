package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/syncproto"
)

var _ server.ParkTx = (*tx)(nil)

const parkSelect = `SELECT device_id, seq, event_id, warehouse, head, parked_at, code, reason,
	decision, decision_reason, decided_by, decided_at, position FROM parked`

func scanPark(sc interface{ Scan(...any) error }) (server.ParkRecord, error) {
	var p server.ParkRecord
	var parked, decided, decision string
	err := sc.Scan(&p.DeviceID, &p.Seq, &p.EventID, &p.Warehouse, &p.Head, &parked, &p.Code, &p.Reason,
		&decision, &p.DecisionReason, &p.DecidedBy, &decided, &p.Position)
	p.ParkedAt, p.DecidedAt, p.Decision = parseTime(parked), parseTime(decided), syncproto.Status(decision)
	return p, err
}

func (t *tx) parks(ctx context.Context, q string, args ...any) ([]server.ParkRecord, error) {
	rows, err := t.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list parked events: %w", err)
	}
	defer rows.Close()
	var out []server.ParkRecord
	for rows.Next() {
		p, err := scanPark(rows)
		if err != nil {
			return nil, fmt.Errorf("list parked events: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func (t *tx) ParkRecord(ctx context.Context, deviceID string, seq uint64) (server.ParkRecord, bool, error) {
	p, err := scanPark(t.q.QueryRowContext(ctx, parkSelect+` WHERE device_id = ? AND seq = ?`, deviceID, seq))
	if errors.Is(err, sql.ErrNoRows) {
		return p, false, nil
	}
	if err != nil {
		return p, false, fmt.Errorf("get parked event %s/%d: %w", deviceID, seq, err)
	}
	return p, true, nil
}

func (t *tx) ParkRecords(ctx context.Context, f server.ParkFilter) ([]server.ParkRecord, error) {
	q := parkSelect + ` WHERE decision `
	if f.Decided {
		q += `<> ''`
	} else {
		q += `= ''`
	}
	var args []any
	if f.Warehouse != "" {
		q += ` AND warehouse = ?`
		args = append(args, f.Warehouse)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	return t.parks(ctx, q+` ORDER BY parked_at, device_id, seq LIMIT ?`, append(args, limit)...)
}

func (t *tx) Resolutions(ctx context.Context, warehouse string, after uint64, limit int) ([]server.ParkRecord, error) {
	return t.parks(ctx, parkSelect+resolutionsWhere, warehouse, after, limit)
}

// resolutionsWhere selects a warehouse's decisions after a position. The
// literal "position > 0" lets SQLite use the partial index
// parked_position: from "position > ?" alone it cannot tell, and it
// sorted every parked row of the warehouse on each read instead (the
// feed reads decisions with every fill: 80% of the fill's time in the
// soak, growing with the queue's history).
const resolutionsWhere = ` WHERE warehouse = ? AND position > 0 AND position > ? ORDER BY position LIMIT ?`

func (t *tx) EntriesAt(ctx context.Context, k server.StockKey, after, upTo uint64, limit int) ([]syncproto.Entry, error) {
	var out []syncproto.Entry
	err := t.each(ctx, `SELECT l.position, l.event_id, l.device_id, l.kind, s.location, s.sku, s.lot, l.delta, l.balance, l.recorded_at
		FROM ledger l JOIN stock s ON s.id = l.key_id
		WHERE s.warehouse = ? AND s.location = ? AND s.sku = ? AND s.lot = ? AND l.position > ? AND l.position <= ?
		ORDER BY l.position LIMIT ?`, []any{k.Warehouse, k.Location, k.SKU, k.Lot, after, int64(min(upTo, 1<<62)), limit},
		func(rows *sql.Rows) error {
			for rows.Next() {
				var e syncproto.Entry
				var rec string
				if err := rows.Scan(&e.Position, &e.EventID, &e.DeviceID, &e.Kind, &e.Location, &e.SKU, &e.Lot, &e.Delta, &e.Balance, &rec); err != nil {
					return err
				}
				e.RecordedAt = parseTime(rec)
				out = append(out, e)
			}
			return rows.Err()
		})
	if err != nil {
		return nil, fmt.Errorf("list ledger at %v: %w", k, err)
	}
	return out, nil
}

func (t *tx) PutParkRecord(ctx context.Context, p server.ParkRecord) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO parked (device_id, seq, event_id, warehouse, head, parked_at, code, reason,
		decision, decision_reason, decided_by, decided_at, position) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (device_id, seq) DO UPDATE SET head = excluded.head, code = excluded.code, reason = excluded.reason,
		decision = excluded.decision, decision_reason = excluded.decision_reason, decided_by = excluded.decided_by,
		decided_at = excluded.decided_at, position = excluded.position`,
		p.DeviceID, p.Seq, p.EventID, p.Warehouse, p.Head, fmtTime(p.ParkedAt), p.Code, p.Reason,
		string(p.Decision), p.DecisionReason, p.DecidedBy, fmtTime(p.DecidedAt), p.Position)
	if err != nil {
		return fmt.Errorf("record parked event %s/%d: %w", p.DeviceID, p.Seq, err)
	}
	return nil
}

func (t *tx) SetOutcome(ctx context.Context, deviceID string, seq uint64, o syncproto.Outcome) error {
	t.group = nil
	res, err := t.q.ExecContext(ctx, `UPDATE events SET status = ?, code = ?, reason = ?, position = ? WHERE device_id = ? AND seq = ?`,
		string(o.Status), o.Code, o.Reason, o.Position, deviceID, seq)
	if err != nil {
		return fmt.Errorf("set outcome of %s/%d: %w", deviceID, seq, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return server.Errorf(server.ENotFound, "no event %s/%d", deviceID, seq)
	}
	return nil
}

// NextPosition takes a position from the ledger's AUTOINCREMENT counter
// (sqlite_sequence), which the next appended entry then passes. SQLite's
// single writer keeps positions in commit order.
func (t *tx) NextPosition(ctx context.Context, warehouse string) (uint64, error) {
	if _, err := t.q.ExecContext(ctx, `INSERT INTO sqlite_sequence (name, seq)
		SELECT 'ledger', COALESCE((SELECT MAX(position) FROM ledger), 0) WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'ledger')`); err != nil {
		return 0, fmt.Errorf("next ledger position: %w", err)
	}
	var pos uint64
	if err := t.q.QueryRowContext(ctx, `UPDATE sqlite_sequence SET seq = MAX(seq, (SELECT COALESCE(MAX(position), 0) FROM ledger)) + 1
		WHERE name = 'ledger' RETURNING seq`).Scan(&pos); err != nil {
		return 0, fmt.Errorf("next ledger position: %w", err)
	}
	return pos, nil
}
