package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/catalogmap"
)

var _ server.CatalogStore = (*Store)(nil)

// Catalog positions must become visible in the order they are assigned,
// across every replica: a device pulls the changes after its cursor, so a
// position committed after a higher one would be skipped for good. A
// sequence alone does not promise that (two writers take 7 and 8, 8
// commits first, a device pulls 8 and moves its cursor past 7). So every
// catalog write transaction takes one advisory lock, the catalog's, before
// it reads or takes a position, and holds it until it ends, as the ledger
// does per warehouse: catalog writers run one at a time, positions commit
// in order, and the checks the catalog makes before a write (a key is
// free, a reference exists, a label is unused) hold until its commit, as
// they do with SQLite's single writer. Catalog writes are administrative
// and few; ledger pushes never take this lock, so they do not wait on it.
// The two-key form keeps the lock apart from the warehouses' one-key locks.
const (
	catalogLockClass = 0x44726966 // "Drif"
	catalogLockKey   = 1
)

// catalogChannel is the LISTEN/NOTIFY channel of the catalog head.
const catalogChannel = "driftless_catalog"

// UpdateCatalog runs fn in one read-committed transaction holding the
// catalog lock, which reads and writes reference records and the ledger
// alike (opening stock enters the ledger in the import's transaction).
// When fn wrote reference records, the new catalog head is notified to
// every replica as the transaction commits.
func (s *Store) UpdateCatalog(ctx context.Context, fn func(context.Context, server.CatalogTx) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(pt pgx.Tx) error {
		t := newWriteTx(pt)
		if err := t.lockCatalog(ctx); err != nil {
			return err
		}
		if err := fn(ctx, t); err != nil {
			return err
		}
		if t.catalogWrites == 0 {
			return nil
		}
		// NOTIFY is transactional: listeners hear it only if the
		// transaction commits, in commit order.
		_, err := t.q.Exec(ctx, `SELECT pg_notify($1, (SELECT COALESCE(MAX(position), 0) FROM catalog_changes)::text)`, catalogChannel)
		if err != nil {
			return fmt.Errorf("notify catalog head: %w", err)
		}
		return nil
	})
}

// ViewCatalog runs fn in a read-only repeatable-read transaction (one
// snapshot of the catalog and the ledger).
func (s *Store) ViewCatalog(ctx context.Context, fn func(context.Context, server.CatalogReadTx) error) error {
	return s.View(ctx, func(ctx context.Context, t server.ReadTx) error { return fn(ctx, t.(*tx)) })
}

// lockCatalog takes the catalog lock until the transaction ends.
func (t *tx) lockCatalog(ctx context.Context) error {
	if !t.write || t.catalogLocked {
		return nil
	}
	if _, err := t.q.Exec(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, catalogLockClass, catalogLockKey); err != nil {
		return fmt.Errorf("lock catalog: %w", err)
	}
	t.catalogLocked = true
	return nil
}

// table is a catalog table (catalogmap) with this dialect's order lines.
type table[T any] struct {
	*catalogmap.Table[T]
	// lines loads and stores an order's lines (nil for other kinds).
	lines *lineTable[T]
	// putQuery is putSQL, built once by init.
	putQuery string
}

// where builds a WHERE clause with numbered parameters.
type where struct {
	conds []string
	args  []any
}

// arg adds a parameter and returns its placeholder.
func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

