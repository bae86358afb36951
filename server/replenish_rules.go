package server

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// Audit actions of replenishment.
const (
	AuditRulePut      = "reorder_rule.put"
	AuditWebhookPut   = "webhook.put"
	AuditDraftApprove = "po_draft.approve"
	AuditDraftDiscard = "po_draft.discard"
)

// Replenisher keeps reorder rules and drafts purchase orders from them.
type Replenisher struct {
	cat   *Catalog
	usage UsageReader
}

// NewReplenisher returns the replenishment service over a catalog; usage
// is where demand comes from (the catalog store's usage history when nil).
func NewReplenisher(c *Catalog, usage UsageReader) *Replenisher {
	if usage == nil {
		usage = NewReports(c.store, c.now)
	}
	return &Replenisher{cat: c, usage: usage}
}

// RuleStatus is a rule with the SKU's position and suggestion now.
type RuleStatus struct {
	ReorderRule
	Name string `json:"name"`
	Position
	Available int64 `json:"available"`
	Suggested int64 `json:"suggested"`
	Low       bool  `json:"low"` // available at or below the reorder point
}

// Rules lists a warehouse's rules with their positions (sku: one SKU's).
func (r *Replenisher) Rules(ctx context.Context, warehouse, sku string) ([]RuleStatus, error) {
	out := []RuleStatus{}
	err := r.cat.store.ViewCatalog(ctx, func(ctx context.Context, tx CatalogReadTx) error {
		rtx, err := replenishRead(tx)
		if err != nil {
			return err
		}
		rules, err := rtx.ReorderRules(ctx, warehouse)
		if err != nil {
			return err
		}
		byWH := map[string]map[string]*Position{}
		for _, rl := range rules {
			if sku != "" && rl.SKU != sku {
				continue
			}
			ps := byWH[rl.Warehouse]
			if ps == nil {
				if ps, err = positions(ctx, tx, rl.Warehouse, nil); err != nil {
					return err
				}
				byWH[rl.Warehouse] = ps
			}
			p := Position{}
			if q := ps[rl.SKU]; q != nil {
				p = *q
			}
			st := RuleStatus{ReorderRule: rl, Position: p, Available: p.Available(), Suggested: rl.Suggest(p),
				Low: rl.ReorderPoint > 0 && p.Available() <= rl.ReorderPoint}
			if s, err := tx.SKU(ctx, rl.SKU); err == nil {
				st.Name = s.Name
			}
			out = append(out, st)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list reorder rules: %w", err)
	}
	return out, nil
}

// demand reads a SKU's daily consumed units over the weeks before now's
// day (one figure a day, zeros included).
func (r *Replenisher) demand(ctx context.Context, warehouse, sku string, weeks int, now time.Time) ([]int64, error) {
	to := UTCDay(now).AddDate(0, 0, -1)
	from := to.AddDate(0, 0, -(weeks*7 - 1))
	days, err := r.usage.DailyUsage(ctx, warehouse, sku, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]int64, weeks*7)
	for _, d := range days {
		i := int(UTCDay(d.Day).Sub(from).Hours() / 24)
		if i >= 0 && i < len(out) {
			out[i] += d.ConsumedUnits
		}
	}
	return out, nil
}

// PutRule stores a rule (missing fields take the defaults), computes it
// from usage now and checks the SKU's alert. Every write is audited
// (with its override, if any).
func (r *Replenisher) PutRule(ctx context.Context, rule ReorderRule) (RuleStatus, error) {
	rule.defaults()
	if ps := rule.Validate(); len(ps) > 0 {
		return RuleStatus{}, fmt.Errorf("put reorder rule: %w", ps[0].Err())
	}
	now := r.cat.now().UTC()
	daily, err := r.demand(ctx, rule.Warehouse, rule.SKU, rule.ReviewWeeks, now)
	if err != nil {
		return RuleStatus{}, fmt.Errorf("put reorder rule %s/%s: %w", rule.Warehouse, rule.SKU, err)
	}
	err = r.cat.store.UpdateCatalog(ctx, func(ctx context.Context, tx CatalogTx) error {
		rtx, err := replenishWrite(tx)
		if err != nil {
			return err
		}
		if _, err := tx.Warehouse(ctx, rule.Warehouse); err != nil {
			return invalidRef("warehouse", err)
		}
		if _, err := tx.SKU(ctx, rule.SKU); err != nil {
			return invalidRef("sku", err)
		}
		sup, err := tx.Supplier(ctx, rule.Supplier)
		if err != nil {
			return invalidRef("supplier", err)
		}
		old, had, err := rtx.ReorderRule(ctx, rule.Warehouse, rule.SKU)
		if err != nil {
			return err
		}
		rule.UpdatedBy = ActorFrom(ctx)
		rule.apply(daily, sup.LeadTimeDays, now)
		if err := rtx.PutReorderRule(ctx, rule); err != nil {
			return err
		}
		d := map[string]any{"method": rule.Method, "supplier": rule.Supplier, "reorder_point": rule.ReorderPoint,
			"computed_rop": rule.ComputedROP, "target": rule.Target}
		if rule.OverrideROP != nil {
			d["override_rop"] = *rule.OverrideROP
		}
		if had {
			d["old_reorder_point"] = old.ReorderPoint
		}
		if err := Audit(ctx, tx, AuditEntry{At: now, Actor: ActorFrom(ctx), Action: AuditRulePut,
			Subject: rule.SKU, Warehouse: rule.Warehouse, Details: d}); err != nil {
			return err
		}
		ps, err := positions(ctx, tx, rule.Warehouse, []string{rule.SKU})
		if err != nil {
			return err
		}
		_, err = checkAlert(ctx, tx, rtx, &rule, *ps[rule.SKU], now)
		return err
	})
	if err != nil {
		return RuleStatus{}, fmt.Errorf("put reorder rule %s/%s: %w", rule.Warehouse, rule.SKU, err)
	}
	st, err := r.Rules(ctx, rule.Warehouse, rule.SKU)
	if err != nil || len(st) == 0 {
		return RuleStatus{ReorderRule: rule}, err
	}
	return st[0], nil
}

func invalidRef(field string, err error) error {
	if IsNotFound(err) {
		return &Error{Code: EInvalid, Field: field, Message: ErrorMessage(err)}
	}
	return err
}

// RecomputeRun is what one recompute of a warehouse did.
type RecomputeRun struct {
	Warehouse string `json:"warehouse"`
	Rules     int    `json:"rules"`
	Raised    int    `json:"raised"`
	Cleared   int    `json:"cleared"`
}

// Recompute works out every rule of a warehouse from usage as of now and
// checks their alerts.
func (r *Replenisher) Recompute(ctx context.Context, warehouse string, now time.Time) (RecomputeRun, error) {
	run := RecomputeRun{Warehouse: warehouse}
	var rules []ReorderRule
	err := r.cat.store.ViewCatalog(ctx, func(ctx context.Context, tx CatalogReadTx) error {
		rtx, err := replenishRead(tx)
		if err != nil {
			return err
		}
		rules, err = rtx.ReorderRules(ctx, warehouse)
		return err
	})
	if err != nil {
		return run, fmt.Errorf("recompute reorder rules of %s: %w", warehouse, err)
	}
	daily := make(map[string][]int64, len(rules))
	for _, rl := range rules {
		if daily[rl.SKU], err = r.demand(ctx, warehouse, rl.SKU, rl.ReviewWeeks, now); err != nil {
			return run, fmt.Errorf("recompute reorder rules of %s: %w", warehouse, err)
		}
	}
	err = r.cat.store.UpdateCatalog(ctx, func(ctx context.Context, tx CatalogTx) error {
		run.Rules, run.Raised, run.Cleared = 0, 0, 0
		rtx, err := replenishWrite(tx)
		if err != nil {
			return err
		}
		rules, err := rtx.ReorderRules(ctx, warehouse) // as of this transaction
		if err != nil {
			return err
		}
		ps, err := positions(ctx, tx, warehouse, nil)
		if err != nil {
			return err
		}
		leads := map[string]int64{}
		for _, rl := range rules {
			d, ok := daily[rl.SKU]
			if !ok {
				continue // written since: PutRule computed it
			}
			lead, ok := leads[rl.Supplier]
			if !ok {
				if s, err := tx.Supplier(ctx, rl.Supplier); err == nil {
					lead = s.LeadTimeDays
				}
				leads[rl.Supplier] = lead
			}
			rl.apply(d, lead, now)
			if err := rtx.PutReorderRule(ctx, rl); err != nil {
				return err
			}
			p := Position{}
			if q := ps[rl.SKU]; q != nil {
				p = *q
			}
			res, err := checkAlert(ctx, tx, rtx, &rl, p, now)
			if err != nil {
				return err
			}
			run.Rules++
			if res.raised != nil {
				run.Raised++
			}
			if res.cleared != nil {
				run.Cleared++
			}
		}
		return nil
	})
	if err != nil {
		return run, fmt.Errorf("recompute reorder rules of %s: %w", warehouse, err)
	}
	return run, nil
}

// ReplenishJobs is the daily replenishment job of `syncd serve`: once a
// day (the first tick on a new UTC day, and once at start) it recomputes
// every active warehouse's reorder rules from usage and checks their
// alerts.
type ReplenishJobs struct {
	Replenisher *Replenisher
	// Now is the clock (time.Now when nil); Tick how often it looks at
	// it (a minute when zero).
	Now  func() time.Time
	Tick time.Duration
	Log  *slog.Logger
	// Ran, when set, is told each run's results (tests).
	Ran func(day string, runs []RecomputeRun)
}

// Serve runs the job until ctx is done; it returns nil then. A failed
// run is logged and tried again at the next tick.
func (j *ReplenishJobs) Serve(ctx context.Context) error {
	return runDaily(ctx, j.Now, j.Tick, j.Log, "daily replenishment job", func(ctx context.Context, now time.Time, day string) error {
		runs, err := j.RunOnce(ctx, now)
		if err == nil && j.Ran != nil {
			j.Ran(day, runs)
		}
		return err
	})
}

// RunOnce recomputes every active warehouse as of now.
func (j *ReplenishJobs) RunOnce(ctx context.Context, now time.Time) ([]RecomputeRun, error) {
	whs, err := j.Replenisher.cat.Warehouses.List(ctx, ListFilter{Archived: ActiveOnly})
	if err != nil {
		return nil, err
	}
	var runs []RecomputeRun
	for _, w := range whs {
		run, err := j.Replenisher.Recompute(ctx, w.Code, now)
		if err != nil {
			return runs, err
		}
		runs = append(runs, run)
	}
	return runs, nil
}
