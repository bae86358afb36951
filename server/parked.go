package server

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/driftless/driftless/syncproto"
)

// The parked queue. An event the ledger cannot apply (not enough stock at
// its location once every device's events are ordered, a count that does
// not match) is parked: it keeps its place in its device's log, never
// blocks the device's later events, and waits for a supervisor. When it
// parks, the store notes the warehouse's ledger head then (ParkRecord), so
// the queue can show the evidence: the events that applied at the same
// stock key after what the device had seen (its SeenPosition) and before
// it was parked.
//
// A supervisor accepts a parked event (an adjust of a supervisor system
// device first makes the stock it lacked exist, with the supervisor's
// reason, then the event applies as it would have) or cancels it (it never
// applies). Either decision is final, recorded with who made it and why,
// and takes a position in the warehouse's ledger position sequence: the
// event's device learns it from its pulls as a syncproto.Resolution, in
// ledger order, exactly once (a pull carries the resolutions in the range
// of positions it covers). Parked and cancelled events never disappear.

// SupervisorDeviceID is the ID of the system device a warehouse's
// supervisor adjustments are recorded under.
func SupervisorDeviceID(warehouse string) string { return "supervisor-" + warehouse }

// ParkRecord is what the store keeps about a parked event besides the
// event itself: where it parked and, once decided, the decision.
type ParkRecord struct {
	DeviceID  string
	Seq       uint64
	EventID   string
	Warehouse string
	// Head is the warehouse's ledger head when the event parked (0 when
	// unknown: events parked before the queue existed).
	Head     uint64
	ParkedAt time.Time
	// Code and Reason are why it parked.
	Code   string
	Reason string
	// Decision is "" while the event waits, else applied or cancelled.
	Decision       syncproto.Status
	DecisionReason string
	DecidedBy      string
	DecidedAt      time.Time
	// Position is the decision's place in the warehouse's ledger
	// position sequence (0 while undecided).
	Position uint64
}

// Resolution is the record's decision as the device receives it.
func (p *ParkRecord) Resolution() syncproto.Resolution {
	return syncproto.Resolution{EventID: p.EventID, Seq: p.Seq, Status: p.Decision, Reason: p.DecisionReason,
		By: p.DecidedBy, At: p.DecidedAt, Position: p.Position}
}

// ParkFilter selects park records; empty fields match everything.
type ParkFilter struct {
	Warehouse string
	// Decided selects the undecided records (false) or the decided ones.
	Decided bool
	Limit   int // 0: no limit
}

// ParkReadTx reads the parked queue. Both stores' transactions implement
// it (the ledger finds it by type assertion, so stores that keep no queue
// still serve the rest).
type ParkReadTx interface {
	// ParkRecord returns the record of a device's event.
	ParkRecord(ctx context.Context, deviceID string, seq uint64) (ParkRecord, bool, error)
	// ParkRecords lists records in the order they parked.
	ParkRecords(ctx context.Context, f ParkFilter) ([]ParkRecord, error)
	// Resolutions lists up to limit decided records of a warehouse with a
	// position above after, in position order.
	Resolutions(ctx context.Context, warehouse string, after uint64, limit int) ([]ParkRecord, error)
	// EntriesAt lists up to limit ledger entries at a stock key with
	// positions in (after, upTo], in order.
	EntriesAt(ctx context.Context, key StockKey, after, upTo uint64, limit int) ([]syncproto.Entry, error)
}

// ParkTx writes the parked queue.
type ParkTx interface {
	ParkReadTx
	// PutParkRecord inserts or replaces the record of (DeviceID, Seq).
	PutParkRecord(ctx context.Context, p ParkRecord) error
	// SetOutcome replaces a held event's outcome.
	SetOutcome(ctx context.Context, deviceID string, seq uint64, o syncproto.Outcome) error
	// NextPosition takes the next position of the ledger's position
	// sequence for a warehouse without appending an entry, in the order
	// entries take theirs (under the same lock, where there is one).
	NextPosition(ctx context.Context, warehouse string) (uint64, error)
}

