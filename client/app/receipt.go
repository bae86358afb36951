package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/driftless/driftless/client/scan/resolve"
	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/syncproto"
	"github.com/google/uuid"
)

// Receipt is a receiving session against one purchase order. Its draft is
// in the device database: every scan is durable when Scan returns, and a
// receipt left open (the app killed, the user signed out) is resumed by
// ActiveReceipt.
//
// What a scan does (DESIGN: receiving rules): an unknown barcode is an
// exception with nothing received; a lot-tracked SKU scanned without a lot
// is refused and nothing is recorded; a serial this device already
// received is a duplicate_serial exception, not received; an expired lot
// goes to quarantine; an item not on the order goes to quarantine; units
// beyond the order's tolerance (ordered plus the warehouse's
// over_receipt_pct, counted against the line's received figure: the
// server's plus this receipt's) go to quarantine; a lot expiring within the
// warehouse's min_shelf_life_days is received to the dock and flagged. A
// scan carries one exception: expired, not on the order and over-receipt
// take precedence over short-dated.
type Receipt struct {
	a  *App
	id string

	po, user string
	blind    bool

	mu    sync.Mutex
	qty   int64             // SetQty's, for the next scan
	scans []store.DraftScan // the draft's scans, as stored
	order store.OrderSummary
	done  bool
}

// ActiveReceipt returns the signed-in user's open receipt, if any.
func (a *App) ActiveReceipt(ctx context.Context) (*Receipt, bool, error) {
	u, ok, err := a.CurrentUser(ctx)
	if err != nil || !ok {
		return nil, false, err
	}
	drafts, err := a.st.OpenReceipts(ctx, u.Code)
	if err != nil {
		return nil, false, err
	}
	if len(drafts) == 0 {
		return nil, false, nil
	}
	return a.receipt(ctx, drafts[0]), true, nil
}

// receipt returns the one handle of a draft.
func (a *App) receipt(ctx context.Context, d store.ReceiptDraft) *Receipt {
	a.mu.Lock()
	defer a.mu.Unlock()
	if r, ok := a.receipts[d.ID]; ok {
		return r
	}
	r := &Receipt{a: a, id: d.ID, po: d.PO, user: d.User, blind: d.Blind, scans: d.Scans}
	r.order.Number = d.PO
	if o, ok, err := a.st.PurchaseOrder(ctx, d.PO); err == nil && ok {
		r.order = o
	}
	a.receipts[d.ID] = r
	return r
}

// StartReceipt opens a receipt for a purchase order, given by number or by
// scanning its barcode or an SSCC pallet label that references it. The
// user's open receipt of the same order is resumed; one of another order
// must be finished or cancelled first (ErrReceiptOpen).
func (a *App) StartReceipt(ctx context.Context, scan string) (*Receipt, error) {
	u, err := a.signedIn(ctx)
	if err != nil {
		return nil, err
	}
	number, err := a.orderOf(ctx, strings.TrimSpace(scan))
	if err != nil {
		return nil, err
	}
	drafts, err := a.st.OpenReceipts(ctx, u.Code)
	if err != nil {
		return nil, err
	}
	for _, d := range drafts {
		if d.PO == number {
			return a.receipt(ctx, d), nil
		}
		return nil, errorf(ErrReceiptOpen, nil, "Finish or cancel the receipt of %s first", d.PO)
	}
	for _, typ := range []string{"dock", "quarantine"} {
		if _, ok, err := a.st.FirstLocation(ctx, typ); err != nil {
			return nil, err
		} else if !ok {
			return nil, errorf(ErrNoLocation, nil, "The warehouse has no %s location: receiving needs one", typ)
		}
	}
	w, _, err := a.st.Warehouse(ctx)
	if err != nil {
		return nil, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, err
	}
	d := store.ReceiptDraft{ID: id.String(), PO: number, User: u.Code, Blind: w.BlindReceiving, OpenedAt: a.cfg.Now()}
	if err := a.st.OpenReceipt(ctx, d); err != nil {
		return nil, err
	}
	return a.receipt(ctx, d), nil
}

// orderOf finds the purchase order a scan or typed number names.
func (a *App) orderOf(ctx context.Context, text string) (string, error) {
	if text == "" {
		return "", errorf(ErrNotAnOrder, nil, "Scan or choose a purchase order")
	}
	if o, ok, err := a.st.PurchaseOrder(ctx, text); err != nil {
		return "", err
	} else if ok {
		return o.Number, nil
	}
	res, err := a.res.Resolve(ctx, a.scanOf(text))
	if err != nil {
		return "", err
	}
	switch res.Kind {
	case resolve.KindPurchaseOrder:
		return res.PurchaseOrder.Number, nil
	case resolve.KindPallet:
		if res.Pallet.PurchaseOrder != "" {
			return res.Pallet.PurchaseOrder, nil
		}
	}
	return "", errorf(ErrNotAnOrder, nil, "%s is not an open purchase order or an announced pallet on this device", text)
}

