package app

import (
	"context"
	"fmt"

	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/syncproto"
)

// kindRoles is the server's role table: the role a user needs to record an
// event of a kind (exceptions: any role; a supervisor may do what a floor
// role may, an admin anything).
var kindRoles = map[syncproto.Kind]Role{
	syncproto.KindReceive: RoleReceiver, syncproto.KindPutaway: RoleReceiver, syncproto.KindReturn: RoleReceiver,
	syncproto.KindDamage: RoleReceiver, syncproto.KindPick: RolePicker, syncproto.KindMove: RolePicker,
	syncproto.KindCount: RoleCounter, syncproto.KindAdjust: RoleSupervisor,
}

// kindVerbs say what recording an event of a kind does, in words.
var kindVerbs = map[syncproto.Kind]string{
	syncproto.KindReceive: "receive", syncproto.KindPutaway: "put away", syncproto.KindReturn: "take returns",
	syncproto.KindDamage: "record damage", syncproto.KindPick: "pick", syncproto.KindMove: "move stock",
	syncproto.KindCount: "count", syncproto.KindAdjust: "adjust stock", syncproto.KindException: "flag exceptions",
}

// codeCountVariance is the parked code of a count outside tolerance (a
// discrepancy waiting for a supervisor).
const codeCountVariance = "count_variance"

// explain rewrites an attention entry's reason in words the user can act
// on: who may not do what for a forbidden event, and a discrepancy
// without the figures a blind count must not show.
func (a *App) explain(ctx context.Context, eo *store.EventOutcome) {
	switch {
	case eo.Outcome.Status == syncproto.StatusRejected && eo.Outcome.Code == syncproto.CodeForbidden:
		eo.Outcome.Reason = a.forbiddenReason(ctx, eo.Event)
	case eo.Event.Kind == syncproto.KindCount && eo.Outcome.Status == syncproto.StatusParked &&
		(eo.Outcome.Code == codeCountVariance || eo.Outcome.Code == ""):
		eo.Outcome.Reason = "Outside tolerance: a supervisor will approve it, reject it or send someone to count again"
	}
}

// forbiddenReason says why the server refused an event as forbidden, from
// the device's copy of the user.
func (a *App) forbiddenReason(ctx context.Context, ev syncproto.Event) string {
	who := ev.User
	verb := kindVerbs[ev.Kind]
	if verb == "" {
		verb = string(ev.Kind)
	}
	u, ok, err := a.st.User(ctx, ev.User)
	switch {
	case who == "":
		return "Rejected: the scan names no user"
	case err == nil && !ok:
		return fmt.Sprintf("Rejected: %s is not a user of this warehouse", who)
	case err == nil && u.Archived:
		return fmt.Sprintf("Rejected: %s may no longer work here (archived)", who)
	}
	if role, ok := kindRoles[ev.Kind]; ok {
		return fmt.Sprintf("Rejected: %s may not %s (needs the %s role)", who, verb, role)
	}
	return fmt.Sprintf("Rejected: %s may not %s", who, verb)
}
