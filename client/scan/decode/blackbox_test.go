package decode

import (
	"fmt"
	"image"
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/driftless/driftless/client/scan/decode/internal/blackbox"
)

// blackboxOutcome counts what happened to one folder at one rotation.
type blackboxOutcome struct {
	passed, misread, found int
}

// TestBlackbox decodes ZXing's real photographs (shared beside the
// repository) the way ZXing Java's blackbox test does, at 0° and 180° (all
// four quarter turns for the negative set), and holds the decoder to ZXing
// Java's own try-harder thresholds.
func TestBlackbox(t *testing.T) {
	dir, ok, err := blackbox.Dir(".")
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Skipf("blackbox images not found at %s: clone the shared test data beside the repository to run this test", dir)
	}
	folders, err := blackbox.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if testing.Short() {
		t.Skip("-short: skipping the blackbox photographs")
	}
	d := New(Options{TryHarder: true, TryInverted: true})

	type job struct {
		folder, image, rotation int
	}
	var jobs []job
	rotationsOf := func(f blackbox.Folder) []int {
		if f.Negative() {
			return []int{0, 90, 180, 270}
		}
		return []int{0, 180}
	}
	for fi, f := range folders {
		for ii := range f.Images {
			for ri := range rotationsOf(f) {
				jobs = append(jobs, job{fi, ii, ri})
			}
		}
	}
	outcomes := make([][]blackboxOutcome, len(folders))
	for fi, f := range folders {
		outcomes[fi] = make([]blackboxOutcome, len(rotationsOf(f)))
	}
	// Load each image once, lazily, shared by its rotations.
	var mu sync.Mutex
	planes := map[string]*planeSource{}
	load := func(path string) (*planeSource, error) {
		mu.Lock()
		defer mu.Unlock()
		if p, ok := planes[path]; ok {
			return p, nil
		}
		file, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer file.Close()
		img, _, err := image.Decode(file)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		pix, stride, r := luminance(img)
		p, err := newPlaneSource(pix, stride, 0, 0, r.Dx(), r.Dy())
		planes[path] = p
		return p, err
	}

	start := time.Now()
	work := make(chan job)
	errs := make(chan error, len(jobs))
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for j := range work {
				f := folders[j.folder]
				img := f.Images[j.image]
				p, err := load(img.Path)
				if err != nil {
					errs <- err
					continue
				}
				rot := rotationsOf(f)[j.rotation]
				p = rotated(p, rot)
				res, err := d.DecodeLuminance(p.pix, p.Width, p.Height, p.stride, image.Rectangle{})
				mu.Lock()
				o := &outcomes[j.folder][j.rotation]
				switch {
				case err != nil:
				case f.Negative():
					o.found++
					t.Logf("false positive: %s at %d°: %s %q", img.Path, rot, res.Format, res.Text)
				case string(res.Format) == f.Format && res.Text == img.Expected:
					o.passed++
				default:
					o.misread++
					t.Logf("misread: %s at %d°: %s %q, want %s %q", img.Path, rot, res.Format, res.Text, f.Format, img.Expected)
				}
				mu.Unlock()
			}
		})
	}
	for _, j := range jobs {
		work <- j
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	var report strings.Builder
	fmt.Fprintf(&report, "blackbox: %d decodes in %v\n", len(jobs), time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(&report, "%-18s %-12s %6s %10s %10s %10s\n", "folder", "format", "images", "0°", "180°", "misreads")
	for fi, f := range folders {
		o := outcomes[fi]
		if f.Negative() {
			fmt.Fprintf(&report, "%-18s %-12s %6d   false positives per rotation (0/90/180/270°): %d %d %d %d (max %d)\n",
				f.Name, f.Format, len(f.Images), o[0].found, o[1].found, o[2].found, o[3].found, f.MaxFalsePositives)
			for ri, rot := range rotationsOf(f) {
				if o[ri].found > f.MaxFalsePositives {
					t.Errorf("%s at %d°: %d false positives, ZXing allows %d", f.Name, rot, o[ri].found, f.MaxFalsePositives)
				}
			}
			continue
		}
		fmt.Fprintf(&report, "%-18s %-12s %6d %5d/%-4d %5d/%-4d %4d,%d/%d\n", f.Name, f.Format, len(f.Images),
			o[0].passed, f.MustPassTryHarder0, o[1].passed, f.MustPassTryHarder180, o[0].misread, o[1].misread, f.MaxMisreadsTryHarder)
		if o[0].passed < f.MustPassTryHarder0 {
			t.Errorf("%s at 0°: decoded %d of %d, ZXing Java's try-harder threshold is %d", f.Name, o[0].passed, len(f.Images), f.MustPassTryHarder0)
		}
		if o[1].passed < f.MustPassTryHarder180 {
			t.Errorf("%s at 180°: decoded %d of %d, ZXing Java's try-harder threshold is %d", f.Name, o[1].passed, len(f.Images), f.MustPassTryHarder180)
		}
		for ri, rot := range rotationsOf(f) {
			if o[ri].misread > f.MaxMisreadsTryHarder {
				t.Errorf("%s at %d°: %d misreads, ZXing allows %d", f.Name, rot, o[ri].misread, f.MaxMisreadsTryHarder)
			}
		}
	}
	t.Log("\n" + report.String())
}

// rotated returns p turned clockwise by deg, a multiple of 90.
func rotated(p *planeSource, deg int) *planeSource {
	switch deg {
	case 0:
		return p
	case 180:
		return p.rotate180()
	case 90: // clockwise = three counter-clockwise turns = 180 then one CCW
		r, _ := p.rotate180().RotateCounterClockwise()
		return r.(*planeSource)
	case 270:
		r, _ := p.RotateCounterClockwise()
		return r.(*planeSource)
	}
	panic(fmt.Sprintf("rotate by %d°", deg))
}
