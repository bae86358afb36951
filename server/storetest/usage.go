package storetest

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/syncproto"
)

// RunUsage runs the suite of issue 9's usage history: what each kind of
// event adds to usage_daily, and the property that the history kept
// incrementally as events apply equals a full recomputation from the
// ledger after a randomized history (parked events accepted and
// cancelled, resent pushes, several devices and warehouses).
func RunUsage(t *testing.T, open CatalogOpener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, c *server.Catalog, l *server.Ledger, r *server.Reports)
	}{
		{"WhatCounts", testUsageWhatCounts},
		{"IncrementalEqualsRecomputed", testUsageProperty},
		{"Reports", testReports},
		{"Rebuild", testUsageRebuild},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					mf, ok := r.(mustFail)
					if !ok {
						panic(r)
					}
					t.Fatalf("%s:%d: %v", mf.file, mf.line, mf.err)
				}
			}()
			st := open(t)
			usageStore = st
			now = time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
			clock := func() time.Time { return now }
			l := server.NewLedger(st, server.WithClock(clock))
			c := server.NewCatalog(st, l)
			seedCatalog(t, c)
			addTester(t, c)
			must(c.SKUs.Create(ctx, server.SKU{Code: "C", Name: "Crisps", Unit: "each", UnitCost: 250, Category: "Snacks"}))
			tc.fn(t, c, l, server.NewReports(st, clock))
		})
	}
}

func on(ev syncproto.Event, day int, ref string) syncproto.Event {
	ev.DeviceTime = time.Date(2026, 11, day, 9+day%12, 30, 0, 0, time.UTC)
	ev.Ref = ref
	ev.Seal()
	return ev
}

func day(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }

func testUsageWhatCounts(t *testing.T, c *server.Catalog, l *server.Ledger, r *server.Reports) {
	d := Enroll(t, l, "hh", "W1")
	push(t, l, d,
		on(d.Event(syncproto.KindReceive, "A", "", "DOCK", 10), 1, "DN-1"),  // received 10 × 129
		on(d.Event(syncproto.KindPutaway, "A", "DOCK", "BIN-1", 10), 1, ""), // not usage
		on(d.Event(syncproto.KindPick, "A", "BIN-1", "", 3), 2, "SO-1"),     // consumed
		on(d.Event(syncproto.KindDamage, "A", "BIN-1", "", 1), 2, ""),       // scrapped: consumed
		on(d.Event(syncproto.KindDamage, "A", "BIN-1", "Q", 1), 2, ""),      // into quarantine: consumed
		on(d.Event(syncproto.KindMove, "A", "BIN-1", "BIN-2", 2), 2, ""),    // not usage
		on(d.Event(syncproto.KindReturn, "A", "", "BIN-1", 1), 3, ""),       // received
		on(d.Event(syncproto.KindCount, "A", "BIN-1", "", 4), 3, ""),        // a correction, not usage
	)
	// A pick that parks counts once accepted, on the day the device did it.
	park := on(d.Event(syncproto.KindPick, "A", "BIN-2", "", 5), 3, "")
	if a := push(t, l, d, park); a.Outcomes[0].Status != syncproto.StatusParked {
		t.Fatalf("pick of 5 from 2 is %s", a.Outcomes[0].Status)
	}
	must(l.Resolve(ctx, park.ID, server.Decision{Status: syncproto.StatusApplied, Reason: "found them", By: "admin"}))
	// A cancelled one never counts.
	cancel := on(d.Event(syncproto.KindPick, "A", "BIN-2", "", 50), 3, "")
	push(t, l, d, cancel)
	must(l.Resolve(ctx, cancel.ID, server.Decision{Status: syncproto.StatusCancelled, Reason: "typo", By: "admin"}))

	got := must(r.Usage(ctx, server.UsageFilter{Warehouse: "W1"}))
	want := []server.UsageDay{
		{Warehouse: "W1", SKU: "A", Day: day(1), ReceivedUnits: 10, ReceivedValue: 1290},
		{Warehouse: "W1", SKU: "A", Day: day(2), ConsumedUnits: 5, ConsumedValue: 645},
		{Warehouse: "W1", SKU: "A", Day: day(3), ConsumedUnits: 5, ConsumedValue: 645, ReceivedUnits: 1, ReceivedValue: 129},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("usage = %+v\nwant %+v", got, want)
	}
	series := must(r.DailyUsage(ctx, "W1", "A", day(2), day(2)))
	if len(series) != 1 || series[0].ConsumedUnits != 5 {
		t.Fatalf("usage of A on the 2nd = %+v", series)
	}
	rec := must(r.RecomputeUsage(ctx, "W1"))
	if !reflect.DeepEqual(rec, want) {
		t.Fatalf("recomputed usage = %+v\nwant %+v", rec, want)
	}
}

