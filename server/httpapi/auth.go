package httpapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/driftless/driftless/server"
)

// Who may call what. Every route has a required role (see the
// x-driftless-role of each operation in the OpenAPI document):
//
//   - public: nobody needs to say who they are (health, the document,
//     enrollment by code, the sync websocket, which authenticates itself);
//   - device: an enrolled device's credentials, "Authorization: Device
//     ID:TOKEN" (the snapshot);
//   - a user role (picker, receiver, counter, supervisor, admin, or any
//     role at all): the admin token ("Authorization: Bearer TOKEN", which
//     acts as the admin and passes every role), or a device's credentials
//     plus the signed-in user's code in X-Driftless-User and their PIN in
//     X-Driftless-PIN. The server checks the PIN against the user's bcrypt
//     hash, so a device cannot act for a user by naming them: a picker's
//     device that claims a supervisor's name does not know the PIN. The
//     user must be active and hold the role (a supervisor passes the floor
//     roles' routes, an admin every route); a device's user acts on the
//     device's warehouse only.
//
// Answers: 401 unauthorized for missing or wrong credentials, a missing
// X-Driftless-User (field X-Driftless-User) or a missing or wrong PIN
// (field X-Driftless-PIN); 403 forbidden for an unknown or archived user
// or one without the role; 429 busy with Retry-After once a user's PIN was
// wrong maxPINFails times within pinFailWindow (from any device), even
// for the right PIN, until the window passes.
//
// A PIN confirmed from a device is recorded in the audit log (pin.confirm,
// at most once per pinConfirmEvery per device and user): it lets that
// user push supervisor-only events (adjust) from that device for
// server.PINConfirmWindow.

// PINHeader carries the signed-in user's PIN on user-level calls from a
// device.
const PINHeader = "X-Driftless-PIN"

// RolePublic and RoleDevice are the route roles that are not user roles;
// RoleAnyUser is any user role at all.
const (
	RolePublic  server.Role = "public"
	RoleDevice  server.Role = "device"
	RoleAnyUser server.Role = "user"
)

const (
	maxPINFails     = 5
	pinFailWindow   = time.Minute
	pinCacheTTL     = 10 * time.Minute
	pinConfirmEvery = 10 * time.Minute
)

// pinGuard rate-limits wrong PINs per user, remembers PINs it verified
// (bcrypt takes tens of milliseconds a call) and when each device's user
// last had a confirmation recorded.
type pinGuard struct {
	mu        sync.Mutex
	fails     map[string][]time.Time  // user → wrong PINs within the window
	verified  map[[32]byte]time.Time  // hash of user, PIN hash and PIN → until
	confirmed map[[2]string]time.Time // device, user → when recorded
}

func (g *pinGuard) wait(user string, now time.Time) time.Duration {
	g.mu.Lock()
	defer g.mu.Unlock()
	ts := g.recent(user, now)
	if len(ts) < maxPINFails {
		return 0
	}
	return ts[len(ts)-maxPINFails].Add(pinFailWindow).Sub(now)
}

func (g *pinGuard) fail(user string, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.fails == nil {
		g.fails = map[string][]time.Time{}
	}
	g.fails[user] = append(g.recent(user, now), now)
	if len(g.fails) > 10000 {
		clear(g.fails)
	}
}

func (g *pinGuard) recent(user string, now time.Time) []time.Time {
	ts := g.fails[user]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= pinFailWindow {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(g.fails, user)
	} else {
		g.fails[user] = ts
	}
	return ts
}

func pinKey(u server.User, pin string) [32]byte {
	return sha256.Sum256([]byte(u.Code + "\x00" + u.PINHash + "\x00" + pin))
}

// check verifies a user's PIN, from the cache when it was verified lately.
func (g *pinGuard) check(u server.User, pin string, now time.Time) bool {
	if u.PINHash == "" || pin == "" {
		return false
	}
	k := pinKey(u, pin)
	g.mu.Lock()
	until, ok := g.verified[k]
	g.mu.Unlock()
	if ok && now.Before(until) {
		return true
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PINHash), []byte(pin)) != nil {
		return false
	}
	g.mu.Lock()
	if g.verified == nil || len(g.verified) > 10000 {
		g.verified = map[[32]byte]time.Time{}
	}
	g.verified[k] = now.Add(pinCacheTTL)
	g.mu.Unlock()
	return true
}

