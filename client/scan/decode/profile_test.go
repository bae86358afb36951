package decode

import (
	"image"
	"os"
	"testing"

	"github.com/driftless/driftless/client/scan/decode/internal/blackbox"
)

func loadBlackbox(b *testing.B, only string) []image.Image {
	dir, ok, err := blackbox.Dir(".")
	if err != nil || !ok {
		b.Skip("no blackbox images")
	}
	folders, err := blackbox.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	var imgs []image.Image
	for _, f := range folders {
		if only != "" && f.Name != only {
			continue
		}
		for _, im := range f.Images {
			file, _ := os.Open(im.Path)
			img, _, err := image.Decode(file)
			file.Close()
			if err != nil {
				b.Fatal(err)
			}
			imgs = append(imgs, img)
		}
	}
	return imgs
}

// BenchmarkBlackboxAll decodes every shared photograph once per iteration,
// the work `invctl decode` does over the shared folders.
func BenchmarkBlackboxAll(b *testing.B) {
	imgs := loadBlackbox(b, "")
	d := New(Options{TryHarder: true, TryInverted: true})
	for b.Loop() {
		for _, img := range imgs {
			d.DecodeImage(img)
		}
	}
}

func BenchmarkBlackboxFalsePositives(b *testing.B) {
	imgs := loadBlackbox(b, "falsepositives-2")
	d := New(Options{TryHarder: true, TryInverted: true})
	for b.Loop() {
		for _, img := range imgs {
			d.DecodeImage(img)
		}
	}
}

func BenchmarkBlackboxFalsePositivesNoInvert(b *testing.B) {
	imgs := loadBlackbox(b, "falsepositives-2")
	d := New(Options{TryHarder: true})
	for b.Loop() {
		for _, img := range imgs {
			d.DecodeImage(img)
		}
	}
}
