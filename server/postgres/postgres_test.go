package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"net/url"
	"os"
	"sync"
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
	st, _ := mustOpenDSN(tb)
	return st
}

// mustOpenDSN is MustOpen that also returns the DSN of the fresh schema
// (another replica opens it).
func mustOpenDSN(tb testing.TB) (*postgres.Store, string) {
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
	return st, u.String()
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

func TestCatalogHeadReachesListeners(t *testing.T) {
	st := MustOpen(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan uint64, 16)
	go st.ListenAll(ctx, postgres.Listeners{Catalog: func(head uint64) { got <- head }})
	cat := server.NewCatalog(st, server.NewLedger(st))
	deadline := time.After(10 * time.Second)
	for i := 0; ; i++ {
		w, err := cat.Warehouses.Create(ctx, server.Warehouse{Code: fmt.Sprintf("W%d", i), Name: "W"})
		if err != nil {
			t.Fatal(err)
		}
		select {
		case h := <-got:
			if h > w.Position || h == 0 {
				t.Fatalf("notified head %d, last position %d", h, w.Position)
			}
			return
		case <-time.After(100 * time.Millisecond): // the listener may not be listening yet
		case <-deadline:
			t.Fatal("no catalog notification")
		}
	}
}

// TestCatalogPositionsCommitInOrder runs catalog writers that hold their
// transactions open for a while after taking a position, and a reader
// pulling changes by cursor as devices do: the reader must see every
// position, which it cannot if a lower position commits after a higher
// one it has already passed.
func TestCatalogPositionsCommitInOrder(t *testing.T) {
	st := MustOpen(t)
	ctx := context.Background()
	const writers, puts = 3, 15
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range puts {
				err := st.UpdateCatalog(ctx, func(ctx context.Context, tx server.CatalogTx) error {
					if _, err := tx.PutSKU(ctx, server.SKU{Code: fmt.Sprintf("S%d-%02d", w, i), Name: "x", Unit: "each"}); err != nil {
						return err
					}
					time.Sleep(time.Duration(mrand.IntN(4)) * time.Millisecond)
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	seen := map[uint64]bool{}
	var cursor uint64
	pull := func() {
		err := st.ViewCatalog(ctx, func(ctx context.Context, tx server.CatalogReadTx) error {
			chs, err := tx.CatalogChanges(ctx, "", cursor, 0)
			for _, ch := range chs {
				seen[ch.Position] = true
				cursor = ch.Position
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for finished := false; !finished; {
		select {
		case <-done:
			finished = true
		default:
		}
		pull()
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	pull()
	if len(seen) != writers*puts {
		t.Fatalf("a device pulling by cursor saw %d of %d changes", len(seen), writers*puts)
	}
}
