package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/httpapi"
	"github.com/driftless/driftless/server/sqlite"
	"github.com/driftless/driftless/server/storetest"
	"github.com/driftless/driftless/syncproto"
)

const adminToken = "admin-secret"

type fixture struct {
	url    string
	ledger *server.Ledger
	dev    *storetest.Device
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	storetest.AddTester(t, st)
	l := server.NewLedger(st)
	srv := &httpapi.Server{Ledger: l, Store: st, AdminToken: adminToken, Heartbeat: time.Second}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &fixture{url: hs.URL, ledger: l, dev: storetest.Enroll(t, l, "h1", "W1")}
}

func (f *fixture) dial(t *testing.T) *syncproto.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := syncproto.Dial(ctx, "ws"+strings.TrimPrefix(f.url, "http")+"/api/v1/sync")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	return c
}

func send(t *testing.T, c *syncproto.Conn, m *syncproto.Message) {
	t.Helper()
	if err := c.WriteMessage(m); err != nil {
		t.Fatal(err)
	}
}

// next reads the next message that is not a ping or poke.
func next(t *testing.T, c *syncproto.Conn) *syncproto.Message {
	t.Helper()
	for {
		m, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if m.Type != syncproto.TypePing && m.Type != syncproto.TypePoke {
			return m
		}
	}
}

func (f *fixture) session(t *testing.T) *syncproto.Conn {
	t.Helper()
	c := f.dial(t)
	send(t, c, &syncproto.Message{Type: syncproto.TypeHello, Hello: f.dev.Hello()})
	if m := next(t, c); m.Type != syncproto.TypeWelcome {
		t.Fatalf("got %s, want welcome", m.Type)
	}
	return c
}

func wantError(t *testing.T, c *syncproto.Conn, code string) *syncproto.Error {
	t.Helper()
	m := next(t, c)
	if m.Type != syncproto.TypeError || m.Error.Code != code {
		t.Fatalf("got %s %+v, want error %s", m.Type, m.Error, code)
	}
	if m.Error.Message == "" {
		t.Fatal("error without a message")
	}
	return m.Error
}

