package server

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/driftless/driftless/syncproto"
)

// The discrepancy queue: counts outside tolerance, parked with
// count_variance, with the evidence a supervisor decides on. A decision
// goes through Resolve (parked.go) like any parked event, so it takes a
// ledger position and reaches the counting device as a Resolution:
//
//	approve  status applied; the supervisor's device adjusts the stock by
//	         the variance computed when the count arrived; Reason
//	         "approved: <reason code>"
//	reject   status cancelled; the ledger stands; Reason "rejected: <why>"
//	recount  status cancelled; the ledger stands and a recount task of the
//	         bin is assigned to another counter (NotBy the first one);
//	         Reason "recount: <task> for <counter>"
//
// Each decision also writes the count's record, moves its count task
// (counted once none of its counts waits) and an audit entry.

// ApproveReasons are the reason codes of an approval.
var ApproveReasons = []string{"miscount", "damage", "theft", "unrecorded_receipt", "unit_of_measure", "other"}

// BinMovement is a ledger entry at a discrepancy's bin.
type BinMovement struct {
	Position   uint64    `json:"position"`
	EventID    string    `json:"event_id"`
	At         time.Time `json:"at"` // when the server recorded it
	DeviceTime time.Time `json:"device_time,omitzero"`
	Kind       string    `json:"kind"`
	SKU        string    `json:"sku"`
	Lot        string    `json:"lot,omitempty"`
	Delta      int64     `json:"delta"`
	User       string    `json:"user"`
}

// PreviousCount is an earlier count of a discrepancy's bin.
type PreviousCount struct {
	EventID  string    `json:"event_id"`
	At       time.Time `json:"at"` // device time
	By       string    `json:"by"`
	SKU      string    `json:"sku"`
	Lot      string    `json:"lot,omitempty"`
	Counted  int64     `json:"counted"`
	Expected int64     `json:"expected"`
	Variance int64     `json:"variance"`
	Outcome  string    `json:"outcome"` // auto | pending | approved | rejected | recount
}

// Discrepancy is a count with the evidence to decide on it.
type Discrepancy struct {
	CountRecord
	Name       string `json:"name"`
	DeviceName string `json:"device_name"`
	// Value is the variance's worth in cents (variance × unit cost).
	Value    int64 `json:"value"`
	StockNow int64 `json:"stock_now"`
	// Movements are the bin's ledger entries (every SKU) since its last
	// good count (auto or approved), oldest first, at most maxMovements.
	Movements []BinMovement `json:"movements"`
	// Previous are the bin's other counts, newest first.
	Previous []PreviousCount `json:"previous"`
}

const (
	maxMovements = 200
	maxPrevious  = 20
)

// DiscrepancyFilter selects discrepancies.
type DiscrepancyFilter struct {
	Warehouse string
	// Status is pending (the default: the queue) or a decided status.
	Status string
	Limit  int // 0: 500
}

