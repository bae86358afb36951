package server

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/driftless/driftless/syncproto"
)

// Transfers move stock between two warehouses through an in-transit
// state. The sending warehouse ships: a move event from a bin into one of
// its locations of type transit, with Ref = the transfer's number, adds
// its Qty to the line's Shipped. The receiving warehouse receives: a
// receive event at one of its locations with Ref = the number adds to the
// line's Received and, in the same transaction, takes the same quantity
// out of the sender's transit stock as an adjust of the sender's transit
// system device ("transit-" + warehouse). When the transit stock is short
// (the shipping device has not synced yet, or shipped less), the receive
// still applies at the destination and the missing part is parked as that
// system device's event, for a supervisor to accept (once the shipment is
// in, or with an adjustment) or cancel. Each event counts once, as it
// applies once. A transfer is a catalog record both warehouses' devices
// hold while it is open or shipped; its changes are logged as a shared
// kind and PullCatalog hands it to the two warehouses only.

// KindTransfer is the catalog kind of transfers.
const KindTransfer CatalogKind = "transfer"

// LocationTransit is a warehouse's in-transit location: where shipped
// transfer stock sits until the other warehouse receives it.
const LocationTransit LocationType = "transit"

func init() { LocationTypes = append(LocationTypes, LocationTransit) }

// TransitDeviceID is the ID of the system device that takes received
// transfers out of a warehouse's transit stock.
func TransitDeviceID(warehouse string) string { return "transit-" + warehouse }

// TransferStatus is where a transfer is in its life.
type TransferStatus string

// Transfer statuses.
const (
	TransferOpen      TransferStatus = "open"
	TransferShipped   TransferStatus = "shipped"
	TransferReceived  TransferStatus = "received"
	TransferCancelled TransferStatus = "cancelled"
)

// Transfer moves stock from one warehouse to another.
type Transfer struct {
	Number string         `json:"number"`
	From   string         `json:"from"`
	To     string         `json:"to"`
	Status TransferStatus `json:"status"`
	Lines  []TransferLine `json:"lines"`
	Meta
}

// TransferLine is one SKU (and lot) of a transfer, in base units.
type TransferLine struct {
	SKU      string `json:"sku"`
	Lot      string `json:"lot,omitempty"`
	Qty      int64  `json:"qty"`
	Shipped  int64  `json:"shipped"`
	Received int64  `json:"received"`
}

// Validate checks the transfer's own fields and lines.
func (t *Transfer) Validate() []Problem {
	var ps problems
	ps.code("number", t.Number)
	ps.code("from", t.From)
	ps.code("to", t.To)
	if t.From != "" && t.From == t.To {
		ps.add("to", "a transfer goes to another warehouse than the one it comes from")
	}
	switch t.Status {
	case TransferOpen, TransferShipped, TransferReceived, TransferCancelled:
	default:
		ps.add("status", "status %q is not open, shipped, received or cancelled", t.Status)
	}
	if len(t.Lines) == 0 {
		ps.add("lines", "a transfer needs at least one line")
	}
	seen := map[[2]string]int{}
	for i, ln := range t.Lines {
		n := i + 1
		if ln.SKU == "" {
			ps.addLine(n, "sku", "sku is required")
		} else if first, dup := seen[[2]string{ln.SKU, ln.Lot}]; dup {
			ps.addLine(n, "sku", "sku %s%s is already on line %d", ln.SKU, lotSuffix(ln.Lot), first)
		} else {
			seen[[2]string{ln.SKU, ln.Lot}] = n
		}
		if ln.Lot != "" {
			ps.code("lot", ln.Lot)
		}
		if ln.Qty < 1 {
			ps.addLine(n, "qty", "qty must be 1 or more")
		}
		if ln.Shipped < 0 || ln.Received < 0 {
			ps.addLine(n, "shipped", "shipped and received must not be negative")
		}
	}
	return ps
}

// Held says whether devices hold the transfer.
func (t *Transfer) Held() bool {
	return !t.Archived && (t.Status == TransferOpen || t.Status == TransferShipped)
}

// WireTransfer is t as devices receive it.
func WireTransfer(t Transfer) syncproto.Transfer {
	out := syncproto.Transfer{Number: t.Number, From: t.From, To: t.To, Status: string(t.Status),
		Lines: make([]syncproto.TransferLine, len(t.Lines)), Archived: t.Archived, Position: t.Position}
	for i, ln := range t.Lines {
		out.Lines[i] = syncproto.TransferLine{SKU: ln.SKU, Lot: ln.Lot, Qty: ln.Qty, Shipped: ln.Shipped, Received: ln.Received}
	}
	return out
}

