package decode

import (
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
	at := func(x, y int) []byte { // the block row at (x, y) of the window
		off := (s.top+y)*s.stride + s.left + x
		return s.pix[off : off+size : off+size]
	}

	// calculateBlackPoints
	black := make([]int, subW*subH)
	for y := range subH {
		yoff := min(y<<power, maxY)
		for x := range subW {
			xoff := min(x<<power, maxX)
			sum, lo, hi := 0, 0xff, 0
			for yy := 0; yy < size; yy++ {
				for _, p := range at(xoff, yoff+yy) {
					v := int(p)
					sum += v
					lo, hi = min(lo, v), max(hi, v)
				}
				// Contrast already: just sum the rest (gozxing's loop
				// then ends, having run yy to the end).
				if hi-lo > gozxing.MIN_DYNAMIC_RANGE {
					for yy++; yy < size; yy++ {
						for _, p := range at(xoff, yoff+yy) {
							sum += int(p)
						}
					}
				}
			}
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
			// The block's eight pixels of a row become eight bits at
			// once, without a branch per pixel (a photograph makes them
			// unpredictable); the last block column, pulled left to fit,
			// may straddle two words.
			word, shift := xoff/32, uint(xoff%32)
			for yy := range size {
				var b uint32
				for xx, p := range at(xoff, yoff+yy) {
					b |= uint32((threshold-int(p))>>63+1) << uint(xx) // p <= threshold
				}
				words := bits[(yoff+yy)*rowSize:][:rowSize]
				words[word] |= b << shift
				if shift > 32-size {
					words[word+1] |= b >> (32 - shift)
				}
			}
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
