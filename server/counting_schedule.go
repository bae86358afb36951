package server

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// The count schedule: each bin is counted every Period days of its class
// (settings' Periods), on the days d (days since 1970-01-01 UTC) with
// d mod Period = Phase. Phases are chosen greedily so every day has about
// the same number of bins to count: a bin takes the phase whose days are
// the least loaded so far. A bin keeps its phase while its class stays;
// a new bin, or one whose class changed, gets a new one. A daily job
// (CountJobs) reclassifies, re-plans and raises the tasks due that day.

// Day is the schedule's day number of t: days since 1970-01-01 UTC.
func Day(t time.Time) int { return int(t.UTC().Unix() / 86400) }

// PlanSchedule gives every bin without a valid phase (Phase outside
// [0, Period)) one, keeping the others', so as to balance the daily load
// over the cycle of all periods. Bins are placed shortest period first,
// then by location; each takes the phase whose days carry the lowest
// peak load, then the lowest total, then the earliest. It returns the
// bins with their phases, in the order given.
func PlanSchedule(bins []ScheduledBin) []ScheduledBin {
	out := slices.Clone(bins)
	cycle := 1
	for _, b := range out {
		if b.Period > 0 {
			cycle = lcm(cycle, b.Period)
		}
		if cycle > 3650 {
			cycle = 3650 // keep the load table small; the balance is approximate beyond
		}
	}
	load := make([]int, cycle)
	add := func(b ScheduledBin) {
		for d := b.Phase; d < cycle; d += b.Period {
			load[d]++
		}
	}
	var todo []int
	for i, b := range out {
		if b.Period < 1 {
			out[i].Period = 1
			b.Period = 1
		}
		if b.Phase >= 0 && b.Phase < b.Period {
			add(b)
		} else {
			todo = append(todo, i)
		}
	}
	slices.SortFunc(todo, func(i, j int) int {
		if c := cmp.Compare(out[i].Period, out[j].Period); c != 0 {
			return c
		}
		return cmp.Compare(out[i].Location, out[j].Location)
	})
	for _, i := range todo {
		b := &out[i]
		best, bestPeak, bestSum := 0, -1, 0
		for p := 0; p < b.Period && p < cycle; p++ {
			peak, sum := 0, 0
			for d := p; d < cycle; d += b.Period {
				peak = max(peak, load[d])
				sum += load[d]
			}
			if bestPeak < 0 || peak < bestPeak || (peak == bestPeak && sum < bestSum) {
				best, bestPeak, bestSum = p, peak, sum
			}
		}
		b.Phase = best
		add(*b)
	}
	return out
}

func lcm(a, b int) int {
	x, y := a, b
	for y != 0 {
		x, y = y, x%y
	}
	return a / x * b
}

// DueOn lists the bins due on a day.
func DueOn(bins []ScheduledBin, day int) []ScheduledBin {
	var out []ScheduledBin
	for _, b := range bins {
		if b.Period > 0 && day%b.Period == b.Phase {
			out = append(out, b)
		}
	}
	return out
}

// ScheduleRun is what one run of the schedule did for a warehouse.
type ScheduleRun struct {
	Warehouse string `json:"warehouse"`
	Day       string `json:"day"`
	Bins      int    `json:"bins"`
	Due       int    `json:"due"`
	Raised    int    `json:"raised"`
}

