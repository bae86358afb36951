package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/driftless/driftless/syncproto"
)

// Count tasks as the device holds them, and blind count drafts. The rules
// of counting (the bin first, what a scan adds, which zero counts finishing
// writes) are the app's; the store keeps the draft, each change in its own
// transaction, and writes a count's events and closes its draft in one.

// ErrNoCount: no open count of that task on this device.
var ErrNoCount = errors.New("no open count of that task")

// CountTasks returns the count tasks the device holds (open or assigned),
// by due date and ID.
func (s *Store) CountTasks(ctx context.Context) ([]syncproto.CountTask, error) {
	out, err := s.countTasks(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("read count tasks: %w", err)
	}
	return out, nil
}

// CountTask returns one held count task.
func (s *Store) CountTask(ctx context.Context, id string) (syncproto.CountTask, bool, error) {
	out, err := s.countTasks(ctx, id)
	if err != nil {
		return syncproto.CountTask{}, false, fmt.Errorf("read count task %s: %w", id, err)
	}
	if len(out) == 0 {
		return syncproto.CountTask{}, false, nil
	}
	return out[0], true, nil
}

func (s *Store) countTasks(ctx context.Context, id string) ([]syncproto.CountTask, error) {
	var out []syncproto.CountTask
	err := scanAll(ctx, s.r, `SELECT id, location, status, assigned_to, not_by, reason, class, due, position
		FROM ref_count_tasks WHERE ?1 = '' OR id = ?1 ORDER BY due, id`,
		func(sc scanner) error {
			var t syncproto.CountTask
			err := sc.Scan(&t.ID, &t.Location, &t.Status, &t.AssignedTo, &t.NotBy, &t.Reason, &t.Class, &t.Due, &t.Position)
			out = append(out, t)
			return err
		}, id)
	return out, err
}

// CountDraft is a count of one task's bin on this device, with a copy of
// the task as it was when the count started.
type CountDraft struct {
	Task         syncproto.CountTask
	User         string
	StartedAt    time.Time
	BinScannedAt time.Time // zero until the bin's label is scanned
	FinishedAt   time.Time // zero while open
}

// CountLine is what was counted of one SKU and lot. At and Seen are when
// the line last changed and the ledger position the device had pulled
// then.
type CountLine struct {
	SKU  string
	Lot  string
	Qty  int64
	N    int // 1-based, in the order lines were first counted
	At   time.Time
	Seen uint64
}

const countDraftCols = `task, user_code, location, reason, class, due, assigned_to, started_at, bin_scanned_at, finished_at`

func scanCountDraft(sc scanner) (CountDraft, error) {
	var d CountDraft
	var started, scanned, finished int64
	err := sc.Scan(&d.Task.ID, &d.User, &d.Task.Location, &d.Task.Reason, &d.Task.Class, &d.Task.Due, &d.Task.AssignedTo,
		&started, &scanned, &finished)
	d.StartedAt, d.BinScannedAt, d.FinishedAt = fromNanos(started), fromNanos(scanned), fromNanos(finished)
	return d, err
}

func readCountDraft(ctx context.Context, q querier, task string) (CountDraft, bool, error) {
	d, err := scanCountDraft(q.QueryRowContext(ctx, `SELECT `+countDraftCols+` FROM count_drafts WHERE task = ?`, task))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return CountDraft{}, false, nil
	case err != nil:
		return CountDraft{}, false, err
	}
	return d, true, nil
}

// StartCount opens the count of a task for user and returns it; a count
// of the task that exists already (open or finished, anyone's) is
// returned as it is.
func (s *Store) StartCount(ctx context.Context, t syncproto.CountTask, user string) (CountDraft, error) {
	var d CountDraft
	err := s.update(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO count_drafts (task, user_code, location, reason, class, due, assigned_to,
				started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (task) DO NOTHING`,
			t.ID, user, t.Location, t.Reason, t.Class, t.Due, t.AssignedTo, nanos(s.now())); err != nil {
			return err
		}
		var err error
		d, _, err = readCountDraft(ctx, tx, t.ID)
		return err
	})
	if err != nil {
		return CountDraft{}, fmt.Errorf("start count of %s: %w", t.ID, err)
	}
	return d, nil
}

// CountDraft returns the count of a task (open or finished).
func (s *Store) CountDraft(ctx context.Context, task string) (CountDraft, bool, error) {
	d, ok, err := readCountDraft(ctx, s.r, task)
	if err != nil {
		return CountDraft{}, false, fmt.Errorf("read count of %s: %w", task, err)
	}
	return d, ok, nil
}

// CountDrafts returns the counts on this device, oldest first: only open
// ones when open is true, only user's when user is not empty.
func (s *Store) CountDrafts(ctx context.Context, user string, open bool) ([]CountDraft, error) {
	var out []CountDraft
	err := scanAll(ctx, s.r, `SELECT `+countDraftCols+` FROM count_drafts
		WHERE (NOT ?1 OR finished_at = 0) AND (?2 = '' OR user_code = ?2) ORDER BY started_at, task`,
		func(sc scanner) error {
			d, err := scanCountDraft(sc)
			out = append(out, d)
			return err
		}, open, user)
	if err != nil {
		return nil, fmt.Errorf("read counts: %w", err)
	}
	return out, nil
}

// openCount checks that the task's count is open (inside tx).
func openCount(ctx context.Context, tx *sql.Tx, task string) (CountDraft, error) {
	d, ok, err := readCountDraft(ctx, tx, task)
	if err != nil {
		return CountDraft{}, err
	}
	if !ok || !d.FinishedAt.IsZero() {
		return CountDraft{}, ErrNoCount
	}
	return d, nil
}

// ScanCountBin records that the counter scanned the bin's label.
func (s *Store) ScanCountBin(ctx context.Context, task string) error {
	err := s.update(ctx, func(tx *sql.Tx) error {
		if _, err := openCount(ctx, tx, task); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE count_drafts SET bin_scanned_at = ? WHERE task = ? AND bin_scanned_at = 0`,
			max(nanos(s.now()), 1), task)
		return err
	})
	if err != nil {
		return fmt.Errorf("scan the bin of count %s: %w", task, err)
	}
	return nil
}

