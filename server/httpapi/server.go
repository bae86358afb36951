package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/syncproto"
)

// Pinger reports whether storage answers (readiness).
type Pinger interface {
	Ping(ctx context.Context) error
}

// Server serves the HTTP API and the sync websocket.
type Server struct {
	Ledger *server.Ledger
	// Catalog serves the reference data routes and CSV import/export
	// (absent when nil).
	Catalog    *server.Catalog
	Store      Pinger
	AdminToken string
	Log        *slog.Logger
	// Heartbeat is how often the server pings a device; a device silent for
	// three heartbeats is disconnected.
	Heartbeat time.Duration
	// PokeInterval is the shortest time between two pokes to one device
	// (250ms when zero). PokeSpacing spreads a warehouse's pulls: with n
	// devices connected, each is poked at most every n × PokeSpacing (10ms
	// when zero), so a warehouse's fleet pulls about 100 times a second
	// however large it is, and each device sees the others' movements
	// within max(PokeInterval, n × PokeSpacing).
	PokeInterval, PokeSpacing time.Duration

	sessions sync.WaitGroup
	ctx      context.Context // cancelled when Serve's context is
	// enrollLimit slows down guessing enrollment codes.
	enrollLimit failLimiter
	// pins checks and rate-limits the PINs of user-level calls (auth.go).
	pins pinGuard
	// Now is the clock of the PIN rate limit (time.Now when nil).
	Now func() time.Time
}

// Handler returns the router.
func (s *Server) Handler() http.Handler {
	if s.Log == nil {
		s.Log = slog.Default()
	}
	if s.Heartbeat == 0 {
		s.Heartbeat = 10 * time.Second
	}
	if s.PokeInterval == 0 {
		s.PokeInterval = 250 * time.Millisecond
	}
	if s.PokeSpacing == 0 {
		s.PokeSpacing = 10 * time.Millisecond
	}
	if s.ctx == nil {
		s.ctx = context.Background()
	}
	r := chi.NewRouter()
	r.Use(middleware.RequestID, middleware.RealIP, s.logRequests, middleware.Recoverer)
	r.Get("/healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	r.Get("/readyz", s.readyz)
	r.Route("/api/v1", func(r chi.Router) {
		r.Get("/sync", s.sync)
		r.Get("/openapi.json", s.openAPI)
		r.With(s.requireDevice).Get("/snapshot", s.snapshot)
		s.mountPicking(r)
		r.Post("/enroll", s.enroll)
		s.mountSupervisor(r)
		s.mountCounting(r)      // counting.go
		s.mountReplenishment(r) // replenish.go
		s.mountReports(r)       // usage.go
		s.mountRoles(r)
		r.Group(func(r chi.Router) {
			r.Use(s.requireAdmin)
			s.mountCatalog(r)
			r.Get("/stock", s.listStock)
			r.Post("/devices", s.addDevice)
			r.Get("/devices/{id}", s.getDevice)
			r.Get("/devices/{id}/events", s.listDeviceEvents)
			r.Post("/devices/{id}/code", s.issueCode)
			r.Get("/exceptions", s.listExceptions)
			r.Get("/unknown-barcodes", s.listUnknownBarcodes)
			r.Get("/events", s.listEvents)
			s.mountConflicts(r)
			r.Get("/status", s.status)
		})
	})
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, server.Errorf(server.ENotFound, "no route %s %s", r.Method, r.URL.Path))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, &server.Error{Code: server.EInvalid, Message: fmt.Sprintf("method %s is not allowed on %s", r.Method, r.URL.Path)})
	})
	return r
}

// Serve serves on l until ctx is done, then shuts down gracefully: it stops
// accepting, tells every connected device the server is going away, and
// waits for in-flight pushes to finish.
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	s.ctx = ctx
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ErrorLog:          slog.NewLogLogger(s.Log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	err := srv.Shutdown(sctx)
	s.sessions.Wait()
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		start := time.Now()
		next.ServeHTTP(ww, r)
		if r.URL.Path == "/api/v1/sync" {
			return // sessions log themselves
		}
		s.Log.Debug("http", "method", r.Method, "path", r.URL.Path, "status", ww.Status(),
			"bytes", ww.BytesWritten(), "took", time.Since(start), "request_id", middleware.GetReqID(r.Context()))
	})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.Store != nil {
		if err := s.Store.Ping(r.Context()); err != nil {
			s.Log.Error("readiness", "err", err)
			writeError(w, r, &server.Error{Code: server.EUnavailable, Message: "the database does not answer"})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// stockJSON is a stock level on the REST API.
type stockJSON struct {
	Warehouse string `json:"warehouse"`
	Location  string `json:"location"`
	SKU       string `json:"sku"`
	Lot       string `json:"lot"`
	Qty       int64  `json:"qty"`
	Position  uint64 `json:"position"`
}

func (s *Server) listStock(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := server.StockFilter{Warehouse: q.Get("warehouse"), Location: q.Get("location"), SKU: q.Get("sku"), Limit: 1000}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			writeError(w, r, &server.Error{Code: server.EInvalid, Field: "limit", Message: "limit must be a number from 1 to 10000"})
			return
		}
		f.Limit = n
	}
	if v := q.Get("after"); v != "" {
		parts := strings.Split(v, "|")
		if len(parts) != 4 {
			writeError(w, r, &server.Error{Code: server.EInvalid, Field: "after", Message: "after must be the next_after value of the previous page"})
			return
		}
		f.After = &server.StockKey{Warehouse: parts[0], Location: parts[1], SKU: parts[2], Lot: parts[3]}
	}
	levels, err := s.Ledger.Stock(r.Context(), f)
	if err != nil {
		writeError(w, r, err)
		return
	}
	out := struct {
		Items     []stockJSON `json:"items"`
		NextAfter string      `json:"next_after,omitempty"`
	}{Items: make([]stockJSON, 0, len(levels))}
	for _, l := range levels {
		out.Items = append(out.Items, stockJSON{l.Warehouse, l.Location, l.SKU, l.Lot, l.Qty, l.Position})
	}
	if len(levels) == f.Limit {
		k := levels[len(levels)-1].StockKey
		out.NextAfter = strings.Join([]string{k.Warehouse, k.Location, k.SKU, k.Lot}, "|")
	}
	writeJSON(w, http.StatusOK, out)
}

