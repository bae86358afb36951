// Package blackbox reads ZXing's blackbox test set as shared beside the
// repository (../shared/testdata/zxing-blackbox): the folders of real
// photographs, each image's expected text, and ZXing Java's pass thresholds
// from THRESHOLDS.tsv. The decode package's test and the bench-decode tool
// both judge decoders with it.
package blackbox

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Folder is one row of THRESHOLDS.tsv with the folder's images.
type Folder struct {
	Name   string
	Format string // ZXing format name; "NONE" for a negative set
	// The thresholds ZXing Java's own blackbox test holds itself to.
	MustPass             int // at 0°, without TRY_HARDER
	MustPassTryHarder0   int // at 0°, with TRY_HARDER
	MustPassTryHarder180 int // at 180°, with TRY_HARDER
	MaxMisreadsTryHarder int // per rotation
	MaxFalsePositives    int // negative sets only, per rotation
	Images               []Image
}

// Negative reports whether the folder holds images without any barcode.
func (f Folder) Negative() bool { return f.Format == "NONE" }

// Image is one photograph and what it encodes.
type Image struct {
	Path     string
	Expected string // UTF-8; empty in a negative set
}

// Dir finds the shared blackbox directory from a directory inside the
// repository: <repo root>/../shared/testdata/zxing-blackbox, the repo root
// being the nearest parent holding go.mod. ok is false when it is absent.
func Dir(from string) (dir string, ok bool, err error) {
	abs, err := filepath.Abs(from)
	if err != nil {
		return "", false, fmt.Errorf("find blackbox dir: %w", err)
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			dir = filepath.Join(d, "..", "shared", "testdata", "zxing-blackbox")
			if _, err := os.Stat(filepath.Join(dir, "THRESHOLDS.tsv")); err != nil {
				return dir, false, nil
			}
			return dir, true, nil
		}
		if filepath.Dir(d) == d {
			return "", false, fmt.Errorf("find blackbox dir: no go.mod above %s", abs)
		}
	}
}

// Load reads THRESHOLDS.tsv in dir and lists each folder's images.
func Load(dir string) ([]Folder, error) {
	f, err := os.Open(filepath.Join(dir, "THRESHOLDS.tsv"))
	if err != nil {
		return nil, fmt.Errorf("load blackbox: %w", err)
	}
	defer f.Close()
	var folders []Folder
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Split(text, "\t")
		if len(fields) != 7 {
			return nil, fmt.Errorf("load blackbox: THRESHOLDS.tsv line %d: %d fields, want 7", line, len(fields))
		}
		num := func(i int) int {
			n, err := strconv.Atoi(fields[i])
			if err != nil {
				return -1 // "-" in a negative set
			}
			return n
		}
		fd := Folder{Name: fields[0], Format: fields[1]}
		if fd.Negative() {
			fd.MaxFalsePositives = num(6)
		} else {
			fd.MustPass, fd.MustPassTryHarder0, fd.MustPassTryHarder180 = num(3), num(4), num(5)
			fd.MaxMisreadsTryHarder = num(6)
		}
		if fd.Images, err = images(filepath.Join(dir, fd.Name), fd.Negative()); err != nil {
			return nil, fmt.Errorf("load blackbox: %w", err)
		}
		folders = append(folders, fd)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("load blackbox: %w", err)
	}
	return folders, nil
}

var imageExts = []string{".png", ".jpg", ".jpeg", ".gif", ".bmp"}

func images(dir string, negative bool) ([]Image, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []Image
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.IsDir() || !slices.Contains(imageExts, ext) {
			continue
		}
		img := Image{Path: filepath.Join(dir, e.Name())}
		if !negative {
			if img.Expected, err = expected(strings.TrimSuffix(img.Path, filepath.Ext(img.Path))); err != nil {
				return nil, err
			}
		}
		out = append(out, img)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no images", dir)
	}
	return out, nil
}

// expected reads <stem>.txt (UTF-8) or <stem>.bin (ISO-8859-1).
func expected(stem string) (string, error) {
	if b, err := os.ReadFile(stem + ".txt"); err == nil {
		return string(b), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	b, err := os.ReadFile(stem + ".bin")
	if err != nil {
		return "", fmt.Errorf("expected result of %s: %w", stem, err)
	}
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r), nil
}
