package camera

import (
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // register decoders for replayed files
	_ "image/jpeg"
	_ "image/png"
	"io"
	"os"
	"time"
)

// ReplaySource yields prepared frames, for tests and for laptops without a
// camera: the same images, paced like a camera or as fast as they are
// taken, once or in a loop.
type ReplaySource struct {
	frames   []Frame
	interval time.Duration
	loop     bool
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration) error

	i    int
	next time.Time
}

// ReplayOptions control a ReplaySource.
type ReplayOptions struct {
	// FPS paces the frames like a camera; 0 yields them as fast as Next is
	// called.
	FPS float64
	// Loop starts over after the last frame instead of returning io.EOF: a
	// single image in a loop is a camera pointed at one label.
	Loop bool
	// Now is the clock stamped on frames; nil means time.Now.
	Now func() time.Time
}

// NewReplaySource replays frames.
func NewReplaySource(frames []Frame, opts ReplayOptions) (*ReplaySource, error) {
	if len(frames) == 0 {
		return nil, errors.New("new replay source: no frames")
	}
	for i, f := range frames {
		if err := f.check(); err != nil {
			return nil, fmt.Errorf("new replay source: frame %d: %w", i, err)
		}
	}
	s := &ReplaySource{frames: frames, loop: opts.Loop, now: opts.Now, sleep: sleepCtx}
	if s.now == nil {
		s.now = time.Now
	}
	if opts.FPS > 0 {
		s.interval = time.Duration(float64(time.Second) / opts.FPS)
	}
	return s, nil
}

// OpenFiles reads image files (PNG, JPEG, GIF) into a ReplaySource.
func OpenFiles(paths []string, opts ReplayOptions) (*ReplaySource, error) {
	var frames []Frame
	for _, p := range paths {
		img, err := readImage(p)
		if err != nil {
			return nil, fmt.Errorf("open files: %w", err)
		}
		frames = append(frames, Luminance(img, time.Time{}))
	}
	return NewReplaySource(frames, opts)
}

func readImage(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("decode image %s: %w", path, err)
	}
	return img, nil
}

// Next returns the next frame, waiting for its time when paced.
func (s *ReplaySource) Next(ctx context.Context) (Frame, error) {
	if err := ctx.Err(); err != nil {
		return Frame{}, err
	}
	if s.i == len(s.frames) {
		if !s.loop {
			return Frame{}, io.EOF
		}
		s.i = 0
	}
	if s.interval > 0 {
		now := s.now()
		if s.next.IsZero() || now.Sub(s.next) > s.interval {
			s.next = now // a camera does not bank the frames nobody took
		}
		if wait := s.next.Sub(now); wait > 0 {
			if err := s.sleep(ctx, wait); err != nil {
				return Frame{}, err
			}
		}
		s.next = s.next.Add(s.interval)
	}
	f := s.frames[s.i]
	s.i++
	f.Time = s.now()
	return f, nil
}

// Close does nothing: the frames stay in memory.
func (s *ReplaySource) Close() error { return nil }

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
