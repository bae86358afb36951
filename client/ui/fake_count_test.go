package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/driftless/driftless/client/app"
)

// counting is the fake state's counting side: count tasks and a blind
// count for the counter; discrepancies, counters and accuracy for the
// supervisor; a PIN the app may want again.
type counting struct {
	countTasks    []app.CountTaskSummary
	count         *fakeCount // the active count
	discrepancies []app.Discrepancy
	discErr       error // every supervisor call fails with it (offline)
	counters      []app.User
	accuracy      []app.AccuracyPoint
	accuracyCalls []string // "class counter weeks" of each call
	pinNeeded     bool     // supervisor calls want the PIN until ConfirmPIN("1111")
	pinTries      []string
	countDecided  []string // "approve ev-1 miscount", "reject …", "recount …"
}

func newCounting() counting {
	day := func(d int) string { return fixedNow.AddDate(0, 0, d).Format(time.DateOnly) }
	c := counting{
		countTasks: []app.CountTaskSummary{
			{ID: "CT-000051", Location: "C-02-04", Reason: "scheduled", Due: day(2), Status: "open"},
			{ID: "CT-000042", Location: "A-01-03", Reason: "short_pick", Due: day(0), AssignedTo: "ana", Status: "assigned"},
			{ID: "CT-000045", Location: "B-02-01", Reason: "recount", Due: day(-1), AssignedTo: "ana", Status: "assigned"},
			{ID: "CT-000052", Location: "D-01-01", Reason: "zero_stock", Due: day(0), Status: "open"},
			{ID: "CT-000049", Location: "A-04-02", Reason: "putaway_dispute", Due: day(1), AssignedTo: "lee", Status: "assigned"},
		},
		counters: []app.User{
			{Code: "ana", Name: "Ana Lima", Roles: []app.Role{app.RoleCounter}},
			{Code: "lee", Name: "Lee Chen", Roles: []app.Role{app.RoleCounter}},
			{Code: "sam", Name: "Sam Okafor", Roles: []app.Role{app.RoleCounter, app.RoleSupervisor}},
		},
		discrepancies: []app.Discrepancy{
			{EventID: "ev-120", TaskID: "CT-000031", Location: "A-02-01", SKU: "LAMP-BRASS", Name: "Brass desk lamp", Lot: "L2403",
				Counted: 2, Expected: 6, Variance: -4, Value: -18400, Class: "A", CountedBy: "ana", CountedAt: fixedNow.Add(-35 * time.Minute),
				Movements: []app.BinMovement{
					{At: fixedNow.Add(-50 * time.Hour), Kind: "putaway", SKU: "LAMP-BRASS", Lot: "L2403", Delta: 12, User: "ana"},
					{At: fixedNow.Add(-3 * time.Hour), Kind: "pick", SKU: "LAMP-BRASS", Lot: "L2403", Delta: -4, User: "pat"},
					{At: fixedNow.Add(-50 * time.Minute), Kind: "pick", SKU: "LAMP-BRASS", Lot: "L2403", Delta: -2, User: "pat"},
				},
				Previous: []app.PreviousCount{{At: time.Date(2026, 2, 12, 9, 0, 0, 0, time.UTC), By: "sam", SKU: "LAMP-BRASS", Counted: 8, Variance: 0, Outcome: "auto"}}},
			{EventID: "ev-131", TaskID: "CT-000038", Location: "B-02-01", SKU: "TABLE-ASH", Name: "Ash extending table",
				Counted: 3, Expected: 2, Variance: 1, Value: 32900, Class: "B", CountedBy: "lee", CountedAt: fixedNow.Add(-20 * time.Minute),
				Previous: []app.PreviousCount{
					{At: time.Date(2025, 12, 10, 9, 0, 0, 0, time.UTC), By: "ana", SKU: "TABLE-ASH", Counted: 2, Variance: 0, Outcome: "auto"},
					{At: time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC), By: "lee", SKU: "TABLE-ASH", Counted: 3, Variance: 1, Outcome: "rejected"},
				}},
			{EventID: "ev-140", TaskID: "CT-000040", Location: "C-02-04", SKU: "CUSHION-LIN", Name: "Linen cushion",
				Counted: 0, Expected: 8, Variance: -8, Value: -9600, Class: "C", CountedBy: "ana", CountedAt: fixedNow.Add(-10 * time.Minute)},
		},
	}
	loc := []float64{0.88, 0.91, 0.86, 0.9, 0.92, 0.89, 0.93, 0.94, 0.91, 0.95, 0.96, 0.95}
	sku := []float64{0.92, 0.94, 0.9, 0.93, 0.95, 0.93, 0.95, 0.96, 0.94, 0.97, 0.97, 0.98}
	val := []float64{0.96, 0.97, 0.94, 0.97, 0.98, 0.96, 0.98, 0.985, 0.97, 0.99, 0.988, 0.992}
	bins := []int{38, 42, 51, 40, 44, 47, 39, 52, 48, 45, 50, 23}
	for i := range loc {
		_, w := fixedNow.AddDate(0, 0, 7*(i-11)).ISOWeek()
		y, _ := fixedNow.AddDate(0, 0, 7*(i-11)).ISOWeek()
		c.accuracy = append(c.accuracy, app.AccuracyPoint{Week: fmt.Sprintf("%d-W%02d", y, w), Location: loc[i], SKU: sku[i], Value: val[i], Bins: bins[i]})
	}
	return c
}

