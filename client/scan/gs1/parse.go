package gs1

import (
	"fmt"
	"strings"
	"time"
)

// GS is the ASCII group separator that scanners transmit for FNC1 between
// element strings.
const GS = '\x1d'

// Kind tells what a scan is.
type Kind string

const (
	KindGS1      Kind = "gs1"      // a GS1 element string: see Result.Elements
	KindEAN13    Kind = "ean13"    // EAN-13 (GTIN-13)
	KindEAN8     Kind = "ean8"     // EAN-8 (GTIN-8)
	KindUPCA     Kind = "upca"     // UPC-A (GTIN-12)
	KindUPCE     Kind = "upce"     // UPC-E, a zero-suppressed GTIN-12
	KindGTIN14   Kind = "gtin14"   // 14 digits with a valid check digit (ITF-14)
	KindInternal Kind = "internal" // anything else: the text as scanned
)

// Element is one Application Identifier with its data.
type Element struct {
	AI    string
	Value string
	// Pos is the 1-based position of the AI in the input.
	Pos int
	// Date is the date (and time, where the AI carries one) of date AIs
	// such as 11, 15, 17, 7003 and 8008, as a calendar value in UTC; zero
	// for other AIs.
	Date time.Time
	// DayOmitted reports a date written with day 00: Date is then the last
	// day of the month.
	DayOmitted bool
}

// Result is a parsed scan.
type Result struct {
	// Input is the scan exactly as given.
	Input string
	Kind  Kind
	// Symbology is the AIM symbology identifier the scan began with, such
	// as "]C1" or "]E0"; empty when the scanner sent none.
	Symbology string
	// Data is the scan without its symbology identifier.
	Data string
	// Elements holds the AIs in the order they appear, for KindGS1.
	Elements []Element
	// AddOn holds the 2- or 5-digit add-on of an EAN/UPC read with one (]E3).
	AddOn string

	gtin string
}

// GTIN returns the scan's GTIN as 14 digits: the EAN/UPC or GTIN-14
// normalised, or the value of AI 01 for an element string. It returns ""
// when the scan carries no GTIN.
func (r Result) GTIN() string {
	if r.Kind == KindGS1 {
		v, _ := r.Value("01")
		return v
	}
	return r.gtin
}

// Value returns the data of the first element with the given AI.
func (r Result) Value(ai string) (string, bool) {
	if e, ok := r.Element(ai); ok {
		return e.Value, true
	}
	return "", false
}

// Element returns the first element with the given AI.
func (r Result) Element(ai string) (Element, bool) {
	for _, e := range r.Elements {
		if e.AI == ai {
			return e, true
		}
	}
	return Element{}, false
}

// SyntaxError reports malformed GS1 input.
type SyntaxError struct {
	// Pos is the 1-based position in the input where the problem is.
	Pos int
	// AI is the Application Identifier being read; empty when the AI itself
	// could not be read.
	AI  string
	Msg string
}

func (e *SyntaxError) Error() string {
	if e.AI == "" {
		return fmt.Sprintf("gs1: position %d: %s", e.Pos, e.Msg)
	}
	return fmt.Sprintf("gs1: position %d: AI (%s): %s", e.Pos, e.AI, e.Msg)
}

// Parser parses scans. The zero value is ready to use.
type Parser struct {
	// Now gives the current date for the GS1 century rule of two-digit
	// years; nil means time.Now.
	Now func() time.Time
}

// Parse parses a scan with a zero Parser.
func Parse(s string) (Result, error) {
	var p Parser
	return p.Parse(s)
}

// gs1Symbologies are the AIM identifiers that announce a GS1 element
// string (FNC1 in first position).
var gs1Symbologies = map[string]bool{
	"]C1": true, // GS1-128
	"]e0": true, // GS1 DataBar
	"]d2": true, // GS1 DataMatrix
	"]d5": true, // GS1 DataMatrix with ECI
	"]Q3": true, // GS1 QR Code
	"]Q4": true, // GS1 QR Code with ECI
	"]J1": true, // GS1 DotCode
}

