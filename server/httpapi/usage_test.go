package httpapi_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/storetest"
	"github.com/driftless/driftless/syncproto"
)

// TestUsageAndReportsREST: the daily usage series of a SKU, a category
// and a warehouse (every day, zeros included), as JSON and CSV with a
// Content-Length; the on-hand report; a device's supervisor sees their
// warehouse only; bad parameters say which.
func TestUsageAndReportsREST(t *testing.T) {
	srv, url := newCatalogServer(t)
	v1 := url + "/api/v1"
	ctx := context.Background()
	c, l := srv.Catalog, srv.Ledger
	for _, w := range []string{"W1", "W2"} {
		if _, err := c.Warehouses.Create(ctx, server.Warehouse{Code: w, Name: w}); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []server.SKU{{Code: "A", Name: "Apple", Unit: "each", UnitCost: 100, Category: "Fruit"},
		{Code: "B", Name: "Banana", Unit: "each", UnitCost: 50, Category: "Fruit"}} {
		if _, err := c.SKUs.Create(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	st := srv.Store.(server.Store)
	storetest.AddTester(t, st)
	storetest.AddUser(t, st, "sue", "1234", "supervisor")
	d := storetest.Enroll(t, l, "h1", "W1")
	today := server.UTCDay(time.Now())
	ago := func(days int, ev syncproto.Event) syncproto.Event {
		ev.DeviceTime = today.AddDate(0, 0, -days).Add(9 * time.Hour)
		ev.Seal()
		return ev
	}
	if _, err := l.Push(ctx, d.ID, []syncproto.Event{
		ago(2, d.Event(syncproto.KindReceive, "A", "", "BIN-1", 10)),
		ago(1, d.Event(syncproto.KindPick, "A", "BIN-1", "", 3)),
		ago(0, d.Event(syncproto.KindReceive, "B", "", "BIN-2", 4)),
		ago(0, d.Event(syncproto.KindPick, "B", "BIN-2", "", 1)),
	}); err != nil {
		t.Fatal(err)
	}

	var u struct {
		From, To string
		Days     []struct {
			Day           string `json:"day"`
			ConsumedUnits int64  `json:"consumed_units"`
			ReceivedValue int64  `json:"received_value"`
		} `json:"days"`
		Totals struct {
			ConsumedUnits int64 `json:"consumed_units"`
			ConsumedValue int64 `json:"consumed_value"`
			ReceivedUnits int64 `json:"received_units"`
			ReceivedValue int64 `json:"received_value"`
		} `json:"totals"`
		SKUs []struct {
			SKU string `json:"sku"`
		} `json:"skus"`
	}
	r := call(t, "GET", v1+"/usage?warehouse=W1&sku=A", "", "", adminToken)
	if r.status != http.StatusOK {
		t.Fatalf("usage: %d %s", r.status, r.body)
	}
	r.json(t, &u)
	if len(u.Days) != 30 || u.To != today.Format(time.DateOnly) || u.Totals.ConsumedUnits != 3 || u.Totals.ConsumedValue != 300 ||
		u.Totals.ReceivedUnits != 10 || u.Totals.ReceivedValue != 1000 || u.Days[28].ConsumedUnits != 3 || u.Days[27].ReceivedValue != 1000 {
		t.Fatalf("usage of A = %s", r.body)
	}
	r = deviceCall(t, "GET", v1+"/usage?category=Fruit&from="+today.AddDate(0, 0, -6).Format(time.DateOnly), d, "sue", "")
	if r.status != http.StatusOK {
		t.Fatalf("usage of Fruit: %d %s", r.status, r.body)
	}
	r.json(t, &u)
	if len(u.Days) != 7 || u.Totals.ConsumedUnits != 4 || len(u.SKUs) != 2 {
		t.Fatalf("usage of Fruit = %s", r.body)
	}
	r = call(t, "GET", v1+"/usage?warehouse=W1&from="+today.AddDate(0, 0, -1).Format(time.DateOnly)+"&to="+today.Format(time.DateOnly)+"&format=csv", "", "", adminToken)
	want := "day,consumed_units,consumed_value,received_units,received_value\n" +
		today.AddDate(0, 0, -1).Format(time.DateOnly) + ",3,300,0,0\n" + today.Format(time.DateOnly) + ",1,50,4,200\n"
	if r.status != http.StatusOK || string(r.body) != want || r.header.Get("Content-Length") != strconv.Itoa(len(want)) ||
		!strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("usage CSV: %d %q %v", r.status, r.body, r.header)
	}

	var oh server.OnHandReport
	r = deviceCall(t, "GET", v1+"/reports/on-hand", d, "sue", "")
	if r.status != http.StatusOK || r.header.Get("Content-Length") == "" {
		t.Fatalf("on hand: %d %s", r.status, r.body)
	}
	r.json(t, &oh)
	if len(oh.Warehouses) != 1 || oh.Warehouses[0].Value != 7*100+3*50 || len(oh.Items) != 2 {
		t.Fatalf("on hand = %s", r.body)
	}
	for _, path := range []string{"/reports/turnover", "/reports/dead-stock?days=1", "/reports/stockouts"} {
		if r := deviceCall(t, "GET", v1+path, d, "sue", ""); r.status != http.StatusOK || !strings.Contains(string(r.body), `"items":[`) {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		if r := deviceCall(t, "GET", v1+path+sep+"format=csv", d, "sue", ""); r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
			t.Fatalf("%s as CSV: %d %s", path, r.status, r.body)
		}
	}
	r = call(t, "GET", v1+"/reports/dead-stock?warehouse=W1&days=1&format=csv", "", "", adminToken)
	if want := "sku,name,category,on_hand,unit_cost,value,last_consumed\nA,Apple,Fruit,7,100,700," + today.AddDate(0, 0, -1).Format(time.DateOnly) + "\n"; string(r.body) != want {
		t.Fatalf("dead stock CSV = %q, want %q", r.body, want)
	}

	wantHTTPError(t, deviceCall(t, "GET", v1+"/usage?warehouse=W2", d, "sue", ""), http.StatusForbidden, server.EForbidden, "")
	wantHTTPError(t, call(t, "GET", v1+"/reports/turnover", "", "", adminToken), http.StatusBadRequest, server.EInvalid, "warehouse")
	wantHTTPError(t, call(t, "GET", v1+"/usage?from=2026-02-01&to=2026-01-01", "", "", adminToken), http.StatusBadRequest, server.EInvalid, "to")
	wantHTTPError(t, call(t, "GET", v1+"/usage?from=2020-01-01&to=2026-01-01", "", "", adminToken), http.StatusBadRequest, server.EInvalid, "from")
	wantHTTPError(t, call(t, "GET", v1+"/usage?from=yesterday", "", "", adminToken), http.StatusBadRequest, server.EInvalid, "from")
	wantHTTPError(t, call(t, "GET", v1+"/usage?sku=A&category=Fruit", "", "", adminToken), http.StatusBadRequest, server.EInvalid, "category")
	wantHTTPError(t, call(t, "GET", v1+"/usage?format=xml", "", "", adminToken), http.StatusBadRequest, server.EInvalid, "format")
	wantHTTPError(t, call(t, "GET", v1+"/reports/dead-stock?warehouse=W1&days=0", "", "", adminToken), http.StatusBadRequest, server.EInvalid, "days")
}