func (f *fixture) total(t *testing.T) int64 {
	lv, err := f.ledger.Stock(context.Background(), server.StockFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, l := range lv {
		n += l.Qty
	}
	return n
}

func TestSessionPushPullPoke(t *testing.T) {
	f := newFixture(t)
	c := f.session(t)
	send(t, c, &syncproto.Message{Type: syncproto.TypePush, Push: &syncproto.Push{Events: []syncproto.Event{
		f.dev.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 5),
		f.dev.Event(syncproto.KindPick, "SKU1", "DOCK", "", 9),
	}}})
	// The ack, and a poke (the push grew the ledger), in either order:
	// pokes come unasked, whenever the poker runs.
	var m *syncproto.Message
	var poked bool
	for m == nil || !poked {
		got, err := c.ReadMessage()
		if err != nil {
			t.Fatal(err)
		}
		switch got.Type {
		case syncproto.TypePoke:
			if got.Poke.Head == 0 {
				t.Fatal("poke without head")
			}
			poked = true
		case syncproto.TypeAck:
			m = got
		case syncproto.TypePing:
		default:
			t.Fatalf("got %+v, want an ack and a poke", got)
		}
	}
	if m.Ack.AckedThrough != 2 || m.Ack.Outcomes[1].Status != syncproto.StatusParked {
		t.Fatalf("ack = %+v", m)
	}
	send(t, c, &syncproto.Message{Type: syncproto.TypePull, Pull: &syncproto.Pull{}})
	m = next(t, c)
	if m.Type != syncproto.TypeChanges || len(m.Changes.Entries) != 1 || m.Changes.Levels[0].Qty != 5 {
		t.Fatalf("changes = %+v", m)
	}
	send(t, c, &syncproto.Message{Type: syncproto.TypePing, Ping: &syncproto.Ping{Nonce: 7}})
	if m := next(t, c); m.Type != syncproto.TypePong || m.Pong.Nonce != 7 {
		t.Fatalf("got %+v, want pong 7", m)
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	f := newFixture(t)
	c := f.session(t)
	ev := f.dev.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 5)
	raw, _ := syncproto.Marshal(&syncproto.Message{Type: syncproto.TypePush, Push: &syncproto.Push{Events: []syncproto.Event{ev}}})

	for _, tc := range []struct {
		name, msg, code string
	}{
		{"not JSON", `{"type":"push","body":{"events":[`, syncproto.ErrBadMessage},
		{"no type", `{"body":{}}`, syncproto.ErrBadMessage},
		{"wrong field type", `{"type":"push","body":{"events":"many"}}`, syncproto.ErrBadMessage},
		{"truncated push", string(raw[:len(raw)-3]), syncproto.ErrBadMessage},
		{"unknown type", `{"type":"teleport","body":{}}`, syncproto.ErrUnknownType},
		{"server-only type", `{"type":"ack","body":{"outcomes":[]}}`, syncproto.ErrBadMessage},
		{"second hello", `{"type":"hello","body":{}}`, syncproto.ErrBadMessage},
	} {
		if err := c.WriteRaw([]byte(tc.msg)); err != nil {
			t.Fatal(err)
		}
		wantError(t, c, tc.code)
	}
	if f.total(t) != 0 {
		t.Fatal("bad input changed stock")
	}
	// The session survives bad input: the real push still applies once.
	if err := c.WriteRaw(raw); err != nil {
		t.Fatal(err)
	}
	if m := next(t, c); m.Type != syncproto.TypeAck || m.Ack.Outcomes[0].Status != syncproto.StatusApplied {
		t.Fatalf("got %+v", m)
	}
	// An oversized message is refused and ends the session, applying nothing.
	big := `{"type":"push","body":{"events":[],"pad":"` + strings.Repeat("x", syncproto.MaxMessageBytes) + `"}}`
	if err := c.WriteRaw([]byte(big)); err != nil {
		t.Fatal(err)
	}
	wantError(t, c, syncproto.ErrMessageTooLarge)
	if _, err := c.ReadMessage(); err == nil {
		t.Fatal("connection still open after an oversized message")
	}
	if f.total(t) != 5 {
		t.Fatalf("stock = %d, want 5", f.total(t))
	}
}

func TestRefusedSessions(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name  string
		hello func(h *syncproto.Hello)
		first string
		code  string
	}{
		{"wrong token", func(h *syncproto.Hello) { h.Token = "guess" }, "", syncproto.ErrUnauthorized},
		{"unknown device", func(h *syncproto.Hello) { h.DeviceID = "nobody" }, "", syncproto.ErrUnauthorized},
		{"old protocol", func(h *syncproto.Hello) { h.Protocol = 0 }, "", syncproto.ErrVersionUnsupported},
		{"push before hello", nil, `{"type":"push","body":{"events":[]}}`, syncproto.ErrHelloRequired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := f.dial(t)
			if tc.first != "" {
				if err := c.WriteRaw([]byte(tc.first)); err != nil {
					t.Fatal(err)
				}
			} else {
				h := f.dev.Hello()
				tc.hello(h)
				send(t, c, &syncproto.Message{Type: syncproto.TypeHello, Hello: h})
			}
			wantError(t, c, tc.code)
			if _, err := c.ReadMessage(); err == nil {
				t.Fatal("connection still open after a refused hello")
			}
		})
	}
	// Without the subprotocol the upgrade is refused with a JSON error.
	ws, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(f.url, "http")+"/api/v1/sync", nil)
	if err == nil {
		ws.Close()
		t.Fatal("dial without subprotocol succeeded")
	}
	if resp == nil || resp.StatusCode != http.StatusUpgradeRequired {
		t.Fatalf("response = %v", resp)
	}
}

