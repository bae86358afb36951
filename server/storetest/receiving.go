package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/syncproto"
)

// The receiving suite: users, warehouse settings and SSCCs, purchase
// orders counted on apply, exception events, enrollment codes.

func testUsers(t *testing.T, c *server.Catalog, l *server.Ledger) {
	seedCatalog(t, c)
	u := must(c.Users.Create(ctx, server.User{Code: "ana", Name: "Ana", Roles: []string{"receiver", "picker"}, PIN: "1111"}))
	if u.PIN != "" || u.PINHash == "" || u.Position == 0 {
		t.Fatalf("created user = %+v: want the PIN replaced by its hash", u)
	}
	got := must(c.Users.Get(ctx, server.CatalogKey{Code: "ana"}))
	if bcrypt.CompareHashAndPassword([]byte(got.PINHash), []byte("1111")) != nil || got.Name != "Ana" ||
		strings.Join(got.Roles, ",") != "receiver,picker" {
		t.Fatalf("stored user = %+v", got)
	}
	if cost, _ := bcrypt.Cost([]byte(got.PINHash)); cost != server.PINCost {
		t.Fatalf("bcrypt cost %d, want %d", cost, server.PINCost)
	}
	for _, tc := range []struct {
		u     server.User
		field string
	}{
		{server.User{Code: "x", Name: "X", Roles: []string{"boss"}}, "roles"},
		{server.User{Code: "x", Name: "X"}, "roles"},
		{server.User{Code: "x", Name: "X", Roles: []string{"picker", "picker"}}, "roles"},
		{server.User{Code: "x", Name: "X", Roles: []string{"picker"}, PIN: "123"}, "pin"},
		{server.User{Code: "x", Name: "X", Roles: []string{"picker"}, PIN: "123456789"}, "pin"},
		{server.User{Code: "x", Name: "X", Roles: []string{"picker"}, PIN: "12a4"}, "pin"},
		{server.User{Code: "x\x01", Name: "X", Roles: []string{"picker"}}, "code"},
		{server.User{Code: "x", Roles: []string{"picker"}}, "name"},
	} {
		_, err := c.Users.Create(ctx, tc.u)
		wantField(t, err, server.EInvalid, tc.field)
	}
	// An update without a PIN keeps it; one with a PIN replaces it.
	up := must(c.Users.Update(ctx, server.User{Code: "ana", Name: "Ana Alves", Roles: []string{"receiver"}}))
	if up.PINHash != got.PINHash || up.Name != "Ana Alves" {
		t.Fatalf("update without pin = %+v", up)
	}
	up = must(c.Users.Update(ctx, server.User{Code: "ana", Name: "Ana Alves", Roles: []string{"receiver"}, PIN: "4321"}))
	if bcrypt.CompareHashAndPassword([]byte(up.PINHash), []byte("4321")) != nil {
		t.Fatal("update with a pin did not set it")
	}
	// A user without a PIN is allowed (it cannot sign in).
	must(c.Users.Create(ctx, server.User{Code: "pat", Name: "Pat", Roles: []string{"picker"}}))

	// Users are shared: every warehouse's devices get them, with the hash.
	for _, wh := range []string{"W1", "W2"} {
		page, err := c.PullCatalog(ctx, wh, 0, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Records.Users) != 2 || page.Records.Users[0].Code != "ana" || page.Records.Users[0].PINHash != up.PINHash {
			t.Fatalf("%s pulls users %+v", wh, page.Records.Users)
		}
	}
	dev, _, err := l.AddDevice(ctx, "h1", "W2")
	if err != nil {
		t.Fatal(err)
	}
	snap, err := c.Snapshot(ctx, dev, server.SnapshotRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Users) != 2 || snap.Users[1].Code != "pat" || snap.Users[1].Roles[0] != "picker" || snap.Done != snap.Total {
		t.Fatalf("snapshot users %+v (done %d of %d)", snap.Users, snap.Done, snap.Total)
	}
	before := must(c.Head(ctx))
	must(c.Users.SetArchived(ctx, server.CatalogKey{Code: "pat"}, true))
	page, err := c.PullCatalog(ctx, "W1", before, 1<<20)
	if err != nil || len(page.Records.Users) != 1 || !page.Records.Users[0].Archived {
		t.Fatalf("pull after archiving pat = %+v, %v", page.Records, err)
	}
	if snap, _ := c.Snapshot(ctx, dev, server.SnapshotRequest{}); len(snap.Users) != 1 {
		t.Fatalf("a snapshot holds archived users: %+v", snap.Users)
	}
}

