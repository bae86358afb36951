package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/httpapi"
	"github.com/driftless/driftless/server/sqlite"
)

// The usage benchmarks run the REST routes against a warehouse with 10
// million ledger rows: 2,000 SKUs over 730 days (about 6.8 entries per SKU
// and day, a receipt in seven) and the usage_daily rows they make,
// seeded with bulk SQL once per run into a temporary directory (or kept
// in $DRIFTLESS_USAGE_BENCH_DIR between runs: seeding takes minutes).
//
//	go test ./server/sqlite -run '^$' -bench Usage -benchtime 20x
//
// Targets (issue 9): one SKU over two years ≤ 100 ms, the whole
// warehouse over a month ≤ 2 s.
const (
	benchSKUs    = 2000
	benchDays    = 730
	benchEntries = 10_000_000
)

// benchEnd is the last day of the seeded history (the benchmarks' today).
var benchEnd = time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)

var (
	benchOnce  sync.Once
	benchStore *sqlite.Store
	benchErr   error
)

func usageBenchStore(b *testing.B) *sqlite.Store {
	benchOnce.Do(func() {
		dir := os.Getenv("DRIFTLESS_USAGE_BENCH_DIR")
		if dir == "" {
			dir, benchErr = os.MkdirTemp("", "driftless-usage-bench")
			if benchErr != nil {
				return
			}
			// The temporary directory goes with the process (TestMain
			// has none here: the OS cleans its temp dir).
		}
		path := filepath.Join(dir, sqlite.DBFile)
		if _, err := os.Stat(path); err != nil {
			start := time.Now()
			if benchErr = seedUsageBench(path); benchErr != nil {
				return
			}
			fmt.Fprintf(os.Stderr, "seeded %d ledger rows in %s (%s)\n", benchEntries, time.Since(start).Round(time.Second), path)
		}
		benchStore, benchErr = sqlite.Open(context.Background(), path)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchStore
}

func seedUsageBench(path string) error {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path) // creates and migrates
	if err != nil {
		return err
	}
	st.Close()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	first := benchEnd.AddDate(0, 0, 1-benchDays)
	perDay := benchEntries / benchDays
	stmts := []string{
		`PRAGMA journal_mode = OFF`, `PRAGMA synchronous = OFF`, `PRAGMA cache_size = -262144`,
		`BEGIN`,
		`INSERT INTO warehouses (code, name, position) VALUES ('W1', 'Main', 1)`,
		fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
			INSERT INTO skus (code, name, unit, unit_cost, category, position)
			SELECT printf('SKU-%%05d', i), 'Product ' || i, 'each', 100 + i %% 900, 'C' || (i %% 20), 2 + i FROM n`, benchSKUs-1),
		fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
			INSERT INTO stock (id, warehouse, location, sku, lot, qty, position)
			SELECT i + 1, 'W1', printf('B-%%04d', i), printf('SKU-%%05d', i), '', 50 + i %% 200, %d - %d + i FROM n`, benchSKUs-1, benchEntries, benchSKUs),
		// Entry i: SKU i mod 2,000, day i ÷ entries-per-day; one in seven a
		// receipt of 12, the rest picks of 1 to 4.
		fmt.Sprintf(`WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
			INSERT INTO ledger (position, warehouse, key_id, delta, balance, event_id, device_id, kind, recorded_at)
			SELECT i + 1, 'W1', i %% %d + 1, CASE WHEN i %% 7 = 0 THEN 12 ELSE -(1 + i %% 4) END, 100,
				'ev-' || i, 'dev-' || (i %% 40), CASE WHEN i %% 7 = 0 THEN 'receive' ELSE 'pick' END,
				strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', %d + (i / %d) * 86400 + (i %% %d) * 86400 / %d, 'unixepoch') FROM n`,
			benchEntries-1, benchSKUs, first.Unix(), perDay, perDay, perDay),
		// usage_daily as the ledger above makes it.
		fmt.Sprintf(`INSERT INTO usage_daily (warehouse, sku, day, consumed_units, consumed_value, received_units, received_value)
			SELECT 'W1', s.sku, substr(l.recorded_at, 1, 10),
				SUM(CASE WHEN l.delta < 0 THEN -l.delta ELSE 0 END), SUM(CASE WHEN l.delta < 0 THEN -l.delta ELSE 0 END) * k.unit_cost,
				SUM(CASE WHEN l.delta > 0 THEN l.delta ELSE 0 END), SUM(CASE WHEN l.delta > 0 THEN l.delta ELSE 0 END) * k.unit_cost
			FROM ledger l JOIN stock s ON s.id = l.key_id JOIN skus k ON k.code = s.sku
			WHERE l.position <= %d GROUP BY s.sku, substr(l.recorded_at, 1, 10)`, benchEntries),
		`COMMIT`, `PRAGMA journal_mode = WAL`, `ANALYZE`,
	}
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("seed: %.60s…: %w", q, err)
		}
	}
	return nil
}

