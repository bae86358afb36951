package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/driftless/driftless/syncproto"
)

// State is the device's sync bookkeeping at one moment.
type State struct {
	DeviceID, Warehouse string
	// LastSeq is the highest sequence ever assigned.
	LastSeq uint64
	// AckedThrough: every event up to it is acknowledged by the server and
	// its outcome is stored here.
	AckedThrough uint64
	// Cursor is the ledger position pulled through.
	Cursor uint64
	// CatalogCursor is the catalog position pulled through.
	CatalogCursor uint64
	// Unacked counts the events above AckedThrough (the outbox, as the
	// user would say).
	Unacked int
	// OldestUnacked is when the oldest unacked event was recorded (zero
	// when there is none).
	OldestUnacked time.Time
	// LastSyncAt is when the device last finished a sync (zero: never).
	LastSyncAt time.Time
	// Attention counts parked, rejected and cancelled events nobody
	// dismissed yet.
	Attention int
}

// State reads the sync bookkeeping. It works before enrollment (DeviceID
// and Warehouse are then empty).
func (s *Store) State(ctx context.Context) (State, error) {
	var st State
	var lastSync, oldest sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT
			COALESCE((SELECT device_id FROM identity WHERE id = 1), ''),
			COALESCE((SELECT warehouse FROM identity WHERE id = 1), ''),
			s.last_seq, s.acked_through, s.cursor, s.catalog_cursor, s.last_sync_at,
			(SELECT recorded_at FROM outbox WHERE seq = s.acked_through + 1),
			(SELECT COUNT(*) FROM outbox WHERE status IN ('parked', 'rejected', 'cancelled') AND dismissed_at = 0)
		FROM sync_state s WHERE s.id = 1`).
		Scan(&st.DeviceID, &st.Warehouse, &st.LastSeq, &st.AckedThrough, &st.Cursor, &st.CatalogCursor, &lastSync, &oldest, &st.Attention)
	if err != nil {
		return State{}, fmt.Errorf("read sync state: %w", err)
	}
	if st.LastSeq > st.AckedThrough {
		st.Unacked = int(st.LastSeq - st.AckedThrough)
	}
	st.LastSyncAt = fromNanos(lastSync.Int64)
	st.OldestUnacked = fromNanos(oldest.Int64)
	return st, nil
}

// Unacked returns up to limit events with seq above both afterSeq and
// acked_through, in sequence order.
func (s *Store) Unacked(ctx context.Context, afterSeq uint64, limit int) ([]syncproto.Event, error) {
	evs, err := s.events(ctx, `SELECT payload FROM outbox
		WHERE seq > MAX(?, (SELECT acked_through FROM sync_state WHERE id = 1)) ORDER BY seq LIMIT ?`, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("read unacked events after %d: %w", afterSeq, err)
	}
	return evs, nil
}

// Events returns up to limit outbox events with seq above afterSeq, in
// sequence order, acknowledged or not: the syncer resends from the
// server's expected sequence when the server lost events it had
// acknowledged (a restore from backup).
func (s *Store) Events(ctx context.Context, afterSeq uint64, limit int) ([]syncproto.Event, error) {
	evs, err := s.events(ctx, `SELECT payload FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?`, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("read events after %d: %w", afterSeq, err)
	}
	return evs, nil
}

func (s *Store) events(ctx context.Context, query string, args ...any) ([]syncproto.Event, error) {
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var evs []syncproto.Event
	var payload []byte
	for rows.Next() {
		if err := rows.Scan(&payload); err != nil {
			return nil, err
		}
		var ev syncproto.Event
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, fmt.Errorf("decode outbox row: %w", err)
		}
		evs = append(evs, ev)
	}
	return evs, rows.Err()
}

// Stock returns the local view's quantity at one key (0 when unknown).
func (s *Store) Stock(ctx context.Context, location, sku, lot string) (int64, error) {
	var q int64
	err := s.r.QueryRowContext(ctx, `SELECT qty FROM stock_view WHERE location = ? AND sku = ? AND lot = ?`, location, sku, lot).Scan(&q)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("read stock %s/%s/%s: %w", location, sku, lot, err)
	}
	return q, nil
}

// StockLevels returns the whole local view (server balances plus this
// device's pending deltas), sorted by location, SKU and lot. Position is
// the server position of the balance the level starts from (0 when the
// server has not reported the key).
func (s *Store) StockLevels(ctx context.Context) ([]syncproto.Level, error) {
	lv, err := s.levels(ctx, `SELECT v.location, v.sku, v.lot, v.qty, COALESCE(s.position, 0)
		FROM stock_view v LEFT JOIN server_stock s USING (location, sku, lot)
		ORDER BY v.location, v.sku, v.lot`)
	if err != nil {
		return nil, fmt.Errorf("read stock view: %w", err)
	}
	return lv, nil
}

// ServerLevels returns the balances pulled from the server only, sorted.
func (s *Store) ServerLevels(ctx context.Context) ([]syncproto.Level, error) {
	lv, err := s.levels(ctx, `SELECT location, sku, lot, qty, position FROM server_stock ORDER BY location, sku, lot`)
	if err != nil {
		return nil, fmt.Errorf("read server stock: %w", err)
	}
	return lv, nil
}

func (s *Store) levels(ctx context.Context, query string) ([]syncproto.Level, error) {
	rows, err := s.r.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []syncproto.Level
	for rows.Next() {
		var l syncproto.Level
		if err := rows.Scan(&l.Location, &l.SKU, &l.Lot, &l.Qty, &l.Position); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// EventOutcome is one recorded event with what the server made of it.
type EventOutcome struct {
	Event syncproto.Event
	// Outcome.Status is empty while the server has not acknowledged the
	// event.
	Outcome    syncproto.Outcome
	RecordedAt time.Time
	AckedAt    time.Time
	// DismissedAt is when someone dismissed a parked, rejected or
	// cancelled event from the attention list (zero: not dismissed).
	DismissedAt time.Time
	// Resolution is a supervisor's decision on the event once it was
	// parked (nil when none): Outcome.Status is then applied or cancelled
	// and Outcome.Reason says so ("cancelled by sam: no stock"); the
	// reason it was parked for is ParkedReason.
	Resolution   *syncproto.Resolution
	ParkedReason string
}

// Outcomes returns the events whose status is one of statuses (all events
// when none is given; the empty status selects unacknowledged ones), in
// sequence order. Outcomes(ctx, StatusParked, StatusRejected) is the
// "needs attention" list, dismissed ones included (see DismissedAt).
func (s *Store) Outcomes(ctx context.Context, statuses ...syncproto.Status) ([]EventOutcome, error) {
	q := `SELECT payload, status, code, reason, position, recorded_at, acked_at, dismissed_at,
		resolved_at, resolved_by, resolution, parked_reason FROM outbox`
	args := make([]any, len(statuses))
	if len(statuses) > 0 {
		q += ` WHERE status IN (?` + strings.Repeat(`, ?`, len(statuses)-1) + `)`
		for i, st := range statuses {
			args[i] = string(st)
		}
	}
	q += ` ORDER BY seq`
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read outcomes: %w", err)
	}
	defer rows.Close()
	var out []EventOutcome
	for rows.Next() {
		var (
			eo                                   EventOutcome
			payload                              []byte
			recorded, acked, dismissed, resolved int64
			by, resolution                       string
		)
		if err := rows.Scan(&payload, &eo.Outcome.Status, &eo.Outcome.Code, &eo.Outcome.Reason, &eo.Outcome.Position,
			&recorded, &acked, &dismissed, &resolved, &by, &resolution, &eo.ParkedReason); err != nil {
			return nil, fmt.Errorf("read outcomes: %w", err)
		}
		if err := json.Unmarshal(payload, &eo.Event); err != nil {
			return nil, fmt.Errorf("read outcomes: decode outbox row: %w", err)
		}
		eo.Outcome.ID, eo.Outcome.Seq = eo.Event.ID, eo.Event.Seq
		eo.RecordedAt, eo.AckedAt, eo.DismissedAt = fromNanos(recorded), fromNanos(acked), fromNanos(dismissed)
		if resolved != 0 {
			eo.Resolution = &syncproto.Resolution{EventID: eo.Event.ID, Seq: eo.Event.Seq, Status: eo.Outcome.Status,
				Reason: resolution, By: by, At: fromNanos(resolved), Position: eo.Outcome.Position}
		}
		out = append(out, eo)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read outcomes: %w", err)
	}
	return out, nil
}

// Dismiss takes a parked, rejected or cancelled event off the attention
// list (the event and its outcome stay in the history).
func (s *Store) Dismiss(ctx context.Context, eventID string) error {
	err := s.update(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET dismissed_at = ? WHERE id = ? AND status IN ('parked', 'rejected', 'cancelled')
			AND dismissed_at = 0`,
			nanos(s.now()), eventID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("no undismissed parked, rejected or cancelled event %s", eventID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("dismiss event %s: %w", eventID, err)
	}
	return nil
}
