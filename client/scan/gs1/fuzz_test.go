package gs1

import (
	"errors"
	"testing"
)

// FuzzParse feeds arbitrary scans to the parser: it must never panic,
// errors must be *SyntaxError pointing into the input, GTINs must be
// normalised, and every element string must survive a round trip through
// both written forms. The committed corpus is in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"]C10109501101530003" + "17140704" + "10AB-123",
		"(01)09501101530003(17)140704(10)AB-123",
		"]d2" + "0103587166001753" + "17260300" + "10A1B2C3" + gs + "2112345678901",
		"4006381333931", "]E001234565", "BIN-A-01-02",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r, err := parseAt(t, fixedNow, in)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) error %v is not a *SyntaxError", in, err)
			}
			if se.Pos < 1 || se.Pos > len(in)+1 {
				t.Fatalf("Parse(%q) error position %d outside 1..%d", in, se.Pos, len(in)+1)
			}
			return
		}
		if r.Input != in {
			t.Fatalf("Input = %q, want %q", r.Input, in)
		}
		switch r.Kind {
		case KindEAN13, KindEAN8, KindUPCA, KindUPCE, KindGTIN14:
			if g := r.GTIN(); len(g) != 14 || !ValidCheckDigit(g) {
				t.Fatalf("Parse(%q) kind %s has GTIN %q", in, r.Kind, g)
			}
		case KindInternal:
			if r.GTIN() != "" || len(r.Elements) != 0 {
				t.Fatalf("internal code %q carries GTIN %q or elements", in, r.GTIN())
			}
		case KindGS1:
			if len(r.Elements) == 0 {
				t.Fatalf("Parse(%q) is gs1 without elements", in)
			}
			for _, form := range []string{"]C1" + ElementString(r.Elements), Bracketed(r.Elements)} {
				r2, err := parseAt(t, fixedNow, form)
				if err != nil {
					t.Fatalf("Parse(%q) ok, but its rewrite %q fails: %v", in, form, err)
				}
				if !samePairs(pairs(r2), pairs(r)) {
					t.Fatalf("rewrite %q of %q parses to %q, want %q", form, in, pairs(r2), pairs(r))
				}
				for i := range r.Elements {
					if !r2.Elements[i].Date.Equal(r.Elements[i].Date) {
						t.Fatalf("rewrite %q changes the date of AI %s", form, r.Elements[i].AI)
					}
				}
			}
		default:
			t.Fatalf("Parse(%q): unknown kind %q", in, r.Kind)
		}
	})
}
