package httpapi

import (
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/syncproto"
)

// Receiving on the handhelds: enrollment by code (public), the
// exceptions clerks flagged and the barcodes nobody knew (admin).

// enrollRequest is the body of POST /api/v1/enroll.
type enrollRequest struct {
	Code       string `json:"code"`
	AppVersion string `json:"app_version"`
}

// EnrollResponse is what a device gets for a good enrollment code. A
// device that already sent events (acked_through > 0) and starts over
// with an empty database numbers its events from acked_through + 1.
type EnrollResponse struct {
	DeviceID     string `json:"device_id"`
	Token        string `json:"token"`
	Warehouse    string `json:"warehouse"`
	SyncURL      string `json:"sync_url"`
	AckedThrough uint64 `json:"acked_through"`
}

func (s *Server) enroll(w http.ResponseWriter, r *http.Request) {
	ip := clientIP(r)
	if wait := s.enrollLimit.wait(ip, time.Now()); wait > 0 {
		writeError(w, r, &server.Error{Code: server.EBusy, RetryAfter: wait,
			Message: "too many wrong enrollment codes from this address: wait a minute and try again"})
		return
	}
	var in enrollRequest
	if err := decodeJSON(r, &in); err != nil {
		writeError(w, r, err)
		return
	}
	d, token, err := s.Ledger.Enroll(r.Context(), in.Code, in.AppVersion)
	if err != nil {
		if server.ErrorCode(err) == server.EEnrollmentInvalid {
			s.enrollLimit.fail(ip, time.Now())
		}
		writeError(w, r, err)
		return
	}
	s.Log.Info("device enrolled by code", "device", d.ID, "name", d.Name, "warehouse", d.Warehouse, "app_version", in.AppVersion)
	writeJSON(w, http.StatusOK, EnrollResponse{DeviceID: d.ID, Token: token, Warehouse: d.Warehouse,
		SyncURL: syncURL(r), AckedThrough: d.AckedThrough})
}

// syncURL is the websocket URL of this server as the request reached it.
func syncURL(r *http.Request) string {
	scheme := "ws"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "wss"
	}
	return scheme + "://" + r.Host + "/api/v1/sync"
}

func clientIP(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// failLimiter refuses an address for a while after too many failures: a
// code has 40 random bits, so guessing needs about 10¹² tries, and this
// keeps each address to maxFails a minute.
type failLimiter struct {
	mu    sync.Mutex
	fails map[string][]time.Time
}

const (
	maxEnrollFails   = 10
	enrollFailWindow = time.Minute
)

// wait returns how long the address must wait (0: it may try now).
func (l *failLimiter) wait(ip string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	ts := l.recent(ip, now)
	if len(ts) < maxEnrollFails {
		return 0
	}
	return ts[0].Add(enrollFailWindow).Sub(now)
}

func (l *failLimiter) fail(ip string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fails == nil {
		l.fails = map[string][]time.Time{}
	}
	l.fails[ip] = append(l.recent(ip, now), now)
	if len(l.fails) > 10000 { // forget everyone rather than grow without bound
		clear(l.fails)
	}
}

// recent drops an address's failures older than the window.
func (l *failLimiter) recent(ip string, now time.Time) []time.Time {
	ts := l.fails[ip]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= enrollFailWindow {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.fails, ip)
	} else {
		l.fails[ip] = ts
	}
	return ts
}

// issueCode issues a fresh enrollment code for a device.
func (s *Server) issueCode(w http.ResponseWriter, r *http.Request) {
	var in struct {
		CodeTTL string `json:"code_ttl"`
	}
	if r.ContentLength != 0 {
		if err := decodeJSON(r, &in); err != nil {
			writeError(w, r, err)
			return
		}
	}
	ttl, err := parseTTL(in.CodeTTL)
	if err != nil {
		writeError(w, r, err)
		return
	}
	id := chi.URLParam(r, "id")
	code, exp, err := s.Ledger.IssueEnrollmentCode(r.Context(), id, ttl)
	if err != nil {
		writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, enrollmentCodeJSON{DeviceID: id, Code: code, ExpiresAt: exp})
}

// enrollmentCodeJSON is an issued enrollment code.
type enrollmentCodeJSON struct {
	DeviceID  string    `json:"device_id"`
	Code      string    `json:"code"`
	ExpiresAt time.Time `json:"expires_at"`
}

func parseTTL(v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, &server.Error{Code: server.EInvalid, Field: "code_ttl", Message: "code_ttl must be a positive duration such as 24h or 30m"}
	}
	return d, nil
}

func (s *Server) listExceptions(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := server.ExceptionFilter{Warehouse: q.Get("warehouse"), Reason: q.Get("reason"), Ref: q.Get("ref"), Limit: 1000}
	if f.Reason != "" && !slices.Contains(syncproto.ExceptionReasons, f.Reason) {
		writeError(w, r, &server.Error{Code: server.EInvalid, Field: "reason",
			Message: fmt.Sprintf("unknown reason %q: use one of %s", f.Reason, strings.Join(syncproto.ExceptionReasons, ", "))})
		return
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			writeError(w, r, &server.Error{Code: server.EInvalid, Field: "limit", Message: "limit must be a number from 1 to 10000"})
			return
		}
		f.Limit = n
	}
	xs, err := s.Ledger.Exceptions(r.Context(), f)
	if err != nil {
		writeError(w, r, err)
		return
	}
	if xs == nil {
		xs = []server.Exception{}
	}
	writeJSON(w, http.StatusOK, exceptionList{Items: xs})
}

type exceptionList struct {
	Items []server.Exception `json:"items"`
}

type unknownBarcodeList struct {
	Items []server.UnknownBarcode `json:"items"`
}

func (s *Server) listUnknownBarcodes(w http.ResponseWriter, r *http.Request) {
	if s.Catalog == nil {
		writeError(w, r, server.Errorf(server.ENotFound, "this server has no catalog"))
		return
	}
	bs, err := s.Catalog.UnknownBarcodes(r.Context(), r.URL.Query().Get("warehouse"))
	if err != nil {
		writeError(w, r, err)
		return
	}
	if bs == nil {
		bs = []server.UnknownBarcode{}
	}
	writeJSON(w, http.StatusOK, unknownBarcodeList{Items: bs})
}
