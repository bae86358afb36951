package server

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/driftless/driftless/syncproto"
)

// Picking: the server allocates sales orders to stock in pick lists
// (CreatePickWave), assigns them to pickers (AssignPickList, NextPickList)
// and keeps their progress as picks apply (see picking_apply.go). Pick
// lists are catalog records of one warehouse, like orders: every change
// takes a catalog position and that warehouse's devices pull it; they
// hold a list while it is open, assigned or in progress.

// KindPickList is the catalog kind of pick lists.
const KindPickList CatalogKind = "pick_list"

// PickListStatus is where a pick list is in its life.
type PickListStatus string

// Pick list statuses.
const (
	PLOpen       PickListStatus = "open"
	PLAssigned   PickListStatus = "assigned"
	PLInProgress PickListStatus = "in_progress"
	PLDone       PickListStatus = "done"
	PLCancelled  PickListStatus = "cancelled"
)

// PickListStatuses lists the pick list statuses.
var PickListStatuses = []PickListStatus{PLOpen, PLAssigned, PLInProgress, PLDone, PLCancelled}

// heldPickListStatuses are the statuses devices hold a list in (and the
// ones whose open tasks reserve stock).
var heldPickListStatuses = []PickListStatus{PLOpen, PLAssigned, PLInProgress}

// PickTaskStatus is where a pick task is.
type PickTaskStatus string

// Pick task statuses.
const (
	TaskOpen      PickTaskStatus = "open"
	TaskPicked    PickTaskStatus = "picked"
	TaskShort     PickTaskStatus = "short"
	TaskCancelled PickTaskStatus = "cancelled"
)

// PickTaskStatuses lists the pick task statuses.
var PickTaskStatuses = []PickTaskStatus{TaskOpen, TaskPicked, TaskShort, TaskCancelled}

// PickList is one walk through a warehouse picking one or more sales
// orders. ID is "PL-" and six or more digits, numbered in creation order.
type PickList struct {
	ID         string         `json:"id"`
	Warehouse  string         `json:"warehouse"`
	Status     PickListStatus `json:"status"`
	AssignedTo string         `json:"assigned_to"`
	Orders     []string       `json:"orders"`
	// Tasks are in walking order (Seq 1, 2, …).
	Tasks []PickTask `json:"tasks"`
	Meta
}

// PickTask is one stop of a pick list. ID is the list's ID, "/" and the
// task's number in creation order ("PL-000123/4"); picks carry it.
type PickTask struct {
	ID       string         `json:"id"`
	Seq      int64          `json:"seq"`
	Order    string         `json:"order"`
	Location string         `json:"location"`
	SKU      string         `json:"sku"`
	Lot      string         `json:"lot"`
	Expiry   string         `json:"expiry"`
	Qty      int64          `json:"qty"`
	Picked   int64          `json:"picked"`
	Status   PickTaskStatus `json:"status"`
}

// Held says whether devices hold the list.
func (p *PickList) Held() bool {
	return !p.Archived && slices.Contains(heldPickListStatuses, p.Status)
}

// Validate checks the list's own fields and tasks.
func (p *PickList) Validate() []Problem {
	var ps problems
	ps.code("id", p.ID)
	ps.code("warehouse", p.Warehouse)
	if !oneOf(p.Status, PickListStatuses) {
		ps.add("status", "status %q is not one of %s", p.Status, list(PickListStatuses))
	}
	for i, t := range p.Tasks {
		n := i + 1
		if !strings.HasPrefix(t.ID, p.ID+"/") {
			ps.addLine(n, "id", "task id %q must start with %s/", t.ID, p.ID)
		}
		if t.Qty < 1 {
			ps.addLine(n, "qty", "qty must be 1 or more")
		}
		if t.Picked < 0 {
			ps.addLine(n, "picked", "picked must not be negative")
		}
		if !oneOf(t.Status, PickTaskStatuses) {
			ps.addLine(n, "status", "status %q is not one of %s", t.Status, list(PickTaskStatuses))
		}
	}
	return ps
}

