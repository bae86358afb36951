// Command benchdecode times `invctl decode` beside ZXing-C++'s ZXingReader
// and ZBar's zbarimg on ZXing's blackbox photographs (shared beside the
// repository) and prints, per folder, how many images each read correctly,
// then the total time of each tool and the ratio of ours to ZXingReader's.
// Every tool runs as a whole process, once per folder with all its files,
// in the same rounds; the totals are the median over the rounds.
//
// It is what `make bench-decode` runs; see the README's Performance section.
package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/driftless/driftless/client/scan/decode/internal/blackbox"
)

// tool runs one decoder over a folder's files and says what it read in each.
type tool struct {
	name string
	run  func(files []string) (map[string][]string, time.Duration, time.Duration, error)
}

func main() {
	invctl := flag.String("invctl", "invctl", "path of the built invctl binary")
	rounds := flag.Int("rounds", 3, "rounds of timing; totals are the median")
	flag.Parse()
	if err := run(*invctl, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "benchdecode:", err)
		os.Exit(1)
	}
}

func run(invctl string, rounds int) error {
	dir, ok, err := blackbox.Dir(".")
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("blackbox images not found at %s", dir)
	}
	folders, err := blackbox.Load(dir)
	if err != nil {
		return err
	}
	tools := []tool{
		{"invctl decode", func(files []string) (map[string][]string, time.Duration, time.Duration, error) {
			return runInvctl(invctl, files)
		}},
		{"ZXingReader", runZXingReader},
		{"zbarimg", runZbarimg},
	}
	for _, t := range []string{"ZXingReader", "zbarimg"} {
		if _, err := exec.LookPath(t); err != nil {
			return fmt.Errorf("%s not installed (apt-get install zxing-cpp-tools zbar-tools)", t)
		}
	}

	// correct[tool][folder], wall[tool][round], cpu[tool][round]
	correct := make([][]int, len(tools))
	wall := make([][]time.Duration, len(tools))
	cpu := make([][]time.Duration, len(tools))
	for ti := range tools {
		correct[ti] = make([]int, len(folders))
	}
	for round := range rounds {
		for ti, t := range tools {
			var w, c time.Duration
			for fi, f := range folders {
				var files []string
				for _, im := range f.Images {
					files = append(files, im.Path)
				}
				read, dw, dc, err := t.run(files)
				if err != nil {
					return fmt.Errorf("%s on %s: %w", t.name, f.Name, err)
				}
				w, c = w+dw, c+dc
				if round == 0 {
					correct[ti][fi] = count(f, read)
				}
			}
			wall[ti] = append(wall[ti], w)
			cpu[ti] = append(cpu[ti], c)
		}
	}

	fmt.Printf("%-18s %6s %8s", "folder", "images", "ZXing≥")
	for _, t := range tools {
		fmt.Printf(" %14s", t.name)
	}
	fmt.Println()
	for fi, f := range folders {
		threshold := fmt.Sprint(f.MustPassTryHarder0)
		if f.Negative() {
			threshold = fmt.Sprintf("≤%d FP", f.MaxFalsePositives)
		}
		fmt.Printf("%-18s %6d %8s", f.Name, len(f.Images), threshold)
		for ti := range tools {
			fmt.Printf(" %14d", correct[ti][fi])
		}
		fmt.Println()
	}
	fmt.Printf("%-33s", fmt.Sprintf("wall time (median of %d)", rounds))
	for ti := range tools {
		fmt.Printf(" %14s", median(wall[ti]).Round(time.Millisecond))
	}
	fmt.Println()
	fmt.Printf("%-33s", "CPU time (user+system)")
	for ti := range tools {
		fmt.Printf(" %14s", median(cpu[ti]).Round(time.Millisecond))
	}
	fmt.Println()
	fmt.Printf("ratio invctl decode / ZXingReader: %.2f× wall, %.2f× CPU\n",
		median(wall[0]).Seconds()/median(wall[1]).Seconds(), median(cpu[0]).Seconds()/median(cpu[1]).Seconds())
	fmt.Println("(the false-positive row counts images where something was found: lower is better)")
	return nil
}

