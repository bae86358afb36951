package server_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/sqlite"
	"github.com/driftless/driftless/server/storetest"
	"github.com/driftless/driftless/syncproto"
)

// The allocation benchmark's warehouse: 5,000 bins, 2,000 SKUs (half of
// them lot-tracked, 4 lots each with known expiries), each SKU in 50 bins:
// 100,000 stock rows. The wave is 250 orders of 4 lines: 1,000 lines.
const (
	benchBins      = 5000
	benchSKUs      = 2000
	benchBinsOfSKU = 50
	benchOrders    = 250
	benchLines     = 4
)

// benchStock is the warehouse's stock, the same for the store and the
// pure function.
func benchStock() ([]server.OpeningStock, map[server.LotKey]string) {
	rng := rand.New(rand.NewPCG(7, 7))
	rows := make([]server.OpeningStock, 0, benchSKUs*benchBinsOfSKU)
	expiry := map[server.LotKey]string{}
	for s := range benchSKUs {
		sku := fmt.Sprintf("SKU-%05d", s)
		for i, b := range rng.Perm(benchBins)[:benchBinsOfSKU] {
			lot := ""
			if s%2 == 0 {
				lot = fmt.Sprintf("L%d", i%4)
				expiry[server.LotKey{SKU: sku, Lot: lot}] = time.Date(2027, time.Month(1+i%4), 1+s%28, 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
			}
			rows = append(rows, server.OpeningStock{Warehouse: "W1", Location: fmt.Sprintf("B-%05d", b), SKU: sku, Lot: lot,
				Qty: int64(1 + rng.IntN(40))})
		}
	}
	return rows, expiry
}

func benchOrdersOf() []server.SalesOrder {
	rng := rand.New(rand.NewPCG(9, 9))
	out := make([]server.SalesOrder, benchOrders)
	for o := range out {
		so := server.SalesOrder{Number: fmt.Sprintf("SO-%05d", o), Customer: "Bench", Warehouse: "W1", Status: server.SOOpen}
		for _, s := range rng.Perm(benchSKUs)[:benchLines] {
			so.Lines = append(so.Lines, server.SalesOrderLine{SKU: fmt.Sprintf("SKU-%05d", s), Qty: int64(1 + rng.IntN(60))})
		}
		out[o] = so
	}
	return out
}

// BenchmarkAllocateWave allocates a 1,000-line wave over 100,000 stock
// rows: sqlite is Catalog.CreatePickWave on a seeded SQLite store (reads,
// allocation and writing the lists, one transaction; the lists are
// cancelled between iterations, untimed), pure the allocation alone over
// the same rows.
func BenchmarkAllocateWave(b *testing.B) {
	ctx := context.Background()
	rows, expiry := benchStock()
	orders := benchOrdersOf()

	b.Run("pure", func(b *testing.B) {
		in := server.AllocInput{Reserved: map[server.PickKey]int64{}}
		for _, r := range rows {
			var seq int64
			fmt.Sscanf(r.Location, "B-%d", &seq)
			in.Stock = append(in.Stock, server.AllocStock{Location: r.Location, Sequence: seq, SKU: r.SKU, Lot: r.Lot,
				Expiry: expiry[server.LotKey{SKU: r.SKU, Lot: r.Lot}], Qty: r.Qty})
		}
		for _, o := range orders {
			ao := server.AllocOrder{Number: o.Number}
			for _, ln := range o.Lines {
				ao.Lines = append(ao.Lines, server.AllocLine{SKU: ln.SKU, Qty: ln.Qty})
			}
			in.Orders = append(in.Orders, ao)
		}
		var lists int
		for b.Loop() {
			lists = len(server.Allocate(in).Lists)
		}
		b.ReportMetric(float64(lists), "lists")
	})

	b.Run("sqlite", func(b *testing.B) {
		st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		l := server.NewLedger(st)
		c := server.NewCatalog(st, l)
		seedBench(b, c, l, rows, expiry, orders)
		var lists, tasks int
		for b.Loop() {
			w, err := c.CreatePickWave(ctx, server.WaveRequest{Warehouse: "W1"})
			if err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			lists, tasks = len(w.Lists), 0
			for _, p := range w.Lists {
				tasks += len(p.Tasks)
				if _, err := c.CancelPickList(ctx, p.ID); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
		}
		b.ReportMetric(float64(lists), "lists")
		b.ReportMetric(float64(tasks), "tasks")
	})
}

func seedBench(b *testing.B, c *server.Catalog, l *server.Ledger, rows []server.OpeningStock, expiry map[server.LotKey]string, orders []server.SalesOrder) {
	b.Helper()
	ctx := context.Background()
	check := func(err error) {
		b.Helper()
		if err != nil {
			b.Fatal(err)
		}
	}
	check(c.Warehouses.Import(ctx, []server.Warehouse{{Code: "W1", Name: "Bench"}}))
	locs := []server.Location{{Warehouse: "W1", Code: "DOCK", Type: server.LocationDock}}
	for i := range benchBins {
		locs = append(locs, server.Location{Warehouse: "W1", Code: fmt.Sprintf("B-%05d", i), Type: server.LocationBin, Sequence: int64(i)})
	}
	check(c.Locations.Import(ctx, locs))
	skus := make([]server.SKU, benchSKUs)
	for s := range skus {
		skus[s] = server.SKU{Code: fmt.Sprintf("SKU-%05d", s), Name: "Bench item", Unit: "each", TrackLot: s%2 == 0, TrackExpiry: s%2 == 0}
	}
	check(c.SKUs.Import(ctx, skus))
	check(c.ImportOpeningStock(ctx, rows))
	// The lots' expiries, as receiving learns them.
	check(c.Users.Import(ctx, []server.User{{Code: storetest.Tester, Name: "Tester", Roles: []string{"receiver"}}}))
	d := storetest.Enroll(b, l, "bench", "W1")
	var evs []syncproto.Event
	for k, exp := range expiry {
		ev := d.Event(syncproto.KindReceive, k.SKU, "", "DOCK", 1)
		ev.Lot, ev.Expiry = k.Lot, exp
		ev.Seal()
		evs = append(evs, ev)
		if len(evs) == syncproto.MaxBatch {
			_, err := l.Push(ctx, d.ID, evs)
			check(err)
			evs = nil
		}
	}
	if len(evs) > 0 {
		_, err := l.Push(ctx, d.ID, evs)
		check(err)
	}
	check(c.SalesOrders.Import(ctx, orders))
}
