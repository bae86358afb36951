package sqlite

import (
	"context"
	"fmt"
	"strings"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/catalogmap"
)

var _ server.PickingTx = (*tx)(nil)

var pickListTable = &table[server.PickList]{Table: catalogmap.PickLists,
	lines: &lineTable[server.PickList]{
		name: "pick_tasks", cols: catalogmap.PickTaskCols,
		number: func(p *server.PickList) string { return p.ID },
		count:  func(p *server.PickList) int { return len(p.Tasks) },
		values: func(p *server.PickList, i int) []any { return catalogmap.PickTaskValues(&p.Tasks[i]) },
		dest: func() ([]any, func(*server.PickList)) {
			var t server.PickTask
			return catalogmap.PickTaskDest(&t), func(p *server.PickList) { p.Tasks = append(p.Tasks, t) }
		},
	},
}

func init() {
	tb := pickListTable
	writeStmts[tb.Name+".get"] = tb.selectSQL() + " WHERE id = ?"
	writeStmts[tb.Name+".put"] = tb.upsertSQL()
	lt := tb.lines
	writeStmts[lt.name+".delete"] = "DELETE FROM " + lt.name + " WHERE number = ?"
	writeStmts[lt.name+".insert"] = "INSERT INTO " + lt.name + " (number, line, " + strings.Join(lt.cols, ", ") +
		") VALUES (?, ?" + strings.Repeat(", ?", len(lt.cols)) + ")"
	writeStmts["putLot"] = `INSERT INTO lots (sku, lot, expiry) VALUES (?, ?, ?) ON CONFLICT (sku, lot) DO NOTHING`
}

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
	err := t.q.QueryRowContext(ctx, `SELECT COALESCE(MAX(CAST(substr(id, 4) AS INTEGER)), 0) + 1 FROM pick_lists`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("next pick list number: %w", err)
	}
	return n, nil
}

// inArgs returns "?, ?, …" for n values and the values as args.
func inArgs(vs []string) (string, []any) {
	args := make([]any, len(vs))
	for i, v := range vs {
		args[i] = v
	}
	return strings.TrimSuffix(strings.Repeat("?, ", len(vs)), ", "), args
}

// PickStock reads the stock rows, then lays over them the levels this
// write transaction changed and has not written yet (they are written at
// commit).
func (t *tx) PickStock(ctx context.Context, warehouse string, skus []string) ([]server.StockLevel, error) {
	var out []server.StockLevel
	idx := map[server.StockKey]int{}
	for rest := skus; len(rest) > 0; {
		n := min(len(rest), 500)
		ph, args := inArgs(rest[:n])
		rest = rest[n:]
		rows, err := t.q.QueryContext(ctx, `SELECT location, sku, lot, qty, position FROM stock
			WHERE warehouse = ? AND sku IN (`+ph+`) AND qty > 0`, append([]any{warehouse}, args...)...)
		if err != nil {
			return nil, fmt.Errorf("pickable stock: %w", err)
		}
		for rows.Next() {
			l := server.StockLevel{StockKey: server.StockKey{Warehouse: warehouse}}
			if err := rows.Scan(&l.Location, &l.SKU, &l.Lot, &l.Qty, &l.Position); err != nil {
				rows.Close()
				return nil, fmt.Errorf("pickable stock: %w", err)
			}
			idx[l.StockKey] = len(out)
			out = append(out, l)
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("pickable stock: %w", err)
		}
	}
	if len(t.levels) > 0 {
		want := make(map[string]bool, len(skus))
		for _, s := range skus {
			want[s] = true
		}
		for k, l := range t.levels {
			if k.Warehouse != warehouse || !want[k.SKU] {
				continue
			}
			if i, ok := idx[k]; ok {
				out[i].Qty, out[i].Position = l.qty, uint64(l.pos)
			} else if l.qty > 0 {
				out = append(out, server.StockLevel{StockKey: k, Qty: l.qty, Position: uint64(l.pos)})
			}
		}
		kept := out[:0]
		for _, l := range out {
			if l.Qty > 0 {
				kept = append(kept, l)
			}
		}
		out = kept
	}
	return out, nil
}

func (t *tx) LotExpiries(ctx context.Context, skus []string) (map[server.LotKey]string, error) {
	out := map[server.LotKey]string{}
	for rest := skus; len(rest) > 0; {
		n := min(len(rest), 500)
		ph, args := inArgs(rest[:n])
		rest = rest[n:]
		rows, err := t.q.QueryContext(ctx, `SELECT sku, lot, expiry FROM lots WHERE sku IN (`+ph+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("lot expiries: %w", err)
		}
		for rows.Next() {
			var k server.LotKey
			var exp string
			if err := rows.Scan(&k.SKU, &k.Lot, &exp); err != nil {
				rows.Close()
				return nil, fmt.Errorf("lot expiries: %w", err)
			}
			out[k] = exp
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("lot expiries: %w", err)
		}
	}
	return out, nil
}

func (t *tx) PutLot(ctx context.Context, k server.LotKey, expiry string) error {
	if _, err := t.exec(ctx, "putLot", k.SKU, k.Lot, expiry); err != nil {
		return fmt.Errorf("record lot %s of %s: %w", k.Lot, k.SKU, err)
	}
	return nil
}
