package app

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/driftless/driftless/client/store"
)

// errTODO marks the parts of this skeleton still being written; nothing
// that returns it is wired into a release.
var errTODO = errors.New("app: not implemented yet")

// Config configures an App. Zero values have usable defaults.
type Config struct {
	AppVersion string
	// HTTPClient talks to the server's enrollment endpoint and downloads
	// snapshots (http.DefaultClient by default).
	HTTPClient *http.Client
	Now        func() time.Time
	// Sync tunes the sync engine (tests shorten its intervals); its URL,
	// Snapshot and OnStatus fields are set by App.
	// SyncConfig syncer.Config
}

// App is the handheld's state over one device database. It is safe for
// concurrent use: screens call it from the UI goroutine while Serve runs
// the sync engine.
type App struct {
	st  *store.Store
	cfg Config
}

// New returns the app state over an open device store.
func New(st *store.Store, cfg Config) *App { return &App{st: st, cfg: cfg} }

// Serve runs the sync engine while the device is enrolled, and waits for
// enrollment when it is not. It returns when ctx ends.
func (a *App) Serve(ctx context.Context) error { return errTODO }

// Changed is signalled (never blocking, coalescing) whenever the sync
// status, the signed-in user or reference data change.
func (a *App) Changed() <-chan struct{} { return nil }

// Enrolled reports whether the device has an identity.
func (a *App) Enrolled(ctx context.Context) (bool, error) { return false, errTODO }

// Enroll exchanges an enrollment code (from `syncd device add`) at the
// server for the device's identity, stores it, and downloads the catalog
// snapshot, reporting progress. The server address may be given as
// host:port or as a URL.
func (a *App) Enroll(ctx context.Context, server, code string, progress func(EnrollProgress)) error {
	return errTODO
}

// SyncStatus returns the sync indicator's state.
func (a *App) SyncStatus() SyncStatus { return SyncStatus{} }

// Warehouse returns the enrolled warehouse's code and name.
func (a *App) Warehouse(ctx context.Context) (code, name string, err error) { return "", "", errTODO }

// Users lists who may sign in on this device.
func (a *App) Users(ctx context.Context) ([]User, error) { return nil, errTODO }

// SignIn checks a user's PIN (offline, against the hash the server sent)
// and makes them the current user; it survives a restart.
func (a *App) SignIn(ctx context.Context, user, pin string) (User, error) { return User{}, errTODO }

// SignOut forgets the current user. Unsynced scans stay in the outbox and
// keep syncing; an open receipt stays open for its user.
func (a *App) SignOut(ctx context.Context) error { return errTODO }

// CurrentUser returns the signed-in user.
func (a *App) CurrentUser(ctx context.Context) (User, bool, error) { return User{}, false, errTODO }

// Attention lists parked and rejected events nobody dismissed, newest first.
func (a *App) Attention(ctx context.Context) ([]store.EventOutcome, error) { return nil, errTODO }

// Dismiss marks one parked or rejected event as seen.
func (a *App) Dismiss(ctx context.Context, eventID string) error { return errTODO }

// OpenPurchaseOrders lists the purchase orders open for receiving.
func (a *App) OpenPurchaseOrders(ctx context.Context) ([]PurchaseOrderSummary, error) {
	return nil, errTODO
}

// Stock lists the device's view of stock at locations of a type
// ("dock", "returns", "quarantine", "bin"; "" for every location).
func (a *App) Stock(ctx context.Context, locationType string) ([]StockLine, error) {
	return nil, errTODO
}
