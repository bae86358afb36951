package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/driftless/driftless/client/scan/gs1"
	"github.com/driftless/driftless/client/scan/resolve"
	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/client/syncer"
	"github.com/driftless/driftless/syncproto"
	"golang.org/x/crypto/bcrypt"
)

// Config configures an App. Zero values have usable defaults.
type Config struct {
	AppVersion string
	// HTTPClient talks to the server's enrollment endpoint and downloads
	// snapshots (http.DefaultClient by default).
	HTTPClient *http.Client
	Now        func() time.Time
	// SyncConfig tunes the sync engine (tests shorten its intervals or
	// swap its transport); App sets its Snapshot, OnSnapshot and OnStatus
	// fields, and its AppVersion and HTTPClient when empty.
	SyncConfig syncer.Config
	// GSSubstitute is what the hardware scanner's profile types in place
	// of the GS1 group separator (ASCII 29), which a keyboard wedge cannot
	// deliver to a text field; "" when the scanner sends none. It is
	// replaced by the separator in scans that start with a GS1 symbology
	// identifier or with digits, so internal codes keep it as typed.
	GSSubstitute string
	// PickListWait bounds how long NextPickList waits for the list the
	// server assigned to reach the device (20s by default).
	PickListWait time.Duration
}

// App is the handheld's state over one device database. It is safe for
// concurrent use: screens call it from the UI goroutine while Serve runs
// the sync engine.
type App struct {
	st  *store.Store
	cfg Config
	res resolve.Resolver

	changed  chan struct{} // Changed's channel, one pending signal at most
	enrolled chan struct{} // Enroll tells Serve, one pending signal at most

	mu       sync.Mutex
	engine   *syncer.Engine // nil while Serve runs none
	fatal    error          // the engine's FatalError until the next enrollment
	receipts map[string]*Receipt

	// pin is the signed-in user's PIN, verified at SignIn or ConfirmPIN,
	// kept in memory only (never in the database) for the server's
	// user-level REST calls; pinUser is whose it is.
	pin, pinUser string

	// countMu serialises counting as pickMu does picking.
	countMu sync.Mutex

	// pickMu serialises picking, so that two handles of one list (or a
	// screen and a test) never interleave a read of the progress and the
	// write it decides.
	pickMu sync.Mutex
}

// New returns the app state over an open device store.
func New(st *store.Store, cfg Config) *App {
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SyncConfig.AppVersion == "" {
		cfg.SyncConfig.AppVersion = cfg.AppVersion
	}
	if cfg.SyncConfig.HTTPClient == nil {
		cfg.SyncConfig.HTTPClient = cfg.HTTPClient
	}
	return &App{
		st: st, cfg: cfg,
		res:      resolve.Resolver{Catalog: st, Parser: gs1.Parser{Now: cfg.Now}},
		changed:  make(chan struct{}, 1),
		enrolled: make(chan struct{}, 1),
		receipts: map[string]*Receipt{},
	}
}

// Store returns the device store the app works on.
func (a *App) Store() *store.Store { return a.st }

// signal tells Changed's reader that something changed.
func (a *App) signal() {
	select {
	case a.changed <- struct{}{}:
	default:
	}
}

// recorded tells the engine and the screens that events were written.
func (a *App) recorded() {
	a.mu.Lock()
	e := a.engine
	a.mu.Unlock()
	if e != nil {
		e.Notify()
	}
	a.signal()
}

// engineConfig is the sync engine's configuration for Serve and Enroll.
func (a *App) engineConfig(onSnapshot func(syncer.SnapshotProgress)) syncer.Config {
	cfg := a.cfg.SyncConfig
	cfg.Snapshot = true
	cfg.OnSnapshot = onSnapshot
	user := cfg.OnStatus
	cfg.OnStatus = func(s syncer.Status) {
		if user != nil {
			user(s)
		}
		a.signal()
	}
	return cfg
}

