package ui

import (
	"context"
	"fmt"
	"time"

	"github.com/driftless/driftless/client/app"
	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/syncproto"
)

// fixedNow is the clock of the golden renders.
var fixedNow = time.Date(2026, 3, 14, 10, 30, 0, 0, time.UTC)

// fakeState is a scripted app state with fixed data, for screens and
// golden renders that must not depend on the app's wording or timing.
type fakeState struct {
	enrolled bool
	user     *app.User
	status   app.SyncStatus
	enrollFn func(server, code string, progress func(app.EnrollProgress)) error
	receipt  *fakeReceipt
	put      *fakePutaway
	ret      *fakeReturns
	dock     []app.StockLine
	attn     []store.EventOutcome
}

var fakeUsers = []app.User{
	{Code: "ana", Name: "Ana Lima", Roles: []app.Role{app.RoleReceiver, app.RolePicker}},
	{Code: "sam", Name: "Sam Okafor", Roles: []app.Role{app.RoleSupervisor, app.RoleReceiver}},
	{Code: "pat", Name: "Pat Kowalski", Roles: []app.Role{app.RolePicker}},
}

func newFakeState() *fakeState {
	return &fakeState{
		enrolled: true,
		status: app.SyncStatus{Enrolled: true, Online: false, Unsynced: 7, Oldest: fixedNow.Add(-12 * time.Minute),
			LastSync: fixedNow.Add(-14 * time.Minute), Attention: 1, Problem: "server unreachable"},
		dock: []app.StockLine{
			{Location: "DOCK-1", SKU: "CHAIR-OAK", Name: "Oak dining chair", Qty: 8},
			{Location: "DOCK-1", SKU: "LAMP-BRASS", Name: "Brass desk lamp", Lot: "L2403", Qty: 24},
		},
		attn: []store.EventOutcome{{
			Event:      syncproto.Event{ID: "ev-1", Kind: "putaway", SKU: "LAMP-BRASS", Qty: 6, From: "DOCK-1", To: "A-01-03", User: "ana"},
			Outcome:    syncproto.Outcome{ID: "ev-1", Status: syncproto.StatusParked, Code: "insufficient_stock", Reason: "DOCK-1 holds 4 of LAMP-BRASS"},
			RecordedAt: fixedNow.Add(-40 * time.Minute),
		}},
	}
}

func (f *fakeState) Changed() <-chan struct{}               { return nil }
func (f *fakeState) Enrolled(context.Context) (bool, error) { return f.enrolled, nil }
func (f *fakeState) SyncStatus() app.SyncStatus             { s := f.status; s.Enrolled = f.enrolled; return s }
func (f *fakeState) Warehouse(context.Context) (string, string, error) {
	return "WH1", "Main warehouse", nil
}
func (f *fakeState) Users(context.Context) ([]app.User, error) { return fakeUsers, nil }
func (f *fakeState) Enroll(_ context.Context, server, code string, progress func(app.EnrollProgress)) error {
	if f.enrollFn != nil {
		return f.enrollFn(server, code, progress)
	}
	f.enrolled = true
	return nil
}

func (f *fakeState) SignIn(_ context.Context, user, pin string) (app.User, error) {
	for _, u := range fakeUsers {
		if u.Code == user && pin == "1111" {
			f.user = &u
			return u, nil
		}
	}
	return app.User{}, app.ErrWrongPIN
}

func (f *fakeState) SignOut(context.Context) error { f.user = nil; return nil }

func (f *fakeState) CurrentUser(context.Context) (app.User, bool, error) {
	if f.user == nil {
		return app.User{}, false, nil
	}
	return *f.user, true, nil
}

func (f *fakeState) Attention(context.Context) ([]store.EventOutcome, error) { return f.attn, nil }
func (f *fakeState) Dismiss(_ context.Context, id string) error {
	for i, e := range f.attn {
		if e.Event.ID == id {
			f.attn[i].DismissedAt = fixedNow
			f.status.Attention--
		}
	}
	return nil
}