// PickListID is the ID of the n-th pick list.
func PickListID(n int64) string { return fmt.Sprintf("PL-%06d", n) }

// PickingReadTx is what picking reads besides the catalog: the stores'
// read transactions implement it.
type PickingReadTx interface {
	CatalogReadTx
	PickList(ctx context.Context, id string) (PickList, error) // ENotFound when absent
	// PickLists lists pick lists in ID order; f's Warehouse, Status,
	// AssignedTo, Archived, After and Limit apply.
	PickLists(ctx context.Context, f ListFilter) ([]PickList, error)
	// PickStock returns a warehouse's stock levels above zero for the SKUs,
	// as this transaction sees them.
	PickStock(ctx context.Context, warehouse string, skus []string) ([]StockLevel, error)
	// LotExpiries returns the known expiry (YYYY-MM-DD) of the SKUs' lots.
	LotExpiries(ctx context.Context, skus []string) (map[LotKey]string, error)
	// CountTasks lists count tasks, oldest first.
	CountTasks(ctx context.Context, f CountTaskFilter) ([]CountTask, error)
}

// PickingTx writes pick lists and lots.
type PickingTx interface {
	CatalogTx
	PickingReadTx
	// PutPickList stores a list with its tasks like the catalog's Puts.
	PutPickList(ctx context.Context, p PickList) (uint64, error)
	// NextPickListNumber is one more than the highest list number.
	NextPickListNumber(ctx context.Context) (int64, error)
	// PutLot records a lot's expiry; the first expiry recorded stands.
	PutLot(ctx context.Context, k LotKey, expiry string) error
}

// LotKey is a lot of a SKU.
type LotKey struct{ SKU, Lot string }

func newPickListCollection(c *Catalog) *Collection[PickList] {
	return &Collection[PickList]{cat: c, Kind: KindPickList, Noun: "pick list",
		key:  func(p *PickList) CatalogKey { return CatalogKey{Warehouse: p.Warehouse, Code: p.ID} },
		meta: func(p *PickList) *Meta { return &p.Meta }, validate: (*PickList).Validate,
		refs: func(ck *checker, p, old *PickList) { ck.warehouseRef("warehouse", p.Warehouse, old == nil) },
		get: func(ctx context.Context, tx CatalogReadTx, k CatalogKey) (PickList, error) {
			ptx, err := pickingRead(tx)
			if err != nil {
				return PickList{}, err
			}
			return ptx.PickList(ctx, k.Code)
		},
		list: func(tx CatalogReadTx, ctx context.Context, f ListFilter) ([]PickList, error) {
			ptx, err := pickingRead(tx)
			if err != nil {
				return nil, err
			}
			return ptx.PickLists(ctx, f)
		},
		put: func(tx CatalogTx, ctx context.Context, p PickList) (uint64, error) {
			ptx, err := picking(tx)
			if err != nil {
				return 0, err
			}
			return ptx.PutPickList(ctx, p)
		},
	}
}

func pickingRead(tx CatalogReadTx) (PickingReadTx, error) {
	ptx, ok := tx.(PickingReadTx)
	if !ok {
		return nil, fmt.Errorf("this store does not keep pick lists")
	}
	return ptx, nil
}

func picking(tx CatalogTx) (PickingTx, error) {
	ptx, ok := tx.(PickingTx)
	if !ok {
		return nil, fmt.Errorf("this store does not keep pick lists")
	}
	return ptx, nil
}

// WirePickList is p as devices receive it.
func WirePickList(p PickList) syncproto.PickList {
	w := syncproto.PickList{ID: p.ID, Status: string(p.Status), AssignedTo: p.AssignedTo,
		Orders: append([]string{}, p.Orders...), Tasks: make([]syncproto.PickTask, len(p.Tasks)),
		Archived: p.Archived, Position: p.Position}
	for i, t := range p.Tasks {
		w.Tasks[i] = syncproto.PickTask{ID: t.ID, Seq: t.Seq, Order: t.Order, Location: t.Location, SKU: t.SKU,
			Lot: t.Lot, Expiry: t.Expiry, Qty: t.Qty, Picked: t.Picked, Status: string(t.Status)}
	}
	return w
}

