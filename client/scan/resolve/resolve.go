package resolve

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/driftless/driftless/client/scan/gs1"
)

// Item is what a barcode identifies in the catalog.
type Item struct {
	SKU string
	// PackQty is how many units of the SKU one scan of this barcode stands
	// for: 1 for an each, 12 for a case of 12.
	PackQty int
}

// Location is a place with its own barcode: a bin, a dock door, quarantine.
type Location struct {
	ID   string
	Code string
}

// PurchaseOrder is an order being received.
type PurchaseOrder struct {
	ID     string
	Number string
}

// Pallet is a logistic unit known by its SSCC, typically from an advance
// shipping notice.
type Pallet struct {
	SSCC          string
	PurchaseOrder string // the order it was announced for, if any
}

// Catalog is what resolution needs from the device's catalog. Each lookup
// reports found=false for an unknown key and an error only when the lookup
// itself failed.
type Catalog interface {
	// LookupBarcode finds an item barcode by BarcodeKey.
	LookupBarcode(ctx context.Context, key string) (Item, bool, error)
	LookupLocation(ctx context.Context, code string) (Location, bool, error)
	LookupPurchaseOrder(ctx context.Context, number string) (PurchaseOrder, bool, error)
	LookupSSCC(ctx context.Context, sscc string) (Pallet, bool, error)
}

// Kind tells what a scan resolved to.
type Kind string

const (
	KindItem          Kind = "item"
	KindLocation      Kind = "location"
	KindPurchaseOrder Kind = "purchase_order"
	KindPallet        Kind = "pallet"
	KindUnknown       Kind = "unknown"   // well-formed, but the catalog does not know it
	KindAmbiguous     Kind = "ambiguous" // several kinds of records claim the code
	KindMalformed     Kind = "malformed" // announced as GS1 or EAN/UPC but broken
)

// Resolution is what a scan means.
type Resolution struct {
	Kind Kind
	// Key is the code that was looked up: a 14-digit GTIN, an SSCC, a
	// location or order code; for Unknown it is what was not found.
	Key string
	// Scan is the parsed scan.
	Scan gs1.Result

	Item Item
	// Quantity is the number of SKU units the scan stands for (KindItem).
	Quantity   int
	Lot        string
	Serial     string
	Expiry     time.Time // AI 17; zero when absent
	BestBefore time.Time // AI 15; zero when absent
	// SSCC is the pallet's SSCC for KindPallet, and for an item read from
	// the content of an unknown pallet.
	SSCC string

	Location      Location
	PurchaseOrder PurchaseOrder
	Pallet        Pallet

	// Matches lists the kinds that claimed an Ambiguous code.
	Matches []Kind
	// Reason says in words why a scan is Unknown, Ambiguous or Malformed.
	Reason string
}

// Scan is a decoded scan as it reaches resolution.
type Scan struct {
	// Text is the scan's content, possibly starting with a symbology
	// identifier (as keyboard-wedge scanners send it).
	Text string
	// Symbology is the AIM identifier when the decoder reports it apart
	// from Text, e.g. "]C1".
	Symbology string
	// Format is the camera decoder's symbology name (ZXing's, such as
	// "EAN_13" or "UPC_E"); empty for wedge scans.
	Format string
}

// Resolver resolves scans against a Catalog.
type Resolver struct {
	Catalog Catalog
	// Parser parses scans; its Now drives the GS1 century rule.
	Parser gs1.Parser
}

// BarcodeKey returns the catalog key of an item barcode: valid GTIN-8,
// -12, -13 and -14 as 14 digits, anything else unchanged.
func BarcodeKey(code string) string {
	if g, err := gs1.NormalizeGTIN(code); err == nil {
		return g
	}
	return code
}

