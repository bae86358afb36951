package syncer_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/client/syncer"
	"github.com/driftless/driftless/server"
)

// seedLarge fills a server with 100,000 SKUs, 150,000 barcodes (every
// other SKU has a case GTIN too), 2,000 bins of W1 and 200,000 stock
// levels there (100 SKUs per bin).
func seedLarge(tb testing.TB, cat *server.Catalog) {
	tb.Helper()
	ctx := context.Background()
	if _, err := cat.Warehouses.Create(ctx, server.Warehouse{Code: "W1", Name: "Main"}); err != nil {
		tb.Fatal(err)
	}
	skus := make([]server.SKU, 100000)
	var bcs []server.Barcode
	for i := range skus {
		code := fmt.Sprintf("SKU-%06d", i)
		skus[i] = server.SKU{Code: code, Name: fmt.Sprintf("Oat drink barista %d x 1 l", i), Unit: "each", UnitCost: int64(100 + i%900)}
		bcs = append(bcs, server.Barcode{Value: gtin13(400000000000 + i), SKU: code, Type: server.BarcodeGTIN, Pack: 1})
		if i%2 == 0 {
			bcs = append(bcs, server.Barcode{Value: gtin13(500000000000 + i), SKU: code, Type: server.BarcodeGTIN, Pack: 12})
		}
	}
	if err := cat.SKUs.Import(ctx, skus); err != nil {
		tb.Fatal(err)
	}
	if err := cat.Barcodes.Import(ctx, bcs); err != nil {
		tb.Fatal(err)
	}
	locs := make([]server.Location, 2000)
	for i := range locs {
		code := fmt.Sprintf("A%02d-%02d-%d", i/100, i/5%20, i%5)
		locs[i] = server.Location{Warehouse: "W1", Code: code, Type: server.LocationBin, Barcode: "L" + code, Sequence: int64(i)}
	}
	if err := cat.Locations.Import(ctx, locs); err != nil {
		tb.Fatal(err)
	}
	var stock []server.OpeningStock
	for i, l := range locs {
		for j := range 100 {
			stock = append(stock, server.OpeningStock{Warehouse: "W1", Location: l.Code, SKU: skus[(i*100+j)%len(skus)].Code, Qty: int64(1 + j)})
		}
	}
	if err := cat.ImportOpeningStock(ctx, stock); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkSnapshot: a new device downloads a snapshot of 100,000 SKUs,
// 150,000 barcodes, 2,000 locations and 200,000 stock levels from a real
// server over loopback HTTP and stores it (durable commits, as on a
// handheld). Reports rows/s and compressed bytes per row on the wire.
func BenchmarkSnapshot(b *testing.B) {
	rs := startRefServer(b)
	seedLarge(b, rs.cat)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		st, _ := rs.enroll(b, "W1", store.WithSynchronous(store.SyncFull))
		eng := syncer.New(st, syncer.Config{AppVersion: "bench", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		b.StartTimer()
		stats, err := eng.Snapshot(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if stats.Rows != 100000+150000+2000+1+200000 {
			b.Fatalf("snapshot of %d rows", stats.Rows)
		}
		b.ReportMetric(stats.Took.Seconds(), "s/snapshot")
		b.ReportMetric(float64(stats.Rows)/stats.Took.Seconds(), "rows/s")
		b.ReportMetric(float64(stats.WireBytes)/float64(stats.Rows), "wire-B/row")
		b.ReportMetric(float64(stats.WireBytes)/1e6, "wire-MB")
		b.ReportMetric(float64(stats.Pages), "pages")
		b.StartTimer()
	}
}
