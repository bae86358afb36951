package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Discrepancy is a count outside tolerance waiting for a supervisor, with
// the evidence to decide on.
type Discrepancy struct {
	EventID   string
	TaskID    string
	Location  string
	SKU       string
	Name      string
	Lot       string
	Counted   int64
	Expected  int64
	Variance  int64
	Value     int64 // value at stake in cents (variance × unit cost)
	Class     string
	CountedBy string
	CountedAt time.Time
	// Movements are the bin's ledger movements since its last good count.
	Movements []BinMovement
	// Previous are earlier counts of the bin.
	Previous []PreviousCount
}

// BinMovement is one ledger movement at a bin.
type BinMovement struct {
	At    time.Time
	Kind  string
	SKU   string
	Lot   string
	Delta int64
	User  string
}

// PreviousCount is an earlier count of a bin.
type PreviousCount struct {
	At       time.Time
	By       string
	SKU      string
	Counted  int64
	Variance int64
	Outcome  string // auto | approved | rejected | recount
}

// ApproveReasons are the reason codes an approval takes.
var ApproveReasons = []string{"miscount", "damage", "theft", "unrecorded_receipt", "unit_of_measure", "other"}

// discrepancyJSON is one entry of GET /api/v1/discrepancies: the server's
// count record with its evidence.
type discrepancyJSON struct {
	EventID    string    `json:"event_id"`
	Task       string    `json:"task"`
	Location   string    `json:"location"`
	SKU        string    `json:"sku"`
	Name       string    `json:"name"`
	Lot        string    `json:"lot"`
	Counter    string    `json:"counter"`
	Counted    int64     `json:"counted"`
	Expected   int64     `json:"expected"`
	Variance   int64     `json:"variance"`
	UnitCost   int64     `json:"unit_cost"`
	Value      int64     `json:"value"`
	Class      string    `json:"class"`
	DeviceTime time.Time `json:"device_time"`
	RecordedAt time.Time `json:"recorded_at"`
	Movements  []struct {
		At         time.Time `json:"at"`
		DeviceTime time.Time `json:"device_time"`
		Kind       string    `json:"kind"`
		SKU        string    `json:"sku"`
		Lot        string    `json:"lot"`
		Delta      int64     `json:"delta"`
		User       string    `json:"user"`
	} `json:"movements"`
	Previous []struct {
		At       time.Time `json:"at"`
		By       string    `json:"by"`
		SKU      string    `json:"sku"`
		Counted  int64     `json:"counted"`
		Variance int64     `json:"variance"`
		Outcome  string    `json:"outcome"`
	} `json:"previous"`
}

func (d discrepancyJSON) discrepancy() Discrepancy {
	out := Discrepancy{EventID: d.EventID, TaskID: d.Task, Location: d.Location, SKU: d.SKU, Name: d.Name, Lot: d.Lot,
		Counted: d.Counted, Expected: d.Expected, Variance: d.Variance, Value: d.Value, Class: d.Class, CountedBy: d.Counter,
		CountedAt: firstTime(d.DeviceTime, d.RecordedAt)}
	if out.Value == 0 {
		out.Value = d.Variance * d.UnitCost
	}
	for _, m := range d.Movements {
		out.Movements = append(out.Movements, BinMovement{At: firstTime(m.DeviceTime, m.At), Kind: m.Kind, SKU: m.SKU, Lot: m.Lot,
			Delta: m.Delta, User: m.User})
	}
	for _, p := range d.Previous {
		out.Previous = append(out.Previous, PreviousCount{At: p.At, By: p.By, SKU: p.SKU, Counted: p.Counted, Variance: p.Variance,
			Outcome: p.Outcome})
	}
	return out
}

