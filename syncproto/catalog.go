package syncproto

// Reference data on the wire: the records a device holds so that it can
// resolve scans offline. They travel in snapshot pages (SnapshotPage, over
// HTTP) and in the catalog part of changes (after a pull with a
// catalog_cursor). See the package documentation.

// Catalog is a set of reference records grouped by kind. Each list is in
// key order within a snapshot page and in change order within a changes
// page; an absent list is empty.
type Catalog struct {
	Warehouses     []Warehouse     `json:"warehouses,omitempty"`
	Suppliers      []Supplier      `json:"suppliers,omitempty"`
	SKUs           []SKU           `json:"skus,omitempty"`
	Barcodes       []Barcode       `json:"barcodes,omitempty"`
	Locations      []Location      `json:"locations,omitempty"`
	PurchaseOrders []PurchaseOrder `json:"purchase_orders,omitempty"`
	SalesOrders    []SalesOrder    `json:"sales_orders,omitempty"`
	Users          []User          `json:"users,omitempty"`
	PickLists      []PickList      `json:"pick_lists,omitempty"`
	Transfers      []Transfer      `json:"transfers,omitempty"`
	CountTasks     []CountTask     `json:"count_tasks,omitempty"`
	Alerts         []Alert         `json:"alerts,omitempty"`
}

// Len is the number of records in c.
func (c *Catalog) Len() int {
	if c == nil {
		return 0
	}
	return len(c.Warehouses) + len(c.Suppliers) + len(c.SKUs) + len(c.Barcodes) + len(c.Locations) +
		len(c.PurchaseOrders) + len(c.SalesOrders) + len(c.Users) + len(c.PickLists) + len(c.Transfers) + len(c.CountTasks) + len(c.Alerts)
}

// Warehouse is the device's own warehouse.
type Warehouse struct {
	Code           string `json:"code"`
	Name           string `json:"name"`
	BlindReceiving bool   `json:"blind_receiving,omitempty"`
	// OverReceiptPct is how far above the ordered quantity, in percent,
	// a line may be received before the excess is flagged (0: none).
	OverReceiptPct int64 `json:"over_receipt_pct,omitempty"`
	// MinShelfLifeDays flags a received lot expiring within that many
	// days as short-dated (0: only expired lots are flagged).
	MinShelfLifeDays int64  `json:"min_shelf_life_days,omitempty"`
	Archived         bool   `json:"archived,omitempty"`
	Position         uint64 `json:"position"`
}

// Supplier is who purchase orders are placed with.
type Supplier struct {
	Code         string `json:"code"`
	Name         string `json:"name"`
	LeadTimeDays int64  `json:"lead_time_days,omitempty"`
	Archived     bool   `json:"archived,omitempty"`
	Position     uint64 `json:"position"`
}

// SKU is a stock-keeping unit; UnitCost is in cents per base unit.
type SKU struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Unit        string `json:"unit"`
	TrackLot    bool   `json:"track_lot,omitempty"`
	TrackExpiry bool   `json:"track_expiry,omitempty"`
	TrackSerial bool   `json:"track_serial,omitempty"`
	UnitCost    int64  `json:"unit_cost,omitempty"`
	// Category groups SKUs in usage reports ("" when none).
	Category string `json:"category,omitempty"`
	Archived bool   `json:"archived,omitempty"`
	Position uint64 `json:"position"`
}

// Barcode maps a scanned value to a SKU and the base units one scan of it
// stands for (Pack). Value is as the catalog holds it; the device keys
// GTINs by their 14-digit form.
type Barcode struct {
	Value    string `json:"value"`
	SKU      string `json:"sku"`
	Type     string `json:"type"` // gtin | internal
	Pack     int64  `json:"pack"`
	Archived bool   `json:"archived,omitempty"`
	Position uint64 `json:"position"`
}

// Location is a place in the device's warehouse; Barcode is its label.
type Location struct {
	Code     string `json:"code"`
	Type     string `json:"type"` // dock | bin | quarantine | returns | staging | transit
	Barcode  string `json:"barcode,omitempty"`
	Sequence int64  `json:"sequence"`
	Archived bool   `json:"archived,omitempty"`
	Position uint64 `json:"position"`
}

