package resolve

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/driftless/driftless/client/scan/gs1"
)

// memCatalog is an in-memory Catalog; barcodes are stored under BarcodeKey
// as the device store must do on import.
type memCatalog struct {
	barcodes  map[string]Item
	locations map[string]Location
	orders    map[string]PurchaseOrder
	pallets   map[string]Pallet
	fail      error
	lookups   []string
}

func newCatalog() *memCatalog {
	c := &memCatalog{barcodes: map[string]Item{}, locations: map[string]Location{},
		orders: map[string]PurchaseOrder{}, pallets: map[string]Pallet{}}
	c.addBarcode("4006381333931", Item{SKU: "PEN-BLK", PackQty: 1})     // EAN-13 as printed
	c.addBarcode("036000291452", Item{SKU: "TISSUE", PackQty: 1})       // UPC-A as printed
	c.addBarcode("012345000065", Item{SKU: "GUM", PackQty: 1})          // UPC-E 01234565, stored as its UPC-A
	c.addBarcode("96385074", Item{SKU: "MINT", PackQty: 1})             // EAN-8
	c.addBarcode("10012345678902", Item{SKU: "WIDGET", PackQty: 12})    // case GTIN-14 of 12 units
	c.addBarcode("00012345678905", Item{SKU: "WIDGET", PackQty: 1})     // the each, entered as 14 digits
	c.addBarcode("SKU-INT-77", Item{SKU: "HOUSE-BRAND", PackQty: 1})    // internal barcode
	c.addBarcode("X100", Item{SKU: "CLASH", PackQty: 1})                // also a location code
	c.addBarcode("09501101530003", Item{SKU: "CHEESE-VAR", PackQty: 1}) // variable-measure item
	c.locations["A-01-02"] = Location{ID: "loc-1", Code: "A-01-02"}
	c.locations["X100"] = Location{ID: "loc-x", Code: "X100"}
	c.locations["9501101530010"] = Location{ID: "dock-1", Code: "DOCK-1"}
	c.locations["(414)9501101530010(254)B7"] = Location{ID: "bin-b7", Code: "B7"}
	c.orders["PO-7"] = PurchaseOrder{ID: "po-7", Number: "PO-7"}
	c.pallets["106141411234567897"] = Pallet{SSCC: "106141411234567897", PurchaseOrder: "PO-7"}
	return c
}

func (c *memCatalog) addBarcode(code string, it Item) { c.barcodes[BarcodeKey(code)] = it }

func (c *memCatalog) LookupBarcode(_ context.Context, key string) (Item, bool, error) {
	c.lookups = append(c.lookups, "barcode:"+key)
	it, ok := c.barcodes[key]
	return it, ok, c.fail
}

func (c *memCatalog) LookupLocation(_ context.Context, code string) (Location, bool, error) {
	c.lookups = append(c.lookups, "location:"+code)
	l, ok := c.locations[code]
	return l, ok, c.fail
}

func (c *memCatalog) LookupPurchaseOrder(_ context.Context, n string) (PurchaseOrder, bool, error) {
	c.lookups = append(c.lookups, "order:"+n)
	o, ok := c.orders[n]
	return o, ok, c.fail
}

func (c *memCatalog) LookupSSCC(_ context.Context, s string) (Pallet, bool, error) {
	c.lookups = append(c.lookups, "sscc:"+s)
	p, ok := c.pallets[s]
	return p, ok, c.fail
}

var _ Catalog = (*memCatalog)(nil)

