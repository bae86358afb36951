package ui

import (
	"context"
	"fmt"
	"strings"
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

	lists     []app.PickListSummary
	picking   *fakePicking // the active pick list
	bins      []app.StockLine
	move      *fakeMove
	transfers []app.TransferSummary
	treceipt  *fakeTransferReceipt
	parked    []app.ParkedEvent
	parkedErr error
	decisions []string

	counting     // the counting and discrepancy fakes (fake_count_test.go)
	replenishing // alerts, drafts, usage and reports (fake_replenish_test.go)
}

var fakeUsers = []app.User{
	{Code: "ana", Name: "Ana Lima", Roles: []app.Role{app.RoleReceiver, app.RolePicker, app.RoleCounter}},
	{Code: "sam", Name: "Sam Okafor", Roles: []app.Role{app.RoleSupervisor, app.RoleReceiver}},
	{Code: "pat", Name: "Pat Kowalski", Roles: []app.Role{app.RolePicker}},
}

func newFakeState() *fakeState {
	return &fakeState{
		counting:     newCounting(),
		replenishing: newReplenishing(),
		enrolled:     true,
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
		lists: []app.PickListSummary{
			{ID: "PL-000123", Orders: []string{"SO-5531", "SO-5532", "SO-5540"}, Tasks: 8, Open: 6, AssignedTo: "pat", Status: "in_progress"},
			{ID: "PL-000124", Orders: []string{"SO-5544"}, Tasks: 12, Open: 12, Status: "open"},
			{ID: "PL-000127", Orders: []string{"SO-5547", "SO-5551"}, Tasks: 5, Open: 5, Status: "open"},
		},
		bins: []app.StockLine{
			{Location: "A-01-03", SKU: "CHAIR-OAK", Name: "Oak dining chair", Qty: 16},
			{Location: "A-01-03", SKU: "LAMP-BRASS", Name: "Brass desk lamp", Lot: "L2403", Qty: 4},
			{Location: "B-02-01", SKU: "TABLE-ASH", Name: "Ash extending table", Qty: 2},
		},
		transfers: []app.TransferSummary{
			{Number: "TR-0007", From: "WH1", To: "WH2", Status: "open", Lines: 3, Outbound: true},
			{Number: "TR-0009", From: "WH3", To: "WH1", Status: "shipped", Lines: 2},
		},
		parked: []app.ParkedEvent{
			{EventID: "ev-77", Device: "HH-07", User: "pat", Kind: "pick", Location: "A-02-01", SKU: "LAMP-BRASS", Lot: "L2403", Qty: 6,
				Reason: "insufficient_stock: A-02-01 held 2 of the 6", At: fixedNow.Add(-50 * time.Minute), StockNow: 2,
				Competing: []app.CompetingEvent{
					{EventID: "ev-70", Device: "HH-03", User: "ana", Kind: "pick", Qty: 4, At: fixedNow.Add(-58 * time.Minute)},
				}},
			{EventID: "ev-81", Device: "HH-02", User: "ana", Kind: "move", Location: "A-01-03", SKU: "CHAIR-OAK", Qty: 3,
				Reason: "insufficient_stock: A-01-03 held 0 of the 3", At: fixedNow.Add(-25 * time.Minute), StockNow: 0,
				Competing: []app.CompetingEvent{
					{EventID: "ev-79", Device: "HH-07", User: "pat", Kind: "pick", Qty: 2, At: fixedNow.Add(-31 * time.Minute)},
					{EventID: "ev-80", Device: "HH-03", User: "sam", Kind: "move", Qty: 1, At: fixedNow.Add(-29 * time.Minute)},
				}},
		},
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
	switch typ {
	case "dock":
		return f.dock, nil
	case "bin":
		return f.bins, nil
	}
	return nil, nil
}

func (f *fakeState) PickLists(context.Context) ([]app.PickListSummary, error) { return f.lists, nil }
func (f *fakeState) NextPickList(context.Context) (app.PickListSummary, error) {
	if f.pinNeeded {
		return app.PickListSummary{}, app.ErrPINRequired
	}
	if !f.status.Online {
		return app.PickListSummary{}, &app.Error{Code: "offline", Message: "The scanner is offline: choose a list it already holds."}
	}
	return f.lists[1], nil
}
func (f *fakeState) ActivePicking(context.Context) (Picking, bool, error) {
	if f.picking == nil {
		return nil, false, nil
	}
	return f.picking, true, nil
}
func (f *fakeState) StartPicking(_ context.Context, id string) (Picking, error) {
	if id != "PL-000123" {
		return nil, &app.Error{Code: "not_found", Message: "No pick list " + id + " on this scanner."}
	}
	if f.picking == nil {
		f.picking = newFakePicking()
	}
	return f.picking, nil
}

func (f *fakeState) StartMove() Move {
	if f.move == nil {
		f.move = &fakeMove{}
	}
	return f.move
}
func (f *fakeState) StartShipment(_ context.Context, number string) (Move, error) {
	f.move = &fakeMove{st: app.MoveState{Transfer: number}}
	return f.move, nil
}
func (f *fakeState) Transfers(context.Context) ([]app.TransferSummary, error) {
	return f.transfers, nil
}
func (f *fakeState) StartTransferReceipt(_ context.Context, number string) (TransferReceipt, error) {
	f.treceipt = &fakeTransferReceipt{lines: []app.ReceiptLine{
		{SKU: "CHAIR-OAK", Name: "Oak dining chair", Ordered: 10, Received: 4, OnOrder: true},
		{SKU: "LAMP-BRASS", Name: "Brass desk lamp", Ordered: 6, OnOrder: true},
	}}
	return f.treceipt, nil
}

func (f *fakeState) ParkedQueue(context.Context) ([]app.ParkedEvent, error) {
	return f.parked, f.parkedErr
}
func (f *fakeState) AcceptParked(_ context.Context, id, reason string) error {
	return f.decide("accept", id, reason)
}
func (f *fakeState) CancelParked(_ context.Context, id, reason string) error {
	return f.decide("cancel", id, reason)
}
func (f *fakeState) decide(how, id, reason string) error {
	if f.parkedErr != nil {
		return f.parkedErr
	}
	for i, e := range f.parked {
		if e.EventID == id {
			f.parked = append(f.parked[:i], f.parked[i+1:]...)
			f.decisions = append(f.decisions, how+" "+id+" "+reason)
			return nil
		}
	}
	return &app.Error{Code: "conflict", Message: id + " is not parked any more."}
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

// fakePicking walks a fixed list of eight tasks: two picked, the third
// current.
type fakePicking struct {
	st       app.PickState
	i        int // the current task
	finished bool
	shorts   []int64
}

func newFakePicking() *fakePicking {
	tasks := []app.PickTaskView{
		{Location: "A-01-03", SKU: "CHAIR-OAK", Name: "Oak dining chair", Order: "SO-5531", Qty: 4, Picked: 4, Status: "picked"},
		{Location: "A-01-07", SKU: "MUG-STONE", Name: "Stoneware mug", Order: "SO-5532", Qty: 12, Picked: 12, Status: "picked"},
		{Location: "A-02-01", SKU: "LAMP-BRASS", Name: "Brass desk lamp", Lot: "L2403", Order: "SO-5531", Qty: 6, Picked: 2, Status: "open"},
		{Location: "A-04-02", SKU: "TABLE-ASH", Name: "Ash extending table", Order: "SO-5540", Qty: 1, Status: "open"},
		{Location: "B-01-05", SKU: "RUG-WOOL", Name: "Wool rug 160×230", Order: "SO-5532", Qty: 2, Status: "open"},
		{Location: "B-03-02", SKU: "VASE-GLASS", Name: "Glass vase, tall", Order: "SO-5540", Qty: 3, Status: "open"},
		{Location: "C-02-04", SKU: "CUSHION-LIN", Name: "Linen cushion", Order: "SO-5531", Qty: 8, Status: "open"},
		{Location: "D-01-01", SKU: "SHELF-PINE", Name: "Pine wall shelf", Order: "SO-5540", Qty: 2, Status: "open"},
	}
	for i := range tasks {
		tasks[i].ID = fmt.Sprintf("PL-000123/%d", i+1)
		tasks[i].N, tasks[i].Of = i+1, len(tasks)
	}
	return &fakePicking{st: app.PickState{List: "PL-000123", Tasks: tasks}, i: 2}
}

func (p *fakePicking) State(context.Context) (app.PickState, error) {
	st := p.st
	st.Tasks = append([]app.PickTaskView(nil), p.st.Tasks...)
	if p.i < len(st.Tasks) {
		st.Current = st.Tasks[p.i]
	} else {
		st.Step = app.PickDone
	}
	return st, nil
}

func (p *fakePicking) cur() *app.PickTaskView { return &p.st.Tasks[p.i] }

// advance moves to the next open task.
func (p *fakePicking) advance() {
	p.st.Step = app.PickScanBin
	for p.i++; p.i < len(p.st.Tasks) && p.st.Tasks[p.i].Status != "open"; p.i++ {
	}
}

func (p *fakePicking) Scan(_ context.Context, text string) (app.Feedback, error) {
	c := p.cur()
	if p.st.Step == app.PickScanBin {
		if text != c.Location && text != "LOC-"+c.Location {
			return app.Feedback{Level: app.Bad, Title: "Wrong bin: " + strings.TrimPrefix(text, "LOC-"), Detail: "Go to " + c.Location + " and scan its label."}, nil
		}
		p.st.Step = app.PickScanItem
		return app.Feedback{Level: app.Good, Title: "At " + c.Location, Detail: fmt.Sprintf("Now scan %s, %d to pick", c.SKU, c.Qty-c.Picked)}, nil
	}
	if text != "LAMP" {
		return app.Feedback{Level: app.Bad, Title: "Wrong item", Detail: "That is not " + c.SKU + " lot " + c.Lot + ". Nothing picked."}, nil
	}
	return p.EnterQty(context.Background(), 1)
}

func (p *fakePicking) EnterQty(_ context.Context, n int64) (app.Feedback, error) {
	c := p.cur()
	c.Picked += n
	fb := app.Feedback{Level: app.Good, Title: fmt.Sprintf("+%d %s", n, c.Name), Detail: fmt.Sprintf("%d of %d picked", c.Picked, c.Qty)}
	if c.Picked >= c.Qty {
		c.Status = "picked"
		p.advance()
	}
	return fb, nil
}

func (p *fakePicking) Short(_ context.Context, found int64) (app.Feedback, error) {
	c := p.cur()
	c.Picked += found
	c.Status = "short"
	p.shorts = append(p.shorts, found)
	p.advance()
	return app.Feedback{Level: app.Warn, Title: "Short pick recorded", Detail: "The rest is re-allocated; a count of the bin is raised."}, nil
}

func (p *fakePicking) Skip(context.Context) (app.Feedback, error) {
	p.cur().Skipped = true
	p.advance()
	return app.Feedback{Level: app.Warn, Title: "Skipped", Detail: "It comes back at the end of the list."}, nil
}

func (p *fakePicking) Finish(context.Context) (app.Feedback, error) {
	p.finished = true
	return app.Feedback{Level: app.Good, Title: "PL-000123 finished"}, nil
}

// fakeMove answers a bin, an item and a bin.
type fakeMove struct {
	st  app.MoveState
	qty int64
}

func (m *fakeMove) State() app.MoveState { return m.st }
func (m *fakeMove) SetQty(n int64) {
	m.qty = n
	if m.st.Step == app.MoveScanTo && n > 0 {
		m.st.Item.Qty = n
	}
}
func (m *fakeMove) Reset() { m.st = app.MoveState{Transfer: m.st.Transfer} }
func (m *fakeMove) Scan(_ context.Context, text string) (app.Feedback, error) {
	bin := strings.TrimPrefix(text, "LOC-")
	switch m.st.Step {
	case app.MoveScanFrom:
		if bin != "A-01-03" && bin != "B-02-01" {
			return app.Feedback{Level: app.Bad, Title: "Not a bin: " + text}, nil
		}
		m.st.From, m.st.Step = bin, app.MoveScanItem
		return app.Feedback{Level: app.Good, Title: "From " + bin, Detail: "Scan the item"}, nil
	case app.MoveScanItem:
		if text != "CHAIR" {
			return app.Feedback{Level: app.Bad, Title: "Not in " + m.st.From, Detail: text}, nil
		}
		n := max(m.qty, 1)
		m.st.Item = app.StockLine{Location: m.st.From, SKU: "CHAIR-OAK", Name: "Oak dining chair", Qty: n}
		m.st.Available, m.st.Step = 16, app.MoveScanTo
		return app.Feedback{Level: app.Good, Title: fmt.Sprintf("%d × Oak dining chair", n), Detail: "Now scan the bin to put it in"}, nil
	}
	if bin == m.st.From {
		return app.Feedback{Level: app.Bad, Title: "Same bin", Detail: "Scan a different bin to put it in."}, nil
	}
	item := m.st.Item
	m.Reset()
	return app.Feedback{Level: app.Good, Title: fmt.Sprintf("%d × %s → %s", item.Qty, item.SKU, bin)}, nil
}

type fakeTransferReceipt struct {
	lines []app.ReceiptLine
	qty   int64
}

func (r *fakeTransferReceipt) Lines(context.Context) ([]app.ReceiptLine, error) { return r.lines, nil }
func (r *fakeTransferReceipt) SetQty(n int64)                                   { r.qty = n }
func (r *fakeTransferReceipt) Scan(_ context.Context, text string) (app.Feedback, error) {
	n := max(r.qty, 1)
	r.qty = 0
	if text != "CHAIR" {
		return app.Feedback{Level: app.Bad, Title: "Not on the transfer", Detail: text}, nil
	}
	r.lines[0].Received += n
	return app.Feedback{Level: app.Good, Title: fmt.Sprintf("+%d Oak dining chair", n), Detail: fmt.Sprintf("%d of 10 received", r.lines[0].Received)}, nil
}
