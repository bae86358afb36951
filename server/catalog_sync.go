package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/driftless/driftless/syncproto"
)

// Reference data for devices: the catalog part of a pull (PullCatalog)
// and the snapshot a new device starts from (Snapshot). See the
// "Reference data" and "Snapshot" sections of syncproto's documentation.

// CatalogCounter is implemented by catalog stores that count records
// cheaply; snapshots use it to say how many rows they will send. Without
// it a snapshot's total is 0 (unknown).
type CatalogCounter interface {
	// CountCatalog counts the records of a kind that f selects (its
	// Warehouse, Status and Archived fields).
	CountCatalog(ctx context.Context, kind CatalogKind, f ListFilter) (int, error)
	// CountStock counts a warehouse's stock levels.
	CountStock(ctx context.Context, warehouse string) (int, error)
}

// announcingStore publishes the catalog head on the hub after every
// committed catalog write, so that connected devices are poked.
type announcingStore struct {
	CatalogStore
	hub *Hub
}

func (a announcingStore) UpdateCatalog(ctx context.Context, fn func(ctx context.Context, tx CatalogTx) error) error {
	var head uint64
	err := a.CatalogStore.UpdateCatalog(ctx, func(ctx context.Context, tx CatalogTx) error {
		if err := fn(ctx, tx); err != nil {
			return err
		}
		h, err := tx.CatalogHead(ctx)
		head = h
		return err
	})
	if err == nil && head > 0 {
		a.hub.PublishCatalog(head)
	}
	return err
}

// catalogHeads spares a pull the store when the catalog has not changed
// since the device's catalog cursor: every pull of every handheld asks,
// and catalog changes are rare. The head is the highest of what a store
// read last saw and what the hub announced since (every committed
// catalog write is announced, here or from another replica); a read older
// than catalogRecheck is not trusted, so a change that was never
// announced reaches the devices a second late, not never.
type catalogHeads struct {
	mu      sync.Mutex
	head    uint64
	checked time.Time
}

const catalogRecheck = time.Second

func (h *catalogHeads) unchangedSince(now time.Time, announced, after uint64) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return !h.checked.IsZero() && now.Sub(h.checked) < catalogRecheck && max(h.head, announced) <= after
}

func (h *catalogHeads) saw(now time.Time, head uint64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.head, h.checked = max(h.head, head), now
}

