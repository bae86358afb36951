package app

import (
	"context"
	"errors"
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

// ParkedQueue lists the warehouse's parked events (online only; the
// signed-in user must be a supervisor).
func (a *App) ParkedQueue(ctx context.Context) ([]ParkedEvent, error) { return nil, errTODO }

// AcceptParked accepts a parked event with a reason: the server adjusts
// the stock it lacked and applies it.
func (a *App) AcceptParked(ctx context.Context, eventID, reason string) error { return errTODO }

// CancelParked cancels a parked event with a reason: it is never applied.
func (a *App) CancelParked(ctx context.Context, eventID, reason string) error { return errTODO }

// errTODO marks the parts of issue 7's API still being written; nothing
// that returns it is reachable from a finished screen.
var errTODO = errors.New("app: not implemented yet")
