package storetest

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/syncproto"
)

// RunConflicts runs the suite of issue 7's conflicts: the parked queue and
// its evidence, supervisors' decisions and their delivery in pulls, and
// transfers through transit.
func RunConflicts(t *testing.T, open CatalogOpener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, c *server.Catalog, l *server.Ledger)
	}{
		{"ParkedQueueEvidence", testParkedEvidence},
		{"AcceptAdjustsAndApplies", testAccept},
		{"CancelAndDeliveryInPages", testCancelAndPages},
		{"TransfersThroughTransit", testTransfers},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					mf, ok := r.(mustFail)
					if !ok {
						panic(r)
					}
					t.Fatalf("%s:%d: %v", mf.file, mf.line, mf.err)
				}
			}()
			st := open(t)
			AddTester(t, st)
			l := server.NewLedger(st)
			tc.fn(t, server.NewCatalog(st, l), l)
		})
	}
	t.Run("FeedPagesMatchStore", func(t *testing.T) { testFeedPages(t, open(t)) })
}

// testFeedPages checks that pages cut from the ledger's in-memory feed
// equal pages read from the store, entries and decisions alike, at every
// cursor and page size, through the default feed (brought up to date by
// the announced heads), a feed of four entries (most cursors older than
// it, read four at a time, and its only news the recheck: its ledger
// hears no announcements), and none. feedNeverHeard is the regression
// test of a feed that stopped after its first read of a ledger longer
// than one read: with no head announced (a syncd just restarted, with a
// device pulling its backlog) it ended the device's pull run there.
func testFeedPages(t *testing.T, st server.CatalogStore) {
	AddTester(t, st)
	l := server.NewLedger(st)
	var tick time.Time
	clock := func() time.Time { tick = tick.Add(2 * time.Second); return tick }
	tiny := server.NewLedger(st, server.WithFeed(4), server.WithClock(clock))
	feedNeverHeard := server.NewLedger(st, server.WithFeed(4))
	plain := server.NewLedger(st, server.WithFeed(0))
	seedCatalog(t, server.NewCatalog(st, l))
	d1, d2 := Enroll(t, l, "h1", "W1"), Enroll(t, l, "h2", "W1")
	late := race(t, l, d1, d2)
	// The feeds start here, in the middle of the ledger.
	pull(t, l, d1, head(t, l, d1), 0, true)
	pull(t, tiny, d1, head(t, l, d1), 0, true)
	big := d1.Event(syncproto.KindMove, "A", "BIN-1", "DOCK", 10)
	wantStatus(t, push(t, l, d1, big).Outcomes[0], syncproto.StatusParked, syncproto.CodeInsufficientStock)
	must(l.Resolve(ctx, late.ID, server.Decision{Status: syncproto.StatusCancelled, Reason: "picked elsewhere", By: "sup"}))
	for i := range 6 {
		push(t, l, d2, d2.Event(syncproto.KindReceive, "B", "", "DOCK", int64(i+1)))
	}
	must(l.Resolve(ctx, big.ID, server.Decision{Status: syncproto.StatusApplied, Reason: "recount", By: "sup"}))
	push(t, l, d1, d1.Event(syncproto.KindPutaway, "B", "DOCK", "BIN-1", 2))
	h := head(t, l, d1)
	for _, d := range []*Device{d1, d2} {
		for cur := uint64(0); cur <= h; cur++ {
			for _, limit := range []int{1, 2, 3, 0} {
				for _, compact := range []bool{false, true} {
					want, _ := json.Marshal(pull(t, plain, d, cur, limit, compact))
					for name, fl := range map[string]*server.Ledger{"feed": l, "tiny feed": tiny, "feed never heard": feedNeverHeard} {
						got, _ := json.Marshal(pull(t, fl, d, cur, limit, compact))
						if !bytes.Equal(got, want) {
							t.Fatalf("%s, device %s from %d, limit %d, compact %v:\n got %s\nwant %s", name, d.ID, cur, limit, compact, got, want)
						}
					}
				}
			}
		}
	}
}

// pull pulls for a device from a cursor.
func pull(t *testing.T, l *server.Ledger, d *Device, cursor uint64, limit int, compact bool) *syncproto.Changes {
	t.Helper()
	ch, err := l.Pull(ctx, d.ID, &syncproto.Pull{Cursor: cursor, Limit: limit, Compact: compact})
	if err != nil {
		t.Fatalf("pull: %v", err)
	}
	return ch
}

