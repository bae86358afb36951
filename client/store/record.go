package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/driftless/driftless/syncproto"
)

// Identity is who the device is to the server, set once at enrollment.
type Identity struct {
	DeviceID  string
	Token     string
	ServerURL string
	Warehouse string
}

// Scan is what the user did, before it becomes an event: Record adds the
// ID, device, sequence, device time, seen position and hash.
type Scan struct {
	User     string
	Kind     syncproto.Kind
	SKU, Lot string
	From, To string
	Qty      int64
	Reason   string
	Ref      string
	// Serial (GS1 AI 21) and Expiry (YYYY-MM-DD) of received units;
	// Barcode is the scanned text an exception is about.
	Serial, Expiry, Barcode string
	// Task is the pick task a pick or a short_pick exception works
	// through, or the count task a count belongs to.
	Task string
	// At is when the user did it (the event's device time); zero: when
	// it is recorded. Seen, when not nil, is the ledger position the
	// device had pulled then (the event's seen position; never above the
	// cursor at recording); nil: the cursor at recording. A count line
	// counted minutes before the count is finished carries both.
	At   time.Time
	Seen *uint64
}

// writeStmts are the statements of the hot write path, prepared once on the
// single write connection.
type writeStmts struct {
	nextSeq  *sql.Stmt
	outbox   *sql.Stmt
	pending1 *sql.Stmt // one delta
	pending2 *sql.Stmt // two deltas (move, putaway, damage into quarantine)
}

const insertPending = `INSERT INTO pending (event_id, n, seq, location, sku, lot, delta) VALUES (?, ?, ?, ?, ?, ?, ?)`

func (w *writeStmts) prepare(ctx context.Context, db *sql.DB) error {
	for _, p := range []struct {
		dst   **sql.Stmt
		query string
	}{
		// Assigns the sequence and reads what the event needs in one
		// statement; no row when the device is not enrolled.
		{&w.nextSeq, `UPDATE sync_state SET last_seq = last_seq + 1
			WHERE id = 1 AND EXISTS (SELECT 1 FROM identity WHERE id = 1)
			RETURNING last_seq, cursor, (SELECT device_id FROM identity WHERE id = 1)`},
		{&w.outbox, `INSERT INTO outbox (seq, id, payload, recorded_at) VALUES (?, ?, ?, ?)`},
		{&w.pending1, insertPending},
		{&w.pending2, insertPending + `, (?, ?, ?, ?, ?, ?, ?)`},
	} {
		st, err := db.PrepareContext(ctx, p.query)
		if err != nil {
			return fmt.Errorf("prepare %q: %w", p.query, err)
		}
		*p.dst = st
	}
	return nil
}

func (w *writeStmts) close() {
	for _, st := range []*sql.Stmt{w.nextSeq, w.outbox, w.pending1, w.pending2} {
		if st != nil {
			_ = st.Close()
		}
	}
}

// Enroll stores the device's identity. It may be called again to change
// the token or server URL; the device ID and warehouse can change only
// while the device has recorded no event (ErrIdentityChange otherwise).
// A new warehouse forgets what was pulled from the old one.
func (s *Store) Enroll(ctx context.Context, id Identity) error { return s.EnrollAfter(ctx, id, 0) }

