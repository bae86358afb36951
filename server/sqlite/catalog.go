package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/catalogmap"
)

var _ server.CatalogStore = (*Store)(nil)

// UpdateCatalog runs fn in one write transaction that reads and writes
// reference records and the ledger alike.
func (s *Store) UpdateCatalog(ctx context.Context, fn func(context.Context, server.CatalogTx) error) error {
	return s.Update(ctx, func(ctx context.Context, t server.Tx) error { return fn(ctx, t.(*tx)) })
}

// ViewCatalog runs fn in one read transaction (a consistent snapshot).
func (s *Store) ViewCatalog(ctx context.Context, fn func(context.Context, server.CatalogReadTx) error) error {
	return s.View(ctx, func(ctx context.Context, t server.ReadTx) error { return fn(ctx, t.(*tx)) })
}

// table is a catalog table (catalogmap) with this dialect's order lines.
type table[T any] struct {
	*catalogmap.Table[T]
	// lines loads and stores an order's lines (nil for other kinds).
	lines *lineTable[T]
}

type where struct {
	conds []string
	args  []any
}

func (w *where) eq(col, v string) {
	if v != "" {
		w.conds = append(w.conds, col+" = ?")
		w.args = append(w.args, v)
	}
}

func (tb *table[T]) selectSQL() string {
	return "SELECT " + strings.Join(tb.Cols, ", ") + ", archived, archived_at, position FROM " + tb.Name
}

func (tb *table[T]) scan(sc interface{ Scan(...any) error }) (T, error) {
	var rec T
	var archivedAt string
	m := tb.Meta(&rec)
	err := sc.Scan(append(tb.Dest(&rec), &m.Archived, &archivedAt, &m.Position)...)
	m.ArchivedAt = parseTime(archivedAt)
	return rec, err
}

func (tb *table[T]) upsertSQL() string {
	all := append(append([]string{}, tb.Cols...), "archived", "archived_at", "position")
	var set []string
	for _, c := range all[len(tb.KeyCols):] {
		set = append(set, c+" = excluded."+c)
	}
	return "INSERT INTO " + tb.Name + " (" + strings.Join(all, ", ") + ") VALUES (?" + strings.Repeat(", ?", len(all)-1) +
		") ON CONFLICT (" + strings.Join(tb.KeyCols, ", ") + ") DO UPDATE SET " + strings.Join(set, ", ")
}

