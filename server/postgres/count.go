package postgres

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
	w := &where{}
	switch f.Archived {
	case server.ActiveOnly:
		w.conds = append(w.conds, "NOT archived")
	case server.ArchivedOnly:
		w.conds = append(w.conds, "archived")
	}
	switch kind {
	case server.KindLocation, server.KindPurchaseOrder, server.KindSalesOrder, server.KindPickList, server.KindCountTask:
		w.eq("warehouse", f.Warehouse)
	}
	if kind == server.KindPurchaseOrder || kind == server.KindSalesOrder || kind == server.KindPickList {
		w.eq("status", f.Status)
	}
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT COUNT(*) FROM `+table+w.sql(), w.args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count %s: %w", table, err)
	}
	return n, nil
}

// CountStock counts a warehouse's stock levels (the keys the ledger has
// touched).
func (s *Store) CountStock(ctx context.Context, warehouse string) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT COUNT(*) FROM stock WHERE warehouse = $1 AND position > 0`, warehouse).Scan(&n); err != nil {
		return 0, fmt.Errorf("count stock: %w", err)
	}
	return n, nil
}
