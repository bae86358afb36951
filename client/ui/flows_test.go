package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/crypto/bcrypt"

	"github.com/driftless/driftless/client/app"
	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/client/store/storetest"
	"github.com/driftless/driftless/syncproto"
)

// The flows below drive the screens over the real app state on a real
// device store, seeded with a catalog the way a snapshot would be, typing
// wedge scans into whatever has the focus.

// today is the device's clock: lots expiring before it are expired, before
// today+30 days short-dated.
var today = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func gtin13(n int) string {
	d := fmt.Sprintf("%012d", n)
	sum := 0
	for i, c := range d {
		w := 1
		if i%2 == 1 {
			w = 3
		}
		sum += int(c-'0') * w
	}
	return d + fmt.Sprint((10-sum%10)%10)
}

var (
	eachA   = gtin13(1001) // SKU A, 1 unit
	caseA   = gtin13(1002) // SKU A, 12 units
	eanL    = gtin13(1003) // SKU L (lot and expiry tracked)
	eanS    = gtin13(1004) // SKU S (serial tracked)
	eanX    = gtin13(1005) // SKU X, on no order
	eanB    = gtin13(1006) // SKU B
	unknown = gtin13(9999)
)

// gs1 is a bracketed GS1 element string (as a wedge scanner configured
// for human-readable AIs types it).
func gs1(gtin, lot, expiry, serial string) string {
	s := "(01)0" + gtin
	if expiry != "" {
		s += "(17)" + expiry
	}
	if lot != "" {
		s += "(10)" + lot
	}
	if serial != "" {
		s += "(21)" + serial
	}
	return s
}