func TestSequenceGapKeepsSession(t *testing.T) {
	f := newFixture(t)
	c := f.session(t)
	e1 := f.dev.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 1)
	e2 := f.dev.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 1)
	send(t, c, &syncproto.Message{Type: syncproto.TypePush, Push: &syncproto.Push{Events: []syncproto.Event{e2}}})
	if e := wantError(t, c, syncproto.ErrSequenceGap); e.ExpectedSeq != 1 {
		t.Fatalf("expected_seq = %d", e.ExpectedSeq)
	}
	send(t, c, &syncproto.Message{Type: syncproto.TypePush, Push: &syncproto.Push{Events: []syncproto.Event{e1, e2}}})
	if m := next(t, c); m.Type != syncproto.TypeAck || m.Ack.AckedThrough != 2 {
		t.Fatalf("got %+v", m)
	}
}

func get(t *testing.T, url, token string, v any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s: content type %q", url, ct)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

func TestREST(t *testing.T) {
	f := newFixture(t)
	if _, err := f.ledger.Push(context.Background(), f.dev.ID, []syncproto.Event{
		f.dev.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 5),
		f.dev.Event(syncproto.KindReceive, "SKU2", "", "A-01", 3),
	}); err != nil {
		t.Fatal(err)
	}
	var health map[string]string
	if get(t, f.url+"/healthz", "", &health) != 200 || get(t, f.url+"/readyz", "", &health) != 200 {
		t.Fatal("health or readiness failed")
	}
	var e struct {
		Error struct{ Code, Message, Field string }
	}
	if st := get(t, f.url+"/api/v1/stock", "", &e); st != 401 || e.Error.Code != "unauthorized" {
		t.Fatalf("no token: %d %+v", st, e)
	}
	if st := get(t, f.url+"/api/v1/stock", "wrong", &e); st != 401 {
		t.Fatalf("wrong token: %d", st)
	}
	var stock struct {
		Items []struct {
			Location, SKU string
			Qty           int64
		}
		NextAfter string `json:"next_after"`
	}
	if st := get(t, f.url+"/api/v1/stock?sku=SKU2", adminToken, &stock); st != 200 || len(stock.Items) != 1 || stock.Items[0].Qty != 3 {
		t.Fatalf("stock: %d %+v", st, stock)
	}
	if st := get(t, f.url+"/api/v1/stock?warehouse=W1&limit=1", adminToken, &stock); st != 200 || len(stock.Items) != 1 || stock.NextAfter == "" {
		t.Fatalf("page 1: %d %+v", st, stock)
	}
	if st := get(t, f.url+"/api/v1/stock?warehouse=W1&limit=1&after="+stock.NextAfter, adminToken, &stock); st != 200 || len(stock.Items) != 1 || stock.Items[0].SKU != "SKU1" {
		t.Fatalf("page 2: %d %+v", st, stock)
	}
	if st := get(t, f.url+"/api/v1/stock?limit=abc", adminToken, &e); st != 400 || e.Error.Field != "limit" {
		t.Fatalf("bad limit: %d %+v", st, e)
	}
	var dev httpapi.DeviceJSON
	if st := get(t, f.url+"/api/v1/devices/"+f.dev.ID, adminToken, &dev); st != 200 || dev.AckedThrough != 2 || dev.LastSyncAt == nil {
		t.Fatalf("device: %d %+v", st, dev)
	}
	if st := get(t, f.url+"/api/v1/devices/nope", adminToken, &e); st != 404 || e.Error.Code != "not_found" {
		t.Fatalf("missing device: %d %+v", st, e)
	}
	if st := get(t, f.url+"/api/v1/nothing", adminToken, &e); st != 404 {
		t.Fatalf("unknown route: %d", st)
	}
	var status struct {
		PeakRSSBytes uint64 `json:"peak_rss_bytes"`
		Goroutines   int
	}
	if st := get(t, f.url+"/api/v1/status", adminToken, &status); st != 200 || status.PeakRSSBytes == 0 || status.Goroutines == 0 {
		t.Fatalf("status: %d %+v", st, status)
	}
	var evs struct {
		Items []struct {
			Event   syncproto.Event
			Outcome syncproto.Outcome
		}
	}
	if st := get(t, f.url+"/api/v1/devices/"+f.dev.ID+"/events?after=1", adminToken, &evs); st != 200 || len(evs.Items) != 1 || evs.Items[0].Event.Seq != 2 || evs.Items[0].Outcome.Status != "applied" {
		t.Fatalf("device events: %d %+v", st, evs)
	}
}

