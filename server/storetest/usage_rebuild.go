package storetest

import (
	"context"
	"reflect"
	"testing"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/syncproto"
)

// usageStore is the usage suite's store (the rebuild test empties its
// usage_daily as an upgraded server's is).
var usageStore server.Store

// testUsageRebuild: a server upgraded with ledger history has an empty
// usage_daily; rebuilding it from the ledger gives the figures kept
// incrementally, one warehouse at a time, and a rebuild of full history
// changes nothing.
func testUsageRebuild(t *testing.T, c *server.Catalog, l *server.Ledger, r *server.Reports) {
	d1, d2 := Enroll(t, l, "hh1", "W1"), Enroll(t, l, "hh2", "W2")
	push(t, l, d1,
		on(d1.Event(syncproto.KindReceive, "A", "", "BIN-1", 20), 1, "DN-1"),
		on(d1.Event(syncproto.KindReceive, "C", "", "BIN-1", 8), 1, "DN-1"),
		on(d1.Event(syncproto.KindPick, "A", "BIN-1", "", 3), 2, "SO-1"),
		on(d1.Event(syncproto.KindMove, "A", "BIN-1", "BIN-2", 2), 2, ""),
		on(d1.Event(syncproto.KindDamage, "C", "BIN-1", "", 1), 3, ""),
		on(d1.Event(syncproto.KindPick, "A", "BIN-1", "", 4), 5, "SO-2"),
		on(d1.Event(syncproto.KindReturn, "A", "", "BIN-1", 1), 6, ""),
	)
	push(t, l, d2,
		on(d2.Event(syncproto.KindReceive, "B", "", "BIN-1", 12), 2, ""),
		on(d2.Event(syncproto.KindPick, "B", "BIN-1", "", 5), 4, ""),
	)
	kept := map[string][]server.UsageDay{}
	for _, wh := range []string{"W1", "W2"} {
		kept[wh] = must(r.Usage(ctx, server.UsageFilter{Warehouse: wh}))
		if len(kept[wh]) == 0 {
			t.Fatalf("%s: no usage kept", wh)
		}
	}
	// Rebuilding the full history changes nothing.
	if n := must(r.RebuildUsage(ctx, "W1")); n != len(kept["W1"]) {
		t.Fatalf("rebuild of W1 wrote %d rows, want %d", n, len(kept["W1"]))
	}
	if got := must(r.Usage(ctx, server.UsageFilter{Warehouse: "W1"})); !reflect.DeepEqual(got, kept["W1"]) {
		t.Fatalf("W1 after a rebuild %+v\nwant %+v", got, kept["W1"])
	}
	// The upgrade: the ledger has history, usage_daily none.
	must(0, usageStore.Update(ctx, func(ctx context.Context, tx server.Tx) error {
		for _, wh := range []string{"W1", "W2"} {
			if err := tx.(server.UsageTx).ClearUsage(ctx, wh); err != nil {
				return err
			}
		}
		return nil
	}))
	if got := must(r.Usage(ctx, server.UsageFilter{})); len(got) != 0 {
		t.Fatalf("usage after emptying %+v", got)
	}
	// One warehouse rebuilt leaves the other's alone.
	must(r.RebuildUsage(ctx, "W2"))
	if got := must(r.Usage(ctx, server.UsageFilter{})); !reflect.DeepEqual(got, kept["W2"]) {
		t.Fatalf("after rebuilding W2 %+v\nwant %+v", got, kept["W2"])
	}
	must(r.RebuildUsage(ctx, "W1"))
	for _, wh := range []string{"W1", "W2"} {
		if got := must(r.Usage(ctx, server.UsageFilter{Warehouse: wh})); !reflect.DeepEqual(got, kept[wh]) {
			t.Fatalf("%s rebuilt %+v\nwant the figures kept incrementally %+v", wh, got, kept[wh])
		}
	}
	// Pushes keep adding to the rebuilt history.
	push(t, l, d2, on(d2.Event(syncproto.KindPick, "B", "BIN-1", "", 2), 4, ""))
	b := must(r.DailyUsage(ctx, "W2", "B", day(4), day(4)))
	if len(b) != 1 || b[0].ConsumedUnits != 7 {
		t.Fatalf("B in W2 on the 4th after a push %+v", b)
	}
}
