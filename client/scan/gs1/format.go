package gs1

import "strings"

// ElementString writes elements as a scanner transmits them without a
// symbology identifier: AIs and data run together, with a GS after every
// field that has no predefined length except the last.
func ElementString(elems []Element) string {
	var b strings.Builder
	for i, e := range elems {
		b.WriteString(e.AI)
		b.WriteString(e.Value)
		if s, ok := table[e.AI]; ok && !s.Predefined && i < len(elems)-1 {
			b.WriteByte(GS)
		}
	}
	return b.String()
}

// Bracketed writes elements in the human-readable form "(01)…(10)…",
// escaping a "(" inside data as "\(".
func Bracketed(elems []Element) string {
	var b strings.Builder
	for _, e := range elems {
		b.WriteByte('(')
		b.WriteString(e.AI)
		b.WriteByte(')')
		b.WriteString(strings.ReplaceAll(e.Value, "(", `\(`))
	}
	return b.String()
}
