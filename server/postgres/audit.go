package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/driftless/driftless/server"
)

var _ server.AuditTx = (*tx)(nil)

func (t *tx) AppendAudit(ctx context.Context, e server.AuditEntry) (uint64, error) {
	details, err := server.EncodeAuditDetails(e.Details)
	if err != nil {
		return 0, fmt.Errorf("append audit entry: %w", err)
	}
	var id uint64
	err = t.q.QueryRow(ctx, `INSERT INTO audit (at, actor, action, subject, warehouse, details) VALUES ($1,$2,$3,$4,$5,$6::jsonb) RETURNING id`,
		e.At.UTC(), e.Actor, e.Action, e.Subject, e.Warehouse, details).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("append audit entry: %w", err)
	}
	return id, nil
}

func (t *tx) AuditEntries(ctx context.Context, f server.AuditFilter) ([]server.AuditEntry, error) {
	var where []string
	var args []any
	cond := func(c string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(c, "?", fmt.Sprintf("$%d", len(args))))
	}
	if !f.Since.IsZero() {
		cond("at >= ?", f.Since.UTC())
	}
	if f.After > 0 {
		cond("id > ?", int64(f.After))
	}
	if f.Actor != "" {
		cond("actor = ?", f.Actor)
	}
	if f.Action != "" {
		cond("action = ?", f.Action)
	}
	if f.Subject != "" {
		cond("subject = ?", f.Subject)
	}
	if f.Warehouse != "" {
		if f.WithShared {
			cond("warehouse IN (?, '')", f.Warehouse)
		} else {
			cond("warehouse = ?", f.Warehouse)
		}
	}
	q := `SELECT id, at, actor, action, subject, warehouse, details::text FROM audit`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Newest {
		q += " ORDER BY id DESC"
	} else {
		q += " ORDER BY id"
	}
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := t.q.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list audit entries: %w", err)
	}
	defer rows.Close()
	var out []server.AuditEntry
	for rows.Next() {
		var e server.AuditEntry
		var details string
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Subject, &e.Warehouse, &details); err != nil {
			return nil, fmt.Errorf("list audit entries: %w", err)
		}
		e.At = e.At.UTC()
		if e.Details, err = server.DecodeAuditDetails(details); err != nil {
			return nil, fmt.Errorf("list audit entries: entry %d: %w", e.ID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
