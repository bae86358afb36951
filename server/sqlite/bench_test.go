package sqlite_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/storetest"
	"github.com/driftless/driftless/syncproto"
)

// BenchmarkPush measures the ledger applying batches of 500 receive/putaway
// events on SQLite (no network): the server's side of the backlog figure.
func BenchmarkPush(b *testing.B) {
	st := MustOpen(b)
	storetest.AddTester(b, st)
	l := server.NewLedger(st)
	d := storetest.Enroll(b, l, "bench", "W1")
	const batch = 500
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		evs := make([]syncproto.Event, batch)
		for j := range evs {
			if j%2 == 0 {
				evs[j] = d.Event(syncproto.KindReceive, fmt.Sprintf("SKU%d", j%97), "", "DOCK", 2)
			} else {
				evs[j] = d.Event(syncproto.KindPutaway, fmt.Sprintf("SKU%d", (j-1)%97), "DOCK", fmt.Sprintf("B-%03d", j%211), 1)
			}
		}
		b.StartTimer()
		if _, err := l.Push(context.Background(), d.ID, evs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "events/s")
}
