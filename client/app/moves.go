package app

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/driftless/driftless/client/scan/resolve"
	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/syncproto"
)

// MoveStep is where a move is.
type MoveStep int

// Move steps.
const (
	MoveScanFrom MoveStep = iota // scan the bin to take from
	MoveScanItem                 // scan the item (and set the quantity)
	MoveScanTo                   // scan the destination bin (writes the move)
)

// MoveState is what the move screen shows.
type MoveState struct {
	Step     MoveStep
	From     string
	Item     StockLine // what is being moved; Qty is how many
	Transfer string    // the transfer being shipped, when shipping
	// Available is what the device sees at From for the item.
	Available int64
}

// Move moves stock between bins of the warehouse, or ships a transfer to
// another warehouse (to the warehouse's transit location).
//
// Rules: the from-location must be a bin; the item must be at it as the
// device sees stock (a lot-tracked SKU scanned without its lot is taken
// as the one lot the bin holds, refused when it holds several); the
// quantity (SetQty's, else what the barcode stands for) must not exceed
// what the device sees at the bin. The destination must be another bin;
// when shipping it must be the warehouse's transit location instead, and
// the item must be on the transfer (its SKU, and its lot when the line
// names one). Each move is one event (kind move; Ref = the transfer
// number when shipping), durable when the to-scan returns; the move then
// starts again at the from-bin.
type Move struct {
	a *App

	mu       sync.Mutex
	qty      int64
	state    MoveState
	transfer *syncproto.Transfer // when shipping
	transit  string              // the transit location, when shipping
}

// StartMove begins a move between bins.
func (a *App) StartMove() *Move { return &Move{a: a} }

// StartShipment begins shipping a transfer: moves go to the warehouse's
// transit location with the transfer's number.
func (a *App) StartShipment(ctx context.Context, transfer string) (*Move, error) {
	if _, err := a.signedIn(ctx); err != nil {
		return nil, err
	}
	wh, _, err := a.Warehouse(ctx)
	if err != nil {
		return nil, err
	}
	t, ok, err := a.st.Transfer(ctx, strings.TrimSpace(transfer))
	if err != nil {
		return nil, err
	}
	if !ok || t.From != wh {
		return nil, errorf(ErrNotATransfer, nil, "%s is not an open transfer from %s", transfer, wh)
	}
	if t.Status != "open" {
		return nil, errorf(ErrNotATransfer, nil, "Transfer %s is %s: nothing more to ship", t.Number, t.Status)
	}
	transit, ok, err := a.st.FirstLocation(ctx, "transit")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errorf(ErrNoLocation, nil, "The warehouse has no transit location: shipping a transfer needs one")
	}
	return &Move{a: a, transfer: &t, transit: transit, state: MoveState{Transfer: t.Number}}, nil
}

// State returns what the screen shows.
func (m *Move) State() MoveState {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.state
}

// Transit returns the transit location a shipment goes to ("" for a move
// between bins).
func (m *Move) Transit() string { return m.transit }

// SetQty sets how many units to move (0: one scan's worth). Set at the
// destination step it changes the quantity of the item being moved.
func (m *Move) SetQty(n int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.qty = max(n, 0)
	if m.state.Step == MoveScanTo && n > 0 {
		m.state.Item.Qty = n
	}
}

// Reset goes back to the first step.
func (m *Move) Reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reset()
}

func (m *Move) reset() {
	m.qty = 0
	m.state = MoveState{}
	if m.transfer != nil {
		m.state.Transfer = m.transfer.Number
	}
}

// Scan handles the from-bin, item and to-bin scans in turn. A bin scanned
// at the item step takes from that bin instead; an item scanned at the
// destination step starts that item over at the same bin.
func (m *Move) Scan(ctx context.Context, text string) (Feedback, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	u, err := m.a.signedIn(ctx)
	if err != nil {
		return Feedback{}, err
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return bad("Empty scan", "Scan a bin or an item"), nil
	}
	res, err := m.a.res.Resolve(ctx, m.a.scanOf(text))
	if err != nil {
		return Feedback{}, err
	}
	switch res.Kind {
	case resolve.KindLocation:
		if m.state.Step == MoveScanTo {
			return m.to(ctx, u, res.Location.Code)
		}
		return m.from(ctx, res.Location.Code)
	case resolve.KindItem:
		if m.state.Step == MoveScanFrom {
			return bad("Scan the bin first", "Scan the bin to take from, then the item"), nil
		}
		return m.item(ctx, res)
	case resolve.KindMalformed:
		return bad("Unreadable barcode", res.Reason+"; scan it again"), nil
	case resolve.KindUnknown:
		return bad("Unknown barcode", cmpOr(res.Reason, text)), nil
	}
	return bad("Not a bin or an item", "Scan a bin or an item"), nil
}