func testReceivingSettings(t *testing.T, c *server.Catalog, _ *server.Ledger) {
	seedCatalog(t, c)
	w := must(c.Warehouses.Get(ctx, server.CatalogKey{Warehouse: "W1", Code: "W1"}))
	w.OverReceiptPct, w.MinShelfLifeDays = 10, 30
	must(c.Warehouses.Update(ctx, w))
	got := must(c.Warehouses.Get(ctx, server.CatalogKey{Warehouse: "W1", Code: "W1"}))
	if got.OverReceiptPct != 10 || got.MinShelfLifeDays != 30 {
		t.Fatalf("warehouse = %+v", got)
	}
	if ww := server.WireWarehouse(got); ww.OverReceiptPct != 10 || ww.MinShelfLifeDays != 30 {
		t.Fatalf("wire warehouse = %+v", ww)
	}
	w.OverReceiptPct = -1
	_, err := c.Warehouses.Update(ctx, w)
	wantField(t, err, server.EInvalid, "over_receipt_pct")
	w.OverReceiptPct, w.MinShelfLifeDays = 0, -5
	_, err = c.Warehouses.Update(ctx, w)
	wantField(t, err, server.EInvalid, "min_shelf_life_days")

	sscc1 := server.WithGTINCheckDigit("03400638900000001")
	sscc2 := server.WithGTINCheckDigit("03400638900000002")
	po := server.PurchaseOrder{Number: "PO-1", Supplier: "S1", Warehouse: "W1", Status: server.POOpen,
		Lines: []server.PurchaseOrderLine{{SKU: "A", Ordered: 5}}, SSCCs: []string{sscc1, sscc2}}
	must(c.PurchaseOrders.Create(ctx, po))
	gotPO := must(c.PurchaseOrders.Get(ctx, server.CatalogKey{Code: "PO-1"}))
	if strings.Join(gotPO.SSCCs, " ") != sscc1+" "+sscc2 {
		t.Fatalf("SSCCs = %q", gotPO.SSCCs)
	}
	list := must(c.PurchaseOrders.List(ctx, server.ListFilter{Warehouse: "W1"}))
	if len(list) != 1 || len(list[0].SSCCs) != 2 {
		t.Fatalf("listed orders = %+v", list)
	}
	page, err := c.PullCatalog(ctx, "W1", 0, 1<<20)
	if err != nil || len(page.Records.PurchaseOrders) != 1 || page.Records.PurchaseOrders[0].SSCCs[1] != sscc2 {
		t.Fatalf("pulled orders = %+v, %v", page.Records.PurchaseOrders, err)
	}
	for _, bad := range [][]string{{sscc1[:17]}, {sscc1[:17] + string('0'+(sscc1[17]-'0'+1)%10)}, {sscc1, sscc1}, {"ABCDEFGHIJKLMNOPQR"}} {
		po.Number, po.SSCCs = "PO-2", bad
		_, err := c.PurchaseOrders.Create(ctx, po)
		wantField(t, err, server.EInvalid, "ssccs")
	}
	// An SSCC belongs to one order; an order is found by its SSCC.
	po.Number, po.SSCCs = "PO-2", []string{sscc2}
	_, err = c.PurchaseOrders.Create(ctx, po)
	wantField(t, err, server.EInvalid, "ssccs")
	if found := must(c.PurchaseOrders.List(ctx, server.ListFilter{Q: sscc2})); len(found) != 1 || found[0].Number != "PO-1" {
		t.Fatalf("orders with SSCC %s: %+v", sscc2, found)
	}
	must(c.PurchaseOrders.Update(ctx, gotPO)) // an order keeps its own SSCCs
	// Without SSCCs the order has none.
	po.Number, po.SSCCs = "PO-3", nil
	if got := must(c.PurchaseOrders.Create(ctx, po)); len(got.SSCCs) != 0 {
		t.Fatalf("SSCCs = %q", got.SSCCs)
	}
}

