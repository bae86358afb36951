package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/syncproto"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the SQLite implementation of server.Store.
type Store struct {
	write *sql.DB // one connection: SQLite has one writer
	read  *sql.DB
	stmts map[string]*sql.Stmt

	// The checkpointer copies the WAL into the database file in the
	// background (see checkpoints).
	ckpt     *sql.DB
	stopCkpt chan struct{}
	ckptDone chan struct{}
}

// checkpointEvery is how often the checkpointer runs. Left to itself the
// writer checkpoints inside a commit every 1,000 pages of WAL (about
// every twenty group commits in the fleet soak): it copies the pages into
// the database file and syncs it while the next group waits. It still
// does past writerCheckpointPages, should the checkpointer fall behind.
const (
	checkpointEvery       = 200 * time.Millisecond
	writerCheckpointPages = 16384
)

var _ server.Store = (*Store)(nil)

// DBFile is the database file name inside a data directory.
const DBFile = "driftless.db"

// OpenDir opens (creating when needed) the store in a data directory.
func OpenDir(ctx context.Context, dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	return Open(ctx, filepath.Join(dir, DBFile))
}

func dsn(path string, write bool) string {
	q := url.Values{}
	// temp_store: a push's savepoint journal stays in memory instead of
	// a temporary file written through system calls.
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(10000)", "synchronous(FULL)", "foreign_keys(1)", "temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	if write {
		q.Set("_txlock", "immediate")
		// The writer's working set (the indexes' right edges, stock,
		// usage) stays cached: 64 MiB instead of SQLite's 2 MiB.
		q.Add("_pragma", "cache_size(-65536)")
		q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", writerCheckpointPages))
	}
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating and migrating when needed) the store in a file.
func Open(ctx context.Context, path string) (*Store, error) {
	w, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	s := &Store{write: w, read: r, stmts: map[string]*sql.Stmt{}}
	for name, q := range writeStmts {
		st, err := w.PrepareContext(ctx, q)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("open store %s: prepare %s: %w", path, name, err)
		}
		s.stmts[name] = st
	}
	if s.ckpt, err = sql.Open("sqlite", dsn(path, false)); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s.ckpt.SetMaxOpenConns(1)
	s.stopCkpt, s.ckptDone = make(chan struct{}), make(chan struct{})
	go s.checkpoints()
	return s, nil
}

// checkpoints runs passive checkpoints, which wait for neither the writer
// nor readers, every checkpointEvery until Close.
func (s *Store) checkpoints() {
	defer close(s.ckptDone)
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-s.stopCkpt:
			return
		case <-t.C:
			// A failed checkpoint leaves the WAL to the next one, or to
			// the writer's own past writerCheckpointPages.
			_, _ = s.ckpt.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
		}
	}
}

func migrate(ctx context.Context, db *sql.DB) error {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error {
	if s.stopCkpt != nil {
		close(s.stopCkpt)
		<-s.ckptDone
		s.ckpt.Close()
	}
	for _, st := range s.stmts {
		st.Close()
	}
	err := s.read.Close()
	if err2 := s.write.Close(); err == nil {
		err = err2
	}
	return err
}

// Ping checks that the database answers (readiness).
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Update runs fn in one write transaction.
func (s *Store) Update(ctx context.Context, fn func(context.Context, server.Tx) error) error {
	sqlTx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	stmts := map[string]*sql.Stmt{}
	t := &tx{q: &preparedTx{tx: sqlTx}, levels: map[server.StockKey]*level{},
		stmt: func(name string) *sql.Stmt {
			st, ok := stmts[name]
			if !ok {
				st = sqlTx.StmtContext(ctx, s.stmts[name])
				stmts[name] = st
			}
			return st
		}}
	err = fn(ctx, t)
	if err == nil {
		err = t.flush(ctx)
	}
	if err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// View runs fn in one read transaction (a consistent snapshot).
func (s *Store) View(ctx context.Context, fn func(context.Context, server.ReadTx) error) error {
	sqlTx, err := s.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin read: %w", err)
	}
	defer sqlTx.Rollback()
	t := &tx{q: sqlTx}
	return fn(ctx, t)
}

// preparedTx runs a write transaction's SQL through statements it
// prepares once per transaction: a group commit runs the same few
// statements for every event of dozens of pushes, and preparing each
// call again (what a plain Tx.ExecContext does with this driver) was a
// tenth of the writer's time. Exec and QueryRow (whose row is scanned and
// closed at once) go through it; text with several statements, and any
// beyond the first maxPrepared distinct ones, run directly.
type preparedTx struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
	// reading holds the queries whose rows queryEach is reading.
	reading map[string]bool
}

