package server

import (
	"context"
	"fmt"
	"strings"

	"github.com/driftless/driftless/syncproto"
)

// Picks and short picks as they apply, in the push's own transaction (so
// a re-sent event, which applies nothing, changes nothing either):
//   - a receive with an expiry records its lot's expiry (FEFO reads it);
//   - a pick with a Task adds its Qty to the task's Picked and to the
//     sales order line's picked (a pick without a Task whose Ref is a
//     sales order of the warehouse counts against that order alone);
//   - a short_pick exception with a Task marks the task short,
//     re-allocates the shortfall onto the same list where other bins hold
//     stock, and raises a count task for the bin.
// Lists and orders written take new catalog positions, so devices pull
// them.

// writesPickLists says whether a group may write pick lists or sales
// orders (a PostgreSQL push then takes the catalog lock first).
func writesPickLists(group []*pushReq) bool {
	for _, req := range group {
		for i := range req.events {
			ev := &req.events[i]
			if (ev.Kind == syncproto.KindPick && (ev.Task != "" || ev.Ref != "")) ||
				(ev.Kind == syncproto.KindException && ev.Reason == reasonShortPick) {
				return true
			}
		}
	}
	return false
}

const reasonShortPick = "short_pick"

// applyPicking does what an applied event does to lots, pick lists,
// sales orders and count tasks.
func (a *applier) applyPicking(ctx context.Context, ev *syncproto.Event) error {
	ptx, ok := a.tx.(PickingTx)
	if !ok {
		return nil
	}
	var err error
	switch {
	case ev.Kind == syncproto.KindReceive && ev.Expiry != "" && ev.Lot != "":
		err = ptx.PutLot(ctx, LotKey{ev.SKU, ev.Lot}, ev.Expiry)
	case ev.Kind == syncproto.KindPick && ev.Task != "":
		err = a.pickTask(ctx, ptx, ev)
	case ev.Kind == syncproto.KindPick && ev.Ref != "":
		err = a.pickOrder(ctx, ptx, ev.Ref, ev.SKU, ev.Qty)
	case ev.Kind == syncproto.KindException && ev.Reason == reasonShortPick:
		err = a.shortPick(ctx, ptx, ev)
	}
	if err != nil {
		return fmt.Errorf("%s for task %s: %w", ev.Kind, ev.Task, err)
	}
	return nil
}

// taskOf finds the device warehouse's list and task an event names;
// ok is false when there is none (or its SKU differs).
func (a *applier) taskOf(ctx context.Context, ptx PickingTx, ev *syncproto.Event) (PickList, int, bool, error) {
	listID, _, found := strings.Cut(ev.Task, "/")
	if !found {
		return PickList{}, 0, false, nil
	}
	p, err := ptx.PickList(ctx, listID)
	if IsNotFound(err) {
		return p, 0, false, nil
	}
	if err != nil || p.Warehouse != a.dev.Warehouse {
		return p, 0, false, err
	}
	for i := range p.Tasks {
		if p.Tasks[i].ID == ev.Task {
			return p, i, p.Tasks[i].SKU == ev.SKU, nil
		}
	}
	return p, 0, false, nil
}

func (a *applier) pickTask(ctx context.Context, ptx PickingTx, ev *syncproto.Event) error {
	p, i, ok, err := a.taskOf(ctx, ptx, ev)
	if err != nil || !ok {
		return err
	}
	t := &p.Tasks[i]
	t.Picked += ev.Qty
	if t.Status == TaskOpen && t.Picked >= t.Qty {
		t.Status = TaskPicked
	}
	if err := a.putList(ctx, ptx, &p); err != nil {
		return err
	}
	return a.pickOrder(ctx, ptx, t.Order, ev.SKU, ev.Qty)
}

// putList moves a list's status after its tasks changed and stores it.
func (a *applier) putList(ctx context.Context, ptx PickingTx, p *PickList) error {
	if p.Status != PLCancelled && p.Status != PLDone {
		done := true
		for _, t := range p.Tasks {
			if t.Status == TaskOpen {
				done = false
				break
			}
		}
		if done {
			p.Status = PLDone
		} else {
			p.Status = PLInProgress
		}
	}
	pos, err := ptx.PutPickList(ctx, *p)
	if err != nil {
		return err
	}
	p.Position, a.catalogHead = pos, pos
	return nil
}

