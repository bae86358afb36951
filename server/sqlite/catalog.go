package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/driftless/driftless/server"
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

// table maps one kind of reference record to its table. cols are the
// record's own columns (the key first); archived, archived_at and
// position follow them in every table.
type table[T any] struct {
	name    string
	kind    server.CatalogKind
	cols    []string
	keyCols []string
	// keyArgs turns a key into the values of keyCols.
	keyArgs func(k server.CatalogKey) []any
	// change is the warehouse and code a change of rec is logged under.
	change func(rec *T) (warehouse, code string)
	values func(rec *T) []any
	dest   func(rec *T) []any
	meta   func(rec *T) *server.Meta
	// q lists the columns the Q filter searches; filter adds the
	// kind's own conditions.
	q      []string
	filter func(f *server.ListFilter, w *where)
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
	return "SELECT " + strings.Join(tb.cols, ", ") + ", archived, archived_at, position FROM " + tb.name
}

func (tb *table[T]) scan(sc interface{ Scan(...any) error }) (T, error) {
	var rec T
	var archivedAt string
	m := tb.meta(&rec)
	err := sc.Scan(append(tb.dest(&rec), &m.Archived, &archivedAt, &m.Position)...)
	m.ArchivedAt = parseTime(archivedAt)
	return rec, err
}

func (tb *table[T]) upsertSQL() string {
	all := append(append([]string{}, tb.cols...), "archived", "archived_at", "position")
	var set []string
	for _, c := range all[len(tb.keyCols):] {
		set = append(set, c+" = excluded."+c)
	}
	return "INSERT INTO " + tb.name + " (" + strings.Join(all, ", ") + ") VALUES (?" + strings.Repeat(", ?", len(all)-1) +
		") ON CONFLICT (" + strings.Join(tb.keyCols, ", ") + ") DO UPDATE SET " + strings.Join(set, ", ")
}

