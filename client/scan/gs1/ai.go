package gs1

import (
	"fmt"
	"strconv"
	"strings"
)

// charset is the character set a data component draws from.
type charset byte

const (
	numeric charset = 'N' // digits 0-9
	cset82  charset = 'X' // GS1 AI encodable character set 82
	cset39  charset = 'Y' // GS1 AI encodable character set 39
	cset64  charset = 'Z' // base64url with padding (AI 8030)
)

// component is one part of an AI's data field, e.g. "N6,yymmd0" or "[X..16]".
type component struct {
	set      charset
	min, max int
	optional bool // only ever the last component
	linters  []string
}

// Spec describes one Application Identifier.
type Spec struct {
	AI    string
	Title string
	// Predefined reports whether the AI is in the General Specifications'
	// table of predefined lengths: no FNC1/GS separator needs to follow it.
	Predefined bool
	// MinLen and MaxLen bound the length of the data field (without the AI).
	MinLen, MaxLen int
	parts          []component
}

// Fixed reports whether the data field always has MaxLen characters.
func (s *Spec) Fixed() bool { return s.MinLen == s.MaxLen }

// aiTable lists the AIs we know as "AI[-AI] [*] components # title", with
// the data components written as in the GS1 Barcode Syntax Dictionary: a
// type (N, X, Y, Z) and length ("N6", "X..20"), "[...]" for an optional last
// component, and after a comma the checks applied to it. "*" marks AIs with
// a predefined length. A range "3100-3105" expands to every AI in it.
var aiTable = `
00 * N18,csum # SSCC
01 * N14,csum # GTIN
02 * N14,csum # CONTENT
03 * N14,csum # MTO GTIN
10 X..20 # BATCH/LOT
11 * N6,yymmd0 # PROD DATE
12 * N6,yymmd0 # DUE DATE
13 * N6,yymmd0 # PACK DATE
15 * N6,yymmd0 # BEST BEFORE or BEST BY
16 * N6,yymmd0 # SELL BY
17 * N6,yymmd0 # USE BY or EXPIRY
20 * N2 # VARIANT
21 X..20 # SERIAL
22 X..20 # CPV
235 X..28 # TPX
240 X..30 # ADDITIONAL ID
241 X..30 # CUST. PART No.
242 N..6 # MTO VARIANT
243 X..20 # PCN
250 X..30 # SECONDARY SERIAL
251 X..30 # REF. TO SOURCE
253 N13,csum [X..17] # GDTI
254 X..20 # GLN EXTENSION COMPONENT
255 N13,csum [N..12] # GCN
30 N..8 # VAR. COUNT
3100-3105 * N6 # NET WEIGHT (kg)
3110-3115 * N6 # LENGTH (m)
3120-3125 * N6 # WIDTH (m)
3130-3135 * N6 # HEIGHT (m)
3140-3145 * N6 # AREA (m²)
3150-3155 * N6 # NET VOLUME (l)
3160-3165 * N6 # NET VOLUME (m³)
3200-3205 * N6 # NET WEIGHT (lb)
3210-3215 * N6 # LENGTH (in)
3220-3225 * N6 # LENGTH (ft)
3230-3235 * N6 # LENGTH (yd)
3240-3245 * N6 # WIDTH (in)
3250-3255 * N6 # WIDTH (ft)
3260-3265 * N6 # WIDTH (yd)
3270-3275 * N6 # HEIGHT (in)
3280-3285 * N6 # HEIGHT (ft)
3290-3295 * N6 # HEIGHT (yd)
3300-3305 * N6 # GROSS WEIGHT (kg)
3310-3315 * N6 # LENGTH (m), log
3320-3325 * N6 # WIDTH (m), log
3330-3335 * N6 # HEIGHT (m), log
3340-3345 * N6 # AREA (m²), log
3350-3355 * N6 # VOLUME (l), log
3360-3365 * N6 # VOLUME (m³), log
3370-3375 * N6 # KG PER m²
3400-3405 * N6 # GROSS WEIGHT (lb)
3410-3415 * N6 # LENGTH (in), log
3420-3425 * N6 # LENGTH (ft), log
3430-3435 * N6 # LENGTH (yd), log
3440-3445 * N6 # WIDTH (in), log
3450-3455 * N6 # WIDTH (ft), log
3460-3465 * N6 # WIDTH (yd), log
3470-3475 * N6 # HEIGHT (in), log
3480-3485 * N6 # HEIGHT (ft), log
3490-3495 * N6 # HEIGHT (yd), log
3500-3505 * N6 # AREA (in²)
3510-3515 * N6 # AREA (ft²)
3520-3525 * N6 # AREA (yd²)
3530-3535 * N6 # AREA (in²), log
3540-3545 * N6 # AREA (ft²), log
3550-3555 * N6 # AREA (yd²), log
3560-3565 * N6 # NET WEIGHT (t oz)
3570-3575 * N6 # NET VOLUME (oz)
3600-3605 * N6 # NET VOLUME (qt)
3610-3615 * N6 # NET VOLUME (gal.)
3620-3625 * N6 # VOLUME (qt), log
3630-3635 * N6 # VOLUME (gal.), log
3640-3645 * N6 # VOLUME (in³)
3650-3655 * N6 # VOLUME (ft³)
3660-3665 * N6 # VOLUME (yd³)
3670-3675 * N6 # VOLUME (in³), log
3680-3685 * N6 # VOLUME (ft³), log
3690-3695 * N6 # VOLUME (yd³), log
37 N..8 # COUNT
3900-3909 N..15 # AMOUNT
3910-3919 N3 N..15 # AMOUNT (ISO currency)
3920-3929 N..15 # PRICE
3930-3939 N3 N..15 # PRICE (ISO currency)
3940-3943 N4 # PRCNT OFF
3950-3955 N6 # PRICE/UoM
400 X..30 # ORDER NUMBER
401 X..30 # GINC
402 N17,csum # GSIN
403 X..30 # ROUTE
410 * N13,csum # SHIP TO LOC
411 * N13,csum # BILL TO
412 * N13,csum # PURCHASE FROM
413 * N13,csum # SHIP FOR LOC
414 * N13,csum # LOC No.
415 * N13,csum # PAY TO
416 * N13,csum # PROD/SERV LOC
417 * N13,csum # PARTY
420 X..20 # SHIP TO POST
421 N3 X..9 # SHIP TO POST (with ISO country code)
422 N3 # ORIGIN
423 N..15 # COUNTRY - INITIAL PROCESS
424 N3 # COUNTRY - PROCESS
425 N..15 # COUNTRY - DISASSEMBLY
426 N3 # COUNTRY - FULL PROCESS
427 X..3 # ORIGIN SUBDIVISION
4300-4301 X..35 # SHIP TO COMP / NAME
4302-4306 X..70 # SHIP TO ADDRESS
4307 X2 # SHIP TO COUNTRY
4308 X..30 # SHIP TO PHONE
4309 N10 N10 # SHIP TO GEO
4310-4311 X..35 # RTN TO COMP / NAME
4312-4316 X..70 # RTN TO ADDRESS
4317 X2 # RTN TO COUNTRY
4318 X..20 # RTN TO POST
4319 X..30 # RTN TO PHONE
4320 X..35 # SRV DESCRIPTION
4321-4323 N1 # DANGEROUS GOODS / AUTH TO LEAVE / SIG REQUIRED
4324-4325 N6,yymmd0 N4,hhmm # NOT BEF / NOT AFT DEL DT
4326 N6,yymmdd # REL DATE
4330-4333 N6 [X1] # MAX / MIN TEMP
7001 N13 # NSN
7002 X..30 # MEAT CUT
7003 N6,yymmdd N4,hhmm # EXPIRY TIME
7004 N..4 # ACTIVE POTENCY
7005 X..12 # CATCH AREA
7006 N6,yymmdd # FIRST FREEZE DATE
7007 N6,yymmdd [N6],yymmdd # HARVEST DATE
7008 X..3 # AQUATIC SPECIES
7009 X..10 # FISHING GEAR TYPE
7010 X..2 # PROD METHOD
7011 N6,yymmdd [N4],hhmm # TEST BY DATE
7020 X..20 # REFURB LOT
7021 X..20 # FUNC STAT
7022 X..20 # REV STAT
7023 X..30 # GIAI - ASSEMBLY
7030-7039 N3 X..27 # PROCESSOR # s
7040 N1 X1 X1 X1 # UIC+EXT
710-715 X..20 # NHRN
7230-7239 X2 X..28 # CERT # s
7240 X..20 # PROTOCOL
7241 N2 # AIDC MEDIA TYPE
7242 X..25 # VCN
8001 N4 N5 N3 N1 N1 # DIMENSIONS
8002 X..20 # CMT No.
8003 N1 N13,csum [X..16] # GRAI
8004 X..30 # GIAI
8005 N6 # PRICE PER UNIT
8006 N14,csum N4,pieceoftotal # ITIP
8007 X..34 # IBAN
8008 N8,yymmddhh [N..4],mmoptss # PROD TIME
8009 X..50 # OPTSEN
8010 Y..30 # CPID
8011 N..12 # CPID SERIAL
8012 X..20 # VERSION
8013 X..25 # GMN
8017 N18,csum # GSRN - PROVIDER
8018 N18,csum # GSRN - RECIPIENT
8019 N..10 # SRIN
8020 X..25 # REF No.
8026 N14,csum N4,pieceoftotal # ITIP CONTENT
8030 Z..90 # DIGSIG
8110 X..70 # COUPON
8111 N4 # POINTS
8112 X..70 # COUPON (paperless)
8200 X..70 # PRODUCT URL
90 X..30 # INTERNAL
91-99 X..90 # INTERNAL
`

