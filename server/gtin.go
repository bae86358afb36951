package server

// gtinCheckDigit returns the GS1 mod-10 check digit of digits (the GTIN
// without its check digit): weights 3 and 1 alternate from the right. ok is
// false when digits holds anything but ASCII digits.
//
// client/scan/gs1 has the same function; the server keeps its own copy so
// that server/ does not depend on the handheld's packages.
func gtinCheckDigit(digits string) (byte, bool) {
	sum := 0
	for i := len(digits) - 1; i >= 0; i-- {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := int(c - '0')
		if (len(digits)-1-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10), true
}

// CheckGTIN returns "" when s is a GTIN-8, -12, -13 or -14 with a correct
// check digit, else the reason it is not.
func CheckGTIN(s string) string {
	switch len(s) {
	case 8, 12, 13, 14:
	default:
		return "a GTIN has 8, 12, 13 or 14 digits"
	}
	want, ok := gtinCheckDigit(s[:len(s)-1])
	if !ok || s[len(s)-1] < '0' || s[len(s)-1] > '9' {
		return "a GTIN has only digits"
	}
	if want != s[len(s)-1] {
		return "bad check digit: a GTIN ending in " + string(want) + " was expected"
	}
	return ""
}

// WithGTINCheckDigit appends the check digit to digits (7, 11, 12 or 13
// digits), making a valid GTIN; demo data and tests use it.
func WithGTINCheckDigit(digits string) string {
	c, _ := gtinCheckDigit(digits)
	return digits + string(c)
}

// CheckSSCC returns "" when s is an 18-digit SSCC (GS1 AI 00) with a
// correct check digit, else the reason it is not.
func CheckSSCC(s string) string {
	if len(s) != 18 {
		return "an SSCC has 18 digits"
	}
	want, ok := gtinCheckDigit(s[:17])
	if !ok || s[17] < '0' || s[17] > '9' {
		return "an SSCC has only digits"
	}
	if want != s[17] {
		return "bad check digit: an SSCC ending in " + string(want) + " was expected"
	}
	return ""
}
