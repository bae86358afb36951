package app

import (
	"time"
)

// Role is what a user may do. Roles come from the server.
type Role string

// Roles.
const (
	RolePicker     Role = "picker"
	RoleReceiver   Role = "receiver"
	RoleCounter    Role = "counter"
	RoleSupervisor Role = "supervisor"
	RoleAdmin      Role = "admin"
)

// User is someone who may sign in on this device.
type User struct {
	Code  string
	Name  string
	Roles []Role
}

// Has reports whether u holds role r.
func (u User) Has(r Role) bool {
	for _, have := range u.Roles {
		if have == r {
			return true
		}
	}
	return false
}

// Level says how a scan went, for colour, sound and vibration.
type Level int

// Feedback levels.
const (
	Good Level = iota // accepted as expected
	Warn              // accepted and flagged (short-dated lot, over-receipt into quarantine)
	Bad               // refused or an exception; nothing accepted as normal stock
)

func (l Level) String() string {
	switch l {
	case Good:
		return "good"
	case Warn:
		return "warn"
	}
	return "bad"
}

// Feedback is what the screen shows after a scan: Title in large text (the
// SKU and quantity, or what went wrong), Detail below it.
type Feedback struct {
	Level  Level
	Title  string
	Detail string
}

// SyncStatus is the always-visible sync indicator.
type SyncStatus struct {
	Enrolled bool
	Online   bool
	// Unsynced counts events the server has not acknowledged; Oldest is
	// when the oldest of them was recorded (zero when none).
	Unsynced int
	Oldest   time.Time
	LastSync time.Time // zero: never
	// Attention counts parked or rejected events nobody dismissed.
	Attention int
	// Problem is why the last session failed, in words, or "".
	Problem string
	// Fatal: the server refused the device (revoked, restored from a
	// backup); it needs enrolling again.
	Fatal bool
}

// EnrollProgress reports the first catalog snapshot.
type EnrollProgress struct {
	Done, Total int // rows stored, rows expected (Total 0: unknown yet)
}

// ExceptionCode names an exception flagged during receiving. Exceptions
// travel to the server as events of kind "exception" with the code as
// their reason.
type ExceptionCode string

// Exception codes.
const (
	ExUnknownBarcode  ExceptionCode = "unknown_barcode"
	ExNotOnPO         ExceptionCode = "not_on_po"
	ExOverReceipt     ExceptionCode = "over_receipt"
	ExExpired         ExceptionCode = "expired_lot"
	ExShortDated      ExceptionCode = "short_dated"
	ExDuplicateSerial ExceptionCode = "duplicate_serial"
	ExDamaged         ExceptionCode = "damaged"
)

// PurchaseOrderSummary is a purchase order the clerk can choose.
type PurchaseOrderSummary struct {
	Number       string
	Supplier     string // name, or code when the name is unknown
	ExpectedDate string
	Lines        int
	Status       string
}

// ReceiptLine is the running tally of one purchase order line (or of a
// SKU that is not on the order). Ordered and Remaining are hidden in
// blind mode: Blind is set and both are zero.
type ReceiptLine struct {
	SKU         string
	Name        string
	Ordered     int64 // on the order, 0 when not on it or blind
	Before      int64 // received on earlier receipts (from the server), 0 when blind
	Received    int64 // accepted in this receipt, into the dock
	Quarantined int64 // in this receipt, into quarantine (damaged, expired, over-receipt, not on the order)
	OnOrder     bool
	Blind       bool
}

// ReceiptScan is one accepted or flagged scan of a receipt draft.
type ReceiptScan struct {
	N         int // 1-based, in scan order
	At        time.Time
	Barcode   string
	SKU       string
	Lot       string
	Serial    string
	Expiry    string // YYYY-MM-DD or ""
	Qty       int64
	Exception ExceptionCode // "" for a clean match
	Reason    string        // the damage reason, or the exception in words
	Voided    bool          // undone by the clerk before finishing
}

// ReceiptSummary is what finishing a receipt shows and writes.
type ReceiptSummary struct {
	PO         string
	Lines      []ReceiptLine
	Matched    int64 // units received clean into the dock
	Quarantine int64 // units received into quarantine
	Exceptions map[ExceptionCode]int
	Events     int // events written
	Blind      bool
}

// StockLine is stock at one location as the device sees it.
type StockLine struct {
	Location string
	SKU      string
	Name     string
	Lot      string
	Qty      int64
}

// PutawayStep is where a put-away is.
type PutawayStep int

// Put-away steps.
const (
	PutawayScanItem PutawayStep = iota // scan received stock (an item at the dock)
	PutawayScanBin                     // scan the destination bin
)

// PutawayState is what the put-away screen shows.
type PutawayState struct {
	Step      PutawayStep
	Item      StockLine // what is being put away (Qty: how many)
	Suggested string    // suggested bin: where the SKU already lives, else an empty bin
	Why       string    // why that bin ("holds 12 of this SKU", "empty bin")
	// Pallet is the SSCC of a pallet being put away whole; Lines are what
	// it holds at the dock (Item then sums them: SKU "pallet", Name the
	// order and the number of lines, Qty the units).
	Pallet string
	Lines  []StockLine
}

// Disposition is what happens to a returned item after inspection.
type Disposition string

// Dispositions.
const (
	Restock Disposition = "restock" // put away to a bin
	Damage  Disposition = "damage"  // moved to quarantine
	Scrap   Disposition = "scrap"   // written off
)
