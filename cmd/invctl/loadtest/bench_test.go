package loadtest

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkBacklog measures one device catching up with an offline backlog
// against an in-process server on loopback: the time until the server has
// acknowledged every event (acked_s) and until the device has also pulled
// the resulting ledger back (settled_s).
func BenchmarkBacklog(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			if testing.Short() && n > 10000 {
				b.Skip("-short")
			}
			var acked, settled float64
			for i := 0; i < b.N; i++ {
				rep, err := Run(context.Background(), Config{Devices: 1, Scans: n, Offline: true, Seed: uint64(i)})
				if err != nil {
					b.Fatal(err)
				}
				if !rep.OK() {
					b.Fatalf("%+v", rep)
				}
				acked += rep.AckedSeconds
				settled += rep.Seconds
			}
			b.ReportMetric(acked/float64(b.N), "acked_s")
			b.ReportMetric(settled/float64(b.N), "settled_s")
			b.ReportMetric(float64(n)*float64(b.N)/acked, "events/s")
		})
	}
}
