package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/driftless/driftless/syncproto"
)

// Pick lists and transfers as the device holds them, and the picker's
// progress through a list. The rules of picking (what a scan picks, what
// is refused) are the app's; the store keeps the progress and writes it in
// the transaction of the events it comes with, so that a restart resumes
// exactly where the last confirmed scan left the picker.

// ErrNoPickRun: no pick run of that list on this device.
var ErrNoPickRun = errors.New("no such pick run")

// PickLists returns the pick lists the device holds (open, assigned or in
// progress), tasks in walking order (seq, then ID), lists by ID.
func (s *Store) PickLists(ctx context.Context) ([]syncproto.PickList, error) {
	out, err := s.pickLists(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("read pick lists: %w", err)
	}
	return out, nil
}

// PickList returns one held pick list.
func (s *Store) PickList(ctx context.Context, id string) (syncproto.PickList, bool, error) {
	out, err := s.pickLists(ctx, id)
	if err != nil {
		return syncproto.PickList{}, false, fmt.Errorf("read pick list %s: %w", id, err)
	}
	if len(out) == 0 {
		return syncproto.PickList{}, false, nil
	}
	return out[0], true, nil
}

func (s *Store) pickLists(ctx context.Context, id string) ([]syncproto.PickList, error) {
	var out []syncproto.PickList
	idx := map[string]int{}
	err := scanAll(ctx, s.r, `SELECT id, status, assigned_to, orders, position FROM ref_pick_lists
		WHERE ?1 = '' OR id = ?1 ORDER BY id`,
		func(sc scanner) error {
			l := syncproto.PickList{Tasks: []syncproto.PickTask{}}
			var orders string
			if err := sc.Scan(&l.ID, &l.Status, &l.AssignedTo, &orders, &l.Position); err != nil {
				return err
			}
			l.Orders = splitRoles(orders)
			idx[l.ID] = len(out)
			out = append(out, l)
			return nil
		}, id)
	if err != nil {
		return nil, err
	}
	err = scanAll(ctx, s.r, `SELECT list, id, seq, order_no, location, sku, lot, expiry, qty, picked, status
		FROM ref_pick_tasks WHERE ?1 = '' OR list = ?1 ORDER BY list, seq, id`,
		func(sc scanner) error {
			var list string
			var t syncproto.PickTask
			if err := sc.Scan(&list, &t.ID, &t.Seq, &t.Order, &t.Location, &t.SKU, &t.Lot, &t.Expiry, &t.Qty, &t.Picked,
				&t.Status); err != nil {
				return err
			}
			if i, ok := idx[list]; ok {
				out[i].Tasks = append(out[i].Tasks, t)
			}
			return nil
		}, id)
	return out, err
}

// Transfers returns the transfers the device holds (open or shipped) with
// their lines, by number.
func (s *Store) Transfers(ctx context.Context) ([]syncproto.Transfer, error) {
	out, err := s.transfers(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("read transfers: %w", err)
	}
	return out, nil
}

// Transfer returns one held transfer.
func (s *Store) Transfer(ctx context.Context, number string) (syncproto.Transfer, bool, error) {
	out, err := s.transfers(ctx, number)
	if err != nil {
		return syncproto.Transfer{}, false, fmt.Errorf("read transfer %s: %w", number, err)
	}
	if len(out) == 0 {
		return syncproto.Transfer{}, false, nil
	}
	return out[0], true, nil
}

func (s *Store) transfers(ctx context.Context, number string) ([]syncproto.Transfer, error) {
	var out []syncproto.Transfer
	idx := map[string]int{}
	err := scanAll(ctx, s.r, `SELECT number, from_wh, to_wh, status, position FROM ref_transfers
		WHERE ?1 = '' OR number = ?1 ORDER BY number`,
		func(sc scanner) error {
			t := syncproto.Transfer{Lines: []syncproto.TransferLine{}}
			if err := sc.Scan(&t.Number, &t.From, &t.To, &t.Status, &t.Position); err != nil {
				return err
			}
			idx[t.Number] = len(out)
			out = append(out, t)
			return nil
		}, number)
	if err != nil {
		return nil, err
	}
	err = scanAll(ctx, s.r, `SELECT number, sku, lot, qty, shipped, received FROM ref_transfer_lines
		WHERE ?1 = '' OR number = ?1 ORDER BY number, line`,
		func(sc scanner) error {
			var n string
			var ln syncproto.TransferLine
			if err := sc.Scan(&n, &ln.SKU, &ln.Lot, &ln.Qty, &ln.Shipped, &ln.Received); err != nil {
				return err
			}
			if i, ok := idx[n]; ok {
				out[i].Lines = append(out[i].Lines, ln)
			}
			return nil
		}, number)
	return out, err
}

// PickRun is a picker working through a pick list on this device. Step
// and ItemOK belong to Task: when the current task is another one, the
// picker starts at its bin.
type PickRun struct {
	List       string
	User       string
	StartedAt  time.Time
	FinishedAt time.Time // zero while open
	Task       string
	Step       int  // 0: at the bin, 1: at the item
	ItemOK     bool // the item was scanned at this visit of the bin
	Skips      int64
}

// TaskProgress is what this device did on one pick task, with a copy of
// the task's fields.
type TaskProgress struct {
	Task     string
	List     string
	Seq      int64
	Order    string
	Location string
	SKU      string
	Lot      string
	Qty      int64
	Before   int64 // the server's picked figure when this device first touched the task
	Picked   int64 // units picked on this device
	Short    bool  // a short pick was recorded
	Skipped  int64 // 0, or the run's skip counter when last skipped
}