// TransferFilter selects transfers; empty fields match everything.
type TransferFilter struct {
	// Warehouse matches transfers from or to it.
	Warehouse string
	Status    TransferStatus
	// Held selects the transfers devices hold (open or shipped, not
	// archived).
	Held  bool
	After string // the number of the last transfer of the previous page
	Limit int    // 0: no limit
}

// TransferReadTx reads transfers. Both stores' transactions implement it.
type TransferReadTx interface {
	// Transfer returns a transfer by number; ENotFound when absent.
	Transfer(ctx context.Context, number string) (Transfer, error)
	// Transfers lists transfers by number.
	Transfers(ctx context.Context, f TransferFilter) ([]Transfer, error)
	Location(ctx context.Context, warehouse, code string) (Location, error)
	Locations(ctx context.Context, f ListFilter) ([]Location, error)
}

// TransferTx writes transfers.
type TransferTx interface {
	TransferReadTx
	// PutTransfer inserts or replaces a transfer and its lines, logs a
	// catalog change (kind transfer, shared) and returns its position.
	PutTransfer(ctx context.Context, t Transfer) (uint64, error)
}

func transferTx(tx any) (TransferTx, error) {
	t, ok := tx.(TransferTx)
	if !ok {
		return nil, Errorf(EInternal, "this store keeps no transfers")
	}
	return t, nil
}

// CreateTransfer adds an open transfer. Both warehouses and every SKU
// must exist; the sender needs a transit location to ship into.
func (c *Catalog) CreateTransfer(ctx context.Context, t Transfer) (Transfer, error) {
	if t.Status == "" {
		t.Status = TransferOpen
	}
	for i := range t.Lines {
		t.Lines[i].Shipped, t.Lines[i].Received = 0, 0
	}
	if ps := t.Validate(); len(ps) > 0 {
		return t, fmt.Errorf("create transfer %s: %w", t.Number, ps[0].Err())
	}
	if t.Status != TransferOpen {
		return t, fmt.Errorf("create transfer %s: %w", t.Number, &Error{Code: EInvalid, Field: "status", Message: "a new transfer is open"})
	}
	err := c.store.UpdateCatalog(ctx, func(ctx context.Context, tx CatalogTx) error {
		ttx, err := transferTx(tx)
		if err != nil {
			return err
		}
		if _, err := ttx.Transfer(ctx, t.Number); err == nil {
			return Errorf(EConflict, "transfer %s already exists", t.Number)
		} else if !IsNotFound(err) {
			return err
		}
		ck := newChecker(ctx, tx, true)
		ck.warehouseRef("from", t.From, true)
		ck.warehouseRef("to", t.To, true)
		for i, ln := range t.Lines {
			ck.skuRef(i+1, "sku", ln.SKU, true)
		}
		if err := ck.first(); err != nil {
			return err
		}
		transit, err := tx.Locations(ctx, ListFilter{Warehouse: t.From, Type: string(LocationTransit), Limit: 1})
		if err != nil {
			return err
		}
		if len(transit) == 0 {
			return &Error{Code: EInvalid, Field: "from", Message: fmt.Sprintf("warehouse %s has no location of type transit to ship from: add one first", t.From)}
		}
		t.Meta = Meta{}
		t.Position, err = ttx.PutTransfer(ctx, t)
		return err
	})
	if err != nil {
		return t, fmt.Errorf("create transfer %s: %w", t.Number, err)
	}
	return t, nil
}

// Transfer returns a transfer.
func (c *Catalog) Transfer(ctx context.Context, number string) (Transfer, error) {
	var t Transfer
	err := c.store.ViewCatalog(ctx, func(ctx context.Context, tx CatalogReadTx) error {
		ttx, ok := tx.(TransferReadTx)
		if !ok {
			return Errorf(EInternal, "this store keeps no transfers")
		}
		var err error
		t, err = ttx.Transfer(ctx, number)
		return err
	})
	if err != nil {
		return t, fmt.Errorf("get transfer %s: %w", number, err)
	}
	return t, nil
}

