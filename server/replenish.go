package server

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Replenishment: reorder rules per (warehouse, SKU), the suggestions they
// make, low-stock alerts (alerts.go), webhooks that deliver them
// (webhook.go) and purchase-order drafts (replenish_drafts.go).
//
// A rule's method is rop (the default) or minmax.
//
// rop: from the SKU's daily consumed units in the warehouse over the last
// ReviewWeeks weeks (usage_daily, days without usage count as 0, ending
// the day before the recompute), with L the lead time in days (the
// rule's, else the supplier's; fractions of a day allowed, so a lead time
// under a day works) and z the standard normal quantile of the service
// level (0.95 → 1.645):
//
//	mean = Σ d / n                  σ = sample standard deviation of d (0 when n < 2)
//	safety stock = z × σ × √L       lead demand = mean × L
//	ROP    = ⌈lead demand + safety stock⌉
//	target = ROP + ⌈lead demand⌉
//
// minmax: ROP = Min, target = Max. OverrideROP, when set, replaces the
// computed ROP by hand (target = override + ⌈lead demand⌉, or Max).
//
// Position: on hand = the warehouse's stock of the SKU outside quarantine
// and transit locations; on order = the open and partially received
// purchase orders' ordered − received (never below 0 a line); allocated =
// the held pick lists' open tasks' qty − picked. Available = on hand −
// allocated; inventory position = on hand + on order − allocated.
//
// Suggested quantity: when the inventory position is at or below ROP,
// target − position rounded up to the order multiple, and at least the
// minimum order quantity (itself rounded up to the multiple); else 0.

// Reorder methods.
const (
	MethodROP    = "rop"
	MethodMinMax = "minmax"
)

// Rule defaults.
const (
	DefaultServiceLevel = 0.95
	DefaultReviewWeeks  = 8
)

// ReorderRule says when and how much of a SKU a warehouse reorders. The
// fields up to OverrideROP are set by hand (PUT /reorder-rules); the
// rest are computed (daily, and whenever the rule is written).
type ReorderRule struct {
	Warehouse string `json:"warehouse"`
	SKU       string `json:"sku"`
	Method    string `json:"method"`   // rop (default) or minmax
	Supplier  string `json:"supplier"` // who drafts order from; required
	// LeadTimeDays is the lead time in days (fractions allowed); 0: the
	// supplier's.
	LeadTimeDays  float64 `json:"lead_time_days"`
	ServiceLevel  float64 `json:"service_level"` // 0.5 to 0.9999; 0: 0.95
	ReviewWeeks   int     `json:"review_weeks"`  // weeks of usage; 0: 8
	OrderMultiple int64   `json:"order_multiple"`
	MinOrderQty   int64   `json:"min_order_qty"`
	Min           int64   `json:"min"` // minmax
	Max           int64   `json:"max"` // minmax
	// OverrideROP replaces the computed reorder point by hand (null: none).
	OverrideROP *int64 `json:"override_rop"`

	// Computed.
	LeadTime     float64   `json:"lead_time"` // days, as used
	MeanDaily    float64   `json:"mean_daily"`
	StdDevDaily  float64   `json:"stddev_daily"`
	SafetyStock  float64   `json:"safety_stock"`
	ComputedROP  int64     `json:"computed_rop"`
	ReorderPoint int64     `json:"reorder_point"` // in force: override, min or computed
	Target       int64     `json:"target"`
	ComputedAt   time.Time `json:"computed_at,omitzero"`
	UpdatedBy    string    `json:"updated_by,omitempty"`
}

// Validate checks the fields set by hand.
func (r *ReorderRule) Validate() []Problem {
	var ps problems
	ps.code("warehouse", r.Warehouse)
	ps.code("sku", r.SKU)
	ps.code("supplier", r.Supplier)
	switch r.Method {
	case MethodROP, MethodMinMax:
	default:
		ps.add("method", "method %q is not rop or minmax", r.Method)
	}
	if r.LeadTimeDays < 0 || r.LeadTimeDays > 3650 || math.IsNaN(r.LeadTimeDays) {
		ps.add("lead_time_days", "lead_time_days must be from 0 to 3650")
	}
	if r.ServiceLevel < 0.5 || r.ServiceLevel > 0.9999 || math.IsNaN(r.ServiceLevel) {
		ps.add("service_level", "service_level must be from 0.5 to 0.9999")
	}
	if r.ReviewWeeks < 1 || r.ReviewWeeks > 104 {
		ps.add("review_weeks", "review_weeks must be from 1 to 104")
	}
	if r.OrderMultiple < 0 {
		ps.add("order_multiple", "order_multiple must not be negative")
	}
	if r.MinOrderQty < 0 {
		ps.add("min_order_qty", "min_order_qty must not be negative")
	}
	if r.Method == MethodMinMax && (r.Min < 0 || r.Max < r.Min || r.Max == 0) {
		ps.add("max", "a minmax rule needs 0 ≤ min ≤ max and max > 0")
	}
	if r.OverrideROP != nil && *r.OverrideROP < 0 {
		ps.add("override_rop", "override_rop must not be negative")
	}
	return ps
}

