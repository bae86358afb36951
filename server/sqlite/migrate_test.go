package sqlite_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/sqlite"
	"github.com/driftless/driftless/server/storetest"
	"github.com/driftless/driftless/syncproto"
)

// TestEventsRowidMigration: migration 10 rebuilds events (clustered by
// device before, in arrival order after) on a server holding events of
// several devices, parked ones among them. Every event keeps its outcome,
// a resend is still answered from the stored outcome and not applied
// again, a device's log still reads in sequence order, and the way back
// down keeps them too.
func TestEventsRowidMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "test.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.AddTester(t, st)
	l := server.NewLedger(st)
	devs := []*storetest.Device{storetest.Enroll(t, l, "h1", "W1"), storetest.Enroll(t, l, "h2", "W1")}
	sent := map[string][]syncproto.Event{}
	for i := 0; i < 30; i++ {
		d := devs[i%2]
		var ev syncproto.Event
		if i%5 == 4 {
			ev = d.Event(syncproto.KindPick, "SKU9", "B-1", "", 1) // nothing there: parks
		} else {
			ev = d.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 2)
		}
		if _, err := l.Push(ctx, d.ID, []syncproto.Event{ev}); err != nil {
			t.Fatal(err)
		}
		sent[d.ID] = append(sent[d.ID], ev)
	}
	before := map[string][]server.EventRecord{}
	for _, d := range devs {
		if before[d.ID], err = l.DeviceEvents(ctx, d.ID, 0, 0); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()

	ddl := func() string {
		t.Helper()
		var s string
		if err := sqlite.QueryRow(ctx, path, `SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'events'`, nil, &s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	// Down to the clustered table (the way back must keep every event)...
	if err := sqlite.MigrateTo(ctx, path, 9); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ddl(), "WITHOUT ROWID") {
		t.Fatalf("at version 9 events is not clustered:\n%s", ddl())
	}
	var held int64
	if err := sqlite.QueryRow(ctx, path, `SELECT COUNT(*) FROM events`, nil, &held); err != nil || held != 30 {
		t.Fatalf("at version 9: %d events (%v), want 30", held, err)
	}
	// ... and up again, as Open does on a server upgraded with data.
	st, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if strings.Contains(ddl(), "WITHOUT ROWID") {
		t.Fatalf("after migrating up events is still clustered:\n%s", ddl())
	}
	l = server.NewLedger(st)
	for _, d := range devs {
		got, err := l.DeviceEvents(ctx, d.ID, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(before[d.ID]) {
			t.Fatalf("device %s has %d events, had %d", d.ID, len(got), len(before[d.ID]))
		}
		for i := range got {
			if got[i].Event.ID != before[d.ID][i].Event.ID || got[i].Outcome != before[d.ID][i].Outcome {
				t.Fatalf("event %d of %s is %+v, was %+v", i, d.ID, got[i], before[d.ID][i])
			}
		}
	}
	entries := func() int64 {
		var n int64
		if err := sqlite.QueryRow(ctx, path, `SELECT COUNT(*) FROM ledger`, nil, &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	n := entries()
	// A resend is answered from the stored outcome, not applied again.
	d := devs[0]
	ack, err := l.Push(ctx, d.ID, sent[d.ID][:1])
	if err != nil {
		t.Fatal(err)
	}
	if ack.Outcomes[0] != before[d.ID][0].Outcome || entries() != n {
		t.Fatalf("resend after the migration: %+v, ledger %d -> %d entries", ack.Outcomes[0], n, entries())
	}
	// Another event under a sequence the server holds is refused.
	dup := sent[d.ID][0]
	dup.ID = "0190f000-0000-7000-8000-000000000001"
	if _, err := l.Push(ctx, d.ID, []syncproto.Event{dup}); server.ErrorCode(err) != server.EDeviceConflict {
		t.Fatalf("another event under sequence 1 after the migration: %v, want %s", err, server.EDeviceConflict)
	}
	// The next event applies.
	ack, err = l.Push(ctx, d.ID, []syncproto.Event{d.Event(syncproto.KindReceive, "SKU1", "", "DOCK", 1)})
	if err != nil || ack.Outcomes[0].Status != syncproto.StatusApplied {
		t.Fatalf("next event after the migration: %+v, %v", ack, err)
	}
}
