package sqlite

import (
	"context"
	"fmt"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/catalogmap"
)

var _ server.CatalogCounter = (*Store)(nil)

// CountCatalog counts the records of a kind that f's Archived, Warehouse
// (locations and orders) and Status (orders) select.
func (s *Store) CountCatalog(ctx context.Context, kind server.CatalogKind, f server.ListFilter) (int, error) {
	table, ok := catalogmap.CountTables[kind]
	if !ok {
		return 0, fmt.Errorf("count %s: unknown kind", kind)
	}
	q := `SELECT COUNT(*) FROM ` + table + ` WHERE 1 = 1`
	var args []any
	switch f.Archived {
	case server.ActiveOnly:
		q += ` AND archived = 0`
	case server.ArchivedOnly:
		q += ` AND archived = 1`
	}
	switch kind {
	case server.KindLocation, server.KindPurchaseOrder, server.KindSalesOrder, server.KindPickList, server.KindCountTask:
		if f.Warehouse != "" {
			q += ` AND warehouse = ?`
			args = append(args, f.Warehouse)
		}
	}
	if f.Status != "" && (kind == server.KindPurchaseOrder || kind == server.KindSalesOrder || kind == server.KindPickList || kind == server.KindCountTask) {
		q += ` AND status = ?`
		args = append(args, f.Status)
	}
	var n int
	if err := s.read.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", table, err)
	}
	return n, nil
}

// CountStock counts a warehouse's stock levels (the keys the ledger has
// touched).
func (s *Store) CountStock(ctx context.Context, warehouse string) (int, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM stock WHERE warehouse = ? AND position > 0`, warehouse).Scan(&n); err != nil {
		return 0, fmt.Errorf("count stock: %w", err)
	}
	return n, nil
}
