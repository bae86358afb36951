package crashtest_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/cmd/invctl/crashtest"
	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/sqlite"
	"github.com/driftless/driftless/syncproto"
)

// synced builds a server data directory and two device databases that
// are fully synced, in-process: every scan pushed, acknowledged and pulled
// back.
func synced(t *testing.T) (data string, dbs []string) {
	t.Helper()
	ctx := context.Background()
	data = t.TempDir()
	st, err := sqlite.OpenDir(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l := server.NewLedger(st)
	if _, err := server.NewCatalog(st, l).Users.Create(ctx, server.User{Code: crashtest.Clerk, Name: "Clerk", Roles: []string{"receiver", "picker", "counter"}}); err != nil {
		t.Fatal(err)
	}
	var stores []*store.Store
	for i := range 2 {
		d, token, err := l.AddDevice(ctx, "h", "W1")
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "device.db")
		ds, err := store.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer ds.Close()
		if err := ds.Enroll(ctx, store.Identity{DeviceID: d.ID, Token: token, ServerURL: "ws://unused", Warehouse: "W1"}); err != nil {
			t.Fatal(err)
		}
		for seq := uint64(1); seq <= 30; seq++ {
			if _, err := ds.Record(ctx, crashtest.ScanFor(i, seq)); err != nil {
				t.Fatal(err)
			}
		}
		evs, err := ds.Events(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		ack, err := l.Push(ctx, d.ID, evs)
		if err != nil {
			t.Fatal(err)
		}
		if err := ds.ApplyAck(ctx, ack); err != nil {
			t.Fatal(err)
		}
		stores = append(stores, ds)
		dbs = append(dbs, path)
	}
	for _, ds := range stores {
		id, _ := ds.Identity(ctx)
		ch, err := l.Pull(ctx, id.DeviceID, &syncproto.Pull{})
		if err != nil {
			t.Fatal(err)
		}
		if err := ds.ApplyChanges(ctx, ch); err != nil {
			t.Fatal(err)
		}
	}
	return data, dbs
}

func execSQL(t *testing.T, path, query string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		t.Fatalf("%s changed nothing", query)
	}
}

// TestAuditCatches checks that Audit passes synced databases and reports
// each kind of damage a crash could do.
func TestAuditCatches(t *testing.T) {
	ctx := context.Background()
	data, dbs := synced(t)
	rep, err := crashtest.Audit(ctx, data, dbs)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Events != 60 || rep.Applied == 0 || rep.Parked == 0 {
		t.Fatalf("synced databases: %+v", rep)
	}

	serverDB := func(data string) string { return filepath.Join(data, sqlite.DBFile) }
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, data string, dbs []string)
		lost   bool
		dup    bool
		want   string
	}{
		{"event lost by the server", func(t *testing.T, data string, dbs []string) {
			execSQL(t, serverDB(data), `DELETE FROM events WHERE (device_id, seq) IN (SELECT device_id, seq FROM events WHERE status = 'parked' LIMIT 1)`)
		}, true, false, "lost: device"},
		{"ledger entry doubled", func(t *testing.T, data string, dbs []string) {
			execSQL(t, serverDB(data), `INSERT INTO ledger (warehouse, key_id, delta, balance, event_id, device_id, kind, recorded_at)
				SELECT warehouse, key_id, delta, balance, event_id, device_id, kind, recorded_at FROM ledger WHERE position = 3`)
		}, false, true, "ledger entries"},
		{"ledger entry lost", func(t *testing.T, data string, dbs []string) {
			execSQL(t, serverDB(data), `DELETE FROM ledger WHERE position = (SELECT MAX(position) FROM ledger)`)
		}, true, false, "ledger entries"},
		{"stock out of step with the ledger", func(t *testing.T, data string, dbs []string) {
			execSQL(t, serverDB(data), `UPDATE stock SET qty = qty + 1 WHERE id = 1`)
		}, false, false, "the sum of its deltas"},
		{"event held that no device recorded", func(t *testing.T, data string, dbs []string) {
			execSQL(t, serverDB(data), `INSERT INTO events (device_id, seq, event_id, hash, kind, payload, status, received_at)
				SELECT device_id, seq + 1000, event_id || 'x', hash, kind, replace(payload, event_id, event_id || 'x'), status, received_at
				FROM events WHERE seq = 1 LIMIT 1`)
		}, false, true, "no device recorded"},
		{"outcome without status", func(t *testing.T, data string, dbs []string) {
			execSQL(t, serverDB(data), `UPDATE events SET status = '' WHERE (device_id, seq) IN (SELECT device_id, seq FROM events WHERE status = 'parked' LIMIT 1)`)
		}, true, false, "without an outcome"},
		{"device view diverged", func(t *testing.T, data string, dbs []string) {
			execSQL(t, dbs[1], `UPDATE stock_view SET qty = qty + 5 WHERE (location, sku, lot) IN (SELECT location, sku, lot FROM stock_view LIMIT 1)`)
		}, false, false, "view"},
		{"outbox not empty", func(t *testing.T, data string, dbs []string) {
			ds, err := store.Open(ctx, dbs[0])
			if err != nil {
				t.Fatal(err)
			}
			defer ds.Close()
			if _, err := ds.Record(ctx, crashtest.ScanFor(0, 31)); err != nil {
				t.Fatal(err)
			}
		}, true, false, "outbox not empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, dbs := synced(t)
			tc.damage(t, data, dbs)
			rep, err := crashtest.Audit(ctx, data, dbs)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK() {
				t.Fatalf("audit passed: %+v", rep)
			}
			if (rep.Lost > 0) != tc.lost || (rep.Duplicated > 0) != tc.dup {
				t.Errorf("lost %d, duplicated %d; want lost %v, duplicated %v: %q", rep.Lost, rep.Duplicated, tc.lost, tc.dup, rep.Problems)
			}
			if !strings.Contains(strings.Join(rep.Problems, "\n"), tc.want) {
				t.Errorf("no problem mentions %q: %q", tc.want, rep.Problems)
			}
		})
	}
}
