// Package gs1 parses barcode text as scanners deliver it into what GS1 says
// it contains.
//
// A scan is one of:
//
//   - a GS1 element string (Kind GS1): Application Identifiers (AIs) with
//     their data, as carried by GS1-128, GS1 DataBar, GS1 DataMatrix and GS1
//     QR Code. Three spellings are accepted: with an AIM symbology identifier
//     (]C1, ]e0, ]d2, ]Q3, ]J1) and the ASCII group separator GS (0x1D)
//     after each variable-length field; without the identifier but with GS
//     separators (a leading GS standing for FNC1 in first position is
//     skipped); and the bracketed human-readable form "(01)…(10)…" where a
//     literal "(" inside data is written "\(". Unmarked digits that begin
//     with AI 00, 01 or 02 and parse completely with valid check digits are
//     taken as an element string too, because many scanners are set up to
//     send neither identifier nor separator when every field has a
//     predefined length ("0109501101530003" + "17251231").
//   - a plain EAN/UPC (Kind EAN13, EAN8, UPCA, UPCE) or an ITF-14 / bare
//     GTIN-14 (Kind GTIN14): digits of the right length with a valid check
//     digit, or marked by ]E0/]E3/]E4. Result.GTIN normalises all of them
//     to 14 digits, the form AI 01 carries, so that a GTIN-13 scanned as
//     EAN-13 and the same GTIN in AI 01 compare equal.
//   - anything else is an internal code (Kind Internal), passed through.
//
// The AI table follows the GS1 General Specifications and the GS1 Barcode
// Syntax Dictionary: each AI has its data components (numeric N, CSET 82 X,
// CSET 39 Y, base64url Z; fixed or variable length; optional last
// component) and whether it has a predefined length (the FNC1 separator
// after it may be omitted). Check digits are verified for GTIN (01, 02),
// SSCC (00), GLN (410–417, 253/255/414 keys), GSIN (402) and the other keys
// that carry one. Dates are YYMMDD; for AIs 11, 12, 13, 15, 16 and 17 a day
// of 00 means the last day of the month (Element.DayOmitted tells). The
// century of YY follows General Specifications §7.12: relative to the
// current year, a YY 51 to 99 years ahead is in the previous century, one 50
// to 99 years behind in the next century, otherwise the current century.
//
// Malformed GS1 input yields a *SyntaxError naming the 1-based position in
// the input and the AI concerned. Association rules between AIs (e.g. that
// 10 needs 01) and the country-code lists of 421–426 are not checked: a
// receiving clerk must still be able to record a label that breaks them.
package gs1