// Serve runs the sync engine while the device is enrolled, and waits for
// enrollment when it is not. The engine retries lost connections by
// itself; when the server refuses the device for good (SyncStatus.Fatal)
// Serve waits for a new enrollment and starts again. It returns nil when
// ctx ends.
func (a *App) Serve(ctx context.Context) error {
	for {
		for {
			ok, err := a.Enrolled(ctx)
			if err != nil && ctx.Err() == nil {
				return err
			}
			if ok {
				break
			}
			select {
			case <-ctx.Done():
				return nil
			case <-a.enrolled:
			}
		}
		e := syncer.New(a.st, a.engineConfig(nil))
		a.mu.Lock()
		a.engine, a.fatal = e, nil
		a.mu.Unlock()
		a.signal()
		err := e.Serve(ctx)
		a.mu.Lock()
		a.engine = nil
		var fe *syncer.FatalError
		if errors.As(err, &fe) {
			a.fatal = err
		}
		a.mu.Unlock()
		a.signal()
		if ctx.Err() != nil {
			return nil
		}
		if fe == nil {
			return fmt.Errorf("sync: %w", err)
		}
		// Refused: wait until someone enrolls the device again.
		select {
		case <-ctx.Done():
			return nil
		case <-a.enrolled:
		}
	}
}

// Changed is signalled (never blocking, coalescing) whenever the sync
// status, the signed-in user or reference data change.
func (a *App) Changed() <-chan struct{} { return a.changed }