func head(t *testing.T, l *server.Ledger, d *Device) uint64 {
	t.Helper()
	_, w, err := l.Hello(ctx, d.Hello())
	if err != nil {
		t.Fatal(err)
	}
	return w.Head
}

// race makes d1 take 4 of the 5 A at BIN-1 and d2 take 3, both having
// seen the receipt: d2's pick parks. It returns d2's pick.
func race(t *testing.T, l *server.Ledger, d1, d2 *Device) syncproto.Event {
	t.Helper()
	in := d1.Event(syncproto.KindReceive, "A", "", "BIN-1", 5)
	pos := push(t, l, d1, in).Outcomes[0].Position
	d1.Seen, d2.Seen = pos, pos
	wantStatus(t, push(t, l, d1, d1.Event(syncproto.KindPick, "A", "BIN-1", "", 4)).Outcomes[0], syncproto.StatusApplied, "")
	late := d2.Event(syncproto.KindPick, "A", "BIN-1", "", 3)
	wantStatus(t, push(t, l, d2, late).Outcomes[0], syncproto.StatusParked, syncproto.CodeInsufficientStock)
	return late
}

func testParkedEvidence(t *testing.T, c *server.Catalog, l *server.Ledger) {
	seedCatalog(t, c)
	d1, d2 := Enroll(t, l, "h1", "W1"), Enroll(t, l, "h2", "W1")
	late := race(t, l, d1, d2)
	// A later pick by d1 is no evidence: it came after d2's parked.
	push(t, l, d1, d1.Event(syncproto.KindPick, "A", "BIN-1", "", 1))
	q := must(l.Parked(ctx, server.ParkedFilter{Warehouse: "W1"}))
	if len(q) != 1 {
		t.Fatalf("queue = %+v, want d2's pick", q)
	}
	p := q[0]
	if p.EventID != late.ID || p.Device != d2.ID || p.DeviceName != "h2" || p.Kind != "pick" || p.Location != "BIN-1" ||
		p.Qty != 3 || p.Code != syncproto.CodeInsufficientStock || p.Reason == "" || p.StockNow != 0 || p.Status != syncproto.StatusParked {
		t.Fatalf("parked event = %+v", p)
	}
	if len(p.Competing) != 1 || p.Competing[0].Device != d1.ID || p.Competing[0].Qty != -4 || p.Competing[0].Kind != "pick" ||
		p.Competing[0].User != "tester" {
		t.Fatalf("competing = %+v, want d1's pick of 4", p.Competing)
	}
	if q := must(l.Parked(ctx, server.ParkedFilter{Warehouse: "W2"})); len(q) != 0 {
		t.Fatalf("W2's queue = %+v", q)
	}
	// Parked events stay listed by status.
	if recs := must(l.Events(ctx, 0, syncproto.StatusParked)); len(recs) != 1 || recs[0].Event.ID != late.ID {
		t.Fatalf("parked events = %+v", recs)
	}
}