func poLines(t *testing.T, c *server.Catalog, number string) (server.PurchaseOrder, map[string]int64) {
	t.Helper()
	o := must(c.PurchaseOrders.Get(ctx, server.CatalogKey{Code: number}))
	got := map[string]int64{}
	for _, ln := range o.Lines {
		got[ln.SKU] = ln.Received
	}
	return o, got
}

func receive(d *Device, sku, lot, ref string, qty int64) syncproto.Event {
	ev := d.Event(syncproto.KindReceive, sku, "", "DOCK", qty)
	ev.Lot, ev.Ref = lot, ref
	ev.Seal()
	return ev
}

func testReceiveAgainstPO(t *testing.T, c *server.Catalog, l *server.Ledger) {
	seedCatalog(t, c)
	addTester(t, c)
	must(c.SKUs.Create(ctx, server.SKU{Code: "C", Name: "Cherries", Unit: "each"}))
	must(c.PurchaseOrders.Create(ctx, server.PurchaseOrder{Number: "PO-1", Supplier: "S1", Warehouse: "W1", Status: server.POOpen,
		Lines: []server.PurchaseOrderLine{{SKU: "A", Ordered: 10}, {SKU: "B", Ordered: 5}}}))
	must(c.PurchaseOrders.Create(ctx, server.PurchaseOrder{Number: "PO-2", Supplier: "S1", Warehouse: "W2", Status: server.POOpen,
		Lines: []server.PurchaseOrderLine{{SKU: "A", Ordered: 3}}}))
	d := Enroll(t, l, "h1", "W1")
	head0 := must(c.Head(ctx))

	first := receive(d, "A", "", "PO-1", 4)
	wantStatus(t, push(t, l, d, first).Outcomes[0], syncproto.StatusApplied, "")
	o, got := poLines(t, c, "PO-1")
	if got["A"] != 4 || got["B"] != 0 || o.Status != server.POPartiallyReceived || o.Position <= head0 {
		t.Fatalf("after receiving 4 A: %+v", o)
	}
	if stock(t, l, "W1", "DOCK", "A") != 4 {
		t.Fatal("the receive did not reach the ledger")
	}
	// Devices pull the new figures.
	page, err := c.PullCatalog(ctx, "W1", head0, 1<<20)
	if err != nil || len(page.Records.PurchaseOrders) != 1 || page.Records.PurchaseOrders[0].Lines[0].Received != 4 ||
		page.Records.PurchaseOrders[0].Status != "partially_received" {
		t.Fatalf("pull after the receipt = %+v, %v", page.Records, err)
	}
	// A re-sent event counts once.
	pos1 := o.Position
	wantStatus(t, push(t, l, d, first).Outcomes[0], syncproto.StatusApplied, "")
	if o, got = poLines(t, c, "PO-1"); got["A"] != 4 || o.Position != pos1 {
		t.Fatalf("a re-push changed the order: %+v", o)
	}
	// A SKU not on the order changes no line; nor does an order of
	// another warehouse, nor a ref that is no order.
	push(t, l, d, receive(d, "C", "", "PO-1", 2), receive(d, "A", "", "PO-2", 3), receive(d, "A", "", "DN-77", 1))
	if o, got = poLines(t, c, "PO-1"); len(o.Lines) != 2 || got["A"] != 4 || o.Position != pos1 {
		t.Fatalf("a receive of a SKU not on the order changed it: %+v", o)
	}
	if o2, got2 := poLines(t, c, "PO-2"); got2["A"] != 0 || o2.Status != server.POOpen {
		t.Fatalf("another warehouse's order changed: %+v", o2)
	}
	if stock(t, l, "W1", "DOCK", "C") != 2 {
		t.Fatal("the receive of a SKU not on the order was not applied")
	}
	// Everything received (A over-received): received.
	push(t, l, d, receive(d, "A", "", "PO-1", 7), receive(d, "B", "L1", "PO-1", 5))
	if o, got = poLines(t, c, "PO-1"); got["A"] != 11 || got["B"] != 5 || o.Status != server.POReceived {
		t.Fatalf("after receiving everything: %+v", o)
	}
	// A received order stays received; a closed one keeps its status.
	push(t, l, d, receive(d, "B", "L1", "PO-1", 1))
	if o, got = poLines(t, c, "PO-1"); got["B"] != 6 || o.Status != server.POReceived {
		t.Fatalf("after receiving more: %+v", o)
	}
	o.Status = server.POClosed
	must(c.PurchaseOrders.Update(ctx, o))
	push(t, l, d, receive(d, "A", "", "PO-1", 1))
	if o, got = poLines(t, c, "PO-1"); got["A"] != 12 || o.Status != server.POClosed {
		t.Fatalf("a closed order: %+v", o)
	}
}

