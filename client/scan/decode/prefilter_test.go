package decode

import (
	"image"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/driftless/driftless/client/scan/decode/internal/blackbox"
)

// prefilterImages are generated 1D symbols at three scales and, when
// present (and not -short), ZXing's blackbox photographs of 1D codes whose
// folder format is one of only (all when empty).
func prefilterImages(t *testing.T, only ...string) []image.Image {
	t.Helper()
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
			if f.Format == "QR_CODE" || f.Format == "DATA_MATRIX" || len(only) > 0 && !slices.Contains(only, f.Format) {
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
	return imgs
}

// prefilterCheck offers every third row of imgs, in all four row variants,
// to each of d's 1D readers and to its prefilter, and fails where a reader
// reads a row its prefilter rejected, or, for the readers in exact, where
// the prefilter passed a row the reader does not read. It returns per
// reader the rows read and passed, and the rows tried.
func prefilterCheck(t *testing.T, d *Decoder, imgs []image.Image, names []string, exact []bool) (decoded, passed []int, rows int) {
	t.Helper()
	ls := d.newLinearScanner()
	if len(ls.readers) != len(names) {
		t.Fatalf("%d readers, %d names", len(ls.readers), len(names))
	}
	decoded, passed = make([]int, len(ls.readers)), make([]int, len(ls.readers))
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
					_, err := reader.rd.DecodeRow(y, row, d.hints)
					if err == nil {
						decoded[i]++
					}
					switch {
					case err == nil && !may:
						t.Errorf("%s read row %d (variant %d) of a %v image, but its prefilter rejected the row: runs %v",
							names[i], y, v, r.Size(), runs[:min(len(runs), 40)])
					case err != nil && may && exact[i]:
						t.Errorf("%s did not read row %d (variant %d) of a %v image (%v), but its prefilter passed the row: runs %v",
							names[i], y, v, r.Size(), err, runs[:min(len(runs), 40)])
					}
				}
			}
		}
	}
	return decoded, passed, rows
}

// TestPrefilterNeverRejectsADecode holds the prefilters to their promise:
// on every row where a gozxing reader reads a code, the reader's prefilter
// must have let it through. The UPC/EAN prefilter is the reader itself run
// on run lengths, so it must also let through no row the reader does not
// read. Rows come from generated symbols and, when present, ZXing's
// blackbox photographs, in all four row variants.
func TestPrefilterNeverRejectsADecode(t *testing.T) {
	imgs := prefilterImages(t)
	names := []string{"UPC/EAN", "Code 128", "Code 39", "Code 93", "ITF", "Codabar"}
	exact := []bool{true, false, false, false, false, false}
	decoded, passed, rows := prefilterCheck(t, New(Options{}), imgs, names, exact)
	for i := range names {
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

// TestUPCEANPrefilterFormats holds the UPC/EAN prefilter to gozxing's
// reader when a deployment enables only some of the UPC/EAN formats, which
// changes the readers gozxing runs after the start guard.
func TestUPCEANPrefilterFormats(t *testing.T) {
	imgs := prefilterImages(t, "EAN_8", "UPC_E")
	for _, formats := range [][]Format{{EAN8}, {UPCE}, {UPCA}, {EAN13, UPCE}, {UPCA, EAN8}} {
		decoded, passed, rows := prefilterCheck(t, New(Options{Formats: formats}), imgs, []string{"UPC/EAN"}, []bool{true})
		t.Logf("%v: decoded %d of %d rows, prefilter passed %d", formats, decoded[0], rows, passed[0])
		if decoded[0] == 0 {
			t.Errorf("%v: never decoded: the test exercises nothing", formats)
		}
	}
}

// TestUPCEANStart holds upceanStart, which tests the quiet zone first, to
// the reader's start guard search as written, on random rows crowded with
// guards, with and without white before them.
func TestUPCEANStart(t *testing.T) {
	reference := func(r *rowRuns) int {
		for j := 1; j+3 < len(r.runs); {
			if !upceanGuardMatch(r.runs[j : j+3]) {
				j += 2
				continue
			}
			if r.runs[j-1] >= r.width(j, 3) {
				return j
			}
			j += 4
		}
		return -1
	}
	rng := rand.New(rand.NewPCG(8, 9))
	found := 0
	for range 20000 {
		runs := make([]int, 5+rng.IntN(40))
		for i := range runs {
			runs[i] = []int{4, 4, 4, 5, 6, 9, 14}[rng.IntN(7)]
		}
		var r rowRuns
		r.set(runs)
		got, want := r.upceanStart(), reference(&r)
		if got != want {
			t.Fatalf("runs %v: start %d, the reader's search %d", runs, got, want)
		}
		if got >= 0 {
			found++
		}
	}
	if found < 1000 {
		t.Errorf("a guard in only %d rows: the test exercises little", found)
	}
}

// TestPrefiltersAnyRuns offers every prefilter random rows of every length,
// down to none, with empty leading runs as the colour-swapped variants
// have: they index past the runs they are given on none.
func TestPrefiltersAnyRuns(t *testing.T) {
	ls := New(Options{}).newLinearScanner()
	rng := rand.New(rand.NewPCG(10, 11))
	passed := 0
	for range 50000 {
		runs := make([]int, rng.IntN(64))
		for i := range runs {
			runs[i] = 1 + rng.IntN(12)
		}
		if len(runs) > 0 && rng.IntN(4) == 0 {
			runs[0] = 0
		}
		var r rowRuns
		r.set(runs)
		for _, reader := range ls.readers {
			if reader.may(&r) {
				passed++
			}
		}
	}
	if passed == 0 {
		t.Error("no prefilter passed any row: the rows reach none of their later tests")
	}
}
