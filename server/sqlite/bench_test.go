package sqlite_test

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

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

// BenchmarkGroupCommit measures what the fleet soak stresses: 200 devices
// each pushing one live scan at a time, joined into group commits (the
// writer's cost per push, without the network). The mix is the load
// test's: receives at the dock, putaways to bins, picks from them.
func BenchmarkGroupCommit(b *testing.B) {
	st := MustOpen(b)
	storetest.AddTester(b, st)
	l := server.NewLedger(st)
	const fleet = 200
	devs := make([]*storetest.Device, fleet)
	for i := range devs {
		devs[i] = storetest.Enroll(b, l, fmt.Sprintf("dev%d", i), "W1")
	}
	ctx := context.Background()
	waits := make([]func() (*syncproto.Ack, error), fleet)
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, d := range devs {
			sku := fmt.Sprintf("SKU-%03d", (i*7+j)%40)
			var ev syncproto.Event
			switch i % 4 {
			case 0, 1:
				ev = d.Event(syncproto.KindReceive, sku, "", "DOCK-1", 4)
			case 2:
				ev = d.Event(syncproto.KindPutaway, fmt.Sprintf("SKU-%03d", ((i-2)*7+j)%40), "DOCK-1", fmt.Sprintf("B-%02d", j%30), 2)
			default:
				ev = d.Event(syncproto.KindPick, fmt.Sprintf("SKU-%03d", ((i-3)*7+j)%40), fmt.Sprintf("B-%02d", j%30), "", 1)
			}
			waits[j] = l.StartPush(ctx, d.ID, []syncproto.Event{ev})
		}
		for _, w := range waits {
			if _, err := w(); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*fleet), "µs/push")
	// CPU time varies less than wall time on a shared machine.
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N*fleet), "cpu-µs/push")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
