package crashtest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/httpapi"
	"github.com/driftless/driftless/server/sqlite"
	"github.com/driftless/driftless/syncproto"
)

// ServerConfig is one run of a server process.
type ServerConfig struct {
	// Data is the data directory (the SQLite database).
	Data string
	// Addr is the listen address; a crash test keeps one port across
	// restarts so that devices find the server again.
	Addr string
	// Crash is the plan ("point:n", empty for none).
	Crash string
	// Heartbeat is the server's ping interval (10s when zero).
	Heartbeat time.Duration
	// AdminToken guards the REST API.
	AdminToken string
}

// RunServer serves the sync protocol and the REST API as `syncd serve`
// does (the ledger over the SQLite store in Data, the HTTP server) until
// ctx is done, with the store the ledger writes through wrapped by the
// crash plan. It writes "listening on ADDR" to stdout once it accepts.
func RunServer(ctx context.Context, cfg ServerConfig, stdout io.Writer, log *slog.Logger) error {
	plan, err := ParsePlan(cfg.Crash)
	if err != nil {
		return err
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 10 * time.Second
	}
	st, err := sqlite.OpenDir(ctx, cfg.Data)
	if err != nil {
		return fmt.Errorf("crash server: %w", err)
	}
	defer st.Close()
	l, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("crash server: listen: %w", err)
	}
	ledger := server.NewLedger(&crashStore{Store: st, plan: plan}, server.WithLogger(log))
	ledger.Heartbeat = cfg.Heartbeat
	// The server applies events of its catalog's users only.
	users := server.NewCatalog(st, ledger).Users
	if _, err := users.Get(ctx, server.CatalogKey{Code: Clerk}); server.IsNotFound(err) {
		_, err = users.Create(server.WithActor(ctx, "crashtest"), server.User{Code: Clerk, Name: "Crash test clerk", Roles: []string{"receiver", "picker", "counter"}})
		if err != nil {
			return fmt.Errorf("crash server: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("crash server: %w", err)
	}
	srv := &httpapi.Server{Ledger: ledger, Store: st, AdminToken: cfg.AdminToken, Log: log, Heartbeat: cfg.Heartbeat}
	fmt.Fprintf(stdout, "listening on %s\n", l.Addr())
	return srv.Serve(ctx, l)
}

// crashStore is the server's store with the crash points of the server.
type crashStore struct {
	server.Store
	plan *Plan
}

// Update runs fn in one transaction. A transaction that recorded events is
// a push group: its appends are ServerMidGroup points, its successful
// commit a ServerAfterCommit point.
func (s *crashStore) Update(ctx context.Context, fn func(context.Context, server.Tx) error) error {
	var recorded bool
	err := s.Store.Update(ctx, func(ctx context.Context, tx server.Tx) error {
		return fn(ctx, &crashTx{Tx: tx, plan: s.plan, recorded: &recorded})
	})
	if err == nil && recorded {
		s.plan.Hit(ServerAfterCommit)
	}
	return err
}

// View runs fn on a snapshot; reading ledger entries is a ServerDuringPull
// point.
func (s *crashStore) View(ctx context.Context, fn func(context.Context, server.ReadTx) error) error {
	return s.Store.View(ctx, func(ctx context.Context, tx server.ReadTx) error {
		return fn(ctx, &crashReadTx{ReadTx: tx, plan: s.plan})
	})
}

type crashTx struct {
	server.Tx
	plan     *Plan
	recorded *bool
}

// User reads a user for the role check of pushes (the wrapped store's
// transactions read the catalog).
func (t *crashTx) User(ctx context.Context, code string) (server.User, error) {
	ut, ok := t.Tx.(interface {
		User(ctx context.Context, code string) (server.User, error)
	})
	if !ok {
		return server.User{}, server.Errorf(server.EInternal, "the store keeps no users")
	}
	return ut.User(ctx, code)
}

func (t *crashTx) RecordEvent(ctx context.Context, r server.EventRecord) error {
	*t.recorded = true
	return t.Tx.RecordEvent(ctx, r)
}

func (t *crashTx) Append(ctx context.Context, e server.LedgerEntry) (uint64, error) {
	pos, err := t.Tx.Append(ctx, e)
	if err == nil {
		t.plan.Hit(ServerMidGroup)
	}
	return pos, err
}

type crashReadTx struct {
	server.ReadTx
	plan *Plan
}

func (t *crashReadTx) Entries(ctx context.Context, warehouse string, after uint64, limit int) ([]syncproto.Entry, error) {
	es, err := t.ReadTx.Entries(ctx, warehouse, after, limit)
	if err == nil {
		t.plan.Hit(ServerDuringPull)
	}
	return es, err
}
