package server

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"
)

// Purchase-order drafts: Generate makes one draft per supplier of a
// warehouse from the current suggestions of its rules (a supplier's open
// draft is rewritten rather than doubled). A supervisor edits quantities,
// then approves a draft, which creates an open purchase order (number
// "RPO-" and the draft's digits, expected after the supplier's lead time):
// a receiving target on the warehouse's devices, counted as on order from
// then on; or discards it. Approvals and discards are audited.

// Draft statuses.
const (
	DraftOpen      = "open"
	DraftApproved  = "approved"
	DraftDiscarded = "discarded"
)

// OrderDraft is a purchase-order draft for one supplier. ID is "DR-" and six
// or more digits.
type OrderDraft struct {
	ID           string           `json:"id"`
	Warehouse    string           `json:"warehouse"`
	Supplier     string           `json:"supplier"`
	SupplierName string           `json:"supplier_name"`
	Status       string           `json:"status"`
	Lines        []OrderDraftLine `json:"lines"`
	Value        int64            `json:"value"` // cents: Σ qty × unit cost
	CreatedAt    time.Time        `json:"created_at"`
	UpdatedAt    time.Time        `json:"updated_at"`
	Order        string           `json:"order,omitempty"` // the purchase order, once approved
	DecidedBy    string           `json:"decided_by,omitempty"`
	DecidedAt    time.Time        `json:"decided_at,omitzero"`
	Reason       string           `json:"reason,omitempty"` // a discard's
}

// OrderDraftLine is one SKU of a draft.
type OrderDraftLine struct {
	SKU       string `json:"sku"`
	Name      string `json:"name"`
	Qty       int64  `json:"qty"`       // to order: suggested, or as edited
	Suggested int64  `json:"suggested"` // when generated (0: added by hand)
	UnitCost  int64  `json:"unit_cost"`
	Why       string `json:"why"`
}

// OrderDraftFilter selects drafts; empty fields match everything.
type OrderDraftFilter struct {
	Warehouse, Supplier, Status string
	Limit                       int
}

// DraftID is the ID of the n-th draft.
func DraftID(n int64) string { return numberedID("DR", n) }

// ParseDraftID returns the number of a draft ID.
func ParseDraftID(id string) (int64, bool) { return parseNumbered("DR", id) }

func (d *OrderDraft) total() {
	d.Value = 0
	for _, ln := range d.Lines {
		d.Value += ln.Qty * ln.UnitCost
	}
}