// PO returns the receipt's purchase order number.
func (r *Receipt) PO() string { return r.po }

// Blind reports whether ordered quantities are hidden (the warehouse's
// blind-receiving setting).
func (r *Receipt) Blind() bool { return r.blind }

// SetQty sets how many units the next item scan stands for (0: what the
// barcode says, 1 for an each, N for a case). It applies to one scan.
func (r *Receipt) SetQty(n int64) {
	r.mu.Lock()
	r.qty = max(n, 0)
	r.mu.Unlock()
}

// receiving reports whether a scan puts units in stock (dock or
// quarantine) when the receipt is finished.
func receiving(sc store.DraftScan) bool {
	return !sc.Voided && sc.SKU != "" && sc.Exception != string(ExUnknownBarcode) && sc.Exception != string(ExDuplicateSerial)
}

// dockQty is how many of a scan's units stay at the dock.
func dockQty(sc store.DraftScan) int64 {
	if !receiving(sc) || sc.Damaged {
		return 0
	}
	return sc.Qty - sc.Quarantine
}

func bad(title, detail string) Feedback  { return Feedback{Level: Bad, Title: title, Detail: detail} }
func warn(title, detail string) Feedback { return Feedback{Level: Warn, Title: title, Detail: detail} }

// Scan handles one scan: an item matched to a line (by item or case
// barcode, or GS1 data with lot, expiry and serial) is recorded; unknown
// barcodes, items not on the order, over-receipt beyond the tolerance,
// expired or short-dated lots and duplicate serials are flagged and
// recorded as exceptions. Feedback says what happened. Refused scans
// (unreadable, not an item, a lot, serial or expiry missing) record nothing and keep SetQty's
// quantity for the next scan.
func (r *Receipt) Scan(ctx context.Context, text string) (Feedback, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done {
		return Feedback{}, ErrReceiptClosed
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return bad("Empty scan", "Scan an item of "+r.po), nil
	}
	res, err := r.a.res.Resolve(ctx, r.a.scanOf(text))
	if err != nil {
		return Feedback{}, err
	}
	sc := store.DraftScan{N: len(r.scans) + 1, At: r.a.cfg.Now(), Barcode: text, Qty: r.qty}
	switch res.Kind {
	case resolve.KindItem:
	case resolve.KindUnknown:
		sc.Qty = max(sc.Qty, 1)
		sc.Exception, sc.Reason = string(ExUnknownBarcode), res.Reason
		if err := r.add(ctx, sc); err != nil {
			return Feedback{}, err
		}
		return bad("Unknown barcode", "Kept for an admin to map: "+text), nil
	case resolve.KindMalformed:
		return bad("Unreadable barcode", res.Reason+"; scan it again"), nil
	case resolve.KindPallet:
		return bad("Pallet label", "Pallet "+res.SSCC+" is of "+cmpOr(res.Pallet.PurchaseOrder, "no order")+": scan the items"), nil
	case resolve.KindLocation:
		return bad("Not an item", res.Location.Code+" is a location: scan an item of "+r.po), nil
	case resolve.KindPurchaseOrder:
		return bad("Not an item", res.PurchaseOrder.Number+" is a purchase order: scan an item of "+r.po), nil
	default:
		return bad("Not an item", res.Reason), nil
	}

	sku, ok, err := r.a.st.SKU(ctx, res.Item.SKU)
	if err != nil {
		return Feedback{}, err
	}
	if !ok {
		sku = syncproto.SKU{Code: res.Item.SKU}
	}
	if sc.Qty == 0 {
		sc.Qty = int64(res.Quantity)
	}
	sc.SKU, sc.Lot, sc.Serial = sku.Code, res.Lot, res.Serial
	if !res.Expiry.IsZero() {
		sc.Expiry = res.Expiry.Format(time.DateOnly)
	}
	title := fmt.Sprintf("%s × %d", sku.Code, sc.Qty)
	if sku.TrackLot && sc.Lot == "" {
		return bad(sku.Code+": lot needed", "Scan the GS1 label with the lot"), nil
	}
	if sku.TrackSerial && sc.Serial == "" {
		return bad(sku.Code+": serial needed", "Scan the GS1 label with the serial number"), nil
	}
	if sku.TrackExpiry && sc.Expiry == "" {
		return bad(sku.Code+": expiry needed", "Scan the GS1 label with the expiry date"), nil
	}
	if sc.Serial != "" && sc.Qty != 1 {
		return bad(sku.Code+": one serial, one unit", fmt.Sprintf("Serial %s stands for 1 unit, not %d", sc.Serial, sc.Qty)), nil
	}
	if sku.TrackSerial && sc.Serial != "" {
		dup, err := r.a.st.SerialReceived(ctx, sku.Code, sc.Serial)
		if err != nil {
			return Feedback{}, err
		}
		if dup {
			sc.Exception, sc.Reason = string(ExDuplicateSerial), "serial "+sc.Serial+" was received already"
			if err := r.add(ctx, sc); err != nil {
				return Feedback{}, err
			}
			return bad("Duplicate serial", fmt.Sprintf("%s serial %s was received already: not received again", sku.Code, sc.Serial)), nil
		}
	}
	w, _, err := r.a.st.Warehouse(ctx)
	if err != nil {
		return Feedback{}, err
	}
	now := r.a.cfg.Now()
	today := now.Format(time.DateOnly)
	shortDated := sc.Expiry != "" && w.MinShelfLifeDays > 0 && sc.Expiry < now.AddDate(0, 0, int(w.MinShelfLifeDays)).Format(time.DateOnly)
	if sc.Expiry != "" && sc.Expiry < today {
		sc.Quarantine = sc.Qty
		sc.Exception, sc.Reason = string(ExExpired), "expired on "+sc.Expiry
		if err := r.add(ctx, sc); err != nil {
			return Feedback{}, err
		}
		return bad("Expired lot: "+title, fmt.Sprintf("Lot %s expired on %s: to quarantine", sc.Lot, sc.Expiry)), nil
	}
	if o, ok, err := r.a.st.PurchaseOrder(ctx, r.po); err != nil {
		return Feedback{}, err
	} else if ok {
		r.order = o
	}
	ordered, before, onOrder := r.line(sku.Code)
	if !onOrder {
		sc.Quarantine = sc.Qty
		sc.Exception, sc.Reason = string(ExNotOnPO), sku.Code+" is not on "+r.po
		if err := r.add(ctx, sc); err != nil {
			return Feedback{}, err
		}
		return bad("Not on the order: "+title, sku.Code+" is not on "+r.po+": to quarantine"), nil
	}
	limit := ordered + ordered*w.OverReceiptPct/100
	counted := before
	for _, s := range r.scans {
		if receiving(s) && s.SKU == sku.Code {
			counted += s.Qty
		}
	}
	if room := max(limit-counted, 0); sc.Qty > room {
		sc.Quarantine = sc.Qty - room
		sc.Exception = string(ExOverReceipt)
		sc.Reason = fmt.Sprintf("%d beyond the order's %d (tolerance %d%%)", sc.Quarantine, ordered, w.OverReceiptPct)
		if r.blind {
			sc.Reason = fmt.Sprintf("%d extra units set aside for checking", sc.Quarantine)
		}
		if shortDated {
			sc.Reason += "; lot expires " + sc.Expiry
		}
		if err := r.add(ctx, sc); err != nil {
			return Feedback{}, err
		}
		switch {
		case r.blind:
			return warn(title, "Extra units set aside for checking"), nil
		case room > 0:
			return warn("Over-receipt: "+title, fmt.Sprintf("%d received, %d beyond the order to quarantine", room, sc.Quarantine)), nil
		}
		return bad("Over-receipt: "+title, fmt.Sprintf("The line is complete: %d to quarantine", sc.Quarantine)), nil
	}
	if shortDated {
		sc.Exception, sc.Reason = string(ExShortDated), "expires "+sc.Expiry
		if err := r.add(ctx, sc); err != nil {
			return Feedback{}, err
		}
		return warn("Short-dated: "+title, fmt.Sprintf("Lot %s expires %s: received, flagged", sc.Lot, sc.Expiry)), nil
	}
	if err := r.add(ctx, sc); err != nil {
		return Feedback{}, err
	}
	detail := cmpOr(sku.Name, sku.Code)
	if sc.Lot != "" {
		detail += " · lot " + sc.Lot
	}
	if sc.Serial != "" {
		detail += " · serial " + sc.Serial
	}
	if !r.blind {
		detail += fmt.Sprintf(" · %d of %d", counted+sc.Qty, ordered)
	}
	return Feedback{Level: Good, Title: title, Detail: detail}, nil
}

