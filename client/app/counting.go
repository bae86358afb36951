package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/driftless/driftless/client/scan/resolve"
	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/syncproto"
)

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
//
// How a count goes (DESIGN8: blind counts):
//   - The counter scans the bin's label first (its label or code); another
//     location is refused (Bad, nothing written), as is an item.
//   - Each item scan then adds the units the barcode stands for (1, a
//     case's pack, or SetQty's figure for the next scan) to the line of
//     its SKU and lot (the GS1 lot; a lot-tracked SKU needs one). SetLine
//     sets a line outright (counted by hand, or corrected; 0: none there).
//     No figure the counter sees comes from the stock view: feedback and
//     Lines say what was counted, never what is expected.
//   - Each line keeps when it last changed and the ledger position the
//     device had pulled then: its count event's DeviceTime and
//     SeenPosition, so the server compares it with the stock as it was
//     when that SKU was counted, not when the count was finished (picks
//     landing in the bin meanwhile are not a variance).
//   - Finish writes, in one transaction, a count event per line (kind
//     count, From = the bin, Qty = counted, Task = the count task), a zero
//     count for each SKU and lot the device's view holds at the bin with a
//     quantity other than 0 that was not counted (stamped when finishing),
//     and closes the draft. When that makes no event at all (nothing found,
//     nothing expected) it writes zero counts for the keys the view holds
//     at the bin at 0, confirming the bin is empty (a zero_stock task).
//   - A finished count's task is not offered again on this device while
//     the device holds it (the server closes it once its counts are
//     decided).
type Count struct {
	a  *App
	id string

	mu  sync.Mutex
	qty int64 // SetQty's figure for the next item scan, 0: the barcode's
}

// mayCount reports whether u may count bins: counters, supervisors and
// admins (the server's role table).
func mayCount(u User) bool { return u.Has(RoleCounter) || u.Has(RoleSupervisor) || u.Has(RoleAdmin) }

func (a *App) counter(ctx context.Context) (User, error) {
	u, err := a.signedIn(ctx)
	if err != nil {
		return User{}, err
	}
	if !mayCount(u) {
		return User{}, errorf(ErrNotCounter, nil, "%s may not count bins (needs the counter role)", cmpOr(u.Name, u.Code))
	}
	return u, nil
}

func taskSummary(t syncproto.CountTask) CountTaskSummary {
	return CountTaskSummary{ID: t.ID, Location: t.Location, Reason: t.Reason, Due: t.Due, AssignedTo: t.AssignedTo, Status: t.Status}
}

// CountTasks lists the open count tasks the signed-in user may take:
// assigned to them first, then unassigned ones, each by due date (not the
// ones they may not count: a recount of their own count; nor those counted
// on this device already or being counted by someone else on it).
func (a *App) CountTasks(ctx context.Context) ([]CountTaskSummary, error) {
	u, err := a.counter(ctx)
	if err != nil {
		return nil, err
	}
	tasks, err := a.st.CountTasks(ctx)
	if err != nil {
		return nil, err
	}
	drafts, err := a.st.CountDrafts(ctx, "", false)
	if err != nil {
		return nil, err
	}
	taken := map[string]bool{}
	for _, d := range drafts {
		if !d.FinishedAt.IsZero() || d.User != u.Code {
			taken[d.Task.ID] = true
		}
	}
	var out []CountTaskSummary
	for _, t := range tasks {
		if (t.AssignedTo != "" && t.AssignedTo != u.Code) || t.NotBy == u.Code || taken[t.ID] {
			continue
		}
		out = append(out, taskSummary(t))
	}
	slices.SortStableFunc(out, func(x, y CountTaskSummary) int {
		return cmp.Or(cmp.Compare(boolInt(x.AssignedTo == ""), boolInt(y.AssignedTo == "")), cmp.Compare(x.Due, y.Due),
			cmp.Compare(x.ID, y.ID))
	})
	return out, nil
}

