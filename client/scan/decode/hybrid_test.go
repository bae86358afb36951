package decode

import (
	"math/rand/v2"
	"testing"

	"github.com/makiuchi-d/gozxing"
)

func TestHybridBinarizerMatchesGozxing(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range []struct{ w, h, pad, left, top int }{
		{40, 40, 0, 0, 0}, {41, 57, 3, 0, 0}, {100, 64, 7, 5, 3}, {333, 47, 0, 12, 9}, {64, 300, 1, 0, 17},
	} {
		stride := c.left + c.w + c.pad
		pix := make([]byte, stride*(c.top+c.h))
		// Smooth areas (where blocks borrow their neighbours' black
		// point), noise and hard edges.
		for y := range c.top + c.h {
			for x := range stride {
				v := 128 + 60*((x/9+y/13)%2) - 30
				if (x*7+y*3)%23 < 4 {
					v += rng.IntN(120) - 60
				}
				pix[y*stride+x] = byte(max(0, min(255, v)))
			}
		}
		src, err := newPlaneSource(pix, stride, c.left, c.top, c.w, c.h)
		if err != nil {
			t.Fatal(err)
		}
		got, err := newHybridBinarizer(src).GetBlackMatrix()
		if err != nil {
			t.Fatal(err)
		}
		want, err := gozxing.NewHybridBinarizer(src).GetBlackMatrix()
		if err != nil {
			t.Fatal(err)
		}
		blacks := 0
		for y := range c.h {
			for x := range c.w {
				if got.Get(x, y) != want.Get(x, y) {
					t.Fatalf("%+v: (%d,%d) black=%v, gozxing's %v", c, x, y, got.Get(x, y), want.Get(x, y))
				}
				if got.Get(x, y) {
					blacks++
				}
			}
		}
		if blacks == 0 || blacks == c.w*c.h {
			t.Errorf("%+v: all one colour: the test compares nothing", c)
		}
	}
}
