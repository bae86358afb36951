package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/syncproto"
)

var _ server.CountingTx = (*tx)(nil)

const countTaskCols = `id, warehouse, location, sku, lot, reason, source_event, class, due, assigned_to, not_by, created_at, status, archived, position`

func scanCountTask(sc interface{ Scan(...any) error }) (server.CountTask, error) {
	var c server.CountTask
	var id int64
	var created string
	err := sc.Scan(&id, &c.Warehouse, &c.Location, &c.SKU, &c.Lot, &c.Reason, &c.SourceEvent, &c.Class, &c.Due,
		&c.AssignedTo, &c.NotBy, &created, &c.Status, &c.Archived, &c.Position)
	c.ID, c.CreatedAt = server.CountTaskID(id), parseTime(created)
	return c, err
}

func (t *tx) CountTask(ctx context.Context, id string) (server.CountTask, error) {
	n, ok := server.ParseCountTaskID(id)
	if !ok {
		return server.CountTask{}, server.Errorf(server.ENotFound, "no count task %s", id)
	}
	c, err := scanCountTask(t.q.QueryRowContext(ctx, `SELECT `+countTaskCols+` FROM count_tasks WHERE id = ?`, n))
	if errors.Is(err, sql.ErrNoRows) {
		return c, server.Errorf(server.ENotFound, "no count task %s", id)
	}
	if err != nil {
		return c, fmt.Errorf("get count task %s: %w", id, err)
	}
	return c, nil
}

