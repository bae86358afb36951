package camera

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

func TestYUYVToY(t *testing.T) {
	// 4x2 pixels, rows padded to 12 bytes: Y0 U Y1 V ...
	src := []byte{
		10, 128, 11, 129, 12, 130, 13, 131, 0xEE, 0xEE, 0xEE, 0xEE,
		20, 128, 21, 129, 22, 130, 23, 131, 0xEE, 0xEE, 0xEE, 0xEE,
	}
	dst := make([]byte, 8)
	if err := yuyvToY(dst, src, 4, 2, 12); err != nil {
		t.Fatal(err)
	}
	if want := []byte{10, 11, 12, 13, 20, 21, 22, 23}; !bytes.Equal(dst, want) {
		t.Errorf("Y = %v, want %v", dst, want)
	}
	for _, c := range []struct{ w, h, stride, src, dst int }{
		{4, 2, 12, 19, 8}, // last row one byte short
		{4, 2, 7, 24, 8},  // stride shorter than a row
		{3, 2, 12, 24, 6}, // odd width
		{4, 2, 12, 24, 7}, // destination short
	} {
		if err := yuyvToY(make([]byte, c.dst), make([]byte, c.src), c.w, c.h, c.stride); err == nil {
			t.Errorf("yuyvToY(%+v) accepted", c)
		}
	}
}

// stripDHT removes the Huffman table segments from a JPEG, as UVC cameras
// send MJPEG frames.
func stripDHT(t *testing.T, b []byte) []byte {
	t.Helper()
	out := append([]byte(nil), b[:2]...)
	i := 2
	for b[i+1] != 0xda {
		n := int(b[i+2])<<8 | int(b[i+3])
		if b[i+1] != 0xc4 {
			out = append(out, b[i:i+2+n]...)
		}
		i += 2 + n
	}
	out = append(out, b[i:]...)
	if bytes.Contains(out[:i], []byte{0xff, 0xc4}) {
		t.Fatal("DHT still present")
	}
	return out
}

func TestMJPEGWithoutHuffmanTables(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 64, 32))
	for y := 0; y < 32; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.RGBA{uint8(4 * x), uint8(8 * y), uint8(x * y), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	full := buf.Bytes()
	want, err := mjpegToY(full)
	if err != nil {
		t.Fatal(err)
	}
	if got := withHuffmanTables(full); &got[0] != &full[0] {
		t.Error("a frame with its tables was copied")
	}
	bare := stripDHT(t, full)
	if _, err := jpeg.Decode(bytes.NewReader(bare)); err == nil {
		t.Fatal("test setup: image/jpeg decoded a frame without Huffman tables")
	}
	got, err := mjpegToY(bare)
	if err != nil {
		t.Fatalf("mjpegToY without tables: %v", err)
	}
	if got.Width != 64 || got.Height != 32 {
		t.Fatalf("frame %dx%d, want 64x32", got.Width, got.Height)
	}
	for y := 0; y < 32; y++ {
		if !bytes.Equal(got.Y[y*got.Stride:y*got.Stride+64], want.Y[y*want.Stride:y*want.Stride+64]) {
			t.Fatalf("row %d differs from the frame decoded with its own tables", y)
		}
	}
	if _, err := mjpegToY([]byte{0xff, 0xd8, 0x00}); err == nil {
		t.Error("garbage decoded")
	}
}
