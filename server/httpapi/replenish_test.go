package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/storetest"
	"github.com/driftless/driftless/syncproto"
)

// TestReplenishmentREST: an admin sets a rule and a webhook; a device's
// supervisor sees the alert, generates, edits and approves a draft for
// their warehouse only; the approval and the rule are in the audit log.
func TestReplenishmentREST(t *testing.T) {
	srv, url := newCatalogServer(t)
	v1 := url + "/api/v1"
	ctx := context.Background()
	l := srv.Ledger
	storetest.AddTester(t, srv.Store.(server.Store))
	for _, req := range [][2]string{
		{"/warehouses", `{"code":"W1","name":"Main"}`}, {"/warehouses", `{"code":"W2","name":"North"}`},
		{"/warehouses/W1/locations", `{"warehouse":"W1","code":"B1","type":"bin"}`},
		{"/skus", `{"code":"A","name":"Apple","unit":"each","unit_cost":50}`},
		{"/suppliers", `{"code":"S1","name":"Orchard","lead_time_days":3}`},
		{"/users", `{"code":"sue","name":"Sue","roles":["supervisor"],"pin":"1234"}`},
		{"/webhooks", `{"url":"http://127.0.0.1:1/hook","secret":"0123456789abcdefXYZ","events":["alert.raised"]}`},
	} {
		if r := api(t, "POST", v1+req[0], req[1]); r.status != http.StatusCreated {
			t.Fatalf("%s: %d %s", req[0], r.status, r.body)
		}
	}
	d, far := storetest.Enroll(t, l, "h1", "W1"), storetest.Enroll(t, l, "n1", "W2")
	if _, err := l.Push(ctx, d.ID, []syncproto.Event{d.Event(syncproto.KindReceive, "A", "", "B1", 3)}); err != nil {
		t.Fatal(err)
	}
	r := api(t, "PUT", v1+"/reorder-rules", `{"warehouse":"W1","sku":"A","supplier":"S1","override_rop":10,"order_multiple":5}`)
	var rule server.RuleStatus
	if r.json(t, &rule); r.status != http.StatusOK || rule.ReorderPoint != 10 || !rule.Low || rule.Suggested != 10 || rule.OnHand != 3 {
		t.Fatalf("put rule: %d %s", r.status, r.body)
	}
	if r := deviceCall(t, "PUT", v1+"/reorder-rules", d, "sue", `{"warehouse":"W1","sku":"A","supplier":"S1"}`); r.status != http.StatusForbidden {
		t.Fatalf("a supervisor sets a rule: %d %s", r.status, r.body)
	}
	var alerts struct{ Items []server.Alert }
	r = deviceCall(t, "GET", v1+"/alerts", d, "sue", "")
	if r.json(t, &alerts); r.status != http.StatusOK || len(alerts.Items) != 1 || alerts.Items[0].Available != 3 {
		t.Fatalf("alerts: %d %s", r.status, r.body)
	}
	if r := deviceCall(t, "GET", v1+"/alerts?warehouse=W2", d, "sue", ""); r.status != http.StatusForbidden {
		t.Fatalf("another warehouse's alerts: %d %s", r.status, r.body)
	}
	var drafts struct{ Items []server.OrderDraft }
	r = deviceCall(t, "POST", v1+"/po-drafts/generate", d, "sue", `{}`)
	if r.json(t, &drafts); r.status != http.StatusOK || len(drafts.Items) != 1 || drafts.Items[0].Lines[0].Qty != 10 {
		t.Fatalf("generate: %d %s", r.status, r.body)
	}
	id := drafts.Items[0].ID
	if r := deviceCall(t, "GET", v1+"/po-drafts/"+id, far, "sue", ""); r.status != http.StatusForbidden {
		t.Fatalf("W2's supervisor reads W1's draft: %d %s", r.status, r.body)
	}
	r = deviceCall(t, "PUT", v1+"/po-drafts/"+id, d, "sue", `{"lines":[{"sku":"A","qty":15}]}`)
	var dr server.OrderDraft
	if r.json(t, &dr); r.status != http.StatusOK || dr.Lines[0].Qty != 15 || dr.Value != 750 {
		t.Fatalf("edit: %d %s", r.status, r.body)
	}
	r = deviceCall(t, "POST", v1+"/po-drafts/"+id+"/approve", d, "sue", "")
	var ap struct {
		Draft         server.OrderDraft    `json:"draft"`
		PurchaseOrder server.PurchaseOrder `json:"purchase_order"`
	}
	if r.json(t, &ap); r.status != http.StatusOK || ap.Draft.Status != "approved" || ap.PurchaseOrder.Status != server.POOpen || ap.Draft.DecidedBy != "sue" {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	if r := deviceCall(t, "POST", v1+"/po-drafts/"+id+"/discard", d, "sue", `{"reason":"late"}`); r.status != http.StatusConflict {
		t.Fatalf("discarding an approved draft: %d %s", r.status, r.body)
	}
	var audit struct{ Items []server.AuditEntry }
	r = api(t, "GET", v1+"/audit?action=po_draft.approve", "")
	if r.json(t, &audit); len(audit.Items) != 1 || audit.Items[0].Actor != "sue" || audit.Items[0].Subject != id {
		t.Fatalf("audit: %s", r.body)
	}
	var hooks struct{ Items []server.Webhook }
	r = api(t, "GET", v1+"/webhooks", "")
	if r.json(t, &hooks); len(hooks.Items) != 1 || hooks.Items[0].Secret != "" || !hooks.Items[0].HasSecret {
		t.Fatalf("webhooks: %s", r.body)
	}
	var dels struct{ Items []server.Delivery }
	r = api(t, "GET", v1+"/webhooks/"+hooks.Items[0].ID+"/deliveries", "")
	if r.json(t, &dels); len(dels.Items) != 1 || dels.Items[0].ID != alerts.Items[0].ID+":"+hooks.Items[0].ID || dels.Items[0].Status != "pending" {
		t.Fatalf("deliveries: %s", r.body)
	}
}
