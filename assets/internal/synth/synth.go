// Package synth draws the app icon and synthesises the scan sounds that
// package assets embeds. The files in assets/ are its output, committed so
// that building needs no generation step; assets' tests check that they
// still match (`go generate ./assets` rewrites them).
package synth

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"math"
	"time"
)

// SampleRate, Channels and BitsPerSample describe every sound: 16-bit mono
// PCM at 22.05 kHz, small enough to embed and played by any Linux player.
const (
	SampleRate    = 22050
	Channels      = 1
	BitsPerSample = 16
)

// Tone is one beep: a frequency held for a duration. Freq 0 is silence.
type Tone struct {
	Freq     float64
	Duration time.Duration
	// Square mixes in odd harmonics (a buzz) instead of a pure sine.
	Square bool
}

// The three scan sounds.
var (
	// Good: a short high beep, the sound of an accepted scan.
	Good = []Tone{{Freq: 880, Duration: 80 * time.Millisecond}}
	// Warn: two lower beeps, accepted but flagged.
	Warn = []Tone{
		{Freq: 660, Duration: 70 * time.Millisecond},
		{Duration: 60 * time.Millisecond},
		{Freq: 660, Duration: 70 * time.Millisecond},
	}
	// Bad: a low buzz, refused or recorded as an exception.
	Bad = []Tone{{Freq: 220, Duration: 250 * time.Millisecond, Square: true}}
)

// Duration is the total length of a sequence of tones.
func Duration(tones []Tone) time.Duration {
	var d time.Duration
	for _, t := range tones {
		d += t.Duration
	}
	return d
}

// WAV renders tones as a RIFF/WAVE file of 16-bit mono PCM at SampleRate.
// Each tone fades in and out over 5 ms so that it starts and ends without
// a click.
func WAV(tones []Tone) []byte {
	var pcm []int16
	for _, t := range tones {
		n := int(t.Duration.Seconds()*SampleRate + 0.5)
		fade := SampleRate / 200 // 5 ms
		for i := 0; i < n; i++ {
			if t.Freq == 0 {
				pcm = append(pcm, 0)
				continue
			}
			x := 2 * math.Pi * t.Freq * float64(i) / SampleRate
			v := math.Sin(x)
			if t.Square {
				// The first odd harmonics of a square wave: harsh but not shrill.
				v = (math.Sin(x) + math.Sin(3*x)/3 + math.Sin(5*x)/5 + math.Sin(7*x)/7) / 1.2
			}
			env := 1.0
			if i < fade {
				env = float64(i) / float64(fade)
			} else if n-1-i < fade {
				env = float64(n-1-i) / float64(fade)
			}
			pcm = append(pcm, int16(math.Round(v*env*0.6*math.MaxInt16)))
		}
	}
	data := len(pcm) * 2
	var b bytes.Buffer
	w := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	w(uint32(36 + data))
	b.WriteString("WAVE")
	b.WriteString("fmt ")
	w(uint32(16))                                        // fmt chunk size
	w(uint16(1))                                         // PCM
	w(uint16(Channels))                                  // channels
	w(uint32(SampleRate))                                // sample rate
	w(uint32(SampleRate * Channels * BitsPerSample / 8)) // byte rate
	w(uint16(Channels * BitsPerSample / 8))              // block align
	w(uint16(BitsPerSample))
	b.WriteString("data")
	w(uint32(data))
	w(pcm)
	return b.Bytes()
}

// IconSize is the side of the square app icon in pixels.
const IconSize = 512

// Icon colours: a deep teal tile, white bars, an amber scan line.
var (
	tile  = color.NRGBA{0x0b, 0x5d, 0x6b, 0xff}
	bar   = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	laser = color.NRGBA{0xff, 0xb3, 0x00, 0xff}
)

// bars are the barcode's module widths, bar and space alternating, starting
// with a bar: guard bars, then a few digits' worth of bars of 1–4 modules.
var bars = []int{1, 1, 1, 2, 3, 1, 1, 1, 2, 2, 1, 3, 1, 1, 4, 1, 1, 1, 1, 2, 1, 1, 3, 2, 1, 1, 1}

// Icon draws the app icon: a rounded teal tile holding a white barcode,
// crossed by an amber scan line, as a 512×512 PNG with transparent corners.
func Icon() []byte {
	img := image.NewNRGBA(image.Rect(0, 0, IconSize, IconSize))
	const (
		radius = 96.0
		ss     = 4 // supersampling per axis, for smooth edges
	)
	modules := 0
	for _, w := range bars {
		modules += w
	}
	const left, right, top, bottom = 112.0, 400.0, 140.0, 372.0
	module := (right - left) / float64(modules)
	// inBar reports whether x lies on a bar of the code.
	inBar := func(x float64) bool {
		if x < left || x >= right {
			return false
		}
		pos := left
		for i, w := range bars {
			next := pos + float64(w)*module
			if x < next {
				return i%2 == 0
			}
			pos = next
		}
		return false
	}
	// colourAt is the colour of a point, or transparent outside the tile.
	colourAt := func(x, y float64) color.NRGBA {
		if !inRoundRect(x, y, 0, 0, IconSize, IconSize, radius) {
			return color.NRGBA{}
		}
		if y >= 248 && y < 264 && x >= 72 && x < 440 {
			return laser
		}
		if y >= top && y < bottom && inBar(x) {
			return bar
		}
		return tile
	}
	for py := 0; py < IconSize; py++ {
		for px := 0; px < IconSize; px++ {
			var r, g, b, a float64
			for sy := 0; sy < ss; sy++ {
				for sx := 0; sx < ss; sx++ {
					c := colourAt(float64(px)+(float64(sx)+0.5)/ss, float64(py)+(float64(sy)+0.5)/ss)
					fa := float64(c.A) / 255
					r += float64(c.R) * fa
					g += float64(c.G) * fa
					b += float64(c.B) * fa
					a += fa
				}
			}
			if a == 0 {
				continue
			}
			img.SetNRGBA(px, py, color.NRGBA{
				R: uint8(math.Round(r / a)),
				G: uint8(math.Round(g / a)),
				B: uint8(math.Round(b / a)),
				A: uint8(math.Round(a / (ss * ss) * 255)),
			})
		}
	}
	var out bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&out, img); err != nil {
		panic(err) // encoding to memory cannot fail
	}
	return out.Bytes()
}

// inRoundRect reports whether (x, y) lies inside the rectangle with corners
// rounded by radius r.
func inRoundRect(x, y, x0, y0, x1, y1, r float64) bool {
	if x < x0 || x >= x1 || y < y0 || y >= y1 {
		return false
	}
	cx := math.Max(x0+r, math.Min(x, x1-r))
	cy := math.Max(y0+r, math.Min(y, y1-r))
	dx, dy := x-cx, y-cy
	return dx*dx+dy*dy <= r*r
}
