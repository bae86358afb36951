package app_test

import (
	"slices"
	"testing"
	"time"

	"github.com/driftless/driftless/client/app"
	"github.com/driftless/driftless/client/store"
)

// BenchmarkReceiptScan measures a receipt scan from the scanned text to
// the draft row durable on disk (synchronous FULL, the default): resolving
// the barcode against the device catalog, the receiving checks (SKU,
// warehouse settings, the order's lines) and the draft insert in its own
// transaction. It reports the median and 99th percentile of single scans.
// Reproduce: go test -run '^$' -bench ReceiptScan -benchtime 3s ./client/app
func BenchmarkReceiptScan(b *testing.B) {
	for _, c := range []struct{ name, text string }{
		{"ean", eachA},
		{"gs1-lot-expiry", gs1(eanL, "LOT42", "271231", "")},
	} {
		b.Run(c.name, func(b *testing.B) {
			cat := catalog(b, false)
			for i := range cat.PurchaseOrders[0].Lines {
				cat.PurchaseOrders[0].Lines[i].Ordered = 1 << 40 // every scan is a clean match
			}
			f := newFixtureWith(b, cat, store.SyncFull)
			f.signIn()
			r, err := f.app.StartReceipt(ctx, "PO-1")
			if err != nil {
				b.Fatal(err)
			}
			lat := make([]time.Duration, 0, 4096)
			b.ReportAllocs()
			for b.Loop() {
				t0 := time.Now()
				fb, err := r.Scan(ctx, c.text)
				lat = append(lat, time.Since(t0))
				if err != nil || fb.Level != app.Good {
					b.Fatalf("scan: %+v, %v", fb, err)
				}
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
		})
	}
}