// Discrepancies lists counts with their evidence: the queue (pending),
// oldest first.
func (l *Ledger) Discrepancies(ctx context.Context, f DiscrepancyFilter) ([]Discrepancy, error) {
	if f.Status == "" {
		f.Status = CountPending
	}
	if f.Limit <= 0 {
		f.Limit = 500
	}
	out := []Discrepancy{}
	err := l.store.View(ctx, func(ctx context.Context, tx ReadTx) error {
		ctr, err := countingRead(tx)
		if err != nil {
			return err
		}
		recs, err := ctr.CountRecords(ctx, CountRecordFilter{Warehouse: f.Warehouse, Status: f.Status, Limit: f.Limit})
		if err != nil {
			return err
		}
		for _, r := range recs {
			d, err := discrepancy(ctx, tx, ctr, r)
			if err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list discrepancies: %w", err)
	}
	return out, nil
}

// Discrepancy returns one count (decided or not) with its evidence.
func (l *Ledger) Discrepancy(ctx context.Context, eventID string) (Discrepancy, error) {
	var d Discrepancy
	err := l.store.View(ctx, func(ctx context.Context, tx ReadTx) error {
		ctr, err := countingRead(tx)
		if err != nil {
			return err
		}
		r, ok, err := ctr.CountRecord(ctx, eventID)
		if err != nil {
			return err
		}
		if !ok {
			return Errorf(ENotFound, "no count %s", eventID)
		}
		d, err = discrepancy(ctx, tx, ctr, r)
		return err
	})
	if err != nil {
		return d, fmt.Errorf("get discrepancy %s: %w", eventID, err)
	}
	return d, nil
}

func discrepancy(ctx context.Context, tx ReadTx, ctr CountingReadTx, r CountRecord) (Discrepancy, error) {
	d := Discrepancy{CountRecord: r, Value: r.Variance * r.UnitCost, Movements: []BinMovement{}, Previous: []PreviousCount{}}
	if crt, ok := tx.(CatalogReadTx); ok {
		s, err := crt.SKU(ctx, r.SKU)
		if err != nil && !IsNotFound(err) {
			return d, err
		}
		d.Name = s.Name
	}
	dev, err := tx.Device(ctx, r.DeviceID)
	if err != nil && !IsNotFound(err) {
		return d, err
	}
	d.DeviceName = dev.Name
	if d.StockNow, err = tx.Stock(ctx, StockKey{r.Warehouse, r.Location, r.SKU, r.Lot}); err != nil {
		return d, err
	}
	prev, err := ctr.CountRecords(ctx, CountRecordFilter{Warehouse: r.Warehouse, Location: r.Location, Newest: true, Limit: 100})
	if err != nil {
		return d, err
	}
	var since uint64
	found := false
	for _, p := range prev {
		if p.EventID == r.EventID {
			continue
		}
		if !found && p.Position > 0 && (p.Status == CountAuto || p.Status == CountApproved) && !p.DeviceTime.After(r.DeviceTime) {
			since, found = p.Position, true
		}
		if len(d.Previous) < maxPrevious {
			d.Previous = append(d.Previous, PreviousCount{EventID: p.EventID, At: p.DeviceTime, By: p.Counter, SKU: p.SKU, Lot: p.Lot,
				Counted: p.Counted, Expected: p.Expected, Variance: p.Variance, Outcome: p.Status})
		}
	}
	entries, err := ctr.LocationEntries(ctx, r.Warehouse, r.Location, since, maxMovements)
	if err != nil {
		return d, err
	}
	ids := make([]string, 0, len(entries))
	for _, e := range entries {
		ids = append(ids, e.EventID)
	}
	evs, err := tx.EventsByID(ctx, ids)
	if err != nil {
		return d, err
	}
	for _, e := range entries {
		m := BinMovement{Position: e.Position, EventID: e.EventID, At: e.RecordedAt, Kind: string(e.Kind), SKU: e.SKU, Lot: e.Lot, Delta: e.Delta}
		if ev, ok := evs[e.EventID]; ok {
			m.User, m.DeviceTime = ev.Event.User, ev.Event.DeviceTime.UTC()
		}
		d.Movements = append(d.Movements, m)
	}
	return d, nil
}

// countVariance is a count's variance as computed when it arrived (its
// record), or, for a count parked before records were kept, computed now
// by the same rule.
func countVariance(ctx context.Context, tx ReadTx, warehouse string, ev *syncproto.Event) (int64, error) {
	if ctr, ok := tx.(CountingReadTx); ok {
		r, found, err := ctr.CountRecord(ctx, ev.ID)
		if err != nil {
			return 0, err
		}
		if found {
			return r.Variance, nil
		}
	}
	key := StockKey{warehouse, ev.From, ev.SKU, ev.Lot}
	cur, err := tx.Stock(ctx, key)
	if err != nil {
		return 0, err
	}
	exp, err := expectedAt(ctx, tx, key, cur, ev)
	if err != nil {
		return 0, err
	}
	return ev.Qty - exp, nil
}

// decideCountRecord records a decision on a parked count in Resolve's
// transaction: the count's record, a recount task, the count's task and
// an audit entry. It returns the resolution's reason and the catalog
// position it wrote (0: none).
func decideCountRecord(ctx context.Context, tx Tx, rec *EventRecord, p *ParkRecord, d Decision, adjustPos uint64) (string, uint64, error) {
	ev := &rec.Event
	ctr, err := counting(tx)
	if err != nil {
		return "", 0, err
	}
	status := d.Count
	if status == "" {
		status = CountApproved
		if d.Status == syncproto.StatusCancelled {
			status = CountRejected
		}
	}
	if (status == CountApproved) != (d.Status == syncproto.StatusApplied) {
		return "", 0, Errorf(EInvalid, "a count decision %s cannot be %s", status, d.Status)
	}
	r, found, err := ctr.CountRecord(ctx, ev.ID)
	if err != nil {
		return "", 0, err
	}
	if !found {
		v, err := countVariance(ctx, tx, p.Warehouse, ev)
		if err != nil {
			return "", 0, err
		}
		r = CountRecord{EventID: ev.ID, DeviceID: p.DeviceID, Seq: p.Seq, Warehouse: p.Warehouse, Task: ev.Task, Location: ev.From,
			SKU: ev.SKU, Lot: ev.Lot, Counter: ev.User, Counted: ev.Qty, Expected: ev.Qty - v, Variance: v, Class: "C",
			DeviceTime: ev.DeviceTime.UTC(), RecordedAt: rec.ReceivedAt}
	}
	if r.Status != "" && r.Status != CountPending {
		return "", 0, Errorf(EConflict, "count %s was already decided: %s", ev.ID, r.Status)
	}
	r.Status, r.ReasonCode, r.DecidedBy, r.DecidedAt = status, d.Reason, d.By, p.DecidedAt
	if status == CountApproved {
		r.Position = adjustPos
	}
	reason := status + ": " + d.Reason
	var catalogPos uint64
	details := map[string]any{"device": p.DeviceID, "seq": p.Seq, "counter": r.Counter, "task": r.Task, "location": r.Location,
		"sku": r.SKU, "lot": r.Lot, "counted": r.Counted, "expected": r.Expected, "variance": r.Variance,
		"value": r.Variance * r.UnitCost, "class": r.Class, "reason": d.Reason, "position": p.Position}
	if err := ctr.PutCountRecord(ctx, r); err != nil {
		return "", 0, err
	}
	if r.Task != "" {
		t, err := ctr.CountTask(ctx, r.Task)
		if err != nil && !IsNotFound(err) {
			return "", 0, err
		}
		if err == nil && t.Warehouse == p.Warehouse {
			pos, err := progressCountTask(ctx, ctr, t, "")
			if err != nil {
				return "", 0, err
			}
			catalogPos = max(catalogPos, pos)
		}
	}
	action := AuditDiscrepancyApprove
	switch status {
	case CountRejected:
		action = AuditDiscrepancyReject
	case CountRecounted:
		action = AuditDiscrepancyRecount
		t, err := recountTask(ctx, tx, ctr, r, d.Recount, p.DecidedAt)
		if err != nil {
			return "", 0, err
		}
		catalogPos = max(catalogPos, t.Position)
		details["recount_task"], details["recount_by"] = t.ID, t.AssignedTo
		reason = fmt.Sprintf("recount: %s for %s", t.ID, t.AssignedTo)
		if d.Reason != "" && d.Reason != defaultRecountReason {
			reason += " (" + d.Reason + ")"
		}
	}
	if err := Audit(ctx, tx, AuditEntry{At: p.DecidedAt, Actor: d.By, Action: action, Subject: ev.ID, Warehouse: p.Warehouse,
		Details: details}); err != nil {
		return "", 0, err
	}
	return reason, catalogPos, nil
}

const defaultRecountReason = "recount requested"

// recountTask assigns a recount of a count's bin to another counter.
func recountTask(ctx context.Context, tx Tx, ctr CountingTx, r CountRecord, counter string, now time.Time) (CountTask, error) {
	counter = strings.TrimSpace(counter)
	if counter == "" {
		return CountTask{}, &Error{Code: EInvalid, Field: "counter", Message: "a recount needs the counter who counts again"}
	}
	if counter == r.Counter {
		return CountTask{}, &Error{Code: EInvalid, Field: "counter",
			Message: fmt.Sprintf("%s counted this bin: a recount goes to another counter", counter)}
	}
	crt, ok := tx.(CatalogReadTx)
	if !ok {
		return CountTask{}, Errorf(EInternal, "this store keeps no users")
	}
	u, err := crt.User(ctx, counter)
	if IsNotFound(err) || (err == nil && u.Archived) {
		return CountTask{}, &Error{Code: EInvalid, Field: "counter", Message: fmt.Sprintf("no active user %s", counter)}
	}
	if err != nil {
		return CountTask{}, err
	}
	if !HasRole(u.Roles, RoleCounter) {
		return CountTask{}, &Error{Code: EInvalid, Field: "counter", Message: fmt.Sprintf("%s (%s) is not a counter", u.Name, u.Code)}
	}
	return ctr.PutCountTask(ctx, CountTask{Warehouse: r.Warehouse, Location: r.Location, SKU: r.SKU, Lot: r.Lot,
		Reason: CountRecount, SourceEvent: r.EventID, Class: r.Class, Due: now.UTC().Format(time.DateOnly),
		AssignedTo: u.Code, NotBy: r.Counter, CreatedAt: now.UTC(), Status: CountTaskAssigned})
}

// DiscrepancyDecision is a supervisor's decision on a discrepancy.
type DiscrepancyDecision struct {
	// Action is approved, rejected or recount.
	Action string
	// Reason is the approval's reason code (ApproveReasons), or why it
	// is rejected or recounted.
	Reason string
	// Counter is who recounts.
	Counter string
	By      string
	// Warehouse, when set, limits the decision to that warehouse.
	Warehouse string
}

// DecideDiscrepancy approves, rejects or recounts a discrepancy in one
// transaction (see the top of this file) and returns it decided.
func (l *Ledger) DecideDiscrepancy(ctx context.Context, eventID string, dd DiscrepancyDecision) (Discrepancy, error) {
	d := Decision{Reason: strings.TrimSpace(dd.Reason), By: dd.By, Warehouse: dd.Warehouse, Count: dd.Action, Recount: dd.Counter}
	switch dd.Action {
	case CountApproved:
		d.Status = syncproto.StatusApplied
		if !slices.Contains(ApproveReasons, d.Reason) {
			return Discrepancy{}, &Error{Code: EInvalid, Field: "reason_code",
				Message: fmt.Sprintf("reason_code %q is not one of %s", d.Reason, strings.Join(ApproveReasons, ", "))}
		}
	case CountRejected:
		d.Status = syncproto.StatusCancelled
		if d.Reason == "" {
			return Discrepancy{}, &Error{Code: EInvalid, Field: "reason", Message: "say why the count is rejected"}
		}
	case CountRecounted:
		d.Status = syncproto.StatusCancelled
		if d.Reason == "" {
			d.Reason = defaultRecountReason
		}
		if strings.TrimSpace(dd.Counter) == "" {
			return Discrepancy{}, &Error{Code: EInvalid, Field: "counter", Message: "a recount needs the counter who counts again"}
		}
	default:
		return Discrepancy{}, &Error{Code: EInvalid, Field: "action", Message: "a discrepancy is approved, rejected or recounted"}
	}
	err := l.store.View(ctx, func(ctx context.Context, tx ReadTx) error {
		ctr, err := countingRead(tx)
		if err != nil {
			return err
		}
		r, ok, err := ctr.CountRecord(ctx, eventID)
		if err != nil {
			return err
		}
		if !ok {
			return Errorf(ENotFound, "no count %s", eventID)
		}
		if dd.Warehouse != "" && r.Warehouse != dd.Warehouse {
			return Errorf(EForbidden, "count %s belongs to warehouse %s, not %s", eventID, r.Warehouse, dd.Warehouse)
		}
		if r.Status != CountPending {
			return Errorf(EConflict, "count %s is %s: only a pending discrepancy can be decided", eventID, r.Status)
		}
		return nil
	})
	if err != nil {
		return Discrepancy{}, fmt.Errorf("decide discrepancy %s: %w", eventID, err)
	}
	if _, err := l.Resolve(ctx, eventID, d); err != nil {
		return Discrepancy{}, err
	}
	return l.Discrepancy(ctx, eventID)
}
