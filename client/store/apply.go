package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/driftless/driftless/syncproto"
)

// key is a stock key: where, what, which lot.
type key struct{ location, sku, lot string }

// ApplyAck stores the server's outcome of each acknowledged event on its
// outbox row and advances acked_through, in one transaction. A parked or
// rejected event stops counting in the local view. acked_through becomes
// the highest sequence such that the server acknowledged everything up to
// it and this device holds the outcome of every event up to it; so an ack
// whose acked_through runs ahead of the outcomes received (the server kept
// events whose acks were lost) leaves the rest unacked here, and the syncer
// resends them to learn their outcomes (the server deduplicates by ID).
// Applying the same ack again changes nothing.
func (s *Store) ApplyAck(ctx context.Context, ack *syncproto.Ack) error {
	err := s.update(ctx, func(tx *sql.Tx) error {
		var cursor uint64
		if err := tx.QueryRowContext(ctx, `SELECT cursor FROM sync_state WHERE id = 1`).Scan(&cursor); err != nil {
			return err
		}
		now := nanos(s.now())
		// A row a supervisor's decision resolved already keeps it: an ack
		// arriving after the resolution (a resend) is older news.
		setOutcome, err := tx.PrepareContext(ctx, `UPDATE outbox SET status = ?, code = ?, reason = ?, position = ?, acked_at = ?
			WHERE seq = ? AND id = ? AND resolved_at = 0`)
		if err != nil {
			return err
		}
		defer setOutcome.Close()
		touched := map[key]struct{}{}
		for _, o := range ack.Outcomes {
			switch o.Status {
			case syncproto.StatusApplied, syncproto.StatusParked, syncproto.StatusRejected:
			default:
				return fmt.Errorf("event %s: unknown status %q", o.ID, o.Status)
			}
			res, err := setOutcome.ExecContext(ctx, o.Status, o.Code, o.Reason, o.Position, now, o.Seq, o.ID)
			if err != nil {
				return fmt.Errorf("event %s: %w", o.ID, err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				var resolved bool
				err := tx.QueryRowContext(ctx, `SELECT resolved_at <> 0 FROM outbox WHERE seq = ? AND id = ?`, o.Seq, o.ID).Scan(&resolved)
				if errors.Is(err, sql.ErrNoRows) {
					return fmt.Errorf("event %s seq %d: not in the outbox", o.ID, o.Seq)
				}
				if err != nil {
					return fmt.Errorf("event %s: %w", o.ID, err)
				}
				continue
			}
			// Applied events keep their pending deltas until the pull that
			// carries their ledger entries, unless it came already.
			if o.Status == syncproto.StatusApplied && (o.Position == 0 || o.Position > cursor) {
				continue
			}
			if err := dropPending(ctx, tx, o.Seq, touched); err != nil {
				return fmt.Errorf("event %s: %w", o.ID, err)
			}
		}
		if err := recompute(ctx, tx, touched, nil); err != nil {
			return err
		}
		return advanceAckedThrough(ctx, tx, ack.AckedThrough)
	})
	if err != nil {
		return fmt.Errorf("apply ack through %d: %w", ack.AckedThrough, err)
	}
	return nil
}

// advanceAckedThrough sets acked_through to min(serverAcked, the seq
// before the first event without an outcome), never lowering it.
func advanceAckedThrough(ctx context.Context, tx *sql.Tx, serverAcked uint64) error {
	var cur, lastSeq uint64
	if err := tx.QueryRowContext(ctx, `SELECT acked_through, last_seq FROM sync_state WHERE id = 1`).Scan(&cur, &lastSeq); err != nil {
		return err
	}
	target := min(serverAcked, lastSeq)
	if target <= cur {
		return nil
	}
	// The rows just above cur are normally the ones this ack answered, so
	// the scan in seq order stops after a few rows.
	var firstOpen uint64
	err := tx.QueryRowContext(ctx, `SELECT seq FROM outbox WHERE seq > ? AND status = '' ORDER BY seq LIMIT 1`, cur).Scan(&firstOpen)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return err
	case firstOpen-1 < target:
		target = firstOpen - 1
	}
	if target <= cur {
		return nil
	}
	_, err = tx.ExecContext(ctx, `UPDATE sync_state SET acked_through = ? WHERE id = 1`, target)
	return err
}