// from sets the bin to take from.
func (m *Move) from(ctx context.Context, code string) (Feedback, error) {
	loc, ok, err := m.a.st.Location(ctx, code)
	if err != nil {
		return Feedback{}, err
	}
	if !ok || loc.Type != "bin" {
		return bad("Not a bin", code+" is "+locationWords(loc, ok)+": take from a bin"), nil
	}
	m.state = MoveState{Step: MoveScanItem, From: loc.Code, Transfer: m.state.Transfer}
	detail := "Scan the item to move"
	if m.transfer != nil {
		detail = "Scan an item of transfer " + m.transfer.Number
	}
	return Feedback{Level: Good, Title: "From " + loc.Code, Detail: detail}, nil
}

func locationWords(loc syncproto.Location, ok bool) string {
	if !ok {
		return "not in the catalog"
	}
	return "a " + loc.Type + " location"
}

// item chooses what to move from the from-bin.
func (m *Move) item(ctx context.Context, res resolve.Resolution) (Feedback, error) {
	from := m.state.From
	sku := res.Item.SKU
	lot := res.Lot
	k, _, err := m.a.st.SKU(ctx, sku)
	if err != nil {
		return Feedback{}, err
	}
	if m.transfer != nil {
		on := false
		for _, ln := range m.transfer.Lines {
			if ln.SKU == sku && (ln.Lot == "" || lot == "" || ln.Lot == lot) {
				on = true
			}
		}
		if !on {
			what := sku
			if lot != "" {
				what += " lot " + lot
			}
			return bad("Not on the transfer", what+" is not on transfer "+m.transfer.Number+": leave it"), nil
		}
	}
	if k.TrackLot && lot == "" {
		rows, err := m.a.st.StockAt(ctx, "bin")
		if err != nil {
			return Feedback{}, err
		}
		var lots []string
		for _, r := range rows {
			if r.Location == from && r.SKU == sku && (m.transfer == nil || m.onTransfer(sku, r.Lot)) {
				lots = append(lots, r.Lot)
			}
		}
		switch len(lots) {
		case 0:
			return bad("Not in the bin", fmt.Sprintf("This device sees no %s at %s", sku, from)), nil
		case 1:
			lot = lots[0]
		default:
			return bad("Several lots", sku+" has several lots at "+from+": scan the GS1 label with the lot"), nil
		}
	}
	if m.transfer != nil && !m.onTransfer(sku, lot) {
		return bad("Not on the transfer", sku+" lot "+lot+" is not on transfer "+m.transfer.Number+": leave it"), nil
	}
	qty := m.qty
	if qty == 0 {
		qty = int64(res.Quantity)
	}
	have, err := m.a.st.Stock(ctx, from, sku, lot)
	if err != nil {
		return Feedback{}, err
	}
	if qty > have {
		what := sku
		if lot != "" {
			what += " lot " + lot
		}
		return bad("Not enough in the bin", fmt.Sprintf("This device sees %d %s at %s, not %d", max(have, 0), what, from, qty)), nil
	}
	m.state.Step = MoveScanTo
	m.state.Item = StockLine{Location: from, SKU: sku, Name: k.Name, Lot: lot, Qty: qty}
	m.state.Available = have
	m.qty = 0
	detail := "Scan the destination bin"
	if m.transfer != nil {
		detail = "Scan the transit location " + m.transit
	}
	return Feedback{Level: Good, Title: fmt.Sprintf("%s × %d from %s", sku, qty, from), Detail: detail}, nil
}

// onTransfer reports whether sku (of lot) is on the transfer being shipped.
func (m *Move) onTransfer(sku, lot string) bool {
	for _, ln := range m.transfer.Lines {
		if ln.SKU == sku && (ln.Lot == "" || ln.Lot == lot) {
			return true
		}
	}
	return false
}

