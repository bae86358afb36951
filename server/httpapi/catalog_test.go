package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/httpapi"
	"github.com/driftless/driftless/server/sqlite"
)

func newCatalogServer(t *testing.T) (*httpapi.Server, string) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	l := server.NewLedger(st)
	srv := &httpapi.Server{Ledger: l, Catalog: server.NewCatalog(st, l), Store: st, AdminToken: adminToken}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return srv, hs.URL
}

type reply struct {
	status int
	body   []byte
	header http.Header
}

func (r reply) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func call(t *testing.T, method, url, contentType, body string, token string) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, b, resp.Header}
}

func api(t *testing.T, method, url, body string) reply {
	t.Helper()
	return call(t, method, url, "application/json", body, adminToken)
}

// wantError checks an error reply's status, code and field.
func wantHTTPError(t *testing.T, r reply, status int, code, field string) {
	t.Helper()
	var e struct {
		Error struct{ Code, Message, Field string }
	}
	r.json(t, &e)
	if r.status != status || e.Error.Code != code || e.Error.Field != field || e.Error.Message == "" {
		t.Fatalf("reply %d %s, want %d %s field %q", r.status, r.body, status, code, field)
	}
}

func TestCatalogREST(t *testing.T) {
	_, url := newCatalogServer(t)
	v1 := url + "/api/v1"
	if r := call(t, "GET", v1+"/skus", "", "", ""); r.status != http.StatusUnauthorized {
		t.Fatalf("no token: %d", r.status)
	}
	if r := api(t, "POST", v1+"/warehouses", `{"code":"W1","name":"Main","blind_receiving":true}`); r.status != http.StatusCreated {
		t.Fatalf("create warehouse: %d %s", r.status, r.body)
	}
	r := api(t, "POST", v1+"/skus", `{"code":"A","name":"Apple","unit":"each","unit_cost":129}`)
	var sku server.SKU
	r.json(t, &sku)
	if r.status != http.StatusCreated || sku.Code != "A" || sku.Position == 0 || r.header.Get("Location") != "/api/v1/skus/A" {
		t.Fatalf("create SKU: %d %s %v", r.status, r.body, r.header)
	}
	wantHTTPError(t, api(t, "POST", v1+"/skus", `{"code":"A","name":"Apple","unit":"each"}`), http.StatusConflict, server.EConflict, "")
	wantHTTPError(t, api(t, "POST", v1+"/skus", `{"code":"B","unit":"each"}`), http.StatusBadRequest, server.EInvalid, "name")
	wantHTTPError(t, api(t, "POST", v1+"/skus", `{"code":"B","name":"x","unit":"each","unit_cost":"1.20"}`), http.StatusBadRequest, server.EInvalid, "unit_cost")
	wantHTTPError(t, api(t, "POST", v1+"/skus", `{"code":"B","name":"x","unit":"each","colour":"red"}`), http.StatusBadRequest, server.EInvalid, "")
	wantHTTPError(t, api(t, "POST", v1+"/barcodes", `{"value":"4006381333932","sku":"A","type":"gtin","pack":1}`), http.StatusBadRequest, server.EInvalid, "value")
	if r := api(t, "POST", v1+"/barcodes", `{"value":"4006381333931","sku":"A","type":"gtin","pack":1}`); r.status != http.StatusCreated {
		t.Fatalf("create barcode: %d %s", r.status, r.body)
	}
	wantHTTPError(t, api(t, "PUT", v1+"/skus/A", `{"code":"Z","name":"Apple","unit":"each"}`), http.StatusBadRequest, server.EInvalid, "code")
	wantHTTPError(t, api(t, "PUT", v1+"/skus/NOPE", `{"name":"Apple","unit":"each"}`), http.StatusNotFound, server.ENotFound, "")
	r = api(t, "PUT", v1+"/skus/A", `{"name":"Apple, red","unit":"each","unit_cost":130}`)
	r.json(t, &sku)
	if r.status != http.StatusOK || sku.Name != "Apple, red" || sku.Code != "A" {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	wantHTTPError(t, api(t, "POST", v1+"/warehouses/W1/locations", `{"code":"B1","type":"shelf"}`), http.StatusBadRequest, server.EInvalid, "type")
	wantHTTPError(t, api(t, "POST", v1+"/warehouses/W1/locations", `{"warehouse":"W2","code":"B1","type":"bin"}`), http.StatusBadRequest, server.EInvalid, "warehouse")
	if r := api(t, "POST", v1+"/warehouses/W1/locations", `{"code":"B1","type":"bin","barcode":"LOC-B1","sequence":1}`); r.status != http.StatusCreated {
		t.Fatalf("create location: %d %s", r.status, r.body)
	}
	if r := api(t, "GET", v1+"/warehouses/W1/locations/B1", ""); r.status != http.StatusOK || !strings.Contains(string(r.body), `"barcode":"LOC-B1"`) {
		t.Fatalf("get location: %d %s", r.status, r.body)
	}
	if r := api(t, "POST", v1+"/suppliers", `{"code":"S1","name":"Orchard","lead_time_days":4}`); r.status != http.StatusCreated {
		t.Fatalf("create supplier: %d %s", r.status, r.body)
	}
	wantHTTPError(t, api(t, "POST", v1+"/purchase-orders", `{"number":"PO1","supplier":"S1","warehouse":"W1","status":"open","lines":[{"sku":"A","ordered":5},{"sku":"Q","ordered":1}]}`),
		http.StatusBadRequest, server.EInvalid, "lines[1].sku")
	if r := api(t, "POST", v1+"/purchase-orders", `{"number":"PO1","supplier":"S1","warehouse":"W1","status":"open","lines":[{"sku":"A","ordered":5}]}`); r.status != http.StatusCreated {
		t.Fatalf("create PO: %d %s", r.status, r.body)
	}

	// Paging and filters.
	for _, c := range []string{"C", "D", "E"} {
		api(t, "POST", v1+"/skus", `{"code":"`+c+`","name":"n`+c+`","unit":"each"}`)
	}
	var page struct {
		Items     []server.SKU `json:"items"`
		NextAfter string       `json:"next_after"`
	}
	api(t, "GET", v1+"/skus?limit=2", "").json(t, &page)
	if len(page.Items) != 2 || page.Items[0].Code != "A" || page.NextAfter == "" {
		t.Fatalf("first page: %+v", page)
	}
	api(t, "GET", v1+"/skus?limit=2&after="+page.NextAfter, "").json(t, &page)
	if len(page.Items) != 2 || page.Items[0].Code != "D" {
		t.Fatalf("second page: %+v", page)
	}
	wantHTTPError(t, api(t, "GET", v1+"/skus?limit=0", ""), http.StatusBadRequest, server.EInvalid, "limit")
	wantHTTPError(t, api(t, "GET", v1+"/skus?after=zzz", ""), http.StatusBadRequest, server.EInvalid, "after")
	wantHTTPError(t, api(t, "GET", v1+"/skus?archived=maybe", ""), http.StatusBadRequest, server.EInvalid, "archived")
	wantHTTPError(t, api(t, "GET", v1+"/skus?colour=red", ""), http.StatusBadRequest, server.EInvalid, "colour")

	// Archive hides the record from the default list; restore undoes it.
	r = api(t, "POST", v1+"/skus/C/archive", "")
	r.json(t, &sku)
	if r.status != http.StatusOK || !sku.Archived {
		t.Fatalf("archive: %d %s", r.status, r.body)
	}
	api(t, "GET", v1+"/skus?q=n", "").json(t, &page)
	if len(page.Items) != 2 {
		t.Fatalf("active SKUs matching n: %+v", page.Items)
	}
	api(t, "GET", v1+"/skus?archived=true", "").json(t, &page)
	if len(page.Items) != 1 || page.Items[0].Code != "C" {
		t.Fatalf("archived SKUs: %+v", page.Items)
	}
	api(t, "POST", v1+"/skus/C/restore", "").json(t, &sku)
	if sku.Archived {
		t.Fatalf("restore: %+v", sku)
	}
	wantHTTPError(t, api(t, "POST", v1+"/skus/NOPE/archive", ""), http.StatusNotFound, server.ENotFound, "")
	if r := api(t, "DELETE", v1+"/skus/A", ""); r.status == http.StatusOK || r.status == http.StatusNoContent {
		t.Fatalf("DELETE is not a route but answered %d", r.status)
	}
}

func TestCSVOverREST(t *testing.T) {
	_, url := newCatalogServer(t)
	v1 := url + "/api/v1"
	api(t, "POST", v1+"/warehouses", `{"code":"W1","name":"Main"}`)
	bad := "code,name,unit,unit_cost\nA,Apple,each,1.5\nB,,each,3\n"
	r := call(t, "POST", v1+"/import/skus", "text/csv", bad, adminToken)
	var rej struct {
		Error struct{ Code, Field string }
		Rows  []struct {
			Row    int
			Column string
			Reason string
		}
	}
	r.json(t, &rej)
	if r.status != http.StatusBadRequest || rej.Error.Code != server.EInvalid || len(rej.Rows) != 2 ||
		rej.Rows[0].Row != 2 || rej.Rows[0].Column != "unit_cost" || rej.Rows[1].Row != 3 || rej.Rows[1].Column != "name" {
		t.Fatalf("bad import: %d %s", r.status, r.body)
	}
	good := "code,name,unit,track_lot,track_expiry,track_serial,unit_cost,category,archived\nA,Apple,each,false,false,false,150,Fruit,false\nB,\"Banana, dried\",kg,true,true,false,300,,true\n"
	r = call(t, "POST", v1+"/import/skus", "text/csv", good, adminToken)
	if r.status != http.StatusOK || !strings.Contains(string(r.body), `"imported":2`) {
		t.Fatalf("good import: %d %s", r.status, r.body)
	}
	r = call(t, "GET", v1+"/export/skus", "", "", adminToken)
	if r.status != http.StatusOK || string(r.body) != good || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export: %d %q", r.status, r.body)
	}
	wantHTTPError(t, call(t, "GET", v1+"/export/widgets", "", "", adminToken), http.StatusBadRequest, server.EInvalid, "kind")
	wantHTTPError(t, call(t, "POST", v1+"/import/skus", "application/json", "{}", adminToken), http.StatusBadRequest, server.EInvalid, "Content-Type")
	if r := call(t, "POST", v1+"/import/skus", "text/csv", good, ""); r.status != http.StatusUnauthorized {
		t.Fatalf("import without token: %d", r.status)
	}
}

