package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/driftless/driftless/server"
)

var _ server.ReplenishTx = (*tx)(nil)

// Replenishment's records: key columns and the record's JSON (see
// migrations/00009_replenishment.sql).

// conds builds a WHERE clause with numbered parameters.
type conds struct {
	list []string
	args []any
}

func (c *conds) arg(v any) string { c.args = append(c.args, v); return fmt.Sprintf("$%d", len(c.args)) }

func (c *conds) eq(col, v string) {
	if v != "" {
		c.list = append(c.list, col+" = "+c.arg(v))
	}
}

func (c *conds) where() string {
	if len(c.list) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.list, " AND ")
}

func (c *conds) limit(n int) string {
	if n <= 0 {
		return ""
	}
	return " LIMIT " + c.arg(n)
}

func (t *tx) getJSON(ctx context.Context, what string, v any, q string, args ...any) (bool, error) {
	var data string
	err := t.q.QueryRow(ctx, q, args...).Scan(&data)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err == nil {
		err = json.Unmarshal([]byte(data), v)
	}
	if err != nil {
		return false, fmt.Errorf("get %s: %w", what, err)
	}
	return true, nil
}

func listJSON[T any](ctx context.Context, t *tx, what string, q string, args ...any) ([]T, error) {
	rows, err := t.q.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", what, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("list %s: %w", what, err)
		}
		var v T
		if err := json.Unmarshal([]byte(data), &v); err != nil {
			return nil, fmt.Errorf("list %s: %w", what, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func marshal(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func (t *tx) ReorderRule(ctx context.Context, warehouse, sku string) (server.ReorderRule, bool, error) {
	var r server.ReorderRule
	ok, err := t.getJSON(ctx, "reorder rule", &r, `SELECT data FROM reorder_rules WHERE warehouse = $1 AND sku = $2`, warehouse, sku)
	return r, ok, err
}

func (t *tx) ReorderRules(ctx context.Context, warehouse string) ([]server.ReorderRule, error) {
	if warehouse == "" {
		return listJSON[server.ReorderRule](ctx, t, "reorder rules", `SELECT data FROM reorder_rules ORDER BY warehouse, sku`)
	}
	return listJSON[server.ReorderRule](ctx, t, "reorder rules", `SELECT data FROM reorder_rules WHERE warehouse = $1 ORDER BY sku`, warehouse)
}

func (t *tx) PutReorderRule(ctx context.Context, r server.ReorderRule) error {
	data, err := marshal(r)
	if err == nil {
		_, err = t.q.Exec(ctx, `INSERT INTO reorder_rules (warehouse, sku, data) VALUES ($1, $2, $3)
			ON CONFLICT (warehouse, sku) DO UPDATE SET data = excluded.data`, r.Warehouse, r.SKU, data)
	}
	if err != nil {
		return fmt.Errorf("put reorder rule %s/%s: %w", r.Warehouse, r.SKU, err)
	}
	return nil
}

func (t *tx) Alert(ctx context.Context, id string) (server.Alert, error) {
	var a server.Alert
	if n, ok := server.ParseAlertID(id); ok {
		ok, err := t.getJSON(ctx, "alert "+id, &a, `SELECT data FROM alerts WHERE id = $1`, n)
		if err != nil || ok {
			return a, err
		}
	}
	return a, server.Errorf(server.ENotFound, "no alert %s", id)
}

func (t *tx) Alerts(ctx context.Context, f server.AlertFilter) ([]server.Alert, error) {
	var c conds
	c.eq("warehouse", f.Warehouse)
	c.eq("sku", f.SKU)
	c.eq("status", f.Status)
	order := "id"
	if f.Newest {
		order = "id DESC"
	}
	if n, ok := server.ParseAlertID(f.After); ok {
		op := " > "
		if f.Newest {
			op = " < "
		}
		c.list = append(c.list, "id"+op+c.arg(n))
	}
	q := `SELECT data FROM alerts` + c.where() + " ORDER BY " + order
	q += c.limit(f.Limit)
	return listJSON[server.Alert](ctx, t, "alerts", q, c.args...)
}

func (t *tx) PutAlert(ctx context.Context, a server.Alert) (server.Alert, error) {
	if err := t.lockCatalog(ctx); err != nil {
		return a, fmt.Errorf("put alert: %w", err)
	}
	var id int64
	if a.ID == "" {
		err := t.q.QueryRow(ctx, `INSERT INTO alerts (warehouse, sku, status, data) VALUES ($1, $2, $3, '{}') RETURNING id`,
			a.Warehouse, a.SKU, a.Status).Scan(&id)
		if err != nil {
			return a, fmt.Errorf("add alert: %w", err)
		}
		a.ID = server.AlertID(id)
	} else {
		var ok bool
		if id, ok = server.ParseAlertID(a.ID); !ok {
			return a, server.Errorf(server.EInvalid, "bad alert ID %q", a.ID)
		}
	}
	err := t.q.QueryRow(ctx, `INSERT INTO catalog_changes (kind, warehouse, code) VALUES ($1, $2, $3) RETURNING position`,
		string(server.KindAlert), a.Warehouse, a.ID).Scan(&a.Position)
	if err != nil {
		return a, fmt.Errorf("put alert %s: log change: %w", a.ID, err)
	}
	data, err := marshal(a)
	if err == nil {
		_, err = t.q.Exec(ctx, `UPDATE alerts SET warehouse = $1, sku = $2, status = $3, archived = $4, position = $5, data = $6 WHERE id = $7`,
			a.Warehouse, a.SKU, a.Status, a.Archived, a.Position, data, id)
	}
	if err != nil {
		return a, fmt.Errorf("put alert %s: %w", a.ID, err)
	}
	t.catalogWrites++
	return a, nil
}

func (t *tx) Webhook(ctx context.Context, id string) (server.Webhook, error) {
	var w server.Webhook
	if n, ok := server.ParseWebhookID(id); ok {
		ok, err := t.getJSON(ctx, "webhook "+id, &w, `SELECT data FROM webhooks WHERE id = $1`, n)
		if err != nil || ok {
			return w, err
		}
	}
	return w, server.Errorf(server.ENotFound, "no webhook %s", id)
}

func (t *tx) Webhooks(ctx context.Context) ([]server.Webhook, error) {
	return listJSON[server.Webhook](ctx, t, "webhooks", `SELECT data FROM webhooks ORDER BY id`)
}

func (t *tx) PutWebhook(ctx context.Context, w server.Webhook) (server.Webhook, error) {
	var id int64
	if w.ID == "" {
		if err := t.q.QueryRow(ctx, `INSERT INTO webhooks (data) VALUES ('{}') RETURNING id`).Scan(&id); err != nil {
			return w, fmt.Errorf("add webhook: %w", err)
		}
		w.ID = server.WebhookID(id)
	} else {
		var ok bool
		if id, ok = server.ParseWebhookID(w.ID); !ok {
			return w, server.Errorf(server.ENotFound, "no webhook %s", w.ID)
		}
	}
	w.HasSecret = false
	data, err := marshal(w)
	if err == nil {
		_, err = t.q.Exec(ctx, `UPDATE webhooks SET data = $1 WHERE id = $2`, data, id)
	}
	if err != nil {
		return w, fmt.Errorf("put webhook %s: %w", w.ID, err)
	}
	return w, nil
}

func millis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func (t *tx) Deliveries(ctx context.Context, f server.DeliveryFilter) ([]server.Delivery, error) {
	var c conds
	c.eq("webhook", f.Webhook)
	order := "created_at DESC, id DESC"
	if !f.Due.IsZero() {
		c.list = append(c.list, "status = "+c.arg(server.DeliveryPending)+" AND next_at <= "+c.arg(f.Due.UnixMilli()))
		order = "next_at, id"
	}
	q := `SELECT data FROM webhook_deliveries` + c.where() + " ORDER BY " + order
	q += c.limit(f.Limit)
	return listJSON[server.Delivery](ctx, t, "webhook deliveries", q, c.args...)
}

var _ server.DeliveryClaimer = (*Store)(nil)

// ClaimDeliveries claims due deliveries for one replica: their next_at
// moves to until in one statement whose FOR UPDATE SKIP LOCKED passes over
// the rows another replica's claim holds (and, under READ COMMITTED,
// re-checks next_at on rows claimed since its snapshot).
func (s *Store) ClaimDeliveries(ctx context.Context, due, until time.Time, limit int) ([]server.Delivery, error) {
	var out []server.Delivery
	err := pgx.BeginFunc(ctx, s.pool, func(pt pgx.Tx) error {
		var err error
		out, err = listJSON[server.Delivery](ctx, newWriteTx(pt), "claimed deliveries",
			`UPDATE webhook_deliveries SET next_at = $1 WHERE id IN (
				SELECT id FROM webhook_deliveries WHERE status = $2 AND next_at <= $3
				ORDER BY next_at, id LIMIT $4 FOR UPDATE SKIP LOCKED)
			RETURNING data`, until.UnixMilli(), server.DeliveryPending, due.UnixMilli(), limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	slices.SortFunc(out, func(a, b server.Delivery) int {
		return cmp.Or(a.NextAt.Compare(b.NextAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

func (t *tx) AddDelivery(ctx context.Context, d server.Delivery) (bool, error) {
	data, err := marshal(d)
	if err != nil {
		return false, fmt.Errorf("add delivery %s: %w", d.ID, err)
	}
	tag, err := t.q.Exec(ctx, `INSERT INTO webhook_deliveries (id, webhook, status, next_at, created_at, data)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`, d.ID, d.Webhook, d.Status, millis(d.NextAt), millis(d.CreatedAt), data)
	if err != nil {
		return false, fmt.Errorf("add delivery %s: %w", d.ID, err)
	}
	return tag.RowsAffected() == 1, nil
}

func (t *tx) PutDelivery(ctx context.Context, d server.Delivery) error {
	data, err := marshal(d)
	if err == nil {
		_, err = t.q.Exec(ctx, `UPDATE webhook_deliveries SET status = $1, next_at = $2, data = $3 WHERE id = $4`,
			d.Status, millis(d.NextAt), data, d.ID)
	}
	if err != nil {
		return fmt.Errorf("put delivery %s: %w", d.ID, err)
	}
	return nil
}

func (t *tx) PODraft(ctx context.Context, id string) (server.OrderDraft, error) {
	var d server.OrderDraft
	if n, ok := server.ParseDraftID(id); ok {
		ok, err := t.getJSON(ctx, "draft "+id, &d, `SELECT data FROM po_drafts WHERE id = $1`, n)
		if err != nil || ok {
			return d, err
		}
	}
	return d, server.Errorf(server.ENotFound, "no purchase-order draft %s", id)
}

func (t *tx) PODrafts(ctx context.Context, f server.OrderDraftFilter) ([]server.OrderDraft, error) {
	var c conds
	c.eq("warehouse", f.Warehouse)
	c.eq("supplier", f.Supplier)
	c.eq("status", f.Status)
	q := `SELECT data FROM po_drafts` + c.where() + " ORDER BY id DESC"
	q += c.limit(f.Limit)
	return listJSON[server.OrderDraft](ctx, t, "purchase-order drafts", q, c.args...)
}

func (t *tx) PutPODraft(ctx context.Context, d server.OrderDraft) (server.OrderDraft, error) {
	var id int64
	if d.ID == "" {
		err := t.q.QueryRow(ctx, `INSERT INTO po_drafts (warehouse, supplier, status, data) VALUES ($1, $2, $3, '{}') RETURNING id`,
			d.Warehouse, d.Supplier, d.Status).Scan(&id)
		if err != nil {
			return d, fmt.Errorf("add purchase-order draft: %w", err)
		}
		d.ID = server.DraftID(id)
	} else {
		var ok bool
		if id, ok = server.ParseDraftID(d.ID); !ok {
			return d, server.Errorf(server.ENotFound, "no purchase-order draft %s", d.ID)
		}
	}
	data, err := marshal(d)
	if err == nil {
		_, err = t.q.Exec(ctx, `UPDATE po_drafts SET warehouse = $1, supplier = $2, status = $3, data = $4 WHERE id = $5`,
			d.Warehouse, d.Supplier, d.Status, data, id)
	}
	if err != nil {
		return d, fmt.Errorf("put purchase-order draft %s: %w", d.ID, err)
	}
	return d, nil
}
