package decode

import (
	"errors"
	"fmt"
	"image"
	"image/color"

	"github.com/makiuchi-d/gozxing"
)

// planeSource is a gozxing.LuminanceSource over an 8-bit luminance plane with
// a stride, such as the Y plane of a camera frame or an *image.Gray, seen
// through a crop window. It never copies the plane: rows are copied out one
// at a time when a binarizer asks for them, and the whole matrix only when
// the window is not already contiguous.
type planeSource struct {
	gozxing.LuminanceSourceBase
	pix       []byte
	stride    int
	left, top int // the window's origin within pix
}

var _ gozxing.LuminanceSource = (*planeSource)(nil)

// newPlaneSource checks that the window (left, top, width, height) lies
// inside a plane of the given stride and returns a source over it.
func newPlaneSource(pix []byte, stride, left, top, width, height int) (*planeSource, error) {
	switch {
	case width <= 0 || height <= 0:
		return nil, fmt.Errorf("luminance window %dx%d: empty", width, height)
	case left < 0 || top < 0 || stride < left+width:
		return nil, fmt.Errorf("luminance window %d,%d %dx%d: outside a plane of stride %d", left, top, width, height, stride)
	case len(pix) < (top+height-1)*stride+left+width:
		return nil, fmt.Errorf("luminance window %d,%d %dx%d: plane of %d bytes with stride %d is too short", left, top, width, height, len(pix), stride)
	}
	return &planeSource{
		LuminanceSourceBase: gozxing.LuminanceSourceBase{Width: width, Height: height},
		pix:                 pix,
		stride:              stride,
		left:                left,
		top:                 top,
	}, nil
}

// GetRow copies row y of the window into row. It must copy: gozxing's
// inverted source rewrites the slice it gets back in place.
func (s *planeSource) GetRow(y int, row []byte) ([]byte, error) {
	if y < 0 || y >= s.Height {
		return nil, fmt.Errorf("get row %d: outside the image of height %d", y, s.Height)
	}
	if len(row) < s.Width {
		row = make([]byte, s.Width)
	}
	off := (s.top+y)*s.stride + s.left
	copy(row, s.pix[off:off+s.Width])
	return row, nil
}

// GetMatrix returns the window's luminance row-major with no padding,
// sharing the plane when the window already is laid out that way.
func (s *planeSource) GetMatrix() []byte {
	w, h := s.Width, s.Height
	off := s.top*s.stride + s.left
	if s.stride == w {
		return s.pix[off : off+w*h]
	}
	m := make([]byte, w*h)
	for y := 0; y < h; y++ {
		copy(m[y*w:(y+1)*w], s.pix[off:off+w])
		off += s.stride
	}
	return m
}

func (s *planeSource) IsCropSupported() bool { return true }

func (s *planeSource) Crop(left, top, width, height int) (gozxing.LuminanceSource, error) {
	if left < 0 || top < 0 || left+width > s.Width || top+height > s.Height {
		return nil, errors.New("crop: rectangle does not fit within the image")
	}
	return newPlaneSource(s.pix, s.stride, s.left+left, s.top+top, width, height)
}

func (s *planeSource) IsRotateSupported() bool { return true }

// RotateCounterClockwise returns a copy of the window turned 90° counter-
// clockwise, as gozxing's 1D readers ask for when trying harder.
func (s *planeSource) RotateCounterClockwise() (gozxing.LuminanceSource, error) {
	return s.rotateInto(nil), nil
}

// rotateInto returns the window turned a quarter turn counter-clockwise,
// in buf when it is large enough (else in a new plane).
func (s *planeSource) rotateInto(buf []byte) *planeSource {
	w, h := s.Width, s.Height
	if cap(buf) < w*h {
		buf = make([]byte, w*h)
	}
	out := buf[:w*h]
	// Row j of the result is column w-1-j of the source, read top to bottom.
	for y := 0; y < h; y++ {
		src := s.pix[(s.top+y)*s.stride+s.left:][:w]
		for x, v := range src {
			out[(w-1-x)*h+y] = v
		}
	}
	p, _ := newPlaneSource(out, h, 0, 0, h, w) // h×w, inside out by construction
	return p
}