func testAccept(t *testing.T, c *server.Catalog, l *server.Ledger) {
	seedCatalog(t, c)
	d1, d2 := Enroll(t, l, "h1", "W1"), Enroll(t, l, "h2", "W1")
	late := race(t, l, d1, d2)
	c0 := head(t, l, d2)
	_, err := l.Resolve(ctx, late.ID, server.Decision{Status: syncproto.StatusApplied, By: "sup"})
	wantField(t, err, server.EInvalid, "reason")
	_, err = l.Resolve(ctx, late.ID, server.Decision{Status: syncproto.StatusApplied, Reason: "found", By: "sup", Warehouse: "W2"})
	wantCode(t, err, server.EForbidden)
	_, err = l.Resolve(ctx, "no-such-event", server.Decision{Status: syncproto.StatusApplied, Reason: "x", By: "sup"})
	wantCode(t, err, server.ENotFound)

	pe := must(l.Resolve(ctx, late.ID, server.Decision{Status: syncproto.StatusApplied, Reason: "2 more behind the shelf", By: "sup"}))
	if pe.Status != syncproto.StatusApplied || pe.Resolution == nil || pe.Resolution.By != "sup" || pe.Resolution.Position <= c0 {
		t.Fatalf("accepted = %+v", pe)
	}
	if n := stock(t, l, "W1", "BIN-1", "A"); n != 0 {
		t.Fatalf("stock after accepting = %d, want 1 + 2 adjusted - 3 picked = 0", n)
	}
	// The device's resend gets the event's outcome now.
	o := push(t, l, d2, late).Outcomes[0]
	if o.Status != syncproto.StatusApplied || o.Position == 0 || o.Position >= pe.Resolution.Position {
		t.Fatalf("resent after accepting: %+v", o)
	}
	// The same decision again stands; another is refused.
	h := head(t, l, d2)
	again := must(l.Resolve(ctx, late.ID, server.Decision{Status: syncproto.StatusApplied, Reason: "again", By: "sup2"}))
	if again.Resolution.Position != pe.Resolution.Position || again.Resolution.By != "sup" || head(t, l, d2) != h {
		t.Fatalf("accepting twice: %+v", again)
	}
	_, err = l.Resolve(ctx, late.ID, server.Decision{Status: syncproto.StatusCancelled, Reason: "no", By: "sup"})
	wantCode(t, err, server.EConflict)
	first := must(l.Events(ctx, 0))[0].Event.ID
	_, err = l.Resolve(ctx, first, server.Decision{Status: syncproto.StatusCancelled, Reason: "no", By: "sup"})
	wantCode(t, err, server.EConflict)

	// The pull after c0 carries the adjust, the pick and the resolution,
	// which is last: the cursor reaches it with no entry after it.
	ch := pull(t, l, d2, c0, 0, false)
	if len(ch.Entries) != 2 || ch.Entries[0].Kind != syncproto.KindAdjust || ch.Entries[0].Delta != 2 ||
		ch.Entries[0].DeviceID != server.SupervisorDeviceID("W1") || ch.Entries[1].EventID != late.ID || ch.Entries[1].Delta != -3 {
		t.Fatalf("entries after accepting = %+v", ch.Entries)
	}
	if len(ch.Resolutions) != 1 || ch.Resolutions[0].EventID != late.ID || ch.Resolutions[0].Seq != late.Seq ||
		ch.Resolutions[0].Status != syncproto.StatusApplied || ch.Resolutions[0].Reason != "2 more behind the shelf" ||
		ch.Cursor != pe.Resolution.Position || ch.Cursor != h || ch.More {
		t.Fatalf("resolutions = %+v, cursor %d, head %d", ch.Resolutions, ch.Cursor, h)
	}
	if cc := pull(t, l, d2, c0, 0, true); len(cc.Resolutions) != 1 || cc.Cursor != h || len(cc.Entries) != 1 {
		t.Fatalf("compact pull = %+v", cc)
	}
	// Another device's pull passes the decision without it.
	if o := pull(t, l, d1, c0, 0, false); len(o.Resolutions) != 0 || o.Cursor != h {
		t.Fatalf("d1's pull = %+v", o)
	}
	// Exactly once: a pull from the cursor has none.
	if again := pull(t, l, d2, ch.Cursor, 0, false); len(again.Resolutions) != 0 || len(again.Entries) != 0 || again.Cursor != h {
		t.Fatalf("pull at head = %+v", again)
	}
	if q := must(l.Parked(ctx, server.ParkedFilter{Warehouse: "W1"})); len(q) != 0 {
		t.Fatalf("the queue still holds %+v", q)
	}
	if q := must(l.Parked(ctx, server.ParkedFilter{Warehouse: "W1", Decided: true})); len(q) != 1 || q[0].Resolution == nil {
		t.Fatalf("decided = %+v", q)
	}
}

