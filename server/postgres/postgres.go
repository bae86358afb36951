package postgres

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/syncproto"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the PostgreSQL implementation of server.Store.
type Store struct {
	pool *pgxpool.Pool
}

var _ server.Store = (*Store)(nil)

// Open connects with a pgx DSN and migrates the schema. Options of the
// DSN (search_path for one, as the tests use) apply to every connection.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres store: %w", err)
	}
	return &Store{pool: pool}, nil
}

func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	// Replicas starting together migrate one at a time.
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// channel is the LISTEN/NOTIFY channel of ledger growth.
const channel = "driftless_ledger"

var _ server.Announcer = (*Store)(nil)

// Announce notifies every replica listening that a warehouse's ledger grew.
func (s *Store) Announce(ctx context.Context, warehouse string, head uint64) error {
	_, err := s.pool.Exec(ctx, `SELECT pg_notify($1, $2)`, channel, fmt.Sprintf("%d:%s", head, warehouse))
	return err
}

// Listeners receive the announcements of every replica, their own
// included. A nil func is not listened for.
type Listeners struct {
	// Ledger hears that a warehouse's ledger grew (Announce).
	Ledger func(warehouse string, head uint64)
	// Catalog hears the catalog head after every committed catalog write.
	Catalog func(head uint64)
}

// Listen calls fn for every ledger announcement until ctx is done (see
// ListenAll).
func (s *Store) Listen(ctx context.Context, fn func(warehouse string, head uint64)) error {
	return s.ListenAll(ctx, Listeners{Ledger: fn})
}

// ListenAll delivers announcements to ls on one connection until ctx is
// done, reconnecting after connection loss.
func (s *Store) ListenAll(ctx context.Context, ls Listeners) error {
	for ctx.Err() == nil {
		err := s.listen(ctx, ls)
		if ctx.Err() != nil {
			break
		}
		slog.Warn("store notifications interrupted; reconnecting", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	return nil
}

func (s *Store) listen(ctx context.Context, ls Listeners) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer conn.Release()
	for _, c := range []struct {
		name string
		on   bool
	}{{channel, ls.Ledger != nil}, {catalogChannel, ls.Catalog != nil}} {
		if !c.on {
			continue
		}
		if _, err := conn.Exec(ctx, "LISTEN "+c.name); err != nil {
			return fmt.Errorf("listen %s: %w", c.name, err)
		}
	}
	defer conn.Exec(context.WithoutCancel(ctx), "UNLISTEN *") //nolint:errcheck
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("wait for notification: %w", err)
		}
		switch n.Channel {
		case channel:
			head, warehouse, ok := strings.Cut(n.Payload, ":")
			h, err := strconv.ParseUint(head, 10, 64)
			if ok && err == nil && ls.Ledger != nil {
				ls.Ledger(warehouse, h)
			}
		case catalogChannel:
			h, err := strconv.ParseUint(n.Payload, 10, 64)
			if err == nil && h > 0 && ls.Catalog != nil {
				ls.Catalog(h)
			}
		}
	}
}

// Close closes the pool.
func (s *Store) Close() error { s.pool.Close(); return nil }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// Update runs fn in one read-committed transaction; stock access takes
// the warehouse's advisory lock first (see the package documentation).
func (s *Store) Update(ctx context.Context, fn func(context.Context, server.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(pt pgx.Tx) error {
		t := newWriteTx(pt)
		if err := fn(ctx, t); err != nil {
			return err
		}
		if t.catalogWrites == 0 {
			return nil
		}
		// A push that received against purchase orders wrote them: the
		// other replicas poke their devices as after any catalog write.
		if _, err := t.q.Exec(ctx, `SELECT pg_notify($1, (SELECT COALESCE(MAX(position), 0) FROM catalog_changes)::text)`, catalogChannel); err != nil {
			return fmt.Errorf("notify catalog head: %w", err)
		}
		return nil
	})
}

func newWriteTx(t pgx.Tx) *tx {
	return &tx{q: t, write: true, locked: map[string]bool{}, keys: map[server.StockKey]int64{}}
}