func (s *planeSource) RotateCounterClockwise45() (gozxing.LuminanceSource, error) {
	return nil, errors.New("rotate 45°: not supported")
}

func (s *planeSource) Invert() gozxing.LuminanceSource {
	return gozxing.NewInvertedLuminanceSource(s)
}

func (s *planeSource) String() string { return gozxing.LuminanceSourceString(s) }

// rotate180 returns a copy of the window turned half a turn.
func (s *planeSource) rotate180() *planeSource {
	w, h := s.Width, s.Height
	out := make([]byte, w*h)
	for y := 0; y < h; y++ {
		src := s.pix[(s.top+y)*s.stride+s.left:][:w]
		dst := out[(h-1-y)*w:][:w]
		for x, v := range src {
			dst[w-1-x] = v
		}
	}
	p, _ := newPlaneSource(out, w, 0, 0, w, h)
	return p
}

// lum is ITU-R BT.601 luma from 8-bit R, G, B, the weights ZXing uses.
func lum(r, g, b uint32) byte {
	return byte((306*r + 601*g + 117*b + 0x200) >> 10)
}

// overWhite composites a luminance with straight alpha a (0..255) over white:
// transparent pixels read as paper, not ink.
func overWhite(l, a uint32) byte {
	return byte((l*a + 255*(255-a) + 127) / 255)
}

// luminance returns the luminance plane of img and its stride. An
// *image.Gray or the Y plane of an *image.YCbCr (what image/jpeg returns) is
// used as it is, without a copy; other image types are converted once.
func luminance(img image.Image) (pix []byte, stride int, r image.Rectangle) {
	r = img.Bounds()
	w, h := r.Dx(), r.Dy()
	switch m := img.(type) {
	case *image.Gray:
		return m.Pix[m.PixOffset(r.Min.X, r.Min.Y):], m.Stride, r
	case *image.YCbCr:
		return m.Y[m.YOffset(r.Min.X, r.Min.Y):], m.YStride, r
	}
	out := make([]byte, w*h)
	switch m := img.(type) {
	case *image.Paletted:
		var table [256]byte
		for i, c := range m.Palette {
			table[i] = colorLum(c)
		}
		for y := 0; y < h; y++ {
			src := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):][:w]
			dst := out[y*w:][:w]
			for x, v := range src {
				dst[x] = table[v]
			}
		}
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			src := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):][:4*w]
			dst := out[y*w:][:w]
			for x := range dst {
				p := src[4*x : 4*x+4 : 4*x+4]
				l := lum(uint32(p[0]), uint32(p[1]), uint32(p[2]))
				if p[3] != 0xff {
					l = overWhite(uint32(l), uint32(p[3]))
				}
				dst[x] = l
			}
		}
	case *image.RGBA:
		for y := 0; y < h; y++ {
			src := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):][:4*w]
			dst := out[y*w:][:w]
			for x := range dst {
				p := src[4*x : 4*x+4 : 4*x+4]
				// Premultiplied: add the white showing through.
				white := 255 - uint32(p[3])
				dst[x] = lum(uint32(p[0])+white, uint32(p[1])+white, uint32(p[2])+white)
			}
		}
	case *image.Gray16:
		for y := 0; y < h; y++ {
			src := m.Pix[m.PixOffset(r.Min.X, r.Min.Y+y):][:2*w]
			dst := out[y*w:][:w]
			for x := range dst {
				dst[x] = src[2*x] // the high byte
			}
		}
	default:
		i := 0
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				out[i] = colorLum(img.At(x, y))
				i++
			}
		}
	}
	return out, w, r
}

// colorLum is the luminance of any color over white.
func colorLum(c color.Color) byte {
	r, g, b, a := c.RGBA() // premultiplied, 16 bits
	white := 0xffff - a
	return lum((r+white)>>8, (g+white)>>8, (b+white)>>8)
}