// Head returns the catalog head: the position of the last catalog change.
func (c *Catalog) Head(ctx context.Context) (uint64, error) {
	var head uint64
	err := c.store.ViewCatalog(ctx, func(ctx context.Context, tx CatalogReadTx) (err error) {
		head, err = tx.CatalogHead(ctx)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("read catalog head: %w", err)
	}
	return head, nil
}

// CatalogPage is the catalog part of a changes message.
type CatalogPage struct {
	Records *syncproto.Catalog
	// Cursor is where the device's catalog cursor goes; More says another
	// page follows.
	Cursor uint64
	More   bool
}

// PullCatalog returns the records a warehouse's devices hold that changed
// after a catalog position, each once in its current state, at most
// syncproto.MaxPage changes and about budget bytes of JSON (at least one
// record when there is one). The cursor is the catalog head when nothing
// is left, so changes of other warehouses do not hold a device back.
func (c *Catalog) PullCatalog(ctx context.Context, warehouse string, after uint64, budget int) (CatalogPage, error) {
	page := CatalogPage{Records: &syncproto.Catalog{}, Cursor: after}
	if c.heads.unchangedSince(c.now(), c.ledger.hub.CatalogHead(), after) {
		return page, nil
	}
	err := c.store.ViewCatalog(ctx, func(ctx context.Context, tx CatalogReadTx) error {
		head, err := tx.CatalogHead(ctx)
		if err != nil {
			return err
		}
		c.heads.saw(c.now(), head)
		changes, err := tx.CatalogChanges(ctx, warehouse, after, syncproto.MaxPage+1)
		if err != nil {
			return err
		}
		full := len(changes) > syncproto.MaxPage
		if full {
			changes = changes[:syncproto.MaxPage]
		}
		seen := make(map[CatalogChange]bool, len(changes))
		size := 0
		for i, ch := range changes {
			k := CatalogChange{Kind: ch.Kind, Key: ch.Key}
			if seen[k] {
				continue
			}
			seen[k] = true
			n, err := addRecord(ctx, tx, page.Records, warehouse, ch)
			if err != nil {
				return fmt.Errorf("%s %s: %w", ch.Kind, ch.Key.Code, err)
			}
			size += n
			if size > budget && page.Records.Len() > 1 {
				// Leave this record to the next page.
				dropLast(page.Records, ch.Kind)
				page.Cursor, page.More = changes[i-1].Position, true
				return nil
			}
		}
		switch {
		case full:
			page.Cursor, page.More = changes[len(changes)-1].Position, true
		case head > after:
			page.Cursor = head
		}
		return nil
	})
	if err != nil {
		return CatalogPage{}, fmt.Errorf("pull catalog after %d for %s: %w", after, warehouse, err)
	}
	return page, nil
}

// addRecord reads the record a change names and appends it to cat in its
// wire form, returning its encoded size (0 when the kind is not one
// devices hold).
func addRecord(ctx context.Context, tx CatalogReadTx, cat *syncproto.Catalog, warehouse string, ch CatalogChange) (int, error) {
	var rec any
	switch ch.Kind {
	case KindSKU:
		s, err := tx.SKU(ctx, ch.Key.Code)
		if err != nil {
			return 0, err
		}
		cat.SKUs = append(cat.SKUs, WireSKU(s))
		rec = cat.SKUs[len(cat.SKUs)-1]
	case KindBarcode:
		b, err := tx.Barcode(ctx, ch.Key.Code)
		if err != nil {
			return 0, err
		}
		cat.Barcodes = append(cat.Barcodes, WireBarcode(b))
		rec = cat.Barcodes[len(cat.Barcodes)-1]
	case KindSupplier:
		s, err := tx.Supplier(ctx, ch.Key.Code)
		if err != nil {
			return 0, err
		}
		cat.Suppliers = append(cat.Suppliers, WireSupplier(s))
		rec = cat.Suppliers[len(cat.Suppliers)-1]
	case KindWarehouse:
		if ch.Key.Code != warehouse {
			return 0, nil
		}
		w, err := tx.Warehouse(ctx, ch.Key.Code)
		if err != nil {
			return 0, err
		}
		cat.Warehouses = append(cat.Warehouses, WireWarehouse(w))
		rec = cat.Warehouses[len(cat.Warehouses)-1]
	case KindLocation:
		l, err := tx.Location(ctx, ch.Key.Warehouse, ch.Key.Code)
		if err != nil {
			return 0, err
		}
		cat.Locations = append(cat.Locations, WireLocation(l))
		rec = cat.Locations[len(cat.Locations)-1]
	case KindPurchaseOrder:
		o, err := tx.PurchaseOrder(ctx, ch.Key.Code)
		if err != nil {
			return 0, err
		}
		cat.PurchaseOrders = append(cat.PurchaseOrders, WirePurchaseOrder(o))
		rec = cat.PurchaseOrders[len(cat.PurchaseOrders)-1]
	case KindSalesOrder:
		o, err := tx.SalesOrder(ctx, ch.Key.Code)
		if err != nil {
			return 0, err
		}
		cat.SalesOrders = append(cat.SalesOrders, WireSalesOrder(o))
		rec = cat.SalesOrders[len(cat.SalesOrders)-1]
	case KindUser:
		u, err := tx.User(ctx, ch.Key.Code)
		if err != nil {
			return 0, err
		}
		cat.Users = append(cat.Users, WireUser(u))
		rec = cat.Users[len(cat.Users)-1]
	case KindTransfer:
		ttx, ok := tx.(TransferReadTx)
		if !ok {
			return 0, nil
		}
		t, err := ttx.Transfer(ctx, ch.Key.Code)
		if err != nil {
			return 0, err
		}
		if t.From != warehouse && t.To != warehouse {
			return 0, nil // logged as a shared kind: the two warehouses' only
		}
		cat.Transfers = append(cat.Transfers, WireTransfer(t))
		rec = cat.Transfers[len(cat.Transfers)-1]
	case KindPickList:
		ptx, err := pickingRead(tx)
		if err != nil {
			return 0, err
		}
		p, err := ptx.PickList(ctx, ch.Key.Code)
		if err != nil {
			return 0, err
		}
		cat.PickLists = append(cat.PickLists, WirePickList(p))
		rec = cat.PickLists[len(cat.PickLists)-1]
	case KindCountTask:
		ctr, err := countingRead(tx)
		if err != nil {
			return 0, err
		}
		t, err := ctr.CountTask(ctx, ch.Key.Code)
		if err != nil {
			return 0, err
		}
		cat.CountTasks = append(cat.CountTasks, WireCountTask(t))
		rec = cat.CountTasks[len(cat.CountTasks)-1]
	case KindAlert:
		rtx, err := replenishRead(tx)
		if err != nil {
			return 0, err
		}
		al, err := rtx.Alert(ctx, ch.Key.Code)
		if err != nil {
			return 0, err
		}
		cat.Alerts = append(cat.Alerts, WireAlert(al))
		rec = cat.Alerts[len(cat.Alerts)-1]
	default:
		return 0, nil
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return 0, err
	}
	return len(b) + 1, nil
}

func dropLast(cat *syncproto.Catalog, kind CatalogKind) {
	switch kind {
	case KindSKU:
		cat.SKUs = cat.SKUs[:len(cat.SKUs)-1]
	case KindBarcode:
		cat.Barcodes = cat.Barcodes[:len(cat.Barcodes)-1]
	case KindSupplier:
		cat.Suppliers = cat.Suppliers[:len(cat.Suppliers)-1]
	case KindWarehouse:
		cat.Warehouses = cat.Warehouses[:len(cat.Warehouses)-1]
	case KindLocation:
		cat.Locations = cat.Locations[:len(cat.Locations)-1]
	case KindPurchaseOrder:
		cat.PurchaseOrders = cat.PurchaseOrders[:len(cat.PurchaseOrders)-1]
	case KindSalesOrder:
		cat.SalesOrders = cat.SalesOrders[:len(cat.SalesOrders)-1]
	case KindUser:
		cat.Users = cat.Users[:len(cat.Users)-1]
	case KindPickList:
		cat.PickLists = cat.PickLists[:len(cat.PickLists)-1]
	case KindTransfer:
		cat.Transfers = cat.Transfers[:len(cat.Transfers)-1]
	case KindCountTask:
		cat.CountTasks = cat.CountTasks[:len(cat.CountTasks)-1]
	case KindAlert:
		cat.Alerts = cat.Alerts[:len(cat.Alerts)-1]
	}
}

// WireSKU is s as devices receive it.
func WireSKU(s SKU) syncproto.SKU {
	return syncproto.SKU{Code: s.Code, Name: s.Name, Unit: s.Unit, TrackLot: s.TrackLot, TrackExpiry: s.TrackExpiry,
		TrackSerial: s.TrackSerial, UnitCost: s.UnitCost, Category: s.Category, Archived: s.Archived, Position: s.Position}
}

// WireBarcode is b as devices receive it.
func WireBarcode(b Barcode) syncproto.Barcode {
	return syncproto.Barcode{Value: b.Value, SKU: b.SKU, Type: string(b.Type), Pack: b.Pack, Archived: b.Archived, Position: b.Position}
}

// WireSupplier is s as devices receive it.
func WireSupplier(s Supplier) syncproto.Supplier {
	return syncproto.Supplier{Code: s.Code, Name: s.Name, LeadTimeDays: s.LeadTimeDays, Archived: s.Archived, Position: s.Position}
}

// WireWarehouse is w as devices receive it.
func WireWarehouse(w Warehouse) syncproto.Warehouse {
	return syncproto.Warehouse{Code: w.Code, Name: w.Name, BlindReceiving: w.BlindReceiving,
		OverReceiptPct: w.OverReceiptPct, MinShelfLifeDays: w.MinShelfLifeDays, Archived: w.Archived, Position: w.Position}
}

// WireLocation is l as devices receive it.
func WireLocation(l Location) syncproto.Location {
	return syncproto.Location{Code: l.Code, Type: string(l.Type), Barcode: l.Barcode, Sequence: l.Sequence,
		Archived: l.Archived, Position: l.Position}
}

// WirePurchaseOrder is o as devices receive it.
func WirePurchaseOrder(o PurchaseOrder) syncproto.PurchaseOrder {
	w := syncproto.PurchaseOrder{Number: o.Number, Supplier: o.Supplier, Status: string(o.Status), ExpectedDate: o.ExpectedDate,
		Lines: make([]syncproto.POLine, len(o.Lines)), Archived: o.Archived, Position: o.Position}
	for i, ln := range o.Lines {
		w.Lines[i] = syncproto.POLine{SKU: ln.SKU, Ordered: ln.Ordered, Received: ln.Received}
	}
	if len(o.SSCCs) > 0 {
		w.SSCCs = append([]string(nil), o.SSCCs...)
	}
	return w
}

// WireUser is u as devices receive it: with its PIN hash, which devices
// check PINs against offline.
func WireUser(u User) syncproto.User {
	roles := append([]string{}, u.Roles...)
	return syncproto.User{Code: u.Code, Name: u.Name, Roles: roles, PINHash: u.PINHash, Archived: u.Archived, Position: u.Position}
}

// WireSalesOrder is o as devices receive it.
func WireSalesOrder(o SalesOrder) syncproto.SalesOrder {
	w := syncproto.SalesOrder{Number: o.Number, Customer: o.Customer, Status: string(o.Status),
		Lines: make([]syncproto.SOLine, len(o.Lines)), Archived: o.Archived, Position: o.Position}
	for i, ln := range o.Lines {
		w.Lines[i] = syncproto.SOLine{SKU: ln.SKU, Qty: ln.Qty, Picked: ln.Picked}
	}
	return w
}

// Snapshot page sizes.
const (
	DefaultSnapshotPage = 10000
	MaxSnapshotPage     = 50000
)

// SnapshotRequest asks for one snapshot page: the first (Token empty) or
// the one a previous page's Next names.
type SnapshotRequest struct {
	Token string
	// Stock and Limit apply to the first page; later pages keep them.
	Stock bool
	Limit int
}

// snapToken is where a snapshot continues; it travels base64url-encoded.
type snapToken struct {
	Warehouse   string   `json:"w"`
	CatalogHead uint64   `json:"c"`
	Position    uint64   `json:"p"`
	Stock       bool     `json:"s"`
	Limit       int      `json:"l"`
	Section     int      `json:"x"`
	After       []string `json:"a,omitempty"`
	Page        int      `json:"k"`
	Done        int      `json:"d"`
	Total       int      `json:"t"`
}

// snapSection is one part of a snapshot: it reads up to limit rows after
// a key into the page and returns how many and the last key.
type snapSection struct {
	read  func(ctx context.Context, p *syncproto.SnapshotPage, after []string, limit int) (int, []string, error)
	count func(ctx context.Context, cc CatalogCounter, warehouse string) (int, error)
}

func section[T any, W any](col *Collection[T], f ListFilter, wire func(T) W, out func(*syncproto.SnapshotPage) *[]W) snapSection {
	return snapSection{
		read: func(ctx context.Context, p *syncproto.SnapshotPage, after []string, limit int) (int, []string, error) {
			f := f
			f.Limit = limit
			if len(after) == 2 {
				f.After = &CatalogKey{Warehouse: after[0], Code: after[1]}
			}
			recs, err := col.List(ctx, f)
			if err != nil || len(recs) == 0 {
				return 0, after, err
			}
			dst := out(p)
			for _, r := range recs {
				*dst = append(*dst, wire(r))
			}
			k := col.Key(&recs[len(recs)-1])
			return len(recs), []string{k.Warehouse, k.Code}, nil
		},
		count: func(ctx context.Context, cc CatalogCounter, _ string) (int, error) {
			return cc.CountCatalog(ctx, col.Kind, f)
		},
	}
}

func (c *Catalog) snapSections(warehouse string, stock bool) []snapSection {
	active := ListFilter{Archived: ActiveOnly}
	own := ListFilter{Archived: ActiveOnly, Warehouse: warehouse}
	ownStatus := func(s string) ListFilter { f := own; f.Status = s; return f }
	ss := []snapSection{
		{ // the device's own warehouse, one row
			read: func(ctx context.Context, p *syncproto.SnapshotPage, after []string, _ int) (int, []string, error) {
				if after != nil {
					return 0, after, nil
				}
				w, err := c.Warehouses.Get(ctx, CatalogKey{Warehouse: warehouse, Code: warehouse})
				if err != nil || w.Archived {
					return 0, after, err
				}
				p.Warehouses = append(p.Warehouses, WireWarehouse(w))
				return 1, []string{warehouse}, nil
			},
			count: func(context.Context, CatalogCounter, string) (int, error) { return 1, nil },
		},
		section(c.Suppliers, active, WireSupplier, func(p *syncproto.SnapshotPage) *[]syncproto.Supplier { return &p.Suppliers }),
		section(c.SKUs, active, WireSKU, func(p *syncproto.SnapshotPage) *[]syncproto.SKU { return &p.SKUs }),
		section(c.Barcodes, active, WireBarcode, func(p *syncproto.SnapshotPage) *[]syncproto.Barcode { return &p.Barcodes }),
		section(c.Locations, own, WireLocation, func(p *syncproto.SnapshotPage) *[]syncproto.Location { return &p.Locations }),
	}
	for _, st := range []PurchaseOrderStatus{POOpen, POPartiallyReceived} {
		ss = append(ss, section(c.PurchaseOrders, ownStatus(string(st)), WirePurchaseOrder,
			func(p *syncproto.SnapshotPage) *[]syncproto.PurchaseOrder { return &p.PurchaseOrders }))
	}
	for _, st := range []SalesOrderStatus{SOOpen, SOPartiallyPicked} {
		ss = append(ss, section(c.SalesOrders, ownStatus(string(st)), WireSalesOrder,
			func(p *syncproto.SnapshotPage) *[]syncproto.SalesOrder { return &p.SalesOrders }))
	}
	for _, st := range heldPickListStatuses {
		ss = append(ss, section(c.PickLists, ownStatus(string(st)), WirePickList,
			func(p *syncproto.SnapshotPage) *[]syncproto.PickList { return &p.PickLists }))
	}
	ss = append(ss, section(c.Users, active, WireUser, func(p *syncproto.SnapshotPage) *[]syncproto.User { return &p.Users }),
		c.transferSection(warehouse))
	for _, st := range []string{CountTaskOpen, CountTaskAssigned} {
		ss = append(ss, c.countTaskSection(warehouse, st)) // counting.go
	}
	ss = append(ss, c.alertSection(warehouse)) // alerts.go
	if stock {
		ss = append(ss, snapSection{
			read: func(ctx context.Context, p *syncproto.SnapshotPage, after []string, limit int) (int, []string, error) {
				f := StockFilter{Warehouse: warehouse, Limit: limit}
				if len(after) == 3 {
					f.After = &StockKey{Warehouse: warehouse, Location: after[0], SKU: after[1], Lot: after[2]}
				}
				levels, err := c.ledger.Stock(ctx, f)
				if err != nil || len(levels) == 0 {
					return 0, after, err
				}
				for _, l := range levels {
					p.Levels = append(p.Levels, syncproto.Level{Location: l.Location, SKU: l.SKU, Lot: l.Lot, Qty: l.Qty, Position: l.Position})
				}
				k := levels[len(levels)-1].StockKey
				return len(levels), []string{k.Location, k.SKU, k.Lot}, nil
			},
			count: func(ctx context.Context, cc CatalogCounter, warehouse string) (int, error) {
				return cc.CountStock(ctx, warehouse)
			},
		})
	}
	return ss
}

// Snapshot returns one page of a device's snapshot: its warehouse's
// reference records (the ones a device holds) and, when asked, its stock
// levels, in key order. The first page pins the catalog head and the
// warehouse's ledger head; the device continues pulling after them once
// it has every page, which re-delivers whatever changed while it
// downloaded (see syncproto's "Snapshot").
func (c *Catalog) Snapshot(ctx context.Context, dev Device, req SnapshotRequest) (*syncproto.SnapshotPage, error) {
	tok, err := c.snapStart(ctx, dev, req)
	if err != nil {
		return nil, fmt.Errorf("snapshot for device %s: %w", dev.ID, err)
	}
	sections := c.snapSections(tok.Warehouse, tok.Stock)
	if tok.Page == 0 {
		if cc, ok := c.counter(); ok {
			for _, s := range sections {
				n, err := s.count(ctx, cc, tok.Warehouse)
				if err != nil {
					return nil, fmt.Errorf("snapshot for device %s: count: %w", dev.ID, err)
				}
				tok.Total += n
			}
		}
	}
	tok.Page++
	p := &syncproto.SnapshotPage{Warehouse: tok.Warehouse, CatalogHead: tok.CatalogHead, Position: tok.Position,
		Stock: tok.Stock, Page: tok.Page}
	for p.Rows < tok.Limit && tok.Section < len(sections) {
		want := tok.Limit - p.Rows
		n, last, err := sections[tok.Section].read(ctx, p, tok.After, want)
		if err != nil {
			return nil, fmt.Errorf("snapshot for device %s: page %d: %w", dev.ID, tok.Page, err)
		}
		p.Rows += n
		if n < want {
			tok.Section, tok.After = tok.Section+1, nil
		} else {
			tok.After = last
		}
	}
	tok.Done += p.Rows
	p.Done, p.Total = tok.Done, max(tok.Total, tok.Done)
	if tok.Section < len(sections) {
		b, err := json.Marshal(tok)
		if err != nil {
			return nil, fmt.Errorf("snapshot for device %s: %w", dev.ID, err)
		}
		p.Next = base64.RawURLEncoding.EncodeToString(b)
	}
	return p, nil
}

// counter returns the store's CatalogCounter, if it has one.
func (c *Catalog) counter() (CatalogCounter, bool) {
	s := c.store
	if a, ok := s.(announcingStore); ok {
		s = a.CatalogStore
	}
	cc, ok := s.(CatalogCounter)
	return cc, ok
}

// snapStart decodes the request's token, or pins the heads for a first
// page.
func (c *Catalog) snapStart(ctx context.Context, dev Device, req SnapshotRequest) (snapToken, error) {
	if req.Token != "" {
		var tok snapToken
		b, err := base64.RawURLEncoding.DecodeString(req.Token)
		if err == nil {
			err = json.Unmarshal(b, &tok)
		}
		if err != nil || tok.Page < 1 || tok.Limit < 1 || tok.Limit > MaxSnapshotPage || tok.Section < 0 {
			return tok, &Error{Code: EInvalid, Field: "page", Message: "page must be the next token of the previous snapshot page"}
		}
		if tok.Warehouse != dev.Warehouse {
			return tok, &Error{Code: EInvalid, Field: "page", Message: "this page token belongs to another warehouse's snapshot"}
		}
		return tok, nil
	}
	tok := snapToken{Warehouse: dev.Warehouse, Stock: req.Stock, Limit: req.Limit}
	if tok.Limit == 0 {
		tok.Limit = DefaultSnapshotPage
	}
	if tok.Limit < 1 || tok.Limit > MaxSnapshotPage {
		return tok, &Error{Code: EInvalid, Field: "limit", Message: fmt.Sprintf("limit must be from 1 to %d", MaxSnapshotPage)}
	}
	err := c.store.ViewCatalog(ctx, func(ctx context.Context, tx CatalogReadTx) (err error) {
		if tok.CatalogHead, err = tx.CatalogHead(ctx); err != nil {
			return err
		}
		tok.Position, err = tx.Head(ctx, dev.Warehouse)
		return err
	})
	return tok, err
}

// Announce passes ledger announcements to the wrapped store when it makes
// them (replicated stores), so that wrapping hides nothing.
func (a announcingStore) Announce(ctx context.Context, warehouse string, head uint64) error {
	if an, ok := a.CatalogStore.(Announcer); ok {
		return an.Announce(ctx, warehouse, head)
	}
	return nil
}
