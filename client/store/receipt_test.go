package store_test

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/client/store/storetest"
	"github.com/driftless/driftless/syncproto"
)

// TestReceivingReferenceData: users (archived ones flagged), the
// warehouse's receiving settings and purchase orders' SSCCs are stored from
// a snapshot and from pulled catalog changes, and LookupSSCC finds the
// order a pallet was announced for.
func TestReceivingReferenceData(t *testing.T) {
	ctx := context.Background()
	st := storetest.Enrolled(t, store.Identity{})
	snap := &syncproto.SnapshotPage{Page: 1, CatalogHead: 3, Catalog: syncproto.Catalog{
		Warehouses: []syncproto.Warehouse{{Code: "W1", Name: "Main", BlindReceiving: true, OverReceiptPct: 10, MinShelfLifeDays: 30, Position: 1}},
		PurchaseOrders: []syncproto.PurchaseOrder{
			{Number: "PO-1", Supplier: "S1", Status: "open", Lines: []syncproto.POLine{{SKU: "A", Ordered: 5}},
				SSCCs: []string{"003456789012345675", "003456789012345682"}, Position: 2},
		},
		Users: []syncproto.User{
			{Code: "ana", Name: "Ana", Roles: []string{"receiver", "picker"}, PINHash: "$2a$10$x", Position: 3},
			{Code: "old", Name: "Old", Roles: []string{}, PINHash: "$2a$10$y", Archived: true, Position: 3},
		},
	}}
	if err := st.ApplySnapshotPage(ctx, snap, true); err != nil {
		t.Fatal(err)
	}
	ref, err := st.ReferenceData(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if u, ok, err := st.User(ctx, "old"); err != nil || !ok || !u.Archived {
		t.Fatalf("archived user: %+v, %v, %v; want kept, flagged", u, ok, err)
	}
	if !reflect.DeepEqual(ref.Warehouses, snap.Warehouses) || !reflect.DeepEqual(ref.PurchaseOrders, snap.PurchaseOrders) ||
		!reflect.DeepEqual(ref.Users, snap.Users[:1]) {
		t.Fatalf("reference data = %+v\nwant %+v", ref, snap.Catalog)
	}
	p, ok, err := st.LookupSSCC(ctx, "003456789012345682")
	if err != nil || !ok || p.PurchaseOrder != "PO-1" {
		t.Fatalf("LookupSSCC = %+v, %v, %v; want PO-1", p, ok, err)
	}
	// The order is received in full: it leaves the device with its SSCCs;
	// a user's new roles replace the old.
	ch := &syncproto.Changes{CatalogFrom: 3, CatalogCursor: 5, Catalog: &syncproto.Catalog{
		PurchaseOrders: []syncproto.PurchaseOrder{{Number: "PO-1", Supplier: "S1", Status: "received", Position: 4}},
		Users:          []syncproto.User{{Code: "ana", Name: "Ana", Roles: []string{"supervisor"}, PINHash: "$2a$10$z", Position: 5}},
	}}
	if err := st.ApplyChanges(ctx, ch); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := st.LookupSSCC(ctx, "003456789012345682"); ok || err != nil {
		t.Fatalf("LookupSSCC after the order closed = %v, %v; want not found", ok, err)
	}
	u, ok, err := st.User(ctx, "ana")
	if err != nil || !ok || !reflect.DeepEqual(u.Roles, []string{"supervisor"}) || u.PINHash != "$2a$10$z" {
		t.Fatalf("User(ana) = %+v, %v, %v", u, ok, err)
	}
}

// TestRecordBatchIsAllOrNothing: one invalid scan writes none of the
// batch; a valid batch gets consecutive sequences and keeps the new event
// fields.
func TestRecordBatchIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	st := storetest.Enrolled(t, store.Identity{})
	bad := []store.Scan{receive("A", 2, "DOCK"), {User: "u", Kind: syncproto.KindReceive, SKU: "B", Qty: 1}} // no To
	if _, err := st.RecordBatch(ctx, bad); !errors.Is(err, store.ErrInvalidScan) {
		t.Fatalf("RecordBatch with an invalid scan: %v, want ErrInvalidScan", err)
	}
	if s := mustState(t, st); s.LastSeq != 0 {
		t.Fatalf("last seq after a failed batch = %d, want 0", s.LastSeq)
	}
	wantStock(t, st, "DOCK", "A", "", 0)
	good := []store.Scan{
		{User: "u", Kind: syncproto.KindReceive, SKU: "A", Lot: "L1", To: "DOCK", Qty: 1, Ref: "PO-1", Serial: "S9", Expiry: "2030-01-31"},
		{User: "u", Kind: syncproto.KindException, Reason: "unknown_barcode", Barcode: "12345", Qty: 1, Ref: "PO-1"},
	}
	evs, err := st.RecordBatch(ctx, good)
	if err != nil {
		t.Fatal(err)
	}
	if evs[0].Seq != 1 || evs[1].Seq != 2 {
		t.Fatalf("sequences %d, %d; want 1, 2", evs[0].Seq, evs[1].Seq)
	}
	stored, err := st.Events(ctx, 0, 10)
	if err != nil || len(stored) != 2 {
		t.Fatalf("events = %v, %v", stored, err)
	}
	if e := stored[0]; e.Serial != "S9" || e.Expiry != "2030-01-31" || e.Hash != e.ComputeHash() {
		t.Fatalf("stored receive %+v lost its serial or expiry", e)
	}
	if stored[1].Barcode != "12345" {
		t.Fatalf("stored exception %+v lost its barcode", stored[1])
	}
	if ok, err := st.SerialReceived(ctx, "A", "S9"); !ok || err != nil {
		t.Fatalf("SerialReceived(A, S9) = %v, %v; want true", ok, err)
	}
	if ok, err := st.SerialReceived(ctx, "B", "S9"); ok || err != nil {
		t.Fatalf("SerialReceived(B, S9) = %v, %v; want false", ok, err)
	}
}

