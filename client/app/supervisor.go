package app

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ParkedEvent is an event the server could not apply, with the evidence a
// supervisor decides on.
type ParkedEvent struct {
	EventID  string
	Device   string
	User     string
	Kind     string
	Location string
	SKU      string
	Lot      string
	Qty      int64
	Reason   string
	At       time.Time
	// StockNow is the stock at the event's location now (server view).
	StockNow int64
	// Competing are the events that applied at the same stock after what
	// the device had seen, before this one was parked.
	Competing []CompetingEvent
}

// CompetingEvent is one event that took the stock a parked event needed.
type CompetingEvent struct {
	EventID string
	Device  string
	User    string
	Kind    string
	Qty     int64
	At      time.Time
}

// The supervisor queues are the server's (REST, online only): the device
// calls them with its credentials, the signed-in user in X-Driftless-User
// and their PIN in X-Driftless-PIN, and the server checks the PIN and the
// user's supervisor role again. The app refuses locally, before any
// request, when the signed-in user lacks the role (ErrNotSupervisor) or
// the app does not hold their PIN (ErrPINRequired: after a restart, until
// ConfirmPIN).

// supervisor returns the signed-in user when they hold the supervisor
// (or admin) role and the app holds their PIN.
func (a *App) supervisor(ctx context.Context) (User, error) {
	u, err := a.signedIn(ctx)
	if err != nil {
		return User{}, err
	}
	if !u.Has(RoleSupervisor) && !u.Has(RoleAdmin) {
		return User{}, errorf(ErrNotSupervisor, nil, "%s is not a supervisor: only a supervisor may see and decide parked events and discrepancies", cmpOr(u.Name, u.Code))
	}
	if _, _, err := a.userAuth(ctx); err != nil {
		return User{}, err
	}
	return u, nil
}

// parkedJSON is one entry of GET /api/v1/parked.
type parkedJSON struct {
	Event struct {
		ID         string    `json:"id"`
		DeviceID   string    `json:"device_id"`
		User       string    `json:"user"`
		Kind       string    `json:"kind"`
		SKU        string    `json:"sku"`
		Lot        string    `json:"lot"`
		From       string    `json:"from"`
		To         string    `json:"to"`
		Qty        int64     `json:"qty"`
		DeviceTime time.Time `json:"device_time"`
	} `json:"event"`
	EventID    string    `json:"event_id"`
	DeviceID   string    `json:"device_id"`
	Device     string    `json:"device"`
	User       string    `json:"user"`
	Kind       string    `json:"kind"`
	Location   string    `json:"location"`
	From       string    `json:"from"`
	SKU        string    `json:"sku"`
	Lot        string    `json:"lot"`
	Qty        int64     `json:"qty"`
	Code       string    `json:"code"`
	Reason     string    `json:"reason"`
	At         time.Time `json:"at"`
	ParkedAt   time.Time `json:"parked_at"`
	RecordedAt time.Time `json:"recorded_at"`
	StockNow   int64     `json:"stock_now"`
	Competing  []struct {
		EventID  string    `json:"event_id"`
		ID       string    `json:"id"`
		DeviceID string    `json:"device_id"`
		Device   string    `json:"device"`
		User     string    `json:"user"`
		Kind     string    `json:"kind"`
		Qty      int64     `json:"qty"`
		At       time.Time `json:"at"`
		Applied  time.Time `json:"applied_at"`
		Recorded time.Time `json:"recorded_at"`
	} `json:"competing"`
}

func firstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

func (p parkedJSON) parked() ParkedEvent {
	e := p.Event
	out := ParkedEvent{
		EventID:  cmpOr(p.EventID, e.ID),
		Device:   cmpOr(p.DeviceID, cmpOr(p.Device, e.DeviceID)),
		User:     cmpOr(p.User, e.User),
		Kind:     cmpOr(p.Kind, e.Kind),
		Location: cmpOr(p.Location, cmpOr(p.From, cmpOr(e.From, e.To))),
		SKU:      cmpOr(p.SKU, e.SKU),
		Lot:      cmpOr(p.Lot, e.Lot),
		Qty:      p.Qty,
		Reason:   cmpOr(p.Reason, p.Code),
		At:       firstTime(p.At, p.ParkedAt, p.RecordedAt, e.DeviceTime),
		StockNow: p.StockNow,
	}
	if out.Qty == 0 {
		out.Qty = e.Qty
	}
	for _, c := range p.Competing {
		out.Competing = append(out.Competing, CompetingEvent{EventID: cmpOr(c.EventID, c.ID), Device: cmpOr(c.DeviceID, c.Device),
			User: c.User, Kind: c.Kind, Qty: c.Qty, At: firstTime(c.At, c.Applied, c.Recorded)})
	}
	return out
}

// ParkedQueue lists the warehouse's parked events (online only; the
// signed-in user must be a supervisor).
func (a *App) ParkedQueue(ctx context.Context) ([]ParkedEvent, error) {
	u, err := a.supervisor(ctx)
	if err != nil {
		return nil, err
	}
	wh, _, err := a.Warehouse(ctx)
	if err != nil {
		return nil, err
	}
	var raw json.RawMessage
	if err := a.rest(ctx, http.MethodGet, "/api/v1/parked?warehouse="+url.QueryEscape(wh), u.Code, nil, &raw); err != nil {
		return nil, forbidden(err)
	}
	// A list, or an object holding it.
	var list []parkedJSON
	if err := json.Unmarshal(raw, &list); err != nil {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return nil, errorf(ErrServerRefused, err, "The server sent a parked queue this app does not understand")
		}
		for _, k := range []string{"items", "parked", "events"} {
			if v, ok := obj[k]; ok {
				if err := json.Unmarshal(v, &list); err != nil {
					return nil, errorf(ErrServerRefused, err, "The server sent a parked queue this app does not understand")
				}
				break
			}
		}
	}
	out := make([]ParkedEvent, len(list))
	for i, p := range list {
		out[i] = p.parked()
	}
	return out, nil
}

// AcceptParked accepts a parked event with a reason: the server adjusts
// the stock it lacked and applies it.
func (a *App) AcceptParked(ctx context.Context, eventID, reason string) error {
	return a.decide(ctx, eventID, "accept", reason)
}

// CancelParked cancels a parked event with a reason: it is never applied.
func (a *App) CancelParked(ctx context.Context, eventID, reason string) error {
	return a.decide(ctx, eventID, "cancel", reason)
}

// decide posts a supervisor's decision on a parked event.
func (a *App) decide(ctx context.Context, eventID, decision, reason string) error {
	u, err := a.supervisor(ctx)
	if err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return errorf(ErrReasonNeeded, nil, "Give a reason for the decision")
	}
	path := "/api/v1/parked/" + url.PathEscape(eventID) + "/" + decision
	return forbidden(a.rest(ctx, http.MethodPost, path, u.Code, map[string]string{"reason": reason, "by": u.Code}, nil))
}

// forbidden turns the server's 403 (the user is not a supervisor there,
// or of another warehouse) into ErrNotSupervisor with the server's words.
func forbidden(err error) error {
	if restStatus(err) != http.StatusForbidden {
		return err
	}
	var e *Error
	msg := ErrNotSupervisor.Message
	if errors.As(err, &e) {
		msg = e.Message
	}
	return errorf(ErrNotSupervisor, err, "%s", msg)
}
