package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/driftless/driftless/syncproto"
)

// Queries over the reference data and the stock view that the handheld's
// screens and workflows ask.

// Warehouse returns the enrolled warehouse's record (found false before
// the catalog has it).
func (s *Store) Warehouse(ctx context.Context) (syncproto.Warehouse, bool, error) {
	var w syncproto.Warehouse
	err := s.r.QueryRowContext(ctx, `SELECT code, name, blind_receiving, over_receipt_pct, min_shelf_life_days, position
		FROM ref_warehouse ORDER BY code = COALESCE((SELECT warehouse FROM identity WHERE id = 1), '') DESC, code LIMIT 1`).
		Scan(&w.Code, &w.Name, &w.BlindReceiving, &w.OverReceiptPct, &w.MinShelfLifeDays, &w.Position)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return syncproto.Warehouse{}, false, nil
	case err != nil:
		return syncproto.Warehouse{}, false, fmt.Errorf("read warehouse: %w", err)
	}
	return w, true, nil
}

// Users returns the users the device holds, archived ones included
// (flagged), by code.
func (s *Store) Users(ctx context.Context) ([]syncproto.User, error) {
	var out []syncproto.User
	err := scanAll(ctx, s.r, `SELECT code, name, roles, pin_hash, archived, position FROM ref_users ORDER BY code`,
		func(sc scanner) error {
			var u syncproto.User
			var roles string
			if err := sc.Scan(&u.Code, &u.Name, &roles, &u.PINHash, &u.Archived, &u.Position); err != nil {
				return err
			}
			u.Roles = splitRoles(roles)
			out = append(out, u)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read users: %w", err)
	}
	return out, nil
}

// User returns one user by code.
func (s *Store) User(ctx context.Context, code string) (syncproto.User, bool, error) {
	var u syncproto.User
	var roles string
	err := s.r.QueryRowContext(ctx, `SELECT code, name, roles, pin_hash, archived, position FROM ref_users WHERE code = ?`, code).
		Scan(&u.Code, &u.Name, &roles, &u.PINHash, &u.Archived, &u.Position)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return syncproto.User{}, false, nil
	case err != nil:
		return syncproto.User{}, false, fmt.Errorf("read user %s: %w", code, err)
	}
	u.Roles = splitRoles(roles)
	return u, true, nil
}

// SKU returns one SKU by code.
func (s *Store) SKU(ctx context.Context, code string) (syncproto.SKU, bool, error) {
	var r syncproto.SKU
	err := s.r.QueryRowContext(ctx, `SELECT code, name, unit, track_lot, track_expiry, track_serial, unit_cost, category, position
		FROM ref_skus WHERE code = ?`, code).
		Scan(&r.Code, &r.Name, &r.Unit, &r.TrackLot, &r.TrackExpiry, &r.TrackSerial, &r.UnitCost, &r.Category, &r.Position)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return syncproto.SKU{}, false, nil
	case err != nil:
		return syncproto.SKU{}, false, fmt.Errorf("read sku %s: %w", code, err)
	}
	return r, true, nil
}

// Location returns one location by code.
func (s *Store) Location(ctx context.Context, code string) (syncproto.Location, bool, error) {
	var r syncproto.Location
	err := s.r.QueryRowContext(ctx, `SELECT code, type, barcode, sequence, position FROM ref_locations WHERE code = ?`, code).
		Scan(&r.Code, &r.Type, &r.Barcode, &r.Sequence, &r.Position)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return syncproto.Location{}, false, nil
	case err != nil:
		return syncproto.Location{}, false, fmt.Errorf("read location %s: %w", code, err)
	}
	return r, true, nil
}

// FirstLocation returns the location of a type with the lowest sequence,
// then code: where receiving (dock), quarantine and returns go.
func (s *Store) FirstLocation(ctx context.Context, typ string) (string, bool, error) {
	var c string
	err := s.r.QueryRowContext(ctx, `SELECT code FROM ref_locations WHERE type = ? ORDER BY sequence, code LIMIT 1`, typ).Scan(&c)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("find a %s location: %w", typ, err)
	}
	return c, true, nil
}

// StockRow is a positive quantity of the local stock view with what the
// screens show of it.
type StockRow struct {
	Location     string
	LocationType string // "" when the location is not in the catalog
	Sequence     int64
	SKU          string
	Name         string // "" when the SKU is not in the catalog
	Lot          string
	Qty          int64
}

const stockRows = `SELECT v.location, COALESCE(l.type, ''), COALESCE(l.sequence, 0), v.sku, COALESCE(k.name, ''), v.lot, v.qty
	FROM stock_view v LEFT JOIN ref_locations l ON l.code = v.location LEFT JOIN ref_skus k ON k.code = v.sku
	WHERE v.qty > 0`

