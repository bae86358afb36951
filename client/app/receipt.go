package app

import "context"

// Receipt is a receiving session against one purchase order. Its draft is
// in the device database: every scan is durable when Scan returns, and a
// receipt left open (the app killed, the user signed out) is resumed by
// ActiveReceipt.
type Receipt struct {
	a  *App
	id string
}

// ActiveReceipt returns the signed-in user's open receipt, if any.
func (a *App) ActiveReceipt(ctx context.Context) (*Receipt, bool, error) { return nil, false, errTODO }

// StartReceipt opens a receipt for a purchase order, given by number or by
// scanning its barcode or an SSCC pallet label that references it.
func (a *App) StartReceipt(ctx context.Context, scan string) (*Receipt, error) { return nil, errTODO }

// PO returns the receipt's purchase order number.
func (r *Receipt) PO() string { return "" }

// Blind reports whether ordered quantities are hidden (the warehouse's
// blind-receiving setting).
func (r *Receipt) Blind() bool { return false }

// SetQty sets how many units the next item scan stands for (0: what the
// barcode says, 1 for an each, N for a case). It applies to one scan.
func (r *Receipt) SetQty(n int64) {}

// Scan handles one scan: an item matched to a line (by item or case
// barcode, or GS1 data with lot, expiry and serial) is recorded; unknown
// barcodes, items not on the order, over-receipt beyond the tolerance,
// expired or short-dated lots and duplicate serials are flagged and
// recorded as exceptions. Feedback says what happened.
func (r *Receipt) Scan(ctx context.Context, text string) (Feedback, error) {
	return Feedback{}, errTODO
}

// MarkDamaged marks the last accepted scan as damaged with a reason: its
// units go to quarantine when the receipt is finished.
func (r *Receipt) MarkDamaged(ctx context.Context, reason string) (Feedback, error) {
	return Feedback{}, errTODO
}

// Undo voids the last scan that is not voided yet.
func (r *Receipt) Undo(ctx context.Context) (Feedback, error) { return Feedback{}, errTODO }

// Lines returns the running tally per line.
func (r *Receipt) Lines(ctx context.Context) ([]ReceiptLine, error) { return nil, errTODO }

// Scans returns the draft's scans in order.
func (r *Receipt) Scans(ctx context.Context) ([]ReceiptScan, error) { return nil, errTODO }

// Summary returns what finishing would write.
func (r *Receipt) Summary(ctx context.Context) (ReceiptSummary, error) {
	return ReceiptSummary{}, errTODO
}

// Finish writes the receipt's events in one transaction and closes it.
func (r *Receipt) Finish(ctx context.Context) (ReceiptSummary, error) {
	return ReceiptSummary{}, errTODO
}

// Cancel abandons the draft; nothing is written.
func (r *Receipt) Cancel(ctx context.Context) error { return errTODO }