// PurchaseOrder is an order the warehouse receives against.
type PurchaseOrder struct {
	Number       string   `json:"number"`
	Supplier     string   `json:"supplier"`
	Status       string   `json:"status"`
	ExpectedDate string   `json:"expected_date,omitempty"`
	Lines        []POLine `json:"lines"`
	// SSCCs are the 18-digit SSCCs of the pallets announced for the order
	// (advance ship notice); scanning one opens the order.
	SSCCs    []string `json:"ssccs,omitempty"`
	Archived bool     `json:"archived,omitempty"`
	Position uint64   `json:"position"`
}

// POLine is one SKU of a purchase order, in base units.
type POLine struct {
	SKU      string `json:"sku"`
	Ordered  int64  `json:"ordered"`
	Received int64  `json:"received"`
}

// SalesOrder is an order the warehouse picks.
type SalesOrder struct {
	Number   string   `json:"number"`
	Customer string   `json:"customer"`
	Status   string   `json:"status"`
	Lines    []SOLine `json:"lines"`
	Archived bool     `json:"archived,omitempty"`
	Position uint64   `json:"position"`
}

// SOLine is one SKU of a sales order, in base units.
type SOLine struct {
	SKU    string `json:"sku"`
	Qty    int64  `json:"qty"`
	Picked int64  `json:"picked"`
}

// User is someone who may sign in on the warehouse's devices; users are
// shared by every warehouse. PINHash is a bcrypt hash of the user's PIN,
// which devices check offline. Roles are picker, receiver, counter,
// supervisor and admin.
type User struct {
	Code     string   `json:"code"`
	Name     string   `json:"name"`
	Roles    []string `json:"roles"`
	PINHash  string   `json:"pin_hash"`
	Archived bool     `json:"archived,omitempty"`
	Position uint64   `json:"position"`
}

// Held says whether a device holds the purchase order: it is not archived
// and is open or partially received (the statuses receiving works
// against).
func (o *PurchaseOrder) Held() bool {
	return !o.Archived && (o.Status == "open" || o.Status == "partially_received")
}

// Held says whether a device holds the sales order: it is not archived
// and is open or partially picked (the statuses picking works against).
func (o *SalesOrder) Held() bool {
	return !o.Archived && (o.Status == "open" || o.Status == "partially_picked")
}

// SnapshotPage is one page of a device's snapshot (GET /api/v1/snapshot).
// The first page pins CatalogHead and Position; every later page repeats
// them. After the last page (Next empty) the device's catalog cursor is
// CatalogHead and, when the snapshot carried stock, its ledger cursor is
// Position.
type SnapshotPage struct {
	Warehouse   string `json:"warehouse"`
	CatalogHead uint64 `json:"catalog_head"`
	Position    uint64 `json:"position"`
	// Stock says whether the snapshot carries stock levels.
	Stock bool `json:"stock"`
	// Page is this page's number from 1; Rows the records and levels on
	// it; Done the rows so far including this page; Total the rows of the
	// whole snapshot as counted when the first page was read (0 when the
	// server cannot count). Progress is Done/Total.
	Page  int `json:"page"`
	Rows  int `json:"rows"`
	Done  int `json:"done"`
	Total int `json:"total"`
	Catalog
	Levels []Level `json:"levels,omitempty"`
	// Next is the token of the next page; empty on the last page.
	Next string `json:"next,omitempty"`
}

// PickList is a walk through the warehouse that picks one or more sales
// orders (several: batch picking). The server allocates it; devices of its
// warehouse hold it while it is open. Tasks are in walking order.
type PickList struct {
	ID     string `json:"id"`
	Status string `json:"status"` // open | assigned | in_progress | done | cancelled
	// AssignedTo is the user code of the picker it is assigned to; empty
	// while anyone may take it.
	AssignedTo string     `json:"assigned_to,omitempty"`
	Orders     []string   `json:"orders"`
	Tasks      []PickTask `json:"tasks"`
	Archived   bool       `json:"archived,omitempty"`
	Position   uint64     `json:"position"`
}