// formatSymbology gives the AIM identifier implied by a decoder format for
// the symbologies whose text alone is ambiguous (UPC-E and EAN-8 are both
// 8 digits).
var formatSymbology = map[string]string{
	"EAN_13": "]E0", "UPC_A": "]E0", "UPC_E": "]E0", "EAN_8": "]E4", "ITF": "]I0",
}

// text returns the scan as gs1.Parse wants it, with its symbology identifier.
func (s Scan) text() string {
	if hasSymbology(s.Text) {
		return s.Text
	}
	if s.Symbology != "" {
		return s.Symbology + s.Text
	}
	if id, ok := formatSymbology[s.Format]; ok {
		return id + s.Text
	}
	return s.Text
}

func hasSymbology(t string) bool {
	return len(t) >= 3 && t[0] == ']' && (t[1] >= 'A' && t[1] <= 'Z' || t[1] >= 'a' && t[1] <= 'z')
}

// Resolve resolves one scan. The error reports a failed catalog lookup;
// what the scan means, including Unknown and Malformed, is in the
// Resolution.
func (r *Resolver) Resolve(ctx context.Context, s Scan) (Resolution, error) {
	parsed, err := r.Parser.Parse(s.text())
	res := Resolution{Scan: parsed}
	if err != nil {
		res.Kind, res.Reason = KindMalformed, err.Error()
		return res, nil
	}
	switch parsed.Kind {
	case gs1.KindGS1:
		err = r.resolveGS1(ctx, &res)
	case gs1.KindInternal:
		err = r.resolveInternal(ctx, &res)
	default: // EAN/UPC/ITF-14
		err = r.resolveItem(ctx, &res, parsed.GTIN(), 1)
	}
	if err != nil {
		return Resolution{}, fmt.Errorf("resolve scan %q: %w", s.Text, err)
	}
	return res, nil
}

func (r *Resolver) resolveGS1(ctx context.Context, res *Resolution) error {
	p := res.Scan
	res.Lot, _ = p.Value("10")
	res.Serial, _ = p.Value("21")
	if e, ok := p.Element("17"); ok {
		res.Expiry = e.Date
	}
	if e, ok := p.Element("15"); ok {
		res.BestBefore = e.Date
	}
	count, err := countOf(p)
	if err != nil {
		res.Kind, res.Reason = KindMalformed, err.Error()
		return nil
	}

	if sscc, ok := p.Value("00"); ok {
		pallet, found, err := r.Catalog.LookupSSCC(ctx, sscc)
		if err != nil {
			return fmt.Errorf("look up sscc %s: %w", sscc, err)
		}
		res.SSCC = sscc
		if found {
			res.Kind, res.Key, res.Pallet = KindPallet, sscc, pallet
			return nil
		}
		content, hasContent := p.Value("02")
		if _, hasCount := p.Value("37"); !hasContent || !hasCount {
			res.Kind, res.Key, res.Reason = KindUnknown, sscc, "pallet SSCC "+sscc+" is not in the catalog"
			return nil
		}
		return r.resolveItem(ctx, res, content, count)
	}
	if gtin, ok := p.Value("01"); ok {
		return r.resolveItem(ctx, res, gtin, count)
	}
	if gtin, ok := p.Value("02"); ok {
		return r.resolveItem(ctx, res, gtin, count)
	}
	if gln, ok := p.Value("414"); ok {
		key := gln
		if ext, ok := p.Value("254"); ok {
			key = "(414)" + gln + "(254)" + ext
		}
		return r.lookupLocation(ctx, res, key)
	}
	if po, ok := p.Value("400"); ok && len(p.Elements) == 1 {
		order, found, err := r.Catalog.LookupPurchaseOrder(ctx, po)
		if err != nil {
			return fmt.Errorf("look up purchase order %s: %w", po, err)
		}
		if !found {
			res.Kind, res.Key, res.Reason = KindUnknown, po, "purchase order "+po+" is not in the catalog"
			return nil
		}
		res.Kind, res.Key, res.PurchaseOrder = KindPurchaseOrder, po, order
		return nil
	}
	res.Kind, res.Key = KindUnknown, gs1.Bracketed(p.Elements)
	res.Reason = "the element string names no item, pallet, location or order"
	return nil
}