// notePark records that an event just parked, with the ledger head the
// evidence runs up to.
func (a *applier) notePark(ctx context.Context, ev *syncproto.Event, out *syncproto.Outcome) error {
	ptx, ok := a.tx.(ParkTx)
	if !ok {
		return nil
	}
	head, err := a.tx.Head(ctx, a.dev.Warehouse)
	if err != nil {
		return err
	}
	return ptx.PutParkRecord(ctx, ParkRecord{DeviceID: a.dev.ID, Seq: ev.Seq, EventID: ev.ID, Warehouse: a.dev.Warehouse,
		Head: head, ParkedAt: a.now, Code: out.Code, Reason: out.Reason})
}

// CompetingEvent is an event that applied at a parked event's stock key
// after what its device had seen and before it parked.
type CompetingEvent struct {
	EventID    string    `json:"event_id"`
	Device     string    `json:"device"`
	DeviceName string    `json:"device_name,omitempty"`
	User       string    `json:"user"`
	Kind       string    `json:"kind"`
	Qty        int64     `json:"qty"` // the entry's delta at the key
	Position   uint64    `json:"position"`
	At         time.Time `json:"at"`
}

// ParkedEvent is a parked (or decided) event as supervisors see it, with
// its evidence.
type ParkedEvent struct {
	EventID    string    `json:"event_id"`
	Device     string    `json:"device"`
	DeviceName string    `json:"device_name"`
	Seq        uint64    `json:"seq"`
	Warehouse  string    `json:"warehouse"`
	User       string    `json:"user"`
	Kind       string    `json:"kind"`
	Location   string    `json:"location"`
	To         string    `json:"to,omitempty"`
	SKU        string    `json:"sku"`
	Lot        string    `json:"lot,omitempty"`
	Qty        int64     `json:"qty"`
	Ref        string    `json:"ref,omitempty"`
	Code       string    `json:"code"`
	Reason     string    `json:"reason"`
	At         time.Time `json:"at"` // device time
	ParkedAt   time.Time `json:"parked_at"`
	// SeenPosition is what the device had pulled when it recorded the
	// event; Competing are the entries at its key after that and up to
	// where it parked (at most maxCompeting).
	SeenPosition uint64           `json:"seen_position"`
	StockNow     int64            `json:"stock_now"`
	Competing    []CompetingEvent `json:"competing"`
	// Status is parked, or the decision: applied or cancelled.
	Status     syncproto.Status      `json:"status"`
	Resolution *syncproto.Resolution `json:"resolution,omitempty"`
}

// maxCompeting bounds the competing events shown for one parked event.
const maxCompeting = 50

// ParkedFilter selects the parked queue's events.
type ParkedFilter struct {
	Warehouse string
	// Decided lists decided events instead of the waiting ones.
	Decided bool
	Limit   int // 0: 500
}

