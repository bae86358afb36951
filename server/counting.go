package server

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/driftless/driftless/syncproto"
)

// Cycle counting. Count tasks send a counter to a bin; they come from the
// count schedule (counting_schedule.go, by the bin's ABC class,
// counting_abc.go) or are triggered: a short pick, a movement parked for
// lack of stock, stock at a bin reaching zero, a disputed put-away, a
// supervisor's recount. At most one task per bin is held (open or
// assigned) at a time. Count tasks are catalog records of one warehouse,
// like pick lists: every change takes a catalog position and that
// warehouse's devices pull it.
//
// A count event (blind: the device never showed an expected figure) is
// checked against the ledger position the device had seen (countVariance):
// expected = the stock at SeenPosition plus the deltas of the entries at
// the key after it whose events were recorded (device time) no later than
// the count, that is the movements the counter physically saw happen
// before counting but had not pulled. Variance = counted − expected.
// Within the class's tolerance the count applies with its own ledger entry
// (kind count, delta = variance); outside it the event parks with
// count_variance: a discrepancy for a supervisor (counting_queue.go), who
// approves it (adjust by the variance computed at count time), rejects it
// or asks for a recount by another counter.

// KindCountTask is the catalog kind of count tasks.
const KindCountTask CatalogKind = "count_task"

// Count task statuses.
const (
	CountTaskOpen      = "open"
	CountTaskAssigned  = "assigned"
	CountTaskCounted   = "counted"
	CountTaskCancelled = "cancelled"
)

// CountTaskStatuses lists the count task statuses.
var CountTaskStatuses = []string{CountTaskOpen, CountTaskAssigned, CountTaskCounted, CountTaskCancelled}

// Why a count task exists.
const (
	CountScheduled      = "scheduled"
	CountShortPick      = "short_pick"
	CountParked         = "parked"
	CountZeroStock      = "zero_stock"
	CountPutawayDispute = "putaway_dispute"
	CountRecount        = "recount"
	CountManual         = "manual"
)

// CountTaskReasons lists the reasons of count tasks.
var CountTaskReasons = []string{CountScheduled, CountShortPick, CountParked, CountZeroStock, CountPutawayDispute, CountRecount, CountManual}

// CountTask asks for a bin to be counted. ID is "CT-" and six or more
// digits, numbered in creation order. SKU and Lot are set when a trigger
// was about one SKU (a short pick: allocation leaves that SKU at the bin
// alone until it is counted); the counter counts the whole bin anyway.
type CountTask struct {
	ID          string    `json:"id"`
	Warehouse   string    `json:"warehouse"`
	Location    string    `json:"location"`
	SKU         string    `json:"sku"`
	Lot         string    `json:"lot"`
	Reason      string    `json:"reason"`
	SourceEvent string    `json:"source_event"` // the event that raised it
	Class       string    `json:"class"`        // the bin's ABC class when raised
	Due         string    `json:"due"`          // YYYY-MM-DD
	AssignedTo  string    `json:"assigned_to"`
	NotBy       string    `json:"not_by"` // a recount: the first counter may not count it
	CreatedAt   time.Time `json:"created_at"`
	Status      string    `json:"status"`
	Archived    bool      `json:"archived"`
	Position    uint64    `json:"position"`
}

// Held says whether devices hold the task (it waits for a counter).
func (c *CountTask) Held() bool {
	return !c.Archived && (c.Status == CountTaskOpen || c.Status == CountTaskAssigned)
}

// CountTaskID is the ID of the n-th count task.
func CountTaskID(n int64) string { return fmt.Sprintf("CT-%06d", n) }