func (w *where) eq(col, v string) {
	if v != "" {
		w.conds = append(w.conds, col+" = "+w.arg(v))
	}
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

func (tb *table[T]) selectSQL() string {
	return "SELECT " + strings.Join(tb.Cols, ", ") + ", archived, archived_at, position FROM " + tb.Name
}

func (tb *table[T]) scan(row pgx.Row) (T, error) {
	var rec T
	var archivedAt *time.Time
	m := tb.Meta(&rec)
	err := row.Scan(append(tb.Dest(&rec), &m.Archived, &archivedAt, &m.Position)...)
	if archivedAt != nil {
		m.ArchivedAt = archivedAt.UTC()
	}
	return rec, err
}

// keyWhere selects the record at a key.
func (tb *table[T]) keyWhere(k server.CatalogKey) *where {
	w := &where{}
	for i, v := range tb.KeyArgs(k) {
		w.conds = append(w.conds, tb.KeyCols[i]+" = "+w.arg(v))
	}
	return w
}

func (tb *table[T]) get(ctx context.Context, t *tx, k server.CatalogKey) (T, error) {
	w := tb.keyWhere(k)
	rec, err := tb.scan(t.q.QueryRow(ctx, tb.selectSQL()+w.sql(), w.args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return rec, server.Errorf(server.ENotFound, "no %s %s", strings.ReplaceAll(string(tb.Kind), "_", " "), k.Code)
	}
	if err != nil {
		return rec, fmt.Errorf("get %s %s: %w", tb.Kind, k.Code, err)
	}
	if tb.lines != nil {
		if err := tb.lines.load(ctx, t, []*T{&rec}); err != nil {
			return rec, err
		}
	}
	return rec, nil
}

// likeEscaper makes a Q filter match literally.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func (tb *table[T]) list(ctx context.Context, t *tx, f server.ListFilter) ([]T, error) {
	w := &where{}
	switch f.Archived {
	case server.ActiveOnly:
		w.conds = append(w.conds, "NOT archived")
	case server.ArchivedOnly:
		w.conds = append(w.conds, "archived")
	}
	if f.Q != "" && len(tb.Q) > 0 {
		// ILIKE under the C collation folds ASCII letters only, as
		// SQLite's LIKE does.
		p := w.arg("%" + likeEscaper.Replace(f.Q) + "%")
		or := make([]string, len(tb.Q))
		for i, c := range tb.Q {
			or[i] = c + ` COLLATE "C" ILIKE ` + p + ` ESCAPE '\'`
		}
		w.conds = append(w.conds, "("+strings.Join(or, " OR ")+")")
	}
	if tb.Filter != nil {
		for _, e := range tb.Filter(&f) {
			w.eq(e.Col, e.Val)
		}
	}
	if f.After != nil {
		ps := make([]string, len(tb.KeyCols))
		for i, v := range tb.KeyArgs(*f.After) {
			ps[i] = w.arg(v)
		}
		w.conds = append(w.conds, "("+strings.Join(tb.KeyCols, ", ")+") > ("+strings.Join(ps, ", ")+")")
	}
	q := tb.selectSQL() + w.sql() + " ORDER BY " + strings.Join(tb.KeyCols, ", ") + " LIMIT " + w.arg(limitArg(f.Limit))
	rows, err := t.q.Query(ctx, q, w.args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", tb.Name, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		rec, err := tb.scan(rows)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", tb.Name, err)
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %s: %w", tb.Name, err)
	}
	rows.Close()
	if tb.lines != nil && len(out) > 0 {
		ptrs := make([]*T, len(out))
		for i := range out {
			ptrs[i] = &out[i]
		}
		if err := tb.lines.load(ctx, t, ptrs); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// putSQL logs the change and upserts the record with its position in one
// statement: $1..$3 are the change's kind, warehouse and code, then the
// record's columns, archived and archived_at.
func (tb *table[T]) putSQL() string {
	all := append(append([]string{}, tb.Cols...), "archived", "archived_at", "position")
	ps := make([]string, len(all)-1)
	for i := range ps {
		ps[i] = "$" + strconv.Itoa(i+4)
	}
	set := make([]string, 0, len(all)-len(tb.KeyCols))
	for _, c := range all[len(tb.KeyCols):] {
		set = append(set, c+" = excluded."+c)
	}
	return `WITH c AS (INSERT INTO catalog_changes (kind, warehouse, code) VALUES ($1, $2, $3) RETURNING position)
		INSERT INTO ` + tb.Name + " (" + strings.Join(all, ", ") + ") VALUES (" + strings.Join(ps, ", ") +
		", (SELECT position FROM c)) ON CONFLICT (" + strings.Join(tb.KeyCols, ", ") + ") DO UPDATE SET " +
		strings.Join(set, ", ") + " RETURNING position"
}

func (tb *table[T]) put(ctx context.Context, t *tx, rec T) (uint64, error) {
	wh, code := tb.Change(&rec)
	if err := t.lockCatalog(ctx); err != nil {
		return 0, fmt.Errorf("put %s %s: %w", tb.Kind, code, err)
	}
	m := tb.Meta(&rec)
	args := append([]any{string(tb.Kind), wh, code}, tb.Values(&rec)...)
	args = append(args, m.Archived, nullTime(m.ArchivedAt))
	if err := t.q.QueryRow(ctx, tb.putQuery, args...).Scan(&m.Position); err != nil {
		return 0, fmt.Errorf("put %s %s: %w", tb.Kind, code, err)
	}
	if tb.lines != nil {
		if err := tb.lines.store(ctx, t, &rec); err != nil {
			return 0, fmt.Errorf("put %s %s: %w", tb.Kind, code, err)
		}
	}
	t.catalogWrites++
	return m.Position, nil
}

// lineTable holds the lines of one kind of order.
type lineTable[T any] struct {
	name string
	cols []string // after number and line
	// types are the cols' SQL types, for the arrays a store unnests.
	types  []string
	number func(o *T) string
	// arrays returns the order's lines column by column.
	arrays func(o *T) []any
	// dest returns fresh destinations for one line and the func that
	// appends the scanned line to an order.
	dest func() ([]any, func(o *T))
}

func (lt *lineTable[T]) load(ctx context.Context, t *tx, orders []*T) error {
	byNumber := make(map[string]*T, len(orders))
	numbers := make([]string, len(orders))
	for i, o := range orders {
		byNumber[lt.number(o)] = o
		numbers[i] = lt.number(o)
	}
	rows, err := t.q.Query(ctx, "SELECT number, "+strings.Join(lt.cols, ", ")+" FROM "+lt.name+
		" WHERE number = ANY($1) ORDER BY number, line", numbers)
	if err != nil {
		return fmt.Errorf("load %s: %w", lt.name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var number string
		dest, add := lt.dest()
		if err := rows.Scan(append([]any{&number}, dest...)...); err != nil {
			return fmt.Errorf("load %s: %w", lt.name, err)
		}
		add(byNumber[number])
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load %s: %w", lt.name, err)
	}
	return nil
}

// store replaces an order's lines, numbering them from 1 in their order.
func (lt *lineTable[T]) store(ctx context.Context, t *tx, o *T) error {
	n := lt.number(o)
	if _, err := t.q.Exec(ctx, "DELETE FROM "+lt.name+" WHERE number = $1", n); err != nil {
		return fmt.Errorf("replace lines: %w", err)
	}
	arrays := lt.arrays(o)
	ps := make([]string, len(lt.cols))
	for i, typ := range lt.types {
		ps[i] = "$" + strconv.Itoa(i+2) + "::" + typ + "[]"
	}
	q := "INSERT INTO " + lt.name + " (number, line, " + strings.Join(lt.cols, ", ") + ") SELECT $1, u.line, u." +
		strings.Join(lt.cols, ", u.") + " FROM unnest(" + strings.Join(ps, ", ") + ") WITH ORDINALITY AS u (" +
		strings.Join(lt.cols, ", ") + ", line)"
	if _, err := t.q.Exec(ctx, q, append([]any{n}, arrays...)...); err != nil {
		return fmt.Errorf("replace lines: %w", err)
	}
	return nil
}

var (
	skuTable           = &table[server.SKU]{Table: catalogmap.SKUs}
	barcodeTable       = &table[server.Barcode]{Table: catalogmap.Barcodes}
	warehouseTable     = &table[server.Warehouse]{Table: catalogmap.Warehouses}
	locationTable      = &table[server.Location]{Table: catalogmap.Locations}
	supplierTable      = &table[server.Supplier]{Table: catalogmap.Suppliers}
	purchaseOrderTable = &table[server.PurchaseOrder]{Table: catalogmap.PurchaseOrders,
		lines: &lineTable[server.PurchaseOrder]{
			name: "purchase_order_lines", cols: []string{"sku", "ordered", "received"}, types: []string{"text", "bigint", "bigint"},
			number: func(o *server.PurchaseOrder) string { return o.Number },
			arrays: func(o *server.PurchaseOrder) []any {
				skus, ordered, received := make([]string, len(o.Lines)), make([]int64, len(o.Lines)), make([]int64, len(o.Lines))
				for i, ln := range o.Lines {
					skus[i], ordered[i], received[i] = ln.SKU, ln.Ordered, ln.Received
				}
				return []any{skus, ordered, received}
			},
			dest: func() ([]any, func(*server.PurchaseOrder)) {
				var ln server.PurchaseOrderLine
				return []any{&ln.SKU, &ln.Ordered, &ln.Received}, func(o *server.PurchaseOrder) { o.Lines = append(o.Lines, ln) }
			},
		},
	}
	userTable       = &table[server.User]{Table: catalogmap.Users}
	salesOrderTable = &table[server.SalesOrder]{Table: catalogmap.SalesOrders,
		lines: &lineTable[server.SalesOrder]{
			name: "sales_order_lines", cols: []string{"sku", "qty", "picked"}, types: []string{"text", "bigint", "bigint"},
			number: func(o *server.SalesOrder) string { return o.Number },
			arrays: func(o *server.SalesOrder) []any {
				skus, qty, picked := make([]string, len(o.Lines)), make([]int64, len(o.Lines)), make([]int64, len(o.Lines))
				for i, ln := range o.Lines {
					skus[i], qty[i], picked[i] = ln.SKU, ln.Qty, ln.Picked
				}
				return []any{skus, qty, picked}
			},
			dest: func() ([]any, func(*server.SalesOrder)) {
				var ln server.SalesOrderLine
				return []any{&ln.SKU, &ln.Qty, &ln.Picked}, func(o *server.SalesOrder) { o.Lines = append(o.Lines, ln) }
			},
		},
	}
)

func init() {
	skuTable.putQuery = skuTable.putSQL()
	barcodeTable.putQuery = barcodeTable.putSQL()
	warehouseTable.putQuery = warehouseTable.putSQL()
	locationTable.putQuery = locationTable.putSQL()
	supplierTable.putQuery = supplierTable.putSQL()
	purchaseOrderTable.putQuery = purchaseOrderTable.putSQL()
	salesOrderTable.putQuery = salesOrderTable.putSQL()
	userTable.putQuery = userTable.putSQL()
}

func (t *tx) SKU(ctx context.Context, code string) (server.SKU, error) {
	return skuTable.get(ctx, t, server.CatalogKey{Code: code})
}

func (t *tx) SKUs(ctx context.Context, f server.ListFilter) ([]server.SKU, error) {
	return skuTable.list(ctx, t, f)
}

func (t *tx) PutSKU(ctx context.Context, s server.SKU) (uint64, error) {
	return skuTable.put(ctx, t, s)
}

func (t *tx) Barcode(ctx context.Context, value string) (server.Barcode, error) {
	return barcodeTable.get(ctx, t, server.CatalogKey{Code: value})
}

func (t *tx) Barcodes(ctx context.Context, f server.ListFilter) ([]server.Barcode, error) {
	return barcodeTable.list(ctx, t, f)
}

func (t *tx) PutBarcode(ctx context.Context, b server.Barcode) (uint64, error) {
	return barcodeTable.put(ctx, t, b)
}

func (t *tx) Warehouse(ctx context.Context, code string) (server.Warehouse, error) {
	return warehouseTable.get(ctx, t, server.CatalogKey{Code: code})
}

func (t *tx) Warehouses(ctx context.Context, f server.ListFilter) ([]server.Warehouse, error) {
	return warehouseTable.list(ctx, t, f)
}

func (t *tx) PutWarehouse(ctx context.Context, w server.Warehouse) (uint64, error) {
	return warehouseTable.put(ctx, t, w)
}

func (t *tx) Location(ctx context.Context, warehouse, code string) (server.Location, error) {
	return locationTable.get(ctx, t, server.CatalogKey{Warehouse: warehouse, Code: code})
}

// LocationByBarcode finds a location by its label in a warehouse, or in
// any warehouse (the first by code) when warehouse is empty.
func (t *tx) LocationByBarcode(ctx context.Context, warehouse, barcode string) (server.Location, error) {
	var row pgx.Row
	if warehouse == "" {
		row = t.q.QueryRow(ctx, locationTable.selectSQL()+` WHERE barcode = $1 ORDER BY warehouse LIMIT 1`, barcode)
	} else {
		row = t.q.QueryRow(ctx, locationTable.selectSQL()+` WHERE warehouse = $1 AND barcode = $2`, warehouse, barcode)
	}
	l, err := locationTable.scan(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return l, server.Errorf(server.ENotFound, "no location labelled %s", barcode)
	}
	if err != nil {
		return l, fmt.Errorf("get location by barcode %s: %w", barcode, err)
	}
	return l, nil
}

func (t *tx) Locations(ctx context.Context, f server.ListFilter) ([]server.Location, error) {
	return locationTable.list(ctx, t, f)
}

func (t *tx) PutLocation(ctx context.Context, l server.Location) (uint64, error) {
	return locationTable.put(ctx, t, l)
}

func (t *tx) Supplier(ctx context.Context, code string) (server.Supplier, error) {
	return supplierTable.get(ctx, t, server.CatalogKey{Code: code})
}

func (t *tx) Suppliers(ctx context.Context, f server.ListFilter) ([]server.Supplier, error) {
	return supplierTable.list(ctx, t, f)
}

func (t *tx) PutSupplier(ctx context.Context, s server.Supplier) (uint64, error) {
	return supplierTable.put(ctx, t, s)
}

func (t *tx) PurchaseOrder(ctx context.Context, number string) (server.PurchaseOrder, error) {
	return purchaseOrderTable.get(ctx, t, server.CatalogKey{Code: number})
}

func (t *tx) PurchaseOrders(ctx context.Context, f server.ListFilter) ([]server.PurchaseOrder, error) {
	return purchaseOrderTable.list(ctx, t, f)
}

func (t *tx) PutPurchaseOrder(ctx context.Context, o server.PurchaseOrder) (uint64, error) {
	return purchaseOrderTable.put(ctx, t, o)
}

func (t *tx) SalesOrder(ctx context.Context, number string) (server.SalesOrder, error) {
	return salesOrderTable.get(ctx, t, server.CatalogKey{Code: number})
}

func (t *tx) SalesOrders(ctx context.Context, f server.ListFilter) ([]server.SalesOrder, error) {
	return salesOrderTable.list(ctx, t, f)
}

func (t *tx) PutSalesOrder(ctx context.Context, o server.SalesOrder) (uint64, error) {
	return salesOrderTable.put(ctx, t, o)
}

func (t *tx) User(ctx context.Context, code string) (server.User, error) {
	return userTable.get(ctx, t, server.CatalogKey{Code: code})
}

func (t *tx) Users(ctx context.Context, f server.ListFilter) ([]server.User, error) {
	return userTable.list(ctx, t, f)
}

func (t *tx) PutUser(ctx context.Context, u server.User) (uint64, error) {
	return userTable.put(ctx, t, u)
}

// LockCatalog takes the catalog lock now: a push that will write purchase
// orders takes it before any warehouse lock, in the order catalog writes
// take them, so the two never wait for each other in a cycle.
func (t *tx) LockCatalog(ctx context.Context) error { return t.lockCatalog(ctx) }

func (t *tx) CatalogChanges(ctx context.Context, warehouse string, after uint64, limit int) ([]server.CatalogChange, error) {
	w := &where{}
	w.conds = append(w.conds, "position > "+w.arg(after))
	if warehouse != "" {
		w.conds = append(w.conds, "(warehouse = '' OR warehouse = "+w.arg(warehouse)+")")
	}
	rows, err := t.q.Query(ctx, `SELECT position, kind, warehouse, code FROM catalog_changes`+w.sql()+
		` ORDER BY position LIMIT `+w.arg(limitArg(limit)), w.args...)
	if err != nil {
		return nil, fmt.Errorf("list catalog changes: %w", err)
	}
	defer rows.Close()
	var out []server.CatalogChange
	for rows.Next() {
		var c server.CatalogChange
		if err := rows.Scan(&c.Position, &c.Kind, &c.Key.Warehouse, &c.Key.Code); err != nil {
			return nil, fmt.Errorf("list catalog changes: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list catalog changes: %w", err)
	}
	return out, nil
}

func (t *tx) CatalogHead(ctx context.Context) (uint64, error) {
	var h uint64
	if err := t.q.QueryRow(ctx, `SELECT COALESCE(MAX(position), 0) FROM catalog_changes`).Scan(&h); err != nil {
		return 0, fmt.Errorf("catalog head: %w", err)
	}
	return h, nil
}