// WaveRequest asks for a pick wave: the open sales orders of a warehouse
// (the ones named, or every open or partially picked one with quantity
// not yet allocated) allocated into pick lists.
type WaveRequest struct {
	Warehouse   string   `json:"warehouse"`
	Orders      []string `json:"orders,omitempty"`
	MaxLines    int      `json:"max_lines,omitempty"`
	BatchLines  int      `json:"batch_lines,omitempty"`
	BatchOrders int      `json:"batch_orders,omitempty"`
}

// Wave is what a wave created: the lists and the order lines (or parts
// of them) no stock was found for.
type Wave struct {
	Lists       []PickList    `json:"lists"`
	Unallocated []Unallocated `json:"unallocated"`
}

// maxWaveLines bounds the lines of one wave.
const maxWaveLines = 100000

// CreatePickWave allocates a wave in one transaction.
func (c *Catalog) CreatePickWave(ctx context.Context, req WaveRequest) (Wave, error) {
	var wave Wave
	for _, v := range []struct {
		field string
		n     int
	}{{"max_lines", req.MaxLines}, {"batch_lines", req.BatchLines}, {"batch_orders", req.BatchOrders}} {
		if v.n < 0 || v.n > 1000 {
			return wave, &Error{Code: EInvalid, Field: v.field, Message: v.field + " must be from 1 to 1000 (0: the default)"}
		}
	}
	err := c.store.UpdateCatalog(ctx, func(ctx context.Context, tx CatalogTx) error {
		wave = Wave{}
		ptx, err := picking(tx)
		if err != nil {
			return err
		}
		w, err := tx.Warehouse(ctx, req.Warehouse)
		if err != nil {
			return err
		}
		if w.Archived {
			return &Error{Code: EInvalid, Field: "warehouse", Message: fmt.Sprintf("warehouse %s is archived", w.Code)}
		}
		orders, err := waveOrders(ctx, ptx, req)
		if err != nil {
			return err
		}
		held, err := heldPickLists(ctx, ptx, req.Warehouse)
		if err != nil {
			return err
		}
		in, err := allocInput(ctx, ptx, req.Warehouse, held, orders)
		if err != nil {
			return err
		}
		in.MaxLines, in.BatchLines, in.BatchOrders = req.MaxLines, req.BatchLines, req.BatchOrders
		alloc := Allocate(in)
		wave.Unallocated = alloc.Unallocated
		if len(alloc.Lists) == 0 {
			return nil
		}
		n, err := ptx.NextPickListNumber(ctx)
		if err != nil {
			return err
		}
		for i, al := range alloc.Lists {
			p := PickList{ID: PickListID(n + int64(i)), Warehouse: req.Warehouse, Status: PLOpen, Orders: al.Orders}
			appendTasks(&p, al.Tasks, nil)
			pos, err := ptx.PutPickList(ctx, p)
			if err != nil {
				return err
			}
			p.Position = pos
			wave.Lists = append(wave.Lists, p)
		}
		return nil
	})
	if err != nil {
		return Wave{}, fmt.Errorf("create pick wave for %s: %w", req.Warehouse, err)
	}
	if wave.Lists == nil {
		wave.Lists = []PickList{}
	}
	if wave.Unallocated == nil {
		wave.Unallocated = []Unallocated{}
	}
	return wave, nil
}

