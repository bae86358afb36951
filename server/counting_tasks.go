package server

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/driftless/driftless/syncproto"
)

// Count tasks over REST: a supervisor raises one by hand, assigns one to a
// counter, or cancels one.

// CreateCountTask raises a task for a bin by hand (reason manual unless
// another is given; due today unless given; assigned when AssignedTo is
// set). A bin holds one task at a time: EConflict when one is held.
func (c *Catalog) CreateCountTask(ctx context.Context, in CountTask) (CountTask, error) {
	now := c.now().UTC()
	in.Reason = cmp.Or(in.Reason, CountManual)
	in.Due = cmp.Or(in.Due, now.Format(time.DateOnly))
	switch {
	case in.Warehouse == "":
		return in, &Error{Code: EInvalid, Field: "warehouse", Message: "warehouse is required"}
	case in.Location == "":
		return in, &Error{Code: EInvalid, Field: "location", Message: "location is required"}
	case !slices.Contains(CountTaskReasons, in.Reason):
		return in, &Error{Code: EInvalid, Field: "reason", Message: fmt.Sprintf("reason %q is not one of %s", in.Reason, strings.Join(CountTaskReasons, ", "))}
	}
	if _, err := time.Parse(time.DateOnly, in.Due); err != nil {
		return in, &Error{Code: EInvalid, Field: "due", Message: "due must be a date YYYY-MM-DD"}
	}
	var out CountTask
	err := c.store.UpdateCatalog(ctx, func(ctx context.Context, tx CatalogTx) error {
		ctr, err := counting(tx)
		if err != nil {
			return err
		}
		loc, err := tx.Location(ctx, in.Warehouse, in.Location)
		if IsNotFound(err) {
			return &Error{Code: EInvalid, Field: "location", Message: fmt.Sprintf("warehouse %s has no location %s", in.Warehouse, in.Location)}
		}
		if err != nil {
			return err
		}
		if loc.Archived {
			return &Error{Code: EInvalid, Field: "location", Message: fmt.Sprintf("location %s is archived", in.Location)}
		}
		if in.AssignedTo != "" {
			if err := counterUser(ctx, tx, in.AssignedTo); err != nil {
				return err
			}
		}
		held, err := tx.(PickingReadTx).CountTasks(ctx, CountTaskFilter{Warehouse: in.Warehouse, Location: in.Location, Held: true, Limit: 1})
		if err != nil {
			return err
		}
		if len(held) > 0 {
			return Errorf(EConflict, "%s already has count task %s (%s)", in.Location, held[0].ID, held[0].Status)
		}
		rtx := tx.(ReadTx)
		class, err := binClass(ctx, rtx, ctr, in.Warehouse, in.Location, "")
		if err != nil {
			return err
		}
		t := CountTask{Warehouse: in.Warehouse, Location: in.Location, Reason: in.Reason, Class: class, Due: in.Due,
			AssignedTo: in.AssignedTo, CreatedAt: now, Status: CountTaskOpen}
		if t.AssignedTo != "" {
			t.Status = CountTaskAssigned
		}
		out, err = ctr.PutCountTask(ctx, t)
		return err
	})
	if err != nil {
		return CountTask{}, fmt.Errorf("create a count task at %s: %w", in.Location, err)
	}
	return out, nil
}

// counterUser checks that a user is active and may count.
func counterUser(ctx context.Context, tx CatalogReadTx, code string) error {
	if err := activeUser(ctx, tx, code); err != nil {
		return err
	}
	u, err := tx.User(ctx, code)
	if err != nil {
		return err
	}
	if !HasRole(u.Roles, RoleCounter) {
		return &Error{Code: EInvalid, Field: "user", Message: fmt.Sprintf("%s (%s) is not a counter", u.Name, u.Code)}
	}
	return nil
}

// AssignCountTask assigns a held task to a counter (not its NotBy).
func (c *Catalog) AssignCountTask(ctx context.Context, id, user string) (CountTask, error) {
	return c.updateCountTask(ctx, id, "assign count task "+id+" to "+user, func(tx CatalogTx, t *CountTask) error {
		if err := counterUser(ctx, tx, user); err != nil {
			return err
		}
		if !t.Held() {
			return Errorf(EConflict, "count task %s is %s: only open or assigned tasks can be assigned", id, t.Status)
		}
		if t.NotBy == user {
			return &Error{Code: EInvalid, Field: "user", Message: fmt.Sprintf("%s counted this bin before: a recount goes to another counter", user)}
		}
		t.AssignedTo, t.Status = user, CountTaskAssigned
		return nil
	})
}

// CancelCountTask cancels a held task (cancelling twice changes nothing).
func (c *Catalog) CancelCountTask(ctx context.Context, id string) (CountTask, error) {
	return c.updateCountTask(ctx, id, "cancel count task "+id, func(tx CatalogTx, t *CountTask) error {
		switch {
		case t.Status == CountTaskCancelled:
			return errUnchanged
		case !t.Held():
			return Errorf(EConflict, "count task %s is %s and cannot be cancelled", id, t.Status)
		}
		t.Status = CountTaskCancelled
		return nil
	})
}

var errUnchanged = fmt.Errorf("unchanged")

func (c *Catalog) updateCountTask(ctx context.Context, id, op string, fn func(CatalogTx, *CountTask) error) (CountTask, error) {
	var out CountTask
	err := c.store.UpdateCatalog(ctx, func(ctx context.Context, tx CatalogTx) error {
		ctr, err := counting(tx)
		if err != nil {
			return err
		}
		t, err := ctr.CountTask(ctx, id)
		if err != nil {
			return err
		}
		if err := fn(tx, &t); err == errUnchanged {
			out = t
			return nil
		} else if err != nil {
			return err
		}
		out, err = ctr.PutCountTask(ctx, t)
		return err
	})
	if err != nil {
		return CountTask{}, fmt.Errorf("%s: %w", op, err)
	}
	return out, nil
}

// CountTask returns one task.
func (c *Catalog) CountTask(ctx context.Context, id string) (CountTask, error) {
	var out CountTask
	err := c.store.ViewCatalog(ctx, func(ctx context.Context, tx CatalogReadTx) error {
		ctr, err := countingRead(tx)
		if err != nil {
			return err
		}
		out, err = ctr.CountTask(ctx, id)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("get count task %s: %w", id, err)
	}
	return out, nil
}

// countTaskSection is the snapshot's section of a warehouse's held count
// tasks in one status, by ID.
func (c *Catalog) countTaskSection(warehouse, status string) snapSection {
	return snapSection{
		read: func(ctx context.Context, p *syncproto.SnapshotPage, after []string, limit int) (int, []string, error) {
			var ts []CountTask
			err := c.store.ViewCatalog(ctx, func(ctx context.Context, tx CatalogReadTx) error {
				f := CountTaskFilter{Warehouse: warehouse, Status: status, Limit: limit}
				if len(after) == 1 {
					f.After = after[0]
				}
				var err error
				ts, err = tx.(PickingReadTx).CountTasks(ctx, f)
				return err
			})
			if err != nil || len(ts) == 0 {
				return 0, after, err
			}
			for _, t := range ts {
				if !t.Archived {
					p.CountTasks = append(p.CountTasks, WireCountTask(t))
				}
			}
			return len(ts), []string{ts[len(ts)-1].ID}, nil
		},
		count: func(ctx context.Context, cc CatalogCounter, warehouse string) (int, error) {
			return cc.CountCatalog(ctx, KindCountTask, ListFilter{Warehouse: warehouse, Status: status, Archived: ActiveOnly})
		},
	}
}
