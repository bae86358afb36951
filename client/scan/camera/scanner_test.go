package camera

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/driftless/driftless/client/scan/decode"
)

// fakeDecoder "decodes" frames whose first pixel names a code (0: none)
// and remembers what it was asked.
type fakeDecoder struct {
	delay time.Duration

	mu   sync.Mutex
	rois []image.Rectangle
	seqs []int // second pixel of each decoded frame: its sequence number
}

func (d *fakeDecoder) DecodeLuminance(y []byte, width, height, stride int, roi image.Rectangle) (decode.Result, error) {
	if d.delay > 0 {
		time.Sleep(d.delay)
	}
	d.mu.Lock()
	d.rois = append(d.rois, roi)
	d.seqs = append(d.seqs, int(y[1]))
	d.mu.Unlock()
	if y[0] == 0 {
		return decode.Result{}, decode.ErrNotFound
	}
	return decode.Result{Format: decode.QRCode, Text: fmt.Sprintf("code-%d", y[0])}, nil
}

// codeFrames makes 16x8 frames whose first pixel is codes[i] and second i.
func codeFrames(codes ...byte) []Frame {
	var fs []Frame
	for i, c := range codes {
		y := make([]byte, 16*8)
		y[0], y[1] = c, byte(i)
		fs = append(fs, Frame{Y: y, Width: 16, Height: 8, Stride: 16})
	}
	return fs
}

// stepClock returns a clock that advances by step on every reading.
func stepClock(step time.Duration) func() time.Time {
	var mu sync.Mutex
	now := time.Date(2026, 3, 15, 9, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(step)
		return now
	}
}

func runScanner(t *testing.T, s *Scanner) []string {
	t.Helper()
	var got []string
	s.OnScan = func(d Detection) { got = append(got, d.Text) }
	if err := s.Serve(context.Background()); err != nil {
		t.Fatalf("Serve: %v", err)
	}
	return got
}

