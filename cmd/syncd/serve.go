package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/httpapi"
	"github.com/driftless/driftless/server/postgres"
	"github.com/driftless/driftless/server/sqlite"
)

func serveCmd() *cobra.Command {
	var (
		data, addr, adminToken, pgDSN string
		debugAddr                     string
		heartbeat                     time.Duration
		countJobs, replenishJobs      bool
	)
	c := &cobra.Command{
		Use:   "serve",
		Short: "Serve the REST API and the sync websocket",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if pgDSN == "" {
				pgDSN = os.Getenv("DRIFTLESS_POSTGRES")
			}
			st, listen, err := openServeStore(ctx, data, pgDSN)
			if err != nil {
				return err
			}
			defer st.Close()
			if adminToken == "" {
				adminToken = os.Getenv("DRIFTLESS_ADMIN_TOKEN")
			}
			if adminToken == "" {
				if adminToken, err = loadAdminToken(data); err != nil {
					return err
				}
			}
			l, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("listen: %w", err)
			}
			if debugAddr != "" {
				stop, err := serveDebug(ctx, debugAddr)
				if err != nil {
					return err
				}
				defer stop()
			}
			ledger := server.NewLedger(st)
			ledger.Heartbeat = heartbeat
			if listen != nil {
				// Replicas sharing the database poke each other's devices,
				// for ledger growth and catalog changes alike.
				go listen(ctx, ledger.Hub())
			}
			srv := &httpapi.Server{Ledger: ledger, Store: st, AdminToken: adminToken, Log: slog.Default(), Heartbeat: heartbeat}
			if cs, ok := any(st).(server.CatalogStore); ok {
				srv.Catalog = server.NewCatalog(cs, ledger)
			} else {
				slog.Warn("this store has no catalog yet: the catalog routes and CSV import/export are off")
			}
			slog.Info("syncd listening", "addr", l.Addr().String(), "data", data, "admin_token_file", filepath.Join(data, adminTokenFile))
			// The address line on stdout lets scripts and tests that pass
			// port 0 find the server.
			fmt.Printf("listening on %s\n", l.Addr())
			if srv.Catalog == nil || !countJobs && !replenishJobs {
				return srv.Serve(ctx, l)
			}
			// The daily jobs live as long as the server: any ending ends all.
			g, gctx := errgroup.WithContext(ctx)
			if countJobs { // ABC classes, the count schedule
				jobs := &server.CountJobs{Catalog: srv.Catalog, Log: slog.Default()}
				g.Go(func() error { return jobs.Serve(gctx) })
			}
			if replenishJobs { // reorder rules and alerts daily; webhook deliveries
				rj := &server.ReplenishJobs{Replenisher: server.NewReplenisher(srv.Catalog, nil), Log: slog.Default()}
				dl := &server.Deliverer{Catalog: srv.Catalog, Log: slog.Default()}
				g.Go(func() error { return rj.Serve(gctx) })
				g.Go(func() error { return dl.Serve(gctx) })
			}
			g.Go(func() error { return srv.Serve(gctx, l) })
			return g.Wait()
		},
	}
	c.Flags().StringVar(&data, "data", "./data", "data directory (SQLite database, admin token)")
	c.Flags().StringVar(&addr, "addr", "127.0.0.1:8470", "listen address HOST:PORT")
	c.Flags().StringVar(&adminToken, "admin-token", "", "admin token for the REST API (default: $DRIFTLESS_ADMIN_TOKEN, else DATA/admin.token, made on first start)")
	c.Flags().StringVar(&pgDSN, "postgres", "", "PostgreSQL DSN: run as one of several replicas on a shared database instead of the embedded SQLite in --data (default $DRIFTLESS_POSTGRES)")
	c.Flags().StringVar(&debugAddr, "debug-addr", "", "serve Go's profiler (net/http/pprof) on this HOST:PORT; keep it on localhost")
	c.Flags().DurationVar(&heartbeat, "heartbeat", 10*time.Second, "ping interval; a device silent for three is disconnected")
	c.Flags().BoolVar(&countJobs, "count-jobs", true, "run the daily counting job: reclassify SKUs (ABC) and raise the count tasks due each day")
	c.Flags().BoolVar(&replenishJobs, "replenish-jobs", true, "recompute reorder rules and check low-stock alerts daily, and deliver webhooks")
	return c
}

const adminTokenFile = "admin.token"

// loadAdminToken reads the data directory's admin token, making one the
// first time.
func loadAdminToken(dir string) (string, error) {
	path := filepath.Join(dir, adminTokenFile)
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("read admin token: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	tok := base64.RawURLEncoding.EncodeToString(raw)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("write admin token: %w", err)
	}
	if err := os.WriteFile(path, []byte(tok+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write admin token: %w", err)
	}
	return tok, nil
}

// serveStore is what serve needs of a store.
type serveStore interface {
	server.Store
	Ping(ctx context.Context) error
	Close() error
}

// openServeStore opens PostgreSQL when a DSN is given, else the embedded
// SQLite database in the data directory. listen, when not nil, publishes
// other replicas' ledger growth and catalog heads on a hub.
func openServeStore(ctx context.Context, data, dsn string) (serveStore, func(context.Context, *server.Hub) error, error) {
	if dsn != "" {
		st, err := postgres.Open(ctx, dsn)
		if err != nil {
			return nil, nil, err
		}
		listen := func(ctx context.Context, h *server.Hub) error {
			return st.ListenAll(ctx, postgres.Listeners{Ledger: h.Publish, Catalog: h.PublishCatalog})
		}
		return st, listen, nil
	}
	st, err := sqlite.OpenDir(ctx, data)
	if err != nil {
		return nil, nil, err
	}
	return st, nil, nil
}

func openLedger(ctx context.Context, data string) (*server.Ledger, *sqlite.Store, error) {
	st, err := sqlite.OpenDir(ctx, data)
	if err != nil {
		return nil, nil, err
	}
	return server.NewLedger(st), st, nil
}