func pinHash(t testing.TB, pin string) string {
	h, err := bcrypt.GenerateFromPassword([]byte(pin), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

// testCatalog: warehouse W1 (10% tolerance, 30 days' shelf life), PO-1 (A:
// 20 ordered, 5 received before; L: 10; S: 3) with one SSCC; users ana
// (receiver) and pat (picker).
func testCatalog(t testing.TB, blind bool) syncproto.Catalog {
	return syncproto.Catalog{
		Warehouses: []syncproto.Warehouse{{Code: "W1", Name: "Main", BlindReceiving: blind, OverReceiptPct: 10, MinShelfLifeDays: 30, Position: 1}},
		Suppliers:  []syncproto.Supplier{{Code: "ACME", Name: "Acme Foods", Position: 1}},
		SKUs: []syncproto.SKU{
			{Code: "A", Name: "Apples", Unit: "each", Position: 1},
			{Code: "B", Name: "Bananas", Unit: "each", Position: 1},
			{Code: "L", Name: "Lettuce", Unit: "each", TrackLot: true, TrackExpiry: true, Position: 1},
			{Code: "S", Name: "Scanner", Unit: "each", TrackSerial: true, Position: 1},
			{Code: "X", Name: "Xylophone", Unit: "each", Position: 1},
		},
		Barcodes: []syncproto.Barcode{
			{Value: eachA, SKU: "A", Type: "gtin", Pack: 1, Position: 1},
			{Value: caseA, SKU: "A", Type: "gtin", Pack: 12, Position: 1},
			{Value: eanL, SKU: "L", Type: "gtin", Pack: 1, Position: 1},
			{Value: eanS, SKU: "S", Type: "gtin", Pack: 1, Position: 1},
			{Value: eanX, SKU: "X", Type: "gtin", Pack: 1, Position: 1},
			{Value: eanB, SKU: "B", Type: "gtin", Pack: 1, Position: 1},
		},
		Locations: []syncproto.Location{
			{Code: "DOCK-1", Type: "dock", Barcode: "LOC-DOCK-1", Sequence: 1, Position: 1},
			{Code: "QUAR", Type: "quarantine", Sequence: 1, Position: 1},
			{Code: "RET", Type: "returns", Sequence: 1, Position: 1},
			{Code: "B1", Type: "bin", Barcode: "LOC-B1", Sequence: 1, Position: 1},
			{Code: "B2", Type: "bin", Barcode: "LOC-B2", Sequence: 2, Position: 1},
		},
		PurchaseOrders: []syncproto.PurchaseOrder{{Number: "PO-1", Supplier: "ACME", Status: "partially_received",
			ExpectedDate: "2026-06-01",
			Lines:        []syncproto.POLine{{SKU: "A", Ordered: 20, Received: 5}, {SKU: "L", Ordered: 10}, {SKU: "S", Ordered: 3}},
			SSCCs:        []string{"003456789012345670"}, Position: 1}},
		Users: []syncproto.User{
			{Code: "ana", Name: "Ana", Roles: []string{"receiver", "picker"}, PINHash: pinHash(t, "1111"), Position: 1},
			{Code: "pat", Name: "Pat", Roles: []string{"picker"}, PINHash: pinHash(t, "2222"), Position: 1},
		},
	}
}

// device is a real device store and app state with the screens over it.
type device struct {
	t    testing.TB
	path string
	st   *store.Store
	app  *app.App
	u    *UI
	w    fyne.Window
	fb   *countingSink
	sync string
}

// newDevice opens an enrolled device store holding the catalog and stock
// (DOCK-1: 10 A and 4 B; B2: 7 A) and shows the UI over it.
func newDevice(t testing.TB, blind bool) *device {
	return newDeviceSync(t, blind, store.SyncNormal)
}

// newDeviceSync is newDevice with the store's synchronous level.
func newDeviceSync(t testing.TB, blind bool, synchronous string) *device {
	t.Helper()
	return newDeviceWith(t, testCatalog(t, blind), synchronous, []syncproto.Level{
		{Location: "DOCK-1", SKU: "A", Qty: 10, Position: 1},
		{Location: "DOCK-1", SKU: "B", Qty: 4, Position: 2},
		{Location: "B2", SKU: "A", Qty: 7, Position: 3},
	})
}

// newDeviceWith opens an enrolled device store holding a catalog and
// stock levels and shows the UI over it.
func newDeviceWith(t testing.TB, cat syncproto.Catalog, synchronous string, levels []syncproto.Level) *device {
	t.Helper()
	test.NewTempApp(t)
	d := &device{t: t, path: filepath.Join(t.TempDir(), "device.db"), fb: &countingSink{}, sync: synchronous}
	d.st = storetest.MustOpenPath(t, d.path, store.WithSynchronous(synchronous))
	ctx := context.Background()
	if err := d.st.Enroll(ctx, storetest.Identity); err != nil {
		t.Fatal(err)
	}
	page := &syncproto.SnapshotPage{Warehouse: "W1", Page: 1, CatalogHead: 1, Position: uint64(len(levels)), Stock: true, Catalog: cat,
		Levels: levels}
	if err := d.st.ApplySnapshotPage(ctx, page, true); err != nil {
		t.Fatal(err)
	}
	d.show()
	return d
}

// show builds the app state and a new UI in a new window, as starting the
// app does.
func (d *device) show() {
	d.app = app.New(d.st, app.Config{Now: func() time.Time { return today }})
	d.w = test.NewTempWindow(d.t, widget.NewLabel(""))
	d.w.Resize(handheld)
	d.u = newUI(FromApp(d.app), d.w, Options{Now: func() time.Time { return today }, NoWatch: true, Feedback: d.fb})
}

// restart closes the store, as a killed app leaves it, reopens it and
// starts a new UI.
func (d *device) restart() {
	d.t.Helper()
	if err := d.st.Close(); err != nil {
		d.t.Fatal(err)
	}
	d.st = storetest.MustOpenPath(d.t, d.path, store.WithSynchronous(d.sync))
	d.show()
}

// signIn signs a user in through the sign-in screen and the PIN pad.
func (d *device) signIn(name, pin string) {
	d.t.Helper()
	test.Tap(userButton(d.t, d.u, name))
	p := screenAs[*pinScreen](d.t, d.u)
	for _, k := range pin {
		test.Tap(findButtonByKey(d.t, p, string(k)))
	}
	test.Tap(findButton(p.root, "OK"))
}

// scan types a wedge scan into the focused field.
func (d *device) scan(text string) { d.t.Helper(); scan(d.t, d.w, text) }

// expect scans and checks the feedback panel's level, and that the focus
// went back to the scan field.
func (d *device) expect(text string, want app.Level) app.Feedback {
	d.t.Helper()
	d.scan(text)
	p := panelOf(d.t, d.u)
	if !p.shown || p.last.Level != want {
		d.t.Fatalf("scan %q: feedback %s %q (%s), want %s", text, p.last.Level, p.last.Title, p.last.Detail, want)
	}
	if p.title.Text != p.last.Title {
		d.t.Fatalf("panel shows %q, feedback was %q", p.title.Text, p.last.Title)
	}
	d.focusedOnScan()
	return p.last
}

// focusedOnScan checks the scan field has the focus.
func (d *device) focusedOnScan() {
	d.t.Helper()
	var want *widget.Entry
	switch s := d.u.screen.(type) {
	case *receiptScreen:
		want = s.scan.entry
	case *choosePOScreen:
		want = s.scan.entry
	case *putawayScreen:
		want = s.scan.entry
	case *returnsScreen:
		want = s.scan.entry
	case *pickListsScreen:
		want = s.scan.entry
	case *pickScreen:
		want = s.scan.entry
	case *moveScreen:
		want = s.scan.entry
	case *transfersScreen:
		want = s.scan.entry
	case *transferReceiptScreen:
		want = s.scan.entry
	case *countTasksScreen:
		want = s.scan.entry
	case *countScreen:
		want = s.scan.entry
	default:
		d.t.Fatalf("screen %T has no scan field", d.u.screen)
	}
	if d.w.Canvas().Focused() != want {
		d.t.Fatalf("focus on %T, not the scan field", d.w.Canvas().Focused())
	}
}

func (d *device) events() []syncproto.Event {
	d.t.Helper()
	evs, err := d.st.Events(context.Background(), 0, 1000)
	if err != nil {
		d.t.Fatal(err)
	}
	return evs
}

func (d *device) wantStock(loc, sku, lot string, want int64) {
	d.t.Helper()
	got, err := d.st.Stock(context.Background(), loc, sku, lot)
	if err != nil {
		d.t.Fatal(err)
	}
	if got != want {
		d.t.Errorf("stock %s/%s/%q = %d, want %d", loc, sku, lot, got, want)
	}
}

// countingSink counts the sounds played.
type countingSink struct{ good, warn, bad int }

func (c *countingSink) Good() { c.good++ }
func (c *countingSink) Warn() { c.warn++ }
func (c *countingSink) Bad()  { c.bad++ }

func screenAs[T screen](t testing.TB, u *UI) T {
	t.Helper()
	s, ok := u.screen.(T)
	if !ok {
		var zero T
		t.Fatalf("screen is %T, want %T", u.screen, zero)
	}
	return s
}

func panelOf(t testing.TB, u *UI) *feedbackPanel {
	t.Helper()
	switch s := u.screen.(type) {
	case *receiptScreen:
		return s.fb
	case *choosePOScreen:
		return s.fb
	case *putawayScreen:
		return s.fb
	case *returnsScreen:
		return s.fb
	case *pickListsScreen:
		return s.fb
	case *pickScreen:
		return s.fb
	case *moveScreen:
		return s.fb
	case *transfersScreen:
		return s.fb
	case *transferReceiptScreen:
		return s.fb
	case *countTasksScreen:
		return s.fb
	case *countScreen:
		return s.fb
	}
	t.Fatalf("screen %T has no feedback panel", u.screen)
	return nil
}

// findButtonByKey finds a PIN pad key.
func findButtonByKey(t testing.TB, p *pinScreen, key string) *widget.Button {
	t.Helper()
	var found *widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		c, ok := o.(*fyne.Container)
		if !ok {
			return
		}
		// A key is a stack of a button and its label.
		if len(c.Objects) == 2 {
			if b, ok := c.Objects[0].(*widget.Button); ok {
				if l := labelIn(c.Objects[1]); l == key || b.Text == key {
					found = b
					return
				}
			}
		}
		for _, ch := range c.Objects {
			walk(ch)
		}
	}
	walk(p.root)
	if found == nil {
		t.Fatalf("no key %q", key)
	}
	return found
}

func labelIn(o fyne.CanvasObject) string {
	switch o := o.(type) {
	case *widget.Label:
		return o.Text
	case *fyne.Container:
		for _, c := range o.Objects {
			if s := labelIn(c); s != "" {
				return s
			}
		}
	}
	return ""
}

// topDialog returns the content of the dialog on top of the window.
func topDialog(t testing.TB, w fyne.Window) fyne.CanvasObject {
	t.Helper()
	top := w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog open")
	}
	return top
}

