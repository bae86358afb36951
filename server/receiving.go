package server

import (
	"context"
	"fmt"
	"time"

	"github.com/driftless/driftless/syncproto"
)

// Receiving against purchase orders. A purchase order line's received
// quantity is kept by the server: applying a receive event whose Ref is
// the number of a purchase order of the event's warehouse adds the
// event's Qty to the line of its SKU, in the push's own transaction, so a
// re-sent event (which applies nothing) counts nothing either. The order
// gets a new catalog position, so devices pull the new figures, and its
// status follows: partially_received, then received once every line has
// received at least what was ordered. A receive whose SKU is not on the
// order changes no line (the device records a not_on_po exception).

// poTx is what receiving needs of a push's transaction: the stores'
// transactions are catalog transactions too.
type poTx interface {
	PurchaseOrder(ctx context.Context, number string) (PurchaseOrder, error)
	PutPurchaseOrder(ctx context.Context, o PurchaseOrder) (uint64, error)
}

// catalogLocker is implemented by transactions of stores that serialize
// catalog writers with a lock (PostgreSQL): a push that may write
// purchase orders takes it first, as catalog writes do, before any
// warehouse's lock.
type catalogLocker interface {
	LockCatalog(ctx context.Context) error
}

// receivesAgainstOrders says whether a group may write purchase orders.
func receivesAgainstOrders(group []*pushReq) bool {
	for _, req := range group {
		for i := range req.events {
			if req.events[i].Kind == syncproto.KindReceive && req.events[i].Ref != "" || movesTransfers(&req.events[i]) {
				return true
			}
		}
	}
	return false
}

// receivePO counts an applied receive event against the purchase order
// its Ref names, when that is an order of the device's warehouse with a
// line for the SKU.
func (a *applier) receivePO(ctx context.Context, ev *syncproto.Event) error {
	ptx, ok := a.tx.(poTx)
	if !ok || ev.Kind != syncproto.KindReceive || ev.Ref == "" || a.knownNot("po", ev.Ref) {
		return nil
	}
	o, err := ptx.PurchaseOrder(ctx, ev.Ref)
	if IsNotFound(err) {
		a.notFound("po", ev.Ref)
		return nil // a reference that is not an order (a delivery note)
	}
	if err != nil {
		return fmt.Errorf("receive against purchase order %s: %w", ev.Ref, err)
	}
	if o.Warehouse != a.dev.Warehouse {
		return nil
	}
	line := -1
	for i, ln := range o.Lines {
		if ln.SKU == ev.SKU {
			line = i
			break
		}
	}
	if line < 0 {
		return nil
	}
	o.Lines[line].Received += ev.Qty
	o.Status = statusAfterReceipt(o)
	pos, err := ptx.PutPurchaseOrder(ctx, o)
	if err != nil {
		return fmt.Errorf("receive against purchase order %s: %w", ev.Ref, err)
	}
	a.catalogHead = pos
	return nil
}

// statusAfterReceipt is an order's status once something was received
// against it: only open and partially received orders move (a draft,
// closed or cancelled order keeps its status; a received one stays
// received).
func statusAfterReceipt(o PurchaseOrder) PurchaseOrderStatus {
	if o.Status != POOpen && o.Status != POPartiallyReceived {
		return o.Status
	}
	for _, ln := range o.Lines {
		if ln.Received < ln.Ordered {
			return POPartiallyReceived
		}
	}
	return POReceived
}

// Exception is an exception event as supervisors see it: something a
// clerk flagged on a device (an unknown barcode, an item not on the
// order, a damaged unit).
type Exception struct {
	EventID    string    `json:"event_id"`
	DeviceID   string    `json:"device_id"`
	DeviceName string    `json:"device_name"`
	Warehouse  string    `json:"warehouse"`
	User       string    `json:"user"`
	DeviceTime time.Time `json:"device_time"`
	ReceivedAt time.Time `json:"received_at"`
	Reason     string    `json:"reason"`
	SKU        string    `json:"sku,omitempty"`
	Lot        string    `json:"lot,omitempty"`
	Barcode    string    `json:"barcode,omitempty"`
	Qty        int64     `json:"qty"`
	Ref        string    `json:"ref,omitempty"`
}

// ExceptionFilter selects exceptions; empty fields match everything.
type ExceptionFilter struct {
	Warehouse, Reason, Ref string
	Limit                  int // 0: no limit
}

// maxExceptionScan bounds the exception events one listing reads.
const maxExceptionScan = 100000

