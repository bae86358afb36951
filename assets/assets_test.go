package assets

import (
	"bytes"
	"encoding/binary"
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/driftless/driftless/assets/internal/synth"
)

var update = flag.Bool("update", false, "rewrite the asset files from assets/internal/synth")

// wavInfo is what a RIFF/WAVE header says.
type wavInfo struct {
	format, channels, bits uint16
	rate                   uint32
	dataBytes              int
}

// parseWAV checks the RIFF/WAVE structure of b, chunk by chunk.
func parseWAV(t *testing.T, b []byte) wavInfo {
	t.Helper()
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		t.Fatalf("not a RIFF/WAVE file")
	}
	if got := binary.LittleEndian.Uint32(b[4:8]); int(got) != len(b)-8 {
		t.Fatalf("RIFF size %d, file has %d bytes after the header", got, len(b)-8)
	}
	var info wavInfo
	sawFmt := false
	for p := 12; p < len(b); {
		if p+8 > len(b) {
			t.Fatalf("truncated chunk header at %d", p)
		}
		id, size := string(b[p:p+4]), int(binary.LittleEndian.Uint32(b[p+4:p+8]))
		body := p + 8
		if body+size > len(b) {
			t.Fatalf("chunk %q of %d bytes runs past the end", id, size)
		}
		switch id {
		case "fmt ":
			sawFmt = true
			info.format = binary.LittleEndian.Uint16(b[body:])
			info.channels = binary.LittleEndian.Uint16(b[body+2:])
			info.rate = binary.LittleEndian.Uint32(b[body+4:])
			byteRate := binary.LittleEndian.Uint32(b[body+8:])
			align := binary.LittleEndian.Uint16(b[body+12:])
			info.bits = binary.LittleEndian.Uint16(b[body+14:])
			if byteRate != info.rate*uint32(info.channels)*uint32(info.bits)/8 || align != info.channels*info.bits/8 {
				t.Fatalf("inconsistent fmt chunk: byte rate %d, block align %d", byteRate, align)
			}
		case "data":
			if !sawFmt {
				t.Fatalf("data chunk before fmt chunk")
			}
			info.dataBytes = size
		}
		p = body + size + size%2
	}
	return info
}

func TestSounds(t *testing.T) {
	for _, tc := range []struct {
		name string
		wav  []byte
		want time.Duration
	}{
		{"good", GoodWAV, 80 * time.Millisecond},
		{"warn", WarnWAV, 200 * time.Millisecond},
		{"bad", BadWAV, 250 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info := parseWAV(t, tc.wav)
			if info.format != 1 || info.channels != 1 || info.bits != 16 || info.rate != 22050 {
				t.Fatalf("format %d, %d channels, %d bits, %d Hz; want PCM (1), mono, 16 bits, 22050 Hz",
					info.format, info.channels, info.bits, info.rate)
			}
			samples := info.dataBytes / 2
			got := time.Duration(samples) * time.Second / 22050
			if d := got - tc.want; d < -time.Millisecond || d > time.Millisecond {
				t.Fatalf("lasts %v, want %v", got, tc.want)
			}
			if len(tc.wav) > 16<<10 {
				t.Fatalf("%d bytes: keep scan sounds small", len(tc.wav))
			}
			// Not silence, and starting and ending at zero (no click).
			pcm := tc.wav[len(tc.wav)-info.dataBytes:]
			var peak int16
			for i := 0; i+1 < len(pcm); i += 2 {
				peak = max(peak, int16(binary.LittleEndian.Uint16(pcm[i:])))
			}
			if peak < 10000 {
				t.Fatalf("peak amplitude %d: too quiet", peak)
			}
			first := int16(binary.LittleEndian.Uint16(pcm))
			last := int16(binary.LittleEndian.Uint16(pcm[len(pcm)-2:]))
			if first != 0 || last != 0 {
				t.Fatalf("first sample %d, last %d: want 0 (faded)", first, last)
			}
		})
	}
}

func TestIcon(t *testing.T) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(Icon))
	if err != nil {
		t.Fatal(err)
	}
	if format != "png" || cfg.Width != 512 || cfg.Height != 512 {
		t.Fatalf("icon is a %d×%d %s, want a 512×512 png", cfg.Width, cfg.Height, format)
	}
}

// TestFilesUpToDate checks that the committed files are synth's output; with
// -update (go generate ./assets) it rewrites them.
func TestFilesUpToDate(t *testing.T) {
	files := map[string][]byte{
		"sounds/good.wav": synth.WAV(synth.Good),
		"sounds/warn.wav": synth.WAV(synth.Warn),
		"sounds/bad.wav":  synth.WAV(synth.Bad),
		"icon.png":        synth.Icon(),
	}
	if *update {
		for name, b := range files {
			if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(name, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	embedded := map[string][]byte{
		"sounds/good.wav": GoodWAV, "sounds/warn.wav": WarnWAV, "sounds/bad.wav": BadWAV, "icon.png": Icon,
	}
	for name, want := range files {
		got := embedded[name]
		if name == "icon.png" {
			// PNG compression may differ between Go versions: compare pixels.
			if !samePixels(t, got, want) {
				t.Errorf("%s differs from synth.Icon(): run go generate ./assets", name)
			}
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from synth's output: run go generate ./assets", name)
		}
	}
}

func samePixels(t *testing.T, a, b []byte) bool {
	t.Helper()
	ia, err := png.Decode(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	ib, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if ia.Bounds() != ib.Bounds() {
		return false
	}
	for y := ia.Bounds().Min.Y; y < ia.Bounds().Max.Y; y++ {
		for x := ia.Bounds().Min.X; x < ia.Bounds().Max.X; x++ {
			if ia.At(x, y) != ib.At(x, y) {
				return false
			}
		}
	}
	return true
}
