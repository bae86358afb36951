package httpapi

import (
	"testing"
	"time"
)

// TestPokeSlots: a device is poked at once after a quiet spell, then once
// per interval at its own slot while its warehouse keeps growing, so
// devices with other phases are poked at other times of the interval.
func TestPokeSlots(t *testing.T) {
	const iv = 2 * time.Second
	t0 := time.Unix(1_800_000_000, 0)
	if d := pokeDue(t0, time.Time{}, iv, 0.3); d > 0 {
		t.Fatalf("first poke waits %s", d)
	}
	if d := pokeDue(t0, t0.Add(-10*time.Second), iv, 0.3); d > 0 {
		t.Fatalf("poke after a quiet spell waits %s", d)
	}
	// The ledger grows every 10 ms for a minute: count the pokes of two
	// devices and when they come.
	for _, phase := range []float64{0.1, 0.6} {
		var last time.Time
		var pokes []time.Time
		for now := t0; now.Before(t0.Add(time.Minute)); now = now.Add(10 * time.Millisecond) {
			if pokeDue(now, last, iv, phase) <= 0 {
				last = now
				pokes = append(pokes, now)
			}
		}
		if len(pokes) < 29 || len(pokes) > 31 {
			t.Fatalf("phase %.1f: %d pokes in a minute, want about 30", phase, len(pokes))
		}
		// The first poke comes at once; the others each at the device's
		// slot, phase x interval past a multiple of the interval, one
		// interval apart.
		for i, p := range pokes[1:] {
			if off := p.Sub(p.Truncate(iv)); (off - time.Duration(phase*float64(iv))).Abs() > 10*time.Millisecond {
				t.Fatalf("phase %.1f: poke %s into the interval", phase, off)
			}
			if gap := p.Sub(pokes[i]); i > 0 && (gap < iv-10*time.Millisecond || gap > iv+10*time.Millisecond) {
				t.Fatalf("phase %.1f: pokes %s apart", phase, gap)
			}
		}
	}
}
