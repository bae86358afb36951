package server

import (
	"context"
	"fmt"
	"time"

	"github.com/driftless/driftless/syncproto"
)

// Low-stock alerts. A SKU with a reorder rule is low in a warehouse when
// its available stock (on hand − allocated) is at or below the rule's
// reorder point (and the point is above 0). An alert is raised when the
// SKU becomes low and none is active, and cleared when available rises
// above the reorder point: one alert per crossing, however many events
// happen while it stays low. Alerts are checked in the push transaction
// of every applied event that changes the SKU's stock (only SKUs with a
// rule cost anything) and by the daily job (allocations, rule changes).
//
// Alerts are catalog records of one warehouse (kind alert): each change
// takes a catalog position and that warehouse's devices pull it; an
// active alert is in the snapshot. Raising or clearing one queues a
// delivery to every active webhook subscribed to the event, in the same
// transaction (webhook.go).

// KindAlert is the catalog kind of low-stock alerts.
const KindAlert CatalogKind = "alert"

// Alert statuses.
const (
	AlertActive  = "active"
	AlertCleared = "cleared"
)

// Alert is a low-stock alert. ID is "AL-" and six or more digits. The
// figures are the ones when it was raised; ClearedAt and ClearedAvailable
// are set when it cleared.
type Alert struct {
	ID               string    `json:"id"`
	Warehouse        string    `json:"warehouse"`
	SKU              string    `json:"sku"`
	Available        int64     `json:"available"`
	ReorderPoint     int64     `json:"reorder_point"`
	OnHand           int64     `json:"on_hand"`
	OnOrder          int64     `json:"on_order"`
	Allocated        int64     `json:"allocated"`
	Suggested        int64     `json:"suggested"`
	Supplier         string    `json:"supplier"`
	Status           string    `json:"status"`
	RaisedAt         time.Time `json:"raised_at"`
	ClearedAt        time.Time `json:"cleared_at,omitzero"`
	ClearedAvailable int64     `json:"cleared_available,omitempty"`
	Archived         bool      `json:"archived"`
	Position         uint64    `json:"position"`
}

// AlertID is the ID of the n-th alert.
func AlertID(n int64) string { return numberedID("AL", n) }

// ParseAlertID returns the number of an alert ID.
func ParseAlertID(id string) (int64, bool) { return parseNumbered("AL", id) }

// WireAlert is a as devices receive it.
func WireAlert(a Alert) syncproto.Alert {
	return syncproto.Alert{ID: a.ID, SKU: a.SKU, Available: a.Available, ReorderPoint: a.ReorderPoint, OnOrder: a.OnOrder,
		Suggested: a.Suggested, Status: a.Status, RaisedAt: a.RaisedAt.UTC().Format(time.RFC3339), Archived: a.Archived, Position: a.Position}
}

// AlertFilter selects alerts; empty fields match everything.
type AlertFilter struct {
	Warehouse, SKU, Status string
	After                  string // the ID of the last alert of the previous page
	Newest                 bool
	Limit                  int // 0: no limit
}

// alertCheck is the outcome of checking one SKU.
type alertCheck struct {
	raised, cleared *Alert
}

// checkAlert raises or clears the SKU's alert for its rule at a position
// (the SKU's, as tx sees it) and queues the webhook deliveries.
func checkAlert(ctx context.Context, tx CatalogTx, rtx ReplenishTx, rule *ReorderRule, p Position, now time.Time) (alertCheck, error) {
	var out alertCheck
	low := rule.ReorderPoint > 0 && p.Available() <= rule.ReorderPoint
	active, err := rtx.Alerts(ctx, AlertFilter{Warehouse: rule.Warehouse, SKU: rule.SKU, Status: AlertActive, Limit: 1})
	if err != nil {
		return out, err
	}
	switch {
	case low && len(active) == 0:
		a := Alert{Warehouse: rule.Warehouse, SKU: rule.SKU, Available: p.Available(), ReorderPoint: rule.ReorderPoint,
			OnHand: p.OnHand, OnOrder: p.OnOrder, Allocated: p.Allocated, Suggested: rule.Suggest(p), Supplier: rule.Supplier,
			Status: AlertActive, RaisedAt: now.UTC()}
		if a, err = rtx.PutAlert(ctx, a); err != nil {
			return out, err
		}
		out.raised = &a
		return out, queueDeliveries(ctx, tx, rtx, EventAlertRaised, &a, now)
	case !low && len(active) > 0:
		a := active[0]
		a.Status, a.ClearedAt, a.ClearedAvailable = AlertCleared, now.UTC(), p.Available()
		if a, err = rtx.PutAlert(ctx, a); err != nil {
			return out, err
		}
		out.cleared = &a
		return out, queueDeliveries(ctx, tx, rtx, EventAlertCleared, &a, now)
	}
	return out, nil
}

