package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/driftless/driftless/syncproto"
)

// Version is the server version reported in welcome.
var Version = "0.1.0-dev"

// Ledger is the stock ledger service: it enrolls devices, opens sync
// sessions, applies pushed events exactly once and serves ledger changes.
// Each method is one store transaction.
type Ledger struct {
	store Store
	hub   *Hub
	now   func() time.Time
	log   *slog.Logger

	// slots bounds the pushes waiting to apply; a push that cannot get a
	// slot within busyWait is told to retry.
	slots    chan struct{}
	busyWait time.Duration

	// Heartbeat is the interval announced in welcome.
	Heartbeat time.Duration

	rand io.Reader // device IDs and tokens

	gc groupCommit
	// feeds hold each warehouse's recent ledger for pulls (feed.go).
	feeds feeds
}

// LedgerOption configures a Ledger.
type LedgerOption func(*Ledger)

// WithClock sets the clock (tests, simulation).
func WithClock(now func() time.Time) LedgerOption { return func(l *Ledger) { l.now = now } }

// WithLogger sets the logger.
func WithLogger(log *slog.Logger) LedgerOption { return func(l *Ledger) { l.log = log } }

// WithRandom sets the source of device IDs and tokens (the simulator
// makes them from its seed).
func WithRandom(r io.Reader) LedgerOption { return func(l *Ledger) { l.rand = r } }

// WithApplyQueue sets how many pushes may wait to apply at once and how
// long one waits before it is answered busy.
func WithApplyQueue(n int, wait time.Duration) LedgerOption {
	return func(l *Ledger) { l.slots = make(chan struct{}, n); l.busyWait = wait }
}

// WithFeed sets how many recent ledger entries each warehouse's feed
// keeps in memory for pulls (DefaultFeedEntries); 0 reads every pull from
// the store.
func WithFeed(entries int) LedgerOption { return func(l *Ledger) { l.feeds.max = entries } }

// NewLedger returns a ledger over a store.
func NewLedger(store Store, opts ...LedgerOption) *Ledger {
	l := &Ledger{
		store:     store,
		hub:       NewHub(),
		now:       time.Now,
		log:       slog.Default(),
		slots:     make(chan struct{}, 4096),
		busyWait:  5 * time.Second,
		Heartbeat: 10 * time.Second,
		rand:      rand.Reader,
		feeds:     feeds{max: DefaultFeedEntries},
	}
	for _, o := range opts {
		o(l)
	}
	return l
}

// Hub returns the hub that announces ledger growth per warehouse.
func (l *Ledger) Hub() *Hub { return l.hub }