// ApplyChanges applies one pulled page and advances the cursor, in one
// transaction, with the page's catalog part and the catalog cursor when
// it has one. Only entries after the current cursor count, so a page that
// arrives twice is harmless; a page that starts after the cursor (entries
// would be skipped) is refused. For every entry the server balance of its
// key is set; an entry of this device's own event clears the matching
// pending delta, so the view then holds the server's figure instead of the
// local guess.
func (s *Store) ApplyChanges(ctx context.Context, ch *syncproto.Changes) error {
	err := s.update(ctx, func(tx *sql.Tx) error {
		var cursor uint64
		var deviceID string
		if err := tx.QueryRowContext(ctx, `SELECT s.cursor, COALESCE((SELECT device_id FROM identity WHERE id = 1), '')
			FROM sync_state s WHERE s.id = 1`).Scan(&cursor, &deviceID); err != nil {
			return err
		}
		if ch.From > cursor {
			return fmt.Errorf("page starts at %d, after the cursor %d", ch.From, cursor)
		}
		if ch.Catalog != nil {
			if err := applyCatalog(ctx, tx, ch); err != nil {
				return err
			}
		}
		if err := s.applyResolutions(ctx, tx, ch.Resolutions); err != nil {
			return err
		}
		if ch.Cursor <= cursor {
			return nil // nothing new
		}
		delPending, err := tx.PrepareContext(ctx, `DELETE FROM pending WHERE (location, sku, lot, event_id, n) IN (
			SELECT location, sku, lot, event_id, n FROM pending
			WHERE location = ? AND sku = ? AND lot = ? AND event_id = ? AND delta = ? LIMIT 1)`)
		if err != nil {
			return err
		}
		defer delPending.Close()
		// Only the last balance of each key on the page matters for
		// server_stock: one write per key, not per entry. Entries of this
		// device's events each clear their pending delta.
		last := map[key]syncproto.Level{}
		for _, e := range ch.Entries {
			if e.Position <= cursor {
				continue
			}
			k := key{e.Location, e.SKU, e.Lot}
			if l, ok := last[k]; !ok || e.Position > l.Position {
				last[k] = syncproto.Level{Qty: e.Balance, Position: e.Position}
			}
			if e.DeviceID != deviceID {
				continue
			}
			if _, err := delPending.ExecContext(ctx, k.location, k.sku, k.lot, e.EventID, e.Delta); err != nil {
				return fmt.Errorf("entry %d: %w", e.Position, err)
			}
		}
		// Levels restate the balance of the keys the entries touched; they
		// also carry keys a snapshot page sends without entries. A level
		// never overrides a later entry.
		for _, l := range ch.Levels {
			if l.Position <= cursor {
				continue
			}
			k := key{l.Location, l.SKU, l.Lot}
			if cur, ok := last[k]; !ok || l.Position > cur.Position {
				last[k] = syncproto.Level{Qty: l.Qty, Position: l.Position}
			}
		}
		touched := make(map[key]struct{}, len(last))
		balances := make([][5]any, 0, len(last))
		for k, l := range last {
			touched[k] = struct{}{}
			balances = append(balances, [5]any{k.location, k.sku, k.lot, l.Qty, l.Position})
		}
		if err := setServerBalances(ctx, tx, balances); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sync_state SET cursor = ? WHERE id = 1`, ch.Cursor); err != nil {
			return err
		}
		if !ch.More {
			if err := dropPulledApplied(ctx, tx, touched); err != nil {
				return err
			}
		}
		// Every key the page set a balance for has a server row, so its
		// view row cannot vanish: skip that check for them.
		return recompute(ctx, tx, touched, func(k key) bool { _, ok := last[k]; return ok })
	})
	if err != nil {
		return fmt.Errorf("apply changes %d..%d: %w", ch.From, ch.Cursor, err)
	}
	return nil
}

// dropPending removes the pending deltas of the event at seq, adding the
// keys it changed to touched.
func dropPending(ctx context.Context, tx *sql.Tx, seq uint64, touched map[key]struct{}) error {
	var payload []byte
	if err := tx.QueryRowContext(ctx, `SELECT payload FROM outbox WHERE seq = ?`, seq).Scan(&payload); err != nil {
		return err
	}
	var ev syncproto.Event
	if err := json.Unmarshal(payload, &ev); err != nil {
		return fmt.Errorf("decode outbox row %d: %w", seq, err)
	}
	for n, d := range ev.Deltas() {
		res, err := tx.ExecContext(ctx, `DELETE FROM pending WHERE location = ? AND sku = ? AND lot = ? AND event_id = ? AND n = ?`,
			d.Location, ev.SKU, ev.Lot, ev.ID, n)
		if err != nil {
			return err
		}
		if k, err := res.RowsAffected(); err != nil {
			return err
		} else if k > 0 {
			touched[key{d.Location, ev.SKU, ev.Lot}] = struct{}{}
		}
	}
	return nil
}

// dropPulledApplied removes what is still pending of this device's applied
// events whose last ledger entry the cursor has passed: the pulled balances
// hold them. Normally their entries cleared them already and pending is
// empty or small; this keeps the view exact even if the server reported
// an entry under another key spelling. It runs at the end of a pull run
// (the last page), so a long catch-up scans pending once, not per page.
func dropPulledApplied(ctx context.Context, tx *sql.Tx, touched map[key]struct{}) error {
	rows, err := tx.QueryContext(ctx, `DELETE FROM pending WHERE seq IN (
			SELECT p.seq FROM pending p JOIN outbox o ON o.seq = p.seq JOIN sync_state s ON s.id = 1
			WHERE o.status = 'applied' AND o.position > 0 AND o.position <= s.cursor)
		RETURNING location, sku, lot`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.location, &k.sku, &k.lot); err != nil {
			return err
		}
		touched[k] = struct{}{}
	}
	return rows.Err()
}

// batchRows is how many rows one multi-row statement carries (at most
// 5 × batchRows parameters, well under SQLite's limit).
const batchRows = 250

// rowsSQL returns n parenthesised groups of cols placeholders for a
// multi-row VALUES list.
func rowsSQL(n, cols int) string {
	row := "(" + strings.Repeat("?, ", cols-1) + "?)"
	return strings.Repeat(row+", ", n-1) + row
}

// inBatches calls f with successive slices of at most batchRows rows.
func inBatches[T any](rows []T, f func([]T) error) error {
	for len(rows) > 0 {
		n := min(len(rows), batchRows)
		if err := f(rows[:n]); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// setServerBalances writes the pulled balances (location, sku, lot, qty,
// position) to server_stock in multi-row statements; a balance never
// overrides a later one.
func setServerBalances(ctx context.Context, tx *sql.Tx, balances [][5]any) error {
	return inBatches(balances, func(rows [][5]any) error {
		args := make([]any, 0, 5*len(rows))
		for _, r := range rows {
			args = append(args, r[:]...)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO server_stock (location, sku, lot, qty, position) VALUES `+rowsSQL(len(rows), 5)+`
			ON CONFLICT (location, sku, lot) DO UPDATE SET qty = excluded.qty, position = excluded.position
			WHERE excluded.position > server_stock.position`, args...); err != nil {
			return fmt.Errorf("set server balances: %w", err)
		}
		return nil
	})
}

