package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/driftless/driftless/client/scan/resolve"
	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/syncproto"
)

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
//
// How a list is worked (DESIGN7: picking):
//   - The current task is the first open one in walking order, skipped
//     tasks after the others (in the order they were skipped). A task is
//     done when this device picked its quantity (counting what the server
//     had picked before this device touched it), recorded it short, or the
//     server reports it picked, short or cancelled. A list the device no
//     longer holds (done or cancelled on the server) shows the tasks this
//     device worked on, as cancelled unless it picked them fully or
//     shorted them, and nothing is left to pick.
//   - At PickScanBin only the task's bin is accepted (its label or code);
//     another bin is refused (Bad, nothing written), as is an item.
//   - At PickScanItem an item of another SKU, or of the task's SKU with
//     another lot (or none, when the task names one), is refused; the
//     task's item picks the units the barcode stands for (1, or a case's
//     pack) as one pick event (From = the bin, SKU, the task's lot, Task,
//     Ref = the sales order), refused when that is more than the task
//     still needs. EnterQty picks n more units once the item was scanned.
//   - Short records what the bin still held (a pick, when more than 0) and
//     a short_pick exception for the rest, in one transaction, and moves
//     on. Skip puts the task after the others.
//   - The picked figures shown are this device's; the stock view is not
//     checked (the server parks a pick it cannot apply: a short pick is
//     how a picker says the bin is short).
type Picking struct {
	a  *App
	id string
}

