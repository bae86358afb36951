package ui

import (
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/driftless/driftless/client/store"
)

// BenchmarkScanToFeedback measures what the clerk waits for after a wedge
// scan: the characters typed into the focused scan field and Enter, the
// scan resolved and written to the receipt draft (durable: the store at
// synchronous=FULL, as the app runs), the feedback panel and the tally
// updated and the screen laid out again. It reports the median and the
// 99th percentile per scan. Every 100 scans the receipt is finished and a
// new one opened, outside the measurement, so the draft stays the size of
// a real one.
func BenchmarkScanToFeedback(b *testing.B) {
	d := newDeviceSync(b, false, store.SyncFull)
	d.signIn("Ana", "1111")
	test.Tap(screenAs[*homeScreen](b, d.u).receive)
	d.scan("PO-1")
	codes := []string{eachA, caseA, gs1(eanL, "GOOD", "261231", ""), eanX}
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i > 0 && i%100 == 0 {
			b.StopTimer()
			rs := screenAs[*receiptScreen](b, d.u)
			test.Tap(rs.finish)
			test.Tap(screenAs[*summaryScreen](b, d.u).confirm)
			test.Tap(findIn(screenAs[*receiptDoneScreen](b, d.u).root, "Receive another"))
			d.scan("PO-1")
			b.StartTimer()
		}
		rs := d.u.screen.(*receiptScreen)
		text := codes[i%len(codes)]
		start := time.Now()
		e := d.w.Canvas().Focused().(*widget.Entry)
		test.Type(e, text)
		e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
		times = append(times, time.Since(start))
		if !rs.fb.shown || rs.fb.title.Text != rs.fb.last.Title {
			b.Fatalf("scan %d: feedback not shown", i)
		}
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
}