// line sums the order's lines of a SKU.
func (r *Receipt) line(sku string) (ordered, before int64, on bool) {
	for _, l := range r.order.Lines {
		if l.SKU == sku {
			ordered, before, on = ordered+l.Ordered, before+l.Received, true
		}
	}
	return ordered, before, on
}

// add stores a scan in the draft (one transaction) and keeps it.
func (r *Receipt) add(ctx context.Context, sc store.DraftScan) error {
	if err := r.a.st.AddReceiptScan(ctx, r.id, sc); err != nil {
		return r.closedErr(err)
	}
	r.scans = append(r.scans, sc)
	r.qty = 0
	return nil
}

func (r *Receipt) closedErr(err error) error {
	if errors.Is(err, store.ErrNoReceipt) {
		r.done = true
		return ErrReceiptClosed
	}
	return err
}

// MarkDamaged marks the last accepted scan as damaged with a reason: its
// units go to quarantine when the receipt is finished.
func (r *Receipt) MarkDamaged(ctx context.Context, reason string) (Feedback, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done {
		return Feedback{}, ErrReceiptClosed
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return bad("Reason needed", "Say what is damaged"), nil
	}
	for i := len(r.scans) - 1; i >= 0; i-- {
		sc := r.scans[i]
		if dockQty(sc) <= 0 {
			continue
		}
		if err := r.a.st.MarkReceiptScan(ctx, r.id, sc.N, true, reason, sc.Voided); err != nil {
			return Feedback{}, r.closedErr(err)
		}
		r.scans[i].Damaged, r.scans[i].DamageReason = true, reason
		return warn(fmt.Sprintf("Damaged: %s × %d", sc.SKU, sc.Qty-sc.Quarantine), "To quarantine: "+reason), nil
	}
	return bad("Nothing to mark", "No accepted scan to mark as damaged"), nil
}

