package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/storetest"
	"github.com/driftless/driftless/syncproto"
)

func TestUsersREST(t *testing.T) {
	_, url := newCatalogServer(t)
	v1 := url + "/api/v1"
	r := api(t, "POST", v1+"/users", `{"code":"ana","name":"Ana","roles":["receiver","picker"],"pin":"1111"}`)
	if r.status != http.StatusCreated || strings.Contains(string(r.body), "pin") || strings.Contains(string(r.body), "$2") {
		t.Fatalf("create: %d %s (must not show the pin or its hash)", r.status, r.body)
	}
	wantHTTPError(t, api(t, "POST", v1+"/users", `{"code":"bob","name":"Bob","roles":["boss"]}`), http.StatusBadRequest, server.EInvalid, "roles")
	wantHTTPError(t, api(t, "POST", v1+"/users", `{"code":"bob","name":"Bob","roles":["picker"],"pin":"12"}`), http.StatusBadRequest, server.EInvalid, "pin")
	wantHTTPError(t, api(t, "POST", v1+"/users", `{"code":"bob","name":"Bob","roles":["picker"],"pin_hash":"x"}`), http.StatusBadRequest, server.EInvalid, "")
	if r := api(t, "PUT", v1+"/users/ana", `{"name":"Ana Alves","roles":["supervisor"]}`); r.status != http.StatusOK ||
		!strings.Contains(string(r.body), `"roles":["supervisor"]`) {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	var page struct {
		Items []map[string]any `json:"items"`
	}
	api(t, "GET", v1+"/users?q=alves", "").json(t, &page)
	if len(page.Items) != 1 || page.Items[0]["name"] != "Ana Alves" {
		t.Fatalf("list: %+v", page)
	}
	if _, ok := page.Items[0]["pin_hash"]; ok {
		t.Fatal("the list shows pin_hash")
	}
	if r := api(t, "POST", v1+"/users/ana/archive", ""); r.status != http.StatusOK || !strings.Contains(string(r.body), `"archived":true`) {
		t.Fatalf("archive: %d %s", r.status, r.body)
	}
}

func TestEnrollByCode(t *testing.T) {
	f := newFixture(t)
	var added struct {
		ID, Token, Warehouse string
		EnrollmentCode       string    `json:"enrollment_code"`
		CodeExpiresAt        time.Time `json:"code_expires_at"`
	}
	if st := post(t, f.url+"/api/v1/devices", adminToken, `{"name":"h2","warehouse":"W1","code_ttl":"2h"}`, &added); st != 201 ||
		len(added.EnrollmentCode) != 9 || time.Until(added.CodeExpiresAt) > 2*time.Hour {
		t.Fatalf("add device: %d %+v", st, added)
	}
	var e struct {
		Error struct{ Code, Message, Field string }
	}
	if st := post(t, f.url+"/api/v1/enroll", "", `{"code":"AAAA-BBBB","app_version":"t"}`, &e); st != 400 || e.Error.Code != server.EEnrollmentInvalid {
		t.Fatalf("wrong code: %d %+v", st, e)
	}
	var got struct {
		DeviceID     string `json:"device_id"`
		Token        string `json:"token"`
		Warehouse    string `json:"warehouse"`
		SyncURL      string `json:"sync_url"`
		AckedThrough uint64 `json:"acked_through"`
	}
	code := strings.ToLower(strings.ReplaceAll(added.EnrollmentCode, "-", ""))
	if st := post(t, f.url+"/api/v1/enroll", "", `{"code":"`+code+`","app_version":"scanner/t"}`, &got); st != 200 ||
		got.DeviceID != added.ID || got.Warehouse != "W1" || got.Token == "" || got.Token == added.Token ||
		got.SyncURL != "ws"+strings.TrimPrefix(f.url, "http")+"/api/v1/sync" {
		t.Fatalf("enroll: %d %+v", st, got)
	}
	if st := post(t, f.url+"/api/v1/enroll", "", `{"code":"`+code+`"}`, &e); st != 400 || e.Error.Code != server.EEnrollmentInvalid {
		t.Fatalf("reused code: %d %+v", st, e)
	}
	// The new token opens a session; the old one is refused.
	f.dev.ID, f.dev.Token, f.dev.Seq = got.DeviceID, added.Token, 0
	c := f.dial(t)
	send(t, c, &syncproto.Message{Type: syncproto.TypeHello, Hello: f.dev.Hello()})
	wantError(t, c, syncproto.ErrUnauthorized)
	f.dev.Token = got.Token
	f.session(t)

	// A fresh code over the admin API.
	var issued struct {
		DeviceID string `json:"device_id"`
		Code     string `json:"code"`
	}
	if st := post(t, f.url+"/api/v1/devices/"+added.ID+"/code", adminToken, ``, &issued); st != 201 || len(issued.Code) != 9 {
		t.Fatalf("issue code: %d %+v", st, issued)
	}
	if st := post(t, f.url+"/api/v1/devices/nope/code", adminToken, ``, &e); st != 404 {
		t.Fatalf("issue code for an unknown device: %d %+v", st, e)
	}
	// Guessing is slowed down: after 10 wrong codes the address waits.
	for range 10 {
		post(t, f.url+"/api/v1/enroll", "", `{"code":"AAAA-CCCC"}`, &e)
	}
	req, _ := http.NewRequest("POST", f.url+"/api/v1/enroll", strings.NewReader(`{"code":"`+issued.Code+`"}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("after 10 wrong codes: %d", resp.StatusCode)
	}
}

func TestExceptionsREST(t *testing.T) {
	ctx := context.Background()
	srv, url := newCatalogServer(t)
	v1 := url + "/api/v1"
	d, _, err := srv.Ledger.AddDevice(ctx, "h1", "W1")
	if err != nil {
		t.Fatal(err)
	}
	storetest.AddUser(t, srv.Store.(server.Store), "ana", "", "receiver")
	var evs []syncproto.Event
	for i, x := range []struct{ reason, sku, barcode string }{
		{"unknown_barcode", "", "X-1"}, {"unknown_barcode", "", "X-1"}, {"not_on_po", "A", ""}, {"unknown_barcode", "", "X-2"},
	} {
		ev := syncproto.Event{ID: uuid.Must(uuid.NewV7()).String(), DeviceID: d.ID, Seq: uint64(i + 1), User: "ana",
			Kind: syncproto.KindException, SKU: x.sku, Barcode: x.barcode, Reason: x.reason, Ref: "PO-1", Qty: 1,
			DeviceTime: time.Date(2026, 11, 29, 10, i, 0, 0, time.UTC)}
		ev.Seal()
		evs = append(evs, ev)
	}
	ack, err := srv.Ledger.Push(ctx, d.ID, evs)
	if err != nil || ack.AckedThrough != 4 {
		t.Fatalf("push: %+v, %v", ack, err)
	}
	var xs struct {
		Items []server.Exception `json:"items"`
	}
	if r := api(t, "GET", v1+"/exceptions?warehouse=W1&reason=unknown_barcode&ref=PO-1", ""); r.status != 200 {
		t.Fatalf("exceptions: %d %s", r.status, r.body)
	} else {
		r.json(t, &xs)
	}
	if len(xs.Items) != 3 || xs.Items[0].Barcode != "X-2" || xs.Items[0].DeviceName != "h1" || xs.Items[0].User != "ana" {
		t.Fatalf("exceptions = %+v", xs.Items)
	}
	wantHTTPError(t, api(t, "GET", v1+"/exceptions?reason=nope", ""), http.StatusBadRequest, server.EInvalid, "reason")
	if r := call(t, "GET", v1+"/exceptions", "", "", ""); r.status != http.StatusUnauthorized {
		t.Fatalf("exceptions without the admin token: %d", r.status)
	}
	var ub struct {
		Items []server.UnknownBarcode `json:"items"`
	}
	api(t, "GET", v1+"/unknown-barcodes?warehouse=W1", "").json(t, &ub)
	if len(ub.Items) != 2 || ub.Items[0].Barcode != "X-2" || ub.Items[1].Barcode != "X-1" || ub.Items[1].Count != 2 {
		t.Fatalf("unknown barcodes = %+v", ub.Items)
	}
	b, _ := json.Marshal(ub.Items[1])
	if !strings.Contains(string(b), `"last_seen":"2026-11-29T10:01:00Z"`) {
		t.Fatalf("last seen: %s", b)
	}
}