// findEntry finds the first entry under o.
func findEntry(o fyne.CanvasObject) *widget.Entry {
	switch o := o.(type) {
	case *widget.Entry:
		return o
	case *fyne.Container:
		for _, c := range o.Objects {
			if e := findEntry(c); e != nil {
				return e
			}
		}
	case fyne.Widget:
		r := test.WidgetRenderer(o)
		for _, c := range r.Objects() {
			if e := findEntry(c); e != nil {
				return e
			}
		}
	}
	return nil
}

// findIn finds a button by text under any object, widgets included.
func findIn(o fyne.CanvasObject, text string) *widget.Button {
	switch o := o.(type) {
	case *widget.Button:
		if o.Text == text {
			return o
		}
		return nil
	case *fyne.Container:
		for _, c := range o.Objects {
			if b := findIn(c, text); b != nil {
				return b
			}
		}
	case fyne.Widget:
		r := test.WidgetRenderer(o)
		for _, c := range r.Objects() {
			if b := findIn(c, text); b != nil {
				return b
			}
		}
	}
	return nil
}

// setQty sets the next scan's quantity through the Qty dialog's keypad.
func (d *device) setQty(qtyButton *widget.Button, n int) {
	d.t.Helper()
	test.Tap(qtyButton)
	dlg := topDialog(d.t, d.w)
	for _, k := range fmt.Sprint(n) {
		b := findIn(dlg, string(k))
		if b == nil {
			d.t.Fatalf("no key %c in the Qty dialog", k)
		}
		test.Tap(b)
	}
	test.Tap(findIn(dlg, "Set"))
	if d.w.Canvas().Overlays().Top() != nil {
		d.t.Fatal("Qty dialog still open")
	}
}

