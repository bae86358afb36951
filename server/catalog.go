package server

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// CatalogKind names a kind of reference record. It is the kind a catalog
// change carries and the name of its REST collection's record.
type CatalogKind string

// Catalog kinds.
const (
	KindSKU           CatalogKind = "sku"
	KindBarcode       CatalogKind = "barcode"
	KindWarehouse     CatalogKind = "warehouse"
	KindLocation      CatalogKind = "location"
	KindSupplier      CatalogKind = "supplier"
	KindPurchaseOrder CatalogKind = "purchase_order"
	KindSalesOrder    CatalogKind = "sales_order"
	KindUser          CatalogKind = "user"
)

// CatalogKey identifies a reference record: Code is the SKU code, barcode
// value, warehouse, location, supplier code or order number; Warehouse is
// set for the records that belong to one warehouse (locations and
// orders) and empty for the ones every warehouse shares (SKUs, barcodes,
// suppliers, users). Records list in key order: warehouse, then code.
type CatalogKey struct {
	Warehouse string
	Code      string
}

// Meta is what every reference record carries besides its own fields.
// Records are never deleted: archiving hides them from lists and from new
// orders, and devices learn it through the change stream.
type Meta struct {
	Archived   bool      `json:"archived"`
	ArchivedAt time.Time `json:"archived_at,omitzero"`
	// Position is the catalog change position of the record's last change.
	Position uint64 `json:"position"`
}

// SKU is a stock-keeping unit. Quantities everywhere are integers in its
// base Unit; UnitCost is in minor currency units (cents) per base unit.
type SKU struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Unit        string `json:"unit"`
	TrackLot    bool   `json:"track_lot"`
	TrackExpiry bool   `json:"track_expiry"`
	TrackSerial bool   `json:"track_serial"`
	UnitCost    int64  `json:"unit_cost"`
	// Category groups SKUs in the usage reports (free text, "" when
	// none; compared exactly).
	Category string `json:"category,omitempty"`
	Meta
}

// BarcodeType says what a barcode claims to be.
type BarcodeType string

// Barcode types. A GTIN is checked for length and check digit; an internal
// code is any printable text.
const (
	BarcodeGTIN     BarcodeType = "gtin"
	BarcodeInternal BarcodeType = "internal"
)

// Barcode maps a scanned value to a SKU and the number of base units one
// scan stands for (1 for an item, 12 for a case of 12). A value belongs to
// one SKU and pack across the whole catalog.
type Barcode struct {
	Value string      `json:"value"`
	SKU   string      `json:"sku"`
	Type  BarcodeType `json:"type"`
	Pack  int64       `json:"pack"`
	Meta
}

// Warehouse is a site with its own locations, stock and devices.
type Warehouse struct {
	Code string `json:"code"`
	Name string `json:"name"`
	// BlindReceiving hides ordered quantities from receiving clerks.
	BlindReceiving bool `json:"blind_receiving"`
	// OverReceiptPct is how far above the ordered quantity, in percent, a
	// purchase order line may be received before devices flag the excess
	// (0: not at all).
	OverReceiptPct int64 `json:"over_receipt_pct"`
	// MinShelfLifeDays flags a received lot that expires within that many
	// days as short-dated (0: only expired lots are flagged).
	MinShelfLifeDays int64 `json:"min_shelf_life_days"`
	Meta
}

// LocationType is what a location is used for.
type LocationType string

// Location types.
const (
	LocationDock       LocationType = "dock"
	LocationBin        LocationType = "bin"
	LocationQuarantine LocationType = "quarantine"
	LocationReturns    LocationType = "returns"
	LocationStaging    LocationType = "staging"
)

// LocationTypes lists the location types.
var LocationTypes = []LocationType{LocationDock, LocationBin, LocationQuarantine, LocationReturns, LocationStaging}

// Location is a place in a warehouse stock sits at. Sequence is its place
// in the walking order pick lists follow; Barcode is its label, unique in
// its warehouse.
type Location struct {
	Warehouse string       `json:"warehouse"`
	Code      string       `json:"code"`
	Type      LocationType `json:"type"`
	Barcode   string       `json:"barcode"`
	Sequence  int64        `json:"sequence"`
	Meta
}

// Supplier is who purchase orders are placed with.
type Supplier struct {
	Code         string `json:"code"`
	Name         string `json:"name"`
	LeadTimeDays int64  `json:"lead_time_days"`
	Meta
}

// PurchaseOrderStatus is where a purchase order is in its life.
type PurchaseOrderStatus string

