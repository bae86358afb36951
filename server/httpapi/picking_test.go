package httpapi_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/storetest"
	"github.com/driftless/driftless/syncproto"
)

// pickerCall calls a route with a device's credentials and, when user is
// set, the X-Driftless-User and X-Driftless-PIN headers (see deviceCall).
func pickerCall(t *testing.T, method, url string, d *storetest.Device, user, body string) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Device "+d.ID+":"+d.Token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	setUser(req, user)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, b, resp.Header}
}

func TestPickingREST(t *testing.T) {
	srv, url := newCatalogServer(t)
	v1 := url + "/api/v1"
	ctx := context.Background()
	c, l := srv.Catalog, srv.Ledger
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.Warehouses.Create(ctx, server.Warehouse{Code: "W1", Name: "Main"}))
	must(c.Warehouses.Create(ctx, server.Warehouse{Code: "W2", Name: "Other"}))
	must(c.Locations.Create(ctx, server.Location{Warehouse: "W1", Code: "DOCK", Type: server.LocationDock}))
	must(c.Locations.Create(ctx, server.Location{Warehouse: "W1", Code: "B-01", Type: server.LocationBin, Sequence: 1}))
	must(c.Locations.Create(ctx, server.Location{Warehouse: "W1", Code: "B-02", Type: server.LocationBin, Sequence: 2}))
	must(c.SKUs.Create(ctx, server.SKU{Code: "A", Name: "Apples", Unit: "each"}))
	for _, u := range []string{"ana", "bob"} {
		must(c.Users.Create(ctx, server.User{Code: u, Name: u, Roles: []string{"picker"}, PIN: "1234"}))
	}
	storetest.AddTester(t, srv.Store.(server.Store))
	d := storetest.Enroll(t, l, "h1", "W1")
	d2 := storetest.Enroll(t, l, "h2", "W2")
	var evs []syncproto.Event
	for bin, qty := range map[string]int64{"B-01": 3, "B-02": 10} {
		evs = append(evs, d.Event(syncproto.KindReceive, "A", "", "DOCK", qty), d.Event(syncproto.KindPutaway, "A", "DOCK", bin, qty))
	}
	if _, err := l.Push(ctx, d.ID, evs); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"SO-1", "SO-2"} {
		must(c.SalesOrders.Create(ctx, server.SalesOrder{Number: n, Customer: "C", Warehouse: "W1", Status: server.SOOpen,
			Lines: []server.SalesOrderLine{{SKU: "A", Qty: 4}}}))
	}

	// Waves are the admin's.
	wantHTTPError(t, call(t, "POST", v1+"/pick-waves", "application/json", `{"warehouse":"W1"}`, ""), http.StatusUnauthorized, server.EUnauthorized, "")
	wantHTTPError(t, api(t, "POST", v1+"/pick-waves", `{"warehouse":"W1","max_lines":-2}`), http.StatusBadRequest, server.EInvalid, "max_lines")
	wantHTTPError(t, api(t, "POST", v1+"/pick-waves", `{"warehouse":"W1","orders":["SO-9"]}`), http.StatusBadRequest, server.EInvalid, "orders")
	wantHTTPError(t, api(t, "POST", v1+"/pick-waves", `{"warehouse":"W1","bogus":1}`), http.StatusBadRequest, server.EInvalid, "")
	// One list per order (batching off): SO-1 takes 4 of B-02's 10, SO-2
	// the next 4.
	r := api(t, "POST", v1+"/pick-waves", `{"warehouse":"W1","orders":["SO-1","SO-2"],"batch_orders":1}`)
	if r.status != http.StatusCreated {
		t.Fatalf("wave: %d %s", r.status, r.body)
	}
	var wave server.Wave
	r.json(t, &wave)
	if len(wave.Lists) != 2 || wave.Lists[0].ID != "PL-000001" || wave.Lists[1].Tasks[0].ID != "PL-000002/1" ||
		wave.Lists[0].Tasks[0].Location != "B-02" || len(wave.Unallocated) != 0 {
		t.Fatalf("wave = %s", r.body)
	}
	// An empty wave: nothing left to allocate, reported as such.
	r = api(t, "POST", v1+"/pick-waves", `{"warehouse":"W1"}`)
	if r.status != http.StatusCreated || !strings.Contains(string(r.body), `"lists":[]`) || !strings.Contains(string(r.body), `"unallocated":[]`) {
		t.Fatalf("empty wave: %d %s", r.status, r.body)
	}

	var page struct {
		Items     []server.PickList `json:"items"`
		NextAfter string            `json:"next_after"`
	}
	api(t, "GET", v1+"/pick-lists?warehouse=W1&status=open&limit=1", "").json(t, &page)
	if len(page.Items) != 1 || page.Items[0].ID != "PL-000001" || page.NextAfter == "" {
		t.Fatalf("first page: %+v", page)
	}
	api(t, "GET", v1+"/pick-lists?warehouse=W1&status=open&limit=1&after="+page.NextAfter, "").json(t, &page)
	if len(page.Items) != 1 || page.Items[0].ID != "PL-000002" {
		t.Fatalf("second page: %+v", page)
	}
	wantHTTPError(t, api(t, "GET", v1+"/pick-lists?status=lost", ""), http.StatusBadRequest, server.EInvalid, "status")
	wantHTTPError(t, api(t, "GET", v1+"/pick-lists?colour=red", ""), http.StatusBadRequest, server.EInvalid, "colour")
	if r := api(t, "GET", v1+"/pick-lists/PL-000002", ""); r.status != http.StatusOK || !strings.Contains(string(r.body), `"order":"SO-2"`) {
		t.Fatalf("get: %d %s", r.status, r.body)
	}
	wantHTTPError(t, api(t, "GET", v1+"/pick-lists/PL-000404", ""), http.StatusNotFound, server.ENotFound, "")

	// Next, from a device: the oldest open unassigned list of its
	// warehouse, for the signed-in user, who gives the PIN. The admin
	// token does not do for it.
	wantHTTPError(t, api(t, "POST", v1+"/pick-lists/next", `{"user":"ana"}`), http.StatusBadRequest, server.EInvalid, "")
	wantHTTPError(t, pickerCall(t, "POST", v1+"/pick-lists/next", d, "", `{"user":"ana"}`), http.StatusUnauthorized, server.EUnauthorized, "X-Driftless-User")
	wantHTTPError(t, pickerCall(t, "POST", v1+"/pick-lists/next", d, "ana:", `{"user":"ana"}`), http.StatusUnauthorized, server.EUnauthorized, "X-Driftless-PIN")
	wantHTTPError(t, pickerCall(t, "POST", v1+"/pick-lists/next", d, "bob", `{"user":"ana"}`), http.StatusForbidden, server.EForbidden, "user")
	wantHTTPError(t, pickerCall(t, "POST", v1+"/pick-lists/next", d, "tester:", `{"user":"tester"}`), http.StatusUnauthorized, server.EUnauthorized, "X-Driftless-PIN")
	var got server.PickList
	r = pickerCall(t, "POST", v1+"/pick-lists/next", d, "ana", `{"user":"ana"}`)
	r.json(t, &got)
	if r.status != http.StatusOK || got.ID != "PL-000001" || got.AssignedTo != "ana" || got.Status != server.PLAssigned {
		t.Fatalf("next for ana: %d %s", r.status, r.body)
	}
	r = pickerCall(t, "POST", v1+"/pick-lists/next", d, "bob", "")
	r.json(t, &got)
	if r.status != http.StatusOK || got.ID != "PL-000002" || got.AssignedTo != "bob" {
		t.Fatalf("next for bob (user header): %d %s", r.status, r.body)
	}
	wantHTTPError(t, pickerCall(t, "POST", v1+"/pick-lists/next", d, "bob", `{"user":"bob"}`), http.StatusNotFound, server.ENotFound, "")
	wantHTTPError(t, pickerCall(t, "POST", v1+"/pick-lists/next", d, "nobody", `{"user":"nobody"}`), http.StatusForbidden, server.EForbidden, "")
	wantHTTPError(t, pickerCall(t, "POST", v1+"/pick-lists/next", d2, "ana", `{"user":"ana"}`), http.StatusNotFound, server.ENotFound, "")
	stale := *d
	stale.Token = "wrong"
	wantHTTPError(t, pickerCall(t, "POST", v1+"/pick-lists/next", &stale, "ana", `{"user":"ana"}`), http.StatusUnauthorized, server.EUnauthorized, "")

	api(t, "GET", v1+"/pick-lists?assigned_to=bob", "").json(t, &page)
	if len(page.Items) != 1 || page.Items[0].ID != "PL-000002" {
		t.Fatalf("bob's lists: %+v", page.Items)
	}
	r = api(t, "POST", v1+"/pick-lists/PL-000002/assign", `{"user":"ana"}`)
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"assigned_to":"ana"`) {
		t.Fatalf("assign: %d %s", r.status, r.body)
	}
	wantHTTPError(t, api(t, "POST", v1+"/pick-lists/PL-000002/assign", `{}`), http.StatusBadRequest, server.EInvalid, "user")

	// A short pick from the device raises a count task.
	task := got.Tasks[0]
	ex := d.Event(syncproto.KindException, "A", "", "", 4)
	ex.Reason, ex.From, ex.Task, ex.Ref = "short_pick", task.Location, task.ID, task.Order
	ex.Seal()
	if _, err := l.Push(ctx, d.ID, []syncproto.Event{ex}); err != nil {
		t.Fatal(err)
	}
	var cts struct {
		Items []server.CountTask `json:"items"`
	}
	api(t, "GET", v1+"/count-tasks?warehouse=W1&status=open", "").json(t, &cts)
	if len(cts.Items) != 1 || cts.Items[0].Location != "B-02" || cts.Items[0].SourceEvent != ex.ID || cts.Items[0].Reason != "short_pick" {
		t.Fatalf("count tasks: %+v", cts)
	}
	if r := api(t, "GET", v1+"/count-tasks?warehouse=W2", ""); r.status != http.StatusOK || !strings.Contains(string(r.body), `"items":[]`) {
		t.Fatalf("W2 count tasks: %d %s", r.status, r.body)
	}
	// The shortfall came from B-01 (B-02 waits for its count).
	var after server.PickList
	api(t, "GET", v1+"/pick-lists/PL-000002", "").json(t, &after)
	if len(after.Tasks) != 2 || after.Tasks[0].Location != "B-01" || after.Tasks[0].Qty != 3 || after.Tasks[1].Status != server.TaskShort {
		t.Fatalf("list after the short pick: %+v", after.Tasks)
	}

	r = api(t, "POST", v1+"/pick-lists/PL-000001/cancel", "")
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"status":"cancelled"`) {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	wantHTTPError(t, api(t, "POST", v1+"/pick-lists/PL-000001/assign", `{"user":"bob"}`), http.StatusConflict, server.EConflict, "")
}

// TestOpenAPIPickListSchemas: the REST pick list and the one devices
// receive are two schemas, not one overwriting the other.
func TestOpenAPIPickListSchemas(t *testing.T) {
	_, url := newCatalogServer(t)
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	call(t, "GET", url+"/api/v1/openapi.json", "", "", "").json(t, &doc)
	rest, wire := doc.Components.Schemas["PickList"], doc.Components.Schemas["DevicePickList"]
	if _, ok := rest.Properties["warehouse"]; !ok {
		t.Errorf("PickList has no warehouse: %v", rest.Properties)
	}
	if _, ok := wire.Properties["tasks"]; !ok {
		t.Errorf("DevicePickList has no tasks: %v", wire.Properties)
	}
	if _, ok := wire.Properties["warehouse"]; ok {
		t.Errorf("DevicePickList has the REST record's warehouse: %v", wire.Properties)
	}
	for _, name := range []string{"Wave", "WaveRequest", "CountTask", "Unallocated"} {
		if _, ok := doc.Components.Schemas[name]; !ok {
			t.Errorf("no schema %s", name)
		}
	}
}
