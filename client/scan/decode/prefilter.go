package decode

import (
	"math"
	"slices"

	"github.com/makiuchi-d/gozxing/oned"
)

// A row of a binarized image is handled here as run lengths: runs[0] is
// the white run at the start of the row (0 when the row starts black), then
// black and white runs alternate, so bars sit at odd indices.
//
// gozxing's 1D readers each walk the row pixel by pixel looking for their
// start pattern and return an error carrying a stack trace when there is
// none, which on a textured photograph is nearly every row: most of the
// decoder's time went there. The functions below answer, from the run
// lengths and far more cheaply, whether a reader's start pattern search
// could succeed on the row. Each is a port of that search's acceptance test
// (or a looser one), never a stricter one: TestPrefilterNeverRejectsADecode
// holds them to it.

// rowRuns is a row's run lengths with their prefix sums, so that the width
// of any window is one subtraction.
type rowRuns struct {
	runs []int
	pre  []int // pre[i] = runs[0] + ... + runs[i-1]
}

func (r *rowRuns) set(runs []int) {
	r.runs = runs
	r.pre = append(r.pre[:0], 0)
	s := 0
	for _, v := range runs {
		s += v
		r.pre = append(r.pre, s)
	}
}

// width is the width of runs[j:j+k].
func (r *rowRuns) width(j, k int) int { return r.pre[j+k] - r.pre[j] }

// lastBar is the last index at which a window of k runs can start: its last
// run must be followed by another, as gozxing's finders only judge a
// window once a colour change closes it.
func (r *rowRuns) lastStart(k int) int { return len(r.runs) - k - 1 }

// pmvBelow reports whether oned.PatternMatchVariance(counters, pattern,
// indiv/100) < avg/100, in integers: the variances are scaled by the
// pattern's length and the counters' total, so nothing is divided. It
// answers yes at the exact boundary, where the float version's rounding
// could go either way.
func pmvBelow(counters, pattern []int, indiv, avg int) bool {
	total, length := 0, 0
	for i, c := range counters {
		total += c
		length += pattern[i]
	}
	limit := indiv * total
	sum := 0
	for i, c := range counters {
		d := c*length - pattern[i]*total
		if d < 0 {
			d = -d
		}
		if 100*d > limit {
			return false
		}
		sum += d
	}
	return 100*sum <= avg*length*total
}

// halfQuiet is Code 39's and Code 128's quiet zone test: white before the
// pattern of at least half its width, or all the way back to the row start.
func (r *rowRuns) halfQuiet(j, k int) bool {
	return j == 1 || r.runs[j-1] >= r.width(j, k)/2
}

var code128Starts = [][]int{{2, 1, 1, 4, 1, 2}, {2, 1, 1, 2, 1, 4}, {2, 1, 1, 2, 3, 2}}

func mayCode128(r *rowRuns) bool {
	for j := 1; j <= r.lastStart(6); j += 2 {
		if !r.halfQuiet(j, 6) {
			continue
		}
		w := r.runs[j : j+6]
		for _, p := range code128Starts {
			if pmvBelow(w, p, 70, 25) {
				return true
			}
		}
	}
	return false
}

func mayCode39(r *rowRuns) bool {
	for j := 1; j <= r.lastStart(9); j += 2 {
		w := r.runs[j : j+9]
		// The asterisk is narrow-wide-narrow-narrow-wide-narrow-wide-
		// narrow-narrow: its three wide elements must be wider than all six
		// narrow ones before the exact test is worth running.
		if min(w[1], w[4], w[6]) <= max(w[0], w[2], w[3], w[5], w[7], w[8]) {
			continue
		}
		if r.halfQuiet(j, 9) && code39NarrowWide(w) == 0x094 {
			return true
		}
	}
	return false
}

// code39NarrowWide is gozxing's code39ToNarrowWidePattern.
func code39NarrowWide(counters []int) int {
	n := len(counters)
	maxNarrow := 0
	for {
		minCounter := math.MaxInt32
		for _, c := range counters {
			if c < minCounter && c > maxNarrow {
				minCounter = c
			}
		}
		maxNarrow = minCounter
		wide, wideWidth, pattern := 0, 0, 0
		for i, c := range counters {
			if c > maxNarrow {
				pattern |= 1 << uint(n-1-i)
				wide++
				wideWidth += c
			}
		}
		if wide == 3 {
			for _, c := range counters {
				if c > maxNarrow && c*2 >= wideWidth {
					return -1
				}
			}
			return pattern
		}
		if wide <= 3 {
			return -1
		}
	}
}