// PickLists lists the pick lists of the warehouse the signed-in user may
// take: assigned to them first, then unassigned ones.
func (a *App) PickLists(ctx context.Context) ([]PickListSummary, error) {
	u, err := a.signedIn(ctx)
	if err != nil {
		return nil, err
	}
	lists, err := a.st.PickLists(ctx)
	if err != nil {
		return nil, err
	}
	var out []PickListSummary
	for _, l := range lists {
		if l.AssignedTo != "" && l.AssignedTo != u.Code {
			continue
		}
		s, err := a.pickSummary(ctx, l)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	slices.SortStableFunc(out, func(x, y PickListSummary) int {
		// Mine first, then unassigned; by ID (the server numbers lists in
		// the order it creates them) within each.
		return cmp.Or(cmp.Compare(boolInt(x.AssignedTo == ""), boolInt(y.AssignedTo == "")), cmp.Compare(x.ID, y.ID))
	})
	return out, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// pickSummary counts a held list's tasks as the device sees them.
func (a *App) pickSummary(ctx context.Context, l syncproto.PickList) (PickListSummary, error) {
	prog, err := a.st.PickProgress(ctx, l.ID)
	if err != nil {
		return PickListSummary{}, err
	}
	tasks := mergeTasks(&l, prog)
	s := PickListSummary{ID: l.ID, Orders: l.Orders, Tasks: len(tasks), AssignedTo: l.AssignedTo, Status: l.Status}
	for _, t := range tasks {
		if t.open() {
			s.Open++
		}
	}
	return s, nil
}

// NextPickList asks the server to assign the next open pick list to the
// signed-in user (online only) and returns it once the device holds it
// assigned to them (it arrives with the catalog changes the assignment
// makes; Config.PickListWait bounds the wait).
func (a *App) NextPickList(ctx context.Context) (PickListSummary, error) {
	u, err := a.signedIn(ctx)
	if err != nil {
		return PickListSummary{}, err
	}
	var ans struct {
		syncproto.PickList
		Nested *syncproto.PickList `json:"pick_list"`
	}
	err = a.rest(ctx, http.MethodPost, "/api/v1/pick-lists/next", u.Code, map[string]string{"user": u.Code}, &ans)
	if err != nil {
		switch restStatus(err) {
		case http.StatusNotFound, http.StatusConflict:
			var e *Error
			msg := "No open pick list to take right now"
			if errors.As(err, &e) && e.Message != "" && restStatus(err) == http.StatusConflict {
				msg = e.Message
			}
			return PickListSummary{}, errorf(ErrNoPickList, err, "%s", msg)
		}
		return PickListSummary{}, err
	}
	id := ans.ID
	if ans.Nested != nil {
		id = ans.Nested.ID
	}
	if id == "" {
		return PickListSummary{}, errorf(ErrNoPickList, nil, "No open pick list to take right now")
	}
	a.mu.Lock()
	if a.engine != nil {
		a.engine.Notify()
	}
	a.mu.Unlock()
	wait := a.cfg.PickListWait
	if wait <= 0 {
		wait = 20 * time.Second
	}
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		l, ok, err := a.st.PickList(ctx, id)
		if err != nil {
			return PickListSummary{}, err
		}
		if ok && l.AssignedTo == u.Code {
			return a.pickSummary(ctx, l)
		}
		select {
		case <-ctx.Done():
			return PickListSummary{}, ctx.Err()
		case <-deadline.C:
			return PickListSummary{}, errorf(ErrServerUnreachable, nil,
				"Pick list %s is yours, but it has not reached this device yet: it appears once the device syncs", id)
		case <-tick.C:
		}
	}
}

// ActivePicking returns the signed-in user's pick list in progress, if any.
func (a *App) ActivePicking(ctx context.Context) (*Picking, bool, error) {
	u, ok, err := a.CurrentUser(ctx)
	if err != nil || !ok {
		return nil, false, err
	}
	runs, err := a.st.OpenPickRuns(ctx, u.Code)
	if err != nil || len(runs) == 0 {
		return nil, false, err
	}
	return &Picking{a: a, id: runs[0].List}, true, nil
}

// StartPicking starts (or resumes) working through a pick list. A list
// assigned to someone else is refused (ErrPickListTaken), as is a second
// list while one is in progress (ErrPickingOpen: finish it first).
func (a *App) StartPicking(ctx context.Context, listID string) (*Picking, error) {
	u, err := a.signedIn(ctx)
	if err != nil {
		return nil, err
	}
	listID = strings.TrimSpace(listID)
	runs, err := a.st.OpenPickRuns(ctx, u.Code)
	if err != nil {
		return nil, err
	}
	for _, r := range runs {
		if r.List == listID {
			return &Picking{a: a, id: listID}, nil
		}
		return nil, errorf(ErrPickingOpen, nil, "Finish pick list %s first", r.List)
	}
	l, ok, err := a.st.PickList(ctx, listID)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errorf(ErrNoPickList, nil, "Pick list %s is not open on this device", listID)
	}
	if l.AssignedTo != "" && l.AssignedTo != u.Code {
		return nil, errorf(ErrPickListTaken, nil, "Pick list %s is assigned to %s", listID, l.AssignedTo)
	}
	if _, err := a.st.StartPickRun(ctx, listID, u.Code); err != nil {
		return nil, err
	}
	a.signal()
	return &Picking{a: a, id: listID}, nil
}

// ID returns the pick list's ID.
func (p *Picking) ID() string { return p.id }

// pickTask is a task as the device sees it: the server's record (or the
// copy kept with this device's progress) and what this device did.
type pickTask struct {
	syncproto.PickTask
	prog  store.TaskProgress
	held  bool // the device holds the task's list with this task
	n     int  // 1-based position in walking order
	touch bool // prog is stored
}

// mergeTasks joins a list's tasks (nil list: not held) with this device's
// progress, in walking order.
func mergeTasks(l *syncproto.PickList, prog []store.TaskProgress) []pickTask {
	byID := map[string]store.TaskProgress{}
	for _, pr := range prog {
		byID[pr.Task] = pr
	}
	var out []pickTask
	seen := map[string]bool{}
	if l != nil {
		for _, t := range l.Tasks {
			pt := pickTask{PickTask: t, held: true}
			pt.prog, pt.touch = byID[t.ID]
			seen[t.ID] = true
			out = append(out, pt)
		}
	}
	for _, pr := range prog {
		if seen[pr.Task] {
			continue
		}
		out = append(out, pickTask{PickTask: syncproto.PickTask{ID: pr.Task, Seq: pr.Seq, Order: pr.Order,
			Location: pr.Location, SKU: pr.SKU, Lot: pr.Lot, Qty: pr.Qty, Status: "open"}, prog: pr, touch: true})
	}
	slices.SortStableFunc(out, func(x, y pickTask) int { return cmp.Or(cmp.Compare(x.Seq, y.Seq), cmp.Compare(x.ID, y.ID)) })
	for i := range out {
		out[i].n = i + 1
	}
	return out
}

