package camera

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/driftless/driftless/client/scan/decode"
)

// blackbox is ZXing's blackbox photographs, shared beside the repository.
const blackbox = "../../../../shared/testdata/zxing-blackbox"

type labelled struct {
	frame Frame
	text  string
}

// loadFolder reads a blackbox folder's images as frames with their
// expected text, skipping the test when the shared data is absent.
func loadFolder(tb testing.TB, folder string) []labelled {
	tb.Helper()
	dir := filepath.Join(blackbox, folder)
	paths, _ := filepath.Glob(filepath.Join(dir, "*.png"))
	if len(paths) == 0 {
		tb.Skipf("no images in %s: the shared test data is absent", dir)
	}
	slices.Sort(paths)
	var out []labelled
	for _, p := range paths {
		want, err := os.ReadFile(strings.TrimSuffix(p, ".png") + ".txt")
		if err != nil && !os.IsNotExist(err) { // false-positive folders have no text
			tb.Fatal(err)
		}
		img, err := readImage(p)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, labelled{Luminance(img, time.Time{}), strings.TrimRight(string(want), "\r\n")})
	}
	return out
}

func blank(w, h int) Frame {
	y := make([]byte, w*h)
	for i := range y {
		y[i] = 0xff
	}
	return Frame{Y: y, Width: w, Height: h, Stride: w}
}

// TestScannerReplaysRealImages runs ZXing's QR photographs through the
// Scanner and the real decoder, each image followed by a blank frame so
// that every code read is reported: at least ZXing's own 0° threshold
// (17 of 20) must be reported, each with the text of its image.
func TestScannerReplaysRealImages(t *testing.T) {
	imgs := loadFolder(t, "qrcode-1")
	var frames []Frame
	for _, l := range imgs {
		frames = append(frames, l.frame, blank(64, 64))
	}
	step := 100 * time.Millisecond
	clock := stepClock(step)
	start := clock()
	src, err := NewReplaySource(frames, ReplayOptions{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	s := &Scanner{Source: src, Decoder: decode.New(decode.Options{Formats: []decode.Format{decode.QRCode}}),
		KeepAll: true, AbsentFrames: 1, AbsentFor: step}
	var got []Detection
	s.OnScan = func(d Detection) { got = append(got, d) }
	if err := s.Serve(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, d := range got {
		i := int(d.Time.Sub(start)/step) - 1 // the frame index the detection came from
		if i%2 != 0 || d.Format != decode.QRCode || d.Text != imgs[i/2].text {
			t.Errorf("frame %d: reported %s %q, want QR_CODE %q", i, d.Format, d.Text, imgs[min(i/2, len(imgs)-1)].text)
		}
	}
	if len(got) < 17 {
		t.Errorf("reported %d of %d images, want at least ZXing's 17", len(got), len(imgs))
	}
	t.Logf("reported %d of %d QR photographs; stats %+v", len(got), len(imgs), s.Stats())
}

// TestScannerCameraOnOneLabel holds one EAN-13 photograph, in a 1280x720
// frame, in front of a 15 fps camera for a second: read in every frame,
// reported once.
func TestScannerCameraOnOneLabel(t *testing.T) {
	imgs := loadFolder(t, "ean13-2")
	label := imgs[7] // 08.png, read at 0° without trying harder
	frame := frame720(label.frame)
	frames := slices.Repeat([]Frame{frame}, 15)
	src, _ := NewReplaySource(frames, ReplayOptions{Now: stepClock(time.Second / 15)})
	s := &Scanner{Source: src, Decoder: decode.New(decode.Options{Formats: []decode.Format{decode.EAN13, decode.UPCA}}),
		KeepAll: true, ROI: CenterROI(0.6, 0.6)}
	var got []string
	s.OnScan = func(d Detection) { got = append(got, d.Text) }
	if err := s.Serve(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{label.text}) || s.Stats().Found != 15 {
		t.Errorf("reported %q, want %q once (stats %+v)", got, label.text, s.Stats())
	}
}

// frame720 places a photograph unscaled in the middle of a 1280x720
// frame of mid grey: the size of a handheld's camera frame.
func frame720(src Frame) Frame {
	const w, h = 1280, 720
	y := make([]byte, w*h)
	for i := range y {
		y[i] = 0x80
	}
	cw, ch := min(src.Width, w), min(src.Height, h)
	x0, y0 := (w-cw)/2, (h-ch)/2
	for r := 0; r < ch; r++ {
		copy(y[(y0+r)*w+x0:(y0+r)*w+x0+cw], src.Y[r*src.Stride:r*src.Stride+cw])
	}
	return Frame{Y: y, Width: w, Height: h, Stride: w}
}

// countedSource yields n frames from a fixed set, then io.EOF.
type countedSource struct {
	frames []Frame
	n, i   int
}

func (c *countedSource) Next(ctx context.Context) (Frame, error) {
	if c.i == c.n {
		return Frame{}, io.EOF
	}
	f := c.frames[c.i%len(c.frames)]
	c.i++
	f.Time = time.Now()
	return f, nil
}

func (c *countedSource) Close() error { return nil }

// BenchmarkScanner720p measures continuous scanning of 1280x720 frames on
// one core (GOMAXPROCS=1) with a centred region of interest, every frame
// decoded: frames/s must stay above 15 for a camera to be kept up with.
// "label" frames hold an EAN-13 or a QR photograph, "nocode" frames hold
// photographs without a barcode: the slow case, where every reader tries
// and fails.
func BenchmarkScanner720p(b *testing.B) {
	ean := loadFolder(b, "ean13-2")
	qr := loadFolder(b, "qrcode-1")
	none := loadFolder(b, "falsepositives-2")
	cases := []struct {
		name    string
		frames  []Frame
		formats []decode.Format
	}{
		{"label/ean13", []Frame{frame720(ean[7].frame), frame720(ean[12].frame)}, nil},
		{"label/qr", []Frame{frame720(qr[0].frame), frame720(qr[7].frame)}, nil},
		{"nocode", []Frame{frame720(none[0].frame), frame720(none[1].frame)}, nil},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
			dec := decode.New(decode.Options{Formats: c.formats})
			b.ResetTimer()
			s := &Scanner{Source: &countedSource{frames: c.frames, n: b.N}, Decoder: dec, KeepAll: true,
				ROI: CenterROI(0.6, 0.6)}
			if err := s.Serve(context.Background()); err != nil {
				b.Fatal(err)
			}
			st := s.Stats()
			if st.Decoded != uint64(b.N) {
				b.Fatalf("decoded %d of %d frames", st.Decoded, b.N)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "frames/s")
			b.ReportMetric(float64(st.Found)/float64(b.N), "found/frame")
		})
	}
}