// Purchase order statuses.
const (
	PODraft             PurchaseOrderStatus = "draft"
	POOpen              PurchaseOrderStatus = "open"
	POPartiallyReceived PurchaseOrderStatus = "partially_received"
	POReceived          PurchaseOrderStatus = "received"
	POClosed            PurchaseOrderStatus = "closed"
	POCancelled         PurchaseOrderStatus = "cancelled"
)

// PurchaseOrderStatuses lists the purchase order statuses.
var PurchaseOrderStatuses = []PurchaseOrderStatus{PODraft, POOpen, POPartiallyReceived, POReceived, POClosed, POCancelled}

// PurchaseOrder is what a warehouse expects from a supplier: the target
// of receiving. ExpectedDate is a calendar date, YYYY-MM-DD, or empty.
type PurchaseOrder struct {
	Number       string              `json:"number"`
	Supplier     string              `json:"supplier"`
	Warehouse    string              `json:"warehouse"`
	Status       PurchaseOrderStatus `json:"status"`
	ExpectedDate string              `json:"expected_date"`
	Lines        []PurchaseOrderLine `json:"lines"`
	// SSCCs are the 18-digit serial shipping container codes of the
	// pallets the supplier announced (advance ship notice): scanning one
	// on a device opens the order.
	SSCCs []string `json:"ssccs,omitempty"`
	Meta
}

// PurchaseOrderLine is one SKU on a purchase order, in base units.
type PurchaseOrderLine struct {
	SKU      string `json:"sku"`
	Ordered  int64  `json:"ordered"`
	Received int64  `json:"received"`
}

// SalesOrderStatus is where a sales order is in its life.
type SalesOrderStatus string

// Sales order statuses.
const (
	SODraft           SalesOrderStatus = "draft"
	SOOpen            SalesOrderStatus = "open"
	SOPartiallyPicked SalesOrderStatus = "partially_picked"
	SOPicked          SalesOrderStatus = "picked"
	SOShipped         SalesOrderStatus = "shipped"
	SOCancelled       SalesOrderStatus = "cancelled"
)

// SalesOrderStatuses lists the sales order statuses.
var SalesOrderStatuses = []SalesOrderStatus{SODraft, SOOpen, SOPartiallyPicked, SOPicked, SOShipped, SOCancelled}

// SalesOrder is what a customer ordered from a warehouse: the target of
// picking.
type SalesOrder struct {
	Number    string           `json:"number"`
	Customer  string           `json:"customer"`
	Warehouse string           `json:"warehouse"`
	Status    SalesOrderStatus `json:"status"`
	Lines     []SalesOrderLine `json:"lines"`
	Meta
}

// SalesOrderLine is one SKU on a sales order, in base units.
type SalesOrderLine struct {
	SKU    string `json:"sku"`
	Qty    int64  `json:"qty"`
	Picked int64  `json:"picked"`
}

// Role is what a user may do on a device.
type Role string

// Roles.
const (
	RolePicker     Role = "picker"
	RoleReceiver   Role = "receiver"
	RoleCounter    Role = "counter"
	RoleSupervisor Role = "supervisor"
	RoleAdmin      Role = "admin"
)

// Roles lists the roles.
var Roles = []Role{RolePicker, RoleReceiver, RoleCounter, RoleSupervisor, RoleAdmin}

// User is someone who signs in on the handhelds with a PIN. Users are
// shared by every warehouse. The PIN is kept only as a bcrypt hash, which
// devices receive to check PINs offline; it is never shown.
type User struct {
	Code  string   `json:"code"`
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
	// PIN is input only: 4 to 8 digits, set on create or update to
	// (re)set the PIN; an update without it keeps the PIN the user has.
	// It is hashed before anything is stored and never returned.
	PIN string `json:"pin,omitempty"`
	// PINHash is the bcrypt hash of the PIN (empty: the user has none
	// and cannot sign in).
	PINHash string `json:"-"`
	Meta
}

// OpeningStock is a quantity found at a location when a warehouse starts
// using Driftless. It enters the ledger as a receive event of the
// warehouse's import device.
type OpeningStock struct {
	Warehouse string `json:"warehouse"`
	Location  string `json:"location"`
	SKU       string `json:"sku"`
	Lot       string `json:"lot"`
	Qty       int64  `json:"qty"`
}

// Archived selects records by their archived flag.
type Archived int

// Archived filters. The zero value lists active records only.
const (
	ActiveOnly Archived = iota
	ArchivedOnly
	ActiveAndArchived
)