// RunCountSchedule re-plans a warehouse's schedule from its bins and
// their classes now, and raises a task (reason scheduled, due that day)
// for each bin due on now's day that has no held task and none raised
// by the schedule that day already, in one transaction.
func (c *Catalog) RunCountSchedule(ctx context.Context, warehouse string, now time.Time) (ScheduleRun, error) {
	day := Day(now)
	run := ScheduleRun{Warehouse: warehouse, Day: now.UTC().Format(time.DateOnly)}
	err := c.store.UpdateCatalog(ctx, func(ctx context.Context, tx CatalogTx) error {
		run.Bins, run.Due, run.Raised = 0, 0, 0
		ctr, err := counting(tx)
		if err != nil {
			return err
		}
		ptx, err := pickingRead(tx)
		if err != nil {
			return err
		}
		set, err := countSettings(ctx, ctr, warehouse)
		if err != nil {
			return err
		}
		bins, err := tx.Locations(ctx, ListFilter{Warehouse: warehouse, Type: string(LocationBin), Archived: ActiveOnly})
		if err != nil {
			return err
		}
		classes, err := ctr.SKUClasses(ctx, warehouse, nil)
		if err != nil {
			return err
		}
		skuClass := make(map[string]string, len(classes))
		for _, cl := range classes {
			skuClass[cl.SKU] = cl.Class
		}
		levels, err := tx.StockLevels(ctx, StockFilter{Warehouse: warehouse})
		if err != nil {
			return err
		}
		binClass := map[string]string{}
		for _, l := range levels {
			if l.Qty <= 0 {
				continue
			}
			cl := cmp.Or(skuClass[l.SKU], "C")
			if old, ok := binClass[l.Location]; !ok || cl < old {
				binClass[l.Location] = cl
			}
		}
		old, err := ctr.CountSchedule(ctx, warehouse)
		if err != nil {
			return err
		}
		prev := make(map[string]ScheduledBin, len(old))
		for _, b := range old {
			prev[b.Location] = b
		}
		plan := make([]ScheduledBin, 0, len(bins))
		for _, l := range bins {
			cl := cmp.Or(binClass[l.Code], "C")
			b := ScheduledBin{Location: l.Code, Class: cl, Period: set.Periods[cl], Phase: -1}
			if p, ok := prev[l.Code]; ok && p.Class == cl && p.Period == b.Period {
				b.Phase = p.Phase
			}
			plan = append(plan, b)
		}
		plan = PlanSchedule(plan)
		if err := ctr.PutCountSchedule(ctx, warehouse, plan); err != nil {
			return err
		}
		run.Bins = len(plan)
		due := DueOn(plan, day)
		run.Due = len(due)
		if len(due) == 0 {
			return nil
		}
		skip := map[string]bool{}
		held, err := ptx.CountTasks(ctx, CountTaskFilter{Warehouse: warehouse, Held: true})
		if err != nil {
			return err
		}
		today, err := ptx.CountTasks(ctx, CountTaskFilter{Warehouse: warehouse, Reason: CountScheduled, Due: run.Day})
		if err != nil {
			return err
		}
		for _, t := range append(held, today...) {
			skip[t.Location] = true
		}
		for _, b := range due {
			if skip[b.Location] {
				continue
			}
			if _, err := ctr.PutCountTask(ctx, CountTask{Warehouse: warehouse, Location: b.Location, Reason: CountScheduled,
				Class: b.Class, Due: run.Day, CreatedAt: now.UTC(), Status: CountTaskOpen}); err != nil {
				return err
			}
			run.Raised++
		}
		return nil
	})
	if err != nil {
		return run, fmt.Errorf("run the count schedule of %s for %s: %w", warehouse, run.Day, err)
	}
	return run, nil
}

// CountSchedule lists a warehouse's schedule by location.
func (c *Catalog) CountSchedule(ctx context.Context, warehouse string) ([]ScheduledBin, error) {
	var out []ScheduledBin
	err := c.store.ViewCatalog(ctx, func(ctx context.Context, tx CatalogReadTx) error {
		ctr, err := countingRead(tx)
		if err != nil {
			return err
		}
		out, err = ctr.CountSchedule(ctx, warehouse)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list the count schedule of %s: %w", warehouse, err)
	}
	return out, nil
}

// CountJobs is the daily counting job of `syncd serve`: once a day (the
// first tick on a new UTC day, and once at start) it reclassifies every
// active warehouse's SKUs and runs its count schedule.
type CountJobs struct {
	Catalog *Catalog
	// Now is the clock (time.Now when nil); Tick how often it looks at
	// it (a minute when zero).
	Now  func() time.Time
	Tick time.Duration
	Log  *slog.Logger
	// Ran, when set, is told each run's results (tests).
	Ran func(day string, runs []ScheduleRun)
}

// Serve runs the job until ctx is done; it returns nil then. A failed
// run is logged and tried again at the next tick.
func (j *CountJobs) Serve(ctx context.Context) error {
	return runDaily(ctx, j.Now, j.Tick, j.Log, "daily count job", func(ctx context.Context, now time.Time, day string) error {
		runs, err := j.RunOnce(ctx, now)
		if err == nil && j.Ran != nil {
			j.Ran(day, runs)
		}
		return err
	})
}

// RunOnce reclassifies and schedules every active warehouse for now's day.
func (j *CountJobs) RunOnce(ctx context.Context, now time.Time) ([]ScheduleRun, error) {
	whs, err := j.Catalog.Warehouses.List(ctx, ListFilter{Archived: ActiveOnly})
	if err != nil {
		return nil, err
	}
	var runs []ScheduleRun
	for _, w := range whs {
		if _, err := j.Catalog.recomputeABCAt(ctx, w.Code, now.UTC()); err != nil {
			return runs, err
		}
		run, err := j.Catalog.RunCountSchedule(ctx, w.Code, now)
		if err != nil {
			return runs, err
		}
		runs = append(runs, run)
	}
	return runs, nil
}
