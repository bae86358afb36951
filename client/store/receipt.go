package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/driftless/driftless/syncproto"
)

// Receipt drafts: a receiving session against a purchase order, kept in
// the device database scan by scan so that killing the app loses nothing.
// The rules that decide what a scan is (matched, flagged, refused) are the
// app's; the store keeps the draft and turns it into events atomically.

// ErrNoReceipt: no open receipt draft has that ID.
var ErrNoReceipt = errors.New("no such open receipt")

// ReceiptDraft is an open (or closed) receipt and its scans.
type ReceiptDraft struct {
	ID       string
	PO       string
	User     string
	Blind    bool
	OpenedAt time.Time
	Scans    []DraftScan
}

// DraftScan is one scan of a draft. Qty units in all, Quarantine of them
// set aside (expired, not on the order, over the tolerance); Damaged sends
// the rest to quarantine too.
type DraftScan struct {
	N            int // 1-based
	At           time.Time
	Barcode      string
	SKU          string
	Lot          string
	Serial       string
	Expiry       string
	Qty          int64
	Quarantine   int64
	Exception    string
	Reason       string
	Damaged      bool
	DamageReason string
	Voided       bool
}

// OpenReceipt stores a new, empty draft (d.Scans is ignored).
func (s *Store) OpenReceipt(ctx context.Context, d ReceiptDraft) error {
	err := s.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO receipts (id, po, user_code, blind, opened_at) VALUES (?, ?, ?, ?, ?)`,
			d.ID, d.PO, d.User, d.Blind, nanos(d.OpenedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("open receipt %s for %s: %w", d.ID, d.PO, err)
	}
	return nil
}

// OpenReceipts returns the open drafts with their scans, oldest first;
// only user's when user is not empty.
func (s *Store) OpenReceipts(ctx context.Context, user string) ([]ReceiptDraft, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, po, user_code, blind, opened_at FROM receipts
		WHERE closed_at = 0 AND (?1 = '' OR user_code = ?1) ORDER BY opened_at, id`, user)
	if err != nil {
		return nil, fmt.Errorf("read open receipts: %w", err)
	}
	var out []ReceiptDraft
	for rows.Next() {
		var d ReceiptDraft
		var at int64
		if err := rows.Scan(&d.ID, &d.PO, &d.User, &d.Blind, &at); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read open receipts: %w", err)
		}
		d.OpenedAt = fromNanos(at)
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read open receipts: %w", err)
	}
	for i := range out {
		if out[i].Scans, err = s.draftScans(ctx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) draftScans(ctx context.Context, id string) ([]DraftScan, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT n, at, barcode, sku, lot, serial, expiry, qty, quarantine, exception, reason,
			damaged, damage_reason, voided
		FROM receipt_scans WHERE receipt = ? ORDER BY n`, id)
	if err != nil {
		return nil, fmt.Errorf("read scans of receipt %s: %w", id, err)
	}
	defer rows.Close()
	var out []DraftScan
	for rows.Next() {
		var sc DraftScan
		var at int64
		if err := rows.Scan(&sc.N, &at, &sc.Barcode, &sc.SKU, &sc.Lot, &sc.Serial, &sc.Expiry, &sc.Qty, &sc.Quarantine,
			&sc.Exception, &sc.Reason, &sc.Damaged, &sc.DamageReason, &sc.Voided); err != nil {
			return nil, fmt.Errorf("read scans of receipt %s: %w", id, err)
		}
		sc.At = fromNanos(at)
		out = append(out, sc)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read scans of receipt %s: %w", id, err)
	}
	return out, nil
}

// AddReceiptScan appends a scan to an open draft (sc.N must be the next
// number) in one transaction.
func (s *Store) AddReceiptScan(ctx context.Context, id string, sc DraftScan) error {
	err := s.update(ctx, func(tx *sql.Tx) error {
		if err := openDraft(ctx, tx, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO receipt_scans (receipt, n, at, barcode, sku, lot, serial, expiry, qty,
				quarantine, exception, reason, damaged, damage_reason, voided)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, sc.N, nanos(sc.At), sc.Barcode, sc.SKU, sc.Lot, sc.Serial, sc.Expiry, sc.Qty,
			sc.Quarantine, sc.Exception, sc.Reason, sc.Damaged, sc.DamageReason, sc.Voided)
		return err
	})
	if err != nil {
		return fmt.Errorf("add scan %d to receipt %s: %w", sc.N, id, err)
	}
	return nil
}

// MarkReceiptScan sets the damage and void marks of a scan of an open
// draft.
func (s *Store) MarkReceiptScan(ctx context.Context, id string, n int, damaged bool, damageReason string, voided bool) error {
	err := s.update(ctx, func(tx *sql.Tx) error {
		if err := openDraft(ctx, tx, id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE receipt_scans SET damaged = ?, damage_reason = ?, voided = ?
			WHERE receipt = ? AND n = ?`, damaged, damageReason, voided, id, n)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return fmt.Errorf("no scan %d", n)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("mark scan %d of receipt %s: %w", n, id, err)
	}
	return nil
}