// PickTask is one stop of a pick list: take Qty of a SKU (and lot) from a
// location for a sales order. Picked counts what the applied picks took.
type PickTask struct {
	ID       string `json:"id"` // unique, e.g. "PL-000123/4"; picks carry it as Event.Task
	Seq      int64  `json:"seq"`
	Order    string `json:"order"`
	Location string `json:"location"`
	SKU      string `json:"sku"`
	Lot      string `json:"lot,omitempty"`
	Expiry   string `json:"expiry,omitempty"` // YYYY-MM-DD of the lot, when known
	Qty      int64  `json:"qty"`
	Picked   int64  `json:"picked"`
	Status   string `json:"status"` // open | picked | short | cancelled
}

// Held says whether a device holds the pick list: not archived, not done
// or cancelled.
func (p *PickList) Held() bool {
	return !p.Archived && (p.Status == "open" || p.Status == "assigned" || p.Status == "in_progress")
}

// Transfer moves stock between two warehouses through an in-transit
// state: the sending warehouse ships it (moves into its location of type
// transit with Ref = Number), the receiving one receives it (receive
// events with Ref = Number). Both warehouses' devices hold it while it is
// open.
type Transfer struct {
	Number   string         `json:"number"`
	From     string         `json:"from"`   // sending warehouse
	To       string         `json:"to"`     // receiving warehouse
	Status   string         `json:"status"` // open | shipped | received | cancelled
	Lines    []TransferLine `json:"lines"`
	Archived bool           `json:"archived,omitempty"`
	Position uint64         `json:"position"`
}

// TransferLine is one SKU (and lot) of a transfer, in base units.
type TransferLine struct {
	SKU      string `json:"sku"`
	Lot      string `json:"lot,omitempty"`
	Qty      int64  `json:"qty"`
	Shipped  int64  `json:"shipped"`
	Received int64  `json:"received"`
}

// Held says whether a device holds the transfer.
func (t *Transfer) Held() bool {
	return !t.Archived && (t.Status == "open" || t.Status == "shipped")
}

// CountTask sends a counter to a bin for a blind count: the device never
// shows the expected quantity. Tasks come from the count schedule (by the
// bin's ABC class) or are triggered (a short pick, a movement parked for
// lack of stock, stock going to zero, a disputed put-away, a supervisor's
// recount). Devices of the task's warehouse hold open tasks; count events
// name the task in Event.Task.
type CountTask struct {
	ID         string `json:"id"` // e.g. "CT-000042"
	Location   string `json:"location"`
	Status     string `json:"status"` // open | assigned | counted | cancelled
	AssignedTo string `json:"assigned_to,omitempty"`
	// NotBy is a user who may not count it (the first counter of a
	// recount).
	NotBy    string `json:"not_by,omitempty"`
	Reason   string `json:"reason"` // scheduled | short_pick | parked | zero_stock | putaway_dispute | recount
	Class    string `json:"class,omitempty"`
	Due      string `json:"due"` // YYYY-MM-DD
	Archived bool   `json:"archived,omitempty"`
	Position uint64 `json:"position"`
}

// Held says whether a device holds the count task.
func (t *CountTask) Held() bool {
	return !t.Archived && (t.Status == "open" || t.Status == "assigned")
}

// Alert says a SKU's available stock in the warehouse crossed its reorder
// point: raised once per crossing, cleared when stock recovers. Devices of
// the warehouse hold active alerts.
type Alert struct {
	ID           string `json:"id"` // e.g. "AL-000007"
	SKU          string `json:"sku"`
	Available    int64  `json:"available"` // on hand − allocated when raised
	ReorderPoint int64  `json:"reorder_point"`
	OnOrder      int64  `json:"on_order"`
	Suggested    int64  `json:"suggested"` // quantity to order, after multiples and minimums
	Status       string `json:"status"`    // active | cleared
	RaisedAt     string `json:"raised_at"` // RFC 3339
	Archived     bool   `json:"archived,omitempty"`
	Position     uint64 `json:"position"`
}

// Held says whether a device holds the alert.
func (a *Alert) Held() bool { return !a.Archived && a.Status == "active" }
