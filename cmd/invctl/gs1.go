package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/driftless/driftless/client/scan/gs1"
)

func init() { subcommands = append(subcommands, newGS1Cmd) }

// gsToken is how a group separator is written in invctl gs1's input.
const gsToken = "{GS}"

func newGS1Cmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "gs1",
		Short: "Parse scans (GS1 element strings, EAN/UPC, internal codes) from stdin, one per line",
		Long: `gs1 reads one scan per line from standard input and prints what it contains.
The text {GS} stands for the ASCII group separator (0x1D) that scanners send
after variable-length fields; symbology identifiers (]C1, ]d2, ]Q3, ]e0) and
the bracketed form (01)…(10)… are understood.

With --json each line becomes
  {"input":..,"ok":true,"ais":[["01","09501101530003"],["10","ABC"]]}
with the AIs in the order they appear, or {"input":..,"ok":false,"error":..}.
A scan that is not a GS1 element string is ok with no AIs and a "kind"
telling what it is: ean13, ean8, upca, upce, gtin14 or internal. Error
positions count characters of the line as typed, {GS} included.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runGS1(cmd.InOrStdin(), cmd.OutOrStdout(), asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per line")
	return cmd
}

// gs1OK and gs1Failed are the two shapes of a --json output line; their
// field order is the documented one.
type gs1OK struct {
	Input string      `json:"input"`
	OK    bool        `json:"ok"`
	Kind  gs1.Kind    `json:"kind,omitempty"`
	AIs   [][2]string `json:"ais"`
}

type gs1Failed struct {
	Input string `json:"input"`
	OK    bool   `json:"ok"`
	Error string `json:"error"`
}

func runGS1(in io.Reader, out io.Writer, asJSON bool) error {
	w := bufio.NewWriter(out)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	var p gs1.Parser
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		r, err := parseGS1Line(&p, line)
		switch {
		case asJSON && err != nil:
			if err := enc.Encode(gs1Failed{Input: line, Error: err.Error()}); err != nil {
				return fmt.Errorf("write result: %w", err)
			}
		case asJSON:
			res := gs1OK{Input: line, OK: true, AIs: [][2]string{}}
			if r.Kind != gs1.KindGS1 {
				res.Kind = r.Kind
			}
			for _, e := range r.Elements {
				res.AIs = append(res.AIs, [2]string{e.AI, e.Value})
			}
			if err := enc.Encode(res); err != nil {
				return fmt.Errorf("write result: %w", err)
			}
		case err != nil:
			fmt.Fprintf(w, "%s\terror: %v\n", line, err)
		case r.Kind == gs1.KindGS1:
			fmt.Fprintf(w, "%s\t%s\n", line, gs1.Bracketed(r.Elements))
		case r.GTIN() != "":
			fmt.Fprintf(w, "%s\t%s GTIN %s\n", line, r.Kind, r.GTIN())
		default:
			fmt.Fprintf(w, "%s\t%s\n", line, r.Kind)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read scans: %w", err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	return nil
}

// parseGS1Line replaces {GS} with the group separator, parses the scan and
// maps an error's position back to the line as typed.
func parseGS1Line(p *gs1.Parser, line string) (gs1.Result, error) {
	if line == "" {
		return gs1.Result{}, errors.New("empty line")
	}
	var scan strings.Builder
	var orig []int // orig[i] is the line offset of scan byte i
	for i := 0; i < len(line); {
		if strings.HasPrefix(line[i:], gsToken) {
			scan.WriteByte(gs1.GS)
			orig = append(orig, i)
			i += len(gsToken)
			continue
		}
		scan.WriteByte(line[i])
		orig = append(orig, i)
		i++
	}
	orig = append(orig, len(line)) // one past the end
	r, err := p.Parse(scan.String())
	var se *gs1.SyntaxError
	if errors.As(err, &se) && se.Pos >= 1 && se.Pos <= len(orig) {
		mapped := *se
		mapped.Pos = orig[se.Pos-1] + 1
		return r, &mapped
	}
	return r, err
}