func (s *Store) stockRows(ctx context.Context, q string, args ...any) ([]StockRow, error) {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StockRow
	for rows.Next() {
		var r StockRow
		if err := rows.Scan(&r.Location, &r.LocationType, &r.Sequence, &r.SKU, &r.Name, &r.Lot, &r.Qty); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// StockAt returns the positive stock at locations of a type ("" for
// every location), by location sequence, location, SKU and lot.
func (s *Store) StockAt(ctx context.Context, locationType string) ([]StockRow, error) {
	rows, err := s.stockRows(ctx, stockRows+` AND (?1 = '' OR l.type = ?1)
		ORDER BY COALESCE(l.sequence, 0), v.location, v.sku, v.lot`, locationType)
	if err != nil {
		return nil, fmt.Errorf("read stock at %q locations: %w", locationType, err)
	}
	return rows, nil
}

// BinsHolding returns the bins holding sku (any lot), the most first, then
// by sequence and code; Qty is the bin's total of the SKU.
func (s *Store) BinsHolding(ctx context.Context, sku string) ([]StockRow, error) {
	rows, err := s.stockRows(ctx, `SELECT v.location, l.type, l.sequence, v.sku, COALESCE(k.name, ''), '', SUM(v.qty)
		FROM stock_view v JOIN ref_locations l ON l.code = v.location LEFT JOIN ref_skus k ON k.code = v.sku
		WHERE v.sku = ? AND l.type = 'bin' AND v.qty > 0
		GROUP BY v.location ORDER BY SUM(v.qty) DESC, l.sequence, v.location`, sku)
	if err != nil {
		return nil, fmt.Errorf("find bins holding %s: %w", sku, err)
	}
	return rows, nil
}

// EmptyBins returns up to limit bins with no positive stock, by sequence
// and code.
func (s *Store) EmptyBins(ctx context.Context, limit int) ([]string, error) {
	var out []string
	rows, err := s.r.QueryContext(ctx, `SELECT l.code FROM ref_locations l WHERE l.type = 'bin'
		AND NOT EXISTS (SELECT 1 FROM stock_view v WHERE v.location = l.code AND v.qty > 0)
		ORDER BY l.sequence, l.code LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("find empty bins: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("find empty bins: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find empty bins: %w", err)
	}
	return out, nil
}

// OrderSummary is a held purchase order with its supplier's name.
type OrderSummary struct {
	syncproto.PurchaseOrder
	SupplierName string // "" when the supplier is not in the catalog
}

// PurchaseOrders returns the purchase orders the device holds (open or
// partially received), with lines and SSCCs, by expected date then
// number.
func (s *Store) PurchaseOrders(ctx context.Context) ([]OrderSummary, error) {
	out, err := s.purchaseOrders(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("read purchase orders: %w", err)
	}
	return out, nil
}

// PurchaseOrder returns one held purchase order with lines and SSCCs.
func (s *Store) PurchaseOrder(ctx context.Context, number string) (OrderSummary, bool, error) {
	out, err := s.purchaseOrders(ctx, number)
	if err != nil {
		return OrderSummary{}, false, fmt.Errorf("read purchase order %s: %w", number, err)
	}
	if len(out) == 0 {
		return OrderSummary{}, false, nil
	}
	return out[0], true, nil
}

func (s *Store) purchaseOrders(ctx context.Context, number string) ([]OrderSummary, error) {
	var out []OrderSummary
	idx := map[string]int{}
	err := scanAll(ctx, s.r, `SELECT o.number, o.supplier, COALESCE(s.name, ''), o.status, o.expected_date, o.position
		FROM ref_purchase_orders o LEFT JOIN ref_suppliers s ON s.code = o.supplier
		WHERE ?1 = '' OR o.number = ?1 ORDER BY o.expected_date, o.number`,
		func(sc scanner) error {
			o := OrderSummary{PurchaseOrder: syncproto.PurchaseOrder{Lines: []syncproto.POLine{}}}
			if err := sc.Scan(&o.Number, &o.Supplier, &o.SupplierName, &o.Status, &o.ExpectedDate, &o.Position); err != nil {
				return err
			}
			idx[o.Number] = len(out)
			out = append(out, o)
			return nil
		}, number)
	if err != nil {
		return nil, err
	}
	if err := scanAll(ctx, s.r, `SELECT number, sku, ordered, received FROM ref_purchase_order_lines
		WHERE ?1 = '' OR number = ?1 ORDER BY number, line`,
		func(sc scanner) error {
			var n string
			var ln syncproto.POLine
			if err := sc.Scan(&n, &ln.SKU, &ln.Ordered, &ln.Received); err != nil {
				return err
			}
			if i, ok := idx[n]; ok {
				out[i].Lines = append(out[i].Lines, ln)
			}
			return nil
		}, number); err != nil {
		return nil, err
	}
	err = scanAll(ctx, s.r, `SELECT number, sscc FROM ref_po_sscc WHERE ?1 = '' OR number = ?1 ORDER BY number, n`,
		func(sc scanner) error {
			var n, sscc string
			if err := sc.Scan(&n, &sscc); err != nil {
				return err
			}
			if i, ok := idx[n]; ok {
				out[i].SSCCs = append(out[i].SSCCs, sscc)
			}
			return nil
		}, number)
	return out, err
}

// Supplier returns one supplier by code.
func (s *Store) Supplier(ctx context.Context, code string) (syncproto.Supplier, bool, error) {
	var r syncproto.Supplier
	err := s.r.QueryRowContext(ctx, `SELECT code, name, lead_time_days, position FROM ref_suppliers WHERE code = ?`, code).
		Scan(&r.Code, &r.Name, &r.LeadTimeDays, &r.Position)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return syncproto.Supplier{}, false, nil
	case err != nil:
		return syncproto.Supplier{}, false, fmt.Errorf("read supplier %s: %w", code, err)
	}
	return r, true, nil
}

// Categories returns the SKUs' categories, each once, sorted (not "").
func (s *Store) Categories(ctx context.Context) ([]string, error) {
	var out []string
	err := scanAll(ctx, s.r, `SELECT DISTINCT category FROM ref_skus WHERE category <> '' ORDER BY category`,
		func(sc scanner) error {
			var c string
			err := sc.Scan(&c)
			out = append(out, c)
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("read categories: %w", err)
	}
	return out, nil
}
