package decode

import (
	"errors"
	"fmt"
	"image"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/aztec"
	"github.com/makiuchi-d/gozxing/datamatrix"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// ErrNotFound is returned when an image holds no barcode of an enabled format
// that could be read.
var ErrNotFound = errors.New("no barcode found")

// Result is one decoded barcode.
type Result struct {
	Format Format
	// Text is the content as UTF-8. GS1 element strings keep their FNC1
	// separators as ASCII GS (0x1D); the leading FNC1 that marks a symbol as
	// GS1 shows in Symbology instead.
	Text string
	// Bytes holds the symbol's data bytes where the symbology carries bytes
	// rather than characters: the data characters of Code 128 (ISO-8859-1,
	// which Text has converted to UTF-8) and the byte-mode segments of QR
	// Code, Data Matrix and Aztec. Nil for the others.
	Bytes []byte
	// Symbology is the AIM symbology identifier, such as "]C1" for GS1-128,
	// "]E0" for EAN/UPC or "]Q1" for QR Code; "" when the reader gives none.
	Symbology string
	// Points are where the symbol was found, in the coordinates of the whole
	// image or frame (not of the region of interest): two end points on the
	// scan line for 1D codes, the finder patterns or corners for 2D codes.
	// They lie inside the region decoded: corners a detector extrapolates
	// past the frame's edge are clamped to it.
	Points []image.Point
}

// Options choose what a Decoder looks for and how hard.
type Options struct {
	// Formats are the symbologies a deployment enables; empty means all.
	// Fewer formats decode faster and misread less.
	Formats []Format
	// TryHarder spends more time for a better chance on still images: 1D
	// codes are looked for on every row and also turned a quarter turn, and
	// the 2D finders scan finer. Live camera frames usually leave it off and
	// rely on the next frame.
	TryHarder bool
	// TryInverted also decodes the inverted image, for light codes printed
	// on a dark ground (common for Data Matrix marked on parts).
	TryInverted bool
}

// Decoder reads barcodes from images and luminance frames. It is safe for
// concurrent use; each call borrows its own set of gozxing readers, which
// keep state between rows and so must not be shared.
type Decoder struct {
	opts     Options
	enabled  map[Format]bool
	matrix   []Format // enabled 2D formats, in trying order
	linear   []Format // enabled 1D formats
	hints    map[gozxing.DecodeHintType]any
	pure     map[gozxing.DecodeHintType]any
	readers  sync.Pool // of *readerSet
	anyUPCEA bool
}

// New returns a Decoder for opts. Unknown formats in opts.Formats are
// ignored; New panics on none, since that is a programming error.
func New(opts Options) *Decoder {
	d := &Decoder{opts: opts, enabled: map[Format]bool{}}
	want := opts.Formats
	if len(want) == 0 {
		want = AllFormats()
	}
	var zformats []gozxing.BarcodeFormat
	for _, fi := range formats { // keep our trying order, whatever the caller's
		if !slices.Contains(want, fi.format) {
			continue
		}
		d.enabled[fi.format] = true
		zformats = append(zformats, fi.zxing)
		if fi.linear {
			d.linear = append(d.linear, fi.format)
		} else {
			d.matrix = append(d.matrix, fi.format)
		}
		switch fi.format {
		case EAN13, EAN8, UPCA, UPCE:
			d.anyUPCEA = true
		}
	}
	if len(d.enabled) == 0 {
		panic(fmt.Sprintf("decode.New: no supported format in %v", opts.Formats))
	}
	d.hints = map[gozxing.DecodeHintType]any{
		// The UPC/EAN reader reads this at decode time to tell UPC-A from
		// EAN-13 with a leading zero.
		gozxing.DecodeHintType_POSSIBLE_FORMATS: zformats,
		// Code 128: keep FNC1 as GS and mark GS1-128 with "]C1".
		gozxing.DecodeHintType_ASSUME_GS1: true,
	}
	if opts.TryHarder {
		d.hints[gozxing.DecodeHintType_TRY_HARDER] = true
	}
	d.pure = map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true}
	for k, v := range d.hints {
		d.pure[k] = v
	}
	d.readers.New = func() any { return d.newReaderSet() }
	return d
}

// Formats returns the formats d looks for.
func (d *Decoder) Formats() []Format {
	return append(slices.Clone(d.matrix), d.linear...)
}

// readerSet is one goroutine's set of gozxing readers.
type readerSet struct {
	matrix []matrixReader
	linear *linearScanner // nil when no 1D format is enabled
}

type matrixReader struct {
	format Format
	reader gozxing.Reader
	pure   bool // has a pure-barcode mode
}