// TestOpenAPIMatchesRoutes checks that every route the router has is in
// the OpenAPI document and every operation in the document is routed.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	srv, url := newCatalogServer(t)
	r := call(t, "GET", url+"/api/v1/openapi.json", "", "", "")
	if r.status != http.StatusOK {
		t.Fatalf("openapi.json: %d", r.status)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	r.json(t, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	var documented, routed []string
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	err := chi.Walk(srv.Handler().(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		routed = append(routed, method+" "+strings.TrimSuffix(route, "/"))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(documented)
	slices.Sort(routed)
	for _, rt := range routed {
		if !slices.Contains(documented, rt) {
			t.Errorf("route %s is not in openapi.json", rt)
		}
	}
	for _, d := range documented {
		if !slices.Contains(routed, d) {
			t.Errorf("openapi.json documents %s, which is not routed", d)
		}
	}
	if len(routed) < 40 {
		t.Fatalf("only %d routes walked: %v", len(routed), routed)
	}
	// Every admin operation declares the bearer token; the schemas resolve.
	var full map[string]any
	r.json(t, &full)
	schemas := full["components"].(map[string]any)["schemas"].(map[string]any)
	for _, name := range []string{"SKU", "Barcode", "Location", "PurchaseOrder", "SalesOrder", "PurchaseOrderLine"} {
		if _, ok := schemas[name]; !ok {
			t.Errorf("schema %s missing", name)
		}
	}
	sku := schemas["SKU"].(map[string]any)["properties"].(map[string]any)
	for _, f := range []string{"code", "unit_cost", "archived", "position"} {
		if _, ok := sku[f]; !ok {
			t.Errorf("SKU schema lacks %s", f)
		}
	}
}