func (tb *table[T]) get(ctx context.Context, t *tx, k server.CatalogKey) (T, error) {
	rec, err := tb.scan(t.row(ctx, tb.Name+".get", tb.KeyArgs(k)...))
	if errors.Is(err, sql.ErrNoRows) {
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

func (tb *table[T]) list(ctx context.Context, t *tx, f server.ListFilter) ([]T, error) {
	var w where
	switch f.Archived {
	case server.ActiveOnly:
		w.conds = append(w.conds, "archived = 0")
	case server.ArchivedOnly:
		w.conds = append(w.conds, "archived = 1")
	}
	if f.Q != "" && len(tb.Q) > 0 {
		pat := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(f.Q) + "%"
		var or []string
		for _, c := range tb.Q {
			or = append(or, c+` LIKE ? ESCAPE '\'`)
			w.args = append(w.args, pat)
		}
		w.conds = append(w.conds, "("+strings.Join(or, " OR ")+")")
	}
	if tb.Filter != nil {
		for _, e := range tb.Filter(&f) {
			w.eq(e.Col, e.Val)
		}
	}
	if f.After != nil {
		w.conds = append(w.conds, "("+strings.Join(tb.KeyCols, ", ")+") > ("+strings.TrimSuffix(strings.Repeat("?, ", len(tb.KeyCols)), ", ")+")")
		w.args = append(w.args, tb.KeyArgs(*f.After)...)
	}
	q := tb.selectSQL()
	if len(w.conds) > 0 {
		q += " WHERE " + strings.Join(w.conds, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	q += " ORDER BY " + strings.Join(tb.KeyCols, ", ") + " LIMIT ?"
	rows, err := t.q.QueryContext(ctx, q, append(w.args, limit)...)
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

func (tb *table[T]) put(ctx context.Context, t *tx, rec T) (uint64, error) {
	t.lookups.forget()
	wh, code := tb.Change(&rec)
	res, err := t.exec(ctx, "catalogChange", string(tb.Kind), wh, code)
	if err != nil {
		return 0, fmt.Errorf("put %s %s: log change: %w", tb.Kind, code, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("put %s %s: log change: %w", tb.Kind, code, err)
	}
	m := tb.Meta(&rec)
	m.Position = uint64(id)
	if _, err := t.exec(ctx, tb.Name+".put", append(tb.Values(&rec), m.Archived, fmtTime(m.ArchivedAt), m.Position)...); err != nil {
		return 0, fmt.Errorf("put %s %s: %w", tb.Kind, code, err)
	}
	if tb.lines != nil {
		if err := tb.lines.store(ctx, t, &rec); err != nil {
			return 0, fmt.Errorf("put %s %s: %w", tb.Kind, code, err)
		}
	}
	return m.Position, nil
}

// lineTable holds the lines of one kind of order.
type lineTable[T any] struct {
	name   string
	cols   []string // after number and line
	number func(o *T) string
	count  func(o *T) int
	values func(o *T, i int) []any
	// add appends a line scanned from dest to o; dest returns fresh
	// destinations for one line.
	dest func() ([]any, func(o *T))
}

func (lt *lineTable[T]) load(ctx context.Context, t *tx, orders []*T) error {
	byNumber := make(map[string]*T, len(orders))
	args := make([]any, len(orders))
	for i, o := range orders {
		byNumber[lt.number(o)] = o
		args[i] = lt.number(o)
	}
	rows, err := t.q.QueryContext(ctx, "SELECT number, "+strings.Join(lt.cols, ", ")+" FROM "+lt.name+
		" WHERE number IN (?"+strings.Repeat(", ?", len(args)-1)+") ORDER BY number, line", args...)
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
	return rows.Err()
}

func (lt *lineTable[T]) store(ctx context.Context, t *tx, o *T) error {
	n := lt.number(o)
	if _, err := t.exec(ctx, lt.name+".delete", n); err != nil {
		return fmt.Errorf("replace lines: %w", err)
	}
	for i := range lt.count(o) {
		if _, err := t.exec(ctx, lt.name+".insert", append([]any{n, i + 1}, lt.values(o, i)...)...); err != nil {
			return fmt.Errorf("replace line %d: %w", i+1, err)
		}
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
			name: "purchase_order_lines", cols: []string{"sku", "ordered", "received"},
			number: func(o *server.PurchaseOrder) string { return o.Number },
			count:  func(o *server.PurchaseOrder) int { return len(o.Lines) },
			values: func(o *server.PurchaseOrder, i int) []any {
				return []any{o.Lines[i].SKU, o.Lines[i].Ordered, o.Lines[i].Received}
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
			name: "sales_order_lines", cols: []string{"sku", "qty", "picked"},
			number: func(o *server.SalesOrder) string { return o.Number },
			count:  func(o *server.SalesOrder) int { return len(o.Lines) },
			values: func(o *server.SalesOrder, i int) []any {
				return []any{o.Lines[i].SKU, o.Lines[i].Qty, o.Lines[i].Picked}
			},
			dest: func() ([]any, func(*server.SalesOrder)) {
				var ln server.SalesOrderLine
				return []any{&ln.SKU, &ln.Qty, &ln.Picked}, func(o *server.SalesOrder) { o.Lines = append(o.Lines, ln) }
			},
		},
	}
)

// The catalog's statements join the prepared write statements, so that
// large imports reuse them.
func init() {
	writeStmts["catalogChange"] = `INSERT INTO catalog_changes (kind, warehouse, code) VALUES (?, ?, ?)`
	register := func(name string, cols, keyCols []string, sel, upsert string) {
		conds := make([]string, len(keyCols))
		for i, c := range keyCols {
			conds[i] = c + " = ?"
		}
		writeStmts[name+".get"] = sel + " WHERE " + strings.Join(conds, " AND ")
		writeStmts[name+".put"] = upsert
	}
	register(skuTable.Name, skuTable.Cols, skuTable.KeyCols, skuTable.selectSQL(), skuTable.upsertSQL())
	register(barcodeTable.Name, barcodeTable.Cols, barcodeTable.KeyCols, barcodeTable.selectSQL(), barcodeTable.upsertSQL())
	register(warehouseTable.Name, warehouseTable.Cols, warehouseTable.KeyCols, warehouseTable.selectSQL(), warehouseTable.upsertSQL())
	register(locationTable.Name, locationTable.Cols, locationTable.KeyCols, locationTable.selectSQL(), locationTable.upsertSQL())
	register(supplierTable.Name, supplierTable.Cols, supplierTable.KeyCols, supplierTable.selectSQL(), supplierTable.upsertSQL())
	register(purchaseOrderTable.Name, purchaseOrderTable.Cols, purchaseOrderTable.KeyCols, purchaseOrderTable.selectSQL(), purchaseOrderTable.upsertSQL())
	register(salesOrderTable.Name, salesOrderTable.Cols, salesOrderTable.KeyCols, salesOrderTable.selectSQL(), salesOrderTable.upsertSQL())
	register(userTable.Name, userTable.Cols, userTable.KeyCols, userTable.selectSQL(), userTable.upsertSQL())
	for _, lt := range []struct {
		name string
		cols []string
	}{{"purchase_order_lines", purchaseOrderTable.lines.cols}, {"sales_order_lines", salesOrderTable.lines.cols}} {
		writeStmts[lt.name+".delete"] = "DELETE FROM " + lt.name + " WHERE number = ?"
		writeStmts[lt.name+".insert"] = "INSERT INTO " + lt.name + " (number, line, " + strings.Join(lt.cols, ", ") +
			") VALUES (?, ?" + strings.Repeat(", ?", len(lt.cols)) + ")"
	}
	writeStmts["locationByBarcode"] = locationTable.selectSQL() + " WHERE warehouse = ? AND barcode = ?"
	writeStmts["locationByBarcodeAny"] = locationTable.selectSQL() + " WHERE barcode = ? ORDER BY warehouse LIMIT 1"
}

func (t *tx) SKU(ctx context.Context, code string) (server.SKU, error) {
	if t.stmt == nil {
		return skuTable.get(ctx, t, server.CatalogKey{Code: code})
	}
	// A group commit asks for the same SKUs event after event (unit
	// costs for usage, count tolerances): the write transaction keeps
	// what it read until it writes the catalog (see lookups).
	if hit, ok := t.lookups.skus[code]; ok {
		return hit.sku, hit.err
	}
	s, err := skuTable.get(ctx, t, server.CatalogKey{Code: code})
	if err != nil && !server.IsNotFound(err) {
		return s, err
	}
	if t.lookups.skus == nil {
		t.lookups.skus = map[string]skuHit{}
	}
	t.lookups.skus[code] = skuHit{s, err}
	return s, err
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

func (t *tx) LocationByBarcode(ctx context.Context, warehouse, barcode string) (server.Location, error) {
	var row *sql.Row
	if warehouse == "" {
		row = t.row(ctx, "locationByBarcodeAny", barcode)
	} else {
		row = t.row(ctx, "locationByBarcode", warehouse, barcode)
	}
	l, err := locationTable.scan(row)
	if errors.Is(err, sql.ErrNoRows) {
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

func (t *tx) CatalogChanges(ctx context.Context, warehouse string, after uint64, limit int) ([]server.CatalogChange, error) {
	if limit <= 0 {
		limit = -1
	}
	q := `SELECT position, kind, warehouse, code FROM catalog_changes WHERE position > ?`
	args := []any{after}
	if warehouse != "" {
		q += ` AND (warehouse = '' OR warehouse = ?)`
		args = append(args, warehouse)
	}
	rows, err := t.q.QueryContext(ctx, q+` ORDER BY position LIMIT ?`, append(args, limit)...)
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
	return out, rows.Err()
}

func (t *tx) CatalogHead(ctx context.Context) (uint64, error) {
	var h uint64
	if err := t.q.QueryRowContext(ctx, `SELECT COALESCE(MAX(position), 0) FROM catalog_changes`).Scan(&h); err != nil {
		return 0, fmt.Errorf("catalog head: %w", err)
	}
	return h, nil
}
