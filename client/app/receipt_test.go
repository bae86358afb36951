package app_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/driftless/driftless/client/app"
	"github.com/driftless/driftless/syncproto"
)

// TestReceiptWithEveryException receives PO-1 with a clean each, a case,
// an over-receipt split by the tolerance, an unknown barcode, a lot-tracked
// item without its lot (refused), expired, short-dated and good lots, a
// serial and its duplicate, an item not on the order and a damaged unit;
// nothing is written until Finish, which writes exactly the expected
// events.
func TestReceiptWithEveryException(t *testing.T) {
	f := newFixture(t, false)
	f.signIn()
	r, err := f.app.StartReceipt(ctx, "PO-1")
	if err != nil {
		t.Fatal(err)
	}
	if r.PO() != "PO-1" || r.Blind() {
		t.Fatalf("receipt of %s, blind %v", r.PO(), r.Blind())
	}
	scan(t, r, eachA, app.Good)                                                 // A: 5 before + 1
	if fb := scan(t, r, caseA, app.Good); !strings.Contains(fb.Title, "× 12") { // + 12 = 18
		t.Errorf("case scan title %q, want × 12", fb.Title)
	}
	r.SetQty(5)
	if fb := scan(t, r, eachA, app.Warn); !strings.Contains(fb.Detail, "4 received, 1 beyond") { // limit 22: 4 in, 1 out
		t.Errorf("over-receipt detail %q", fb.Detail)
	}
	scan(t, r, eachA, app.Bad) // the line is full: 1 to quarantine
	scan(t, r, unknown, app.Bad)
	if fb := scan(t, r, eanL, app.Bad); !strings.Contains(fb.Detail, "lot") {
		t.Errorf("lot-tracked item without a lot: %q", fb.Detail)
	}
	if fb := scan(t, r, gs1(eanL, "NODATE", "", ""), app.Bad); !strings.Contains(fb.Detail, "expiry") {
		t.Errorf("expiry-tracked item without an expiry: %q", fb.Detail)
	}
	if fb := scan(t, r, eanS, app.Bad); !strings.Contains(fb.Detail, "serial") {
		t.Errorf("serial-tracked item without a serial: %q", fb.Detail)
	}
	scan(t, r, gs1(eanL, "OLD", "260531", ""), app.Bad)   // expired yesterday
	scan(t, r, gs1(eanL, "SOON", "260615", ""), app.Warn) // within 30 days
	r.SetQty(3)
	scan(t, r, gs1(eanL, "GOOD", "261231", ""), app.Good)
	scan(t, r, gs1(eanS, "", "", "SN1"), app.Good)
	scan(t, r, gs1(eanS, "", "", "SN1"), app.Bad) // duplicate serial
	scan(t, r, eanX, app.Bad)                     // not on the order
	if fb, err := r.MarkDamaged(ctx, "crushed box"); err != nil || fb.Level != app.Warn || !strings.Contains(fb.Title, "S") {
		t.Fatalf("MarkDamaged = %+v, %v; want the serial S marked", fb, err)
	}
	if n := len(f.events()); n != 0 {
		t.Fatalf("%d events before Finish, want none", n)
	}

	scans, err := r.Scans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var codes []app.ExceptionCode
	for _, s := range scans {
		codes = append(codes, s.Exception)
	}
	wantCodes := []app.ExceptionCode{"", "", app.ExOverReceipt, app.ExOverReceipt, app.ExUnknownBarcode, app.ExExpired,
		app.ExShortDated, "", app.ExDamaged, app.ExDuplicateSerial, app.ExNotOnPO}
	if !reflect.DeepEqual(codes, wantCodes) {
		t.Fatalf("scan exceptions %v\nwant %v", codes, wantCodes)
	}
	lines, err := r.Lines(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantLines := []app.ReceiptLine{
		{SKU: "A", Name: "Apples", Ordered: 20, Before: 5, Received: 17, Quarantined: 2, OnOrder: true},
		{SKU: "L", Name: "Lettuce", Ordered: 10, Received: 4, Quarantined: 1, OnOrder: true},
		{SKU: "S", Name: "Scanner", Ordered: 3, Received: 0, Quarantined: 1, OnOrder: true},
		{SKU: "X", Name: "Xylophone", Quarantined: 1},
	}
	if !reflect.DeepEqual(lines, wantLines) {
		t.Fatalf("lines %+v\nwant %+v", lines, wantLines)
	}
	sum, err := r.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantEvents := []ev{
		{Kind: "receive", SKU: "A", To: "DOCK-1", Qty: 1, Ref: "PO-1"},
		{Kind: "receive", SKU: "A", To: "DOCK-1", Qty: 12, Ref: "PO-1"},
		{Kind: "receive", SKU: "A", To: "DOCK-1", Qty: 4, Ref: "PO-1"},
		{Kind: "receive", SKU: "A", To: "QUAR", Qty: 1, Ref: "PO-1"},
		{Kind: "exception", SKU: "A", Qty: 1, Reason: "over_receipt", Ref: "PO-1", Barcode: eachA},
		{Kind: "receive", SKU: "A", To: "QUAR", Qty: 1, Ref: "PO-1"},
		{Kind: "exception", SKU: "A", Qty: 1, Reason: "over_receipt", Ref: "PO-1", Barcode: eachA},
		{Kind: "exception", Qty: 1, Reason: "unknown_barcode", Ref: "PO-1", Barcode: unknown},
		{Kind: "receive", SKU: "L", Lot: "OLD", To: "QUAR", Qty: 1, Ref: "PO-1", Expiry: "2026-05-31"},
		{Kind: "exception", SKU: "L", Lot: "OLD", Qty: 1, Reason: "expired_lot", Ref: "PO-1", Expiry: "2026-05-31",
			Barcode: gs1(eanL, "OLD", "260531", "")},
		{Kind: "receive", SKU: "L", Lot: "SOON", To: "DOCK-1", Qty: 1, Ref: "PO-1", Expiry: "2026-06-15"},
		{Kind: "exception", SKU: "L", Lot: "SOON", Qty: 1, Reason: "short_dated", Ref: "PO-1", Expiry: "2026-06-15",
			Barcode: gs1(eanL, "SOON", "260615", "")},
		{Kind: "receive", SKU: "L", Lot: "GOOD", To: "DOCK-1", Qty: 3, Ref: "PO-1", Expiry: "2026-12-31"},
		{Kind: "receive", SKU: "S", To: "DOCK-1", Qty: 1, Ref: "PO-1", Serial: "SN1"},
		{Kind: "damage", SKU: "S", From: "DOCK-1", To: "QUAR", Qty: 1, Reason: "crushed box", Ref: "PO-1", Serial: "SN1"},
		{Kind: "exception", SKU: "S", Qty: 1, Reason: "damaged", Ref: "PO-1", Serial: "SN1", Barcode: gs1(eanS, "", "", "SN1")},
		{Kind: "exception", SKU: "S", Qty: 1, Reason: "duplicate_serial", Ref: "PO-1", Serial: "SN1", Barcode: gs1(eanS, "", "", "SN1")},
		{Kind: "receive", SKU: "X", To: "QUAR", Qty: 1, Ref: "PO-1"},
		{Kind: "exception", SKU: "X", Qty: 1, Reason: "not_on_po", Ref: "PO-1", Barcode: eanX},
	}
	got := f.events()
	if g := evsOf(got); !reflect.DeepEqual(g, wantEvents) {
		for i := range max(len(g), len(wantEvents)) {
			var a, b ev
			if i < len(g) {
				a = g[i]
			}
			if i < len(wantEvents) {
				b = wantEvents[i]
			}
			if a != b {
				t.Errorf("event %d = %+v\n          want %+v", i, a, b)
			}
		}
		t.FailNow()
	}
	for i, e := range got {
		if e.Seq != uint64(i+1) || e.User != "ana" {
			t.Fatalf("event %d: seq %d user %q", i, e.Seq, e.User)
		}
	}
	wantSum := app.ReceiptSummary{PO: "PO-1", Lines: wantLines, Matched: 21, Quarantine: 5, Events: len(wantEvents),
		Exceptions: map[app.ExceptionCode]int{app.ExOverReceipt: 2, app.ExUnknownBarcode: 1, app.ExExpired: 1,
			app.ExShortDated: 1, app.ExDuplicateSerial: 1, app.ExNotOnPO: 1, app.ExDamaged: 1}}
	if !reflect.DeepEqual(sum, wantSum) {
		t.Fatalf("summary %+v\nwant %+v", sum, wantSum)
	}
	f.wantStock("DOCK-1", "A", "", 10+17)
	f.wantStock("QUAR", "A", "", 2)
	f.wantStock("QUAR", "S", "", 1)
	f.wantStock("DOCK-1", "S", "", 0)
	f.wantStock("QUAR", "L", "OLD", 1)
	if _, ok, _ := f.app.ActiveReceipt(ctx); ok {
		t.Fatal("the receipt is still active after Finish")
	}
	if _, err := r.Scan(ctx, eachA); !errors.Is(err, app.ErrReceiptClosed) {
		t.Fatalf("scan after Finish: %v, want ErrReceiptClosed", err)
	}
	// The serial is known now that the receipt is finished: a new receipt
	// flags it too.
	r2, err := f.app.StartReceipt(ctx, "PO-1")
	if err != nil {
		t.Fatal(err)
	}
	scan(t, r2, gs1(eanS, "", "", "SN1"), app.Bad)
	scan(t, r2, gs1(eanS, "", "", "SN2"), app.Good)
}

// TestBlindReceipt: ordered and earlier figures are hidden, over-receipt is
// still split off, with a warning that does not tell the order's figure.
func TestBlindReceipt(t *testing.T) {
	f := newFixture(t, true)
	f.signIn()
	r, err := f.app.StartReceipt(ctx, "PO-1")
	if err != nil {
		t.Fatal(err)
	}
	if !r.Blind() {
		t.Fatal("receipt not blind in a blind-receiving warehouse")
	}
	scan(t, r, caseA, app.Good)
	fb := scan(t, r, caseA, app.Warn) // 5 + 24 > 22: 7 aside
	if strings.Contains(fb.Title+fb.Detail, "20") || strings.Contains(fb.Title+fb.Detail, "22") {
		t.Errorf("blind feedback %q / %q tells the ordered figure", fb.Title, fb.Detail)
	}
	lines, err := r.Lines(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := app.ReceiptLine{SKU: "A", Name: "Apples", Received: 17, Quarantined: 7, OnOrder: true, Blind: true}
	if lines[0] != want {
		t.Fatalf("blind line %+v, want %+v", lines[0], want)
	}
	for _, l := range lines {
		if l.Ordered != 0 || l.Before != 0 || !l.Blind {
			t.Fatalf("blind line shows figures: %+v", l)
		}
	}
	sum, err := r.Finish(ctx)
	if err != nil || !sum.Blind || sum.Exceptions[app.ExOverReceipt] != 1 {
		t.Fatalf("summary %+v, %v", sum, err)
	}
	f.wantStock("QUAR", "A", "", 7)
}

// TestReceiptResumesAfterRestartAndUndo: scans, a damage mark and an undo
// are all back after the store is closed and reopened mid-receipt; the
// signed-in user too; Finish writes only what was not undone.
func TestReceiptResumesAfterRestartAndUndo(t *testing.T) {
	f := newFixture(t, false)
	f.signIn()
	r, err := f.app.StartReceipt(ctx, "(00)003456789012345670") // the announced pallet's SSCC
	if err != nil {
		t.Fatal(err)
	}
	if r.PO() != "PO-1" {
		t.Fatalf("SSCC opened %s, want PO-1", r.PO())
	}
	scan(t, r, eachA, app.Good)
	scan(t, r, eanB, app.Bad) // not on the order
	scan(t, r, caseA, app.Good)
	if _, err := r.MarkDamaged(ctx, "wet"); err != nil {
		t.Fatal(err)
	}
	if fb, err := r.Undo(ctx); err != nil || !strings.Contains(fb.Title, "A × 12") {
		t.Fatalf("Undo = %+v, %v; want the case undone", fb, err)
	}
	before, _ := r.Scans(ctx)

	f.reopen()
	u, ok, err := f.app.CurrentUser(ctx)
	if err != nil || !ok || u.Code != "ana" {
		t.Fatalf("signed-in user after restart = %+v, %v, %v", u, ok, err)
	}
	r, ok, err = f.app.ActiveReceipt(ctx)
	if err != nil || !ok || r.PO() != "PO-1" {
		t.Fatalf("ActiveReceipt after restart = %v, %v", ok, err)
	}
	after, err := r.Scans(ctx)
	if err != nil || !reflect.DeepEqual(after, before) {
		t.Fatalf("scans after restart %+v, %v\nwant %+v", after, err, before)
	}
	if len(after) != 3 || !after[2].Voided || after[2].Exception != app.ExDamaged {
		t.Fatalf("scans after restart: %+v", after)
	}
	// StartReceipt of the same order resumes it; another order is refused.
	if r2, err := f.app.StartReceipt(ctx, "PO-1"); err != nil || r2 != r {
		t.Fatalf("StartReceipt(PO-1) with PO-1 open = %p, %v; want the open receipt %p", r2, err, r)
	}
	scan(t, r, eachA, app.Good)
	if _, err := r.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	want := []ev{
		{Kind: "receive", SKU: "A", To: "DOCK-1", Qty: 1, Ref: "PO-1"},
		{Kind: "receive", SKU: "B", To: "QUAR", Qty: 1, Ref: "PO-1"},
		{Kind: "exception", SKU: "B", Qty: 1, Reason: "not_on_po", Ref: "PO-1", Barcode: eanB},
		{Kind: "receive", SKU: "A", To: "DOCK-1", Qty: 1, Ref: "PO-1"},
	}
	if got := evsOf(f.events()); !reflect.DeepEqual(got, want) {
		t.Fatalf("events %+v\nwant %+v", got, want)
	}
}

// TestCancelWritesNothing and a receipt needs someone signed in.
func TestCancelWritesNothing(t *testing.T) {
	f := newFixture(t, false)
	if _, err := f.app.StartReceipt(ctx, "PO-1"); !errors.Is(err, app.ErrNotSignedIn) {
		t.Fatalf("StartReceipt signed out: %v, want ErrNotSignedIn", err)
	}
	f.signIn()
	if _, err := f.app.StartReceipt(ctx, "PO-404"); !errors.Is(err, app.ErrNotAnOrder) {
		t.Fatalf("StartReceipt(PO-404): %v, want ErrNotAnOrder", err)
	}
	r, err := f.app.StartReceipt(ctx, "PO-1")
	if err != nil {
		t.Fatal(err)
	}
	scan(t, r, eachA, app.Good)
	if err := r.Cancel(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(f.events()); n != 0 {
		t.Fatalf("%d events after Cancel", n)
	}
	if _, ok, _ := f.app.ActiveReceipt(ctx); ok {
		t.Fatal("cancelled receipt still active")
	}
	if _, err := r.Finish(ctx); !errors.Is(err, app.ErrReceiptClosed) {
		t.Fatalf("Finish after Cancel: %v", err)
	}
	if n := len(f.events()); n != 0 {
		t.Fatalf("%d events after Finish of a cancelled receipt", n)
	}
	_ = syncproto.KindReceive
}

// TestGSSubstitute: a wedge scanner cannot type the GS1 group separator
// into the scan field, so its profile types a substitute; the app puts the
// separator back in GS1 scans (with or without a symbology identifier) and
// leaves other codes as typed.
func TestGSSubstitute(t *testing.T) {
	f := newFixture(t, false)
	f.signIn()
	label := func(prefix, lot string) string { return prefix + "010" + eanL + "10" + lot + "|17261231" }
	r, err := f.app.StartReceipt(ctx, "PO-1")
	if err != nil {
		t.Fatal(err)
	}
	// Without the setting the substitute is in the lot: unreadable.
	if fb := scan(t, r, label("]C1", "LOT6"), app.Bad); !strings.Contains(fb.Detail, "not allowed") {
		t.Fatalf("without a substitute: %q", fb.Detail)
	}
	if err := r.Cancel(ctx); err != nil {
		t.Fatal(err)
	}

	f.gs = "|"
	f.reopen()
	r, err = f.app.StartReceipt(ctx, "PO-1")
	if err != nil {
		t.Fatal(err)
	}
	scan(t, r, label("]C1", "LOT7"), app.Good)
	scan(t, r, label("", "LOT8"), app.Good)
	scan(t, r, "AB|CD", app.Bad) // an internal code: unknown, kept as typed
	scans, err := r.Scans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range scans {
		got = append(got, s.Lot+" "+s.Expiry+" "+s.Barcode)
	}
	want := []string{
		"LOT7 2026-12-31 " + label("]C1", "LOT7"),
		"LOT8 2026-12-31 " + label("", "LOT8"),
		"  AB|CD",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("scans:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