// AddDevice enrolls a device for a warehouse and returns it with its
// token, which is shown once and stored only as a hash.
func (l *Ledger) AddDevice(ctx context.Context, name, warehouse string) (Device, string, error) {
	if name == "" {
		return Device{}, "", &Error{Code: EInvalid, Message: "a device needs a name", Field: "name"}
	}
	if warehouse == "" {
		return Device{}, "", &Error{Code: EInvalid, Message: "a device needs a warehouse", Field: "warehouse"}
	}
	id, err := uuid.NewV7FromReader(l.rand)
	if err != nil {
		return Device{}, "", fmt.Errorf("add device: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := io.ReadFull(l.rand, raw); err != nil {
		return Device{}, "", fmt.Errorf("add device: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	d := Device{ID: id.String(), Name: name, Warehouse: warehouse, TokenHash: hashToken(token), CreatedAt: l.now().UTC()}
	if err := l.store.Update(ctx, func(ctx context.Context, tx Tx) error { return tx.CreateDevice(ctx, d) }); err != nil {
		return Device{}, "", fmt.Errorf("add device: %w", err)
	}
	return d, token, nil
}

// RevokeDevice refuses a device's future sessions.
func (l *Ledger) RevokeDevice(ctx context.Context, id string) error {
	err := l.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		d, err := tx.Device(ctx, id)
		if err != nil {
			return err
		}
		d.Revoked = true
		return tx.UpdateDevice(ctx, d)
	})
	if err != nil {
		return fmt.Errorf("revoke device %s: %w", id, err)
	}
	return nil
}

// Device returns an enrolled device.
func (l *Ledger) Device(ctx context.Context, id string) (Device, error) {
	var d Device
	err := l.store.View(ctx, func(ctx context.Context, tx ReadTx) (err error) {
		d, err = tx.Device(ctx, id)
		return err
	})
	if err != nil {
		return Device{}, fmt.Errorf("get device %s: %w", id, err)
	}
	return d, nil
}

func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Authenticate returns the device a token belongs to.
func (l *Ledger) Authenticate(ctx context.Context, deviceID, token string) (Device, error) {
	d, err := l.Device(ctx, deviceID)
	if err != nil {
		if ErrorCode(err) == ENotFound {
			return Device{}, Errorf(EUnauthorized, "device %s is not enrolled on this server", deviceID)
		}
		return Device{}, err
	}
	if subtle.ConstantTimeCompare(d.TokenHash, hashToken(token)) != 1 {
		return Device{}, Errorf(EUnauthorized, "wrong token for device %s", deviceID)
	}
	if d.Revoked {
		return Device{}, Errorf(EUnauthorized, "device %s (%s) has been revoked; enroll it again", d.Name, deviceID)
	}
	return d, nil
}

// Hello checks a device's hello and returns its device and the welcome.
func (l *Ledger) Hello(ctx context.Context, h *syncproto.Hello) (Device, *syncproto.Welcome, error) {
	if h.Protocol != syncproto.ProtocolVersion || h.Schema != syncproto.SchemaVersion {
		return Device{}, nil, Errorf(EVersionUnsupported,
			"this server speaks protocol %d schema %d; the device sent protocol %d schema %d: update the app",
			syncproto.ProtocolVersion, syncproto.SchemaVersion, h.Protocol, h.Schema)
	}
	d, err := l.Authenticate(ctx, h.DeviceID, h.Token)
	if err != nil {
		return Device{}, nil, err
	}
	now := l.now().UTC()
	var w *syncproto.Welcome
	err = l.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		d, err = tx.Device(ctx, d.ID)
		if err != nil {
			return err
		}
		if h.LastSeq < d.AckedThrough {
			return Errorf(EResetRequired,
				"this device's database has events up to %d but the server already holds %d of them: it was restored from a backup or replaced; enroll the device again",
				h.LastSeq, d.AckedThrough)
		}
		head, err := tx.Head(ctx, d.Warehouse)
		if err != nil {
			return err
		}
		d.LastHelloAt = now
		d.AppVersion = h.AppVersion
		if err := tx.UpdateDevice(ctx, d); err != nil {
			return err
		}
		w = &syncproto.Welcome{
			Protocol: syncproto.ProtocolVersion, Schema: syncproto.SchemaVersion,
			ServerVersion: Version, Warehouse: d.Warehouse,
			AckedThrough: d.AckedThrough, ExpectedSeq: d.AckedThrough + 1, Head: head,
			ServerTime: now, HeartbeatMillis: l.Heartbeat.Milliseconds(),
			MaxMessageBytes: syncproto.MaxMessageBytes, MaxBatch: syncproto.MaxBatch,
		}
		if !h.DeviceTime.IsZero() {
			w.ClockSkewMillis = h.DeviceTime.Sub(now).Milliseconds()
		}
		return nil
	})
	if err != nil {
		return Device{}, nil, fmt.Errorf("hello from device %s: %w", h.DeviceID, err)
	}
	if skew := time.Duration(w.ClockSkewMillis) * time.Millisecond; skew > 5*time.Minute || skew < -5*time.Minute {
		l.log.Warn("device clock skew", "device", d.ID, "name", d.Name, "skew", skew)
	}
	return d, w, nil
}

