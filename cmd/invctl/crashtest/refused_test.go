package crashtest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/client/syncer"
	"github.com/driftless/driftless/cmd/invctl/crashtest"
	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/sqlite"
	"github.com/driftless/driftless/syncproto"
)

// handheld is an in-process device on a database file: the refusal tests
// need Serve's error itself.
type handheld struct {
	t     *testing.T
	path  string
	id    store.Identity
	index int // scan mix
}

func (h *handheld) open() *store.Store {
	h.t.Helper()
	st, err := store.Open(context.Background(), h.path)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := st.Identity(context.Background()); errors.Is(err, store.ErrNotEnrolled) {
		if err := st.Enroll(context.Background(), h.id); err != nil {
			h.t.Fatal(err)
		}
	}
	return st
}

// scan records n scans with the handheld's mix.
func (h *handheld) scan(st *store.Store, n int) {
	h.t.Helper()
	ctx := context.Background()
	for range n {
		s, err := st.State(ctx)
		if err != nil {
			h.t.Fatal(err)
		}
		if _, err := st.Record(ctx, crashtest.ScanFor(h.index, s.LastSeq+1)); err != nil {
			h.t.Fatal(err)
		}
	}
}

func engine(st *store.Store) *syncer.Engine {
	return syncer.New(st, syncer.Config{AppVersion: "crashtest", BackoffMin: 10 * time.Millisecond, BackoffMax: 100 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

// session records n scans and syncs them until idle, then closes.
func (h *handheld) session(n int) {
	h.t.Helper()
	st := h.open()
	defer st.Close()
	h.scan(st, n)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	eng := engine(st)
	served := make(chan error, 1)
	go func() { served <- eng.Serve(ctx) }()
	if err := eng.WaitIdle(ctx); err != nil {
		h.t.Fatal(err)
	}
	cancel()
	if err := <-served; err != nil {
		h.t.Fatal(err)
	}
}

// refused records n scans and runs Serve, which must end with a
// *syncer.FatalError carrying code.
func (h *handheld) refused(n int, code string) {
	h.t.Helper()
	st := h.open()
	defer st.Close()
	h.scan(st, n)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := engine(st).Serve(ctx)
	var fe *syncer.FatalError
	if !errors.As(err, &fe) {
		h.t.Fatalf("Serve ended with %v, want a *syncer.FatalError %s", err, code)
	}
	if fe.Err.Code != code {
		h.t.Fatalf("refused with %s (%s), want %s", fe.Err.Code, fe.Err.Message, code)
	}
	h.t.Logf("refused as expected: %v", fe)
}

// copyDB copies a SQLite database with its WAL files, as a backup tool or
// a careless technician would.
func copyDB(t *testing.T, src, dst string) {
	t.Helper()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		_ = os.Remove(dst + suffix)
		b, err := os.ReadFile(src + suffix)
		if errors.Is(err, os.ErrNotExist) && suffix != "" {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// ledgerState renders what the server holds that a device could change:
// events and outcomes, the ledger, stock levels, each device's
// acked_through. (A device's last hello time is left out: saying hello is
// not a change to the ledger.)
func ledgerState(t *testing.T, data string) string {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.OpenDir(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l := server.NewLedger(st)
	var b strings.Builder
	devs, err := st.Devices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range devs {
		fmt.Fprintf(&b, "device %s acked_through=%d revoked=%v\n", d.ID, d.AckedThrough, d.Revoked)
		entries := 0
		for cursor := uint64(0); ; {
			ch, err := l.Pull(ctx, d.ID, &syncproto.Pull{Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range ch.Entries {
				fmt.Fprintf(&b, "entry %+v\n", e)
			}
			entries += len(ch.Entries)
			cursor = ch.Cursor
			if !ch.More {
				break
			}
		}
		if entries == 0 {
			t.Fatal("the ledger is empty: nothing to compare")
		}
	}
	evs, err := l.Events(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range evs {
		fmt.Fprintf(&b, "event %s %d %s %s %+v\n", r.Event.DeviceID, r.Event.Seq, r.Event.ID, r.Event.Hash, r.Outcome)
	}
	levels, err := l.Stock(ctx, server.StockFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, lv := range levels {
		fmt.Fprintf(&b, "stock %+v\n", lv)
	}
	return b.String()
}

// refusalServer enrolls one device identity and starts a server child.
func refusalServer(t *testing.T) (data, addr string, id store.Identity, srv *proc) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs a server process; skipped with -short")
	}
	data, addr = t.TempDir(), freeAddr(t)
	id = enroll(t, data, "ws://"+addr+"/api/v1/sync", 1)[0]
	return data, addr, id, startServer(t, data, addr, "")
}

// TestRestoredDatabaseIsRefused restores a device's database from a backup
// taken before the server acknowledged more of its events. Started as is,
// the device has lost events the server holds: reset_required. Recording
// past the server's acked_through first, its new events reuse sequences
// the server holds under other IDs: device_conflict. Either way Serve ends
// with a *syncer.FatalError and the server's ledger is unchanged.
func TestRestoredDatabaseIsRefused(t *testing.T) {
	for _, tc := range []struct {
		name  string
		scans int // recorded on the restored database before it syncs
		code  string
	}{
		{"as restored", 0, syncproto.ErrResetRequired},
		{"scanned on after the restore", 3, syncproto.ErrResetRequired},
		{"scanned past the server", 8, syncproto.ErrDeviceConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, addr, id, srv := refusalServer(t)
			h := &handheld{t: t, path: filepath.Join(t.TempDir(), "device.db"), id: id}
			h.session(5)
			backup := filepath.Join(t.TempDir(), "backup.db")
			copyDB(t, h.path, backup)
			h.session(5) // the server now holds 10

			srv.stop(t)
			before := ledgerState(t, data)
			srv = startServer(t, data, addr, "")
			copyDB(t, backup, h.path)
			h.refused(tc.scans, tc.code)
			srv.stop(t)
			if after := ledgerState(t, data); after != before {
				t.Fatalf("the refused device changed the server:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

// TestCopiedDatabaseIsRefused copies a device's database to a second
// handheld (same device ID and token, same sequences). Both record
// different scans; the first to push is applied, the second is refused
// with device_conflict, nothing of its events is applied, and the first
// carries on syncing.
func TestCopiedDatabaseIsRefused(t *testing.T) {
	data, addr, id, srv := refusalServer(t)
	a := &handheld{t: t, path: filepath.Join(t.TempDir(), "a.db"), id: id}
	a.session(5)
	b := &handheld{t: t, path: filepath.Join(t.TempDir(), "b.db"), id: id, index: 1}
	copyDB(t, a.path, b.path)
	a.session(5) // sequences 6..10, pushed first

	srv.stop(t)
	before := ledgerState(t, data)
	srv = startServer(t, data, addr, "")
	b.refused(8, syncproto.ErrDeviceConflict) // its own 6..13
	srv.stop(t)
	if after := ledgerState(t, data); after != before {
		t.Fatalf("the refused copy changed the server:\nbefore:\n%s\nafter:\n%s", before, after)
	}

	// The device that pushed first is not held back by the copy.
	srv = startServer(t, data, addr, "")
	a.session(3)
	srv.stop(t)
	rep, err := crashtest.Audit(context.Background(), data, []string{a.path})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Events != 13 {
		t.Fatalf("after the copy was refused: %+v", rep)
	}
}

// TestRestoredBackupHoldingEveryEventSyncs is the restore the server must
// not refuse: the backup already held every event the server has (some
// not yet acknowledged when it was taken). The device resends them, learns
// their outcomes and pulls the ledger: nothing lost, nothing doubled.
func TestRestoredBackupHoldingEveryEventSyncs(t *testing.T) {
	data, _, id, srv := refusalServer(t)
	h := &handheld{t: t, path: filepath.Join(t.TempDir(), "device.db"), id: id}
	h.session(5)
	st := h.open()
	h.scan(st, 5) // recorded offline: in the backup, not yet on the server
	st.Close()
	backup := filepath.Join(t.TempDir(), "backup.db")
	copyDB(t, h.path, backup)
	h.session(0) // the server now holds all 10
	copyDB(t, backup, h.path)
	h.session(0)
	srv.stop(t)
	rep, err := crashtest.Audit(context.Background(), data, []string{h.path})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Events != 10 {
		t.Fatalf("after the restore: %+v", rep)
	}
}
