package syncproto

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Kind is what a stock-changing event does. See the package documentation
// for the ledger effect of each kind.
type Kind string

// The event kinds of schema version 1.
const (
	KindReceive Kind = "receive"
	KindPutaway Kind = "putaway"
	KindMove    Kind = "move"
	KindPick    Kind = "pick"
	KindReturn  Kind = "return"
	KindDamage  Kind = "damage"
	KindCount   Kind = "count"
	KindAdjust  Kind = "adjust"
	// KindException records something a person must look at (an unknown
	// barcode, an item not on the purchase order, a damaged unit): it
	// travels and is applied exactly once like every event but changes no
	// stock. Its Reason is one of ExceptionReasons.
	KindException Kind = "exception"
)

// ExceptionReasons lists the reasons an exception event may carry.
var ExceptionReasons = []string{
	"unknown_barcode", "not_on_po", "over_receipt", "expired_lot",
	"short_dated", "duplicate_serial", "damaged", "short_pick",
	// putaway_dispute: the put-away found a different quantity than the
	// receipt booked (Qty is what was found); it triggers a count.
	"putaway_dispute",
}

// Kinds lists every known kind in a stable order.
var Kinds = []Kind{KindReceive, KindPutaway, KindMove, KindPick, KindReturn, KindDamage, KindCount, KindAdjust, KindException}

// Valid reports whether k is a kind of this schema version.
func (k Kind) Valid() bool {
	for _, v := range Kinds {
		if k == v {
			return true
		}
	}
	return false
}

// Event is one immutable stock-changing action recorded on a device. The
// device assigns ID (a UUIDv7), Seq (1, 2, 3, … per device, never reused)
// and Hash before the event leaves its outbox; nothing in it changes after.
type Event struct {
	ID       string `json:"id"`
	DeviceID string `json:"device_id"`
	Seq      uint64 `json:"seq"`
	User     string `json:"user"`
	Kind     Kind   `json:"kind"`
	SKU      string `json:"sku"`
	Lot      string `json:"lot,omitempty"`
	From     string `json:"from,omitempty"`
	To       string `json:"to,omitempty"`
	// Qty is in the SKU's base unit. It is positive for every kind but
	// adjust, where its sign is the direction, and count, where it is the
	// quantity found (zero allowed).
	Qty    int64  `json:"qty"`
	Reason string `json:"reason,omitempty"`
	Ref    string `json:"ref,omitempty"`
	// Serial is the unit's serial number (GS1 AI 21) for serial-tracked
	// SKUs; Expiry the lot's expiry date (GS1 AI 17) as YYYY-MM-DD.
	Serial string `json:"serial,omitempty"`
	Expiry string `json:"expiry,omitempty"`
	// Barcode is the scanned text an exception is about.
	Barcode string `json:"barcode,omitempty"`
	// Task is the pick task a pick (or a short_pick exception) works
	// through, as PickTask.ID.
	Task       string    `json:"task,omitempty"`
	DeviceTime time.Time `json:"device_time"`
	// SeenPosition is the last server ledger position the device had pulled
	// when it recorded the event.
	SeenPosition uint64 `json:"seen_position"`
	Hash         string `json:"hash"`
}

// hashed is the part of an Event covered by its hash: everything but the
// hash itself, in a fixed field order, times in UTC.
type hashed struct {
	ID           string `json:"id"`
	DeviceID     string `json:"device_id"`
	Seq          uint64 `json:"seq"`
	User         string `json:"user"`
	Kind         Kind   `json:"kind"`
	SKU          string `json:"sku"`
	Lot          string `json:"lot"`
	From         string `json:"from"`
	To           string `json:"to"`
	Qty          int64  `json:"qty"`
	Reason       string `json:"reason"`
	Ref          string `json:"ref"`
	DeviceTime   string `json:"device_time"`
	SeenPosition uint64 `json:"seen_position"`
	// Added after schema version 1's first events: omitted when empty so
	// that the hashes of events without them did not change.
	Serial  string `json:"serial,omitempty"`
	Expiry  string `json:"expiry,omitempty"`
	Barcode string `json:"barcode,omitempty"`
	Task    string `json:"task,omitempty"`
}

