package catalogmap

import (
	"database/sql/driver"
	"fmt"
	"strings"

	"github.com/driftless/driftless/server"
)

// Table maps one kind of reference record to its table. Cols are the
// record's own columns (the key first); every table also has archived,
// archived_at and position after them. Order lines live in tables of
// their own, which each store maps in its dialect.
type Table[T any] struct {
	Name    string
	Kind    server.CatalogKind
	Cols    []string
	KeyCols []string
	// KeyArgs turns a key into the values of KeyCols.
	KeyArgs func(k server.CatalogKey) []any
	// Change is the warehouse and code a change of rec is logged under.
	Change func(rec *T) (warehouse, code string)
	Values func(rec *T) []any
	Dest   func(rec *T) []any
	Meta   func(rec *T) *server.Meta
	// Q lists the columns the Q filter searches.
	Q []string
	// Filter lists the kind's own equality conditions for a list filter;
	// conditions with an empty value select everything.
	Filter func(f *server.ListFilter) []Eq
}

// Eq is one equality condition of a list filter.
type Eq struct{ Col, Val string }

// CodeKey is KeyArgs for tables keyed by code alone.
func CodeKey(k server.CatalogKey) []any { return []any{k.Code} }

// CountTables maps the kinds a snapshot counts to their tables.
var CountTables = map[server.CatalogKind]string{
	SKUs.Kind: SKUs.Name, Barcodes.Kind: Barcodes.Name, Warehouses.Kind: Warehouses.Name,
	Locations.Kind: Locations.Name, Suppliers.Kind: Suppliers.Name,
	PurchaseOrders.Kind: PurchaseOrders.Name, SalesOrders.Kind: SalesOrders.Name,
	Users.Kind: Users.Name,
}

// Joined stores a list of strings in one text column, its items joined
// by Sep (items never contain it: roles, SSCCs). It scans into *Dst and
// is a driver.Valuer, for both dialects.
type Joined struct {
	Dst *[]string
	Sep string
}

// Join returns the column value of a list.
func Join(items []string, sep string) string { return strings.Join(items, sep) }

// Scan implements sql.Scanner.
func (j Joined) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("scan a list from %T", src)
	}
	*j.Dst = nil
	if s != "" {
		*j.Dst = strings.Split(s, j.Sep)
	}
	return nil
}

// Value implements driver.Valuer.
func (j Joined) Value() (driver.Value, error) { return Join(*j.Dst, j.Sep), nil }