// defaults fills the fields left empty.
func (r *ReorderRule) defaults() {
	r.Method = cmp.Or(r.Method, MethodROP)
	if r.ServiceLevel == 0 {
		r.ServiceLevel = DefaultServiceLevel
	}
	if r.ReviewWeeks == 0 {
		r.ReviewWeeks = DefaultReviewWeeks
	}
}

// ROPResult is the arithmetic of a reorder point.
type ROPResult struct {
	Mean, StdDev, SafetyStock, LeadDemand float64
	ReorderPoint, Target                  int64
}

// ZScore is the standard normal quantile of a service level (0 < p < 1).
func ZScore(p float64) float64 { return math.Sqrt2 * math.Erfinv(2*p-1) }

// ComputeROP works out a reorder point from daily demand (one figure per
// day, zeros included), a lead time in days and a service level.
func ComputeROP(daily []int64, leadDays, serviceLevel float64) ROPResult {
	var r ROPResult
	n := float64(len(daily))
	if n == 0 {
		return r
	}
	var sum float64
	for _, d := range daily {
		sum += float64(d)
	}
	r.Mean = sum / n
	if len(daily) > 1 {
		var ss float64
		for _, d := range daily {
			ss += (float64(d) - r.Mean) * (float64(d) - r.Mean)
		}
		r.StdDev = math.Sqrt(ss / (n - 1))
	}
	r.LeadDemand = r.Mean * leadDays
	r.SafetyStock = ZScore(serviceLevel) * r.StdDev * math.Sqrt(leadDays)
	r.ReorderPoint = ceil(r.LeadDemand + r.SafetyStock)
	r.Target = r.ReorderPoint + ceil(r.LeadDemand)
	return r
}

// ceil rounds up, forgiving float noise (2.0000000001 is 2).
func ceil(f float64) int64 {
	if f <= 0 {
		return 0
	}
	return int64(math.Ceil(f - 1e-9))
}

// SuggestQty is how much to order to bring a position up to target,
// rounded up to the multiple (≤ 1: any quantity) and at least the minimum
// order quantity; 0 when position is above rop.
func SuggestQty(rop, target, position, multiple, moq int64) int64 {
	if position > rop {
		return 0
	}
	q := target - position
	if q <= 0 {
		return 0
	}
	q = max(q, moq)
	if multiple > 1 && q%multiple != 0 {
		q += multiple - q%multiple
	}
	return q
}

// apply works out the rule's computed fields from daily demand.
func (r *ReorderRule) apply(daily []int64, supplierLead int64, now time.Time) {
	r.LeadTime = r.LeadTimeDays
	if r.LeadTime == 0 {
		r.LeadTime = float64(supplierLead)
	}
	res := ComputeROP(daily, r.LeadTime, r.ServiceLevel)
	r.MeanDaily, r.StdDevDaily, r.SafetyStock = round3(res.Mean), round3(res.StdDev), round3(res.SafetyStock)
	r.ComputedROP = res.ReorderPoint
	switch {
	case r.Method == MethodMinMax:
		r.ReorderPoint, r.Target = r.Min, r.Max
		if r.OverrideROP != nil {
			r.ReorderPoint = *r.OverrideROP
		}
	case r.OverrideROP != nil:
		r.ReorderPoint = *r.OverrideROP
		r.Target = r.ReorderPoint + ceil(res.LeadDemand)
	default:
		r.ReorderPoint, r.Target = res.ReorderPoint, res.Target
	}
	r.ComputedAt = now.UTC()
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// Position is a SKU's stock position in a warehouse.
type Position struct {
	OnHand    int64 `json:"on_hand"`
	OnOrder   int64 `json:"on_order"`
	Allocated int64 `json:"allocated"`
}

// Available is on hand − allocated.
func (p Position) Available() int64 { return p.OnHand - p.Allocated }

// Inventory is on hand + on order − allocated.
func (p Position) Inventory() int64 { return p.OnHand + p.OnOrder - p.Allocated }

// Suggest is the rule's suggested quantity at a position.
func (r *ReorderRule) Suggest(p Position) int64 {
	if r.ReorderPoint <= 0 && r.Target <= 0 {
		return 0
	}
	return SuggestQty(r.ReorderPoint, r.Target, p.Inventory(), r.OrderMultiple, r.MinOrderQty)
}

// ReplenishReadTx reads replenishment's records. Both stores'
// transactions implement it (found by type assertion).
type ReplenishReadTx interface {
	// ReorderRule returns a rule; false when none.
	ReorderRule(ctx context.Context, warehouse, sku string) (ReorderRule, bool, error)
	// ReorderRules lists a warehouse's rules (every warehouse's when
	// empty) by warehouse and SKU.
	ReorderRules(ctx context.Context, warehouse string) ([]ReorderRule, error)
	Alert(ctx context.Context, id string) (Alert, error) // ENotFound when absent
	// Alerts lists alerts by ID (newest first when f.Newest).
	Alerts(ctx context.Context, f AlertFilter) ([]Alert, error)
	Webhook(ctx context.Context, id string) (Webhook, error) // ENotFound when absent
	Webhooks(ctx context.Context) ([]Webhook, error)
	// Deliveries lists webhook deliveries, newest first unless f.Due.
	Deliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, error)
	PODraft(ctx context.Context, id string) (OrderDraft, error) // ENotFound when absent
	PODrafts(ctx context.Context, f OrderDraftFilter) ([]OrderDraft, error)
}