// TestFlowReceiptWithEveryException receives PO-1 through the screens:
// sign in with the PIN pad, open the order by scanning its SSCC, scan a
// clean each, a case, an over-receipt, an unknown barcode, a lot item
// without its lot, expired, short-dated and good lots, a serial and its
// duplicate, an item not on the order, mark the last accepted scan damaged,
// undo a scan, finish, check the summary, confirm; the store then holds
// exactly what was scanned.
func TestFlowReceiptWithEveryException(t *testing.T) {
	d := newDevice(t, false)
	screenAs[*signInScreen](t, d.u)
	d.signIn("Ana", "1111")
	home := screenAs[*homeScreen](t, d.u)
	if home.receive.Disabled() {
		t.Fatal("Receive disabled for a receiver")
	}
	test.Tap(home.receive)
	choose := screenAs[*choosePOScreen](t, d.u)
	if findIn(choose.list, "") == nil {
		t.Fatal("no open order listed")
	}
	d.focusedOnScan()
	d.expect("PO-404", app.Bad)  // no such order
	d.scan("003456789012345670") // the pallet's SSCC opens PO-1
	rs := screenAs[*receiptScreen](t, d.u)
	if rs.r.PO() != "PO-1" {
		t.Fatalf("receipt of %s", rs.r.PO())
	}
	d.focusedOnScan()

	d.expect(eachA, app.Good) // A: 5 before + 1
	if fb := d.expect(caseA, app.Good); !strings.Contains(fb.Title, "12") {
		t.Errorf("case scan title %q", fb.Title)
	}
	d.setQty(rs.qty, 5)
	if rs.qty.Text != "Qty ×5" {
		t.Errorf("Qty button says %q after setting 5", rs.qty.Text)
	}
	d.expect(eachA, app.Warn) // 4 in, 1 beyond the tolerance
	if rs.qty.Text != "Qty" {
		t.Errorf("Qty button says %q after the scan", rs.qty.Text)
	}
	d.expect(eachA, app.Bad) // the line is full
	d.expect(unknown, app.Bad)
	d.expect(eanL, app.Bad)                           // lot-tracked without a lot: refused
	d.expect(gs1(eanL, "OLD", "260531", ""), app.Bad) // expired
	d.expect(gs1(eanL, "SOON", "260615", ""), app.Warn)
	d.expect(gs1(eanL, "GOOD", "261231", ""), app.Good)
	d.expect(gs1(eanS, "", "", "SN1"), app.Good)
	d.expect(gs1(eanS, "", "", "SN1"), app.Bad) // duplicate serial
	d.expect(eanX, app.Bad)                     // not on the order
	d.expect(eachA, app.Bad)                    // full again
	test.Tap(rs.undo)                           // undo that last scan
	d.focusedOnScan()

	// Damaged: the last accepted scan (the serial) goes to quarantine.
	d.expect(gs1(eanS, "", "", "SN2"), app.Good)
	test.Tap(rs.damage)
	test.Tap(findIn(topDialog(t, d.w), "crushed"))
	if p := panelOf(t, d.u); p.last.Level != app.Warn {
		t.Errorf("damage feedback %s %q", p.last.Level, p.last.Title)
	}
	d.focusedOnScan()
	if n := len(d.events()); n != 0 {
		t.Fatalf("%d events before Finish", n)
	}
	if d.fb.good == 0 || d.fb.warn == 0 || d.fb.bad == 0 {
		t.Errorf("sounds played: %+v", *d.fb)
	}

	// The tally shows each line with its counts.
	lines := strings.Join(richTexts(rs.lines), "\n")
	for _, want := range []string{"A · Apples", "22 / 20", "L · Lettuce", "S · Scanner", "X · Xylophone", "not on the order"} {
		if !strings.Contains(lines, want) {
			t.Errorf("tally lacks %q:\n%s", want, lines)
		}
	}

	test.Tap(rs.finish)
	sum := screenAs[*summaryScreen](t, d.u)
	for code, n := range map[app.ExceptionCode]int{app.ExOverReceipt: 2, app.ExUnknownBarcode: 1, app.ExExpired: 1,
		app.ExShortDated: 1, app.ExDuplicateSerial: 1, app.ExNotOnPO: 1, app.ExDamaged: 1} {
		if sum.sum.Exceptions[code] != n {
			t.Errorf("summary: %d × %s, want %d (%v)", sum.sum.Exceptions[code], code, n, sum.sum.Exceptions)
		}
	}
	test.Tap(sum.confirm)
	screenAs[*receiptDoneScreen](t, d.u)

	var receive, exception int
	for _, e := range d.events() {
		switch e.Kind {
		case syncproto.KindReceive:
			receive++
		case syncproto.KindException:
			exception++
		}
	}
	if receive == 0 || exception != 8 {
		t.Errorf("%d receive and %d exception events, want some and 8", receive, exception)
	}
	d.wantStock("DOCK-1", "A", "", 10+1+12+4)
	d.wantStock("QUAR", "A", "", 2)
	d.wantStock("QUAR", "L", "OLD", 1)
	if st := d.app.SyncStatus(); st.Unsynced == 0 {
		t.Error("no unsynced events after the receipt")
	}
	if _, ok, _ := d.app.ActiveReceipt(context.Background()); ok {
		t.Error("receipt still open after Finish")
	}
}

