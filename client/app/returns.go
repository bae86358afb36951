package app

import "context"

// Returns books customer returns into the returns (inspection) location
// and disposes of them after inspection.
type Returns struct{ a *App }

// StartReturns begins booking returns.
func (a *App) StartReturns() *Returns { return &Returns{a: a} }

// SetRef sets the return authorisation or order reference recorded with
// the next returns (optional).
func (r *Returns) SetRef(ref string) {}

// SetQty sets how many units the next scan stands for (0: the barcode's).
func (r *Returns) SetQty(n int64) {}

// Scan books the scanned item into the returns location (a return event).
func (r *Returns) Scan(ctx context.Context, text string) (Feedback, error) {
	return Feedback{}, errTODO
}

// Waiting lists returned stock still at the returns location.
func (r *Returns) Waiting(ctx context.Context) ([]StockLine, error) { return nil, errTODO }

// Dispose decides what happens to qty units of a returned line: restock
// to a bin (given by code or scanned label), damage to quarantine, or
// scrap; every disposition needs a reason.
func (r *Returns) Dispose(ctx context.Context, line StockLine, qty int64, d Disposition, bin, reason string) (Feedback, error) {
	return Feedback{}, errTODO
}