// Parse classifies and parses one scan. It returns an error only for input
// that announces itself as GS1 (a GS1 symbology identifier, a GS separator,
// the bracketed form) or as EAN/UPC (]E0, ]E3, ]E4) and is malformed; any
// other text is a valid internal code.
func (p *Parser) Parse(s string) (Result, error) {
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	r := Result{Input: s, Data: s}
	base := 0
	if len(s) >= 3 && s[0] == ']' && isLetter(s[1]) && (isLetter(s[2]) || isDigit(s[2])) {
		r.Symbology, r.Data, base = s[:3], s[3:], 3
	}
	switch {
	case gs1Symbologies[r.Symbology]:
		return r, p.parseGS1(&r, base, now())
	case r.Symbology == "]E0" || r.Symbology == "]E3" || r.Symbology == "]E4":
		return r, parseEANUPC(&r)
	case r.Symbology != "":
		classifyPlain(&r)
		return r, nil
	case strings.IndexByte(r.Data, GS) >= 0 || isBracketed(r.Data):
		return r, p.parseGS1(&r, base, now())
	}
	classifyPlain(&r)
	if r.Kind == KindInternal && (strings.HasPrefix(r.Data, "00") || strings.HasPrefix(r.Data, "01") || strings.HasPrefix(r.Data, "02")) {
		// Unmarked digits may still be an element string whose fields all
		// have predefined lengths; accept them only when they parse whole.
		if elems, err := parseElementString(r.Data, 0, now()); err == nil {
			r.Kind, r.Elements = KindGS1, elems
		}
	}
	return r, nil
}

func (p *Parser) parseGS1(r *Result, base int, now time.Time) error {
	d := r.Data
	if strings.HasPrefix(d, string(GS)) { // FNC1 in first position sent as GS
		d, base = d[1:], base+1
	}
	var elems []Element
	var err error
	if isBracketed(d) {
		elems, err = parseBracketed(d, base, now)
	} else {
		elems, err = parseElementString(d, base, now)
	}
	if err != nil {
		return err
	}
	r.Kind, r.Elements = KindGS1, elems
	return nil
}

// isBracketed reports whether d starts like "(01)".
func isBracketed(d string) bool {
	if len(d) < 4 || d[0] != '(' {
		return false
	}
	end := strings.IndexByte(d, ')')
	return end >= 3 && end <= 5 && allDigits(d[1:end])
}

// parseEANUPC parses a scan marked as EAN/UPC by its symbology identifier.
func parseEANUPC(r *Result) error {
	d := r.Data
	fail := func(msg string) error {
		return &SyntaxError{Pos: 4, Msg: fmt.Sprintf("%s %q: %s", r.Symbology, d, msg)}
	}
	if !allDigits(d) {
		return fail("not all digits")
	}
	switch {
	case r.Symbology == "]E4":
		if len(d) != 8 {
			return fail("EAN-8 needs 8 digits")
		}
		r.Kind = KindEAN8
	case r.Symbology == "]E3" && (len(d) == 15 || len(d) == 18):
		d, r.AddOn = d[:13], d[13:]
		r.Kind = KindEAN13
	case r.Symbology == "]E0" && len(d) == 13:
		r.Kind = KindEAN13
	case r.Symbology == "]E0" && len(d) == 12:
		r.Kind = KindUPCA
	case r.Symbology == "]E0" && len(d) == 8:
		a, err := ExpandUPCE(d)
		if err != nil {
			return fail("not a valid UPC-E")
		}
		r.Kind, r.gtin = KindUPCE, "00"+a
		return nil
	default:
		return fail(fmt.Sprintf("%d digits is not an EAN/UPC length", len(d)))
	}
	g, err := NormalizeGTIN(d)
	if err != nil {
		return fail("wrong check digit")
	}
	r.gtin = g
	return nil
}

