package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/driftless/driftless/server"
)

// demoDeviceFile holds the demo handheld's credentials, for the scanner app
// that `make demo` starts.
const demoDeviceFile = "demo-device.json"

// demoCodeFile holds the enrollment code of the demo handheld
// (demoHandheld), which the scanner app enrolls with.
const demoCodeFile = "demo-enrollment-code"

// demoHandheld is the device the demo's scanner app enrolls as.
const demoHandheld = "demo-handheld"

func demoCmd() *cobra.Command {
	var data string
	c := &cobra.Command{
		Use:   "demo",
		Short: "Seed a data directory with a believable demo company (once)",
		Long: "Seed two warehouses (MAIN with 2,000 bins, EAST with 1,000, plus docks, quarantine, returns and\n" +
			"staging), 5,000 SKUs with GTIN-13s and case GTIN-14s, suppliers, open purchase and sales orders\n" +
			"and opening stock, the users ana (receiver, picker; PIN 1111), sam (supervisor, receiver; 9999) and\n" +
			"pat (picker; 2222) and cleo (counter; 3333), and a receiving showcase in MAIN (10% over-receipt tolerance, 30 days minimum\n" +
			"shelf life; a lot- and expiry-tracked, a serial-tracked and a plain SKU with item and case GTINs;\n" +
			"open orders PO-DEMO-1 to PO-DEMO-3, the first with an announced pallet SSCC). It enrolls\n" +
			"handheld-1 (credentials in " + demoDeviceFile + ") and " + demoHandheld + " for MAIN, whose enrollment code it\n" +
			"prints and writes to " + demoCodeFile + ". The data is the same on every run (a seeded random\n" +
			"generator); a directory that already has " + demoDeviceFile + " is left as it is, except that\n" +
			demoHandheld + " gets a fresh enrollment code.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := server.WithActor(cmd.Context(), "cli") // who the audit log names
			credPath := filepath.Join(data, demoDeviceFile)
			seeded := false
			if _, err := os.Stat(credPath); err == nil {
				seeded = true
			} else if !errors.Is(err, os.ErrNotExist) {
				return err
			}
			l, st, err := openLedger(ctx, data)
			if err != nil {
				return err
			}
			defer st.Close()
			const warehouse = "MAIN"
			if seeded {
				fmt.Printf("demo data already in %s\n", data)
			} else {
				start := time.Now()
				sum, err := seedDemo(ctx, server.NewCatalog(st, l))
				if err != nil {
					return fmt.Errorf("seed demo: %w", err)
				}
				dev, token, err := l.AddDevice(ctx, "handheld-1", warehouse)
				if err != nil {
					return err
				}
				cred, _ := json.MarshalIndent(map[string]string{"id": dev.ID, "name": dev.Name, "warehouse": warehouse, "token": token}, "", "  ")
				if err := os.WriteFile(credPath, append(cred, '\n'), 0o600); err != nil {
					return err
				}
				fmt.Printf("demo seeded in %s: %s; handheld-1 enrolled for %s, credentials in %s\n",
					time.Since(start).Round(time.Millisecond), sum, warehouse, credPath)
			}
			// The demo handheld: found by name, enrolled when missing, and
			// given a fresh code on every run (a code works once).
			devs, err := st.Devices(ctx)
			if err != nil {
				return err
			}
			var id string
			for _, d := range devs {
				if d.Name == demoHandheld && d.Warehouse == warehouse && !d.Revoked {
					id = d.ID
				}
			}
			if id == "" {
				d, _, err := l.AddDevice(ctx, demoHandheld, warehouse)
				if err != nil {
					return err
				}
				id = d.ID
			}
			code, exp, err := l.IssueEnrollmentCode(ctx, id, server.DefaultEnrollmentTTL)
			if err != nil {
				return err
			}
			codePath := filepath.Join(data, demoCodeFile)
			if err := os.WriteFile(codePath, []byte(code+"\n"), 0o600); err != nil {
				return err
			}
			fmt.Printf("%s (%s) enrollment code: %s (single use, valid until %s; also in %s)\n",
				demoHandheld, id, code, exp.Local().Format("2006-01-02 15:04"), codePath)
			fmt.Println("sign in as ana (PIN 1111, receiver and picker), sam (9999, supervisor), pat (2222, picker) or cleo (3333, counter)")
			return nil
		},
	}
	c.Flags().StringVar(&data, "data", "./data", "data directory")
	return c
}

