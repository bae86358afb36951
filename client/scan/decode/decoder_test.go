package decode

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/datamatrix"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// symbol renders a code with gozxing's writers as a grayscale image: each
// module scale pixels, with a white margin of quiet modules around it.
func symbol(t testing.TB, f Format, text string, scale int) *image.Gray {
	t.Helper()
	var w gozxing.Writer
	var hints map[gozxing.EncodeHintType]any
	height := 1
	switch f {
	case QRCode:
		w = qrcode.NewQRCodeWriter()
		hints = map[gozxing.EncodeHintType]any{gozxing.EncodeHintType_CHARACTER_SET: "UTF-8"}
	case DataMatrix:
		w = datamatrix.NewDataMatrixWriter()
	case EAN13:
		w = oned.NewEAN13Writer()
	case EAN8:
		w = oned.NewEAN8Writer()
	case UPCA:
		w = oned.NewUPCAWriter()
	case UPCE:
		w = oned.NewUPCEWriter()
	case Code128:
		w = oned.NewCode128Writer()
	case Code39:
		w = oned.NewCode39Writer()
	case Code93:
		w = oned.NewCode93Writer()
	case ITF:
		w = oned.NewITFWriter()
	case Codabar:
		w = oned.NewCodaBarWriter()
	}
	fi, _ := f.info()
	if fi.linear {
		height = 40
	}
	m, err := w.Encode(text, fi.zxing, 0, height, hints)
	if err != nil {
		t.Fatalf("encode %s %q: %v", f, text, err)
	}
	const margin = 8
	mw, mh := m.GetWidth(), m.GetHeight()
	img := image.NewGray(image.Rect(0, 0, (mw+2*margin)*scale, (mh+2*margin)*scale))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for y := range mh {
		for x := range mw {
			if !m.Get(x, y) {
				continue
			}
			for dy := range scale {
				for dx := range scale {
					img.SetGray((x+margin)*scale+dx, (y+margin)*scale+dy, color.Gray{Y: 20})
				}
			}
		}
	}
	return img
}

func TestDecodeEveryFormat(t *testing.T) {
	d := New(Options{TryHarder: true})
	for _, tc := range []struct {
		format Format
		in     string // what the writer encodes
		want   string // Text
	}{
		{QRCode, "https://driftless.example/sku/4711?lot=A1", ""},
		{QRCode, "Größe 42 — 仓库", ""},
		{DataMatrix, "010950110153000317260101" + "10ABC123", ""},
		{EAN13, "9501101530003", ""},
		{EAN8, "96385074", ""},
		{UPCA, "036000291452", ""},
		{UPCE, "01234565", ""},
		{Code128, "BIN-A-07-03", ""},
		{Code39, "PALLET 42", ""},
		{Code93, "LOC-7", ""},
		{ITF, "00012345678905", ""},
		{Codabar, "A40156B", "40156"},
	} {
		t.Run(fmt.Sprintf("%s/%s", tc.format, tc.in), func(t *testing.T) {
			want := tc.want
			if want == "" {
				want = tc.in
			}
			r, err := d.DecodeImage(symbol(t, tc.format, tc.in, 3))
			if err != nil {
				t.Fatalf("DecodeImage: %v", err)
			}
			if r.Format != tc.format || r.Text != want {
				t.Errorf("got %s %q, want %s %q", r.Format, r.Text, tc.format, want)
			}
			if len(r.Points) == 0 {
				t.Error("no points")
			}
		})
	}
}

func TestAztecFromFile(t *testing.T) {
	r, err := New(Options{}).DecodeFile("testdata/aztec-hello.png")
	if err != nil {
		t.Fatal(err)
	}
	if r.Format != Aztec || r.Text != "hello" {
		t.Errorf("got %s %q, want AZTEC \"hello\"", r.Format, r.Text)
	}
}

// UPC-A is read through the EAN-13 reader; gozxing then reports it as
// EAN-13 with a leading 0 unless told UPC-A is wanted.
func TestUPCAReportedAsUPCA(t *testing.T) {
	img := symbol(t, UPCA, "036000291452", 3)
	for _, tc := range []struct {
		formats    []Format
		wantFormat Format
		wantText   string
	}{
		{nil, UPCA, "036000291452"},
		{[]Format{UPCA}, UPCA, "036000291452"},
		{[]Format{EAN13, UPCA}, UPCA, "036000291452"},
		{[]Format{EAN13}, EAN13, "0036000291452"},
	} {
		r, err := New(Options{Formats: tc.formats}).DecodeImage(img)
		if err != nil {
			t.Fatalf("formats %v: %v", tc.formats, err)
		}
		if r.Format != tc.wantFormat || r.Text != tc.wantText {
			t.Errorf("formats %v: got %s %q, want %s %q", tc.formats, r.Format, r.Text, tc.wantFormat, tc.wantText)
		}
	}
}