// classifyPlain classifies data that is not a GS1 element string: digits
// of a GTIN length with a valid check digit are EAN/UPC/GTIN-14, anything
// else is an internal code.
func classifyPlain(r *Result) {
	r.Kind = KindInternal
	g, err := NormalizeGTIN(r.Data)
	if err != nil {
		return
	}
	r.gtin = g
	switch len(r.Data) {
	case 8:
		r.Kind = KindEAN8
	case 12:
		r.Kind = KindUPCA
	case 13:
		r.Kind = KindEAN13
	case 14:
		r.Kind = KindGTIN14
	}
}

// readAI reads the AI at d[i:].
func readAI(d string, i, base int) (*Spec, error) {
	for n := 2; n <= 4 && i+n <= len(d); n++ {
		if !allDigits(d[i : i+n]) {
			break
		}
		if s, ok := table[d[i:i+n]]; ok {
			return s, nil
		}
	}
	if !isDigit(d[i]) {
		return nil, &SyntaxError{Pos: base + i + 1, Msg: fmt.Sprintf("expected an AI, found %q", d[i])}
	}
	end := i
	for end < len(d) && end < i+4 && isDigit(d[end]) {
		end++
	}
	return nil, &SyntaxError{Pos: base + i + 1, Msg: fmt.Sprintf("unknown AI %q", d[i:end])}
}

// parseElementString parses AIs and data separated by GS where a field is
// not of predefined length. base is the offset of d in the input.
func parseElementString(d string, base int, now time.Time) ([]Element, error) {
	if d == "" {
		return nil, &SyntaxError{Pos: base + 1, Msg: "empty element string"}
	}
	var out []Element
	for i := 0; i < len(d); {
		if d[i] == GS {
			return nil, &SyntaxError{Pos: base + i + 1, Msg: "separator where an AI was expected"}
		}
		spec, err := readAI(d, i, base)
		if err != nil {
			return nil, err
		}
		j := i + len(spec.AI)
		var v string
		next := 0
		if spec.Fixed() {
			end := min(j+spec.MaxLen, len(d))
			if k := strings.IndexByte(d[j:end], GS); k >= 0 {
				return nil, &SyntaxError{Pos: base + j + k + 1, AI: spec.AI,
					Msg: fmt.Sprintf("separator after %d characters: data has a fixed length of %d", k, spec.MaxLen)}
			}
			if j+spec.MaxLen > len(d) {
				return nil, &SyntaxError{Pos: base + len(d) + 1, AI: spec.AI,
					Msg: fmt.Sprintf("input ends after %d characters: data has a fixed length of %d", len(d)-j, spec.MaxLen)}
			}
			v, next = d[j:end], end
			if next < len(d) && d[next] == GS {
				next++ // a separator after a fixed-length field is allowed
			}
		} else {
			end := len(d)
			if k := strings.IndexByte(d[j:], GS); k >= 0 {
				end = j + k
			}
			v, next = d[j:end], end+1
			if len(v) > spec.MaxLen {
				return nil, &SyntaxError{Pos: base + j + spec.MaxLen + 1, AI: spec.AI,
					Msg: fmt.Sprintf("data longer than %d characters (missing GS separator?)", spec.MaxLen)}
			}
		}
		e, err := newElement(spec, v, base+i+1, base+j, nil, now)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		i = next
	}
	return out, nil
}

