package decode

import (
	"maps"
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

// linearScanner is the multi-format 1D reader gozxing lacks. Each row of
// luminance is binarized once, at sub-pixel precision, into run lengths,
// and offered to every enabled reader whose start pattern might be on it,
// forwards and backwards (for codes upside down) and, when asked, with the
// colours swapped (light bars on a dark ground). A code counts as read once
// two rows agree on it, which turns away the stray reads that stripes and
// textures produce.
type linearScanner struct {
	readers []rowReader
	hints   map[gozxing.DecodeHintType]any

	// scratch, reused between rows
	lum, avg      []byte
	sum, sharp    []int
	thr           []int
	runs, variant []int
	prev          []int // the last row's runs, to skip identical rows
	rr            rowRuns
	thr01         thrWeights
	turned        []byte // the image turned a quarter turn, when trying harder
}

// maxKeptTurned is the largest turned image, in pixels, whose buffer a
// scanner keeps for the next image.
const maxKeptTurned = 1 << 22

// minLines is how many rows must read the same code.
const minLines = 2

// subpixel is the resolution of run lengths: edges are placed to a quarter
// pixel by interpolating where the luminance crosses the threshold. Narrow
// bars in a photograph are often one or two pixels wide; rounding each edge
// to a whole pixel distorts their width ratios past what the readers
// tolerate, where a quarter pixel does not.
const subpixel = 4

// edgePad is how far, in sub-pixels, a row's white ends are taken to run on
// past the image's edge.
const edgePad = 2 * subpixel

func (d *Decoder) newLinearScanner() *linearScanner {
	ls := &linearScanner{hints: d.hints}
	if d.anyUPCEA {
		ls.readers = append(ls.readers, rowReader{newUPCEANFormats(d.enabled).reads, oned.NewMultiFormatUPCEANReader(upceanReaderHints(d.hints)).(oned.RowDecoder)})
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

// upceanReaderHints are the hints to build gozxing's UPC/EAN reader with.
// Given both EAN-13 and UPC-A it would run an EAN-13 reader and then a UPC-A
// reader, which is the EAN-13 reader run again on the same row, kept only
// when the EAN-13 text starts with 0: when the first fails, so does the
// second. Left out, the EAN-13 reader alone reads UPC-A symbols, and
// DecodeRow, called with the full hints, still reports them as UPC-A.
func upceanReaderHints(hints map[gozxing.DecodeHintType]any) map[gozxing.DecodeHintType]any {
	formats, _ := hints[gozxing.DecodeHintType_POSSIBLE_FORMATS].([]gozxing.BarcodeFormat)
	if !slices.Contains(formats, gozxing.BarcodeFormat_EAN_13) || !slices.Contains(formats, gozxing.BarcodeFormat_UPC_A) {
		return hints
	}
	out := maps.Clone(hints)
	out[gozxing.DecodeHintType_POSSIBLE_FORMATS] = slices.DeleteFunc(slices.Clone(formats), func(f gozxing.BarcodeFormat) bool {
		return f == gozxing.BarcodeFormat_UPC_A
	})
	return out
}

// rowScan is the state of one scan over an image.
type rowScan struct {
	src      gozxing.LuminanceSource
	inverted bool // also try each row with its colours swapped
	seen     map[string]int
	prevOK   bool // whether the previous row was read, for identical rows
	prevRes  *gozxing.Result
}

// scan looks for a 1D code in src row by row from the middle outwards:
// every row (or every height/256th) when trying harder, else 15 rows 1/32
// of the height apart, as ZXing does. Then, when trying harder, it does the
// same on the image turned a quarter turn.
func (ls *linearScanner) scan(src gozxing.LuminanceSource, tryHarder, inverted bool) (*gozxing.Result, bool) {
	if r, ok := ls.scanRows(src, tryHarder, inverted); ok {
		return r, true
	}
	if !tryHarder || !src.IsRotateSupported() {
		return nil, false
	}
	var turned gozxing.LuminanceSource
	if p, ok := src.(*planeSource); ok {
		// The turned copy is only read during this scan: reuse one
		// buffer for it from image to image, up to a size worth keeping
		// in a pooled scanner.
		t := p.rotateInto(ls.turned)
		if len(t.pix) <= maxKeptTurned {
			ls.turned = t.pix
		}
		turned = t
	} else {
		var err error
		if turned, err = src.RotateCounterClockwise(); err != nil {
			return nil, false
		}
	}
	r, ok := ls.scanRows(turned, tryHarder, inverted)
	if !ok {
		return nil, false
	}
	// Map the points back: (x, y) in the image turned counter-clockwise is
	// (w-1-y, x) in the original, w being the turned image's height.
	h := float64(turned.GetHeight())
	pts := r.GetResultPoints()
	for i, p := range pts {
		pts[i] = gozxing.NewResultPoint(h-p.GetY()-1, p.GetX())
	}
	return r, true
}

func (ls *linearScanner) scanRows(src gozxing.LuminanceSource, tryHarder, inverted bool) (*gozxing.Result, bool) {
	height := src.GetHeight()
	rowStep, maxLines := max(1, height>>5), 15
	if tryHarder {
		rowStep, maxLines = max(1, height>>8), height
	}
	s := &rowScan{src: src, inverted: inverted, seen: map[string]int{}}
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
	lum, err := s.src.GetRow(y, ls.lum)
	if err != nil {
		return nil, false
	}
	ls.lum = lum
	if !ls.binarize(lum[:s.src.GetWidth()]) {
		return nil, false // too little contrast on this row
	}
	if slices.Equal(ls.runs, ls.prev) {
		// The same runs read the same way: count the row again.
		if !s.prevOK {
			return nil, false
		}
		r = s.prevRes
	} else {
		ls.prev = append(ls.prev[:0], ls.runs...)
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
	ls.avg = slices.Grow(ls.avg[:0], width)[:width]
	for x, v := range ls.sum {
		ls.avg[x] = byte(v / n)
	}
	ls.prev = ls.prev[:0] // ls.runs is about to change
	if !ls.binarize(ls.avg) {
		return false
	}
	r := ls.readRow(s, y)
	return r != nil && resultKey(r) == key
}

const smoothRadius = 1

// readRow offers the row in ls.runs to the readers that might find their
// start on it: forwards, backwards, and if asked colour-swapped both ways.
func (ls *linearScanner) readRow(s *rowScan, y int) *gozxing.Result {
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
		total := ls.rr.pre[len(runs)] // sub-pixels, padding included
		var row *gozxing.BitArray
		for _, rr := range ls.readers {
			if !rr.may(&ls.rr) {
				continue
			}
			if row == nil {
				row = bitsFromRuns(runs, total)
			}
			r, err := rr.rd.DecodeRow(y, row, ls.hints)
			if err != nil {
				continue
			}
			// Back from sub-pixels, mirrored if read backwards.
			pts := r.GetResultPoints()
			for i, p := range pts {
				x := p.GetX()
				if v&1 == 1 {
					x = float64(total) - x
				}
				x = (x - edgePad) / subpixel
				pts[i] = gozxing.NewResultPoint(x, p.GetY())
			}
			return r
		}
	}
	return nil
}

// binarize sets ls.runs to the run lengths of one row of luminance, in
// 1/subpixel pixels. It starts from gozxing's GlobalHistogramBinarizer for
// a row: a black point in the valley between the dark and light peaks of
// the row's histogram, compared with the row sharpened by a -1 4 -1 filter.
// Two changes: the black point is estimated per quarter of the row where
// that quarter has contrast of its own, and interpolated between them; and
// where the binarizer decides whole pixels, the edge here is put where the
// sharpened luminance, interpolated between two pixel centres, crosses the
// threshold. It reports false when the row has too little contrast.
func (ls *linearScanner) binarize(lum []byte) bool {
	width := len(lum)
	if width < 3 {
		return false
	}
	// The threshold follows the light across the row: each of a few
	// segments with contrast of its own gets its own black point, and the
	// threshold is interpolated between segment centres (a lamp or a
	// curved label lights one end of a code more than the other). The
	// row's histogram is the sum of its segments'.
	const segments = thrSegments
	seg := (width + segments - 1) / segments
	var hist [segments][32]int
	var buckets [32]int
	for k := range segments {
		lo, hi := min(width, k*seg), min(width, (k+1)*seg)
		segmentHistogram(&hist[k], lum[lo:hi])
		for i, n := range hist[k] {
			buckets[i] += n
		}
	}
	blackPoint, ok := estimateBlackPoint(&buckets)
	if !ok {
		return false
	}
	var points [segments]int
	for k := range segments {
		lo, hi := min(width, k*seg), min(width, (k+1)*seg)
		points[k] = blackPoint
		if hi-lo >= 16 {
			if p, ok := estimateBlackPoint(&hist[k]); ok {
				points[k] = p
			}
		}
	}
	// thr[x] is twice the threshold at x: constant before the first
	// segment's centre and after the last's, linear between centres (x in
	// segments, 0 at the first centre; the float arithmetic is kept as it
	// was written first, so that every row binarizes exactly as before).
	thr := slices.Grow(ls.thr[:0], width)[:width]
	ls.thr = thr
	w := ls.weights(width)
	for x := range w.from[0] {
		thr[x] = 2 * points[0]
	}
	for k := range segments - 1 {
		p0, p1 := float64(points[k]), float64(points[k+1])
		for x := w.from[k]; x < w.from[k+1]; x++ {
			thr[x] = int(2 * (w.w0[x]*p0 + w.w1[x]*p1))
		}
	}
	for x := w.from[segments-1]; x < width; x++ {
		thr[x] = 2 * points[segments-1]
	}
	// g is twice the sharpened value less twice the threshold: below
	// zero is black, the binarizer's integer test without its halving.
	g := slices.Grow(ls.sharp[:0], width)[:width]
	ls.sharp = g
	g[0], g[width-1] = 0, 0 // the binarizer leaves the end pixels white
	prev, cur := int(lum[0]), int(lum[1])
	for x := 1; x < width-1; x++ {
		next := int(lum[x+1])
		g[x] = 4*cur - prev - next - thr[x]
		prev, cur = cur, next
	}
	const t = 0
	runs := ls.runs[:0]
	last, black := 0, false // position of the last edge, in sub-pixels
	for x := 0; x < width-1; x++ {
		if (g[x+1] < t) == black {
			continue
		}
		// An edge between the centres of pixels x and x+1, at x+0.5 and
		// x+1.5: interpolate where g crosses t.
		a, b := g[x], g[x+1]
		edge := (2*x+1)*subpixel/2 + (t-a)*subpixel/(b-a)
		edge = max(edge, last+1)
		runs = append(runs, edge-last)
		last, black = edge, !black
	}
	runs = append(runs, max(width*subpixel-last, 1))
	// The image's edge is not ink: a white run touching it continues a
	// little beyond, as if the photo had been framed a bit wider. Codes
	// cropped tight to their quiet zone otherwise miss it by the rounding
	// of one edge.
	runs[0] += edgePad
	if len(runs)%2 == 1 {
		runs[len(runs)-1] += edgePad
	}
	ls.runs = runs
	return true
}

// thrWeights are, for rows of one width, where each pair of neighbouring
// segments' black points is interpolated between and with what weights.
type thrWeights struct {
	width int
	// from[k] is the first x between the centres of segments k and k+1,
	// from[segments-1] the first after the last centre.
	from   [thrSegments]int
	w0, w1 []float64 // the weights of segments k and k+1 at x
}

const thrSegments = 4

// weights returns the interpolation weights for rows of width pixels,
// computed once per width: x in segments, 0 at the first centre, split
// into whole and fraction (the float arithmetic is kept as it was written
// first, so that every row binarizes exactly as before).
func (ls *linearScanner) weights(width int) *thrWeights {
	w := &ls.thr01
	if w.width == width && w.w0 != nil {
		return w
	}
	const segments = thrSegments
	seg := (width + segments - 1) / segments
	first := min(width, (seg+1)/2)              // first x with x/seg >= 0.5
	last := max(first, min(width, (7*seg+1)/2)) // first x with x/seg >= 3.5
	w.width = width
	w.w0 = slices.Grow(w.w0[:0], width)[:width]
	w.w1 = slices.Grow(w.w1[:0], width)[:width]
	for k := range w.from {
		w.from[k] = last
	}
	w.from[0] = first
	fseg := float64(seg)
	prev := 0
	for x := first; x < last; x++ {
		c := float64(x)/fseg - 0.5
		k := min(int(c), segments-2)
		frac := c - float64(k)
		for ; prev < k; prev++ {
			w.from[prev+1] = x
		}
		w.w0[x], w.w1[x] = 1-frac, frac
	}
	return w
}

// segmentHistogram counts lum into 32 buckets. Two interleaved tables
// keep neighbouring pixels of the same shade, the common case, from
// waiting on each other's increment.
func segmentHistogram(h *[32]int, lum []byte) {
	var odd [32]int
	i := 0
	for ; i+1 < len(lum); i += 2 {
		h[lum[i]>>3]++
		odd[lum[i+1]>>3]++
	}
	if i < len(lum) {
		h[lum[i]>>3]++
	}
	for b, n := range odd {
		h[b] += n
	}
}

// estimateBlackPoint is gozxing's GlobalHistogramBinarizer.estimateBlackPoint
// on a 32-bucket histogram, returning a luminance.
func estimateBlackPoint(buckets *[32]int) (int, bool) {
	n := len(buckets)
	maxCount, firstPeak, firstPeakSize := 0, 0, 0
	for x, c := range buckets {
		if c > firstPeakSize {
			firstPeak, firstPeakSize = x, c
		}
		maxCount = max(maxCount, c)
	}
	secondPeak, secondScore := 0, 0
	for x, c := range buckets {
		d := x - firstPeak
		if score := c * d * d; score > secondScore {
			secondPeak, secondScore = x, score
		}
	}
	if firstPeak > secondPeak {
		firstPeak, secondPeak = secondPeak, firstPeak
	}
	if secondPeak-firstPeak <= n/16 {
		return 0, false
	}
	bestValley, bestScore := secondPeak-1, -1
	for x := secondPeak - 1; x > firstPeak; x-- {
		from := x - firstPeak
		score := from * from * (secondPeak - x) * (maxCount - buckets[x])
		if score > bestScore {
			bestValley, bestScore = x, score
		}
	}
	return bestValley << 3, true
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
