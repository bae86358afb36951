// Package storetest is the test suite every implementation of server.Store
// must pass. It drives the store through server.Ledger, so it checks the
// ledger's rules and the store's transactions together.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/syncproto"
)

// Opener returns a new, empty store for one test; cleanup is the test's.
type Opener func(t *testing.T) server.Store

// Device is a test device that makes sealed events.
type Device struct {
	ID, Token, Warehouse string
	Seq                  uint64
	Seen                 uint64
}

// Enroll adds a device to the ledger.
func Enroll(t testing.TB, l *server.Ledger, name, warehouse string) *Device {
	t.Helper()
	d, token, err := l.AddDevice(context.Background(), name, warehouse)
	if err != nil {
		t.Fatal(err)
	}
	return &Device{ID: d.ID, Token: token, Warehouse: warehouse}
}

// Event makes the device's next event.
func (d *Device) Event(kind syncproto.Kind, sku, from, to string, qty int64) syncproto.Event {
	d.Seq++
	ev := syncproto.Event{
		ID: uuid.Must(uuid.NewV7()).String(), DeviceID: d.ID, Seq: d.Seq, User: Tester,
		Kind: kind, SKU: sku, From: from, To: to, Qty: qty,
		DeviceTime: time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC), SeenPosition: d.Seen,
	}
	if kind == syncproto.KindDamage || kind == syncproto.KindAdjust {
		ev.Reason = "test"
	}
	ev.Seal()
	return ev
}

// Hello is the device's hello.
func (d *Device) Hello() *syncproto.Hello {
	return &syncproto.Hello{Protocol: syncproto.ProtocolVersion, Schema: syncproto.SchemaVersion, AppVersion: "test",
		DeviceID: d.ID, Token: d.Token, LastSeq: d.Seq}
}

// Run runs the suite.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, l *server.Ledger)
	}{
		{"ApplyOnce", testApplyOnce},
		{"SameIDOtherPayload", testSameIDOtherPayload},
		{"SequenceGap", testSequenceGap},
		{"DeviceConflict", testDeviceConflict},
		{"ParkBelowZero", testParkBelowZero},
		{"MoveIsAtomic", testMoveIsAtomic},
		{"InvalidEventRejectedNotBlocking", testInvalidEvent},
		{"CountAgainstSeenPosition", testCount},
		{"PullPages", testPullPages},
		{"Hello", testHello},
		{"StockFilterAndPaging", testStockFilter},
		{"WarehousesAreSeparate", testWarehouses},
		{"ConcurrentPushesForTheLastUnits", testConcurrent},
		{"GroupCommitIsolatesRefusedPushes", testGroupIsolation},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := open(t)
			AddTester(t, st)
			l := server.NewLedger(st)
			tc.fn(t, l)
		})
	}
	t.Run("GroupSeesItsOwnWrites", func(t *testing.T) {
		st := open(t)
		AddTester(t, st)
		testGroupSeesItsOwnWrites(t, st)
	})
}

var ctx = context.Background()

func push(t *testing.T, l *server.Ledger, d *Device, evs ...syncproto.Event) *syncproto.Ack {
	t.Helper()
	ack, err := l.Push(ctx, d.ID, evs)
	if err != nil {
		t.Fatalf("push: %v", err)
	}
	if len(ack.Outcomes) != len(evs) {
		t.Fatalf("push of %d events got %d outcomes", len(evs), len(ack.Outcomes))
	}
	return ack
}

func stock(t *testing.T, l *server.Ledger, wh, loc, sku string) int64 {
	t.Helper()
	lv, err := l.Stock(ctx, server.StockFilter{Warehouse: wh, Location: loc, SKU: sku})
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, x := range lv {
		n += x.Qty
	}
	return n
}

func wantStatus(t *testing.T, o syncproto.Outcome, st syncproto.Status, code string) {
	t.Helper()
	if o.Status != st || o.Code != code {
		t.Fatalf("outcome of seq %d = %s/%s (%s), want %s/%s", o.Seq, o.Status, o.Code, o.Reason, st, code)
	}
}

