package gs1

import (
	"fmt"
	"strings"
)

// CheckDigit returns the GS1 mod-10 check digit for digits (the data
// without its check digit): weights 3 and 1 alternate from the right.
// It is the check digit of GTIN-8/12/13/14, SSCC, GLN, GSIN and GSRN alike.
func CheckDigit(digits string) (byte, error) {
	sum := 0
	for i := len(digits) - 1; i >= 0; i-- {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("check digit of %q: %q is not a digit", digits, c)
		}
		d := int(c - '0')
		if (len(digits)-1-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10), nil
}

// ValidCheckDigit reports whether the last digit of s is the GS1 check
// digit of the digits before it.
func ValidCheckDigit(s string) bool {
	if len(s) < 2 || !allDigits(s) {
		return false
	}
	want, err := CheckDigit(s[:len(s)-1])
	return err == nil && want == s[len(s)-1]
}

// NormalizeGTIN returns a GTIN-8, -12, -13 or -14 as the 14 digits AI 01
// carries (left-padded with zeros), after verifying its check digit. A
// UPC-E (8 digits starting with 0 or 1 marked as such) must be expanded
// with ExpandUPCE first: 8 digits are taken as a GTIN-8 here.
func NormalizeGTIN(s string) (string, error) {
	switch len(s) {
	case 8, 12, 13, 14:
	default:
		return "", fmt.Errorf("normalize gtin %q: %d digits, want 8, 12, 13 or 14", s, len(s))
	}
	if !allDigits(s) {
		return "", fmt.Errorf("normalize gtin %q: not all digits", s)
	}
	if !ValidCheckDigit(s) {
		return "", fmt.Errorf("normalize gtin %q: wrong check digit", s)
	}
	return strings.Repeat("0", 14-len(s)) + s, nil
}

// ExpandUPCE expands an 8-digit UPC-E (number system 0 or 1, six data
// digits, check digit) to the 12-digit UPC-A it abbreviates, and verifies
// the check digit, which UPC-E shares with its UPC-A.
func ExpandUPCE(s string) (string, error) {
	if len(s) != 8 || !allDigits(s) || (s[0] != '0' && s[0] != '1') {
		return "", fmt.Errorf("expand upc-e %q: want 8 digits starting with 0 or 1", s)
	}
	ns, d, check := s[:1], s[1:7], s[7:]
	var body string // manufacturer (5) + product (5)
	switch d[5] {
	case '0', '1', '2':
		body = d[0:2] + d[5:6] + "00" + "00" + d[2:5]
	case '3':
		body = d[0:3] + "00" + "000" + d[3:5]
	case '4':
		body = d[0:4] + "0" + "0000" + d[4:5]
	default:
		body = d[0:5] + "0000" + d[5:6]
	}
	a := ns + body + check
	if !ValidCheckDigit(a) {
		return "", fmt.Errorf("expand upc-e %q: wrong check digit", s)
	}
	return a, nil
}