// parseBracketed parses the human-readable form "(01)…(10)…"; "\(" stands
// for a "(" inside data, and spaces between elements are ignored.
func parseBracketed(d string, base int, now time.Time) ([]Element, error) {
	var out []Element
	for i := 0; i < len(d); {
		if d[i] == ' ' {
			i++
			continue
		}
		if d[i] != '(' {
			return nil, &SyntaxError{Pos: base + i + 1, Msg: fmt.Sprintf("expected \"(\" opening an AI, found %q", d[i])}
		}
		end := strings.IndexByte(d[i:], ')')
		if end < 0 {
			return nil, &SyntaxError{Pos: base + i + 1, Msg: "unclosed \"(\""}
		}
		ai := d[i+1 : i+end]
		spec, ok := table[ai]
		if !ok {
			return nil, &SyntaxError{Pos: base + i + 2, Msg: fmt.Sprintf("unknown AI %q", ai)}
		}
		j := i + end + 1
		for j < len(d) && d[j] == ' ' {
			j++
		}
		var v []byte
		var offs []int // input offset of each byte of v
		k := j
		for ; k < len(d) && d[k] != '('; k++ {
			if d[k] == '\\' && k+1 < len(d) && d[k+1] == '(' {
				k++
			}
			v, offs = append(v, d[k]), append(offs, base+k)
		}
		for len(v) > 0 && v[len(v)-1] == ' ' {
			v, offs = v[:len(v)-1], offs[:len(offs)-1]
		}
		if len(v) > spec.MaxLen {
			return nil, &SyntaxError{Pos: offs[spec.MaxLen] + 1, AI: ai,
				Msg: fmt.Sprintf("data longer than %d characters", spec.MaxLen)}
		}
		e, err := newElement(spec, string(v), base+i+2, base+j, offs, now)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		i = k
	}
	if len(out) == 0 {
		return nil, &SyntaxError{Pos: base + 1, Msg: "empty element string"}
	}
	return out, nil
}

// newElement validates v as the data of spec. aiPos is the 1-based position
// of the AI; dataOff the 0-based input offset of v, or offs the offset of
// each byte of v when v is not contiguous in the input.
func newElement(spec *Spec, v string, aiPos, dataOff int, offs []int, now time.Time) (Element, error) {
	e := Element{AI: spec.AI, Value: v, Pos: aiPos}
	if off, msg := checkData(spec, v, &e, now); msg != "" {
		pos := dataOff + off + 1
		if offs != nil {
			switch {
			case off < len(offs):
				pos = offs[off] + 1
			case len(offs) > 0:
				pos = offs[len(offs)-1] + 2
			default:
				pos = dataOff + 1
			}
		}
		return Element{}, &SyntaxError{Pos: pos, AI: spec.AI, Msg: msg}
	}
	return e, nil
}

// checkData validates v against the components of spec and fills e's date.
// On failure it returns the offset in v of the problem and a message.
func checkData(spec *Spec, v string, e *Element, now time.Time) (int, string) {
	if len(v) < spec.MinLen {
		if spec.Fixed() {
			return len(v), fmt.Sprintf("data has %d characters, want %d", len(v), spec.MinLen)
		}
		return len(v), fmt.Sprintf("data has %d characters, want at least %d", len(v), spec.MinLen)
	}
	off := 0
	var dt dateTime
	for _, c := range spec.parts {
		rest := len(v) - off
		if rest == 0 && c.optional {
			break
		}
		n := c.max
		if c.min != c.max {
			n = rest
		}
		if n > rest {
			return len(v), fmt.Sprintf("data has %d characters, want %d", len(v), off+n)
		}
		part := v[off : off+n]
		for k := 0; k < len(part); k++ {
			if !inCharset(c.set, part[k]) {
				return off + k, fmt.Sprintf("%q is not allowed here (%s)", part[k], setName(c.set))
			}
		}
		for _, l := range c.linters {
			if msg := lint(l, part, &dt, now); msg != "" {
				return off, msg
			}
		}
		off += n
	}
	if off != len(v) {
		return off, fmt.Sprintf("data has %d characters, want at most %d", len(v), off)
	}
	if dt.set {
		e.Date = time.Date(dt.year, time.Month(dt.month), dt.day, dt.hour, dt.min, dt.sec, 0, time.UTC)
		e.DayOmitted = dt.dayOmitted
	}
	return 0, ""
}

func setName(c charset) string {
	switch c {
	case numeric:
		return "digits only"
	case cset39:
		return "GS1 character set 39"
	case cset64:
		return "base64url"
	}
	return "GS1 character set 82"
}

func isDigit(b byte) bool  { return b >= '0' && b <= '9' }
func isLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }
