package decode

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"io"
	"slices"
	"sync"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/zlib"
)

// The PNG path below decodes a PNG file straight to the 8-bit luminance
// plane the decoder works on, one row at a time: inflate, unfilter, convert.
// image/png builds an RGBA (or paletted) image first, which luminance then
// reads again; on photographs most of the time of `invctl decode` went
// there. The result is byte for byte what luminance makes of image/png's
// image (TestPNGLuminanceMatchesImagePNG holds it to that).
//
// It handles what cameras, scanners and image tools write: non-interlaced
// greyscale (1 to 16 bits), truecolour (8 and 16 bits), paletted (1 to 8
// bits, with or without transparency), and greyscale or truecolour with an
// 8-bit alpha channel. Anything else (interlaced files, 16-bit alpha, a
// transparent colour key on greyscale or truecolour, chunks out of order)
// goes to image/png, which stays the reference.

// errPNGFallback says the file is a PNG that image/png must decode.
var errPNGFallback = errors.New("png: left to image/png")

const pngSignature = "\x89PNG\r\n\x1a\n"

// PNG colour types.
const (
	pngGray      = 0
	pngTrueColor = 2
	pngPaletted  = 3
	pngGrayAlpha = 4
	pngRGBA      = 6
)

// pngPrealloc bounds what is allocated for the plane before any row has been
// inflated, so that a small file declaring a huge image costs only the rows
// it really holds.
const pngPrealloc = 1 << 22

// pngState is one decode's reusable buffers and inflater.
type pngState struct {
	zr       io.ReadCloser
	src      bytes.Reader
	idat     []byte // the IDAT chunks' data, when there are several
	cur, prv []byte
}

var pngStates = sync.Pool{New: func() any { return new(pngState) }}

