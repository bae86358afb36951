package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/syncproto"
)

// Tester is the user the test devices' events name: it holds every floor
// role (receiver, picker, counter).
const Tester = "tester"

// AddTester adds the Tester user to a store that keeps users (the
// server rejects events of users it does not know).
func AddTester(t testing.TB, st server.Store) {
	t.Helper()
	AddUser(t, st, Tester, "", "receiver", "picker", "counter")
}

// AddUser adds a user with roles (and a PIN when pin is not empty).
func AddUser(t testing.TB, st server.Store, code, pin string, roles ...string) {
	t.Helper()
	cs, ok := st.(server.CatalogStore)
	if !ok {
		t.Fatalf("the store %T keeps no users", st)
	}
	c := server.NewCatalog(cs, server.NewLedger(st))
	if _, err := c.Users.Create(server.WithActor(context.Background(), "storetest"), server.User{Code: code, Name: code, Roles: roles, PIN: pin}); err != nil {
		t.Fatalf("add user %s: %v", code, err)
	}
}

// RunRoles runs the suite of issue 8's roles on events and the audit log.
func RunRoles(t *testing.T, open CatalogOpener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, st server.CatalogStore, c *server.Catalog, l *server.Ledger)
	}{
		{"EveryRoleEveryKind", testEventRoles},
		{"ForgedSupervisorEvents", testForgedEvents},
		{"AuditEntries", testAuditEntries},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					mf, ok := r.(mustFail)
					if !ok {
						panic(r)
					}
					t.Fatalf("%s:%d: %v", mf.file, mf.line, mf.err)
				}
			}()
			st := open(t)
			l := server.NewLedger(st)
			tc.fn(t, st, server.NewCatalog(st, l), l)
		})
	}
}

// kindEvent makes a valid event of a kind by user, 1 unit of A at BIN-1.
func kindEvent(d *Device, k syncproto.Kind, user string) syncproto.Event {
	var ev syncproto.Event
	switch k {
	case syncproto.KindReceive, syncproto.KindReturn:
		ev = d.Event(k, "A", "", "DOCK", 1)
	case syncproto.KindPutaway, syncproto.KindMove:
		ev = d.Event(k, "A", "BIN-1", "DOCK", 1)
	case syncproto.KindCount:
		ev = d.Event(k, "A", "BIN-1", "", 50)
	case syncproto.KindException:
		ev = d.Event(k, "A", "", "", 1)
		ev.Reason = "damaged"
	default: // pick, damage, adjust
		ev = d.Event(k, "A", "BIN-1", "", 1)
	}
	ev.User = user
	ev.Seal()
	return ev
}

var allKinds = []syncproto.Kind{syncproto.KindReceive, syncproto.KindPutaway, syncproto.KindMove, syncproto.KindPick,
	syncproto.KindReturn, syncproto.KindDamage, syncproto.KindCount, syncproto.KindAdjust, syncproto.KindException}

// rolesSetup seeds the catalog, one user per role, an archived user, and
// 50 A at BIN-1 of W1.
func rolesSetup(t *testing.T, st server.CatalogStore, c *server.Catalog, l *server.Ledger) *Device {
	t.Helper()
	seedCatalog(t, c)
	AddTester(t, st)
	for _, r := range server.Roles {
		AddUser(t, st, string(r), "", string(r))
	}
	AddUser(t, st, "gone", "", "picker", "receiver", "counter", "supervisor", "admin")
	must(c.Users.SetArchived(ctx, server.CatalogKey{Code: "gone"}, true))
	d := Enroll(t, l, "seed", "W1")
	wantStatus(t, push(t, l, d, d.Event(syncproto.KindReceive, "A", "", "BIN-1", 50)).Outcomes[0], syncproto.StatusApplied, "")
	return d
}

