package camera

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"sync"
	"time"
)

// yuyvToY extracts the luminance of a packed YUYV 4:2:2 frame (Y0 U Y1 V
// per two pixels; rows srcStride bytes apart) into dst, width bytes per row.
func yuyvToY(dst, src []byte, width, height, srcStride int) error {
	if width <= 0 || height <= 0 || width%2 != 0 || srcStride < 2*width ||
		len(src) < (height-1)*srcStride+2*width || len(dst) < width*height {
		return fmt.Errorf("yuyv %dx%d stride %d: %d source bytes, %d destination bytes do not fit",
			width, height, srcStride, len(src), len(dst))
	}
	for r := 0; r < height; r++ {
		s := src[r*srcStride : r*srcStride+2*width]
		d := dst[r*width : (r+1)*width]
		for i := range d {
			d[i] = s[2*i]
		}
	}
	return nil
}

// mjpegToY decodes one MJPEG frame to luminance. UVC webcams often leave
// out the Huffman tables (the AVI1 motion-JPEG convention: the decoder is
// to use the standard ones); image/jpeg needs them, so they are inserted
// before decoding when missing.
func mjpegToY(frame []byte) (Frame, error) {
	img, err := jpeg.Decode(bytes.NewReader(withHuffmanTables(frame)))
	if err != nil {
		return Frame{}, fmt.Errorf("decode mjpeg frame: %w", err)
	}
	return Luminance(img, time.Time{}), nil
}

// withHuffmanTables returns frame with the standard JPEG Huffman tables
// (ITU T.81 Annex K.3) inserted before its first SOS marker when it has
// no DHT segment; otherwise frame itself.
func withHuffmanTables(frame []byte) []byte {
	for i := 2; i+4 <= len(frame); {
		if frame[i] != 0xff {
			return frame // not a marker where one belongs: let the decoder report it
		}
		marker := frame[i+1]
		switch {
		case marker == 0xc4: // DHT present
			return frame
		case marker == 0xda: // SOS before any DHT
			dht := standardDHT()
			out := make([]byte, 0, len(frame)+len(dht))
			out = append(out, frame[:i]...)
			out = append(out, dht...)
			return append(out, frame[i:]...)
		case marker == 0xff: // fill byte
			i++
			continue
		}
		n := int(frame[i+2])<<8 | int(frame[i+3])
		i += 2 + n
	}
	return frame
}

// standardDHT returns the DHT segments of the standard Huffman tables.
// Go's JPEG encoder writes exactly those tables (Annex K.3) for a colour
// image, so they are taken from a tiny encoded image instead of being
// copied out of the specification by hand.
var standardDHT = sync.OnceValue(func() []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 8, 8)), nil); err != nil {
		panic(fmt.Sprintf("encode reference jpeg: %v", err))
	}
	b := buf.Bytes()
	var dht []byte
	for i := 2; i+4 <= len(b) && b[i] == 0xff && b[i+1] != 0xda; {
		n := int(b[i+2])<<8 | int(b[i+3])
		if b[i+1] == 0xc4 {
			dht = append(dht, b[i:i+2+n]...)
		}
		i += 2 + n
	}
	if len(dht) == 0 {
		panic("reference jpeg has no DHT segment")
	}
	return dht
})
