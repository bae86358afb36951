package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/syncproto"
)

var _ server.CountingTx = (*tx)(nil)

const countTaskCols = `id, warehouse, location, sku, lot, reason, source_event, class, due, assigned_to, not_by, created_at, status, archived, position`

func scanCountTask(sc interface{ Scan(...any) error }) (server.CountTask, error) {
	var c server.CountTask
	var id int64
	err := sc.Scan(&id, &c.Warehouse, &c.Location, &c.SKU, &c.Lot, &c.Reason, &c.SourceEvent, &c.Class, &c.Due,
		&c.AssignedTo, &c.NotBy, &c.CreatedAt, &c.Status, &c.Archived, &c.Position)
	c.ID, c.CreatedAt = server.CountTaskID(id), c.CreatedAt.UTC()
	return c, err
}

func (t *tx) CountTask(ctx context.Context, id string) (server.CountTask, error) {
	n, ok := server.ParseCountTaskID(id)
	if !ok {
		return server.CountTask{}, server.Errorf(server.ENotFound, "no count task %s", id)
	}
	c, err := scanCountTask(t.q.QueryRow(ctx, `SELECT `+countTaskCols+` FROM count_tasks WHERE id = $1`, n))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, server.Errorf(server.ENotFound, "no count task %s", id)
	}
	if err != nil {
		return c, fmt.Errorf("get count task %s: %w", id, err)
	}
	return c, nil
}

