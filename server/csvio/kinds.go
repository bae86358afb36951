package csvio

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"

	"github.com/driftless/driftless/server"
)

var kinds = map[string]kind{
	"skus": &simple[server.SKU]{
		cols: cols("code*", "name*", "unit*", "track_lot", "track_expiry", "track_serial", "unit_cost", "category", "archived"),
		coll: func(c *server.Catalog) *server.Collection[server.SKU] { return c.SKUs },
		decode: func(r *row) server.SKU {
			return server.SKU{Code: r.str("code"), Name: r.str("name"), Unit: r.str("unit"),
				TrackLot: r.bool("track_lot"), TrackExpiry: r.bool("track_expiry"), TrackSerial: r.bool("track_serial"),
				UnitCost: r.int("unit_cost", 0), Category: r.str("category"), Meta: server.Meta{Archived: r.bool("archived")}}
		},
		encode: func(s *server.SKU) []string {
			return []string{s.Code, s.Name, s.Unit, fmtBool(s.TrackLot), fmtBool(s.TrackExpiry), fmtBool(s.TrackSerial),
				fmtInt(s.UnitCost), s.Category, fmtBool(s.Archived)}
		},
	},
	"barcodes": &simple[server.Barcode]{
		cols: cols("value*", "sku*", "type*", "pack", "archived"),
		coll: func(c *server.Catalog) *server.Collection[server.Barcode] { return c.Barcodes },
		decode: func(r *row) server.Barcode {
			return server.Barcode{Value: r.str("value"), SKU: r.str("sku"), Type: server.BarcodeType(r.str("type")),
				Pack: r.int("pack", 1), Meta: server.Meta{Archived: r.bool("archived")}}
		},
		encode: func(b *server.Barcode) []string {
			return []string{b.Value, b.SKU, string(b.Type), fmtInt(b.Pack), fmtBool(b.Archived)}
		},
	},
	"warehouses": &simple[server.Warehouse]{
		cols: cols("code*", "name*", "blind_receiving", "over_receipt_pct", "min_shelf_life_days", "archived"),
		coll: func(c *server.Catalog) *server.Collection[server.Warehouse] { return c.Warehouses },
		decode: func(r *row) server.Warehouse {
			return server.Warehouse{Code: r.str("code"), Name: r.str("name"), BlindReceiving: r.bool("blind_receiving"),
				OverReceiptPct: r.int("over_receipt_pct", 0), MinShelfLifeDays: r.int("min_shelf_life_days", 0),
				Meta: server.Meta{Archived: r.bool("archived")}}
		},
		encode: func(w *server.Warehouse) []string {
			return []string{w.Code, w.Name, fmtBool(w.BlindReceiving), fmtInt(w.OverReceiptPct), fmtInt(w.MinShelfLifeDays), fmtBool(w.Archived)}
		},
	},
	"locations": &simple[server.Location]{
		cols: cols("warehouse*", "code*", "type*", "barcode", "sequence", "archived"),
		coll: func(c *server.Catalog) *server.Collection[server.Location] { return c.Locations },
		decode: func(r *row) server.Location {
			return server.Location{Warehouse: r.str("warehouse"), Code: r.str("code"), Type: server.LocationType(r.str("type")),
				Barcode: r.str("barcode"), Sequence: r.int("sequence", 0), Meta: server.Meta{Archived: r.bool("archived")}}
		},
		encode: func(l *server.Location) []string {
			return []string{l.Warehouse, l.Code, string(l.Type), l.Barcode, fmtInt(l.Sequence), fmtBool(l.Archived)}
		},
	},
	"suppliers": &simple[server.Supplier]{
		cols: cols("code*", "name*", "lead_time_days", "archived"),
		coll: func(c *server.Catalog) *server.Collection[server.Supplier] { return c.Suppliers },
		decode: func(r *row) server.Supplier {
			return server.Supplier{Code: r.str("code"), Name: r.str("name"), LeadTimeDays: r.int("lead_time_days", 0),
				Meta: server.Meta{Archived: r.bool("archived")}}
		},
		encode: func(s *server.Supplier) []string {
			return []string{s.Code, s.Name, fmtInt(s.LeadTimeDays), fmtBool(s.Archived)}
		},
	},
	"purchase-orders": &orders[server.PurchaseOrder, server.PurchaseOrderLine]{
		cols: cols("number*", "supplier*", "warehouse*", "status*", "expected_date", "ssccs", "line", "sku", "ordered", "received", "archived"),
		head: []string{"number", "supplier", "warehouse", "status", "expected_date", "ssccs", "archived"},
		coll: func(c *server.Catalog) *server.Collection[server.PurchaseOrder] { return c.PurchaseOrders },
		decode: func(r *row) server.PurchaseOrder {
			return server.PurchaseOrder{Number: r.str("number"), Supplier: r.str("supplier"), Warehouse: r.str("warehouse"),
				Status: server.PurchaseOrderStatus(r.str("status")), ExpectedDate: r.str("expected_date"),
				SSCCs: strings.Fields(r.str("ssccs")), Meta: server.Meta{Archived: r.bool("archived")}}
		},
		decodeLine: func(r *row) server.PurchaseOrderLine {
			return server.PurchaseOrderLine{SKU: r.str("sku"), Ordered: r.int("ordered", 0), Received: r.int("received", 0)}
		},
		lines: func(o *server.PurchaseOrder) *[]server.PurchaseOrderLine { return &o.Lines },
		encode: func(o *server.PurchaseOrder, ln *server.PurchaseOrderLine, n int) []string {
			line, sku, ordered, received := "", "", "", ""
			if ln != nil {
				line, sku, ordered, received = fmtInt(int64(n)), ln.SKU, fmtInt(ln.Ordered), fmtInt(ln.Received)
			}
			return []string{o.Number, o.Supplier, o.Warehouse, string(o.Status), o.ExpectedDate, strings.Join(o.SSCCs, " "),
				line, sku, ordered, received, fmtBool(o.Archived)}
		},
	},
	"sales-orders": &orders[server.SalesOrder, server.SalesOrderLine]{
		cols: cols("number*", "customer*", "warehouse*", "status*", "line", "sku", "qty", "picked", "archived"),
		head: []string{"number", "customer", "warehouse", "status", "archived"},
		coll: func(c *server.Catalog) *server.Collection[server.SalesOrder] { return c.SalesOrders },
		decode: func(r *row) server.SalesOrder {
			return server.SalesOrder{Number: r.str("number"), Customer: r.str("customer"), Warehouse: r.str("warehouse"),
				Status: server.SalesOrderStatus(r.str("status")), Meta: server.Meta{Archived: r.bool("archived")}}
		},
		decodeLine: func(r *row) server.SalesOrderLine {
			return server.SalesOrderLine{SKU: r.str("sku"), Qty: r.int("qty", 0), Picked: r.int("picked", 0)}
		},
		lines: func(o *server.SalesOrder) *[]server.SalesOrderLine { return &o.Lines },
		encode: func(o *server.SalesOrder, ln *server.SalesOrderLine, n int) []string {
			line, sku, qty, picked := "", "", "", ""
			if ln != nil {
				line, sku, qty, picked = fmtInt(int64(n)), ln.SKU, fmtInt(ln.Qty), fmtInt(ln.Picked)
			}
			return []string{o.Number, o.Customer, o.Warehouse, string(o.Status), line, sku, qty, picked, fmtBool(o.Archived)}
		},
	},
	"opening-stock": openingStock{},
}

