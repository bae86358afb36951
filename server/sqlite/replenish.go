package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/driftless/driftless/server"
)

var _ server.ReplenishTx = (*tx)(nil)

// Replenishment's records: key columns and the record's JSON (see
// migrations/00009_replenishment.sql).

func (t *tx) getJSON(ctx context.Context, what string, v any, q string, args ...any) (bool, error) {
	var data string
	err := t.q.QueryRowContext(ctx, q, args...).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err == nil {
		err = jsonUnmarshal(data, v)
	}
	if err != nil {
		return false, fmt.Errorf("get %s: %w", what, err)
	}
	return true, nil
}

func listJSON[T any](ctx context.Context, t *tx, what string, q string, args ...any) ([]T, error) {
	rows, err := t.q.QueryContext(ctx, q, args...)
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
		if err := jsonUnmarshal(data, &v); err != nil {
			return nil, fmt.Errorf("list %s: %w", what, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func limitOf(n int) int {
	if n <= 0 {
		return -1
	}
	return n
}

func (t *tx) ReorderRule(ctx context.Context, warehouse, sku string) (server.ReorderRule, bool, error) {
	k := [2]string{warehouse, sku}
	if hit, ok := t.lookups.rules[k]; ok && t.stmt != nil {
		return hit.rule, hit.ok, nil
	}
	var r server.ReorderRule
	ok, err := t.getJSON(ctx, "reorder rule", &r, `SELECT data FROM reorder_rules WHERE warehouse = ? AND sku = ?`, warehouse, sku)
	if err == nil && t.stmt != nil {
		// Every applied event checks its SKU's rule for alerts; see lookups.
		if t.lookups.rules == nil {
			t.lookups.rules = map[[2]string]ruleHit{}
		}
		t.lookups.rules[k] = ruleHit{r, ok}
	}
	return r, ok, err
}

func (t *tx) ReorderRules(ctx context.Context, warehouse string) ([]server.ReorderRule, error) {
	if warehouse == "" {
		return listJSON[server.ReorderRule](ctx, t, "reorder rules", `SELECT data FROM reorder_rules ORDER BY warehouse, sku`)
	}
	return listJSON[server.ReorderRule](ctx, t, "reorder rules", `SELECT data FROM reorder_rules WHERE warehouse = ? ORDER BY sku`, warehouse)
}

func (t *tx) PutReorderRule(ctx context.Context, r server.ReorderRule) error {
	t.lookups.forget()
	data, err := jsonMarshal(r)
	if err == nil {
		_, err = t.q.ExecContext(ctx, `INSERT INTO reorder_rules (warehouse, sku, data) VALUES (?, ?, ?)
			ON CONFLICT (warehouse, sku) DO UPDATE SET data = excluded.data`, r.Warehouse, r.SKU, data)
	}
	if err != nil {
		return fmt.Errorf("put reorder rule %s/%s: %w", r.Warehouse, r.SKU, err)
	}
	return nil
}

func (t *tx) Alert(ctx context.Context, id string) (server.Alert, error) {
	var a server.Alert
	n, ok := server.ParseAlertID(id)
	if ok {
		ok, err := t.getJSON(ctx, "alert "+id, &a, `SELECT data FROM alerts WHERE id = ?`, n)
		if err != nil || ok {
			return a, err
		}
	}
	return a, server.Errorf(server.ENotFound, "no alert %s", id)
}

func (t *tx) Alerts(ctx context.Context, f server.AlertFilter) ([]server.Alert, error) {
	var w where
	w.eq("warehouse", f.Warehouse)
	w.eq("sku", f.SKU)
	w.eq("status", f.Status)
	order := "id"
	if f.Newest {
		order = "id DESC"
	}
	if n, ok := server.ParseAlertID(f.After); ok {
		if f.Newest {
			w.conds = append(w.conds, "id < ?")
		} else {
			w.conds = append(w.conds, "id > ?")
		}
		w.args = append(w.args, n)
	}
	q := `SELECT data FROM alerts`
	if len(w.conds) > 0 {
		q += " WHERE " + strings.Join(w.conds, " AND ")
	}
	return listJSON[server.Alert](ctx, t, "alerts", q+" ORDER BY "+order+" LIMIT ?", append(w.args, limitOf(f.Limit))...)
}

func (t *tx) PutAlert(ctx context.Context, a server.Alert) (server.Alert, error) {
	var id int64
	if a.ID == "" {
		res, err := t.q.ExecContext(ctx, `INSERT INTO alerts (warehouse, sku, status, data) VALUES (?, ?, ?, '{}')`, a.Warehouse, a.SKU, a.Status)
		if err == nil {
			id, err = res.LastInsertId()
		}
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
	res, err := t.exec(ctx, "catalogChange", string(server.KindAlert), a.Warehouse, a.ID)
	if err != nil {
		return a, fmt.Errorf("put alert %s: log change: %w", a.ID, err)
	}
	pos, err := res.LastInsertId()
	if err != nil {
		return a, fmt.Errorf("put alert %s: log change: %w", a.ID, err)
	}
	a.Position = uint64(pos)
	data, err := jsonMarshal(a)
	if err == nil {
		_, err = t.q.ExecContext(ctx, `UPDATE alerts SET warehouse = ?, sku = ?, status = ?, archived = ?, position = ?, data = ? WHERE id = ?`,
			a.Warehouse, a.SKU, a.Status, a.Archived, a.Position, data, id)
	}
	if err != nil {
		return a, fmt.Errorf("put alert %s: %w", a.ID, err)
	}
	return a, nil
}

func (t *tx) Webhook(ctx context.Context, id string) (server.Webhook, error) {
	var w server.Webhook
	if n, ok := server.ParseWebhookID(id); ok {
		ok, err := t.getJSON(ctx, "webhook "+id, &w, `SELECT data FROM webhooks WHERE id = ?`, n)
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
		res, err := t.q.ExecContext(ctx, `INSERT INTO webhooks (data) VALUES ('{}')`)
		if err == nil {
			id, err = res.LastInsertId()
		}
		if err != nil {
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
	data, err := jsonMarshal(w)
	if err == nil {
		_, err = t.q.ExecContext(ctx, `UPDATE webhooks SET data = ? WHERE id = ?`, data, id)
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
	var w where
	w.eq("webhook", f.Webhook)
	order := "created_at DESC, id DESC"
	if !f.Due.IsZero() {
		w.conds = append(w.conds, "status = ? AND next_at <= ?")
		w.args = append(w.args, server.DeliveryPending, f.Due.UnixMilli())
		order = "next_at, id"
	}
	q := `SELECT data FROM webhook_deliveries`
	if len(w.conds) > 0 {
		q += " WHERE " + strings.Join(w.conds, " AND ")
	}
	return listJSON[server.Delivery](ctx, t, "webhook deliveries", q+" ORDER BY "+order+" LIMIT ?", append(w.args, limitOf(f.Limit))...)
}

func (t *tx) AddDelivery(ctx context.Context, d server.Delivery) (bool, error) {
	data, err := jsonMarshal(d)
	if err != nil {
		return false, fmt.Errorf("add delivery %s: %w", d.ID, err)
	}
	res, err := t.q.ExecContext(ctx, `INSERT INTO webhook_deliveries (id, webhook, status, next_at, created_at, data)
		VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`, d.ID, d.Webhook, d.Status, millis(d.NextAt), millis(d.CreatedAt), data)
	if err != nil {
		return false, fmt.Errorf("add delivery %s: %w", d.ID, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (t *tx) PutDelivery(ctx context.Context, d server.Delivery) error {
	data, err := jsonMarshal(d)
	if err == nil {
		_, err = t.q.ExecContext(ctx, `UPDATE webhook_deliveries SET status = ?, next_at = ?, data = ? WHERE id = ?`,
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
		ok, err := t.getJSON(ctx, "draft "+id, &d, `SELECT data FROM po_drafts WHERE id = ?`, n)
		if err != nil || ok {
			return d, err
		}
	}
	return d, server.Errorf(server.ENotFound, "no purchase-order draft %s", id)
}

func (t *tx) PODrafts(ctx context.Context, f server.OrderDraftFilter) ([]server.OrderDraft, error) {
	var w where
	w.eq("warehouse", f.Warehouse)
	w.eq("supplier", f.Supplier)
	w.eq("status", f.Status)
	q := `SELECT data FROM po_drafts`
	if len(w.conds) > 0 {
		q += " WHERE " + strings.Join(w.conds, " AND ")
	}
	return listJSON[server.OrderDraft](ctx, t, "purchase-order drafts", q+" ORDER BY id DESC LIMIT ?", append(w.args, limitOf(f.Limit))...)
}

func (t *tx) PutPODraft(ctx context.Context, d server.OrderDraft) (server.OrderDraft, error) {
	var id int64
	if d.ID == "" {
		res, err := t.q.ExecContext(ctx, `INSERT INTO po_drafts (warehouse, supplier, status, data) VALUES (?, ?, ?, '{}')`, d.Warehouse, d.Supplier, d.Status)
		if err == nil {
			id, err = res.LastInsertId()
		}
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
	data, err := jsonMarshal(d)
	if err == nil {
		_, err = t.q.ExecContext(ctx, `UPDATE po_drafts SET warehouse = ?, supplier = ?, status = ?, data = ? WHERE id = ?`,
			d.Warehouse, d.Supplier, d.Status, data, id)
	}
	if err != nil {
		return d, fmt.Errorf("put purchase-order draft %s: %w", d.ID, err)
	}
	return d, nil
}
