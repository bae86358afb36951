package syncer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/syncproto"
)

// Store is what the engine needs of the device's database.
type Store interface {
	Identity(ctx context.Context) (store.Identity, error)
	State(ctx context.Context) (store.State, error)
	// Events returns outbox events with seq > afterSeq in order,
	// acknowledged or not.
	Events(ctx context.Context, afterSeq uint64, limit int) ([]syncproto.Event, error)
	ApplyAck(ctx context.Context, ack *syncproto.Ack) error
	ApplyChanges(ctx context.Context, ch *syncproto.Changes) error
	// ResetPulled forgets the pulled balances and sets the cursor to 0.
	ResetPulled(ctx context.Context) error
	MarkSynced(ctx context.Context, at time.Time) error
}

var _ Store = (*store.Store)(nil)

// Conn is one protocol connection; *syncproto.Conn satisfies it. ReadMessage
// is called from one goroutine and WriteMessage from another; Close may be
// called at any time and must make a blocked ReadMessage return.
type Conn interface {
	ReadMessage() (*syncproto.Message, error)
	WriteMessage(*syncproto.Message) error
	SetReadDeadline(time.Time) error
	Close() error
}

var _ Conn = (*syncproto.Conn)(nil)

// Config configures an Engine. The zero value of every field but AppVersion
// has a usable default.
type Config struct {
	// URL is the sync endpoint (ws://host:port/api/v1/sync); the enrolled
	// identity's ServerURL when empty.
	URL        string
	AppVersion string
	// Dial opens a connection (syncproto.Dial by default). Tests and
	// simulators swap the transport here.
	Dial func(ctx context.Context, url string) (Conn, error)
	// Now is the clock (time.Now by default); read deadlines use it too.
	Now func() time.Time
	// Jitter picks the actual wait for a backoff ceiling d; by default
	// uniformly in [0, d] (full jitter).
	Jitter func(d time.Duration) time.Duration
	// BackoffMin and BackoffMax bound the reconnect backoff (100ms and 30s).
	BackoffMin, BackoffMax time.Duration
	// BatchSize is the most events per push (500; never above the
	// server's max_batch).
	BatchSize int
	// Window is the most pushes in flight (4).
	Window int
	// Heartbeat is how often the engine pings (the server's heartbeat_ms
	// from welcome, else 15s). DeadTimeout is how long it waits without
	// hearing anything before it drops the connection (3 × Heartbeat).
	Heartbeat, DeadTimeout time.Duration
	// HandshakeTimeout bounds dialing and waiting for welcome (10s).
	HandshakeTimeout time.Duration
	// PollInterval is how often the engine looks for events recorded
	// without a Notify (2s).
	PollInterval time.Duration
	Logger       *slog.Logger
	// OnStatus, when set, is called from the engine's goroutine whenever
	// the status changes. It must not block.
	OnStatus func(Status)
	// Snapshot makes the engine download a snapshot of the warehouse's
	// reference data (and stock, for a device with no ledger history yet)
	// before its first session when the store has none. Without it the
	// reference data arrives through pulls from catalog position 0.
	Snapshot bool
	// SnapshotURL is the snapshot endpoint; by default the sync URL with
	// http(s) for ws(s) and /snapshot for /sync.
	SnapshotURL string
	// HTTPClient fetches snapshots (http.DefaultClient by default).
	HTTPClient *http.Client
	// OnSnapshot, when set, is called after each snapshot page is stored,
	// with how far along the snapshot is. It must not block.
	OnSnapshot func(SnapshotProgress)
}

// Status is what the engine shows the user and tests.
type Status struct {
	// Online: a session is open (welcome received).
	Online bool
	// Sessions counts the sessions opened since Serve started.
	Sessions int
	// LastSeq is the device's highest sequence; Unacked counts the events
	// above the device's acked_through (the outbox).
	LastSeq uint64
	Unacked int
	// ServerAcked is the server's acked_through as last heard.
	ServerAcked uint64
	// Cursor is the ledger position pulled through; Head the last known
	// end of the warehouse's ledger.
	Cursor, Head uint64
	LastSyncAt   time.Time
	// Attention counts parked and rejected events not yet dismissed.
	Attention int
	// LastError is why the last session ended (nil while none has).
	LastError error
	// Idle: online with nothing to push and nothing to pull.
	Idle bool
}

// FatalError ends Serve: the server refused the device in a way that needs
// a person (re-enrollment, a new token, an app update). Err is the
// server's *syncproto.Error.
type FatalError struct{ Err *syncproto.Error }

func (e *FatalError) Error() string { return "sync refused by the server: " + e.Err.Error() }
func (e *FatalError) Unwrap() error { return e.Err }

func isFatal(code string) bool {
	switch code {
	case syncproto.ErrUnauthorized, syncproto.ErrResetRequired, syncproto.ErrDeviceConflict, syncproto.ErrVersionUnsupported:
		return true
	}
	return false
}

// Engine syncs one store with its server. Create it with New and run it
// with Serve.
type Engine struct {
	st      Store
	cfg     Config
	log     *slog.Logger
	notify  chan struct{}
	serving atomic.Bool

	mu      sync.Mutex
	status  Status
	changed chan struct{} // closed and replaced on every status change
}

