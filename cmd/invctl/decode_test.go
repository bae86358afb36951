package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// writePNG renders a gozxing bit matrix (nil: a blank page) into a PNG file.
func writePNG(t *testing.T, path string, m *gozxing.BitMatrix) {
	t.Helper()
	w, h := 200, 120
	if m != nil {
		w, h = m.GetWidth(), m.GetHeight()
	}
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.Gray{Y: 255}
			if m != nil && m.Get(x, y) {
				c = color.Gray{Y: 0}
			}
			img.SetGray(x, y, c)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

func decodeFixtures(t *testing.T) (qr, ean, blank, missing string) {
	dir := t.TempDir()
	qr, ean = filepath.Join(dir, "qr.png"), filepath.Join(dir, "ean.png")
	blank, missing = filepath.Join(dir, "blank.png"), filepath.Join(dir, "missing.png")
	m, err := qrcode.NewQRCodeWriter().Encode("BIN \"A\"\n07", gozxing.BarcodeFormat_QR_CODE, 200, 200, nil)
	if err != nil {
		t.Fatal(err)
	}
	writePNG(t, qr, m)
	m, err = oned.NewEAN13Writer().Encode("9501101530003", gozxing.BarcodeFormat_EAN_13, 300, 80, nil)
	if err != nil {
		t.Fatal(err)
	}
	writePNG(t, ean, m)
	writePNG(t, blank, nil)
	return qr, ean, blank, missing
}

func runDecodeCmd(t *testing.T, args ...string) string {
	t.Helper()
	cmd := newDecodeCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	if err := cmd.Execute(); err != nil {
		t.Fatalf("invctl decode %v: %v (it must exit 0 whenever it ran)", args, err)
	}
	return out.String()
}

func TestDecodeJSON(t *testing.T) {
	qr, ean, blank, missing := decodeFixtures(t)
	out := runDecodeCmd(t, "--json", qr, blank, ean, missing)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("got %d lines, want one per file:\n%s", len(lines), out)
	}
	type line struct {
		File   string   `json:"file"`
		Format string   `json:"format"`
		Text   *string  `json:"text"`
		MS     *float64 `json:"ms"`
		Error  string   `json:"error"`
	}
	var got []line
	for _, l := range lines {
		var v line
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		got = append(got, v)
	}
	// In the order given, whatever order the workers finish in.
	for i, f := range []string{qr, blank, ean, missing} {
		if got[i].File != f {
			t.Errorf("line %d is for %s, want %s", i, got[i].File, f)
		}
	}
	if g := got[0]; g.Format != "QR_CODE" || g.Text == nil || *g.Text != "BIN \"A\"\n07" || g.MS == nil || *g.MS <= 0 {
		t.Errorf("qr line: %s", lines[0])
	}
	if lines[1] != `{"file":"`+blank+`","error":"not found"}` {
		t.Errorf("blank line: %s", lines[1])
	}
	if g := got[2]; g.Format != "EAN_13" || g.Text == nil || *g.Text != "9501101530003" {
		t.Errorf("ean line: %s", lines[2])
	}
	if g := got[3]; g.Error == "" || g.Error == "not found" || g.Text != nil {
		t.Errorf("missing file line: %s", lines[3])
	}
	// The documented field order.
	if !strings.HasPrefix(lines[0], `{"file":`) || !strings.Contains(lines[0], `","format":"QR_CODE","text":`) {
		t.Errorf("field order: %s", lines[0])
	}
}

func TestDecodePlain(t *testing.T) {
	qr, _, blank, _ := decodeFixtures(t)
	out := runDecodeCmd(t, qr, blank)
	want := qr + `: QR_CODE "BIN \"A\"\n07"` + "\n" + blank + ": not found\n"
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestDecodeFormatsFlag(t *testing.T) {
	_, ean, _, _ := decodeFixtures(t)
	if out := runDecodeCmd(t, "--formats", "qr_code,code128", ean); !strings.HasSuffix(out, ": not found\n") {
		t.Errorf("EAN-13 with only QR and Code 128: %s", out)
	}
	cmd := newDecodeCmd()
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	cmd.SetArgs([]string{"--formats", "pdf417", ean})
	if err := cmd.Execute(); err == nil {
		t.Error("an unknown format: want a usage error")
	}
}