// pickOrder counts qty of a SKU as picked on a sales order of the
// device's warehouse, when the order has a line for it.
func (a *applier) pickOrder(ctx context.Context, ptx PickingTx, number, sku string, qty int64) error {
	o, err := ptx.SalesOrder(ctx, number)
	if IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("pick against sales order %s: %w", number, err)
	}
	if o.Warehouse != a.dev.Warehouse {
		return nil
	}
	line := -1
	for i, ln := range o.Lines {
		if ln.SKU == sku {
			line = i
			break
		}
	}
	if line < 0 {
		return nil
	}
	o.Lines[line].Picked += qty
	o.Status = statusAfterPick(o)
	pos, err := ptx.PutSalesOrder(ctx, o)
	if err != nil {
		return fmt.Errorf("pick against sales order %s: %w", number, err)
	}
	a.catalogHead = pos
	return nil
}

// statusAfterPick is an order's status once something was picked for
// it: only open and partially picked orders move.
func statusAfterPick(o SalesOrder) SalesOrderStatus {
	if o.Status != SOOpen && o.Status != SOPartiallyPicked {
		return o.Status
	}
	for _, ln := range o.Lines {
		if ln.Picked < ln.Qty {
			return SOPartiallyPicked
		}
	}
	return SOPicked
}

// shortPick handles a short_pick exception: the task goes short, its
// shortfall is re-allocated onto the same list from other bins, and the
// bin gets a count task.
func (a *applier) shortPick(ctx context.Context, ptx PickingTx, ev *syncproto.Event) error {
	ct := CountTask{Location: ev.From, SKU: ev.SKU, Lot: ev.Lot}
	if ev.Task != "" {
		p, i, ok, err := a.taskOf(ctx, ptx, ev)
		if err != nil {
			return err
		}
		if ok {
			t := p.Tasks[i]
			if ct.Location == "" {
				ct.Location, ct.Lot = t.Location, t.Lot
			}
			if t.Status == TaskOpen {
				if err := a.reallocate(ctx, ptx, &p, i, ev); err != nil {
					return err
				}
			}
		}
	}
	if ct.Location == "" || ct.SKU == "" {
		return nil
	}
	return a.triggerCount(ctx, ct.Location, ct.SKU, ct.Lot, CountShortPick, ev.ID)
}

// reallocate marks task i of p short and allocates its shortfall from
// the warehouse's other bins as new tasks of the same list.
func (a *applier) reallocate(ctx context.Context, ptx PickingTx, p *PickList, i int, ev *syncproto.Event) error {
	t := &p.Tasks[i]
	t.Status = TaskShort
	short := min(ev.Qty, t.Qty-t.Picked)
	if short > 0 && p.Status != PLCancelled {
		held, err := heldPickLists(ctx, ptx, p.Warehouse)
		if err != nil {
			return err
		}
		for j := range held {
			if held[j].ID == p.ID {
				held[j] = *p // as changed here
			}
		}
		in, err := allocInput(ctx, ptx, p.Warehouse, held, nil)
		if err != nil {
			return err
		}
		stock, err := pickableStock(ctx, ptx, p.Warehouse, []string{t.SKU})
		if err != nil {
			return err
		}
		in.Stock = stock
		in.Orders = []AllocOrder{{Number: t.Order, Lines: []AllocLine{{SKU: t.SKU, Qty: short}}}}
		in.Exclude[PickKey{t.Location, t.SKU, t.Lot}] = true // its count task comes after
		in.Exclude[PickKey{ev.From, ev.SKU, ev.Lot}] = true
		in.MaxLines, in.BatchOrders = maxWaveLines, 1
		var tasks []AllocTask
		for _, l := range Allocate(in).Lists {
			tasks = append(tasks, l.Tasks...)
		}
		if len(tasks) > 0 {
			seq := map[string]int64{}
			locs, err := ptx.Locations(ctx, ListFilter{Warehouse: p.Warehouse, Archived: ActiveAndArchived})
			if err != nil {
				return err
			}
			for _, l := range locs {
				seq[l.Code] = l.Sequence
			}
			appendTasks(p, tasks, seq)
		}
	}
	return a.putList(ctx, ptx, p)
}