// demoWarehouse is one demo site: aisles × racks × levels bins.
type demoWarehouse struct {
	code, name            string
	aisles, racks, levels int
}

var demoWarehouses = []demoWarehouse{
	{"MAIN", "Main distribution centre", 20, 25, 4}, // 2,000 bins
	{"EAST", "East depot", 10, 25, 4},               // 1,000 bins
}

// seedDemo writes the demo catalog, orders and opening stock, each kind in
// one transaction through the same import path as CSV files.
func seedDemo(ctx context.Context, c *server.Catalog) (string, error) {
	rng := rand.New(rand.NewPCG(1, 2))
	var whs []server.Warehouse
	var locs []server.Location
	bins := map[string][]string{}
	for _, w := range demoWarehouses {
		wh := server.Warehouse{Code: w.code, Name: w.name, BlindReceiving: w.code == "EAST"}
		if w.code == "MAIN" {
			wh.OverReceiptPct, wh.MinShelfLifeDays = 10, 30
		}
		whs = append(whs, wh)
		seq := int64(0)
		add := func(code string, typ server.LocationType) {
			seq += 10
			locs = append(locs, server.Location{Warehouse: w.code, Code: code, Type: typ, Barcode: "LOC-" + w.code + "-" + code, Sequence: seq})
		}
		for d := 1; d <= 3; d++ {
			add(fmt.Sprintf("DOCK-%d", d), server.LocationDock)
		}
		add("QUARANTINE", server.LocationQuarantine)
		add("RETURNS", server.LocationReturns)
		// Bins in walking order: up one aisle and down the next.
		for a := range w.aisles {
			for i := range w.racks {
				r := i + 1
				if a%2 == 1 {
					r = w.racks - i
				}
				for lv := 1; lv <= w.levels; lv++ {
					code := fmt.Sprintf("%c-%02d-%d", 'A'+a, r, lv)
					add(code, server.LocationBin)
					bins[w.code] = append(bins[w.code], code)
				}
			}
		}
		add("STAGING", server.LocationStaging)
	}
	if err := c.Warehouses.Import(ctx, whs); err != nil {
		return "", err
	}
	if err := c.Locations.Import(ctx, locs); err != nil {
		return "", err
	}

	nouns := []string{"Apple juice", "Oat biscuits", "Olive oil", "Rice", "Coffee beans", "Green tea", "Tomato passata",
		"Dark chocolate", "Pasta fusilli", "Sparkling water", "Peanut butter", "Honey", "Muesli", "Lentils", "Soy sauce",
		"Dish soap", "Paper towels", "AA batteries", "Light bulb", "Cable ties"}
	sizes := []string{"250 g", "500 g", "1 kg", "330 ml", "1 l", "6-pack", "12 pcs", "2 kg"}
	const skuCount = 5000
	skus := make([]server.SKU, skuCount)
	var barcodes []server.Barcode
	for i := range skus {
		code := fmt.Sprintf("SKU-%04d", i+1)
		s := server.SKU{Code: code, Name: fmt.Sprintf("%s %s #%d", nouns[rng.IntN(len(nouns))], sizes[rng.IntN(len(sizes))], i+1),
			Unit: "each", UnitCost: int64(50 + rng.IntN(5000))}
		s.TrackLot = rng.IntN(5) == 0
		s.TrackExpiry = s.TrackLot && rng.IntN(2) == 0
		s.TrackSerial = !s.TrackLot && rng.IntN(50) == 0
		skus[i] = s
		ean := server.WithGTINCheckDigit(fmt.Sprintf("400638%06d", 100000+i))
		barcodes = append(barcodes, server.Barcode{Value: ean, SKU: code, Type: server.BarcodeGTIN, Pack: 1})
		if i%4 == 0 { // a quarter have a case GTIN-14
			pack := []int64{6, 12, 24}[rng.IntN(3)]
			barcodes = append(barcodes, server.Barcode{Value: server.WithGTINCheckDigit("1" + ean[:12]), SKU: code, Type: server.BarcodeGTIN, Pack: pack})
		}
	}
	showcase := demoShowcaseSKUs()
	for _, sc := range showcase {
		skus = append(skus, sc.sku)
		barcodes = append(barcodes, sc.barcodes...)
	}
	if err := c.SKUs.Import(ctx, skus); err != nil {
		return "", err
	}
	if err := c.Barcodes.Import(ctx, barcodes); err != nil {
		return "", err
	}

	const supplierCount = 20
	suppliers := make([]server.Supplier, supplierCount)
	for i := range suppliers {
		suppliers[i] = server.Supplier{Code: fmt.Sprintf("SUP-%02d", i+1), Name: fmt.Sprintf("Supplier %02d Ltd", i+1), LeadTimeDays: int64(2 + rng.IntN(20))}
	}
	if err := c.Suppliers.Import(ctx, suppliers); err != nil {
		return "", err
	}

	// lines picks n distinct SKUs.
	pick := func(n int) []string {
		seen := map[int]bool{}
		var out []string
		for len(out) < n {
			i := rng.IntN(skuCount)
			if !seen[i] {
				seen[i] = true
				out = append(out, skus[i].Code)
			}
		}
		return out
	}
	day := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	var pos []server.PurchaseOrder
	for i := range 60 {
		o := server.PurchaseOrder{Number: fmt.Sprintf("PO-%05d", 1001+i), Supplier: suppliers[rng.IntN(supplierCount)].Code,
			Warehouse: demoWarehouses[i%2].code, Status: server.POOpen, ExpectedDate: day.AddDate(0, 0, rng.IntN(30)).Format(time.DateOnly)}
		for _, sku := range pick(3 + rng.IntN(8)) {
			o.Lines = append(o.Lines, server.PurchaseOrderLine{SKU: sku, Ordered: int64(12 * (1 + rng.IntN(20)))})
		}
		pos = append(pos, o)
	}
	pos = append(pos, demoShowcaseOrders(suppliers[0].Code)...)
	if err := c.PurchaseOrders.Import(ctx, pos); err != nil {
		return "", err
	}
	customers := []string{"Corner shop", "Café Zur Post", "Hotel Lindenhof", "City Market", "School canteen", "Garden centre"}
	var sos []server.SalesOrder
	for i := range 100 {
		o := server.SalesOrder{Number: fmt.Sprintf("SO-%05d", 5001+i), Customer: customers[rng.IntN(len(customers))],
			Warehouse: demoWarehouses[i%2].code, Status: server.SOOpen}
		for _, sku := range pick(1 + rng.IntN(6)) {
			o.Lines = append(o.Lines, server.SalesOrderLine{SKU: sku, Qty: int64(1 + rng.IntN(12))})
		}
		sos = append(sos, o)
	}
	if err := c.SalesOrders.Import(ctx, sos); err != nil {
		return "", err
	}

	// Opening stock: every SKU in one or two bins of MAIN, some in EAST.
	var stock []server.OpeningStock
	seen := map[server.StockKey]bool{}
	for _, s := range skus {
		places := []struct {
			w string
			n int
		}{{"MAIN", 1 + rng.IntN(2)}, {"EAST", rng.IntN(2)}}
		for _, p := range places {
			w := p.w
			for range p.n {
				k := server.StockKey{Warehouse: w, Location: bins[w][rng.IntN(len(bins[w]))], SKU: s.Code}
				if s.TrackLot {
					k.Lot = fmt.Sprintf("L%04d", rng.IntN(10000))
				}
				if seen[k] {
					continue
				}
				seen[k] = true
				stock = append(stock, server.OpeningStock{Warehouse: k.Warehouse, Location: k.Location, SKU: k.SKU, Lot: k.Lot, Qty: int64(1 + rng.IntN(240))})
			}
		}
	}
	// The showcase SKUs in the first bins of MAIN's walk, so put-away
	// suggests them.
	stock = append(stock,
		server.OpeningStock{Warehouse: "MAIN", Location: bins["MAIN"][0], SKU: "DEMO-TEA", Qty: 36},
		server.OpeningStock{Warehouse: "MAIN", Location: bins["MAIN"][1], SKU: "DEMO-MILK", Lot: "L2026-40", Qty: 24},
		server.OpeningStock{Warehouse: "MAIN", Location: bins["MAIN"][2], SKU: "DEMO-SCAN", Qty: 2})
	if err := c.ImportOpeningStock(ctx, stock); err != nil {
		return "", err
	}
	users := []server.User{
		{Code: "ana", Name: "Ana Alves", Roles: []string{"receiver", "picker"}, PIN: "1111"},
		{Code: "sam", Name: "Sam Schubert", Roles: []string{"supervisor", "receiver"}, PIN: "9999"},
		{Code: "pat", Name: "Pat Okafor", Roles: []string{"picker"}, PIN: "2222"},
		{Code: "cleo", Name: "Cleo Varga", Roles: []string{"counter"}, PIN: "3333"},
	}
	if err := c.Users.Import(ctx, users); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d warehouses, %d locations (%d bins), %d SKUs, %d barcodes, %d suppliers, %d purchase orders, %d sales orders, %d opening stock rows, %d users",
		len(whs), len(locs), len(bins["MAIN"])+len(bins["EAST"]), len(skus), len(barcodes), len(suppliers), len(pos), len(sos), len(stock), len(users)), nil
}

