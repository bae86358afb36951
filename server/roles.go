package server

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/driftless/driftless/syncproto"
)

// Roles on the server. Every event a handheld pushes names the user who
// recorded it (Event.User, a catalog user the device checked the PIN of
// offline); the server applies it only when that user exists, is not
// archived and holds the role its kind needs (KindRole). An event that
// fails the check is rejected with syncproto.CodeForbidden and changes
// nothing. A user may hold several roles; a supervisor may do whatever a
// floor role may, and an admin everything. The server's own system devices
// (a warehouse's import, supervisor and transit devices) bypass the check:
// what they record was decided elsewhere (an import, a supervisor's
// decision over REST, a transfer).
//
// Kinds only a supervisor may record (adjust) need more than a name,
// since a handheld could put any name in an event: the user must also have
// proved the PIN to the server from that device (a REST call with
// X-Driftless-PIN, recorded as a pin.confirm audit entry) within
// PINConfirmWindow before the push. A picker's device that claims a
// supervisor's name does not know the PIN, so it cannot adjust stock.

// PINConfirmWindow is how long a PIN confirmed from a device lets its user
// push supervisor-only events from it.
const PINConfirmWindow = 12 * time.Hour

// KindRole is the role a user needs to record an event of a kind; "" for
// exceptions, which any role may flag.
func KindRole(k syncproto.Kind) Role {
	switch k {
	case syncproto.KindReceive, syncproto.KindPutaway, syncproto.KindReturn, syncproto.KindDamage:
		return RoleReceiver
	case syncproto.KindPick, syncproto.KindMove:
		return RolePicker
	case syncproto.KindCount:
		return RoleCounter
	case syncproto.KindAdjust:
		return RoleSupervisor
	case syncproto.KindException:
		return ""
	}
	return RoleAdmin // an unknown kind: only an admin (Validate rejects it first)
}

// HasRole reports whether a user holding roles may act as need: holding
// it, or supervisor for a floor role, or admin for any. need "" is any
// role at all.
func HasRole(roles []string, need Role) bool {
	if len(roles) > 0 && need == "" {
		return true
	}
	for _, r := range roles {
		switch Role(r) {
		case need, RoleAdmin:
			return true
		case RoleSupervisor:
			if need == RolePicker || need == RoleReceiver || need == RoleCounter {
				return true
			}
		}
	}
	return false
}

// IsSystemDevice reports whether a device ID is one of the server's own
// devices (a warehouse's import, supervisor or transit device), which no
// handheld can speak for.
func IsSystemDevice(id string) bool {
	for _, p := range []string{"import-", "supervisor-", "transit-"} {
		if strings.HasPrefix(id, p) {
			return true
		}
	}
	return false
}

// userTx is what the role check needs of a push's transaction: the
// stores' transactions are catalog transactions too.
type userTx interface {
	User(ctx context.Context, code string) (User, error)
}

// authorize checks that the event's user may record it; a refusal is an
// outcome (rejected forbidden), not an error.
func (a *applier) authorize(ctx context.Context, ev *syncproto.Event, out *syncproto.Outcome) (bool, error) {
	if IsSystemDevice(a.dev.ID) {
		return true, nil
	}
	refuse := func(format string, args ...any) (bool, error) {
		out.Status, out.Code, out.Reason = syncproto.StatusRejected, syncproto.CodeForbidden, fmt.Sprintf(format, args...)
		return false, nil
	}
	utx, ok := a.tx.(userTx)
	if !ok {
		return refuse("this server keeps no users: nobody may record events")
	}
	u, known := a.users[ev.User]
	if !known {
		var err error
		u, err = utx.User(ctx, ev.User)
		switch {
		case IsNotFound(err):
			u = User{}
		case err != nil:
			return false, err
		}
		if a.users == nil {
			a.users = map[string]User{}
		}
		a.users[ev.User] = u
	}
	need := KindRole(ev.Kind)
	switch {
	case u.Code == "":
		return refuse("%q is not a user of this server: sign in as a user from the catalog", ev.User)
	case u.Archived:
		return refuse("user %s (%s) is archived", u.Code, u.Name)
	case !HasRole(u.Roles, need):
		if need == "" {
			return refuse("user %s (%s) holds no role", u.Code, u.Name)
		}
		return refuse("user %s (%s) is not a %s: a %s event needs a %s", u.Code, u.Name, need, ev.Kind, roleNoun(need))
	}
	if need == RoleSupervisor || need == RoleAdmin {
		ok, err := a.pinConfirmed(ctx, u.Code)
		if err != nil {
			return false, err
		}
		if !ok {
			return refuse("%s (%s) has not confirmed the PIN to the server from this device in the last %s: a %s needs it",
				u.Name, u.Code, PINConfirmWindow, ev.Kind)
		}
	}
	return true, nil
}

func roleNoun(r Role) string {
	if r == RoleAdmin {
		return "an admin"
	}
	return "a " + string(r)
}

// pinConfirmed reports whether the user confirmed the PIN from the
// applier's device within PINConfirmWindow.
func (a *applier) pinConfirmed(ctx context.Context, user string) (bool, error) {
	atx, ok := a.tx.(AuditReadTx)
	if !ok {
		return false, nil
	}
	es, err := atx.AuditEntries(ctx, AuditFilter{Actor: user, Action: AuditPINConfirm, Subject: a.dev.ID,
		Since: a.now.Add(-PINConfirmWindow), Newest: true, Limit: 1})
	if err != nil {
		return false, err
	}
	return len(es) > 0, nil
}

// ConfirmPIN records that a user proved the PIN to the server from a
// device (an audit entry pin.confirm, subject the device), which lets the
// user push supervisor-only events from it for PINConfirmWindow.
func (l *Ledger) ConfirmPIN(ctx context.Context, user string, dev Device) error {
	err := l.store.Update(ctx, func(ctx context.Context, tx Tx) error {
		return Audit(ctx, tx, AuditEntry{At: l.now().UTC(), Actor: user, Action: AuditPINConfirm, Subject: dev.ID,
			Warehouse: dev.Warehouse, Details: map[string]any{"device_name": dev.Name}})
	})
	if err != nil {
		return fmt.Errorf("confirm pin of %s: %w", user, err)
	}
	return nil
}
