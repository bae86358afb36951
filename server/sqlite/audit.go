package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/driftless/driftless/server"
)

var _ server.AuditTx = (*tx)(nil)

// auditTime is the audit log's time format: fixed width, so text order is
// time order.
const auditTime = "2006-01-02T15:04:05.000000000Z"

func (t *tx) AppendAudit(ctx context.Context, e server.AuditEntry) (uint64, error) {
	details, err := server.EncodeAuditDetails(e.Details)
	if err != nil {
		return 0, fmt.Errorf("append audit entry: %w", err)
	}
	var id uint64
	err = t.q.QueryRowContext(ctx, `INSERT INTO audit (at, actor, action, subject, warehouse, details) VALUES (?,?,?,?,?,?) RETURNING id`,
		e.At.UTC().Format(auditTime), e.Actor, e.Action, e.Subject, e.Warehouse, details).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("append audit entry: %w", err)
	}
	return id, nil
}

func (t *tx) AuditEntries(ctx context.Context, f server.AuditFilter) ([]server.AuditEntry, error) {
	var where []string
	var args []any
	cond := func(c string, v any) { where = append(where, c); args = append(args, v) }
	if !f.Since.IsZero() {
		cond("at >= ?", f.Since.UTC().Format(auditTime))
	}
	if f.After > 0 {
		cond("id > ?", f.After)
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
	q := `SELECT id, at, actor, action, subject, warehouse, details FROM audit`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Newest {
		q += " ORDER BY id DESC"
	} else {
		q += " ORDER BY id"
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := t.q.QueryContext(ctx, q+" LIMIT ?", append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list audit entries: %w", err)
	}
	defer rows.Close()
	var out []server.AuditEntry
	for rows.Next() {
		var e server.AuditEntry
		var at, details string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Subject, &e.Warehouse, &details); err != nil {
			return nil, fmt.Errorf("list audit entries: %w", err)
		}
		e.At, _ = time.Parse(auditTime, at)
		if e.Details, err = server.DecodeAuditDetails(details); err != nil {
			return nil, fmt.Errorf("list audit entries: entry %d: %w", e.ID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