// Exceptions lists the applied exception events that f selects, newest
// first.
func (l *Ledger) Exceptions(ctx context.Context, f ExceptionFilter) ([]Exception, error) {
	var out []Exception
	err := l.store.View(ctx, func(ctx context.Context, tx ReadTx) error {
		out = out[:0]
		return eachException(ctx, tx, f.Warehouse, func(x Exception) bool {
			if (f.Reason != "" && x.Reason != f.Reason) || (f.Ref != "" && x.Ref != f.Ref) {
				return true
			}
			out = append(out, x)
			return f.Limit <= 0 || len(out) < f.Limit
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list exceptions: %w", err)
	}
	return out, nil
}

// eachException calls fn with the applied exception events of a
// warehouse, newest first, until it returns false.
func eachException(ctx context.Context, tx ReadTx, warehouse string, fn func(Exception) bool) error {
	recs, err := tx.EventsOfKind(ctx, syncproto.KindException, warehouse, maxExceptionScan)
	if err != nil {
		return err
	}
	devices := map[string]Device{}
	for _, r := range recs {
		if r.Outcome.Status != syncproto.StatusApplied {
			continue
		}
		d, ok := devices[r.Event.DeviceID]
		if !ok {
			if d, err = tx.Device(ctx, r.Event.DeviceID); err != nil {
				return err
			}
			devices[d.ID] = d
		}
		ev := r.Event
		if !fn(Exception{EventID: ev.ID, DeviceID: d.ID, DeviceName: d.Name, Warehouse: d.Warehouse, User: ev.User,
			DeviceTime: ev.DeviceTime.UTC(), ReceivedAt: r.ReceivedAt, Reason: ev.Reason, SKU: ev.SKU, Lot: ev.Lot,
			Barcode: ev.Barcode, Qty: ev.Qty, Ref: ev.Ref}) {
			return nil
		}
	}
	return nil
}

// UnknownBarcode is a scanned value devices did not know, for an admin to
// map to a SKU.
type UnknownBarcode struct {
	Barcode   string `json:"barcode"`
	Warehouse string `json:"warehouse"`
	// Count is how many unknown_barcode exceptions name it; LastSeen is
	// the device time of the newest.
	Count    int       `json:"count"`
	LastSeen time.Time `json:"last_seen"`
}

// UnknownBarcodes lists the distinct barcodes of a warehouse's
// unknown_barcode exceptions (every warehouse's when empty) that are not
// a catalog barcode now, most recently seen first.
func (c *Catalog) UnknownBarcodes(ctx context.Context, warehouse string) ([]UnknownBarcode, error) {
	var out []UnknownBarcode
	err := c.store.ViewCatalog(ctx, func(ctx context.Context, tx CatalogReadTx) error {
		out = out[:0]
		idx := map[[2]string]int{}
		known := map[string]bool{}
		var ferr error
		err := eachException(ctx, tx, warehouse, func(x Exception) bool {
			if x.Reason != "unknown_barcode" || x.Barcode == "" {
				return true
			}
			k := [2]string{x.Warehouse, x.Barcode}
			if i, ok := idx[k]; ok {
				out[i].Count++
				if x.DeviceTime.After(out[i].LastSeen) {
					out[i].LastSeen = x.DeviceTime
				}
				return true
			}
			mapped, ok := known[x.Barcode]
			if !ok {
				if mapped, ferr = inCatalog(ctx, tx, x.Barcode); ferr != nil {
					return false
				}
				known[x.Barcode] = mapped
			}
			if mapped {
				return true
			}
			idx[k] = len(out)
			out = append(out, UnknownBarcode{Barcode: x.Barcode, Warehouse: x.Warehouse, Count: 1, LastSeen: x.DeviceTime})
			return true
		})
		if err == nil {
			err = ferr
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list unknown barcodes: %w", err)
	}
	return out, nil
}

// inCatalog says whether a scanned value is a catalog barcode now, in
// any of a GTIN's lengths (a device may scan a GTIN-13 the catalog holds
// as a GTIN-14 with a leading zero, or the other way round).
func inCatalog(ctx context.Context, tx CatalogReadTx, v string) (bool, error) {
	cands := []string{v}
	if isDigits(v) && len(v) <= 14 {
		core := v
		for len(core) > 8 && core[0] == '0' {
			core = core[1:]
		}
		for _, n := range []int{8, 12, 13, 14} {
			if len(core) <= n {
				c := fmt.Sprintf("%0*s", n, core)
				if c != v {
					cands = append(cands, c)
				}
			}
		}
	}
	for _, c := range cands {
		b, err := tx.Barcode(ctx, c)
		if err == nil && !b.Archived {
			return true, nil
		}
		if err != nil && !IsNotFound(err) {
			return false, err
		}
	}
	return false, nil
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