func (d *Decoder) newReaderSet() *readerSet {
	rs := &readerSet{}
	for _, f := range d.matrix {
		switch f {
		case QRCode:
			rs.matrix = append(rs.matrix, matrixReader{f, qrcode.NewQRCodeReader(), true})
		case DataMatrix:
			rs.matrix = append(rs.matrix, matrixReader{f, datamatrix.NewDataMatrixReader(), true})
		case Aztec:
			rs.matrix = append(rs.matrix, matrixReader{f, aztec.NewAztecReader(), false})
		}
	}
	if len(d.linear) > 0 {
		rs.linear = d.newLinearScanner()
	}
	return rs
}

// DecodeImage finds and reads one barcode in img.
func (d *Decoder) DecodeImage(img image.Image) (Result, error) {
	pix, stride, r := luminance(img)
	src, err := newPlaneSource(pix, stride, 0, 0, r.Dx(), r.Dy())
	if err != nil {
		return Result{}, fmt.Errorf("decode image: %w", err)
	}
	return d.decode(src, r.Min)
}

// DecodeLuminance finds and reads one barcode in an 8-bit luminance frame
// (the Y plane of a camera frame), width×height pixels with rows stride
// bytes apart, looking only inside roi when it is not empty. The frame is
// read in place, not copied.
func (d *Decoder) DecodeLuminance(y []byte, width, height, stride int, roi image.Rectangle) (Result, error) {
	frame := image.Rect(0, 0, width, height)
	if roi.Empty() {
		roi = frame
	}
	if !roi.In(frame) {
		return Result{}, fmt.Errorf("decode luminance: region %v outside the %dx%d frame", roi, width, height)
	}
	src, err := newPlaneSource(y, stride, roi.Min.X, roi.Min.Y, roi.Dx(), roi.Dy())
	if err != nil {
		return Result{}, fmt.Errorf("decode luminance: %w", err)
	}
	return d.decode(src, roi.Min)
}

// decode runs the pipeline on src; origin is where src's (0,0) lies in the
// caller's coordinates.
func (d *Decoder) decode(src *planeSource, origin image.Point) (Result, error) {
	rs := d.readers.Get().(*readerSet)
	defer d.readers.Put(rs)
	bounds := image.Rectangle{Min: origin, Max: origin.Add(image.Pt(src.Width, src.Height))}

	binarizer := newHybridBinarizer(src)
	bitmap, err := gozxing.NewBinaryBitmap(binarizer)
	if err != nil {
		return Result{}, fmt.Errorf("decode: %w", err)
	}
	// A pure (synthetic, upright, unobstructed) 2D symbol is read by
	// sampling its modules directly, which is quick to fail otherwise.
	if r, ok := d.readMatrix(rs, bitmap, d.pure); ok {
		return d.result(r, bounds)
	}
	if r, ok := d.readMatrix(rs, bitmap, d.hints); ok {
		return d.result(r, bounds)
	}
	if rs.linear != nil {
		if r, ok := rs.linear.scan(src, d.opts.TryHarder, d.opts.TryInverted); ok {
			return d.result(r, bounds)
		}
	}
	if d.opts.TryInverted && len(rs.matrix) > 0 {
		inv, err := gozxing.NewBinaryBitmap(&invertedBinarizer{Binarizer: binarizer})
		if err != nil {
			return Result{}, fmt.Errorf("decode inverted: %w", err)
		}
		if r, ok := d.readMatrix(rs, inv, d.hints); ok {
			return d.result(r, bounds)
		}
	}
	return Result{}, ErrNotFound
}

// readMatrix tries the enabled 2D readers on bitmap; with the pure hints
// only those that have a pure mode.
func (d *Decoder) readMatrix(rs *readerSet, bitmap *gozxing.BinaryBitmap, hints map[gozxing.DecodeHintType]any) (*gozxing.Result, bool) {
	_, pure := hints[gozxing.DecodeHintType_PURE_BARCODE]
	for _, m := range rs.matrix {
		if pure && !m.pure {
			continue
		}
		r, err := m.reader.Decode(bitmap, hints)
		if err != nil {
			continue
		}
		if pure && len(r.GetResultPoints()) == 0 {
			// A pure read has no finder points: the symbol is what the
			// black pixels enclose.
			if mx, err := bitmap.GetBlackMatrix(); err == nil {
				if rect := mx.GetEnclosingRectangle(); len(rect) == 4 {
					x0, y0 := float64(rect[0]), float64(rect[1])
					x1, y1 := x0+float64(rect[2]-1), y0+float64(rect[3]-1)
					r.AddResultPoints([]gozxing.ResultPoint{
						gozxing.NewResultPoint(x0, y1), gozxing.NewResultPoint(x0, y0),
						gozxing.NewResultPoint(x1, y0), gozxing.NewResultPoint(x1, y1)})
				}
			}
		}
		return r, true
	}
	return nil, false
}

