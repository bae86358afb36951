package decode

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"slices"
	"testing"
	"unicode/utf8"
)

// The fuzz targets keep images small so that `make fuzz` gets through its
// executions in reasonable time; the pipeline is the same at any size.
const (
	fuzzMaxWidth  = 96
	fuzzMaxHeight = 48
	fuzzMaxPixels = 1 << 16 // for ReadLuminance alone
)

var fuzzDecoders = []*Decoder{
	New(Options{TryHarder: true, TryInverted: true}),
	New(Options{}),
	New(Options{Formats: []Format{EAN13, UPCA, Code128}, TryHarder: true}),
	New(Options{Formats: []Format{QRCode, DataMatrix, Aztec}, TryInverted: true}),
}

// checkResult holds a result to what Result promises.
func checkResult(t *testing.T, d *Decoder, res Result, bounds image.Rectangle) {
	t.Helper()
	if res.Text == "" {
		t.Errorf("found %s with empty text", res.Format)
	}
	if !utf8.ValidString(res.Text) {
		t.Errorf("text %q is not UTF-8", res.Text)
	}
	if !slices.Contains(d.Formats(), res.Format) {
		t.Errorf("found %s, which the decoder does not look for (%v)", res.Format, d.Formats())
	}
	for _, p := range res.Points {
		if !p.In(bounds) {
			t.Errorf("point %v outside %v", p, bounds)
		}
	}
}

// FuzzDecodeLuminance decodes arbitrary small frames, with padded rows and
// regions of interest, through each kind of decoder.
func FuzzDecodeLuminance(f *testing.F) {
	for _, c := range []struct {
		f    Format
		text string
	}{{QRCode, "HI"}, {DataMatrix, "A1"}, {EAN8, "96385074"}, {Code128, "B7"}} {
		img := symbol(f, c.f, c.text, 1)
		w, h := img.Rect.Dx(), min(img.Rect.Dy(), fuzzMaxHeight)
		f.Add(uint8(w-1), uint8(h-1), uint8(0), uint32(0), uint8(0), img.Pix[:h*img.Stride])
	}
	f.Add(uint8(15), uint8(15), uint8(3), uint32(0x04020101), uint8(1), []byte{0, 255, 0, 255, 128})
	f.Add(uint8(4), uint8(4), uint8(0), uint32(0), uint8(2), []byte{})

	f.Fuzz(func(t *testing.T, wb, hb, pad uint8, roiBits uint32, which uint8, data []byte) {
		w, h := 1+int(wb)%fuzzMaxWidth, 1+int(hb)%fuzzMaxHeight
		stride := w + int(pad%8)
		frame := make([]byte, stride*(h-1)+w)
		if len(data) > 0 {
			for i := range frame {
				frame[i] = data[i%len(data)]
			}
		}
		// A region of interest inside the frame, or none.
		var roi image.Rectangle
		if roiBits != 0 {
			x0, y0 := int(roiBits&0xff)%w, int(roiBits>>8&0xff)%h
			x1 := x0 + 1 + int(roiBits>>16&0xff)%(w-x0)
			y1 := y0 + 1 + int(roiBits>>24)%(h-y0)
			roi = image.Rect(x0, y0, x1, y1)
		}
		bounds := roi
		if bounds.Empty() {
			bounds = image.Rect(0, 0, w, h)
		}
		d := fuzzDecoders[int(which)%len(fuzzDecoders)]
		before := slices.Clone(frame)

		res, err := d.DecodeLuminance(frame, w, h, stride, roi)
		if !bytes.Equal(frame, before) {
			t.Fatal("DecodeLuminance wrote to the frame")
		}
		if err != nil {
			if !errors.Is(err, ErrNotFound) {
				t.Fatalf("%dx%d stride %d roi %v: %v", w, h, stride, roi, err)
			}
			return
		}
		checkResult(t, d, res, bounds)
		again, err := d.DecodeLuminance(frame, w, h, stride, roi)
		if err != nil || again.Format != res.Format || again.Text != res.Text {
			t.Errorf("second decode: %s %q, %v; first: %s %q", again.Format, again.Text, err, res.Format, res.Text)
		}

		// A frame too short for its size or stride is an error, not a panic.
		if !roi.Empty() {
			return
		}
		if _, err := d.DecodeLuminance(frame[:len(frame)-1], w, h, stride, roi); err == nil || errors.Is(err, ErrNotFound) {
			t.Errorf("short frame: %v, want an error", err)
		}
	})
}

// FuzzDecodeImage reads arbitrary bytes as an image file and decodes what
// comes out. Where image/png also reads the bytes, the PNG path must give
// the same luminance.
func FuzzDecodeImage(f *testing.F) {
	for _, c := range []struct {
		f    Format
		text string
	}{{QRCode, "HI"}, {EAN8, "96385074"}} {
		var buf bytes.Buffer
		if err := png.Encode(&buf, symbol(f, c.f, c.text, 1)); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(data)); err == nil && cfg.Width*cfg.Height > fuzzMaxPixels {
			t.Skip("too large to fuzz quickly")
		}
		g, err := ReadLuminance(data)
		if want, r, refErr := referenceLuminanceIfPNG(data); refErr == nil {
			if err != nil {
				t.Fatalf("image/png reads the file, ReadLuminance: %v", err)
			}
			if g.Rect.Dx() != r.Dx() || g.Rect.Dy() != r.Dy() {
				t.Fatalf("%v, image/png %v", g.Rect, r)
			}
			for y := range r.Dy() {
				if !bytes.Equal(g.Pix[y*g.Stride:y*g.Stride+r.Dx()], want[y*r.Dx():(y+1)*r.Dx()]) {
					t.Fatalf("row %d differs from image/png's", y)
				}
			}
		}
		if err != nil {
			return
		}
		if len(g.Pix) < (g.Rect.Dy()-1)*g.Stride+g.Rect.Dx() {
			t.Fatalf("%v image with %d bytes at stride %d", g.Rect, len(g.Pix), g.Stride)
		}
		if g.Rect.Dx() > fuzzMaxWidth*2 || g.Rect.Dy() > fuzzMaxHeight*2 {
			return // decoding it would be slow; reading it was the point
		}
		d := fuzzDecoders[0]
		res, err := d.DecodeImage(g)
		if err != nil {
			if !errors.Is(err, ErrNotFound) {
				t.Fatalf("%v image: %v", g.Rect, err)
			}
			return
		}
		checkResult(t, d, res, g.Rect)
	})
}

// referenceLuminanceIfPNG is referenceLuminance for PNG data, an error for
// anything else.
func referenceLuminanceIfPNG(data []byte) ([]byte, image.Rectangle, error) {
	if !bytes.HasPrefix(data, []byte(pngSignature)) {
		return nil, image.Rectangle{}, errors.New("not a PNG")
	}
	return referenceLuminance(data)
}