// confirmDue reports whether a confirmation of the device's user should be
// recorded now, and marks it recorded.
func (g *pinGuard) confirmDue(device, user string, now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	k := [2]string{device, user}
	if last, ok := g.confirmed[k]; ok && now.Sub(last) < pinConfirmEvery {
		return false
	}
	if g.confirmed == nil || len(g.confirmed) > 10000 {
		g.confirmed = map[[2]string]time.Time{}
	}
	g.confirmed[k] = now
	return true
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// callerKey is the context key of who calls a user-level route.
type callerKey struct{}

// Caller is who calls a route: the admin token, or a user on a device.
type Caller struct {
	Admin     bool        `json:"admin"`
	User      string      `json:"user,omitempty"`
	Name      string      `json:"name,omitempty"`
	Roles     []string    `json:"roles"`
	Device    string      `json:"device,omitempty"`
	Warehouse string      `json:"warehouse,omitempty"` // the device's; empty: every warehouse
	Role      server.Role `json:"-"`                   // the route's role
}

// Actor names the caller in the audit log.
func (c Caller) Actor() string {
	if c.Admin {
		return "admin"
	}
	return c.User
}

func callerFrom(ctx context.Context) Caller {
	c, _ := ctx.Value(callerKey{}).(Caller)
	return c
}

// requireAdmin admits the admin token, or a device's user holding the
// admin role (with the PIN).
func (s *Server) requireAdmin(next http.Handler) http.Handler {
	return s.requireRole(server.RoleAdmin)(next)
}

// requireSupervisor admits the admin token, or a device's user holding the
// supervisor (or admin) role, with the PIN; such a supervisor acts on the
// device's warehouse only.
func (s *Server) requireSupervisor(next http.Handler) http.Handler {
	return s.requireRole(server.RoleSupervisor)(next)
}

// requireRole admits the callers a role's routes accept (see the top of
// this file) and puts the Caller (and the supervisor value the parked
// routes read) in the request's context.
func (s *Server) requireRole(role server.Role) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			serve := func(r *http.Request, c Caller) {
				c.Role = role
				ctx := context.WithValue(r.Context(), callerKey{}, c)
				ctx = context.WithValue(ctx, supervisorKey{}, supervisor{user: c.User, warehouse: c.Warehouse})
				ctx = server.WithActor(ctx, c.Actor())
				next.ServeHTTP(w, r.WithContext(ctx))
			}
			auth := r.Header.Get("Authorization")
			if tok, ok := strings.CutPrefix(auth, "Bearer "); ok {
				if s.AdminToken == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(s.AdminToken)) != 1 {
					w.Header().Set("WWW-Authenticate", `Bearer realm="driftless"`)
					writeError(w, r, server.Errorf(server.EUnauthorized, "wrong admin token"))
					return
				}
				serve(r, Caller{Admin: true, Roles: []string{string(server.RoleAdmin)}})
				return
			}
			if !strings.HasPrefix(auth, "Device ") {
				w.Header().Set("WWW-Authenticate", `Bearer realm="driftless", Device realm="driftless"`)
				writeError(w, r, server.Errorf(server.EUnauthorized,
					"this route needs the admin token ('Authorization: Bearer TOKEN'), or a device's credentials ('Authorization: Device ID:TOKEN') with the user's code in %s and PIN in %s",
					UserHeader, PINHeader))
				return
			}
			s.requireDevice(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				dev, _ := deviceFrom(r.Context())
				u, err := s.deviceUser(r, role)
				if err != nil {
					if server.ErrorCode(err) == server.EUnauthorized {
						w.Header().Set("WWW-Authenticate", `Device realm="driftless"`)
					}
					writeError(w, r, err)
					return
				}
				if s.pins.confirmDue(dev.ID, u.Code, s.now()) {
					if err := s.Ledger.ConfirmPIN(r.Context(), u.Code, dev); err != nil {
						s.pins.mu.Lock()
						delete(s.pins.confirmed, [2]string{dev.ID, u.Code})
						s.pins.mu.Unlock()
						writeError(w, r, err)
						return
					}
				}
				serve(r, Caller{User: u.Code, Name: u.Name, Roles: u.Roles, Device: dev.ID, Warehouse: dev.Warehouse})
			})).ServeHTTP(w, r)
		})
	}
}