// picked is what the task has picked as far as the device knows: the
// server's figure, or what it was when this device first touched the task
// plus this device's picks, whichever is more.
func (t *pickTask) picked() int64 {
	return max(t.Picked, t.prog.Before+t.prog.Picked)
}

func (t *pickTask) remaining() int64 { return max(t.Qty-t.picked(), 0) }

// status is the task's status as the device sees it.
func (t *pickTask) status() string {
	switch {
	case t.prog.Short:
		return "short"
	case t.Status == "short" || t.Status == "cancelled":
		return t.Status
	case t.picked() >= t.Qty || t.Status == "picked":
		return "picked"
	case !t.held:
		return "cancelled"
	}
	return "open"
}

func (t *pickTask) open() bool { return t.status() == "open" }

// progress returns the task's progress row to store (a copy of its
// fields the first time).
func (t *pickTask) progress(list string) store.TaskProgress {
	if t.touch {
		return t.prog
	}
	return store.TaskProgress{Task: t.ID, List: list, Seq: t.Seq, Order: t.Order, Location: t.Location, SKU: t.SKU,
		Lot: t.Lot, Qty: t.Qty, Before: t.Picked}
}

// pickView is a list's state read from the store.
type pickView struct {
	run   store.PickRun
	tasks []pickTask
	cur   *pickTask // nil when every task is done
	step  PickStep
}

// load reads the run, the list and the progress, and works out the
// current task and step.
func (p *Picking) load(ctx context.Context) (*pickView, error) {
	run, ok, err := p.a.st.PickRun(ctx, p.id)
	if err != nil {
		return nil, err
	}
	if !ok || !run.FinishedAt.IsZero() {
		return nil, errorf(ErrPickingClosed, nil, "Pick list %s is finished on this device", p.id)
	}
	l, held, err := p.a.st.PickList(ctx, p.id)
	if err != nil {
		return nil, err
	}
	prog, err := p.a.st.PickProgress(ctx, p.id)
	if err != nil {
		return nil, err
	}
	var lp *syncproto.PickList
	if held {
		lp = &l
	}
	v := &pickView{run: run, tasks: mergeTasks(lp, prog), step: PickDone}
	for i := range v.tasks {
		t := &v.tasks[i]
		if !t.open() {
			continue
		}
		if v.cur == nil || nextFirst(t, v.cur) {
			v.cur = t
		}
	}
	if v.cur != nil {
		v.step = PickScanBin
		if run.Task == v.cur.ID && run.Step == int(PickScanItem) {
			v.step = PickScanItem
		}
	}
	return v, nil
}

// nextFirst reports whether t comes before u in the order tasks are
// worked: not skipped in walking order, then skipped in skip order.
func nextFirst(t, u *pickTask) bool {
	ts, us := t.prog.Skipped, u.prog.Skipped
	if (ts == 0) != (us == 0) {
		return ts == 0
	}
	if ts != us {
		return ts < us
	}
	return t.n < u.n
}

func (p *Picking) view(ctx context.Context, t *pickTask, of int) PickTaskView {
	v := PickTaskView{ID: t.ID, N: t.n, Of: of, Order: t.Order, Location: t.Location, SKU: t.SKU, Lot: t.Lot, Qty: t.Qty,
		Picked: t.prog.Picked, Skipped: t.prog.Skipped > 0, Status: t.status()}
	if k, ok, err := p.a.st.SKU(ctx, t.SKU); err == nil && ok {
		v.Name = k.Name
	}
	return v
}