// EnrollAfter is Enroll for a device the server already holds events of,
// up to serverAcked: a database behind that (a fresh install, a restored
// backup) numbers its next events after it and counts everything up to it
// as acknowledged, as the server expects.
func (s *Store) EnrollAfter(ctx context.Context, id Identity, serverAcked uint64) error {
	if id.DeviceID == "" || id.Token == "" {
		return fmt.Errorf("enroll: device ID and token are required")
	}
	err := s.update(ctx, func(tx *sql.Tx) error {
		old, err := readIdentity(ctx, tx)
		switch {
		case errors.Is(err, ErrNotEnrolled):
		case err != nil:
			return err
		}
		if err == nil && (old.DeviceID != id.DeviceID || old.Warehouse != id.Warehouse) {
			var lastSeq uint64
			if err := tx.QueryRowContext(ctx, `SELECT last_seq FROM sync_state WHERE id = 1`).Scan(&lastSeq); err != nil {
				return err
			}
			if lastSeq > 0 {
				return fmt.Errorf("%w: device %s has recorded %d events", ErrIdentityChange, old.DeviceID, lastSeq)
			}
		}
		if err != nil || old.Warehouse != id.Warehouse {
			for _, q := range []string{
				`DELETE FROM server_stock`, `DELETE FROM stock_view`, `DELETE FROM pending`,
				`UPDATE sync_state SET cursor = 0, acked_through = 0, last_sync_at = 0 WHERE id = 1`,
			} {
				if _, err := tx.ExecContext(ctx, q); err != nil {
					return err
				}
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO identity (id, device_id, token, server_url, warehouse, enrolled_at)
			VALUES (1, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET device_id = excluded.device_id, token = excluded.token,
				server_url = excluded.server_url, warehouse = excluded.warehouse`,
			id.DeviceID, id.Token, id.ServerURL, id.Warehouse, nanos(s.now()))
		if err != nil || serverAcked == 0 {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE sync_state SET last_seq = ?1, acked_through = MAX(acked_through, ?1)
			WHERE id = 1 AND last_seq < ?1`, serverAcked)
		return err
	})
	if err != nil {
		return fmt.Errorf("enroll device %s: %w", id.DeviceID, err)
	}
	return nil
}

// Identity returns the enrolled identity, or ErrNotEnrolled.
func (s *Store) Identity(ctx context.Context) (Identity, error) {
	id, err := readIdentity(ctx, s.r)
	if err != nil {
		return Identity{}, fmt.Errorf("read identity: %w", err)
	}
	return id, nil
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func readIdentity(ctx context.Context, q querier) (Identity, error) {
	var id Identity
	err := q.QueryRowContext(ctx, `SELECT device_id, token, server_url, warehouse FROM identity WHERE id = 1`).
		Scan(&id.DeviceID, &id.Token, &id.ServerURL, &id.Warehouse)
	if errors.Is(err, sql.ErrNoRows) {
		return Identity{}, ErrNotEnrolled
	}
	return id, err
}

// Record turns a scan into an event and makes it durable: in one
// transaction it assigns the next sequence, writes the sealed event to the
// outbox and adds its deltas to the local stock view. When Record returns
// nil the scan survives a crash or power loss (with the default
// synchronous level), so the UI may confirm it. An invalid scan
// (ErrInvalidScan) or an unenrolled device (ErrNotEnrolled) writes nothing.
func (s *Store) Record(ctx context.Context, sc Scan) (syncproto.Event, error) {
	ev, err := s.newEvent(sc)
	if err != nil {
		return syncproto.Event{}, fmt.Errorf("record scan: %w", err)
	}
	err = s.update(ctx, func(tx *sql.Tx) error { return s.recordSeen(ctx, tx, &ev, sc.Seen) })
	if err != nil {
		return syncproto.Event{}, fmt.Errorf("record %s scan of %s: %w", sc.Kind, sc.SKU, err)
	}
	return ev, nil
}

// RecordBatch records several scans as events in one transaction: all of
// them are durable when it returns nil, none when it fails. The events get
// consecutive sequences in the order of scans.
func (s *Store) RecordBatch(ctx context.Context, scans []Scan) ([]syncproto.Event, error) {
	evs, err := s.recordBatch(ctx, scans, nil)
	if err != nil {
		return nil, fmt.Errorf("record %d scans: %w", len(scans), err)
	}
	return evs, nil
}

// recordBatch records scans in one transaction and runs also (when not
// nil) in that transaction after them.
func (s *Store) recordBatch(ctx context.Context, scans []Scan, also func(*sql.Tx) error) ([]syncproto.Event, error) {
	evs := make([]syncproto.Event, len(scans))
	for i, sc := range scans {
		ev, err := s.newEvent(sc)
		if err != nil {
			return nil, err
		}
		evs[i] = ev
	}
	err := s.update(ctx, func(tx *sql.Tx) error {
		for i := range evs {
			if err := s.recordSeen(ctx, tx, &evs[i], scans[i].Seen); err != nil {
				return fmt.Errorf("scan %d (%s of %s): %w", i+1, evs[i].Kind, evs[i].SKU, err)
			}
		}
		if also != nil {
			return also(tx)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return evs, nil
}

// newEvent starts the event of a scan: its ID, fields and device time.
func (s *Store) newEvent(sc Scan) (syncproto.Event, error) {
	id, err := s.newID()
	if err != nil {
		return syncproto.Event{}, fmt.Errorf("new event ID: %w", err)
	}
	return syncproto.Event{
		ID: id, User: sc.User, Kind: sc.Kind, SKU: sc.SKU, Lot: sc.Lot,
		From: sc.From, To: sc.To, Qty: sc.Qty, Reason: sc.Reason, Ref: sc.Ref,
		Serial: sc.Serial, Expiry: sc.Expiry, Barcode: sc.Barcode, Task: sc.Task,
		DeviceTime: cmpTime(sc.At, s.now).UTC(),
	}, nil
}

// record assigns ev its sequence, seals it and writes it in tx: the outbox
// row, the pending deltas (and through them the view), and a received
// serial.
func (s *Store) record(ctx context.Context, tx *sql.Tx, ev *syncproto.Event) error {
	return s.recordSeen(ctx, tx, ev, nil)
}

// recordSeen is record with the event's seen position given (when seen is
// not nil; capped at the cursor).
func (s *Store) recordSeen(ctx context.Context, tx *sql.Tx, ev *syncproto.Event, seen *uint64) error {
	st := &s.stmts
	// The counter is updated in this transaction: if anything below
	// fails, the rollback takes the sequence back with the event, so no
	// committed event ever shares or skips one.
	err := tx.StmtContext(ctx, st.nextSeq).QueryRowContext(ctx).Scan(&ev.Seq, &ev.SeenPosition, &ev.DeviceID)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotEnrolled
	}
	if err != nil {
		return err
	}
	if seen != nil && *seen < ev.SeenPosition {
		ev.SeenPosition = *seen
	}
	ev.Seal()
	if err := ev.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidScan, err)
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	if len(payload) > MaxEventBytes {
		return fmt.Errorf("%w: event of %d bytes exceeds %d", ErrInvalidScan, len(payload), MaxEventBytes)
	}
	if _, err := tx.StmtContext(ctx, st.outbox).ExecContext(ctx, ev.Seq, ev.ID, payload, nanos(ev.DeviceTime)); err != nil {
		return err
	}
	if ev.Serial != "" && ev.Kind == syncproto.KindReceive {
		if _, err := tx.ExecContext(ctx, `INSERT INTO received_serials (sku, serial, seq) VALUES (?, ?, ?)`,
			ev.SKU, ev.Serial, ev.Seq); err != nil {
			return err
		}
	}
	// The pending rows reach the view through the trigger
	// pending_adds_to_view.
	deltas := ev.Deltas()
	args := make([]any, 0, 7*len(deltas))
	for n, d := range deltas {
		args = append(args, ev.ID, n, ev.Seq, d.Location, ev.SKU, ev.Lot, d.Qty)
	}
	switch len(deltas) {
	case 0: // a count or an exception: no change
	case 1:
		_, err = tx.StmtContext(ctx, st.pending1).ExecContext(ctx, args...)
	case 2:
		_, err = tx.StmtContext(ctx, st.pending2).ExecContext(ctx, args...)
	default:
		err = fmt.Errorf("%s has %d deltas", ev.Kind, len(deltas))
	}
	return err
}

// cmpTime is t, or now() when t is zero.
func cmpTime(t time.Time, now func() time.Time) time.Time {
	if t.IsZero() {
		return now()
	}
	return t
}

// MarkSynced records when the device last finished a sync (everything
// acknowledged, everything pulled).
func (s *Store) MarkSynced(ctx context.Context, at time.Time) error {
	err := s.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE sync_state SET last_sync_at = ? WHERE id = 1`, nanos(at))
		return err
	})
	if err != nil {
		return fmt.Errorf("mark synced: %w", err)
	}
	return nil
}
