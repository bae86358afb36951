package store_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/client/store/storetest"
	"github.com/driftless/driftless/syncproto"
)

// TestCountDraftLifecycle: count tasks held from a snapshot and pulls; a
// draft's lines add and set, stamped with the cursor; a plan that fails
// writes nothing and leaves the draft open; finishing records the plan's
// scans with their times and seen positions (never above the cursor) and
// closes the draft in one transaction; a finished draft goes with its
// task, an open one stays.
func TestCountDraftLifecycle(t *testing.T) {
	s := storetest.Enrolled(t, store.Identity{})
	ct := func(id, loc, status string, pos uint64) syncproto.CountTask {
		return syncproto.CountTask{ID: id, Location: loc, Status: status, Reason: "scheduled", Due: "2026-06-01", Position: pos}
	}
	page := &syncproto.SnapshotPage{Warehouse: "W1", Page: 1, CatalogHead: 1, Position: 2, Stock: true,
		Catalog: syncproto.Catalog{CountTasks: []syncproto.CountTask{ct("CT-1", "B1", "open", 1), ct("CT-2", "B2", "assigned", 1),
			ct("CT-3", "B3", "cancelled", 1)}},
		Levels: []syncproto.Level{{Location: "B1", SKU: "A", Qty: 5, Position: 1}, {Location: "B1", SKU: "B", Qty: 0, Position: 2}}}
	if err := s.ApplySnapshotPage(ctx, page, true); err != nil {
		t.Fatal(err)
	}
	tasks, err := s.CountTasks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 2 || tasks[0].ID != "CT-1" || tasks[1].ID != "CT-2" {
		t.Fatalf("held tasks %+v", tasks)
	}
	ref, err := s.ReferenceData(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ref.CountTasks, tasks) {
		t.Fatalf("reference data's tasks %+v", ref.CountTasks)
	}

	for _, id := range []string{"CT-1", "CT-2"} {
		if _, err := s.StartCount(ctx, tasks[map[string]int{"CT-1": 0, "CT-2": 1}[id]], "cleo"); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.ScanCountBin(ctx, "CT-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CountQty(ctx, "CT-1", "A", "", 3, false); err != nil {
		t.Fatal(err)
	}
	ln, err := s.CountQty(ctx, "CT-1", "A", "", 2, false)
	if err != nil || ln.Qty != 5 || ln.N != 1 || ln.Seen != 2 {
		t.Fatalf("added line %+v, %v", ln, err)
	}
	if ln, err = s.CountQty(ctx, "CT-1", "C", "L1", 4, true); err != nil || ln.Qty != 4 || ln.N != 2 {
		t.Fatalf("set line %+v, %v", ln, err)
	}

	boom := errors.New("boom")
	if _, err := s.FinishCount(ctx, "CT-1", func(store.CountDraft, []store.CountLine, []syncproto.Level) ([]store.Scan, error) {
		return []store.Scan{{User: "cleo", Kind: syncproto.KindCount, From: "B1", SKU: "A", Qty: 5}}, boom
	}); !errors.Is(err, boom) {
		t.Fatalf("failed plan: %v", err)
	}
	// An invalid scan fails the whole finish too.
	if _, err := s.FinishCount(ctx, "CT-1", func(store.CountDraft, []store.CountLine, []syncproto.Level) ([]store.Scan, error) {
		return []store.Scan{{User: "cleo", Kind: syncproto.KindCount, From: "B1", SKU: "A", Qty: 5},
			{User: "cleo", Kind: syncproto.KindCount, From: "B1", SKU: "A", Qty: -1}}, nil
	}); !errors.Is(err, store.ErrInvalidScan) {
		t.Fatalf("invalid scan: %v", err)
	}
	if st := mustState(t, s); st.LastSeq != 0 {
		t.Fatalf("failed finishes wrote %d events", st.LastSeq)
	}
	if d, ok, err := s.CountDraft(ctx, "CT-1"); err != nil || !ok || !d.FinishedAt.IsZero() || d.BinScannedAt.IsZero() {
		t.Fatalf("draft after failed finishes: %+v %v %v", d, ok, err)
	}

	var gotLines []store.CountLine
	var gotView []syncproto.Level
	high := uint64(99)
	evs, err := s.FinishCount(ctx, "CT-1", func(d store.CountDraft, lines []store.CountLine, view []syncproto.Level) ([]store.Scan, error) {
		gotLines, gotView = lines, view
		return []store.Scan{
			{User: "cleo", Kind: syncproto.KindCount, From: "B1", SKU: "A", Qty: 5, Task: "CT-1", At: lines[0].At, Seen: &high},
			{User: "cleo", Kind: syncproto.KindCount, From: "B1", SKU: "B", Task: "CT-1"},
		}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(gotLines) != 2 || gotLines[1].SKU != "C" {
		t.Fatalf("plan's lines %+v", gotLines)
	}
	if want := []syncproto.Level{{Location: "B1", SKU: "A", Qty: 5, Position: 1}, {Location: "B1", SKU: "B", Qty: 0, Position: 2}}; !reflect.DeepEqual(gotView, want) {
		t.Fatalf("plan's view %+v, want %+v", gotView, want)
	}
	if len(evs) != 2 || evs[0].SeenPosition != 2 || !evs[0].DeviceTime.Equal(gotLines[0].At) || evs[1].Task != "CT-1" {
		t.Fatalf("events %+v", evs)
	}
	if _, err := s.CountQty(ctx, "CT-1", "A", "", 1, false); !errors.Is(err, store.ErrNoCount) {
		t.Fatalf("count after finishing: %v", err)
	}
	if _, err := s.FinishCount(ctx, "CT-1", nil); !errors.Is(err, store.ErrNoCount) {
		t.Fatalf("finish twice: %v", err)
	}

	// Both tasks leave the device: the finished count goes with its task,
	// the open one stays.
	if err := s.ApplyChanges(ctx, &syncproto.Changes{From: 2, Cursor: 2, CatalogFrom: 1, CatalogCursor: 2,
		Catalog: &syncproto.Catalog{CountTasks: []syncproto.CountTask{ct("CT-1", "B1", "counted", 2), ct("CT-2", "B2", "cancelled", 2)}}}); err != nil {
		t.Fatal(err)
	}
	if tasks, err := s.CountTasks(ctx); err != nil || len(tasks) != 0 {
		t.Fatalf("tasks after the pull: %+v %v", tasks, err)
	}
	if _, ok, _ := s.CountDraft(ctx, "CT-1"); ok {
		t.Fatal("finished count kept after its task left")
	}
	if lines, _ := s.CountLines(ctx, "CT-1"); len(lines) != 0 {
		t.Fatalf("finished count's lines kept: %+v", lines)
	}
	if ds, err := s.CountDrafts(ctx, "cleo", true); err != nil || len(ds) != 1 || ds[0].Task.ID != "CT-2" {
		t.Fatalf("open counts %+v %v", ds, err)
	}
}