// checkAlerts checks the SKUs of the events of a push that applied and
// changed stock in the device's warehouse (ledger.go calls it once per
// push, before the device's state is stored).
func (a *applier) checkAlerts(ctx context.Context, events []syncproto.Event, outs []syncproto.Outcome) error {
	ctx2, ok := a.tx.(CatalogTx)
	if !ok {
		return nil
	}
	rtx, ok := a.tx.(ReplenishTx)
	if !ok {
		return nil
	}
	seen := map[string]bool{}
	for i := range events {
		ev := &events[i]
		if i >= len(outs) || outs[i].Status != syncproto.StatusApplied || ev.SKU == "" || seen[ev.SKU] {
			continue
		}
		seen[ev.SKU] = true
		rule, ok, err := rtx.ReorderRule(ctx, a.dev.Warehouse, ev.SKU)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		ps, err := positions(ctx, ctx2, a.dev.Warehouse, []string{ev.SKU})
		if err != nil {
			return err
		}
		res, err := checkAlert(ctx, ctx2, rtx, &rule, *ps[ev.SKU], a.now)
		if err != nil {
			return err
		}
		for _, al := range []*Alert{res.raised, res.cleared} {
			if al != nil {
				a.catalogHead = max(a.catalogHead, al.Position)
			}
		}
	}
	return nil
}

// mayCheckAlerts says whether a push may raise or clear alerts: any event
// that can change stock (the catalog lock is taken up front).
func mayCheckAlerts(group []*pushReq) bool {
	for _, req := range group {
		for i := range req.events {
			if req.events[i].Kind != syncproto.KindException {
				return true
			}
		}
	}
	return false
}

// alertSection is the snapshot's section of a warehouse's active alerts.
func (c *Catalog) alertSection(warehouse string) snapSection {
	list := func(ctx context.Context, f AlertFilter) ([]Alert, error) {
		var as []Alert
		err := c.store.ViewCatalog(ctx, func(ctx context.Context, tx CatalogReadTx) error {
			rtx, err := replenishRead(tx)
			if err != nil {
				return err
			}
			as, err = rtx.Alerts(ctx, f)
			return err
		})
		return as, err
	}
	return snapSection{
		read: func(ctx context.Context, p *syncproto.SnapshotPage, after []string, limit int) (int, []string, error) {
			f := AlertFilter{Warehouse: warehouse, Status: AlertActive, Limit: limit}
			if len(after) == 1 {
				f.After = after[0]
			}
			as, err := list(ctx, f)
			if err != nil || len(as) == 0 {
				return 0, after, err
			}
			for _, a := range as {
				if !a.Archived {
					p.Alerts = append(p.Alerts, WireAlert(a))
				}
			}
			return len(as), []string{as[len(as)-1].ID}, nil
		},
		count: func(ctx context.Context, _ CatalogCounter, warehouse string) (int, error) {
			as, err := list(ctx, AlertFilter{Warehouse: warehouse, Status: AlertActive})
			return len(as), err
		},
	}
}

// Alerts lists alerts.
func (c *Catalog) Alerts(ctx context.Context, f AlertFilter) ([]Alert, error) {
	var out []Alert
	err := c.store.ViewCatalog(ctx, func(ctx context.Context, tx CatalogReadTx) error {
		rtx, err := replenishRead(tx)
		if err != nil {
			return err
		}
		out, err = rtx.Alerts(ctx, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	return out, nil
}