// StartPickRun opens the run of a list for user, or opens it again (for
// user, at the bin of the current task) when it was finished; progress
// already recorded is kept. An open run is left as it is.
func (s *Store) StartPickRun(ctx context.Context, list, user string) (PickRun, error) {
	var run PickRun
	err := s.update(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO pick_runs (list, user_code, started_at) VALUES (?, ?, ?)
			ON CONFLICT (list) DO UPDATE SET user_code = excluded.user_code, finished_at = 0, task = '', step = 0, item_ok = 0
			WHERE finished_at <> 0`,
			list, user, nanos(s.now())); err != nil {
			return err
		}
		var err error
		run, err = readPickRun(ctx, tx, list)
		return err
	})
	if err != nil {
		return PickRun{}, fmt.Errorf("start pick run of %s: %w", list, err)
	}
	return run, nil
}

const pickRunCols = `list, user_code, started_at, finished_at, task, step, item_ok, skips`

func scanPickRun(sc scanner) (PickRun, error) {
	var r PickRun
	var started, finished int64
	err := sc.Scan(&r.List, &r.User, &started, &finished, &r.Task, &r.Step, &r.ItemOK, &r.Skips)
	r.StartedAt, r.FinishedAt = fromNanos(started), fromNanos(finished)
	return r, err
}

func readPickRun(ctx context.Context, q querier, list string) (PickRun, error) {
	r, err := scanPickRun(q.QueryRowContext(ctx, `SELECT `+pickRunCols+` FROM pick_runs WHERE list = ?`, list))
	if errors.Is(err, sql.ErrNoRows) {
		return PickRun{}, ErrNoPickRun
	}
	return r, err
}

// PickRun returns the run of a list (finished or not).
func (s *Store) PickRun(ctx context.Context, list string) (PickRun, bool, error) {
	r, err := readPickRun(ctx, s.r, list)
	switch {
	case errors.Is(err, ErrNoPickRun):
		return PickRun{}, false, nil
	case err != nil:
		return PickRun{}, false, fmt.Errorf("read pick run of %s: %w", list, err)
	}
	return r, true, nil
}

// OpenPickRuns returns the open runs, oldest first; only user's when user
// is not empty.
func (s *Store) OpenPickRuns(ctx context.Context, user string) ([]PickRun, error) {
	var out []PickRun
	err := scanAll(ctx, s.r, `SELECT `+pickRunCols+` FROM pick_runs
		WHERE finished_at = 0 AND (?1 = '' OR user_code = ?1) ORDER BY started_at, list`,
		func(sc scanner) error {
			r, err := scanPickRun(sc)
			out = append(out, r)
			return err
		}, user)
	if err != nil {
		return nil, fmt.Errorf("read open pick runs: %w", err)
	}
	return out, nil
}

// PickProgress returns what this device did on the tasks of a list, in
// walking order.
func (s *Store) PickProgress(ctx context.Context, list string) ([]TaskProgress, error) {
	var out []TaskProgress
	err := scanAll(ctx, s.r, `SELECT task, list, seq, order_no, location, sku, lot, qty, before, picked, short, skipped
		FROM pick_progress WHERE list = ? ORDER BY seq, task`,
		func(sc scanner) error {
			var p TaskProgress
			err := sc.Scan(&p.Task, &p.List, &p.Seq, &p.Order, &p.Location, &p.SKU, &p.Lot, &p.Qty, &p.Before, &p.Picked,
				&p.Short, &p.Skipped)
			out = append(out, p)
			return err
		}, list)
	if err != nil {
		return nil, fmt.Errorf("read progress of pick list %s: %w", list, err)
	}
	return out, nil
}

// SavePick records scans as events, stores a task's progress (when p is
// not nil) and the run's position, all in one transaction of an open
// run: when it returns nil the events and the progress they make are
// durable together. Progress and run replace what was stored.
func (s *Store) SavePick(ctx context.Context, run PickRun, p *TaskProgress, scans []Scan) ([]syncproto.Event, error) {
	evs, err := s.recordBatch(ctx, scans, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE pick_runs SET task = ?, step = ?, item_ok = ?, skips = ?
			WHERE list = ? AND finished_at = 0`, run.Task, run.Step, run.ItemOK, run.Skips, run.List)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNoPickRun
		}
		if p == nil {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO pick_progress (task, list, seq, order_no, location, sku, lot, qty,
				before, picked, short, skipped)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.Task, run.List, p.Seq, p.Order, p.Location, p.SKU, p.Lot, p.Qty, p.Before, p.Picked, p.Short, p.Skipped)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("save pick on list %s: %w", run.List, err)
	}
	return evs, nil
}

// FinishPickRun closes the open run of a list.
func (s *Store) FinishPickRun(ctx context.Context, list string) error {
	err := s.update(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE pick_runs SET finished_at = ? WHERE list = ? AND finished_at = 0`,
			max(nanos(s.now()), 1), list)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNoPickRun
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("finish pick run of %s: %w", list, err)
	}
	return nil
}

// LocationsOfType returns the codes of the locations of a type, by
// sequence and code.
func (s *Store) LocationsOfType(ctx context.Context, typ string) ([]string, error) {
	var out []string
	err := scanAll(ctx, s.r, `SELECT code FROM ref_locations WHERE type = ? ORDER BY sequence, code`,
		func(sc scanner) error {
			var c string
			err := sc.Scan(&c)
			out = append(out, c)
			return err
		}, typ)
	if err != nil {
		return nil, fmt.Errorf("read %s locations: %w", typ, err)
	}
	return out, nil
}
