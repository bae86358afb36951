package gs1_test

import (
	"errors"
	"fmt"

	"github.com/driftless/driftless/client/scan/gs1"
)

func ExampleParse() {
	// A GS1-128 label as a scanner types it: symbology identifier, GTIN,
	// expiry with day 00 (end of month), lot, GS, serial.
	r, err := gs1.Parse("]C1" + "0109501101530003" + "17261200" + "10AB-123" + "\x1d" + "21SN42")
	if err != nil {
		panic(err)
	}
	exp, _ := r.Element("17")
	fmt.Println(r.Kind, r.GTIN(), exp.Date.Format("2006-01-02"), exp.DayOmitted)
	fmt.Println(gs1.Bracketed(r.Elements))

	// The same GTIN scanned as a plain EAN-13 normalises to the same key.
	ean, _ := gs1.Parse("9501101530003")
	fmt.Println(ean.Kind, ean.GTIN())

	// Malformed input names the position and the AI.
	_, err = gs1.Parse("]C1" + "0109501101530003" + "17261301")
	var se *gs1.SyntaxError
	fmt.Println(errors.As(err, &se), err)
	// Output:
	// gs1 09501101530003 2026-12-31 true
	// (01)09501101530003(17)261200(10)AB-123(21)SN42
	// ean13 09501101530003
	// true gs1: position 22: AI (17): month 13 is not 01-12
}
