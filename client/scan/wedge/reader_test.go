package wedge

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// manualClock is a clock the test moves, shared with the Reader's goroutine.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestReaderDeliversInOrderAndRunsTimeouts(t *testing.T) {
	clock := &manualClock{now: t0}
	r, err := NewReader(Config{}, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var got []string
	done := make(chan error, 1)
	go func() {
		done <- r.Serve(ctx, func(o Output) {
			time.Sleep(time.Millisecond) // a slow handler must not lose outputs
			mu.Lock()
			got = append(got, summary([]Output{o})...)
			mu.Unlock()
		})
	}()
	waitFor := func(want []string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			mu.Lock()
			n := slices.Clone(got)
			mu.Unlock()
			if slices.Equal(n, want) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("got %q, want %q", n, want)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	// Two scans 1 ms per key on the Reader's clock (keys without a time are
	// stamped with it), then a single human key that only the timeout decides.
	for _, code := range []string{"ABCDEF", "123456"} {
		for _, c := range code {
			clock.Add(time.Millisecond)
			r.Key(Event{Rune: c})
		}
		clock.Add(time.Millisecond)
		r.Key(Event{Key: KeyEnter})
	}
	clock.Add(time.Millisecond)
	r.Key(Event{Rune: 'x'})
	waitFor([]string{"[ABCDEF]", "[123456]"})
	time.Sleep(50 * time.Millisecond) // real time passes, the Reader's clock does not
	waitFor([]string{"[ABCDEF]", "[123456]"})
	clock.Add(time.Second) // now the silence after x has lasted long enough
	waitFor([]string{"[ABCDEF]", "[123456]", "x"})

	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Serve returned %v, want context.Canceled", err)
	}
}

func TestReaderFlushesOnShutdown(t *testing.T) {
	clock := t0
	r, err := NewReader(Config{}, func() time.Time { return clock })
	if err != nil {
		t.Fatal(err)
	}
	r.Key(Event{Rune: 'q'}) // stamped with the injected clock; never times out
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var got []Output
	if err := r.Serve(ctx, func(o Output) { got = append(got, o) }); !errors.Is(err, context.Canceled) {
		t.Fatalf("Serve = %v", err)
	}
	if s := summary(got); !slices.Equal(s, []string{"q"}) || !got[0].At.Equal(t0) {
		t.Fatalf("got %q at %v, want the pending q at %v", s, got[0].At, t0)
	}
}
