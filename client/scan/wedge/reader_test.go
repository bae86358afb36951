package wedge

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

func TestReaderDeliversInOrderAndRunsTimeouts(t *testing.T) {
	r, err := NewReader(Config{}, nil)
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

	// Two scans typed back to back as fast as the goroutine can, with
	// real timestamps, then a single human key that only the timeout decides.
	for _, code := range []string{"ABCDEF", "123456"} {
		for _, c := range code {
			r.Key(Event{Rune: c})
		}
		r.Key(Event{Key: KeyEnter})
	}
	r.Key(Event{Rune: 'x'})

	want := []string{"[ABCDEF]", "[123456]", "x"}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := slices.Clone(got)
		mu.Unlock()
		if slices.Equal(n, want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %q, want %q", n, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
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