// ParseCountTaskID returns the number of a count task ID.
func ParseCountTaskID(id string) (int64, bool) {
	s, ok := strings.CutPrefix(id, "CT-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

// WireCountTask is c as devices receive it.
func WireCountTask(c CountTask) syncproto.CountTask {
	return syncproto.CountTask{ID: c.ID, Location: c.Location, Status: c.Status, AssignedTo: c.AssignedTo, NotBy: c.NotBy,
		Reason: c.Reason, Class: c.Class, Due: c.Due, Archived: c.Archived, Position: c.Position}
}

// CountTaskFilter selects count tasks; empty fields match everything.
type CountTaskFilter struct {
	Warehouse, Status, Location, AssignedTo, Reason, Due string
	// Held selects the open and assigned tasks only.
	Held bool
	// After is the ID of the last task of the previous page.
	After string
	Limit int // 0: no limit
}

// Count record statuses: how a count event was decided.
const (
	CountAuto      = "auto"     // within tolerance: applied with its own entry
	CountPending   = "pending"  // a discrepancy waiting for a supervisor
	CountApproved  = "approved" // adjusted by the variance
	CountRejected  = "rejected" // the ledger stands
	CountRecounted = "recount"  // the ledger stands, the bin is counted again
)

// CountRecord is what the server keeps about a count event: the figures
// computed when it arrived and how it was decided.
type CountRecord struct {
	EventID   string `json:"event_id"`
	DeviceID  string `json:"device"`
	Seq       uint64 `json:"seq"`
	Warehouse string `json:"warehouse"`
	Task      string `json:"task"`
	Location  string `json:"location"`
	SKU       string `json:"sku"`
	Lot       string `json:"lot"`
	Counter   string `json:"counter"`
	Counted   int64  `json:"counted"`
	Expected  int64  `json:"expected"`
	Variance  int64  `json:"variance"`
	UnitCost  int64  `json:"unit_cost"`
	Class     string `json:"class"`
	// DeviceTime is when it was counted; RecordedAt when it arrived.
	DeviceTime time.Time `json:"device_time"`
	RecordedAt time.Time `json:"recorded_at"`
	Status     string    `json:"status"`
	// ReasonCode is the approval's reason code, or the rejection's or
	// recount's reason.
	ReasonCode string    `json:"reason_code,omitempty"`
	DecidedBy  string    `json:"decided_by,omitempty"`
	DecidedAt  time.Time `json:"decided_at,omitzero"`
	// Position is the ledger position its stock change took (its own
	// entry, or the approval's adjustment; 0 when none).
	Position uint64 `json:"position"`
}

// CountRecordFilter selects count records; empty fields match everything.
type CountRecordFilter struct {
	Warehouse, Location, Task, Status, Counter string
	// From and To bound the device time: From ≤ t < To (zero: open).
	From, To time.Time
	// Newest lists newest first (by device time); the default is oldest.
	Newest bool
	Limit  int // 0: no limit
}

// SKUClass is a SKU's ABC class in a warehouse and the usage value it
// was classified by.
type SKUClass struct {
	SKU        string    `json:"sku"`
	Class      string    `json:"class"`
	Value      int64     `json:"value"` // usage value in cents over the settings' window
	Units      int64     `json:"units"`
	ComputedAt time.Time `json:"computed_at"`
}

// ScheduledBin is a bin's place in the count schedule: counted on the
// days d (days since 1970-01-01 UTC) with d mod Period = Phase.
type ScheduledBin struct {
	Location string `json:"location"`
	Class    string `json:"class"`
	Period   int    `json:"period"`
	Phase    int    `json:"phase"`
}

// CountingReadTx reads counting's records. Both stores' transactions
// implement it (found by type assertion).
type CountingReadTx interface {
	// CountTask returns a task by ID; ENotFound when absent.
	CountTask(ctx context.Context, id string) (CountTask, error)
	CountRecord(ctx context.Context, eventID string) (CountRecord, bool, error)
	CountRecords(ctx context.Context, f CountRecordFilter) ([]CountRecord, error)
	// SKUClasses returns the warehouse's classes of the SKUs (all when
	// skus is nil); SKUs never classified are absent.
	SKUClasses(ctx context.Context, warehouse string, skus []string) ([]SKUClass, error)
	CountSchedule(ctx context.Context, warehouse string) ([]ScheduledBin, error)
	// CountSettings returns a warehouse's stored settings; false when none.
	CountSettings(ctx context.Context, warehouse string) (CountSettings, bool, error)
	// Usage sums, per SKU, the units taken out of the warehouse by
	// ledger entries of the kinds recorded at or after since.
	Usage(ctx context.Context, warehouse string, since time.Time, kinds []syncproto.Kind) (map[string]int64, error)
	// LocationEntries lists up to limit ledger entries at a location (all
	// SKUs) with positions above after, in order.
	LocationEntries(ctx context.Context, warehouse, location string, after uint64, limit int) ([]syncproto.Entry, error)
}

// CountingTx writes counting's records.
type CountingTx interface {
	CountingReadTx
	// PutCountTask stores a task (a new one, numbered, when its ID is
	// empty) with a new catalog position, and returns it as stored.
	PutCountTask(ctx context.Context, c CountTask) (CountTask, error)
	PutCountRecord(ctx context.Context, r CountRecord) error
	// PutSKUClasses replaces the warehouse's classes.
	PutSKUClasses(ctx context.Context, warehouse string, cs []SKUClass) error
	// PutCountSchedule replaces the warehouse's schedule.
	PutCountSchedule(ctx context.Context, warehouse string, bins []ScheduledBin) error
	PutCountSettings(ctx context.Context, warehouse string, s CountSettings) error
}

func countingRead(tx any) (CountingReadTx, error) {
	ctx, ok := tx.(CountingReadTx)
	if !ok {
		return nil, Errorf(EInternal, "this store does not keep counts")
	}
	return ctx, nil
}

func counting(tx any) (CountingTx, error) {
	ctx, ok := tx.(CountingTx)
	if !ok {
		return nil, Errorf(EInternal, "this store does not keep counts")
	}
	return ctx, nil
}

// Tolerance is how far a count may be from the ledger and still apply
// by itself: |variance| ≤ Units or ≤ Pct percent of expected, and (when
// ValueCents > 0) worth no more than ValueCents. A zero variance is
// always within.
type Tolerance struct {
	Units      int64   `json:"units"`
	Pct        float64 `json:"pct"`
	ValueCents int64   `json:"value_cents"`
}

// Within says whether a variance is within the tolerance.
func (t Tolerance) Within(variance, expected, unitCost int64) bool {
	if variance == 0 {
		return true
	}
	v := variance
	if v < 0 {
		v = -v
	}
	if t.ValueCents > 0 && v*unitCost > t.ValueCents {
		return false
	}
	return v <= t.Units || (t.Pct > 0 && expected > 0 && float64(v)*100 <= t.Pct*float64(expected))
}

// CountSettings configures counting for one warehouse.
type CountSettings struct {
	// UsageDays is the trailing window of the ABC usage value.
	UsageDays int `json:"usage_days"`
	// APct and BPct are the shares of usage value (percent) A and B
	// take: A the top APct, B the next BPct, C the rest.
	APct float64 `json:"a_pct"`
	BPct float64 `json:"b_pct"`
	// Periods are the days between two counts of a bin, per class.
	Periods map[string]int `json:"periods"`
	// Tolerances per class.
	Tolerances map[string]Tolerance `json:"tolerances"`
}

// Classes are the ABC classes, highest first.
var Classes = []string{"A", "B", "C"}

// DefaultCountSettings are the settings of a warehouse that has none.
func DefaultCountSettings() CountSettings {
	return CountSettings{UsageDays: 90, APct: 80, BPct: 15,
		Periods: map[string]int{"A": 30, "B": 90, "C": 180},
		Tolerances: map[string]Tolerance{
			"A": {},
			"B": {Units: 1, Pct: 2, ValueCents: 5000},
			"C": {Units: 2, Pct: 5, ValueCents: 5000},
		}}
}

// Validate checks the settings, filling what is missing from the
// defaults.
func (s *CountSettings) Validate() error {
	def := DefaultCountSettings()
	if s.UsageDays == 0 {
		s.UsageDays = def.UsageDays
	}
	if s.APct == 0 && s.BPct == 0 {
		s.APct, s.BPct = def.APct, def.BPct
	}
	switch {
	case s.UsageDays < 1 || s.UsageDays > 3660:
		return &Error{Code: EInvalid, Field: "usage_days", Message: "usage_days must be from 1 to 3660"}
	case s.APct < 0 || s.BPct < 0 || s.APct+s.BPct > 100:
		return &Error{Code: EInvalid, Field: "a_pct", Message: "a_pct and b_pct are shares of usage value: not negative, at most 100 together"}
	}
	if s.Periods == nil {
		s.Periods = map[string]int{}
	}
	if s.Tolerances == nil {
		s.Tolerances = map[string]Tolerance{}
	}
	for _, c := range Classes {
		p, ok := s.Periods[c]
		if !ok {
			p = def.Periods[c]
			s.Periods[c] = p
		}
		if p < 1 || p > 730 {
			return &Error{Code: EInvalid, Field: "periods", Message: fmt.Sprintf("the period of class %s must be from 1 to 730 days", c)}
		}
		t, ok := s.Tolerances[c]
		if !ok {
			t = def.Tolerances[c]
			s.Tolerances[c] = t
		}
		if t.Units < 0 || t.Pct < 0 || t.ValueCents < 0 {
			return &Error{Code: EInvalid, Field: "tolerances", Message: fmt.Sprintf("the tolerance of class %s must not be negative", c)}
		}
	}
	for c := range s.Periods {
		if !slices.Contains(Classes, c) {
			return &Error{Code: EInvalid, Field: "periods", Message: fmt.Sprintf("unknown class %q: classes are A, B and C", c)}
		}
	}
	for c := range s.Tolerances {
		if !slices.Contains(Classes, c) {
			return &Error{Code: EInvalid, Field: "tolerances", Message: fmt.Sprintf("unknown class %q: classes are A, B and C", c)}
		}
	}
	return nil
}

// countSettings returns a warehouse's settings, the defaults when none
// are stored.
func countSettings(ctx context.Context, ctx2 CountingReadTx, warehouse string) (CountSettings, error) {
	s, ok, err := ctx2.CountSettings(ctx, warehouse)
	if err != nil || !ok {
		return DefaultCountSettings(), err
	}
	if err := s.Validate(); err != nil {
		return DefaultCountSettings(), nil
	}
	return s, nil
}

// maxSeenEntries bounds the entries a count's expected figure reads
// after its seen position.
const maxSeenEntries = 10000

// expectedAt is what the ledger says a counter found at a key: the stock
// at the count's SeenPosition plus the deltas after it of the events
// recorded no later than the count (device time). cur is the stock now.
func expectedAt(ctx context.Context, tx ReadTx, key StockKey, cur int64, ev *syncproto.Event) (int64, error) {
	after, err := tx.DeltaAfter(ctx, key, ev.SeenPosition)
	if err != nil {
		return 0, err
	}
	exp := cur - after
	if after == 0 && cur == 0 {
		return exp, nil
	}
	ptx, ok := tx.(ParkReadTx)
	if !ok {
		return exp, nil
	}
	entries, err := ptx.EntriesAt(ctx, key, ev.SeenPosition, ^uint64(0), maxSeenEntries)
	if err != nil || len(entries) == 0 {
		return exp, err
	}
	ids := make([]string, 0, len(entries))
	for _, e := range entries {
		ids = append(ids, e.EventID)
	}
	recs, err := tx.EventsByID(ctx, ids)
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		r, ok := recs[e.EventID]
		if ok && !r.Event.DeviceTime.IsZero() && !r.Event.DeviceTime.After(ev.DeviceTime) {
			exp += e.Delta
		}
	}
	return exp, nil
}

// binClass is a bin's ABC class: the highest class of the SKUs it holds
// (and of extra, the SKU being counted); C when none is classified.
func binClass(ctx context.Context, tx ReadTx, ctr CountingReadTx, warehouse, location string, extra string) (string, error) {
	levels, err := tx.StockLevels(ctx, StockFilter{Warehouse: warehouse, Location: location})
	if err != nil {
		return "", err
	}
	skus := []string{}
	if extra != "" {
		skus = append(skus, extra)
	}
	for _, l := range levels {
		if l.Qty > 0 && !slices.Contains(skus, l.SKU) {
			skus = append(skus, l.SKU)
		}
	}
	if len(skus) == 0 {
		return "C", nil
	}
	cs, err := ctr.SKUClasses(ctx, warehouse, skus)
	if err != nil {
		return "", err
	}
	best := "C"
	for _, c := range cs {
		if c.Class < best {
			best = c.Class
		}
	}
	return best, nil
}

// decideCount decides a count event as it arrives (see the top of this
// file) and records its figures.
func (a *applier) decideCount(ctx context.Context, ev *syncproto.Event, out *syncproto.Outcome) error {
	key := StockKey{a.dev.Warehouse, ev.From, ev.SKU, ev.Lot}
	cur, err := a.balance(ctx, key)
	if err != nil {
		return err
	}
	expected, err := expectedAt(ctx, a.tx, key, cur, ev)
	if err != nil {
		return err
	}
	variance := ev.Qty - expected
	ctr, ok := a.tx.(CountingTx)
	if !ok {
		// A store without counting: only an exact count applies.
		if variance == 0 {
			out.Status = syncproto.StatusApplied
			return nil
		}
		out.Status, out.Code = syncproto.StatusParked, syncproto.CodeCountVariance
		out.Reason = countReason(ev, expected, variance)
		return nil
	}
	settings, err := countSettings(ctx, ctr, a.dev.Warehouse)
	if err != nil {
		return err
	}
	class, err := binClass(ctx, a.tx, ctr, a.dev.Warehouse, ev.From, ev.SKU)
	if err != nil {
		return err
	}
	var cost int64
	if ctx2, ok := a.tx.(CatalogReadTx); ok {
		s, err := ctx2.SKU(ctx, ev.SKU)
		if err != nil && !IsNotFound(err) {
			return err
		}
		cost = s.UnitCost
	}
	rec := CountRecord{EventID: ev.ID, DeviceID: a.dev.ID, Seq: ev.Seq, Warehouse: a.dev.Warehouse, Task: ev.Task,
		Location: ev.From, SKU: ev.SKU, Lot: ev.Lot, Counter: ev.User, Counted: ev.Qty, Expected: expected,
		Variance: variance, UnitCost: cost, Class: class, DeviceTime: ev.DeviceTime.UTC(), RecordedAt: a.now}
	if settings.Tolerances[class].Within(variance, expected, cost) && cur+variance >= 0 {
		pos, err := a.tx.Append(ctx, LedgerEntry{StockKey: key, Delta: variance, Balance: cur + variance,
			EventID: ev.ID, DeviceID: a.dev.ID, Kind: syncproto.KindCount, RecordedAt: a.now})
		if err != nil {
			return err
		}
		a.stock[key] = cur + variance
		a.head, out.Position = pos, pos
		out.Status = syncproto.StatusApplied
		rec.Status, rec.Position = CountAuto, pos
	} else {
		out.Status, out.Code = syncproto.StatusParked, syncproto.CodeCountVariance
		out.Reason = countReason(ev, expected, variance)
		rec.Status = CountPending
	}
	if err := ctr.PutCountRecord(ctx, rec); err != nil {
		return err
	}
	return a.countTaskProgress(ctx, ctr, ev.Task, ev.User)
}

func countReason(ev *syncproto.Event, expected, variance int64) string {
	return fmt.Sprintf("counted %d of %s%s at %s, the ledger expected %d (variance %+d); waiting for a supervisor",
		ev.Qty, ev.SKU, lotSuffix(ev.Lot), ev.From, expected, variance)
}

// countTaskProgress moves a task of the device's warehouse after one of
// its count events was decided: a task nobody held is the counter's; it
// is counted once none of its counts waits for a supervisor.
func (a *applier) countTaskProgress(ctx context.Context, ctr CountingTx, id, user string) error {
	if id == "" {
		return nil
	}
	t, err := ctr.CountTask(ctx, id)
	if IsNotFound(err) {
		return nil
	}
	if err != nil || t.Warehouse != a.dev.Warehouse {
		return err
	}
	pos, err := progressCountTask(ctx, ctr, t, user)
	if pos > 0 {
		a.catalogHead = pos
	}
	return err
}

// progressCountTask is countTaskProgress for any caller; it returns the
// catalog position written (0: none).
func progressCountTask(ctx context.Context, ctr CountingTx, t CountTask, user string) (uint64, error) {
	if !t.Held() {
		return 0, nil
	}
	changed := false
	if t.AssignedTo == "" && user != "" {
		t.AssignedTo, t.Status, changed = user, CountTaskAssigned, true
	}
	pending, err := ctr.CountRecords(ctx, CountRecordFilter{Task: t.ID, Status: CountPending, Limit: 1})
	if err != nil {
		return 0, err
	}
	if len(pending) == 0 {
		t.Status, changed = CountTaskCounted, true
	}
	if !changed {
		return 0, nil
	}
	t, err = ctr.PutCountTask(ctx, t)
	return t.Position, err
}

// raiseCountTask adds a task for a bin unless one is held for it already
// (then it returns that one and false). Only bins (locations of type
// bin) get triggered tasks; others return false.
func raiseCountTask(ctx context.Context, tx any, ct CountTask, now time.Time) (CountTask, bool, error) {
	ctr, ok := tx.(CountingTx)
	if !ok {
		return ct, false, nil
	}
	if crt, ok := tx.(CatalogReadTx); ok {
		loc, err := crt.Location(ctx, ct.Warehouse, ct.Location)
		if IsNotFound(err) || (err == nil && (loc.Type != LocationBin || loc.Archived)) {
			return ct, false, nil
		}
		if err != nil {
			return ct, false, err
		}
	}
	ptx, ok := tx.(PickingReadTx)
	if !ok {
		return ct, false, nil
	}
	held, err := ptx.CountTasks(ctx, CountTaskFilter{Warehouse: ct.Warehouse, Location: ct.Location, Held: true, Limit: 1})
	if err != nil {
		return ct, false, err
	}
	if len(held) > 0 {
		return held[0], false, nil
	}
	if ct.Class == "" {
		if rtx, ok := tx.(ReadTx); ok {
			if ct.Class, err = binClass(ctx, rtx, ctr, ct.Warehouse, ct.Location, ct.SKU); err != nil {
				return ct, false, err
			}
		}
	}
	ct.ID, ct.Status, ct.CreatedAt = "", CountTaskOpen, now.UTC()
	if ct.Due == "" {
		ct.Due = now.UTC().Format(time.DateOnly)
	}
	ct, err = ctr.PutCountTask(ctx, ct)
	return ct, err == nil, err
}

// triggerCount raises a count task for a bin from an event being applied
// (or parked) in a push.
func (a *applier) triggerCount(ctx context.Context, location, sku, lot, reason, source string) error {
	if location == "" {
		return nil
	}
	ct, added, err := raiseCountTask(ctx, a.tx, CountTask{Warehouse: a.dev.Warehouse, Location: location, SKU: sku, Lot: lot,
		Reason: reason, SourceEvent: source}, a.now)
	if err != nil {
		return fmt.Errorf("raise a %s count at %s: %w", reason, location, err)
	}
	if added {
		a.catalogHead = max(a.catalogHead, ct.Position)
	}
	return nil
}

// applyCounting raises the counts an applied event triggers: a disputed
// put-away, and stock at a bin going to zero (not by a count or an
// adjustment, which are themselves the check).
func (a *applier) applyCounting(ctx context.Context, ev *syncproto.Event, zeroed []string) error {
	if ev.Kind == syncproto.KindException && ev.Reason == reasonPutawayDispute {
		return a.triggerCount(ctx, parkedLocation(ev), ev.SKU, ev.Lot, CountPutawayDispute, ev.ID)
	}
	if ev.Kind == syncproto.KindAdjust || ev.Kind == syncproto.KindCount {
		return nil
	}
	for _, loc := range zeroed {
		if err := a.triggerCount(ctx, loc, "", "", CountZeroStock, ev.ID); err != nil {
			return err
		}
	}
	return nil
}

const reasonPutawayDispute = "putaway_dispute"

// mayWriteCountTasks says whether a group's events may raise or move
// count tasks (a PostgreSQL push then takes the catalog lock first): a
// count, a disputed put-away, or anything that takes stock (it may empty
// a bin or park).
func mayWriteCountTasks(group []*pushReq) bool {
	for _, req := range group {
		for i := range req.events {
			ev := &req.events[i]
			switch ev.Kind {
			case syncproto.KindReceive, syncproto.KindReturn:
				continue
			case syncproto.KindException:
				if ev.Reason != reasonPutawayDispute {
					continue
				}
			}
			return true
		}
	}
	return false
}
