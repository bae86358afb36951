package syncer_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/driftless/driftless/syncproto"
)

// action is what the fake server does with one push.
type action int

const (
	actNormal      action = iota
	actCutBefore          // close the connection without applying
	actCutMidBatch        // apply the first half, then close (no ack)
	actCutAfter           // apply everything, then close (the ack is lost)
)

type stockKey struct{ loc, sku, lot string }

// fakeServer speaks protocol v1 for one warehouse with an in-memory ledger.
// It applies events like the real server (exactly once by ID, gaps
// answered with expected_seq, picks below zero parked) and can cut
// connections, refuse hellos and forget events.
type fakeServer struct {
	t   *testing.T
	srv *httptest.Server

	mu        sync.Mutex
	devices   map[string]*fakeDevice
	applied   []syncproto.Event // in application order, every device
	received  []syncproto.Event // every event given an outcome, in order
	ledger    []syncproto.Entry
	balance   map[stockKey]int64
	conns     []*fakeConn
	connTimes []time.Time
	pushes    int // pushes received, every connection
	pulls     int // pulls received, every connection
	gaps      int // sequence_gap answers sent

	// Hooks, set before the engine starts.
	heartbeat  time.Duration
	helloError func(conn int) *syncproto.Error       // refuse the n-th connection (1-based)
	onPush     func(n int, p *syncproto.Push) action // n counts pushes from 1
	silent     bool                                  // after welcome, read but never answer
	noPokes    bool                                  // no poke after a push (pokeAll still pokes)
	lieWelcome bool                                  // welcome claims to hold what the device says it acked
}

type fakeDevice struct {
	token        string
	bySeq        map[uint64]syncproto.Event
	outcomes     map[string]syncproto.Outcome
	ackedThrough uint64
	applyCount   map[string]int
}

type fakeConn struct {
	c   *syncproto.Conn
	wmu sync.Mutex
}

func (c *fakeConn) write(m *syncproto.Message) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.c.WriteMessage(m)
}

func newFakeServer(t *testing.T) *fakeServer {
	f := &fakeServer{t: t, devices: map[string]*fakeDevice{}, balance: map[stockKey]int64{}, heartbeat: time.Second}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeServer) url() string {
	return "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/api/v1/sync"
}

func (f *fakeServer) addDevice(id, token string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.devices[id] = &fakeDevice{token: token, bySeq: map[uint64]syncproto.Event{}, outcomes: map[string]syncproto.Outcome{}, applyCount: map[string]int{}}
}

