package storetest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/syncproto"
)

// RunPicking runs the suite of issue 7's picking: pick waves and their
// allocation over a store, pick lists delivered to their warehouse's
// devices, picks and short picks counted on apply, assignment.
func RunPicking(t *testing.T, open CatalogOpener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, c *server.Catalog, l *server.Ledger)
	}{
		{"WaveAllocatesAndDevicesHoldLists", testPickWave},
		{"PickAppliesToTaskAndOrderOnce", testPickApply},
		{"ShortPickReallocatesAndRaisesCountTask", testShortPick},
		{"AssignNextCancel", testPickAssign},
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
}

// seedPicking makes W1's stock: A 20 at BIN-3 (sequence 5) and 5 at BIN-1
// (10); B lot L1 (expiring 2027-05-01) 10 at BIN-1, lot L2 (2027-01-01)
// 10 at BIN-2 (20). Sales orders SO-1 (A 5, B 6) and SO-2 (A 30) are
// W1's, SO-3 W2's.
func seedPicking(t *testing.T, c *server.Catalog, l *server.Ledger) *Device {
	t.Helper()
	seedCatalog(t, c)
	must(c.Locations.Create(ctx, server.Location{Warehouse: "W1", Code: "BIN-2", Type: server.LocationBin, Sequence: 20}))
	must(c.Locations.Create(ctx, server.Location{Warehouse: "W1", Code: "BIN-3", Type: server.LocationBin, Sequence: 5}))
	d := Enroll(t, l, "h1", "W1")
	in := func(sku, lot, expiry, bin string, qty int64) {
		r := receive(d, sku, lot, "", qty)
		r.Expiry = expiry
		r.Seal()
		p := d.Event(syncproto.KindPutaway, sku, "DOCK", bin, qty)
		p.Lot = lot
		p.Seal()
		for _, o := range push(t, l, d, r, p).Outcomes {
			wantStatus(t, o, syncproto.StatusApplied, "")
		}
	}
	in("A", "", "", "BIN-3", 20)
	in("A", "", "", "BIN-1", 5)
	in("B", "L1", "2027-05-01", "BIN-1", 10)
	in("B", "L2", "2027-01-01", "BIN-2", 10)
	must(c.SalesOrders.Create(ctx, server.SalesOrder{Number: "SO-1", Customer: "Corner shop", Warehouse: "W1", Status: server.SOOpen,
		Lines: []server.SalesOrderLine{{SKU: "A", Qty: 5}, {SKU: "B", Qty: 6}}}))
	must(c.SalesOrders.Create(ctx, server.SalesOrder{Number: "SO-2", Customer: "Deli", Warehouse: "W1", Status: server.SOOpen,
		Lines: []server.SalesOrderLine{{SKU: "A", Qty: 30}}}))
	must(c.SalesOrders.Create(ctx, server.SalesOrder{Number: "SO-3", Customer: "Far away", Warehouse: "W2", Status: server.SOOpen,
		Lines: []server.SalesOrderLine{{SKU: "A", Qty: 1}}}))
	return d
}

// tasks renders a list's tasks as "seq id location sku lot order qty picked status".
func tasks(p server.PickList) []string {
	out := make([]string, len(p.Tasks))
	for i, t := range p.Tasks {
		out[i] = fmt.Sprintf("%d %s %s %s %s %s %d %d %s", t.Seq, t.ID, t.Location, t.SKU, t.Lot, t.Order, t.Qty, t.Picked, t.Status)
	}
	return out
}