// DeviceJSON is a device on the REST API.
type DeviceJSON struct {
	ID           string     `json:"id"`
	Name         string     `json:"name"`
	Warehouse    string     `json:"warehouse"`
	Revoked      bool       `json:"revoked"`
	AckedThrough uint64     `json:"acked_through"`
	AppVersion   string     `json:"app_version,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	LastSyncAt   *time.Time `json:"last_sync_at"`
	LastHelloAt  *time.Time `json:"last_hello_at"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (s *Server) getDevice(w http.ResponseWriter, r *http.Request) {
	d, err := s.Ledger.Device(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, DeviceJSON{ID: d.ID, Name: d.Name, Warehouse: d.Warehouse, Revoked: d.Revoked,
		AckedThrough: d.AckedThrough, AppVersion: d.AppVersion, CreatedAt: d.CreatedAt,
		LastSyncAt: timePtr(d.LastSyncAt), LastHelloAt: timePtr(d.LastHelloAt)})
}

func (s *Server) addDevice(w http.ResponseWriter, r *http.Request) {
	var in addDeviceRequest
	if err := decodeJSON(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	ttl, err := parseTTL(in.CodeTTL)
	if err != nil {
		writeError(w, r, err)
		return
	}
	d, token, err := s.Ledger.AddDevice(r.Context(), in.Name, in.Warehouse)
	if err != nil {
		writeError(w, r, err)
		return
	}
	code, exp, err := s.Ledger.IssueEnrollmentCode(r.Context(), d.ID, ttl)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, addedDevice{DeviceJSON{ID: d.ID, Name: d.Name, Warehouse: d.Warehouse, CreatedAt: d.CreatedAt},
		token, code, exp})
}

// addDeviceRequest is the body of POST /api/v1/devices; code_ttl is how
// long the enrollment code stays valid (a duration, 24h by default).
type addDeviceRequest struct {
	Name      string `json:"name"`
	Warehouse string `json:"warehouse"`
	CodeTTL   string `json:"code_ttl,omitempty"`
}

// addedDevice is an enrolled device with its token and an enrollment
// code, both shown once.
type addedDevice struct {
	DeviceJSON
	Token          string    `json:"token"`
	EnrollmentCode string    `json:"enrollment_code"`
	CodeExpiresAt  time.Time `json:"code_expires_at"`
}

// decodeJSON reads a JSON request body of at most 1 MiB into v.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			return &server.Error{Code: server.EInvalid, Field: ute.Field, Message: fmt.Sprintf("%s must be a %s", ute.Field, ute.Type)}
		}
		return &server.Error{Code: server.EInvalid, Message: "the body is not valid JSON for this route: " + err.Error()}
	}
	return nil
}

// eventJSON is a held event and its outcome on the REST API.
type eventJSON struct {
	Event      syncproto.Event   `json:"event"`
	Outcome    syncproto.Outcome `json:"outcome"`
	ReceivedAt time.Time         `json:"received_at"`
}

func eventsJSON(recs []server.EventRecord) []eventJSON {
	out := make([]eventJSON, 0, len(recs))
	for _, rec := range recs {
		out = append(out, eventJSON{rec.Event, rec.Outcome, rec.ReceivedAt})
	}
	return out
}

func (s *Server) listDeviceEvents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var after uint64
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			writeError(w, r, &server.Error{Code: server.EInvalid, Field: "after", Message: "after must be a sequence number"})
			return
		}
		after = n
	}
	limit := 1000
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			writeError(w, r, &server.Error{Code: server.EInvalid, Field: "limit", Message: "limit must be a number from 1 to 10000"})
			return
		}
		limit = n
	}
	recs, err := s.Ledger.DeviceEvents(r.Context(), chi.URLParam(r, "id"), after, limit)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Items []eventJSON `json:"items"`
	}{eventsJSON(recs)})
}

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) {
	var statuses []syncproto.Status
	for _, v := range strings.Split(r.URL.Query().Get("status"), ",") {
		switch st := syncproto.Status(v); st {
		case "":
		case syncproto.StatusApplied, syncproto.StatusParked, syncproto.StatusRejected, syncproto.StatusCancelled:
			statuses = append(statuses, st)
		default:
			writeError(w, r, &server.Error{Code: server.EInvalid, Field: "status", Message: fmt.Sprintf("unknown status %q: use applied, parked, rejected or cancelled", v)})
			return
		}
	}
	recs, err := s.Ledger.Events(r.Context(), 1000, statuses...)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Items []eventJSON `json:"items"`
	}{eventsJSON(recs)})
}

// errorJSON is the body of every error response.
type errorJSON struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, r *http.Request, err error) {
	var body errorJSON
	body.Error.Code = server.ErrorCode(err)
	body.Error.Message = server.ErrorMessage(err)
	var e *server.Error
	if errors.As(err, &e) {
		body.Error.Field = e.Field
		if e.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((e.RetryAfter+time.Second-1)/time.Second)))
		}
	}
	status := server.HTTPStatus(err)
	if status >= 500 {
		slog.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err, "request_id", middleware.GetReqID(r.Context()))
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