func testApplyOnce(t *testing.T, l *server.Ledger) {
	d := Enroll(t, l, "h1", "W1")
	batch := []syncproto.Event{
		d.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 10),
		d.Event(syncproto.KindPutaway, "SKU1", "DOCK", "A-01", 6),
		d.Event(syncproto.KindPick, "SKU1", "A-01", "", 2),
	}
	a1 := push(t, l, d, batch...)
	for _, o := range a1.Outcomes {
		wantStatus(t, o, syncproto.StatusApplied, "")
	}
	if a1.AckedThrough != 3 {
		t.Fatalf("acked_through = %d, want 3", a1.AckedThrough)
	}
	a2 := push(t, l, d, batch...)
	for i := range a2.Outcomes {
		if a2.Outcomes[i] != a1.Outcomes[i] {
			t.Fatalf("second push outcome %d = %+v, want the first %+v", i, a2.Outcomes[i], a1.Outcomes[i])
		}
	}
	if got := stock(t, l, "W1", "DOCK", "SKU1"); got != 4 {
		t.Fatalf("DOCK = %d, want 4", got)
	}
	if got := stock(t, l, "W1", "A-01", "SKU1"); got != 4 {
		t.Fatalf("A-01 = %d, want 4", got)
	}
	ch, err := l.Pull(ctx, d.ID, &syncproto.Pull{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Entries) != 4 { // receive, putaway×2, pick
		t.Fatalf("ledger has %d entries, want 4", len(ch.Entries))
	}
	// A push overlapping held and new events applies only the new ones.
	more := d.Event(syncproto.KindPick, "SKU1", "A-01", "", 1)
	a3 := push(t, l, d, append(batch[1:], more)...)
	if a3.AckedThrough != 4 || a3.Outcomes[2].Status != syncproto.StatusApplied {
		t.Fatalf("overlapping push: %+v", a3)
	}
	if got := stock(t, l, "W1", "A-01", "SKU1"); got != 3 {
		t.Fatalf("A-01 = %d, want 3", got)
	}
	dev, err := l.Device(ctx, d.ID)
	if err != nil || dev.AckedThrough != 4 || dev.LastSyncAt.IsZero() {
		t.Fatalf("device = %+v, %v", dev, err)
	}
}

func testSameIDOtherPayload(t *testing.T, l *server.Ledger) {
	d := Enroll(t, l, "h1", "W1")
	ev := d.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 10)
	push(t, l, d, ev)
	forged := ev
	forged.Qty = 1000
	forged.Seal()
	a := push(t, l, d, forged)
	wantStatus(t, a.Outcomes[0], syncproto.StatusRejected, syncproto.CodeHashMismatch)
	if got := stock(t, l, "W1", "DOCK", "SKU1"); got != 10 {
		t.Fatalf("DOCK = %d after a forged resend, want 10", got)
	}
	// A new sequence reusing another event's ID is rejected and still
	// recorded, so the device's queue moves on.
	reuse := d.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 5)
	reuse.ID = ev.ID
	reuse.Seal()
	next := d.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 1)
	a = push(t, l, d, reuse, next)
	wantStatus(t, a.Outcomes[0], syncproto.StatusRejected, syncproto.CodeHashMismatch)
	wantStatus(t, a.Outcomes[1], syncproto.StatusApplied, "")
	if a.AckedThrough != 3 {
		t.Fatalf("acked_through = %d, want 3", a.AckedThrough)
	}
	if got := stock(t, l, "W1", "DOCK", "SKU1"); got != 11 {
		t.Fatalf("DOCK = %d, want 11", got)
	}
	// A payload whose hash does not match is rejected as invalid.
	bad := d.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 5)
	bad.Qty = 6
	a = push(t, l, d, bad)
	wantStatus(t, a.Outcomes[0], syncproto.StatusRejected, syncproto.CodeInvalidEvent)
}

func wantCode(t *testing.T, err error, code string) *server.Error {
	t.Helper()
	var e *server.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("error = %v, want code %s", err, code)
	}
	return e
}