const maxPrepared = 256

func (p *preparedTx) stmt(ctx context.Context, query string) *sql.Stmt {
	if st, ok := p.stmts[query]; ok {
		return st
	}
	if len(p.stmts) >= maxPrepared || strings.Contains(query, ";") {
		return nil
	}
	st, err := p.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil // run it directly: its error, if any, comes from there
	}
	if p.stmts == nil {
		p.stmts = map[string]*sql.Stmt{}
	}
	p.stmts[query] = st
	return st
}

func (p *preparedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = uninterrupted(ctx)
	if st := p.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return p.tx.ExecContext(ctx, query, args...)
}

// QueryContext runs directly: the driver steps a prepared statement's one
// SQLite handle, so a second query through it while the first one's rows
// are open would reset them.
func (p *preparedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return p.tx.QueryContext(ctx, query, args...)
}

// queryEach runs a query through its statement prepared for the
// transaction and calls fn with its rows, which it closes: unlike
// QueryContext's callers, it knows when the rows are done with, so the
// statement is free again. The same query asked for while its rows are
// being read (fn querying it again) runs directly.
func (p *preparedTx) queryEach(ctx context.Context, query string, args []any, fn func(*sql.Rows) error) error {
	var rows *sql.Rows
	var err error
	if st := p.stmt(ctx, query); st != nil && !p.reading[query] {
		if p.reading == nil {
			p.reading = map[string]bool{}
		}
		p.reading[query] = true
		defer delete(p.reading, query)
		rows, err = st.QueryContext(uninterrupted(ctx), args...)
	} else {
		rows, err = p.tx.QueryContext(ctx, query, args...)
	}
	return readRows(rows, err, fn)
}

// readRows hands the rows of a query (or the error running it) to fn and
// closes them.
func readRows(rows *sql.Rows, err error, fn func(*sql.Rows) error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	if err := fn(rows); err != nil {
		return err
	}
	return rows.Close()
}

// each runs a query and calls fn with its rows, through a statement
// prepared once per write transaction (queryEach): the writer's hot reads
// (a count's bin and its history) were prepared again at every call.
func (t *tx) each(ctx context.Context, query string, args []any, fn func(*sql.Rows) error) error {
	if p, ok := t.q.(*preparedTx); ok {
		return p.queryEach(ctx, query, args, fn)
	}
	rows, err := t.q.QueryContext(ctx, query, args...)
	return readRows(rows, err, fn)
}

func (p *preparedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = uninterrupted(ctx)
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.tx.QueryRowContext(ctx, query, args...)
}

