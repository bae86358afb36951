package camera

import (
	"context"
	"fmt"
	"image"
	"time"
)

// Frame is one luminance image: the Y plane of a camera frame, or an image
// converted to luminance. Row r starts at Y[r*Stride]; each row has Width
// bytes, one per pixel.
type Frame struct {
	Y                     []byte
	Width, Height, Stride int
	Time                  time.Time
}

// Bounds returns the frame's rectangle.
func (f Frame) Bounds() image.Rectangle { return image.Rect(0, 0, f.Width, f.Height) }

// check reports a frame whose buffer is too small for its geometry.
func (f Frame) check() error {
	if f.Width <= 0 || f.Height <= 0 || f.Stride < f.Width || len(f.Y) < (f.Height-1)*f.Stride+f.Width {
		return fmt.Errorf("frame %dx%d stride %d with %d bytes is inconsistent", f.Width, f.Height, f.Stride, len(f.Y))
	}
	return nil
}

// Source yields frames, typically from a camera.
type Source interface {
	// Next blocks until the next frame, ctx ends (returning ctx's error) or
	// the source has no more frames (io.EOF). The frame's Y may be reused
	// by the source: it is valid only until the next call to Next or Close.
	Next(ctx context.Context) (Frame, error)
	// Close releases the device.
	Close() error
}

// Luminance converts an image to a luminance frame stamped with t. For
// *image.YCbCr (what JPEG decodes to) and *image.Gray the frame shares the
// image's pixels; other images are converted with the weights gozxing uses
// (0.299 R + 0.587 G + 0.114 B), alpha composited onto white.
func Luminance(img image.Image, t time.Time) Frame {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	switch m := img.(type) {
	case *image.YCbCr:
		off := m.YOffset(b.Min.X, b.Min.Y)
		return Frame{Y: m.Y[off:], Width: w, Height: h, Stride: m.YStride, Time: t}
	case *image.Gray:
		off := m.PixOffset(b.Min.X, b.Min.Y)
		return Frame{Y: m.Pix[off:], Width: w, Height: h, Stride: m.Stride, Time: t}
	}
	y := make([]byte, w*h)
	switch m := img.(type) {
	case *image.RGBA:
		for r := 0; r < h; r++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+r):]
			for c := 0; c < w; c++ {
				p := row[4*c : 4*c+4 : 4*c+4]
				y[r*w+c] = onWhite(luma(uint32(p[0]), uint32(p[1]), uint32(p[2])), uint32(p[3]), true)
			}
		}
	case *image.NRGBA:
		for r := 0; r < h; r++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+r):]
			for c := 0; c < w; c++ {
				p := row[4*c : 4*c+4 : 4*c+4]
				y[r*w+c] = onWhite(luma(uint32(p[0]), uint32(p[1]), uint32(p[2])), uint32(p[3]), false)
			}
		}
	default:
		for r := 0; r < h; r++ {
			for c := 0; c < w; c++ {
				cr, cg, cb, ca := img.At(b.Min.X+c, b.Min.Y+r).RGBA() // premultiplied, 16 bit
				l := luma(cr>>8, cg>>8, cb>>8)
				y[r*w+c] = onWhite(l, ca>>8, true)
			}
		}
	}
	return Frame{Y: y, Width: w, Height: h, Stride: w, Time: t}
}

// luma is gozxing's RGB → luminance: (306 R + 601 G + 117 B) / 1024.
func luma(r, g, b uint32) uint32 { return (306*r + 601*g + 117*b + 0x200) >> 10 }

// onWhite composites a luminance with alpha a (0-255) onto white;
// premultiplied says whether l already has a applied.
func onWhite(l, a uint32, premultiplied bool) byte {
	if a == 0xff {
		return byte(l)
	}
	if !premultiplied {
		l = l * a / 0xff
	}
	return byte(l + (0xff - a))
}

// Gray returns the frame as an image, sharing its pixels; handy for saving
// a frame while debugging a camera.
func (f Frame) Gray() *image.Gray {
	return &image.Gray{Pix: f.Y, Stride: f.Stride, Rect: f.Bounds()}
}

// CenterROI returns a region of interest function: a rectangle centred in
// the frame covering the fractions fw of its width and fh of its height.
func CenterROI(fw, fh float64) func(width, height int) image.Rectangle {
	return func(width, height int) image.Rectangle {
		w := int(float64(width)*fw + 0.5)
		h := int(float64(height)*fh + 0.5)
		x0, y0 := (width-w)/2, (height-h)/2
		return image.Rect(x0, y0, x0+w, y0+h).Intersect(image.Rect(0, 0, width, height))
	}
}