// View runs fn in a read-only repeatable-read transaction (one snapshot).
func (s *Store) View(ctx context.Context, fn func(context.Context, server.ReadTx) error) error {
	return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(t pgx.Tx) error {
		return fn(ctx, &tx{q: t, locked: map[string]bool{}, keys: map[server.StockKey]int64{}})
	})
}

// tx is a transaction of either store, ledger or catalog: the same value
// serves server.Tx and server.CatalogTx, so opening stock enters the
// ledger in the catalog import's own transaction.
type tx struct {
	q      pgx.Tx
	write  bool
	locked map[string]bool // warehouses whose advisory lock is held
	keys   map[server.StockKey]int64
	// catalogLocked says the catalog's advisory lock is held;
	// catalogWrites counts the reference records written (see catalog.go).
	catalogLocked bool
	catalogWrites int
}

// lock serializes this transaction with every other writer of a
// warehouse's stock until it ends.
func (t *tx) lock(ctx context.Context, warehouse string) error {
	if !t.write || t.locked[warehouse] {
		return nil
	}
	if _, err := t.q.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 7))`, warehouse); err != nil {
		return fmt.Errorf("lock warehouse %s: %w", warehouse, err)
	}
	t.locked[warehouse] = true
	return nil
}

func (t *tx) Savepoint(ctx context.Context, fn func() error) error {
	sp, err := t.q.Begin(ctx) // a pgx nested transaction is a savepoint
	if err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	outer, catalogLocked, catalogWrites := t.q, t.catalogLocked, t.catalogWrites
	t.q = sp
	err = fn()
	t.q = outer
	if err != nil {
		// Locks taken inside the savepoint go with it.
		clear(t.keys)
		clear(t.locked)
		t.catalogLocked, t.catalogWrites = catalogLocked, catalogWrites
		if rerr := sp.Rollback(ctx); rerr != nil {
			return fmt.Errorf("rollback to savepoint: %w (after %w)", rerr, err)
		}
		return err
	}
	if err := sp.Commit(ctx); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	return nil
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

const deviceSelect = `SELECT id, name, warehouse, token_hash, revoked, acked_through, app_version, created_at, last_sync_at, last_hello_at FROM devices`

func scanDevice(row pgx.Row) (server.Device, error) {
	var d server.Device
	var synced, hello *time.Time
	err := row.Scan(&d.ID, &d.Name, &d.Warehouse, &d.TokenHash, &d.Revoked, &d.AckedThrough, &d.AppVersion, &d.CreatedAt, &synced, &hello)
	if synced != nil {
		d.LastSyncAt = synced.UTC()
	}
	if hello != nil {
		d.LastHelloAt = hello.UTC()
	}
	d.CreatedAt = d.CreatedAt.UTC()
	return d, err
}

func (t *tx) Device(ctx context.Context, id string) (server.Device, error) {
	q := deviceSelect + ` WHERE id = $1`
	if t.write {
		// Two connections of one device (a copied database) apply one
		// after the other, so the second sees the first's sequences.
		q += ` FOR UPDATE`
	}
	d, err := scanDevice(t.q.QueryRow(ctx, q, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return d, server.Errorf(server.ENotFound, "no device %s", id)
	}
	if err != nil {
		return d, fmt.Errorf("get device %s: %w", id, err)
	}
	return d, nil
}

func (t *tx) CreateDevice(ctx context.Context, d server.Device) error {
	_, err := t.q.Exec(ctx, `INSERT INTO devices (id, name, warehouse, token_hash, created_at) VALUES ($1,$2,$3,$4,$5)`,
		d.ID, d.Name, d.Warehouse, d.TokenHash, d.CreatedAt.UTC())
	if err != nil {
		return fmt.Errorf("create device: %w", err)
	}
	return nil
}

func (t *tx) UpdateDevice(ctx context.Context, d server.Device) error {
	tag, err := t.q.Exec(ctx, `UPDATE devices SET revoked = $1, acked_through = $2, app_version = $3, last_sync_at = $4, last_hello_at = $5 WHERE id = $6`,
		d.Revoked, d.AckedThrough, d.AppVersion, nullTime(d.LastSyncAt), nullTime(d.LastHelloAt), d.ID)
	if err != nil {
		return fmt.Errorf("update device %s: %w", d.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return server.Errorf(server.ENotFound, "no device %s", d.ID)
	}
	return nil
}

// Devices lists every enrolled device.
func (s *Store) Devices(ctx context.Context) ([]server.Device, error) {
	rows, err := s.pool.Query(ctx, deviceSelect+` ORDER BY name, id`)
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

const eventSelect = `SELECT device_id, seq, payload, status, code, reason, position, received_at FROM events`

func scanEvent(row pgx.Row) (server.EventRecord, error) {
	var r server.EventRecord
	var payload []byte
	var deviceID string
	var seq uint64
	if err := row.Scan(&deviceID, &seq, &payload, &r.Outcome.Status, &r.Outcome.Code, &r.Outcome.Reason, &r.Outcome.Position, &r.ReceivedAt); err != nil {
		return r, err
	}
	if err := json.Unmarshal(payload, &r.Event); err != nil {
		return r, fmt.Errorf("decode stored event %s/%d: %w", deviceID, seq, err)
	}
	r.Outcome.ID, r.Outcome.Seq = r.Event.ID, seq
	r.ReceivedAt = r.ReceivedAt.UTC()
	return r, nil
}

func (t *tx) oneEvent(ctx context.Context, where string, args ...any) (server.EventRecord, bool, error) {
	r, err := scanEvent(t.q.QueryRow(ctx, eventSelect+" WHERE "+where, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("get event: %w", err)
	}
	return r, true, nil
}

func (t *tx) EventByID(ctx context.Context, id string) (server.EventRecord, bool, error) {
	return t.oneEvent(ctx, "event_id = $1", id)
}

func (t *tx) EventsByID(ctx context.Context, ids []string) (map[string]server.EventRecord, error) {
	recs, err := t.events(ctx, eventSelect+` WHERE event_id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]server.EventRecord, len(recs))
	for _, r := range recs {
		out[r.Event.ID] = r
	}
	return out, nil
}