// mayCode93: Code 93's reader wants no quiet zone, only the start pattern,
// but at least two characters after it (its two check characters).
func mayCode93(r *rowRuns) bool {
	for j := 1; j+18 < len(r.runs); j += 2 {
		// The asterisk is 1-1-1-1-4-1 modules of 9: its fifth element
		// must scale to 4, a cheap test before the exact one.
		if 18*r.runs[j+4] < 7*r.width(j, 6) || code93Pattern(r.runs[j:j+6]) != code93Asterisk {
			continue
		}
		if c := code93Pattern(r.runs[j+6 : j+12]); c == code93Asterisk || !slices.Contains(code93Encodings, c) {
			continue
		}
		if c := code93Pattern(r.runs[j+12 : j+18]); c == code93Asterisk || !slices.Contains(code93Encodings, c) {
			continue
		}
		return true
	}
	return false
}

// code93Encodings are Code 93's 48 character patterns, the last the
// asterisk that starts and ends a symbol.
var code93Encodings = []int{
	0x114, 0x148, 0x144, 0x142, 0x128, 0x124, 0x122, 0x150, 0x112, 0x10A,
	0x1A8, 0x1A4, 0x1A2, 0x194, 0x192, 0x18A, 0x168, 0x164, 0x162, 0x134,
	0x11A, 0x158, 0x14C, 0x146, 0x12C, 0x116, 0x1B4, 0x1B2, 0x1AC, 0x1A6,
	0x196, 0x19A, 0x16C, 0x166, 0x136, 0x13A,
	0x12E, 0x1D4, 0x1D2, 0x1CA, 0x16E, 0x176, 0x1AE,
	0x126, 0x1DA, 0x1D6, 0x132, 0x15E,
}

const code93Asterisk = 0x15E

// code93Pattern is gozxing's code93ToPattern.
func code93Pattern(counters []int) int {
	total := 0
	for _, c := range counters {
		total += c
	}
	// Every element is 1 to 4 of the character's 9 modules: a cheap
	// integer test first of what the floats below compute.
	for _, c := range counters {
		if c*18 < total || c*2 > total {
			return -1
		}
	}
	pattern := 0
	for i, c := range counters {
		scaled := int(float64(c)*9/float64(total) + 0.5)
		if scaled < 1 || scaled > 4 {
			return -1
		}
		if i&1 == 0 {
			for range scaled {
				pattern = pattern<<1 | 1
			}
		} else {
			pattern <<= uint(scaled)
		}
	}
	return pattern
}

var upceanGuard = []int{1, 1, 1}

// upceanMinRuns is the fewest runs from a start guard to the white after
// any UPC/EAN symbol: UPC-E's guard, six digits of four runs, its end guard
// of six and the quiet zone.
const upceanMinRuns = 3 + 6*4 + 6 + 1

// mayUPCEAN: a 1-1-1 guard with white before it at least as wide as the
// guard (not running off the row start), then the structure one of the
// UPC/EAN readers goes on to decode after it, each a sequence of digits
// read run by run and a guard the reader searches for, sliding, from where
// the digits end:
//
//   - EAN-13: six L or G digits, a 1-1-1-1-1 middle guard, six digits;
//   - UPC-E: six L or G digits, a 1-1-1-1-1-1 end guard;
//   - EAN-8: four L digits, a middle guard, four digits.
//
// The readers then also want an end guard, a quiet zone and a check digit,
// which are left to them.
func mayUPCEAN(r *rowRuns) bool {
	for j := 1; j+upceanMinRuns <= len(r.runs); j += 2 {
		if r.runs[j-1] < r.width(j, 3) ||
			!pmvBelow(r.runs[j:j+3], upceanGuard, 70, 48) {
			continue
		}
		off, allL, digits := j+3, true, 0
		for ; digits < 6 && off+4 <= len(r.runs); off += 4 {
			l, g := upceanDigit(r.runs[off : off+4])
			if !l && !g {
				break
			}
			if digits < 4 {
				allL = allL && l
			}
			digits++
		}
		if digits == 6 {
			if r.findGuard(off, upceanEndGuard) >= 0 {
				return true // UPC-E
			}
			if m := r.findGuard(off, upceanMiddleGuard); m >= 0 && r.digits(m, 6) {
				return true // EAN-13
			}
		}
		if digits >= 4 && allL {
			if m := r.findGuard(j+3+16, upceanMiddleGuard); m >= 0 && r.digits(m, 4) {
				return true // EAN-8
			}
		}
	}
	return false
}

var (
	upceanMiddleGuard = []int{1, 1, 1, 1, 1}
	upceanEndGuard    = []int{1, 1, 1, 1, 1, 1}
)

// findGuard is the UPC/EAN readers' guard search from the run at index i,
// which starts white: the first window of len(pattern) runs, stepping two
// runs at a time, that matches the pattern and is closed by a further run.
// It returns the index of the run after the window, or -1.
func (r *rowRuns) findGuard(i int, pattern []int) int {
	for ; i+len(pattern) < len(r.runs); i += 2 {
		if pmvBelow(r.runs[i:i+len(pattern)], pattern, 70, 48) {
			return i + len(pattern)
		}
	}
	return -1
}

