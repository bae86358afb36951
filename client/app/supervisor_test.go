package app_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/driftless/driftless/client/app"
	"github.com/driftless/driftless/client/store/storetest"
	"github.com/driftless/driftless/syncproto"
)

// fakeREST stands in for the server's REST routes, recording requests.
type fakeREST struct {
	mu   sync.Mutex
	reqs []string // "METHOD path user body"
	srv  *httptest.Server
}

func newFakeREST(t *testing.T, f *fixture, h http.HandlerFunc) *fakeREST {
	fr := &fakeREST{}
	fr.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Device "+storetest.Identity.DeviceID+":"+storetest.Identity.Token {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var body map[string]string
		_ = json.NewDecoder(r.Body).Decode(&body)
		b, _ := json.Marshal(body)
		fr.mu.Lock()
		fr.reqs = append(fr.reqs, r.Method+" "+r.URL.RequestURI()+" "+r.Header.Get("X-Driftless-User")+" "+string(b))
		fr.mu.Unlock()
		h(w, r)
	}))
	t.Cleanup(fr.srv.Close)
	id := storetest.Identity
	id.ServerURL = "ws://" + strings.TrimPrefix(fr.srv.URL, "http://") + "/api/v1/sync"
	if err := f.st.Enroll(ctx, id); err != nil {
		t.Fatal(err)
	}
	return fr
}

func (fr *fakeREST) requests() []string {
	fr.mu.Lock()
	defer fr.mu.Unlock()
	return append([]string(nil), fr.reqs...)
}

// TestSupervisorQueue: only a supervisor may use the queue; the device
// sends its token and the user; decisions need a reason.
func TestSupervisorQueue(t *testing.T) {
	f := newPickFixture(t)
	at := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	fr := newFakeREST(t, f, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/api/v1/parked":
			_ = json.NewEncoder(w).Encode(map[string]any{"parked": []map[string]any{{
				"event_id": "e1", "device": "d2", "user": "bo", "kind": "pick", "location": "B2", "sku": "A", "qty": 3,
				"code": "insufficient_stock", "reason": "2 at B2", "at": at, "stock_now": 0,
				"competing": []map[string]any{{"event_id": "e0", "device": "d1", "user": "ana", "kind": "pick", "qty": -2, "at": at}},
			}}})
		case r.URL.Path == "/api/v1/parked/e1/accept":
			w.Write([]byte(`{}`))
		case r.URL.Path == "/api/v1/parked/e1/cancel":
			w.WriteHeader(http.StatusConflict)
			w.Write([]byte(`{"error": {"code": "conflict", "message": "event e1 is applied, not parked"}}`))
		default:
			http.NotFound(w, r)
		}
	})
	if _, err := f.app.ParkedQueue(ctx); !errors.Is(err, app.ErrNotSupervisor) {
		t.Fatalf("ana's queue: %v, want ErrNotSupervisor", err)
	}
	if err := f.app.AcceptParked(ctx, "e1", "found"); !errors.Is(err, app.ErrNotSupervisor) {
		t.Fatalf("ana accepts: %v, want ErrNotSupervisor", err)
	}
	if len(fr.requests()) != 0 {
		t.Fatalf("requests for a non-supervisor: %v", fr.requests())
	}
	if _, err := f.app.SignIn(ctx, "sam", pinSam); err != nil {
		t.Fatal(err)
	}
	q, err := f.app.ParkedQueue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 1 || q[0].EventID != "e1" || q[0].Device != "d2" || q[0].Location != "B2" || q[0].Qty != 3 ||
		q[0].Reason != "2 at B2" || !q[0].At.Equal(at) || len(q[0].Competing) != 1 || q[0].Competing[0].User != "ana" {
		t.Fatalf("queue %+v", q)
	}
	if err := f.app.AcceptParked(ctx, "e1", " "); !errors.Is(err, app.ErrReasonNeeded) {
		t.Fatalf("accept without a reason: %v", err)
	}
	if err := f.app.AcceptParked(ctx, "e1", "found 3 behind the bin"); err != nil {
		t.Fatal(err)
	}
	err = f.app.CancelParked(ctx, "e1", "changed my mind")
	if !errors.Is(err, app.ErrServerRefused) || !strings.Contains(err.Error(), "not parked") {
		t.Fatalf("cancel an applied event: %v, want the server's refusal", err)
	}
	want := []string{
		`GET /api/v1/parked?warehouse=W1 sam null`,
		`POST /api/v1/parked/e1/accept sam {"by":"sam","reason":"found 3 behind the bin"}`,
		`POST /api/v1/parked/e1/cancel sam {"by":"sam","reason":"changed my mind"}`,
	}
	if got := fr.requests(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("requests\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Offline: a clear error.
	fr.srv.Close()
	if _, err := f.app.ParkedQueue(ctx); !errors.Is(err, app.ErrServerUnreachable) {
		t.Fatalf("queue offline: %v, want ErrServerUnreachable", err)
	}
}

// TestNextPickList: the server assigns a list; the device returns it once
// the catalog change that brings it is applied.
func TestNextPickList(t *testing.T) {
	f := newPickFixture(t)
	var none atomic.Bool
	fr := newFakeREST(t, f, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/v1/pick-lists/next" {
			http.NotFound(w, r)
			return
		}
		if none.Load() {
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"error": {"code": "not_found", "message": "no open pick list in W1"}}`))
			return
		}
		w.Write([]byte(`{"id": "PL-9", "status": "assigned", "assigned_to": "ana"}`))
	})
	go func() {
		time.Sleep(200 * time.Millisecond)
		applyCatalog(t, f, 2, syncproto.Catalog{PickLists: []syncproto.PickList{{ID: "PL-9", Status: "assigned",
			AssignedTo: "ana", Orders: []string{"SO-9"}, Position: 2, Tasks: []syncproto.PickTask{
				{ID: "PL-9/1", Seq: 1, Order: "SO-9", Location: "B2", SKU: "A", Qty: 2, Status: "open"}}}}})
	}()
	l, err := f.app.NextPickList(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if l.ID != "PL-9" || l.Tasks != 1 || l.Open != 1 || l.AssignedTo != "ana" {
		t.Fatalf("next list %+v", l)
	}
	if got := fr.requests(); len(got) != 1 || got[0] != `POST /api/v1/pick-lists/next ana {"user":"ana"}` {
		t.Fatalf("requests %v", got)
	}
	none.Store(true)
	if _, err := f.app.NextPickList(ctx); !errors.Is(err, app.ErrNoPickList) {
		t.Fatalf("next with none open: %v, want ErrNoPickList", err)
	}
}