// count is how many of a folder's images a tool read as expected; for a
// negative folder, in how many it found anything.
func count(f blackbox.Folder, read map[string][]string) int {
	n := 0
	for _, im := range f.Images {
		texts := read[im.Path]
		if f.Negative() {
			if len(texts) > 0 {
				n++
			}
			continue
		}
		// zbarimg reports UPC-A as EAN-13 with a leading zero.
		if slices.Contains(texts, im.Expected) || slices.Contains(texts, "0"+im.Expected) {
			n++
		}
	}
	return n
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// timed runs a command and returns its output, wall and CPU time. A
// non-zero exit is returned as an *exec.ExitError with the output.
func timed(name string, args ...string) ([]byte, time.Duration, time.Duration, error) {
	cmd := exec.Command(name, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var cpu time.Duration
	if cmd.ProcessState != nil {
		cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	return out.Bytes(), wall, cpu, err
}

func runInvctl(bin string, files []string) (map[string][]string, time.Duration, time.Duration, error) {
	out, wall, cpu, err := timed(bin, append([]string{"decode", "--json"}, files...)...)
	if err != nil {
		return nil, 0, 0, err
	}
	read := map[string][]string{}
	for _, line := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		var l struct {
			File string  `json:"file"`
			Text *string `json:"text"`
		}
		if err := json.Unmarshal(line, &l); err != nil {
			return nil, 0, 0, fmt.Errorf("read %q: %w", line, err)
		}
		if l.Text != nil {
			read[l.File] = append(read[l.File], *l.Text)
		}
	}
	return read, wall, cpu, nil
}

// runZXingReader runs ZXingReader over the files. Debian's 1.4.0 aborts on
// an assertion with some images; it is started again after the file it
// was on, and all the processes' times count.
func runZXingReader(files []string) (map[string][]string, time.Duration, time.Duration, error) {
	read := map[string][]string{}
	var wall, cpu time.Duration
	for len(files) > 0 {
		// Line-buffered, so that a crash loses no output before it.
		out, w, c, err := timed("stdbuf", append([]string{"-oL", "ZXingReader"}, files...)...)
		wall, cpu = wall+w, cpu+c
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			return nil, 0, 0, err
		}
		last := -1
		for _, block := range strings.Split(string(out), "File:")[1:] {
			name, rest, _ := strings.Cut(block, "\n")
			name = strings.TrimSpace(name)
			last = slices.Index(files, name)
			for _, part := range strings.Split(rest, "Text:")[1:] {
				text, _, _ := strings.Cut(part, "\nBytes:")
				text = strings.TrimSpace(text)
				text = strings.TrimSuffix(strings.TrimPrefix(text, `"`), `"`)
				read[name] = append(read[name], text)
			}
		}
		if err == nil || last+2 > len(files) {
			break
		}
		// Crashed on the file after the last one it reported.
		files = files[last+2:]
	}
	return read, wall, cpu, nil
}

func runZbarimg(files []string) (map[string][]string, time.Duration, time.Duration, error) {
	out, wall, cpu, err := timed("zbarimg", append([]string{"--xml", "-q"}, files...)...)
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) { // exit 4: nothing found in some file
		return nil, 0, 0, err
	}
	var doc struct {
		Sources []struct {
			Href    string `xml:"href,attr"`
			Symbols []struct {
				Data string `xml:"data"`
			} `xml:"index>symbol"`
		} `xml:"source"`
	}
	if err := xml.Unmarshal(out, &doc); err != nil {
		return nil, 0, 0, fmt.Errorf("read zbarimg's XML: %w", err)
	}
	read := map[string][]string{}
	for _, s := range doc.Sources {
		for _, sym := range s.Symbols {
			read[filepath.Clean(s.Href)] = append(read[filepath.Clean(s.Href)], sym.Data)
		}
	}
	return read, wall, cpu, nil
}
