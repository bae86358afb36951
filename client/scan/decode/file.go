package decode

import (
	"fmt"
	"image"
	_ "image/gif" // register the decoders DecodeFile reads
	_ "image/jpeg"
	_ "image/png"
	"os"
)

// DecodeFile reads one barcode from a PNG, JPEG or GIF file.
func (d *Decoder) DecodeFile(path string) (Result, error) {
	img, err := LoadImage(path)
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