// pngLuminance decodes PNG data to a luminance plane over white. It returns
// errPNGFallback, before decompressing anything, for the files it leaves to
// image/png.
func pngLuminance(data []byte) (*image.Gray, error) {
	if !bytes.HasPrefix(data, []byte(pngSignature)) {
		return nil, errors.New("png: not a PNG file")
	}
	var (
		ihdr, plte, trns   []byte
		idat               [][]byte
		seenIDAT, idatDone bool
	)
	rest := data[len(pngSignature):]
chunks:
	for {
		if len(rest) < 12 {
			return nil, errors.New("png: truncated chunk")
		}
		n := binary.BigEndian.Uint32(rest)
		if n > uint32(len(rest)-12) {
			return nil, errors.New("png: truncated chunk")
		}
		typ, body := string(rest[4:8]), rest[8:8+n]
		if crc32.ChecksumIEEE(rest[4:8+n]) != binary.BigEndian.Uint32(rest[8+n:]) {
			return nil, fmt.Errorf("png: %q chunk: invalid checksum", typ)
		}
		rest = rest[12+n:]
		if ihdr == nil && typ != "IHDR" {
			return nil, errPNGFallback // image/png names the ordering error
		}
		switch typ {
		case "IHDR":
			if ihdr != nil || n != 13 {
				return nil, errPNGFallback
			}
			ihdr = body
		case "PLTE":
			if plte != nil || trns != nil || seenIDAT {
				return nil, errPNGFallback
			}
			plte = body
		case "tRNS":
			if trns != nil || seenIDAT {
				return nil, errPNGFallback
			}
			trns = body
		case "IDAT":
			// Like image/png, ignore IDAT chunks that come back after
			// another chunk: the image data is one consecutive run.
			seenIDAT = true
			if !idatDone {
				idat = append(idat, body)
			}
		case "IEND":
			break chunks
		default:
			idatDone = seenIDAT
		}
	}
	if len(idat) == 0 {
		return nil, errors.New("png: no image data")
	}

	w := int(binary.BigEndian.Uint32(ihdr[0:]))
	h := int(binary.BigEndian.Uint32(ihdr[4:]))
	depth, ctype := int(ihdr[8]), int(ihdr[9])
	if w <= 0 || h <= 0 || w > 1<<30 || h > 1<<30 {
		return nil, errPNGFallback
	}
	if int64(w)*int64(h) > MaxImagePixels {
		return nil, fmt.Errorf("png: %dx%d image: larger than %d pixels", w, h, MaxImagePixels)
	}
	if ihdr[10] != 0 || ihdr[11] != 0 || ihdr[12] != 0 {
		return nil, errPNGFallback // other methods or interlacing
	}
	channels := 0
	switch {
	case ctype == pngGray && (depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16) && trns == nil:
		channels = 1
	case ctype == pngTrueColor && (depth == 8 || depth == 16) && trns == nil:
		channels = 3
	case ctype == pngPaletted && (depth == 1 || depth == 2 || depth == 4 || depth == 8) && plte != nil:
		channels = 1
	case ctype == pngGrayAlpha && depth == 8:
		channels = 2
	case ctype == pngRGBA && depth == 8:
		channels = 4
	default:
		return nil, errPNGFallback
	}
	var table [256]byte
	if ctype == pngPaletted {
		var ok bool
		if table, ok = paletteLuminance(plte, trns, depth); !ok {
			return nil, errPNGFallback
		}
	}

	bpp := max(1, channels*depth/8) // bytes per complete pixel, for the filters
	rowBytes := (w*channels*depth + 7) / 8

	st := pngStates.Get().(*pngState)
	defer pngStates.Put(st)
	if len(idat) == 1 {
		st.src.Reset(idat[0])
	} else {
		st.idat = st.idat[:0]
		for _, c := range idat {
			st.idat = append(st.idat, c...)
		}
		st.src.Reset(st.idat)
	}
	// The image data is a zlib stream: a two-byte header, deflate data,
	// and an Adler-32 of the inflated bytes. The rows are read without
	// reaching that checksum (a zlib reader here never got to report it
	// either: io.ReadFull drops an error that comes with a full row), and
	// the chunks' CRCs vouch for the bytes inflated, so the deflate data
	// is inflated raw, sparing the running Adler-32 (~3% of the CPU time
	// of invctl decode).
	if err := zlibHeader(&st.src); err != nil {
		return nil, fmt.Errorf("png: image data: %w", err)
	}
	var err error
	if st.zr == nil {
		st.zr = flate.NewReader(&st.src)
	} else {
		err = st.zr.(flate.Resetter).Reset(&st.src, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("png: image data: %w", err)
	}
	st.cur = slices.Grow(st.cur[:0], 1+rowBytes)[:1+rowBytes]
	st.prv = slices.Grow(st.prv[:0], 1+rowBytes)[:1+rowBytes]
	clear(st.prv)

	pix := make([]byte, 0, min(w*h, pngPrealloc))
	for y := 0; y < h; y++ {
		if _, err := io.ReadFull(st.zr, st.cur); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, fmt.Errorf("png: row %d: %w", y, err)
		}
		cdat, pdat := st.cur[1:], st.prv[1:]
		if err := unfilter(st.cur[0], cdat, pdat, bpp); err != nil {
			return nil, fmt.Errorf("png: row %d: %w", y, err)
		}
		pix = slices.Grow(pix, w)
		dst := pix[len(pix) : len(pix)+w]
		pix = pix[:len(pix)+w]
		pngRowLuminance(dst, cdat, ctype, depth, &table)
		st.cur, st.prv = st.prv, st.cur
	}
	return &image.Gray{Pix: pix, Stride: w, Rect: image.Rect(0, 0, w, h)}, nil
}

// zlibHeader reads and checks a zlib stream's header as the zlib reader
// does: deflate, a window of at most 32 KiB, the check bits, no preset
// dictionary.
func zlibHeader(r io.Reader) error {
	var h [2]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	if h[0]&0x0f != 8 || h[0]>>4 > 7 || binary.BigEndian.Uint16(h[:])%31 != 0 {
		return zlib.ErrHeader
	}
	if h[1]&0x20 != 0 {
		return zlib.ErrDictionary
	}
	return nil
}

// paletteLuminance is the luminance over white of each palette index, with
// image/png's rules: indices past the palette are opaque black, and tRNS
// gives the first entries an alpha. ok is false where image/png would
// reject the palette.
func paletteLuminance(plte, trns []byte, depth int) (table [256]byte, ok bool) {
	np := len(plte) / 3
	if len(plte)%3 != 0 || np == 0 || np > 1<<depth || len(trns) > 256 {
		return table, false
	}
	var colors [256]color.Color
	for i := range colors {
		colors[i] = color.RGBA{0, 0, 0, 0xff}
	}
	for i := range np {
		colors[i] = color.RGBA{plte[3*i], plte[3*i+1], plte[3*i+2], 0xff}
	}
	for i, a := range trns {
		c := colors[i].(color.RGBA)
		colors[i] = color.NRGBA{c.R, c.G, c.B, a}
	}
	for i, c := range colors {
		table[i] = colorLum(c)
	}
	return table, true
}