// waveOrders returns the orders a wave allocates, by number.
func waveOrders(ctx context.Context, tx PickingTx, req WaveRequest) ([]SalesOrder, error) {
	if len(req.Orders) == 0 {
		var out []SalesOrder
		for _, st := range []SalesOrderStatus{SOOpen, SOPartiallyPicked} {
			os, err := tx.SalesOrders(ctx, ListFilter{Warehouse: req.Warehouse, Status: string(st)})
			if err != nil {
				return nil, err
			}
			out = append(out, os...)
		}
		slices.SortFunc(out, func(a, b SalesOrder) int { return strings.Compare(a.Number, b.Number) })
		return out, nil
	}
	out := make([]SalesOrder, 0, len(req.Orders))
	seen := map[string]bool{}
	for _, n := range req.Orders {
		if seen[n] {
			continue
		}
		seen[n] = true
		o, err := tx.SalesOrder(ctx, n)
		if IsNotFound(err) {
			return nil, &Error{Code: EInvalid, Field: "orders", Message: fmt.Sprintf("no sales order %s", n)}
		}
		if err != nil {
			return nil, err
		}
		switch {
		case o.Warehouse != req.Warehouse:
			return nil, &Error{Code: EInvalid, Field: "orders", Message: fmt.Sprintf("sales order %s belongs to warehouse %s", n, o.Warehouse)}
		case o.Archived || (o.Status != SOOpen && o.Status != SOPartiallyPicked):
			return nil, &Error{Code: EInvalid, Field: "orders", Message: fmt.Sprintf("sales order %s is %s: only open and partially picked orders are picked", n, o.Status)}
		}
		out = append(out, o)
	}
	return out, nil
}

// heldPickLists returns a warehouse's lists that are open, assigned or
// in progress.
func heldPickLists(ctx context.Context, tx PickingReadTx, warehouse string) ([]PickList, error) {
	var out []PickList
	for _, st := range heldPickListStatuses {
		ps, err := tx.PickLists(ctx, ListFilter{Warehouse: warehouse, Status: string(st)})
		if err != nil {
			return nil, err
		}
		out = append(out, ps...)
	}
	return out, nil
}

// allocInput reads what allocating orders needs: their lines' remainders
// (quantity less picked less what open tasks already hold), the stock at
// the warehouse's bins, lot expiries, the open tasks' reservations and
// the bins waiting for a count after a short pick.
func allocInput(ctx context.Context, tx PickingReadTx, warehouse string, held []PickList, orders []SalesOrder) (AllocInput, error) {
	in := AllocInput{Reserved: map[PickKey]int64{}, Exclude: map[PickKey]bool{}}
	// A bin found short is left alone until it is counted.
	cts, err := tx.CountTasks(ctx, CountTaskFilter{Warehouse: warehouse, Held: true})
	if err != nil {
		return in, err
	}
	for _, ct := range cts {
		if ct.SKU != "" {
			in.Exclude[PickKey{ct.Location, ct.SKU, ct.Lot}] = true
		}
	}
	onTasks := map[[2]string]int64{} // order, SKU → open tasks' remainder
	for _, p := range held {
		for _, t := range p.Tasks {
			if t.Status != TaskOpen || t.Qty <= t.Picked {
				continue
			}
			in.Reserved[PickKey{t.Location, t.SKU, t.Lot}] += t.Qty - t.Picked
			onTasks[[2]string{t.Order, t.SKU}] += t.Qty - t.Picked
		}
	}
	skuSet := map[string]bool{}
	for _, o := range orders {
		ao := AllocOrder{Number: o.Number}
		for _, ln := range o.Lines {
			if rest := ln.Qty - ln.Picked - onTasks[[2]string{o.Number, ln.SKU}]; rest > 0 {
				ao.Lines = append(ao.Lines, AllocLine{SKU: ln.SKU, Qty: rest})
				skuSet[ln.SKU] = true
			}
		}
		if len(ao.Lines) > 0 {
			in.Orders = append(in.Orders, ao)
		}
	}
	if len(skuSet) == 0 {
		return in, nil
	}
	skus := make([]string, 0, len(skuSet))
	for s := range skuSet {
		skus = append(skus, s)
	}
	slices.Sort(skus)
	stock, err := pickableStock(ctx, tx, warehouse, skus)
	if err != nil {
		return in, err
	}
	in.Stock = stock
	return in, nil
}