func testCancelAndPages(t *testing.T, c *server.Catalog, l *server.Ledger) {
	seedCatalog(t, c)
	d1, d2 := Enroll(t, l, "h1", "W1"), Enroll(t, l, "h2", "W1")
	late := race(t, l, d1, d2)
	c0 := head(t, l, d2)
	big := d1.Event(syncproto.KindMove, "A", "BIN-1", "DOCK", 10)
	wantStatus(t, push(t, l, d1, big).Outcomes[0], syncproto.StatusParked, syncproto.CodeInsufficientStock)

	pe := must(l.Resolve(ctx, late.ID, server.Decision{Status: syncproto.StatusCancelled, Reason: "picked elsewhere", By: "sup"}))
	if pe.Status != syncproto.StatusCancelled || stock(t, l, "W1", "BIN-1", "A") != 1 {
		t.Fatalf("cancelled = %+v", pe)
	}
	// An entry between the two decisions, then the second decision.
	push(t, l, d2, d2.Event(syncproto.KindReceive, "B", "", "DOCK", 1))
	pe2 := must(l.Resolve(ctx, big.ID, server.Decision{Status: syncproto.StatusApplied, Reason: "recount", By: "sup"}))
	if stock(t, l, "W1", "BIN-1", "A") != 0 || stock(t, l, "W1", "DOCK", "A") != 10 {
		t.Fatal("accepting the move did not move 10")
	}
	if recs := must(l.Events(ctx, 0, syncproto.StatusCancelled)); len(recs) != 1 || recs[0].Event.ID != late.ID ||
		recs[0].Outcome.Code != syncproto.CodeInsufficientStock {
		t.Fatalf("cancelled events = %+v", recs)
	}
	if o := push(t, l, d2, late).Outcomes[0]; o.Status != syncproto.StatusCancelled {
		t.Fatalf("resent after cancelling: %+v", o)
	}
	h := head(t, l, d1)
	if h != pe2.Resolution.Position {
		t.Fatalf("head %d, want the last decision's position %d", h, pe2.Resolution.Position)
	}
	// Page by page, one position at a time: each device gets its own
	// decision once, in position order, and every page advances.
	for _, d := range []*Device{d1, d2} {
		var got []syncproto.Resolution
		cur, pages := c0, 0
		for {
			ch := pull(t, l, d, cur, 1, pages%2 == 0)
			if ch.Cursor <= cur && ch.More {
				t.Fatalf("page %d did not advance from %d", pages, cur)
			}
			got = append(got, ch.Resolutions...)
			cur = ch.Cursor
			pages++
			if !ch.More {
				break
			}
		}
		want := late.ID
		if d == d1 {
			want = big.ID
		}
		if cur != h || len(got) != 1 || got[0].EventID != want {
			t.Fatalf("device %s paged to %d (head %d) with resolutions %+v", d.ID, cur, h, got)
		}
	}
}

