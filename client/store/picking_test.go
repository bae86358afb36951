package store_test

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/client/store/storetest"
	"github.com/driftless/driftless/syncproto"
)

// TestResolutionsApplyOnce: a supervisor's decisions on parked events
// reach their outbox rows exactly once: cancelled ones need attention
// (again, when dismissed while parked) and say who and why; accepted ones
// leave the attention list and count as applied; a repeated page, a
// decision on an event that was applied and an ack arriving after the
// decision change nothing.
func TestResolutionsApplyOnce(t *testing.T) {
	s := storetest.Enrolled(t, store.Identity{})
	pick1 := mustRecord(t, s, store.Scan{User: "ann", Kind: syncproto.KindPick, SKU: "A", From: "B1", Qty: 3, Task: "PL-1/1", Ref: "SO-1"})
	pick2 := mustRecord(t, s, store.Scan{User: "ann", Kind: syncproto.KindPick, SKU: "A", From: "B1", Qty: 2})
	rcv := mustRecord(t, s, receive("A", 5, "DOCK"))
	unacked := mustRecord(t, s, store.Scan{User: "ann", Kind: syncproto.KindPick, SKU: "B", From: "B2", Qty: 4})
	parked := func(ev syncproto.Event) syncproto.Outcome {
		return syncproto.Outcome{ID: ev.ID, Seq: ev.Seq, Status: syncproto.StatusParked, Code: syncproto.CodeInsufficientStock,
			Reason: "only 1 at B1"}
	}
	ack := &syncproto.Ack{AckedThrough: 3, Outcomes: []syncproto.Outcome{parked(pick1), parked(pick2), applied(rcv, 1)}}
	if err := s.ApplyAck(ctx, ack); err != nil {
		t.Fatal(err)
	}
	if err := s.Dismiss(ctx, pick1.ID); err != nil {
		t.Fatal(err)
	}
	if st := mustState(t, s); st.Attention != 1 {
		t.Fatalf("attention before the decisions: %d, want 1", st.Attention)
	}
	wantStock(t, s, "B2", "B", "", -4)
	at := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	ch := &syncproto.Changes{From: 0, Cursor: 3,
		Entries: []syncproto.Entry{entry(1, rcv, "DOCK", 5, 5), entry(3, pick2, "B1", -2, 0)},
		Resolutions: []syncproto.Resolution{
			{EventID: pick1.ID, Seq: pick1.Seq, Status: syncproto.StatusCancelled, Reason: "no stock", By: "sam", At: at, Position: 2},
			{EventID: pick2.ID, Seq: pick2.Seq, Status: syncproto.StatusApplied, Reason: "found 1", By: "sam", At: at, Position: 3},
			{EventID: rcv.ID, Seq: rcv.Seq, Status: syncproto.StatusCancelled, Reason: "not parked", By: "sam", At: at, Position: 3},
			{EventID: unacked.ID, Seq: unacked.Seq, Status: syncproto.StatusCancelled, Reason: "ack lost", By: "sam", At: at, Position: 3},
			{EventID: "not-mine", Seq: 99, Status: syncproto.StatusApplied, By: "sam", At: at, Position: 3},
		}}
	check := func(when string) {
		t.Helper()
		all, err := s.Outcomes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, eo := range all {
			got[eo.Event.ID] = string(eo.Outcome.Status) + " · " + eo.Outcome.Reason
			if eo.Resolution != nil {
				got[eo.Event.ID] += " · parked for " + eo.ParkedReason
			}
		}
		want := map[string]string{
			pick1.ID:   "cancelled · cancelled by sam: no stock · parked for only 1 at B1",
			pick2.ID:   "applied · accepted by sam: found 1 · parked for only 1 at B1",
			rcv.ID:     "applied · ",
			unacked.ID: "cancelled · cancelled by sam: ack lost · parked for ",
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: outcomes\n got %v\nwant %v", when, got, want)
		}
		wantStock(t, s, "B2", "B", "", 0) // the cancelled unacked pick no longer counts
		wantStock(t, s, "B1", "A", "", 0)
	}
	if err := s.ApplyChanges(ctx, ch); err != nil {
		t.Fatal(err)
	}
	check("after the decisions")
	att, err := s.Outcomes(ctx, syncproto.StatusParked, syncproto.StatusRejected, syncproto.StatusCancelled)
	if err != nil {
		t.Fatal(err)
	}
	if len(att) != 2 || !att[0].DismissedAt.IsZero() || att[0].Resolution == nil || att[0].Resolution.By != "sam" ||
		att[0].Resolution.Reason != "no stock" || !att[0].Resolution.At.Equal(at) {
		t.Fatalf("attention list %+v", att)
	}
	if st := mustState(t, s); st.Attention != 2 || st.Cursor != 3 {
		t.Fatalf("state after the decisions: %+v", st)
	}
	if err := s.Dismiss(ctx, pick1.ID); err != nil {
		t.Fatal(err)
	}
	// The page again, and a late ack of the unacked event: nothing moves.
	if err := s.ApplyChanges(ctx, ch); err != nil {
		t.Fatal(err)
	}
	if err := s.ApplyAck(ctx, &syncproto.Ack{AckedThrough: 4, Outcomes: []syncproto.Outcome{parked(unacked)}}); err != nil {
		t.Fatal(err)
	}
	check("after the page again")
	if st := mustState(t, s); st.Attention != 1 || st.AckedThrough != 4 {
		t.Fatalf("state at the end: %+v", st)
	}
}