// Push applies a batch of events from a device exactly once and returns
// one outcome per event.
//
// Pushes that arrive while another group is being committed are applied
// together in the next transaction (group commit): each push runs inside
// its own savepoint, so one device's refused push (a sequence gap, a
// device conflict) rolls back alone, while a storage failure fails the
// whole group. No push is answered before its group has committed. On a
// disk where a commit costs milliseconds of fsync, this is what lets
// hundreds of devices push at once.
func (l *Ledger) Push(ctx context.Context, deviceID string, events []syncproto.Event) (*syncproto.Ack, error) {
	req, err := l.enqueue(ctx, deviceID, events, false)
	if err != nil {
		return nil, err
	}
	return req.wait()
}

// StartPush queues a push for the next group commit and returns at once
// with a function that waits for its outcome, as Push returns it. Pushes
// started one after another are applied in that order, so a session can
// queue a device's next push while the one before waits for its group
// (a device keeps several in flight) and answer them in order. Once
// queued, a push is applied or refused whether or not anyone waits.
func (l *Ledger) StartPush(ctx context.Context, deviceID string, events []syncproto.Event) func() (*syncproto.Ack, error) {
	req, err := l.enqueue(ctx, deviceID, events, true)
	if err != nil {
		return func() (*syncproto.Ack, error) { return nil, err }
	}
	return req.wait
}

// enqueue takes an apply slot (or answers busy), queues the push and,
// when no group is being applied, leads the next one: in a new goroutine
// when async, else before returning.
func (l *Ledger) enqueue(ctx context.Context, deviceID string, events []syncproto.Event, async bool) (*pushReq, error) {
	select {
	case l.slots <- struct{}{}:
	default:
		t := time.NewTimer(l.busyWait)
		defer t.Stop()
		select {
		case l.slots <- struct{}{}:
		case <-t.C:
			return nil, &Error{Code: EBusy, Message: "the server is busy applying other devices' events", RetryAfter: time.Second}
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	// The group gives the slot back when it is done with the push.
	req := &pushReq{deviceID: deviceID, events: events, invalid: validate(events), done: make(chan struct{})}
	l.gc.mu.Lock()
	l.gc.pending = append(l.gc.pending, req)
	lead := !l.gc.busy
	l.gc.busy = true
	l.gc.mu.Unlock()
	switch {
	case lead && async:
		go l.lead()
	case lead:
		l.lead()
	}
	return req, nil
}

// wait waits for the push's group and returns its outcome.
func (req *pushReq) wait() (*syncproto.Ack, error) {
	<-req.done
	if req.err != nil {
		return nil, fmt.Errorf("push from device %s: %w", req.deviceID, req.err)
	}
	return req.ack, nil
}

// pushReq is one push waiting for its group.
type pushReq struct {
	deviceID string
	events   []syncproto.Event
	// invalid holds each event's Validate error, found by the pushing
	// goroutine rather than the group's (validating checks the payload's
	// hash: a SHA-256 of its encoding, per event).
	invalid []error
	ack     *syncproto.Ack
	err     error
	head    uint64
	wh      string
	// catalogHead is the catalog position of the last purchase order
	// the push received against (0: none).
	catalogHead uint64
	// others are the ledger heads the push reached in other warehouses
	// (a received transfer takes stock out of the sender's transit).
	others map[string]uint64
	done   chan struct{}
}

// groupCommit is the queue of pushes for the next group.
type groupCommit struct {
	mu      sync.Mutex
	pending []*pushReq
	busy    bool // a leader is applying a group
}

// maxGroupEvents bounds the events of one group transaction.
const maxGroupEvents = 20000

// lead applies the pending pushes as one group, then hands the lead to a
// new goroutine if more arrived meanwhile, so no caller waits for groups
// after its own.
func (l *Ledger) lead() {
	l.gc.mu.Lock()
	n, events := 0, 0
	for n < len(l.gc.pending) && (n == 0 || events+len(l.gc.pending[n].events) <= maxGroupEvents) {
		events += len(l.gc.pending[n].events)
		n++
	}
	group := l.gc.pending[:n:n]
	l.gc.pending = l.gc.pending[n:]
	l.gc.mu.Unlock()

	l.applyGroup(group)

	l.gc.mu.Lock()
	if len(l.gc.pending) > 0 {
		go l.lead()
	} else {
		l.gc.busy = false
	}
	l.gc.mu.Unlock()
}

func (l *Ledger) applyGroup(group []*pushReq) {
	// The group outlives any one caller's context.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	now := l.now().UTC()
	err := l.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		if cl, ok := tx.(catalogLocker); ok && (receivesAgainstOrders(group) || writesPickLists(group) || mayWriteCountTasks(group) || mayCheckAlerts(group)) {
			if err := cl.LockCatalog(ctx); err != nil {
				return err
			}
		}
		if p, ok := tx.(groupPrefetcher); ok && len(group) > 1 {
			devices, events := groupIDs(group)
			if err := p.Prefetch(ctx, devices, events); err != nil {
				return err
			}
			keys, err := groupKeys(ctx, tx, group)
			if err != nil {
				return err
			}
			if err := p.PrefetchStock(ctx, keys); err != nil {
				return err
			}
		}
		// Pushes of one group share the users they look up (applying
		// events never changes a user).
		users := map[string]User{}
		for _, req := range group {
			req.ack, req.err, req.head, req.catalogHead, req.others = nil, nil, 0, 0, nil
			err := tx.Savepoint(ctx, func() error {
				d, err := tx.Device(ctx, req.deviceID)
				if err != nil {
					return err
				}
				a := applier{tx: tx, dev: d, now: now, stock: map[StockKey]int64{}, users: users, invalid: req.invalid}
				ack, err := a.apply(ctx, req.events)
				if err != nil {
					return err
				}
				req.ack, req.head, req.wh, req.catalogHead, req.others = ack, a.head, d.Warehouse, a.catalogHead, a.others
				return nil
			})
			if err != nil {
				var e *Error
				if !errors.As(err, &e) {
					return err // storage failed: the whole group fails
				}
				req.err = err // this push alone is refused
			}
		}
		return nil
	})
	heads := map[string]uint64{}
	var catalogHead uint64
	for _, req := range group {
		if err != nil {
			req.ack, req.err = nil, err
		} else {
			if req.head > heads[req.wh] {
				heads[req.wh] = req.head
			}
			catalogHead = max(catalogHead, req.catalogHead)
			for wh, h := range req.others {
				heads[wh] = max(heads[wh], h)
			}
		}
		close(req.done)
		<-l.slots
	}
	if catalogHead > 0 {
		l.hub.PublishCatalog(catalogHead)
	}
	for wh, head := range heads {
		l.hub.Publish(wh, head)
		if a, ok := l.store.(Announcer); ok {
			// Other replicas poke their devices too. A lost announcement
			// only delays a pull until the device's next one.
			if err := a.Announce(ctx, wh, head); err != nil {
				l.log.Warn("announce ledger growth", "warehouse", wh, "err", err)
			}
		}
	}
}