// table maps each AI to its Spec. AIs are 2, 3 or 4 digits and no AI is a
// prefix of another, so reading one is a matter of trying the three lengths.
var table = mustParseTable(aiTable)

// Lookup returns the Spec of an AI.
func Lookup(ai string) (*Spec, bool) {
	s, ok := table[ai]
	return s, ok
}

func mustParseTable(text string) map[string]*Spec {
	t := make(map[string]*Spec)
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if err := parseTableLine(t, line); err != nil {
			panic(fmt.Sprintf("gs1 AI table: %q: %v", line, err))
		}
	}
	// The AI system must stay prefix-free, or reading an AI is ambiguous.
	for ai := range t {
		for n := 2; n < len(ai); n++ {
			if _, ok := t[ai[:n]]; ok {
				panic(fmt.Sprintf("gs1 AI table: AI %s has AI %s as a prefix", ai, ai[:n]))
			}
		}
	}
	return t
}

func parseTableLine(t map[string]*Spec, line string) error {
	body, title, _ := strings.Cut(line, "#")
	fields := strings.Fields(body)
	if len(fields) < 2 {
		return fmt.Errorf("want AI and components")
	}
	ais, err := expandRange(fields[0])
	if err != nil {
		return err
	}
	fields = fields[1:]
	predefined := fields[0] == "*"
	if predefined {
		fields = fields[1:]
	}
	var parts []component
	minLen, maxLen := 0, 0
	for i, f := range fields {
		c, err := parseComponent(f)
		if err != nil {
			return err
		}
		if c.optional && i != len(fields)-1 {
			return fmt.Errorf("optional component %q is not the last", f)
		}
		if c.min != c.max && i != len(fields)-1 {
			return fmt.Errorf("variable-length component %q is not the last", f)
		}
		if !c.optional {
			minLen += c.min
		}
		maxLen += c.max
		parts = append(parts, c)
	}
	for _, ai := range ais {
		if _, dup := t[ai]; dup {
			return fmt.Errorf("AI %s listed twice", ai)
		}
		t[ai] = &Spec{AI: ai, Title: strings.TrimSpace(title), Predefined: predefined,
			MinLen: minLen, MaxLen: maxLen, parts: parts}
	}
	return nil
}