// State returns what the screen shows.
func (p *Picking) State(ctx context.Context) (PickState, error) {
	p.a.pickMu.Lock()
	defer p.a.pickMu.Unlock()
	v, err := p.load(ctx)
	if err != nil {
		return PickState{}, err
	}
	return p.state(ctx, v), nil
}

func (p *Picking) state(ctx context.Context, v *pickView) PickState {
	s := PickState{List: p.id, Step: v.step, Tasks: make([]PickTaskView, len(v.tasks))}
	for i := range v.tasks {
		s.Tasks[i] = p.view(ctx, &v.tasks[i], len(v.tasks))
	}
	if v.cur != nil {
		s.Current = s.Tasks[v.cur.n-1]
	}
	return s
}

// what names a task's item for feedback: "A (Apples) lot L7".
func (p *Picking) what(ctx context.Context, t *pickTask) string {
	s := t.SKU
	if k, ok, err := p.a.st.SKU(ctx, t.SKU); err == nil && ok && k.Name != "" {
		s += " (" + k.Name + ")"
	}
	if t.Lot != "" {
		s += " lot " + t.Lot
	}
	return s
}

// Scan handles a scan: the bin label at PickScanBin (a wrong bin is
// refused), then the item at PickScanItem (a wrong SKU or lot is
// refused); each item scan picks its units (1, or the case's pack) and
// writes the pick event; the task completes when its quantity is reached.
func (p *Picking) Scan(ctx context.Context, text string) (Feedback, error) {
	p.a.pickMu.Lock()
	defer p.a.pickMu.Unlock()
	u, err := p.a.signedIn(ctx)
	if err != nil {
		return Feedback{}, err
	}
	v, err := p.load(ctx)
	if err != nil {
		return Feedback{}, err
	}
	t := v.cur
	if t == nil {
		return bad("List done", "Every task is picked or short: finish the list"), nil
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return bad("Empty scan", "Scan bin "+t.Location), nil
	}
	res, err := p.a.res.Resolve(ctx, p.a.scanOf(text))
	if err != nil {
		return Feedback{}, err
	}
	switch res.Kind {
	case resolve.KindLocation:
		if res.Location.Code != t.Location {
			if v.step == PickScanItem {
				return bad("Wrong bin", fmt.Sprintf("%s is not %s: pick %s there", res.Location.Code, t.Location, p.what(ctx, t))), nil
			}
			return bad("Wrong bin", fmt.Sprintf("%s is not %s: go to %s", res.Location.Code, t.Location, t.Location)), nil
		}
		if v.step == PickScanItem {
			return Feedback{Level: Good, Title: "At " + t.Location, Detail: fmt.Sprintf("Scan %s: %d to pick", p.what(ctx, t), t.remaining())}, nil
		}
		run := v.run
		run.Task, run.Step, run.ItemOK = t.ID, int(PickScanItem), false
		if _, err := p.a.st.SavePick(ctx, run, nil, nil); err != nil {
			return Feedback{}, p.closedErr(err)
		}
		return Feedback{Level: Good, Title: "At " + t.Location, Detail: fmt.Sprintf("Scan %s: %d to pick", p.what(ctx, t), t.remaining())}, nil
	case resolve.KindItem:
	case resolve.KindMalformed:
		return bad("Unreadable barcode", res.Reason+"; scan it again"), nil
	case resolve.KindUnknown:
		return bad("Unknown barcode", cmpOr(res.Reason, text)), nil
	default:
		return bad("Not an item or a bin", "Scan bin "+t.Location+", then the item"), nil
	}
	if v.step == PickScanBin {
		return bad("Scan the bin first", "Go to "+t.Location+" and scan its label"), nil
	}
	if res.Item.SKU != t.SKU {
		return bad("Wrong item", fmt.Sprintf("%s is not %s: pick %s", res.Item.SKU, t.SKU, p.what(ctx, t))), nil
	}
	if t.Lot != "" && res.Lot != t.Lot {
		if res.Lot == "" {
			return bad(t.SKU+": lot needed", "Scan the GS1 label with the lot: pick lot "+t.Lot), nil
		}
		return bad("Wrong lot", fmt.Sprintf("Lot %s is not %s: pick lot %s", res.Lot, t.Lot, t.Lot)), nil
	}
	n := int64(res.Quantity)
	if rem := t.remaining(); n > rem {
		return bad("Too many", fmt.Sprintf("That barcode is %d units; %d left to pick: scan single units or enter the quantity", n, rem)), nil
	}
	return p.pick(ctx, u, v, n)
}