// Undo voids the last scan that is not voided yet.
func (r *Receipt) Undo(ctx context.Context) (Feedback, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done {
		return Feedback{}, ErrReceiptClosed
	}
	for i := len(r.scans) - 1; i >= 0; i-- {
		sc := r.scans[i]
		if sc.Voided {
			continue
		}
		if err := r.a.st.MarkReceiptScan(ctx, r.id, sc.N, sc.Damaged, sc.DamageReason, true); err != nil {
			return Feedback{}, r.closedErr(err)
		}
		r.scans[i].Voided = true
		what := cmpOr(sc.SKU, sc.Barcode)
		return Feedback{Level: Good, Title: fmt.Sprintf("Undone: %s × %d", what, sc.Qty), Detail: fmt.Sprintf("Scan %d removed", sc.N)}, nil
	}
	return bad("Nothing to undo", "The receipt has no scans"), nil
}

// Lines returns the running tally per line: the order's lines in order,
// then the SKUs scanned that are not on it.
func (r *Receipt) Lines(ctx context.Context) ([]ReceiptLine, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lines(ctx)
}

func (r *Receipt) lines(ctx context.Context) ([]ReceiptLine, error) {
	var out []ReceiptLine
	idx := map[string]int{}
	for _, l := range r.order.Lines {
		i, ok := idx[l.SKU]
		if !ok {
			i = len(out)
			idx[l.SKU] = i
			out = append(out, ReceiptLine{SKU: l.SKU, OnOrder: true, Blind: r.blind})
		}
		if !r.blind {
			out[i].Ordered += l.Ordered
			out[i].Before += l.Received
		}
	}
	for _, sc := range r.scans {
		if !receiving(sc) {
			continue
		}
		i, ok := idx[sc.SKU]
		if !ok {
			i = len(out)
			idx[sc.SKU] = i
			out = append(out, ReceiptLine{SKU: sc.SKU, Blind: r.blind})
		}
		d := dockQty(sc)
		out[i].Received += d
		out[i].Quarantined += sc.Qty - d
	}
	for i := range out {
		k, ok, err := r.a.st.SKU(ctx, out[i].SKU)
		if err != nil {
			return nil, err
		}
		if ok {
			out[i].Name = k.Name
		}
	}
	return out, nil
}

// Scans returns the draft's scans in order. A damaged scan shows the
// damaged exception and the clerk's reason.
func (r *Receipt) Scans(ctx context.Context) ([]ReceiptScan, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]ReceiptScan, len(r.scans))
	for i, sc := range r.scans {
		out[i] = ReceiptScan{N: sc.N, At: sc.At, Barcode: sc.Barcode, SKU: sc.SKU, Lot: sc.Lot, Serial: sc.Serial,
			Expiry: sc.Expiry, Qty: sc.Qty, Exception: ExceptionCode(sc.Exception), Reason: sc.Reason, Voided: sc.Voided}
		if sc.Damaged {
			out[i].Exception, out[i].Reason = ExDamaged, sc.DamageReason
		}
	}
	return out, nil
}