// recompute sets the view of every touched key to its server balance plus
// its pending deltas, and forgets keys that have neither. hasServer, when
// set, tells the keys known to have a server balance (no need to check
// whether they vanish). It runs multi-row statements (one per batchRows
// keys, and as many again for the keys that may vanish): a pulled page
// touches hundreds of keys, and two statements per key dominated applying
// it.
func recompute(ctx context.Context, tx *sql.Tx, touched map[key]struct{}, hasServer func(key) bool) error {
	if len(touched) == 0 {
		return nil
	}
	all := make([]key, 0, len(touched))
	var mayVanish []key
	for k := range touched {
		all = append(all, k)
		if hasServer == nil || !hasServer(k) {
			mayVanish = append(mayVanish, k)
		}
	}
	keyArgs := func(keys []key) []any {
		args := make([]any, 0, 3*len(keys))
		for _, k := range keys {
			args = append(args, k.location, k.sku, k.lot)
		}
		return args
	}
	err := inBatches(all, func(keys []key) error {
		_, err := tx.ExecContext(ctx, `WITH k (location, sku, lot) AS (VALUES `+rowsSQL(len(keys), 3)+`)
			INSERT INTO stock_view (location, sku, lot, qty)
			SELECT k.location, k.sku, k.lot,
				COALESCE((SELECT qty FROM server_stock s WHERE s.location = k.location AND s.sku = k.sku AND s.lot = k.lot), 0) +
				COALESCE((SELECT SUM(delta) FROM pending p WHERE p.location = k.location AND p.sku = k.sku AND p.lot = k.lot), 0)
			FROM k
			WHERE EXISTS (SELECT 1 FROM server_stock s WHERE s.location = k.location AND s.sku = k.sku AND s.lot = k.lot)
			   OR EXISTS (SELECT 1 FROM pending p WHERE p.location = k.location AND p.sku = k.sku AND p.lot = k.lot)
			ON CONFLICT (location, sku, lot) DO UPDATE SET qty = excluded.qty`, keyArgs(keys)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("recompute %d keys: %w", len(all), err)
	}
	err = inBatches(mayVanish, func(keys []key) error {
		_, err := tx.ExecContext(ctx, `WITH k (location, sku, lot) AS (VALUES `+rowsSQL(len(keys), 3)+`)
			DELETE FROM stock_view WHERE (location, sku, lot) IN (
				SELECT k.location, k.sku, k.lot FROM k
				WHERE NOT EXISTS (SELECT 1 FROM server_stock s WHERE s.location = k.location AND s.sku = k.sku AND s.lot = k.lot)
				  AND NOT EXISTS (SELECT 1 FROM pending p WHERE p.location = k.location AND p.sku = k.sku AND p.lot = k.lot))`, keyArgs(keys)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("recompute %d keys: %w", len(mayVanish), err)
	}
	return nil
}

// ResetPulled forgets everything pulled from the server: the balances and
// the cursor (back to 0), leaving the view as this device's pending deltas
// until the next pull restates the balances. The syncer calls it when the
// server's ledger is shorter than the cursor (the server was restored from
// a backup), since positions past its head will be reused for other
// entries.
func (s *Store) ResetPulled(ctx context.Context) error {
	err := s.update(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			`DELETE FROM server_stock`,
			`UPDATE sync_state SET cursor = 0 WHERE id = 1`,
			`DELETE FROM stock_view`,
			// Not through the trigger: it fires on pending inserts only.
			`INSERT INTO stock_view (location, sku, lot, qty)
				SELECT location, sku, lot, SUM(delta) FROM pending GROUP BY location, sku, lot`,
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reset pulled state: %w", err)
	}
	return nil
}

// applyResolutions stores supervisors' decisions on this device's parked
// events (inside ApplyChanges' transaction). Each resolves its outbox row
// once: the status becomes applied or cancelled, the reason says who
// decided and why ("cancelled by sam: …", or for a count "approved by sam:
// theft", "rejected by …", "recount requested by sam: CT-000007 for dan";
// the parked reason is kept), and
// the row needs attention again when cancelled (a dismissed parked event
// comes back so that the picker learns it was cancelled). An accepted
// event leaves the attention list; its stock comes through the ledger
// entries the acceptance wrote, as for any applied event. A decision on a
// row already resolved, or on an event this device does not hold, changes
// nothing; so does one on an event the server applied or rejected.
func (s *Store) applyResolutions(ctx context.Context, tx *sql.Tx, rs []syncproto.Resolution) error {
	if len(rs) == 0 {
		return nil
	}
	now := nanos(s.now())
	touched := map[key]struct{}{}
	for _, r := range rs {
		var words string
		switch r.Status {
		case syncproto.StatusApplied:
			words = "accepted"
		case syncproto.StatusCancelled:
			words = "cancelled"
		default:
			return fmt.Errorf("resolution of event %s: unknown status %q", r.EventID, r.Status)
		}
		var status string
		var resolved int64
		err := tx.QueryRowContext(ctx, `SELECT status, resolved_at FROM outbox WHERE seq = ? AND id = ?`, r.Seq, r.EventID).
			Scan(&status, &resolved)
		if errors.Is(err, sql.ErrNoRows) {
			s.log.Warn("resolution of an event this device does not hold", "event", r.EventID, "seq", r.Seq)
			continue
		}
		if err != nil {
			return fmt.Errorf("resolution of event %s: %w", r.EventID, err)
		}
		if resolved != 0 || (status != "" && status != string(syncproto.StatusParked)) {
			continue
		}
		// A decision on a count says which in its reason ("approved:
		// theft", "rejected: …", "recount: CT-000007 for dan").
		reason := r.Reason
		for _, w := range []struct{ prefix, words string }{
			{"approved:", "approved"}, {"rejected:", "rejected"}, {"recount:", "recount requested"},
		} {
			if rest, ok := strings.CutPrefix(reason, w.prefix); ok {
				words, reason = w.words, strings.TrimSpace(rest)
				break
			}
		}
		why := words
		if r.By != "" {
			why += " by " + r.By
		}
		if reason != "" {
			why += ": " + reason
		}
		at := nanos(r.At)
		if at == 0 {
			at = now
		}
		var position uint64
		if r.Status == syncproto.StatusApplied {
			position = r.Position
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = ?, parked_reason = reason, reason = ?, resolved_at = ?,
				resolved_by = ?, resolution = ?, position = ?, dismissed_at = 0,
				acked_at = CASE WHEN acked_at = 0 THEN ? ELSE acked_at END
			WHERE seq = ?`, r.Status, why, at, r.By, r.Reason, position, now, r.Seq); err != nil {
			return fmt.Errorf("resolution of event %s: %w", r.EventID, err)
		}
		// Never acknowledged here (the ack was lost): its deltas still
		// count in the view. A cancelled event's never will.
		if status == "" && r.Status == syncproto.StatusCancelled {
			if err := dropPending(ctx, tx, r.Seq, touched); err != nil {
				return fmt.Errorf("resolution of event %s: %w", r.EventID, err)
			}
		}
	}
	return recompute(ctx, tx, touched, nil)
}
