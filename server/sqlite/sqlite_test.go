package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/sqlite"
	"github.com/driftless/driftless/server/storetest"
	"github.com/driftless/driftless/syncproto"
)

// MustOpen opens a store in a temporary directory, closed with the test.
func MustOpen(tb testing.TB) *sqlite.Store {
	tb.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "test.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) server.Store { return MustOpen(t) })
}

func TestReopenKeepsEverything(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "test.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.AddTester(t, s)
	l := server.NewLedger(s)
	d := storetest.Enroll(t, l, "h1", "W1")
	ev := d.Event("receive", "SKU1", "", "DOCK", 4)
	if _, err := l.Push(ctx, d.ID, []syncproto.Event{ev}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	l = server.NewLedger(s)
	a, err := l.Push(ctx, d.ID, []syncproto.Event{ev})
	if err != nil || a.AckedThrough != 1 || a.Outcomes[0].Status != "applied" {
		t.Fatalf("after reopen: %+v, %v", a, err)
	}
	lv, _ := l.Stock(ctx, server.StockFilter{})
	if len(lv) != 1 || lv[0].Qty != 4 {
		t.Fatalf("stock after reopen = %+v", lv)
	}
}

// TestCancelledWriteCommitsNothing: a write transaction's statements run
// on an uncancellable context (uninterrupted), so cancelling must still
// end the transaction and leave nothing behind.
func TestCancelledWriteCommitsNothing(t *testing.T) {
	s := MustOpen(t)
	ctx, cancel := context.WithCancel(context.Background())
	err := s.Update(ctx, func(ctx context.Context, tx server.Tx) error {
		if err := tx.CreateDevice(ctx, server.Device{ID: "d1", Name: "h1", Warehouse: "W1", TokenHash: []byte{1}}); err != nil {
			return err
		}
		cancel()
		// Later statements may still run; the commit must not.
		_, _ = tx.Device(ctx, "d1")
		return nil
	})
	if err == nil {
		t.Fatal("Update committed after its context was cancelled")
	}
	err = s.View(context.Background(), func(ctx context.Context, tx server.ReadTx) error {
		_, err := tx.Device(ctx, "d1")
		return err
	})
	if !server.IsNotFound(err) {
		t.Fatalf("device of the cancelled transaction: %v, want not found", err)
	}
}
