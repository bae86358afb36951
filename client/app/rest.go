package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/driftless/driftless/client/store"
)

// restTimeout bounds one REST call when the caller's context has no
// deadline: a handheld at the edge of the Wi-Fi should hear "cannot reach
// the server" quickly, not hang.
const restTimeout = 10 * time.Second

// restError is a REST answer other than 2xx: its status and the server's
// {"error": {"code", "message"}}.
type restError struct {
	Status  int
	Code    string
	Message string
	Field   string // the request field (or header) the error is about
}

func (e *restError) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
}

// httpBase is the server's HTTP base URL, from the sync URL the device was
// enrolled with (ws://host:port/api/v1/sync → http://host:port).
func httpBase(syncURL string) (string, error) {
	u, err := url.Parse(syncURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("the device's server URL %q: %v", syncURL, err)
	}
	switch u.Scheme {
	case "ws":
		u.Scheme = "http"
	case "wss":
		u.Scheme = "https"
	}
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/api/v1/sync")
	u.RawQuery, u.Fragment = "", ""
	return strings.TrimSuffix(u.String(), "/"), nil
}

// Headers of user-level REST calls from a device.
const (
	userHeader = "X-Driftless-User"
	pinHeader  = "X-Driftless-PIN"
)

// rest calls the server's REST API with the device's credentials
// ("Authorization: Device ID:TOKEN", as for snapshots) and, when user is
// not empty, the signed-in user in X-Driftless-User and the PIN the app
// holds for them (in memory) in X-Driftless-PIN, sending body as JSON
// when not nil and decoding the answer into out when not nil. A server
// that cannot be reached is ErrServerUnreachable. The server's refusals
// of the user: a missing PIN is ErrPINRequired, a wrong one ErrWrongPIN
// (and the app forgets it), too many wrong PINs ErrTooManyPINs; a user
// without the route's role is ErrForbidden. Any other answer than 2xx is
// an *Error of ErrServerRefused. Each wraps a *restError (callers look at
// its status for meanings of their own).
func (a *App) rest(ctx context.Context, method, path, user string, body, out any) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, restTimeout)
		defer cancel()
	}
	var raw []byte
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
		raw = b
	}
	res, pin, err := a.restDo(ctx, method, path, user, "application/json", raw)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
	if err != nil {
		return errorf(ErrServerUnreachable, err, "The server stopped answering: try again")
	}
	if res.StatusCode/100 != 2 {
		return a.refusal(res, b, user, pin)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return errorf(ErrServerRefused, err, "The server sent an answer this app does not understand")
	}
	return nil
}

// restDo sends a REST request with the device's credentials and the
// user's headers (see rest), body as JSON when not nil, and returns the
// server's answer, whatever its status, with the PIN it sent. A server
// that cannot be reached is ErrServerUnreachable.
func (a *App) restDo(ctx context.Context, method, path, user, accept string, body []byte) (*http.Response, string, error) {
	id, err := a.st.Identity(ctx)
	if errors.Is(err, store.ErrNotEnrolled) {
		return nil, "", ErrNotEnrolled
	}
	if err != nil {
		return nil, "", err
	}
	base, err := httpBase(id.ServerURL)
	if err != nil {
		return nil, "", err
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return nil, "", fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Device "+id.DeviceID+":"+id.Token)
	req.Header.Set("Accept", accept)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	pin := ""
	if user != "" {
		req.Header.Set(userHeader, user)
		if pin = a.pinOf(user); pin != "" {
			req.Header.Set(pinHeader, pin)
		}
	}
	res, err := a.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, "", errorf(ErrServerUnreachable, err, "Cannot reach the server: this needs a connection")
	}
	return res, pin, nil
}

// refusal is the error for an answer other than 2xx (res, its body b) to
// a call made for user with pin: see rest.
func (a *App) refusal(res *http.Response, b []byte, user, pin string) error {
	var e struct {
		Error struct{ Code, Message, Field string } `json:"error"`
	}
	_ = json.Unmarshal(b, &e)
	re := &restError{Status: res.StatusCode, Code: e.Error.Code, Message: e.Error.Message, Field: e.Error.Field}
	if re.Message == "" {
		re.Message = strings.TrimSpace(string(b))
	}
	msg := re.Message
	switch {
	case user != "" && res.StatusCode == http.StatusUnauthorized && strings.EqualFold(re.Field, pinHeader):
		if pin == "" {
			return errorf(ErrPINRequired, re, "Enter your PIN again: the server needs it for this")
		}
		// The server's hash is newer than the device's (the PIN
		// changed): forget the one kept.
		if a.pinOf(user) == pin {
			a.keepPIN("", "")
		}
		return errorf(ErrWrongPIN, re, "The server refused %s's PIN: enter it again (a PIN changed lately reaches this device when it syncs)", user)
	case user != "" && res.StatusCode == http.StatusUnauthorized && strings.EqualFold(re.Field, userHeader):
		return errorf(ErrPINRequired, re, "Sign in again: the server needs the user and PIN for this")
	case res.StatusCode == http.StatusTooManyRequests:
		wait := "a minute"
		if s := res.Header.Get("Retry-After"); s != "" {
			wait = s + " seconds"
		}
		return errorf(ErrTooManyPINs, re, "Too many wrong PINs for %s: wait %s and try again", cmpOr(user, "this user"), wait)
	case res.StatusCode == http.StatusForbidden:
		if msg == "" {
			msg = ErrForbidden.Message
		}
		return errorf(ErrForbidden, re, "%s", upperFirst(msg))
	case res.StatusCode == http.StatusUnauthorized:
		msg = "The server no longer knows this device: enroll it again"
	case res.StatusCode >= 500 || res.StatusCode == http.StatusNotFound && re.Code == "":
		msg = fmt.Sprintf("The server cannot do this (%s)", res.Status)
	case msg == "":
		msg = ErrServerRefused.Message + " (" + res.Status + ")"
	}
	return errorf(ErrServerRefused, re, "%s", msg)
}

// upperFirst capitalises a server message for the screen.
func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// restStatus is the HTTP status of a REST refusal (0 for other errors).
func restStatus(err error) int {
	var re *restError
	if errors.As(err, &re) {
		return re.Status
	}
	return 0
}