func wantTasks(t *testing.T, p server.PickList, want ...string) {
	t.Helper()
	if got := tasks(p); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("tasks of %s:\n%s\nwant\n%s", p.ID, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func pickList(t *testing.T, c *server.Catalog, id string) server.PickList {
	t.Helper()
	return must(c.PickLists.Get(ctx, server.CatalogKey{Code: id}))
}

func soPicked(t *testing.T, c *server.Catalog, number string) (server.SalesOrder, map[string]int64) {
	t.Helper()
	o := must(c.SalesOrders.Get(ctx, server.CatalogKey{Code: number}))
	got := map[string]int64{}
	for _, ln := range o.Lines {
		got[ln.SKU] = ln.Picked
	}
	return o, got
}

func testPickWave(t *testing.T, c *server.Catalog, l *server.Ledger) {
	d := seedPicking(t, c, l)
	head0 := must(c.Head(ctx))
	wave := must(c.CreatePickWave(ctx, server.WaveRequest{Warehouse: "W1"}))
	if len(wave.Lists) != 1 {
		t.Fatalf("wave made %d lists, want one batch of SO-1 and SO-2: %+v", len(wave.Lists), wave.Lists)
	}
	p := wave.Lists[0]
	if p.ID != "PL-000001" || p.Status != server.PLOpen || strings.Join(p.Orders, ",") != "SO-1,SO-2" || p.Position <= head0 {
		t.Fatalf("list = %+v", p)
	}
	// A: SO-1's 5 from BIN-3, which covers it and comes first in the
	// walk; SO-2 takes the 15 left there and the 5 at BIN-1. B: lot L2
	// expires first (FEFO) although BIN-1 comes first in the walk.
	wantTasks(t, p,
		"1 PL-000001/1 BIN-3 A  SO-1 5 0 open",
		"2 PL-000001/2 BIN-3 A  SO-2 15 0 open",
		"3 PL-000001/3 BIN-1 A  SO-2 5 0 open",
		"4 PL-000001/4 BIN-2 B L2 SO-1 6 0 open")
	if p.Tasks[3].Expiry != "2027-01-01" {
		t.Fatalf("task 4's expiry = %q, want the lot's", p.Tasks[3].Expiry)
	}
	if len(wave.Unallocated) != 1 || wave.Unallocated[0] != (server.Unallocated{Order: "SO-2", SKU: "A", Qty: 10}) {
		t.Fatalf("unallocated = %+v", wave.Unallocated)
	}
	wantTasks(t, pickList(t, c, "PL-000001"), tasks(p)...)

	// A second wave finds nothing new: the open tasks hold the stock and
	// the orders' quantities.
	again := must(c.CreatePickWave(ctx, server.WaveRequest{Warehouse: "W1"}))
	if len(again.Lists) != 0 || len(again.Unallocated) != 1 || again.Unallocated[0].Qty != 10 {
		t.Fatalf("second wave = %+v", again)
	}
	_, err := c.CreatePickWave(ctx, server.WaveRequest{Warehouse: "W1", Orders: []string{"SO-3"}})
	wantField(t, err, server.EInvalid, "orders")
	_, err = c.CreatePickWave(ctx, server.WaveRequest{Warehouse: "W1", MaxLines: -1})
	wantField(t, err, server.EInvalid, "max_lines")
	_, err = c.CreatePickWave(ctx, server.WaveRequest{Warehouse: "NOPE"})
	wantCode(t, err, server.ENotFound)

	// The list is W1's: W1's devices pull it and find it in a snapshot,
	// W2's do not.
	page := must(c.PullCatalog(ctx, "W1", head0, 1<<20))
	if len(page.Records.PickLists) != 1 || page.Records.PickLists[0].ID != "PL-000001" || len(page.Records.PickLists[0].Tasks) != 4 ||
		page.Records.PickLists[0].Tasks[3].Lot != "L2" || !page.Records.PickLists[0].Held() {
		t.Fatalf("W1 pulls %+v", page.Records.PickLists)
	}
	if page := must(c.PullCatalog(ctx, "W2", head0, 1<<20)); len(page.Records.PickLists) != 0 {
		t.Fatalf("W2 pulls W1's pick lists: %+v", page.Records.PickLists)
	}
	dev := must(l.Device(ctx, d.ID))
	snap := must(c.Snapshot(ctx, dev, server.SnapshotRequest{}))
	if len(snap.PickLists) != 1 || snap.Done != snap.Total {
		t.Fatalf("snapshot pick lists %+v (done %d of %d)", snap.PickLists, snap.Done, snap.Total)
	}
	// A list per order when batching is off, split at max_lines.
	must(c.SalesOrders.Create(ctx, server.SalesOrder{Number: "SO-4", Customer: "Cafe", Warehouse: "W1", Status: server.SOOpen,
		Lines: []server.SalesOrderLine{{SKU: "B", Qty: 12}}}))
	split := must(c.CreatePickWave(ctx, server.WaveRequest{Warehouse: "W1", Orders: []string{"SO-4"}, MaxLines: 1, BatchOrders: 1}))
	if len(split.Lists) != 2 || split.Lists[0].ID != "PL-000002" || split.Lists[1].ID != "PL-000003" || len(split.Unallocated) != 0 {
		t.Fatalf("split wave = %+v", split)
	}
	// B: 4 of L2 are left at BIN-2 (6 are on SO-1's task), then L1.
	wantTasks(t, split.Lists[0], "1 PL-000002/1 BIN-1 B L1 SO-4 8 0 open")
	wantTasks(t, split.Lists[1], "1 PL-000003/1 BIN-2 B L2 SO-4 4 0 open")
}

// pickEvent is a pick of a task.
func pickEvent(d *Device, task server.PickTask, qty int64) syncproto.Event {
	ev := d.Event(syncproto.KindPick, task.SKU, task.Location, "", qty)
	ev.Lot, ev.Task, ev.Ref = task.Lot, task.ID, task.Order
	ev.Seal()
	return ev
}

// shortEvent is a short_pick exception for a task's shortfall.
func shortEvent(d *Device, task server.PickTask, short int64) syncproto.Event {
	ev := exception(d, "short_pick", task.SKU, "", task.Order, short)
	ev.From, ev.Lot, ev.Task = task.Location, task.Lot, task.ID
	ev.Seal()
	return ev
}

func testPickApply(t *testing.T, c *server.Catalog, l *server.Ledger) {
	d := seedPicking(t, c, l)
	p := must(c.CreatePickWave(ctx, server.WaveRequest{Warehouse: "W1"})).Lists[0]
	first := pickEvent(d, p.Tasks[0], 5)
	wantStatus(t, push(t, l, d, first).Outcomes[0], syncproto.StatusApplied, "")
	got := pickList(t, c, p.ID)
	if got.Status != server.PLInProgress || got.Tasks[0].Picked != 5 || got.Tasks[0].Status != server.TaskPicked || got.Position <= p.Position {
		t.Fatalf("after the first pick: %+v", got)
	}
	so, picked := soPicked(t, c, "SO-1")
	if picked["A"] != 5 || picked["B"] != 0 || so.Status != server.SOPartiallyPicked {
		t.Fatalf("SO-1 after the first pick: %+v", so)
	}
	if stock(t, l, "W1", "BIN-3", "A") != 15 {
		t.Fatal("the pick did not reach the ledger")
	}
	// Devices pull the list and the order.
	page := must(c.PullCatalog(ctx, "W1", p.Position, 1<<20))
	if len(page.Records.PickLists) != 1 || page.Records.PickLists[0].Tasks[0].Picked != 5 || len(page.Records.SalesOrders) != 1 ||
		page.Records.SalesOrders[0].Lines[0].Picked != 5 {
		t.Fatalf("pull after the pick: %+v", page.Records)
	}
	// A re-sent pick changes nothing.
	wantStatus(t, push(t, l, d, first).Outcomes[0], syncproto.StatusApplied, "")
	if again := pickList(t, c, p.ID); again.Position != got.Position || again.Tasks[0].Picked != 5 {
		t.Fatalf("a re-push changed the list: %+v", again)
	}
	if so2, picked := soPicked(t, c, "SO-1"); picked["A"] != 5 || so2.Position != so.Position {
		t.Fatalf("a re-push changed the order: %+v", so2)
	}
	// A part of a task leaves it open; a task of another warehouse's
	// device, or naming another SKU, counts nothing.
	push(t, l, d, pickEvent(d, p.Tasks[1], 10))
	d2 := Enroll(t, l, "h2", "W2")
	other := p.Tasks[2]
	other.Location = "BIN-1"
	push(t, l, d2, receive(d2, "A", "", "", 5), d2.Event(syncproto.KindPutaway, "A", "DOCK", "BIN-1", 5), pickEvent(d2, other, 5))
	wrong := p.Tasks[2]
	wrong.SKU, wrong.Lot = "B", "L1"
	wantStatus(t, push(t, l, d, pickEvent(d, wrong, 1)).Outcomes[0], syncproto.StatusApplied, "")
	got = pickList(t, c, p.ID)
	wantTasks(t, got,
		"1 PL-000001/1 BIN-3 A  SO-1 5 5 picked",
		"2 PL-000001/2 BIN-3 A  SO-2 15 10 open",
		"3 PL-000001/3 BIN-1 A  SO-2 5 0 open",
		"4 PL-000001/4 BIN-2 B L2 SO-1 6 0 open")
	// Everything picked: the list is done, SO-1 picked, SO-2 partially
	// (20 of 30).
	push(t, l, d, pickEvent(d, p.Tasks[1], 5), pickEvent(d, p.Tasks[2], 5), pickEvent(d, p.Tasks[3], 6))
	got = pickList(t, c, p.ID)
	if got.Status != server.PLDone || got.Held() {
		t.Fatalf("list after every pick: %+v", got)
	}
	if so, picked := soPicked(t, c, "SO-1"); so.Status != server.SOPicked || picked["A"] != 5 || picked["B"] != 6 {
		t.Fatalf("SO-1 after every pick: %+v", so)
	}
	if so, picked := soPicked(t, c, "SO-2"); so.Status != server.SOPartiallyPicked || picked["A"] != 20 {
		t.Fatalf("SO-2 after every pick: %+v", so)
	}
	if page := must(c.PullCatalog(ctx, "W1", got.Position-1, 1<<20)); len(page.Records.PickLists) != 1 || page.Records.PickLists[0].Held() {
		t.Fatalf("devices are not told the list is done: %+v", page.Records.PickLists)
	}
}

func testShortPick(t *testing.T, c *server.Catalog, l *server.Ledger) {
	d := seedPicking(t, c, l)
	p := must(c.CreatePickWave(ctx, server.WaveRequest{Warehouse: "W1"})).Lists[0]
	// BIN-2 should hold 6 of B L2 for SO-1: the picker finds 2.
	found := pickEvent(d, p.Tasks[3], 2)
	short := shortEvent(d, p.Tasks[3], 4)
	for _, o := range push(t, l, d, found, short).Outcomes {
		wantStatus(t, o, syncproto.StatusApplied, "")
	}
	got := pickList(t, c, p.ID)
	// The shortfall comes from the next lot (L1 at BIN-1), in walking
	// order, as a new task of the same list.
	wantTasks(t, got,
		"1 PL-000001/1 BIN-3 A  SO-1 5 0 open",
		"2 PL-000001/2 BIN-3 A  SO-2 15 0 open",
		"3 PL-000001/3 BIN-1 A  SO-2 5 0 open",
		"4 PL-000001/5 BIN-1 B L1 SO-1 4 0 open",
		"5 PL-000001/4 BIN-2 B L2 SO-1 6 2 short")
	if got.Status != server.PLInProgress || got.Tasks[3].Expiry != "2027-05-01" {
		t.Fatalf("list after the short pick: %+v", got)
	}
	if _, picked := soPicked(t, c, "SO-1"); picked["B"] != 2 {
		t.Fatalf("SO-1 picked %v", picked)
	}
	cts := must(c.CountTasks(ctx, server.CountTaskFilter{Warehouse: "W1"}))
	if len(cts) != 1 || cts[0].Location != "BIN-2" || cts[0].SKU != "B" || cts[0].Lot != "L2" || cts[0].Reason != "short_pick" ||
		cts[0].SourceEvent != short.ID || cts[0].Status != "open" || cts[0].CreatedAt.IsZero() || cts[0].ID != "CT-000001" {
		t.Fatalf("count tasks = %+v", cts)
	}
	// A re-sent exception raises nothing more.
	push(t, l, d, short)
	if again := pickList(t, c, p.ID); again.Position != got.Position || len(again.Tasks) != 5 {
		t.Fatalf("a re-sent short pick changed the list: %+v", again)
	}
	if cts := must(c.CountTasks(ctx, server.CountTaskFilter{Warehouse: "W1", Status: "open"})); len(cts) != 1 {
		t.Fatalf("count tasks after a re-send = %+v", cts)
	}
	// Nothing left elsewhere: BIN-1 has none of A for SO-2, and BIN-3's
	// 20 are held by the open tasks. The task goes short, nothing is
	// re-allocated; the bin is still to be counted.
	push(t, l, d, shortEvent(d, p.Tasks[2], 5))
	got = pickList(t, c, p.ID)
	if len(got.Tasks) != 5 || got.Tasks[2].Status != server.TaskShort {
		t.Fatalf("list after a short pick with no stock elsewhere: %+v", tasks(got))
	}
	if cts := must(c.CountTasks(ctx, server.CountTaskFilter{})); len(cts) != 2 || cts[1].Location != "BIN-1" || cts[1].SKU != "A" {
		t.Fatalf("count tasks = %+v", cts)
	}
	if cts := must(c.CountTasks(ctx, server.CountTaskFilter{Warehouse: "W2"})); len(cts) != 0 {
		t.Fatalf("W2 count tasks = %+v", cts)
	}
	// The next wave picks up what is still unallocated of SO-2 (10 + 5),
	// but not from BIN-1 while it waits for its count.
	w := must(c.CreatePickWave(ctx, server.WaveRequest{Warehouse: "W1", Orders: []string{"SO-2"}}))
	if len(w.Lists) != 0 || len(w.Unallocated) != 1 || w.Unallocated[0].Qty != 15 {
		t.Fatalf("wave after the short pick = %+v", w)
	}
}

func testPickAssign(t *testing.T, c *server.Catalog, l *server.Ledger) {
	seedPicking(t, c, l)
	must(c.Users.Create(ctx, server.User{Code: "ana", Name: "Ana", Roles: []string{"picker"}}))
	must(c.Users.Create(ctx, server.User{Code: "bob", Name: "Bob", Roles: []string{"picker"}}))
	must(c.CreatePickWave(ctx, server.WaveRequest{Warehouse: "W1", Orders: []string{"SO-1"}}))
	must(c.CreatePickWave(ctx, server.WaveRequest{Warehouse: "W1", Orders: []string{"SO-2"}}))

	first := must(c.NextPickList(ctx, "W1", "ana"))
	if first.ID != "PL-000001" || first.AssignedTo != "ana" || first.Status != server.PLAssigned {
		t.Fatalf("next for ana = %+v", first)
	}
	if p := pickList(t, c, "PL-000001"); p.AssignedTo != "ana" || p.Position != first.Position {
		t.Fatalf("stored = %+v", p)
	}
	if second := must(c.NextPickList(ctx, "W1", "bob")); second.ID != "PL-000002" {
		t.Fatalf("next for bob = %+v", second)
	}
	_, err := c.NextPickList(ctx, "W1", "bob")
	wantCode(t, err, server.ENotFound)
	_, err = c.NextPickList(ctx, "W1", "zed")
	wantField(t, err, server.EInvalid, "user")
	if _, err := c.NextPickList(ctx, "W2", "ana"); server.ErrorCode(err) != server.ENotFound {
		t.Fatalf("next in W2: %v", err)
	}
	// Reassigning by hand.
	re := must(c.AssignPickList(ctx, "PL-000002", "ana"))
	if re.AssignedTo != "ana" || re.Status != server.PLAssigned {
		t.Fatalf("assigned = %+v", re)
	}
	mine := must(c.PickLists.List(ctx, server.ListFilter{Warehouse: "W1", AssignedTo: "ana"}))
	if len(mine) != 2 {
		t.Fatalf("ana's lists: %+v", mine)
	}
	_, err = c.AssignPickList(ctx, "PL-000099", "ana")
	wantCode(t, err, server.ENotFound)

	// Cancelling frees the stock and the orders for the next wave.
	cancelled := must(c.CancelPickList(ctx, "PL-000001"))
	if cancelled.Status != server.PLCancelled || cancelled.Held() || cancelled.Tasks[0].Status != server.TaskCancelled {
		t.Fatalf("cancelled = %+v", cancelled)
	}
	if again := must(c.CancelPickList(ctx, "PL-000001")); again.Position != cancelled.Position {
		t.Fatal("cancelling twice changed the list")
	}
	_, err = c.AssignPickList(ctx, "PL-000001", "bob")
	wantCode(t, err, server.EConflict)
	w := must(c.CreatePickWave(ctx, server.WaveRequest{Warehouse: "W1"}))
	if len(w.Lists) != 1 || strings.Join(w.Lists[0].Orders, ",") != "SO-1" || w.Lists[0].ID != "PL-000003" {
		t.Fatalf("wave after cancelling = %+v", w)
	}
}