func (f *fakeState) CountTasks(context.Context) ([]app.CountTaskSummary, error) {
	return f.countTasks, nil
}

func (f *fakeState) ActiveCount(context.Context) (Counting, bool, error) {
	if f.count == nil {
		return nil, false, nil
	}
	return f.count, true, nil
}

func (f *fakeState) StartCount(_ context.Context, id string) (Counting, error) {
	for _, t := range f.countTasks {
		if t.ID == id {
			if f.count == nil || f.count.task.ID != id {
				f.count = &fakeCount{task: t}
			}
			return f.count, nil
		}
	}
	return nil, &app.Error{Code: "not_found", Message: "No count task " + id + " on this scanner."}
}

// supervisorCall is what every fake supervisor call checks first.
func (f *fakeState) supervisorCall() error {
	if f.discErr != nil {
		return f.discErr
	}
	if f.pinNeeded {
		return &app.Error{Code: app.ErrPINRequired.Code, Message: "Enter your PIN again"}
	}
	return nil
}

func (f *fakeState) Discrepancies(context.Context) ([]app.Discrepancy, error) {
	if err := f.supervisorCall(); err != nil {
		return nil, err
	}
	return f.discrepancies, nil
}

func (f *fakeState) decideCount(how, id, arg string) error {
	if err := f.supervisorCall(); err != nil {
		return err
	}
	for i, d := range f.discrepancies {
		if d.EventID == id {
			f.discrepancies = append(f.discrepancies[:i:i], f.discrepancies[i+1:]...)
			f.countDecided = append(f.countDecided, how+" "+id+" "+arg)
			return nil
		}
	}
	return &app.Error{Code: "conflict", Message: id + " is not waiting any more."}
}

func (f *fakeState) ApproveDiscrepancy(_ context.Context, id, code string) error {
	return f.decideCount("approve", id, code)
}

func (f *fakeState) RejectDiscrepancy(_ context.Context, id, reason string) error {
	return f.decideCount("reject", id, reason)
}

func (f *fakeState) RequestRecount(_ context.Context, id, counter string) error {
	return f.decideCount("recount", id, counter)
}

func (f *fakeState) Counters(context.Context) ([]app.User, error) {
	if err := f.supervisorCall(); err != nil {
		return nil, err
	}
	return f.counters, nil
}