func testSequenceGap(t *testing.T, l *server.Ledger) {
	d := Enroll(t, l, "h1", "W1")
	e1 := d.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 10)
	e2 := d.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 10)
	e3 := d.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 10)
	push(t, l, d, e1)
	_, err := l.Push(ctx, d.ID, []syncproto.Event{e3})
	if e := wantCode(t, err, server.ESequenceGap); e.ExpectedSeq != 2 {
		t.Fatalf("expected_seq = %d, want 2", e.ExpectedSeq)
	}
	// A gap in the middle of a push applies nothing from it.
	e4 := d.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 10)
	_, err = l.Push(ctx, d.ID, []syncproto.Event{e2, e4})
	wantCode(t, err, server.ESequenceGap)
	if got := stock(t, l, "W1", "DOCK", "SKU1"); got != 10 {
		t.Fatalf("DOCK = %d after refused pushes, want 10", got)
	}
	a := push(t, l, d, e2, e3, e4)
	if a.AckedThrough != 4 {
		t.Fatalf("acked_through = %d, want 4", a.AckedThrough)
	}
}

func testDeviceConflict(t *testing.T, l *server.Ledger) {
	d := Enroll(t, l, "h1", "W1")
	push(t, l, d, d.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 10), d.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 1))
	// A copy of the device's database made after seq 1 goes on from there.
	clone := *d
	clone.Seq = 1
	_, err := l.Push(ctx, d.ID, []syncproto.Event{clone.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 7)})
	wantCode(t, err, server.EDeviceConflict)
	if got := stock(t, l, "W1", "DOCK", "SKU1"); got != 11 {
		t.Fatalf("DOCK = %d, want 11", got)
	}
	// A database restored from before seq 2 says so in its hello.
	h := clone.Hello()
	h.LastSeq = 1
	_, _, err = l.Hello(ctx, h)
	wantCode(t, err, server.EResetRequired)
}

func testParkBelowZero(t *testing.T, l *server.Ledger) {
	a, b := Enroll(t, l, "h1", "W1"), Enroll(t, l, "h2", "W1")
	push(t, l, a, a.Event(syncproto.KindReceive, "SKU1", "", "A-01", 3))
	// Both devices pick the last units offline.
	pa := push(t, l, a, a.Event(syncproto.KindPick, "SKU1", "A-01", "", 2))
	pb := push(t, l, b, b.Event(syncproto.KindPick, "SKU1", "A-01", "", 2), b.Event(syncproto.KindPick, "SKU1", "A-01", "", 1))
	wantStatus(t, pa.Outcomes[0], syncproto.StatusApplied, "")
	wantStatus(t, pb.Outcomes[0], syncproto.StatusParked, syncproto.CodeInsufficientStock)
	wantStatus(t, pb.Outcomes[1], syncproto.StatusApplied, "") // a parked event does not block the queue
	if pb.AckedThrough != 2 {
		t.Fatalf("acked_through = %d, want 2", pb.AckedThrough)
	}
	if got := stock(t, l, "W1", "A-01", "SKU1"); got != 0 {
		t.Fatalf("A-01 = %d, want 0", got)
	}
	parked, err := l.Events(ctx, 0, syncproto.StatusParked)
	if err != nil || len(parked) != 1 || parked[0].Event.ID != pb.Outcomes[0].ID || parked[0].Outcome.Reason == "" {
		t.Fatalf("parked = %+v, %v", parked, err)
	}
	// Pushing the parked event again returns the same outcome.
	again, err := l.Push(ctx, b.ID, []syncproto.Event{parked[0].Event})
	if err != nil || again.Outcomes[0] != pb.Outcomes[0] {
		t.Fatalf("repush parked: %+v, %v", again, err)
	}
}

func testMoveIsAtomic(t *testing.T, l *server.Ledger) {
	d := Enroll(t, l, "h1", "W1")
	push(t, l, d, d.Event(syncproto.KindReceive, "SKU1", "", "A-01", 5))
	a := push(t, l, d, d.Event(syncproto.KindMove, "SKU1", "A-01", "B-01", 6), d.Event(syncproto.KindMove, "SKU1", "A-01", "B-01", 5),
		d.Event(syncproto.KindDamage, "SKU1", "B-01", "QUAR", 1))
	wantStatus(t, a.Outcomes[0], syncproto.StatusParked, syncproto.CodeInsufficientStock)
	wantStatus(t, a.Outcomes[1], syncproto.StatusApplied, "")
	wantStatus(t, a.Outcomes[2], syncproto.StatusApplied, "")
	for loc, want := range map[string]int64{"A-01": 0, "B-01": 4, "QUAR": 1} {
		if got := stock(t, l, "W1", loc, "SKU1"); got != want {
			t.Fatalf("%s = %d, want %d", loc, got, want)
		}
	}
}