// gozxing's Code 128 reader returns data bytes above 127 as they are, in a
// Go string that is then not UTF-8. (gozxing's writer cannot encode them,
// so the result is built by hand here.)
func TestCode128Latin1(t *testing.T) {
	d := New(Options{})
	raw := gozxing.NewResult(string([]byte{'G', 'r', 0xf6, 0xdf, 'e'}), nil, nil, gozxing.BarcodeFormat_CODE_128)
	r, err := d.result(raw, image.Rect(0, 0, 100, 10))
	if err != nil {
		t.Fatal(err)
	}
	if r.Text != "Größe" {
		t.Errorf("text %q, want %q", r.Text, "Größe")
	}
	if want := []byte{'G', 'r', 0xf6, 0xdf, 'e'}; !slices.Equal(r.Bytes, want) {
		t.Errorf("bytes % x, want % x (ISO-8859-1)", r.Bytes, want)
	}
}

func TestGS1128(t *testing.T) {
	// The writer turns U+00F1 into FNC1.
	r, err := New(Options{Formats: []Format{Code128}}).DecodeImage(symbol(t, Code128, "\u00f101095011015300031710ABC\u00f121XYZ", 3))
	if err != nil {
		t.Fatal(err)
	}
	if r.Symbology != "]C1" {
		t.Errorf("symbology %q, want ]C1", r.Symbology)
	}
	if want := "01095011015300031710ABC\x1d21XYZ"; r.Text != want {
		t.Errorf("text %q, want %q", r.Text, want)
	}
}

func TestFormatsRestrict(t *testing.T) {
	img := symbol(t, EAN13, "9501101530003", 3)
	_, err := New(Options{Formats: []Format{QRCode, Code128}, TryHarder: true}).DecodeImage(img)
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("EAN-13 with only QR and Code 128 enabled: err %v, want ErrNotFound", err)
	}
}

func TestNotFound(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 320, 240))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range img.Pix {
		img.Pix[i] = byte(rng.IntN(256)) // noise
	}
	r, err := New(Options{TryHarder: true, TryInverted: true}).DecodeImage(img)
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("noise: err %v, want ErrNotFound (found %s %q at %v)", err, r.Format, r.Text, r.Points)
	}
}

// turn returns img turned a quarter turn clockwise (times 1, 2 or 3).
func turn(img *image.Gray, times int) *image.Gray {
	for range times {
		b := img.Bounds()
		out := image.NewGray(image.Rect(0, 0, b.Dy(), b.Dx()))
		for y := range b.Dy() {
			for x := range b.Dx() {
				out.Pix[x*out.Stride+(b.Dy()-1-y)] = img.Pix[y*img.Stride+x]
			}
		}
		img = out
	}
	return img
}

func TestRotated1D(t *testing.T) {
	img := symbol(t, Code128, "ROT-90", 3)
	for times := 1; times <= 3; times++ {
		turned := turn(img, times)
		r, err := New(Options{TryHarder: true}).DecodeImage(turned)
		if err != nil || r.Text != "ROT-90" {
			t.Errorf("turned %d×90°, trying harder: %q %v", times, r.Text, err)
		}
		if times%2 == 1 {
			if _, err := New(Options{}).DecodeImage(turned); !errors.Is(err, ErrNotFound) {
				t.Errorf("turned %d×90° without trying harder: err %v, want ErrNotFound", times, err)
			}
		}
	}
	// The points are in the original image's coordinates: a vertical code
	// has both ends at about the same x.
	r, err := New(Options{TryHarder: true}).DecodeImage(turn(img, 1))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Points) != 2 || abs(r.Points[0].X-r.Points[1].X) > 2 {
		t.Errorf("points %v: want two ends of a vertical scan line", r.Points)
	}
}

func abs(x int) int { return max(x, -x) }

func invert(img *image.Gray) *image.Gray {
	out := image.NewGray(img.Bounds())
	for i, v := range img.Pix {
		out.Pix[i] = 255 - v
	}
	return out
}

func TestInverted(t *testing.T) {
	for _, tc := range []struct {
		f    Format
		text string
	}{{DataMatrix, "INV-DM-1"}, {QRCode, "INV-QR-1"}, {EAN13, "9501101530003"}} {
		img := invert(symbol(t, tc.f, tc.text, 3))
		if _, err := New(Options{TryHarder: true}).DecodeImage(img); !errors.Is(err, ErrNotFound) {
			t.Errorf("inverted %s without TryInverted: err %v, want ErrNotFound", tc.f, err)
		}
		r, err := New(Options{TryHarder: true, TryInverted: true}).DecodeImage(img)
		if err != nil || r.Text != tc.text {
			t.Errorf("inverted %s with TryInverted: %q %v", tc.f, r.Text, err)
		}
	}
}

// frame pastes img into a 1280×720 Y plane with padding at the end of each
// row (stride > width), at (x, y).
func frame(img *image.Gray, x, y int) (pix []byte, width, height, stride int) {
	width, height, stride = 1280, 720, 1344
	pix = make([]byte, stride*height)
	for i := range pix {
		pix[i] = 200
	}
	b := img.Bounds()
	for r := range b.Dy() {
		copy(pix[(y+r)*stride+x:], img.Pix[r*img.Stride:r*img.Stride+b.Dx()])
	}
	return pix, width, height, stride
}