// Transfers lists transfers by number.
func (c *Catalog) Transfers(ctx context.Context, f TransferFilter) ([]Transfer, error) {
	var out []Transfer
	err := c.store.ViewCatalog(ctx, func(ctx context.Context, tx CatalogReadTx) error {
		ttx, ok := tx.(TransferReadTx)
		if !ok {
			return Errorf(EInternal, "this store keeps no transfers")
		}
		var err error
		out, err = ttx.Transfers(ctx, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list transfers: %w", err)
	}
	return out, nil
}

// CancelTransfer cancels a transfer nothing was shipped on yet; cancelling
// a cancelled one changes nothing.
func (c *Catalog) CancelTransfer(ctx context.Context, number string) (Transfer, error) {
	var t Transfer
	err := c.store.UpdateCatalog(ctx, func(ctx context.Context, tx CatalogTx) error {
		ttx, err := transferTx(tx)
		if err != nil {
			return err
		}
		if t, err = ttx.Transfer(ctx, number); err != nil {
			return err
		}
		if t.Status == TransferCancelled {
			return nil
		}
		for _, ln := range t.Lines {
			if ln.Shipped > 0 || ln.Received > 0 {
				return Errorf(EConflict, "transfer %s has stock on its way (%s shipped %d, received %d): it can no longer be cancelled",
					number, ln.SKU, ln.Shipped, ln.Received)
			}
		}
		t.Status = TransferCancelled
		t.Position, err = ttx.PutTransfer(ctx, t)
		return err
	})
	if err != nil {
		return t, fmt.Errorf("cancel transfer %s: %w", number, err)
	}
	return t, nil
}

// transferLine returns the index of the line an event counts on: its
// SKU and lot, else its SKU on a line without a lot; -1 when none.
func transferLine(t *Transfer, sku, lot string) int {
	anyLot := -1
	for i, ln := range t.Lines {
		if ln.SKU != sku {
			continue
		}
		if ln.Lot == lot {
			return i
		}
		if ln.Lot == "" && anyLot < 0 {
			anyLot = i
		}
	}
	return anyLot
}

// transferStatus is a live transfer's status from its lines.
func transferStatus(t *Transfer) TransferStatus {
	shipped, received := true, true
	for _, ln := range t.Lines {
		shipped = shipped && ln.Shipped >= ln.Qty
		received = received && ln.Received >= ln.Qty
	}
	switch {
	case received:
		return TransferReceived
	case shipped:
		return TransferShipped
	}
	return TransferOpen
}

// movesTransfers says whether an event may write a transfer (so a push
// with it takes the catalog lock first, where there is one).
func movesTransfers(ev *syncproto.Event) bool {
	return ev.Ref != "" && (ev.Kind == syncproto.KindMove || ev.Kind == syncproto.KindReceive)
}

// applyTransfer counts an applied event against the transfer its Ref
// names: a move into a transit location of the sending warehouse ships,
// a receive at the destination receives (and takes the quantity out of
// the sender's transit stock).
func (a *applier) applyTransfer(ctx context.Context, ev *syncproto.Event) error {
	if !movesTransfers(ev) || a.knownNot("transfer", ev.Ref) {
		return nil
	}
	ttx, ok := a.tx.(TransferTx)
	if !ok {
		return nil
	}
	t, err := ttx.Transfer(ctx, ev.Ref)
	if IsNotFound(err) {
		a.notFound("transfer", ev.Ref)
		return nil
	}
	if err != nil {
		return fmt.Errorf("transfer %s: %w", ev.Ref, err)
	}
	if t.Status == TransferCancelled {
		return nil
	}
	line := transferLine(&t, ev.SKU, ev.Lot)
	if line < 0 {
		return nil
	}
	switch {
	case ev.Kind == syncproto.KindMove && t.From == a.dev.Warehouse:
		loc, err := ttx.Location(ctx, t.From, ev.To)
		if IsNotFound(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("transfer %s: %w", ev.Ref, err)
		}
		if loc.Type != LocationTransit {
			return nil
		}
		t.Lines[line].Shipped += ev.Qty
	case ev.Kind == syncproto.KindReceive && t.To == a.dev.Warehouse:
		t.Lines[line].Received += ev.Qty
		if err := a.takeFromTransit(ctx, ttx, &t, ev); err != nil {
			return fmt.Errorf("transfer %s: %w", ev.Ref, err)
		}
	default:
		return nil
	}
	t.Status = transferStatus(&t)
	pos, err := ttx.PutTransfer(ctx, t)
	if err != nil {
		return fmt.Errorf("transfer %s: %w", ev.Ref, err)
	}
	a.catalogHead = pos
	return nil
}

// takeFromTransit writes the sender's side of a received transfer: adjust
// events of the sender's transit device that take ev.Qty out of its
// transit locations (in code order); what they lack is one more adjust,
// which parks for the supervisor.
func (a *applier) takeFromTransit(ctx context.Context, ttx TransferTx, t *Transfer, ev *syncproto.Event) error {
	tx, ok := a.tx.(Tx)
	if !ok {
		return nil
	}
	locs, err := ttx.Locations(ctx, ListFilter{Warehouse: t.From, Type: string(LocationTransit), Archived: ActiveAndArchived})
	if err != nil {
		return err
	}
	if len(locs) == 0 {
		return Errorf(EInternal, "warehouse %s has no transit location", t.From)
	}
	dev, err := systemDevice(ctx, tx, TransitDeviceID(t.From), "transit "+t.From, t.From, a.now)
	if err != nil {
		return err
	}
	var evs []syncproto.Event
	mk := func(loc string, qty int64) {
		e := syncproto.Event{ID: uuid.Must(uuid.NewV7()).String(), DeviceID: dev.ID, Seq: dev.AckedThrough + uint64(len(evs)) + 1,
			User: "system", Kind: syncproto.KindAdjust, SKU: ev.SKU, Lot: ev.Lot, From: loc, Qty: -qty,
			Reason: fmt.Sprintf("transfer %s received at %s by event %s", t.Number, t.To, ev.ID), Ref: t.Number,
			DeviceTime: a.now}
		e.Seal()
		evs = append(evs, e)
	}
	left := ev.Qty
	for _, l := range locs {
		if left == 0 {
			break
		}
		have, err := tx.Stock(ctx, StockKey{t.From, l.Code, ev.SKU, ev.Lot})
		if err != nil {
			return err
		}
		if n := min(have, left); n > 0 {
			mk(l.Code, n)
			left -= n
		}
	}
	if left > 0 {
		mk(locs[0].Code, left) // parks: the transit stock is short
	}
	sa := applier{tx: tx, dev: dev, now: a.now, stock: map[StockKey]int64{}}
	if _, err := sa.apply(ctx, evs); err != nil {
		return err
	}
	if a.others == nil {
		a.others = map[string]uint64{}
	}
	a.others[t.From] = max(a.others[t.From], sa.head)
	return nil
}

// transferSection is the snapshot section of the transfers a warehouse's
// devices hold: open and shipped ones from or to it.
func (c *Catalog) transferSection(warehouse string) snapSection {
	return snapSection{
		read: func(ctx context.Context, p *syncproto.SnapshotPage, after []string, limit int) (int, []string, error) {
			f := TransferFilter{Warehouse: warehouse, Held: true, Limit: limit}
			if len(after) == 1 {
				f.After = after[0]
			}
			ts, err := c.Transfers(ctx, f)
			if err != nil || len(ts) == 0 {
				return 0, after, err
			}
			for _, t := range ts {
				p.Transfers = append(p.Transfers, WireTransfer(t))
			}
			return len(ts), []string{ts[len(ts)-1].Number}, nil
		},
		count: func(ctx context.Context, _ CatalogCounter, _ string) (int, error) {
			ts, err := c.Transfers(ctx, TransferFilter{Warehouse: warehouse, Held: true})
			return len(ts), err
		},
	}
}

// Moves lists the move events devices of a warehouse sent (every
// warehouse's when empty), transfer shipments included, with their
// outcomes, newest first; ref, when set, selects one transfer's.
func (l *Ledger) Moves(ctx context.Context, warehouse, ref string, limit int) ([]EventRecord, error) {
	var out []EventRecord
	err := l.store.View(ctx, func(ctx context.Context, tx ReadTx) error {
		scan := limit
		if ref != "" {
			scan = maxExceptionScan
		}
		recs, err := tx.EventsOfKind(ctx, syncproto.KindMove, warehouse, scan)
		if err != nil {
			return err
		}
		out = out[:0]
		for _, r := range recs {
			if ref == "" || r.Event.Ref == ref {
				out = append(out, r)
			}
			if limit > 0 && len(out) == limit {
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list moves: %w", err)
	}
	return out, nil
}