// ComputeHash returns the payload hash of e: "sha256:" and the hex SHA-256 of
// the canonical JSON encoding of every field but Hash.
func (e *Event) ComputeHash() string {
	b, err := json.Marshal(hashed{
		ID: e.ID, DeviceID: e.DeviceID, Seq: e.Seq, User: e.User, Kind: e.Kind,
		SKU: e.SKU, Lot: e.Lot, From: e.From, To: e.To, Qty: e.Qty,
		Reason: e.Reason, Ref: e.Ref,
		DeviceTime:   e.DeviceTime.UTC().Format(time.RFC3339Nano),
		SeenPosition: e.SeenPosition,
		Serial:       e.Serial, Expiry: e.Expiry, Barcode: e.Barcode, Task: e.Task,
	})
	if err != nil { // cannot happen: every field is a plain value
		panic(fmt.Sprintf("hash event: %v", err))
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Seal sets Hash from the other fields. Call it once, when the event is
// recorded.
func (e *Event) Seal() { e.Hash = e.ComputeHash() }

// Validate checks the event's shape: fields every kind needs and the ones
// its kind needs. It does not look at stock; the server does that.
func (e *Event) Validate() error {
	switch {
	case e.ID == "":
		return fieldError("id", "is required")
	case e.DeviceID == "":
		return fieldError("device_id", "is required")
	case e.Seq == 0:
		return fieldError("seq", "must be 1 or more")
	case !e.Kind.Valid():
		return fieldError("kind", fmt.Sprintf("%q is not a known kind", e.Kind))
	case e.SKU == "" && e.Kind != KindException:
		return fieldError("sku", "is required")
	case e.Hash == "":
		return fieldError("hash", "is required")
	case e.Hash != e.ComputeHash():
		return fieldError("hash", "does not match the payload")
	}
	needFrom, needTo := e.Kind.Locations()
	if needFrom && e.From == "" {
		return fieldError("from", fmt.Sprintf("is required for %s", e.Kind))
	}
	if needTo && e.To == "" {
		return fieldError("to", fmt.Sprintf("is required for %s", e.Kind))
	}
	if e.Kind == KindDamage && e.Reason == "" {
		return fieldError("reason", "is required for damage")
	}
	if e.Expiry != "" {
		if _, err := time.Parse(time.DateOnly, e.Expiry); err != nil {
			return fieldError("expiry", "must be a date, YYYY-MM-DD")
		}
	}
	switch e.Kind {
	case KindException:
		if !validExceptionReason(e.Reason) {
			return fieldError("reason", fmt.Sprintf("%q is not an exception reason", e.Reason))
		}
		if e.Qty < 0 {
			return fieldError("qty", "must not be negative")
		}
		if e.SKU == "" && e.Barcode == "" {
			return fieldError("barcode", "is required when sku is empty")
		}
	case KindAdjust:
		if e.Qty == 0 {
			return fieldError("qty", "must not be zero")
		}
		if e.Reason == "" {
			return fieldError("reason", "is required for adjust")
		}
	case KindCount:
		if e.Qty < 0 {
			return fieldError("qty", "must not be negative")
		}
	default:
		if e.Qty <= 0 {
			return fieldError("qty", "must be positive")
		}
	}
	if (e.Kind == KindMove || e.Kind == KindPutaway) && e.From == e.To {
		return fieldError("to", "must differ from from")
	}
	return nil
}

func validExceptionReason(r string) bool {
	for _, v := range ExceptionReasons {
		if r == v {
			return true
		}
	}
	return false
}

// Locations tells which of From and To a kind requires.
func (k Kind) Locations() (from, to bool) {
	switch k {
	case KindReceive, KindReturn:
		return false, true
	case KindPutaway, KindMove:
		return true, true
	case KindPick, KindDamage, KindCount, KindAdjust:
		return true, false
	}
	return false, false
}

// Delta is one change a stock-changing event makes at one location.
type Delta struct {
	Location string
	Qty      int64
}

// Deltas returns the ledger changes an applied event makes, in order: for a
// move the decrement at From comes first. Count returns none: a count is a
// proposal the server checks, not a change.
func (e *Event) Deltas() []Delta {
	switch e.Kind {
	case KindReceive, KindReturn:
		return []Delta{{e.To, e.Qty}}
	case KindPutaway, KindMove:
		return []Delta{{e.From, -e.Qty}, {e.To, e.Qty}}
	case KindPick:
		return []Delta{{e.From, -e.Qty}}
	case KindDamage:
		if e.To != "" {
			return []Delta{{e.From, -e.Qty}, {e.To, e.Qty}}
		}
		return []Delta{{e.From, -e.Qty}}
	case KindAdjust:
		return []Delta{{e.From, e.Qty}}
	}
	return nil
}

// FieldError says which field of a message is wrong and why.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + " " + e.Reason }

func fieldError(field, reason string) error { return &FieldError{Field: field, Reason: reason} }