// richTexts returns the text of the rich texts under o.
func richTexts(o fyne.CanvasObject) []string {
	var out []string
	switch o := o.(type) {
	case *widget.RichText:
		out = append(out, o.String())
	case *fyne.Container:
		for _, c := range o.Objects {
			out = append(out, richTexts(c)...)
		}
	}
	return out
}

// TestFlowBlindReceipt: in blind mode the tally shows no ordered
// quantities, and over-receipt is still set aside.
func TestFlowBlindReceipt(t *testing.T) {
	d := newDevice(t, true)
	d.signIn("Ana", "1111")
	test.Tap(screenAs[*homeScreen](t, d.u).receive)
	test.Tap(findIn(screenAs[*choosePOScreen](t, d.u).list, ""))
	rs := screenAs[*receiptScreen](t, d.u)
	if !rs.r.Blind() {
		t.Fatal("receipt not blind")
	}
	d.expect(caseA, app.Good)
	lines := strings.Join(richTexts(rs.lines), "\n")
	if strings.Contains(lines, "/ 20") || !strings.Contains(lines, "12 received") {
		t.Errorf("blind tally shows:\n%s", lines)
	}
	d.expect(caseA, app.Warn) // 24 + 5 before > 22: the extra set aside, silently
	lines = strings.Join(richTexts(rs.lines), "\n")
	if strings.Contains(lines, "/ 20") {
		t.Errorf("blind tally shows ordered:\n%s", lines)
	}
	test.Tap(rs.finish)
	test.Tap(screenAs[*summaryScreen](t, d.u).confirm)
	screenAs[*receiptDoneScreen](t, d.u)
}