// groupPrefetcher is implemented by transactions that read the devices
// and events a group commit will look up in one go, and answer Device and
// EventsByID from them (kept up to date with the transaction's writes).
type groupPrefetcher interface {
	Prefetch(ctx context.Context, deviceIDs, eventIDs []string) error
	// PrefetchStock reads the stock levels at the keys, so Stock answers
	// from them (absent keys hold 0).
	PrefetchStock(ctx context.Context, keys []StockKey) error
}

// groupKeys lists the stock keys a group's events move or count (the
// devices' warehouses read through tx, already prefetched).
func groupKeys(ctx context.Context, tx Tx, group []*pushReq) ([]StockKey, error) {
	seen := map[StockKey]bool{}
	var keys []StockKey
	add := func(k StockKey) {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for _, req := range group {
		d, err := tx.Device(ctx, req.deviceID)
		if IsNotFound(err) {
			continue // the push is refused
		}
		if err != nil {
			return nil, err
		}
		for i := range req.events {
			ev := &req.events[i]
			if ev.Kind == syncproto.KindCount {
				add(StockKey{d.Warehouse, ev.From, ev.SKU, ev.Lot})
			}
			for _, dl := range ev.Deltas() {
				add(StockKey{d.Warehouse, dl.Location, ev.SKU, ev.Lot})
			}
		}
	}
	return keys, nil
}

// groupIDs lists the devices and event IDs of a group's pushes.
func groupIDs(group []*pushReq) (deviceIDs, eventIDs []string) {
	seen := map[string]bool{}
	for _, req := range group {
		if !seen[req.deviceID] {
			seen[req.deviceID] = true
			deviceIDs = append(deviceIDs, req.deviceID)
		}
		for i := range req.events {
			eventIDs = append(eventIDs, req.events[i].ID)
		}
	}
	return deviceIDs, eventIDs
}

// applier applies one push inside one transaction.
type applier struct {
	tx   Tx
	dev  Device
	now  time.Time
	head uint64 // last position appended
	// catalogHead is the catalog position of the last purchase order
	// written (receiving against it).
	catalogHead uint64
	// stock caches the balances read or written in this transaction.
	stock map[StockKey]int64
	// others are the heads reached in other warehouses (system entries
	// of transfers).
	others map[string]uint64
	// unknownRefs remembers, per kind of document ("po", "transfer"), the
	// event references this transaction found no such document for, so a
	// backlog of receives against one delivery note (or the opening-stock
	// import, every row of which has the same reference) looks each up once.
	unknownRefs map[[2]string]struct{}
	// users caches the users this transaction looked up (roles.go).
	users map[string]User
	// invalid, when not nil, holds the Validate error of each event
	// applied (validate); nil: apply validates.
	invalid []error
}

// validate returns each event's Validate error.
func validate(events []syncproto.Event) []error {
	errs := make([]error, len(events))
	for i := range events {
		errs[i] = events[i].Validate()
	}
	return errs
}

// knownNot reports whether ref was already found not to be a document of
// the kind; notFound records that it is not.
func (a *applier) knownNot(kind, ref string) bool {
	_, ok := a.unknownRefs[[2]string{kind, ref}]
	return ok
}

func (a *applier) notFound(kind, ref string) {
	if a.unknownRefs == nil {
		a.unknownRefs = map[[2]string]struct{}{}
	}
	a.unknownRefs[[2]string{kind, ref}] = struct{}{}
}

func (a *applier) balance(ctx context.Context, k StockKey) (int64, error) {
	if q, ok := a.stock[k]; ok {
		return q, nil
	}
	q, err := a.tx.Stock(ctx, k)
	if err != nil {
		return 0, err
	}
	a.stock[k] = q
	return q, nil
}

func (a *applier) apply(ctx context.Context, events []syncproto.Event) (*syncproto.Ack, error) {
	ack := &syncproto.Ack{Outcomes: make([]syncproto.Outcome, 0, len(events))}
	next := a.dev.AckedThrough + 1
	ids := make([]string, len(events))
	for i := range events {
		ids[i] = events[i].ID
	}
	known, err := a.tx.EventsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range events {
		ev := &events[i]
		prev, held := known[ev.ID]
		if held && prev.Event.DeviceID == a.dev.ID && prev.Event.Seq == ev.Seq {
			// Sent before: the stored outcome is final, whatever the
			// payload says now.
			out := prev.Outcome
			if prev.Event.Hash != ev.Hash {
				out = syncproto.Outcome{ID: ev.ID, Seq: ev.Seq, Status: syncproto.StatusRejected, Code: syncproto.CodeHashMismatch,
					Reason: "this event ID was already received with another payload; the first one stands"}
			}
			ack.Outcomes = append(ack.Outcomes, out)
			continue
		}
		switch {
		case ev.Seq == 0:
			return nil, &Error{Code: EInvalid, Field: "seq", Message: fmt.Sprintf("event %s has no sequence number", ev.ID)}
		case ev.Seq < next:
			held, _, err := a.tx.EventBySeq(ctx, a.dev.ID, ev.Seq)
			if err != nil {
				return nil, err
			}
			return nil, Errorf(EDeviceConflict,
				"device %s sent sequence %d as event %s, but the server holds event %s under that sequence: two databases share this device's identity (a copied or restored database); enroll the device again",
				a.dev.ID, ev.Seq, ev.ID, held.Event.ID)
		case ev.Seq > next:
			return nil, &Error{Code: ESequenceGap, ExpectedSeq: a.dev.AckedThrough + 1,
				Message: fmt.Sprintf("expected sequence %d, got %d: resend from %d", next, ev.Seq, a.dev.AckedThrough+1)}
		}
		var invalid error
		if a.invalid != nil {
			invalid = a.invalid[i]
		} else {
			invalid = ev.Validate()
		}
		out, err := a.applyNew(ctx, ev, held, invalid)
		if err != nil {
			return nil, fmt.Errorf("apply event %s: %w", ev.ID, err)
		}
		if !held {
			// The same event later in this push is a resend of this one.
			known[ev.ID] = EventRecord{Event: *ev, Outcome: out, ReceivedAt: a.now}
		}
		ack.Outcomes = append(ack.Outcomes, out)
		next++
	}
	if err := a.checkAlerts(ctx, events, ack.Outcomes); err != nil { // alerts.go
		return nil, fmt.Errorf("check low-stock alerts: %w", err)
	}
	a.dev.AckedThrough = next - 1
	a.dev.LastSyncAt = a.now
	if err := a.tx.UpdateDevice(ctx, a.dev); err != nil {
		return nil, err
	}
	ack.AckedThrough = a.dev.AckedThrough
	return ack, nil
}

// applyNew decides and records the outcome of an event the server has not
// seen, appending its ledger entries when it applies.
// idTaken says another event holds ev's ID; invalid is ev's Validate
// error.
func (a *applier) applyNew(ctx context.Context, ev *syncproto.Event, idTaken bool, invalid error) (syncproto.Outcome, error) {
	out := syncproto.Outcome{ID: ev.ID, Seq: ev.Seq}
	rec := EventRecord{Event: *ev, ReceivedAt: a.now}
	taken := false
	if ev.DeviceID != a.dev.ID {
		out.Status, out.Code = syncproto.StatusRejected, syncproto.CodeWrongDevice
		out.Reason = fmt.Sprintf("event names device %s but was sent by device %s", ev.DeviceID, a.dev.ID)
	} else if invalid != nil {
		out.Status, out.Code, out.Reason = syncproto.StatusRejected, syncproto.CodeInvalidEvent, invalid.Error()
	} else if idTaken {
		taken = true
		out.Status, out.Code = syncproto.StatusRejected, syncproto.CodeHashMismatch
		out.Reason = "this event ID was already used by another event"
	} else if allowed, err := a.authorize(ctx, ev, &out); err != nil {
		return out, err
	} else if !allowed {
		// rejected forbidden: changes nothing
	} else if err := a.decide(ctx, ev, &out); err != nil {
		return out, err
	} else if out.Status == syncproto.StatusParked {
		if err := a.notePark(ctx, ev, &out); err != nil {
			return out, err
		}
	} else if err := a.auditApplied(ctx, ev, &out); err != nil {
		return out, err
	}
	rec.Outcome = out
	if taken {
		rec.Event.ID = "" // stored under device and sequence only
	}
	if ev.DeviceID != a.dev.ID {
		rec.Event.DeviceID = a.dev.ID
	}
	if err := a.tx.RecordEvent(ctx, rec); err != nil {
		return out, err
	}
	return out, nil
}

func (a *applier) decide(ctx context.Context, ev *syncproto.Event, out *syncproto.Outcome) error {
	if ev.Kind == syncproto.KindCount {
		return a.decideCount(ctx, ev, out) // counting.go
	}
	deltas := ev.Deltas()
	for _, d := range deltas {
		if d.Qty >= 0 {
			continue
		}
		key := StockKey{a.dev.Warehouse, d.Location, ev.SKU, ev.Lot}
		have, err := a.balance(ctx, key)
		if err != nil {
			return err
		}
		if have+d.Qty < 0 {
			out.Status, out.Code = syncproto.StatusParked, syncproto.CodeInsufficientStock
			out.Reason = fmt.Sprintf("%s holds %d of %s%s, the event takes %d; waiting for a supervisor",
				d.Location, have, ev.SKU, lotSuffix(ev.Lot), -d.Qty)
			return a.triggerCount(ctx, d.Location, ev.SKU, ev.Lot, CountParked, ev.ID)
		}
	}
	var zeroed []string // bins this event empties (counting.go)
	for _, d := range deltas {
		key := StockKey{a.dev.Warehouse, d.Location, ev.SKU, ev.Lot}
		have, err := a.balance(ctx, key)
		if err != nil {
			return err
		}
		pos, err := a.tx.Append(ctx, LedgerEntry{
			StockKey: key, Delta: d.Qty, Balance: have + d.Qty,
			EventID: ev.ID, DeviceID: a.dev.ID, Kind: ev.Kind, RecordedAt: a.now,
		})
		if err != nil {
			return err
		}
		a.stock[key] = have + d.Qty
		if d.Qty < 0 && have+d.Qty == 0 {
			zeroed = append(zeroed, d.Location)
		}
		out.Position = pos
		a.head = pos
	}
	out.Status = syncproto.StatusApplied
	if err := a.applyPicking(ctx, ev); err != nil {
		return err
	}
	if err := a.applyCounting(ctx, ev, zeroed); err != nil {
		return err
	}
	if err := a.receivePO(ctx, ev); err != nil {
		return err
	}
	if err := a.applyTransfer(ctx, ev); err != nil {
		return err
	}
	return a.recordUsage(ctx, ev) // usage.go
}

func lotSuffix(lot string) string {
	if lot == "" {
		return ""
	}
	return " lot " + lot
}

// Pull returns a page of the device warehouse's ledger after cursor.
func (l *Ledger) Pull(ctx context.Context, deviceID string, p *syncproto.Pull) (*syncproto.Changes, error) {
	var d Device
	err := l.store.View(ctx, func(ctx context.Context, tx ReadTx) (err error) {
		d, err = tx.Device(ctx, deviceID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pull for device %s: %w", deviceID, err)
	}
	return l.pull(ctx, d, p)
}

// pull is Pull for a device already read: from the warehouse's feed
// (feed.go) when the cursor is recent, else from the store.
func (l *Ledger) pull(ctx context.Context, d Device, p *syncproto.Pull) (*syncproto.Changes, error) {
	limit := p.Limit
	if limit <= 0 || limit > syncproto.MaxPage {
		limit = syncproto.MaxPage
	}
	if f := l.feeds.get(d.Warehouse); f != nil {
		ch, ok, err := f.page(ctx, l.store, l.now(), l.hub.Head(d.Warehouse), d.ID, p.Cursor, limit, p.Compact)
		if err != nil {
			return nil, fmt.Errorf("pull for device %s: %w", d.ID, err)
		}
		if ok {
			return ch, nil
		}
	}
	var ch *syncproto.Changes
	err := l.store.View(ctx, func(ctx context.Context, tx ReadTx) error {
		entries, decided, err := readPositions(ctx, tx, d.Warehouse, p.Cursor, limit+1)
		ch = cutPage(p.Cursor, entries, nil, 0, decided, d.ID, limit, p.Compact)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("pull for device %s: %w", d.ID, err)
	}
	return ch, nil
}

// readPositions reads up to n of a warehouse's ledger entries and n of
// its supervisors' decisions (which take ledger positions too, see
// parked.go) after a position, each in position order.
func readPositions(ctx context.Context, tx ReadTx, warehouse string, after uint64, n int) ([]syncproto.Entry, []ParkRecord, error) {
	entries, err := tx.Entries(ctx, warehouse, after, n)
	if err != nil {
		return nil, nil, err
	}
	var decided []ParkRecord
	if ptx, ok := tx.(ParkReadTx); ok {
		if decided, err = ptx.Resolutions(ctx, warehouse, after, n); err != nil {
			return nil, nil, err
		}
	}
	return entries, decided, nil
}

// cutPage cuts a pull's page for deviceID from the entries and decisions
// after cursor (each in position order): the page covers the first limit
// positions of both, so a device's cursor passes a decision even when no
// entry follows it. levels holds the last balance of every key the
// page's entries touch; entries are only deviceID's when compact;
// resolutions are deviceID's decisions. More says either list holds
// more. keys, when not nil, numbers each entry's key (location, SKU, lot)
// in [0, nkeys), as the feed keeps them; otherwise cutPage numbers them.
func cutPage(cursor uint64, entries []syncproto.Entry, keys []int32, nkeys int, decided []ParkRecord, deviceID string, limit int, compact bool) *syncproto.Changes {
	n := min(limit, len(entries))
	if keys == nil || n < nkeys/8 {
		// A short page numbers its own keys rather than index an array
		// of all the feed's.
		keys, nkeys = numberKeys(entries[:n])
	}
	ch := &syncproto.Changes{From: cursor, Cursor: cursor, Entries: []syncproto.Entry{}, Levels: make([]syncproto.Level, 0, min(n, nkeys))}
	// at[k] is 1 + the index in Levels of key k, 0 while the page has none.
	at := make([]int32, nkeys)
	i, j := 0, 0
	for i+j < limit && (i < len(entries) || j < len(decided)) {
		if j >= len(decided) || (i < len(entries) && entries[i].Position < decided[j].Position) {
			e := &entries[i]
			k := keys[i]
			i++
			ch.Cursor = e.Position
			lv := syncproto.Level{Location: e.Location, SKU: e.SKU, Lot: e.Lot, Qty: e.Balance, Position: e.Position}
			if x := at[k]; x > 0 {
				ch.Levels[x-1] = lv
			} else {
				ch.Levels = append(ch.Levels, lv)
				at[k] = int32(len(ch.Levels))
			}
			if !compact || e.DeviceID == deviceID {
				ch.Entries = append(ch.Entries, *e)
			}
			continue
		}
		d := decided[j]
		j++
		ch.Cursor = d.Position
		if d.DeviceID == deviceID {
			ch.Resolutions = append(ch.Resolutions, d.Resolution())
		}
	}
	ch.More = i < len(entries) || j < len(decided)
	return ch
}

// stockKey3 is a ledger entry's key within its warehouse.
type stockKey3 [3]string

// numberKeys numbers the entries' keys in order of first appearance.
func numberKeys(entries []syncproto.Entry) ([]int32, int) {
	ids := make(map[stockKey3]int32)
	keys := make([]int32, len(entries))
	for i := range entries {
		e := &entries[i]
		k := stockKey3{e.Location, e.SKU, e.Lot}
		id, ok := ids[k]
		if !ok {
			id = int32(len(ids))
			ids[k] = id
		}
		keys[i] = id
	}
	return keys, len(ids)
}

// Stock lists stock levels.
func (l *Ledger) Stock(ctx context.Context, f StockFilter) ([]StockLevel, error) {
	var out []StockLevel
	err := l.store.View(ctx, func(ctx context.Context, tx ReadTx) (err error) {
		out, err = tx.StockLevels(ctx, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list stock: %w", err)
	}
	return out, nil
}

// Events lists held events by status (the parked and rejected ones are the
// supervisor's queue).
func (l *Ledger) Events(ctx context.Context, limit int, statuses ...syncproto.Status) ([]EventRecord, error) {
	var out []EventRecord
	err := l.store.View(ctx, func(ctx context.Context, tx ReadTx) (err error) {
		out, err = tx.Events(ctx, limit, statuses...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	return out, nil
}

// DeviceEvents lists a device's events and their outcomes by sequence.
func (l *Ledger) DeviceEvents(ctx context.Context, deviceID string, afterSeq uint64, limit int) ([]EventRecord, error) {
	var out []EventRecord
	err := l.store.View(ctx, func(ctx context.Context, tx ReadTx) error {
		if _, err := tx.Device(ctx, deviceID); err != nil {
			return err
		}
		var err error
		out, err = tx.DeviceEvents(ctx, deviceID, afterSeq, limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list events of device %s: %w", deviceID, err)
	}
	return out, nil
}

// IsNotFound reports whether err is an ENotFound error.
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == ENotFound
}
