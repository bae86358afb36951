package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/postgres"
	"github.com/driftless/driftless/server/storetest"
)

// DSNEnv names the environment variable with the test database's DSN;
// .ci/run sets it.
const DSNEnv = "DRIFTLESS_TEST_POSTGRES"

// MustOpen opens a store in a fresh schema of the test database, dropped
// with the test. Without DRIFTLESS_TEST_POSTGRES the test is skipped.
func MustOpen(tb testing.TB) *postgres.Store {
	tb.Helper()
	dsn := os.Getenv(DSNEnv)
	if dsn == "" {
		tb.Skipf("%s is not set: skipping the PostgreSQL store tests (CI sets it, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", DSNEnv)
	}
	ctx := context.Background()
	raw := make([]byte, 6)
	_, _ = rand.Read(raw)
	schema := "t_" + hex.EncodeToString(raw)
	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Fatalf("connect %s: %v", DSNEnv, err)
	}
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		_, _ = admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
		admin.Close(ctx)
	})
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	st, err := postgres.Open(ctx, u.String())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) server.Store { return MustOpen(t) })
}

func TestAnnounceReachesListeners(t *testing.T) {
	st := MustOpen(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan string, 4)
	go st.Listen(ctx, func(wh string, head uint64) { got <- fmt.Sprintf("%s@%d", wh, head) })
	deadline := time.After(10 * time.Second)
	for {
		if err := st.Announce(ctx, "W1", 42); err != nil {
			t.Fatal(err)
		}
		select {
		case s := <-got:
			if s != "W1@42" {
				t.Fatalf("got %q", s)
			}
			return
		case <-time.After(100 * time.Millisecond): // the listener may not be listening yet
		case <-deadline:
			t.Fatal("no notification")
		}
	}
}

func TestCatalog(t *testing.T) {
	storetest.RunCatalog(t, func(t *testing.T) server.CatalogStore { return MustOpen(t) })
}