func (f *fakeServer) serve(w http.ResponseWriter, r *http.Request) {
	ws, err := syncproto.Upgrader().Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &fakeConn{c: syncproto.NewConn(ws)}
	defer c.c.Close()
	f.mu.Lock()
	f.conns = append(f.conns, c)
	f.connTimes = append(f.connTimes, time.Now())
	n := len(f.conns)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		for i, x := range f.conns {
			if x == c {
				f.conns[i] = nil
			}
		}
		f.mu.Unlock()
	}()

	m, err := c.c.ReadMessage()
	if err != nil || m.Type != syncproto.TypeHello {
		return
	}
	if f.helloError != nil {
		if pe := f.helloError(n); pe != nil {
			_ = c.write(&syncproto.Message{Type: syncproto.TypeError, Error: pe})
			return
		}
	}
	h := m.Hello
	f.mu.Lock()
	dev := f.devices[h.DeviceID]
	if dev == nil || dev.token != h.Token {
		f.mu.Unlock()
		_ = c.write(&syncproto.Message{Type: syncproto.TypeError, Error: &syncproto.Error{Code: syncproto.ErrUnauthorized, Message: "unknown device or wrong token"}})
		return
	}
	wel := &syncproto.Welcome{
		Protocol: syncproto.ProtocolVersion, Schema: syncproto.SchemaVersion, Warehouse: "W1",
		AckedThrough: dev.ackedThrough, ExpectedSeq: dev.ackedThrough + 1, Head: uint64(len(f.ledger)),
		ServerTime: time.Now().UTC(), HeartbeatMillis: f.heartbeat.Milliseconds(),
		MaxMessageBytes: syncproto.MaxMessageBytes, MaxBatch: syncproto.MaxBatch,
	}
	if f.lieWelcome && h.AckedThrough > dev.ackedThrough {
		wel.AckedThrough, wel.ExpectedSeq = h.AckedThrough, h.AckedThrough+1
	}
	f.mu.Unlock()
	if err := c.write(&syncproto.Message{Type: syncproto.TypeWelcome, Welcome: wel}); err != nil {
		return
	}
	for {
		m, err := c.c.ReadMessage()
		if err != nil {
			return
		}
		if f.silent {
			continue
		}
		var reply *syncproto.Message
		switch m.Type {
		case syncproto.TypePing:
			reply = &syncproto.Message{Type: syncproto.TypePong, Pong: &syncproto.Pong{Nonce: m.Ping.Nonce}}
		case syncproto.TypePong:
		case syncproto.TypePull:
			f.mu.Lock()
			f.pulls++
			f.mu.Unlock()
			reply = &syncproto.Message{Type: syncproto.TypeChanges, Changes: f.pull(m.Pull)}
		case syncproto.TypePush:
			f.mu.Lock()
			f.pushes++
			act := actNormal
			if f.onPush != nil {
				act = f.onPush(f.pushes, m.Push)
			}
			evs := m.Push.Events
			if act == actCutBefore {
				f.mu.Unlock()
				return
			}
			if act == actCutMidBatch {
				evs = evs[:len(evs)/2]
			}
			ack, pe := f.applyLocked(h.DeviceID, evs)
			head := uint64(len(f.ledger))
			f.mu.Unlock()
			if act == actCutMidBatch || act == actCutAfter {
				return
			}
			if pe != nil {
				_ = c.write(&syncproto.Message{Type: syncproto.TypeError, Error: pe})
				if pe.Code != syncproto.ErrSequenceGap {
					return
				}
				continue
			}
			if err := c.write(&syncproto.Message{Type: syncproto.TypeAck, Ack: ack}); err != nil {
				return
			}
			if !f.noPokes {
				f.pokeAll(head)
			}
			continue
		default:
			reply = &syncproto.Message{Type: syncproto.TypeError, Error: &syncproto.Error{Code: syncproto.ErrBadMessage, Message: "unexpected " + string(m.Type)}}
		}
		if reply != nil {
			if err := c.write(reply); err != nil {
				return
			}
		}
	}
}

func (f *fakeServer) pokeAll(head uint64) {
	f.mu.Lock()
	conns := append([]*fakeConn(nil), f.conns...)
	f.mu.Unlock()
	for _, c := range conns {
		if c != nil {
			_ = c.write(&syncproto.Message{Type: syncproto.TypePoke, Poke: &syncproto.Poke{Head: head}})
		}
	}
}

// applyLocked applies a push: all or nothing for gaps and conflicts, then
// event by event.
func (f *fakeServer) applyLocked(deviceID string, evs []syncproto.Event) (*syncproto.Ack, *syncproto.Error) {
	dev := f.devices[deviceID]
	checked := false
	for _, ev := range evs {
		if held, ok := dev.bySeq[ev.Seq]; ok {
			if held.ID != ev.ID {
				return nil, &syncproto.Error{Code: syncproto.ErrDeviceConflict, Message: "seq held under another ID"}
			}
			continue
		}
		if !checked && ev.Seq != dev.ackedThrough+1 {
			f.gaps++
			return nil, &syncproto.Error{Code: syncproto.ErrSequenceGap, Message: "gap", ExpectedSeq: dev.ackedThrough + 1}
		}
		checked = true
	}
	ack := &syncproto.Ack{}
	for _, ev := range evs {
		if o, ok := dev.outcomes[ev.ID]; ok {
			ack.Outcomes = append(ack.Outcomes, o)
			continue
		}
		o := f.applyEventLocked(dev, ev)
		ack.Outcomes = append(ack.Outcomes, o)
	}
	ack.AckedThrough = dev.ackedThrough
	return ack, nil
}