// New returns an engine for st. It does nothing until Serve.
func New(st Store, cfg Config) *Engine {
	if cfg.Dial == nil {
		cfg.Dial = func(ctx context.Context, url string) (Conn, error) { return syncproto.Dial(ctx, url) }
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Jitter == nil {
		cfg.Jitter = func(d time.Duration) time.Duration { return time.Duration(rand.Int64N(int64(d) + 1)) }
	}
	if cfg.BackoffMin <= 0 {
		cfg.BackoffMin = 100 * time.Millisecond
	}
	if cfg.BackoffMax < cfg.BackoffMin {
		cfg.BackoffMax = max(30*time.Second, cfg.BackoffMin)
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 500
	}
	cfg.BatchSize = min(cfg.BatchSize, syncproto.MaxBatch)
	if cfg.Window <= 0 {
		cfg.Window = 4
	}
	if cfg.HandshakeTimeout <= 0 {
		cfg.HandshakeTimeout = 10 * time.Second
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 2 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Engine{
		st: st, cfg: cfg, log: cfg.Logger.With("component", "syncer"),
		notify: make(chan struct{}, 1), changed: make(chan struct{}),
	}
}

// Notify tells the engine that the store has new events (call it after
// Store.Record). It never blocks.
func (e *Engine) Notify() {
	e.mu.Lock()
	if e.status.Idle {
		e.status.Idle = false
		e.broadcastLocked()
	}
	e.mu.Unlock()
	select {
	case e.notify <- struct{}{}:
	default:
	}
}

// Status returns the current status.
func (e *Engine) Status() Status {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.status
}

// Changed returns a channel closed at the next status change.
func (e *Engine) Changed() <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.changed
}

func (e *Engine) broadcastLocked() {
	close(e.changed)
	e.changed = make(chan struct{})
}

// setStatus applies fn to the status and tells the watchers.
func (e *Engine) setStatus(fn func(*Status)) {
	e.mu.Lock()
	old := e.status
	fn(&e.status)
	st := e.status
	changed := !sameStatus(st, old)
	if changed {
		e.broadcastLocked()
	}
	e.mu.Unlock()
	if changed && e.cfg.OnStatus != nil {
		e.cfg.OnStatus(st)
	}
}

// sameStatus compares statuses; errors compare by identity when their type
// allows it (== on an uncomparable error type would panic).
func sameStatus(a, b Status) bool {
	ea, eb := a.LastError, b.LastError
	a.LastError, b.LastError = nil, nil
	if a != b {
		return false
	}
	if ea == nil || eb == nil {
		return ea == eb
	}
	ta, tb := reflect.TypeOf(ea), reflect.TypeOf(eb)
	return ta == tb && ta.Comparable() && ea == eb
}

// WaitIdle waits until the engine is online with nothing left to push or
// pull: every event the store holds is acknowledged and the cursor has
// reached the last known head. Events recorded before the call count even
// without Notify.
func (e *Engine) WaitIdle(ctx context.Context) error {
	for {
		e.mu.Lock()
		st, ch := e.status, e.changed
		e.mu.Unlock()
		if st.Idle {
			ss, err := e.st.State(ctx)
			if err != nil {
				return fmt.Errorf("wait idle: %w", err)
			}
			if ss.LastSeq <= st.ServerAcked && ss.Unacked == 0 && ss.Cursor >= st.Head {
				return nil
			}
			e.Notify() // the store moved on since the status was computed
			continue
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("wait idle: %w (status %+v)", ctx.Err(), st)
		}
	}
}

// Serve syncs until ctx is done (it then returns nil) or the server refuses
// the device for good (a *FatalError). Connection failures are retried with
// backoff. Serve may run once at a time; every goroutine it starts has
// ended when it returns.
func (e *Engine) Serve(ctx context.Context) error {
	if !e.serving.CompareAndSwap(false, true) {
		return errors.New("syncer: Serve is already running")
	}
	defer e.serving.Store(false)
	defer e.setStatus(func(s *Status) { s.Online, s.Idle = false, false })
	attempt := 0
	for {
		res := e.session(ctx)
		if ctx.Err() != nil {
			return nil
		}
		var fe *FatalError
		if errors.As(res.err, &fe) {
			e.log.Error("sync stopped: the server refused this device", "code", fe.Err.Code, "message", fe.Err.Message)
			e.setStatus(func(s *Status) { s.Online, s.Idle, s.LastError = false, false, res.err })
			return res.err
		}
		if res.progress {
			attempt = 0
		}
		ceiling := min(e.cfg.BackoffMax, e.cfg.BackoffMin<<min(attempt, 30))
		wait := e.cfg.Jitter(ceiling)
		if res.retryAfter > wait {
			wait = res.retryAfter
		}
		attempt++
		e.log.Info("sync session ended", "err", res.err, "retry_in", wait)
		e.setStatus(func(s *Status) { s.Online, s.Idle, s.LastError = false, false, res.err })
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}
