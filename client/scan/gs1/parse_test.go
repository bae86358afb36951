package gs1

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// fixedNow is the "current date" of the tests, for the century rule.
var fixedNow = time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)

func parseAt(t *testing.T, now time.Time, s string) (Result, error) {
	t.Helper()
	p := Parser{Now: func() time.Time { return now }}
	return p.Parse(s)
}

func pairs(r Result) [][2]string {
	var out [][2]string
	for _, e := range r.Elements {
		out = append(out, [2]string{e.AI, e.Value})
	}
	return out
}

func samePairs(a, b [][2]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

const gs = string(GS)

func TestParseElementStrings(t *testing.T) {
	tests := []struct {
		name, in  string
		symbology string
		want      [][2]string
	}{
		{"GS1-128 GTIN expiry lot (GenSpecs example)", "]C10109501101530003" + "17140704" + "10AB-123", "]C1",
			[][2]string{{"01", "09501101530003"}, {"17", "140704"}, {"10", "AB-123"}}},
		{"bracketed form of the same", "(01)09501101530003(17)140704(10)AB-123", "",
			[][2]string{{"01", "09501101530003"}, {"17", "140704"}, {"10", "AB-123"}}},
		{"bracketed with spaces between elements", "(01) 09501101530003 (10) AB-123", "",
			[][2]string{{"01", "09501101530003"}, {"10", "AB-123"}}},
		{"bracketed with escaped parenthesis in data", `(01)09501101530003(10)A\(1)`, "",
			[][2]string{{"01", "09501101530003"}, {"10", "A(1)"}}},
		{"GS after lot, serial last, no identifier", "0109501101530003" + "10ABC" + gs + "21XYZ", "",
			[][2]string{{"01", "09501101530003"}, {"10", "ABC"}, {"21", "XYZ"}}},
		{"leading GS for FNC1 in first position", gs + "0109501101530003" + "10ABC", "",
			[][2]string{{"01", "09501101530003"}, {"10", "ABC"}}},
		{"GS1 DataMatrix pharma pack", "]d2" + "0103587166001753" + "17260331" + "10A1B2C3" + gs + "2112345678901", "]d2",
			[][2]string{{"01", "03587166001753"}, {"17", "260331"}, {"10", "A1B2C3"}, {"21", "12345678901"}}},
		{"GS1 QR logistic unit: SSCC, content, count", "]Q3" + "00106141411234567897" + "0209501101530003" + "3712", "]Q3",
			[][2]string{{"00", "106141411234567897"}, {"02", "09501101530003"}, {"37", "12"}}},
		{"GS1 DataBar with net weight", "]e0" + "0109501101530003" + "3103001250", "]e0",
			[][2]string{{"01", "09501101530003"}, {"3103", "001250"}}},
		{"GS1 DotCode", "]J1" + "0109501101530003" + "21S/N-9", "]J1",
			[][2]string{{"01", "09501101530003"}, {"21", "S/N-9"}}},
		{"unmarked all-predefined digits", "0109501101530003" + "17251231", "",
			[][2]string{{"01", "09501101530003"}, {"17", "251231"}}},
		{"dates and extra ids", "]C1" + "0109501101530003" + "11250101" + "13250102" + "15260600" + "16260530" +
			"22CPV-1" + gs + "240ADD" + gs + "241CUST" + gs + "250SEC" + gs + "251SRC" + gs + "30100", "]C1",
			[][2]string{{"01", "09501101530003"}, {"11", "250101"}, {"13", "250102"}, {"15", "260600"}, {"16", "260530"},
				{"22", "CPV-1"}, {"240", "ADD"}, {"241", "CUST"}, {"250", "SEC"}, {"251", "SRC"}, {"30", "100"}}},
		{"purchase order and ship-to GLNs", "]C1" + "400PO-2024-0042" + gs + "4109501101530010" + "4119501101530010" +
			"4129501101530010" + "4139501101530010" + "4149501101530010" + "4159501101530010" + "4169501101530010" +
			"4179501101530010" + "420D-80331" + gs + "42127612345" + gs + "422276", "]C1",
			[][2]string{{"400", "PO-2024-0042"}, {"410", "9501101530010"}, {"411", "9501101530010"}, {"412", "9501101530010"},
				{"413", "9501101530010"}, {"414", "9501101530010"}, {"415", "9501101530010"}, {"416", "9501101530010"},
				{"417", "9501101530010"}, {"420", "D-80331"}, {"421", "27612345"}, {"422", "276"}}},
		{"GINC and GSIN", "]C1" + "401950110153ABC" + gs + "40212345678901234560", "]C1",
			[][2]string{{"401", "950110153ABC"}, {"402", "12345678901234560"}}},
		{"GIAI asset", "]C1" + "800495011015ABC123", "]C1", [][2]string{{"8004", "95011015ABC123"}}},
		{"expiry time then lot: fixed length 7003 followed by GS", "]C1" + "0109501101530003" + "70032512311430" + gs + "10L1", "]C1",
			[][2]string{{"01", "09501101530003"}, {"7003", "2512311430"}, {"10", "L1"}}},
		{"production time with minutes and seconds", "]C1" + "0109501101530003" + "8008251231143059", "]C1",
			[][2]string{{"01", "09501101530003"}, {"8008", "251231143059"}}},
		{"production time hour only then lot", "]C1" + "0109501101530003" + "800825123114" + gs + "10X", "]C1",
			[][2]string{{"01", "09501101530003"}, {"8008", "25123114"}, {"10", "X"}}},
		{"measures across 31nn-36nn", "]C1" + "0209501101530003" + "3202000712" + "3300012345" + "3695123456" + "3712", "]C1",
			[][2]string{{"02", "09501101530003"}, {"3202", "000712"}, {"3300", "012345"}, {"3695", "123456"}, {"37", "12"}}},
		{"trailing GS tolerated", "]C1" + "0109501101530003" + "10ABC" + gs, "]C1",
			[][2]string{{"01", "09501101530003"}, {"10", "ABC"}}},
		{"GS after a predefined field tolerated", "0109501101530003" + gs + "10ABC", "",
			[][2]string{{"01", "09501101530003"}, {"10", "ABC"}}},
		{"company internal AIs", "]C1" + "0109501101530003" + "91ZONE-3" + gs + "99x", "]C1",
			[][2]string{{"01", "09501101530003"}, {"91", "ZONE-3"}, {"99", "x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := parseAt(t, fixedNow, tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if r.Kind != KindGS1 {
				t.Fatalf("Kind = %q, want gs1", r.Kind)
			}
			if r.Symbology != tt.symbology {
				t.Errorf("Symbology = %q, want %q", r.Symbology, tt.symbology)
			}
			if got := pairs(r); !samePairs(got, tt.want) {
				t.Errorf("elements = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseDates(t *testing.T) {
	tests := []struct {
		name       string
		now        time.Time
		in, ai     string
		want       time.Time
		dayOmitted bool
	}{
		{"plain expiry", fixedNow, "0109501101530003" + "17251231", "17", time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC), false},
		{"day 00 is end of month", fixedNow, "0109501101530003" + "17261200", "17", time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC), true},
		{"day 00 in February of a leap year", fixedNow, "0109501101530003" + "15280200", "15", time.Date(2028, 2, 29, 0, 0, 0, 0, time.UTC), true},
		{"day 00 in February of a common year", fixedNow, "0109501101530003" + "15270200", "15", time.Date(2027, 2, 28, 0, 0, 0, 0, time.UTC), true},
		{"29 February in a leap year", fixedNow, "0109501101530003" + "17240229", "17", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), false},
		{"century: 50 years ahead stays current", fixedNow, "0109501101530003" + "17760101", "17", time.Date(2076, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"century: 51 years ahead is previous", fixedNow, "0109501101530003" + "17770101", "17", time.Date(1977, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"century: 99 is previous from 2026", fixedNow, "0109501101530003" + "11991231", "11", time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC), false},
		{"century: 50 years behind is next", time.Date(2090, 6, 1, 0, 0, 0, 0, time.UTC), "0109501101530003" + "17400101", "17", time.Date(2140, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"century: 49 years behind stays current", time.Date(2090, 6, 1, 0, 0, 0, 0, time.UTC), "0109501101530003" + "17410101", "17", time.Date(2041, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{"expiry date and time", fixedNow, "]C1" + "0109501101530003" + "70032512311430", "7003", time.Date(2025, 12, 31, 14, 30, 0, 0, time.UTC), false},
		{"production time with seconds", fixedNow, "]C1" + "0109501101530003" + "8008251231143059", "8008", time.Date(2025, 12, 31, 14, 30, 59, 0, time.UTC), false},
		{"production time, hour only", fixedNow, "]C1" + "0109501101530003" + "800825123114", "8008", time.Date(2025, 12, 31, 14, 0, 0, 0, time.UTC), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := parseAt(t, tt.now, tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			e, ok := r.Element(tt.ai)
			if !ok {
				t.Fatalf("no AI %s in %q", tt.ai, pairs(r))
			}
			if !e.Date.Equal(tt.want) || e.DayOmitted != tt.dayOmitted {
				t.Errorf("AI %s date = %v (day omitted %v), want %v (%v)", tt.ai, e.Date, e.DayOmitted, tt.want, tt.dayOmitted)
			}
		})
	}
}

func TestParsePlainCodes(t *testing.T) {
	tests := []struct {
		name, in string
		kind     Kind
		gtin     string
		addOn    string
	}{
		{"EAN-13", "4006381333931", KindEAN13, "04006381333931", ""},
		{"EAN-13 marked ]E0", "]E04006381333931", KindEAN13, "04006381333931", ""},
		{"UPC-A", "036000291452", KindUPCA, "00036000291452", ""},
		{"UPC-A as 13 digits under ]E0 is the same GTIN", "]E00036000291452", KindEAN13, "00036000291452", ""},
		{"EAN-8", "96385074", KindEAN8, "00000096385074", ""},
		{"EAN-8 marked ]E4", "]E496385074", KindEAN8, "00000096385074", ""},
		{"UPC-E marked ]E0 expands to UPC-A", "]E001234565", KindUPCE, "00012345000065", ""},
		{"EAN-13 with 2-digit add-on", "]E3400638133393112", KindEAN13, "04006381333931", "12"},
		{"ITF-14 case code", "10012345678902", KindGTIN14, "10012345678902", ""},
		{"ITF-14 marked ]I0", "]I010012345678902", KindGTIN14, "10012345678902", ""},
		{"bin label", "BIN-A-01-02", KindInternal, "", ""},
		{"13 digits with a wrong check digit is internal", "4006381333932", KindInternal, "", ""},
		{"digits starting 01 that do not parse as GS1 stay internal", "0112345", KindInternal, "", ""},
		{"plain Code 128 ]C0 stays internal", "]C00109501101530003", KindInternal, "", ""},
		{"empty scan", "", KindInternal, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := parseAt(t, fixedNow, tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if r.Kind != tt.kind || r.GTIN() != tt.gtin || r.AddOn != tt.addOn {
				t.Errorf("Parse(%q) = kind %q gtin %q add-on %q, want %q %q %q", tt.in, r.Kind, r.GTIN(), r.AddOn, tt.kind, tt.gtin, tt.addOn)
			}
			if len(r.Elements) != 0 {
				t.Errorf("plain code has elements %q", pairs(r))
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	long := strings.Repeat("A", 21)
	tests := []struct {
		name, in string
		pos      int
		ai       string
		contains string
	}{
		{"GTIN check digit", "]C10109501101530004", 6, "01", "check digit is 4, want 3"},
		{"SSCC check digit", "]C100106141411234567890", 6, "00", "check digit is 0, want 7"},
		{"GLN check digit", "]C14109501101530011", 7, "410", "check digit is 1, want 0"},
		{"month 13", "]C10109501101530003" + "17251301", 22, "17", "month 13"},
		{"31 April", "]C10109501101530003" + "17250431", 22, "17", "day 31 does not exist in 2025-04"},
		{"29 February 2025", "]C10109501101530003" + "17250229", 22, "17", "day 29"},
		{"day 00 not allowed in 7003", "]C10109501101530003" + "70032512001430", 24, "7003", "day 00"},
		{"hour 24 in 7003", "]C10109501101530003" + "70032512312430", 30, "7003", "hour 24"},
		{"lot over 20 characters (missing GS)", "]C1" + "10" + long, 26, "10", "longer than 20"},
		{"unknown AI", "]C10109501101530003" + "23ABC", 20, "", `unknown AI "23"`},
		{"AI 3106 does not exist", "]C10109501101530003" + "3106001250", 20, "", `unknown AI "3106"`},
		{"letters where an AI belongs", "]C1" + "ABC", 4, "", "expected an AI"},
		{"truncated GTIN", "]C1" + "01095011015300", 18, "01", "input ends after 12 characters"},
		{"GS inside a fixed-length field", "]C1" + "0109501101" + gs + "530003", 14, "01", "separator after 8 characters"},
		{"two separators", "]C1" + "10ABC" + gs + gs + "21X", 10, "", "separator where an AI was expected"},
		{"letter in a numeric field", "]C1" + "0109501101530003" + "30 12", 22, "30", "not allowed here (digits only)"},
		{"character outside CSET 82", "]C1" + "10AB#C", 8, "10", `'#' is not allowed`},
		{"empty after identifier", "]C1", 4, "", "empty element string"},
		{"bracketed short GTIN", "(01)0950110153000(10)X", 18, "01", "data has 13 characters, want 14"},
		{"bracketed space inside data", "(01)09501101530003(10)AB C", 25, "10", `' ' is not allowed`},
		{"bracketed unclosed AI", "(01)09501101530003(10", 19, "", `unclosed "("`},
		{"bracketed unknown AI", "(01)09501101530003(23)X", 20, "", `unknown AI "23"`},
		{"bad piece of total in ITIP", "]C1" + "8006" + "09501101530003" + "0302", 22, "8006", "piece 03 of total 02"},
		{"8008 with 3 digits of minutes", "]C1" + "8008" + "25123114" + "305", 16, "8008", "want minutes"},
		{"EAN-13 marked ]E0 with a bad check digit", "]E04006381333932", 4, "", "wrong check digit"},
		{"]E4 with 13 digits", "]E44006381333931", 4, "", "EAN-8 needs 8 digits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := parseAt(t, fixedNow, tt.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %q, want an error", tt.in, pairs(r))
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *SyntaxError", err)
			}
			if se.Pos != tt.pos || se.AI != tt.ai || !strings.Contains(se.Error(), tt.contains) {
				t.Errorf("Parse(%q) error = %q (pos %d, AI %q), want pos %d, AI %q, containing %q",
					tt.in, se.Error(), se.Pos, se.AI, tt.pos, tt.ai, tt.contains)
			}
		})
	}
}

func TestRequiredAIs(t *testing.T) {
	// AI → data length min..max, predefined length, per GS1 General Specifications.
	want := map[string]struct {
		min, max   int
		predefined bool
	}{
		"00": {18, 18, true}, "01": {14, 14, true}, "02": {14, 14, true}, "10": {1, 20, false},
		"11": {6, 6, true}, "13": {6, 6, true}, "15": {6, 6, true}, "16": {6, 6, true}, "17": {6, 6, true},
		"21": {1, 20, false}, "22": {1, 20, false}, "30": {1, 8, false}, "37": {1, 8, false},
		"240": {1, 30, false}, "241": {1, 30, false}, "250": {1, 30, false}, "251": {1, 30, false},
		"400": {1, 30, false}, "401": {1, 30, false}, "402": {17, 17, false},
		"420": {1, 20, false}, "421": {4, 12, false}, "422": {3, 3, false},
		"7003": {10, 10, false}, "8004": {1, 30, false}, "8008": {8, 12, false},
	}
	for ai := 410; ai <= 417; ai++ {
		want[strings.TrimSpace(string(rune('0'+ai/100))+string(rune('0'+ai/10%10))+string(rune('0'+ai%10)))] = struct {
			min, max   int
			predefined bool
		}{13, 13, true}
	}
	for _, p := range []string{"310", "311", "312", "313", "314", "315", "316", "320", "321", "322", "323", "324",
		"325", "326", "327", "328", "329", "330", "331", "332", "333", "334", "335", "336", "337", "340", "341",
		"342", "343", "344", "345", "346", "347", "348", "349", "350", "351", "352", "353", "354", "355", "356",
		"357", "360", "361", "362", "363", "364", "365", "366", "367", "368", "369"} {
		for n := '0'; n <= '5'; n++ {
			want[p+string(n)] = struct {
				min, max   int
				predefined bool
			}{6, 6, true}
		}
	}
	for ai, w := range want {
		s, ok := Lookup(ai)
		if !ok {
			t.Errorf("AI %s missing from the table", ai)
			continue
		}
		if s.MinLen != w.min || s.MaxLen != w.max || s.Predefined != w.predefined {
			t.Errorf("AI %s: length %d..%d predefined %v, want %d..%d %v", ai, s.MinLen, s.MaxLen, s.Predefined, w.min, w.max, w.predefined)
		}
	}
	for _, ai := range []string{"3106", "317", "3170", "338", "3580", "23", "04"} {
		if _, ok := Lookup(ai); ok {
			t.Errorf("AI %s should not exist", ai)
		}
	}
}

func TestFormatRoundTrip(t *testing.T) {
	in := "]C1" + "0109501101530003" + "10A(B" + gs + "422276" + gs + "17260600" + "21SN1"
	r, err := parseAt(t, fixedNow, in)
	if err != nil {
		t.Fatal(err)
	}
	es := ElementString(r.Elements)
	if want := "0109501101530003" + "10A(B" + gs + "422276" + gs + "17260600" + "21SN1"; es != want {
		t.Errorf("ElementString = %q, want %q", es, want)
	}
	br := Bracketed(r.Elements)
	if want := `(01)09501101530003(10)A\(B(422)276(17)260600(21)SN1`; br != want {
		t.Errorf("Bracketed = %q, want %q", br, want)
	}
	for _, s := range []string{es, br} {
		r2, err := parseAt(t, fixedNow, s)
		if err != nil {
			t.Fatalf("reparse %q: %v", s, err)
		}
		if !samePairs(pairs(r2), pairs(r)) {
			t.Errorf("reparse %q = %q, want %q", s, pairs(r2), pairs(r))
		}
	}
}

func TestGTINHelpers(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"96385074", "00000096385074"}, {"036000291452", "00036000291452"},
		{"4006381333931", "04006381333931"}, {"10012345678902", "10012345678902"},
	} {
		got, err := NormalizeGTIN(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeGTIN(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"4006381333932", "123", "40063813339A1", ""} {
		if got, err := NormalizeGTIN(bad); err == nil {
			t.Errorf("NormalizeGTIN(%q) = %q, want an error", bad, got)
		}
	}
	// UPC-E data digits → the UPC-A they abbreviate (without check digits,
	// which both share), one case per rule of the last data digit.
	for _, tt := range []struct{ e, a string }{
		{"0123456", "01234500006"}, // 5-9: manufacturer 12345, item 6
		{"0425261", "04210000526"}, // 0-2: 42 + 1 + 00, item 00526
		{"0123413", "01230000041"}, // 3: 123 + 00, item 00041
		{"0123414", "01234000001"}, // 4: 1234 + 0, item 00001
	} {
		c, _ := CheckDigit(tt.a)
		got, err := ExpandUPCE(tt.e + string(c))
		if want := tt.a + string(c); err != nil || got != want {
			t.Errorf("ExpandUPCE(%q) = %q, %v; want %q", tt.e+string(c), got, err, want)
		}
		bad := tt.e + string('0'+(c-'0'+1)%10)
		if _, err := ExpandUPCE(bad); err == nil {
			t.Errorf("ExpandUPCE(%q) with a wrong check digit succeeded", bad)
		}
	}
}