func testUsageProperty(t *testing.T, c *server.Catalog, l *server.Ledger, r *server.Reports) {
	skus := []string{"A", "B", "C"}
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 9))
			var devs []*Device
			for i, wh := range []string{"W1", "W1", "W2"} {
				devs = append(devs, Enroll(t, l, fmt.Sprintf("s%d-hh%d", seed, i), wh))
			}
			bins := []string{"BIN-1", "BIN-2", "DOCK", "Q"}
			var parked []string
			for range 60 {
				d := devs[rng.IntN(len(devs))]
				var batch []syncproto.Event
				for range 1 + rng.IntN(8) {
					sku, bin, other := skus[rng.IntN(len(skus))], bins[rng.IntN(len(bins))], bins[rng.IntN(len(bins))]
					qty := int64(1 + rng.IntN(6))
					var ev syncproto.Event
					switch k := rng.IntN(10); {
					case k < 3:
						ev = d.Event(syncproto.KindReceive, sku, "", bin, qty)
					case k < 6:
						ev = d.Event(syncproto.KindPick, sku, bin, "", qty)
					case k == 6:
						to := ""
						if rng.IntN(2) == 0 {
							to = "Q"
						}
						ev = d.Event(syncproto.KindDamage, sku, bin, to, qty)
					case k == 7 && bin != other:
						ev = d.Event(syncproto.KindMove, sku, bin, other, qty)
					case k == 8:
						ev = d.Event(syncproto.KindReturn, sku, "", bin, qty)
					default:
						ev = d.Event(syncproto.KindCount, sku, bin, "", qty)
					}
					batch = append(batch, on(ev, 1+rng.IntN(20), []string{"", "DN-7"}[rng.IntN(2)]))
				}
				a := push(t, l, d, batch...)
				for i, o := range a.Outcomes {
					if o.Status == syncproto.StatusParked {
						parked = append(parked, batch[i].ID)
					}
				}
				if rng.IntN(4) == 0 {
					push(t, l, d, batch...) // resent: applies nothing twice
				}
				if len(parked) > 0 && rng.IntN(3) == 0 {
					i := rng.IntN(len(parked))
					st := syncproto.StatusApplied
					if rng.IntN(3) == 0 {
						st = syncproto.StatusCancelled
					}
					_, err := l.Resolve(ctx, parked[i], server.Decision{Status: st, Reason: "checked", By: "admin"})
					if err != nil && server.ErrorCode(err) != server.EConflict {
						t.Fatal(err)
					}
					parked = append(parked[:i], parked[i+1:]...)
				}
			}
			for _, wh := range []string{"W1", "W2"} {
				kept := must(r.Usage(ctx, server.UsageFilter{Warehouse: wh}))
				full := must(r.RecomputeUsage(ctx, wh))
				if len(kept) == 0 {
					t.Fatalf("%s: no usage kept after a random history", wh)
				}
				if !reflect.DeepEqual(kept, full) {
					t.Fatalf("%s: usage kept incrementally differs from the recomputation:\nkept %+v\nfull %+v", wh, kept, full)
				}
				// The sums agree with the rows.
				var byDay, bySKU, rows server.UsageDay
				for _, u := range must(r.Usage(ctx, server.UsageFilter{Warehouse: wh, GroupBy: server.UsageByDay})) {
					byDay.ConsumedUnits, byDay.ReceivedValue = byDay.ConsumedUnits+u.ConsumedUnits, byDay.ReceivedValue+u.ReceivedValue
				}
				for _, u := range must(r.Usage(ctx, server.UsageFilter{Warehouse: wh, GroupBy: server.UsageBySKU})) {
					bySKU.ConsumedUnits, bySKU.ReceivedValue = bySKU.ConsumedUnits+u.ConsumedUnits, bySKU.ReceivedValue+u.ReceivedValue
				}
				for _, u := range kept {
					rows.ConsumedUnits, rows.ReceivedValue = rows.ConsumedUnits+u.ConsumedUnits, rows.ReceivedValue+u.ReceivedValue
				}
				if byDay != rows || bySKU != rows {
					t.Fatalf("%s: sums by day %+v, by SKU %+v, rows %+v", wh, byDay, bySKU, rows)
				}
				cat := must(r.Usage(ctx, server.UsageFilter{Warehouse: wh, Category: "Snacks", GroupBy: server.UsageBySKU}))
				if len(cat) > 1 || len(cat) == 1 && cat[0].SKU != "C" {
					t.Fatalf("%s: usage of category Snacks = %+v", wh, cat)
				}
			}
		})
	}
}