// unfilter undoes a row's PNG filter in place; pdat is the previous row,
// already unfiltered (zeros for the first).
func unfilter(filter byte, cdat, pdat []byte, bpp int) error {
	pdat = pdat[:len(cdat)]
	switch filter {
	case 0: // none
	case 1: // sub
		for i := bpp; i < len(cdat); i++ {
			cdat[i] += cdat[i-bpp]
		}
	case 2: // up
		for i, p := range pdat {
			cdat[i] += p
		}
	case 3: // average
		for i := 0; i < bpp && i < len(cdat); i++ {
			cdat[i] += pdat[i] / 2
		}
		for i := bpp; i < len(cdat); i++ {
			cdat[i] += uint8((int(cdat[i-bpp]) + int(pdat[i])) / 2)
		}
	case 4: // Paeth
		paeth(cdat, pdat, bpp)
	default:
		return fmt.Errorf("bad filter type %d", filter)
	}
	return nil
}

// paeth undoes the Paeth filter. It walks the row byte by byte, so that the
// channels of a pixel are independent chains the processor runs side by
// side, and picks the predictor with min and conditional moves rather than
// branches, which photographs make unpredictable.
func paeth(cdat, pdat []byte, bpp int) {
	n := min(bpp, len(cdat))
	for i := range n {
		cdat[i] += pdat[i] // a = c = 0: the predictor is b
	}
	if len(cdat) <= bpp {
		return
	}
	left, up, upLeft := cdat[:len(cdat)-bpp], pdat[bpp:], pdat[:len(pdat)-bpp]
	cur := cdat[bpp:]
	up = up[:len(cur)]
	upLeft = upLeft[:len(cur)]
	left = left[:len(cur)]
	for i := range cur {
		a, b, c := int(left[i]), int(up[i]), int(upLeft[i])
		pa, pb, pc := absInt(b-c), absInt(a-c), absInt(a+b-2*c)
		p := c
		if pb <= pc {
			p = b
		}
		if pa <= min(pb, pc) {
			p = a
		}
		cur[i] += byte(p)
	}
}

func absInt(x int) int {
	m := x >> 63
	return (x ^ m) - m
}

// pngRowLuminance converts one unfiltered row to luminance over white, as
// luminance does for the image image/png would have returned.
func pngRowLuminance(dst, cdat []byte, ctype, depth int, table *[256]byte) {
	w := len(dst)
	switch {
	case ctype == pngPaletted && depth == 8:
		for x, v := range cdat[:w] {
			dst[x] = table[v]
		}
	case ctype == pngPaletted:
		unpackBits(dst, cdat, depth, func(v byte) byte { return table[v] })
	case ctype == pngGray && depth == 8:
		copy(dst, cdat[:w])
	case ctype == pngGray && depth == 16:
		for x := range dst {
			dst[x] = cdat[2*x] // the high byte, as luminance takes from Gray16
		}
	case ctype == pngGray:
		scale := byte(0xff / (1<<depth - 1)) // image/png's 0xff, 0x55, 0x11
		unpackBits(dst, cdat, depth, func(v byte) byte { return v * scale })
	case ctype == pngTrueColor && depth == 8:
		src := cdat[:3*w]
		for x := range dst {
			p := src[3*x : 3*x+3 : 3*x+3]
			dst[x] = lum(uint32(p[0]), uint32(p[1]), uint32(p[2]))
		}
	case ctype == pngTrueColor: // 16 bits: the high bytes
		src := cdat[:6*w]
		for x := range dst {
			p := src[6*x : 6*x+6 : 6*x+6]
			dst[x] = lum(uint32(p[0]), uint32(p[2]), uint32(p[4]))
		}
	case ctype == pngGrayAlpha:
		src := cdat[:2*w]
		for x := range dst {
			l, a := src[2*x], src[2*x+1]
			if a != 0xff {
				l = overWhite(uint32(l), uint32(a))
			}
			dst[x] = l
		}
	case ctype == pngRGBA:
		src := cdat[:4*w]
		for x := range dst {
			p := src[4*x : 4*x+4 : 4*x+4]
			l := lum(uint32(p[0]), uint32(p[1]), uint32(p[2]))
			if p[3] != 0xff {
				l = overWhite(uint32(l), uint32(p[3]))
			}
			dst[x] = l
		}
	}
}

// unpackBits spreads samples of depth 1, 2 or 4 bits, most significant
// first, into dst through f.
func unpackBits(dst, cdat []byte, depth int, f func(byte) byte) {
	perByte := 8 / depth
	mask := byte(1<<depth - 1)
	for x := range dst {
		b := cdat[x/perByte]
		shift := 8 - depth*(x%perByte+1)
		dst[x] = f(b >> shift & mask)
	}
}
