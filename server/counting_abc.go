package server

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/driftless/driftless/syncproto"
)

// ABC classification: a warehouse's SKUs ranked by trailing usage value
// (units picked or damaged over the settings' UsageDays × unit cost). A
// is the SKUs making up the top APct of the value, B the next BPct, C the
// rest; a SKU with no usage is C. A bin's class is the highest class of
// the SKUs it holds.

// ClassifyABC classifies SKUs by usage value (cents): ranked by value
// (then code), a SKU is A while the value ranked above it is below aPct
// percent of the total, else B while below aPct+bPct, else C. SKUs with
// no value are C.
func ClassifyABC(values map[string]int64, aPct, bPct float64) map[string]string {
	type sv struct {
		sku   string
		value int64
	}
	all := make([]sv, 0, len(values))
	var total int64
	for s, v := range values {
		all = append(all, sv{s, v})
		if v > 0 {
			total += v
		}
	}
	slices.SortFunc(all, func(a, b sv) int {
		if c := cmp.Compare(b.value, a.value); c != 0 {
			return c
		}
		return cmp.Compare(a.sku, b.sku)
	})
	out := make(map[string]string, len(all))
	var above int64
	for _, x := range all {
		switch {
		case x.value <= 0 || total == 0:
			out[x.sku] = "C"
			continue
		case float64(above)*100 < aPct*float64(total):
			out[x.sku] = "A"
		case float64(above)*100 < (aPct+bPct)*float64(total):
			out[x.sku] = "B"
		default:
			out[x.sku] = "C"
		}
		above += x.value
	}
	return out
}

// usageKinds are the ledger kinds whose outgoing units are usage.
var usageKinds = []syncproto.Kind{syncproto.KindPick, syncproto.KindDamage}

// RecomputeABC classifies a warehouse's SKUs from the usage up to now and
// stores the classes; it returns them, A first.
func (c *Catalog) RecomputeABC(ctx context.Context, warehouse string) ([]SKUClass, error) {
	return c.recomputeABCAt(ctx, warehouse, c.now().UTC())
}

func (c *Catalog) recomputeABCAt(ctx context.Context, warehouse string, now time.Time) ([]SKUClass, error) {
	var out []SKUClass
	err := c.store.UpdateCatalog(ctx, func(ctx context.Context, tx CatalogTx) error {
		ctr, err := counting(tx)
		if err != nil {
			return err
		}
		if _, err := tx.Warehouse(ctx, warehouse); err != nil {
			return err
		}
		out, err = recomputeABC(ctx, tx, ctr, warehouse, now)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("recompute ABC classes of %s: %w", warehouse, err)
	}
	return out, nil
}

func recomputeABC(ctx context.Context, tx CatalogTx, ctr CountingTx, warehouse string, now time.Time) ([]SKUClass, error) {
	set, err := countSettings(ctx, ctr, warehouse)
	if err != nil {
		return nil, err
	}
	units, err := ctr.Usage(ctx, warehouse, now.AddDate(0, 0, -set.UsageDays), usageKinds)
	if err != nil {
		return nil, err
	}
	values := make(map[string]int64, len(units))
	for sku, n := range units {
		s, err := tx.SKU(ctx, sku)
		if err != nil && !IsNotFound(err) {
			return nil, err
		}
		values[sku] = n * s.UnitCost
	}
	// SKUs held in the warehouse without usage are C.
	levels, err := tx.StockLevels(ctx, StockFilter{Warehouse: warehouse})
	if err != nil {
		return nil, err
	}
	for _, l := range levels {
		if _, ok := values[l.SKU]; !ok && l.Qty > 0 {
			values[l.SKU] = 0
		}
	}
	classes := ClassifyABC(values, set.APct, set.BPct)
	out := make([]SKUClass, 0, len(classes))
	for sku, cl := range classes {
		out = append(out, SKUClass{SKU: sku, Class: cl, Value: values[sku], Units: units[sku], ComputedAt: now})
	}
	slices.SortFunc(out, func(a, b SKUClass) int {
		if c := cmp.Compare(a.Class, b.Class); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Value, a.Value); c != 0 {
			return c
		}
		return cmp.Compare(a.SKU, b.SKU)
	})
	if err := ctr.PutSKUClasses(ctx, warehouse, out); err != nil {
		return nil, err
	}
	return out, nil
}

// ABC lists a warehouse's SKU classes, A first.
func (c *Catalog) ABC(ctx context.Context, warehouse string) ([]SKUClass, error) {
	var out []SKUClass
	err := c.store.ViewCatalog(ctx, func(ctx context.Context, tx CatalogReadTx) error {
		ctr, err := countingRead(tx)
		if err != nil {
			return err
		}
		out, err = ctr.SKUClasses(ctx, warehouse, nil)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list ABC classes of %s: %w", warehouse, err)
	}
	if out == nil {
		out = []SKUClass{}
	}
	return out, nil
}

// CountSettings returns a warehouse's counting settings (the defaults
// when none were stored).
func (c *Catalog) CountSettings(ctx context.Context, warehouse string) (CountSettings, error) {
	var out CountSettings
	err := c.store.ViewCatalog(ctx, func(ctx context.Context, tx CatalogReadTx) error {
		ctr, err := countingRead(tx)
		if err != nil {
			return err
		}
		out, err = countSettings(ctx, ctr, warehouse)
		return err
	})
	if err != nil {
		return out, fmt.Errorf("get count settings of %s: %w", warehouse, err)
	}
	return out, nil
}

// SetCountSettings stores a warehouse's counting settings (missing
// fields take the defaults).
func (c *Catalog) SetCountSettings(ctx context.Context, warehouse string, s CountSettings) (CountSettings, error) {
	if err := s.Validate(); err != nil {
		return s, err
	}
	err := c.store.UpdateCatalog(ctx, func(ctx context.Context, tx CatalogTx) error {
		ctr, err := counting(tx)
		if err != nil {
			return err
		}
		if _, err := tx.Warehouse(ctx, warehouse); err != nil {
			return err
		}
		return ctr.PutCountSettings(ctx, warehouse, s)
	})
	if err != nil {
		return s, fmt.Errorf("set count settings of %s: %w", warehouse, err)
	}
	return s, nil
}
