package postgres

import (
	"context"
	"fmt"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/catalogmap"
)

var _ server.PickingTx = (*tx)(nil)

var pickListTable = &table[server.PickList]{Table: catalogmap.PickLists,
	lines: &lineTable[server.PickList]{
		name: "pick_tasks", cols: catalogmap.PickTaskCols,
		types:  []string{"text", "bigint", "text", "text", "text", "text", "text", "bigint", "bigint", "text"},
		number: func(p *server.PickList) string { return p.ID },
		arrays: func(p *server.PickList) []any {
			n := len(p.Tasks)
			ids, orders, locs, skus, lots, exps, sts := make([]string, n), make([]string, n), make([]string, n),
				make([]string, n), make([]string, n), make([]string, n), make([]string, n)
			seqs, qtys, picked := make([]int64, n), make([]int64, n), make([]int64, n)
			for i, t := range p.Tasks {
				ids[i], seqs[i], orders[i], locs[i], skus[i] = t.ID, t.Seq, t.Order, t.Location, t.SKU
				lots[i], exps[i], qtys[i], picked[i], sts[i] = t.Lot, t.Expiry, t.Qty, t.Picked, string(t.Status)
			}
			return []any{ids, seqs, orders, locs, skus, lots, exps, qtys, picked, sts}
		},
		dest: func() ([]any, func(*server.PickList)) {
			var t server.PickTask
			return catalogmap.PickTaskDest(&t), func(p *server.PickList) { p.Tasks = append(p.Tasks, t) }
		},
	},
}

func init() { pickListTable.putQuery = pickListTable.putSQL() }

func (t *tx) PickList(ctx context.Context, id string) (server.PickList, error) {
	return pickListTable.get(ctx, t, server.CatalogKey{Code: id})
}

func (t *tx) PickLists(ctx context.Context, f server.ListFilter) ([]server.PickList, error) {
	return pickListTable.list(ctx, t, f)
}

func (t *tx) PutPickList(ctx context.Context, p server.PickList) (uint64, error) {
	return pickListTable.put(ctx, t, p)
}

func (t *tx) NextPickListNumber(ctx context.Context) (int64, error) {
	var n int64
	err := t.q.QueryRow(ctx, `SELECT COALESCE(MAX(substr(id, 4)::bigint), 0) + 1 FROM pick_lists`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("next pick list number: %w", err)
	}
	return n, nil
}

func (t *tx) PickStock(ctx context.Context, warehouse string, skus []string) ([]server.StockLevel, error) {
	rows, err := t.q.Query(ctx, `SELECT location, sku, lot, qty, position FROM stock
		WHERE warehouse = $1 AND sku = ANY($2) AND qty > 0`, warehouse, skus)
	if err != nil {
		return nil, fmt.Errorf("pickable stock: %w", err)
	}
	defer rows.Close()
	var out []server.StockLevel
	for rows.Next() {
		l := server.StockLevel{StockKey: server.StockKey{Warehouse: warehouse}}
		if err := rows.Scan(&l.Location, &l.SKU, &l.Lot, &l.Qty, &l.Position); err != nil {
			return nil, fmt.Errorf("pickable stock: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func (t *tx) LotExpiries(ctx context.Context, skus []string) (map[server.LotKey]string, error) {
	rows, err := t.q.Query(ctx, `SELECT sku, lot, expiry FROM lots WHERE sku = ANY($1)`, skus)
	if err != nil {
		return nil, fmt.Errorf("lot expiries: %w", err)
	}
	defer rows.Close()
	out := map[server.LotKey]string{}
	for rows.Next() {
		var k server.LotKey
		var exp string
		if err := rows.Scan(&k.SKU, &k.Lot, &exp); err != nil {
			return nil, fmt.Errorf("lot expiries: %w", err)
		}
		out[k] = exp
	}
	return out, rows.Err()
}

func (t *tx) PutLot(ctx context.Context, k server.LotKey, expiry string) error {
	_, err := t.q.Exec(ctx, `INSERT INTO lots (sku, lot, expiry) VALUES ($1, $2, $3) ON CONFLICT (sku, lot) DO NOTHING`,
		k.SKU, k.Lot, expiry)
	if err != nil {
		return fmt.Errorf("record lot %s of %s: %w", k.Lot, k.SKU, err)
	}
	return nil
}