// deviceUser returns the user a device calls for, checking the PIN and the
// role.
func (s *Server) deviceUser(r *http.Request, role server.Role) (server.User, error) {
	code := strings.TrimSpace(r.Header.Get(UserHeader))
	if code == "" {
		return server.User{}, &server.Error{Code: server.EUnauthorized, Field: UserHeader,
			Message: fmt.Sprintf("sign in: a device calls this route with the user's code in %s and PIN in %s", UserHeader, PINHeader)}
	}
	if s.Catalog == nil {
		return server.User{}, server.Errorf(server.EForbidden, "this server has no users: use the admin token")
	}
	u, err := s.Catalog.Users.Get(r.Context(), server.CatalogKey{Code: code})
	if server.IsNotFound(err) || (err == nil && u.Archived) {
		return server.User{}, server.Errorf(server.EForbidden, "no active user %s", code)
	}
	if err != nil {
		return server.User{}, err
	}
	now := s.now()
	if wait := s.pins.wait(u.Code, now); wait > 0 {
		return server.User{}, &server.Error{Code: server.EBusy, RetryAfter: wait, Field: PINHeader,
			Message: fmt.Sprintf("too many wrong PINs for %s: wait a minute and try again", u.Code)}
	}
	pin := r.Header.Get(PINHeader)
	if pin == "" {
		return server.User{}, &server.Error{Code: server.EUnauthorized, Field: PINHeader,
			Message: fmt.Sprintf("enter %s's PIN: the server needs it in %s for this", u.Name, PINHeader)}
	}
	if !s.pins.check(u, pin, now) {
		s.pins.fail(u.Code, now)
		return server.User{}, &server.Error{Code: server.EUnauthorized, Field: PINHeader, Message: fmt.Sprintf("wrong PIN for %s", u.Name)}
	}
	if role != RoleAnyUser && !server.HasRole(u.Roles, role) {
		return server.User{}, server.Errorf(server.EForbidden, "%s (%s) is not %s: this needs the %s role", u.Name, u.Code, roleNoun(role), role)
	}
	return u, nil
}

func roleNoun(r server.Role) string {
	if r == server.RoleAdmin {
		return "an admin"
	}
	return "a " + string(r)
}

// opRole is an operation's role: its own, or what its Security says
// (none: admin; an empty list: public; a device's token alone: device).
func opRole(op *apiOp) server.Role {
	if op.Role != "" {
		return op.Role
	}
	switch {
	case op.Security == nil:
		return server.RoleAdmin
	case len(op.Security) == 0:
		return RolePublic
	}
	for _, alt := range op.Security {
		if _, ok := alt["supervisorUser"]; ok {
			return server.RoleSupervisor
		}
	}
	if len(op.Security) == 1 && len(op.Security[0]) == 1 {
		if _, ok := op.Security[0]["deviceToken"]; ok {
			return RoleDevice
		}
	}
	return server.RoleAdmin
}

// mountRoles adds the audit log and the caller's own route.
func (s *Server) mountRoles(r chi.Router) {
	r.With(s.requireRole(RoleAnyUser)).Get("/me", s.me)
	r.With(s.requireSupervisor).Get("/audit", s.listAudit)
}

// me answers who calls: a device's user whose PIN the server just
// checked (a client confirms a PIN with it), or the admin.
func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, callerFrom(r.Context()))
}