// ActiveCount returns the signed-in user's count in progress, if any.
func (a *App) ActiveCount(ctx context.Context) (*Count, bool, error) {
	u, ok, err := a.CurrentUser(ctx)
	if err != nil || !ok {
		return nil, false, err
	}
	ds, err := a.st.CountDrafts(ctx, u.Code, true)
	if err != nil || len(ds) == 0 {
		return nil, false, err
	}
	return &Count{a: a, id: ds[0].Task.ID}, true, nil
}

// StartCount starts (or resumes) a count task; the counter must scan the
// bin's label first. A task assigned to someone else, or that the user may
// not count (a recount of their own count), is refused (ErrCountTaken), as
// is a second count while one is in progress (ErrCountOpen) and a task
// counted on this device already (ErrCountClosed).
func (a *App) StartCount(ctx context.Context, taskID string) (*Count, error) {
	a.countMu.Lock()
	defer a.countMu.Unlock()
	u, err := a.counter(ctx)
	if err != nil {
		return nil, err
	}
	taskID = strings.TrimSpace(taskID)
	open, err := a.st.CountDrafts(ctx, u.Code, true)
	if err != nil {
		return nil, err
	}
	for _, d := range open {
		if d.Task.ID == taskID {
			return &Count{a: a, id: taskID}, nil
		}
		return nil, errorf(ErrCountOpen, nil, "Finish the count of %s (%s) first", d.Task.Location, d.Task.ID)
	}
	d, ok, err := a.st.CountDraft(ctx, taskID)
	switch {
	case err != nil:
		return nil, err
	case ok && !d.FinishedAt.IsZero():
		return nil, errorf(ErrCountClosed, nil, "%s was counted on this device already", taskID)
	case ok:
		return nil, errorf(ErrCountTaken, nil, "%s is counting %s on this device", d.User, d.Task.Location)
	}
	t, ok, err := a.st.CountTask(ctx, taskID)
	if err != nil {
		return nil, err
	}
	switch {
	case !ok:
		return nil, errorf(ErrNoCountTask, nil, "Count task %s is not open on this device", taskID)
	case t.AssignedTo != "" && t.AssignedTo != u.Code:
		return nil, errorf(ErrCountTaken, nil, "Count task %s is assigned to %s", taskID, t.AssignedTo)
	case t.NotBy == u.Code:
		return nil, errorf(ErrCountTaken, nil, "%s recounts your count: another counter must take it", taskID)
	}
	if _, err := a.st.StartCount(ctx, t, u.Code); err != nil {
		return nil, err
	}
	a.signal()
	return &Count{a: a, id: taskID}, nil
}

// draft reads the count's open draft.
func (c *Count) draft(ctx context.Context) (store.CountDraft, error) {
	d, ok, err := c.a.st.CountDraft(ctx, c.id)
	if err != nil {
		return store.CountDraft{}, err
	}
	if !ok || !d.FinishedAt.IsZero() {
		return store.CountDraft{}, errorf(ErrCountClosed, nil, "The count of %s is finished on this device", c.id)
	}
	return d, nil
}

func (c *Count) closedErr(err error) error {
	if errors.Is(err, store.ErrNoCount) {
		return errorf(ErrCountClosed, err, "The count of %s is finished on this device", c.id)
	}
	return err
}

// ID returns the count task's ID.
func (c *Count) ID() string { return c.id }

// Task returns the task being counted (as it was when the count started).
func (c *Count) Task() CountTaskSummary {
	d, ok, err := c.a.st.CountDraft(context.Background(), c.id)
	if err != nil || !ok {
		return CountTaskSummary{ID: c.id}
	}
	s := taskSummary(d.Task)
	s.Status = "counting"
	if !d.FinishedAt.IsZero() {
		s.Status = "counted"
	}
	return s
}

// BinScanned reports whether the counter has scanned the bin's label.
func (c *Count) BinScanned() bool {
	d, ok, err := c.a.st.CountDraft(context.Background(), c.id)
	return err == nil && ok && !d.BinScannedAt.IsZero()
}

// SetQty sets how many units the next item scan stands for (0: the
// barcode's).
func (c *Count) SetQty(n int64) {
	c.mu.Lock()
	c.qty = max(n, 0)
	c.mu.Unlock()
}