// simple is a kind with one record per row.
type simple[T any] struct {
	cols   []column
	coll   func(*server.Catalog) *server.Collection[T]
	decode func(*row) T
	encode func(*T) []string
}

func (k *simple[T]) columns() []column { return k.cols }

func (k *simple[T]) load(ctx context.Context, c *server.Catalog, rows []*row, bad []RowError) (int, error) {
	recs := make([]T, len(rows))
	for i, r := range rows {
		r.errs = &bad
		recs[i] = k.decode(r)
	}
	rowOf := func(i, _ int) int { return rows[i].n }
	if len(bad) > 0 {
		return 0, withChecks(bad, k.coll(c).Check(ctx, recs), rowOf)
	}
	if err := k.coll(c).Import(ctx, recs); err != nil {
		return 0, issuesToRows(err, rowOf)
	}
	return len(recs), nil
}

func (k *simple[T]) dump(ctx context.Context, c *server.Catalog, w *csv.Writer) (int, error) {
	n := 0
	err := each(ctx, k.coll(c), func(rec *T) error {
		n++
		return w.Write(k.encode(rec))
	})
	return n, err
}

// orders is a kind with one row per order line.
type orders[O, L any] struct {
	cols []column
	// head are the order's own columns, which repeat on every line.
	head       []string
	coll       func(*server.Catalog) *server.Collection[O]
	decode     func(*row) O
	decodeLine func(*row) L
	lines      func(*O) *[]L
	// encode makes the row of line n (1-based); ln is nil for an order
	// without lines.
	encode func(o *O, ln *L, n int) []string
}

func (k *orders[O, L]) columns() []column { return k.cols }

