package app_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/driftless/driftless/client/app"
	"github.com/driftless/driftless/client/store/storetest"
)

// pinVic is distinctive enough to look for in the database files.
const pinVic = "48151623"

// pinServer stands in for the server's user-level routes: it checks the
// device's credentials, the user and the PIN as the server does, and
// records what passed.
type pinServer struct {
	mu     sync.Mutex
	pin    string // the PIN the server knows for vic
	status int    // when not 0, the answer to decisions
	reqs   []string
}

func (ps *pinServer) log() []string {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return append([]string(nil), ps.reqs...)
}

func writeErr(w http.ResponseWriter, status int, code, field, msg string) {
	w.Header().Set("Content-Type", "application/json")
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "42")
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "field": field, "message": msg}})
}

func newPinServer(t *testing.T, f *countFixture) *pinServer {
	ps := &pinServer{pin: pinVic}
	at := time.Date(2026, 6, 1, 9, 30, 0, 0, time.UTC)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Device "+storetest.Identity.DeviceID+":"+storetest.Identity.Token {
			writeErr(w, http.StatusUnauthorized, "unauthorized", "", "unknown device")
			return
		}
		ps.mu.Lock()
		pin, status := ps.pin, ps.status
		ps.mu.Unlock()
		switch got := r.Header.Get("X-Driftless-PIN"); {
		case got == "":
			writeErr(w, http.StatusUnauthorized, "unauthorized", "X-Driftless-PIN", "enter Vic's PIN")
			return
		case got != pin:
			writeErr(w, http.StatusUnauthorized, "unauthorized", "X-Driftless-PIN", "wrong PIN for Vic")
			return
		}
		var body bytes.Buffer
		_, _ = body.ReadFrom(r.Body)
		ps.mu.Lock()
		ps.reqs = append(ps.reqs, strings.TrimSpace(r.Method+" "+r.URL.RequestURI()+" "+r.Header.Get("X-Driftless-User")+" "+body.String()))
		ps.mu.Unlock()
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/api/v1/discrepancies":
			_ = json.NewEncoder(w).Encode(map[string]any{"items": []map[string]any{{
				"event_id": "e1", "device": "device-2", "task": "CT-1", "location": "B2", "sku": "A", "lot": "", "counter": "cleo",
				"counted": 4, "expected": 7, "variance": -3, "unit_cost": 250, "class": "A", "device_time": at, "status": "pending",
				"name": "Apples", "value": -750, "stock_now": 5,
				"movements": []map[string]any{{"position": 9, "event_id": "p1", "at": at.Add(time.Minute), "device_time": at.Add(-time.Minute),
					"kind": "pick", "sku": "A", "delta": -2, "user": "bo"}},
				"previous": []map[string]any{{"event_id": "c0", "at": at.AddDate(0, -1, 0), "by": "dan", "sku": "A", "counted": 9,
					"expected": 9, "variance": 0, "outcome": "auto"}},
			}}})
		case r.Method == http.MethodGet && r.URL.Path == "/api/v1/accuracy":
			_ = json.NewEncoder(w).Encode(map[string]any{"items": []map[string]any{
				{"key": "2026-W22", "location": 0.75, "sku": 0.8, "value": 0.9, "bins": 4},
				{"key": "2026-W21", "location": 1, "sku": 1, "value": 1, "bins": 2},
			}})
		case r.Method == http.MethodGet && r.URL.Path == "/api/v1/parked":
			_, _ = w.Write([]byte(`{"items": []}`))
		case r.Method == http.MethodPost && status != 0:
			writeErr(w, status, "forbidden", "", "vic (vic) is not a supervisor: this needs the supervisor role")
		case r.Method == http.MethodPost:
			_, _ = w.Write([]byte(`{}`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	id := storetest.Identity
	id.ServerURL = "ws://" + strings.TrimPrefix(srv.URL, "http://") + "/api/v1/sync"
	if err := f.st.Enroll(ctx, id); err != nil {
		t.Fatal(err)
	}
	return ps
}

// TestSupervisorPIN: the discrepancy queue, its decisions and accuracy
// over REST with the user's PIN, which the app keeps in memory only:
// after a restart every supervisor call says ErrPINRequired (without a
// request) until ConfirmPIN; a PIN the server refuses is forgotten; 403
// and 429 are errors in words.
func TestSupervisorPIN(t *testing.T) {
	f := newCountFixture(t)
	ps := newPinServer(t, f)
	a := f.app

	f.signInAs("cleo", pinCleo)
	if _, err := a.Discrepancies(ctx); !errors.Is(err, app.ErrNotSupervisor) {
		t.Fatalf("cleo's queue: %v, want ErrNotSupervisor", err)
	}
	f.signInAs("vic", pinVic)
	if !a.HasPIN(ctx) {
		t.Fatal("no PIN after signing in")
	}
	ds, err := a.Discrepancies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 6, 1, 9, 30, 0, 0, time.UTC)
	want := []app.Discrepancy{{EventID: "e1", TaskID: "CT-1", Location: "B2", SKU: "A", Name: "Apples", Counted: 4, Expected: 7,
		Variance: -3, Value: -750, Class: "A", CountedBy: "cleo", CountedAt: at,
		Movements: []app.BinMovement{{At: at.Add(-time.Minute), Kind: "pick", SKU: "A", Delta: -2, User: "bo"}},
		Previous:  []app.PreviousCount{{At: at.AddDate(0, -1, 0), By: "dan", SKU: "A", Counted: 9, Outcome: "auto"}}}}
	if !reflect.DeepEqual(ds, want) {
		t.Fatalf("discrepancies\n%+v\nwant\n%+v", ds, want)
	}
	if err := a.ApproveDiscrepancy(ctx, "e1", "because"); !errors.Is(err, app.ErrReasonNeeded) {
		t.Fatalf("approve without a reason code: %v", err)
	}
	if err := a.RejectDiscrepancy(ctx, "e1", " "); !errors.Is(err, app.ErrReasonNeeded) {
		t.Fatalf("reject without a reason: %v", err)
	}
	if err := a.RequestRecount(ctx, "e1", ""); !errors.Is(err, app.ErrReasonNeeded) {
		t.Fatalf("recount without a counter: %v", err)
	}
	for _, err := range []error{
		a.ApproveDiscrepancy(ctx, "e1", "miscount"),
		a.RejectDiscrepancy(ctx, "e2", "the ledger is right"),
		a.RequestRecount(ctx, "e3", "dan"),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	pts, err := a.Accuracy(ctx, "A", "", 4)
	if err != nil {
		t.Fatal(err)
	}
	wantPts := []app.AccuracyPoint{{Week: "2026-W21", Location: 1, SKU: 1, Value: 1, Bins: 2},
		{Week: "2026-W22", Location: 0.75, SKU: 0.8, Value: 0.9, Bins: 4}}
	if !reflect.DeepEqual(pts, wantPts) {
		t.Fatalf("accuracy %+v, want %+v", pts, wantPts)
	}
	if _, err := a.ParkedQueue(ctx); err != nil {
		t.Fatal(err)
	}
	wantReqs := []string{
		"GET /api/v1/discrepancies?warehouse=W1 vic",
		`POST /api/v1/discrepancies/e1/approve vic {"reason_code":"miscount"}`,
		`POST /api/v1/discrepancies/e2/reject vic {"reason":"the ledger is right"}`,
		`POST /api/v1/discrepancies/e3/recount vic {"counter":"dan"}`,
		"GET /api/v1/accuracy?by=week&class=A&from=2026-05-04&warehouse=W1 vic",
		"GET /api/v1/parked?warehouse=W1 vic",
	}
	if got := ps.log(); !reflect.DeepEqual(got, wantReqs) {
		t.Fatalf("requests\n%q\nwant\n%q", got, wantReqs)
	}
	counters, err := a.Counters(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, u := range counters {
		codes = append(codes, u.Code)
	}
	if want := []string{"cleo", "dan"}; !reflect.DeepEqual(codes, want) {
		t.Fatalf("counters %q, want %q", codes, want)
	}

	// 403 and 429 in words.
	ps.mu.Lock()
	ps.status = http.StatusForbidden
	ps.mu.Unlock()
	if err := a.ApproveDiscrepancy(ctx, "e1", "theft"); !errors.Is(err, app.ErrNotSupervisor) || !strings.Contains(err.Error(), "supervisor role") {
		t.Fatalf("403: %v, want ErrNotSupervisor with the server's words", err)
	}
	ps.mu.Lock()
	ps.status = http.StatusTooManyRequests
	ps.mu.Unlock()
	var ae *app.Error
	if err := a.ApproveDiscrepancy(ctx, "e1", "theft"); !errors.Is(err, app.ErrTooManyPINs) || !errors.As(err, &ae) ||
		!strings.Contains(ae.Message, "42 seconds") {
		t.Fatalf("429: %v, want ErrTooManyPINs saying how long to wait", err)
	}
	ps.mu.Lock()
	ps.status = 0
	ps.mu.Unlock()

	// Restart: vic is still signed in, the PIN is not: nothing is asked of
	// the server until it is given again.
	f.reopen()
	a = f.app
	if u, ok, err := a.CurrentUser(ctx); err != nil || !ok || u.Code != "vic" {
		t.Fatalf("after restart: %+v %v %v", u, ok, err)
	}
	if a.HasPIN(ctx) {
		t.Fatal("a PIN survived the restart")
	}
	n := len(ps.log())
	for name, call := range map[string]func() error{
		"discrepancies": func() error { _, err := a.Discrepancies(ctx); return err },
		"approve":       func() error { return a.ApproveDiscrepancy(ctx, "e1", "miscount") },
		"reject":        func() error { return a.RejectDiscrepancy(ctx, "e1", "no") },
		"recount":       func() error { return a.RequestRecount(ctx, "e1", "dan") },
		"accuracy":      func() error { _, err := a.Accuracy(ctx, "", "", 0); return err },
		"parked":        func() error { _, err := a.ParkedQueue(ctx); return err },
		"accept":        func() error { return a.AcceptParked(ctx, "e9", "found") },
	} {
		if err := call(); !errors.Is(err, app.ErrPINRequired) {
			t.Errorf("%s after restart: %v, want ErrPINRequired", name, err)
		}
	}
	if got := len(ps.log()); got != n {
		t.Fatalf("%d requests without a PIN", got-n)
	}
	if err := a.ConfirmPIN(ctx, "0000"); !errors.Is(err, app.ErrWrongPIN) {
		t.Fatalf("wrong PIN confirmed: %v", err)
	}
	if err := a.ConfirmPIN(ctx, pinVic); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Discrepancies(ctx); err != nil {
		t.Fatalf("after ConfirmPIN: %v", err)
	}

	// The PIN changed on the server: its refusal forgets the one kept.
	ps.mu.Lock()
	ps.pin = "99999999"
	ps.mu.Unlock()
	if _, err := a.Discrepancies(ctx); !errors.Is(err, app.ErrWrongPIN) {
		t.Fatalf("PIN refused by the server: %v, want ErrWrongPIN", err)
	}
	if a.HasPIN(ctx) {
		t.Fatal("a PIN the server refused is kept")
	}

	// The PIN never reached the database.
	if err := f.st.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(f.path + "*")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(pinVic)) {
			t.Errorf("%s holds the PIN", filepath.Base(p))
		}
	}
	f.reopen()
}

// TestSignOutForgetsPIN: signing out (or in as someone else) drops the
// PIN kept.
func TestSignOutForgetsPIN(t *testing.T) {
	f := newCountFixture(t)
	f.signInAs("vic", pinVic)
	if err := f.app.SignOut(ctx); err != nil {
		t.Fatal(err)
	}
	f.signInAs("cleo", pinCleo)
	if !f.app.HasPIN(ctx) {
		t.Fatal("cleo's PIN not kept")
	}
	if err := f.app.ConfirmPIN(ctx, pinVic); !errors.Is(err, app.ErrWrongPIN) {
		t.Fatalf("vic's PIN confirmed for cleo: %v", err)
	}
	if f.app.HasPIN(ctx) {
		t.Fatal("PIN kept after a wrong confirmation")
	}
}