// now is the usage suite's clock (the ledger's and the reports').
var now time.Time

func testReports(t *testing.T, c *server.Catalog, l *server.Ledger, r *server.Reports) {
	d := Enroll(t, l, "hh", "W1")
	at := func(dd int, ev syncproto.Event) {
		t.Helper()
		now = day(dd).Add(10 * time.Hour)
		if a := push(t, l, d, on(ev, dd, "")); a.Outcomes[0].Status != syncproto.StatusApplied {
			t.Fatalf("%s on day %d: %+v", ev.Kind, dd, a.Outcomes[0])
		}
	}
	at(1, d.Event(syncproto.KindReceive, "A", "", "BIN-1", 10))
	at(1, d.Event(syncproto.KindReceive, "C", "", "BIN-2", 7))
	at(2, d.Event(syncproto.KindPick, "A", "BIN-1", "", 4))
	at(3, d.Event(syncproto.KindPick, "A", "BIN-1", "", 6))
	at(5, d.Event(syncproto.KindReceive, "A", "", "BIN-1", 5))
	now = day(6).Add(15 * time.Hour)

	oh := must(r.OnHand(ctx, ""))
	if len(oh.Warehouses) != 1 || oh.Warehouses[0] != (server.WarehouseStock{Warehouse: "W1", SKUs: 2, OnHand: 12, Value: 5*129 + 7*250}) ||
		len(oh.Items) != 2 || oh.Items[0].SKU != "A" || oh.Items[0].Value != 645 || oh.Items[1].Category != "Snacks" {
		t.Fatalf("on hand = %+v", oh)
	}

	p := must(r.CheckPeriod(day(1), time.Time{}, 0))
	if p.Days() != 6 {
		t.Fatalf("period = %+v", p)
	}
	to := must(r.Turnover(ctx, "W1", p))
	if len(to) != 2 {
		t.Fatalf("turnover = %+v", to)
	}
	a := to[0]
	if a.SKU != "A" || a.ConsumedUnits != 10 || a.ConsumedValue != 1290 || a.OpeningUnits != 0 || a.ClosingUnits != 5 ||
		a.AverageValue != 322 || a.Turnover == nil || *a.Turnover < 4.0 || *a.Turnover > 4.01 || a.DaysOfCover == nil || *a.DaysOfCover != 3 {
		t.Fatalf("turnover of A = %+v", a)
	}
	if cc := to[1]; cc.SKU != "C" || cc.Turnover == nil || *cc.Turnover != 0 || cc.DaysOfCover != nil || cc.OpeningUnits != 0 || cc.ClosingUnits != 7 {
		t.Fatalf("turnover of C = %+v", cc)
	}
	// Over days 2 to 3 alone: 10 on hand at the start, none at the end.
	to = must(r.Turnover(ctx, "W1", server.Period{From: day(2), To: day(3)}))
	if to[0].OpeningUnits != 10 || to[0].ClosingUnits != 0 || to[0].AverageValue != 645 {
		t.Fatalf("turnover of A over days 2-3 = %+v", to[0])
	}

	dead := must(r.DeadStock(ctx, "W1", 5))
	if len(dead) != 1 || dead[0].SKU != "C" || dead[0].OnHand != 7 || dead[0].LastConsumed != nil {
		t.Fatalf("dead stock over 5 days = %+v", dead)
	}
	dead = must(r.DeadStock(ctx, "W1", 3)) // A was last consumed on day 3
	if len(dead) != 2 || dead[0].SKU != "A" || dead[0].LastConsumed == nil || !dead[0].LastConsumed.Equal(day(3)) {
		t.Fatalf("dead stock over 3 days = %+v", dead)
	}

	so := must(r.Stockouts(ctx, "W1", p))
	if len(so) != 1 || so[0].SKU != "A" || so[0].Days != 2 || !so[0].Dates[0].Equal(day(3)) || !so[0].Dates[1].Equal(day(4)) ||
		so[0].OutNow || so[0].Consumed != 10 {
		t.Fatalf("stockouts = %+v", so)
	}
	// From day 4: the run of zero stock that began on day 3 counts from day 4.
	if so := must(r.Stockouts(ctx, "W1", server.Period{From: day(4), To: day(6)})); len(so) != 1 || so[0].Dates[0] != day(4) {
		t.Fatalf("stockouts over days 4-6 = %+v", so)
	}
}