// Summary returns what finishing would write.
func (r *Receipt) Summary(ctx context.Context) (ReceiptSummary, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, _, err := r.summary(ctx)
	return s, err
}

// summary computes the summary and the events finishing writes.
func (r *Receipt) summary(ctx context.Context) (ReceiptSummary, []store.Scan, error) {
	lines, err := r.lines(ctx)
	if err != nil {
		return ReceiptSummary{}, nil, err
	}
	s := ReceiptSummary{PO: r.po, Lines: lines, Exceptions: map[ExceptionCode]int{}, Blind: r.blind}
	for _, l := range lines {
		s.Matched += l.Received
		s.Quarantine += l.Quarantined
	}
	for _, sc := range r.scans {
		if sc.Voided {
			continue
		}
		if sc.Exception != "" {
			s.Exceptions[ExceptionCode(sc.Exception)]++
		}
		if sc.Damaged {
			s.Exceptions[ExDamaged]++
		}
	}
	evs, err := r.events(ctx)
	if err != nil {
		return ReceiptSummary{}, nil, err
	}
	s.Events = len(evs)
	return s, evs, nil
}

// events turns the draft into the events finishing writes, in scan order:
// per scan a receive to the dock and/or one to quarantine, a damage from
// the dock to quarantine for damaged units, and an exception event per
// flag.
func (r *Receipt) events(ctx context.Context) ([]store.Scan, error) {
	dock, _, err := r.a.st.FirstLocation(ctx, "dock")
	if err != nil {
		return nil, err
	}
	quar, _, err := r.a.st.FirstLocation(ctx, "quarantine")
	if err != nil {
		return nil, err
	}
	var out []store.Scan
	for _, sc := range r.scans {
		if sc.Voided {
			continue
		}
		base := store.Scan{User: r.user, SKU: sc.SKU, Lot: sc.Lot, Ref: r.po, Serial: sc.Serial, Expiry: sc.Expiry}
		if receiving(sc) {
			need := []string{}
			if sc.Qty > sc.Quarantine {
				need = append(need, dock)
			}
			if sc.Quarantine > 0 || sc.Damaged {
				need = append(need, quar)
			}
			for _, l := range need {
				if l == "" {
					return nil, errorf(ErrNoLocation, nil, "The warehouse has no dock or quarantine location")
				}
			}
			if n := sc.Qty - sc.Quarantine; n > 0 {
				e := base
				e.Kind, e.To, e.Qty = syncproto.KindReceive, dock, n
				out = append(out, e)
			}
			if sc.Quarantine > 0 {
				e := base
				e.Kind, e.To, e.Qty = syncproto.KindReceive, quar, sc.Quarantine
				out = append(out, e)
			}
		}
		if sc.Exception != "" {
			e := base
			e.Kind, e.Reason, e.Barcode, e.Qty = syncproto.KindException, sc.Exception, sc.Barcode, sc.Qty
			if sc.Exception == string(ExOverReceipt) {
				e.Qty = sc.Quarantine
			}
			out = append(out, e)
		}
		if n := sc.Qty - sc.Quarantine; sc.Damaged && receiving(sc) && n > 0 {
			e := base
			e.Kind, e.From, e.To, e.Qty, e.Reason = syncproto.KindDamage, dock, quar, n, sc.DamageReason
			out = append(out, e)
			x := base
			x.Kind, x.Reason, x.Barcode, x.Qty = syncproto.KindException, string(ExDamaged), sc.Barcode, n
			out = append(out, x)
		}
	}
	return out, nil
}

// Finish writes the receipt's events in one transaction and closes it.
func (r *Receipt) Finish(ctx context.Context) (ReceiptSummary, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done {
		return ReceiptSummary{}, ErrReceiptClosed
	}
	s, evs, err := r.summary(ctx)
	if err != nil {
		return ReceiptSummary{}, err
	}
	if _, err := r.a.st.FinishReceipt(ctx, r.id, evs); err != nil {
		return ReceiptSummary{}, r.closedErr(err)
	}
	r.close()
	r.a.recorded()
	return s, nil
}

func (r *Receipt) close() {
	r.done = true
	r.a.mu.Lock()
	delete(r.a.receipts, r.id)
	r.a.mu.Unlock()
}

// Cancel abandons the draft; nothing is written.
func (r *Receipt) Cancel(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done {
		return ErrReceiptClosed
	}
	if err := r.a.st.CancelReceipt(ctx, r.id); err != nil {
		return r.closedErr(err)
	}
	r.close()
	return nil
}
