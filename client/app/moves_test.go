package app_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/driftless/driftless/client/app"
	"github.com/driftless/driftless/syncproto"
)

func moveScan(t testing.TB, m *app.Move, text string, want app.Level) app.Feedback {
	t.Helper()
	fb, err := m.Scan(ctx, text)
	if err != nil {
		t.Fatalf("scan %q: %v", text, err)
	}
	if fb.Level != want {
		t.Fatalf("scan %q: %s %q (%s), want %s", text, fb.Level, fb.Title, fb.Detail, want)
	}
	return fb
}

// TestMoveBetweenBins: from-bin, item, quantity, to-bin, with the
// refusals of each step; nothing is written until the to-bin.
func TestMoveBetweenBins(t *testing.T) {
	f := newPickFixture(t)
	m := f.app.StartMove()
	moveScan(t, m, eachA, app.Bad)    // the bin first
	moveScan(t, m, "DOCK-1", app.Bad) // not a bin: put-away's work
	moveScan(t, m, "B1", app.Good)
	moveScan(t, m, eachA, app.Bad) // no A at B1
	moveScan(t, m, "B2", app.Good) // another bin instead
	if s := m.State(); s.Step != app.MoveScanItem || s.From != "B2" {
		t.Fatalf("state after the from-bin: %+v", s)
	}
	m.SetQty(8)
	fb := moveScan(t, m, eachA, app.Bad) // 7 at B2
	if fb.Title != "Not enough in the bin" {
		t.Fatalf("refusal %q (%s)", fb.Title, fb.Detail)
	}
	m.SetQty(5)
	moveScan(t, m, eachA, app.Good)
	if s := m.State(); s.Step != app.MoveScanTo || s.Item.Qty != 5 || s.Available != 7 || s.Item.Name != "Apples" {
		t.Fatalf("state after the item: %+v", s)
	}
	moveScan(t, m, "QUAR", app.Bad)    // not a bin
	moveScan(t, m, "TRANSIT", app.Bad) // transit is for shipping
	moveScan(t, m, "B2", app.Bad)      // the same bin
	moveScan(t, m, "nowhere", app.Bad) // unknown
	if n := len(f.events()); n != 0 {
		t.Fatalf("%d events before the to-bin, want 0", n)
	}
	moveScan(t, m, "B3", app.Good)
	if s := m.State(); s.Step != app.MoveScanFrom {
		t.Fatalf("state after the move: %+v", s)
	}
	want := []ev{{Kind: syncproto.KindMove, SKU: "A", From: "B2", To: "B3", Qty: 5}}
	if got := evsOf(f.events()); !reflect.DeepEqual(got, want) {
		t.Fatalf("events %+v, want %+v", got, want)
	}
	f.wantStock("B2", "A", "", 2)
	f.wantStock("B3", "A", "", 5)
	// 2 left at B2: 3 are refused at the to-bin too, when SetQty raises
	// the quantity after the item.
	moveScan(t, m, "B2", app.Good)
	moveScan(t, m, eachA, app.Good)
	m.SetQty(3)
	moveScan(t, m, "B1", app.Bad)
	m.Reset()
	if s := m.State(); s.Step != app.MoveScanFrom || s.From != "" {
		t.Fatalf("state after Reset: %+v", s)
	}
}

// TestShipTransfer: shipping moves go to the transit location with the
// transfer's number; items not on the transfer and other destinations are
// refused.
func TestShipTransfer(t *testing.T) {
	f := newPickFixture(t)
	ts, err := f.app.Transfers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []app.TransferSummary{
		{Number: "TR-1", From: "W1", To: "W2", Status: "open", Lines: 1, Outbound: true},
		{Number: "TR-2", From: "W2", To: "W1", Status: "shipped", Lines: 2},
	}
	if !reflect.DeepEqual(ts, want) {
		t.Fatalf("transfers %+v, want %+v", ts, want)
	}
	if _, err := f.app.StartShipment(ctx, "TR-2"); !errors.Is(err, app.ErrNotATransfer) {
		t.Fatalf("ship an inbound transfer: %v, want ErrNotATransfer", err)
	}
	m, err := f.app.StartShipment(ctx, "TR-1")
	if err != nil {
		t.Fatal(err)
	}
	if s := m.State(); s.Transfer != "TR-1" || m.Transit() != "TRANSIT" {
		t.Fatalf("shipment state %+v, transit %q", s, m.Transit())
	}
	moveScan(t, m, "DOCK-1", app.Bad) // from bins only
	moveScan(t, m, "B2", app.Good)
	moveScan(t, m, eanB, app.Bad) // not on TR-1
	m.SetQty(3)
	moveScan(t, m, eachA, app.Good)
	moveScan(t, m, "B3", app.Bad) // shipping goes to transit
	moveScan(t, m, "TRANSIT", app.Good)
	if s := m.State(); s.Step != app.MoveScanFrom || s.Transfer != "TR-1" {
		t.Fatalf("state after shipping: %+v", s)
	}
	wantEv := []ev{{Kind: syncproto.KindMove, SKU: "A", From: "B2", To: "TRANSIT", Qty: 3, Ref: "TR-1"}}
	if got := evsOf(f.events()); !reflect.DeepEqual(got, wantEv) {
		t.Fatalf("events %+v, want %+v", got, wantEv)
	}
	f.wantStock("TRANSIT", "A", "", 3)
}

// TestReceiveTransfer: receiving an inbound transfer to the dock with its
// number; items (and lots) not on it are refused.
func TestReceiveTransfer(t *testing.T) {
	f := newPickFixture(t)
	if _, err := f.app.StartTransferReceipt(ctx, "TR-1"); !errors.Is(err, app.ErrNotATransfer) {
		t.Fatalf("receive an outbound transfer: %v, want ErrNotATransfer", err)
	}
	r, err := f.app.StartTransferReceipt(ctx, "TR-2")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		text string
		qty  int64
		want app.Level
	}{
		{eanB, 0, app.Bad},                           // not on TR-2
		{gs1(eanL, "L8", "271231", ""), 0, app.Bad},  // lot not on TR-2
		{eanL, 0, app.Bad},                           // lot needed
		{"B1", 0, app.Bad},                           // not an item
		{gs1(eanL, "L7", "271231", ""), 4, app.Good}, // 4 L/L7
		{eachA, 0, app.Good},                         // 1 A
	} {
		r.SetQty(c.qty)
		fb, err := r.Scan(ctx, c.text)
		checkFB(t, "scan "+c.text, fb, err, c.want)
	}
	want := []ev{
		{Kind: syncproto.KindReceive, SKU: "L", Lot: "L7", To: "DOCK-1", Qty: 4, Ref: "TR-2", Expiry: "2027-12-31"},
		{Kind: syncproto.KindReceive, SKU: "A", To: "DOCK-1", Qty: 1, Ref: "TR-2"},
	}
	if got := evsOf(f.events()); !reflect.DeepEqual(got, want) {
		t.Fatalf("events %+v, want %+v", got, want)
	}
	lines, err := r.Lines(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantLines := []app.ReceiptLine{
		{SKU: "L", Name: "Lettuce", Ordered: 4, Received: 4, OnOrder: true},
		{SKU: "A", Name: "Apples", Ordered: 2, Received: 1, OnOrder: true},
	}
	if !reflect.DeepEqual(lines, wantLines) {
		t.Fatalf("lines %+v, want %+v", lines, wantLines)
	}
	f.wantStock("DOCK-1", "L", "L7", 4)
}