// to writes the move to the destination.
func (m *Move) to(ctx context.Context, u User, code string) (Feedback, error) {
	loc, ok, err := m.a.st.Location(ctx, code)
	if err != nil {
		return Feedback{}, err
	}
	it := m.state.Item
	switch {
	case m.transfer != nil && (!ok || loc.Code != m.transit):
		return bad("Not the transit location", fmt.Sprintf("Shipping %s: scan the transit location %s", m.transfer.Number, m.transit)), nil
	case m.transfer == nil && ok && loc.Type == "transit":
		return bad("Not a bin", code+" is the transit location: ship transfers from the transfer list"), nil
	case m.transfer == nil && (!ok || loc.Type != "bin"):
		return bad("Not a bin", code+" is "+locationWords(loc, ok)+": move to a bin"), nil
	case loc.Code == it.Location:
		return bad("Same bin", "The stock is at "+code+" already: scan another bin"), nil
	}
	have, err := m.a.st.Stock(ctx, it.Location, it.SKU, it.Lot)
	if err != nil {
		return Feedback{}, err
	}
	if it.Qty > have {
		return bad("Not enough in the bin", fmt.Sprintf("This device sees %d %s at %s now, not %d", max(have, 0), it.SKU, it.Location, it.Qty)), nil
	}
	sc := store.Scan{User: u.Code, Kind: syncproto.KindMove, SKU: it.SKU, Lot: it.Lot, From: it.Location, To: loc.Code, Qty: it.Qty}
	if m.transfer != nil {
		sc.Ref = m.transfer.Number
	}
	if _, err := m.a.st.Record(ctx, sc); err != nil {
		return Feedback{}, err
	}
	m.a.recorded()
	m.reset()
	title := fmt.Sprintf("%s × %d → %s", it.SKU, it.Qty, loc.Code)
	if m.transfer != nil {
		return Feedback{Level: Good, Title: title, Detail: "Shipped on " + m.transfer.Number}, nil
	}
	return Feedback{Level: Good, Title: title, Detail: "Moved from " + it.Location}, nil
}

// TransferSummary is an open transfer the device's warehouse ships or
// receives.
type TransferSummary struct {
	Number   string
	From, To string
	Status   string
	Lines    int
	Outbound bool // this warehouse sends it
}

// Transfers lists the open transfers of the device's warehouse: the ones
// it sends (open: still to ship) and the ones it receives (open or
// shipped), by number.
func (a *App) Transfers(ctx context.Context) ([]TransferSummary, error) {
	wh, _, err := a.Warehouse(ctx)
	if err != nil {
		return nil, err
	}
	ts, err := a.st.Transfers(ctx)
	if err != nil {
		return nil, err
	}
	var out []TransferSummary
	for _, t := range ts {
		if t.From != wh && t.To != wh {
			continue
		}
		out = append(out, TransferSummary{Number: t.Number, From: t.From, To: t.To, Status: t.Status, Lines: len(t.Lines),
			Outbound: t.From == wh})
	}
	return out, nil
}

// TransferReceipt receives a transfer at the destination warehouse: each
// item scan writes a receive event to the dock with the transfer number.
// Items not on the transfer (by SKU, and by lot when the line names one)
// are refused; a lot-tracked SKU needs its lot.
type TransferReceipt struct {
	a      *App
	number string

	mu   sync.Mutex
	qty  int64
	dock string
}

// StartTransferReceipt begins receiving a transfer.
func (a *App) StartTransferReceipt(ctx context.Context, number string) (*TransferReceipt, error) {
	if _, err := a.signedIn(ctx); err != nil {
		return nil, err
	}
	wh, _, err := a.Warehouse(ctx)
	if err != nil {
		return nil, err
	}
	t, ok, err := a.st.Transfer(ctx, strings.TrimSpace(number))
	if err != nil {
		return nil, err
	}
	if !ok || t.To != wh {
		return nil, errorf(ErrNotATransfer, nil, "%s is not an open transfer to %s", number, wh)
	}
	dock, ok, err := a.st.FirstLocation(ctx, "dock")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errorf(ErrNoLocation, nil, "The warehouse has no dock location: receiving needs one")
	}
	return &TransferReceipt{a: a, number: t.Number, dock: dock}, nil
}

// Number returns the transfer's number.
func (t *TransferReceipt) Number() string { return t.number }

