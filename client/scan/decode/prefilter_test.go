package decode

import (
	"image"
	"slices"
	"testing"

	"github.com/driftless/driftless/client/scan/decode/internal/blackbox"
)

// TestPrefilterNeverRejectsADecode holds the prefilters to their promise:
// on every row where a gozxing reader reads a code, the reader's prefilter
// must have let it through. Rows come from generated symbols and, when
// present, ZXing's blackbox photographs, in all four row variants.
func TestPrefilterNeverRejectsADecode(t *testing.T) {
	var imgs []image.Image
	for _, c := range []struct {
		f    Format
		text string
	}{
		{EAN13, "9501101530003"}, {EAN8, "96385074"}, {UPCA, "036000291452"}, {UPCE, "01234565"},
		{Code128, "BIN-A-07-03"}, {Code39, "PALLET 42"}, {Code93, "LOC-7"},
		{ITF, "00012345678905"}, {Codabar, "A40156B"},
	} {
		for _, scale := range []int{1, 2, 3} {
			imgs = append(imgs, symbol(t, c.f, c.text, scale))
		}
	}
	if dir, ok, _ := blackbox.Dir("."); ok && !testing.Short() {
		folders, err := blackbox.Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range folders {
			if f.Format == "QR_CODE" || f.Format == "DATA_MATRIX" {
				continue
			}
			for _, im := range f.Images {
				img, err := LoadImage(im.Path)
				if err != nil {
					t.Fatal(err)
				}
				imgs = append(imgs, img)
			}
		}
	}
	d := New(Options{})
	ls := d.newLinearScanner()
	names := []string{"UPC/EAN", "Code 128", "Code 39", "Code 93", "ITF", "Codabar"}
	decoded, passed, rows := make([]int, len(ls.readers)), make([]int, len(ls.readers)), 0
	for _, img := range imgs {
		pix, stride, r := luminance(img)
		src, err := newPlaneSource(pix, stride, 0, 0, r.Dx(), r.Dy())
		if err != nil {
			t.Fatal(err)
		}
		for y := 0; y < src.Height; y += 3 {
			lum, _ := src.GetRow(y, nil)
			if !ls.binarize(lum) {
				continue
			}
			for v := range 4 {
				runs := variantRuns(nil, ls.runs, v&1 == 1, v >= 2)
				var rr rowRuns
				rr.set(runs)
				row := bitsFromRuns(runs, rr.pre[len(runs)])
				rows++
				for i, reader := range ls.readers {
					may := reader.may(&rr)
					if may {
						passed[i]++
					}
					if _, err := reader.rd.DecodeRow(y, row, d.hints); err != nil {
						continue
					}
					decoded[i]++
					if !may {
						t.Errorf("%s read row %d (variant %d) of a %v image, but its prefilter rejected the row: runs %v",
							names[i], y, v, r.Size(), runs[:min(len(runs), 40)])
					}
				}
			}
		}
	}
	for i := range ls.readers {
		t.Logf("%-8s decoded %5d of %d rows, prefilter passed %5d", names[i], decoded[i], rows, passed[i])
		if decoded[i] == 0 {
			t.Errorf("%s never decoded: the test exercises nothing", names[i])
		}
	}
	// The prefilters must also reject most rows, or they save nothing.
	if total := slices.Max(passed); total > rows/2 {
		t.Errorf("a prefilter passed %d of %d rows", total, rows)
	}
}
