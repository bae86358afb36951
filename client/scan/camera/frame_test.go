package camera

import (
	"image"
	"image/color"
	"testing"
	"time"
)

func TestLuminance(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	rgba := image.NewRGBA(image.Rect(0, 0, 3, 2))
	rgba.Set(0, 0, color.RGBA{255, 255, 255, 255})
	rgba.Set(1, 0, color.RGBA{255, 0, 0, 255})
	rgba.Set(2, 0, color.RGBA{0, 255, 0, 255})
	rgba.Set(0, 1, color.RGBA{0, 0, 255, 255})
	rgba.Set(1, 1, color.RGBA{0, 0, 0, 255})
	rgba.Set(2, 1, color.RGBA{0, 0, 0, 0}) // transparent: white behind it
	// (306 R + 601 G + 117 B + 512) >> 10
	want := []byte{255, 76, 150, 29, 0, 255}

	nrgba := image.NewNRGBA(rgba.Bounds())
	for y := 0; y < 2; y++ {
		for x := 0; x < 3; x++ {
			nrgba.Set(x, y, rgba.At(x, y))
		}
	}
	pal := image.NewPaletted(rgba.Bounds(), color.Palette{color.White, color.RGBA{255, 0, 0, 255},
		color.RGBA{0, 255, 0, 255}, color.RGBA{0, 0, 255, 255}, color.Black, color.Transparent})
	for i, p := range []uint8{0, 1, 2, 3, 4, 5} {
		pal.Pix[i] = p
	}
	for name, img := range map[string]image.Image{"rgba": rgba, "nrgba": nrgba, "paletted (generic path)": pal} {
		f := Luminance(img, at)
		if f.Width != 3 || f.Height != 2 || f.Stride != 3 || !f.Time.Equal(at) {
			t.Fatalf("%s: frame %dx%d stride %d at %v", name, f.Width, f.Height, f.Stride, f.Time)
		}
		if string(f.Y) != string(want) {
			t.Errorf("%s: Y = %v, want %v", name, f.Y, want)
		}
	}

	// Half-transparent black on white is mid grey in both alpha conventions.
	half := image.NewNRGBA(image.Rect(0, 0, 1, 1))
	half.Set(0, 0, color.NRGBA{0, 0, 0, 128})
	if y := Luminance(half, at).Y[0]; y != 127 {
		t.Errorf("half-transparent black = %d, want 127", y)
	}
}

func TestLuminanceSharesPlanes(t *testing.T) {
	ycc := image.NewYCbCr(image.Rect(0, 0, 64, 48), image.YCbCrSubsampleRatio420)
	sub := ycc.SubImage(image.Rect(8, 4, 40, 20)).(*image.YCbCr)
	f := Luminance(sub, time.Time{})
	ycc.Y[ycc.YOffset(8, 4)] = 200
	ycc.Y[ycc.YOffset(9, 5)] = 201
	if f.Width != 32 || f.Height != 16 || f.Stride != 64 || f.Y[0] != 200 || f.Y[f.Stride+1] != 201 {
		t.Errorf("YCbCr sub-image frame %dx%d stride %d, Y[0]=%d, does not share the Y plane", f.Width, f.Height, f.Stride, f.Y[0])
	}
	if err := f.check(); err != nil {
		t.Error(err)
	}
	g := image.NewGray(image.Rect(0, 0, 10, 10))
	gf := Luminance(g.SubImage(image.Rect(2, 3, 6, 7)), time.Time{})
	g.Pix[g.PixOffset(2, 3)] = 77
	if gf.Y[0] != 77 || gf.Stride != 10 || gf.Width != 4 {
		t.Errorf("Gray sub-image frame does not share pixels: %v stride %d", gf.Y[:1], gf.Stride)
	}
}

func TestCenterROI(t *testing.T) {
	if got, want := CenterROI(0.5, 0.25)(1280, 720), image.Rect(320, 270, 960, 450); got != want {
		t.Errorf("CenterROI(0.5, 0.25)(1280, 720) = %v, want %v", got, want)
	}
	if got, want := CenterROI(1, 1)(641, 479), image.Rect(0, 0, 641, 479); got != want {
		t.Errorf("whole frame = %v, want %v", got, want)
	}
}

func TestFrameCheck(t *testing.T) {
	for _, f := range []Frame{
		{Y: make([]byte, 99), Width: 10, Height: 10, Stride: 10},
		{Y: make([]byte, 100), Width: 10, Height: 10, Stride: 9},
		{Y: nil, Width: 0, Height: 10, Stride: 10},
	} {
		if f.check() == nil {
			t.Errorf("frame %dx%d stride %d with %d bytes passed", f.Width, f.Height, f.Stride, len(f.Y))
		}
	}
	ok := Frame{Y: make([]byte, 9*12+10), Width: 10, Height: 10, Stride: 12} // last row unpadded
	if err := ok.check(); err != nil {
		t.Error(err)
	}
}