// Enrolled reports whether the device has an identity.
func (a *App) Enrolled(ctx context.Context) (bool, error) {
	_, err := a.st.Identity(ctx)
	switch {
	case errors.Is(err, store.ErrNotEnrolled):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// enrollResponse is the body of POST /api/v1/enroll.
type enrollResponse struct {
	DeviceID  string `json:"device_id"`
	Token     string `json:"token"`
	Warehouse string `json:"warehouse"`
	SyncURL   string `json:"sync_url"`
	// AckedThrough: the server holds the device's events up to it (the
	// device was enrolled before); a fresh database numbers after it.
	AckedThrough uint64 `json:"acked_through"`
}

// Enroll exchanges an enrollment code (from `syncd device add`) at the
// server for the device's identity, stores it, and downloads the catalog
// snapshot, reporting progress. The server address may be given as
// host:port or as a URL. When the download fails after the identity is
// stored, the device is enrolled (the code is spent) and Serve takes the
// snapshot before it syncs.
func (a *App) Enroll(ctx context.Context, server, code string, progress func(EnrollProgress)) error {
	if progress == nil {
		progress = func(EnrollProgress) {}
	}
	base, err := serverBase(server)
	if err != nil {
		return err
	}
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" {
		return errorf(ErrEnrollmentInvalid, nil, "Type the enrollment code")
	}
	resp, err := a.redeem(ctx, base, code)
	if err != nil {
		return err
	}
	syncURL, err := syncURLFor(base, resp.SyncURL)
	if err != nil {
		return err
	}
	id := store.Identity{DeviceID: resp.DeviceID, Token: resp.Token, ServerURL: syncURL, Warehouse: resp.Warehouse}
	if err := a.st.EnrollAfter(ctx, id, resp.AckedThrough); err != nil {
		if errors.Is(err, store.ErrIdentityChange) {
			return errorf(ErrEnrollmentInvalid, err,
				"This device holds scans of another device identity; the code must be for device %s", resp.DeviceID)
		}
		return fmt.Errorf("enroll: %w", err)
	}
	a.mu.Lock()
	a.fatal = nil
	a.mu.Unlock()
	// Serve starts syncing once the snapshot is taken (or failed: then
	// its engine takes it), so that the two never download it at once.
	defer func() {
		select {
		case a.enrolled <- struct{}{}:
		default:
		}
		a.signal()
	}()
	a.signal()

	progress(EnrollProgress{})
	var last EnrollProgress
	e := syncer.New(a.st, a.engineConfig(func(p syncer.SnapshotProgress) {
		last = EnrollProgress{Done: p.Done, Total: p.Total}
		progress(last)
	}))
	if _, err := e.Snapshot(ctx); err != nil {
		// A Serve that found the identity stored may have taken it first.
		if plan, perr := a.st.SnapshotPlan(ctx); perr != nil || plan.NeedCatalog {
			return errorf(ErrServerUnreachable, err, "Enrolled, but the catalog download failed; it is retried in the background")
		}
	}
	if last.Total == 0 || last.Done < last.Total {
		progress(EnrollProgress{Done: last.Done, Total: last.Done})
	}
	a.signal()
	return nil
}

// serverBase turns what the user typed into the server's base URL.
func serverBase(server string) (*url.URL, error) {
	s := strings.TrimSpace(server)
	if s == "" {
		return nil, errorf(ErrServerUnreachable, nil, "Type the server address")
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil, errorf(ErrServerUnreachable, err, "%q is not a server address (host:port or http://host:port)", server)
	}
	switch u.Scheme {
	case "http", "https":
	case "ws":
		u.Scheme = "http"
	case "wss":
		u.Scheme = "https"
	default:
		return nil, errorf(ErrServerUnreachable, nil, "%q is not a server address (host:port or http://host:port)", server)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// syncURLFor is the sync endpoint: the server's answer, with the address
// the device reached the server at when the answer names none or an
// unspecified one (a server listening on 0.0.0.0).
func syncURLFor(base *url.URL, answer string) (string, error) {
	ws := *base
	ws.Scheme = map[string]string{"http": "ws", "https": "wss"}[base.Scheme]
	ws.Path = base.Path + "/api/v1/sync"
	if answer == "" {
		return ws.String(), nil
	}
	u, err := url.Parse(answer)
	if err != nil {
		return "", fmt.Errorf("enroll: the server's sync URL %q: %w", answer, err)
	}
	if u.Host == "" {
		u.Host = base.Host
	} else if ip := net.ParseIP(u.Hostname()); ip != nil && ip.IsUnspecified() {
		port := u.Port()
		if port == "" {
			port = base.Port()
		}
		u.Host = base.Hostname()
		if port != "" {
			u.Host = net.JoinHostPort(base.Hostname(), port)
		}
	}
	switch u.Scheme {
	case "", "http":
		u.Scheme = map[string]string{"": ws.Scheme, "http": "ws"}[u.Scheme]
	case "https":
		u.Scheme = "wss"
	}
	return u.String(), nil
}

// redeem posts the enrollment code.
func (a *App) redeem(ctx context.Context, base *url.URL, code string) (*enrollResponse, error) {
	body, _ := json.Marshal(map[string]string{"code": code, "app_version": a.cfg.AppVersion})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base.String()+"/api/v1/enroll", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("enroll: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := a.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, errorf(ErrServerUnreachable, err, "Cannot reach the server at %s", base.Host)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return nil, errorf(ErrServerUnreachable, err, "The server at %s stopped answering", base.Host)
	}
	if res.StatusCode != http.StatusOK {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		_ = json.Unmarshal(b, &e)
		if res.StatusCode >= 400 && res.StatusCode < 500 && res.StatusCode != http.StatusNotFound {
			msg := ErrEnrollmentInvalid.Message
			if e.Error.Code != "" && e.Error.Code != ErrEnrollmentInvalid.Code && e.Error.Message != "" {
				msg = e.Error.Message
			}
			return nil, errorf(ErrEnrollmentInvalid, fmt.Errorf("%s: %s %s", res.Status, e.Error.Code, e.Error.Message), "%s", msg)
		}
		return nil, errorf(ErrServerUnreachable, fmt.Errorf("%s: %s", res.Status, bytes.TrimSpace(b)),
			"The server at %s cannot enroll devices (%s)", base.Host, res.Status)
	}
	var out enrollResponse
	if err := json.Unmarshal(b, &out); err != nil || out.DeviceID == "" || out.Token == "" {
		return nil, errorf(ErrServerUnreachable, err, "The server at %s sent an answer this app does not understand", base.Host)
	}
	return &out, nil
}

// SyncStatus returns the sync indicator's state.
func (a *App) SyncStatus() SyncStatus {
	a.mu.Lock()
	e, fatal := a.engine, a.fatal
	a.mu.Unlock()
	var s SyncStatus
	st, err := a.st.State(context.Background())
	if err != nil {
		s.Problem = "Cannot read the device database"
		return s
	}
	s.Enrolled = st.DeviceID != ""
	s.Unsynced, s.Oldest, s.LastSync, s.Attention = st.Unacked, st.OldestUnacked, st.LastSyncAt, st.Attention
	if fatal != nil {
		s.Fatal, s.Problem = true, problem(fatal)
		return s
	}
	if e != nil {
		es := e.Status()
		s.Online = es.Online
		if !es.Online && es.LastError != nil {
			s.Problem = problem(es.LastError)
		}
	}
	return s
}

// problem says why syncing fails, in words.
func problem(err error) string {
	var pe *syncproto.Error
	if errors.As(err, &pe) {
		switch pe.Code {
		case syncproto.ErrUnauthorized:
			return "The server no longer knows this device: enroll it again"
		case syncproto.ErrVersionUnsupported:
			return "The server needs a newer version of this app"
		case syncproto.ErrResetRequired, syncproto.ErrDeviceConflict:
			return "The server refused this device (" + pe.Message + "): enroll it again"
		}
		if pe.Message != "" {
			return pe.Message
		}
		return pe.Code
	}
	var ne net.Error
	var oe *net.OpError
	if errors.As(err, &oe) || errors.As(err, &ne) {
		return "Cannot reach the server"
	}
	return err.Error()
}

// Warehouse returns the enrolled warehouse's code and name.
func (a *App) Warehouse(ctx context.Context) (code, name string, err error) {
	id, err := a.st.Identity(ctx)
	if errors.Is(err, store.ErrNotEnrolled) {
		return "", "", ErrNotEnrolled
	}
	if err != nil {
		return "", "", err
	}
	w, ok, err := a.st.Warehouse(ctx)
	if err != nil || !ok {
		return id.Warehouse, "", err
	}
	return w.Code, w.Name, nil
}

func user(u syncproto.User) User {
	out := User{Code: u.Code, Name: u.Name, Roles: make([]Role, len(u.Roles))}
	for i, r := range u.Roles {
		out.Roles[i] = Role(r)
	}
	return out
}

// Users lists who may sign in on this device.
func (a *App) Users(ctx context.Context) ([]User, error) {
	us, err := a.st.Users(ctx)
	if err != nil {
		return nil, err
	}
	var out []User
	for _, u := range us {
		if !u.Archived {
			out = append(out, user(u))
		}
	}
	return out, nil
}

// SignIn checks a user's PIN (offline, against the hash the server sent)
// and makes them the current user; it survives a restart.
func (a *App) SignIn(ctx context.Context, code, pin string) (User, error) {
	code = strings.TrimSpace(code)
	u, ok, err := a.st.User(ctx, code)
	if err != nil {
		return User{}, err
	}
	switch {
	case !ok:
		return User{}, errorf(ErrUnknownUser, nil, "No user %q on this device", code)
	case u.Archived:
		return User{}, errorf(ErrUserArchived, nil, "%s may no longer sign in: ask a supervisor", nameOf(u))
	case u.PINHash == "" || bcrypt.CompareHashAndPassword([]byte(u.PINHash), []byte(pin)) != nil:
		return User{}, errorf(ErrWrongPIN, nil, "Wrong PIN for %s", nameOf(u))
	}
	if err := a.st.SignIn(ctx, u.Code); err != nil {
		return User{}, err
	}
	a.keepPIN(u.Code, pin)
	a.signal()
	return user(u), nil
}

func nameOf(u syncproto.User) string {
	if u.Name != "" {
		return u.Name
	}
	return u.Code
}

// SignOut forgets the current user. Unsynced scans stay in the outbox and
// keep syncing; an open receipt stays open for its user.
func (a *App) SignOut(ctx context.Context) error {
	if err := a.st.SignOut(ctx); err != nil {
		return err
	}
	a.keepPIN("", "")
	a.signal()
	return nil
}

// CurrentUser returns the signed-in user. A user archived (or removed)
// since signing in is signed in no more.
func (a *App) CurrentUser(ctx context.Context) (User, bool, error) {
	code, ok, err := a.st.SignedIn(ctx)
	if err != nil || !ok {
		return User{}, false, err
	}
	u, ok, err := a.st.User(ctx, code)
	if err != nil || !ok || u.Archived {
		return User{}, false, err
	}
	return user(u), true, nil
}

// signedIn returns the current user or ErrNotSignedIn.
func (a *App) signedIn(ctx context.Context) (User, error) {
	u, ok, err := a.CurrentUser(ctx)
	if err != nil {
		return User{}, err
	}
	if !ok {
		return User{}, ErrNotSignedIn
	}
	return u, nil
}

// Attention lists parked, rejected and cancelled events nobody dismissed,
// newest first. An event rejected as forbidden says who may not do what
// ("Rejected: pat may not count (needs the counter role)"), and a count
// parked as a discrepancy does not show the server's expected figure (the
// count is blind). A parked event a supervisor accepted leaves the list (it
// is applied); one they cancelled stays (or comes back, when it was
// dismissed while parked) with Outcome.Status cancelled and Outcome.Reason
// "cancelled by <supervisor>: <reason>", until dismissed.
func (a *App) Attention(ctx context.Context) ([]store.EventOutcome, error) {
	all, err := a.st.Outcomes(ctx, syncproto.StatusParked, syncproto.StatusRejected, syncproto.StatusCancelled)
	if err != nil {
		return nil, err
	}
	var out []store.EventOutcome
	for _, eo := range slices.Backward(all) {
		if eo.DismissedAt.IsZero() {
			a.explain(ctx, &eo)
			out = append(out, eo)
		}
	}
	return out, nil
}

// Dismiss marks one parked, rejected or cancelled event as seen.
func (a *App) Dismiss(ctx context.Context, eventID string) error {
	if err := a.st.Dismiss(ctx, eventID); err != nil {
		return err
	}
	a.signal()
	return nil
}

// OpenPurchaseOrders lists the purchase orders open for receiving.
func (a *App) OpenPurchaseOrders(ctx context.Context) ([]PurchaseOrderSummary, error) {
	pos, err := a.st.PurchaseOrders(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]PurchaseOrderSummary, len(pos))
	for i, o := range pos {
		out[i] = PurchaseOrderSummary{Number: o.Number, Supplier: cmpOr(o.SupplierName, o.Supplier),
			ExpectedDate: o.ExpectedDate, Lines: len(o.Lines), Status: o.Status}
	}
	return out, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Stock lists the device's view of stock at locations of a type
// ("dock", "returns", "quarantine", "bin"; "" for every location).
func (a *App) Stock(ctx context.Context, locationType string) ([]StockLine, error) {
	rows, err := a.st.StockAt(ctx, locationType)
	if err != nil {
		return nil, err
	}
	out := make([]StockLine, len(rows))
	for i, r := range rows {
		out[i] = StockLine{Location: r.Location, SKU: r.SKU, Name: r.Name, Lot: r.Lot, Qty: r.Qty}
	}
	return out, nil
}

// scanOf turns scanned text into what resolution reads, putting back the
// group separators the scanner's profile typed as GSSubstitute.
func (a *App) scanOf(text string) resolve.Scan {
	sub := a.cfg.GSSubstitute
	if sub == "" || !strings.Contains(text, sub) {
		return resolve.Scan{Text: text}
	}
	gs1ish := len(text) >= 2 && text[0] >= '0' && text[0] <= '9' && text[1] >= '0' && text[1] <= '9'
	if len(text) >= 3 && text[0] == ']' {
		switch text[:3] {
		case "]C1", "]e0", "]d2", "]d5", "]Q3", "]Q4", "]J1":
			gs1ish = true
		}
	}
	if gs1ish {
		text = strings.ReplaceAll(text, sub, "\x1d")
	}
	return resolve.Scan{Text: text}
}