func newResolver(c Catalog) *Resolver {
	return &Resolver{Catalog: c, Parser: gs1.Parser{Now: func() time.Time {
		return time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)
	}}}
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestResolve(t *testing.T) {
	const gs = "\x1d"
	tests := []struct {
		name string
		scan Scan
		want Resolution // only the fields compared below
	}{
		{"EAN-13", Scan{Text: "4006381333931"},
			Resolution{Kind: KindItem, Key: "04006381333931", Item: Item{"PEN-BLK", 1}, Quantity: 1}},
		{"the same GTIN in AI 01 as 14 digits, with lot and end-of-month expiry",
			Scan{Text: "]C1" + "0104006381333931" + "10LOT-9" + gs + "17261200"},
			Resolution{Kind: KindItem, Key: "04006381333931", Item: Item{"PEN-BLK", 1}, Quantity: 1,
				Lot: "LOT-9", Expiry: day(2026, 12, 31)}},
		{"UPC-A as 12 digits", Scan{Text: "036000291452"},
			Resolution{Kind: KindItem, Key: "00036000291452", Item: Item{"TISSUE", 1}, Quantity: 1}},
		{"UPC-A from the camera decoder", Scan{Text: "036000291452", Format: "UPC_A"},
			Resolution{Kind: KindItem, Key: "00036000291452", Item: Item{"TISSUE", 1}, Quantity: 1}},
		{"the same UPC-A as GTIN-14 in AI 01, with serial and best before",
			Scan{Text: "(01)00036000291452(15)270115(21)SN-1"},
			Resolution{Kind: KindItem, Key: "00036000291452", Item: Item{"TISSUE", 1}, Quantity: 1,
				Serial: "SN-1", BestBefore: day(2027, 1, 15)}},
		{"UPC-E from the camera decoder", Scan{Text: "01234565", Format: "UPC_E"},
			Resolution{Kind: KindItem, Key: "00012345000065", Item: Item{"GUM", 1}, Quantity: 1}},
		{"EAN-8 from the camera decoder", Scan{Text: "96385074", Format: "EAN_8"},
			Resolution{Kind: KindItem, Key: "00000096385074", Item: Item{"MINT", 1}, Quantity: 1}},
		{"case GTIN on ITF-14 is 12 units", Scan{Text: "10012345678902", Format: "ITF"},
			Resolution{Kind: KindItem, Key: "10012345678902", Item: Item{"WIDGET", 12}, Quantity: 12}},
		{"case GTIN in AI 01", Scan{Text: "]d2" + "0110012345678902" + "10B1"},
			Resolution{Kind: KindItem, Key: "10012345678902", Item: Item{"WIDGET", 12}, Quantity: 12, Lot: "B1"}},
		{"AI 02 with 37: ten cases of 12", Scan{Text: "0210012345678902" + "3710"},
			Resolution{Kind: KindItem, Key: "10012345678902", Item: Item{"WIDGET", 12}, Quantity: 120}},
		{"AI 01 with 30: variable count", Scan{Text: "]C1" + "0109501101530003" + "3025"},
			Resolution{Kind: KindItem, Key: "09501101530003", Item: Item{"CHEESE-VAR", 1}, Quantity: 25}},
		{"symbology reported apart from the text", Scan{Text: "0104006381333931" + "10L", Symbology: "]C1", Format: "CODE_128"},
			Resolution{Kind: KindItem, Key: "04006381333931", Item: Item{"PEN-BLK", 1}, Quantity: 1, Lot: "L"}},
		{"known SSCC is a pallet", Scan{Text: "]C1" + "00106141411234567897"},
			Resolution{Kind: KindPallet, Key: "106141411234567897", SSCC: "106141411234567897",
				Pallet: Pallet{"106141411234567897", "PO-7"}}},
		{"unknown SSCC with content and count resolves to the content",
			Scan{Text: "]C1" + "00376104250021234569" + "0210012345678902" + "375"},
			Resolution{Kind: KindItem, Key: "10012345678902", Item: Item{"WIDGET", 12}, Quantity: 60,
				SSCC: "376104250021234569"}},
		{"unknown SSCC alone", Scan{Text: "]C1" + "00376104250021234569"},
			Resolution{Kind: KindUnknown, Key: "376104250021234569", SSCC: "376104250021234569"}},
		{"SSCC printed as plain Code 128 digits", Scan{Text: "106141411234567897"},
			Resolution{Kind: KindPallet, Key: "106141411234567897", SSCC: "106141411234567897",
				Pallet: Pallet{"106141411234567897", "PO-7"}}},
		{"bin label", Scan{Text: "A-01-02"},
			Resolution{Kind: KindLocation, Key: "A-01-02", Location: Location{"loc-1", "A-01-02"}}},
		{"location GLN", Scan{Text: "]C1" + "4149501101530010"},
			Resolution{Kind: KindLocation, Key: "9501101530010", Location: Location{"dock-1", "DOCK-1"}}},
		{"location GLN with extension", Scan{Text: "]C1" + "4149501101530010" + "254B7"},
			Resolution{Kind: KindLocation, Key: "(414)9501101530010(254)B7", Location: Location{"bin-b7", "B7"}}},
		{"purchase order in AI 400", Scan{Text: "]C1" + "400PO-7"},
			Resolution{Kind: KindPurchaseOrder, Key: "PO-7", PurchaseOrder: PurchaseOrder{"po-7", "PO-7"}}},
		{"purchase order as internal code", Scan{Text: "PO-7"},
			Resolution{Kind: KindPurchaseOrder, Key: "PO-7", PurchaseOrder: PurchaseOrder{"po-7", "PO-7"}}},
		{"internal item barcode", Scan{Text: "SKU-INT-77"},
			Resolution{Kind: KindItem, Key: "SKU-INT-77", Item: Item{"HOUSE-BRAND", 1}, Quantity: 1}},
		{"unknown EAN-13 is unknown", Scan{Text: "5901234123457"},
			Resolution{Kind: KindUnknown, Key: "05901234123457"}},
		{"unknown GTIN in AI 01 is unknown, lot kept", Scan{Text: "]C1" + "0105901234123457" + "10Q"},
			Resolution{Kind: KindUnknown, Key: "05901234123457", Lot: "Q"}},
		{"unknown internal code", Scan{Text: "ZZ-TOP"}, Resolution{Kind: KindUnknown, Key: "ZZ-TOP"}},
		{"location and item claim the same code", Scan{Text: "X100"},
			Resolution{Kind: KindAmbiguous, Key: "X100", Matches: []Kind{KindLocation, KindItem}}},
		{"element string naming nothing resolvable", Scan{Text: "]C1" + "10LOT" + gs + "21S"},
			Resolution{Kind: KindUnknown, Key: "(10)LOT(21)S", Lot: "LOT", Serial: "S"}},
		{"malformed GS1", Scan{Text: "]C1" + "0104006381333932"}, Resolution{Kind: KindMalformed}},
		{"malformed EAN", Scan{Text: "4006381333932", Format: "EAN_13"}, Resolution{Kind: KindMalformed}},
		{"zero count", Scan{Text: "0210012345678902" + "370"}, Resolution{Kind: KindMalformed, Lot: ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := newResolver(newCatalog()).Resolve(context.Background(), tt.scan)
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			w := tt.want
			if got.Kind != w.Kind || got.Key != w.Key || got.Item != w.Item || got.Quantity != w.Quantity ||
				got.Lot != w.Lot || got.Serial != w.Serial || !got.Expiry.Equal(w.Expiry) ||
				!got.BestBefore.Equal(w.BestBefore) || got.SSCC != w.SSCC || got.Location != w.Location ||
				got.PurchaseOrder != w.PurchaseOrder || got.Pallet != w.Pallet || !slices.Equal(got.Matches, w.Matches) {
				t.Errorf("Resolve(%+v) =\n%+v\nwant\n%+v", tt.scan, got, w)
			}
			if (got.Kind == KindUnknown || got.Kind == KindMalformed || got.Kind == KindAmbiguous) && got.Reason == "" {
				t.Errorf("%s without a reason", got.Kind)
			}
		})
	}
}

