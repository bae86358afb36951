package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/syncproto"
)

var _ server.ParkTx = (*tx)(nil)

const parkSelect = `SELECT device_id, seq, event_id, warehouse, head, parked_at, code, reason,
	decision, decision_reason, decided_by, decided_at, position FROM parked`

func scanPark(row pgx.Row) (server.ParkRecord, error) {
	var p server.ParkRecord
	var decided *time.Time
	var decision string
	err := row.Scan(&p.DeviceID, &p.Seq, &p.EventID, &p.Warehouse, &p.Head, &p.ParkedAt, &p.Code, &p.Reason,
		&decision, &p.DecisionReason, &p.DecidedBy, &decided, &p.Position)
	p.ParkedAt, p.Decision = p.ParkedAt.UTC(), syncproto.Status(decision)
	if decided != nil {
		p.DecidedAt = decided.UTC()
	}
	return p, err
}

func (t *tx) parks(ctx context.Context, q string, args ...any) ([]server.ParkRecord, error) {
	rows, err := t.q.Query(ctx, q, args...)
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
	p, err := scanPark(t.q.QueryRow(ctx, parkSelect+` WHERE device_id = $1 AND seq = $2`, deviceID, seq))
	if errors.Is(err, pgx.ErrNoRows) {
		return p, false, nil
	}
	if err != nil {
		return p, false, fmt.Errorf("get parked event %s/%d: %w", deviceID, seq, err)
	}
	return p, true, nil
}

func (t *tx) ParkRecords(ctx context.Context, f server.ParkFilter) ([]server.ParkRecord, error) {
	q := parkSelect + ` WHERE (decision <> '') = $1 AND ($2 = '' OR warehouse = $2) ORDER BY parked_at, device_id, seq LIMIT $3`
	return t.parks(ctx, q, f.Decided, f.Warehouse, limitArg(f.Limit))
}

func (t *tx) Resolutions(ctx context.Context, warehouse string, after uint64, limit int) ([]server.ParkRecord, error) {
	// position > 0 matches the partial index parked_position (see the
	// SQLite store's resolutionsWhere).
	return t.parks(ctx, parkSelect+` WHERE warehouse = $1 AND position > 0 AND position > $2 ORDER BY position LIMIT $3`, warehouse, after, limit)
}

func (t *tx) EntriesAt(ctx context.Context, k server.StockKey, after, upTo uint64, limit int) ([]syncproto.Entry, error) {
	rows, err := t.q.Query(ctx, `SELECT l.position, l.event_id, l.device_id, l.kind, s.location, s.sku, s.lot, l.delta, l.balance, l.recorded_at
		FROM ledger l JOIN stock s ON s.id = l.key_id
		WHERE s.warehouse = $1 AND s.location = $2 AND s.sku = $3 AND s.lot = $4 AND l.position > $5 AND l.position <= $6
		ORDER BY l.position LIMIT $7`, k.Warehouse, k.Location, k.SKU, k.Lot, after, int64(min(upTo, 1<<62)), limit)
	if err != nil {
		return nil, fmt.Errorf("list ledger at %v: %w", k, err)
	}
	defer rows.Close()
	var out []syncproto.Entry
	for rows.Next() {
		var e syncproto.Entry
		if err := rows.Scan(&e.Position, &e.EventID, &e.DeviceID, &e.Kind, &e.Location, &e.SKU, &e.Lot, &e.Delta, &e.Balance, &e.RecordedAt); err != nil {
			return nil, fmt.Errorf("list ledger at %v: %w", k, err)
		}
		e.RecordedAt = e.RecordedAt.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

func (t *tx) PutParkRecord(ctx context.Context, p server.ParkRecord) error {
	_, err := t.q.Exec(ctx, `INSERT INTO parked (device_id, seq, event_id, warehouse, head, parked_at, code, reason,
		decision, decision_reason, decided_by, decided_at, position) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)
		ON CONFLICT (device_id, seq) DO UPDATE SET head = excluded.head, code = excluded.code, reason = excluded.reason,
		decision = excluded.decision, decision_reason = excluded.decision_reason, decided_by = excluded.decided_by,
		decided_at = excluded.decided_at, position = excluded.position`,
		p.DeviceID, p.Seq, p.EventID, p.Warehouse, p.Head, p.ParkedAt.UTC(), p.Code, p.Reason,
		string(p.Decision), p.DecisionReason, p.DecidedBy, nullTime(p.DecidedAt), p.Position)
	if err != nil {
		return fmt.Errorf("record parked event %s/%d: %w", p.DeviceID, p.Seq, err)
	}
	return nil
}

func (t *tx) SetOutcome(ctx context.Context, deviceID string, seq uint64, o syncproto.Outcome) error {
	tag, err := t.q.Exec(ctx, `UPDATE events SET status = $1, code = $2, reason = $3, position = $4 WHERE device_id = $5 AND seq = $6`,
		string(o.Status), o.Code, o.Reason, o.Position, deviceID, seq)
	if err != nil {
		return fmt.Errorf("set outcome of %s/%d: %w", deviceID, seq, err)
	}
	if tag.RowsAffected() == 0 {
		return server.Errorf(server.ENotFound, "no event %s/%d", deviceID, seq)
	}
	return nil
}

// NextPosition takes a value of the ledger's position sequence under the
// warehouse's advisory lock, as appends do, so positions still commit in
// order within the warehouse.
func (t *tx) NextPosition(ctx context.Context, warehouse string) (uint64, error) {
	if err := t.lock(ctx, warehouse); err != nil {
		return 0, err
	}
	var pos uint64
	if err := t.q.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('ledger', 'position'))`).Scan(&pos); err != nil {
		return 0, fmt.Errorf("next ledger position: %w", err)
	}
	return pos, nil
}