// The tables of the catalog.
var (
	SKUs = &Table[server.SKU]{
		Name: "skus", Kind: server.KindSKU,
		Cols:    []string{"code", "name", "unit", "track_lot", "track_expiry", "track_serial", "unit_cost", "category"},
		KeyCols: []string{"code"}, KeyArgs: CodeKey, Q: []string{"code", "name"},
		Change: func(s *server.SKU) (string, string) { return "", s.Code },
		Values: func(s *server.SKU) []any {
			return []any{s.Code, s.Name, s.Unit, s.TrackLot, s.TrackExpiry, s.TrackSerial, s.UnitCost, s.Category}
		},
		Dest: func(s *server.SKU) []any {
			return []any{&s.Code, &s.Name, &s.Unit, &s.TrackLot, &s.TrackExpiry, &s.TrackSerial, &s.UnitCost, &s.Category}
		},
		Meta: func(s *server.SKU) *server.Meta { return &s.Meta },
	}
	Barcodes = &Table[server.Barcode]{
		Name: "barcodes", Kind: server.KindBarcode,
		Cols:    []string{"value", "sku", "type", "pack"},
		KeyCols: []string{"value"}, KeyArgs: CodeKey, Q: []string{"value"},
		Change: func(b *server.Barcode) (string, string) { return "", b.Value },
		Values: func(b *server.Barcode) []any { return []any{b.Value, b.SKU, string(b.Type), b.Pack} },
		Dest:   func(b *server.Barcode) []any { return []any{&b.Value, &b.SKU, &b.Type, &b.Pack} },
		Meta:   func(b *server.Barcode) *server.Meta { return &b.Meta },
		Filter: func(f *server.ListFilter) []Eq {
			return []Eq{{"sku", f.SKU}, {"type", f.Type}}
		},
	}
	Warehouses = &Table[server.Warehouse]{
		Name: "warehouses", Kind: server.KindWarehouse,
		Cols:    []string{"code", "name", "blind_receiving", "over_receipt_pct", "min_shelf_life_days"},
		KeyCols: []string{"code"}, KeyArgs: CodeKey, Q: []string{"code", "name"},
		Change: func(w *server.Warehouse) (string, string) { return w.Code, w.Code },
		Values: func(w *server.Warehouse) []any {
			return []any{w.Code, w.Name, w.BlindReceiving, w.OverReceiptPct, w.MinShelfLifeDays}
		},
		Dest: func(w *server.Warehouse) []any {
			return []any{&w.Code, &w.Name, &w.BlindReceiving, &w.OverReceiptPct, &w.MinShelfLifeDays}
		},
		Meta: func(w *server.Warehouse) *server.Meta { return &w.Meta },
		Filter: func(f *server.ListFilter) []Eq {
			return []Eq{{"code", f.Warehouse}}
		},
	}
	Locations = &Table[server.Location]{
		Name: "locations", Kind: server.KindLocation,
		Cols:    []string{"warehouse", "code", "type", "barcode", "sequence"},
		KeyCols: []string{"warehouse", "code"}, Q: []string{"code", "barcode"},
		KeyArgs: func(k server.CatalogKey) []any { return []any{k.Warehouse, k.Code} },
		Change:  func(l *server.Location) (string, string) { return l.Warehouse, l.Code },
		Values: func(l *server.Location) []any {
			return []any{l.Warehouse, l.Code, string(l.Type), l.Barcode, l.Sequence}
		},
		Dest: func(l *server.Location) []any {
			return []any{&l.Warehouse, &l.Code, &l.Type, &l.Barcode, &l.Sequence}
		},
		Meta: func(l *server.Location) *server.Meta { return &l.Meta },
		Filter: func(f *server.ListFilter) []Eq {
			return []Eq{{"warehouse", f.Warehouse}, {"type", f.Type}}
		},
	}
	Suppliers = &Table[server.Supplier]{
		Name: "suppliers", Kind: server.KindSupplier,
		Cols:    []string{"code", "name", "lead_time_days"},
		KeyCols: []string{"code"}, KeyArgs: CodeKey, Q: []string{"code", "name"},
		Change: func(s *server.Supplier) (string, string) { return "", s.Code },
		Values: func(s *server.Supplier) []any { return []any{s.Code, s.Name, s.LeadTimeDays} },
		Dest:   func(s *server.Supplier) []any { return []any{&s.Code, &s.Name, &s.LeadTimeDays} },
		Meta:   func(s *server.Supplier) *server.Meta { return &s.Meta },
	}
	PurchaseOrders = &Table[server.PurchaseOrder]{
		Name: "purchase_orders", Kind: server.KindPurchaseOrder,
		Cols:    []string{"number", "supplier", "warehouse", "status", "expected_date", "ssccs"},
		KeyCols: []string{"number"}, KeyArgs: CodeKey, Q: []string{"number", "ssccs"},
		Change: func(o *server.PurchaseOrder) (string, string) { return o.Warehouse, o.Number },
		Values: func(o *server.PurchaseOrder) []any {
			return []any{o.Number, o.Supplier, o.Warehouse, string(o.Status), o.ExpectedDate, Join(o.SSCCs, " ")}
		},
		Dest: func(o *server.PurchaseOrder) []any {
			return []any{&o.Number, &o.Supplier, &o.Warehouse, &o.Status, &o.ExpectedDate, &Joined{&o.SSCCs, " "}}
		},
		Meta: func(o *server.PurchaseOrder) *server.Meta { return &o.Meta },
		Filter: func(f *server.ListFilter) []Eq {
			return []Eq{{"warehouse", f.Warehouse}, {"status", f.Status}, {"supplier", f.Supplier}}
		},
	}
	SalesOrders = &Table[server.SalesOrder]{
		Name: "sales_orders", Kind: server.KindSalesOrder,
		Cols:    []string{"number", "customer", "warehouse", "status"},
		KeyCols: []string{"number"}, KeyArgs: CodeKey, Q: []string{"number", "customer"},
		Change: func(o *server.SalesOrder) (string, string) { return o.Warehouse, o.Number },
		Values: func(o *server.SalesOrder) []any {
			return []any{o.Number, o.Customer, o.Warehouse, string(o.Status)}
		},
		Dest: func(o *server.SalesOrder) []any {
			return []any{&o.Number, &o.Customer, &o.Warehouse, &o.Status}
		},
		Meta: func(o *server.SalesOrder) *server.Meta { return &o.Meta },
		Filter: func(f *server.ListFilter) []Eq {
			return []Eq{{"warehouse", f.Warehouse}, {"status", f.Status}}
		},
	}
	Users = &Table[server.User]{
		Name: "users", Kind: server.KindUser,
		Cols:    []string{"code", "name", "roles", "pin_hash"},
		KeyCols: []string{"code"}, KeyArgs: CodeKey, Q: []string{"code", "name"},
		Change: func(u *server.User) (string, string) { return "", u.Code },
		Values: func(u *server.User) []any { return []any{u.Code, u.Name, Join(u.Roles, ","), u.PINHash} },
		Dest:   func(u *server.User) []any { return []any{&u.Code, &u.Name, &Joined{&u.Roles, ","}, &u.PINHash} },
		Meta:   func(u *server.User) *server.Meta { return &u.Meta },
	}
)