// GenerateDrafts writes one open draft per supplier with something to
// order in a warehouse and returns them by supplier.
func (r *Replenisher) GenerateDrafts(ctx context.Context, warehouse string) ([]OrderDraft, error) {
	now := r.cat.now().UTC()
	var out []OrderDraft
	err := r.cat.store.UpdateCatalog(ctx, func(ctx context.Context, tx CatalogTx) error {
		out = nil
		rtx, err := replenishWrite(tx)
		if err != nil {
			return err
		}
		if _, err := tx.Warehouse(ctx, warehouse); err != nil {
			return invalidRef("warehouse", err)
		}
		rules, err := rtx.ReorderRules(ctx, warehouse)
		if err != nil {
			return err
		}
		ps, err := positions(ctx, tx, warehouse, nil)
		if err != nil {
			return err
		}
		bySup := map[string][]OrderDraftLine{}
		for _, rl := range rules {
			p := Position{}
			if q := ps[rl.SKU]; q != nil {
				p = *q
			}
			q := rl.Suggest(p)
			if q <= 0 {
				continue
			}
			s, err := tx.SKU(ctx, rl.SKU)
			if err != nil {
				return err
			}
			if s.Archived {
				continue
			}
			why := fmt.Sprintf("position %d (on hand %d + on order %d − allocated %d) at or below reorder point %d; up to %d",
				p.Inventory(), p.OnHand, p.OnOrder, p.Allocated, rl.ReorderPoint, rl.Target)
			if rl.OrderMultiple > 1 {
				why += fmt.Sprintf("; multiple %d", rl.OrderMultiple)
			}
			if rl.MinOrderQty > 0 {
				why += fmt.Sprintf("; minimum %d", rl.MinOrderQty)
			}
			bySup[rl.Supplier] = append(bySup[rl.Supplier], OrderDraftLine{SKU: rl.SKU, Name: s.Name, Qty: q, Suggested: q, UnitCost: s.UnitCost, Why: why})
		}
		sups := make([]string, 0, len(bySup))
		for s := range bySup {
			sups = append(sups, s)
		}
		slices.Sort(sups)
		for _, sup := range sups {
			d := OrderDraft{Warehouse: warehouse, Supplier: sup, Status: DraftOpen, CreatedAt: now}
			open, err := rtx.PODrafts(ctx, OrderDraftFilter{Warehouse: warehouse, Supplier: sup, Status: DraftOpen, Limit: 1})
			if err != nil {
				return err
			}
			if len(open) > 0 {
				d = open[0]
			}
			if s, err := tx.Supplier(ctx, sup); err == nil {
				d.SupplierName = s.Name
			}
			d.Lines, d.UpdatedAt = bySup[sup], now
			d.total()
			if d, err = rtx.PutPODraft(ctx, d); err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("generate purchase-order drafts for %s: %w", warehouse, err)
	}
	if out == nil {
		out = []OrderDraft{}
	}
	return out, nil
}

// PODrafts lists drafts, newest first.
func (r *Replenisher) PODrafts(ctx context.Context, f OrderDraftFilter) ([]OrderDraft, error) {
	var out []OrderDraft
	err := r.cat.store.ViewCatalog(ctx, func(ctx context.Context, tx CatalogReadTx) error {
		rtx, err := replenishRead(tx)
		if err != nil {
			return err
		}
		out, err = rtx.PODrafts(ctx, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list purchase-order drafts: %w", err)
	}
	return out, nil
}

// OrderDraft returns one draft.
func (r *Replenisher) PODraft(ctx context.Context, id string) (OrderDraft, error) {
	var out OrderDraft
	err := r.cat.store.ViewCatalog(ctx, func(ctx context.Context, tx CatalogReadTx) error {
		rtx, err := replenishRead(tx)
		if err != nil {
			return err
		}
		out, err = rtx.PODraft(ctx, id)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("get purchase-order draft %s: %w", id, err)
	}
	return out, nil
}

// DraftQty is an edit of one line: qty 0 removes the SKU, a SKU not on
// the draft is added.
type DraftQty struct {
	SKU string `json:"sku"`
	Qty int64  `json:"qty"`
}

// UpdatePODraft edits an open draft's quantities.
func (r *Replenisher) UpdatePODraft(ctx context.Context, id string, edits []DraftQty) (OrderDraft, error) {
	return r.decide(ctx, id, "edit purchase-order draft "+id, func(tx CatalogTx, d *OrderDraft) error {
		for _, e := range edits {
			if e.Qty < 0 {
				return &Error{Code: EInvalid, Field: "lines.qty", Message: "qty must not be negative"}
			}
			i := slices.IndexFunc(d.Lines, func(l OrderDraftLine) bool { return l.SKU == e.SKU })
			switch {
			case i >= 0 && e.Qty == 0:
				d.Lines = slices.Delete(d.Lines, i, i+1)
			case i >= 0:
				d.Lines[i].Qty = e.Qty
			case e.Qty > 0:
				s, err := tx.SKU(ctx, e.SKU)
				if err != nil {
					return invalidRef("lines.sku", err)
				}
				d.Lines = append(d.Lines, OrderDraftLine{SKU: s.Code, Name: s.Name, Qty: e.Qty, UnitCost: s.UnitCost, Why: "added by hand"})
			}
		}
		d.total()
		return nil
	})
}

// ApprovePODraft turns an open draft into an open purchase order.
func (r *Replenisher) ApprovePODraft(ctx context.Context, id string) (OrderDraft, PurchaseOrder, error) {
	var po PurchaseOrder
	d, err := r.decide(ctx, id, "approve purchase-order draft "+id, func(tx CatalogTx, d *OrderDraft) error {
		if len(d.Lines) == 0 {
			return Errorf(EConflict, "draft %s has no lines: discard it instead", id)
		}
		n, _ := ParseDraftID(d.ID)
		po = PurchaseOrder{Number: numberedID("RPO", n), Supplier: d.Supplier, Warehouse: d.Warehouse, Status: POOpen}
		if s, err := tx.Supplier(ctx, d.Supplier); err == nil && s.LeadTimeDays > 0 {
			po.ExpectedDate = r.cat.now().UTC().AddDate(0, 0, int(math.Min(float64(s.LeadTimeDays), 3650))).Format(time.DateOnly)
		}
		for _, ln := range d.Lines {
			po.Lines = append(po.Lines, PurchaseOrderLine{SKU: ln.SKU, Ordered: ln.Qty})
		}
		if err := r.cat.PurchaseOrders.ready(&po); err != nil {
			return err
		}
		if _, err := tx.PurchaseOrder(ctx, po.Number); err == nil {
			return Errorf(EConflict, "purchase order %s already exists", po.Number)
		} else if !IsNotFound(err) {
			return err
		}
		ck := newChecker(ctx, tx, true)
		ck.purchaseOrder(&po, nil)
		if err := ck.first(); err != nil {
			return err
		}
		if err := r.cat.PurchaseOrders.write(ctx, tx, &po); err != nil {
			return err
		}
		d.Status, d.Order = DraftApproved, po.Number
		return Audit(ctx, tx, AuditEntry{At: r.cat.now().UTC(), Actor: ActorFrom(ctx), Action: AuditDraftApprove, Subject: d.ID,
			Warehouse: d.Warehouse, Details: map[string]any{"supplier": d.Supplier, "order": po.Number, "lines": len(d.Lines), "value": d.Value}})
	})
	return d, po, err
}

// DiscardPODraft discards an open draft.
func (r *Replenisher) DiscardPODraft(ctx context.Context, id, reason string) (OrderDraft, error) {
	return r.decide(ctx, id, "discard purchase-order draft "+id, func(tx CatalogTx, d *OrderDraft) error {
		d.Status, d.Reason = DraftDiscarded, reason
		return Audit(ctx, tx, AuditEntry{At: r.cat.now().UTC(), Actor: ActorFrom(ctx), Action: AuditDraftDiscard, Subject: d.ID,
			Warehouse: d.Warehouse, Details: map[string]any{"supplier": d.Supplier, "lines": len(d.Lines), "value": d.Value, "reason": reason}})
	})
}

// decide changes an open draft in one transaction.
func (r *Replenisher) decide(ctx context.Context, id, op string, fn func(CatalogTx, *OrderDraft) error) (OrderDraft, error) {
	var out OrderDraft
	err := r.cat.store.UpdateCatalog(ctx, func(ctx context.Context, tx CatalogTx) error {
		rtx, err := replenishWrite(tx)
		if err != nil {
			return err
		}
		d, err := rtx.PODraft(ctx, id)
		if err != nil {
			return err
		}
		if d.Status != DraftOpen {
			return Errorf(EConflict, "draft %s is %s", id, d.Status)
		}
		if err := fn(tx, &d); err != nil {
			return err
		}
		now := r.cat.now().UTC()
		d.UpdatedAt = now
		if d.Status != DraftOpen {
			d.DecidedBy, d.DecidedAt = ActorFrom(ctx), now
		}
		out, err = rtx.PutPODraft(ctx, d)
		return err
	})
	if err != nil {
		return OrderDraft{}, fmt.Errorf("%s: %w", op, err)
	}
	return out, nil
}
