package httpapi_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/storetest"
	"github.com/driftless/driftless/syncproto"
)

// deviceCall calls a route with a device's credentials and a signed-in
// user: "code" sends the PIN 1234, "code:PIN" that PIN, "code:" none.
func deviceCall(t *testing.T, method, url string, d *storetest.Device, user, body string) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Device "+d.ID+":"+d.Token)
	setUser(req, user)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return reply{status: resp.StatusCode, body: []byte(b.String()), header: resp.Header}
}

func TestParkedQueueREST(t *testing.T) {
	srv, url := newCatalogServer(t)
	v1 := url + "/api/v1"
	ctx := context.Background()
	for _, body := range []string{
		`{"code":"W1","name":"Main"}`, `{"code":"W2","name":"North"}`,
	} {
		if r := api(t, "POST", v1+"/warehouses", body); r.status != http.StatusCreated {
			t.Fatalf("warehouse: %d %s", r.status, r.body)
		}
	}
	for _, req := range [][2]string{
		{"/warehouses/W1/locations", `{"warehouse":"W1","code":"BIN-1","type":"bin"}`},
		{"/skus", `{"code":"A","name":"Apple","unit":"each"}`},
		{"/users", `{"code":"sue","name":"Sue","roles":["supervisor"],"pin":"1234"}`},
		{"/users", `{"code":"pat","name":"Pat","roles":["picker"],"pin":"1234"}`},
	} {
		if r := api(t, "POST", v1+req[0], req[1]); r.status != http.StatusCreated {
			t.Fatalf("%s: %d %s", req[0], r.status, r.body)
		}
	}
	l := srv.Ledger
	storetest.AddTester(t, srv.Store.(server.Store))
	d1, d2, other := storetest.Enroll(t, l, "h1", "W1"), storetest.Enroll(t, l, "h2", "W1"), storetest.Enroll(t, l, "n1", "W2")
	in := d1.Event(syncproto.KindReceive, "A", "", "BIN-1", 5)
	ack, err := l.Push(ctx, d1.ID, []syncproto.Event{in})
	if err != nil {
		t.Fatal(err)
	}
	d1.Seen, d2.Seen = ack.Outcomes[0].Position, ack.Outcomes[0].Position
	if _, err := l.Push(ctx, d1.ID, []syncproto.Event{d1.Event(syncproto.KindPick, "A", "BIN-1", "", 4)}); err != nil {
		t.Fatal(err)
	}
	late := d2.Event(syncproto.KindPick, "A", "BIN-1", "", 3)
	if ack, err := l.Push(ctx, d2.ID, []syncproto.Event{late}); err != nil || ack.Outcomes[0].Status != syncproto.StatusParked {
		t.Fatalf("late pick: %+v %v", ack, err)
	}

	// The admin sees the queue with its evidence.
	var q struct {
		Items []server.ParkedEvent `json:"items"`
	}
	api(t, "GET", v1+"/parked?warehouse=W1", "").json(t, &q)
	if len(q.Items) != 1 || q.Items[0].EventID != late.ID || q.Items[0].StockNow != 1 || len(q.Items[0].Competing) != 1 ||
		q.Items[0].Competing[0].Qty != -4 || q.Items[0].Code != syncproto.CodeInsufficientStock {
		t.Fatalf("queue = %+v", q)
	}
	// Devices need a signed-in supervisor of their own warehouse.
	if r := call(t, "GET", v1+"/parked", "", "", ""); r.status != http.StatusUnauthorized {
		t.Fatalf("no credentials: %d", r.status)
	}
	if r := call(t, "GET", v1+"/parked", "", "", "wrong"); r.status != http.StatusUnauthorized {
		t.Fatalf("wrong admin token: %d", r.status)
	}
	wantHTTPError(t, deviceCall(t, "GET", v1+"/parked", d2, "", ""), http.StatusUnauthorized, server.EUnauthorized, "X-Driftless-User")
	// A device that names the supervisor must know the PIN.
	wantHTTPError(t, deviceCall(t, "GET", v1+"/parked", d2, "sue:", ""), http.StatusUnauthorized, server.EUnauthorized, "X-Driftless-PIN")
	wantHTTPError(t, deviceCall(t, "POST", v1+"/parked/"+late.ID+"/accept", d2, "sue:", `{"reason":"mine"}`), http.StatusUnauthorized, server.EUnauthorized, "X-Driftless-PIN")
	wantHTTPError(t, deviceCall(t, "POST", v1+"/parked/"+late.ID+"/accept", d2, "sue:9999", `{"reason":"mine"}`), http.StatusUnauthorized, server.EUnauthorized, "X-Driftless-PIN")
	wantHTTPError(t, deviceCall(t, "GET", v1+"/parked", d2, "pat", ""), http.StatusForbidden, server.EForbidden, "")
	wantHTTPError(t, deviceCall(t, "GET", v1+"/parked", d2, "nobody", ""), http.StatusForbidden, server.EForbidden, "")
	wantHTTPError(t, deviceCall(t, "POST", v1+"/parked/"+late.ID+"/accept", d2, "pat", `{"reason":"mine"}`), http.StatusForbidden, server.EForbidden, "")
	wantHTTPError(t, deviceCall(t, "GET", v1+"/parked?warehouse=W2", d2, "sue", ""), http.StatusForbidden, server.EForbidden, "")
	q.Items = nil
	if r := deviceCall(t, "GET", v1+"/parked", d2, "sue", ""); r.status != http.StatusOK {
		t.Fatalf("supervisor on a device: %d %s", r.status, r.body)
	} else if r.json(t, &q); len(q.Items) != 1 {
		t.Fatalf("supervisor's queue = %+v", q)
	}
	if r := deviceCall(t, "GET", v1+"/parked", other, "sue", ""); r.status != http.StatusOK || !strings.Contains(string(r.body), `"items":[]`) {
		t.Fatalf("W2's queue from a W2 device: %d %s", r.status, r.body)
	}
	wantHTTPError(t, deviceCall(t, "POST", v1+"/parked/"+late.ID+"/accept", other, "sue", `{"reason":"x"}`), http.StatusForbidden, server.EForbidden, "")

	// Deciding needs a reason; the device's user is who decides.
	wantHTTPError(t, deviceCall(t, "POST", v1+"/parked/"+late.ID+"/accept", d2, "sue", `{"reason":" "}`), http.StatusBadRequest, server.EInvalid, "reason")
	wantHTTPError(t, deviceCall(t, "POST", v1+"/parked/"+late.ID+"/accept", d2, "sue", `{"reason":"x","by":"pat"}`), http.StatusForbidden, server.EForbidden, "by")
	wantHTTPError(t, api(t, "POST", v1+"/parked/"+late.ID+"/accept", `{"reason":"x"}`), http.StatusBadRequest, server.EInvalid, "by")
	r := deviceCall(t, "POST", v1+"/parked/"+late.ID+"/accept", d2, "sue", `{"reason":"2 more behind the shelf","by":"sue"}`)
	var pe server.ParkedEvent
	if r.json(t, &pe); r.status != http.StatusOK || pe.Status != syncproto.StatusApplied || pe.Resolution == nil || pe.Resolution.By != "sue" {
		t.Fatalf("accept: %d %s", r.status, r.body)
	}
	if r := deviceCall(t, "POST", v1+"/parked/"+late.ID+"/accept", d2, "sue", `{"reason":"again"}`); r.status != http.StatusOK {
		t.Fatalf("accepting again: %d %s", r.status, r.body)
	}
	wantHTTPError(t, api(t, "POST", v1+"/parked/"+late.ID+"/cancel", `{"reason":"no","by":"boss"}`), http.StatusConflict, server.EConflict, "")
	wantHTTPError(t, api(t, "POST", v1+"/parked/"+in.ID+"/cancel", `{"reason":"no","by":"boss"}`), http.StatusConflict, server.EConflict, "")
	wantHTTPError(t, api(t, "POST", v1+"/parked/nope/cancel", `{"reason":"no","by":"boss"}`), http.StatusNotFound, server.ENotFound, "")
	api(t, "GET", v1+"/parked?status=decided", "").json(t, &q)
	if len(q.Items) != 1 || q.Items[0].Resolution == nil || q.Items[0].Resolution.Reason != "2 more behind the shelf" {
		t.Fatalf("decided = %+v", q)
	}

	// A cancelled event stays listed.
	big := d1.Event(syncproto.KindMove, "A", "BIN-1", "DOCK", 50)
	if _, err := l.Push(ctx, d1.ID, []syncproto.Event{big}); err != nil {
		t.Fatal(err)
	}
	if r := api(t, "POST", v1+"/parked/"+big.ID+"/cancel", `{"reason":"typo","by":"boss"}`); r.status != http.StatusOK {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	var evs struct {
		Items []struct {
			Event   syncproto.Event   `json:"event"`
			Outcome syncproto.Outcome `json:"outcome"`
		} `json:"items"`
	}
	api(t, "GET", v1+"/events?status=parked,cancelled", "").json(t, &evs)
	if len(evs.Items) != 1 || evs.Items[0].Event.ID != big.ID || evs.Items[0].Outcome.Status != syncproto.StatusCancelled {
		t.Fatalf("cancelled events = %+v", evs)
	}
	api(t, "GET", v1+"/moves?warehouse=W1", "").json(t, &evs)
	if len(evs.Items) != 1 || evs.Items[0].Event.ID != big.ID {
		t.Fatalf("moves = %+v", evs)
	}
}

func TestTransfersREST(t *testing.T) {
	_, url := newCatalogServer(t)
	v1 := url + "/api/v1"
	for _, req := range [][2]string{
		{"/warehouses", `{"code":"W1","name":"Main"}`}, {"/warehouses", `{"code":"W2","name":"North"}`},
		{"/skus", `{"code":"A","name":"Apple","unit":"each"}`},
	} {
		if r := api(t, "POST", v1+req[0], req[1]); r.status != http.StatusCreated {
			t.Fatalf("%s: %d %s", req[0], r.status, r.body)
		}
	}
	body := `{"number":"T-1","from":"W1","to":"W2","lines":[{"sku":"A","qty":5}]}`
	wantHTTPError(t, api(t, "POST", v1+"/transfers", body), http.StatusBadRequest, server.EInvalid, "from")
	if r := call(t, "POST", v1+"/import/locations", "text/csv", "warehouse,code,type\nW1,TRANSIT,transit\n", adminToken); r.status != http.StatusOK {
		t.Fatalf("import a transit location: %d %s", r.status, r.body)
	}
	r := api(t, "POST", v1+"/transfers", body)
	var tr server.Transfer
	if r.json(t, &tr); r.status != http.StatusCreated || tr.Status != server.TransferOpen || r.header.Get("Location") != "/api/v1/transfers/T-1" {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	wantHTTPError(t, api(t, "POST", v1+"/transfers", body), http.StatusConflict, server.EConflict, "")
	var page struct {
		Items []server.Transfer `json:"items"`
	}
	api(t, "GET", v1+"/transfers?warehouse=W2", "").json(t, &page)
	if len(page.Items) != 1 || page.Items[0].Lines[0].Qty != 5 {
		t.Fatalf("list: %+v", page)
	}
	if r := api(t, "GET", v1+"/transfers/T-1", ""); r.status != http.StatusOK {
		t.Fatalf("get: %d", r.status)
	}
	if r := api(t, "POST", v1+"/transfers/T-1/cancel", ""); r.status != http.StatusOK || !strings.Contains(string(r.body), `"status":"cancelled"`) {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	wantHTTPError(t, api(t, "GET", v1+"/transfers/T-9", ""), http.StatusNotFound, server.ENotFound, "")
	if r := call(t, "GET", v1+"/transfers", "", "", ""); r.status != http.StatusUnauthorized {
		t.Fatalf("no token: %d", r.status)
	}
}
