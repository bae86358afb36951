package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/driftless/driftless/server"
)

var _ server.TransferTx = (*tx)(nil)

const transferSelect = `SELECT number, from_warehouse, to_warehouse, status, archived, archived_at, position FROM transfers`

func scanTransfer(row pgx.Row) (server.Transfer, error) {
	var t server.Transfer
	var archivedAt *time.Time
	err := row.Scan(&t.Number, &t.From, &t.To, &t.Status, &t.Archived, &archivedAt, &t.Position)
	if archivedAt != nil {
		t.ArchivedAt = archivedAt.UTC()
	}
	return t, err
}

// transferLines loads the lines of transfers in one query.
func (t *tx) transferLines(ctx context.Context, ts []server.Transfer) error {
	if len(ts) == 0 {
		return nil
	}
	idx := make(map[string]int, len(ts))
	numbers := make([]string, len(ts))
	for i := range ts {
		idx[ts[i].Number], numbers[i] = i, ts[i].Number
		ts[i].Lines = []server.TransferLine{}
	}
	rows, err := t.q.Query(ctx, `SELECT number, sku, lot, qty, shipped, received FROM transfer_lines WHERE number = ANY($1) ORDER BY number, line`, numbers)
	if err != nil {
		return fmt.Errorf("load transfer lines: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		var ln server.TransferLine
		if err := rows.Scan(&n, &ln.SKU, &ln.Lot, &ln.Qty, &ln.Shipped, &ln.Received); err != nil {
			return fmt.Errorf("load transfer lines: %w", err)
		}
		ts[idx[n]].Lines = append(ts[idx[n]].Lines, ln)
	}
	return rows.Err()
}

func (t *tx) Transfer(ctx context.Context, number string) (server.Transfer, error) {
	tr, err := scanTransfer(t.q.QueryRow(ctx, transferSelect+` WHERE number = $1`, number))
	if errors.Is(err, pgx.ErrNoRows) {
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
	q := transferSelect + ` WHERE number > $1 AND ($2 = '' OR from_warehouse = $2 OR to_warehouse = $2) AND ($3 = '' OR status = $3)`
	if f.Held {
		q += ` AND NOT archived AND status IN ('open', 'shipped')`
	}
	rows, err := t.q.Query(ctx, q+` ORDER BY number LIMIT $4`, f.After, f.Warehouse, string(f.Status), limitArg(f.Limit))
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
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list transfers: %w", err)
	}
	if err := t.transferLines(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// PutTransfer logs the change (a shared kind: both warehouses' devices
// hold a transfer) and upserts the transfer and its lines, under the
// catalog lock like every catalog write.
func (t *tx) PutTransfer(ctx context.Context, tr server.Transfer) (uint64, error) {
	if err := t.lockCatalog(ctx); err != nil {
		return 0, fmt.Errorf("put transfer %s: %w", tr.Number, err)
	}
	err := t.q.QueryRow(ctx, `WITH c AS (INSERT INTO catalog_changes (kind, warehouse, code) VALUES ($1, '', $2) RETURNING position)
		INSERT INTO transfers (number, from_warehouse, to_warehouse, status, archived, archived_at, position)
		VALUES ($2, $3, $4, $5, $6, $7, (SELECT position FROM c)) ON CONFLICT (number) DO UPDATE SET
		from_warehouse = excluded.from_warehouse, to_warehouse = excluded.to_warehouse, status = excluded.status,
		archived = excluded.archived, archived_at = excluded.archived_at, position = excluded.position RETURNING position`,
		string(server.KindTransfer), tr.Number, tr.From, tr.To, string(tr.Status), tr.Archived, nullTime(tr.ArchivedAt)).Scan(&tr.Position)
	if err != nil {
		return 0, fmt.Errorf("put transfer %s: %w", tr.Number, err)
	}
	if _, err := t.q.Exec(ctx, `DELETE FROM transfer_lines WHERE number = $1`, tr.Number); err != nil {
		return 0, fmt.Errorf("put transfer %s: %w", tr.Number, err)
	}
	for i, ln := range tr.Lines {
		if _, err := t.q.Exec(ctx, `INSERT INTO transfer_lines (number, line, sku, lot, qty, shipped, received) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
			tr.Number, i+1, ln.SKU, ln.Lot, ln.Qty, ln.Shipped, ln.Received); err != nil {
			return 0, fmt.Errorf("put transfer %s line %d: %w", tr.Number, i+1, err)
		}
	}
	t.catalogWrites++
	return tr.Position, nil
}