// CancelReceipt closes an open draft without writing events.
func (s *Store) CancelReceipt(ctx context.Context, id string) error {
	err := s.update(ctx, func(tx *sql.Tx) error { return closeDraft(ctx, tx, id, "cancelled", s.now()) })
	if err != nil {
		return fmt.Errorf("cancel receipt %s: %w", id, err)
	}
	return nil
}

// FinishReceipt records scans as events and closes the open draft id, all
// in one transaction: either the events exist and the draft is closed, or
// neither.
func (s *Store) FinishReceipt(ctx context.Context, id string, scans []Scan) ([]syncproto.Event, error) {
	evs, err := s.recordBatch(ctx, scans, func(tx *sql.Tx) error { return closeDraft(ctx, tx, id, "finished", s.now()) })
	if err != nil {
		return nil, fmt.Errorf("finish receipt %s: %w", id, err)
	}
	return evs, nil
}

func openDraft(ctx context.Context, tx *sql.Tx, id string) error {
	var closed int64
	err := tx.QueryRowContext(ctx, `SELECT closed_at FROM receipts WHERE id = ?`, id).Scan(&closed)
	if errors.Is(err, sql.ErrNoRows) || err == nil && closed != 0 {
		return ErrNoReceipt
	}
	return err
}

func closeDraft(ctx context.Context, tx *sql.Tx, id, outcome string, at time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE receipts SET closed_at = ?, outcome = ? WHERE id = ? AND closed_at = 0`,
		max(nanos(at), 1), outcome, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNoReceipt
	}
	return nil
}

// SerialReceived reports whether this device recorded a receive of sku
// with serial, or holds it in an open draft's scan (not voided) that
// receives it.
func (s *Store) SerialReceived(ctx context.Context, sku, serial string) (bool, error) {
	var found bool
	err := s.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM received_serials WHERE sku = ?1 AND serial = ?2)
		OR EXISTS (SELECT 1 FROM receipt_scans sc JOIN receipts r ON r.id = sc.receipt
			WHERE r.closed_at = 0 AND sc.sku = ?1 AND sc.serial = ?2 AND sc.voided = 0
			AND sc.exception NOT IN ('unknown_barcode', 'duplicate_serial'))`, sku, serial).Scan(&found)
	if err != nil {
		return false, fmt.Errorf("look up serial %s of %s: %w", serial, sku, err)
	}
	return found, nil
}

// SignIn makes user the signed-in user; it survives a restart.
func (s *Store) SignIn(ctx context.Context, user string) error {
	err := s.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO signed_in (id, user_code, signed_in_at) VALUES (1, ?, ?)`,
			user, nanos(s.now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("sign in %s: %w", user, err)
	}
	return nil
}

// SignOut forgets the signed-in user.
func (s *Store) SignOut(ctx context.Context) error {
	err := s.update(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM signed_in`)
		return err
	})
	if err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	return nil
}

// SignedIn returns the signed-in user's code.
func (s *Store) SignedIn(ctx context.Context) (string, bool, error) {
	var u string
	err := s.r.QueryRowContext(ctx, `SELECT user_code FROM signed_in WHERE id = 1`).Scan(&u)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("read signed-in user: %w", err)
	}
	return u, true, nil
}
