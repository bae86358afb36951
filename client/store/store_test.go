package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/client/store/storetest"
	"github.com/driftless/driftless/syncproto"
)

var ctx = context.Background()

func receive(sku string, qty int64, to string) store.Scan {
	return store.Scan{User: "ann", Kind: syncproto.KindReceive, SKU: sku, To: to, Qty: qty, Ref: "PO-1"}
}

func mustRecord(t *testing.T, s *store.Store, sc store.Scan) syncproto.Event {
	t.Helper()
	ev, err := s.Record(ctx, sc)
	if err != nil {
		t.Fatalf("record: %v", err)
	}
	return ev
}

func mustState(t *testing.T, s *store.Store) store.State {
	t.Helper()
	st, err := s.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func wantStock(t *testing.T, s *store.Store, loc, sku, lot string, want int64) {
	t.Helper()
	got, err := s.Stock(ctx, loc, sku, lot)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("stock %s/%s/%s = %d, want %d", loc, sku, lot, got, want)
	}
}

func TestMigrationsRecordVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.db")
	storetest.MustOpenPath(t, path).Close()
	storetest.MustOpenPath(t, path) // a second Open finds nothing to apply
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	if err := db.QueryRow(`SELECT MAX(version_id) FROM goose_db_version WHERE is_applied`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	if v < 1 {
		t.Fatalf("schema version %d, want ≥ 1", v)
	}
}

func TestRecordWritesEventAndViewTogether(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 123, time.FixedZone("x", 3600))
	s := storetest.Enrolled(t, store.Identity{}, store.WithNow(func() time.Time { return now }))
	ev := mustRecord(t, s, store.Scan{User: "ann", Kind: syncproto.KindReceive, SKU: "SKU1", Lot: "L1", To: "DOCK", Qty: 12})
	if ev.Seq != 1 || ev.DeviceID != storetest.Identity.DeviceID || ev.SeenPosition != 0 {
		t.Errorf("event = %+v", ev)
	}
	if !ev.DeviceTime.Equal(now) || ev.DeviceTime.Location() != time.UTC {
		t.Errorf("device time %v, want %v in UTC", ev.DeviceTime, now)
	}
	if err := ev.Validate(); err != nil {
		t.Errorf("recorded event does not validate: %v", err)
	}
	wantStock(t, s, "DOCK", "SKU1", "L1", 12)

	ev2 := mustRecord(t, s, store.Scan{User: "ann", Kind: syncproto.KindMove, SKU: "SKU1", Lot: "L1", From: "DOCK", To: "B-01", Qty: 5})
	wantStock(t, s, "DOCK", "SKU1", "L1", 7)
	wantStock(t, s, "B-01", "SKU1", "L1", 5)
	// A count changes nothing in the view.
	mustRecord(t, s, store.Scan{User: "ann", Kind: syncproto.KindCount, SKU: "SKU1", Lot: "L1", From: "B-01", Qty: 99})
	wantStock(t, s, "B-01", "SKU1", "L1", 5)

	evs, err := s.Unacked(ctx, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 3 || evs[0].ID != ev.ID || evs[1].ID != ev2.ID || evs[2].Seq != 3 {
		t.Fatalf("unacked = %+v", evs)
	}
	if !reflect.DeepEqual(evs[1], ev2) {
		t.Errorf("outbox row %+v differs from the recorded event %+v", evs[1], ev2)
	}
	st := mustState(t, s)
	if st.LastSeq != 3 || st.Unacked != 3 || !st.OldestUnacked.Equal(now) {
		t.Errorf("state = %+v", st)
	}
}