// TestReceiptDraftSurvivesReopenAndFinishesAtomically: a draft's scans and
// marks are back after reopening the database; finishing writes the events
// and closes the draft together, and a failing finish does neither.
func TestReceiptDraftSurvivesReopenAndFinishesAtomically(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "device.db")
	st, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Enroll(ctx, storetest.Identity); err != nil {
		t.Fatal(err)
	}
	at := time.Unix(1700000000, 0).UTC()
	if err := st.OpenReceipt(ctx, store.ReceiptDraft{ID: "r1", PO: "PO-1", User: "ana", OpenedAt: at}); err != nil {
		t.Fatal(err)
	}
	scans := []store.DraftScan{
		{N: 1, At: at, Barcode: "0614141000012", SKU: "A", Qty: 12},
		{N: 2, At: at, Barcode: "(01)...(21)X1", SKU: "B", Serial: "X1", Qty: 1},
		{N: 3, At: at, Barcode: "999", Qty: 1, Exception: "unknown_barcode", Reason: "not in the catalog"},
	}
	for _, sc := range scans {
		if err := st.AddReceiptScan(ctx, "r1", sc); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.MarkReceiptScan(ctx, "r1", 1, true, "crushed", false); err != nil {
		t.Fatal(err)
	}
	if ok, err := st.SerialReceived(ctx, "B", "X1"); !ok || err != nil {
		t.Fatalf("serial in an open draft: %v, %v; want found", ok, err)
	}
	st.Close()

	st = storetest.MustOpenPath(t, path)
	open, err := st.OpenReceipts(ctx, "ana")
	if err != nil || len(open) != 1 {
		t.Fatalf("open receipts after reopening = %+v, %v", open, err)
	}
	scans[0].Damaged, scans[0].DamageReason = true, "crushed"
	if !reflect.DeepEqual(open[0].Scans, scans) {
		t.Fatalf("scans after reopening = %+v\nwant %+v", open[0].Scans, scans)
	}
	if other, _ := st.OpenReceipts(ctx, "sam"); len(other) != 0 {
		t.Fatalf("sam's open receipts = %+v, want none", other)
	}
	bad := []store.Scan{receive("A", 12, "DOCK"), {User: "ana", Kind: syncproto.KindDamage, SKU: "A", From: "DOCK", Qty: 12}} // no reason
	if _, err := st.FinishReceipt(ctx, "r1", bad); !errors.Is(err, store.ErrInvalidScan) {
		t.Fatalf("finish with an invalid event: %v", err)
	}
	if open, _ := st.OpenReceipts(ctx, ""); len(open) != 1 || mustState(t, st).LastSeq != 0 {
		t.Fatalf("a failed finish closed the draft or wrote events")
	}
	bad[1].Reason = "crushed"
	if _, err := st.FinishReceipt(ctx, "r1", bad); err != nil {
		t.Fatal(err)
	}
	if open, _ := st.OpenReceipts(ctx, ""); len(open) != 0 || mustState(t, st).LastSeq != 2 {
		t.Fatalf("after finishing: open %+v, state %+v", open, mustState(t, st))
	}
	if _, err := st.FinishReceipt(ctx, "r1", bad); !errors.Is(err, store.ErrNoReceipt) || mustState(t, st).LastSeq != 2 {
		t.Fatalf("finishing twice: %v", err)
	}
	if err := st.AddReceiptScan(ctx, "r1", scans[0]); !errors.Is(err, store.ErrNoReceipt) {
		t.Fatalf("scan into a finished receipt: %v", err)
	}
}