// testEventRoles pushes every event kind as every role (and as an
// archived and an unknown user): the kinds a role may not record are
// rejected forbidden and change nothing; the others are not.
func testEventRoles(t *testing.T, st server.CatalogStore, c *server.Catalog, l *server.Ledger) {
	rolesSetup(t, st, c, l)
	floor := []syncproto.Kind{syncproto.KindReceive, syncproto.KindPutaway, syncproto.KindMove, syncproto.KindPick,
		syncproto.KindReturn, syncproto.KindDamage, syncproto.KindCount, syncproto.KindException}
	// What each user may record from a handheld that confirmed no PIN
	// (adjust needs a confirmed PIN: testForgedEvents).
	may := map[string][]syncproto.Kind{
		"picker":     {syncproto.KindPick, syncproto.KindMove, syncproto.KindException},
		"receiver":   {syncproto.KindReceive, syncproto.KindPutaway, syncproto.KindReturn, syncproto.KindDamage, syncproto.KindException},
		"counter":    {syncproto.KindCount, syncproto.KindException},
		"supervisor": floor,
		"admin":      floor,
		"gone":       nil,
		"nobody":     nil,
	}
	for user, allowed := range may {
		d := Enroll(t, l, "h-"+user, "W1")
		for _, k := range allKinds {
			before := stock(t, l, "W1", "", "A")
			h := head(t, l, d)
			ev := kindEvent(d, k, user)
			o := push(t, l, d, ev).Outcomes[0]
			if slices.Contains(allowed, k) {
				if o.Code == syncproto.CodeForbidden {
					t.Errorf("%s may record %s, got %+v", user, k, o)
				}
				continue
			}
			if o.Status != syncproto.StatusRejected || o.Code != syncproto.CodeForbidden || o.Reason == "" {
				t.Errorf("%s recording %s: %+v, want rejected forbidden", user, k, o)
			}
			if after := stock(t, l, "W1", "", "A"); after != before || head(t, l, d) != h {
				t.Errorf("%s's forbidden %s changed stock %d → %d or the ledger", user, k, before, after)
			}
			// Final: the resend gets the same outcome, and the device's
			// next event is not blocked.
			if again := push(t, l, d, ev).Outcomes[0]; again != o {
				t.Errorf("resent forbidden event: %+v, first %+v", again, o)
			}
		}
		if got := must(l.Device(ctx, d.ID)).AckedThrough; got != d.Seq {
			t.Errorf("%s's device acked %d of %d events", user, got, d.Seq)
		}
	}
	// An exception needs some role, any: a user with none cannot exist
	// (a user needs a role), so the unknown user stands for it above.
}

// testForgedEvents: an adjust needs a supervisor who confirmed the PIN
// from the device that sends it. A picker's device claiming the
// supervisor's name is refused, so is a picker's own adjust; the
// supervisor's device that confirmed the PIN adjusts. The server's own
// devices bypass the check (a supervisor's decision over REST adjusts).
func testForgedEvents(t *testing.T, st server.CatalogStore, c *server.Catalog, l *server.Ledger) {
	rolesSetup(t, st, c, l)
	pickDev, supDev := Enroll(t, l, "picker's", "W1"), Enroll(t, l, "supervisor's", "W1")
	forbidden := func(d *Device, ev syncproto.Event, why string) {
		t.Helper()
		before := stock(t, l, "W1", "BIN-1", "A")
		if o := push(t, l, d, ev).Outcomes[0]; o.Status != syncproto.StatusRejected || o.Code != syncproto.CodeForbidden {
			t.Fatalf("%s: %+v, want rejected forbidden", why, o)
		}
		if stock(t, l, "W1", "BIN-1", "A") != before {
			t.Fatalf("%s changed stock", why)
		}
	}
	forbidden(pickDev, kindEvent(pickDev, syncproto.KindAdjust, "picker"), "a picker's adjust")
	forbidden(pickDev, kindEvent(pickDev, syncproto.KindAdjust, "supervisor"), "a picker's device adjusting as the supervisor")
	forbidden(supDev, kindEvent(supDev, syncproto.KindAdjust, "supervisor"), "the supervisor's adjust without a confirmed PIN")

	// The supervisor confirms the PIN from their device (a REST call
	// with X-Driftless-PIN does this): their adjusts from it apply.
	sd := must(l.Device(ctx, supDev.ID))
	if err := l.ConfirmPIN(ctx, "supervisor", sd); err != nil {
		t.Fatal(err)
	}
	adj := kindEvent(supDev, syncproto.KindAdjust, "supervisor")
	if o := push(t, l, supDev, adj).Outcomes[0]; o.Status != syncproto.StatusApplied {
		t.Fatalf("the supervisor's adjust after confirming the PIN: %+v", o)
	}
	// Still forged from the picker's device, which knows no PIN.
	forbidden(pickDev, kindEvent(pickDev, syncproto.KindAdjust, "supervisor"), "a picker's device adjusting as the supervisor after the supervisor confirmed elsewhere")
	// The admin role confirmed elsewhere does not count either.
	forbidden(supDev, kindEvent(supDev, syncproto.KindAdjust, "admin"), "an admin who confirmed no PIN on this device")

	// A decision over REST adjusts through the supervisor system device,
	// whatever its user.
	d1, d2 := Enroll(t, l, "h1", "W2"), Enroll(t, l, "h2", "W2")
	late := race(t, l, d1, d2)
	if _, err := l.Resolve(ctx, late.ID, server.Decision{Status: syncproto.StatusApplied, Reason: "found 2", By: "supervisor"}); err != nil {
		t.Fatalf("accept: %v", err)
	}
}

