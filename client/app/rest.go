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

// rest calls the server's REST API with the device's credentials
// ("Authorization: Device ID:TOKEN", as for snapshots) and, when user is
// not empty, the signed-in user in X-Driftless-User, sending body as
// JSON when not nil and decoding the answer into out when not nil. A
// server that cannot be reached is ErrServerUnreachable; an answer other
// than 2xx is an *Error of ErrServerRefused wrapping a *restError (callers
// look at its status for meanings of their own).
func (a *App) rest(ctx context.Context, method, path, user string, body, out any) error {
	id, err := a.st.Identity(ctx)
	if errors.Is(err, store.ErrNotEnrolled) {
		return ErrNotEnrolled
	}
	if err != nil {
		return err
	}
	base, err := httpBase(id.ServerURL)
	if err != nil {
		return err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, restTimeout)
		defer cancel()
	}
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Device "+id.DeviceID+":"+id.Token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != "" {
		req.Header.Set("X-Driftless-User", user)
	}
	res, err := a.cfg.HTTPClient.Do(req)
	if err != nil {
		return errorf(ErrServerUnreachable, err, "Cannot reach the server: this needs a connection")
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
	if err != nil {
		return errorf(ErrServerUnreachable, err, "The server stopped answering: try again")
	}
	if res.StatusCode/100 != 2 {
		var e struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		_ = json.Unmarshal(b, &e)
		re := &restError{Status: res.StatusCode, Code: e.Error.Code, Message: e.Error.Message}
		if re.Message == "" {
			re.Message = strings.TrimSpace(string(b))
		}
		msg := re.Message
		switch {
		case res.StatusCode == http.StatusUnauthorized:
			msg = "The server no longer knows this device: enroll it again"
		case res.StatusCode >= 500 || res.StatusCode == http.StatusNotFound && re.Code == "":
			msg = fmt.Sprintf("The server cannot do this (%s)", res.Status)
		case msg == "":
			msg = ErrServerRefused.Message + " (" + res.Status + ")"
		}
		return errorf(ErrServerRefused, re, "%s", msg)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return errorf(ErrServerRefused, err, "The server sent an answer this app does not understand")
	}
	return nil
}

// restStatus is the HTTP status of a REST refusal (0 for other errors).
func restStatus(err error) int {
	var re *restError
	if errors.As(err, &re) {
		return re.Status
	}
	return 0
}
