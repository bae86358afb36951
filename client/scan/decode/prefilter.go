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
	gap  bool  // a run after the first is empty, so runs and bits disagree
}

func (r *rowRuns) set(runs []int) {
	r.runs = runs
	r.pre = append(r.pre[:0], 0)
	s := 0
	r.gap = false
	for i, v := range runs {
		s += v
		r.pre = append(r.pre, s)
		r.gap = r.gap || v == 0 && i > 0
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

// mayCode128: a start pattern with white before it of half its width (or
// back to the row start), followed by two more characters, as the reader
// reads at least a check character and the stop pattern after the start
// (a stop right after the start leaves it nothing to return).
func mayCode128(r *rowRuns) bool {
	for j := 1; j <= r.lastStart(6); j += 2 {
		if !r.halfQuiet(j, 6) || j+18 > len(r.runs) {
			continue
		}
		w := r.runs[j : j+6]
		for _, p := range code128Starts {
			if pmvBelow(w, p, 70, 25) {
				if code128Like(r.runs[j+6:j+12]) && code128Like(r.runs[j+12:j+18]) {
					return true
				}
				break
			}
		}
	}
	return false
}

// code128Like reports whether six runs could pass the reader's decodeCode,
// which wants them within 0.7 modules each of one of its patterns: six
// elements of one to four modules, eleven in all. It asks only whether
// some such six, not necessarily one of the 107 patterns, are within
// reach of the runs, each run having a range of module counts within 0.7
// of it.
func code128Like(c []int) bool {
	c = c[:6:6]
	t := c[0] + c[1] + c[2] + c[3] + c[4] + c[5]
	lim := 7 * t
	lo, hi := 0, 0
	for _, v := range c {
		mlo, mhi := 5, 0
		for m := 1; m <= 4; m++ {
			if d := 11*v - m*t; 10*d <= lim && -10*d <= lim {
				mlo, mhi = min(mlo, m), max(mhi, m)
			}
		}
		if mhi == 0 {
			return false
		}
		lo, hi = lo+mlo, hi+mhi
	}
	return lo <= 11 && 11 <= hi
}

// mayCode39: an asterisk with white before it of half its width (or back
// to the row start), then what the reader goes on to read: characters of
// nine runs, each followed by a gap, up to a closing asterisk with white
// after it of half its width (or nothing black after it), and at least
// one character between the asterisks. The reader reads from the first
// asterisk with its white only; any is looser, which is allowed.
func mayCode39(r *rowRuns) bool {
	if r.gap {
		return true // runs and pixels differ: leave it to the reader
	}
	for j := 1; j <= r.lastStart(9); j += 2 {
		w := r.runs[j : j+9]
		// The asterisk is narrow-wide-narrow-narrow-wide-narrow-wide-
		// narrow-narrow: its three wide elements must be wider than all six
		// narrow ones before the exact test is worth running.
		if min(w[1], w[4], w[6]) <= max(w[0], w[2], w[3], w[5], w[7], w[8]) {
			continue
		}
		if r.halfQuiet(j, 9) && code39NarrowWide(w) == code39Asterisk && r.code39Reads(j+10) {
			return true
		}
	}
	return false
}

const code39Asterisk = 0x094

// code39Encodings are Code 39's characters but the asterisk, as the
// reader's narrow/wide patterns.
var code39Encodings = []int{
	0x034, 0x121, 0x061, 0x160, 0x031, 0x130, 0x070, 0x025, 0x124, 0x064,
	0x109, 0x049, 0x148, 0x019, 0x118, 0x058, 0x00D, 0x10C, 0x04C, 0x01C,
	0x103, 0x043, 0x142, 0x013, 0x112, 0x052, 0x007, 0x106, 0x046, 0x016,
	0x181, 0x0C1, 0x1C0, 0x091, 0x190, 0x0D0, 0x085, 0x184, 0x0C4, 0x0A8,
	0x0A2, 0x08A, 0x02A,
}

// code39Reads is the Code 39 reader's decoding loop from the run at index
// i, the first bar after the start asterisk and its gap: whether it reads
// at least one character and then the closing asterisk, with white after
// it of half the asterisk's width unless nothing black follows.
func (r *rowRuns) code39Reads(i int) bool {
	for n := 0; ; n++ {
		if i+9 > len(r.runs) {
			return false // the row ends inside a character
		}
		p := code39NarrowWide(r.runs[i : i+9])
		if p == code39Asterisk {
			if n == 0 {
				return false
			}
			break
		}
		if p < 0 || !slices.Contains(code39Encodings, p) {
			return false
		}
		i += 10
	}
	if i+10 >= len(r.runs) {
		return true // no bar after the asterisk
	}
	return 2*r.runs[i+9] >= r.width(i, 9)
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

// upceanFormats are the UPC/EAN readers gozxing's multi-format reader runs
// after finding a start guard. Its UPC-A reader is the EAN-13 reader kept
// to symbols whose first digit is 0; with EAN-13 enabled too it is left out
// (upceanReaderHints).
type upceanFormats struct{ ean13, upca, ean8, upce bool }

func newUPCEANFormats(enabled map[Format]bool) upceanFormats {
	return upceanFormats{ean13: enabled[EAN13], upca: enabled[UPCA], ean8: enabled[EAN8], upce: enabled[UPCE]}
}

// reads reports whether gozxing's multi-format UPC/EAN reader reads the
// row, everything but the optional add-on (which gozxing only looks for
// after a read, and never fails a read over): it is the reader run on run
// lengths rather than bits, step for step, with the same floating-point
// variance function, so that it agrees with the reader on every row
// (TestPrefilterNeverRejectsADecode checks it both ways). Most rows that
// have a start guard fail at the first digits; the reader would have
// walked the bits and built an error with a stack trace to say so.
//
// The reader tries only the first start guard that has a quiet zone, and
// each of its formats from there:
//
//   - EAN-13: six L or G digits whose parities name the first digit, a
//     1-1-1-1-1 middle guard searched for sliding, six R digits, a 1-1-1
//     end guard searched for sliding, white after it as wide (UPC-A: the
//     same with 0 as the first digit);
//   - EAN-8: four L digits, a middle guard, four digits, the end guard;
//   - UPC-E: six L or G digits whose parities name the number system and
//     check digit, a 1-1-1-1-1-1 end guard searched for sliding.
//
// Each then wants the check digit to match.
func (u upceanFormats) reads(r *rowRuns) bool {
	if r.gap {
		return true // runs and pixels differ: leave it to the reader
	}
	j := r.upceanStart()
	if j < 0 {
		return false
	}
	j += 3
	if u.ean13 || u.upca || u.upce {
		// EAN-13 and UPC-E begin alike: six L or G digits.
		var d [6]byte
		if next, parity, ok := r.upceanDigits(d[:], j, true); ok {
			if (u.ean13 || u.upca) && r.ean13(&d, next, parity, u.ean13) ||
				u.upce && r.upce(&d, next, parity) {
				return true
			}
		}
	}
	return u.ean8 && r.ean8(j)
}

var (
	upceanGuard       = oned.UPCEANReader_START_END_PATTERN
	upceanMiddleGuard = oned.UPCEANReader_MIDDLE_PATTERN
	upceanEndGuardE   = []int{1, 1, 1, 1, 1, 1}
)

// upceanMatch is the readers' guard and digit test, exactly: the integer
// test first, which never rejects what the floating-point one accepts
// (pmvBelow says yes at the exact boundary), to skip most of the latter.
func upceanMatch(counters, pattern []int) bool {
	return pmvBelow(counters, pattern, 70, 48) &&
		oned.PatternMatchVariance(counters, pattern, oned.UPCEANReader_MAX_INDIVIDUAL_VARIANCE) < oned.UPCEANReader_MAX_AVG_VARIANCE
}

// upceanGuardMatch is upceanMatch for the 1-1-1 guard, with the integer
// test spelt out: each run within 0.7 modules of a third of the three.
func upceanGuardMatch(c []int) bool {
	c = c[:3:3]
	t := c[0] + c[1] + c[2]
	lim := 7 * t
	for _, v := range c {
		if d := 3*v - t; 10*d > lim || -10*d > lim {
			return false
		}
	}
	return oned.PatternMatchVariance(c, upceanGuard, oned.UPCEANReader_MAX_INDIVIDUAL_VARIANCE) < oned.UPCEANReader_MAX_AVG_VARIANCE
}

// upceanStart is the readers' findStartGuardPattern: the index of the
// first 1-1-1 guard (closed by a further run) with white before it at
// least as wide as itself, or -1. After a guard without that white the
// reader's search goes on from the bar after the guard's closing run,
// jumping over the window two runs on: the first guard with its white
// that the search does not jump over is the one.
//
// The white is the cheaper test, so it comes first. A guard at j is
// jumped over when the search looks at j-2 and finds a guard there; it
// looks at every other one of a row of guards, from the first, so j is
// jumped over when an odd number of guards runs back from j-2.
func (r *rowRuns) upceanStart() int {
	for j := 1; j+3 < len(r.runs); j += 2 {
		if r.runs[j-1] < r.width(j, 3) || !upceanGuardMatch(r.runs[j:j+3]) {
			continue
		}
		n := 0
		for k := j - 2; k >= 1 && upceanGuardMatch(r.runs[k:k+3]); k -= 2 {
			n++
		}
		if n%2 == 0 {
			return j
		}
	}
	return -1
}

// findGuard is the readers' guard search from the run at index i: the
// first window of len(pattern) runs, stepping two runs at a time, that
// matches the pattern and is closed by a further run. It returns the index
// of the run after the window, or -1.
func (r *rowRuns) findGuard(i int, pattern []int) int {
	for ; i+len(pattern) < len(r.runs); i += 2 {
		if upceanMatch(r.runs[i:i+len(pattern)], pattern) {
			return i + len(pattern)
		}
	}
	return -1
}

// upceanPatterns are the L then G digit patterns, each element (1 to 4
// modules) as a shift.
var upceanPatterns = func() (p [20][4]uint8) {
	for i, pat := range oned.UPCEANReader_L_AND_G_PATTERNS {
		for k, v := range pat {
			p[i][k] = uint8(v)
		}
	}
	return p
}()

// upceanDigit is the readers' decodeDigit on the four runs from index i,
// over the L and G patterns (withG) or the L ones: the index of the best
// matching pattern, or -1 (also when the row ends first). Each run first
// gets the set of module counts within 0.7 modules of it, the reader's
// individual test in integers and loose at the boundary; only patterns
// inside those sets go to the reader's own variance function.
func (r *rowRuns) upceanDigit(i int, withG bool) int {
	if i+4 > len(r.runs) {
		return -1
	}
	c := r.runs[i : i+4 : i+4]
	t := c[0] + c[1] + c[2] + c[3]
	lim := 7 * t
	var ok [4]uint8 // bit m set: m modules within 0.7 of the run
	within := func(v, mod int) uint8 {
		d := 7*v - mod*t
		return uint8((lim-10*d)>>63|(lim+10*d)>>63) + 1 // 10|d| <= lim
	}
	for k, v := range c {
		m := within(v, 1)<<1 | within(v, 2)<<2 | within(v, 3)<<3 | within(v, 4)<<4
		if m == 0 {
			return -1
		}
		ok[k] = m
	}
	n := 10
	if withG {
		n = 20
	}
	best, match := oned.UPCEANReader_MAX_AVG_VARIANCE, -1
	for k, p := range upceanPatterns[:n] {
		if (ok[0]>>p[0])&(ok[1]>>p[1])&(ok[2]>>p[2])&(ok[3]>>p[3])&1 == 0 {
			continue
		}
		if v := oned.PatternMatchVariance(c, oned.UPCEANReader_L_AND_G_PATTERNS[k], oned.UPCEANReader_MAX_INDIVIDUAL_VARIANCE); v < best {
			best, match = v, k
		}
	}
	return match
}

// upceanDigits decodes len(dst) digits from the run at index i into dst,
// and returns the index after them, their L/G parity bits (G set, the
// first digit highest), and whether all were read.
func (r *rowRuns) upceanDigits(dst []byte, i int, withG bool) (next, parity int, ok bool) {
	for x := range dst {
		d := r.upceanDigit(i, withG)
		if d < 0 {
			return i, 0, false
		}
		dst[x] = byte(d % 10)
		if d >= 10 {
			parity |= 1 << uint(len(dst)-1-x)
		}
		i += 4
	}
	return i, parity, true
}

// upceanEnd reports whether the guard closed at run index k (-1: none) of
// width runs is followed by white as wide as it, short of the row's end.
func (r *rowRuns) upceanEnd(k, runs int) bool {
	if k < 0 {
		return false
	}
	w := r.width(k-runs, runs)
	return r.runs[k] >= w && r.pre[k]+w < r.pre[len(r.runs)]
}

var ean13FirstDigit = [10]int{0x00, 0x0B, 0x0D, 0xE, 0x13, 0x19, 0x1C, 0x15, 0x16, 0x1A}

// ean13 reads the rest of an EAN-13 symbol whose first six digits are
// left, followed by the run at index i, or only of UPC-A (EAN-13 with a
// first digit of 0) unless anyFirst.
func (r *rowRuns) ean13(left *[6]byte, i, parity int, anyFirst bool) bool {
	first := slices.Index(ean13FirstDigit[:], parity)
	if first < 0 || first > 0 && !anyFirst {
		return false
	}
	if i = r.findGuard(i, upceanMiddleGuard); i < 0 {
		return false
	}
	var d [13]byte
	d[0] = byte(first)
	copy(d[1:], left[:])
	i, _, ok := r.upceanDigits(d[7:], i, false)
	return ok && r.upceanEnd(r.findGuard(i, upceanGuard), 3) && upceanChecksum(d[:])
}

func (r *rowRuns) ean8(i int) bool {
	var d [8]byte
	i, _, ok := r.upceanDigits(d[:4], i, false)
	if !ok {
		return false
	}
	if i = r.findGuard(i, upceanMiddleGuard); i < 0 {
		return false
	}
	i, _, ok = r.upceanDigits(d[4:], i, false)
	return ok && r.upceanEnd(r.findGuard(i, upceanGuard), 3) && upceanChecksum(d[:])
}

// upceParity is UPC-E's parity patterns for number systems 0 and 1, indexed
// by the check digit.
var upceParity = [2][10]int{
	{0x38, 0x34, 0x32, 0x31, 0x2C, 0x26, 0x23, 0x2A, 0x29, 0x25},
	{0x07, 0x0B, 0x0D, 0x0E, 0x13, 0x19, 0x1C, 0x15, 0x16, 0x1A},
}

// upce reads the rest of a UPC-E symbol whose six digits are d, followed
// by the run at index i.
func (r *rowRuns) upce(d *[6]byte, i, parity int) bool {
	numSys, check := -1, -1
	for ns := range 2 {
		if c := slices.Index(upceParity[ns][:], parity); c >= 0 {
			numSys, check = ns, c
			break
		}
	}
	if numSys < 0 || !r.upceanEnd(r.findGuard(i, upceanEndGuardE), 6) {
		return false
	}
	// The check digit is over the UPC-A number UPC-E abbreviates.
	var a [12]byte
	a[0], a[11] = byte(numSys), byte(check)
	switch last := d[5]; {
	case last <= 2:
		copy(a[1:], d[0:2])
		a[3] = last
		copy(a[8:], d[2:5])
	case last == 3:
		copy(a[1:], d[0:3])
		copy(a[9:], d[3:5])
	case last == 4:
		copy(a[1:], d[0:4])
		a[10] = d[4]
	default:
		copy(a[1:], d[0:5])
		a[10] = last
	}
	return upceanChecksum(a[:])
}

// upceanChecksum checks the last of digits against the others, as UPC and
// EAN weigh them: 3 and 1 alternately from the right.
func upceanChecksum(digits []byte) bool {
	n := len(digits) - 1
	sum := 0
	for i := n - 1; i >= 0; i -= 2 {
		sum += 3 * int(digits[i])
	}
	for i := n - 2; i >= 0; i -= 2 {
		sum += int(digits[i])
	}
	return (1000-sum)%10 == int(digits[n])
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
	if len(counters) >= 2 && counters[0] == 0 {
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
