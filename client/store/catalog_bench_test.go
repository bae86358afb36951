package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/driftless/driftless/client/scan/resolve"
	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/client/store/storetest"
	"github.com/driftless/driftless/syncproto"
)

// gtin13 makes a valid GTIN-13 from a number below 10^12.
func gtin13(n int) string {
	d := fmt.Sprintf("%012d", n)
	sum := 0
	for i, c := range d {
		w := 1
		if i%2 == 1 {
			w = 3
		}
		sum += int(c-'0') * w
	}
	return d + fmt.Sprint((10-sum%10)%10)
}

// loadBarcodes stores n SKUs with 1.5 barcodes each through snapshot
// pages and returns the barcode values.
func loadBarcodes(tb testing.TB, st *store.Store, n int) []string {
	tb.Helper()
	ctx := context.Background()
	var values []string
	const per = 10000
	for first, page := 0, 1; first < n; first, page = first+per, page+1 {
		p := &syncproto.SnapshotPage{Page: page, CatalogHead: 1}
		for i := first; i < min(first+per, n); i++ {
			sku := fmt.Sprintf("SKU-%06d", i)
			p.SKUs = append(p.SKUs, syncproto.SKU{Code: sku, Name: "Item " + sku, Unit: "each", Position: 1})
			v := gtin13(400000000000 + i)
			p.Barcodes = append(p.Barcodes, syncproto.Barcode{Value: v, SKU: sku, Type: "gtin", Pack: 1, Position: 1})
			values = append(values, v)
			if i%2 == 0 {
				c := gtin13(500000000000 + i)
				p.Barcodes = append(p.Barcodes, syncproto.Barcode{Value: c, SKU: sku, Type: "gtin", Pack: 12, Position: 1})
				values = append(values, c)
			}
		}
		if first+per < n {
			p.Next = "more"
		}
		if err := st.ApplySnapshotPage(ctx, p, first == 0); err != nil {
			tb.Fatal(err)
		}
	}
	return values
}

// TestLookupBarcode: snapshot barcodes resolve by their 14-digit key with
// their pack; unknown keys are not found.
func TestLookupBarcode(t *testing.T) {
	st := storetest.MustOpen(t)
	values := loadBarcodes(t, st, 100)
	ctx := context.Background()
	it, ok, err := st.LookupBarcode(ctx, resolve.BarcodeKey(values[1]))
	if err != nil || !ok || it.SKU != "SKU-000000" || it.PackQty != 12 {
		t.Fatalf("LookupBarcode(case of SKU-000000) = %+v, %v, %v", it, ok, err)
	}
	if _, ok, err := st.LookupBarcode(ctx, resolve.BarcodeKey(gtin13(1))); ok || err != nil {
		t.Fatalf("unknown barcode found: %v %v", ok, err)
	}
}

// BenchmarkLookupBarcode resolves random barcodes among 150,000 (100,000
// SKUs, half with a case barcode) and reports p50 and p99 latency.
func BenchmarkLookupBarcode(b *testing.B) {
	st := storetest.MustOpen(b, store.WithSynchronous(store.SyncNormal))
	values := loadBarcodes(b, st, 100000)
	if len(values) != 150000 {
		b.Fatalf("%d barcodes", len(values))
	}
	keys := make([]string, len(values))
	for i, v := range values {
		keys[i] = resolve.BarcodeKey(v)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		k := keys[rng.IntN(len(keys))]
		start := time.Now()
		_, ok, err := st.LookupBarcode(ctx, k)
		lat = append(lat, time.Since(start))
		if err != nil || !ok {
			b.Fatalf("lookup %s: %v %v", k, ok, err)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