func (t *tx) EventBySeq(ctx context.Context, deviceID string, seq uint64) (server.EventRecord, bool, error) {
	return t.oneEvent(ctx, "device_id = $1 AND seq = $2", deviceID, seq)
}

func (t *tx) events(ctx context.Context, q string, args ...any) ([]server.EventRecord, error) {
	rows, err := t.q.Query(ctx, q, args...)
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

func limitArg(limit int) any {
	if limit <= 0 {
		return nil // LIMIT NULL: no limit
	}
	return limit
}

func (t *tx) Events(ctx context.Context, limit int, statuses ...syncproto.Status) ([]server.EventRecord, error) {
	q := eventSelect
	args := []any{}
	if len(statuses) > 0 {
		ss := make([]string, len(statuses))
		for i, s := range statuses {
			ss[i] = string(s)
		}
		q += ` WHERE status = ANY($1)`
		args = append(args, ss)
	}
	args = append(args, limitArg(limit))
	q += fmt.Sprintf(` ORDER BY received_at, device_id, seq LIMIT $%d`, len(args))
	return t.events(ctx, q, args...)
}

func (t *tx) DeviceEvents(ctx context.Context, deviceID string, afterSeq uint64, limit int) ([]server.EventRecord, error) {
	return t.events(ctx, eventSelect+` WHERE device_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, deviceID, afterSeq, limitArg(limit))
}

func (t *tx) RecordEvent(ctx context.Context, r server.EventRecord) error {
	payload, err := json.Marshal(r.Event)
	if err != nil {
		return fmt.Errorf("record event: %w", err)
	}
	var eventID any = r.Event.ID
	if r.Event.ID == "" {
		eventID = nil
	}
	_, err = t.q.Exec(ctx, `INSERT INTO events (device_id, seq, event_id, hash, kind, payload, status, code, reason, position, received_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
		r.Event.DeviceID, r.Event.Seq, eventID, r.Event.Hash, string(r.Event.Kind), payload,
		string(r.Outcome.Status), r.Outcome.Code, r.Outcome.Reason, r.Outcome.Position, r.ReceivedAt.UTC())
	if err != nil {
		return fmt.Errorf("record event %s: %w", r.Event.ID, err)
	}
	return nil
}

func (t *tx) Stock(ctx context.Context, k server.StockKey) (int64, error) {
	if err := t.lock(ctx, k.Warehouse); err != nil {
		return 0, err
	}
	var id, q int64
	err := t.q.QueryRow(ctx, `SELECT id, qty FROM stock WHERE warehouse = $1 AND location = $2 AND sku = $3 AND lot = $4`,
		k.Warehouse, k.Location, k.SKU, k.Lot).Scan(&id, &q)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("get stock: %w", err)
	}
	t.keys[k] = id
	return q, nil
}

func (t *tx) DeltaAfter(ctx context.Context, k server.StockKey, after uint64) (int64, error) {
	var d int64
	err := t.q.QueryRow(ctx, `SELECT COALESCE(SUM(l.delta), 0) FROM ledger l JOIN stock s ON s.id = l.key_id
		WHERE s.warehouse = $1 AND s.location = $2 AND s.sku = $3 AND s.lot = $4 AND l.position > $5`,
		k.Warehouse, k.Location, k.SKU, k.Lot, after).Scan(&d)
	if err != nil {
		return 0, fmt.Errorf("sum deltas: %w", err)
	}
	return d, nil
}

func (t *tx) Append(ctx context.Context, e server.LedgerEntry) (uint64, error) {
	if _, err := t.Stock(ctx, e.StockKey); err != nil { // takes the lock, caches the key
		return 0, err
	}
	key, ok := t.keys[e.StockKey]
	if !ok {
		err := t.q.QueryRow(ctx, `INSERT INTO stock (warehouse, location, sku, lot, qty, position) VALUES ($1,$2,$3,$4,0,0) RETURNING id`,
			e.Warehouse, e.Location, e.SKU, e.Lot).Scan(&key)
		if err != nil {
			return 0, fmt.Errorf("new stock key: %w", err)
		}
		t.keys[e.StockKey] = key
	}
	var pos uint64
	err := t.q.QueryRow(ctx, `INSERT INTO ledger (warehouse, key_id, delta, balance, event_id, device_id, kind, recorded_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING position`,
		e.Warehouse, key, e.Delta, e.Balance, e.EventID, e.DeviceID, string(e.Kind), e.RecordedAt.UTC()).Scan(&pos)
	if err != nil {
		return 0, fmt.Errorf("append ledger: %w", err)
	}
	if _, err := t.q.Exec(ctx, `UPDATE stock SET qty = $1, position = $2 WHERE id = $3`, e.Balance, pos, key); err != nil {
		return 0, fmt.Errorf("update stock: %w", err)
	}
	return pos, nil
}

func (t *tx) Head(ctx context.Context, warehouse string) (uint64, error) {
	var h uint64
	// Supervisors' decisions on parked events take positions too (parked.go).
	if err := t.q.QueryRow(ctx, `SELECT GREATEST(COALESCE((SELECT MAX(position) FROM ledger WHERE warehouse = $1), 0),
		COALESCE((SELECT MAX(position) FROM parked WHERE warehouse = $1 AND position > 0), 0))`, warehouse).Scan(&h); err != nil {
		return 0, fmt.Errorf("ledger head: %w", err)
	}
	return h, nil
}

func (t *tx) Entries(ctx context.Context, warehouse string, after uint64, limit int) ([]syncproto.Entry, error) {
	rows, err := t.q.Query(ctx, `SELECT l.position, l.event_id, l.device_id, l.kind, s.location, s.sku, s.lot, l.delta, l.balance, l.recorded_at
		FROM ledger l JOIN stock s ON s.id = l.key_id WHERE l.warehouse = $1 AND l.position > $2 ORDER BY l.position LIMIT $3`, warehouse, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list ledger: %w", err)
	}
	defer rows.Close()
	var out []syncproto.Entry
	for rows.Next() {
		var e syncproto.Entry
		if err := rows.Scan(&e.Position, &e.EventID, &e.DeviceID, &e.Kind, &e.Location, &e.SKU, &e.Lot, &e.Delta, &e.Balance, &e.RecordedAt); err != nil {
			return nil, fmt.Errorf("list ledger: %w", err)
		}
		e.RecordedAt = e.RecordedAt.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

func (t *tx) StockLevels(ctx context.Context, f server.StockFilter) ([]server.StockLevel, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	where = append(where, "position > 0")
	if f.Warehouse != "" {
		where = append(where, "warehouse = "+arg(f.Warehouse))
	}
	if f.Location != "" {
		where = append(where, "location = "+arg(f.Location))
	}
	if f.SKU != "" {
		where = append(where, "sku = "+arg(f.SKU))
	}
	if f.After != nil {
		where = append(where, fmt.Sprintf("(warehouse, location, sku, lot) > (%s, %s, %s, %s)",
			arg(f.After.Warehouse), arg(f.After.Location), arg(f.After.SKU), arg(f.After.Lot)))
	}
	q := `SELECT warehouse, location, sku, lot, qty, position FROM stock WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY warehouse, location, sku, lot LIMIT ` + arg(limitArg(f.Limit))
	rows, err := t.q.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list stock: %w", err)
	}
	defer rows.Close()
	var out []server.StockLevel
	for rows.Next() {
		var l server.StockLevel
		if err := rows.Scan(&l.Warehouse, &l.Location, &l.SKU, &l.Lot, &l.Qty, &l.Position); err != nil {
			return nil, fmt.Errorf("list stock: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func (t *tx) SetDeviceToken(ctx context.Context, id string, tokenHash []byte) error {
	tag, err := t.q.Exec(ctx, `UPDATE devices SET token_hash = $1 WHERE id = $2`, tokenHash, id)
	if err != nil {
		return fmt.Errorf("set token of device %s: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return server.Errorf(server.ENotFound, "no device %s", id)
	}
	return nil
}

func (t *tx) PutEnrollmentCode(ctx context.Context, c server.EnrollmentCode) error {
	_, err := t.q.Exec(ctx, `INSERT INTO enrollment_codes (code_hash, device_id, created_at, expires_at, used_at) VALUES ($1,$2,$3,$4,$5)
		ON CONFLICT (code_hash) DO UPDATE SET expires_at = excluded.expires_at, used_at = excluded.used_at`,
		c.Hash, c.DeviceID, c.CreatedAt.UTC(), c.ExpiresAt.UTC(), nullTime(c.UsedAt))
	if err != nil {
		return fmt.Errorf("store enrollment code of device %s: %w", c.DeviceID, err)
	}
	return nil
}

func (t *tx) ExpireEnrollmentCodes(ctx context.Context, deviceID string, at time.Time) error {
	_, err := t.q.Exec(ctx, `UPDATE enrollment_codes SET expires_at = $2 WHERE device_id = $1 AND used_at IS NULL AND expires_at > $2`,
		deviceID, at.UTC())
	if err != nil {
		return fmt.Errorf("expire enrollment codes of device %s: %w", deviceID, err)
	}
	return nil
}

func (t *tx) EnrollmentCode(ctx context.Context, hash []byte) (server.EnrollmentCode, error) {
	var c server.EnrollmentCode
	var used *time.Time
	err := t.q.QueryRow(ctx, `SELECT code_hash, device_id, created_at, expires_at, used_at FROM enrollment_codes WHERE code_hash = $1`, hash).
		Scan(&c.Hash, &c.DeviceID, &c.CreatedAt, &c.ExpiresAt, &used)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, server.Errorf(server.ENotFound, "no such enrollment code")
	}
	if err != nil {
		return c, fmt.Errorf("get enrollment code: %w", err)
	}
	c.CreatedAt, c.ExpiresAt = c.CreatedAt.UTC(), c.ExpiresAt.UTC()
	if used != nil {
		c.UsedAt = used.UTC()
	}
	return c, nil
}

func (t *tx) EventsOfKind(ctx context.Context, kind syncproto.Kind, warehouse string, limit int) ([]server.EventRecord, error) {
	q := `SELECT e.device_id, e.seq, e.payload, e.status, e.code, e.reason, e.position, e.received_at FROM events e
		JOIN devices d ON d.id = e.device_id WHERE e.kind = $1 AND ($2 = '' OR d.warehouse = $2)
		ORDER BY e.received_at DESC, e.device_id, e.seq DESC LIMIT $3`
	return t.events(ctx, q, string(kind), warehouse, limitArg(limit))
}