func (f *fakeState) Accuracy(_ context.Context, class, counter string, weeks int) ([]app.AccuracyPoint, error) {
	if err := f.supervisorCall(); err != nil {
		return nil, err
	}
	f.accuracyCalls = append(f.accuracyCalls, fmt.Sprintf("%s %s %d", class, counter, weeks))
	if class == "" && counter == "" {
		return f.accuracy, nil
	}
	// A filtered view: a little worse, and fewer bins.
	out := make([]app.AccuracyPoint, len(f.accuracy))
	for i, p := range f.accuracy {
		out[i] = app.AccuracyPoint{Week: p.Week, Location: p.Location - 0.05, SKU: p.SKU - 0.03, Value: p.Value - 0.02, Bins: p.Bins / 3}
	}
	return out, nil
}

func (f *fakeState) ConfirmPIN(_ context.Context, pin string) error {
	f.pinTries = append(f.pinTries, pin)
	if pin != "1111" {
		return app.ErrWrongPIN
	}
	f.pinNeeded = false
	return nil
}

// fakeCount is a blind count: the bin's label first, then LAMP (lot L2403)
// and CHAIR; anything else is unknown. It never knows an expected figure.
type fakeCount struct {
	task     app.CountTaskSummary
	scanned  bool
	qty      int64
	lines    []app.CountLine
	finished bool
}

func (c *fakeCount) Task() app.CountTaskSummary { return c.task }
func (c *fakeCount) BinScanned() bool           { return c.scanned }
func (c *fakeCount) SetQty(n int64)             { c.qty = n }

func (c *fakeCount) Scan(ctx context.Context, text string) (app.Feedback, error) {
	bin := strings.TrimPrefix(text, "LOC-")
	if !c.scanned {
		if bin != c.task.Location {
			return app.Feedback{Level: app.Bad, Title: "Wrong bin: " + bin, Detail: "Go to " + c.task.Location + " and scan its label."}, nil
		}
		c.scanned = true
		return app.Feedback{Level: app.Good, Title: "At " + c.task.Location, Detail: "Scan every item in the bin"}, nil
	}
	n := max(c.qty, 1)
	c.qty = 0
	switch text {
	case "LAMP":
		return c.add("LAMP-BRASS", "Brass desk lamp", "L2403", n), nil
	case "CHAIR":
		return c.add("CHAIR-OAK", "Oak dining chair", "", n), nil
	}
	return app.Feedback{Level: app.Bad, Title: "Unknown barcode", Detail: text + " is not in the catalog. Nothing counted."}, nil
}

func (c *fakeCount) add(sku, name, lot string, n int64) app.Feedback {
	for i, l := range c.lines {
		if l.SKU == sku && l.Lot == lot {
			c.lines[i].Qty += n
			return app.Feedback{Level: app.Good, Title: fmt.Sprintf("+%d %s", n, name), Detail: fmt.Sprintf("%s · %d counted", sku, c.lines[i].Qty)}
		}
	}
	c.lines = append(c.lines, app.CountLine{SKU: sku, Name: name, Lot: lot, Qty: n})
	return app.Feedback{Level: app.Good, Title: fmt.Sprintf("+%d %s", n, name), Detail: fmt.Sprintf("%s · %d counted", sku, n)}
}

func (c *fakeCount) SetLine(_ context.Context, sku, lot string, qty int64) (app.Feedback, error) {
	for i, l := range c.lines {
		if l.SKU == sku && l.Lot == lot {
			c.lines[i].Qty = qty
			return app.Feedback{Level: app.Good, Title: fmt.Sprintf("%s: %d", l.Name, qty), Detail: "Set by hand"}, nil
		}
	}
	return app.Feedback{Level: app.Bad, Title: "No line " + sku}, nil
}

func (c *fakeCount) Lines(context.Context) ([]app.CountLine, error) { return c.lines, nil }

func (c *fakeCount) Finish(context.Context) (app.Feedback, error) {
	c.finished = true
	return app.Feedback{Level: app.Good, Title: c.task.Location + " counted", Detail: fmt.Sprintf("%d lines sent for checking", len(c.lines))}, nil
}
