package decode

import (
	"encoding/binary"
	"sync"

	"github.com/makiuchi-d/gozxing"
)

// hybridBinarizer is gozxing's HybridBinarizer with its black matrix, what
// the 2D detectors read, computed here: over the plane in place (gozxing
// first copies the window out with GetMatrix) and setting the matrix's bits
// a row word at a time rather than through BitMatrix.Set per pixel. The
// arithmetic is gozxing's, step for step, so the matrix is bit for bit the
// same (TestHybridBinarizerMatchesGozxing). Rows and everything else go to
// gozxing's binarizer.
type hybridBinarizer struct {
	gozxing.Binarizer
	src    *planeSource
	once   sync.Once
	matrix *gozxing.BitMatrix
	err    error
}

func newHybridBinarizer(src *planeSource) *hybridBinarizer {
	return &hybridBinarizer{Binarizer: gozxing.NewHybridBinarizer(src), src: src}
}

func (b *hybridBinarizer) GetBlackMatrix() (*gozxing.BitMatrix, error) {
	b.once.Do(func() {
		w, h := b.src.Width, b.src.Height
		if w < gozxing.MINIMUM_DIMENSION || h < gozxing.MINIMUM_DIMENSION {
			b.matrix, b.err = b.Binarizer.GetBlackMatrix()
			return
		}
		b.matrix, b.err = hybridMatrix(b.src)
	})
	return b.matrix, b.err
}

// hybridMatrix is HybridBinarizer.GetBlackMatrix for a window at least
// MINIMUM_DIMENSION on each side.
func hybridMatrix(s *planeSource) (*gozxing.BitMatrix, error) {
	const (
		power = gozxing.BLOCK_SIZE_POWER
		size  = gozxing.BLOCK_SIZE
	)
	w, h := s.Width, s.Height
	subW, subH := (w+size-1)>>power, (h+size-1)>>power
	maxX, maxY := w-size, h-size
	// off is where the block at (x, y) of the window starts in s.pix.
	off := func(x, y int) int { return (s.top+y)*s.stride + s.left + x }

	// calculateBlackPoints
	black := make([]int, subW*subH)
	for y := range subH {
		yoff := min(y<<power, maxY)
		for x := range subW {
			xoff := min(x<<power, maxX)
			sum, lo, hi := blockStats(s.pix, off(xoff, yoff), s.stride)
			avg := sum >> (power * 2)
			if hi-lo <= gozxing.MIN_DYNAMIC_RANGE {
				avg = lo / 2
				if y > 0 && x > 0 {
					nb := (black[(y-1)*subW+x] + 2*black[y*subW+x-1] + black[(y-1)*subW+x-1]) / 4
					if lo < nb {
						avg = nb
					}
				}
			}
			black[y*subW+x] = avg
		}
	}

	// calculateThresholdForBlock, into row words as BitMatrix lays them out
	rowSize := (w + 31) / 32
	bits := make([]uint32, rowSize*h)
	clamp := func(v, lo, hi int) int { return max(lo, min(v, hi)) } // gozxing's cap
	for y := range subH {
		yoff := min(y<<power, maxY)
		top := clamp(y, 2, subH-3)
		for x := range subW {
			xoff := min(x<<power, maxX)
			left := clamp(x, 2, subW-3)
			sum := 0
			for z := -2; z <= 2; z++ {
				row := black[(top+z)*subW:][:subW]
				sum += row[left-2] + row[left-1] + row[left] + row[left+1] + row[left+2]
			}
			threshold := sum / 25
			blockBits(bits[yoff*rowSize:], rowSize, xoff, s.pix, off(xoff, yoff), s.stride, threshold)
		}
	}
	m, err := gozxing.NewBitMatrix(w, h)
	if err != nil {
		return nil, err
	}
	row := gozxing.NewBitArray(w)
	for y := range h {
		copy(row.GetBitArray(), bits[y*rowSize:(y+1)*rowSize])
		m.SetRow(y, row)
	}
	return m, nil
}

// blockStats is calculateBlackPoints' look at the 8×8 block starting at
// pix[off], rows stride bytes apart: the sum of its pixels, and their
// minimum and maximum over the rows up to the first where the two differ
// by more than MIN_DYNAMIC_RANGE (gozxing then only sums the rest). It is
// unrolled a row at a time so that the running values stay in registers.
func blockStats(pix []byte, off, stride int) (sum, lo, hi int) {
	lo = 0xff
	yy := 0
	for yy < gozxing.BLOCK_SIZE {
		r := pix[off : off+8 : off+8]
		off += stride
		yy++
		p0, p1, p2, p3 := int(r[0]), int(r[1]), int(r[2]), int(r[3])
		p4, p5, p6, p7 := int(r[4]), int(r[5]), int(r[6]), int(r[7])
		sum += p0 + p1 + p2 + p3 + p4 + p5 + p6 + p7
		lo = min(lo, min(p0, p1), min(p2, p3), min(p4, p5), min(p6, p7))
		hi = max(hi, max(p0, p1), max(p2, p3), max(p4, p5), max(p6, p7))
		if hi-lo > gozxing.MIN_DYNAMIC_RANGE {
			break
		}
	}
	for ; yy < gozxing.BLOCK_SIZE; yy++ {
		// The eight bytes summed in two lanes of a word at a time.
		v := binary.LittleEndian.Uint64(pix[off : off+8 : off+8])
		off += stride
		v = v&0x00ff00ff00ff00ff + v>>8&0x00ff00ff00ff00ff
		v += v >> 16
		v += v >> 32
		sum += int(v & 0xffff)
	}
	return sum, lo, hi
}

// blockBits sets the bits of the black pixels (at or below threshold) of
// the 8×8 block starting at pix[off], rows stride bytes apart, in words,
// whose rows are rowSize words long, from bit x of the first. Each row
// of the block becomes eight bits at once, without a branch per pixel
// (which a photograph makes unpredictable), or-ed into its word, or two:
// the last block column, pulled left to fit, may straddle them.
func blockBits(words []uint32, rowSize, x int, pix []byte, off, stride, threshold int) {
	word, shift := x/32, uint(x%32)
	t := uint64(threshold)
	for range gozxing.BLOCK_SIZE {
		r := pix[off : off+8 : off+8]
		off += stride
		// t-p wraps round, its top bit set, where p is white.
		white := (t-uint64(r[0]))>>63 | (t-uint64(r[1]))>>63<<1 |
			(t-uint64(r[2]))>>63<<2 | (t-uint64(r[3]))>>63<<3 |
			(t-uint64(r[4]))>>63<<4 | (t-uint64(r[5]))>>63<<5 |
			(t-uint64(r[6]))>>63<<6 | (t-uint64(r[7]))>>63<<7
		b := uint32(white) ^ 0xff
		row := words[:rowSize:rowSize]
		words = words[rowSize:]
		row[word] |= b << shift
		if shift > 32-gozxing.BLOCK_SIZE {
			row[word+1] |= b >> (32 - shift)
		}
	}
}
