package server

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

func TestClassifyABC(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values map[string]int64
		want   map[string]string
	}{
		{"pareto", map[string]int64{"a": 700, "b": 150, "c": 80, "d": 50, "e": 20, "z": 0},
			// above: a 0 (A), b 700 = 70% (A), c 850 = 85% (B), d 930 = 93% (B), e 980 = 98% (C)
			map[string]string{"a": "A", "b": "A", "c": "B", "d": "B", "e": "C", "z": "C"}},
		{"one SKU", map[string]int64{"x": 5}, map[string]string{"x": "A"}},
		{"no usage", map[string]int64{"x": 0, "y": 0}, map[string]string{"x": "C", "y": "C"}},
		{"ties by code", map[string]int64{"b": 10, "a": 10, "c": 10, "d": 10, "e": 10},
			// above: a 0, b 20%, c 40%, d 60%, e 80% → B
			map[string]string{"a": "A", "b": "A", "c": "A", "d": "A", "e": "B"}},
	} {
		got := ClassifyABC(tc.values, 80, 15)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestTolerance(t *testing.T) {
	def := DefaultCountSettings().Tolerances
	for _, tc := range []struct {
		class              string
		variance, expected int64
		cost               int64
		want               bool
	}{
		{"A", 0, 10, 100, true},
		{"A", -1, 1000, 1, false},
		{"B", -1, 10, 100, true},    // 1 unit
		{"B", -2, 100, 100, true},   // 2% of 100
		{"B", -3, 100, 100, false},  // 3 > 1 unit and > 2%
		{"B", 1, 10, 6000, false},   // worth more than 5000 cents
		{"C", 2, 3, 100, true},      // 2 units
		{"C", -5, 100, 100, true},   // 5%
		{"C", -6, 100, 100, false},  // 6%
		{"C", -5, 100, 1001, false}, // 5005 cents
	} {
		if got := def[tc.class].Within(tc.variance, tc.expected, tc.cost); got != tc.want {
			t.Errorf("%s variance %d of %d at %d cents: within = %v, want %v", tc.class, tc.variance, tc.expected, tc.cost, got, tc.want)
		}
	}
}

// simulateYear checks a plan over a year of days: every bin is due as
// often as its period requires and each day's load is within ±20% of the
// mean.
func simulateYear(t *testing.T, plan []ScheduledBin, start int) {
	t.Helper()
	counted := map[string]int{}
	loads := make([]int, 365)
	for d := range 365 {
		for _, b := range DueOn(plan, start+d) {
			counted[b.Location]++
			loads[d]++
		}
	}
	for _, b := range plan {
		if want := 365 / b.Period; counted[b.Location] < want {
			t.Fatalf("bin %s (class %s, every %d days) counted %d times in a year, want at least %d", b.Location, b.Class, b.Period, counted[b.Location], want)
		}
	}
	total := 0
	for _, n := range loads {
		total += n
	}
	mean := float64(total) / 365
	for d, n := range loads {
		if float64(n) < 0.8*mean || float64(n) > 1.2*mean {
			t.Fatalf("day %d has %d bins to count, mean %.2f: outside ±20%%", d, n, mean)
		}
	}
}

func bins(a, b, c int) []ScheduledBin {
	var out []ScheduledBin
	periods := DefaultCountSettings().Periods
	for class, n := range map[string]int{"A": a, "B": b, "C": c} {
		for i := range n {
			out = append(out, ScheduledBin{Location: fmt.Sprintf("%s-%04d", class, i), Class: class, Period: periods[class], Phase: -1})
		}
	}
	return out
}

func TestScheduleSimulatedYear(t *testing.T) {
	for _, mix := range [][3]int{{200, 300, 500}, {300, 0, 1800}, {30, 90, 180}, {0, 0, 2000}, {600, 100, 100}} {
		plan := PlanSchedule(bins(mix[0], mix[1], mix[2]))
		simulateYear(t, plan, Day(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
	}
}

// Property: random mixes of at least ~10 bins a day stay balanced, and a
// plan extended with new bins (and reclassified ones) keeps its other
// bins' phases and stays balanced.
func TestScheduleProperty(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 8))
	for range 30 {
		a, b, c := r.IntN(400), r.IntN(900), 1800+r.IntN(1800)
		plan := PlanSchedule(bins(a, b, c))
		simulateYear(t, plan, r.IntN(30000))
		// Add 10% more bins and re-plan: old phases stay.
		more := append(plan, bins(a/10, b/10, c/10)...)
		for i := len(plan); i < len(more); i++ {
			more[i].Location += "-new"
		}
		again := PlanSchedule(more)
		for i := range plan {
			if again[i].Phase != plan[i].Phase {
				t.Fatalf("bin %s moved from phase %d to %d", plan[i].Location, plan[i].Phase, again[i].Phase)
			}
		}
		simulateYear(t, again, r.IntN(30000))
	}
}

func TestComputeAccuracy(t *testing.T) {
	mon := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) // 2026-W48
	next := mon.AddDate(0, 0, 7)                          // 2026-W49
	recs := []CountRecord{
		// Task CT-1 (bin B1, ann, class A): two lines, one off by −2 at 100 cents.
		{Task: "CT-1", Location: "B1", Counter: "ann", Class: "A", SKU: "x", Counted: 10, Variance: 0, UnitCost: 100, Status: CountAuto, DeviceTime: mon},
		{Task: "CT-1", Location: "B1", Counter: "ann", Class: "A", SKU: "y", Counted: 8, Variance: -2, UnitCost: 100, Status: CountApproved, DeviceTime: mon},
		// Task CT-2 (bin B2, bob, class C): exact.
		{Task: "CT-2", Location: "B2", Counter: "bob", Class: "C", SKU: "z", Counted: 5, Variance: 0, UnitCost: 200, Status: CountAuto, DeviceTime: mon},
		// No task (bin B3, bob, class C): +1, rejected → counts as exact.
		{Location: "B3", Counter: "bob", Class: "C", SKU: "z", Counted: 4, Variance: 1, UnitCost: 200, Status: CountRejected, DeviceTime: mon},
		// Left out: pending and sent for a recount.
		{Task: "CT-3", Location: "B4", Counter: "ann", Class: "A", SKU: "x", Counted: 1, Variance: -9, UnitCost: 100, Status: CountPending, DeviceTime: mon},
		{Task: "CT-4", Location: "B4", Counter: "ann", Class: "A", SKU: "x", Counted: 1, Variance: -9, UnitCost: 100, Status: CountRecounted, DeviceTime: mon},
		// Next week: bin B1 by bob, +3 at 100 cents on 20 counted.
		{Task: "CT-5", Location: "B1", Counter: "bob", Class: "A", SKU: "x", Counted: 20, Variance: 3, UnitCost: 100, Status: CountAuto, DeviceTime: next},
	}
	byWeek := ComputeAccuracy(recs, ByWeek)
	// W48: bins CT-1 (not exact), CT-2 (exact), B3 (exact) → 2/3; lines 3/4;
	// value: counted 1000+800+1000+800 = 3600, variance 200 → 1 − 200/3600.
	// W49: 0/1 bins, 0/1 lines, value 1 − 300/2000 = 0.85.
	want := []AccuracyRow{
		{Key: "2026-W48", Bins: 3, BinsExact: 2, Lines: 4, LinesExact: 3, CountedValue: 3600, VarianceValue: 200,
			Location: 2.0 / 3, SKU: 0.75, Value: 1 - 200.0/3600},
		{Key: "2026-W49", Bins: 1, BinsExact: 0, Lines: 1, LinesExact: 0, CountedValue: 2000, VarianceValue: 300,
			Location: 0, SKU: 0, Value: 0.85},
	}
	if fmt.Sprint(byWeek) != fmt.Sprint(want) {
		t.Fatalf("by week:\n got %+v\nwant %+v", byWeek, want)
	}
	byCounter := ComputeAccuracy(recs, ByCounter)
	if len(byCounter) != 2 || byCounter[0].Key != "ann" || byCounter[0].Bins != 1 || byCounter[0].BinsExact != 0 ||
		byCounter[1].Key != "bob" || byCounter[1].Bins != 3 || byCounter[1].BinsExact != 2 || byCounter[1].Lines != 3 {
		t.Fatalf("by counter = %+v", byCounter)
	}
	byClass := ComputeAccuracy(recs, ByClass)
	if len(byClass) != 2 || byClass[1].Key != "C" || byClass[1].Location != 1 || byClass[1].Value != 1 {
		t.Fatalf("by class = %+v", byClass)
	}
}