// decodeList reads a REST list: {"items": [...]}.
func decodeList[T any](raw json.RawMessage, what string) ([]T, error) {
	var body struct {
		Items []T `json:"items"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		return nil, errorf(ErrServerRefused, err, "The server sent %s this app does not understand", what)
	}
	return body.Items, nil
}

// Discrepancies lists the warehouse's discrepancies waiting for a
// supervisor (online only; the signed-in user must be a supervisor, and
// the app must hold their PIN: ErrPINRequired after a restart until
// ConfirmPIN).
func (a *App) Discrepancies(ctx context.Context) ([]Discrepancy, error) {
	u, err := a.supervisor(ctx)
	if err != nil {
		return nil, err
	}
	wh, _, err := a.Warehouse(ctx)
	if err != nil {
		return nil, err
	}
	var raw json.RawMessage
	if err := a.rest(ctx, http.MethodGet, "/api/v1/discrepancies?warehouse="+url.QueryEscape(wh), u.Code, nil, &raw); err != nil {
		return nil, forbidden(err)
	}
	list, err := decodeList[discrepancyJSON](raw, "a discrepancy queue")
	if err != nil {
		return nil, err
	}
	out := make([]Discrepancy, len(list))
	for i, d := range list {
		out[i] = d.discrepancy()
	}
	return out, nil
}

// ApproveDiscrepancy adjusts the stock by the variance with a reason code
// (one of ApproveReasons).
func (a *App) ApproveDiscrepancy(ctx context.Context, eventID, reasonCode string) error {
	reasonCode = strings.TrimSpace(reasonCode)
	if !slices.Contains(ApproveReasons, reasonCode) {
		return errorf(ErrReasonNeeded, nil, "Choose why the count differs: %s", strings.Join(ApproveReasons, ", "))
	}
	return a.decideCount(ctx, eventID, "approve", map[string]string{"reason_code": reasonCode})
}

// RejectDiscrepancy rejects a count: the stock stays as the ledger says.
func (a *App) RejectDiscrepancy(ctx context.Context, eventID, reason string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return errorf(ErrReasonNeeded, nil, "Give a reason for rejecting the count")
	}
	return a.decideCount(ctx, eventID, "reject", map[string]string{"reason": reason})
}

// RequestRecount rejects the count and raises a recount of the bin
// assigned to another counter (not the one who counted).
func (a *App) RequestRecount(ctx context.Context, eventID, counter string) error {
	counter = strings.TrimSpace(counter)
	if counter == "" {
		return errorf(ErrReasonNeeded, nil, "Choose who counts the bin again")
	}
	return a.decideCount(ctx, eventID, "recount", map[string]string{"counter": counter})
}

// decideCount posts a supervisor's decision on a discrepancy.
func (a *App) decideCount(ctx context.Context, eventID, decision string, body map[string]string) error {
	u, err := a.supervisor(ctx)
	if err != nil {
		return err
	}
	path := "/api/v1/discrepancies/" + url.PathEscape(eventID) + "/" + decision
	return forbidden(a.rest(ctx, http.MethodPost, path, u.Code, body, nil))
}

// Counters lists the users holding the counter role (for recounts), from
// the device's catalog.
func (a *App) Counters(ctx context.Context) ([]User, error) {
	if _, err := a.signedIn(ctx); err != nil {
		return nil, err
	}
	us, err := a.Users(ctx)
	if err != nil {
		return nil, err
	}
	var out []User
	for _, u := range us {
		if u.Has(RoleCounter) {
			out = append(out, u)
		}
	}
	return out, nil
}

// AccuracyPoint is inventory accuracy over one week.
type AccuracyPoint struct {
	Week     string  // ISO week, "2026-W48"
	Location float64 // share of counted bins with zero variance, 0..1
	SKU      float64 // share of counted SKU lines with zero variance
	Value    float64 // 1 − |variance value| / counted value
	Bins     int     // bins counted
}

// accuracyJSON is one row of GET /api/v1/accuracy?by=week.
type accuracyJSON struct {
	Key      string  `json:"key"` // the ISO week
	Bins     int     `json:"bins"`
	Location float64 `json:"location"`
	SKU      float64 `json:"sku"`
	Value    float64 `json:"value"`
}

// Accuracy returns weekly accuracy of the warehouse (online only) over the
// last weeks weeks (all the server has when weeks ≤ 0), oldest first, by
// class or counter when given.
func (a *App) Accuracy(ctx context.Context, class, counter string, weeks int) ([]AccuracyPoint, error) {
	u, err := a.supervisor(ctx)
	if err != nil {
		return nil, err
	}
	wh, _, err := a.Warehouse(ctx)
	if err != nil {
		return nil, err
	}
	q := url.Values{"warehouse": {wh}, "by": {"week"}}
	if class = strings.TrimSpace(class); class != "" {
		q.Set("class", class)
	}
	if counter = strings.TrimSpace(counter); counter != "" {
		q.Set("counter", counter)
	}
	if weeks > 0 {
		q.Set("from", a.cfg.Now().UTC().AddDate(0, 0, -7*weeks).Format(time.DateOnly))
	}
	var raw json.RawMessage
	if err := a.rest(ctx, http.MethodGet, "/api/v1/accuracy?"+q.Encode(), u.Code, nil, &raw); err != nil {
		return nil, forbidden(err)
	}
	list, err := decodeList[accuracyJSON](raw, "accuracy figures")
	if err != nil {
		return nil, err
	}
	out := make([]AccuracyPoint, len(list))
	for i, p := range list {
		out[i] = AccuracyPoint{Week: p.Key, Location: p.Location, SKU: p.SKU, Value: p.Value, Bins: p.Bins}
	}
	slices.SortStableFunc(out, func(x, y AccuracyPoint) int { return strings.Compare(x.Week, y.Week) })
	return out, nil
}