func testInvalidEvent(t *testing.T, l *server.Ledger) {
	d := Enroll(t, l, "h1", "W1")
	bad := d.Event(syncproto.KindPick, "SKU1", "", "", 1) // no from
	other := d.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 1)
	other.DeviceID = "someone-else"
	other.Seal()
	good := d.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 2)
	a := push(t, l, d, bad, other, good)
	wantStatus(t, a.Outcomes[0], syncproto.StatusRejected, syncproto.CodeInvalidEvent)
	wantStatus(t, a.Outcomes[1], syncproto.StatusRejected, syncproto.CodeWrongDevice)
	wantStatus(t, a.Outcomes[2], syncproto.StatusApplied, "")
	if got := stock(t, l, "W1", "DOCK", "SKU1"); got != 2 {
		t.Fatalf("DOCK = %d, want 2", got)
	}
	rejected, err := l.Events(ctx, 0, syncproto.StatusRejected)
	if err != nil || len(rejected) != 2 {
		t.Fatalf("rejected = %d, %v", len(rejected), err)
	}
}

func testCount(t *testing.T, l *server.Ledger) {
	counter, picker := Enroll(t, l, "counter", "W1"), Enroll(t, l, "picker", "W1")
	push(t, l, picker, picker.Event(syncproto.KindReceive, "SKU1", "", "A-01", 10))
	ch, err := l.Pull(ctx, counter.ID, &syncproto.Pull{})
	if err != nil {
		t.Fatal(err)
	}
	counter.Seen = ch.Cursor // the counter saw 10 at A-01
	at := func(ev syncproto.Event, minute int) syncproto.Event {
		ev.DeviceTime = time.Date(2026, 11, 29, 12, minute, 0, 0, time.UTC)
		ev.Seal()
		return ev
	}
	// Picks land in the bin while the counter counts: one before the
	// count (the counter saw it happen and counted 7), one after (pushed
	// first all the same). Neither makes a false variance.
	push(t, l, picker, at(picker.Event(syncproto.KindPick, "SKU1", "A-01", "", 3), 0))
	push(t, l, picker, at(picker.Event(syncproto.KindPick, "SKU1", "A-01", "", 2), 10))
	a := push(t, l, counter, at(counter.Event(syncproto.KindCount, "SKU1", "A-01", "", 7), 5))
	wantStatus(t, a.Outcomes[0], syncproto.StatusApplied, "")
	if got := stock(t, l, "W1", "A-01", "SKU1"); got != 5 {
		t.Fatalf("A-01 = %d, want 5: an exact count changes nothing", got)
	}
	// A real shortfall is parked with exactly the variance.
	a = push(t, l, counter, at(counter.Event(syncproto.KindCount, "SKU1", "A-01", "", 2), 20))
	wantStatus(t, a.Outcomes[0], syncproto.StatusParked, syncproto.CodeCountVariance)
	if want := "variance -3"; !contains(a.Outcomes[0].Reason, want) {
		t.Fatalf("reason %q does not say %q", a.Outcomes[0].Reason, want)
	}
	if got := stock(t, l, "W1", "A-01", "SKU1"); got != 5 {
		t.Fatalf("A-01 = %d, want 5: a parked count must not change stock", got)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func testPullPages(t *testing.T, l *server.Ledger) {
	d := Enroll(t, l, "h1", "W1")
	var evs []syncproto.Event
	for i := 0; i < 25; i++ {
		evs = append(evs, d.Event(syncproto.KindReceive, fmt.Sprintf("SKU%d", i%3), "", "DOCK", int64(i+1)))
	}
	push(t, l, d, evs...)
	var cursor uint64
	var entries []syncproto.Entry
	levels := map[string]int64{}
	for pages := 0; ; pages++ {
		ch, err := l.Pull(ctx, d.ID, &syncproto.Pull{Cursor: cursor, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		if ch.From != cursor || len(ch.Entries) > 10 || pages > 3 {
			t.Fatalf("page %d: from %d, %d entries", pages, ch.From, len(ch.Entries))
		}
		entries = append(entries, ch.Entries...)
		for _, lv := range ch.Levels {
			levels[lv.SKU] = lv.Qty
		}
		cursor = ch.Cursor
		if !ch.More {
			break
		}
	}
	if len(entries) != 25 {
		t.Fatalf("pulled %d entries, want 25", len(entries))
	}
	sums := map[string]int64{}
	for i, e := range entries {
		if i > 0 && e.Position <= entries[i-1].Position {
			t.Fatalf("positions not increasing at %d", i)
		}
		sums[e.SKU] += e.Delta
		if e.Balance != sums[e.SKU] {
			t.Fatalf("entry %d balance %d, running sum %d", i, e.Balance, sums[e.SKU])
		}
	}
	for sku, n := range sums {
		if levels[sku] != n || stock(t, l, "W1", "DOCK", sku) != n {
			t.Fatalf("%s: levels %d, stock %d, sum of deltas %d", sku, levels[sku], stock(t, l, "W1", "DOCK", sku), n)
		}
	}
	ch, err := l.Pull(ctx, d.ID, &syncproto.Pull{Cursor: cursor})
	if err != nil || len(ch.Entries) != 0 || ch.More || ch.Cursor != cursor {
		t.Fatalf("pull at head: %+v, %v", ch, err)
	}
}

func testHello(t *testing.T, l *server.Ledger) {
	d := Enroll(t, l, "h1", "W1")
	push(t, l, d, d.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 1))
	_, w, err := l.Hello(ctx, d.Hello())
	if err != nil {
		t.Fatal(err)
	}
	if w.AckedThrough != 1 || w.ExpectedSeq != 2 || w.Head == 0 || w.Warehouse != "W1" {
		t.Fatalf("welcome = %+v", w)
	}
	h := d.Hello()
	h.Protocol = 2
	_, _, err = l.Hello(ctx, h)
	wantCode(t, err, server.EVersionUnsupported)
	h = d.Hello()
	h.Token = "wrong"
	_, _, err = l.Hello(ctx, h)
	wantCode(t, err, server.EUnauthorized)
	h = d.Hello()
	h.DeviceID = "nobody"
	_, _, err = l.Hello(ctx, h)
	wantCode(t, err, server.EUnauthorized)
	if err := l.RevokeDevice(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = l.Hello(ctx, d.Hello())
	wantCode(t, err, server.EUnauthorized)
}

func testStockFilter(t *testing.T, l *server.Ledger) {
	d := Enroll(t, l, "h1", "W1")
	var evs []syncproto.Event
	for i := 0; i < 6; i++ {
		evs = append(evs, d.Event(syncproto.KindReceive, fmt.Sprintf("SKU%d", i%2), "", fmt.Sprintf("L%d", i%3), 1))
	}
	push(t, l, d, evs...)
	all, err := l.Stock(ctx, server.StockFilter{Warehouse: "W1"})
	if err != nil || len(all) != 6 {
		t.Fatalf("stock rows = %d, %v", len(all), err)
	}
	bySKU, _ := l.Stock(ctx, server.StockFilter{SKU: "SKU1"})
	if len(bySKU) != 3 {
		t.Fatalf("SKU1 rows = %d, want 3", len(bySKU))
	}
	var paged []server.StockLevel
	var after *server.StockKey
	for {
		page, err := l.Stock(ctx, server.StockFilter{Warehouse: "W1", After: after, Limit: 4})
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, page...)
		if len(page) < 4 {
			break
		}
		after = &page[len(page)-1].StockKey
	}
	if len(paged) != 6 {
		t.Fatalf("paged %d rows, want 6", len(paged))
	}
}

func testWarehouses(t *testing.T, l *server.Ledger) {
	a, b := Enroll(t, l, "a", "W1"), Enroll(t, l, "b", "W2")
	push(t, l, a, a.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 5))
	pb := push(t, l, b, b.Event(syncproto.KindPick, "SKU1", "DOCK", "", 1))
	wantStatus(t, pb.Outcomes[0], syncproto.StatusParked, syncproto.CodeInsufficientStock)
	ch, err := l.Pull(ctx, b.ID, &syncproto.Pull{})
	if err != nil || len(ch.Entries) != 0 {
		t.Fatalf("W2 device pulled %d entries of W1, %v", len(ch.Entries), err)
	}
}

// testConcurrent has eight devices push picks of the same bin at once:
// exactly the units in the bin are applied, the rest parked, stock never
// goes negative and the pulled ledger is one consistent chain.
func testConcurrent(t *testing.T, l *server.Ledger) {
	seed := Enroll(t, l, "seed", "W1")
	push(t, l, seed, seed.Event(syncproto.KindReceive, "SKU1", "", "A-01", 100))
	const devices, picks = 8, 20
	var wg sync.WaitGroup
	applied := make([]int, devices)
	errs := make(chan error, devices)
	for i := 0; i < devices; i++ {
		d := Enroll(t, l, fmt.Sprintf("picker-%d", i), "W1")
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < picks; j += 5 {
				var evs []syncproto.Event
				for k := 0; k < 5; k++ {
					evs = append(evs, d.Event(syncproto.KindPick, "SKU1", "A-01", "", 1))
				}
				ack, err := l.Push(ctx, d.ID, evs)
				if err != nil {
					errs <- err
					return
				}
				for _, o := range ack.Outcomes {
					if o.Status == syncproto.StatusApplied {
						applied[i]++
					} else if o.Code != syncproto.CodeInsufficientStock {
						errs <- fmt.Errorf("outcome %+v", o)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	total := 0
	for _, n := range applied {
		total += n
	}
	if total != 100 {
		t.Fatalf("%d picks applied, want exactly 100", total)
	}
	if got := stock(t, l, "W1", "A-01", "SKU1"); got != 0 {
		t.Fatalf("A-01 = %d, want 0", got)
	}
	ch, err := l.Pull(ctx, seed.ID, &syncproto.Pull{})
	if err != nil {
		t.Fatal(err)
	}
	var bal int64
	for i, e := range ch.Entries {
		bal += e.Delta
		if e.Balance != bal || bal < 0 {
			t.Fatalf("entry %d: balance %d, running sum %d", i, e.Balance, bal)
		}
	}
	if len(ch.Entries) != 101 {
		t.Fatalf("%d ledger entries, want 101", len(ch.Entries))
	}
}

// testGroupIsolation pushes from many devices at once, every other one
// with a sequence gap after a good event: pushes applied in the same group
// transaction as a refused one keep their events, and the refused push
// keeps none of its own (not even the good event before the gap).
func testGroupIsolation(t *testing.T, l *server.Ledger) {
	const n = 16
	var wg sync.WaitGroup
	devs := make([]*Device, n)
	errs := make([]error, n)
	for i := range devs {
		devs[i] = Enroll(t, l, fmt.Sprintf("d%d", i), "W1")
	}
	for i, d := range devs {
		evs := []syncproto.Event{d.Event(syncproto.KindReceive, "SKU1", "", fmt.Sprintf("L%d", i), 5)}
		if i%2 == 1 {
			d.Seq++ // skip a sequence
			evs = append(evs, d.Event(syncproto.KindReceive, "SKU1", "", fmt.Sprintf("L%d", i), 7))
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = l.Push(ctx, d.ID, evs)
		}()
	}
	wg.Wait()
	for i, d := range devs {
		got := stock(t, l, "W1", fmt.Sprintf("L%d", i), "SKU1")
		if i%2 == 1 {
			wantCode(t, errs[i], server.ESequenceGap)
			if got != 0 {
				t.Fatalf("refused push of device %d left %d in stock", i, got)
			}
		} else {
			if errs[i] != nil || got != 5 {
				t.Fatalf("device %d: %v, stock %d", i, errs[i], got)
			}
		}
		dev, err := l.Device(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := uint64(1 - i%2); dev.AckedThrough != want {
			t.Fatalf("device %d acked_through %d, want %d", i, dev.AckedThrough, want)
		}
	}
}

// gatedStore holds Updates until its gate closes, so the pushes started
// meanwhile wait for one group commit together.
type gatedStore struct {
	server.Store
	gate chan struct{} // nil: not armed
}

func (g *gatedStore) Update(ctx context.Context, fn func(context.Context, server.Tx) error) error {
	if g.gate != nil {
		<-g.gate
	}
	return g.Store.Update(ctx, fn)
}

// testGroupSeesItsOwnWrites: one group commit holds several pushes of a
// device (a resend among them), another device's event reusing an event
// ID taken earlier in the group, and a push refused in the middle (its
// savepoint rolls back). What the group wrote must be seen by the pushes
// after it in the group (stores may answer device and event lookups from
// what they read ahead for the group, as SQLite's does), and what a
// refused push wrote must not.
func testGroupSeesItsOwnWrites(t *testing.T, st server.Store) {
	gs := &gatedStore{Store: st}
	l := server.NewLedger(gs)
	a, b, c := Enroll(t, l, "a", "W1"), Enroll(t, l, "b", "W1"), Enroll(t, l, "c", "W1")
	gs.gate = make(chan struct{})
	// c's push leads a group that waits at the gate; the rest queue for
	// the next group, together.
	first := l.StartPush(ctx, c.ID, []syncproto.Event{c.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 1)})
	e1 := a.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 3)
	taken := b.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 100)
	taken.ID = e1.ID
	taken.Seal()
	c2 := c.Event(syncproto.KindReceive, "SKU1", "", "DOCK2", 7) // a new stock key
	gapped := c.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 1000)
	gapped.Seq += 5
	gapped.Seal()
	e2 := a.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 4)
	b2 := b.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 5)
	waits := []func() (*syncproto.Ack, error){
		l.StartPush(ctx, a.ID, []syncproto.Event{e1}),
		l.StartPush(ctx, b.ID, []syncproto.Event{taken}),
		l.StartPush(ctx, a.ID, []syncproto.Event{e1, e2}),     // e1 again: a resend
		l.StartPush(ctx, c.ID, []syncproto.Event{c2, gapped}), // refused whole
		l.StartPush(ctx, b.ID, []syncproto.Event{b2}),
		l.StartPush(ctx, c.ID, []syncproto.Event{c2}), // c2 is new again
	}
	close(gs.gate) // from now on every Update passes
	if _, err := first(); err != nil {
		t.Fatal(err)
	}
	acks := make([]*syncproto.Ack, len(waits))
	errs := make([]error, len(waits))
	for i, w := range waits {
		acks[i], errs[i] = w()
	}
	for i, err := range errs {
		if i != 3 && err != nil {
			t.Fatalf("push %d: %v", i, err)
		}
	}
	wantStatus(t, acks[0].Outcomes[0], syncproto.StatusApplied, "")
	wantStatus(t, acks[1].Outcomes[0], syncproto.StatusRejected, syncproto.CodeHashMismatch)
	if acks[2].Outcomes[0] != acks[0].Outcomes[0] {
		t.Fatalf("resend of e1 in the same group: %+v, first %+v", acks[2].Outcomes[0], acks[0].Outcomes[0])
	}
	wantStatus(t, acks[2].Outcomes[1], syncproto.StatusApplied, "")
	wantCode(t, errs[3], server.ESequenceGap)
	wantStatus(t, acks[4].Outcomes[0], syncproto.StatusApplied, "")
	wantStatus(t, acks[5].Outcomes[0], syncproto.StatusApplied, "")
	if got := stock(t, l, "W1", "DOCK", "SKU1"); got != 1+3+4+5 {
		t.Fatalf("DOCK holds %d, want %d", got, 1+3+4+5)
	}
	if got := stock(t, l, "W1", "DOCK2", "SKU1"); got != 7 {
		t.Fatalf("DOCK2 holds %d, want 7", got)
	}
	for _, want := range []struct {
		d     *Device
		acked uint64
	}{{a, 2}, {b, 2}, {c, 2}} {
		dev, err := l.Device(ctx, want.d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if dev.AckedThrough != want.acked {
			t.Fatalf("device %s acked through %d, want %d", want.d.ID, dev.AckedThrough, want.acked)
		}
	}
	// The event under the taken ID is held under b's sequence only; e1
	// keeps a's.
	got, err := l.DeviceEvents(ctx, b.ID, 0, 0)
	if err != nil || len(got) != 2 || got[0].Outcome.Code != syncproto.CodeHashMismatch {
		t.Fatalf("b's events: %+v, %v", got, err)
	}
}