// TestFlowPutaway: scan an item at the dock, see the suggested bin, a
// non-bin refused, scan the bin.
func TestFlowPutaway(t *testing.T) {
	d := newDevice(t, false)
	d.signIn("Ana", "1111")
	test.Tap(screenAs[*homeScreen](t, d.u).putaway)
	ps := screenAs[*putawayScreen](t, d.u)
	d.focusedOnScan()
	d.expect(eanX, app.Bad) // nothing of X at the dock
	d.expect(eachA, app.Good)
	st := ps.p.State()
	if st.Step != app.PutawayScanBin || st.Suggested != "B2" || ps.bin.Text != "B2" || ps.why.Text == "" {
		t.Fatalf("after the item: %+v; bin %q, why %q", st, ps.bin.Text, ps.why.Text)
	}
	if !ps.target.Visible() {
		t.Error("suggested bin hidden")
	}
	d.expect("LOC-DOCK-1", app.Bad) // not a bin
	d.expect("LOC-B1", app.Good)
	if ps.p.State().Step != app.PutawayScanItem || ps.target.Visible() {
		t.Error("put-away did not go back to the first step")
	}
	d.wantStock("DOCK-1", "A", "", 0)
	d.wantStock("B1", "A", "", 10)

	// Choose a dock line instead of scanning it.
	b := findIn(ps.dock, "")
	if b == nil {
		t.Fatal("no dock line to choose")
	}
	test.Tap(b)
	if ps.p.State().Step != app.PutawayScanBin {
		t.Fatal("choosing a dock line did not go to the bin step")
	}
	d.focusedOnScan()
	d.expect("LOC-B2", app.Good)
	d.wantStock("B2", "B", "", 4)
}

// TestFlowReturns: book returns with a reference, then restock one, damage
// one and scrap one, each with a reason.
func TestFlowReturns(t *testing.T) {
	d := newDevice(t, false)
	d.signIn("Ana", "1111")
	test.Tap(screenAs[*homeScreen](t, d.u).returns)
	rs := screenAs[*returnsScreen](t, d.u)
	d.w.Canvas().Focus(rs.ref)
	d.scan("RMA-7") // typed into the reference; Enter hands the focus back
	d.focusedOnScan()
	d.setQty(rs.qty, 3)
	d.expect(eanB, app.Good)
	d.wantStock("RET", "B", "", 3)

	dispose := func(how, bin, reason string, want app.Level) {
		t.Helper()
		b := findIn(rs.waiting, "Dispose")
		if b == nil {
			t.Fatal("nothing waiting to dispose of")
		}
		test.Tap(b)
		f := rs.dispose
		if f == nil {
			t.Fatal("no disposition form")
		}
		f.qty.SetText("1")
		f.how.SetSelected(how)
		if how == "Restock" {
			if d.w.Canvas().Focused() != f.bin {
				t.Errorf("restock: focus on %T, not the bin field", d.w.Canvas().Focused())
			}
			test.Type(f.bin, bin)
		}
		f.reason.SetText(reason)
		f.submit()
		if f.errMsg.Text != "" {
			t.Fatalf("%s: %s", how, f.errMsg.Text)
		}
		if p := panelOf(t, d.u); p.last.Level != want {
			t.Errorf("%s: feedback %s %q", how, p.last.Level, p.last.Title)
		}
		d.focusedOnScan()
	}
	dispose("Restock", "LOC-B1", "unopened", app.Good)
	dispose("Damage", "", "faulty", app.Good)

	// A disposition without a reason is refused by the form.
	test.Tap(findIn(rs.waiting, "Dispose"))
	rs.dispose.how.SetSelected("Scrap")
	rs.dispose.submit()
	if rs.dispose.errMsg.Text == "" {
		t.Error("scrap without a reason accepted")
	}
	rs.dispose.dlg.Hide()

	dispose("Scrap", "", "beyond repair", app.Good)
	d.wantStock("RET", "B", "", 0)
	d.wantStock("B1", "B", "", 1)
	d.wantStock("QUAR", "B", "", 1)
	var kinds []string
	for _, e := range d.events() {
		kinds = append(kinds, fmt.Sprintf("%s %s→%s %s %q", e.Kind, e.From, e.To, e.Ref, e.Reason))
	}
	want := []string{
		`return →RET RMA-7 "customer return"`,
		`putaway RET→B1  "unopened"`,
		`damage RET→QUAR  "faulty"`,
		`damage RET→  "beyond repair"`,
	}
	if strings.Join(kinds, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(kinds, "\n"), strings.Join(want, "\n"))
	}
	if len(findAllText(rs.waiting, "Nothing waiting.")) == 0 {
		t.Error("waiting list not emptied")
	}
}