// TestStockQueries: stock by location type, bins holding a SKU (most
// first), empty bins by sequence.
func TestStockQueries(t *testing.T) {
	ctx := context.Background()
	st := storetest.Enrolled(t, store.Identity{})
	if err := st.ApplySnapshotPage(ctx, &syncproto.SnapshotPage{Page: 1, Catalog: syncproto.Catalog{
		SKUs: []syncproto.SKU{{Code: "A", Name: "Apples", Unit: "each"}},
		Locations: []syncproto.Location{
			{Code: "DOCK", Type: "dock", Sequence: 1}, {Code: "B3", Type: "bin", Sequence: 1},
			{Code: "B1", Type: "bin", Sequence: 2}, {Code: "B2", Type: "bin", Sequence: 3}, {Code: "B4", Type: "bin", Sequence: 4},
		}}}, true); err != nil {
		t.Fatal(err)
	}
	for _, sc := range []store.Scan{receive("A", 10, "DOCK"),
		{User: "u", Kind: syncproto.KindPutaway, SKU: "A", From: "DOCK", To: "B2", Qty: 3},
		{User: "u", Kind: syncproto.KindPutaway, SKU: "A", From: "DOCK", To: "B1", Qty: 3},
		{User: "u", Kind: syncproto.KindPutaway, SKU: "A", From: "DOCK", To: "B4", Qty: 1},
	} {
		mustRecord(t, st, sc)
	}
	dock, err := st.StockAt(ctx, "dock")
	if err != nil || len(dock) != 1 || dock[0].Qty != 3 || dock[0].Name != "Apples" {
		t.Fatalf("dock stock = %+v, %v", dock, err)
	}
	bins, err := st.BinsHolding(ctx, "A")
	if err != nil || len(bins) != 3 || bins[0].Location != "B1" || bins[1].Location != "B2" || bins[2].Location != "B4" {
		t.Fatalf("bins holding A = %+v, %v; want B1 (3, seq 2), B2 (3, seq 3), B4", bins, err)
	}
	empty, err := st.EmptyBins(ctx, 5)
	if err != nil || !reflect.DeepEqual(empty, []string{"B3"}) {
		t.Fatalf("empty bins = %v, %v; want [B3]", empty, err)
	}
	if c, ok, err := st.FirstLocation(ctx, "dock"); c != "DOCK" || !ok || err != nil {
		t.Fatalf("first dock = %q, %v, %v", c, ok, err)
	}
}

// TestEnrollAfterServerAcked: a fresh database of a device the server
// holds 7 events of numbers its next event 8 and has nothing unacked;
// enrolling again with a lower figure changes nothing.
func TestEnrollAfterServerAcked(t *testing.T) {
	ctx := context.Background()
	st := storetest.MustOpen(t)
	if err := st.EnrollAfter(ctx, storetest.Identity, 7); err != nil {
		t.Fatal(err)
	}
	if s := mustState(t, st); s.LastSeq != 7 || s.AckedThrough != 7 || s.Unacked != 0 {
		t.Fatalf("state after EnrollAfter(7) = %+v", s)
	}
	if ev := mustRecord(t, st, receive("A", 1, "DOCK")); ev.Seq != 8 {
		t.Fatalf("next event seq %d, want 8", ev.Seq)
	}
	if err := st.EnrollAfter(ctx, storetest.Identity, 3); err != nil {
		t.Fatal(err)
	}
	if s := mustState(t, st); s.LastSeq != 8 || s.AckedThrough != 7 || s.Unacked != 1 {
		t.Fatalf("state after EnrollAfter(3) = %+v", s)
	}
}