// uninterrupted is the context of a write transaction's statements: the
// driver watches a cancellable context with a goroutine per statement, a
// sixth of a one-event push's time in BenchmarkGroupCommit, and a write
// transaction's statements are short. Cancelling still ends the
// transaction: database/sql rolls it back when its context ends (BeginTx),
// and the next statement fails.
func uninterrupted(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

type tx struct {
	q    querier
	stmt func(name string) *sql.Stmt // nil in read transactions
	// levels holds the stock rows a write transaction has read or
	// changed; changed ones are written once, at commit (flush), however
	// many entries touched them. undo restores them when a savepoint rolls
	// back.
	levels map[server.StockKey]*level
	undo   []undoLevel
	// noStock holds keys PrefetchStock found without a stock row (Stock
	// answers 0 for them until a row is made, which levels then holds).
	noStock map[server.StockKey]bool
	// usage is what AddUsage noted; from usageFlushed on it is not in
	// usage_daily yet (flushUsage).
	usage        []server.UsageDay
	usageFlushed int
	// lookups caches catalog reads of a write transaction.
	lookups lookups
	// group holds the devices and events a group commit read ahead
	// (Prefetch); nil when none were, or when a savepoint rolled back.
	group *prefetched
}

// prefetched are the devices and events of a group commit's pushes, read
// in one query each instead of one statement per push (two of a one-scan
// push's ten), kept up to date with what the transaction writes to them.
type prefetched struct {
	devices  map[string]server.Device
	events   map[string]server.EventRecord // by event ID
	deviceIn map[string]bool               // the device IDs read (absent ones too)
	eventIn  map[string]bool               // the event IDs read
}

// lookups are catalog records a write transaction read, kept while it
// does not write the catalog: a group commit of a hundred pushes asks for
// the same SKUs and reorder rules again and again. Any catalog write
// (every table's put logs a catalog change), any reorder rule write and
// any savepoint rolled back forget them all.
type lookups struct {
	skus  map[string]skuHit
	rules map[[2]string]ruleHit
}

type skuHit struct {
	sku server.SKU
	err error // nil or not found
}

type ruleHit struct {
	rule server.ReorderRule
	ok   bool
}

func (l *lookups) forget() { l.skus, l.rules = nil, nil }

// level is a stock row as this transaction sees it.
type level struct {
	id, qty, pos int64
	dirty        bool
}

type undoLevel struct {
	k    server.StockKey
	prev *level // nil: the key was not known
}

// setLevel changes a known level, remembering the old one for a rollback.
func (t *tx) setLevel(k server.StockKey, l *level) {
	var prev *level
	if old, ok := t.levels[k]; ok {
		cp := *old
		prev = &cp
	}
	t.undo = append(t.undo, undoLevel{k, prev})
	t.levels[k] = l
}

// flush writes the changed stock rows and the usage noted.
func (t *tx) flush(ctx context.Context) error {
	if err := t.flushUsage(ctx); err != nil {
		return err
	}
	for k, l := range t.levels {
		if !l.dirty {
			continue
		}
		if _, err := t.exec(ctx, "setStock", l.qty, l.pos, l.id); err != nil {
			return fmt.Errorf("update stock %v: %w", k, err)
		}
		l.dirty = false
	}
	return nil
}

var writeStmts = map[string]string{
	"eventByID": `SELECT device_id, seq, payload, status, code, reason, position, received_at FROM events WHERE event_id = ?`,
	"stock":     `SELECT id, qty, position FROM stock WHERE warehouse = ? AND location = ? AND sku = ? AND lot = ?`,
	"newKey":    `INSERT INTO stock (warehouse, location, sku, lot, qty, position) VALUES (?,?,?,?,0,0)`,
	"insLedger": `INSERT INTO ledger (warehouse, key_id, delta, balance, event_id, device_id, kind, recorded_at) VALUES (?,?,?,?,?,?,?,?)`,
	"setStock":  `UPDATE stock SET qty = ?, position = ? WHERE id = ?`,
	"insEvent":  `INSERT INTO events (device_id, seq, event_id, hash, kind, payload, status, code, reason, position, received_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
	"device":    deviceSelect + ` WHERE id = ?`,
	"updDevice": `UPDATE devices SET revoked = ?, acked_through = ?, app_version = ?, last_sync_at = ?, last_hello_at = ? WHERE id = ?`,
	"deltaAfter": `SELECT COALESCE(SUM(l.delta), 0) FROM ledger l JOIN stock s ON s.id = l.key_id
		WHERE s.warehouse = ? AND s.location = ? AND s.sku = ? AND s.lot = ? AND l.position > ?`,
}

// row runs a query through the prepared statement in write transactions
// and as plain SQL in read transactions.
func (t *tx) row(ctx context.Context, name string, args ...any) *sql.Row {
	if t.stmt != nil {
		ctx = uninterrupted(ctx)
		return t.stmt(name).QueryRowContext(ctx, args...)
	}
	return t.q.QueryRowContext(ctx, writeStmts[name], args...)
}

func (t *tx) exec(ctx context.Context, name string, args ...any) (sql.Result, error) {
	if t.stmt != nil {
		ctx = uninterrupted(ctx)
		return t.stmt(name).ExecContext(ctx, args...)
	}
	return t.q.ExecContext(ctx, writeStmts[name], args...)
}

const deviceSelect = `SELECT id, name, warehouse, token_hash, revoked, acked_through, app_version, created_at, last_sync_at, last_hello_at FROM devices`

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

func scanDevice(sc interface{ Scan(...any) error }) (server.Device, error) {
	var d server.Device
	var created, synced, hello string
	var revoked int
	err := sc.Scan(&d.ID, &d.Name, &d.Warehouse, &d.TokenHash, &revoked, &d.AckedThrough, &d.AppVersion, &created, &synced, &hello)
	d.Revoked = revoked != 0
	d.CreatedAt, d.LastSyncAt, d.LastHelloAt = parseTime(created), parseTime(synced), parseTime(hello)
	return d, err
}

func (t *tx) Device(ctx context.Context, id string) (server.Device, error) {
	if t.group != nil && t.group.deviceIn[id] {
		if d, ok := t.group.devices[id]; ok {
			return d, nil
		}
		return server.Device{}, server.Errorf(server.ENotFound, "no device %s", id)
	}
	d, err := scanDevice(t.row(ctx, "device", id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, server.Errorf(server.ENotFound, "no device %s", id)
	}
	if err != nil {
		return d, fmt.Errorf("get device %s: %w", id, err)
	}
	return d, nil
}

func (t *tx) CreateDevice(ctx context.Context, d server.Device) error {
	t.group = nil
	_, err := t.q.ExecContext(ctx, `INSERT INTO devices (id, name, warehouse, token_hash, created_at) VALUES (?,?,?,?,?)`,
		d.ID, d.Name, d.Warehouse, d.TokenHash, fmtTime(d.CreatedAt))
	if err != nil {
		return fmt.Errorf("create device: %w", err)
	}
	return nil
}

func (t *tx) UpdateDevice(ctx context.Context, d server.Device) error {
	revoked := 0
	if d.Revoked {
		revoked = 1
	}
	res, err := t.exec(ctx, "updDevice", revoked, d.AckedThrough, d.AppVersion, fmtTime(d.LastSyncAt), fmtTime(d.LastHelloAt), d.ID)
	if err != nil {
		return fmt.Errorf("update device %s: %w", d.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return server.Errorf(server.ENotFound, "no device %s", d.ID)
	}
	if t.group != nil && t.group.deviceIn[d.ID] {
		cur := t.group.devices[d.ID]
		cur.Revoked, cur.AckedThrough, cur.AppVersion = d.Revoked, d.AckedThrough, d.AppVersion
		cur.LastSyncAt, cur.LastHelloAt = parseTime(fmtTime(d.LastSyncAt)), parseTime(fmtTime(d.LastHelloAt))
		t.group.devices[d.ID] = cur
	}
	return nil
}

// Devices lists every enrolled device.
func (s *Store) Devices(ctx context.Context) ([]server.Device, error) {
	rows, err := s.read.QueryContext(ctx, deviceSelect+` ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("list devices: %w", err)
	}
	defer rows.Close()
	var out []server.Device
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, fmt.Errorf("list devices: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

func scanEvent(sc interface{ Scan(...any) error }) (server.EventRecord, error) {
	var r server.EventRecord
	var payload, received string
	var deviceID string
	var seq uint64
	if err := sc.Scan(&deviceID, &seq, &payload, &r.Outcome.Status, &r.Outcome.Code, &r.Outcome.Reason, &r.Outcome.Position, &received); err != nil {
		return r, err
	}
	if err := jsonUnmarshal(payload, &r.Event); err != nil {
		return r, fmt.Errorf("decode stored event %s/%d: %w", deviceID, seq, err)
	}
	r.Outcome.ID, r.Outcome.Seq = r.Event.ID, seq
	r.ReceivedAt = parseTime(received)
	return r, nil
}

func (t *tx) EventByID(ctx context.Context, id string) (server.EventRecord, bool, error) {
	r, err := scanEvent(t.row(ctx, "eventByID", id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("get event %s: %w", id, err)
	}
	return r, true, nil
}

func (t *tx) EventsByID(ctx context.Context, ids []string) (map[string]server.EventRecord, error) {
	out := make(map[string]server.EventRecord, len(ids))
	if t.group != nil && t.prefetchedAll(ids) {
		for _, id := range ids {
			if r, ok := t.group.events[id]; ok {
				out[id] = r
			}
		}
		return out, nil
	}
	if t.stmt != nil && len(ids) <= 4 {
		// A handheld scanning live pushes one event at a time: look it
		// up through the prepared statement.
		for _, id := range ids {
			r, err := scanEvent(t.row(ctx, "eventByID", id))
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("get events: %w", err)
			}
			out[r.Event.ID] = r
		}
		return out, nil
	}
	err := inChunks(ids, func(args []any, in string) error {
		return t.each(ctx, `SELECT device_id, seq, payload, status, code, reason, position, received_at FROM events
			WHERE event_id IN `+in, args, func(rows *sql.Rows) error {
			for rows.Next() {
				r, err := scanEvent(rows)
				if err != nil {
					return err
				}
				out[r.Event.ID] = r
			}
			return rows.Err()
		})
	})
	if err != nil {
		return nil, fmt.Errorf("get events: %w", err)
	}
	return out, nil
}

// inChunks calls fn with the IDs as arguments and the matching "(?,?,…)"
// list, at most 500 at a time.
func inChunks(ids []string, fn func(args []any, in string) error) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		ids = ids[n:]
		if err := fn(args, "(?"+strings.Repeat(",?", n-1)+")"); err != nil {
			return err
		}
	}
	return nil
}