func (k *orders[O, L]) load(ctx context.Context, c *server.Catalog, rows []*row, bad []RowError) (int, error) {
	type line struct {
		no  int64
		row int
		ln  L
	}
	type group struct {
		first *row
		lines []line
		nos   map[int64]int // line number → row
	}
	var (
		recs     []O
		groups   []*group
		byNumber = map[string]int{}
	)
	for _, r := range rows {
		r.errs = &bad
		number := r.str("number")
		i, seen := byNumber[number]
		if !seen || number == "" {
			i = len(recs)
			byNumber[number] = i
			recs = append(recs, k.decode(r))
			groups = append(groups, &group{first: r, nos: map[int64]int{}})
		} else {
			first := groups[i].first
			for _, col := range k.head {
				if a, b := first.str(col), r.str(col); a != b {
					r.fail(col, "order %s has %s %q on row %d but %q here", number, col, a, first.n, b)
				}
			}
		}
		g := groups[i]
		if strings.TrimSpace(r.str("line")) == "" && r.str("sku") == "" {
			continue // an order without lines
		}
		no := r.int("line", int64(len(g.lines)+1))
		if no < 1 {
			r.fail("line", "line must be 1 or more")
		} else if prev, dup := g.nos[no]; dup {
			r.fail("line", "order %s has line %d on row %d already", number, no, prev)
		}
		g.nos[no] = r.n
		g.lines = append(g.lines, line{no: no, row: r.n, ln: k.decodeLine(r)})
	}
	// Lines are stored in the order of their line numbers.
	for i, g := range groups {
		slices.SortStableFunc(g.lines, func(a, b line) int { return cmp.Compare(a.no, b.no) })
		ls := k.lines(&recs[i])
		*ls = make([]L, len(g.lines))
		for j := range g.lines {
			(*ls)[j] = g.lines[j].ln
		}
	}
	rowOf := func(i, ln int) int {
		if g := groups[i]; ln > 0 && ln <= len(g.lines) {
			return g.lines[ln-1].row
		}
		return groups[i].first.n
	}
	if len(bad) > 0 {
		return 0, withChecks(bad, k.coll(c).Check(ctx, recs), rowOf)
	}
	if err := k.coll(c).Import(ctx, recs); err != nil {
		return 0, issuesToRows(err, rowOf)
	}
	return len(recs), nil
}

func (k *orders[O, L]) dump(ctx context.Context, c *server.Catalog, w *csv.Writer) (int, error) {
	n := 0
	err := each(ctx, k.coll(c), func(o *O) error {
		ls := *k.lines(o)
		if len(ls) == 0 {
			n++
			return w.Write(k.encode(o, nil, 0))
		}
		for j := range ls {
			n++
			if err := w.Write(k.encode(o, &ls[j], j+1)); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// openingStock is the opening-stock kind.
type openingStock struct{}

func (openingStock) columns() []column { return cols("warehouse*", "location*", "sku*", "lot", "qty*") }

func (openingStock) load(ctx context.Context, c *server.Catalog, rows []*row, bad []RowError) (int, error) {
	recs := make([]server.OpeningStock, len(rows))
	seen := map[server.StockKey]int{}
	for i, r := range rows {
		r.errs = &bad
		recs[i] = server.OpeningStock{Warehouse: r.str("warehouse"), Location: r.str("location"), SKU: r.str("sku"),
			Lot: r.str("lot"), Qty: r.int("qty", 0)}
		k := server.StockKey{Warehouse: recs[i].Warehouse, Location: recs[i].Location, SKU: recs[i].SKU, Lot: recs[i].Lot}
		if prev, dup := seen[k]; dup {
			r.fail("sku", "duplicate row: %s%s at %s is on row %d already", k.SKU, lotSuffix(k.Lot), k.Location, prev)
		}
		seen[k] = r.n
	}
	rowOf := func(i, _ int) int { return rows[i].n }
	if len(bad) > 0 {
		return 0, withChecks(bad, c.CheckOpeningStock(ctx, recs), rowOf)
	}
	if err := c.ImportOpeningStock(ctx, recs); err != nil {
		return 0, issuesToRows(err, rowOf)
	}
	return len(recs), nil
}

func lotSuffix(lot string) string {
	if lot == "" {
		return ""
	}
	return " lot " + lot
}

func (openingStock) dump(ctx context.Context, c *server.Catalog, w *csv.Writer) (int, error) {
	n := 0
	f := server.StockFilter{Limit: pageSize}
	for {
		page, err := c.Ledger().Stock(ctx, f)
		if err != nil {
			return n, err
		}
		for _, l := range page {
			if l.Qty == 0 {
				continue
			}
			n++
			if err := w.Write([]string{l.Warehouse, l.Location, l.SKU, l.Lot, fmtInt(l.Qty)}); err != nil {
				return n, fmt.Errorf("write stock: %w", err)
			}
		}
		if len(page) < pageSize {
			return n, nil
		}
		k := page[len(page)-1].StockKey
		f.After = &k
	}
}