// Parked lists the parked queue: the events waiting for a supervisor (or,
// with Decided, the decided ones), oldest first, with their evidence.
func (l *Ledger) Parked(ctx context.Context, f ParkedFilter) ([]ParkedEvent, error) {
	if f.Limit <= 0 {
		f.Limit = 500
	}
	var out []ParkedEvent
	err := l.store.View(ctx, func(ctx context.Context, tx ReadTx) error {
		ptx, ok := tx.(ParkReadTx)
		if !ok {
			return Errorf(EInternal, "this store keeps no parked queue")
		}
		recs, err := ptx.ParkRecords(ctx, ParkFilter{Warehouse: f.Warehouse, Decided: f.Decided, Limit: f.Limit})
		if err != nil {
			return err
		}
		names := map[string]string{}
		out = make([]ParkedEvent, 0, len(recs))
		for _, p := range recs {
			pe, err := parkedEvent(ctx, tx, ptx, p, names)
			if err != nil {
				return err
			}
			out = append(out, pe)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list parked events: %w", err)
	}
	return out, nil
}

// ParkedEvent returns one event of the parked queue (decided or not).
func (l *Ledger) ParkedEvent(ctx context.Context, eventID string) (ParkedEvent, error) {
	var pe ParkedEvent
	err := l.store.View(ctx, func(ctx context.Context, tx ReadTx) error {
		ptx, ok := tx.(ParkReadTx)
		if !ok {
			return Errorf(EInternal, "this store keeps no parked queue")
		}
		rec, ok, err := tx.EventByID(ctx, eventID)
		if err != nil {
			return err
		}
		if !ok {
			return Errorf(ENotFound, "no event %s", eventID)
		}
		p, ok, err := ptx.ParkRecord(ctx, rec.Event.DeviceID, rec.Event.Seq)
		if err != nil {
			return err
		}
		if !ok {
			return Errorf(ENotFound, "event %s was never parked (it is %s)", eventID, rec.Outcome.Status)
		}
		pe, err = parkedEvent(ctx, tx, ptx, p, map[string]string{})
		return err
	})
	if err != nil {
		return pe, fmt.Errorf("get parked event %s: %w", eventID, err)
	}
	return pe, nil
}

func parkedEvent(ctx context.Context, tx ReadTx, ptx ParkReadTx, p ParkRecord, names map[string]string) (ParkedEvent, error) {
	rec, ok, err := tx.EventBySeq(ctx, p.DeviceID, p.Seq)
	if err != nil {
		return ParkedEvent{}, err
	}
	if !ok {
		return ParkedEvent{}, fmt.Errorf("park record %s/%d has no event", p.DeviceID, p.Seq)
	}
	name := func(id string) (string, error) {
		if n, ok := names[id]; ok {
			return n, nil
		}
		d, err := tx.Device(ctx, id)
		if IsNotFound(err) {
			names[id] = ""
			return "", nil
		}
		if err != nil {
			return "", err
		}
		names[id] = d.Name
		return d.Name, nil
	}
	ev := rec.Event
	pe := ParkedEvent{EventID: ev.ID, Device: p.DeviceID, Seq: p.Seq, Warehouse: p.Warehouse, User: ev.User,
		Kind: string(ev.Kind), Location: ev.From, To: ev.To, SKU: ev.SKU, Lot: ev.Lot, Qty: ev.Qty, Ref: ev.Ref,
		Code: p.Code, Reason: p.Reason, At: ev.DeviceTime.UTC(), ParkedAt: p.ParkedAt, SeenPosition: ev.SeenPosition,
		Status: rec.Outcome.Status, Competing: []CompetingEvent{}}
	if pe.Code == "" && p.Decision == "" {
		pe.Code, pe.Reason = rec.Outcome.Code, rec.Outcome.Reason
	}
	if pe.DeviceName, err = name(p.DeviceID); err != nil {
		return pe, err
	}
	if p.Decision != "" {
		r := p.Resolution()
		pe.Resolution = &r
	}
	key := StockKey{p.Warehouse, parkedLocation(&ev), ev.SKU, ev.Lot}
	if pe.StockNow, err = tx.Stock(ctx, key); err != nil {
		return pe, err
	}
	upTo := p.Head
	if upTo == 0 {
		upTo = ^uint64(0)
	}
	entries, err := ptx.EntriesAt(ctx, key, ev.SeenPosition, upTo, maxCompeting)
	if err != nil {
		return pe, err
	}
	users := map[string]string{}
	for _, e := range entries {
		c := CompetingEvent{EventID: e.EventID, Device: e.DeviceID, Kind: string(e.Kind), Qty: e.Delta, Position: e.Position, At: e.RecordedAt}
		if c.DeviceName, err = name(e.DeviceID); err != nil {
			return pe, err
		}
		u, ok := users[e.EventID]
		if !ok {
			if r, found, err := tx.EventByID(ctx, e.EventID); err != nil {
				return pe, err
			} else if found {
				u = r.Event.User
			}
			users[e.EventID] = u
		}
		c.User = u
		pe.Competing = append(pe.Competing, c)
	}
	return pe, nil
}

// parkedLocation is the location whose stock a parked event lacked: its
// From (a move, pick, count, adjust or damage takes from there), else To.
func parkedLocation(ev *syncproto.Event) string {
	if ev.From != "" {
		return ev.From
	}
	return ev.To
}

// Decision is a supervisor's decision on a parked event.
type Decision struct {
	// Status is applied (accept) or cancelled.
	Status syncproto.Status
	Reason string
	// By is the user code of the supervisor (or "admin").
	By string
	// Warehouse, when set, limits the decision to that warehouse's
	// events (a supervisor deciding from a device of it).
	Warehouse string
	// Count is how a count discrepancy is decided (approved, rejected or
	// recount; counting_queue.go); empty for other events, and for a
	// count decided from the parked queue (accepted: approved, cancelled:
	// rejected). Recount is the counter a recount is assigned to.
	Count, Recount string
}

// Resolve records a supervisor's decision on a parked event in one
// transaction: accepting adjusts the stock the event lacked (an adjust of
// the warehouse's supervisor device, +shortfall at its location, with the
// reason) and applies the event; cancelling marks it cancelled. The
// decision takes the next ledger position of the warehouse and its device
// is poked. Deciding again the same way returns the recorded decision;
// any other decision on an event that is not parked is EConflict.
func (l *Ledger) Resolve(ctx context.Context, eventID string, d Decision) (ParkedEvent, error) {
	d.Reason = strings.TrimSpace(d.Reason)
	switch {
	case d.Status != syncproto.StatusApplied && d.Status != syncproto.StatusCancelled:
		return ParkedEvent{}, &Error{Code: EInvalid, Field: "status", Message: "a decision is applied (accept) or cancelled"}
	case d.Reason == "":
		return ParkedEvent{}, &Error{Code: EInvalid, Field: "reason", Message: "say why: a decision on a parked event needs a reason"}
	case len(d.Reason) > 500 || !printable(d.Reason):
		return ParkedEvent{}, &Error{Code: EInvalid, Field: "reason", Message: "reason must be printable text of at most 500 characters"}
	case d.By == "":
		return ParkedEvent{}, &Error{Code: EInvalid, Field: "by", Message: "a decision needs the supervisor who made it"}
	}
	now := l.now().UTC()
	var (
		wh              string
		head            uint64
		catalogHead     uint64
		others          map[string]uint64
		decidedDevice   string
		alreadyResolved bool
	)
	err := l.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		ptx, ok := tx.(ParkTx)
		if !ok {
			return Errorf(EInternal, "this store keeps no parked queue")
		}
		if cl, ok := tx.(catalogLocker); ok {
			// Applying may write catalog records (purchase orders,
			// transfers), deciding a count moves its count task: the
			// catalog lock comes first.
			if err := cl.LockCatalog(ctx); err != nil {
				return err
			}
		}
		rec, found, err := tx.EventByID(ctx, eventID)
		if err != nil {
			return err
		}
		if !found {
			return Errorf(ENotFound, "no event %s", eventID)
		}
		p, parked, err := ptx.ParkRecord(ctx, rec.Event.DeviceID, rec.Event.Seq)
		if err != nil {
			return err
		}
		if d.Warehouse != "" && parked && p.Warehouse != d.Warehouse {
			return Errorf(EForbidden, "event %s belongs to warehouse %s, not %s", eventID, p.Warehouse, d.Warehouse)
		}
		if rec.Outcome.Status != syncproto.StatusParked {
			if parked && p.Decision == d.Status {
				alreadyResolved = true
				return nil // the same decision again: it stands
			}
			return Errorf(EConflict, "event %s is %s, not parked: only a parked event can be accepted or cancelled", eventID, rec.Outcome.Status)
		}
		if !parked {
			dev, err := tx.Device(ctx, rec.Event.DeviceID)
			if err != nil {
				return err
			}
			p = ParkRecord{DeviceID: dev.ID, Seq: rec.Event.Seq, EventID: eventID, Warehouse: dev.Warehouse,
				ParkedAt: rec.ReceivedAt, Code: rec.Outcome.Code, Reason: rec.Outcome.Reason}
			if d.Warehouse != "" && p.Warehouse != d.Warehouse {
				return Errorf(EForbidden, "event %s belongs to warehouse %s, not %s", eventID, p.Warehouse, d.Warehouse)
			}
		}
		out := rec.Outcome
		if d.Status == syncproto.StatusApplied {
			a, err := l.accept(ctx, tx, &rec, p.Warehouse, d, now)
			if err != nil {
				return err
			}
			out.Status, out.Code, out.Position = syncproto.StatusApplied, "", a.outPosition
			out.Reason = fmt.Sprintf("accepted by %s: %s", d.By, d.Reason)
			catalogHead, others = a.catalogHead, a.others
		} else {
			out.Status = syncproto.StatusCancelled
			out.Reason = fmt.Sprintf("cancelled by %s: %s", d.By, d.Reason)
		}
		pos, err := ptx.NextPosition(ctx, p.Warehouse)
		if err != nil {
			return err
		}
		p.Decision, p.DecisionReason, p.DecidedBy, p.DecidedAt, p.Position = d.Status, d.Reason, d.By, now, pos
		if rec.Event.Kind == syncproto.KindCount {
			// counting_queue.go: the count's record, its task, a recount.
			var cpos uint64
			if p.DecisionReason, cpos, err = decideCountRecord(ctx, tx, &rec, &p, d, out.Position); err != nil {
				return err
			}
			out.Reason = fmt.Sprintf("%s (by %s)", p.DecisionReason, d.By)
			catalogHead = max(catalogHead, cpos)
		}
		if err := ptx.PutParkRecord(ctx, p); err != nil {
			return err
		}
		if err := ptx.SetOutcome(ctx, p.DeviceID, p.Seq, out); err != nil {
			return err
		}
		if err := auditDecision(ctx, tx, &rec.Event, &p); err != nil {
			return err
		}
		wh, head, decidedDevice = p.Warehouse, pos, p.DeviceID
		return nil
	})
	if err != nil {
		return ParkedEvent{}, fmt.Errorf("decide on parked event %s: %w", eventID, err)
	}
	if !alreadyResolved {
		l.log.Info("parked event decided", "event", eventID, "device", decidedDevice, "decision", d.Status, "by", d.By, "position", head)
		if catalogHead > 0 {
			l.hub.PublishCatalog(catalogHead)
		}
		l.announce(ctx, wh, head)
		for w, h := range others {
			l.announce(ctx, w, h)
		}
	}
	return l.ParkedEvent(ctx, eventID)
}

