package app_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/driftless/driftless/client/app"
	"github.com/driftless/driftless/syncproto"
)

// TestSignInAndOut: PINs are checked offline; unknown and archived users
// and wrong PINs are refused with their own errors; signing out keeps the
// unsynced scans and stops the workflows until someone signs in.
func TestSignInAndOut(t *testing.T) {
	f := newFixture(t, false)
	users, err := f.app.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []app.User{{Code: "ana", Name: "Ana", Roles: []app.Role{app.RoleReceiver, app.RolePicker}}}; !reflect.DeepEqual(users, want) {
		t.Fatalf("users %+v, want %+v (the archived user hidden)", users, want)
	}
	for _, c := range []struct {
		user, pin string
		want      error
	}{
		{"ana", "1112", app.ErrWrongPIN},
		{"ana", "", app.ErrWrongPIN},
		{"old", "0000", app.ErrUserArchived},
		{"bob", "1111", app.ErrUnknownUser},
	} {
		if _, err := f.app.SignIn(ctx, c.user, c.pin); !errors.Is(err, c.want) {
			t.Errorf("SignIn(%s, %q) = %v, want %v", c.user, c.pin, err, c.want)
		}
	}
	if _, ok, _ := f.app.CurrentUser(ctx); ok {
		t.Fatal("someone is signed in after failed sign-ins")
	}
	u, err := f.app.SignIn(ctx, "ana", pinAna)
	if err != nil || !u.Has(app.RoleReceiver) || u.Has(app.RoleAdmin) {
		t.Fatalf("SignIn(ana) = %+v, %v", u, err)
	}
	select {
	case <-f.app.Changed():
	default:
		t.Fatal("Changed not signalled by a sign-in")
	}
	rt := f.app.StartReturns()
	if fb, err := rt.Scan(ctx, eachA); err != nil || fb.Level != app.Good {
		t.Fatalf("return scan = %+v, %v", fb, err)
	}
	if err := f.app.SignOut(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := f.app.CurrentUser(ctx); ok {
		t.Fatal("still signed in after SignOut")
	}
	if s := f.app.SyncStatus(); s.Unsynced != 1 || s.Oldest.IsZero() || !s.Enrolled || s.Online {
		t.Fatalf("sync status after sign-out = %+v; want the return unsynced", s)
	}
	if _, err := rt.Scan(ctx, eachA); !errors.Is(err, app.ErrNotSignedIn) {
		t.Fatalf("return scan signed out: %v, want ErrNotSignedIn", err)
	}
	if _, err := f.app.StartPutaway().Scan(ctx, eachA); !errors.Is(err, app.ErrNotSignedIn) {
		t.Fatalf("put-away scan signed out: %v, want ErrNotSignedIn", err)
	}
	f.reopen()
	if s := f.app.SyncStatus(); s.Unsynced != 1 {
		t.Fatalf("unsynced after restart = %d, want 1", s.Unsynced)
	}
	if _, ok, _ := f.app.CurrentUser(ctx); ok {
		t.Fatal("signed in again after a restart")
	}
}

// TestPutaway: the suggested bin is the one holding most of the SKU, else
// the first empty bin by sequence; a location that is not a bin is
// refused; the put-away event moves the chosen quantity.
func TestPutaway(t *testing.T) {
	f := newFixture(t, false)
	f.signIn()
	p := f.app.StartPutaway()
	if fb, _ := p.Scan(ctx, "LOC-B1"); fb.Level != app.Bad {
		t.Fatalf("bin before an item: %+v", fb)
	}
	if fb, _ := p.Scan(ctx, eanX); fb.Level != app.Bad || p.State().Step != app.PutawayScanItem {
		t.Fatalf("item not at the dock: %+v, %+v", fb, p.State())
	}
	fb, err := p.Scan(ctx, eachA)
	if err != nil || fb.Level != app.Good {
		t.Fatalf("scan A: %+v, %v", fb, err)
	}
	want := app.PutawayState{Step: app.PutawayScanBin, Item: app.StockLine{Location: "DOCK-1", SKU: "A", Name: "Apples", Qty: 10},
		Suggested: "B2", Why: "holds 7 of this SKU"}
	if st := p.State(); !reflect.DeepEqual(st, want) {
		t.Fatalf("state %+v, want %+v", st, want)
	}
	p.SetQty(4)
	for _, notBin := range []string{"LOC-DOCK-1", "QUAR", "NOWHERE"} {
		if fb, err := p.Scan(ctx, notBin); err != nil || fb.Level != app.Bad || !strings.Contains(fb.Title, "Not a bin") {
			t.Fatalf("scan %s as the bin: %+v, %v; want refused", notBin, fb, err)
		}
	}
	if fb, err := p.Scan(ctx, "LOC-B1"); err != nil || fb.Level != app.Good {
		t.Fatalf("scan bin B1: %+v, %v", fb, err)
	}
	f.wantStock("DOCK-1", "A", "", 6)
	f.wantStock("B1", "A", "", 4)
	if st := p.State(); st.Step != app.PutawayScanItem {
		t.Fatalf("after a put-away the step is %v", st.Step)
	}
	// B holds no bin: the first empty bin by sequence (B1 and B2 hold A).
	lines, err := f.app.Stock(ctx, "dock")
	if err != nil {
		t.Fatal(err)
	}
	var lineB app.StockLine
	for _, l := range lines {
		if l.SKU == "B" {
			lineB = l
		}
	}
	if fb, err := p.Choose(ctx, lineB); err != nil || fb.Level != app.Good {
		t.Fatalf("choose B: %+v, %v", fb, err)
	}
	if st := p.State(); st.Suggested != "B3" || st.Why != "empty bin" || st.Item.Qty != 4 {
		t.Fatalf("state for B %+v; want B3, empty bin, 4", st)
	}
	if fb, _ := p.Scan(ctx, "B3"); fb.Level != app.Good {
		t.Fatalf("put B away: %+v", fb)
	}
	f.wantStock("B3", "B", "", 4)
	evs := evsOf(f.events())
	wantEvs := []ev{{Kind: "putaway", SKU: "A", From: "DOCK-1", To: "B1", Qty: 4}, {Kind: "putaway", SKU: "B", From: "DOCK-1", To: "B3", Qty: 4}}
	if !reflect.DeepEqual(evs, wantEvs) {
		t.Fatalf("events %+v, want %+v", evs, wantEvs)
	}
}

// TestReturnsWithEachDisposition: a return books into the returns
// location with its reference; restock, damage and scrap each write their
// event with the reason; a missing reason or a non-bin is refused.
func TestReturnsWithEachDisposition(t *testing.T) {
	f := newFixture(t, false)
	f.signIn()
	rt := f.app.StartReturns()
	rt.SetRef("RMA-7")
	rt.SetQty(6)
	if fb, err := rt.Scan(ctx, eachA); err != nil || fb.Level != app.Good {
		t.Fatalf("return: %+v, %v", fb, err)
	}
	if fb, _ := rt.Scan(ctx, unknown); fb.Level != app.Bad {
		t.Fatalf("unknown return: %+v", fb)
	}
	waiting, err := rt.Waiting(ctx)
	if err != nil || len(waiting) != 1 || waiting[0] != (app.StockLine{Location: "RET", SKU: "A", Name: "Apples", Qty: 6}) {
		t.Fatalf("waiting %+v, %v", waiting, err)
	}
	line := waiting[0]
	if fb, _ := rt.Dispose(ctx, line, 1, app.Restock, "B1", ""); fb.Level != app.Bad {
		t.Fatalf("dispose without a reason: %+v", fb)
	}
	if fb, _ := rt.Dispose(ctx, line, 1, app.Restock, "QUAR", "fine"); fb.Level != app.Bad {
		t.Fatalf("restock to quarantine: %+v", fb)
	}
	if fb, _ := rt.Dispose(ctx, line, 7, app.Scrap, "", "too many"); fb.Level != app.Bad {
		t.Fatalf("dispose of more than returned: %+v", fb)
	}
	for _, c := range []struct {
		qty int64
		d   app.Disposition
		bin string
	}{{3, app.Restock, "LOC-B1"}, {2, app.Damage, ""}, {1, app.Scrap, ""}} {
		if fb, err := rt.Dispose(ctx, line, c.qty, c.d, c.bin, string(c.d)+" it"); err != nil || fb.Level != app.Good {
			t.Fatalf("dispose %s: %+v, %v", c.d, fb, err)
		}
	}
	want := []ev{
		{Kind: "return", SKU: "A", To: "RET", Qty: 6, Reason: "customer return", Ref: "RMA-7"},
		{Kind: "putaway", SKU: "A", From: "RET", To: "B1", Qty: 3, Reason: "restock it"},
		{Kind: "damage", SKU: "A", From: "RET", To: "QUAR", Qty: 2, Reason: "damage it"},
		{Kind: "damage", SKU: "A", From: "RET", Qty: 1, Reason: "scrap it"},
	}
	if got := evsOf(f.events()); !reflect.DeepEqual(got, want) {
		t.Fatalf("events %+v\nwant %+v", got, want)
	}
	f.wantStock("RET", "A", "", 0)
	f.wantStock("B1", "A", "", 3)
	f.wantStock("QUAR", "A", "", 2)
	if waiting, _ := rt.Waiting(ctx); len(waiting) != 0 {
		t.Fatalf("still waiting: %+v", waiting)
	}
}

// TestReferenceViews: the warehouse, open orders with supplier names and
// stock by location type.
func TestReferenceViews(t *testing.T) {
	f := newFixture(t, false)
	code, name, err := f.app.Warehouse(ctx)
	if err != nil || code != "W1" || name != "Main" {
		t.Fatalf("warehouse %q %q %v", code, name, err)
	}
	pos, err := f.app.OpenPurchaseOrders(ctx)
	want := []app.PurchaseOrderSummary{{Number: "PO-1", Supplier: "Acme Foods", ExpectedDate: "2026-06-01", Lines: 3, Status: "partially_received"}}
	if err != nil || !reflect.DeepEqual(pos, want) {
		t.Fatalf("open orders %+v, %v", pos, err)
	}
	bins, err := f.app.Stock(ctx, "bin")
	if err != nil || len(bins) != 1 || bins[0].Location != "B2" {
		t.Fatalf("bin stock %+v, %v", bins, err)
	}
	if ok, err := f.app.Enrolled(ctx); !ok || err != nil {
		t.Fatalf("Enrolled = %v, %v", ok, err)
	}
}

// TestPutawayPallet: scanning a received pallet's SSCC at put-away takes
// everything this device received against its order that is still at the
// dock, and one bin scan puts all of it away in one transaction.
func TestPutawayPallet(t *testing.T) {
	f := newFixture(t, false)
	f.signIn()
	const sscc = "(00)003456789012345670"
	p := f.app.StartPutaway()
	if fb, err := p.Scan(ctx, sscc); err != nil || fb.Level != app.Bad {
		t.Fatalf("pallet before it was received: %+v, %v", fb, err)
	}
	r, err := f.app.StartReceipt(ctx, sscc)
	if err != nil {
		t.Fatal(err)
	}
	scan(t, r, eachA, app.Good)
	scan(t, r, caseA, app.Good)
	scan(t, r, gs1(eanL, "GOOD", "261231", ""), app.Good)
	scan(t, r, eanX, app.Bad) // not on the order: quarantine, not the pallet's dock stock
	if _, err := r.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	fb, err := p.Scan(ctx, sscc)
	if err != nil || fb.Level != app.Good {
		t.Fatalf("pallet scan: %+v, %v", fb, err)
	}
	st := p.State()
	var got []string
	for _, l := range st.Lines {
		got = append(got, fmt.Sprintf("%s %s %s %d", l.Location, l.SKU, l.Lot, l.Qty))
	}
	// A: the fixture's 10 at the dock are not this pallet's; 13 are.
	want := []string{"DOCK-1 A  13", "DOCK-1 L GOOD 1"}
	if st.Step != app.PutawayScanBin || st.Item.Qty != 14 || !reflect.DeepEqual(got, want) {
		t.Fatalf("pallet state %+v, lines %q; want %q", st, got, want)
	}
	if fb, err := p.Scan(ctx, "LOC-B1"); err != nil || fb.Level != app.Good {
		t.Fatalf("bin scan: %+v, %v", fb, err)
	}
	f.wantStock("B1", "A", "", 13)
	f.wantStock("B1", "L", "GOOD", 1)
	f.wantStock("DOCK-1", "A", "", 10)
	var putaways int
	for _, e := range f.events() {
		if e.Kind == syncproto.KindPutaway {
			putaways++
			if e.Ref != "003456789012345670" {
				t.Errorf("put-away ref %q, want the SSCC", e.Ref)
			}
		}
	}
	if putaways != 2 {
		t.Errorf("%d put-away events, want 2", putaways)
	}
	// Put away already: a second scan finds nothing of it at the dock.
	if fb, _ := p.Scan(ctx, sscc); fb.Level != app.Bad {
		t.Errorf("pallet scanned again: %+v", fb)
	}
}