// ReplenishTx writes replenishment's records.
type ReplenishTx interface {
	ReplenishReadTx
	PutReorderRule(ctx context.Context, r ReorderRule) error
	// PutAlert stores an alert (numbering a new one, ID empty) with the
	// next catalog position, as a record of its warehouse.
	PutAlert(ctx context.Context, a Alert) (Alert, error)
	PutWebhook(ctx context.Context, w Webhook) (Webhook, error) // numbers a new one
	// AddDelivery stores a new delivery; false (and nothing written)
	// when its ID is taken.
	AddDelivery(ctx context.Context, d Delivery) (bool, error)
	// PutDelivery replaces a delivery's state (status, attempts, next).
	PutDelivery(ctx context.Context, d Delivery) error
	PutPODraft(ctx context.Context, d OrderDraft) (OrderDraft, error) // numbers a new one
}

func replenishRead(tx any) (ReplenishReadTx, error) {
	r, ok := tx.(ReplenishReadTx)
	if !ok {
		return nil, Errorf(EInternal, "this store keeps no replenishment")
	}
	return r, nil
}

func replenishWrite(tx any) (ReplenishTx, error) {
	r, ok := tx.(ReplenishTx)
	if !ok {
		return nil, Errorf(EInternal, "this store keeps no replenishment")
	}
	return r, nil
}

// numbered makes and parses the IDs "PREFIX-000001".
func numberedID(prefix string, n int64) string { return fmt.Sprintf("%s-%06d", prefix, n) }

func parseNumbered(prefix, id string) (int64, bool) {
	s, ok := strings.CutPrefix(id, prefix+"-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

// positions works out the stock positions of a warehouse's SKUs (every
// SKU with stock, an order or an allocation when skus is nil).
func positions(ctx context.Context, tx CatalogReadTx, warehouse string, skus []string) (map[string]*Position, error) {
	out := map[string]*Position{}
	get := func(sku string) *Position {
		p := out[sku]
		if p == nil {
			p = &Position{}
			out[sku] = p
		}
		return p
	}
	want := func(sku string) bool { return skus == nil || slices.Contains(skus, sku) }
	excluded := map[string]bool{}
	for _, typ := range []LocationType{LocationQuarantine, LocationTransit} {
		locs, err := tx.Locations(ctx, ListFilter{Warehouse: warehouse, Type: string(typ), Archived: ActiveAndArchived})
		if err != nil {
			return nil, err
		}
		for _, l := range locs {
			excluded[l.Code] = true
		}
	}
	stockOf := func(sku string) error {
		f := StockFilter{Warehouse: warehouse, SKU: sku, Limit: 10000}
		for {
			levels, err := tx.StockLevels(ctx, f)
			if err != nil {
				return err
			}
			for _, l := range levels {
				if !excluded[l.Location] && want(l.SKU) {
					get(l.SKU).OnHand += l.Qty
				}
			}
			if len(levels) < f.Limit {
				return nil
			}
			k := levels[len(levels)-1].StockKey
			f.After = &k
		}
	}
	if skus == nil {
		if err := stockOf(""); err != nil {
			return nil, err
		}
	} else {
		for _, s := range skus {
			get(s)
		}
		// PickStock sees the levels a push transaction changed but has
		// not written yet (SQLite keeps them until commit).
		ptx, ok := tx.(PickingReadTx)
		if !ok {
			return nil, Errorf(EInternal, "this store does not keep pick lists")
		}
		levels, err := ptx.PickStock(ctx, warehouse, skus)
		if err != nil {
			return nil, err
		}
		for _, l := range levels {
			if !excluded[l.Location] {
				get(l.SKU).OnHand += l.Qty
			}
		}
	}
	for _, st := range []PurchaseOrderStatus{POOpen, POPartiallyReceived} {
		pos, err := tx.PurchaseOrders(ctx, ListFilter{Warehouse: warehouse, Status: string(st)})
		if err != nil {
			return nil, err
		}
		for _, o := range pos {
			for _, ln := range o.Lines {
				if want(ln.SKU) {
					get(ln.SKU).OnOrder += max(0, ln.Ordered-ln.Received)
				}
			}
		}
	}
	if ptx, ok := tx.(PickingReadTx); ok {
		for _, st := range heldPickListStatuses {
			lists, err := ptx.PickLists(ctx, ListFilter{Warehouse: warehouse, Status: string(st)})
			if err != nil {
				return nil, err
			}
			for _, pl := range lists {
				for _, t := range pl.Tasks {
					if t.Status == TaskOpen && want(t.SKU) {
						get(t.SKU).Allocated += max(0, t.Qty-t.Picked)
					}
				}
			}
		}
	}
	return out, nil
}