// ListFilter selects reference records; empty fields match everything
// (a field a kind has no use for is ignored).
type ListFilter struct {
	// Q matches a substring of the code, name or number (case-insensitive
	// for ASCII), of the value for barcodes, of the customer for sales
	// orders, of an SSCC for purchase orders.
	Q         string
	Warehouse string
	Status    string // orders
	SKU       string // barcodes
	Supplier  string // purchase orders
	Type      string // locations and barcodes
	// AssignedTo is the user code a pick list is assigned to.
	AssignedTo string
	Archived   Archived
	// After is the key of the last record of the previous page; records
	// list in key order, so paging is stable while records change.
	After *CatalogKey
	Limit int // 0: no limit
}

// CatalogChange says a record changed at a position. Positions come from
// one counter, only increase, and are assigned in the transaction that
// makes the change; Warehouse is empty for the kinds every warehouse shares.
type CatalogChange struct {
	Position uint64
	Kind     CatalogKind
	Key      CatalogKey
}

// CatalogReadTx reads reference records in a consistent snapshot. The
// getters return an *Error ENotFound when the record does not exist.
type CatalogReadTx interface {
	ReadTx
	SKU(ctx context.Context, code string) (SKU, error)
	SKUs(ctx context.Context, f ListFilter) ([]SKU, error)
	Barcode(ctx context.Context, value string) (Barcode, error)
	Barcodes(ctx context.Context, f ListFilter) ([]Barcode, error)
	Warehouse(ctx context.Context, code string) (Warehouse, error)
	Warehouses(ctx context.Context, f ListFilter) ([]Warehouse, error)
	Location(ctx context.Context, warehouse, code string) (Location, error)
	// LocationByBarcode returns the location whose label is barcode.
	LocationByBarcode(ctx context.Context, warehouse, barcode string) (Location, error)
	Locations(ctx context.Context, f ListFilter) ([]Location, error)
	Supplier(ctx context.Context, code string) (Supplier, error)
	Suppliers(ctx context.Context, f ListFilter) ([]Supplier, error)
	PurchaseOrder(ctx context.Context, number string) (PurchaseOrder, error)
	PurchaseOrders(ctx context.Context, f ListFilter) ([]PurchaseOrder, error)
	SalesOrder(ctx context.Context, number string) (SalesOrder, error)
	SalesOrders(ctx context.Context, f ListFilter) ([]SalesOrder, error)
	User(ctx context.Context, code string) (User, error)
	Users(ctx context.Context, f ListFilter) ([]User, error)

	// CatalogChanges lists up to limit changes after position, in position
	// order, of the records a warehouse's devices hold: the shared kinds
	// and the warehouse's own (every warehouse's when warehouse is empty).
	// A record changed twice appears twice; the record itself is read with
	// the kind's getter.
	CatalogChanges(ctx context.Context, warehouse string, after uint64, limit int) ([]CatalogChange, error)
	// CatalogHead is the position of the last catalog change (0 when none).
	CatalogHead(ctx context.Context) (uint64, error)
}

// CatalogTx writes reference records. Each Put inserts or replaces the
// record at its key (an order's lines with it), assigns the next catalog
// change position and stores it in the record's Position, which it
// returns. Puts do not check business rules: Catalog does.
type CatalogTx interface {
	Tx
	CatalogReadTx
	PutSKU(ctx context.Context, s SKU) (uint64, error)
	PutBarcode(ctx context.Context, b Barcode) (uint64, error)
	PutWarehouse(ctx context.Context, w Warehouse) (uint64, error)
	PutLocation(ctx context.Context, l Location) (uint64, error)
	PutSupplier(ctx context.Context, s Supplier) (uint64, error)
	PutPurchaseOrder(ctx context.Context, o PurchaseOrder) (uint64, error)
	PutSalesOrder(ctx context.Context, o SalesOrder) (uint64, error)
	PutUser(ctx context.Context, u User) (uint64, error)
}

// CatalogStore is the storage the catalog needs: the ledger's store plus
// transactions that also read and write reference records. A CatalogTx is
// a ledger Tx too, so opening stock enters the ledger in the same
// transaction as the import that brings it.
type CatalogStore interface {
	Store
	UpdateCatalog(ctx context.Context, fn func(ctx context.Context, tx CatalogTx) error) error
	ViewCatalog(ctx context.Context, fn func(ctx context.Context, tx CatalogReadTx) error) error
}

// Problem is one thing wrong with a record: the field (named as in JSON
// and CSV) and why. Line is 0 for the record's own fields and n for the
// n-th line (1-based) of an order.
type Problem struct {
	Line    int
	Field   string
	Message string
}