// demoSKU is a showcase SKU and its barcodes.
type demoSKU struct {
	sku      server.SKU
	barcodes []server.Barcode
}

// Showcase GTINs: item GTIN-13s and case GTIN-14s (indicator digit 1)
// outside the generated range.
var (
	demoMilkGTIN = server.WithGTINCheckDigit("400638900011")
	demoTeaGTIN  = server.WithGTINCheckDigit("400638900028")
	demoScanGTIN = server.WithGTINCheckDigit("400638900035")
	// demoSSCC is the pallet announced for PO-DEMO-1: extension digit 0,
	// company prefix 4006389, serial 000000001.
	demoSSCC = server.WithGTINCheckDigit("04006389000000001")
)

// demoShowcaseSKUs are the SKUs receiving is shown with: lot and expiry,
// serial, plain; each with an item GTIN and the first two with a case of 12.
func demoShowcaseSKUs() []demoSKU {
	caseOf := func(gtin13 string) string { return server.WithGTINCheckDigit("1" + gtin13[:12]) }
	return []demoSKU{
		{server.SKU{Code: "DEMO-MILK", Name: "Oat milk 1 l (lot and expiry)", Unit: "each", TrackLot: true, TrackExpiry: true, UnitCost: 129},
			[]server.Barcode{{Value: demoMilkGTIN, SKU: "DEMO-MILK", Type: server.BarcodeGTIN, Pack: 1},
				{Value: caseOf(demoMilkGTIN), SKU: "DEMO-MILK", Type: server.BarcodeGTIN, Pack: 12}}},
		{server.SKU{Code: "DEMO-TEA", Name: "Green tea, 20 bags", Unit: "each", UnitCost: 249},
			[]server.Barcode{{Value: demoTeaGTIN, SKU: "DEMO-TEA", Type: server.BarcodeGTIN, Pack: 1},
				{Value: caseOf(demoTeaGTIN), SKU: "DEMO-TEA", Type: server.BarcodeGTIN, Pack: 12}}},
		{server.SKU{Code: "DEMO-SCAN", Name: "Handheld scanner (serial)", Unit: "each", TrackSerial: true, UnitCost: 39900},
			[]server.Barcode{{Value: demoScanGTIN, SKU: "DEMO-SCAN", Type: server.BarcodeGTIN, Pack: 1}}},
	}
}

// demoShowcaseOrders are MAIN's open purchase orders of the showcase SKUs.
func demoShowcaseOrders(supplier string) []server.PurchaseOrder {
	return []server.PurchaseOrder{
		{Number: "PO-DEMO-1", Supplier: supplier, Warehouse: "MAIN", Status: server.POOpen, ExpectedDate: "2026-12-01",
			SSCCs: []string{demoSSCC},
			Lines: []server.PurchaseOrderLine{{SKU: "DEMO-MILK", Ordered: 48}, {SKU: "DEMO-TEA", Ordered: 24}, {SKU: "DEMO-SCAN", Ordered: 5}}},
		{Number: "PO-DEMO-2", Supplier: supplier, Warehouse: "MAIN", Status: server.POOpen, ExpectedDate: "2026-12-03",
			Lines: []server.PurchaseOrderLine{{SKU: "DEMO-TEA", Ordered: 120}, {SKU: "DEMO-MILK", Ordered: 24}}},
		{Number: "PO-DEMO-3", Supplier: supplier, Warehouse: "MAIN", Status: server.POOpen, ExpectedDate: "2026-12-05",
			Lines: []server.PurchaseOrderLine{{SKU: "DEMO-SCAN", Ordered: 10}}},
	}
}