func TestInvalidScanWritesNothing(t *testing.T) {
	s := storetest.Enrolled(t, store.Identity{})
	mustRecord(t, s, receive("A", 3, "DOCK"))
	for name, sc := range map[string]store.Scan{
		"unknown kind":    {Kind: "steal", SKU: "A", From: "DOCK", Qty: 1},
		"no sku":          {Kind: syncproto.KindReceive, To: "DOCK", Qty: 1},
		"zero qty":        {Kind: syncproto.KindPick, SKU: "A", From: "DOCK"},
		"move in place":   {Kind: syncproto.KindMove, SKU: "A", From: "DOCK", To: "DOCK", Qty: 1},
		"damage, reason":  {Kind: syncproto.KindDamage, SKU: "A", From: "DOCK", Qty: 1},
		"pick, no from":   {Kind: syncproto.KindPick, SKU: "A", Qty: 1},
		"oversized event": {Kind: syncproto.KindReceive, SKU: "A", To: "DOCK", Qty: 1, Ref: string(make([]byte, store.MaxEventBytes))},
	} {
		if _, err := s.Record(ctx, sc); !errors.Is(err, store.ErrInvalidScan) {
			t.Errorf("%s: err = %v, want ErrInvalidScan", name, err)
		}
	}
	st := mustState(t, s)
	if st.LastSeq != 1 || st.Unacked != 1 {
		t.Errorf("state after invalid scans = %+v, want last_seq 1", st)
	}
	lv, err := s.StockLevels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(lv) != 1 || lv[0].Qty != 3 {
		t.Errorf("view after invalid scans = %+v", lv)
	}
	if ev := mustRecord(t, s, receive("A", 1, "DOCK")); ev.Seq != 2 {
		t.Errorf("next seq = %d, want 2 (no gap after failed records)", ev.Seq)
	}
}

func TestRecordNeedsEnrollment(t *testing.T) {
	s := storetest.MustOpen(t)
	if _, err := s.Record(ctx, receive("A", 1, "DOCK")); !errors.Is(err, store.ErrNotEnrolled) {
		t.Fatalf("err = %v, want ErrNotEnrolled", err)
	}
	if _, err := s.Identity(ctx); !errors.Is(err, store.ErrNotEnrolled) {
		t.Fatalf("identity err = %v, want ErrNotEnrolled", err)
	}
	if st := mustState(t, s); st.LastSeq != 0 {
		t.Fatalf("last_seq = %d after refused record", st.LastSeq)
	}
	if err := s.Enroll(ctx, storetest.Identity); err != nil {
		t.Fatal(err)
	}
	if ev := mustRecord(t, s, receive("A", 1, "DOCK")); ev.Seq != 1 {
		t.Fatalf("first seq = %d", ev.Seq)
	}
}

func TestEnrollIdentityChanges(t *testing.T) {
	s := storetest.MustOpen(t)
	id := storetest.Identity
	if err := s.Enroll(ctx, id); err != nil {
		t.Fatal(err)
	}
	id.DeviceID = "device-2" // allowed: no events yet
	if err := s.Enroll(ctx, id); err != nil {
		t.Fatal(err)
	}
	mustRecord(t, s, receive("A", 1, "DOCK"))
	id.Token = "rotated"
	if err := s.Enroll(ctx, id); err != nil {
		t.Fatalf("token rotation refused: %v", err)
	}
	got, err := s.Identity(ctx)
	if err != nil || got != id {
		t.Fatalf("identity = %+v, %v; want %+v", got, err, id)
	}
	for _, change := range []func(*store.Identity){
		func(i *store.Identity) { i.DeviceID = "device-3" },
		func(i *store.Identity) { i.Warehouse = "W2" },
	} {
		bad := id
		change(&bad)
		if err := s.Enroll(ctx, bad); !errors.Is(err, store.ErrIdentityChange) {
			t.Errorf("enroll %+v: err = %v, want ErrIdentityChange", bad, err)
		}
	}
	if got, _ := s.Identity(ctx); got != id {
		t.Errorf("identity changed to %+v", got)
	}
}

func TestSeqNeverReusedAcrossReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.db")
	s, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Enroll(ctx, storetest.Identity); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := 0; i < 5; i++ {
		ev := mustRecord(t, s, receive("A", 1, "DOCK"))
		ids = append(ids, ev.ID)
	}
	// Acknowledge everything: even then the outbox keeps the rows and the
	// counter keeps counting.
	ack := &syncproto.Ack{AckedThrough: 5}
	evs, _ := s.Unacked(ctx, 0, 10)
	for _, ev := range evs {
		ack.Outcomes = append(ack.Outcomes, syncproto.Outcome{ID: ev.ID, Seq: ev.Seq, Status: syncproto.StatusApplied, Position: ev.Seq})
	}
	if err := s.ApplyAck(ctx, ack); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = storetest.MustOpenPath(t, path)
	ev := mustRecord(t, s, receive("A", 1, "DOCK"))
	if ev.Seq != 6 {
		t.Fatalf("seq after reopen = %d, want 6", ev.Seq)
	}
	all, err := s.Events(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 6 {
		t.Fatalf("outbox has %d rows, want 6 (rows are never deleted)", len(all))
	}
	for i, e := range all[:5] {
		if e.ID != ids[i] || e.Seq != uint64(i+1) {
			t.Errorf("row %d = %s/%d, want %s/%d", i, e.ID, e.Seq, ids[i], i+1)
		}
	}
	st := mustState(t, s)
	if st.AckedThrough != 5 || st.Unacked != 1 {
		t.Errorf("state = %+v", st)
	}
	wantStock(t, s, "DOCK", "A", "", 6) // durable across reopen
}

