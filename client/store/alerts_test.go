package store_test

import (
	"reflect"
	"testing"

	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/client/store/storetest"
	"github.com/driftless/driftless/syncproto"
)

// TestAlertsHeld: active alerts come with a snapshot and with pulled
// catalog changes (a later change replaces an alert's figures); a cleared
// or archived one is removed; a new snapshot replaces them all; the
// reference data lists what is held.
func TestAlertsHeld(t *testing.T) {
	s := storetest.Enrolled(t, store.Identity{})
	al := func(id, sku, status string, avail int64, pos uint64) syncproto.Alert {
		return syncproto.Alert{ID: id, SKU: sku, Available: avail, ReorderPoint: 20, OnOrder: 0, Suggested: 24, Status: status,
			RaisedAt: "2026-06-01T10:00:00Z", Position: pos}
	}
	page := &syncproto.SnapshotPage{Warehouse: "W1", Page: 1, CatalogHead: 1, Position: 0,
		Catalog: syncproto.Catalog{Alerts: []syncproto.Alert{al("AL-1", "A", "active", 4, 1), al("AL-2", "B", "cleared", 30, 1),
			al("AL-3", "C", "active", 0, 1)}}}
	if err := s.ApplySnapshotPage(ctx, page, true); err != nil {
		t.Fatal(err)
	}
	want := []syncproto.Alert{al("AL-1", "A", "active", 4, 1), al("AL-3", "C", "active", 0, 1)}
	got, err := s.Alerts(ctx)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("alerts after the snapshot %+v %v, want %+v", got, err, want)
	}

	// A pull: AL-1 is cleared, AL-3's figures change, AL-4 is raised and
	// AL-5 raised then archived within the same page.
	pull := &syncproto.Changes{From: 0, Cursor: 0, CatalogFrom: 1, CatalogCursor: 2, Catalog: &syncproto.Catalog{Alerts: []syncproto.Alert{
		al("AL-1", "A", "cleared", 25, 2), al("AL-3", "C", "active", 2, 2), al("AL-4", "D", "active", 7, 2),
		al("AL-5", "E", "active", 1, 2)}}}
	pull.Catalog.Alerts = append(pull.Catalog.Alerts, syncproto.Alert{ID: "AL-5", SKU: "E", Status: "active", Archived: true, Position: 2})
	if err := s.ApplyChanges(ctx, pull); err != nil {
		t.Fatal(err)
	}
	want = []syncproto.Alert{al("AL-3", "C", "active", 2, 2), al("AL-4", "D", "active", 7, 2)}
	got, err = s.Alerts(ctx)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("alerts after the pull %+v %v, want %+v", got, err, want)
	}
	ref, err := s.ReferenceData(ctx)
	if err != nil || !reflect.DeepEqual(ref.Alerts, want) {
		t.Fatalf("reference data's alerts %+v %v", ref.Alerts, err)
	}

	// A new snapshot holds only what it brings.
	page = &syncproto.SnapshotPage{Warehouse: "W1", Page: 1, CatalogHead: 3,
		Catalog: syncproto.Catalog{Alerts: []syncproto.Alert{al("AL-4", "D", "active", 6, 3)}}}
	if err := s.ApplySnapshotPage(ctx, page, true); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Alerts(ctx); err != nil || len(got) != 1 || got[0].ID != "AL-4" || got[0].Available != 6 {
		t.Fatalf("alerts after a second snapshot %+v %v", got, err)
	}
}

// TestSKUCategories: SKUs keep their category from snapshots and pulls;
// Categories lists each once.
func TestSKUCategories(t *testing.T) {
	s := storetest.Enrolled(t, store.Identity{})
	sku := func(code, cat string, pos uint64) syncproto.SKU {
		return syncproto.SKU{Code: code, Name: code, Unit: "each", Category: cat, Position: pos}
	}
	page := &syncproto.SnapshotPage{Warehouse: "W1", Page: 1, CatalogHead: 1,
		Catalog: syncproto.Catalog{SKUs: []syncproto.SKU{sku("A", "fruit", 1), sku("B", "fruit", 1), sku("C", "", 1)}}}
	if err := s.ApplySnapshotPage(ctx, page, true); err != nil {
		t.Fatal(err)
	}
	if err := s.ApplyChanges(ctx, &syncproto.Changes{CatalogFrom: 1, CatalogCursor: 2,
		Catalog: &syncproto.Catalog{SKUs: []syncproto.SKU{sku("C", "veg", 2)}}}); err != nil {
		t.Fatal(err)
	}
	if k, ok, err := s.SKU(ctx, "C"); err != nil || !ok || k.Category != "veg" {
		t.Fatalf("SKU C %+v %v %v", k, ok, err)
	}
	ref, err := s.ReferenceData(ctx)
	if err != nil || len(ref.SKUs) != 3 || ref.SKUs[0].Category != "fruit" || ref.SKUs[2].Category != "veg" {
		t.Fatalf("reference SKUs %+v %v", ref.SKUs, err)
	}
	if cats, err := s.Categories(ctx); err != nil || !reflect.DeepEqual(cats, []string{"fruit", "veg"}) {
		t.Fatalf("categories %v %v", cats, err)
	}
}
