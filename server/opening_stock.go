package server

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sort"

	"github.com/google/uuid"

	"github.com/driftless/driftless/syncproto"
)

// Opening stock enters the ledger the way every other quantity does: as
// events of a device, applied exactly once by the ledger's own rules
// (sequence, event ID, stock levels in step, a position devices pull).
// The device is the warehouse's import device, "import-" + warehouse,
// enrolled revoked on first use so that no handheld can ever speak for it.
// Unlike Ledger.Push, the events are applied inside the import's own
// transaction, so a file of opening stock is all in the ledger or none of
// it, and the rows are checked against the catalog in that same
// transaction.

// ImportDeviceID is the ID of the device opening stock of a warehouse is
// recorded under.
func ImportDeviceID(warehouse string) string { return "import-" + warehouse }

// OpeningStockRef is the ref of every opening stock event.
const OpeningStockRef = "opening-stock"

// ImportOpeningStock checks every row (warehouse, location and SKU must
// exist) and, when all are good, receives each row's quantity at its
// location in one transaction. It returns an *ImportError listing every
// bad row otherwise, having written nothing. Opening stock adds to what is
// there: importing the same file twice counts it twice.
func (c *Catalog) ImportOpeningStock(ctx context.Context, rows []OpeningStock) error {
	return c.openingStock(ctx, rows, true)
}

// CheckOpeningStock runs ImportOpeningStock's checks without writing.
func (c *Catalog) CheckOpeningStock(ctx context.Context, rows []OpeningStock) error {
	return c.openingStock(ctx, rows, false)
}

func (c *Catalog) openingStock(ctx context.Context, rows []OpeningStock, write bool) error {
	heads := map[string]uint64{}
	err := c.store.UpdateCatalog(ctx, func(ctx context.Context, tx CatalogTx) error {
		heads = map[string]uint64{}
		ck := newChecker(ctx, tx, false)
		locs := map[CatalogKey]bool{}
		var issues []Issue
		for i := range rows {
			r := &rows[i]
			for _, p := range r.Validate() {
				issues = append(issues, Issue{Index: i, Problem: p, DuplicateOf: -1})
			}
			ck.ps = ck.ps[:0]
			ck.warehouseRef("warehouse", r.Warehouse, false)
			ck.skuRef(0, "sku", r.SKU, false)
			if r.Warehouse != "" && r.Location != "" {
				k := CatalogKey{r.Warehouse, r.Location}
				ok, seen := locs[k]
				if !seen {
					_, err := tx.Location(ctx, r.Warehouse, r.Location)
					if err != nil && !IsNotFound(err) {
						return err
					}
					ok = err == nil
					locs[k] = ok
				}
				if !ok {
					ck.ps.add("location", "unknown location %s in warehouse %s", r.Location, r.Warehouse)
				}
			}
			if ck.err != nil {
				return ck.err
			}
			for _, p := range ck.ps {
				issues = append(issues, Issue{Index: i, Problem: p, DuplicateOf: -1})
			}
		}
		if len(issues) > 0 {
			return &ImportError{Issues: issues}
		}
		if !write {
			return errDryRun
		}
		byWarehouse := map[string][]*OpeningStock{}
		for i := range rows {
			byWarehouse[rows[i].Warehouse] = append(byWarehouse[rows[i].Warehouse], &rows[i])
		}
		whs := make([]string, 0, len(byWarehouse))
		for wh := range byWarehouse {
			whs = append(whs, wh)
		}
		sort.Strings(whs)
		for _, wh := range whs {
			head, err := c.receiveOpening(ctx, tx, wh, byWarehouse[wh])
			if err != nil {
				return fmt.Errorf("warehouse %s: %w", wh, err)
			}
			heads[wh] = head
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("import %d opening stock rows: %w", len(rows), err)
	}
	for wh, head := range heads {
		if head == 0 {
			continue
		}
		c.ledger.hub.Publish(wh, head)
		if a, ok := c.store.(Announcer); ok {
			if err := a.Announce(ctx, wh, head); err != nil {
				c.log.Warn("announce ledger growth", "warehouse", wh, "err", err)
			}
		}
	}
	return nil
}

// receiveOpening applies one warehouse's rows as receive events of its
// import device, returning the last ledger position.
func (c *Catalog) receiveOpening(ctx context.Context, tx CatalogTx, warehouse string, rows []*OpeningStock) (uint64, error) {
	now := c.now().UTC()
	id := ImportDeviceID(warehouse)
	dev, err := tx.Device(ctx, id)
	if IsNotFound(err) {
		secret := make([]byte, 32)
		if _, err := rand.Read(secret); err != nil {
			return 0, err
		}
		dev = Device{ID: id, Name: "import " + warehouse, Warehouse: warehouse, TokenHash: hashToken(string(secret)), CreatedAt: now}
		if err := tx.CreateDevice(ctx, dev); err != nil {
			return 0, err
		}
		dev.Revoked = true
		if err := tx.UpdateDevice(ctx, dev); err != nil {
			return 0, err
		}
	} else if err != nil {
		return 0, err
	}
	events := make([]syncproto.Event, len(rows))
	for i, r := range rows {
		ev := syncproto.Event{ID: uuid.Must(uuid.NewV7()).String(), DeviceID: id, Seq: dev.AckedThrough + uint64(i) + 1,
			User: "import", Kind: syncproto.KindReceive, SKU: r.SKU, Lot: r.Lot, To: r.Location, Qty: r.Qty,
			Reason: "opening stock", Ref: OpeningStockRef, DeviceTime: now}
		ev.Seal()
		events[i] = ev
	}
	a := applier{tx: tx, dev: dev, now: now, stock: map[StockKey]int64{}}
	ack, err := a.apply(ctx, events)
	if err != nil {
		return 0, err
	}
	for i, o := range ack.Outcomes {
		if o.Status != syncproto.StatusApplied {
			return 0, fmt.Errorf("opening stock row %d was %s: %s", i+1, o.Status, o.Reason)
		}
	}
	return a.head, nil
}
