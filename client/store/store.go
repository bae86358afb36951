package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // driver "sqlite"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Synchronous levels for WithSynchronous.
const (
	// SyncFull makes every commit durable before Record returns: a scan the
	// user saw confirmed survives a crash, a kill and a power loss. The
	// default.
	SyncFull = "FULL"
	// SyncNormal survives a crash or kill of the app but, in WAL mode, may
	// lose the last commits on power loss. For benchmarks and tests only.
	SyncNormal = "NORMAL"
)

// Errors callers test for with errors.Is.
var (
	// ErrNotEnrolled: the device has no identity yet.
	ErrNotEnrolled = errors.New("device is not enrolled")
	// ErrIdentityChange: the device ID or warehouse cannot change once the
	// device has recorded events (its sequences belong to that identity).
	ErrIdentityChange = errors.New("device identity cannot change once events exist")
	// ErrInvalidScan: the scan does not make a valid event; nothing was
	// written. The wrapped error says which field.
	ErrInvalidScan = errors.New("invalid scan")
)

// MaxEventBytes bounds one event's JSON encoding, so that any event fits a
// push well under syncproto.MaxMessageBytes.
const MaxEventBytes = 16 << 10

// Store is the handheld's SQLite database. It is safe for concurrent use:
// writes go through one connection, one transaction at a time; reads use a
// small pool of their own (WAL lets them run beside a write).
type Store struct {
	w     *sql.DB // one connection, BEGIN IMMEDIATE
	r     *sql.DB // readers
	now   func() time.Time
	newID func() (string, error)
	log   *slog.Logger
	stmts writeStmts

	closeOnce sync.Once
	closeErr  error
}

type options struct {
	now         func() time.Time
	newID       func() (string, error)
	synchronous string
	busyTimeout time.Duration
	log         *slog.Logger
}

// Option configures Open.
type Option func(*options)

// WithNow injects the clock used for device times and bookkeeping.
func WithNow(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithIDs injects the event ID generator (UUIDv7 by default); a
// deterministic simulator uses it.
func WithIDs(newID func() (string, error)) Option { return func(o *options) { o.newID = newID } }

// WithSynchronous sets PRAGMA synchronous (SyncFull by default).
func WithSynchronous(level string) Option { return func(o *options) { o.synchronous = level } }

// WithBusyTimeout sets how long a connection waits for a lock (5s by
// default).
func WithBusyTimeout(d time.Duration) Option { return func(o *options) { o.busyTimeout = d } }

// WithLogger sets the logger (slog.Default by default).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

func newUUIDv7() (string, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return "", err
	}
	return id.String(), nil
}

// Open opens the database at path, creating it when missing, and applies
// every migration it has not seen yet.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	o := options{now: time.Now, newID: newUUIDv7, synchronous: SyncFull, busyTimeout: 5 * time.Second, log: slog.Default()}
	for _, opt := range opts {
		opt(&o)
	}
	switch strings.ToUpper(o.synchronous) {
	case SyncFull, SyncNormal, "EXTRA":
	default:
		return nil, fmt.Errorf("open store %s: unknown synchronous level %q", path, o.synchronous)
	}
	w, err := sql.Open("sqlite", dsn(path, o, true))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := migrate(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", dsn(path, o, false))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	s := &Store{w: w, r: r, now: o.now, newID: o.newID, log: o.log}
	if err := s.stmts.prepare(ctx, w); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return s, nil
}

// dsn builds the modernc DSN: pragmas run on every new connection.
func dsn(path string, o options, writer bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", o.busyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous("+strings.ToUpper(o.synchronous)+")")
	q.Add("_pragma", "foreign_keys(ON)")
	if writer {
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(ON)")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// migrate applies the embedded migrations in order, each in its own
// transaction, recording versions in goose_db_version.
func migrate(ctx context.Context, db *sql.DB) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, fsys, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Close closes the database. Every committed write is already durable.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.stmts.close()
		if err := errors.Join(s.w.Close(), s.r.Close()); err != nil {
			s.closeErr = fmt.Errorf("close store: %w", err)
		}
	})
	return s.closeErr
}

// update runs fn in one write transaction (BEGIN IMMEDIATE) and commits
// when it returns nil.
func (s *Store) update(ctx context.Context, fn func(*sql.Tx) error) (err error) {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