func (f *fakeServer) applyEventLocked(dev *fakeDevice, ev syncproto.Event) syncproto.Outcome {
	o := syncproto.Outcome{ID: ev.ID, Seq: ev.Seq, Status: syncproto.StatusApplied}
	if err := ev.Validate(); err != nil {
		o.Status, o.Code, o.Reason = syncproto.StatusRejected, syncproto.CodeInvalidEvent, err.Error()
	} else {
		ok := true
		for _, d := range ev.Deltas() {
			if f.balance[stockKey{d.Location, ev.SKU, ev.Lot}]+d.Qty < 0 {
				ok = false
			}
		}
		if !ok {
			o.Status, o.Code = syncproto.StatusParked, syncproto.CodeInsufficientStock
		} else {
			for _, d := range ev.Deltas() {
				k := stockKey{d.Location, ev.SKU, ev.Lot}
				f.balance[k] += d.Qty
				pos := uint64(len(f.ledger) + 1)
				f.ledger = append(f.ledger, syncproto.Entry{Position: pos, EventID: ev.ID, DeviceID: ev.DeviceID, Kind: ev.Kind,
					Location: k.loc, SKU: k.sku, Lot: k.lot, Delta: d.Qty, Balance: f.balance[k]})
				o.Position = pos
			}
			f.applied = append(f.applied, ev)
			dev.applyCount[ev.ID]++
		}
	}
	dev.bySeq[ev.Seq] = ev
	dev.outcomes[ev.ID] = o
	f.received = append(f.received, ev)
	for dev.bySeq[dev.ackedThrough+1].ID != "" {
		dev.ackedThrough++
	}
	return o
}

func (f *fakeServer) pull(p *syncproto.Pull) *syncproto.Changes {
	f.mu.Lock()
	defer f.mu.Unlock()
	limit := p.Limit
	if limit <= 0 || limit > 50 {
		limit = 50 // small pages so that tests page
	}
	ch := &syncproto.Changes{From: p.Cursor, Cursor: p.Cursor}
	last := map[stockKey]syncproto.Level{}
	for _, e := range f.ledger {
		if e.Position <= p.Cursor {
			continue
		}
		if len(ch.Entries) == limit {
			ch.More = true
			break
		}
		ch.Entries = append(ch.Entries, e)
		ch.Cursor = e.Position
		last[stockKey{e.Location, e.SKU, e.Lot}] = syncproto.Level{Location: e.Location, SKU: e.SKU, Lot: e.Lot, Qty: e.Balance, Position: e.Position}
	}
	for _, l := range last {
		ch.Levels = append(ch.Levels, l)
	}
	return ch
}

// restore forgets every event of deviceID above keep, as a server restored
// from an older backup would, and rebuilds the ledger from what is left.
func (f *fakeServer) restore(deviceID string, keep uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	old := f.received
	f.received, f.applied, f.ledger, f.balance = nil, nil, nil, map[stockKey]int64{}
	for _, d := range f.devices {
		d.bySeq, d.outcomes, d.ackedThrough, d.applyCount = map[uint64]syncproto.Event{}, map[string]syncproto.Outcome{}, 0, map[string]int{}
	}
	for _, ev := range old {
		if ev.DeviceID == deviceID && ev.Seq > keep {
			continue
		}
		f.applyEventLocked(f.devices[ev.DeviceID], ev)
	}
}

// cutAll closes every open connection.
func (f *fakeServer) cutAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.conns {
		if c != nil {
			c.c.Close()
		}
	}
}

func (f *fakeServer) connCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.conns)
}

// checkDevice asserts that the server holds exactly the events want, each
// applied at most once, in sequence order.
func (f *fakeServer) checkDevice(t *testing.T, deviceID string, want []syncproto.Event) {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	dev := f.devices[deviceID]
	if dev.ackedThrough != uint64(len(want)) || len(dev.bySeq) != len(want) {
		t.Fatalf("server holds %d events, acked_through %d; want %d", len(dev.bySeq), dev.ackedThrough, len(want))
	}
	for _, ev := range want {
		held := dev.bySeq[ev.Seq]
		if held.ID != ev.ID || held.Hash != ev.Hash {
			t.Fatalf("seq %d: server holds %s, device recorded %s", ev.Seq, held.ID, ev.ID)
		}
		if n := dev.applyCount[ev.ID]; n > 1 {
			t.Fatalf("event %d applied %d times", ev.Seq, n)
		}
	}
	var last uint64
	for _, ev := range f.applied {
		if ev.DeviceID != deviceID {
			continue
		}
		if ev.Seq <= last {
			t.Fatalf("seq %d applied after seq %d", ev.Seq, last)
		}
		last = ev.Seq
	}
}

var errRefused = errors.New("refused")
