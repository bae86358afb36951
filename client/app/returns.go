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

// Returns books customer returns into the returns (inspection) location
// and disposes of them after inspection.
type Returns struct {
	a *App

	mu  sync.Mutex
	ref string
	qty int64
}

// StartReturns begins booking returns.
func (a *App) StartReturns() *Returns { return &Returns{a: a} }

// SetRef sets the return authorisation or order reference recorded with
// the next returns (optional).
func (r *Returns) SetRef(ref string) {
	r.mu.Lock()
	r.ref = strings.TrimSpace(ref)
	r.mu.Unlock()
}

// SetQty sets how many units the next scan stands for (0: the barcode's).
func (r *Returns) SetQty(n int64) {
	r.mu.Lock()
	r.qty = max(n, 0)
	r.mu.Unlock()
}

// Scan books the scanned item into the returns location (a return event).
func (r *Returns) Scan(ctx context.Context, text string) (Feedback, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	u, err := r.a.signedIn(ctx)
	if err != nil {
		return Feedback{}, err
	}
	to, ok, err := r.a.st.FirstLocation(ctx, "returns")
	if err != nil {
		return Feedback{}, err
	}
	if !ok {
		return Feedback{}, errorf(ErrNoLocation, nil, "The warehouse has no returns location")
	}
	text = strings.TrimSpace(text)
	res, err := r.a.res.Resolve(ctx, r.a.scanOf(text))
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
		return bad("Not an item", "Scan the returned item"), nil
	}
	qty := r.qty
	if qty == 0 {
		qty = int64(res.Quantity)
	}
	sc := store.Scan{User: u.Code, Kind: syncproto.KindReturn, SKU: res.Item.SKU, Lot: res.Lot, Serial: res.Serial,
		To: to, Qty: qty, Ref: r.ref, Reason: "customer return"}
	if !res.Expiry.IsZero() {
		sc.Expiry = res.Expiry.Format("2006-01-02")
	}
	if _, err := r.a.st.Record(ctx, sc); err != nil {
		return Feedback{}, err
	}
	r.a.recorded()
	r.qty = 0
	detail := "To " + to + " for inspection"
	if r.ref != "" {
		detail += " · " + r.ref
	}
	return Feedback{Level: Good, Title: fmt.Sprintf("Returned: %s × %d", sc.SKU, qty), Detail: detail}, nil
}

// Waiting lists returned stock still at the returns location.
func (r *Returns) Waiting(ctx context.Context) ([]StockLine, error) { return r.a.Stock(ctx, "returns") }

// Dispose decides what happens to qty units of a returned line: restock
// to a bin (given by code or scanned label), damage to quarantine, or
// scrap; every disposition needs a reason. qty 0 disposes of the whole
// line.
func (r *Returns) Dispose(ctx context.Context, line StockLine, qty int64, d Disposition, bin, reason string) (Feedback, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	u, err := r.a.signedIn(ctx)
	if err != nil {
		return Feedback{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return bad("Reason needed", "Say why"), nil
	}
	have, err := r.a.st.Stock(ctx, line.Location, line.SKU, line.Lot)
	if err != nil {
		return Feedback{}, err
	}
	if qty == 0 {
		qty = have
	}
	if qty <= 0 || qty > have {
		return bad("Not enough returned stock", fmt.Sprintf("%d of %s at %s", have, line.SKU, line.Location)), nil
	}
	sc := store.Scan{User: u.Code, SKU: line.SKU, Lot: line.Lot, From: line.Location, Qty: qty, Reason: reason}
	var title string
	switch d {
	case Restock:
		code, fb, ok, err := r.bin(ctx, bin)
		if err != nil || !ok {
			return fb, err
		}
		sc.Kind, sc.To = syncproto.KindPutaway, code
		title = fmt.Sprintf("Restocked: %s × %d → %s", line.SKU, qty, code)
	case Damage:
		q, ok, err := r.a.st.FirstLocation(ctx, "quarantine")
		if err != nil {
			return Feedback{}, err
		}
		if !ok {
			return Feedback{}, errorf(ErrNoLocation, nil, "The warehouse has no quarantine location")
		}
		sc.Kind, sc.To = syncproto.KindDamage, q
		title = fmt.Sprintf("Damaged: %s × %d → %s", line.SKU, qty, q)
	case Scrap:
		sc.Kind = syncproto.KindDamage
		title = fmt.Sprintf("Scrapped: %s × %d", line.SKU, qty)
	default:
		return Feedback{}, fmt.Errorf("dispose of %s: unknown disposition %q", line.SKU, d)
	}
	if _, err := r.a.st.Record(ctx, sc); err != nil {
		return Feedback{}, err
	}
	r.a.recorded()
	return Feedback{Level: Good, Title: title, Detail: reason}, nil
}

// bin reads a restock destination: a bin's code or scanned label.
func (r *Returns) bin(ctx context.Context, text string) (string, Feedback, bool, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", bad("Bin needed", "Scan or type the bin to restock to"), false, nil
	}
	code := text
	if _, ok, err := r.a.st.Location(ctx, text); err != nil {
		return "", Feedback{}, false, err
	} else if !ok {
		res, err := r.a.res.Resolve(ctx, r.a.scanOf(text))
		if err != nil {
			return "", Feedback{}, false, err
		}
		if res.Kind != resolve.KindLocation {
			return "", bad("Not a bin", text+" is not a location: scan a bin"), false, nil
		}
		code = res.Location.Code
	}
	loc, _, err := r.a.st.Location(ctx, code)
	if err != nil {
		return "", Feedback{}, false, err
	}
	if loc.Type != "bin" {
		return "", bad("Not a bin", code+" is a "+loc.Type+" location: scan a bin"), false, nil
	}
	return code, Feedback{}, true, nil
}
