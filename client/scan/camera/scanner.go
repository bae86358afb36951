package camera

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/driftless/driftless/client/scan/decode"
)

// Decoder reads one barcode from a luminance frame inside roi;
// *decode.Decoder implements it. It returns decode.ErrNotFound when there
// is none.
type Decoder interface {
	DecodeLuminance(y []byte, width, height, stride int, roi image.Rectangle) (decode.Result, error)
}

var _ Decoder = (*decode.Decoder)(nil)

// Detection is a code that came into view.
type Detection struct {
	decode.Result
	// Time is the time of the frame it was first seen in.
	Time time.Time
}

// Stats counts what a Scanner did.
type Stats struct {
	Frames   uint64        // taken from the source
	Decoded  uint64        // handed to the decoder
	Dropped  uint64        // skipped because the decoder was busy
	Found    uint64        // frames in which the decoder found a code
	Reported uint64        // detections reported
	Decoding time.Duration // total time spent in the decoder
}

// Scanner scans continuously: it takes frames from Source, decodes each in
// the region of interest, and reports each code once until it has left the
// view. When decoding is slower than the source, it decodes the newest
// frame and drops the ones in between instead of queueing them: what the
// camera sees now matters, not what it saw a second ago.
type Scanner struct {
	Source  Source
	Decoder Decoder
	// ROI gives the region of interest for a frame size; nil means the whole
	// frame. CenterROI makes the usual centred viewfinder.
	ROI func(width, height int) image.Rectangle
	// A code is reported again only after it was missing from AbsentFrames
	// consecutive decoded frames (default 5) spanning at least AbsentFor
	// (default 500ms): a code that a frame or two fails to decode (blur,
	// glare) has not left the view.
	AbsentFrames int
	AbsentFor    time.Duration
	// KeepAll decodes every frame, making the source wait for the decoder:
	// for replaying files, never for a live camera.
	KeepAll bool
	// OnScan receives each detection, from Serve's goroutine; it should
	// return quickly (hand work to another goroutine, or fyne.Do for UI).
	OnScan func(Detection)

	frames, decoded, dropped, found, reported atomic.Uint64
	decoding                                  atomic.Int64
}

// Stats returns the counters so far; safe to call while Serve runs.
func (s *Scanner) Stats() Stats {
	return Stats{
		Frames: s.frames.Load(), Decoded: s.decoded.Load(), Dropped: s.dropped.Load(),
		Found: s.found.Load(), Reported: s.reported.Load(), Decoding: time.Duration(s.decoding.Load()),
	}
}

// Serve scans until ctx ends (returning ctx's error), the source ends
// (returning nil once the last frame is decoded) or fails. It does not
// close the source.
func (s *Scanner) Serve(ctx context.Context) error {
	if s.Source == nil || s.Decoder == nil {
		return errors.New("serve scanner: Source and Decoder are required")
	}
	absentFrames, absentFor := s.AbsentFrames, s.AbsentFor
	if absentFrames <= 0 {
		absentFrames = 5
	}
	if absentFor <= 0 {
		absentFor = 500 * time.Millisecond
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	mb := newMailbox(s.KeepAll)
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		mb.finish(s.read(ctx, mb))
	}()
	defer func() { cancel(); <-readerDone }()

	type seen struct {
		seq  uint64
		time time.Time
	}
	present := map[string]seen{}
	var seq uint64
	for {
		buf, err := mb.take(ctx)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		f := buf.frame
		roi := f.Bounds()
		if s.ROI != nil {
			roi = s.ROI(f.Width, f.Height).Intersect(roi)
		}
		start := time.Now()
		res, err := s.Decoder.DecodeLuminance(f.Y, f.Width, f.Height, f.Stride, roi)
		s.decoding.Add(int64(time.Since(start)))
		s.decoded.Add(1)
		mb.release(buf)
		seq++
		switch {
		case err == nil:
			s.found.Add(1)
			key := string(res.Format) + "\x00" + res.Text
			if _, ok := present[key]; !ok {
				s.reported.Add(1)
				if s.OnScan != nil {
					s.OnScan(Detection{Result: res, Time: f.Time})
				}
			}
			present[key] = seen{seq, f.Time}
		case !errors.Is(err, decode.ErrNotFound):
			return fmt.Errorf("serve scanner: %w", err)
		}
		for key, p := range present {
			if seq-p.seq >= uint64(absentFrames) && f.Time.Sub(p.time) >= absentFor {
				delete(present, key) // it left the view
			}
		}
	}
}