func TestDecodeLuminanceROI(t *testing.T) {
	code := symbol(t, QRCode, "FRAME-ROI", 4)
	pix, w, h, stride := frame(code, 700, 300)
	d := New(Options{})
	cb := code.Bounds().Add(image.Pt(700, 300))

	r, err := d.DecodeLuminance(pix, w, h, stride, image.Rectangle{})
	if err != nil || r.Text != "FRAME-ROI" {
		t.Fatalf("whole frame: %q %v", r.Text, err)
	}
	roi := image.Rect(600, 200, 1100, 600)
	r, err = d.DecodeLuminance(pix, w, h, stride, roi)
	if err != nil || r.Text != "FRAME-ROI" {
		t.Fatalf("region around the code: %q %v", r.Text, err)
	}
	for _, p := range r.Points {
		if !p.In(cb) {
			t.Errorf("point %v outside the code at %v: points must be in frame coordinates", p, cb)
		}
	}
	if _, err := d.DecodeLuminance(pix, w, h, stride, image.Rect(0, 0, 500, 500)); !errors.Is(err, ErrNotFound) {
		t.Errorf("region away from the code: err %v, want ErrNotFound", err)
	}
	if _, err := d.DecodeLuminance(pix, w, h, stride, image.Rect(1200, 600, 1400, 800)); err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf("region outside the frame: err %v, want an error", err)
	}
	if _, err := d.DecodeLuminance(pix[:len(pix)/2], w, h, stride, image.Rectangle{}); err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf("short plane: err %v, want an error", err)
	}
}

func TestDecodeLuminanceDoesNotWriteTheFrame(t *testing.T) {
	pix, w, h, stride := frame(invert(symbol(t, DataMatrix, "RO", 3)), 100, 100)
	before := slices.Clone(pix)
	New(Options{TryHarder: true, TryInverted: true}).DecodeLuminance(pix, w, h, stride, image.Rect(50, 50, 400, 400))
	if !slices.Equal(pix, before) {
		t.Error("DecodeLuminance wrote into the caller's frame")
	}
}

func TestConcurrentUse(t *testing.T) {
	d := New(Options{TryHarder: true, TryInverted: true})
	cases := []struct {
		img  *image.Gray
		text string
	}{
		{symbol(t, QRCode, "C-QR", 3), "C-QR"},
		{symbol(t, Code128, "C-128", 3), "C-128"},
		{symbol(t, EAN13, "9501101530003", 3), "9501101530003"},
		{symbol(t, Codabar, "A123456B", 3), "123456"},
		{symbol(t, ITF, "12345678", 3), "12345678"},
		{invert(symbol(t, DataMatrix, "C-DM", 3)), "C-DM"},
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 8 {
		wg.Go(func() {
			for i := range 12 {
				c := cases[(g+i)%len(cases)]
				r, err := d.DecodeImage(c.img)
				if err != nil || r.Text != c.text {
					errs <- fmt.Errorf("goroutine %d: got %q %v, want %q", g, r.Text, err, c.text)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"UPC_A": UPCA, "upc-a": UPCA, "qrcode": QRCode, "Data Matrix": DataMatrix, "code128": Code128} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
	if _, err := ParseFormat("PDF_417"); err == nil {
		t.Error("ParseFormat(PDF_417): want an error, the format is not supported")
	}
}

// TestRotateInto holds the quarter turn to its definition, for windows of
// a padded plane, into a fresh buffer and into a reused one too small or
// large enough.
func TestRotateInto(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 13))
	buf := make([]byte, 0, 100)
	for _, c := range []struct{ w, h, left, top, pad int }{
		{1, 1, 0, 0, 0}, {16, 16, 0, 0, 0}, {17, 5, 2, 3, 1}, {40, 33, 5, 0, 7}, {5, 70, 0, 9, 3},
	} {
		stride := c.left + c.w + c.pad
		pix := make([]byte, stride*(c.top+c.h))
		for i := range pix {
			pix[i] = byte(rng.IntN(256))
		}
		src, err := newPlaneSource(pix, stride, c.left, c.top, c.w, c.h)
		if err != nil {
			t.Fatal(err)
		}
		for _, into := range [][]byte{nil, buf} {
			r := src.rotateInto(into)
			if r.Width != c.h || r.Height != c.w {
				t.Fatalf("%+v: turned %dx%d", c, r.Width, r.Height)
			}
			for j := range c.w {
				row, _ := r.GetRow(j, nil)
				for i := range c.h {
					if want := pix[(c.top+i)*stride+c.left+c.w-1-j]; row[i] != want {
						t.Fatalf("%+v: turned (%d,%d) = %d, want %d", c, i, j, row[i], want)
					}
				}
			}
			buf = r.pix[:0]
		}
	}
}
