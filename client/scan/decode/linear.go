package decode

import (
	"slices"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
)

// rowReader is one gozxing 1D reader with the cheap test of whether its
// start pattern could be on a row.
type rowReader struct {
	may func(*rowRuns) bool
	rd  oned.RowDecoder
}

// linearScanner is the multi-format 1D reader gozxing lacks. Each row is
// binarized once, turned into run lengths, and offered to every enabled
// reader whose start pattern might be on it, forwards and backwards (for
// codes upside down) and, when asked, with the colours swapped (for light
// bars on a dark ground). A code counts as read once two rows agree on it,
// which turns away the stray reads that stripes and textures produce.
type linearScanner struct {
	readers []rowReader
	hints   map[gozxing.DecodeHintType]any

	// scratch, reused between rows
	runs, variant []int
	rr            rowRuns
	sum           []int
	lum           []byte
	prev          []uint32 // the last row's bits, to skip identical rows
	row           *gozxing.BitArray
}

// minLines is how many rows must read the same code.
const minLines = 2

func (d *Decoder) newLinearScanner() *linearScanner {
	ls := &linearScanner{hints: d.hints}
	if d.anyUPCEA {
		ls.readers = append(ls.readers, rowReader{mayUPCEAN, oned.NewMultiFormatUPCEANReader(d.hints).(oned.RowDecoder)})
	}
	for _, f := range d.linear {
		switch f {
		case Code128:
			ls.readers = append(ls.readers, rowReader{mayCode128, oned.NewCode128Reader().(oned.RowDecoder)})
		case Code39:
			ls.readers = append(ls.readers, rowReader{mayCode39, oned.NewCode39Reader().(oned.RowDecoder)})
		case Code93:
			ls.readers = append(ls.readers, rowReader{mayCode93, oned.NewCode93Reader().(oned.RowDecoder)})
		case ITF:
			ls.readers = append(ls.readers, rowReader{mayITF, oned.NewITFReader().(oned.RowDecoder)})
		case Codabar:
			ls.readers = append(ls.readers, rowReader{mayCodabar, oned.NewCodaBarReader().(oned.RowDecoder)})
		}
	}
	return ls
}

// rowScan is the state of one scan over an image.
type rowScan struct {
	bitmap   *gozxing.BinaryBitmap
	src      gozxing.LuminanceSource // what bitmap binarizes
	inverted bool // also try each row with its colours swapped
	seen     map[string]int
	prevOK   bool // whether the previous row was read, for identical rows
	prevRes  *gozxing.Result
}

// scan looks for a 1D code in bitmap row by row from the middle outwards:
// every row (or every height/256th) when trying harder, else 15 rows 1/32
// of the height apart, as ZXing does. Then, when trying harder, it does the
// same on the image turned a quarter turn.
func (ls *linearScanner) scan(src gozxing.LuminanceSource, bitmap *gozxing.BinaryBitmap, tryHarder, inverted bool) (*gozxing.Result, bool) {
	if r, ok := ls.scanRows(src, bitmap, tryHarder, inverted); ok {
		return r, true
	}
	if !tryHarder || !src.IsRotateSupported() {
		return nil, false
	}
	turned, err := src.RotateCounterClockwise()
	if err != nil {
		return nil, false
	}
	rotated, err := gozxing.NewBinaryBitmap(gozxing.NewHybridBinarizer(turned))
	if err != nil {
		return nil, false
	}
	r, ok := ls.scanRows(turned, rotated, tryHarder, inverted)
	if !ok {
		return nil, false
	}
	// Map the points back: (x, y) in the image turned counter-clockwise is
	// (w-1-y, x) in the original, w being the turned image's height.
	h := float64(rotated.GetHeight())
	pts := r.GetResultPoints()
	for i, p := range pts {
		pts[i] = gozxing.NewResultPoint(h-p.GetY()-1, p.GetX())
	}
	return r, true
}

func (ls *linearScanner) scanRows(src gozxing.LuminanceSource, bitmap *gozxing.BinaryBitmap, tryHarder, inverted bool) (*gozxing.Result, bool) {
	height := bitmap.GetHeight()
	rowStep, maxLines := max(1, height>>5), 15
	if tryHarder {
		rowStep, maxLines = max(1, height>>8), height
	}
	s := &rowScan{bitmap: bitmap, src: src, inverted: inverted, seen: map[string]int{}}
	if width := bitmap.GetWidth(); ls.row == nil || ls.row.GetSize() != width {
		// Exactly the image's width: the readers take the row's size for it.
		ls.row = gozxing.NewBitArray(width)
	}
	ls.prev = ls.prev[:0]
	middle := height / 2
	for x := range maxLines {
		steps := (x + 1) / 2
		y := middle - rowStep*steps
		if x&1 == 0 {
			y = middle + rowStep*steps
		}
		if y < 0 || y >= height {
			break
		}
		r, confirmed := ls.scanRow(s, y)
		if r == nil {
			continue
		}
		if confirmed {
			return r, true
		}
		// Seen once: look at the rows next to it, which the sparse
		// steps of a quick scan would not reach.
		if rowStep > 1 {
			for _, dy := range []int{1, -1, 2, -2} {
				if y+dy < 0 || y+dy >= height {
					continue
				}
				if r, confirmed := ls.scanRow(s, y+dy); r != nil && confirmed {
					return r, true
				}
			}
		}
	}
	return nil, false
}