func exception(d *Device, reason, sku, barcode, ref string, qty int64) syncproto.Event {
	ev := d.Event(syncproto.KindException, sku, "", "", qty)
	ev.Reason, ev.Barcode, ev.Ref = reason, barcode, ref
	ev.Seal()
	return ev
}

func testExceptions(t *testing.T, c *server.Catalog, l *server.Ledger) {
	seedCatalog(t, c)
	addTester(t, c)
	d1, d2 := Enroll(t, l, "h1", "W1"), Enroll(t, l, "h2", "W2")
	gtin := server.WithGTINCheckDigit("400638133393")
	ack := push(t, l, d1,
		exception(d1, "unknown_barcode", "", "X-999", "PO-1", 1),
		exception(d1, "not_on_po", "B", "", "PO-1", 3),
		exception(d1, "unknown_barcode", "", "X-999", "PO-1", 1),
		exception(d1, "unknown_barcode", "", "0"+gtin, "PO-1", 1))
	for _, o := range ack.Outcomes {
		wantStatus(t, o, syncproto.StatusApplied, "")
		if o.Position != 0 {
			t.Fatalf("an exception has ledger position %d", o.Position)
		}
	}
	push(t, l, d2, exception(d2, "damaged", "A", "", "PO-9", 2))
	var head uint64
	if err := c.View(ctx, func(ctx context.Context, tx server.CatalogReadTx) (err error) {
		head, err = tx.Head(ctx, "W1")
		return err
	}); err != nil || head != 0 {
		t.Fatalf("exceptions wrote ledger entries: head %d, %v", head, err)
	}
	// A re-push applies nothing new.
	dmg := exception(d1, "damaged", "A", "", "PO-1", 1)
	push(t, l, d1, dmg)
	push(t, l, d1, dmg)

	all, err := l.Exceptions(ctx, server.ExceptionFilter{Warehouse: "W1"})
	if err != nil || len(all) != 5 {
		t.Fatalf("W1 exceptions = %+v, %v", all, err)
	}
	x := all[len(all)-1] // oldest last
	if x.Reason != "unknown_barcode" || x.Barcode != "X-999" || x.DeviceName != "h1" || x.User != "tester" || x.Ref != "PO-1" || x.Qty != 1 {
		t.Fatalf("oldest exception = %+v", x)
	}
	if xs, _ := l.Exceptions(ctx, server.ExceptionFilter{Warehouse: "W1", Reason: "not_on_po"}); len(xs) != 1 || xs[0].SKU != "B" || xs[0].Qty != 3 {
		t.Fatalf("not_on_po = %+v", xs)
	}
	if xs, _ := l.Exceptions(ctx, server.ExceptionFilter{Ref: "PO-9"}); len(xs) != 1 || xs[0].Warehouse != "W2" {
		t.Fatalf("ref PO-9 = %+v", xs)
	}
	if xs, _ := l.Exceptions(ctx, server.ExceptionFilter{}); len(xs) != 6 {
		t.Fatalf("every warehouse's exceptions = %d", len(xs))
	}

	unknown, err := c.UnknownBarcodes(ctx, "W1")
	if err != nil || len(unknown) != 2 {
		t.Fatalf("unknown barcodes = %+v, %v", unknown, err)
	}
	counts := map[string]int{}
	for _, u := range unknown {
		counts[u.Barcode] = u.Count
		if u.LastSeen.IsZero() {
			t.Fatalf("unknown barcode without last seen: %+v", u)
		}
	}
	if counts["X-999"] != 2 || counts["0"+gtin] != 1 {
		t.Fatalf("unknown barcode counts = %v", counts)
	}
	// Mapped barcodes drop out, a GTIN in any of its lengths.
	must(c.Barcodes.Create(ctx, server.Barcode{Value: "X-999", SKU: "A", Type: server.BarcodeInternal, Pack: 1}))
	must(c.Barcodes.Create(ctx, server.Barcode{Value: gtin, SKU: "A", Type: server.BarcodeGTIN, Pack: 1}))
	if unknown, err = c.UnknownBarcodes(ctx, "W1"); err != nil || len(unknown) != 0 {
		t.Fatalf("unknown barcodes after mapping = %+v, %v", unknown, err)
	}
}

