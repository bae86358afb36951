package server

import (
	"context"
	"time"

	"github.com/driftless/driftless/syncproto"
)

// Device is an enrolled handheld. Its token is kept only as a hash.
type Device struct {
	ID           string
	Name         string
	Warehouse    string
	TokenHash    []byte
	Revoked      bool
	AckedThrough uint64
	AppVersion   string
	CreatedAt    time.Time
	LastSyncAt   time.Time // zero until the first push or pull
	LastHelloAt  time.Time
}

// EnrollmentCode is a one-time code that hands a device a new token: the
// person setting up a handheld types it instead of the token. Only the
// SHA-256 of the code's normalized form (Hash) is kept.
type EnrollmentCode struct {
	Hash      []byte
	DeviceID  string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero until redeemed
}

// StockKey identifies one stock level.
type StockKey struct {
	Warehouse string
	Location  string
	SKU       string
	Lot       string
}

// StockLevel is the quantity at a key and the ledger position of its last change.
type StockLevel struct {
	StockKey
	Qty      int64
	Position uint64
}

// StockFilter selects stock levels; empty fields match everything.
type StockFilter struct {
	Warehouse string
	Location  string
	SKU       string
	// After and Limit page through the result in key order: After is the
	// last key of the previous page.
	After *StockKey
	Limit int
}

// EventRecord is an event the server holds and its final outcome.
type EventRecord struct {
	Event      syncproto.Event
	Outcome    syncproto.Outcome
	ReceivedAt time.Time
}

// LedgerEntry is one change to be appended to the ledger; the store assigns
// its position.
type LedgerEntry struct {
	StockKey
	Delta int64
	// Balance is the quantity the entry leaves at its key: the current
	// stock plus Delta, as read in the same transaction.
	Balance    int64
	EventID    string
	DeviceID   string
	Kind       syncproto.Kind
	RecordedAt time.Time
}

// ReadTx reads a consistent view of the store.
type ReadTx interface {
	Device(ctx context.Context, id string) (Device, error) // *Error ENotFound when absent
	// EventByID returns the event held under an event ID.
	EventByID(ctx context.Context, id string) (EventRecord, bool, error)
	// EventsByID returns the events held under any of the IDs (one query
	// for a whole push).
	EventsByID(ctx context.Context, ids []string) (map[string]EventRecord, error)
	// EventBySeq returns the event a device sent with a sequence number.
	EventBySeq(ctx context.Context, deviceID string, seq uint64) (EventRecord, bool, error)
	Stock(ctx context.Context, key StockKey) (int64, error)
	// DeltaAfter sums the deltas applied at key at positions above after.
	DeltaAfter(ctx context.Context, key StockKey, after uint64) (int64, error)
	// Head is the position of the warehouse's last ledger entry (0 when none).
	Head(ctx context.Context, warehouse string) (uint64, error)
	// Entries returns up to limit ledger entries of a warehouse after a position, in order.
	Entries(ctx context.Context, warehouse string, after uint64, limit int) ([]syncproto.Entry, error)
	StockLevels(ctx context.Context, f StockFilter) ([]StockLevel, error)
	// Events lists held events with one of the statuses (all when none), in
	// the order they were received, at most limit.
	Events(ctx context.Context, limit int, statuses ...syncproto.Status) ([]EventRecord, error)
	// DeviceEvents lists a device's events with sequence above afterSeq, in
	// sequence order, at most limit.
	DeviceEvents(ctx context.Context, deviceID string, afterSeq uint64, limit int) ([]EventRecord, error)
	// EventsOfKind lists the held events of a kind sent by the devices of
	// a warehouse (every warehouse when empty), newest first, at most
	// limit (all when 0).
	EventsOfKind(ctx context.Context, kind syncproto.Kind, warehouse string, limit int) ([]EventRecord, error)
	// EnrollmentCode returns the code with a hash; ENotFound when none.
	EnrollmentCode(ctx context.Context, hash []byte) (EnrollmentCode, error)
}

// Tx is a read-write transaction.
type Tx interface {
	ReadTx
	CreateDevice(ctx context.Context, d Device) error
	// UpdateDevice stores d's mutable fields (revoked, acked_through,
	// app_version, last sync and hello times).
	UpdateDevice(ctx context.Context, d Device) error
	// SetDeviceToken replaces a device's token hash.
	SetDeviceToken(ctx context.Context, id string, tokenHash []byte) error
	// PutEnrollmentCode stores a code, or updates the one with its hash
	// (expires_at, used_at).
	PutEnrollmentCode(ctx context.Context, c EnrollmentCode) error
	// ExpireEnrollmentCodes makes a device's unused codes expire at at
	// (when they would expire later).
	ExpireEnrollmentCodes(ctx context.Context, deviceID string, at time.Time) error
	// RecordEvent stores an event and its outcome. Event IDs are unique;
	// an event whose ID is taken is stored under its device and sequence only.
	RecordEvent(ctx context.Context, r EventRecord) error
	// Savepoint runs fn so that its writes are rolled back alone when it
	// returns an error, leaving the rest of the transaction intact.
	Savepoint(ctx context.Context, fn func() error) error
	// Append adds an entry to the ledger and sets the stock level at its
	// key to the entry's balance in step, returning the entry's position.
	Append(ctx context.Context, e LedgerEntry) (position uint64, err error)
}

// Store is what the ledger needs from storage. Update runs fn in one
// transaction and commits when it returns nil; View runs fn on a consistent
// read-only snapshot.
type Store interface {
	Update(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error
	View(ctx context.Context, fn func(ctx context.Context, tx ReadTx) error) error
}

// Announcer is implemented by stores shared by several server replicas:
// Announce tells the other replicas that a warehouse's ledger grew.
type Announcer interface {
	Announce(ctx context.Context, warehouse string, head uint64) error
}
