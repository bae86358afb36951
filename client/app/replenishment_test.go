package app_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/driftless/driftless/client/app"
	"github.com/driftless/driftless/client/store/storetest"
	"github.com/driftless/driftless/syncproto"
)

// TestAlertsOffline: the warehouse's alerts come from the device store,
// most urgent first with their SKUs' names, and leave it when cleared.
func TestAlertsOffline(t *testing.T) {
	f := newPickFixture(t)
	al := func(id, sku, status string, avail, rop int64, pos uint64) syncproto.Alert {
		return syncproto.Alert{ID: id, SKU: sku, Available: avail, ReorderPoint: rop, OnOrder: 12, Suggested: 24, Status: status,
			RaisedAt: "2026-06-01T10:00:00Z", Position: pos}
	}
	pull := func(from, to uint64, alerts ...syncproto.Alert) {
		t.Helper()
		st, err := f.st.State(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.st.ApplyChanges(ctx, &syncproto.Changes{From: st.Cursor, Cursor: st.Cursor, CatalogFrom: from, CatalogCursor: to,
			Catalog: &syncproto.Catalog{Alerts: alerts}}); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := f.app.Alerts(ctx); err != nil || len(got) != 0 {
		t.Fatalf("alerts before any: %+v %v", got, err)
	}
	// A at 4 of 20 (20%), B at 0 of 5 (0%), X at 90 of 100 (90%, but 10
	// below): B, A, X.
	pull(1, 2, al("AL-1", "A", "active", 4, 20, 2), al("AL-2", "B", "active", 0, 5, 2), al("AL-3", "X", "active", 90, 100, 2))
	got, err := f.app.Alerts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	raised := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	want := []app.LowStockAlert{
		{ID: "AL-2", SKU: "B", Name: "Bananas", Available: 0, ReorderPoint: 5, OnOrder: 12, Suggested: 24, RaisedAt: raised},
		{ID: "AL-1", SKU: "A", Name: "Apples", Available: 4, ReorderPoint: 20, OnOrder: 12, Suggested: 24, RaisedAt: raised},
		{ID: "AL-3", SKU: "X", Name: "Xylophone", Available: 90, ReorderPoint: 100, OnOrder: 12, Suggested: 24, RaisedAt: raised},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("alerts\n%+v\nwant\n%+v", got, want)
	}
	// B recovers: its alert is cleared and leaves the device.
	pull(2, 3, al("AL-2", "B", "cleared", 9, 5, 3))
	if got, err := f.app.Alerts(ctx); err != nil || len(got) != 2 || got[0].ID != "AL-1" || got[1].ID != "AL-3" {
		t.Fatalf("alerts after B recovered: %+v %v", got, err)
	}
}

// replREST mimics the server's replenishment and report routes: drafts
// kept in memory, usage for two days, reports as CSV with a
// Content-Length.
type replREST struct {
	mu     sync.Mutex
	reqs   []string // "METHOD uri user pin body"
	drafts map[string]map[string]any
	srv    *httptest.Server
}

func newReplREST(t *testing.T, f *fixture) *replREST {
	fr := &replREST{drafts: map[string]map[string]any{}}
	line := func(sku string, qty, sugg, cost int64, why string) map[string]any {
		return map[string]any{"sku": sku, "qty": qty, "suggested": sugg, "unit_cost": cost, "why": why}
	}
	created := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	fr.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Device "+storetest.Identity.DeviceID+":"+storetest.Identity.Token {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		body, _ := io.ReadAll(r.Body)
		fr.mu.Lock()
		defer fr.mu.Unlock()
		fr.reqs = append(fr.reqs, strings.TrimSpace(fmt.Sprintf("%s %s %s %s %s", r.Method, r.URL.RequestURI(),
			r.Header.Get("X-Driftless-User"), r.Header.Get("X-Driftless-PIN"), body)))
		if r.Header.Get("X-Driftless-PIN") != pinSam {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error": {"code": "unauthorized", "message": "wrong PIN", "field": "X-Driftless-PIN"}}`))
			return
		}
		send := func(v any) { _ = json.NewEncoder(w).Encode(v) }
		id := strings.TrimPrefix(r.URL.Path, "/api/v1/po-drafts/")
		id, action, _ := strings.Cut(id, "/")
		switch {
		case r.Method == http.MethodPost && r.URL.Path == "/api/v1/po-drafts/generate":
			fr.drafts["D-1"] = map[string]any{"id": "D-1", "warehouse": "W1", "supplier": "ACME", "status": "draft", "created_at": created,
				"lines": []map[string]any{line("A", 24, 24, 50, "available 4 below reorder point 20; on order 0; multiple 12"),
					line("B", 10, 10, 30, "available 0 below reorder point 5")}}
			fr.drafts["D-2"] = map[string]any{"id": "D-2", "warehouse": "W1", "supplier": "ZED", "supplier_name": "Zed Ltd",
				"status": "draft", "created_at": created.Add(time.Minute), "lines": []map[string]any{line("X", 1, 1, 900, "")}}
			send(map[string]any{"items": []any{fr.drafts["D-1"], fr.drafts["D-2"]}})
		case r.Method == http.MethodGet && r.URL.Path == "/api/v1/po-drafts":
			items := []any{}
			for _, k := range []string{"D-2", "D-1"} {
				if d, ok := fr.drafts[k]; ok {
					items = append(items, d)
				}
			}
			send(map[string]any{"items": items})
		case r.Method == http.MethodPut && fr.drafts[id] != nil && action == "":
			var req struct {
				Lines []struct {
					SKU string
					Qty int64
				}
			}
			_ = json.Unmarshal(body, &req)
			d := fr.drafts[id]
			var kept []map[string]any
			for _, l := range d["lines"].([]map[string]any) {
				for _, e := range req.Lines {
					if e.SKU == l["sku"] {
						l["qty"] = e.Qty
					}
				}
				if l["qty"] != int64(0) {
					kept = append(kept, l)
				}
			}
			d["lines"] = kept
			send(d)
		case r.Method == http.MethodPost && action == "approve" && fr.drafts[id] != nil:
			delete(fr.drafts, id)
			send(map[string]any{"draft": map[string]any{"id": id, "status": "approved", "order": "PO-77"},
				"purchase_order": map[string]any{"number": "PO-77", "status": "open"}})
		case r.Method == http.MethodPost && action == "discard" && fr.drafts[id] != nil:
			delete(fr.drafts, id)
			w.WriteHeader(http.StatusNoContent)
		case r.Method == http.MethodPost && (action == "approve" || action == "discard"):
			w.WriteHeader(http.StatusConflict)
			w.Write([]byte(`{"error": {"code": "conflict", "message": "draft ` + id + ` is not open"}}`))
		case r.URL.Path == "/api/v1/usage" && r.URL.Query().Get("format") == "csv":
			w.Header().Set("Content-Type", "text/csv")
			w.Write([]byte("day,consumed_units\n2026-06-02,5\n"))
		case r.URL.Path == "/api/v1/usage":
			send(map[string]any{"from": "2026-06-01", "days": []map[string]any{
				{"day": "2026-06-02", "consumed_units": 5, "consumed_value": 250, "received_units": 24, "received_value": 1200},
				{"day": "2026-06-04", "consumed_units": 1, "consumed_value": 50}}})
		case r.URL.Path == "/api/v1/reports/turnover" && r.URL.Query().Get("format") == "csv":
			var b bytes.Buffer
			b.WriteString("sku,name,turnover,days_of_cover\n")
			for i := range 20000 {
				fmt.Fprintf(&b, "SKU-%04d,\"Item, %d\",%d.5,%d\n", i, i, i%7, i%30)
			}
			w.Header().Set("Content-Type", "text/csv")
			w.Header().Set("Content-Length", fmt.Sprint(b.Len()))
			// Sent in pieces, as a slow link would.
			for rest := b.Bytes(); len(rest) > 0; {
				n := min(len(rest), 4096)
				w.Write(rest[:n])
				w.(http.Flusher).Flush()
				rest = rest[n:]
			}
		case r.URL.Path == "/api/v1/reports/stockouts":
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`{"error": {"code": "forbidden", "message": "sam is not a supervisor of W2"}}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(fr.srv.Close)
	id := storetest.Identity
	id.ServerURL = "ws://" + strings.TrimPrefix(fr.srv.URL, "http://") + "/api/v1/sync"
	if err := f.st.Enroll(ctx, id); err != nil {
		t.Fatal(err)
	}
	return fr
}

func (fr *replREST) requests() []string {
	fr.mu.Lock()
	defer fr.mu.Unlock()
	out := append([]string(nil), fr.reqs...)
	fr.reqs = nil
	return out
}

// TestPODraftsREST: only a supervisor with their PIN reaches the drafts;
// generate, list (oldest first, names from the device where the server
// gives none, values summed), edit (0 removes a line), approve (the
// order's number) and discard; the server's refusals reach the screen.
func TestPODraftsREST(t *testing.T) {
	f := newPickFixture(t)
	fr := newReplREST(t, f)
	if _, err := f.app.PODrafts(ctx); !errors.Is(err, app.ErrNotSupervisor) {
		t.Fatalf("ana's drafts: %v, want ErrNotSupervisor", err)
	}
	if _, err := f.app.SignIn(ctx, "sam", pinSam); err != nil {
		t.Fatal(err)
	}
	ds, err := f.app.GeneratePODrafts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	want := []app.PODraft{
		{ID: "D-1", Supplier: "ACME", Name: "Acme Foods", Value: 24*50 + 10*30, Created: created, Lines: []app.DraftLine{
			{SKU: "A", Name: "Apples", Qty: 24, Suggested: 24, UnitCost: 50, Why: "available 4 below reorder point 20; on order 0; multiple 12"},
			{SKU: "B", Name: "Bananas", Qty: 10, Suggested: 10, UnitCost: 30, Why: "available 0 below reorder point 5"}}},
		{ID: "D-2", Supplier: "ZED", Name: "Zed Ltd", Value: 900, Created: created.Add(time.Minute), Lines: []app.DraftLine{
			{SKU: "X", Name: "Xylophone", Qty: 1, Suggested: 1, UnitCost: 900}}},
	}
	if !reflect.DeepEqual(ds, want) {
		t.Fatalf("drafts\n%+v\nwant\n%+v", ds, want)
	}
	if _, err := f.app.UpdatePODraft(ctx, "D-1", map[string]int64{"A": -1}); !errors.Is(err, app.ErrBadQty) {
		t.Fatalf("negative qty: %v", err)
	}
	d, err := f.app.UpdatePODraft(ctx, "D-1", map[string]int64{"B": 0, "A": 36})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Lines) != 1 || d.Lines[0].SKU != "A" || d.Lines[0].Qty != 36 || d.Value != 36*50 || d.Lines[0].Name != "Apples" {
		t.Fatalf("edited draft %+v", d)
	}
	po, err := f.app.ApprovePODraft(ctx, "D-1")
	if err != nil || po != "PO-77" {
		t.Fatalf("approve: %q %v", po, err)
	}
	if err := f.app.DiscardPODraft(ctx, "D-2"); err != nil {
		t.Fatal(err)
	}
	err = f.app.DiscardPODraft(ctx, "D-2")
	if !errors.Is(err, app.ErrServerRefused) || !strings.Contains(err.Error(), "not open") {
		t.Fatalf("discard twice: %v", err)
	}
	if ds, err := f.app.PODrafts(ctx); err != nil || len(ds) != 0 {
		t.Fatalf("drafts left %+v %v", ds, err)
	}
	wantReqs := []string{
		`POST /api/v1/po-drafts/generate sam ` + pinSam + ` {"warehouse":"W1"}`,
		`GET /api/v1/po-drafts?warehouse=W1 sam ` + pinSam,
		`PUT /api/v1/po-drafts/D-1 sam ` + pinSam + ` {"lines":[{"sku":"A","qty":36},{"sku":"B","qty":0}]}`,
		`POST /api/v1/po-drafts/D-1/approve sam ` + pinSam + ` {}`,
		`POST /api/v1/po-drafts/D-2/discard sam ` + pinSam + ` {}`,
		`POST /api/v1/po-drafts/D-2/discard sam ` + pinSam + ` {}`,
		`GET /api/v1/po-drafts?warehouse=W1 sam ` + pinSam,
	}
	if got := fr.requests(); strings.Join(got, "\n") != strings.Join(wantReqs, "\n") {
		t.Fatalf("requests\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantReqs, "\n"))
	}

	// After a restart the PIN is gone: nothing is sent until ConfirmPIN.
	f.reopen()
	newReplREST(t, f)
	if _, err := f.app.PODrafts(ctx); !errors.Is(err, app.ErrPINRequired) {
		t.Fatalf("drafts after a restart: %v, want ErrPINRequired", err)
	}
	if err := f.app.ConfirmPIN(ctx, pinSam); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.PODrafts(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestUsageAndReports: usage is one point per day of the range (gaps at
// zero); a report is the server's CSV, its progress rising to 1 with the
// download; CSV exports name the warehouse; refusals and bad ranges are
// errors the screen shows.
func TestUsageAndReports(t *testing.T) {
	f := newPickFixture(t)
	fr := newReplREST(t, f)
	if _, err := f.app.SignIn(ctx, "sam", pinSam); err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]string{{"2026-06-05", "2026-06-01"}, {"June", "2026-06-01"}, {"2020-01-01", "2026-01-01"}} {
		if _, err := f.app.Usage(ctx, "A", "", c[0], c[1]); !errors.Is(err, app.ErrBadDates) {
			t.Fatalf("usage %v: %v, want ErrBadDates", c, err)
		}
	}
	if len(fr.requests()) != 0 {
		t.Fatal("bad ranges reached the server")
	}
	pts, err := f.app.Usage(ctx, "A", "", "2026-06-01", "2026-06-05")
	if err != nil {
		t.Fatal(err)
	}
	want := []app.UsagePoint{{Day: "2026-06-01"}, {Day: "2026-06-02", Consumed: 5, ConsumedValue: 250, Received: 24, ReceivedValue: 1200},
		{Day: "2026-06-03"}, {Day: "2026-06-04", Consumed: 1, ConsumedValue: 50}, {Day: "2026-06-05"}}
	if !reflect.DeepEqual(pts, want) {
		t.Fatalf("usage %+v", pts)
	}
	if _, err := f.app.Usage(ctx, "", "fruit", "2026-06-01", "2026-06-01"); err != nil {
		t.Fatal(err)
	}

	var shares []float64
	rep, err := f.app.RunReport(ctx, app.ReportTurnover, map[string]string{"from": "2026-05-01", "to": "2026-05-31", "days": ""},
		func(p float64) { shares = append(shares, p) })
	if err != nil {
		t.Fatal(err)
	}
	if rep.Name != "Turnover and days of cover" || !reflect.DeepEqual(rep.Columns, []string{"sku", "name", "turnover", "days_of_cover"}) ||
		len(rep.Rows) != 20000 || !reflect.DeepEqual(rep.Rows[7], []string{"SKU-0007", "Item, 7", "0.5", "7"}) {
		t.Fatalf("report %s %v, %d rows, row 7 %v", rep.Name, rep.Columns, len(rep.Rows), rep.Rows[7])
	}
	if len(shares) < 5 || shares[0] != 0 || shares[len(shares)-1] != 1 {
		t.Fatalf("progress %v: want from 0 through several steps to 1", shares)
	}
	for i := 1; i < len(shares); i++ {
		if shares[i] <= shares[i-1] {
			t.Fatalf("progress %v goes back", shares)
		}
	}
	b, err := f.app.ExportCSV(ctx, app.ReportUsage, map[string]string{"sku": "A", "from": "2026-06-01", "to": "2026-06-05"})
	if err != nil || string(b) != "day,consumed_units\n2026-06-02,5\n" {
		t.Fatalf("usage CSV %q %v", b, err)
	}
	_, err = f.app.RunReport(ctx, app.ReportStockouts, map[string]string{"warehouse": "W2"}, nil)
	if !errors.Is(err, app.ErrNotSupervisor) || !strings.Contains(err.Error(), "not a supervisor of W2") {
		t.Fatalf("another warehouse's report: %v", err)
	}
	wantReqs := []string{
		`GET /api/v1/usage?from=2026-06-01&sku=A&to=2026-06-05&warehouse=W1 sam ` + pinSam,
		`GET /api/v1/usage?category=fruit&from=2026-06-01&to=2026-06-01&warehouse=W1 sam ` + pinSam,
		`GET /api/v1/reports/turnover?format=csv&from=2026-05-01&to=2026-05-31&warehouse=W1 sam ` + pinSam,
		`GET /api/v1/usage?format=csv&from=2026-06-01&sku=A&to=2026-06-05&warehouse=W1 sam ` + pinSam,
		`GET /api/v1/reports/stockouts?format=csv&warehouse=W2 sam ` + pinSam,
	}
	if got := fr.requests(); strings.Join(got, "\n") != strings.Join(wantReqs, "\n") {
		t.Fatalf("requests\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantReqs, "\n"))
	}

	fr.srv.Close()
	if _, err := f.app.RunReport(ctx, app.ReportOnHand, nil, nil); !errors.Is(err, app.ErrServerUnreachable) {
		t.Fatalf("report offline: %v", err)
	}
}