// pickableStock returns the stock of the SKUs at the warehouse's active
// bins, with the bins' sequences and the lots' expiries.
func pickableStock(ctx context.Context, tx PickingReadTx, warehouse string, skus []string) ([]AllocStock, error) {
	bins, err := tx.Locations(ctx, ListFilter{Warehouse: warehouse, Type: string(LocationBin)})
	if err != nil {
		return nil, err
	}
	seq := make(map[string]int64, len(bins))
	for _, b := range bins {
		seq[b.Code] = b.Sequence
	}
	levels, err := tx.PickStock(ctx, warehouse, skus)
	if err != nil {
		return nil, err
	}
	exp, err := tx.LotExpiries(ctx, skus)
	if err != nil {
		return nil, err
	}
	out := make([]AllocStock, 0, len(levels))
	for _, l := range levels {
		s, ok := seq[l.Location]
		if !ok || l.Qty <= 0 {
			continue
		}
		out = append(out, AllocStock{Location: l.Location, Sequence: s, SKU: l.SKU, Lot: l.Lot,
			Expiry: exp[LotKey{l.SKU, l.Lot}], Qty: l.Qty})
	}
	return out, nil
}

// appendTasks adds allocated tasks to a list, numbering their IDs after
// the list's existing tasks, and puts the list in walking order again
// (seq has the sequences of the existing tasks' locations).
func appendTasks(p *PickList, tasks []AllocTask, seq map[string]int64) {
	n := 0
	for _, t := range p.Tasks {
		if _, num, ok := strings.Cut(t.ID, "/"); ok {
			if k, err := strconv.Atoi(num); err == nil && k > n {
				n = k
			}
		}
	}
	// Walk entries carry the task's ID in Order: ties after location,
	// SKU and lot fall back to the ID, not to the sales order.
	walk := make([]AllocTask, 0, len(p.Tasks)+len(tasks))
	byID := make(map[string]PickTask, len(p.Tasks)+len(tasks))
	for _, t := range p.Tasks {
		byID[t.ID] = t
		walk = append(walk, AllocTask{Order: t.ID, Location: t.Location, Sequence: seq[t.Location], SKU: t.SKU, Lot: t.Lot})
	}
	for _, t := range tasks {
		n++
		id := p.ID + "/" + strconv.Itoa(n)
		byID[id] = PickTask{ID: id, Order: t.Order, Location: t.Location, SKU: t.SKU, Lot: t.Lot, Expiry: t.Expiry,
			Qty: t.Qty, Status: TaskOpen}
		walk = append(walk, AllocTask{Order: id, Location: t.Location, Sequence: t.Sequence, SKU: t.SKU, Lot: t.Lot})
		if !slices.Contains(p.Orders, t.Order) {
			p.Orders = append(p.Orders, t.Order)
		}
	}
	SortWalking(walk)
	p.Tasks = make([]PickTask, len(walk))
	for i, w := range walk {
		t := byID[w.Order]
		t.Seq = int64(i + 1)
		p.Tasks[i] = t
	}
}

// AssignPickList assigns an open, assigned or in-progress list to a user.
func (c *Catalog) AssignPickList(ctx context.Context, id, user string) (PickList, error) {
	var out PickList
	err := c.store.UpdateCatalog(ctx, func(ctx context.Context, tx CatalogTx) error {
		ptx, err := picking(tx)
		if err != nil {
			return err
		}
		if err := activeUser(ctx, tx, user); err != nil {
			return err
		}
		p, err := ptx.PickList(ctx, id)
		if err != nil {
			return err
		}
		if !p.Held() {
			return Errorf(EConflict, "pick list %s is %s: only open, assigned or in-progress lists can be assigned", id, p.Status)
		}
		if p.AssignedTo == user {
			out = p
			return nil
		}
		p.AssignedTo = user
		if p.Status == PLOpen {
			p.Status = PLAssigned
		}
		if p.Position, err = ptx.PutPickList(ctx, p); err != nil {
			return err
		}
		out = p
		return nil
	})
	if err != nil {
		return PickList{}, fmt.Errorf("assign pick list %s to %s: %w", id, user, err)
	}
	return out, nil
}