func (tb *table[T]) get(ctx context.Context, t *tx, k server.CatalogKey) (T, error) {
	rec, err := tb.scan(t.row(ctx, tb.name+".get", tb.keyArgs(k)...))
	if errors.Is(err, sql.ErrNoRows) {
		return rec, server.Errorf(server.ENotFound, "no %s %s", strings.ReplaceAll(string(tb.kind), "_", " "), k.Code)
	}
	if err != nil {
		return rec, fmt.Errorf("get %s %s: %w", tb.kind, k.Code, err)
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
	if f.Q != "" && len(tb.q) > 0 {
		pat := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(f.Q) + "%"
		var or []string
		for _, c := range tb.q {
			or = append(or, c+` LIKE ? ESCAPE '\'`)
			w.args = append(w.args, pat)
		}
		w.conds = append(w.conds, "("+strings.Join(or, " OR ")+")")
	}
	if tb.filter != nil {
		tb.filter(&f, &w)
	}
	if f.After != nil {
		w.conds = append(w.conds, "("+strings.Join(tb.keyCols, ", ")+") > ("+strings.TrimSuffix(strings.Repeat("?, ", len(tb.keyCols)), ", ")+")")
		w.args = append(w.args, tb.keyArgs(*f.After)...)
	}
	q := tb.selectSQL()
	if len(w.conds) > 0 {
		q += " WHERE " + strings.Join(w.conds, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	q += " ORDER BY " + strings.Join(tb.keyCols, ", ") + " LIMIT ?"
	rows, err := t.q.QueryContext(ctx, q, append(w.args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", tb.name, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		rec, err := tb.scan(rows)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", tb.name, err)
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %s: %w", tb.name, err)
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
	wh, code := tb.change(&rec)
	res, err := t.exec(ctx, "catalogChange", string(tb.kind), wh, code)
	if err != nil {
		return 0, fmt.Errorf("put %s %s: log change: %w", tb.kind, code, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("put %s %s: log change: %w", tb.kind, code, err)
	}
	m := tb.meta(&rec)
	m.Position = uint64(id)
	if _, err := t.exec(ctx, tb.name+".put", append(tb.values(&rec), m.Archived, fmtTime(m.ArchivedAt), m.Position)...); err != nil {
		return 0, fmt.Errorf("put %s %s: %w", tb.kind, code, err)
	}
	if tb.lines != nil {
		if err := tb.lines.store(ctx, t, &rec); err != nil {
			return 0, fmt.Errorf("put %s %s: %w", tb.kind, code, err)
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

func codeKey(k server.CatalogKey) []any { return []any{k.Code} }

var (
	skuTable = &table[server.SKU]{
		name: "skus", kind: server.KindSKU,
		cols:    []string{"code", "name", "unit", "track_lot", "track_expiry", "track_serial", "unit_cost"},
		keyCols: []string{"code"}, keyArgs: codeKey, q: []string{"code", "name"},
		change: func(s *server.SKU) (string, string) { return "", s.Code },
		values: func(s *server.SKU) []any {
			return []any{s.Code, s.Name, s.Unit, s.TrackLot, s.TrackExpiry, s.TrackSerial, s.UnitCost}
		},
		dest: func(s *server.SKU) []any {
			return []any{&s.Code, &s.Name, &s.Unit, &s.TrackLot, &s.TrackExpiry, &s.TrackSerial, &s.UnitCost}
		},
		meta: func(s *server.SKU) *server.Meta { return &s.Meta },
	}
	barcodeTable = &table[server.Barcode]{
		name: "barcodes", kind: server.KindBarcode,
		cols:    []string{"value", "sku", "type", "pack"},
		keyCols: []string{"value"}, keyArgs: codeKey, q: []string{"value"},
		change: func(b *server.Barcode) (string, string) { return "", b.Value },
		values: func(b *server.Barcode) []any { return []any{b.Value, b.SKU, string(b.Type), b.Pack} },
		dest:   func(b *server.Barcode) []any { return []any{&b.Value, &b.SKU, &b.Type, &b.Pack} },
		meta:   func(b *server.Barcode) *server.Meta { return &b.Meta },
		filter: func(f *server.ListFilter, w *where) { w.eq("sku", f.SKU); w.eq("type", f.Type) },
	}
	warehouseTable = &table[server.Warehouse]{
		name: "warehouses", kind: server.KindWarehouse,
		cols:    []string{"code", "name", "blind_receiving"},
		keyCols: []string{"code"}, keyArgs: codeKey, q: []string{"code", "name"},
		change: func(w *server.Warehouse) (string, string) { return w.Code, w.Code },
		values: func(w *server.Warehouse) []any { return []any{w.Code, w.Name, w.BlindReceiving} },
		dest:   func(w *server.Warehouse) []any { return []any{&w.Code, &w.Name, &w.BlindReceiving} },
		meta:   func(w *server.Warehouse) *server.Meta { return &w.Meta },
		filter: func(f *server.ListFilter, w *where) { w.eq("code", f.Warehouse) },
	}
	locationTable = &table[server.Location]{
		name: "locations", kind: server.KindLocation,
		cols:    []string{"warehouse", "code", "type", "barcode", "sequence"},
		keyCols: []string{"warehouse", "code"}, q: []string{"code", "barcode"},
		keyArgs: func(k server.CatalogKey) []any { return []any{k.Warehouse, k.Code} },
		change:  func(l *server.Location) (string, string) { return l.Warehouse, l.Code },
		values: func(l *server.Location) []any {
			return []any{l.Warehouse, l.Code, string(l.Type), l.Barcode, l.Sequence}
		},
		dest: func(l *server.Location) []any {
			return []any{&l.Warehouse, &l.Code, &l.Type, &l.Barcode, &l.Sequence}
		},
		meta:   func(l *server.Location) *server.Meta { return &l.Meta },
		filter: func(f *server.ListFilter, w *where) { w.eq("warehouse", f.Warehouse); w.eq("type", f.Type) },
	}
	supplierTable = &table[server.Supplier]{
		name: "suppliers", kind: server.KindSupplier,
		cols:    []string{"code", "name", "lead_time_days"},
		keyCols: []string{"code"}, keyArgs: codeKey, q: []string{"code", "name"},
		change: func(s *server.Supplier) (string, string) { return "", s.Code },
		values: func(s *server.Supplier) []any { return []any{s.Code, s.Name, s.LeadTimeDays} },
		dest:   func(s *server.Supplier) []any { return []any{&s.Code, &s.Name, &s.LeadTimeDays} },
		meta:   func(s *server.Supplier) *server.Meta { return &s.Meta },
	}
	purchaseOrderTable = &table[server.PurchaseOrder]{
		name: "purchase_orders", kind: server.KindPurchaseOrder,
		cols:    []string{"number", "supplier", "warehouse", "status", "expected_date"},
		keyCols: []string{"number"}, keyArgs: codeKey, q: []string{"number"},
		change: func(o *server.PurchaseOrder) (string, string) { return o.Warehouse, o.Number },
		values: func(o *server.PurchaseOrder) []any {
			return []any{o.Number, o.Supplier, o.Warehouse, string(o.Status), o.ExpectedDate}
		},
		dest: func(o *server.PurchaseOrder) []any {
			return []any{&o.Number, &o.Supplier, &o.Warehouse, &o.Status, &o.ExpectedDate}
		},
		meta: func(o *server.PurchaseOrder) *server.Meta { return &o.Meta },
		filter: func(f *server.ListFilter, w *where) {
			w.eq("warehouse", f.Warehouse)
			w.eq("status", f.Status)
			w.eq("supplier", f.Supplier)
		},
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
	salesOrderTable = &table[server.SalesOrder]{
		name: "sales_orders", kind: server.KindSalesOrder,
		cols:    []string{"number", "customer", "warehouse", "status"},
		keyCols: []string{"number"}, keyArgs: codeKey, q: []string{"number", "customer"},
		change: func(o *server.SalesOrder) (string, string) { return o.Warehouse, o.Number },
		values: func(o *server.SalesOrder) []any {
			return []any{o.Number, o.Customer, o.Warehouse, string(o.Status)}
		},
		dest: func(o *server.SalesOrder) []any {
			return []any{&o.Number, &o.Customer, &o.Warehouse, &o.Status}
		},
		meta: func(o *server.SalesOrder) *server.Meta { return &o.Meta },
		filter: func(f *server.ListFilter, w *where) {
			w.eq("warehouse", f.Warehouse)
			w.eq("status", f.Status)
		},
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
	register(skuTable.name, skuTable.cols, skuTable.keyCols, skuTable.selectSQL(), skuTable.upsertSQL())
	register(barcodeTable.name, barcodeTable.cols, barcodeTable.keyCols, barcodeTable.selectSQL(), barcodeTable.upsertSQL())
	register(warehouseTable.name, warehouseTable.cols, warehouseTable.keyCols, warehouseTable.selectSQL(), warehouseTable.upsertSQL())
	register(locationTable.name, locationTable.cols, locationTable.keyCols, locationTable.selectSQL(), locationTable.upsertSQL())
	register(supplierTable.name, supplierTable.cols, supplierTable.keyCols, supplierTable.selectSQL(), supplierTable.upsertSQL())
	register(purchaseOrderTable.name, purchaseOrderTable.cols, purchaseOrderTable.keyCols, purchaseOrderTable.selectSQL(), purchaseOrderTable.upsertSQL())
	register(salesOrderTable.name, salesOrderTable.cols, salesOrderTable.keyCols, salesOrderTable.selectSQL(), salesOrderTable.upsertSQL())
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