// pick writes a pick of n units of the current task with the progress it
// makes, and says how the task stands.
func (p *Picking) pick(ctx context.Context, u User, v *pickView, n int64) (Feedback, error) {
	t := v.cur
	pr := t.progress(p.id)
	pr.Picked += n
	run := v.run
	run.Task, run.Step, run.ItemOK = t.ID, int(PickScanItem), true
	done := t.Qty-max(t.Picked, pr.Before+pr.Picked) <= 0
	if done {
		run.Task, run.Step, run.ItemOK = "", int(PickScanBin), false
	}
	sc := store.Scan{User: u.Code, Kind: syncproto.KindPick, SKU: t.SKU, Lot: t.Lot, From: t.Location, Qty: n,
		Task: t.ID, Ref: t.Order}
	if _, err := p.a.st.SavePick(ctx, run, &pr, []store.Scan{sc}); err != nil {
		return Feedback{}, p.closedErr(err)
	}
	p.a.recorded()
	title := fmt.Sprintf("%s × %d", t.SKU, n)
	t.prog, t.touch = pr, true
	if !done {
		return Feedback{Level: Good, Title: title, Detail: fmt.Sprintf("%d of %d from %s · %d to go", t.picked(), t.Qty, t.Location, t.remaining())}, nil
	}
	return Feedback{Level: Good, Title: title, Detail: "Task done · " + p.next(ctx)}, nil
}

// next says where the picker goes next, reading the list again.
func (p *Picking) next(ctx context.Context) string {
	v, err := p.load(ctx)
	if err != nil || v.cur == nil {
		return "the list is done: finish it"
	}
	return "next: bin " + v.cur.Location
}

func (p *Picking) closedErr(err error) error {
	if errors.Is(err, store.ErrNoPickRun) {
		return errorf(ErrPickingClosed, err, "Pick list %s is finished on this device", p.id)
	}
	return err
}

// EnterQty confirms n more units of the current task at once (after the
// bin and the item were scanned: the item's scan picked its own units)
// and writes the pick event. More than the task still needs is refused.
func (p *Picking) EnterQty(ctx context.Context, n int64) (Feedback, error) {
	p.a.pickMu.Lock()
	defer p.a.pickMu.Unlock()
	u, err := p.a.signedIn(ctx)
	if err != nil {
		return Feedback{}, err
	}
	v, err := p.load(ctx)
	if err != nil {
		return Feedback{}, err
	}
	t := v.cur
	switch {
	case t == nil:
		return bad("List done", "Every task is picked or short: finish the list"), nil
	case v.step == PickScanBin:
		return bad("Scan the bin first", "Go to "+t.Location+" and scan its label"), nil
	case !v.run.ItemOK:
		return bad("Scan the item first", "Scan "+p.what(ctx, t)+", then enter how many more you take"), nil
	case n <= 0:
		return bad("No quantity", "Enter how many more units you take"), nil
	case n > t.remaining():
		return bad("Too many", fmt.Sprintf("%d left to pick here, not %d: if the bin holds less, record a short pick", t.remaining(), n)), nil
	}
	return p.pick(ctx, u, v, n)
}

