package server

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/driftless/driftless/syncproto"
)

// The audit log: an append-only record of who decided what. Every
// supervisor decision (a parked event accepted or cancelled, a count
// discrepancy approved, rejected or sent for a recount), every applied
// adjustment, every change to a user or its roles (over REST, an import,
// or `syncd user add`) and every PIN a user confirmed from a device is
// written in the transaction that makes the change, so an entry exists
// exactly when the change does. Entries are never updated or deleted.

// Audit actions.
const (
	AuditParkedAccept       = "parked.accept"
	AuditParkedCancel       = "parked.cancel"
	AuditDiscrepancyApprove = "discrepancy.approve"
	AuditDiscrepancyReject  = "discrepancy.reject"
	AuditDiscrepancyRecount = "discrepancy.recount"
	AuditAdjust             = "adjust"
	AuditUserCreate         = "user.create"
	AuditUserUpdate         = "user.update"
	AuditUserArchive        = "user.archive"
	AuditUserRestore        = "user.restore"
	AuditUserImport         = "user.import"
	AuditPINConfirm         = "pin.confirm"
)

// AuditEntry is one entry of the audit log. Actor is the user code of who
// acted ("admin" for the admin token, "cli" for the command line); Subject
// is what was acted on (an event ID, a user code, a device ID); Warehouse
// is empty for what every warehouse shares (users); Details is a JSON
// object of the decision's particulars.
type AuditEntry struct {
	ID        uint64         `json:"id"`
	At        time.Time      `json:"at"`
	Actor     string         `json:"actor"`
	Action    string         `json:"action"`
	Subject   string         `json:"subject"`
	Warehouse string         `json:"warehouse,omitempty"`
	Details   map[string]any `json:"details"`
}

// AuditFilter selects audit entries; empty fields match everything.
type AuditFilter struct {
	Since     time.Time // at or after
	After     uint64    // IDs above (paging)
	Actor     string
	Action    string
	Subject   string
	Warehouse string
	// WithShared, with Warehouse, also selects the entries of no
	// warehouse (users).
	WithShared bool
	// Newest lists newest first; the default is oldest first.
	Newest bool
	Limit  int // 0: no limit
}

// AuditReadTx reads the audit log. Both stores' transactions implement
// it (found by type assertion).
type AuditReadTx interface {
	AuditEntries(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
}

// AuditTx appends to the audit log.
type AuditTx interface {
	AuditReadTx
	// AppendAudit stores an entry and returns its ID (IDs only grow).
	AppendAudit(ctx context.Context, e AuditEntry) (uint64, error)
}

// Audit appends an entry in a transaction; a store that keeps no audit
// log is an internal error, so no decision goes unrecorded.
func Audit(ctx context.Context, tx any, e AuditEntry) error {
	atx, ok := tx.(AuditTx)
	if !ok {
		return Errorf(EInternal, "this store keeps no audit log")
	}
	if e.Details == nil {
		e.Details = map[string]any{}
	}
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	if _, err := atx.AppendAudit(ctx, e); err != nil {
		return fmt.Errorf("audit %s %s: %w", e.Action, e.Subject, err)
	}
	return nil
}

// EncodeAuditDetails and DecodeAuditDetails convert details to and from
// their stored JSON.
func EncodeAuditDetails(d map[string]any) (string, error) {
	if d == nil {
		return "{}", nil
	}
	b, err := json.Marshal(d)
	return string(b), err
}

// DecodeAuditDetails is EncodeAuditDetails' inverse.
func DecodeAuditDetails(s string) (map[string]any, error) {
	d := map[string]any{}
	if s == "" {
		return d, nil
	}
	err := json.Unmarshal([]byte(s), &d)
	return d, err
}

// actorKey is the context key of who acts (WithActor).
type actorKey struct{}

// WithActor returns a context saying who acts: the catalog writes made
// with it (users) are audited under that actor.
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// ActorFrom returns who acts, "unknown" when nobody said.
func ActorFrom(ctx context.Context) string {
	if a, ok := ctx.Value(actorKey{}).(string); ok && a != "" {
		return a
	}
	return "unknown"
}

// AuditLog lists audit entries.
func (l *Ledger) AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	var out []AuditEntry
	err := l.store.View(ctx, func(ctx context.Context, tx ReadTx) error {
		atx, ok := tx.(AuditReadTx)
		if !ok {
			return Errorf(EInternal, "this store keeps no audit log")
		}
		var err error
		out, err = atx.AuditEntries(ctx, f)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list audit entries: %w", err)
	}
	return out, nil
}

// auditUser records a change to a user: its roles and name, never the
// PIN (only whether it changed).
func auditUser(ctx context.Context, tx CatalogTx, action string, u, old *User, at time.Time) error {
	d := map[string]any{"name": u.Name, "roles": append([]string{}, u.Roles...), "archived": u.Archived}
	if old != nil {
		d["old_roles"] = append([]string{}, old.Roles...)
		if old.Name != u.Name {
			d["old_name"] = old.Name
		}
		d["pin_changed"] = old.PINHash != u.PINHash
	} else {
		d["pin_set"] = u.PINHash != ""
	}
	return Audit(ctx, tx, AuditEntry{At: at, Actor: ActorFrom(ctx), Action: action, Subject: u.Code, Details: d})
}

// auditApplied records an applied adjustment (a handheld's, or a
// supervisor device's made by a decision; a transfer's transit entries
// are not decisions).
func (a *applier) auditApplied(ctx context.Context, ev *syncproto.Event, out *syncproto.Outcome) error {
	if ev.Kind != syncproto.KindAdjust || out.Status != syncproto.StatusApplied || strings.HasPrefix(a.dev.ID, "transit-") {
		return nil
	}
	return Audit(ctx, a.tx, AuditEntry{At: a.now, Actor: ev.User, Action: AuditAdjust, Subject: ev.ID, Warehouse: a.dev.Warehouse,
		Details: map[string]any{"device": a.dev.ID, "location": ev.From, "sku": ev.SKU, "lot": ev.Lot, "qty": ev.Qty,
			"reason": ev.Reason, "ref": ev.Ref, "position": out.Position}})
}

// auditDecision records a supervisor's decision on a parked event.
func auditDecision(ctx context.Context, tx Tx, ev *syncproto.Event, p *ParkRecord) error {
	action := AuditParkedAccept
	if p.Decision == syncproto.StatusCancelled {
		action = AuditParkedCancel
	}
	return Audit(ctx, tx, AuditEntry{At: p.DecidedAt, Actor: p.DecidedBy, Action: action, Subject: p.EventID, Warehouse: p.Warehouse,
		Details: map[string]any{"device": p.DeviceID, "seq": p.Seq, "user": ev.User, "kind": string(ev.Kind), "sku": ev.SKU,
			"lot": ev.Lot, "from": ev.From, "to": ev.To, "qty": ev.Qty, "code": p.Code, "reason": p.DecisionReason, "position": p.Position}})
}
