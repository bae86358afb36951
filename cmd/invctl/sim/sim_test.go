package sim

import (
	"context"
	"flag"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var (
	seeds     = flag.Int("sim.seeds", 200, "how many seeds TestSimulation runs")
	firstSeed = flag.Uint64("sim.seed", 1, "the first seed")
)

// TestSimulation runs -sim.seeds seeds (200 by default, as make test does;
// make sim SEEDS=N runs more) and fails with the seeds that broke an
// invariant; rerun one with -sim.seed=N -sim.seeds=1 -v for its trace.
func TestSimulation(t *testing.T) {
	n := *seeds
	if testing.Short() {
		n = min(n, 20)
	}
	var (
		mu     sync.Mutex
		failed []string
		next   atomic.Uint64
		wg     sync.WaitGroup
		events atomic.Int64
		faults = map[string]int{}
	)
	next.Store(*firstSeed)
	start := time.Now()
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				seed := next.Add(1) - 1
				if seed >= *firstSeed+uint64(n) {
					return
				}
				var trace strings.Builder
				cfg := Config{Seed: seed}
				if n == 1 && testing.Verbose() {
					cfg.Trace = &trace
				}
				res, err := Run(context.Background(), cfg)
				mu.Lock()
				switch {
				case err != nil:
					failed = append(failed, err.Error())
				case !res.OK():
					failed = append(failed, strings.Join(append([]string{"seed " + itoa(seed) + ":"}, res.Violations...), "\n  "))
				default:
					events.Add(int64(res.Events))
					for k, v := range res.Faults {
						faults[k] += v
					}
				}
				if trace.Len() > 0 {
					t.Log(trace.String())
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	t.Logf("%d seeds, %d events, %.1f seeds/s; faults injected: %v", n, events.Load(), float64(n)/el.Seconds(), faults)
	for _, f := range failed {
		t.Error(f)
	}
}

func itoa(n uint64) string {
	const digits = "0123456789"
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{digits[n%10]}, b...)
	}
	return string(b)
}

// TestReplayIsExact runs one seed twice: the same events, outcomes and
// final stock.
func TestReplayIsExact(t *testing.T) {
	for _, seed := range []uint64{7, 99} {
		a, err := Run(context.Background(), Config{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		b, err := Run(context.Background(), Config{Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		if a.Digest != b.Digest || a.Events != b.Events || a.Applied != b.Applied || a.Parked != b.Parked {
			t.Fatalf("seed %d: %+v then %+v", seed, a, b)
		}
		if a.Events == 0 || a.Parked == 0 {
			t.Fatalf("seed %d exercised too little: %+v", seed, a)
		}
	}
}