func TestScannerReportsOnceUntilTheCodeLeaves(t *testing.T) {
	// Frames 100 ms apart. Code 1 is in view, missed in two frames (glare),
	// leaves for 6 frames (600 ms), comes back. Code 2 appears and stays.
	frames := codeFrames(1, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 0, 2)
	src, err := NewReplaySource(frames, ReplayOptions{Now: stepClock(100 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	dec := &fakeDecoder{}
	s := &Scanner{Source: src, Decoder: dec, KeepAll: true}
	got := runScanner(t, s)
	if want := []string{"code-1", "code-1", "code-2"}; !slices.Equal(got, want) {
		t.Errorf("reported %q, want %q", got, want)
	}
	st := s.Stats()
	if st.Frames != uint64(len(frames)) || st.Decoded != uint64(len(frames)) || st.Dropped != 0 || st.Reported != 3 || st.Found != 9 {
		t.Errorf("stats %+v", st)
	}
}

func TestScannerAbsenceNeedsFramesAndTime(t *testing.T) {
	// Frames only 10 ms apart: 8 frames without the code are 80 ms, short
	// of AbsentFor, so the code has not left.
	frames := codeFrames(1, 0, 0, 0, 0, 0, 0, 0, 0, 1)
	src, _ := NewReplaySource(frames, ReplayOptions{Now: stepClock(10 * time.Millisecond)})
	s := &Scanner{Source: src, Decoder: &fakeDecoder{}, KeepAll: true, AbsentFrames: 3, AbsentFor: 200 * time.Millisecond}
	if got := runScanner(t, s); !slices.Equal(got, []string{"code-1"}) {
		t.Errorf("reported %q, want code-1 once", got)
	}
	// The same frames 100 ms apart: gone after 3 frames and 300 ms.
	src, _ = NewReplaySource(frames, ReplayOptions{Now: stepClock(100 * time.Millisecond)})
	s = &Scanner{Source: src, Decoder: &fakeDecoder{}, KeepAll: true, AbsentFrames: 3, AbsentFor: 200 * time.Millisecond}
	if got := runScanner(t, s); !slices.Equal(got, []string{"code-1", "code-1"}) {
		t.Errorf("reported %q, want code-1 twice", got)
	}
}

func TestScannerDecodesInTheROI(t *testing.T) {
	src, _ := NewReplaySource(codeFrames(0, 0), ReplayOptions{})
	dec := &fakeDecoder{}
	s := &Scanner{Source: src, Decoder: dec, KeepAll: true, ROI: CenterROI(0.5, 0.5)}
	runScanner(t, s)
	want := image.Rect(4, 2, 12, 6)
	if len(dec.rois) != 2 || dec.rois[0] != want || dec.rois[1] != want {
		t.Errorf("decoded in %v, want %v twice", dec.rois, want)
	}
	src, _ = NewReplaySource(codeFrames(0), ReplayOptions{})
	dec = &fakeDecoder{}
	runScanner(t, &Scanner{Source: src, Decoder: dec, KeepAll: true})
	if dec.rois[0] != image.Rect(0, 0, 16, 8) {
		t.Errorf("without ROI decoded in %v, want the whole frame", dec.rois[0])
	}
}

func TestScannerDropsFramesWhenDecodingFallsBehind(t *testing.T) {
	// 200 distinct frames from a source ten times faster than the decoder.
	codes := make([]byte, 200)
	src, _ := NewReplaySource(codeFrames(codes...), ReplayOptions{FPS: 500})
	dec := &fakeDecoder{delay: 20 * time.Millisecond}
	s := &Scanner{Source: src, Decoder: dec}
	if err := s.Serve(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	if st.Frames != 200 || st.Dropped == 0 || st.Decoded+st.Dropped != st.Frames {
		t.Fatalf("stats %+v: want all 200 frames taken, some dropped, decoded+dropped = frames", st)
	}
	if st.Decoded > 100 {
		t.Errorf("decoded %d of 200 frames with a decoder 10x slower than the source", st.Decoded)
	}
	// Every decode took the newest frame: sequence numbers only increase,
	// and the last frame is never dropped.
	if !slices.IsSorted(dec.seqs) || slices.Contains(dec.seqs[1:], dec.seqs[0]) || dec.seqs[len(dec.seqs)-1] != 199 {
		t.Errorf("decoded frames %v: want increasing, ending with 199", dec.seqs)
	}
}

type failingSource struct{ n int }

func (f *failingSource) Next(ctx context.Context) (Frame, error) {
	if f.n == 0 {
		return Frame{}, errors.New("usb cable pulled")
	}
	f.n--
	return codeFrames(1)[0], nil
}

func (f *failingSource) Close() error { return nil }

type brokenDecoder struct{}

func (brokenDecoder) DecodeLuminance([]byte, int, int, int, image.Rectangle) (decode.Result, error) {
	return decode.Result{}, errors.New("region outside the frame")
}

func TestScannerLifetime(t *testing.T) {
	err := (&Scanner{Source: &failingSource{n: 3}, Decoder: &fakeDecoder{}, KeepAll: true}).Serve(context.Background())
	if err == nil || err.Error() != "read frame: usb cable pulled" {
		t.Errorf("source failure: Serve = %v", err)
	}
	err = (&Scanner{Source: &failingSource{n: 3}, Decoder: brokenDecoder{}}).Serve(context.Background())
	if err == nil || err.Error() != "serve scanner: region outside the frame" {
		t.Errorf("decoder failure: Serve = %v", err)
	}
	if err := (&Scanner{}).Serve(context.Background()); err == nil {
		t.Error("Serve without source and decoder succeeded")
	}

	// A looping camera runs until its context ends.
	src, _ := NewReplaySource(codeFrames(1, 0), ReplayOptions{FPS: 100, Loop: true})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	s := &Scanner{Source: src, Decoder: &fakeDecoder{}}
	if err := s.Serve(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Serve = %v, want the context's deadline", err)
	}
	if st := s.Stats(); st.Decoded < 3 || st.Reported < 1 {
		t.Errorf("stats after 300 ms at 100 fps: %+v", st)
	}
}

func TestReplaySource(t *testing.T) {
	ctx := context.Background()
	src, err := NewReplaySource(codeFrames(7, 8), ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []byte{7, 8} {
		f, err := src.Next(ctx)
		if err != nil || f.Y[0] != want || f.Time.IsZero() {
			t.Fatalf("Next = %v (Y[0] %d, time %v), want frame %d", err, f.Y[0], f.Time, want)
		}
	}
	if _, err := src.Next(ctx); !errors.Is(err, io.EOF) {
		t.Errorf("after the last frame Next = %v, want io.EOF", err)
	}

	// Paced: the source sleeps to keep 10 fps on the injected clock.
	now := time.Date(2026, 3, 15, 9, 0, 0, 0, time.UTC)
	var slept []time.Duration
	src, _ = NewReplaySource(codeFrames(1), ReplayOptions{FPS: 10, Loop: true, Now: func() time.Time { return now }})
	src.sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); now = now.Add(d); return nil }
	for range 4 {
		if _, err := src.Next(ctx); err != nil {
			t.Fatal(err)
		}
		now = now.Add(30 * time.Millisecond) // the consumer works 30 ms per frame
	}
	if want := []time.Duration{70 * time.Millisecond, 70 * time.Millisecond, 70 * time.Millisecond}; !slices.Equal(slept, want) {
		t.Errorf("slept %v, want %v", slept, want)
	}

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := src.Next(cctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Next on a cancelled context = %v", err)
	}
	if _, err := NewReplaySource(nil, ReplayOptions{}); err == nil {
		t.Error("a replay source without frames was made")
	}
	if _, err := OpenFiles([]string{t.TempDir() + "/missing.png"}, ReplayOptions{}); err == nil {
		t.Error("opened a missing file")
	}
}