func (t *tx) CountTasks(ctx context.Context, f server.CountTaskFilter) ([]server.CountTask, error) {
	var w where
	w.eq("warehouse", f.Warehouse)
	w.eq("status", f.Status)
	w.eq("location", f.Location)
	w.eq("assigned_to", f.AssignedTo)
	w.eq("reason", f.Reason)
	w.eq("due", f.Due)
	if f.Held {
		w.conds = append(w.conds, "status IN ('open', 'assigned') AND archived = 0")
	}
	if n, ok := server.ParseCountTaskID(f.After); ok {
		w.conds = append(w.conds, "id > ?")
		w.args = append(w.args, n)
	}
	q := `SELECT ` + countTaskCols + ` FROM count_tasks`
	if len(w.conds) > 0 {
		q += " WHERE " + strings.Join(w.conds, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := t.q.QueryContext(ctx, q+" ORDER BY id LIMIT ?", append(w.args, limit)...)
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
	var id int64
	if c.ID == "" {
		res, err := t.q.ExecContext(ctx, `INSERT INTO count_tasks (warehouse, location, sku, lot, reason, source_event, created_at, status)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.Warehouse, c.Location, c.SKU, c.Lot, c.Reason, c.SourceEvent, fmtTime(c.CreatedAt), c.Status)
		if err != nil {
			return c, fmt.Errorf("add count task: %w", err)
		}
		if id, err = res.LastInsertId(); err != nil {
			return c, fmt.Errorf("add count task: %w", err)
		}
		c.ID = server.CountTaskID(id)
	} else {
		var ok bool
		if id, ok = server.ParseCountTaskID(c.ID); !ok {
			return c, server.Errorf(server.EInvalid, "bad count task ID %q", c.ID)
		}
	}
	res, err := t.exec(ctx, "catalogChange", string(server.KindCountTask), c.Warehouse, c.ID)
	if err != nil {
		return c, fmt.Errorf("put count task %s: log change: %w", c.ID, err)
	}
	pos, err := res.LastInsertId()
	if err != nil {
		return c, fmt.Errorf("put count task %s: log change: %w", c.ID, err)
	}
	c.Position = uint64(pos)
	_, err = t.q.ExecContext(ctx, `UPDATE count_tasks SET warehouse = ?, location = ?, sku = ?, lot = ?, reason = ?, source_event = ?,
		class = ?, due = ?, assigned_to = ?, not_by = ?, created_at = ?, status = ?, archived = ?, position = ? WHERE id = ?`,
		c.Warehouse, c.Location, c.SKU, c.Lot, c.Reason, c.SourceEvent, c.Class, c.Due, c.AssignedTo, c.NotBy,
		fmtTime(c.CreatedAt), c.Status, c.Archived, c.Position, id)
	if err != nil {
		return c, fmt.Errorf("put count task %s: %w", c.ID, err)
	}
	return c, nil
}

const countCols = `event_id, device_id, seq, warehouse, task, location, sku, lot, counter, counted, expected, variance, unit_cost,
	class, device_time, recorded_at, status, reason_code, decided_by, decided_at, position`

func scanCount(sc interface{ Scan(...any) error }) (server.CountRecord, error) {
	var r server.CountRecord
	var dt, rec, dec string
	err := sc.Scan(&r.EventID, &r.DeviceID, &r.Seq, &r.Warehouse, &r.Task, &r.Location, &r.SKU, &r.Lot, &r.Counter,
		&r.Counted, &r.Expected, &r.Variance, &r.UnitCost, &r.Class, &dt, &rec, &r.Status, &r.ReasonCode, &r.DecidedBy, &dec, &r.Position)
	r.DeviceTime, r.RecordedAt, r.DecidedAt = parseTime(dt), parseTime(rec), parseTime(dec)
	return r, err
}

// fmtSortable formats a time so that text order is time order (the
// counts' device_time is compared and sorted).
func fmtSortable(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z07:00") }

func (t *tx) CountRecord(ctx context.Context, eventID string) (server.CountRecord, bool, error) {
	r, err := scanCount(t.q.QueryRowContext(ctx, `SELECT `+countCols+` FROM counts WHERE event_id = ?`, eventID))
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("get count %s: %w", eventID, err)
	}
	return r, true, nil
}

func (t *tx) CountRecords(ctx context.Context, f server.CountRecordFilter) ([]server.CountRecord, error) {
	var w where
	w.eq("warehouse", f.Warehouse)
	w.eq("location", f.Location)
	w.eq("task", f.Task)
	w.eq("status", f.Status)
	w.eq("counter", f.Counter)
	if !f.From.IsZero() {
		w.conds = append(w.conds, "device_time >= ?")
		w.args = append(w.args, fmtSortable(f.From))
	}
	if !f.To.IsZero() {
		w.conds = append(w.conds, "device_time < ?")
		w.args = append(w.args, fmtSortable(f.To))
	}
	q := `SELECT ` + countCols + ` FROM counts`
	if len(w.conds) > 0 {
		q += " WHERE " + strings.Join(w.conds, " AND ")
	}
	order := " ORDER BY device_time, event_id"
	if f.Newest {
		order = " ORDER BY device_time DESC, event_id DESC"
	}
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	rows, err := t.q.QueryContext(ctx, q+order+" LIMIT ?", append(w.args, limit)...)
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
	dec := ""
	if !r.DecidedAt.IsZero() {
		dec = fmtTime(r.DecidedAt)
	}
	_, err := t.q.ExecContext(ctx, `INSERT INTO counts (`+countCols+`) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
		ON CONFLICT (event_id) DO UPDATE SET status = excluded.status, reason_code = excluded.reason_code,
		decided_by = excluded.decided_by, decided_at = excluded.decided_at, position = excluded.position`,
		r.EventID, r.DeviceID, r.Seq, r.Warehouse, r.Task, r.Location, r.SKU, r.Lot, r.Counter, r.Counted, r.Expected, r.Variance,
		r.UnitCost, r.Class, fmtSortable(r.DeviceTime), fmtTime(r.RecordedAt), r.Status, r.ReasonCode, r.DecidedBy, dec, r.Position)
	if err != nil {
		return fmt.Errorf("record count %s: %w", r.EventID, err)
	}
	return nil
}

func (t *tx) SKUClasses(ctx context.Context, warehouse string, skus []string) ([]server.SKUClass, error) {
	q := `SELECT sku, class, value, units, computed_at FROM abc_classes WHERE warehouse = ?`
	args := []any{warehouse}
	if skus != nil {
		if len(skus) == 0 {
			return nil, nil
		}
		ph, a := inArgs(skus)
		q += ` AND sku IN (` + ph + `)`
		args = append(args, a...)
	}
	var out []server.SKUClass
	err := t.each(ctx, q+` ORDER BY class, value DESC, sku`, args, func(rows *sql.Rows) error {
		for rows.Next() {
			var c server.SKUClass
			var at string
			if err := rows.Scan(&c.SKU, &c.Class, &c.Value, &c.Units, &at); err != nil {
				return err
			}
			c.ComputedAt = parseTime(at)
			out = append(out, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list ABC classes: %w", err)
	}
	return out, nil
}

func (t *tx) PutSKUClasses(ctx context.Context, warehouse string, cs []server.SKUClass) error {
	if _, err := t.q.ExecContext(ctx, `DELETE FROM abc_classes WHERE warehouse = ?`, warehouse); err != nil {
		return fmt.Errorf("store ABC classes: %w", err)
	}
	for _, c := range cs {
		if _, err := t.q.ExecContext(ctx, `INSERT INTO abc_classes (warehouse, sku, class, value, units, computed_at) VALUES (?, ?, ?, ?, ?, ?)`,
			warehouse, c.SKU, c.Class, c.Value, c.Units, fmtTime(c.ComputedAt)); err != nil {
			return fmt.Errorf("store ABC classes: %w", err)
		}
	}
	return nil
}

func (t *tx) CountSchedule(ctx context.Context, warehouse string) ([]server.ScheduledBin, error) {
	rows, err := t.q.QueryContext(ctx, `SELECT location, class, period, phase FROM count_schedule WHERE warehouse = ? ORDER BY location`, warehouse)
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
	if _, err := t.q.ExecContext(ctx, `DELETE FROM count_schedule WHERE warehouse = ?`, warehouse); err != nil {
		return fmt.Errorf("store count schedule: %w", err)
	}
	for _, b := range bins {
		if _, err := t.q.ExecContext(ctx, `INSERT INTO count_schedule (warehouse, location, class, period, phase) VALUES (?, ?, ?, ?, ?)`,
			warehouse, b.Location, b.Class, b.Period, b.Phase); err != nil {
			return fmt.Errorf("store count schedule: %w", err)
		}
	}
	return nil
}

func (t *tx) CountSettings(ctx context.Context, warehouse string) (server.CountSettings, bool, error) {
	var s server.CountSettings
	var js string
	err := t.q.QueryRowContext(ctx, `SELECT settings FROM count_settings WHERE warehouse = ?`, warehouse).Scan(&js)
	if errors.Is(err, sql.ErrNoRows) {
		return s, false, nil
	}
	if err == nil {
		err = json.Unmarshal([]byte(js), &s)
	}
	if err != nil {
		return s, false, fmt.Errorf("get count settings of %s: %w", warehouse, err)
	}
	return s, true, nil
}

func (t *tx) PutCountSettings(ctx context.Context, warehouse string, s server.CountSettings) error {
	b, err := json.Marshal(s)
	if err == nil {
		_, err = t.q.ExecContext(ctx, `INSERT INTO count_settings (warehouse, settings) VALUES (?, ?)
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
	ph, args := inArgs(ks)
	// recorded_at is RFC 3339 text: compare by its instant.
	rows, err := t.q.QueryContext(ctx, `SELECT s.sku, -SUM(l.delta) FROM ledger l JOIN stock s ON s.id = l.key_id
		WHERE l.warehouse = ? AND l.delta < 0 AND l.kind IN (`+ph+`) AND julianday(l.recorded_at) >= julianday(?)
		GROUP BY s.sku`, append(append([]any{warehouse}, args...), fmtTime(since))...)
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
	rows, err := t.q.QueryContext(ctx, `SELECT l.position, l.event_id, l.device_id, l.kind, s.location, s.sku, s.lot, l.delta, l.balance, l.recorded_at
		FROM ledger l JOIN stock s ON s.id = l.key_id
		WHERE s.warehouse = ? AND s.location = ? AND l.position > ?
		ORDER BY l.position LIMIT ?`, warehouse, location, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list ledger at %s: %w", location, err)
	}
	defer rows.Close()
	var out []syncproto.Entry
	for rows.Next() {
		var e syncproto.Entry
		var rec string
		if err := rows.Scan(&e.Position, &e.EventID, &e.DeviceID, &e.Kind, &e.Location, &e.SKU, &e.Lot, &e.Delta, &e.Balance, &rec); err != nil {
			return nil, fmt.Errorf("list ledger at %s: %w", location, err)
		}
		e.RecordedAt = parseTime(rec)
		out = append(out, e)
	}
	return out, rows.Err()
}