// takeQty returns SetQty's figure for this scan and clears it.
func (c *Count) takeQty() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.qty
	c.qty = 0
	return n
}

// Scan handles the bin label first (a wrong bin is refused), then items:
// each adds its units to the SKU and lot's line.
func (c *Count) Scan(ctx context.Context, text string) (Feedback, error) {
	c.a.countMu.Lock()
	defer c.a.countMu.Unlock()
	if _, err := c.a.signedIn(ctx); err != nil {
		return Feedback{}, err
	}
	d, err := c.draft(ctx)
	if err != nil {
		return Feedback{}, err
	}
	bin := d.Task.Location
	scanned := !d.BinScannedAt.IsZero()
	text = strings.TrimSpace(text)
	if text == "" {
		if !scanned {
			return bad("Empty scan", "Scan the label of bin "+bin), nil
		}
		return bad("Empty scan", "Scan the items in "+bin), nil
	}
	res, err := c.a.res.Resolve(ctx, c.a.scanOf(text))
	if err != nil {
		return Feedback{}, err
	}
	switch res.Kind {
	case resolve.KindLocation:
		if res.Location.Code != bin {
			if scanned {
				return bad("Wrong bin", fmt.Sprintf("%s is not %s: you are counting %s", res.Location.Code, bin, bin)), nil
			}
			return bad("Wrong bin", fmt.Sprintf("%s is not %s: go to %s and scan its label", res.Location.Code, bin, bin)), nil
		}
		if !scanned {
			if err := c.a.st.ScanCountBin(ctx, c.id); err != nil {
				return Feedback{}, c.closedErr(err)
			}
			c.a.signal()
		}
		return Feedback{Level: Good, Title: "At " + bin, Detail: "Scan every item in the bin, or type how many of each"}, nil
	case resolve.KindItem:
	case resolve.KindMalformed:
		return bad("Unreadable barcode", res.Reason+"; scan it again"), nil
	case resolve.KindUnknown:
		return bad("Unknown barcode", text+" is not in the catalog: set the item aside for a supervisor"), nil
	default:
		return bad("Not an item or a bin", "Scan bin "+bin+", then its items"), nil
	}
	if !scanned {
		return bad("Scan the bin first", "Go to "+bin+" and scan its label"), nil
	}
	sku, lot := res.Item.SKU, res.Lot
	k, _, err := c.a.st.SKU(ctx, sku)
	if err != nil {
		return Feedback{}, err
	}
	if k.TrackLot && lot == "" {
		return bad(sku+": lot needed", "Scan the GS1 label with the lot, or type the line with its lot"), nil
	}
	n := c.takeQty()
	if n == 0 {
		n = int64(res.Quantity)
	}
	ln, err := c.a.st.CountQty(ctx, c.id, sku, lot, n, false)
	if err != nil {
		return Feedback{}, c.closedErr(err)
	}
	c.a.signal()
	return Feedback{Level: Good, Title: fmt.Sprintf("%s × %d", sku, n), Detail: countedDetail(k, ln)}, nil
}

// countedDetail says what a line holds now: "Apples · lot L7 · 24 counted".
func countedDetail(k syncproto.SKU, ln store.CountLine) string {
	s := cmpOr(k.Name, ln.SKU)
	if ln.Lot != "" {
		s += " · lot " + ln.Lot
	}
	return fmt.Sprintf("%s · %d counted", s, ln.Qty)
}