func testTransfers(t *testing.T, c *server.Catalog, l *server.Ledger) {
	seedCatalog(t, c)
	must(c.Warehouses.Create(ctx, server.Warehouse{Code: "W3", Name: "Warehouse W3"}))
	_, err := c.CreateTransfer(ctx, server.Transfer{Number: "T-0", From: "W1", To: "W2", Lines: []server.TransferLine{{SKU: "A", Qty: 5}}})
	wantField(t, err, server.EInvalid, "from") // W1 has no transit location yet
	must(c.Locations.Create(ctx, server.Location{Warehouse: "W1", Code: "TRANSIT", Type: server.LocationTransit}))
	_, err = c.CreateTransfer(ctx, server.Transfer{Number: "T-0", From: "W1", To: "W1", Lines: []server.TransferLine{{SKU: "A", Qty: 5}}})
	wantField(t, err, server.EInvalid, "to")
	_, err = c.CreateTransfer(ctx, server.Transfer{Number: "T-0", From: "W1", To: "W2", Lines: []server.TransferLine{{SKU: "Z", Qty: 5}}})
	wantField(t, err, server.EInvalid, "lines[0].sku")
	cat0 := must(c.Head(ctx))
	tr := must(c.CreateTransfer(ctx, server.Transfer{Number: "T-1", From: "W1", To: "W2", Lines: []server.TransferLine{{SKU: "A", Qty: 5}}}))
	if tr.Status != server.TransferOpen || tr.Position <= cat0 {
		t.Fatalf("created %+v", tr)
	}
	_, err = c.CreateTransfer(ctx, tr)
	wantCode(t, err, server.EConflict)
	// Devices of both warehouses hold it; W3's do not.
	for wh, n := range map[string]int{"W1": 1, "W2": 1, "W3": 0} {
		page := must(c.PullCatalog(ctx, wh, cat0, 1<<20))
		if len(page.Records.Transfers) != n {
			t.Fatalf("%s pulled transfers %+v", wh, page.Records.Transfers)
		}
	}
	snap := must(c.Snapshot(ctx, server.Device{ID: "x", Warehouse: "W2"}, server.SnapshotRequest{}))
	if len(snap.Transfers) != 1 || snap.Transfers[0].Number != "T-1" {
		t.Fatalf("W2's snapshot transfers = %+v", snap.Transfers)
	}

	s1, r1 := Enroll(t, l, "sender", "W1"), Enroll(t, l, "receiver", "W2")
	push(t, l, s1, s1.Event(syncproto.KindReceive, "A", "", "BIN-1", 10))
	ship := s1.Event(syncproto.KindMove, "A", "BIN-1", "TRANSIT", 3)
	ship.Ref = "T-1"
	ship.Seal()
	wantStatus(t, push(t, l, s1, ship).Outcomes[0], syncproto.StatusApplied, "")
	// A move to a bin with the number is no shipment.
	notShip := s1.Event(syncproto.KindMove, "A", "BIN-1", "DOCK", 1)
	notShip.Ref = "T-1"
	notShip.Seal()
	push(t, l, s1, notShip)
	tr = must(c.Transfer(ctx, "T-1"))
	if tr.Lines[0].Shipped != 3 || tr.Status != server.TransferOpen || stock(t, l, "W1", "TRANSIT", "A") != 3 {
		t.Fatalf("after shipping 3: %+v", tr)
	}
	w1Head := head(t, l, s1)
	in := receive(r1, "A", "", "T-1", 3)
	wantStatus(t, push(t, l, r1, in).Outcomes[0], syncproto.StatusApplied, "")
	push(t, l, r1, in) // exactly once
	tr = must(c.Transfer(ctx, "T-1"))
	if tr.Lines[0].Received != 3 || stock(t, l, "W2", "DOCK", "A") != 3 || stock(t, l, "W1", "TRANSIT", "A") != 0 {
		t.Fatalf("after receiving 3: %+v, W2 dock %d, W1 transit %d", tr, stock(t, l, "W2", "DOCK", "A"), stock(t, l, "W1", "TRANSIT", "A"))
	}
	// The sender's devices see the transit entry of the system device.
	ch := pull(t, l, s1, w1Head, 0, false)
	if len(ch.Entries) != 1 || ch.Entries[0].DeviceID != server.TransitDeviceID("W1") || ch.Entries[0].Delta != -3 ||
		ch.Entries[0].Location != "TRANSIT" {
		t.Fatalf("W1 entries after the receipt = %+v", ch.Entries)
	}
	// Received before it was shipped: the receipt applies, the transit
	// shortfall parks for the supervisor.
	early := receive(r1, "A", "", "T-1", 2)
	wantStatus(t, push(t, l, r1, early).Outcomes[0], syncproto.StatusApplied, "")
	tr = must(c.Transfer(ctx, "T-1"))
	if tr.Lines[0].Received != 5 || tr.Status != server.TransferReceived || stock(t, l, "W2", "DOCK", "A") != 5 {
		t.Fatalf("after receiving 2 more: %+v", tr)
	}
	q := must(l.Parked(ctx, server.ParkedFilter{Warehouse: "W1"}))
	if len(q) != 1 || q[0].Device != server.TransitDeviceID("W1") || q[0].Qty != -2 || q[0].Location != "TRANSIT" || q[0].Ref != "T-1" {
		t.Fatalf("W1's queue = %+v", q)
	}
	ship2 := s1.Event(syncproto.KindMove, "A", "BIN-1", "TRANSIT", 2)
	ship2.Ref = "T-1"
	ship2.Seal()
	push(t, l, s1, ship2)
	if tr = must(c.Transfer(ctx, "T-1")); tr.Lines[0].Shipped != 5 || tr.Status != server.TransferReceived {
		t.Fatalf("after shipping the rest: %+v", tr)
	}
	// Accepted once the shipment is in: nothing to adjust, transit empties.
	must(l.Resolve(ctx, q[0].EventID, server.Decision{Status: syncproto.StatusApplied, Reason: "shipment synced late", By: "sup"}))
	if n := stock(t, l, "W1", "TRANSIT", "A"); n != 0 {
		t.Fatalf("W1 transit after accepting = %d", n)
	}
	if n := stock(t, l, "W1", "BIN-1", "A"); n != 4 {
		t.Fatalf("W1 bin = %d, want 10 - 5 shipped - 1 moved", n)
	}
	_, err = c.CancelTransfer(ctx, "T-1")
	wantCode(t, err, server.EConflict)
	must(c.CreateTransfer(ctx, server.Transfer{Number: "T-2", From: "W1", To: "W3", Lines: []server.TransferLine{{SKU: "B", Lot: "L1", Qty: 1}}}))
	if tr := must(c.CancelTransfer(ctx, "T-2")); tr.Status != server.TransferCancelled {
		t.Fatalf("cancelled %+v", tr)
	}
	if ts := must(c.Transfers(ctx, server.TransferFilter{Warehouse: "W3"})); len(ts) != 1 || ts[0].Number != "T-2" {
		t.Fatalf("W3's transfers = %+v", ts)
	}
	if ts := must(c.Transfers(ctx, server.TransferFilter{Warehouse: "W1", Held: true})); len(ts) != 0 {
		t.Fatalf("W1's held transfers = %+v", ts)
	}
}
