package app

import (
	"context"
	"errors"
	"time"
)

// errTODO marks the parts of issue 8's API still being written; nothing
// that returns it is reachable from a finished screen.
var errTODO = errors.New("app: not implemented yet")

// CountTaskSummary is a bin the counter is sent to.
type CountTaskSummary struct {
	ID         string
	Location   string
	Reason     string // scheduled | short_pick | parked | zero_stock | putaway_dispute | recount
	Due        string // YYYY-MM-DD
	AssignedTo string
	Status     string
}

// CountLine is one SKU (and lot) the counter found in the bin. There is
// no expected quantity anywhere in the counting API: counts are blind.
type CountLine struct {
	SKU  string
	Name string
	Lot  string
	Qty  int64
}

// Count is a blind count of one bin. Its draft is in the device database:
// every scan is durable when Scan returns and a restart resumes it.
// Finish writes one count event per SKU and lot found, and a zero count
// for each SKU and lot the device's view holds at the bin that was not
// found, in one transaction; each records the ledger position the device
// had seen.
type Count struct {
	a  *App
	id string
}

// CountTasks lists the open count tasks the signed-in user may take:
// assigned to them first, then unassigned ones (not the ones they may not
// count: a recount of their own count).
func (a *App) CountTasks(ctx context.Context) ([]CountTaskSummary, error) { return nil, errTODO }

// ActiveCount returns the signed-in user's count in progress, if any.
func (a *App) ActiveCount(ctx context.Context) (*Count, bool, error) { return nil, false, errTODO }

// StartCount starts (or resumes) a count task; the counter must scan the
// bin's label first.
func (a *App) StartCount(ctx context.Context, taskID string) (*Count, error) { return nil, errTODO }

// Task returns the task being counted.
func (c *Count) Task() CountTaskSummary { return CountTaskSummary{} }

// BinScanned reports whether the counter has scanned the bin's label.
func (c *Count) BinScanned() bool { return false }

// SetQty sets how many units the next item scan stands for (0: the
// barcode's).
func (c *Count) SetQty(n int64) {}

// Scan handles the bin label first (a wrong bin is refused), then items:
// each adds its units to the SKU and lot's line.
func (c *Count) Scan(ctx context.Context, text string) (Feedback, error) { return Feedback{}, errTODO }

// SetLine sets a line's quantity outright (typed after counting by hand).
func (c *Count) SetLine(ctx context.Context, sku, lot string, qty int64) (Feedback, error) {
	return Feedback{}, errTODO
}

// Lines returns what was counted so far.
func (c *Count) Lines(ctx context.Context) ([]CountLine, error) { return nil, errTODO }

// Finish writes the count's events and closes the task on this device.
func (c *Count) Finish(ctx context.Context) (Feedback, error) { return Feedback{}, errTODO }

// Discrepancy is a count outside tolerance waiting for a supervisor, with
// the evidence to decide on.
type Discrepancy struct {
	EventID   string
	TaskID    string
	Location  string
	SKU       string
	Name      string
	Lot       string
	Counted   int64
	Expected  int64
	Variance  int64
	Value     int64 // value at stake in cents (variance × unit cost)
	Class     string
	CountedBy string
	CountedAt time.Time
	// Movements are the bin's ledger movements since its last good count.
	Movements []BinMovement
	// Previous are earlier counts of the bin.
	Previous []PreviousCount
}

// BinMovement is one ledger movement at a bin.
type BinMovement struct {
	At    time.Time
	Kind  string
	SKU   string
	Lot   string
	Delta int64
	User  string
}

// PreviousCount is an earlier count of a bin.
type PreviousCount struct {
	At       time.Time
	By       string
	SKU      string
	Counted  int64
	Variance int64
	Outcome  string // auto | approved | rejected | recount
}

// Discrepancies lists the warehouse's discrepancies waiting for a
// supervisor (online only; the signed-in user must be a supervisor).
func (a *App) Discrepancies(ctx context.Context) ([]Discrepancy, error) { return nil, errTODO }

// ApproveDiscrepancy adjusts the stock by the variance with a reason code.
func (a *App) ApproveDiscrepancy(ctx context.Context, eventID, reasonCode string) error {
	return errTODO
}

// RejectDiscrepancy rejects a count: the stock stays as the ledger says.
func (a *App) RejectDiscrepancy(ctx context.Context, eventID, reason string) error { return errTODO }

// RequestRecount rejects the count and raises a recount of the bin
// assigned to another counter (not the one who counted).
func (a *App) RequestRecount(ctx context.Context, eventID, counter string) error { return errTODO }

// Counters lists the users holding the counter role (for recounts).
func (a *App) Counters(ctx context.Context) ([]User, error) { return nil, errTODO }

// AccuracyPoint is inventory accuracy over one week.
type AccuracyPoint struct {
	Week     string  // ISO week, "2026-W48"
	Location float64 // share of counted bins with zero variance, 0..1
	SKU      float64 // share of counted SKU lines with zero variance
	Value    float64 // 1 − |variance value| / counted value
	Bins     int     // bins counted
}

// Accuracy returns weekly accuracy of the warehouse (online only), by
// class or counter when given.
func (a *App) Accuracy(ctx context.Context, class, counter string, weeks int) ([]AccuracyPoint, error) {
	return nil, errTODO
}
