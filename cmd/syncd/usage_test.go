package main

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/sqlite"
	"github.com/driftless/driftless/server/storetest"
	"github.com/driftless/driftless/syncproto"
)

// A server upgraded with ledger history has no usage history; `syncd
// usage rebuild` recomputes it: the figures equal those kept as the
// events applied.
func TestUsageRebuild(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	st, err := sqlite.OpenDir(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	l := server.NewLedger(st)
	c := server.NewCatalog(st, l)
	for _, w := range []string{"W1", "W2"} {
		if _, err := c.Warehouses.Create(ctx, server.Warehouse{Code: w, Name: "Warehouse " + w}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Locations.Create(ctx, server.Location{Warehouse: w, Code: "BIN-1", Type: server.LocationBin}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.SKUs.Create(ctx, server.SKU{Code: "A", Name: "Apple juice 1l", Unit: "each", UnitCost: 129}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Users.Create(ctx, server.User{Code: storetest.Tester, Name: "Tester", Roles: []string{"receiver", "picker"}}); err != nil {
		t.Fatal(err)
	}
	at := func(ev syncproto.Event, day int) syncproto.Event {
		ev.DeviceTime = time.Date(2026, 10, day, 10, 0, 0, 0, time.UTC)
		ev.Seal()
		return ev
	}
	for _, wh := range []string{"W1", "W2"} {
		d := storetest.Enroll(t, l, "hh-"+wh, wh)
		evs := []syncproto.Event{
			at(d.Event(syncproto.KindReceive, "A", "", "BIN-1", 30), 1),
			at(d.Event(syncproto.KindPick, "A", "BIN-1", "", 4), 2),
			at(d.Event(syncproto.KindPick, "A", "BIN-1", "", 6), 3),
			at(d.Event(syncproto.KindDamage, "A", "BIN-1", "", 1), 3),
		}
		ack, err := l.Push(ctx, d.ID, evs)
		if err != nil {
			t.Fatal(err)
		}
		for i, o := range ack.Outcomes {
			if o.Status != syncproto.StatusApplied {
				t.Fatalf("%s event %d: %s", wh, i, o.Status)
			}
		}
	}
	r := server.NewReports(st, nil)
	kept, err := r.Usage(ctx, server.UsageFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(kept) != 6 {
		t.Fatalf("usage kept %+v", kept)
	}
	// As the upgrade leaves it: the ledger's history, no usage.
	err = st.Update(ctx, func(ctx context.Context, tx server.Tx) error {
		for _, wh := range []string{"W1", "W2"} {
			if err := tx.(server.UsageTx).ClearUsage(ctx, wh); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	run := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		cmd := usageCmd()
		cmd.SetArgs(args)
		cmd.SetOut(&out)
		if err := cmd.ExecuteContext(ctx); err != nil {
			t.Fatalf("usage %s: %v", strings.Join(args, " "), err)
		}
		return out.String()
	}
	usage := func() []server.UsageDay {
		t.Helper()
		st, err := sqlite.OpenDir(ctx, data)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		us, err := server.NewReports(st, nil).Usage(ctx, server.UsageFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return us
	}
	if out := run("rebuild", "--data", data, "--warehouse", "W2"); out != "W2: 3 usage rows rebuilt\n" {
		t.Fatalf("output %q", out)
	}
	if got := usage(); !reflect.DeepEqual(got, kept[3:]) {
		t.Fatalf("after rebuilding W2 %+v\nwant %+v", got, kept[3:])
	}
	if out := run("rebuild", "--data", data); out != "W1: 3 usage rows rebuilt\nW2: 3 usage rows rebuilt\n" {
		t.Fatalf("output %q", out)
	}
	if got := usage(); !reflect.DeepEqual(got, kept) {
		t.Fatalf("rebuilt %+v\nwant the figures kept incrementally %+v", got, kept)
	}
}