// Lines returns the transfer's lines with what was received so far: Ordered
// is the line's quantity, Before what the server counts received, Received
// what this device received that the server has not acknowledged yet.
func (t *TransferReceipt) Lines(ctx context.Context) ([]ReceiptLine, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	tr, ok, err := t.a.st.Transfer(ctx, t.number)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errorf(ErrNotATransfer, nil, "Transfer %s is no longer open on this device", t.number)
	}
	evs, err := t.a.st.Unacked(ctx, 0, 100000)
	if err != nil {
		return nil, err
	}
	mine := map[[2]string]int64{}
	for _, e := range evs {
		if e.Kind == syncproto.KindReceive && e.Ref == t.number {
			mine[[2]string{e.SKU, e.Lot}] += e.Qty
		}
	}
	out := make([]ReceiptLine, len(tr.Lines))
	for i, ln := range tr.Lines {
		out[i] = ReceiptLine{SKU: ln.SKU, Ordered: ln.Qty, Before: ln.Received, OnOrder: true}
		if ln.Lot == "" {
			for k, q := range mine {
				if k[0] == ln.SKU {
					out[i].Received += q
					delete(mine, k)
				}
			}
		} else {
			k := [2]string{ln.SKU, ln.Lot}
			out[i].Received += mine[k]
			delete(mine, k)
		}
		if k, ok, err := t.a.st.SKU(ctx, ln.SKU); err == nil && ok {
			out[i].Name = k.Name
		}
	}
	return out, nil
}

// SetQty sets how many units the next scan stands for.
func (t *TransferReceipt) SetQty(n int64) {
	t.mu.Lock()
	t.qty = max(n, 0)
	t.mu.Unlock()
}

// Scan receives the scanned item (refusing items not on the transfer).
func (t *TransferReceipt) Scan(ctx context.Context, text string) (Feedback, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	u, err := t.a.signedIn(ctx)
	if err != nil {
		return Feedback{}, err
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return bad("Empty scan", "Scan an item of "+t.number), nil
	}
	res, err := t.a.res.Resolve(ctx, t.a.scanOf(text))
	if err != nil {
		return Feedback{}, err
	}
	switch res.Kind {
	case resolve.KindItem:
	case resolve.KindMalformed:
		return bad("Unreadable barcode", res.Reason+"; scan it again"), nil
	case resolve.KindUnknown:
		return bad("Unknown barcode", text+" is not in the catalog: set the item aside for a supervisor"), nil
	default:
		return bad("Not an item", "Scan an item of transfer "+t.number), nil
	}
	tr, ok, err := t.a.st.Transfer(ctx, t.number)
	if err != nil {
		return Feedback{}, err
	}
	if !ok {
		return Feedback{}, errorf(ErrNotATransfer, nil, "Transfer %s is no longer open on this device", t.number)
	}
	sku, lot := res.Item.SKU, res.Lot
	k, _, err := t.a.st.SKU(ctx, sku)
	if err != nil {
		return Feedback{}, err
	}
	on := false
	for _, ln := range tr.Lines {
		if ln.SKU == sku && (ln.Lot == "" || ln.Lot == lot) {
			on = true
		}
	}
	if !on {
		what := sku
		if lot != "" {
			what += " lot " + lot
		}
		return bad("Not on the transfer", what+" is not on transfer "+t.number+": set it aside for a supervisor"), nil
	}
	if k.TrackLot && lot == "" {
		return bad(sku+": lot needed", "Scan the GS1 label with the lot"), nil
	}
	qty := t.qty
	if qty == 0 {
		qty = int64(res.Quantity)
	}
	sc := store.Scan{User: u.Code, Kind: syncproto.KindReceive, SKU: sku, Lot: lot, Serial: res.Serial, To: t.dock, Qty: qty,
		Ref: t.number}
	if !res.Expiry.IsZero() {
		sc.Expiry = res.Expiry.Format("2006-01-02")
	}
	if _, err := t.a.st.Record(ctx, sc); err != nil {
		return Feedback{}, err
	}
	t.a.recorded()
	t.qty = 0
	detail := cmpOr(k.Name, sku) + " · to " + t.dock
	if lot != "" {
		detail += " · lot " + lot
	}
	return Feedback{Level: Good, Title: fmt.Sprintf("%s × %d", sku, qty), Detail: detail}, nil
}