func (t *tx) prefetchedAll(ids []string) bool {
	for _, id := range ids {
		if !t.group.eventIn[id] {
			return false
		}
	}
	return true
}

// Prefetch reads the devices and the events under the IDs a group
// commit's pushes will look up, one query each; Device and EventsByID
// answer from them for the rest of the transaction (server.Ledger's
// applyGroup calls it). A savepoint rolled back, or a write to devices or
// events other than UpdateDevice and RecordEvent, drops them.
func (t *tx) Prefetch(ctx context.Context, deviceIDs, eventIDs []string) error {
	g := &prefetched{devices: map[string]server.Device{}, deviceIn: map[string]bool{}, eventIn: map[string]bool{}}
	err := inChunks(deviceIDs, func(args []any, in string) error {
		return t.each(ctx, deviceSelect+` WHERE id IN `+in, args, func(rows *sql.Rows) error {
			for rows.Next() {
				d, err := scanDevice(rows)
				if err != nil {
					return err
				}
				g.devices[d.ID] = d
			}
			return rows.Err()
		})
	})
	if err != nil {
		return fmt.Errorf("prefetch devices: %w", err)
	}
	t.group = nil // EventsByID reads the store
	if g.events, err = t.EventsByID(ctx, eventIDs); err != nil {
		return fmt.Errorf("prefetch: %w", err)
	}
	for _, id := range deviceIDs {
		g.deviceIn[id] = true
	}
	for _, id := range eventIDs {
		g.eventIn[id] = true
	}
	t.group = g
	return nil
}

