// Package resolve turns a scan into what it means for the device's
// catalog: an item (SKU and how many units the scan stands for, with lot,
// expiry, best-before and serial), a location, a purchase order or an SSCC
// pallet. A code the catalog does not know is reported as Unknown, a code
// that several kinds of records claim as Ambiguous, and malformed GS1 as
// Malformed: resolution never guesses.
//
// The catalog is consumed through the small Catalog interface declared
// here; the device's store implements it. Its barcode contract: GTINs are
// keyed in their 14-digit form (BarcodeKey gives the key for any barcode,
// and the store must use it when importing), so that a GTIN-13 scanned as
// EAN-13, a UPC-A scanned as 12 digits, and the same GTINs carried by AI 01
// or 02 all find the same record; UPC-E is keyed as the GTIN-12 it
// expands to. Internal codes are keyed as scanned.
//
// How a scan is read:
//
//   - AI 00 (SSCC): a known SSCC is a Pallet. An unknown SSCC with AI 02
//     and 37 on the label resolves to its content (the label states it);
//     otherwise Unknown.
//   - AI 01 or 02 (GTIN): the barcode's Item; Quantity is the pack quantity
//     of that GTIN (a case GTIN stands for N units) times the count in AI
//     30 or 37 when present. Lot (10), serial (21), expiry (17) and best
//     before (15) are carried over.
//   - AI 414 (GLN of a location, with 254 extension when present): a
//     Location, looked up by the GLN or by "(414)GLN(254)EXT".
//   - AI 400 alone: a PurchaseOrder.
//   - EAN/UPC/ITF-14: the barcode's Item with its pack quantity.
//   - Internal codes: looked up as location, item barcode, purchase order
//     and (18 digits with a valid check digit) SSCC; exactly one match wins,
//     more than one is Ambiguous.
package resolve
