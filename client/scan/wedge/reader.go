package wedge

import (
	"context"
	"sync"
	"time"
)

// Reader makes a Wedge usable from a UI: Key may be called from any
// goroutine (the UI thread) and never blocks; Serve delivers the outputs in
// order and decides bursts when their silence runs out. Outputs queue
// without bound, so a slow handler delays scans but never loses them.
type Reader struct {
	now func() time.Time

	mu     sync.Mutex
	w      *Wedge
	queue  []Output
	notify chan struct{} // one pending wake-up for Serve
}

// NewReader returns a Reader for cfg; now is the clock (nil for time.Now),
// used for keys that arrive without a time and for timeouts.
func NewReader(cfg Config, now func() time.Time) (*Reader, error) {
	w, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if now == nil {
		now = time.Now
	}
	return &Reader{now: now, w: w, notify: make(chan struct{}, 1)}, nil
}

// Key hands one key event to the Reader. A zero At is stamped with now.
func (r *Reader) Key(ev Event) {
	if ev.At.IsZero() {
		ev.At = r.now()
	}
	r.mu.Lock()
	r.queue = append(r.queue, r.w.Feed(ev)...)
	r.mu.Unlock()
	r.wake()
}

func (r *Reader) wake() {
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

// Serve calls handle for every output, in order, until ctx ends; it
// returns ctx's error. Keys still undecided when ctx ends are delivered
// first, as the silence would have decided them.
func (r *Reader) Serve(ctx context.Context, handle func(Output)) error {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		r.mu.Lock()
		r.queue = append(r.queue, r.w.Advance(r.now())...)
		batch := r.queue
		r.queue = nil
		deadline, waiting := r.w.Deadline()
		r.mu.Unlock()

		for _, o := range batch {
			handle(o)
		}
		if len(batch) > 0 {
			continue // more may have queued while handling
		}
		wait := time.Hour
		if waiting {
			wait = max(deadline.Sub(r.now()), 0)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			r.mu.Lock()
			rest := append(r.queue, r.w.flush(nil, r.w.complete || r.w.cfg.EndBySilence)...)
			r.queue = nil
			r.mu.Unlock()
			for _, o := range rest {
				handle(o)
			}
			return ctx.Err()
		case <-r.notify:
		case <-timer.C:
		}
	}
}