// PrefetchStock reads the stock rows of the keys in one query into
// levels (the rows a group commit's events will read one by one), and
// notes the keys without one.
func (t *tx) PrefetchStock(ctx context.Context, keys []server.StockKey) error {
	if len(keys) == 0 || t.levels == nil {
		return nil
	}
	list := make([][4]string, 0, len(keys))
	if t.noStock == nil {
		t.noStock = map[server.StockKey]bool{}
	}
	for _, k := range keys {
		if _, ok := t.levels[k]; !ok {
			list = append(list, [4]string{k.Warehouse, k.Location, k.SKU, k.Lot})
			t.noStock[k] = true
		}
	}
	arg, err := jsonMarshal(list)
	if err != nil {
		return fmt.Errorf("prefetch stock: %w", err)
	}
	err = t.each(ctx, `SELECT s.id, s.warehouse, s.location, s.sku, s.lot, s.qty, s.position
		FROM json_each(?) j JOIN stock s ON s.warehouse = j.value->>0 AND s.location = j.value->>1 AND s.sku = j.value->>2 AND s.lot = j.value->>3`,
		[]any{arg}, func(rows *sql.Rows) error {
			for rows.Next() {
				var k server.StockKey
				l := &level{}
				if err := rows.Scan(&l.id, &k.Warehouse, &k.Location, &k.SKU, &k.Lot, &l.qty, &l.pos); err != nil {
					return err
				}
				t.levels[k] = l
				delete(t.noStock, k)
			}
			return rows.Err()
		})
	if err != nil {
		return fmt.Errorf("prefetch stock: %w", err)
	}
	return nil
}

func (t *tx) EventBySeq(ctx context.Context, deviceID string, seq uint64) (server.EventRecord, bool, error) {
	r, err := scanEvent(t.q.QueryRowContext(ctx, `SELECT device_id, seq, payload, status, code, reason, position, received_at FROM events WHERE device_id = ? AND seq = ?`, deviceID, seq))
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("get event %s/%d: %w", deviceID, seq, err)
	}
	return r, true, nil
}

