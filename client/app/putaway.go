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

// Putaway moves received stock from the dock to bins, one scan pair at a
// time: scan the item (or pick a dock line), then the destination bin.
// The suggested bin is the bin holding most of the SKU (then the lowest
// sequence), else the first empty bin by sequence.
type Putaway struct {
	a *App

	mu    sync.Mutex
	qty   int64
	state PutawayState
}

// StartPutaway begins a put-away.
func (a *App) StartPutaway() *Putaway { return &Putaway{a: a} }

// State returns what the screen shows.
func (p *Putaway) State() PutawayState {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state
}

// SetQty sets how many units to move (0: everything of that SKU and lot at
// the dock).
func (p *Putaway) SetQty(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.qty = max(n, 0)
	if p.state.Step == PutawayScanBin && n > 0 {
		p.state.Item.Qty = n
	}
}

// Choose selects a dock line without scanning it.
func (p *Putaway) Choose(ctx context.Context, line StockLine) (Feedback, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.choose(ctx, line.SKU, line.Lot, line.Location, true)
}

// choose selects the dock stock of sku (of lot when hasLot) at location
// (any dock when "").
func (p *Putaway) choose(ctx context.Context, sku, lot, location string, hasLot bool) (Feedback, error) {
	rows, err := p.a.st.StockAt(ctx, "dock")
	if err != nil {
		return Feedback{}, err
	}
	var match []store.StockRow
	for _, r := range rows {
		if r.SKU == sku && (!hasLot || r.Lot == lot) && (location == "" || r.Location == location) {
			match = append(match, r)
		}
	}
	switch {
	case len(match) == 0:
		what := sku
		if hasLot && lot != "" {
			what += " lot " + lot
		}
		return bad("Not at the dock", "No "+what+" at the dock to put away"), nil
	case len(match) > 1:
		return bad("Several lots", sku+" has several lots at the dock: scan the GS1 label with the lot, or choose a line"), nil
	}
	m := match[0]
	qty := m.Qty
	if p.qty > 0 {
		if p.qty > m.Qty {
			return bad("Not enough at the dock", fmt.Sprintf("Only %d of %s at %s", m.Qty, sku, m.Location)), nil
		}
		qty = p.qty
	}
	st := PutawayState{Step: PutawayScanBin, Item: StockLine{Location: m.Location, SKU: m.SKU, Name: m.Name, Lot: m.Lot, Qty: qty}}
	bins, err := p.a.st.BinsHolding(ctx, sku)
	if err != nil {
		return Feedback{}, err
	}
	if len(bins) > 0 {
		st.Suggested, st.Why = bins[0].Location, fmt.Sprintf("holds %d of this SKU", bins[0].Qty)
	} else {
		empty, err := p.a.st.EmptyBins(ctx, 1)
		if err != nil {
			return Feedback{}, err
		}
		if len(empty) > 0 {
			st.Suggested, st.Why = empty[0], "empty bin"
		} else {
			st.Why = "no empty bin"
		}
	}
	p.state = st
	detail := "Scan the destination bin"
	if st.Suggested != "" {
		detail = "Scan bin " + st.Suggested + " (" + st.Why + ")"
	}
	return Feedback{Level: Good, Title: fmt.Sprintf("%s × %d", sku, qty), Detail: detail}, nil
}

// Scan handles a scan: an item at the dock in the first step, the
// destination bin in the second (which writes the put-away event). An item
// scanned in the second step starts over with that item; a location that
// is not a bin is refused.
func (p *Putaway) Scan(ctx context.Context, text string) (Feedback, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	u, err := p.a.signedIn(ctx)
	if err != nil {
		return Feedback{}, err
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return bad("Empty scan", "Scan an item or a bin"), nil
	}
	res, err := p.a.res.Resolve(ctx, p.a.scanOf(text))
	if err != nil {
		return Feedback{}, err
	}
	switch res.Kind {
	case resolve.KindItem:
		return p.choose(ctx, res.Item.SKU, res.Lot, "", res.Lot != "")
	case resolve.KindLocation:
		if p.state.Step != PutawayScanBin {
			return bad("Scan an item first", "Scan the received item, then the bin"), nil
		}
		return p.toBin(ctx, u, res.Location.Code)
	case resolve.KindPallet:
		return p.choosePallet(ctx, res.Pallet)
	case resolve.KindMalformed:
		return bad("Unreadable barcode", res.Reason+"; scan it again"), nil
	}
	if p.state.Step == PutawayScanBin {
		return bad("Not a bin", text+" is not a bin in the catalog: scan a bin"), nil
	}
	return bad("Unknown barcode", cmpOr(res.Reason, text)), nil
}

