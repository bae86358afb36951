package decode

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"slices"
	"testing"

	"github.com/driftless/driftless/client/scan/decode/internal/blackbox"
)

// rawPNG writes a PNG of any colour type and depth from random filtered
// rows (every byte string is valid filtered data), each row with a random
// filter, which image/png's encoder would never produce.
func rawPNG(rng *rand.Rand, w, h, ctype, depth int, plte, trns []byte) []byte {
	channels := map[int]int{pngGray: 1, pngTrueColor: 3, pngPaletted: 1, pngGrayAlpha: 2, pngRGBA: 4}[ctype]
	rowBytes := (w*channels*depth + 7) / 8
	var raw bytes.Buffer
	for range h {
		raw.WriteByte(byte(rng.IntN(5)))
		for range rowBytes {
			raw.WriteByte(byte(rng.Uint32()))
		}
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(raw.Bytes())
	zw.Close()

	var out bytes.Buffer
	out.WriteString(pngSignature)
	chunk := func(typ string, body []byte) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(body)))
		out.Write(n[:])
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(body)
		out.WriteString(typ)
		out.Write(body)
		binary.BigEndian.PutUint32(n[:], crc.Sum32())
		out.Write(n[:])
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = byte(depth), byte(ctype)
	chunk("IHDR", ihdr)
	if plte != nil {
		chunk("PLTE", plte)
	}
	if trns != nil {
		chunk("tRNS", trns)
	}
	// The image data split over two IDAT chunks, as encoders do for
	// large images.
	zb := z.Bytes()
	chunk("IDAT", zb[:len(zb)/2])
	chunk("IDAT", zb[len(zb)/2:])
	chunk("IEND", nil)
	return out.Bytes()
}

// referenceLuminance is what the decoder saw before the PNG path: image/png's
// image converted by luminance.
func referenceLuminance(data []byte) ([]byte, image.Rectangle, error) {
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, image.Rectangle{}, err
	}
	pix, stride, r := luminance(img)
	out := make([]byte, 0, r.Dx()*r.Dy())
	for y := range r.Dy() {
		out = append(out, pix[y*stride:y*stride+r.Dx()]...)
	}
	return out, r, nil
}

func checkSameLuminance(t *testing.T, name string, data []byte) {
	t.Helper()
	want, r, err := referenceLuminance(data)
	if err != nil {
		t.Fatalf("%s: image/png: %v", name, err)
	}
	got, err := ReadLuminance(data)
	if err != nil {
		t.Fatalf("%s: ReadLuminance: %v", name, err)
	}
	if got.Rect.Dx() != r.Dx() || got.Rect.Dy() != r.Dy() {
		t.Fatalf("%s: %v, want %v", name, got.Rect, r)
	}
	for y := range r.Dy() {
		row := got.Pix[y*got.Stride : y*got.Stride+r.Dx()]
		if w := want[y*r.Dx() : (y+1)*r.Dx()]; !bytes.Equal(row, w) {
			for x := range row {
				if row[x] != w[x] {
					t.Fatalf("%s: pixel (%d,%d) = %d, image/png gives %d", name, x, y, row[x], w[x])
				}
			}
		}
	}
}

func TestPNGLuminanceMatchesImagePNG(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	randBytes := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	type kind struct {
		ctype, depth int
		plte, trns   []byte
		fast         bool // decoded by the PNG path, not image/png
	}
	kinds := []kind{
		{pngGray, 1, nil, nil, true}, {pngGray, 2, nil, nil, true}, {pngGray, 4, nil, nil, true},
		{pngGray, 8, nil, nil, true}, {pngGray, 16, nil, nil, true},
		{pngTrueColor, 8, nil, nil, true}, {pngTrueColor, 16, nil, nil, true},
		{pngPaletted, 1, randBytes(6), nil, true}, {pngPaletted, 2, randBytes(9), nil, true},
		{pngPaletted, 4, randBytes(48), randBytes(5), true},
		{pngPaletted, 8, randBytes(3 * 200), randBytes(40), true}, // indices past the palette
		{pngPaletted, 8, randBytes(3 * 256), randBytes(256), true},
		{pngGrayAlpha, 8, nil, nil, true}, {pngRGBA, 8, nil, nil, true},
		// left to image/png
		{pngGrayAlpha, 16, nil, nil, false}, {pngRGBA, 16, nil, nil, false},
		{pngGray, 8, nil, []byte{0, 7}, false}, {pngTrueColor, 8, nil, []byte{0, 1, 0, 2, 0, 3}, false},
	}
	for _, k := range kinds {
		for _, size := range [][2]int{{1, 1}, {3, 2}, {17, 5}, {64, 33}} {
			name := fmt.Sprintf("type %d depth %d %dx%d", k.ctype, k.depth, size[0], size[1])
			data := rawPNG(rng, size[0], size[1], k.ctype, k.depth, k.plte, k.trns)
			if _, err := pngLuminance(data); errors.Is(err, errPNGFallback) == k.fast {
				t.Errorf("%s: PNG path returned %v, want fast=%v", name, err, k.fast)
			}
			checkSameLuminance(t, name, data)
		}
	}
	// And what image/png's encoder writes, with its own choice of filters,
	// from smooth images where every filter type wins somewhere.
	smooth := func(x, y int) uint8 { return uint8(x*3 + y*5 + rng.IntN(9)) }
	r := image.Rect(0, 0, 70, 40)
	gray, rgba, nrgba := image.NewGray(r), image.NewRGBA(r), image.NewNRGBA(r)
	pal := image.NewPaletted(r, nil)
	for i := range 256 {
		pal.Palette = append(pal.Palette, color.NRGBA{uint8(i), uint8(255 - i), uint8(i * 7), uint8(i | 0x80)})
	}
	for y := range r.Dy() {
		for x := range r.Dx() {
			gray.SetGray(x, y, color.Gray{smooth(x, y)})
			rgba.SetRGBA(x, y, color.RGBA{smooth(x, y), smooth(y, x), smooth(x+y, y), 0xff})
			nrgba.SetNRGBA(x, y, color.NRGBA{smooth(x, y), smooth(y, x), smooth(x+y, y), smooth(x*y, 1)})
			pal.SetColorIndex(x, y, smooth(x, y))
		}
	}
	for name, img := range map[string]image.Image{"gray": gray, "rgb": rgba, "nrgba": nrgba, "paletted": pal} {
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		checkSameLuminance(t, "encoded "+name, buf.Bytes())
	}
}