func (f *fakeState) OpenPurchaseOrders(context.Context) ([]app.PurchaseOrderSummary, error) {
	return []app.PurchaseOrderSummary{
		{Number: "PO-1001", Supplier: "Nordic Furniture AB", ExpectedDate: "2026-03-14", Lines: 3, Status: "open"},
		{Number: "PO-1002", Supplier: "Brightlight Ltd", ExpectedDate: "2026-03-15", Lines: 2, Status: "partially_received"},
		{Number: "PO-1003", Supplier: "Acme Packaging", ExpectedDate: "2026-03-18", Lines: 5, Status: "open"},
	}, nil
}

func (f *fakeState) ActiveReceipt(context.Context) (Receipt, bool, error) {
	if f.receipt == nil {
		return nil, false, nil
	}
	return f.receipt, true, nil
}

func (f *fakeState) StartReceipt(_ context.Context, scan string) (Receipt, error) {
	if scan != "PO-1001" && scan != "00376104250021234569" {
		return nil, fmt.Errorf("start receipt: no open purchase order %q", scan)
	}
	f.receipt = newFakeReceipt(false)
	return f.receipt, nil
}

func (f *fakeState) Stock(_ context.Context, typ string) ([]app.StockLine, error) {
	if typ == "dock" {
		return f.dock, nil
	}
	return nil, nil
}

func (f *fakeState) StartPutaway() Putaway {
	if f.put == nil {
		f.put = &fakePutaway{}
	}
	return f.put
}

func (f *fakeState) StartReturns() Returns {
	if f.ret == nil {
		f.ret = &fakeReturns{waiting: []app.StockLine{
			{Location: "RETURNS", SKU: "CHAIR-OAK", Name: "Oak dining chair", Qty: 1},
			{Location: "RETURNS", SKU: "LAMP-BRASS", Name: "Brass desk lamp", Lot: "L2403", Qty: 2},
		}}
	}
	return f.ret
}

// fakeReceipt keeps a tally and answers scans from a fixed table.
type fakeReceipt struct {
	blind    bool
	lines    []app.ReceiptLine
	qty      int64
	scans    []string
	finished bool
}

func newFakeReceipt(blind bool) *fakeReceipt {
	r := &fakeReceipt{blind: blind, lines: []app.ReceiptLine{
		{SKU: "CHAIR-OAK", Name: "Oak dining chair", Ordered: 12, Received: 10, OnOrder: true},
		{SKU: "LAMP-BRASS", Name: "Brass desk lamp", Ordered: 24, Before: 12, Received: 12, OnOrder: true},
		{SKU: "TABLE-ASH", Name: "Ash extending table", Ordered: 2, Received: 0, Quarantined: 1, OnOrder: true},
		{SKU: "RUG-WOOL", Name: "Wool rug 160×230", Received: 0, Quarantined: 3},
	}}
	if blind {
		for i := range r.lines {
			r.lines[i].Ordered, r.lines[i].Before, r.lines[i].Blind = 0, 0, true
		}
	}
	return r
}