func TestResolveNeverGuessesFromShape(t *testing.T) {
	// An empty catalog: nothing may resolve, however GS1-like the code.
	empty := &memCatalog{barcodes: map[string]Item{}, locations: map[string]Location{},
		orders: map[string]PurchaseOrder{}, pallets: map[string]Pallet{}}
	for _, text := range []string{"4006381333931", "]C1" + "0104006381333931" + "3712", "]C1" + "00106141411234567897",
		"A-01-02", "]C1400PO-7", "]C14149501101530010"} {
		got, err := newResolver(empty).Resolve(context.Background(), Scan{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		if got.Kind != KindUnknown || got.Quantity != 0 || got.Item != (Item{}) {
			t.Errorf("Resolve(%q) with an empty catalog = %s %+v, want unknown", text, got.Kind, got.Item)
		}
	}
}

func TestResolveCatalogError(t *testing.T) {
	boom := errors.New("disk on fire")
	c := newCatalog()
	c.fail = boom
	_, err := newResolver(c).Resolve(context.Background(), Scan{Text: "4006381333931"})
	if !errors.Is(err, boom) {
		t.Fatalf("Resolve error = %v, want it to wrap %v", err, boom)
	}
}

func TestBarcodeKey(t *testing.T) {
	for in, want := range map[string]string{
		"4006381333931": "04006381333931", "036000291452": "00036000291452", "96385074": "00000096385074",
		"10012345678902": "10012345678902", "4006381333932": "4006381333932", "SKU-1": "SKU-1",
	} {
		if got := BarcodeKey(in); got != want {
			t.Errorf("BarcodeKey(%q) = %q, want %q", in, got, want)
		}
	}
}
