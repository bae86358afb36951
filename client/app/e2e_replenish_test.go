package app_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/driftless/driftless/client/app"
	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/syncproto"
)

// ruleOf reads a SKU's reorder rule and stock position in W1 over the
// server's REST API (admin token).
func ruleOf(t *testing.T, srv *e2eServer, sku string) server.RuleStatus {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+srv.addr+"/api/v1/reorder-rules?warehouse=W1&sku="+sku, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer admin")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/reorder-rules: %s", res.Status)
	}
	var raw json.RawMessage
	if err := json.NewDecoder(res.Body).Decode(&raw); err != nil {
		t.Fatal(err)
	}
	var list []server.RuleStatus
	if err := json.Unmarshal(raw, &list); err != nil {
		var obj struct{ Items []server.RuleStatus }
		if err := json.Unmarshal(raw, &obj); err != nil {
			t.Fatalf("reorder rules %s: %v", raw, err)
		}
		list = obj.Items
	}
	for _, r := range list {
		if r.SKU == sku {
			return r
		}
	}
	t.Fatalf("no reorder rule of %s in %s", sku, raw)
	return server.RuleStatus{}
}

// onHandOf reads a SKU's on hand in W1 from the on-hand report, run on a
// supervisor's device.
func onHandOf(t *testing.T, d *e2eDevice, sku string) int64 {
	t.Helper()
	rep, err := d.app.RunReport(ctx, app.ReportOnHand, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(rep.Columns, "on_hand")
	skuCol := slices.Index(rep.Columns, "sku")
	if col < 0 || skuCol < 0 {
		t.Fatalf("on-hand report's columns %v", rep.Columns)
	}
	for _, row := range rep.Rows {
		if row[skuCol] == sku {
			n, err := strconv.ParseInt(row[col], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	return 0
}

// TestEndToEndReplenishment: against the real server, a pick takes A
// below its reorder point (20): the low-stock alert reaches the
// supervisor's device (offline from then on); the supervisor sees the
// pick in A's usage, generates a draft for ACME, edits it to 24 and
// approves it from his device; the new purchase order reaches the
// receiver's device, which receives 24 against it: on order drops from 24
// to 0, on hand rises from 15 to 39 (read over REST), and the alert,
// cleared on the server, leaves the supervisor's device.
func TestEndToEndReplenishment(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	srv := startE2EServer(t)
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	c := srv.cat
	must(c.Warehouses.Create(ctx, server.Warehouse{Code: "W1", Name: "Main"}))
	for _, l := range []server.Location{
		{Warehouse: "W1", Code: "DOCK", Type: server.LocationDock, Sequence: 1},
		{Warehouse: "W1", Code: "QUAR", Type: server.LocationQuarantine, Sequence: 1},
		{Warehouse: "W1", Code: "B1", Type: server.LocationBin, Sequence: 1},
	} {
		must(c.Locations.Create(ctx, l))
	}
	must(c.Suppliers.Create(ctx, server.Supplier{Code: "ACME", Name: "Acme Foods", LeadTimeDays: 3}))
	must(c.SKUs.Create(ctx, server.SKU{Code: "A", Name: "Apples", Unit: "each", UnitCost: 50, Category: "fruit"}))
	must(c.Barcodes.Create(ctx, server.Barcode{Value: eachA, SKU: "A", Type: "gtin", Pack: 1}))
	must(c.Users.Create(ctx, server.User{Code: "bo", Name: "Bo", Roles: []string{"picker"}, PIN: "3333"}))
	must(c.Users.Create(ctx, server.User{Code: "ana", Name: "Ana", Roles: []string{"receiver"}, PIN: pinAna}))
	must(c.Users.Create(ctx, server.User{Code: "sam", Name: "Sam", Roles: []string{"supervisor"}, PIN: pinSam}))
	if err := c.ImportOpeningStock(ctx, []server.OpeningStock{{Warehouse: "W1", Location: "B1", SKU: "A", Qty: 30}}); err != nil {
		t.Fatal(err)
	}
	rop := int64(20)
	must(srv.repl.PutRule(ctx, server.ReorderRule{Warehouse: "W1", SKU: "A", Supplier: "ACME", OverrideROP: &rop, OrderMultiple: 12}))

	picker := newE2EDevice(t, srv, "picker")
	receiver := newE2EDevice(t, srv, "receiver")
	super := newE2EDevice(t, srv, "super")
	for _, s := range []struct {
		d         *e2eDevice
		user, pin string
	}{{picker, "bo", "3333"}, {receiver, "ana", pinAna}, {super, "sam", pinSam}} {
		if _, err := s.d.app.SignIn(ctx, s.user, s.pin); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := super.app.Alerts(ctx); err != nil || len(got) != 0 {
		t.Fatalf("alerts before the pick: %+v %v", got, err)
	}

	// 15 picked: 15 available, below 20.
	if _, err := picker.st.Record(ctx, storeScan("bo", syncproto.KindPick, "B1", 15)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, picker.app, "the pick synced", picker.synced)
	var alerts []app.LowStockAlert
	waitFor(t, super.app, "the low-stock alert on sam's device", func() bool {
		var err error
		alerts, err = super.app.Alerts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(alerts) == 1
	})
	if a := alerts[0]; a.SKU != "A" || a.Name != "Apples" || a.Available != 15 || a.ReorderPoint != 20 || a.OnOrder != 0 ||
		a.Suggested <= 0 || a.Suggested%12 != 0 || a.RaisedAt.IsZero() {
		t.Fatalf("alert %+v", a)
	}
	// It works offline.
	super.offline()
	if got, err := super.app.Alerts(ctx); err != nil || len(got) != 1 {
		t.Fatalf("alerts offline: %+v %v", got, err)
	}
	// Usage needs the server, not the sync.

	// The pick is A's usage of the day it was made (the device's clock,
	// in UTC).
	evs, err := picker.st.Events(ctx, 0, 10)
	if err != nil || len(evs) != 1 {
		t.Fatalf("picker's events %+v %v", evs, err)
	}
	day := evs[0].DeviceTime.UTC().Format("2006-01-02")
	pts, err := super.app.Usage(ctx, "A", "", day, day)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 1 || pts[0].Consumed != 15 || pts[0].ConsumedValue != 15*50 {
		t.Fatalf("usage of A on %s: %+v", day, pts)
	}
	if pts, err := super.app.Usage(ctx, "", "fruit", day, day); err != nil || len(pts) != 1 || pts[0].Consumed != 15 {
		t.Fatalf("usage of fruit: %+v %v", pts, err)
	}
	super.online()
	if _, err := picker.app.PODrafts(ctx); !errors.Is(err, app.ErrNotSupervisor) {
		t.Fatalf("a picker's drafts: %v, want ErrNotSupervisor", err)
	}

	// A draft for ACME, edited to 24 and approved.
	drafts, err := super.app.GeneratePODrafts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(drafts) != 1 || drafts[0].Supplier != "ACME" || drafts[0].Name != "Acme Foods" || len(drafts[0].Lines) != 1 ||
		drafts[0].Lines[0].SKU != "A" || drafts[0].Lines[0].Qty != alerts[0].Suggested {
		t.Fatalf("drafts %+v, want one for ACME of A × %d", drafts, alerts[0].Suggested)
	}
	d, err := super.app.UpdatePODraft(ctx, drafts[0].ID, map[string]int64{"A": 24})
	if err != nil || len(d.Lines) != 1 || d.Lines[0].Qty != 24 || d.Value != 24*50 {
		t.Fatalf("edited draft %+v %v", d, err)
	}
	po, err := super.app.ApprovePODraft(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ds, err := super.app.PODrafts(ctx); err != nil || len(ds) != 0 {
		t.Fatalf("drafts after approving: %+v %v", ds, err)
	}
	if r := ruleOf(t, srv, "A"); r.OnOrder != 24 || r.OnHand != 15 {
		t.Fatalf("A after approving: on hand %d, on order %d; want 15, 24", r.OnHand, r.OnOrder)
	}
	if n := onHandOf(t, super, "A"); n != 15 {
		t.Fatalf("on-hand report: A %d, want 15", n)
	}

	// The order reaches ana's device; she receives 24 against it.
	waitFor(t, receiver.app, po+" on ana's device", func() bool {
		_, ok, err := receiver.st.PurchaseOrder(ctx, po)
		return err == nil && ok
	})
	r, err := receiver.app.StartReceipt(ctx, po)
	if err != nil {
		t.Fatal(err)
	}
	r.SetQty(24)
	scan(t, r, eachA, app.Good)
	if _, err := r.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, receiver.app, "the receipt synced", receiver.synced)

	if r := ruleOf(t, srv, "A"); r.OnOrder != 0 || r.OnHand != 39 {
		t.Fatalf("A after receiving: on hand %d, on order %d; want 39, 0", r.OnHand, r.OnOrder)
	}
	if n := onHandOf(t, super, "A"); n != 39 {
		t.Fatalf("on-hand report: A %d, want 39", n)
	}
	waitFor(t, super.app, "the alert cleared on sam's device", func() bool {
		got, err := super.app.Alerts(ctx)
		return err == nil && len(got) == 0
	})
	// The receipt is usage too (of its day: midnight may have passed).
	to := time.Now().UTC().Format("2006-01-02")
	pts, err = super.app.Usage(ctx, "A", "", day, to)
	var sum app.UsagePoint
	for _, p := range pts {
		sum.Consumed, sum.Received, sum.ReceivedValue = sum.Consumed+p.Consumed, sum.Received+p.Received, sum.ReceivedValue+p.ReceivedValue
	}
	if err != nil || sum.Received != 24 || sum.ReceivedValue != 24*50 || sum.Consumed != 15 {
		t.Fatalf("usage of A after receiving: %+v %v", pts, err)
	}
	csv, err := super.app.ExportCSV(ctx, app.ReportUsage, map[string]string{"sku": "A", "from": day, "to": day})
	if err != nil || !strings.HasPrefix(string(csv), "day,consumed_units,consumed_value,received_units,received_value\n"+day+",15,750,") {
		t.Fatalf("usage CSV %q %v", csv, err)
	}
}