func (r *fakeReceipt) PO() string     { return "PO-1001" }
func (r *fakeReceipt) Blind() bool    { return r.blind }
func (r *fakeReceipt) SetQty(n int64) { r.qty = n }
func (r *fakeReceipt) Scan(_ context.Context, text string) (app.Feedback, error) {
	r.scans = append(r.scans, text)
	n := r.qty
	r.qty = 0
	if n == 0 {
		n = 1
	}
	switch text {
	case "CHAIR":
		r.lines[0].Received += n
		return app.Feedback{Level: app.Good, Title: fmt.Sprintf("+%d Oak dining chair", n), Detail: fmt.Sprintf("CHAIR-OAK · %d of 12 received", r.lines[0].Received)}, nil
	case "LAMP":
		return app.Feedback{Level: app.Warn, Title: "Short-dated lot L2403", Detail: "Expires 2026-03-30, within 30 days. Received to the dock and flagged."}, nil
	}
	return app.Feedback{Level: app.Bad, Title: "Unknown barcode", Detail: text + " is not in the catalog. Kept for an admin to map; nothing received."}, nil
}
func (r *fakeReceipt) MarkDamaged(_ context.Context, reason string) (app.Feedback, error) {
	return app.Feedback{Level: app.Warn, Title: "1 Oak dining chair damaged", Detail: "Reason: " + reason + ". Goes to quarantine."}, nil
}
func (r *fakeReceipt) Undo(context.Context) (app.Feedback, error) {
	return app.Feedback{Level: app.Warn, Title: "Undone: 1 Oak dining chair"}, nil
}
func (r *fakeReceipt) Lines(context.Context) ([]app.ReceiptLine, error) { return r.lines, nil }
func (r *fakeReceipt) Summary(context.Context) (app.ReceiptSummary, error) {
	return app.ReceiptSummary{PO: "PO-1001", Lines: r.lines, Matched: 22, Quarantine: 5, Blind: r.blind, Events: 31,
		Exceptions: map[app.ExceptionCode]int{app.ExNotOnPO: 1, app.ExDamaged: 1, app.ExShortDated: 1, app.ExUnknownBarcode: 2}}, nil
}
func (r *fakeReceipt) Finish(ctx context.Context) (app.ReceiptSummary, error) {
	r.finished = true
	return r.Summary(ctx)
}

type fakePutaway struct {
	st  app.PutawayState
	qty int64
}

func (p *fakePutaway) State() app.PutawayState { return p.st }
func (p *fakePutaway) SetQty(n int64)          { p.qty = n }
func (p *fakePutaway) Reset()                  { p.st = app.PutawayState{} }
func (p *fakePutaway) Choose(_ context.Context, l app.StockLine) (app.Feedback, error) {
	p.st = app.PutawayState{Step: app.PutawayScanBin, Item: l, Suggested: "A-01-03", Why: "A-01-03 already holds 16 of " + l.SKU}
	return app.Feedback{Level: app.Good, Title: fmt.Sprintf("%d × %s", l.Qty, l.Name), Detail: "Now scan the bin"}, nil
}
func (p *fakePutaway) Scan(ctx context.Context, text string) (app.Feedback, error) {
	if p.st.Step == app.PutawayScanItem {
		if text != "LAMP" {
			return app.Feedback{Level: app.Bad, Title: "Not at the dock", Detail: text}, nil
		}
		return p.Choose(ctx, app.StockLine{Location: "DOCK-1", SKU: "LAMP-BRASS", Name: "Brass desk lamp", Lot: "L2403", Qty: 24})
	}
	if text == "DOCK-1" {
		return app.Feedback{Level: app.Bad, Title: "DOCK-1 is not a bin", Detail: "Scan a bin label"}, nil
	}
	item := p.st.Item
	p.st = app.PutawayState{}
	return app.Feedback{Level: app.Good, Title: fmt.Sprintf("%d × %s → %s", item.Qty, item.SKU, text)}, nil
}

type fakeReturns struct {
	ref      string
	qty      int64
	waiting  []app.StockLine
	disposed []string
}

func (r *fakeReturns) SetRef(ref string) { r.ref = ref }
func (r *fakeReturns) SetQty(n int64)    { r.qty = n }
func (r *fakeReturns) Scan(_ context.Context, text string) (app.Feedback, error) {
	return app.Feedback{Level: app.Good, Title: "+1 Oak dining chair returned", Detail: "To RETURNS · ref " + r.ref}, nil
}
func (r *fakeReturns) Waiting(context.Context) ([]app.StockLine, error) { return r.waiting, nil }
func (r *fakeReturns) Dispose(_ context.Context, l app.StockLine, qty int64, d app.Disposition, bin, reason string) (app.Feedback, error) {
	r.disposed = append(r.disposed, fmt.Sprintf("%s %d %s %s %s", l.SKU, qty, d, bin, reason))
	return app.Feedback{Level: app.Good, Title: fmt.Sprintf("%d × %s %s", qty, l.SKU, d)}, nil
}
