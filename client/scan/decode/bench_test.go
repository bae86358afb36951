package decode

import (
	"image"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// BenchmarkFrameROI decodes a 1280×720 camera-like luminance frame (Y plane
// with row padding, textured background, the code in the middle) inside a
// centred 640×360 region of interest, with the options a live camera uses
// (no TryHarder). It reports the median time per frame.
func BenchmarkFrameROI(b *testing.B) {
	for _, c := range []struct {
		name string
		f    Format
		text string
	}{
		{"EAN13", EAN13, "9501101530003"},
		{"QR", QRCode, "https://driftless.example/l/A-07-03"},
		{"Code128", Code128, "BIN-A-07-03"},
		{"none", "", ""},
	} {
		b.Run(c.name, func(b *testing.B) {
			pix, w, h, stride := texturedFrame()
			if c.f != "" {
				code := symbol(b, c.f, c.text, 3)
				cb := code.Bounds()
				x, y := (w-cb.Dx())/2, (h-cb.Dy())/2
				for r := range cb.Dy() {
					copy(pix[(y+r)*stride+x:], code.Pix[r*code.Stride:r*code.Stride+cb.Dx()])
				}
			}
			roi := image.Rect(w/4, h/4, 3*w/4, 3*h/4)
			d := New(Options{})
			var times []time.Duration
			for b.Loop() {
				start := time.Now()
				r, err := d.DecodeLuminance(pix, w, h, stride, roi)
				times = append(times, time.Since(start))
				if c.f != "" && (err != nil || r.Text != c.text) {
					b.Fatalf("got %q %v, want %q", r.Text, err, c.text)
				}
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "ms/median")
		})
	}
}

// texturedFrame is a mid-grey 1280×720 Y plane with a stride of 1344 and
// mild sensor noise.
func texturedFrame() (pix []byte, width, height, stride int) {
	width, height, stride = 1280, 720, 1344
	pix = make([]byte, stride*height)
	rng := rand.New(rand.NewPCG(7, 7))
	for i := range pix {
		pix[i] = byte(150 + rng.IntN(40))
	}
	return pix, width, height, stride
}
