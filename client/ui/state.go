package ui

import (
	"context"

	"github.com/driftless/driftless/client/app"
	"github.com/driftless/driftless/client/store"
)

// The screens depend on these interfaces of the app state, not on
// *app.App: tests build them over fakes. FromApp adapts the real one.

// Session is what every screen needs: enrollment, sign-in and the sync
// indicator.
type Session interface {
	Changed() <-chan struct{}
	Enrolled(ctx context.Context) (bool, error)
	Enroll(ctx context.Context, server, code string, progress func(app.EnrollProgress)) error
	SyncStatus() app.SyncStatus
	Warehouse(ctx context.Context) (code, name string, err error)
	Users(ctx context.Context) ([]app.User, error)
	SignIn(ctx context.Context, user, pin string) (app.User, error)
	SignOut(ctx context.Context) error
	CurrentUser(ctx context.Context) (app.User, bool, error)
	Attention(ctx context.Context) ([]store.EventOutcome, error)
	Dismiss(ctx context.Context, eventID string) error
}

// Receiver opens receipts.
type Receiver interface {
	OpenPurchaseOrders(ctx context.Context) ([]app.PurchaseOrderSummary, error)
	ActiveReceipt(ctx context.Context) (Receipt, bool, error)
	StartReceipt(ctx context.Context, scan string) (Receipt, error)
}

// Receipt is one receiving session (*app.Receipt).
type Receipt interface {
	PO() string
	Blind() bool
	SetQty(n int64)
	Scan(ctx context.Context, text string) (app.Feedback, error)
	MarkDamaged(ctx context.Context, reason string) (app.Feedback, error)
	Undo(ctx context.Context) (app.Feedback, error)
	Lines(ctx context.Context) ([]app.ReceiptLine, error)
	Summary(ctx context.Context) (app.ReceiptSummary, error)
	Finish(ctx context.Context) (app.ReceiptSummary, error)
}

// Putaway is one put-away (*app.Putaway).
type Putaway interface {
	State() app.PutawayState
	SetQty(n int64)
	Choose(ctx context.Context, line app.StockLine) (app.Feedback, error)
	Scan(ctx context.Context, text string) (app.Feedback, error)
	Reset()
}

// Returns books and disposes of customer returns (*app.Returns).
type Returns interface {
	SetRef(ref string)
	SetQty(n int64)
	Scan(ctx context.Context, text string) (app.Feedback, error)
	Waiting(ctx context.Context) ([]app.StockLine, error)
	Dispose(ctx context.Context, line app.StockLine, qty int64, d app.Disposition, bin, reason string) (app.Feedback, error)
}

// Picker finds and opens pick lists.
type Picker interface {
	PickLists(ctx context.Context) ([]app.PickListSummary, error)
	NextPickList(ctx context.Context) (app.PickListSummary, error)
	ActivePicking(ctx context.Context) (Picking, bool, error)
	StartPicking(ctx context.Context, listID string) (Picking, error)
}

// Picking is one pick list being worked through (*app.Picking).
type Picking interface {
	State(ctx context.Context) (app.PickState, error)
	Scan(ctx context.Context, text string) (app.Feedback, error)
	EnterQty(ctx context.Context, n int64) (app.Feedback, error)
	Short(ctx context.Context, found int64) (app.Feedback, error)
	Skip(ctx context.Context) (app.Feedback, error)
	Finish(ctx context.Context) (app.Feedback, error)
}

// Mover starts moves between bins and transfers between warehouses.
type Mover interface {
	StartMove() Move
	StartShipment(ctx context.Context, transfer string) (Move, error)
	Transfers(ctx context.Context) ([]app.TransferSummary, error)
	StartTransferReceipt(ctx context.Context, number string) (TransferReceipt, error)
}

// Move is one move or transfer shipment (*app.Move).
type Move interface {
	State() app.MoveState
	SetQty(n int64)
	Scan(ctx context.Context, text string) (app.Feedback, error)
	Reset()
}

// TransferReceipt receives a transfer (*app.TransferReceipt).
type TransferReceipt interface {
	Lines(ctx context.Context) ([]app.ReceiptLine, error)
	SetQty(n int64)
	Scan(ctx context.Context, text string) (app.Feedback, error)
}

// Supervisor decides on parked events (online only).
type Supervisor interface {
	ParkedQueue(ctx context.Context) ([]app.ParkedEvent, error)
	AcceptParked(ctx context.Context, eventID, reason string) error
	CancelParked(ctx context.Context, eventID, reason string) error
}

// Counter lists count tasks and opens blind counts.
type Counter interface {
	CountTasks(ctx context.Context) ([]app.CountTaskSummary, error)
	ActiveCount(ctx context.Context) (Counting, bool, error)
	StartCount(ctx context.Context, taskID string) (Counting, error)
}