// read copies frames from the source into the mailbox until the source or
// ctx ends.
func (s *Scanner) read(ctx context.Context, mb *mailbox) error {
	for {
		f, err := s.Source.Next(ctx)
		if err != nil {
			if errors.Is(err, io.EOF) || ctx.Err() != nil {
				return err
			}
			return fmt.Errorf("read frame: %w", err)
		}
		if err := f.check(); err != nil {
			return fmt.Errorf("read frame: %w", err)
		}
		s.frames.Add(1)
		buf, err := mb.free(ctx)
		if err != nil {
			return err
		}
		buf.fill(f)
		if mb.put(buf) {
			s.dropped.Add(1)
		}
	}
}

// frameBuf owns a copy of a frame, so the source may reuse its buffer.
type frameBuf struct {
	frame Frame
	pix   []byte
}

func (b *frameBuf) fill(f Frame) {
	n := f.Width * f.Height
	if cap(b.pix) < n {
		b.pix = make([]byte, n)
	}
	b.pix = b.pix[:n]
	for r := 0; r < f.Height; r++ {
		copy(b.pix[r*f.Width:(r+1)*f.Width], f.Y[r*f.Stride:])
	}
	b.frame = Frame{Y: b.pix, Width: f.Width, Height: f.Height, Stride: f.Width, Time: f.Time}
}

// mailbox hands the newest frame from the reader to the decoder. Three
// buffers circulate: one being filled, one waiting, one being decoded.
type mailbox struct {
	keepAll bool

	mu      sync.Mutex
	latest  *frameBuf
	spare   []*frameBuf
	done    bool
	err     error
	ready   chan struct{} // a frame is waiting or the reader finished
	emptied chan struct{} // the decoder took the waiting frame (keepAll)
}

func newMailbox(keepAll bool) *mailbox {
	return &mailbox{keepAll: keepAll, ready: make(chan struct{}, 1), emptied: make(chan struct{}, 1)}
}

// free returns a buffer to fill; with keepAll it first waits until the
// previous frame has been taken.
func (m *mailbox) free(ctx context.Context) (*frameBuf, error) {
	for {
		m.mu.Lock()
		if !m.keepAll || m.latest == nil {
			var b *frameBuf
			if n := len(m.spare); n > 0 {
				b, m.spare = m.spare[n-1], m.spare[:n-1]
			} else {
				b = &frameBuf{}
			}
			m.mu.Unlock()
			return b, nil
		}
		m.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-m.emptied:
		}
	}
}

// put makes b the waiting frame and reports whether it replaced (dropped)
// one the decoder had not taken.
func (m *mailbox) put(b *frameBuf) (dropped bool) {
	m.mu.Lock()
	if m.latest != nil {
		m.spare = append(m.spare, m.latest)
		dropped = true
	}
	m.latest = b
	m.mu.Unlock()
	signal(m.ready)
	return dropped
}

// finish records why the reader stopped.
func (m *mailbox) finish(err error) {
	m.mu.Lock()
	m.done, m.err = true, err
	m.mu.Unlock()
	signal(m.ready)
}

// take waits for the waiting frame; once the reader has finished and no
// frame waits, it returns the reader's error.
func (m *mailbox) take(ctx context.Context) (*frameBuf, error) {
	for {
		m.mu.Lock()
		if b := m.latest; b != nil {
			m.latest = nil
			m.mu.Unlock()
			signal(m.emptied)
			return b, nil
		}
		if m.done {
			err := m.err
			m.mu.Unlock()
			return nil, err
		}
		m.mu.Unlock()
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-m.ready:
		}
	}
}

// release gives a decoded buffer back for reuse.
func (m *mailbox) release(b *frameBuf) {
	m.mu.Lock()
	m.spare = append(m.spare, b)
	m.mu.Unlock()
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}