// auditList is the body of GET /api/v1/audit.
type auditList struct {
	Items     []server.AuditEntry `json:"items"`
	NextAfter uint64              `json:"next_after,omitempty"`
}

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := server.AuditFilter{Actor: q.Get("actor"), Action: q.Get("action"), Subject: q.Get("subject"), Warehouse: q.Get("warehouse"), Limit: 1000}
	if v := q.Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			writeError(w, r, &server.Error{Code: server.EInvalid, Field: "since", Message: "since must be a time like 2026-11-29T08:00:00Z"})
			return
		}
		f.Since = t
	}
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			writeError(w, r, &server.Error{Code: server.EInvalid, Field: "after", Message: "after must be an entry id (next_after of the previous page)"})
			return
		}
		f.After = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			writeError(w, r, &server.Error{Code: server.EInvalid, Field: "limit", Message: "limit must be a number from 1 to 10000"})
			return
		}
		f.Limit = n
	}
	if c := callerFrom(r.Context()); c.Warehouse != "" {
		// A supervisor on a device reads their warehouse's entries and
		// the shared ones (users).
		if f.Warehouse != "" && f.Warehouse != c.Warehouse {
			writeError(w, r, server.Errorf(server.EForbidden, "this device belongs to warehouse %s: it reads that warehouse's audit log only", c.Warehouse))
			return
		}
		f.Warehouse, f.WithShared = c.Warehouse, true
	}
	es, err := s.Ledger.AuditLog(r.Context(), f)
	if err != nil {
		writeError(w, r, err)
		return
	}
	out := auditList{Items: es}
	if out.Items == nil {
		out.Items = []server.AuditEntry{}
	}
	if len(es) == f.Limit {
		out.NextAfter = es[len(es)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
}

// describeRoles adds the security schemes and the roles' routes to the
// OpenAPI document.
func (s *Server) describeRoles(d *openAPIDoc) {
	schemes := d.Components["securitySchemes"]
	schemes["deviceToken"] = map[string]any{"type": "apiKey", "in": "header", "name": "Authorization",
		"description": "a device's credentials: 'Device ID:TOKEN'"}
	schemes["userCode"] = map[string]any{"type": "apiKey", "in": "header", "name": UserHeader,
		"description": "with device credentials: the code of the signed-in user, who must be active and hold the operation's x-driftless-role (403 otherwise); the device's warehouse only"}
	schemes["userPIN"] = map[string]any{"type": "apiKey", "in": "header", "name": PINHeader,
		"description": "with device credentials: the user's PIN, checked against its bcrypt hash (401 when missing or wrong; after 5 wrong PINs for a user within a minute, 429 with Retry-After until the minute passes)"}
	d.add("GET", "/api/v1/me", &apiOp{Summary: "Who calls: the device's user (code, name, roles, device, warehouse) once the server checked the PIN, or the admin. " +
		"A device confirms a PIN with it; a confirmed PIN also lets the user push supervisor-only events (adjust) from that device for 12 hours",
		OperationID: "me", Tags: []string{"Roles"}, Role: RoleAnyUser,
		Responses: map[string]any{"200": jsonResponse("the caller", d.ref(reflect.TypeFor[Caller]()))}})
	d.add("GET", "/api/v1/audit", &apiOp{Summary: "The audit log, oldest first: every approval, rejection, recount, parked accept and cancel, adjustment, user or role change, and PIN confirmation " +
		"(a device's supervisor reads its warehouse's entries and the shared ones)",
		OperationID: "listAudit", Tags: []string{"Roles"}, Role: server.RoleSupervisor,
		Parameters: queryParams("since:entries at or after this time (RFC 3339)", "actor:a user code, admin or cli",
			"action:"+strings.Join(auditActions, ", "), "subject:an event ID, user code or device ID", "warehouse",
			"after:next_after of the previous page", "limit:1 to 10000 (default 1000)"),
		Responses: map[string]any{"200": jsonResponse("a page of entries", d.ref(reflect.TypeFor[auditList]()))}})
}

var auditActions = []string{server.AuditParkedAccept, server.AuditParkedCancel, server.AuditDiscrepancyApprove, server.AuditDiscrepancyReject,
	server.AuditDiscrepancyRecount, server.AuditAdjust, server.AuditUserCreate, server.AuditUserUpdate, server.AuditUserArchive,
	server.AuditUserRestore, server.AuditUserImport, server.AuditPINConfirm}