func activeUser(ctx context.Context, tx CatalogReadTx, code string) error {
	if code == "" {
		return &Error{Code: EInvalid, Field: "user", Message: "user is required"}
	}
	u, err := tx.User(ctx, code)
	if IsNotFound(err) {
		return &Error{Code: EInvalid, Field: "user", Message: fmt.Sprintf("no user %s", code)}
	}
	if err != nil {
		return err
	}
	if u.Archived {
		return &Error{Code: EInvalid, Field: "user", Message: fmt.Sprintf("user %s is archived", code)}
	}
	return nil
}

// NextPickList assigns the oldest open, unassigned list of a warehouse to
// a user; ENotFound when none waits.
func (c *Catalog) NextPickList(ctx context.Context, warehouse, user string) (PickList, error) {
	var out PickList
	err := c.store.UpdateCatalog(ctx, func(ctx context.Context, tx CatalogTx) error {
		ptx, err := picking(tx)
		if err != nil {
			return err
		}
		if err := activeUser(ctx, tx, user); err != nil {
			return err
		}
		f := ListFilter{Warehouse: warehouse, Status: string(PLOpen), Limit: 100}
		for {
			ps, err := ptx.PickLists(ctx, f)
			if err != nil {
				return err
			}
			for _, p := range ps {
				if p.AssignedTo != "" {
					continue
				}
				p.AssignedTo, p.Status = user, PLAssigned
				if p.Position, err = ptx.PutPickList(ctx, p); err != nil {
					return err
				}
				out = p
				return nil
			}
			if len(ps) < 100 {
				return Errorf(ENotFound, "no open pick list of warehouse %s waits for a picker", warehouse)
			}
			f.After = &CatalogKey{Warehouse: warehouse, Code: ps[len(ps)-1].ID}
		}
	})
	if err != nil {
		return PickList{}, fmt.Errorf("next pick list of %s for %s: %w", warehouse, user, err)
	}
	return out, nil
}

// CancelPickList cancels a list that is not done: its open tasks are
// cancelled and their stock is free again. Cancelling twice changes
// nothing the second time.
func (c *Catalog) CancelPickList(ctx context.Context, id string) (PickList, error) {
	var out PickList
	err := c.store.UpdateCatalog(ctx, func(ctx context.Context, tx CatalogTx) error {
		ptx, err := picking(tx)
		if err != nil {
			return err
		}
		p, err := ptx.PickList(ctx, id)
		if err != nil {
			return err
		}
		switch p.Status {
		case PLCancelled:
			out = p
			return nil
		case PLDone:
			return Errorf(EConflict, "pick list %s is done and cannot be cancelled", id)
		}
		p.Status = PLCancelled
		for i := range p.Tasks {
			if p.Tasks[i].Status == TaskOpen {
				p.Tasks[i].Status = TaskCancelled
			}
		}
		if p.Position, err = ptx.PutPickList(ctx, p); err != nil {
			return err
		}
		out = p
		return nil
	})
	if err != nil {
		return PickList{}, fmt.Errorf("cancel pick list %s: %w", id, err)
	}
	return out, nil
}

// CountTasks lists count tasks, oldest first.
func (c *Catalog) CountTasks(ctx context.Context, f CountTaskFilter) ([]CountTask, error) {
	var out []CountTask
	err := c.store.ViewCatalog(ctx, func(ctx context.Context, tx CatalogReadTx) error {
		ptx, err := pickingRead(tx)
		if err != nil {
			return err
		}
		out, err = ptx.CountTasks(ctx, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list count tasks: %w", err)
	}
	return out, nil
}