func (t *tx) CountTasks(ctx context.Context, f server.CountTaskFilter) ([]server.CountTask, error) {
	w := &where{}
	w.eq("warehouse", f.Warehouse)
	w.eq("status", f.Status)
	w.eq("location", f.Location)
	w.eq("assigned_to", f.AssignedTo)
	w.eq("reason", f.Reason)
	w.eq("due", f.Due)
	if f.Held {
		w.conds = append(w.conds, "status IN ('open', 'assigned') AND NOT archived")
	}
	if n, ok := server.ParseCountTaskID(f.After); ok {
		w.conds = append(w.conds, "id > "+w.arg(n))
	}
	rows, err := t.q.Query(ctx, `SELECT `+countTaskCols+` FROM count_tasks`+w.sql()+` ORDER BY id LIMIT `+w.arg(limitArg(f.Limit)), w.args...)
	if err != nil {
		return nil, fmt.Errorf("list count tasks: %w", err)
	}
	defer rows.Close()
	out := []server.CountTask{}
	for rows.Next() {
		c, err := scanCountTask(rows)
		if err != nil {
			return nil, fmt.Errorf("list count tasks: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (t *tx) PutCountTask(ctx context.Context, c server.CountTask) (server.CountTask, error) {
	if err := t.lockCatalog(ctx); err != nil {
		return c, fmt.Errorf("put count task: %w", err)
	}
	var id int64
	if c.ID == "" {
		err := t.q.QueryRow(ctx, `INSERT INTO count_tasks (warehouse, location, sku, lot, reason, source_event, created_at, status)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			c.Warehouse, c.Location, c.SKU, c.Lot, c.Reason, c.SourceEvent, c.CreatedAt.UTC(), c.Status).Scan(&id)
		if err != nil {
			return c, fmt.Errorf("add count task: %w", err)
		}
		c.ID = server.CountTaskID(id)
	} else {
		var ok bool
		if id, ok = server.ParseCountTaskID(c.ID); !ok {
			return c, server.Errorf(server.EInvalid, "bad count task ID %q", c.ID)
		}
	}
	err := t.q.QueryRow(ctx, `INSERT INTO catalog_changes (kind, warehouse, code) VALUES ($1, $2, $3) RETURNING position`,
		string(server.KindCountTask), c.Warehouse, c.ID).Scan(&c.Position)
	if err != nil {
		return c, fmt.Errorf("put count task %s: log change: %w", c.ID, err)
	}
	_, err = t.q.Exec(ctx, `UPDATE count_tasks SET warehouse = $1, location = $2, sku = $3, lot = $4, reason = $5, source_event = $6,
		class = $7, due = $8, assigned_to = $9, not_by = $10, created_at = $11, status = $12, archived = $13, position = $14 WHERE id = $15`,
		c.Warehouse, c.Location, c.SKU, c.Lot, c.Reason, c.SourceEvent, c.Class, c.Due, c.AssignedTo, c.NotBy,
		c.CreatedAt.UTC(), c.Status, c.Archived, c.Position, id)
	if err != nil {
		return c, fmt.Errorf("put count task %s: %w", c.ID, err)
	}
	t.catalogWrites++
	return c, nil
}

const countCols = `event_id, device_id, seq, warehouse, task, location, sku, lot, counter, counted, expected, variance, unit_cost,
	class, device_time, recorded_at, status, reason_code, decided_by, decided_at, position`

func scanCount(sc interface{ Scan(...any) error }) (server.CountRecord, error) {
	var r server.CountRecord
	var dec *time.Time
	err := sc.Scan(&r.EventID, &r.DeviceID, &r.Seq, &r.Warehouse, &r.Task, &r.Location, &r.SKU, &r.Lot, &r.Counter,
		&r.Counted, &r.Expected, &r.Variance, &r.UnitCost, &r.Class, &r.DeviceTime, &r.RecordedAt, &r.Status, &r.ReasonCode,
		&r.DecidedBy, &dec, &r.Position)
	r.DeviceTime, r.RecordedAt = r.DeviceTime.UTC(), r.RecordedAt.UTC()
	if dec != nil {
		r.DecidedAt = dec.UTC()
	}
	return r, err
}

func (t *tx) CountRecord(ctx context.Context, eventID string) (server.CountRecord, bool, error) {
	r, err := scanCount(t.q.QueryRow(ctx, `SELECT `+countCols+` FROM counts WHERE event_id = $1`, eventID))
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("get count %s: %w", eventID, err)
	}
	return r, true, nil
}

func (t *tx) CountRecords(ctx context.Context, f server.CountRecordFilter) ([]server.CountRecord, error) {
	w := &where{}
	w.eq("warehouse", f.Warehouse)
	w.eq("location", f.Location)
	w.eq("task", f.Task)
	w.eq("status", f.Status)
	w.eq("counter", f.Counter)
	if !f.From.IsZero() {
		w.conds = append(w.conds, "device_time >= "+w.arg(f.From.UTC()))
	}
	if !f.To.IsZero() {
		w.conds = append(w.conds, "device_time < "+w.arg(f.To.UTC()))
	}
	order := " ORDER BY device_time, event_id"
	if f.Newest {
		order = " ORDER BY device_time DESC, event_id DESC"
	}
	rows, err := t.q.Query(ctx, `SELECT `+countCols+` FROM counts`+w.sql()+order+` LIMIT `+w.arg(limitArg(f.Limit)), w.args...)
	if err != nil {
		return nil, fmt.Errorf("list counts: %w", err)
	}
	defer rows.Close()
	var out []server.CountRecord
	for rows.Next() {
		r, err := scanCount(rows)
		if err != nil {
			return nil, fmt.Errorf("list counts: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (t *tx) PutCountRecord(ctx context.Context, r server.CountRecord) error {
	_, err := t.q.Exec(ctx, `INSERT INTO counts (`+countCols+`)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21)
		ON CONFLICT (event_id) DO UPDATE SET status = excluded.status, reason_code = excluded.reason_code,
		decided_by = excluded.decided_by, decided_at = excluded.decided_at, position = excluded.position`,
		r.EventID, r.DeviceID, r.Seq, r.Warehouse, r.Task, r.Location, r.SKU, r.Lot, r.Counter, r.Counted, r.Expected, r.Variance,
		r.UnitCost, r.Class, r.DeviceTime.UTC(), r.RecordedAt.UTC(), r.Status, r.ReasonCode, r.DecidedBy, nullTime(r.DecidedAt), r.Position)
	if err != nil {
		return fmt.Errorf("record count %s: %w", r.EventID, err)
	}
	return nil
}

func (t *tx) SKUClasses(ctx context.Context, warehouse string, skus []string) ([]server.SKUClass, error) {
	q := `SELECT sku, class, value, units, computed_at FROM abc_classes WHERE warehouse = $1`
	args := []any{warehouse}
	if skus != nil {
		if len(skus) == 0 {
			return nil, nil
		}
		q += ` AND sku = ANY($2)`
		args = append(args, skus)
	}
	rows, err := t.q.Query(ctx, q+` ORDER BY class, value DESC, sku`, args...)
	if err != nil {
		return nil, fmt.Errorf("list ABC classes: %w", err)
	}
	defer rows.Close()
	var out []server.SKUClass
	for rows.Next() {
		var c server.SKUClass
		if err := rows.Scan(&c.SKU, &c.Class, &c.Value, &c.Units, &c.ComputedAt); err != nil {
			return nil, fmt.Errorf("list ABC classes: %w", err)
		}
		c.ComputedAt = c.ComputedAt.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

func (t *tx) PutSKUClasses(ctx context.Context, warehouse string, cs []server.SKUClass) error {
	if _, err := t.q.Exec(ctx, `DELETE FROM abc_classes WHERE warehouse = $1`, warehouse); err != nil {
		return fmt.Errorf("store ABC classes: %w", err)
	}
	for _, c := range cs {
		if _, err := t.q.Exec(ctx, `INSERT INTO abc_classes (warehouse, sku, class, value, units, computed_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			warehouse, c.SKU, c.Class, c.Value, c.Units, c.ComputedAt.UTC()); err != nil {
			return fmt.Errorf("store ABC classes: %w", err)
		}
	}
	return nil
}

func (t *tx) CountSchedule(ctx context.Context, warehouse string) ([]server.ScheduledBin, error) {
	rows, err := t.q.Query(ctx, `SELECT location, class, period, phase FROM count_schedule WHERE warehouse = $1 ORDER BY location`, warehouse)
	if err != nil {
		return nil, fmt.Errorf("list count schedule: %w", err)
	}
	defer rows.Close()
	out := []server.ScheduledBin{}
	for rows.Next() {
		var b server.ScheduledBin
		if err := rows.Scan(&b.Location, &b.Class, &b.Period, &b.Phase); err != nil {
			return nil, fmt.Errorf("list count schedule: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

func (t *tx) PutCountSchedule(ctx context.Context, warehouse string, bins []server.ScheduledBin) error {
	if _, err := t.q.Exec(ctx, `DELETE FROM count_schedule WHERE warehouse = $1`, warehouse); err != nil {
		return fmt.Errorf("store count schedule: %w", err)
	}
	for _, b := range bins {
		if _, err := t.q.Exec(ctx, `INSERT INTO count_schedule (warehouse, location, class, period, phase) VALUES ($1, $2, $3, $4, $5)`,
			warehouse, b.Location, b.Class, b.Period, b.Phase); err != nil {
			return fmt.Errorf("store count schedule: %w", err)
		}
	}
	return nil
}

func (t *tx) CountSettings(ctx context.Context, warehouse string) (server.CountSettings, bool, error) {
	var s server.CountSettings
	var js []byte
	err := t.q.QueryRow(ctx, `SELECT settings FROM count_settings WHERE warehouse = $1`, warehouse).Scan(&js)
	if errors.Is(err, pgx.ErrNoRows) {
		return s, false, nil
	}
	if err == nil {
		err = json.Unmarshal(js, &s)
	}
	if err != nil {
		return s, false, fmt.Errorf("get count settings of %s: %w", warehouse, err)
	}
	return s, true, nil
}

func (t *tx) PutCountSettings(ctx context.Context, warehouse string, s server.CountSettings) error {
	b, err := json.Marshal(s)
	if err == nil {
		_, err = t.q.Exec(ctx, `INSERT INTO count_settings (warehouse, settings) VALUES ($1, $2)
			ON CONFLICT (warehouse) DO UPDATE SET settings = excluded.settings`, warehouse, string(b))
	}
	if err != nil {
		return fmt.Errorf("store count settings of %s: %w", warehouse, err)
	}
	return nil
}

func (t *tx) Usage(ctx context.Context, warehouse string, since time.Time, kinds []syncproto.Kind) (map[string]int64, error) {
	ks := make([]string, len(kinds))
	for i, k := range kinds {
		ks[i] = string(k)
	}
	rows, err := t.q.Query(ctx, `SELECT s.sku, -SUM(l.delta)::BIGINT FROM ledger l JOIN stock s ON s.id = l.key_id
		WHERE l.warehouse = $1 AND l.delta < 0 AND l.kind = ANY($2) AND l.recorded_at >= $3
		GROUP BY s.sku`, warehouse, ks, since.UTC())
	if err != nil {
		return nil, fmt.Errorf("usage of %s: %w", warehouse, err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var sku string
		var n int64
		if err := rows.Scan(&sku, &n); err != nil {
			return nil, fmt.Errorf("usage of %s: %w", warehouse, err)
		}
		out[sku] = n
	}
	return out, rows.Err()
}

func (t *tx) LocationEntries(ctx context.Context, warehouse, location string, after uint64, limit int) ([]syncproto.Entry, error) {
	rows, err := t.q.Query(ctx, `SELECT l.position, l.event_id, l.device_id, l.kind, s.location, s.sku, s.lot, l.delta, l.balance, l.recorded_at
		FROM ledger l JOIN stock s ON s.id = l.key_id
		WHERE s.warehouse = $1 AND s.location = $2 AND l.position > $3
		ORDER BY l.position LIMIT $4`, warehouse, location, int64(after), limit)
	if err != nil {
		return nil, fmt.Errorf("list ledger at %s: %w", location, err)
	}
	defer rows.Close()
	var out []syncproto.Entry
	for rows.Next() {
		var e syncproto.Entry
		if err := rows.Scan(&e.Position, &e.EventID, &e.DeviceID, &e.Kind, &e.Location, &e.SKU, &e.Lot, &e.Delta, &e.Balance, &e.RecordedAt); err != nil {
			return nil, fmt.Errorf("list ledger at %s: %w", location, err)
		}
		e.RecordedAt = e.RecordedAt.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}