// TestPNGLuminanceBlackbox checks the PNG path against image/png on every
// shared photograph.
func TestPNGLuminanceBlackbox(t *testing.T) {
	dir, ok, err := blackbox.Dir(".")
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Skipf("blackbox images not found at %s", dir)
	}
	folders, err := blackbox.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range folders {
		for _, im := range f.Images {
			data, err := os.ReadFile(im.Path)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.HasPrefix(data, []byte(pngSignature)) {
				checkSameLuminance(t, im.Path, data)
			}
		}
	}
}

func TestPNGLuminanceRejectsBrokenFiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	good := rawPNG(rng, 20, 10, pngTrueColor, 8, nil, nil)
	truncatedData := rawPNG(rng, 20, 10, pngTrueColor, 8, nil, nil)
	// Declare more rows than the data holds.
	binary.BigEndian.PutUint32(truncatedData[len(pngSignature)+8+4:], 11)
	crc := crc32.ChecksumIEEE(truncatedData[len(pngSignature)+4 : len(pngSignature)+8+13])
	binary.BigEndian.PutUint32(truncatedData[len(pngSignature)+8+13:], crc)

	badCRC := bytes.Clone(good)
	badCRC[len(pngSignature)+8+2] ^= 1 // inside IHDR's width
	huge := bytes.Clone(good)
	binary.BigEndian.PutUint32(huge[len(pngSignature)+8:], 1<<20)
	binary.BigEndian.PutUint32(huge[len(pngSignature)+8+4:], 1<<20)
	crc = crc32.ChecksumIEEE(huge[len(pngSignature)+4 : len(pngSignature)+8+13])
	binary.BigEndian.PutUint32(huge[len(pngSignature)+8+13:], crc)

	badZlib := bytes.Clone(good)
	idat := bytes.Index(badZlib, []byte("IDAT"))
	badZlib[idat+4] ^= 0x0f // the compression method
	idatLen := int(binary.BigEndian.Uint32(badZlib[idat-4:]))
	crc = crc32.ChecksumIEEE(badZlib[idat : idat+4+idatLen])
	binary.BigEndian.PutUint32(badZlib[idat+4+idatLen:], crc)

	for name, data := range map[string][]byte{
		"bad zlib header": badZlib,
		"truncated file":  good[:len(good)/2],
		"missing rows":    truncatedData,
		"bad checksum":    badCRC,
		"too large":       huge,
		"not an image":    []byte("hello"),
	} {
		if g, err := ReadLuminance(data); err == nil {
			t.Errorf("%s: decoded a %v image, want an error", name, g.Rect)
		}
	}
	if _, err := ReadLuminance(good); err != nil {
		t.Errorf("the unbroken file: %v", err)
	}
}

// TestPaeth holds paeth, branch-free and byte-interleaved, to the filter
// as the PNG specification writes it, for every pixel width.
func TestPaeth(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for bpp := 1; bpp <= 8; bpp++ {
		for _, n := range []int{1, bpp, bpp + 1, 3*bpp - 1, 3 * bpp, 97, 300} {
			cdat, pdat := make([]byte, n), make([]byte, n)
			for i := range cdat {
				cdat[i], pdat[i] = byte(rng.IntN(256)), byte(rng.IntN(256))
			}
			want := slices.Clone(cdat)
			for i := range want {
				var a, c int
				if i >= bpp {
					a, c = int(want[i-bpp]), int(pdat[i-bpp])
				}
				b := int(pdat[i])
				p := a + b - c
				pa, pb, pc := abs(p-a), abs(p-b), abs(p-c)
				switch {
				case pa <= pb && pa <= pc:
					want[i] += byte(a)
				case pb <= pc:
					want[i] += byte(b)
				default:
					want[i] += byte(c)
				}
			}
			paeth(cdat, pdat, bpp)
			if !slices.Equal(cdat, want) {
				t.Errorf("bpp %d, %d bytes: got %v, want %v", bpp, n, cdat, want)
			}
		}
	}
}