func testEnrollment(t *testing.T, _ *server.Catalog, l *server.Ledger) {
	d, oldToken, err := l.AddDevice(ctx, "h1", "W1")
	if err != nil {
		t.Fatal(err)
	}
	code, exp, err := l.IssueEnrollmentCode(ctx, d.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(code) != 9 || code[4] != '-' || strings.Trim(strings.ReplaceAll(code, "-", ""), server.EnrollmentAlphabet) != "" {
		t.Fatalf("code %q is not XXXX-XXXX from the alphabet", code)
	}
	if ttl := time.Until(exp); ttl < 23*time.Hour || ttl > 25*time.Hour {
		t.Fatalf("code expires in %v, want 24h", ttl)
	}
	// A wrong code changes nothing.
	for _, wrong := range []string{"AAAA-AAAA", "K7Q4-M2X0", "", "K7Q4M2XPQ"} {
		_, _, err := l.Enroll(ctx, wrong, "t")
		wantCode(t, err, server.EEnrollmentInvalid)
	}
	if _, err := l.Authenticate(ctx, d.ID, oldToken); err != nil {
		t.Fatalf("a wrong code broke the old token: %v", err)
	}
	// Lower case, without the dash.
	got, token, err := l.Enroll(ctx, strings.ToLower(strings.ReplaceAll(code, "-", "")), "scanner/1")
	if err != nil || got.ID != d.ID || got.Warehouse != "W1" || token == "" || token == oldToken {
		t.Fatalf("enroll = %+v, %q, %v", got, token, err)
	}
	if _, err := l.Authenticate(ctx, d.ID, oldToken); server.ErrorCode(err) != server.EUnauthorized {
		t.Fatalf("the old token still works after re-enrollment: %v", err)
	}
	if dd, err := l.Authenticate(ctx, d.ID, token); err != nil || dd.AppVersion != "scanner/1" {
		t.Fatalf("the new token: %+v, %v", dd, err)
	}
	// Single use.
	_, _, err = l.Enroll(ctx, code, "t")
	wantCode(t, err, server.EEnrollmentInvalid)
	// Expired.
	short, _, err := l.IssueEnrollmentCode(ctx, d.ID, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond)
	_, _, err = l.Enroll(ctx, short, "t")
	wantCode(t, err, server.EEnrollmentInvalid)
	if _, err := l.Authenticate(ctx, d.ID, token); err != nil {
		t.Fatalf("an expired code broke the token: %v", err)
	}
	// A new code retires the unused one before it.
	c1, _, _ := l.IssueEnrollmentCode(ctx, d.ID, 0)
	c2, _, _ := l.IssueEnrollmentCode(ctx, d.ID, 0)
	_, _, err = l.Enroll(ctx, c1, "t")
	wantCode(t, err, server.EEnrollmentInvalid)
	if _, token, err = l.Enroll(ctx, c2, "t"); err != nil {
		t.Fatalf("the newest code: %v", err)
	}
	// A revoked device's code is refused, and no code is issued for it.
	c3, _, _ := l.IssueEnrollmentCode(ctx, d.ID, 0)
	if err := l.RevokeDevice(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = l.Enroll(ctx, c3, "t")
	wantCode(t, err, server.EEnrollmentInvalid)
	_, _, err = l.IssueEnrollmentCode(ctx, d.ID, 0)
	wantCode(t, err, server.EConflict)
	_, _, err = l.IssueEnrollmentCode(ctx, "no-such-device", 0)
	wantCode(t, err, server.ENotFound)
}
