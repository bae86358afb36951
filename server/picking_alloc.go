package server

import (
	"cmp"
	"slices"
)

// Allocation of sales order lines to stock: a pure function over what
// the store read (Allocate), so that its rules are table-tested apart
// from storage.
//
// Rules, per order line in the order given:
//   - only the stock at the bins given, less what open tasks already
//     reserve there and what earlier lines of the same run took;
//   - FEFO: the rows of the lot that expires first go first; lots without
//     a known expiry (and stock without a lot) come last;
//   - among rows of one expiry, fewest locations: a row that covers the
//     whole remainder first (the earliest in walking order among those),
//     else the largest row (ties: the earliest in walking order);
//   - what cannot be allocated is reported, line by line.
//
// Lists: an order with more than BatchLines tasks gets lists of its own,
// split every MaxLines tasks in walking order; smaller orders are batched,
// up to BatchOrders orders and MaxLines tasks per list. Tasks within a
// list are in walking order: the location's sequence, then its code, SKU,
// lot and order.

// Allocation defaults.
const (
	DefaultMaxLines    = 25
	DefaultBatchLines  = 5
	DefaultBatchOrders = 4
)

// PickKey is a stock key within one warehouse.
type PickKey struct {
	Location, SKU, Lot string
}

// AllocStock is stock on hand at a bin.
type AllocStock struct {
	Location string
	// Sequence is the location's place in the walking order.
	Sequence int64
	SKU, Lot string
	// Expiry is the lot's expiry date, YYYY-MM-DD ("" when unknown).
	Expiry string
	Qty    int64
}

// AllocLine is what is left to allocate of one sales order line.
type AllocLine struct {
	SKU string
	Qty int64
}

// AllocOrder is a sales order to allocate, with its lines' remainders.
type AllocOrder struct {
	Number string
	Lines  []AllocLine
}

// AllocInput is what an allocation works on.
type AllocInput struct {
	Orders []AllocOrder
	Stock  []AllocStock
	// Reserved is what open tasks already take at a key (their quantity
	// less what was picked).
	Reserved map[PickKey]int64
	// Exclude lists keys not to allocate from at all (a bin just found
	// short, until it is counted).
	Exclude map[PickKey]bool
	// MaxLines, BatchLines and BatchOrders shape the lists (defaults
	// when 0). BatchOrders 1 turns batching off.
	MaxLines, BatchLines, BatchOrders int
}

// AllocTask is one allocated stop.
type AllocTask struct {
	Order    string
	Location string
	Sequence int64
	SKU, Lot string
	Expiry   string
	Qty      int64
}

// AllocList is one pick list's orders and tasks, in walking order.
type AllocList struct {
	Orders []string
	Tasks  []AllocTask
}

// Unallocated is the part of an order line no stock was found for.
type Unallocated struct {
	Order string `json:"order"`
	SKU   string `json:"sku"`
	Qty   int64  `json:"qty"`
}

// Allocation is the result: the lists to create and what is left.
type Allocation struct {
	Lists       []AllocList
	Unallocated []Unallocated
}

// allocRow is a stock row and what is still free of it.
type allocRow struct {
	AllocStock
	free int64
}

// fefoLess orders the rows of one SKU: known expiry first, earliest
// first; then walking order.
func fefoLess(a, b *allocRow) int {
	if c := boolCmp(a.Expiry == "", b.Expiry == ""); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Expiry, b.Expiry); c != 0 {
		return c
	}
	return walkCmp(a.Sequence, a.Location, b.Sequence, b.Location)
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

func walkCmp(seqA int64, locA string, seqB int64, locB string) int {
	if c := cmp.Compare(seqA, seqB); c != 0 {
		return c
	}
	return cmp.Compare(locA, locB)
}

