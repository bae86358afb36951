package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/driftless/driftless/client/scan/resolve"
	"github.com/driftless/driftless/syncproto"
)

// Reference data: the records the device resolves scans against, filled
// by a snapshot (ApplySnapshotPage) and kept current by the catalog part
// of pulled changes (ApplyChanges). The store implements resolve.Catalog
// over them.

var _ resolve.Catalog = (*Store)(nil)

// ErrSnapshotWithEvents: a snapshot with stock replaces the pulled
// balances, which is only right for a device that has neither events nor
// pulled changes (its stock view would otherwise count its events twice).
var ErrSnapshotWithEvents = errors.New("a snapshot with stock needs a device without events or pulled changes")

// SnapshotPlan says whether the device needs a snapshot: NeedCatalog when
// it has never completed one, WithStock when it also has nothing of the
// ledger yet (no events, nothing pulled) so the snapshot's stock levels
// can be its starting balances.
type SnapshotPlan struct {
	NeedCatalog bool
	WithStock   bool
}

// SnapshotPlan reads what kind of snapshot the device needs.
func (s *Store) SnapshotPlan(ctx context.Context) (SnapshotPlan, error) {
	var at, lastSeq, cursor int64
	err := s.r.QueryRowContext(ctx, `SELECT snapshot_at, last_seq, cursor FROM sync_state WHERE id = 1`).Scan(&at, &lastSeq, &cursor)
	if err != nil {
		return SnapshotPlan{}, fmt.Errorf("read snapshot plan: %w", err)
	}
	return SnapshotPlan{NeedCatalog: at == 0, WithStock: at == 0 && lastSeq == 0 && cursor == 0}, nil
}