func expandRange(s string) ([]string, error) {
	lo, hi, isRange := strings.Cut(s, "-")
	if !isRange {
		hi = lo
	}
	if len(lo) != len(hi) || len(lo) < 2 || len(lo) > 4 || !allDigits(lo) || !allDigits(hi) {
		return nil, fmt.Errorf("bad AI or range %q", s)
	}
	a, _ := strconv.Atoi(lo)
	b, _ := strconv.Atoi(hi)
	if a > b {
		return nil, fmt.Errorf("empty range %q", s)
	}
	var out []string
	for n := a; n <= b; n++ {
		out = append(out, fmt.Sprintf("%0*d", len(lo), n))
	}
	return out, nil
}

// knownLinters are the checks a component may name in aiTable.
var knownLinters = map[string]bool{
	"csum": true, "yymmd0": true, "yymmdd": true, "hhmm": true,
	"yymmddhh": true, "mmoptss": true, "pieceoftotal": true,
}

func parseComponent(f string) (component, error) {
	var c component
	spec, lint, _ := strings.Cut(f, ",")
	if strings.HasPrefix(spec, "[") {
		if !strings.HasSuffix(spec, "]") {
			return c, fmt.Errorf("unclosed optional component %q", f)
		}
		c.optional = true
		spec = spec[1 : len(spec)-1]
	}
	if len(spec) < 2 {
		return c, fmt.Errorf("bad component %q", f)
	}
	switch charset(spec[0]) {
	case numeric, cset82, cset39, cset64:
		c.set = charset(spec[0])
	default:
		return c, fmt.Errorf("unknown character set in %q", f)
	}
	n := spec[1:]
	variable := strings.HasPrefix(n, "..")
	n = strings.TrimPrefix(n, "..")
	max, err := strconv.Atoi(n)
	if err != nil || max < 1 {
		return c, fmt.Errorf("bad length in %q", f)
	}
	c.min, c.max = max, max
	if variable {
		c.min = 1
	}
	if lint != "" {
		for _, l := range strings.Split(lint, ",") {
			if !knownLinters[l] {
				return c, fmt.Errorf("unknown check %q", l)
			}
			c.linters = append(c.linters, l)
		}
	}
	return c, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

// inCharset reports whether b belongs to the character set.
func inCharset(set charset, b byte) bool {
	switch set {
	case numeric:
		return b >= '0' && b <= '9'
	case cset39:
		return b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b == '#' || b == '-' || b == '/'
	case cset64:
		return b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' ||
			b == '-' || b == '_' || b == '='
	default: // cset82
		if b >= '0' && b <= '9' || b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' {
			return true
		}
		return strings.IndexByte(`!"%&'()*+,-./:;<=>?_`, b) >= 0
	}
}
