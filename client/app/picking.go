package app

import "context"

// PickListSummary is a pick list the picker can take.
type PickListSummary struct {
	ID         string
	Orders     []string
	Tasks      int // tasks in the list
	Open       int // tasks still to pick
	AssignedTo string
	Status     string
}

// PickStep is where the picker is on the current task.
type PickStep int

// Pick steps.
const (
	PickScanBin  PickStep = iota // go to the bin and scan its label
	PickScanItem                 // scan the item (each unit, or once and enter the quantity)
	PickDone                     // every task picked, short or skipped-and-finished
)

// PickTaskView is one task as the picking screen shows it.
type PickTaskView struct {
	ID       string
	N, Of    int // 1-based position in the list, number of tasks
	Order    string
	Location string
	SKU      string
	Name     string
	Lot      string
	Qty      int64 // to pick
	Picked   int64 // picked so far on this device for this task
	Skipped  bool
	Status   string // open | picked | short | cancelled (as the device sees it)
}

// PickState is what the picking screen shows.
type PickState struct {
	List    string
	Step    PickStep
	Current PickTaskView   // the task the picker is at
	Tasks   []PickTaskView // the whole list in walking order
}

// Picking is the picker working through one pick list, offline. Every
// confirmed pick is an event when the call returns; progress (including
// skips) is in the device database, so a restart resumes at the same task.
type Picking struct {
	a  *App
	id string
}

// PickLists lists the pick lists of the warehouse the signed-in user may
// take: assigned to them first, then unassigned ones.
func (a *App) PickLists(ctx context.Context) ([]PickListSummary, error) { return nil, errTODO }

// NextPickList asks the server to assign the next open pick list to the
// signed-in user (online only) and returns it once the device holds it.
func (a *App) NextPickList(ctx context.Context) (PickListSummary, error) {
	return PickListSummary{}, errTODO
}

// ActivePicking returns the signed-in user's pick list in progress, if any.
func (a *App) ActivePicking(ctx context.Context) (*Picking, bool, error) { return nil, false, errTODO }

// StartPicking starts (or resumes) working through a pick list.
func (a *App) StartPicking(ctx context.Context, listID string) (*Picking, error) {
	return nil, errTODO
}

// State returns what the screen shows.
func (p *Picking) State(ctx context.Context) (PickState, error) { return PickState{}, errTODO }

// Scan handles a scan: the bin label at PickScanBin (a wrong bin is
// refused), then the item at PickScanItem (a wrong SKU or lot is
// refused); each item scan picks its units (1, or the case's pack) and
// writes the pick event; the task completes when its quantity is reached.
func (p *Picking) Scan(ctx context.Context, text string) (Feedback, error) {
	return Feedback{}, errTODO
}

// EnterQty confirms n units of the current task at once (after the bin
// and the item were scanned) and writes the pick event.
func (p *Picking) EnterQty(ctx context.Context, n int64) (Feedback, error) {
	return Feedback{}, errTODO
}

// Short records that the bin holds only found more units of the current
// task (0: none): writes the pick of what was there and a short_pick
// exception for the rest, and moves on. The server re-allocates the
// shortfall and raises a count task for the bin.
func (p *Picking) Short(ctx context.Context, found int64) (Feedback, error) {
	return Feedback{}, errTODO
}

// Skip leaves the current task for later; skipped tasks come back after
// the others.
func (p *Picking) Skip(ctx context.Context) (Feedback, error) { return Feedback{}, errTODO }

// Finish closes the list on this device; tasks left open are reported
// in the feedback (they stay on the server's list).
func (p *Picking) Finish(ctx context.Context) (Feedback, error) { return Feedback{}, errTODO }