// CountQty changes one line of an open count: adds qty to it, or sets it
// to qty when set is true (a line that does not exist starts at 0), and
// stamps it with the time and the ledger cursor. It returns the line.
func (s *Store) CountQty(ctx context.Context, task, sku, lot string, qty int64, set bool) (CountLine, error) {
	var ln CountLine
	err := s.update(ctx, func(tx *sql.Tx) error {
		if _, err := openCount(ctx, tx, task); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO count_lines (task, sku, lot, qty, n, counted_at, seen)
			SELECT ?1, ?2, ?3, ?4, COALESCE((SELECT MAX(n) FROM count_lines WHERE task = ?1), 0) + 1, ?5, s.cursor
			FROM sync_state s WHERE s.id = 1
			ON CONFLICT (task, sku, lot) DO UPDATE SET
				qty = CASE WHEN ?6 THEN excluded.qty ELSE count_lines.qty + excluded.qty END,
				counted_at = excluded.counted_at, seen = excluded.seen`,
			task, sku, lot, qty, nanos(s.now()), set)
		if err != nil {
			return err
		}
		var at int64
		err = tx.QueryRowContext(ctx, `SELECT sku, lot, qty, n, counted_at, seen FROM count_lines
			WHERE task = ? AND sku = ? AND lot = ?`, task, sku, lot).Scan(&ln.SKU, &ln.Lot, &ln.Qty, &ln.N, &at, &ln.Seen)
		ln.At = fromNanos(at)
		return err
	})
	if err != nil {
		return CountLine{}, fmt.Errorf("count %s lot %q in %s: %w", sku, lot, task, err)
	}
	return ln, nil
}

// CountLines returns what a count holds, in the order lines were first
// counted.
func (s *Store) CountLines(ctx context.Context, task string) ([]CountLine, error) {
	out, err := countLines(ctx, s.r, task)
	if err != nil {
		return nil, fmt.Errorf("read lines of count %s: %w", task, err)
	}
	return out, nil
}

type rowsQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func countLines(ctx context.Context, q rowsQuerier, task string) ([]CountLine, error) {
	rows, err := q.QueryContext(ctx, `SELECT sku, lot, qty, n, counted_at, seen FROM count_lines WHERE task = ? ORDER BY n`, task)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CountLine
	for rows.Next() {
		var ln CountLine
		var at int64
		if err := rows.Scan(&ln.SKU, &ln.Lot, &ln.Qty, &ln.N, &at, &ln.Seen); err != nil {
			return nil, err
		}
		ln.At = fromNanos(at)
		out = append(out, ln)
	}
	return out, rows.Err()
}

// CountPlan turns an open count into the scans finishing it records,
// given the draft, its lines and the local view's levels at its bin
// (Position: the server position of the balance, 0 when none).
type CountPlan func(d CountDraft, lines []CountLine, view []syncproto.Level) ([]Scan, error)

// FinishCount closes an open count and records the scans plan makes of
// it, in one transaction that reads the draft, its lines and the view
// at its bin: when it returns nil the count's events are durable and the
// count is closed; when it fails, neither.
func (s *Store) FinishCount(ctx context.Context, task string, plan CountPlan) ([]syncproto.Event, error) {
	var evs []syncproto.Event
	err := s.update(ctx, func(tx *sql.Tx) error {
		d, err := openCount(ctx, tx, task)
		if err != nil {
			return err
		}
		lines, err := countLines(ctx, tx, task)
		if err != nil {
			return err
		}
		var view []syncproto.Level
		rows, err := tx.QueryContext(ctx, `SELECT v.location, v.sku, v.lot, v.qty, COALESCE(s.position, 0)
			FROM stock_view v LEFT JOIN server_stock s USING (location, sku, lot)
			WHERE v.location = ? ORDER BY v.sku, v.lot`, d.Task.Location)
		if err != nil {
			return err
		}
		for rows.Next() {
			var l syncproto.Level
			if err := rows.Scan(&l.Location, &l.SKU, &l.Lot, &l.Qty, &l.Position); err != nil {
				rows.Close()
				return err
			}
			view = append(view, l)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		scans, err := plan(d, lines, view)
		if err != nil {
			return err
		}
		evs = make([]syncproto.Event, len(scans))
		for i, sc := range scans {
			if evs[i], err = s.newEvent(sc); err != nil {
				return err
			}
			if err := s.recordSeen(ctx, tx, &evs[i], sc.Seen); err != nil {
				return fmt.Errorf("scan %d (%s of %s): %w", i+1, sc.Kind, sc.SKU, err)
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE count_drafts SET finished_at = ? WHERE task = ?`, max(nanos(s.now()), 1), task)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("finish count of %s: %w", task, err)
	}
	return evs, nil
}