// SetLine sets a line's quantity outright (typed after counting by hand;
// 0 says none of it is in the bin). The SKU must be in the catalog, with
// a lot when it is lot-tracked.
func (c *Count) SetLine(ctx context.Context, sku, lot string, qty int64) (Feedback, error) {
	c.a.countMu.Lock()
	defer c.a.countMu.Unlock()
	if _, err := c.a.signedIn(ctx); err != nil {
		return Feedback{}, err
	}
	d, err := c.draft(ctx)
	if err != nil {
		return Feedback{}, err
	}
	sku, lot = strings.TrimSpace(sku), strings.TrimSpace(lot)
	k, ok, err := c.a.st.SKU(ctx, sku)
	switch {
	case err != nil:
		return Feedback{}, err
	case d.BinScannedAt.IsZero():
		return bad("Scan the bin first", "Go to "+d.Task.Location+" and scan its label"), nil
	case !ok:
		return bad("Unknown SKU", fmt.Sprintf("%q is not in the catalog", sku)), nil
	case k.TrackLot && lot == "":
		return bad(sku+": lot needed", "Give the lot of the units counted"), nil
	case qty < 0:
		return bad("No quantity", "Type how many units are in the bin (0: none)"), nil
	}
	ln, err := c.a.st.CountQty(ctx, c.id, sku, lot, qty, true)
	if err != nil {
		return Feedback{}, c.closedErr(err)
	}
	c.a.signal()
	return Feedback{Level: Good, Title: fmt.Sprintf("%s: %d", sku, qty), Detail: countedDetail(k, ln)}, nil
}

// Lines returns what was counted so far, in the order first counted.
func (c *Count) Lines(ctx context.Context) ([]CountLine, error) {
	lines, err := c.a.st.CountLines(ctx, c.id)
	if err != nil {
		return nil, err
	}
	out := make([]CountLine, len(lines))
	for i, ln := range lines {
		out[i] = CountLine{SKU: ln.SKU, Lot: ln.Lot, Qty: ln.Qty}
		if k, ok, err := c.a.st.SKU(ctx, ln.SKU); err == nil && ok {
			out[i].Name = k.Name
		}
	}
	return out, nil
}

// Finish writes the count's events and closes the task on this device.
func (c *Count) Finish(ctx context.Context) (Feedback, error) {
	c.a.countMu.Lock()
	defer c.a.countMu.Unlock()
	u, err := c.a.signedIn(ctx)
	if err != nil {
		return Feedback{}, err
	}
	d, err := c.draft(ctx)
	if err != nil {
		return Feedback{}, err
	}
	if d.BinScannedAt.IsZero() {
		return bad("Scan the bin first", "Go to "+d.Task.Location+" and scan its label, then count what it holds"), nil
	}
	var units int64
	var found, zeros int
	evs, err := c.a.st.FinishCount(ctx, c.id, func(d store.CountDraft, lines []store.CountLine, view []syncproto.Level) ([]store.Scan, error) {
		units, found, zeros = 0, 0, 0
		scans := countScans(u.Code, d, lines, view)
		for _, sc := range scans {
			units += sc.Qty
			if sc.Qty > 0 {
				found++
			} else {
				zeros++
			}
		}
		return scans, nil
	})
	if err != nil {
		return Feedback{}, c.closedErr(err)
	}
	c.a.recorded()
	title := fmt.Sprintf("%s counted", d.Task.Location)
	switch {
	case len(evs) == 0:
		return warn(title, "Nothing found, and this device knows of no stock there: nothing to send"), nil
	case found == 0:
		return Feedback{Level: Good, Title: title, Detail: "Empty: the bin holds nothing"}, nil
	}
	return Feedback{Level: Good, Title: title, Detail: fmt.Sprintf("%d units of %d SKU/lots", units, found)}, nil
}

// countScans are the count events of a finished count (see Count).
func countScans(user string, d store.CountDraft, lines []store.CountLine, view []syncproto.Level) []store.Scan {
	base := store.Scan{User: user, Kind: syncproto.KindCount, From: d.Task.Location, Task: d.Task.ID}
	var out []store.Scan
	counted := map[[2]string]bool{}
	for _, ln := range lines {
		counted[[2]string{ln.SKU, ln.Lot}] = true
		sc := base
		seen := ln.Seen
		sc.SKU, sc.Lot, sc.Qty, sc.At, sc.Seen = ln.SKU, ln.Lot, ln.Qty, ln.At, &seen
		out = append(out, sc)
	}
	zero := func(nonzero bool) {
		for _, l := range view {
			if counted[[2]string{l.SKU, l.Lot}] || (l.Qty != 0) != nonzero {
				continue
			}
			sc := base
			sc.SKU, sc.Lot = l.SKU, l.Lot
			out = append(out, sc)
		}
	}
	zero(true)
	if len(out) == 0 {
		zero(false)
	}
	return out
}