func (p *Putaway) toBin(ctx context.Context, u User, code string) (Feedback, error) {
	loc, ok, err := p.a.st.Location(ctx, code)
	if err != nil {
		return Feedback{}, err
	}
	if !ok || loc.Type != "bin" {
		typ := "not in the catalog"
		if ok {
			typ = "a " + loc.Type + " location"
		}
		return bad("Not a bin", code+" is "+typ+": scan a bin"), nil
	}
	if p.state.Pallet != "" {
		return p.palletToBin(ctx, u, loc.Code)
	}
	it := p.state.Item
	have, err := p.a.st.Stock(ctx, it.Location, it.SKU, it.Lot)
	if err != nil {
		return Feedback{}, err
	}
	if have < it.Qty {
		return bad("Not enough at the dock", fmt.Sprintf("Only %d of %s at %s now", have, it.SKU, it.Location)), nil
	}
	if _, err := p.a.st.Record(ctx, store.Scan{User: u.Code, Kind: syncproto.KindPutaway, SKU: it.SKU, Lot: it.Lot,
		From: it.Location, To: loc.Code, Qty: it.Qty}); err != nil {
		return Feedback{}, err
	}
	p.a.recorded()
	p.state, p.qty = PutawayState{}, 0
	return Feedback{Level: Good, Title: fmt.Sprintf("%s × %d → %s", it.SKU, it.Qty, loc.Code), Detail: "Put away"}, nil
}

// Reset goes back to the first step.
func (p *Putaway) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.state, p.qty = PutawayState{}, 0
}

// choosePallet selects a whole pallet: what this device received at the
// dock against the order the pallet was announced for, less what was put
// away as that pallet before, as far as it is still there. The device knows no pallet contents beyond its own
// receipts, so a pallet received on another handheld is put away item by
// item.
func (p *Putaway) choosePallet(ctx context.Context, pl resolve.Pallet) (Feedback, error) {
	if pl.PurchaseOrder == "" {
		return bad("Unknown pallet", "Pallet "+pl.SSCC+" was announced for no order: scan the items"), nil
	}
	received, err := p.a.st.ReceivedAt(ctx, pl.PurchaseOrder, pl.SSCC, "dock")
	if err != nil {
		return Feedback{}, err
	}
	var lines []StockLine
	var units int64
	for _, r := range received {
		have, err := p.a.st.Stock(ctx, r.Location, r.SKU, r.Lot)
		if err != nil {
			return Feedback{}, err
		}
		if q := min(have, r.Qty); q > 0 {
			lines = append(lines, StockLine{Location: r.Location, SKU: r.SKU, Name: r.Name, Lot: r.Lot, Qty: q})
			units += q
		}
	}
	if len(lines) == 0 {
		return bad("Pallet not at the dock", "Nothing this scanner received for "+pl.PurchaseOrder+" is at the dock: scan the items"), nil
	}
	st := PutawayState{Step: PutawayScanBin, Pallet: pl.SSCC, Lines: lines,
		Item: StockLine{Location: lines[0].Location, SKU: "pallet", Name: fmt.Sprintf("%s, %d lines", pl.PurchaseOrder, len(lines)), Qty: units}}
	empty, err := p.a.st.EmptyBins(ctx, 1)
	if err != nil {
		return Feedback{}, err
	}
	if len(empty) > 0 {
		st.Suggested, st.Why = empty[0], "empty bin for the whole pallet"
	} else {
		st.Why = "no empty bin"
	}
	p.state, p.qty = st, 0
	detail := "Scan the destination bin"
	if st.Suggested != "" {
		detail = "Scan bin " + st.Suggested + " (" + st.Why + ")"
	}
	return Feedback{Level: Good, Title: fmt.Sprintf("Pallet: %d units, %d lines", units, len(lines)), Detail: detail}, nil
}

// palletToBin puts every line of the chosen pallet away to one bin, in one
// transaction.
func (p *Putaway) palletToBin(ctx context.Context, u User, bin string) (Feedback, error) {
	scans := make([]store.Scan, 0, len(p.state.Lines))
	for _, l := range p.state.Lines {
		have, err := p.a.st.Stock(ctx, l.Location, l.SKU, l.Lot)
		if err != nil {
			return Feedback{}, err
		}
		if have < l.Qty {
			return bad("Pallet changed", fmt.Sprintf("Only %d of %s at %s now: scan the pallet again", have, l.SKU, l.Location)), nil
		}
		scans = append(scans, store.Scan{User: u.Code, Kind: syncproto.KindPutaway, SKU: l.SKU, Lot: l.Lot,
			From: l.Location, To: bin, Qty: l.Qty, Ref: p.state.Pallet})
	}
	if _, err := p.a.st.RecordBatch(ctx, scans); err != nil {
		return Feedback{}, err
	}
	p.a.recorded()
	units := p.state.Item.Qty
	p.state, p.qty = PutawayState{}, 0
	return Feedback{Level: Good, Title: fmt.Sprintf("Pallet → %s", bin), Detail: fmt.Sprintf("%d units in %d lines put away", units, len(scans))}, nil
}