// Short records that the bin holds only found more units of the current
// task (0: none): writes the pick of what was there and a short_pick
// exception for the rest, and moves on. The server re-allocates the
// shortfall and raises a count task for the bin.
func (p *Picking) Short(ctx context.Context, found int64) (Feedback, error) {
	p.a.pickMu.Lock()
	defer p.a.pickMu.Unlock()
	u, err := p.a.signedIn(ctx)
	if err != nil {
		return Feedback{}, err
	}
	v, err := p.load(ctx)
	if err != nil {
		return Feedback{}, err
	}
	t := v.cur
	switch {
	case t == nil:
		return bad("List done", "Every task is picked or short: finish the list"), nil
	case v.step == PickScanBin:
		return bad("Scan the bin first", "Go to "+t.Location+" and scan its label: a short pick is recorded at the bin"), nil
	case found < 0:
		return bad("No quantity", "Enter how many units the bin still held (0: none)"), nil
	case found >= t.remaining():
		return bad("Not short", fmt.Sprintf("%d left to pick and %d found: pick them", t.remaining(), found)), nil
	}
	short := t.remaining() - found
	pr := t.progress(p.id)
	pr.Picked += found
	pr.Short = true
	run := v.run
	run.Task, run.Step, run.ItemOK = "", int(PickScanBin), false
	var scans []store.Scan
	base := store.Scan{User: u.Code, SKU: t.SKU, Lot: t.Lot, From: t.Location, Task: t.ID, Ref: t.Order}
	if found > 0 {
		sc := base
		sc.Kind, sc.Qty = syncproto.KindPick, found
		scans = append(scans, sc)
	}
	x := base
	x.Kind, x.Reason, x.Qty = syncproto.KindException, "short_pick", short
	scans = append(scans, x)
	if _, err := p.a.st.SavePick(ctx, run, &pr, scans); err != nil {
		return Feedback{}, p.closedErr(err)
	}
	p.a.recorded()
	detail := fmt.Sprintf("%d picked, %d short at %s: the bin will be counted · %s", found, short, t.Location, p.next(ctx))
	return warn(fmt.Sprintf("Short: %s × %d", t.SKU, short), detail), nil
}

// Skip leaves the current task for later; skipped tasks come back after
// the others.
func (p *Picking) Skip(ctx context.Context) (Feedback, error) {
	p.a.pickMu.Lock()
	defer p.a.pickMu.Unlock()
	v, err := p.load(ctx)
	if err != nil {
		return Feedback{}, err
	}
	t := v.cur
	if t == nil {
		return bad("List done", "Nothing left to skip: finish the list"), nil
	}
	pr := t.progress(p.id)
	run := v.run
	run.Skips++
	pr.Skipped = run.Skips
	run.Task, run.Step, run.ItemOK = "", int(PickScanBin), false
	if _, err := p.a.st.SavePick(ctx, run, &pr, nil); err != nil {
		return Feedback{}, p.closedErr(err)
	}
	p.a.signal()
	return Feedback{Level: Good, Title: "Skipped " + t.Location, Detail: t.SKU + " comes back after the others · " + p.next(ctx)}, nil
}

// Finish closes the list on this device; tasks left open are reported
// in the feedback (they stay on the server's list).
func (p *Picking) Finish(ctx context.Context) (Feedback, error) {
	p.a.pickMu.Lock()
	defer p.a.pickMu.Unlock()
	v, err := p.load(ctx)
	if err != nil {
		return Feedback{}, err
	}
	var open []string
	var picked int64
	short := 0
	for i := range v.tasks {
		t := &v.tasks[i]
		picked += t.prog.Picked
		if t.prog.Short {
			short++
		}
		if t.open() {
			open = append(open, fmt.Sprintf("%s at %s", t.SKU, t.Location))
		}
	}
	if err := p.a.st.FinishPickRun(ctx, p.id); err != nil {
		return Feedback{}, p.closedErr(err)
	}
	p.a.signal()
	detail := fmt.Sprintf("%d units picked", picked)
	if short > 0 {
		detail += fmt.Sprintf(", %d short", short)
	}
	if len(open) > 0 {
		return warn(fmt.Sprintf("%s finished with %d open", p.id, len(open)),
			detail+" · left on the list: "+strings.Join(open, ", ")), nil
	}
	return Feedback{Level: Good, Title: p.id + " done", Detail: detail}, nil
}