// ApplySnapshotPage writes one snapshot page in one transaction. The first
// page (first is true) replaces the reference data, and the pulled
// balances when the snapshot carries stock; the last page (p.Next empty)
// sets the catalog cursor to the snapshot's catalog head, the ledger
// cursor to its position when it carries stock (and builds the stock view
// from the balances), and marks the snapshot complete. Until then the cursors stay as they were, so an interrupted
// snapshot is simply taken again.
func (s *Store) ApplySnapshotPage(ctx context.Context, p *syncproto.SnapshotPage, first bool) error {
	err := s.update(ctx, func(tx *sql.Tx) error {
		if first {
			if err := clearReference(ctx, tx, p.Stock); err != nil {
				return err
			}
		}
		w := newRefWriter(tx)
		defer w.close()
		if err := w.apply(ctx, &p.Catalog); err != nil {
			return err
		}
		if len(p.Levels) > 0 {
			if !p.Stock {
				return errors.New("page has stock levels but the snapshot has no stock")
			}
			if err := w.levels(ctx, p.Levels); err != nil {
				return err
			}
		}
		if p.Next != "" {
			return nil
		}
		if p.Stock {
			// No pending deltas (checked on the first page): the view is
			// the server's balances, built in one statement at the end.
			if _, err := tx.ExecContext(ctx, `INSERT INTO stock_view (location, sku, lot, qty)
				SELECT location, sku, lot, qty FROM server_stock WHERE true
				ON CONFLICT (location, sku, lot) DO UPDATE SET qty = excluded.qty`); err != nil {
				return fmt.Errorf("build stock view: %w", err)
			}
		}
		// Finished counts of tasks the snapshot does not hold are done with.
		for _, q := range []string{
			`DELETE FROM count_lines WHERE task IN (SELECT task FROM count_drafts
				WHERE finished_at <> 0 AND task NOT IN (SELECT id FROM ref_count_tasks))`,
			`DELETE FROM count_drafts WHERE finished_at <> 0 AND task NOT IN (SELECT id FROM ref_count_tasks)`,
		} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("forget finished counts: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE sync_state SET catalog_cursor = ?, snapshot_at = ? WHERE id = 1`,
			p.CatalogHead, nanos(s.now())); err != nil {
			return err
		}
		if p.Stock {
			_, err := tx.ExecContext(ctx, `UPDATE sync_state SET cursor = ? WHERE id = 1`, p.Position)
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("apply snapshot page %d: %w", p.Page, err)
	}
	return nil
}

// clearReference empties the reference tables and, for a snapshot with
// stock, the pulled balances and the view.
func clearReference(ctx context.Context, tx *sql.Tx, stock bool) error {
	if stock {
		var lastSeq, cursor, pending int64
		if err := tx.QueryRowContext(ctx, `SELECT last_seq, cursor, (SELECT COUNT(*) FROM pending) FROM sync_state WHERE id = 1`).
			Scan(&lastSeq, &cursor, &pending); err != nil {
			return err
		}
		if lastSeq > 0 || cursor > 0 || pending > 0 {
			return ErrSnapshotWithEvents
		}
	}
	tables := []string{"ref_warehouse", "ref_suppliers", "ref_skus", "ref_barcodes", "ref_locations",
		"ref_purchase_orders", "ref_purchase_order_lines", "ref_po_sscc", "ref_sales_orders", "ref_sales_order_lines",
		"ref_users", "ref_pick_lists", "ref_pick_tasks", "ref_transfers", "ref_transfer_lines", "ref_count_tasks", "ref_alerts"}
	if stock {
		tables = append(tables, "server_stock", "stock_view")
	}
	for _, t := range tables {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t); err != nil {
			return fmt.Errorf("clear %s: %w", t, err)
		}
	}
	return nil
}

// applyCatalog applies the catalog part of a pulled page and advances the
// catalog cursor (inside ApplyChanges' transaction). A part that starts
// after the cursor is refused (records would be skipped); one that ends at
// or before it changes nothing.
func applyCatalog(ctx context.Context, tx *sql.Tx, ch *syncproto.Changes) error {
	var cursor uint64
	if err := tx.QueryRowContext(ctx, `SELECT catalog_cursor FROM sync_state WHERE id = 1`).Scan(&cursor); err != nil {
		return err
	}
	if ch.CatalogFrom > cursor {
		return fmt.Errorf("catalog page starts at %d, after the catalog cursor %d", ch.CatalogFrom, cursor)
	}
	if ch.CatalogCursor <= cursor {
		return nil
	}
	w := newRefWriter(tx)
	defer w.close()
	if err := w.apply(ctx, ch.Catalog); err != nil {
		return fmt.Errorf("apply catalog %d..%d: %w", ch.CatalogFrom, ch.CatalogCursor, err)
	}
	_, err := tx.ExecContext(ctx, `UPDATE sync_state SET catalog_cursor = ? WHERE id = 1`, ch.CatalogCursor)
	return err
}

// refSQL are the single-row statements refWriter prepares on first use.
var refSQL = map[string]string{
	"-warehouse":  `DELETE FROM ref_warehouse WHERE code = ?`,
	"-supplier":   `DELETE FROM ref_suppliers WHERE code = ?`,
	"-sku":        `DELETE FROM ref_skus WHERE code = ?`,
	"-barcode":    `DELETE FROM ref_barcodes WHERE value = ?`,
	"-location":   `DELETE FROM ref_locations WHERE code = ?`,
	"po":          `INSERT OR REPLACE INTO ref_purchase_orders (number, supplier, status, expected_date, position) VALUES (?, ?, ?, ?, ?)`,
	"-po":         `DELETE FROM ref_purchase_orders WHERE number = ?`,
	"-po-lines":   `DELETE FROM ref_purchase_order_lines WHERE number = ?`,
	"-po-ssccs":   `DELETE FROM ref_po_sscc WHERE number = ?`,
	"po-sscc":     `INSERT INTO ref_po_sscc (number, n, sscc) VALUES (?, ?, ?)`,
	"po-line":     `INSERT INTO ref_purchase_order_lines (number, line, sku, ordered, received) VALUES (?, ?, ?, ?, ?)`,
	"so":          `INSERT OR REPLACE INTO ref_sales_orders (number, customer, status, position) VALUES (?, ?, ?, ?)`,
	"-so":         `DELETE FROM ref_sales_orders WHERE number = ?`,
	"-so-lines":   `DELETE FROM ref_sales_order_lines WHERE number = ?`,
	"so-line":     `INSERT INTO ref_sales_order_lines (number, line, sku, qty, picked) VALUES (?, ?, ?, ?, ?)`,
	"pick-list":   `INSERT OR REPLACE INTO ref_pick_lists (id, status, assigned_to, orders, position) VALUES (?, ?, ?, ?, ?)`,
	"-pick-list":  `DELETE FROM ref_pick_lists WHERE id = ?`,
	"-pick-tasks": `DELETE FROM ref_pick_tasks WHERE list = ?`,
	"pick-task": `INSERT OR REPLACE INTO ref_pick_tasks (list, id, seq, order_no, location, sku, lot, expiry, qty, picked, status)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	"transfer":        `INSERT OR REPLACE INTO ref_transfers (number, from_wh, to_wh, status, position) VALUES (?, ?, ?, ?, ?)`,
	"-transfer":       `DELETE FROM ref_transfers WHERE number = ?`,
	"-transfer-lines": `DELETE FROM ref_transfer_lines WHERE number = ?`,
	"transfer-line":   `INSERT INTO ref_transfer_lines (number, line, sku, lot, qty, shipped, received) VALUES (?, ?, ?, ?, ?, ?, ?)`,
	"count-task": `INSERT OR REPLACE INTO ref_count_tasks (id, location, status, assigned_to, not_by, reason, class, due, position)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	"-count-task": `DELETE FROM ref_count_tasks WHERE id = ?`,
	// A finished count whose task the device no longer holds is done
	// with; an open one stays, to be finished.
	"-count-lines": `DELETE FROM count_lines WHERE task = ?1 AND EXISTS (
		SELECT 1 FROM count_drafts WHERE task = ?1 AND finished_at <> 0)`,
	"-count-draft": `DELETE FROM count_drafts WHERE task = ? AND finished_at <> 0`,
	"alert": `INSERT OR REPLACE INTO ref_alerts (id, sku, available, reorder_point, on_order, suggested, status, raised_at, position)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
	"-alert": `DELETE FROM ref_alerts WHERE id = ?`,
}

// refInsert is a multi-row INSERT: head, then one "(?, …)" of cols
// parameters per row, then tail.
type refInsert struct {
	head string
	cols int
	tail string
}

// refInserts are the upserts refWriter writes many rows at a time: a
// snapshot page brings thousands of rows of one kind, and one statement
// per row costs more in database/sql and the driver than SQLite's own
// work.
var refInserts = map[string]refInsert{
	"warehouse": {`INSERT OR REPLACE INTO ref_warehouse (code, name, blind_receiving, over_receipt_pct, min_shelf_life_days, position) VALUES `,
		6, ``},
	"supplier": {`INSERT OR REPLACE INTO ref_suppliers (code, name, lead_time_days, position) VALUES `, 4, ``},
	"sku": {`INSERT OR REPLACE INTO ref_skus (code, name, unit, track_lot, track_expiry, track_serial, unit_cost, category, position) VALUES `,
		9, ``},
	"barcode":  {`INSERT OR REPLACE INTO ref_barcodes (value, key, sku, type, pack, position) VALUES `, 6, ``},
	"location": {`INSERT OR REPLACE INTO ref_locations (code, type, barcode, sequence, position) VALUES `, 5, ``},
	// Archived users stay, flagged: signing in as one says why it fails.
	"user": {`INSERT OR REPLACE INTO ref_users (code, name, roles, pin_hash, archived, position) VALUES `, 6, ``},
	// A pulled balance never replaces a newer one.
	"level": {`INSERT INTO server_stock (location, sku, lot, qty, position) VALUES `, 5,
		` ON CONFLICT (location, sku, lot) DO UPDATE SET qty = excluded.qty, position = excluded.position
		WHERE excluded.position > server_stock.position`},
}

// maxBatchParams bounds the parameters of one multi-row statement, well
// under SQLite's limit (32,766 in modernc's build): beyond a few hundred
// rows a longer statement saves nothing more.
const maxBatchParams = 2000

// sql returns the statement for rows rows.
func (ri refInsert) sql(rows int) string {
	row := "(?" + strings.Repeat(", ?", ri.cols-1) + ")"
	var b strings.Builder
	b.Grow(len(ri.head) + rows*(len(row)+2) + len(ri.tail))
	b.WriteString(ri.head)
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	b.WriteString(ri.tail)
	return b.String()
}

// maxRows is how many rows one statement takes.
func (ri refInsert) maxRows() int { return maxBatchParams / ri.cols }

// refWriter writes reference records in one transaction: each record
// replaces the one at its key, archived records and orders a device does
// not hold are deleted. Upserts of the kinds in refInserts are gathered
// and written many rows per statement; any other statement writes the
// gathered rows first, so the writes keep their order.
type refWriter struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	// The gathered upserts: rows rows of kind, their parameters in args.
	kind string
	rows int
	args []any
}

func newRefWriter(tx *sql.Tx) *refWriter { return &refWriter{tx: tx, stmts: map[string]*sql.Stmt{}} }

func (w *refWriter) close() {
	for _, st := range w.stmts {
		st.Close()
	}
}

// prepared returns the statement named name, preparing q on first use.
func (w *refWriter) prepared(ctx context.Context, name, q string) (*sql.Stmt, error) {
	if st, ok := w.stmts[name]; ok {
		return st, nil
	}
	st, err := w.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("prepare %s: %w", name, err)
	}
	w.stmts[name] = st
	return st, nil
}

// exec writes the gathered upserts, then runs the refSQL statement name.
func (w *refWriter) exec(ctx context.Context, name string, args ...any) error {
	if err := w.flush(ctx); err != nil {
		return err
	}
	st, err := w.prepared(ctx, name, refSQL[name])
	if err != nil {
		return err
	}
	_, err = st.ExecContext(ctx, args...)
	return err
}

// upsert gathers one row of kind (a refInserts key), writing the gathered
// rows when they fill a statement or are of another kind.
func (w *refWriter) upsert(ctx context.Context, kind string, args ...any) error {
	if w.kind != kind {
		if err := w.flush(ctx); err != nil {
			return err
		}
		w.kind = kind
	}
	w.args = append(w.args, args...)
	w.rows++
	if w.rows == refInserts[kind].maxRows() {
		return w.flush(ctx)
	}
	return nil
}

// flush writes the gathered upserts. The statement for a full batch is
// prepared once per transaction; a shorter last batch gets its own.
func (w *refWriter) flush(ctx context.Context) error {
	if w.rows == 0 {
		return nil
	}
	ri := refInserts[w.kind]
	name := w.kind
	if w.rows != ri.maxRows() {
		name = fmt.Sprintf("%s/%d", w.kind, w.rows)
	}
	st, err := w.prepared(ctx, name, ri.sql(w.rows))
	if err == nil {
		_, err = st.ExecContext(ctx, w.args...)
		if err != nil {
			n := ri.cols * (w.rows - 1)
			err = fmt.Errorf("write %d %s rows (%v … %v): %w", w.rows, w.kind, w.args[:min(3, ri.cols)], w.args[n:n+min(3, ri.cols)], err)
		}
	}
	clear(w.args)
	w.args, w.rows = w.args[:0], 0
	return err
}

func (w *refWriter) apply(ctx context.Context, c *syncproto.Catalog) error {
	if c == nil {
		return nil
	}
	for _, r := range c.Warehouses {
		if err := w.put(ctx, r.Archived, "warehouse", r.Code, r.Code, r.Name, r.BlindReceiving, r.OverReceiptPct,
			r.MinShelfLifeDays, r.Position); err != nil {
			return err
		}
	}
	for _, r := range c.Suppliers {
		if err := w.put(ctx, r.Archived, "supplier", r.Code, r.Code, r.Name, r.LeadTimeDays, r.Position); err != nil {
			return err
		}
	}
	for _, r := range c.SKUs {
		if err := w.put(ctx, r.Archived, "sku", r.Code, r.Code, r.Name, r.Unit, r.TrackLot, r.TrackExpiry, r.TrackSerial,
			r.UnitCost, r.Category, r.Position); err != nil {
			return err
		}
	}
	for _, r := range c.Barcodes {
		if err := w.put(ctx, r.Archived, "barcode", r.Value, r.Value, resolve.BarcodeKey(r.Value), r.SKU, r.Type, r.Pack, r.Position); err != nil {
			return err
		}
	}
	for _, r := range c.Locations {
		if err := w.put(ctx, r.Archived, "location", r.Code, r.Code, r.Type, r.Barcode, r.Sequence, r.Position); err != nil {
			return err
		}
	}
	for _, r := range c.Users {
		if err := w.put(ctx, false, "user", r.Code, r.Code, r.Name, strings.Join(r.Roles, ","), r.PINHash, r.Archived,
			r.Position); err != nil {
			return err
		}
	}
	if err := w.flush(ctx); err != nil {
		return err
	}
	for _, o := range c.PurchaseOrders {
		if err := w.exec(ctx, "-po-lines", o.Number); err != nil {
			return fmt.Errorf("purchase order %s: %w", o.Number, err)
		}
		if err := w.exec(ctx, "-po-ssccs", o.Number); err != nil {
			return fmt.Errorf("purchase order %s: %w", o.Number, err)
		}
		if err := w.put(ctx, !o.Held(), "po", o.Number, o.Number, o.Supplier, o.Status, o.ExpectedDate, o.Position); err != nil {
			return fmt.Errorf("purchase order %s: %w", o.Number, err)
		}
		for i, ln := range o.Lines {
			if !o.Held() {
				break
			}
			if err := w.exec(ctx, "po-line", o.Number, i+1, ln.SKU, ln.Ordered, ln.Received); err != nil {
				return fmt.Errorf("purchase order %s line %d: %w", o.Number, i+1, err)
			}
		}
		for i, sscc := range o.SSCCs {
			if !o.Held() {
				break
			}
			if err := w.exec(ctx, "po-sscc", o.Number, i+1, sscc); err != nil {
				return fmt.Errorf("purchase order %s sscc %s: %w", o.Number, sscc, err)
			}
		}
	}
	for _, o := range c.SalesOrders {
		if err := w.exec(ctx, "-so-lines", o.Number); err != nil {
			return fmt.Errorf("sales order %s: %w", o.Number, err)
		}
		if err := w.put(ctx, !o.Held(), "so", o.Number, o.Number, o.Customer, o.Status, o.Position); err != nil {
			return fmt.Errorf("sales order %s: %w", o.Number, err)
		}
		for i, ln := range o.Lines {
			if !o.Held() {
				break
			}
			if err := w.exec(ctx, "so-line", o.Number, i+1, ln.SKU, ln.Qty, ln.Picked); err != nil {
				return fmt.Errorf("sales order %s line %d: %w", o.Number, i+1, err)
			}
		}
	}
	for _, l := range c.PickLists {
		if err := w.exec(ctx, "-pick-tasks", l.ID); err != nil {
			return fmt.Errorf("pick list %s: %w", l.ID, err)
		}
		if err := w.put(ctx, !l.Held(), "pick-list", l.ID, l.ID, l.Status, l.AssignedTo, strings.Join(l.Orders, ","), l.Position); err != nil {
			return fmt.Errorf("pick list %s: %w", l.ID, err)
		}
		for _, t := range l.Tasks {
			if !l.Held() {
				break
			}
			if err := w.exec(ctx, "pick-task", l.ID, t.ID, t.Seq, t.Order, t.Location, t.SKU, t.Lot, t.Expiry, t.Qty,
				t.Picked, t.Status); err != nil {
				return fmt.Errorf("pick list %s task %s: %w", l.ID, t.ID, err)
			}
		}
	}
	for _, t := range c.Transfers {
		if err := w.exec(ctx, "-transfer-lines", t.Number); err != nil {
			return fmt.Errorf("transfer %s: %w", t.Number, err)
		}
		if err := w.put(ctx, !t.Held(), "transfer", t.Number, t.Number, t.From, t.To, t.Status, t.Position); err != nil {
			return fmt.Errorf("transfer %s: %w", t.Number, err)
		}
		for i, ln := range t.Lines {
			if !t.Held() {
				break
			}
			if err := w.exec(ctx, "transfer-line", t.Number, i+1, ln.SKU, ln.Lot, ln.Qty, ln.Shipped, ln.Received); err != nil {
				return fmt.Errorf("transfer %s line %d: %w", t.Number, i+1, err)
			}
		}
	}
	for _, t := range c.CountTasks {
		if err := w.put(ctx, !t.Held(), "count-task", t.ID, t.ID, t.Location, t.Status, t.AssignedTo, t.NotBy, t.Reason,
			t.Class, t.Due, t.Position); err != nil {
			return fmt.Errorf("count task %s: %w", t.ID, err)
		}
		if t.Held() {
			continue
		}
		if err := w.exec(ctx, "-count-lines", t.ID); err != nil {
			return fmt.Errorf("count task %s: %w", t.ID, err)
		}
		if err := w.exec(ctx, "-count-draft", t.ID); err != nil {
			return fmt.Errorf("count task %s: %w", t.ID, err)
		}
	}
	for _, a := range c.Alerts {
		if err := w.put(ctx, !a.Held(), "alert", a.ID, a.ID, a.SKU, a.Available, a.ReorderPoint, a.OnOrder, a.Suggested,
			a.Status, a.RaisedAt, a.Position); err != nil {
			return fmt.Errorf("alert %s: %w", a.ID, err)
		}
	}
	return w.flush(ctx)
}

// levels upserts pulled balances (a snapshot's), each only over an older
// one.
func (w *refWriter) levels(ctx context.Context, ls []syncproto.Level) error {
	for _, l := range ls {
		if err := w.upsert(ctx, "level", l.Location, l.SKU, l.Lot, l.Qty, l.Position); err != nil {
			return err
		}
	}
	return w.flush(ctx)
}

// put upserts a record, or deletes the one at key when drop is true.
// Errors of gathered upserts name the rows of the failed statement.
func (w *refWriter) put(ctx context.Context, drop bool, name, key string, args ...any) error {
	if drop {
		if err := w.exec(ctx, "-"+name, key); err != nil {
			return fmt.Errorf("delete %s %s: %w", name, key, err)
		}
		return nil
	}
	if _, ok := refInserts[name]; ok {
		return w.upsert(ctx, name, args...)
	}
	return w.exec(ctx, name, args...)
}

// LookupBarcode finds an item barcode by its resolve.BarcodeKey.
func (s *Store) LookupBarcode(ctx context.Context, key string) (resolve.Item, bool, error) {
	var it resolve.Item
	err := s.r.QueryRowContext(ctx, `SELECT sku, pack FROM ref_barcodes WHERE key = ? ORDER BY sku, pack LIMIT 1`, key).
		Scan(&it.SKU, &it.PackQty)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return resolve.Item{}, false, nil
	case err != nil:
		return resolve.Item{}, false, fmt.Errorf("look up barcode %s: %w", key, err)
	}
	return it, true, nil
}

// LookupLocation finds a location of the device's warehouse by its label
// or, failing that, by its code.
func (s *Store) LookupLocation(ctx context.Context, code string) (resolve.Location, bool, error) {
	var c string
	err := s.r.QueryRowContext(ctx, `SELECT code FROM (
			SELECT code, 0 AS rank FROM ref_locations WHERE barcode = ?1 AND barcode <> ''
			UNION ALL SELECT code, 1 FROM ref_locations WHERE code = ?1)
		ORDER BY rank LIMIT 1`, code).Scan(&c)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return resolve.Location{}, false, nil
	case err != nil:
		return resolve.Location{}, false, fmt.Errorf("look up location %s: %w", code, err)
	}
	return resolve.Location{ID: c, Code: c}, true, nil
}

// LookupPurchaseOrder finds an open purchase order of the device's
// warehouse by number.
func (s *Store) LookupPurchaseOrder(ctx context.Context, number string) (resolve.PurchaseOrder, bool, error) {
	var n string
	err := s.r.QueryRowContext(ctx, `SELECT number FROM ref_purchase_orders WHERE number = ?`, number).Scan(&n)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return resolve.PurchaseOrder{}, false, nil
	case err != nil:
		return resolve.PurchaseOrder{}, false, fmt.Errorf("look up purchase order %s: %w", number, err)
	}
	return resolve.PurchaseOrder{ID: n, Number: n}, true, nil
}

// LookupSSCC finds a pallet announced for a held purchase order (the
// order's SSCCs); an SSCC announced for several takes the lowest number.
// Resolution falls back to an unknown pallet label's content (AI 02 and
// 37).
func (s *Store) LookupSSCC(ctx context.Context, sscc string) (resolve.Pallet, bool, error) {
	var n string
	err := s.r.QueryRowContext(ctx, `SELECT number FROM ref_po_sscc WHERE sscc = ? ORDER BY number LIMIT 1`, sscc).Scan(&n)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return resolve.Pallet{}, false, nil
	case err != nil:
		return resolve.Pallet{}, false, fmt.Errorf("look up sscc %s: %w", sscc, err)
	}
	return resolve.Pallet{SSCC: sscc, PurchaseOrder: n}, true, nil
}

// ReferenceData returns every reference record the device holds, each
// list in key order: what tests compare with the server's catalog. Users
// archived after the device took its snapshot are kept (flagged, so that
// signing in as one says why it fails) but not listed, as a snapshot
// would not have them.
func (s *Store) ReferenceData(ctx context.Context) (*syncproto.Catalog, error) {
	c := &syncproto.Catalog{}
	err := func() error {
		if err := scanAll(ctx, s.r, `SELECT code, name, blind_receiving, over_receipt_pct, min_shelf_life_days, position
				FROM ref_warehouse ORDER BY code`,
			func(sc scanner) error {
				var r syncproto.Warehouse
				err := sc.Scan(&r.Code, &r.Name, &r.BlindReceiving, &r.OverReceiptPct, &r.MinShelfLifeDays, &r.Position)
				c.Warehouses = append(c.Warehouses, r)
				return err
			}); err != nil {
			return err
		}
		if err := scanAll(ctx, s.r, `SELECT code, name, lead_time_days, position FROM ref_suppliers ORDER BY code`,
			func(sc scanner) error {
				var r syncproto.Supplier
				err := sc.Scan(&r.Code, &r.Name, &r.LeadTimeDays, &r.Position)
				c.Suppliers = append(c.Suppliers, r)
				return err
			}); err != nil {
			return err
		}
		if err := scanAll(ctx, s.r, `SELECT code, name, unit, track_lot, track_expiry, track_serial, unit_cost, category, position
				FROM ref_skus ORDER BY code`,
			func(sc scanner) error {
				var r syncproto.SKU
				err := sc.Scan(&r.Code, &r.Name, &r.Unit, &r.TrackLot, &r.TrackExpiry, &r.TrackSerial, &r.UnitCost, &r.Category, &r.Position)
				c.SKUs = append(c.SKUs, r)
				return err
			}); err != nil {
			return err
		}
		if err := scanAll(ctx, s.r, `SELECT value, sku, type, pack, position FROM ref_barcodes ORDER BY value`,
			func(sc scanner) error {
				var r syncproto.Barcode
				err := sc.Scan(&r.Value, &r.SKU, &r.Type, &r.Pack, &r.Position)
				c.Barcodes = append(c.Barcodes, r)
				return err
			}); err != nil {
			return err
		}
		if err := scanAll(ctx, s.r, `SELECT code, type, barcode, sequence, position FROM ref_locations ORDER BY code`,
			func(sc scanner) error {
				var r syncproto.Location
				err := sc.Scan(&r.Code, &r.Type, &r.Barcode, &r.Sequence, &r.Position)
				c.Locations = append(c.Locations, r)
				return err
			}); err != nil {
			return err
		}
		po := map[string]int{}
		if err := scanAll(ctx, s.r, `SELECT number, supplier, status, expected_date, position FROM ref_purchase_orders ORDER BY number`,
			func(sc scanner) error {
				r := syncproto.PurchaseOrder{Lines: []syncproto.POLine{}}
				err := sc.Scan(&r.Number, &r.Supplier, &r.Status, &r.ExpectedDate, &r.Position)
				po[r.Number] = len(c.PurchaseOrders)
				c.PurchaseOrders = append(c.PurchaseOrders, r)
				return err
			}); err != nil {
			return err
		}
		if err := scanAll(ctx, s.r, `SELECT number, sku, ordered, received FROM ref_purchase_order_lines ORDER BY number, line`,
			func(sc scanner) error {
				var n string
				var ln syncproto.POLine
				if err := sc.Scan(&n, &ln.SKU, &ln.Ordered, &ln.Received); err != nil {
					return err
				}
				if i, ok := po[n]; ok {
					c.PurchaseOrders[i].Lines = append(c.PurchaseOrders[i].Lines, ln)
				}
				return nil
			}); err != nil {
			return err
		}
		if err := scanAll(ctx, s.r, `SELECT number, sscc FROM ref_po_sscc ORDER BY number, n`,
			func(sc scanner) error {
				var n, sscc string
				if err := sc.Scan(&n, &sscc); err != nil {
					return err
				}
				if i, ok := po[n]; ok {
					c.PurchaseOrders[i].SSCCs = append(c.PurchaseOrders[i].SSCCs, sscc)
				}
				return nil
			}); err != nil {
			return err
		}
		if err := scanAll(ctx, s.r, `SELECT code, name, roles, pin_hash, archived, position FROM ref_users WHERE NOT archived ORDER BY code`,
			func(sc scanner) error {
				var r syncproto.User
				var roles string
				if err := sc.Scan(&r.Code, &r.Name, &roles, &r.PINHash, &r.Archived, &r.Position); err != nil {
					return err
				}
				r.Roles = splitRoles(roles)
				c.Users = append(c.Users, r)
				return nil
			}); err != nil {
			return err
		}
		so := map[string]int{}
		if err := scanAll(ctx, s.r, `SELECT number, customer, status, position FROM ref_sales_orders ORDER BY number`,
			func(sc scanner) error {
				r := syncproto.SalesOrder{Lines: []syncproto.SOLine{}}
				err := sc.Scan(&r.Number, &r.Customer, &r.Status, &r.Position)
				so[r.Number] = len(c.SalesOrders)
				c.SalesOrders = append(c.SalesOrders, r)
				return err
			}); err != nil {
			return err
		}
		if err := scanAll(ctx, s.r, `SELECT number, sku, qty, picked FROM ref_sales_order_lines ORDER BY number, line`,
			func(sc scanner) error {
				var n string
				var ln syncproto.SOLine
				if err := sc.Scan(&n, &ln.SKU, &ln.Qty, &ln.Picked); err != nil {
					return err
				}
				if i, ok := so[n]; ok {
					c.SalesOrders[i].Lines = append(c.SalesOrders[i].Lines, ln)
				}
				return nil
			}); err != nil {
			return err
		}
		lists, err := s.pickLists(ctx, "")
		if err != nil {
			return err
		}
		c.PickLists = lists
		transfers, err := s.transfers(ctx, "")
		if err != nil {
			return err
		}
		c.Transfers = transfers
		tasks, err := s.countTasks(ctx, "")
		if err != nil {
			return err
		}
		c.CountTasks = tasks
		alerts, err := s.alerts(ctx)
		if err != nil {
			return err
		}
		c.Alerts = alerts
		return nil
	}()
	if err != nil {
		return nil, fmt.Errorf("read reference data: %w", err)
	}
	return c, nil
}

type scanner interface{ Scan(...any) error }

func scanAll(ctx context.Context, db *sql.DB, q string, row func(scanner) error, args ...any) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// splitRoles reads a comma-separated roles column.
func splitRoles(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}