// countOf returns the count of AI 37 or 30, or 1 without either.
func countOf(p gs1.Result) (int, error) {
	for _, ai := range []string{"37", "30"} {
		if v, ok := p.Value(ai); ok {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return 0, fmt.Errorf("AI (%s) count %q is not a positive number", ai, v)
			}
			return n, nil
		}
	}
	return 1, nil
}

func (r *Resolver) resolveItem(ctx context.Context, res *Resolution, gtin string, count int) error {
	item, found, err := r.Catalog.LookupBarcode(ctx, gtin)
	if err != nil {
		return fmt.Errorf("look up barcode %s: %w", gtin, err)
	}
	res.Key = gtin
	if !found {
		res.Kind, res.Reason = KindUnknown, "GTIN "+gtin+" is not in the catalog"
		return nil
	}
	if item.PackQty <= 0 {
		res.Kind, res.Reason = KindUnknown, fmt.Sprintf("barcode %s has pack quantity %d in the catalog", gtin, item.PackQty)
		return nil
	}
	res.Kind, res.Item, res.Quantity = KindItem, item, item.PackQty*count
	return nil
}

func (r *Resolver) lookupLocation(ctx context.Context, res *Resolution, code string) error {
	loc, found, err := r.Catalog.LookupLocation(ctx, code)
	if err != nil {
		return fmt.Errorf("look up location %s: %w", code, err)
	}
	res.Key = code
	if !found {
		res.Kind, res.Reason = KindUnknown, "location "+code+" is not in the catalog"
		return nil
	}
	res.Kind, res.Location = KindLocation, loc
	return nil
}

// resolveInternal looks an internal code up as every kind of record and
// accepts exactly one match.
func (r *Resolver) resolveInternal(ctx context.Context, res *Resolution) error {
	code := res.Scan.Data
	res.Key = code
	if strings.TrimSpace(code) == "" {
		res.Kind, res.Reason = KindUnknown, "empty scan"
		return nil
	}
	var matches []Kind
	loc, found, err := r.Catalog.LookupLocation(ctx, code)
	if err != nil {
		return fmt.Errorf("look up location %s: %w", code, err)
	}
	if found {
		matches, res.Location = append(matches, KindLocation), loc
	}
	item, found, err := r.Catalog.LookupBarcode(ctx, BarcodeKey(code))
	if err != nil {
		return fmt.Errorf("look up barcode %s: %w", code, err)
	}
	if found && item.PackQty > 0 {
		matches, res.Item, res.Quantity = append(matches, KindItem), item, item.PackQty
	}
	po, found, err := r.Catalog.LookupPurchaseOrder(ctx, code)
	if err != nil {
		return fmt.Errorf("look up purchase order %s: %w", code, err)
	}
	if found {
		matches, res.PurchaseOrder = append(matches, KindPurchaseOrder), po
	}
	if len(code) == 18 && gs1.ValidCheckDigit(code) {
		pallet, found, err := r.Catalog.LookupSSCC(ctx, code)
		if err != nil {
			return fmt.Errorf("look up sscc %s: %w", code, err)
		}
		if found {
			matches, res.Pallet, res.SSCC = append(matches, KindPallet), pallet, code
		}
	}
	switch len(matches) {
	case 0:
		res.Kind, res.Reason = KindUnknown, "code "+code+" is not in the catalog"
	case 1:
		res.Kind = matches[0]
	default:
		names := make([]string, len(matches))
		for i, m := range matches {
			names[i] = string(m)
		}
		*res = Resolution{Kind: KindAmbiguous, Key: code, Scan: res.Scan, Matches: matches,
			Reason: "code " + code + " matches more than one record: " + strings.Join(names, ", ")}
	}
	return nil
}