// invertedBinarizer is a binarizer's output with black and white swapped,
// for light symbols on a dark ground. Swapping the bits rather than
// binarizing the inverted luminance again is what ZXing-C++ does too.
type invertedBinarizer struct {
	gozxing.Binarizer
	once   sync.Once
	matrix *gozxing.BitMatrix
	err    error
}

func (b *invertedBinarizer) GetLuminanceSource() gozxing.LuminanceSource {
	return b.Binarizer.GetLuminanceSource().Invert()
}

func (b *invertedBinarizer) GetBlackRow(y int, row *gozxing.BitArray) (*gozxing.BitArray, error) {
	row, err := b.Binarizer.GetBlackRow(y, row)
	if err != nil {
		return nil, err
	}
	width := b.GetWidth()
	for x := 0; x < width; x++ {
		row.Flip(x)
	}
	return row, nil
}

func (b *invertedBinarizer) GetBlackMatrix() (*gozxing.BitMatrix, error) {
	b.once.Do(func() {
		m, err := b.Binarizer.GetBlackMatrix()
		if err != nil {
			b.err = err
			return
		}
		inv, err := gozxing.NewBitMatrix(m.GetWidth(), m.GetHeight())
		if err != nil {
			b.err = err
			return
		}
		inv.FlipAll()
		if b.err = inv.Xor(m); b.err == nil {
			b.matrix = inv
		}
	})
	return b.matrix, b.err
}

func (b *invertedBinarizer) CreateBinarizer(src gozxing.LuminanceSource) gozxing.Binarizer {
	// src is already inverted (it derives from GetLuminanceSource).
	return b.Binarizer.CreateBinarizer(src)
}

// result converts a gozxing result, fixing what gozxing leaves raw; bounds
// is the region decoded, in the caller's coordinates.
func (d *Decoder) result(r *gozxing.Result, bounds image.Rectangle) (Result, error) {
	f, ok := fromZXing(r.GetBarcodeFormat())
	text := r.GetText()
	// Without POSSIBLE_FORMATS gozxing reports a UPC-A symbol as EAN-13 with
	// a leading zero; hints carry it, but normalise here too so that the
	// answer never depends on which path found the code.
	switch {
	case f == EAN13 && strings.HasPrefix(text, "0") && len(text) == 13 && d.enabled[UPCA]:
		f, text = UPCA, text[1:]
	case f == UPCA && !d.enabled[UPCA] && d.enabled[EAN13]:
		f, text = EAN13, "0"+text
	}
	if !ok || !d.enabled[f] {
		return Result{}, ErrNotFound
	}
	res := Result{Format: f, Text: text}
	md := r.GetResultMetadata()
	if s, ok := md[gozxing.ResultMetadataType_SYMBOLOGY_IDENTIFIER].(string); ok {
		res.Symbology = s
	}
	switch f {
	case Code128:
		// gozxing returns Code 128's ISO-8859-1 data bytes in a Go string
		// as they are: bytes above 127 make it invalid UTF-8.
		text = strings.TrimPrefix(text, "]C1")
		res.Bytes = []byte(text)
		res.Text = latin1(res.Bytes)
	case QRCode, DataMatrix, Aztec:
		if segs, ok := md[gozxing.ResultMetadataType_BYTE_SEGMENTS].([][]byte); ok {
			for _, s := range segs {
				res.Bytes = append(res.Bytes, s...)
			}
		}
	}
	if !utf8.ValidString(res.Text) {
		// A 2D symbol's bytes in a character set gozxing guessed wrong;
		// Bytes keeps them as they were.
		res.Text = strings.ToValidUTF8(res.Text, "\uFFFD")
	}
	for _, p := range r.GetResultPoints() {
		if p == nil {
			continue
		}
		// Detectors extrapolate corners, which for a symbol cut by the
		// frame's edge can fall outside it: clamp them to the region.
		x := bounds.Min.X + int(math.Round(p.GetX()))
		y := bounds.Min.Y + int(math.Round(p.GetY()))
		res.Points = append(res.Points, image.Pt(
			min(max(x, bounds.Min.X), bounds.Max.X-1), min(max(y, bounds.Min.Y), bounds.Max.Y-1)))
	}
	return res, nil
}

// latin1 decodes ISO-8859-1 bytes to a UTF-8 string.
func latin1(b []byte) string {
	ascii := true
	for _, c := range b {
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(2 * len(b))
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}