// Counting is one blind count of a bin (*app.Count). Nothing in it
// carries an expected quantity.
type Counting interface {
	Task() app.CountTaskSummary
	BinScanned() bool
	SetQty(n int64)
	Scan(ctx context.Context, text string) (app.Feedback, error)
	SetLine(ctx context.Context, sku, lot string, qty int64) (app.Feedback, error)
	Lines(ctx context.Context) ([]app.CountLine, error)
	Finish(ctx context.Context) (app.Feedback, error)
}

// Discrepancies is the supervisor's side of counting (online only):
// the discrepancy queue and its decisions, the counters to send a
// recount to, and weekly accuracy. ConfirmPIN gives the app the
// signed-in supervisor's PIN again when a call failed for want of it
// (the PIN is kept in memory only, so after a restart).
type Discrepancies interface {
	Discrepancies(ctx context.Context) ([]app.Discrepancy, error)
	ApproveDiscrepancy(ctx context.Context, eventID, reasonCode string) error
	RejectDiscrepancy(ctx context.Context, eventID, reason string) error
	RequestRecount(ctx context.Context, eventID, counter string) error
	Counters(ctx context.Context) ([]app.User, error)
	Accuracy(ctx context.Context, class, counter string, weeks int) ([]app.AccuracyPoint, error)
	ConfirmPIN(ctx context.Context, pin string) error
}

// LowStock lists the warehouse's active low-stock alerts, which come with
// the catalog: it works offline.
type LowStock interface {
	Alerts(ctx context.Context) ([]app.LowStockAlert, error)
}

// Replenisher is the supervisor's side of purchase-order drafts (online
// only): list, edit quantities, approve, discard.
type Replenisher interface {
	GeneratePODrafts(ctx context.Context) ([]app.PODraft, error)
	PODrafts(ctx context.Context) ([]app.PODraft, error)
	UpdatePODraft(ctx context.Context, id string, qty map[string]int64) (app.PODraft, error)
	ApprovePODraft(ctx context.Context, id string) (string, error)
	DiscardPODraft(ctx context.Context, id string) error
}

// Reporter reads usage and reports from the server (online only), and
// their CSV. RunReport calls progress, off the UI goroutine, with the
// share done. Categories are the device's (offline), to choose from.
type Reporter interface {
	Categories(ctx context.Context) ([]string, error)
	Usage(ctx context.Context, sku, category, from, to string) ([]app.UsagePoint, error)
	RunReport(ctx context.Context, kind string, params map[string]string, progress func(float64)) (app.Report, error)
	ExportCSV(ctx context.Context, kind string, params map[string]string) ([]byte, error)
}

// State is everything the screens use.
type State interface {
	Session
	Receiver
	Picker
	Mover
	Supervisor
	Counter
	Discrepancies
	LowStock
	Replenisher
	Reporter
	Stock(ctx context.Context, locationType string) ([]app.StockLine, error)
	StartPutaway() Putaway
	StartReturns() Returns
}

// FromApp adapts the app state to the screens' interfaces.
func FromApp(a *app.App) State { return appState{a} }

type appState struct{ *app.App }

var _ State = appState{}

func (s appState) ActiveReceipt(ctx context.Context) (Receipt, bool, error) {
	r, ok, err := s.App.ActiveReceipt(ctx)
	if err != nil || !ok || r == nil {
		return nil, false, err
	}
	return r, true, nil
}

func (s appState) StartReceipt(ctx context.Context, scan string) (Receipt, error) {
	r, err := s.App.StartReceipt(ctx, scan)
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (s appState) StartPutaway() Putaway { return s.App.StartPutaway() }
func (s appState) StartReturns() Returns { return s.App.StartReturns() }

func (s appState) ActivePicking(ctx context.Context) (Picking, bool, error) {
	p, ok, err := s.App.ActivePicking(ctx)
	if err != nil || !ok || p == nil {
		return nil, false, err
	}
	return p, true, nil
}

func (s appState) StartPicking(ctx context.Context, listID string) (Picking, error) {
	p, err := s.App.StartPicking(ctx, listID)
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (s appState) StartMove() Move { return s.App.StartMove() }

func (s appState) StartShipment(ctx context.Context, transfer string) (Move, error) {
	m, err := s.App.StartShipment(ctx, transfer)
	if err != nil {
		return nil, err
	}
	return m, nil
}

func (s appState) StartTransferReceipt(ctx context.Context, number string) (TransferReceipt, error) {
	r, err := s.App.StartTransferReceipt(ctx, number)
	if err != nil {
		return nil, err
	}
	return r, nil
}

func (s appState) ActiveCount(ctx context.Context) (Counting, bool, error) {
	c, ok, err := s.App.ActiveCount(ctx)
	if err != nil || !ok || c == nil {
		return nil, false, err
	}
	return c, true, nil
}

func (s appState) StartCount(ctx context.Context, taskID string) (Counting, error) {
	c, err := s.App.StartCount(ctx, taskID)
	if err != nil {
		return nil, err
	}
	return c, nil
}