// Path is the problem's field as a JSON path: "sku" or "lines[2].sku".
func (p Problem) Path() string {
	if p.Line > 0 {
		return fmt.Sprintf("lines[%d].%s", p.Line-1, p.Field)
	}
	return p.Field
}

// Err is the problem as an EInvalid *Error.
func (p Problem) Err() *Error {
	msg := p.Message
	if p.Line > 0 {
		msg = fmt.Sprintf("line %d: %s", p.Line, msg)
	}
	return &Error{Code: EInvalid, Field: p.Path(), Message: msg}
}

// problems collects the problems of one record.
type problems []Problem

func (ps *problems) add(field, format string, args ...any) {
	*ps = append(*ps, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (ps *problems) addLine(line int, field, format string, args ...any) {
	*ps = append(*ps, Problem{Line: line, Field: field, Message: fmt.Sprintf(format, args...)})
}

// maxCode is the longest code, number or barcode value accepted.
const maxCode = 64

// code checks a key field: required, at most maxCode bytes, printable,
// without leading or trailing spaces.
func (ps *problems) code(field, v string) {
	switch {
	case v == "":
		ps.add(field, "%s is required", field)
	case len(v) > maxCode:
		ps.add(field, "%s is longer than %d characters", field, maxCode)
	case strings.TrimSpace(v) != v:
		ps.add(field, "%s must not start or end with spaces", field)
	case !printable(v):
		ps.add(field, "%s has control characters or is not valid UTF-8", field)
	}
}

// text checks a free-text field.
func (ps *problems) text(field, v string, required bool) {
	switch {
	case v == "" && required:
		ps.add(field, "%s is required", field)
	case len(v) > 500:
		ps.add(field, "%s is longer than 500 characters", field)
	case !printable(v):
		ps.add(field, "%s has control characters or is not valid UTF-8", field)
	}
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

func oneOf[T ~string](v T, all []T) bool {
	for _, a := range all {
		if v == a {
			return true
		}
	}
	return false
}

func list[T ~string](all []T) string {
	s := make([]string, len(all))
	for i, a := range all {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}

// Validate checks the SKU's own fields.
func (s *SKU) Validate() []Problem {
	var ps problems
	ps.code("code", s.Code)
	ps.text("name", s.Name, true)
	ps.text("unit", s.Unit, true)
	if len(s.Unit) > 16 {
		ps.add("unit", "unit is longer than 16 characters")
	}
	if s.UnitCost < 0 {
		ps.add("unit_cost", "unit_cost must not be negative")
	}
	if s.Category != "" {
		ps.code("category", s.Category) // at most 64 printable characters, no edge spaces
	}
	return ps
}

// Validate checks the barcode's own fields: a GTIN must have a valid
// length and check digit.
func (b *Barcode) Validate() []Problem {
	var ps problems
	ps.code("value", b.Value)
	ps.code("sku", b.SKU)
	switch b.Type {
	case BarcodeGTIN:
		if b.Value != "" {
			if why := CheckGTIN(b.Value); why != "" {
				ps.add("value", "%s: %s", b.Value, why)
			}
		}
	case BarcodeInternal:
	default:
		ps.add("type", "type %q is not gtin or internal", b.Type)
	}
	if b.Pack < 1 {
		ps.add("pack", "pack must be 1 or more units")
	}
	return ps
}

// Validate checks the warehouse's own fields.
func (w *Warehouse) Validate() []Problem {
	var ps problems
	ps.code("code", w.Code)
	ps.text("name", w.Name, true)
	if w.OverReceiptPct < 0 || w.OverReceiptPct > 1000 {
		ps.add("over_receipt_pct", "over_receipt_pct must be from 0 to 1000")
	}
	if w.MinShelfLifeDays < 0 || w.MinShelfLifeDays > 3650 {
		ps.add("min_shelf_life_days", "min_shelf_life_days must be from 0 to 3650")
	}
	return ps
}

// Validate checks the location's own fields.
func (l *Location) Validate() []Problem {
	var ps problems
	ps.code("warehouse", l.Warehouse)
	ps.code("code", l.Code)
	if !oneOf(l.Type, LocationTypes) {
		ps.add("type", "type %q is not one of %s", l.Type, list(LocationTypes))
	}
	if l.Barcode != "" {
		ps.code("barcode", l.Barcode)
	}
	if l.Sequence < 0 {
		ps.add("sequence", "sequence must not be negative")
	}
	return ps
}

// Validate checks the supplier's own fields.
func (s *Supplier) Validate() []Problem {
	var ps problems
	ps.code("code", s.Code)
	ps.text("name", s.Name, true)
	if s.LeadTimeDays < 0 || s.LeadTimeDays > 3650 {
		ps.add("lead_time_days", "lead_time_days must be from 0 to 3650")
	}
	return ps
}

// Validate checks the purchase order's own fields and lines.
func (o *PurchaseOrder) Validate() []Problem {
	var ps problems
	ps.code("number", o.Number)
	ps.code("supplier", o.Supplier)
	ps.code("warehouse", o.Warehouse)
	if !oneOf(o.Status, PurchaseOrderStatuses) {
		ps.add("status", "status %q is not one of %s", o.Status, list(PurchaseOrderStatuses))
	}
	if o.ExpectedDate != "" {
		if _, err := time.Parse(time.DateOnly, o.ExpectedDate); err != nil {
			ps.add("expected_date", "expected_date %q is not a date YYYY-MM-DD", o.ExpectedDate)
		}
	}
	if len(o.Lines) == 0 && o.Status != PODraft {
		ps.add("lines", "only a draft purchase order may have no lines")
	}
	ssccs := map[string]bool{}
	for _, s := range o.SSCCs {
		if why := CheckSSCC(s); why != "" {
			ps.add("ssccs", "SSCC %q: %s", s, why)
		} else if ssccs[s] {
			ps.add("ssccs", "SSCC %s is listed twice", s)
		}
		ssccs[s] = true
	}
	seen := map[string]int{}
	for i, ln := range o.Lines {
		n := i + 1
		ps.lineSKU(n, ln.SKU, seen)
		if ln.Ordered < 1 {
			ps.addLine(n, "ordered", "ordered must be 1 or more")
		}
		if ln.Received < 0 {
			ps.addLine(n, "received", "received must not be negative")
		}
	}
	return ps
}

// Validate checks the sales order's own fields and lines.
func (o *SalesOrder) Validate() []Problem {
	var ps problems
	ps.code("number", o.Number)
	ps.text("customer", o.Customer, true)
	ps.code("warehouse", o.Warehouse)
	if !oneOf(o.Status, SalesOrderStatuses) {
		ps.add("status", "status %q is not one of %s", o.Status, list(SalesOrderStatuses))
	}
	if len(o.Lines) == 0 && o.Status != SODraft {
		ps.add("lines", "only a draft sales order may have no lines")
	}
	seen := map[string]int{}
	for i, ln := range o.Lines {
		n := i + 1
		ps.lineSKU(n, ln.SKU, seen)
		if ln.Qty < 1 {
			ps.addLine(n, "qty", "qty must be 1 or more")
		}
		if ln.Picked < 0 {
			ps.addLine(n, "picked", "picked must not be negative")
		}
	}
	return ps
}

func (ps *problems) lineSKU(n int, sku string, seen map[string]int) {
	if sku == "" {
		ps.addLine(n, "sku", "sku is required")
		return
	}
	if first, dup := seen[sku]; dup {
		ps.addLine(n, "sku", "sku %s is already on line %d", sku, first)
		return
	}
	seen[sku] = n
}

// Validate checks the user's own fields: roles from Roles, a PIN of 4 to
// 8 digits when one is given.
func (u *User) Validate() []Problem {
	var ps problems
	ps.code("code", u.Code)
	ps.text("name", u.Name, true)
	if len(u.Roles) == 0 {
		ps.add("roles", "a user needs at least one role: %s", list(Roles))
	}
	seen := map[string]bool{}
	for _, r := range u.Roles {
		switch {
		case !oneOf(Role(r), Roles):
			ps.add("roles", "role %q is not one of %s", r, list(Roles))
		case seen[r]:
			ps.add("roles", "role %s is listed twice", r)
		}
		seen[r] = true
	}
	if u.PIN != "" && !validPIN(u.PIN) {
		ps.add("pin", "pin must be 4 to 8 digits")
	}
	return ps
}

func validPIN(pin string) bool {
	if len(pin) < 4 || len(pin) > 8 {
		return false
	}
	for _, c := range pin {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Validate checks an opening stock row's own fields.
func (s *OpeningStock) Validate() []Problem {
	var ps problems
	ps.code("warehouse", s.Warehouse)
	ps.code("location", s.Location)
	ps.code("sku", s.SKU)
	if s.Lot != "" {
		ps.code("lot", s.Lot)
	}
	if s.Qty < 1 {
		ps.add("qty", "qty must be 1 or more")
	}
	return ps
}