func TestConcurrentRecordsGetContiguousSeqs(t *testing.T) {
	s := storetest.Enrolled(t, store.Identity{})
	const workers, each = 8, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := 0; w < workers; w++ {
		wg.Go(func() {
			for i := 0; i < each; i++ {
				if _, err := s.Record(ctx, receive("A", 1, "DOCK")); err != nil {
					errs <- err
				}
				if _, err := s.State(ctx); err != nil { // readers run beside writers
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	evs, err := s.Events(ctx, 0, workers*each+10)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != workers*each {
		t.Fatalf("%d events, want %d", len(evs), workers*each)
	}
	seen := map[string]bool{}
	for i, ev := range evs {
		if ev.Seq != uint64(i+1) {
			t.Fatalf("event %d has seq %d", i, ev.Seq)
		}
		if seen[ev.ID] {
			t.Fatalf("duplicate ID %s", ev.ID)
		}
		seen[ev.ID] = true
	}
	wantStock(t, s, "DOCK", "A", "", workers*each)
}

// page builds a changes page of entries after from.
func page(from uint64, entries ...syncproto.Entry) *syncproto.Changes {
	ch := &syncproto.Changes{From: from, Cursor: from, Entries: entries}
	for _, e := range entries {
		ch.Cursor = e.Position
	}
	return ch
}

func entry(pos uint64, ev syncproto.Event, loc string, delta, balance int64) syncproto.Entry {
	return syncproto.Entry{Position: pos, EventID: ev.ID, DeviceID: ev.DeviceID, Kind: ev.Kind, Location: loc, SKU: ev.SKU, Lot: ev.Lot, Delta: delta, Balance: balance}
}

func applied(ev syncproto.Event, pos uint64) syncproto.Outcome {
	return syncproto.Outcome{ID: ev.ID, Seq: ev.Seq, Status: syncproto.StatusApplied, Position: pos}
}

func TestOwnEventPulledReplacesPendingDelta(t *testing.T) {
	for _, ackFirst := range []bool{true, false} {
		s := storetest.Enrolled(t, store.Identity{})
		ev := mustRecord(t, s, receive("A", 10, "DOCK"))
		wantStock(t, s, "DOCK", "A", "", 10)
		// Another device received 4 first (position 1); ours is position 2.
		other := syncproto.Event{ID: "other-1", DeviceID: "device-9", Kind: syncproto.KindReceive, SKU: "A"}
		ack := &syncproto.Ack{Outcomes: []syncproto.Outcome{applied(ev, 2)}, AckedThrough: 1}
		if ackFirst {
			if err := s.ApplyAck(ctx, ack); err != nil {
				t.Fatal(err)
			}
			wantStock(t, s, "DOCK", "A", "", 10) // applied but not yet pulled: still pending, no flicker
		}
		if err := s.ApplyChanges(ctx, page(0, entry(1, other, "DOCK", 4, 4))); err != nil {
			t.Fatal(err)
		}
		wantStock(t, s, "DOCK", "A", "", 14) // server 4 + pending 10
		if err := s.ApplyChanges(ctx, page(1, entry(2, ev, "DOCK", 10, 14))); err != nil {
			t.Fatal(err)
		}
		wantStock(t, s, "DOCK", "A", "", 14) // server 14 + pending 0
		if !ackFirst {
			if err := s.ApplyAck(ctx, ack); err != nil {
				t.Fatal(err)
			}
		}
		wantStock(t, s, "DOCK", "A", "", 14)
		view, _ := s.StockLevels(ctx)
		server, _ := s.ServerLevels(ctx)
		if !reflect.DeepEqual(view, server) {
			t.Errorf("ackFirst=%v: view %+v differs from server %+v with nothing pending", ackFirst, view, server)
		}
		if st := mustState(t, s); st.Cursor != 2 || st.AckedThrough != 1 || st.Unacked != 0 {
			t.Errorf("ackFirst=%v: state = %+v", ackFirst, st)
		}
	}
}

func TestMovePulledAcrossTwoPages(t *testing.T) {
	s := storetest.Enrolled(t, store.Identity{})
	rcv := mustRecord(t, s, receive("A", 10, "DOCK"))
	mv := mustRecord(t, s, store.Scan{Kind: syncproto.KindMove, SKU: "A", From: "DOCK", To: "B1", Qty: 3})
	wantStock(t, s, "DOCK", "A", "", 7)
	wantStock(t, s, "B1", "A", "", 3)
	// The page boundary falls between the move's two entries.
	if err := s.ApplyChanges(ctx, page(0, entry(1, rcv, "DOCK", 10, 10), entry(2, mv, "DOCK", -3, 7))); err != nil {
		t.Fatal(err)
	}
	wantStock(t, s, "DOCK", "A", "", 7)
	wantStock(t, s, "B1", "A", "", 3) // still pending
	if err := s.ApplyChanges(ctx, page(2, entry(3, mv, "B1", 3, 3))); err != nil {
		t.Fatal(err)
	}
	wantStock(t, s, "DOCK", "A", "", 7)
	wantStock(t, s, "B1", "A", "", 3)
	view, _ := s.StockLevels(ctx)
	server, _ := s.ServerLevels(ctx)
	if !reflect.DeepEqual(view, server) {
		t.Errorf("view %+v != server %+v", view, server)
	}
}

func TestDamageInPlaceKeepsBothPendingDeltas(t *testing.T) {
	s := storetest.Enrolled(t, store.Identity{})
	ev := mustRecord(t, s, store.Scan{Kind: syncproto.KindDamage, SKU: "A", From: "Q", To: "Q", Qty: 2, Reason: "crushed"})
	wantStock(t, s, "Q", "A", "", 0)
	if err := s.ApplyChanges(ctx, page(0, entry(1, ev, "Q", -2, -2))); err != nil {
		t.Fatal(err)
	}
	wantStock(t, s, "Q", "A", "", 0) // server −2, pending +2
	if err := s.ApplyChanges(ctx, page(1, entry(2, ev, "Q", 2, 0))); err != nil {
		t.Fatal(err)
	}
	wantStock(t, s, "Q", "A", "", 0)
}

func TestParkedAndRejectedRevertTheView(t *testing.T) {
	s := storetest.Enrolled(t, store.Identity{})
	rcv := mustRecord(t, s, receive("A", 5, "DOCK"))
	pick := mustRecord(t, s, store.Scan{Kind: syncproto.KindPick, SKU: "A", From: "DOCK", Qty: 8})
	mv := mustRecord(t, s, store.Scan{Kind: syncproto.KindMove, SKU: "A", From: "DOCK", To: "B1", Qty: 1})
	wantStock(t, s, "DOCK", "A", "", -4)
	ack := &syncproto.Ack{AckedThrough: 3, Outcomes: []syncproto.Outcome{
		applied(rcv, 1),
		{ID: pick.ID, Seq: pick.Seq, Status: syncproto.StatusParked, Code: syncproto.CodeInsufficientStock, Reason: "only 5 at DOCK"},
		{ID: mv.ID, Seq: mv.Seq, Status: syncproto.StatusRejected, Code: syncproto.CodeInvalidEvent},
	}}
	for i := 0; i < 2; i++ { // the same ack twice changes nothing more
		if err := s.ApplyAck(ctx, ack); err != nil {
			t.Fatal(err)
		}
		wantStock(t, s, "DOCK", "A", "", 5)
		wantStock(t, s, "B1", "A", "", 0)
	}
	lv, _ := s.StockLevels(ctx)
	if len(lv) != 1 {
		t.Errorf("view keeps keys nothing backs: %+v", lv)
	}
	st := mustState(t, s)
	if st.AckedThrough != 3 || st.Unacked != 0 || st.Attention != 2 {
		t.Errorf("state = %+v", st)
	}
	att, err := s.Outcomes(ctx, syncproto.StatusParked, syncproto.StatusRejected)
	if err != nil {
		t.Fatal(err)
	}
	if len(att) != 2 || att[0].Event.ID != pick.ID || att[0].Outcome.Code != syncproto.CodeInsufficientStock ||
		att[0].Outcome.Reason != "only 5 at DOCK" || att[1].Outcome.Status != syncproto.StatusRejected || att[0].AckedAt.IsZero() {
		t.Errorf("attention list = %+v", att)
	}
	if err := s.Dismiss(ctx, pick.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Dismiss(ctx, rcv.ID); err == nil {
		t.Error("dismissed an applied event")
	}
	if st := mustState(t, s); st.Attention != 1 {
		t.Errorf("attention after dismiss = %d, want 1", st.Attention)
	}
	all, _ := s.Outcomes(ctx)
	if len(all) != 3 || all[0].Outcome.Status != syncproto.StatusApplied {
		t.Errorf("all outcomes = %+v", all)
	}
}

func TestRepeatedPageIsHarmless(t *testing.T) {
	s := storetest.Enrolled(t, store.Identity{})
	other := syncproto.Event{ID: "o1", DeviceID: "device-9", Kind: syncproto.KindReceive, SKU: "A"}
	p1 := page(0, entry(1, other, "DOCK", 4, 4), entry(2, other, "B1", 6, 6))
	p1.Levels = []syncproto.Level{{Location: "DOCK", SKU: "A", Qty: 4, Position: 1}, {Location: "B1", SKU: "A", Qty: 6, Position: 2}}
	p2 := page(2, entry(3, other, "DOCK", -1, 3))
	for _, p := range []*syncproto.Changes{p1, p2, p1, p2, page(1, entry(2, other, "B1", 6, 6), entry(3, other, "DOCK", -1, 3))} {
		if err := s.ApplyChanges(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	wantStock(t, s, "DOCK", "A", "", 3)
	wantStock(t, s, "B1", "A", "", 6)
	if st := mustState(t, s); st.Cursor != 3 {
		t.Errorf("cursor = %d, want 3", st.Cursor)
	}
	// A page that would skip entries is refused and changes nothing.
	if err := s.ApplyChanges(ctx, page(7, entry(8, other, "DOCK", 1, 4))); err == nil {
		t.Error("applied a page starting after the cursor")
	}
	wantStock(t, s, "DOCK", "A", "", 3)
}

func TestAckedThroughWaitsForOutcomes(t *testing.T) {
	s := storetest.Enrolled(t, store.Identity{})
	var evs []syncproto.Event
	for i := 0; i < 4; i++ {
		evs = append(evs, mustRecord(t, s, receive("A", 1, "DOCK")))
	}
	// The server holds all four (an earlier session's ack was lost) but
	// this ack carries outcomes for the first two only.
	if err := s.ApplyAck(ctx, &syncproto.Ack{AckedThrough: 4, Outcomes: []syncproto.Outcome{applied(evs[0], 1), applied(evs[1], 2)}}); err != nil {
		t.Fatal(err)
	}
	if st := mustState(t, s); st.AckedThrough != 2 {
		t.Fatalf("acked_through = %d, want 2 (outcomes of 3 and 4 unknown)", st.AckedThrough)
	}
	un, _ := s.Unacked(ctx, 0, 10)
	if len(un) != 2 || un[0].Seq != 3 {
		t.Fatalf("unacked = %+v", un)
	}
	if err := s.ApplyAck(ctx, &syncproto.Ack{AckedThrough: 4, Outcomes: []syncproto.Outcome{applied(evs[2], 3), applied(evs[3], 4)}}); err != nil {
		t.Fatal(err)
	}
	if st := mustState(t, s); st.AckedThrough != 4 || st.Unacked != 0 {
		t.Fatalf("state = %+v", st)
	}
	// acked_through never goes back, and unknown events are refused.
	if err := s.ApplyAck(ctx, &syncproto.Ack{AckedThrough: 1}); err != nil {
		t.Fatal(err)
	}
	if err := s.ApplyAck(ctx, &syncproto.Ack{Outcomes: []syncproto.Outcome{{ID: "nope", Seq: 9, Status: syncproto.StatusApplied}}}); err == nil {
		t.Error("ack of an unknown event accepted")
	}
	if st := mustState(t, s); st.AckedThrough != 4 {
		t.Fatalf("acked_through = %d, want 4", st.AckedThrough)
	}
	un, _ = s.Unacked(ctx, 0, 10)
	all, _ := s.Events(ctx, 1, 10)
	if len(un) != 0 || len(all) != 3 {
		t.Errorf("unacked %d (want 0), events after 1: %d (want 3)", len(un), len(all))
	}
}

func TestAppliedEventPulledUnderAnotherKeyStillClears(t *testing.T) {
	s := storetest.Enrolled(t, store.Identity{})
	ev := mustRecord(t, s, receive("A", 10, "dock"))
	if err := s.ApplyAck(ctx, &syncproto.Ack{AckedThrough: 1, Outcomes: []syncproto.Outcome{applied(ev, 1)}}); err != nil {
		t.Fatal(err)
	}
	// The server spelled the location differently; the pending delta must
	// not linger once the cursor passes the event's position.
	if err := s.ApplyChanges(ctx, page(0, entry(1, ev, "DOCK", 10, 10))); err != nil {
		t.Fatal(err)
	}
	wantStock(t, s, "dock", "A", "", 0)
	wantStock(t, s, "DOCK", "A", "", 10)
}

func TestResetPulledKeepsPendingDeltas(t *testing.T) {
	s := storetest.Enrolled(t, store.Identity{})
	pulled := mustRecord(t, s, receive("A", 10, "DOCK"))
	other := syncproto.Event{ID: "o1", DeviceID: "device-9", Kind: syncproto.KindReceive, SKU: "A"}
	if err := s.ApplyChanges(ctx, page(0, entry(1, other, "DOCK", 5, 5), entry(2, pulled, "DOCK", 10, 15))); err != nil {
		t.Fatal(err)
	}
	mustRecord(t, s, receive("A", 3, "DOCK")) // still pending
	wantStock(t, s, "DOCK", "A", "", 18)
	if err := s.ResetPulled(ctx); err != nil {
		t.Fatal(err)
	}
	wantStock(t, s, "DOCK", "A", "", 3)
	if st := mustState(t, s); st.Cursor != 0 {
		t.Fatalf("cursor %d after reset", st.Cursor)
	}
	// The restored server restates the balance (it holds 15 again).
	if err := s.ApplyChanges(ctx, page(0, entry(1, other, "DOCK", 5, 5), entry(2, pulled, "DOCK", 10, 15))); err != nil {
		t.Fatal(err)
	}
	wantStock(t, s, "DOCK", "A", "", 18)
}

// TestManyKeysOnePage checks the view of a page and an ack that touch more
// stock keys than one multi-row statement carries: every key ends at its
// server balance plus its pending deltas, and keys left with neither
// vanish.
func TestManyKeysOnePage(t *testing.T) {
	s := storetest.Enrolled(t, store.Identity{})
	loc := func(prefix string, i int) string { return fmt.Sprintf("%s-%03d", prefix, i) }
	var own, gone []syncproto.Event
	for i := 0; i < 300; i++ {
		own = append(own, mustRecord(t, s, receive("A", 2, loc("L", i))))
		gone = append(gone, mustRecord(t, s, receive("A", 1, loc("M", i))))
	}
	other := syncproto.Event{ID: "o1", DeviceID: "device-9", Kind: syncproto.KindReceive, SKU: "A"}
	var entries []syncproto.Entry
	for i := 0; i < 600; i++ {
		entries = append(entries, entry(uint64(i+1), other, loc("L", i), 5, 5))
	}
	if err := s.ApplyChanges(ctx, page(0, entries...)); err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{0, 249, 250, 299} {
		wantStock(t, s, loc("L", i), "A", "", 7)
	}
	for _, i := range []int{300, 500, 599} {
		wantStock(t, s, loc("L", i), "A", "", 5)
	}
	wantStock(t, s, loc("M", 299), "A", "", 1)
	ack := &syncproto.Ack{AckedThrough: 600}
	for i := range own {
		ack.Outcomes = append(ack.Outcomes,
			syncproto.Outcome{ID: own[i].ID, Seq: own[i].Seq, Status: syncproto.StatusParked, Code: syncproto.CodeInsufficientStock},
			syncproto.Outcome{ID: gone[i].ID, Seq: gone[i].Seq, Status: syncproto.StatusRejected, Code: syncproto.CodeInvalidEvent})
	}
	if err := s.ApplyAck(ctx, ack); err != nil {
		t.Fatal(err)
	}
	view, _ := s.StockLevels(ctx)
	server, _ := s.ServerLevels(ctx)
	if len(view) != 600 || len(server) != 600 {
		t.Fatalf("view has %d keys, server %d, want 600 each", len(view), len(server))
	}
	for i := range view {
		if view[i].Qty != server[i].Qty || view[i].Location != server[i].Location {
			t.Fatalf("view %+v != server %+v", view[i], server[i])
		}
	}
}