// scanRow reads row y; confirmed is set once minLines rows have read the
// same code.
func (ls *linearScanner) scanRow(s *rowScan, y int) (r *gozxing.Result, confirmed bool) {
	row, err := s.bitmap.GetBlackRow(y, ls.row)
	if err != nil {
		return nil, false // too little contrast on this row
	}
	ls.row = row
	bits := ls.row.GetBitArray()
	if slices.Equal(bits, ls.prev) {
		// The same bits read the same way: count the row again.
		if !s.prevOK {
			return nil, false
		}
		r = s.prevRes
	} else {
		ls.prev = append(ls.prev[:0], bits...)
		r = ls.readRow(s, y)
		s.prevOK, s.prevRes = r != nil, r
		if r == nil {
			return nil, false
		}
	}
	key := resultKey(r)
	s.seen[key]++
	if s.seen[key] == 1 && ls.confirm(s, y, key) {
		s.seen[key]++
	}
	return r, s.seen[key] >= minLines
}

func resultKey(r *gozxing.Result) string {
	return r.GetBarcodeFormat().String() + "\x00" + r.GetText()
}

// confirm re-reads row y smoothed vertically, averaged with the rows next
// to it, and reports whether it reads the same. Bars are continuous along
// their height, so the average keeps a real code (and evens out the glare
// or print defect that left it readable on one row only); the stripes of a
// texture that happened to read as a code on one row do not survive it.
func (ls *linearScanner) confirm(s *rowScan, y int, key string) bool {
	if s.src == nil {
		return false
	}
	width, height := s.src.GetWidth(), s.src.GetHeight()
	ls.sum = slices.Grow(ls.sum[:0], width)[:width]
	clear(ls.sum)
	n := 0
	for dy := -smoothRadius; dy <= smoothRadius; dy++ {
		if y+dy < 0 || y+dy >= height {
			continue
		}
		lum, err := s.src.GetRow(y+dy, ls.lum)
		if err != nil {
			return false
		}
		ls.lum = lum
		for x, v := range lum[:width] {
			ls.sum[x] += int(v)
		}
		n++
	}
	avg := make([]byte, width)
	for x, v := range ls.sum {
		avg[x] = byte(v / n)
	}
	one, err := newPlaneSource(avg, width, 0, 0, width, 1)
	if err != nil {
		return false
	}
	row, err := gozxing.NewGlobalHistgramBinarizer(one).GetBlackRow(0, nil)
	if err != nil {
		return false
	}
	saved := ls.row
	ls.row = row
	r := ls.readRow(s, y)
	ls.row = saved
	return r != nil && resultKey(r) == key
}

const smoothRadius = 1

// readRow offers row y, in ls.row, to the readers that might find their
// start on it: forwards, backwards, and if asked colour-swapped both ways.
func (ls *linearScanner) readRow(s *rowScan, y int) *gozxing.Result {
	width := s.bitmap.GetWidth()
	ls.runs = appendRuns(ls.runs[:0], ls.row, width)
	variants := 2
	if s.inverted {
		variants = 4
	}
	for v := range variants {
		runs := ls.runs
		if v > 0 {
			ls.variant = variantRuns(ls.variant[:0], ls.runs, v&1 == 1, v >= 2)
			runs = ls.variant
		}
		ls.rr.set(runs)
		var row *gozxing.BitArray
		for _, rr := range ls.readers {
			if !rr.may(&ls.rr) {
				continue
			}
			if row == nil {
				row = ls.row
				if v > 0 {
					row = bitsFromRuns(runs, width)
				}
			}
			r, err := rr.rd.DecodeRow(y, row, ls.hints)
			if err != nil {
				continue
			}
			if v&1 == 1 {
				// Read backwards: mirror the end points.
				pts := r.GetResultPoints()
				for i, p := range pts {
					pts[i] = gozxing.NewResultPoint(float64(width)-p.GetX()-1, p.GetY())
				}
			}
			return r
		}
	}
	return nil
}

// appendRuns appends the run lengths of the first width bits of row.
func appendRuns(runs []int, row *gozxing.BitArray, width int) []int {
	x, black := 0, false
	for x < width {
		var next int
		if black {
			next = row.GetNextUnset(x)
		} else {
			next = row.GetNextSet(x)
		}
		next = min(next, width)
		runs = append(runs, next-x)
		x, black = next, !black
	}
	return runs
}

// variantRuns writes into dst the runs of the row reversed and/or with its
// colours swapped, keeping the convention that runs[0] is white.
func variantRuns(dst, runs []int, reverse, invert bool) []int {
	// Colour of the first run as it will be read: white unless the row's
	// first run (its last when reversed) was black, or was white but the
	// colours are swapped.
	first := 0
	if reverse {
		first = len(runs) - 1
	}
	firstBlack := first%2 == 1
	if invert {
		firstBlack = !firstBlack
	}
	if firstBlack {
		dst = append(dst, 0)
	}
	if reverse {
		for i := len(runs) - 1; i >= 0; i-- {
			dst = append(dst, runs[i])
		}
	} else {
		dst = append(dst, runs...)
	}
	// A zero-length run left at the front of a black-first sequence would
	// now stand in the white slot after the 0 just added; drop both.
	if len(dst) >= 2 && dst[0] == 0 && dst[1] == 0 {
		dst = dst[2:]
	}
	// Likewise a zero-length run left at the end.
	if n := len(dst); n > 1 && dst[n-1] == 0 {
		dst = dst[:n-1]
	}
	return dst
}

// bitsFromRuns builds a row whose odd runs are black.
func bitsFromRuns(runs []int, width int) *gozxing.BitArray {
	row := gozxing.NewBitArray(width)
	x := 0
	for i, n := range runs {
		if i%2 == 1 && n > 0 {
			row.SetRange(x, x+n)
		}
		x += n
	}
	return row
}