func (t *tx) Events(ctx context.Context, limit int, statuses ...syncproto.Status) ([]server.EventRecord, error) {
	q, args := eventsQuery(limit, statuses...)
	rows, err := t.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	defer rows.Close()
	var out []server.EventRecord
	for rows.Next() {
		r, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("list events: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// eventsQuery lists events with some statuses. Without applied ones
// among them, the literal status <> 'applied' lets SQLite read the partial
// index events_open instead of scanning every event ever received.
func eventsQuery(limit int, statuses ...syncproto.Status) (string, []any) {
	q := `SELECT device_id, seq, payload, status, code, reason, position, received_at FROM events`
	var args []any
	if len(statuses) > 0 {
		q += ` WHERE status IN (?` + strings.Repeat(",?", len(statuses)-1) + `)`
		open := true
		for _, s := range statuses {
			args = append(args, string(s))
			open = open && s != syncproto.StatusApplied
		}
		if open {
			q += ` AND status <> 'applied'`
		}
	}
	q += ` ORDER BY received_at, device_id, seq LIMIT ?`
	if limit <= 0 {
		limit = -1
	}
	return q, append(args, limit)
}

func (t *tx) DeviceEvents(ctx context.Context, deviceID string, afterSeq uint64, limit int) ([]server.EventRecord, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := t.q.QueryContext(ctx, `SELECT device_id, seq, payload, status, code, reason, position, received_at FROM events
		WHERE device_id = ? AND seq > ? ORDER BY seq LIMIT ?`, deviceID, afterSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("list device events: %w", err)
	}
	defer rows.Close()
	var out []server.EventRecord
	for rows.Next() {
		r, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("list device events: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (t *tx) RecordEvent(ctx context.Context, r server.EventRecord) error {
	payload, err := jsonMarshal(r.Event)
	if err != nil {
		return fmt.Errorf("record event: %w", err)
	}
	var eventID any = r.Event.ID
	if r.Event.ID == "" {
		eventID = nil
	}
	_, err = t.exec(ctx, "insEvent", r.Event.DeviceID, r.Event.Seq, eventID, r.Event.Hash, string(r.Event.Kind), payload,
		string(r.Outcome.Status), r.Outcome.Code, r.Outcome.Reason, r.Outcome.Position, fmtTime(r.ReceivedAt))
	if err != nil {
		return fmt.Errorf("record event %s: %w", r.Event.ID, err)
	}
	if t.group != nil && r.Event.ID != "" && t.group.eventIn[r.Event.ID] {
		// As scanEvent would read it back.
		r.Outcome.ID, r.Outcome.Seq = r.Event.ID, r.Event.Seq
		r.ReceivedAt = parseTime(fmtTime(r.ReceivedAt))
		t.group.events[r.Event.ID] = r
	}
	return nil
}

func (t *tx) Stock(ctx context.Context, k server.StockKey) (int64, error) {
	if l, ok := t.levels[k]; ok {
		return l.qty, nil
	}
	if t.noStock[k] {
		return 0, nil
	}
	var id, q, pos int64
	err := t.row(ctx, "stock", k.Warehouse, k.Location, k.SKU, k.Lot).Scan(&id, &q, &pos)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("get stock: %w", err)
	}
	if t.levels != nil {
		t.setLevel(k, &level{id: id, qty: q, pos: pos})
	}
	return q, nil
}

func (t *tx) Savepoint(ctx context.Context, fn func() error) error {
	if _, err := t.q.ExecContext(ctx, "SAVEPOINT push"); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	mark := len(t.undo)
	defer func() { t.undo = t.undo[:mark] }()
	usageMark, usageFlushed := len(t.usage), t.usageFlushed
	if err := fn(); err != nil {
		t.lookups.forget()
		t.group = nil
		t.usage, t.usageFlushed = t.usage[:usageMark], min(t.usageFlushed, usageFlushed)
		// Stock rows made inside the savepoint are gone with it, and so
		// are the levels it changed.
		for i := len(t.undo) - 1; i >= mark; i-- {
			u := t.undo[i]
			if u.prev == nil {
				delete(t.levels, u.k)
			} else {
				t.levels[u.k] = u.prev
			}
		}
		if _, rerr := t.q.ExecContext(ctx, "ROLLBACK TO push"); rerr != nil {
			return fmt.Errorf("rollback to savepoint: %w (after %w)", rerr, err)
		}
		if _, rerr := t.q.ExecContext(ctx, "RELEASE push"); rerr != nil {
			return fmt.Errorf("release savepoint: %w", rerr)
		}
		return err
	}
	if _, err := t.q.ExecContext(ctx, "RELEASE push"); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

// keyID returns the stock row of a key, creating it (at zero) when new.
func (t *tx) keyID(ctx context.Context, k server.StockKey) (int64, error) {
	if _, err := t.Stock(ctx, k); err != nil { // reads the row into levels
		return 0, err
	}
	if l, ok := t.levels[k]; ok {
		return l.id, nil
	}
	res, err := t.exec(ctx, "newKey", k.Warehouse, k.Location, k.SKU, k.Lot)
	if err != nil {
		return 0, fmt.Errorf("new stock key: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("new stock key: %w", err)
	}
	t.setLevel(k, &level{id: id})
	return id, nil
}

func (t *tx) DeltaAfter(ctx context.Context, k server.StockKey, after uint64) (int64, error) {
	var d int64
	if err := t.row(ctx, "deltaAfter", k.Warehouse, k.Location, k.SKU, k.Lot, after).Scan(&d); err != nil {
		return 0, fmt.Errorf("sum deltas: %w", err)
	}
	return d, nil
}

func (t *tx) Append(ctx context.Context, e server.LedgerEntry) (uint64, error) {
	key, err := t.keyID(ctx, e.StockKey)
	if err != nil {
		return 0, err
	}
	res, err := t.exec(ctx, "insLedger", e.Warehouse, key, e.Delta, e.Balance, e.EventID, e.DeviceID, string(e.Kind), fmtTime(e.RecordedAt))
	if err != nil {
		return 0, fmt.Errorf("append ledger: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("append ledger: %w", err)
	}
	// The stock row is written at commit, once per key.
	t.setLevel(e.StockKey, &level{id: key, qty: e.Balance, pos: id, dirty: true})
	return uint64(id), nil
}

func (t *tx) Head(ctx context.Context, warehouse string) (uint64, error) {
	var h uint64
	// Supervisors' decisions on parked events take positions too (parked.go).
	if err := t.q.QueryRowContext(ctx, `SELECT MAX(COALESCE((SELECT MAX(position) FROM ledger WHERE warehouse = ?1), 0),
		COALESCE((SELECT MAX(position) FROM parked WHERE warehouse = ?1 AND position > 0), 0))`, warehouse).Scan(&h); err != nil {
		return 0, fmt.Errorf("ledger head: %w", err)
	}
	return h, nil
}

func (t *tx) Entries(ctx context.Context, warehouse string, after uint64, limit int) ([]syncproto.Entry, error) {
	rows, err := t.q.QueryContext(ctx, `SELECT l.position, l.event_id, l.device_id, l.kind, s.location, s.sku, s.lot, l.delta, l.balance, l.recorded_at
		FROM ledger l JOIN stock s ON s.id = l.key_id WHERE l.warehouse = ? AND l.position > ? ORDER BY l.position LIMIT ?`, warehouse, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list ledger: %w", err)
	}
	defer rows.Close()
	var out []syncproto.Entry
	for rows.Next() {
		var e syncproto.Entry
		var rec string
		if err := rows.Scan(&e.Position, &e.EventID, &e.DeviceID, &e.Kind, &e.Location, &e.SKU, &e.Lot, &e.Delta, &e.Balance, &rec); err != nil {
			return nil, fmt.Errorf("list ledger: %w", err)
		}
		e.RecordedAt = parseTime(rec)
		out = append(out, e)
	}
	return out, rows.Err()
}

func (t *tx) StockLevels(ctx context.Context, f server.StockFilter) ([]server.StockLevel, error) {
	q := `SELECT warehouse, location, sku, lot, qty, position FROM stock WHERE position > 0`
	var args []any
	for _, c := range []struct{ col, v string }{{"warehouse", f.Warehouse}, {"location", f.Location}, {"sku", f.SKU}} {
		if c.v != "" {
			q += ` AND ` + c.col + ` = ?`
			args = append(args, c.v)
		}
	}
	switch {
	case f.After != nil && f.Warehouse != "" && f.After.Warehouse == f.Warehouse:
		// With the warehouse fixed, the row value SQLite can seek the
		// unique index by (it only seeks by the equality otherwise, and
		// every page would rescan the warehouse from its start).
		q += ` AND (location, sku, lot) > (?, ?, ?)`
		args = append(args, f.After.Location, f.After.SKU, f.After.Lot)
	case f.After != nil:
		q += ` AND (warehouse, location, sku, lot) > (?, ?, ?, ?)`
		args = append(args, f.After.Warehouse, f.After.Location, f.After.SKU, f.After.Lot)
	}
	q += ` ORDER BY warehouse, location, sku, lot`
	limit := f.Limit
	if limit <= 0 {
		limit = -1
	}
	q += ` LIMIT ?`
	args = append(args, limit)
	var out []server.StockLevel
	err := t.each(ctx, q, args, func(rows *sql.Rows) error {
		for rows.Next() {
			var l server.StockLevel
			if err := rows.Scan(&l.Warehouse, &l.Location, &l.SKU, &l.Lot, &l.Qty, &l.Position); err != nil {
				return err
			}
			out = append(out, l)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("list stock: %w", err)
	}
	return out, nil
}

func (t *tx) SetDeviceToken(ctx context.Context, id string, tokenHash []byte) error {
	t.group = nil
	res, err := t.q.ExecContext(ctx, `UPDATE devices SET token_hash = ? WHERE id = ?`, tokenHash, id)
	if err != nil {
		return fmt.Errorf("set token of device %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return server.Errorf(server.ENotFound, "no device %s", id)
	}
	return nil
}

func (t *tx) PutEnrollmentCode(ctx context.Context, c server.EnrollmentCode) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO enrollment_codes (code_hash, device_id, created_at, expires_at, used_at) VALUES (?,?,?,?,?)
		ON CONFLICT (code_hash) DO UPDATE SET expires_at = excluded.expires_at, used_at = excluded.used_at`,
		c.Hash, c.DeviceID, fmtTime(c.CreatedAt), fmtTime(c.ExpiresAt), fmtTime(c.UsedAt))
	if err != nil {
		return fmt.Errorf("store enrollment code of device %s: %w", c.DeviceID, err)
	}
	return nil
}

func (t *tx) ExpireEnrollmentCodes(ctx context.Context, deviceID string, at time.Time) error {
	// Times are stored in one fixed-width UTC format only when their
	// fractions agree, so compare parsed values, not strings.
	rows, err := t.q.QueryContext(ctx, `SELECT code_hash, expires_at FROM enrollment_codes WHERE device_id = ? AND used_at = ''`, deviceID)
	if err != nil {
		return fmt.Errorf("expire enrollment codes of device %s: %w", deviceID, err)
	}
	var expire [][]byte
	for rows.Next() {
		var h []byte
		var exp string
		if err := rows.Scan(&h, &exp); err != nil {
			rows.Close()
			return fmt.Errorf("expire enrollment codes of device %s: %w", deviceID, err)
		}
		if parseTime(exp).After(at) {
			expire = append(expire, h)
		}
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("expire enrollment codes of device %s: %w", deviceID, err)
	}
	for _, h := range expire {
		if _, err := t.q.ExecContext(ctx, `UPDATE enrollment_codes SET expires_at = ? WHERE code_hash = ?`, fmtTime(at), h); err != nil {
			return fmt.Errorf("expire enrollment codes of device %s: %w", deviceID, err)
		}
	}
	return nil
}

func (t *tx) EnrollmentCode(ctx context.Context, hash []byte) (server.EnrollmentCode, error) {
	c := server.EnrollmentCode{}
	var created, expires, used string
	err := t.q.QueryRowContext(ctx, `SELECT code_hash, device_id, created_at, expires_at, used_at FROM enrollment_codes WHERE code_hash = ?`, hash).
		Scan(&c.Hash, &c.DeviceID, &created, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return c, server.Errorf(server.ENotFound, "no such enrollment code")
	}
	if err != nil {
		return c, fmt.Errorf("get enrollment code: %w", err)
	}
	c.CreatedAt, c.ExpiresAt, c.UsedAt = parseTime(created), parseTime(expires), parseTime(used)
	return c, nil
}

// eventsOfKindQuery lists the events of a kind, newest first. For
// exceptions the literal kind lets SQLite read the partial index
// events_exceptions instead of scanning every event.
func eventsOfKindQuery(kind syncproto.Kind, warehouse string, limit int) (string, []any) {
	q := `SELECT e.device_id, e.seq, e.payload, e.status, e.code, e.reason, e.position, e.received_at FROM events e
		JOIN devices d ON d.id = e.device_id WHERE e.kind = ?`
	args := []any{string(kind)}
	if kind == syncproto.KindException {
		q += ` AND e.kind = 'exception'`
	}
	if warehouse != "" {
		q += ` AND d.warehouse = ?`
		args = append(args, warehouse)
	}
	if limit <= 0 {
		limit = -1
	}
	return q + ` ORDER BY e.received_at DESC, e.device_id, e.seq DESC LIMIT ?`, append(args, limit)
}

func (t *tx) EventsOfKind(ctx context.Context, kind syncproto.Kind, warehouse string, limit int) ([]server.EventRecord, error) {
	q, args := eventsOfKindQuery(kind, warehouse, limit)
	rows, err := t.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s events: %w", kind, err)
	}
	defer rows.Close()
	var out []server.EventRecord
	for rows.Next() {
		r, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("list %s events: %w", kind, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
