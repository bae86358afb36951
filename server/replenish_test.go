package server_test

import (
	"math"
	"testing"

	"github.com/driftless/driftless/server"
)

// TestComputeROP checks reorder points against cases worked by hand.
func TestComputeROP(t *testing.T) {
	rep := func(v int64, n int) []int64 {
		out := make([]int64, n)
		for i := range out {
			out[i] = v
		}
		return out
	}
	for _, tc := range []struct {
		name        string
		daily       []int64
		lead, level float64
		mean, sd    float64
		rop, target int64
	}{
		// 10 a day, 7 days: 70, no variability, no safety stock.
		{"constant", rep(10, 28), 7, 0.95, 10, 0, 70, 140},
		// 0,10 alternating: mean 5, σ = √(25·4/3) = 5.7735 (n = 4);
		// lead demand 5 × 4 = 20; SS = 1.6449 × 5.7735 × √4 = 18.99;
		// ROP = ⌈20 + 18.99⌉ = 39; target 39 + 20.
		{"variable", []int64{0, 10, 0, 10}, 4, 0.95, 5, 5.7735, 39, 59},
		// Same at 99%: z = 2.3263; SS = 26.86; ROP = ⌈46.86⌉ = 47.
		{"variable 99%", []int64{0, 10, 0, 10}, 4, 0.99, 5, 5.7735, 47, 67},
		{"zero demand", rep(0, 56), 5, 0.95, 0, 0, 0, 0},
		{"no history", nil, 5, 0.95, 0, 0, 0, 0},
		// Half a day's lead time: 12 × 0.5 = 6; σ of {8,16} = 5.657,
		// SS = 1.6449 × 5.657 × √0.5 = 6.58; ROP = ⌈12.58⌉ = 13.
		{"lead time under a day", []int64{8, 16}, 0.5, 0.95, 12, 5.6569, 13, 19},
		// 3 a day over 1/3 of a day is exactly 1 (no float noise up).
		{"fraction exact", rep(3, 10), 1.0 / 3, 0.95, 3, 0, 1, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := server.ComputeROP(tc.daily, tc.lead, tc.level)
			if math.Abs(r.Mean-tc.mean) > 1e-3 || math.Abs(r.StdDev-tc.sd) > 1e-3 || r.ReorderPoint != tc.rop || r.Target != tc.target {
				t.Fatalf("got mean %.4f σ %.4f ROP %d target %d (SS %.3f); want %.4f %.4f %d %d",
					r.Mean, r.StdDev, r.ReorderPoint, r.Target, r.SafetyStock, tc.mean, tc.sd, tc.rop, tc.target)
			}
		})
	}
	if z := server.ZScore(0.95); math.Abs(z-1.6449) > 1e-4 {
		t.Fatalf("z(0.95) = %v", z)
	}
}

// TestSuggestQty: target − position, rounded up to the multiple, at
// least the minimum order quantity, only at or below the reorder point.
func TestSuggestQty(t *testing.T) {
	for _, tc := range []struct {
		name                        string
		rop, target, pos, mult, moq int64
		want                        int64
	}{
		{"plain", 20, 40, 15, 0, 0, 25},
		{"above the reorder point", 20, 40, 21, 12, 0, 0},
		{"at the reorder point", 20, 40, 20, 0, 0, 20},
		{"multiple rounds up", 20, 40, 15, 12, 0, 36},
		{"exact multiple", 20, 40, 16, 12, 0, 24},
		{"minimum order", 20, 40, 18, 0, 50, 50},
		{"minimum not a multiple", 20, 40, 18, 12, 50, 60},
		{"negative position (backorders)", 20, 40, -5, 10, 0, 50},
		{"nothing to reach", 0, 0, 0, 0, 10, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := server.SuggestQty(tc.rop, tc.target, tc.pos, tc.mult, tc.moq); got != tc.want {
				t.Fatalf("SuggestQty(%d, %d, %d, %d, %d) = %d, want %d", tc.rop, tc.target, tc.pos, tc.mult, tc.moq, got, tc.want)
			}
		})
	}
}