// announce pokes a warehouse's devices, here and on other replicas.
func (l *Ledger) announce(ctx context.Context, wh string, head uint64) {
	if head == 0 {
		return
	}
	l.hub.Publish(wh, head)
	if a, ok := l.store.(Announcer); ok {
		if err := a.Announce(ctx, wh, head); err != nil {
			l.log.Warn("announce ledger growth", "warehouse", wh, "err", err)
		}
	}
}

// accepted is what accepting an event wrote.
type accepted struct {
	outPosition uint64
	catalogHead uint64
	others      map[string]uint64
}

// accept adjusts the stock a parked event lacks and applies it.
func (l *Ledger) accept(ctx context.Context, tx Tx, rec *EventRecord, wh string, d Decision, now time.Time) (accepted, error) {
	ev := rec.Event
	var adjust []syncproto.Event
	sup, err := systemDevice(ctx, tx, SupervisorDeviceID(wh), "supervisor "+wh, wh, now)
	if err != nil {
		return accepted{}, err
	}
	seq := sup.AckedThrough
	mk := func(loc string, qty int64) {
		seq++
		e := syncproto.Event{ID: uuid.Must(uuid.NewV7()).String(), DeviceID: sup.ID, Seq: seq, User: d.By,
			Kind: syncproto.KindAdjust, SKU: ev.SKU, Lot: ev.Lot, From: loc, Qty: qty, Reason: d.Reason, Ref: ev.ID, DeviceTime: now}
		e.Seal()
		adjust = append(adjust, e)
	}
	if ev.Kind == syncproto.KindCount {
		// Accepting a count adjusts the stock by the variance computed
		// when it arrived (counting_queue.go), not by now − counted:
		// what moved since is already in the ledger.
		have, err := tx.Stock(ctx, StockKey{wh, ev.From, ev.SKU, ev.Lot})
		if err != nil {
			return accepted{}, err
		}
		v, err := countVariance(ctx, tx, wh, &ev)
		if err != nil {
			return accepted{}, err
		}
		if have+v < 0 {
			v = -have // the stock cannot go below zero
		}
		if v != 0 {
			mk(ev.From, v)
		}
	} else {
		for _, dl := range ev.Deltas() {
			if dl.Qty >= 0 {
				continue
			}
			have, err := tx.Stock(ctx, StockKey{wh, dl.Location, ev.SKU, ev.Lot})
			if err != nil {
				return accepted{}, err
			}
			if short := -dl.Qty - have; short > 0 {
				mk(dl.Location, short)
			}
		}
	}
	res := accepted{others: map[string]uint64{}}
	if len(adjust) > 0 {
		sa := applier{tx: tx, dev: sup, now: now, stock: map[StockKey]int64{}}
		ack, err := sa.apply(ctx, adjust)
		if err != nil {
			return accepted{}, err
		}
		for _, o := range ack.Outcomes {
			if o.Status != syncproto.StatusApplied {
				return accepted{}, Errorf(EConflict, "the supervisor adjustment for event %s was %s: %s", ev.ID, o.Status, o.Reason)
			}
			res.outPosition = o.Position
		}
	}
	if ev.Kind == syncproto.KindCount {
		return res, nil
	}
	dev, err := tx.Device(ctx, ev.DeviceID)
	if err != nil {
		return accepted{}, err
	}
	a := applier{tx: tx, dev: dev, now: now, stock: map[StockKey]int64{}}
	out := syncproto.Outcome{ID: ev.ID, Seq: ev.Seq}
	if err := a.decide(ctx, &ev, &out); err != nil {
		return accepted{}, err
	}
	if out.Status != syncproto.StatusApplied {
		return accepted{}, Errorf(EConflict, "event %s still cannot apply: %s", ev.ID, out.Reason)
	}
	res.outPosition, res.catalogHead = out.Position, a.catalogHead
	for w, h := range a.others {
		res.others[w] = max(res.others[w], h)
	}
	return res, nil
}

// systemDevice returns a server system device (the supervisor's, a
// warehouse's transit device), enrolling it revoked on first use so that
// no handheld can ever speak for it.
func systemDevice(ctx context.Context, tx Tx, id, name, warehouse string, now time.Time) (Device, error) {
	dev, err := tx.Device(ctx, id)
	if err == nil || !IsNotFound(err) {
		return dev, err
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return Device{}, err
	}
	dev = Device{ID: id, Name: name, Warehouse: warehouse, TokenHash: hashToken(string(secret)), CreatedAt: now}
	if err := tx.CreateDevice(ctx, dev); err != nil {
		return Device{}, err
	}
	dev.Revoked = true
	if err := tx.UpdateDevice(ctx, dev); err != nil {
		return Device{}, err
	}
	return dev, nil
}
