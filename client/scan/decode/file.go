package decode

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // register the decoders DecodeFile reads
	_ "image/jpeg"
	_ "image/png"
	"os"
)

// MaxImagePixels is the largest image, in pixels, that LoadLuminance and
// ReadLuminance decode: a bound on the memory a hostile or broken file can
// make them take.
const MaxImagePixels = 1 << 26

// DecodeFile reads one barcode from a PNG, JPEG or GIF file.
func (d *Decoder) DecodeFile(path string) (Result, error) {
	img, err := LoadLuminance(path)
	if err != nil {
		return Result{}, err
	}
	r, err := d.DecodeImage(img)
	if err != nil {
		return Result{}, fmt.Errorf("decode %s: %w", path, err)
	}
	return r, nil
}

// LoadImage opens and decodes a PNG, JPEG or GIF file.
func LoadImage(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load image: %w", err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("load image %s: %w", path, err)
	}
	return img, nil
}

// LoadLuminance reads a PNG, JPEG or GIF file as the luminance plane the
// decoder works on (colours composited over white), ready for DecodeImage
// without a further conversion. PNG files are decoded straight to
// luminance, row by row, which is much quicker than LoadImage.
func LoadLuminance(path string) (*image.Gray, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load image: %w", err)
	}
	g, err := ReadLuminance(data)
	if err != nil {
		return nil, fmt.Errorf("load image %s: %w", path, err)
	}
	return g, nil
}

// ReadLuminance decodes a PNG, JPEG or GIF image held in data to its
// luminance plane, as LoadLuminance does for a file. Images larger than
// MaxImagePixels are refused.
func ReadLuminance(data []byte) (*image.Gray, error) {
	if bytes.HasPrefix(data, []byte(pngSignature)) {
		g, err := pngLuminance(data)
		if !errors.Is(err, errPNGFallback) {
			return g, err
		}
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return nil, fmt.Errorf("%dx%d image: larger than %d pixels", cfg.Width, cfg.Height, MaxImagePixels)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	if g, ok := img.(*image.Gray); ok {
		return g, nil
	}
	pix, stride, r := luminance(img)
	return &image.Gray{Pix: pix, Stride: stride, Rect: image.Rect(0, 0, r.Dx(), r.Dy())}, nil
}
