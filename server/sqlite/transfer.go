package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/driftless/driftless/server"
)

var _ server.TransferTx = (*tx)(nil)

const transferSelect = `SELECT number, from_warehouse, to_warehouse, status, archived, archived_at, position FROM transfers`

func scanTransfer(sc interface{ Scan(...any) error }) (server.Transfer, error) {
	var t server.Transfer
	var archivedAt string
	err := sc.Scan(&t.Number, &t.From, &t.To, &t.Status, &t.Archived, &archivedAt, &t.Position)
	t.ArchivedAt = parseTime(archivedAt)
	return t, err
}

// transferLines loads the lines of transfers.
func (t *tx) transferLines(ctx context.Context, ts []server.Transfer) error {
	for i := range ts {
		rows, err := t.q.QueryContext(ctx, `SELECT sku, lot, qty, shipped, received FROM transfer_lines WHERE number = ? ORDER BY line`, ts[i].Number)
		if err != nil {
			return fmt.Errorf("load lines of transfer %s: %w", ts[i].Number, err)
		}
		ts[i].Lines = []server.TransferLine{}
		for rows.Next() {
			var ln server.TransferLine
			if err := rows.Scan(&ln.SKU, &ln.Lot, &ln.Qty, &ln.Shipped, &ln.Received); err != nil {
				rows.Close()
				return fmt.Errorf("load lines of transfer %s: %w", ts[i].Number, err)
			}
			ts[i].Lines = append(ts[i].Lines, ln)
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("load lines of transfer %s: %w", ts[i].Number, err)
		}
	}
	return nil
}

func (t *tx) Transfer(ctx context.Context, number string) (server.Transfer, error) {
	tr, err := scanTransfer(t.q.QueryRowContext(ctx, transferSelect+` WHERE number = ?`, number))
	if errors.Is(err, sql.ErrNoRows) {
		return tr, server.Errorf(server.ENotFound, "no transfer %s", number)
	}
	if err != nil {
		return tr, fmt.Errorf("get transfer %s: %w", number, err)
	}
	ts := []server.Transfer{tr}
	if err := t.transferLines(ctx, ts); err != nil {
		return tr, err
	}
	return ts[0], nil
}

func (t *tx) Transfers(ctx context.Context, f server.TransferFilter) ([]server.Transfer, error) {
	q := transferSelect + ` WHERE number > ?`
	args := []any{f.After}
	if f.Warehouse != "" {
		q += ` AND (from_warehouse = ? OR to_warehouse = ?)`
		args = append(args, f.Warehouse, f.Warehouse)
	}
	if f.Status != "" {
		q += ` AND status = ?`
		args = append(args, string(f.Status))
	}
	if f.Held {
		q += ` AND archived = 0 AND status IN ('open', 'shipped')`
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := t.q.QueryContext(ctx, q+` ORDER BY number LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list transfers: %w", err)
	}
	var out []server.Transfer
	for rows.Next() {
		tr, err := scanTransfer(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list transfers: %w", err)
		}
		out = append(out, tr)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("list transfers: %w", err)
	}
	if err := t.transferLines(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

func (t *tx) PutTransfer(ctx context.Context, tr server.Transfer) (uint64, error) {
	res, err := t.exec(ctx, "catalogChange", string(server.KindTransfer), "", tr.Number)
	if err != nil {
		return 0, fmt.Errorf("put transfer %s: log change: %w", tr.Number, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("put transfer %s: log change: %w", tr.Number, err)
	}
	tr.Position = uint64(id)
	_, err = t.q.ExecContext(ctx, `INSERT INTO transfers (number, from_warehouse, to_warehouse, status, archived, archived_at, position)
		VALUES (?,?,?,?,?,?,?) ON CONFLICT (number) DO UPDATE SET from_warehouse = excluded.from_warehouse,
		to_warehouse = excluded.to_warehouse, status = excluded.status, archived = excluded.archived,
		archived_at = excluded.archived_at, position = excluded.position`,
		tr.Number, tr.From, tr.To, string(tr.Status), tr.Archived, fmtTime(tr.ArchivedAt), tr.Position)
	if err != nil {
		return 0, fmt.Errorf("put transfer %s: %w", tr.Number, err)
	}
	if _, err := t.q.ExecContext(ctx, `DELETE FROM transfer_lines WHERE number = ?`, tr.Number); err != nil {
		return 0, fmt.Errorf("put transfer %s: %w", tr.Number, err)
	}
	for i, ln := range tr.Lines {
		if _, err := t.q.ExecContext(ctx, `INSERT INTO transfer_lines (number, line, sku, lot, qty, shipped, received) VALUES (?,?,?,?,?,?,?)`,
			tr.Number, i+1, ln.SKU, ln.Lot, ln.Qty, ln.Shipped, ln.Received); err != nil {
			return 0, fmt.Errorf("put transfer %s line %d: %w", tr.Number, i+1, err)
		}
	}
	return tr.Position, nil
}
