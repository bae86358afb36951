package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/driftless/driftless/client/scan/decode"
)

func init() { subcommands = append(subcommands, newDecodeCmd) }

func newDecodeCmd() *cobra.Command {
	var (
		asJSON  bool
		formats []string
		fast    bool
		jobs    int
	)
	cmd := &cobra.Command{
		Use:   "decode [--json] FILE...",
		Short: "Read the barcode in each image file (PNG, JPEG, GIF)",
		Long: `decode reads one barcode from each image file and prints one line per file,
in the order given:
  FILE: FORMAT "TEXT"      or      FILE: not found
With --json each line is
  {"file":..,"format":..,"text":..,"ms":..}   or   {"file":..,"error":"not found"}
where ms is the time spent decoding the pixels (the file's own PNG/JPEG
decoding not included). A file that cannot be read gets an error line too;
the command exits 0 whenever it ran, whatever it found.

Formats: ` + formatNames() + `.
By default all are tried, trying hard (every row, quarter turns, inverted).`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			opts := decode.Options{TryHarder: !fast, TryInverted: !fast}
			for _, list := range formats {
				for _, name := range strings.Split(list, ",") {
					f, err := decode.ParseFormat(strings.TrimSpace(name))
					if err != nil {
						return err
					}
					opts.Formats = append(opts.Formats, f)
				}
			}
			if os.Getenv("GOGC") == "" {
				// Each file is a whole decoded image of garbage: collect
				// less often, for a few megabytes more.
				debug.SetGCPercent(400)
			}
			return runDecode(cmd.OutOrStdout(), decode.New(opts), files, asJSON, jobs)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per line")
	cmd.Flags().StringSliceVar(&formats, "formats", nil, "comma-separated formats to look for (default all)")
	cmd.Flags().BoolVar(&fast, "fast", false, "quick pass only, as for live camera frames: no quarter turns, no inverted image, 15 rows for 1D codes")
	cmd.Flags().IntVarP(&jobs, "jobs", "j", runtime.GOMAXPROCS(0), "files decoded at the same time")
	return cmd
}

func formatNames() string {
	var names []string
	for _, f := range decode.AllFormats() {
		names = append(names, string(f))
	}
	return strings.Join(names, ", ")
}

// decodeLine is one file's outcome; its JSON field order is the documented
// one.
type decodeLine struct {
	File   string  `json:"file"`
	Format string  `json:"format,omitempty"`
	Text   *string `json:"text,omitempty"`
	MS     float64 `json:"ms,omitempty"`
	Error  string  `json:"error,omitempty"`
}

// runDecode decodes files on up to jobs goroutines and prints their lines
// in the order given, each as soon as it and those before it are done.
func runDecode(w io.Writer, d *decode.Decoder, files []string, asJSON bool, jobs int) error {
	jobs = max(1, min(jobs, len(files)))
	lines := make([]chan decodeLine, len(files))
	for i := range lines {
		lines[i] = make(chan decodeLine, 1)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range jobs {
		wg.Go(func() {
			for i := range next {
				lines[i] <- decodeOne(d, files[i])
			}
		})
	}
	go func() {
		for i := range files {
			next <- i
		}
		close(next)
	}()
	defer wg.Wait()
	for _, ch := range lines {
		l := <-ch
		if err := printDecodeLine(w, l, asJSON); err != nil {
			// Drain the workers before reporting: the output is gone.
			go func() {
				for range next {
				}
			}()
			return fmt.Errorf("decode: write output: %w", err)
		}
	}
	return nil
}

func decodeOne(d *decode.Decoder, file string) decodeLine {
	img, err := decode.LoadLuminance(file)
	if err != nil {
		return decodeLine{File: file, Error: err.Error()}
	}
	start := time.Now()
	r, err := d.DecodeImage(img)
	ms := float64(time.Since(start).Microseconds()) / 1000
	switch {
	case errors.Is(err, decode.ErrNotFound):
		return decodeLine{File: file, Error: "not found"}
	case err != nil:
		return decodeLine{File: file, Error: err.Error()}
	}
	// Keep ms a number even when it rounds to zero.
	return decodeLine{File: file, Format: string(r.Format), Text: &r.Text, MS: math.Max(ms, 0.001)}
}

func printDecodeLine(w io.Writer, l decodeLine, asJSON bool) error {
	var err error
	switch {
	case asJSON:
		var b []byte
		if b, err = json.Marshal(l); err == nil {
			_, err = fmt.Fprintf(w, "%s\n", b)
		}
	case l.Error != "":
		_, err = fmt.Fprintf(w, "%s: %s\n", l.File, l.Error)
	default:
		_, err = fmt.Fprintf(w, "%s: %s %s\n", l.File, l.Format, strconv.Quote(*l.Text))
	}
	return err
}