// testAuditEntries checks the entries each decision writes.
func testAuditEntries(t *testing.T, st server.CatalogStore, c *server.Catalog, l *server.Ledger) {
	seedCatalog(t, c)
	actx := server.WithActor(ctx, "boss")
	must(c.Users.Create(actx, server.User{Code: "sam", Name: "Sam", Roles: []string{"picker"}}))
	must(c.Users.Update(actx, server.User{Code: "sam", Name: "Sam", Roles: []string{"picker", "supervisor"}, PIN: "4321"}))
	must(c.Users.SetArchived(actx, server.CatalogKey{Code: "sam"}, true))
	must(c.Users.SetArchived(actx, server.CatalogKey{Code: "sam"}, true)) // no change, no entry
	must(c.Users.SetArchived(actx, server.CatalogKey{Code: "sam"}, false))
	if err := c.Users.Import(server.WithActor(ctx, "cli"), []server.User{{Code: "kim", Name: "Kim", Roles: []string{"counter"}}}); err != nil {
		t.Fatal(err)
	}
	users := must(l.AuditLog(ctx, server.AuditFilter{}))
	var got []string
	for _, e := range users {
		got = append(got, e.Actor+" "+e.Action+" "+e.Subject)
	}
	want := []string{"boss user.create sam", "boss user.update sam", "boss user.archive sam", "boss user.restore sam", "cli user.import kim"}
	if !slices.Equal(got, want) {
		t.Fatalf("user entries = %q, want %q", got, want)
	}
	up := users[1].Details
	if !slices.Equal(toStrings(up["roles"]), []string{"picker", "supervisor"}) || !slices.Equal(toStrings(up["old_roles"]), []string{"picker"}) ||
		up["pin_changed"] != true {
		t.Fatalf("role change details = %v", up)
	}
	for _, e := range users {
		if _, leaks := e.Details["pin"]; leaks || e.At.IsZero() || e.ID == 0 || e.Warehouse != "" {
			t.Fatalf("entry %+v", e)
		}
	}

	// Accept and cancel parked events: one entry each, and the accept's
	// adjustment its own.
	AddTester(t, st)
	last := must(l.AuditLog(ctx, server.AuditFilter{Newest: true, Limit: 1}))[0].ID
	d1, d2 := Enroll(t, l, "h1", "W1"), Enroll(t, l, "h2", "W1")
	late := race(t, l, d1, d2)
	must(l.Resolve(ctx, late.ID, server.Decision{Status: syncproto.StatusApplied, Reason: "2 behind the shelf", By: "sam"}))
	d2.Seen = 0
	late2 := d2.Event(syncproto.KindPick, "A", "BIN-1", "", 9)
	wantStatus(t, push(t, l, d2, late2).Outcomes[0], syncproto.StatusParked, syncproto.CodeInsufficientStock)
	must(l.Resolve(ctx, late2.ID, server.Decision{Status: syncproto.StatusCancelled, Reason: "nobody picked that", By: "admin"}))
	must(l.Resolve(ctx, late2.ID, server.Decision{Status: syncproto.StatusCancelled, Reason: "again", By: "admin"})) // stands: no entry
	es := must(l.AuditLog(ctx, server.AuditFilter{After: last}))
	got = got[:0]
	for _, e := range es {
		got = append(got, e.Actor+" "+e.Action+" "+e.Warehouse)
	}
	want = []string{"sam adjust W1", "sam parked.accept W1", "admin parked.cancel W1"}
	if !slices.Equal(got, want) {
		t.Fatalf("decision entries = %q, want %q", got, want)
	}
	if es[1].Subject != late.ID || es[1].Details["reason"] != "2 behind the shelf" || es[1].Details["device"] != d2.ID ||
		es[0].Details["ref"] != late.ID || es[0].Details["qty"] != float64(2) || es[2].Subject != late2.ID {
		t.Fatalf("decision entries = %+v", es)
	}
	// Filters.
	if f := must(l.AuditLog(ctx, server.AuditFilter{Actor: "admin"})); len(f) != 1 || f[0].Action != server.AuditParkedCancel {
		t.Fatalf("by actor: %+v", f)
	}
	if f := must(l.AuditLog(ctx, server.AuditFilter{Action: server.AuditUserUpdate})); len(f) != 1 || f[0].Subject != "sam" {
		t.Fatalf("by action: %+v", f)
	}
	if f := must(l.AuditLog(ctx, server.AuditFilter{Since: es[0].At})); len(f) < 3 {
		t.Fatalf("since: %+v", f)
	}
	if f := must(l.AuditLog(ctx, server.AuditFilter{Warehouse: "W1"})); len(f) != 3 {
		t.Fatalf("W1's: %+v", f)
	}
	if f := must(l.AuditLog(ctx, server.AuditFilter{Warehouse: "W1", WithShared: true})); len(f) != 9 { // with the tester's
		t.Fatalf("W1's and shared: %d", len(f))
	}
	if f := must(l.AuditLog(ctx, server.AuditFilter{Newest: true, Limit: 1})); len(f) != 1 || f[0].ID != es[2].ID {
		t.Fatalf("newest: %+v", f)
	}
}

func toStrings(v any) []string {
	var out []string
	if vs, ok := v.([]any); ok {
		for _, x := range vs {
			s, _ := x.(string)
			out = append(out, s)
		}
	}
	if vs, ok := v.([]string); ok {
		out = vs
	}
	return out
}

// addTester adds the Tester user through a catalog.
func addTester(t *testing.T, c *server.Catalog) {
	t.Helper()
	must(c.Users.Create(ctx, server.User{Code: Tester, Name: Tester, Roles: []string{"receiver", "picker", "counter"}}))
}
