package app

import "context"

// MoveStep is where a move is.
type MoveStep int

// Move steps.
const (
	MoveScanFrom MoveStep = iota // scan the bin to take from
	MoveScanItem                 // scan the item (and set the quantity)
	MoveScanTo                   // scan the destination bin (writes the move)
)

// MoveState is what the move screen shows.
type MoveState struct {
	Step     MoveStep
	From     string
	Item     StockLine // what is being moved; Qty is how many
	Transfer string    // the transfer being shipped, when shipping
	// Available is what the device sees at From for the item.
	Available int64
}

// Move moves stock between bins of the warehouse, or ships a transfer to
// another warehouse (to the warehouse's transit location).
type Move struct{ a *App }

// StartMove begins a move between bins.
func (a *App) StartMove() *Move { return &Move{a: a} }

// StartShipment begins shipping a transfer: moves go to the warehouse's
// transit location with the transfer's number.
func (a *App) StartShipment(ctx context.Context, transfer string) (*Move, error) {
	return nil, errTODO
}

// State returns what the screen shows.
func (m *Move) State() MoveState { return MoveState{} }

// SetQty sets how many units to move (0: one scan's worth).
func (m *Move) SetQty(n int64) {}

// Scan handles the from-bin, item and to-bin scans in turn.
func (m *Move) Scan(ctx context.Context, text string) (Feedback, error) { return Feedback{}, errTODO }

// Reset goes back to the first step.
func (m *Move) Reset() {}

// TransferSummary is an open transfer the device's warehouse ships or
// receives.
type TransferSummary struct {
	Number   string
	From, To string
	Status   string
	Lines    int
	Outbound bool // this warehouse sends it
}

// Transfers lists the open transfers of the device's warehouse.
func (a *App) Transfers(ctx context.Context) ([]TransferSummary, error) { return nil, errTODO }

// TransferReceipt receives a transfer at the destination warehouse: each
// item scan writes a receive event to the dock with the transfer number.
type TransferReceipt struct {
	a      *App
	number string
}

// StartTransferReceipt begins receiving a transfer.
func (a *App) StartTransferReceipt(ctx context.Context, number string) (*TransferReceipt, error) {
	return nil, errTODO
}

// Lines returns the transfer's lines with what was received so far.
func (t *TransferReceipt) Lines(ctx context.Context) ([]ReceiptLine, error) { return nil, errTODO }

// SetQty sets how many units the next scan stands for.
func (t *TransferReceipt) SetQty(n int64) {}

// Scan receives the scanned item (refusing items not on the transfer).
func (t *TransferReceipt) Scan(ctx context.Context, text string) (Feedback, error) {
	return Feedback{}, errTODO
}