func benchGet(b *testing.B, path string) {
	st := usageBenchStore(b)
	clock := func() time.Time { return benchEnd.Add(18 * time.Hour) }
	l := server.NewLedger(st, server.WithClock(clock))
	h := (&httpapi.Server{Ledger: l, Catalog: server.NewCatalog(st, l), Store: st, AdminToken: "bench"}).Handler()
	var size int
	b.ResetTimer()
	for range b.N {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Authorization", "Bearer bench")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
		}
		size = rec.Body.Len()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
	b.ReportMetric(float64(size), "bytes")
}

// BenchmarkUsageOneSKUTwoYears: the daily series of one SKU over two
// years (730 days). Target ≤ 100 ms.
func BenchmarkUsageOneSKUTwoYears(b *testing.B) {
	benchGet(b, "/api/v1/usage?warehouse=W1&sku=SKU-01234&from="+benchEnd.AddDate(0, 0, 1-benchDays).Format(time.DateOnly)+"&to="+benchEnd.Format(time.DateOnly))
}

// BenchmarkUsageWarehouseMonth: every SKU of the warehouse over a month
// (the daily totals and each SKU's). Target ≤ 2 s.
func BenchmarkUsageWarehouseMonth(b *testing.B) {
	benchGet(b, "/api/v1/usage?warehouse=W1&from="+benchEnd.AddDate(0, 0, -29).Format(time.DateOnly)+"&to="+benchEnd.Format(time.DateOnly))
}

// BenchmarkUsageCategoryTwoYears: the 100 SKUs of one category over two years.
func BenchmarkUsageCategoryTwoYears(b *testing.B) {
	benchGet(b, "/api/v1/usage?warehouse=W1&category=C7&from="+benchEnd.AddDate(0, 0, 1-benchDays).Format(time.DateOnly)+"&to="+benchEnd.Format(time.DateOnly))
}

// BenchmarkReportTurnoverMonth and the others: the reports over a month
// (turnover and stockouts read the month's ledger entries, ~410,000).
func BenchmarkReportTurnoverMonth(b *testing.B) {
	benchGet(b, "/api/v1/reports/turnover?warehouse=W1&from="+benchEnd.AddDate(0, 0, -29).Format(time.DateOnly))
}

func BenchmarkReportStockoutsMonth(b *testing.B) {
	benchGet(b, "/api/v1/reports/stockouts?warehouse=W1&from="+benchEnd.AddDate(0, 0, -29).Format(time.DateOnly))
}

func BenchmarkReportDeadStock(b *testing.B) {
	benchGet(b, "/api/v1/reports/dead-stock?warehouse=W1&days=90")
}

func BenchmarkReportOnHand(b *testing.B) {
	benchGet(b, "/api/v1/reports/on-hand?warehouse=W1")
}