func findAllText(o fyne.CanvasObject, text string) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	switch o := o.(type) {
	case *widget.Label:
		if o.Text == text {
			out = append(out, o)
		}
	case *fyne.Container:
		for _, c := range o.Objects {
			out = append(out, findAllText(c, text)...)
		}
	}
	return out
}

// TestFlowSignOutKeepsUnsynced: signing out leaves the unsynced scans in
// the outbox and says so; a picker cannot receive.
func TestFlowSignOutKeepsUnsynced(t *testing.T) {
	d := newDevice(t, false)
	d.signIn("Ana", "1111")
	test.Tap(screenAs[*homeScreen](t, d.u).putaway)
	d.expect(eachA, app.Good)
	d.expect("LOC-B1", app.Good)
	test.Tap(findIn(screenAs[*putawayScreen](t, d.u).root, "Home"))
	test.Tap(screenAs[*homeScreen](t, d.u).signOut)
	si := screenAs[*signInScreen](t, d.u)
	if !strings.Contains(si.msg.Text, "1 unsynced scan") {
		t.Errorf("sign-in notice %q", si.msg.Text)
	}
	if n := d.app.SyncStatus().Unsynced; n != 1 || len(d.events()) != 1 {
		t.Errorf("after sign-out: %d unsynced, %d events", n, len(d.events()))
	}
	if !strings.Contains(d.u.status.unsynced.Text, "1 unsynced") {
		t.Errorf("status bar: %q", d.u.status.unsynced.Text)
	}

	// A wrong PIN is an error and stays on the pad.
	test.Tap(userButton(t, d.u, "Pat"))
	p := screenAs[*pinScreen](t, d.u)
	p.entry.SetText("9999")
	p.submit()
	if p.errMsg.Text != "Wrong PIN. Try again." {
		t.Errorf("wrong PIN message %q", p.errMsg.Text)
	}
	screenAs[*pinScreen](t, d.u)
	p.entry.SetText("2222")
	p.submit()
	home := screenAs[*homeScreen](t, d.u)
	if !home.receive.Disabled() || !home.putaway.Disabled() || !home.returns.Disabled() {
		t.Error("a picker may receive")
	}
	if !strings.Contains(home.note.Text, "receiver or supervisor") {
		t.Errorf("home note %q", home.note.Text)
	}
}

// TestFlowResumeAfterRestart: the app killed mid-receipt starts again on
// the open receipt with every scan, and finishing it writes them all.
func TestFlowResumeAfterRestart(t *testing.T) {
	d := newDevice(t, false)
	d.signIn("Ana", "1111")
	test.Tap(screenAs[*homeScreen](t, d.u).receive)
	d.scan("PO-1")
	d.expect(eachA, app.Good)
	d.expect(caseA, app.Good)
	d.expect(unknown, app.Bad)

	d.restart()
	rs := screenAs[*receiptScreen](t, d.u)
	d.focusedOnScan()
	lines := strings.Join(richTexts(rs.lines), "\n")
	if !strings.Contains(lines, "18 / 20") {
		t.Fatalf("resumed tally:\n%s", lines)
	}
	d.expect(eachA, app.Good)
	test.Tap(rs.finish)
	test.Tap(screenAs[*summaryScreen](t, d.u).confirm)
	d.wantStock("DOCK-1", "A", "", 10+1+12+1)
}