// Allocate allocates the orders' lines (see the rules above).
func Allocate(in AllocInput) Allocation {
	maxLines, batchLines, batchOrders := in.MaxLines, in.BatchLines, in.BatchOrders
	if maxLines <= 0 {
		maxLines = DefaultMaxLines
	}
	if batchLines <= 0 {
		batchLines = DefaultBatchLines
	}
	if batchOrders <= 0 {
		batchOrders = DefaultBatchOrders
	}
	wanted := map[string]bool{}
	for _, o := range in.Orders {
		for _, ln := range o.Lines {
			wanted[ln.SKU] = true
		}
	}
	rows := make([]allocRow, 0, len(in.Stock))
	for _, s := range in.Stock {
		if !wanted[s.SKU] {
			continue
		}
		k := PickKey{s.Location, s.SKU, s.Lot}
		if in.Exclude[k] {
			continue
		}
		free := s.Qty - in.Reserved[k]
		if free > 0 {
			rows = append(rows, allocRow{AllocStock: s, free: free})
		}
	}
	bySKU := map[string][]*allocRow{}
	for i := range rows {
		bySKU[rows[i].SKU] = append(bySKU[rows[i].SKU], &rows[i])
	}
	for _, rs := range bySKU {
		slices.SortFunc(rs, fefoLess)
	}

	var out Allocation
	var batch AllocList
	flush := func() {
		if len(batch.Orders) > 0 {
			out.Lists = append(out.Lists, batch)
		}
		batch = AllocList{}
	}
	for _, o := range in.Orders {
		var tasks []AllocTask
		for _, ln := range o.Lines {
			if ln.Qty <= 0 {
				continue
			}
			got, left := allocateLine(bySKU[ln.SKU], o.Number, ln.SKU, ln.Qty)
			tasks = append(tasks, got...)
			if left > 0 {
				out.Unallocated = append(out.Unallocated, Unallocated{Order: o.Number, SKU: ln.SKU, Qty: left})
			}
		}
		if len(tasks) == 0 {
			continue
		}
		SortWalking(tasks)
		if batchOrders > 1 && len(tasks) <= batchLines {
			if len(batch.Orders) == batchOrders || len(batch.Tasks)+len(tasks) > maxLines {
				flush()
			}
			batch.Orders = append(batch.Orders, o.Number)
			batch.Tasks = append(batch.Tasks, tasks...)
			continue
		}
		for len(tasks) > 0 {
			n := min(len(tasks), maxLines)
			out.Lists = append(out.Lists, AllocList{Orders: []string{o.Number}, Tasks: tasks[:n:n]})
			tasks = tasks[n:]
		}
	}
	flush()
	for i := range out.Lists {
		SortWalking(out.Lists[i].Tasks)
	}
	return out
}

// allocateLine takes qty of a SKU from its rows (sorted by fefoLess),
// returning the tasks and what is left unallocated.
func allocateLine(rows []*allocRow, order, sku string, qty int64) ([]AllocTask, int64) {
	var tasks []AllocTask
	for start := 0; start < len(rows) && qty > 0; {
		// One expiry group: rows[start:end].
		end := start + 1
		for end < len(rows) && rows[end].Expiry == rows[start].Expiry {
			end++
		}
		group := rows[start:end]
		for qty > 0 {
			var best *allocRow
			for _, r := range group { // rows are in walking order within the group
				if r.free >= qty {
					best = r
					break
				}
			}
			if best == nil {
				for _, r := range group {
					if r.free > 0 && (best == nil || r.free > best.free) {
						best = r
					}
				}
			}
			if best == nil {
				break
			}
			take := min(best.free, qty)
			best.free -= take
			qty -= take
			tasks = append(tasks, AllocTask{Order: order, Location: best.Location, Sequence: best.Sequence,
				SKU: sku, Lot: best.Lot, Expiry: best.Expiry, Qty: take})
		}
		start = end
	}
	return tasks, qty
}

// SortWalking sorts tasks in walking order: location sequence, location
// code, SKU, lot, order.
func SortWalking(tasks []AllocTask) {
	slices.SortStableFunc(tasks, func(a, b AllocTask) int {
		if c := walkCmp(a.Sequence, a.Location, b.Sequence, b.Location); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(a.SKU, b.SKU), cmp.Compare(a.Lot, b.Lot), cmp.Compare(a.Order, b.Order))
	})
}