func post(t *testing.T, url, token, body string, v any) int {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

func TestEnrollOverREST(t *testing.T) {
	f := newFixture(t)
	var e struct {
		Error struct{ Code, Message, Field string }
	}
	if st := post(t, f.url+"/api/v1/devices", "wrong", `{"name":"h2","warehouse":"W1"}`, &e); st != 401 {
		t.Fatalf("wrong token: %d", st)
	}
	if st := post(t, f.url+"/api/v1/devices", adminToken, `{"name":"h2"}`, &e); st != 400 || e.Error.Field != "warehouse" {
		t.Fatalf("no warehouse: %d %+v", st, e)
	}
	if st := post(t, f.url+"/api/v1/devices", adminToken, `{"name":7}`, &e); st != 400 || e.Error.Field != "name" {
		t.Fatalf("bad type: %d %+v", st, e)
	}
	var d struct{ ID, Token, Warehouse string }
	if st := post(t, f.url+"/api/v1/devices", adminToken, `{"name":"h2","warehouse":"W1"}`, &d); st != 201 || d.Token == "" || d.ID == "" {
		t.Fatalf("enroll: %d %+v", st, d)
	}
	// The new device can open a session with its token.
	f.dev = &storetest.Device{ID: d.ID, Token: d.Token, Warehouse: "W1"}
	f.session(t)
}

// TestAnswersInOrderWithPushesInFlight: pushes are queued for their group
// commits as they arrive and other messages are answered at once, but the
// device gets every answer in the order it sent the messages.
func TestAnswersInOrderWithPushesInFlight(t *testing.T) {
	f := newFixture(t)
	c := f.session(t)
	push := func(evs ...syncproto.Event) {
		send(t, c, &syncproto.Message{Type: syncproto.TypePush, Push: &syncproto.Push{Events: evs}})
	}
	push(f.dev.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 5))
	send(t, c, &syncproto.Message{Type: syncproto.TypePull, Pull: &syncproto.Pull{}})
	push(f.dev.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 1), f.dev.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 1))
	send(t, c, &syncproto.Message{Type: syncproto.TypePing, Ping: &syncproto.Ping{Nonce: 3}})
	gap := f.dev.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 1)
	f.dev.Seq-- // the next event takes seq 4 again
	gap.Seq += 5
	gap.Seal()
	push(gap)
	push(f.dev.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 1))

	if m := next(t, c); m.Type != syncproto.TypeAck || m.Ack.AckedThrough != 1 {
		t.Fatalf("first answer %+v, want the ack through 1", m)
	}
	if m := next(t, c); m.Type != syncproto.TypeChanges {
		t.Fatalf("second answer %+v, want changes", m)
	}
	if m := next(t, c); m.Type != syncproto.TypeAck || m.Ack.AckedThrough != 3 {
		t.Fatalf("third answer %+v, want the ack through 3", m)
	}
	if m := next(t, c); m.Type != syncproto.TypePong || m.Pong.Nonce != 3 {
		t.Fatalf("fourth answer %+v, want pong 3", m)
	}
	if pe := wantError(t, c, syncproto.ErrSequenceGap); pe.ExpectedSeq != 4 {
		t.Fatalf("gap expects %d, want 4", pe.ExpectedSeq)
	}
	if m := next(t, c); m.Type != syncproto.TypeAck || m.Ack.AckedThrough != 4 {
		t.Fatalf("last answer %+v, want the ack through 4", m)
	}
	if got := f.total(t); got != 5+1+1+1 {
		t.Fatalf("stock %d, want 8", got)
	}
}