// digits reports whether n UPC/EAN digits (L patterns, or R, which have
// the same widths) follow from the run at index i.
func (r *rowRuns) digits(i, n int) bool {
	if i+4*n > len(r.runs) {
		return false
	}
	for k := range n {
		if l, _ := upceanDigit(r.runs[i+4*k : i+4*k+4]); !l {
			return false
		}
	}
	return true
}

// upceanDigit is the UPC/EAN readers' decodeDigit test: whether four runs
// match an L digit pattern, or a G one.
func upceanDigit(counters []int) (l, g bool) {
	for i, p := range oned.UPCEANReader_L_AND_G_PATTERNS {
		if pmvBelow(counters, p, 70, 48) {
			if i < 10 {
				l = true
			} else {
				g = true
			}
		}
	}
	return l, g
}

var itfStart = []int{1, 1, 1, 1}

// mayITF: the 1-1-1-1 start with a quiet zone of ten narrow bars (or
// back to the row start), followed by the three digit pairs of the
// shortest symbol the reader accepts (six digits). gozxing only judges the
// first start pattern; accepting any is looser, which is allowed.
func mayITF(r *rowRuns) bool {
	for j := 1; j+4+30 <= len(r.runs); j += 2 {
		if j != 1 && r.runs[j-1] < r.width(j, 4)/4*10 {
			continue
		}
		if !pmvBelow(r.runs[j:j+4], itfStart, 50, 38) {
			continue
		}
		ok := true
		for p := j + 4; ok && p < j+4+30; p += 10 {
			var bars, spaces [5]int
			for k := range 5 {
				bars[k], spaces[k] = r.runs[p+2*k], r.runs[p+2*k+1]
			}
			ok = itfDigit(bars[:]) && itfDigit(spaces[:])
		}
		if ok {
			return true
		}
	}
	return false
}

// itfDigits are ITF's digit patterns with wide elements 2 and 3 narrow
// ones wide, as the ITF reader matches them.
var itfDigits = func() [][]int {
	const n = 1
	base := [][5]int{
		{n, n, 0, 0, n}, {0, n, n, n, 0}, {n, 0, n, n, 0}, {0, 0, n, n, n}, {n, n, 0, n, 0},
		{0, n, 0, n, n}, {n, 0, 0, n, n}, {n, n, n, 0, 0}, {0, n, n, 0, n}, {n, 0, n, 0, n},
	}
	var out [][]int
	for _, wide := range []int{2, 3} {
		for _, b := range base {
			p := make([]int, 5)
			for i, v := range b {
				p[i] = v
				if v == 0 {
					p[i] = wide
				}
			}
			out = append(out, p)
		}
	}
	return out
}()

func itfDigit(counters []int) bool {
	for _, p := range itfDigits {
		if pmvBelow(counters, p, 50, 38) {
			return true
		}
	}
	return false
}

// mayCodabar ports the codabar reader's start search, which counts runs from
// the first white pixel and wants a start/stop character (A-D) with white
// before it of half the character's width, or as the row's first bar, and
// then at least three more characters (the reader wants four in all).
func mayCodabar(r *rowRuns) bool {
	counters, off := r.runs, 0
	if len(counters) > 0 && counters[0] == 0 {
		counters, off = counters[2:], 2 // the reader skips a leading black run
	}
	for i := 1; i+24+7 < len(counters); i += 2 {
		if i != 1 && counters[i-1] < r.width(off+i, 7)/2 {
			continue
		}
		if c := codabarChar(counters[i : i+7]); c < 16 { // not A-D
			continue
		}
		if codabarChar(counters[i+8:i+15]) >= 0 &&
			codabarChar(counters[i+16:i+23]) >= 0 &&
			codabarChar(counters[i+24:i+31]) >= 0 {
			return true
		}
	}
	return false
}

// codabarEncodings are Codabar's characters 0-9 - $ : / . + A B C D.
var codabarEncodings = []int{
	0x003, 0x006, 0x009, 0x060, 0x012, 0x042, 0x021, 0x024, 0x030, 0x048,
	0x00c, 0x018, 0x045, 0x051, 0x054, 0x015, 0x01A, 0x029, 0x00B, 0x00E,
}

// codabarChar reads seven runs as the codabar reader's toNarrowWidePattern
// thresholds them, returning the index in codabarEncodings or -1.
func codabarChar(c []int) int {
	minBar, maxBar := math.MaxInt32, 0
	for j := 0; j < 7; j += 2 {
		minBar, maxBar = min(minBar, c[j]), max(maxBar, c[j])
	}
	minSpace, maxSpace := math.MaxInt32, 0
	for j := 1; j < 7; j += 2 {
		minSpace, maxSpace = min(minSpace, c[j]), max(maxSpace, c[j])
	}
	tBar, tSpace := (minBar+maxBar)/2, (minSpace+maxSpace)/2
	pattern := 0
	for i := range 7 {
		t := tSpace
		if i&1 == 0 {
			t = tBar
		}
		if c[i] > t {
			pattern |= 1 << uint(6-i)
		}
	}
	return slices.Index(codabarEncodings, pattern)
}