// TestPickListsAndProgress: pick lists and transfers from the catalog
// (lists no longer held are dropped), and a run's progress saved with its
// events, surviving a reopen.
func TestPickListsAndProgress(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.db")
	s := storetest.MustOpenPath(t, path)
	if err := s.Enroll(ctx, storetest.Identity); err != nil {
		t.Fatal(err)
	}
	pl := syncproto.PickList{ID: "PL-1", Status: "assigned", AssignedTo: "ann", Orders: []string{"SO-1", "SO-2"}, Position: 1,
		Tasks: []syncproto.PickTask{
			{ID: "PL-1/2", Seq: 2, Order: "SO-2", Location: "B2", SKU: "B", Qty: 1, Status: "open"},
			{ID: "PL-1/1", Seq: 1, Order: "SO-1", Location: "B1", SKU: "A", Lot: "L1", Expiry: "2027-01-01", Qty: 3, Picked: 1, Status: "open"},
		}}
	tr := syncproto.Transfer{Number: "TR-1", From: "W1", To: "W2", Status: "open", Position: 1,
		Lines: []syncproto.TransferLine{{SKU: "A", Lot: "L1", Qty: 3}}}
	if err := s.ApplySnapshotPage(ctx, &syncproto.SnapshotPage{Warehouse: "W1", Page: 1, CatalogHead: 1,
		Catalog: syncproto.Catalog{PickLists: []syncproto.PickList{pl}, Transfers: []syncproto.Transfer{tr}}}, true); err != nil {
		t.Fatal(err)
	}
	ref, err := s.ReferenceData(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantPL := pl
	wantPL.Tasks = []syncproto.PickTask{pl.Tasks[1], pl.Tasks[0]} // walking order
	if !reflect.DeepEqual(ref.PickLists, []syncproto.PickList{wantPL}) || !reflect.DeepEqual(ref.Transfers, []syncproto.Transfer{tr}) {
		t.Fatalf("reference data: %+v %+v", ref.PickLists, ref.Transfers)
	}

	run, err := s.StartPickRun(ctx, "PL-1", "ann")
	if err != nil {
		t.Fatal(err)
	}
	run.Task, run.Step, run.ItemOK = "PL-1/1", 1, true
	p := store.TaskProgress{Task: "PL-1/1", List: "PL-1", Seq: 1, Order: "SO-1", Location: "B1", SKU: "A", Lot: "L1", Qty: 3,
		Before: 1, Picked: 2}
	evs, err := s.SavePick(ctx, run, &p, []store.Scan{{User: "ann", Kind: syncproto.KindPick, SKU: "A", Lot: "L1", From: "B1",
		Qty: 2, Task: "PL-1/1", Ref: "SO-1"}})
	if err != nil || len(evs) != 1 || evs[0].Task != "PL-1/1" {
		t.Fatalf("save pick: %+v %v", evs, err)
	}
	// An invalid event writes neither the event nor the progress.
	bad := p
	bad.Picked = 99
	if _, err := s.SavePick(ctx, run, &bad, []store.Scan{{Kind: syncproto.KindPick, SKU: "A", Qty: 1}}); !errors.Is(err, store.ErrInvalidScan) {
		t.Fatalf("save an invalid pick: %v", err)
	}

	s.Close()
	s = storetest.MustOpenPath(t, path)
	runs, err := s.OpenPickRuns(ctx, "ann")
	if err != nil || len(runs) != 1 || runs[0].Task != "PL-1/1" || runs[0].Step != 1 || !runs[0].ItemOK {
		t.Fatalf("open runs after reopening: %+v %v", runs, err)
	}
	prog, err := s.PickProgress(ctx, "PL-1")
	if err != nil || !reflect.DeepEqual(prog, []store.TaskProgress{p}) {
		t.Fatalf("progress after reopening: %+v %v", prog, err)
	}
	if err := s.FinishPickRun(ctx, "PL-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SavePick(ctx, run, nil, nil); !errors.Is(err, store.ErrNoPickRun) {
		t.Fatalf("save on a finished run: %v", err)
	}

	// The list is done and the transfer shipped: both leave the device.
	pl.Status, pl.Position = "done", 2
	tr.Status, tr.Position = "received", 2
	if err := s.ApplyChanges(ctx, &syncproto.Changes{CatalogCursor: 2,
		Catalog: &syncproto.Catalog{PickLists: []syncproto.PickList{pl}, Transfers: []syncproto.Transfer{tr}}}); err != nil {
		t.Fatal(err)
	}
	lists, err := s.PickLists(ctx)
	if err != nil || len(lists) != 0 {
		t.Fatalf("lists after done: %+v %v", lists, err)
	}
	ts, err := s.Transfers(ctx)
	if err != nil || len(ts) != 0 {
		t.Fatalf("transfers after received: %+v %v", ts, err)
	}
}
