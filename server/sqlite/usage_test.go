package sqlite_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/storetest"
)

func TestUsage(t *testing.T) {
	storetest.RunUsage(t, func(t *testing.T) server.CatalogStore { return MustOpen(t) })
}

// TestUsageNotesAndSavepoints: AddUsage notes usage and the transaction
// writes it per row at commit or before reading usage. A read inside a
// savepoint flushes the notes from before it too; when that savepoint
// rolls back, SQLite takes their update back, so they must be written
// again, and the savepoint's own notes never.
func TestUsageNotesAndSavepoints(t *testing.T) {
	st := MustOpen(t)
	ctx := context.Background()
	day := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	u := func(units int64) server.UsageDay {
		return server.UsageDay{Warehouse: "W1", SKU: "A", Day: day, ConsumedUnits: units, ConsumedValue: 10 * units}
	}
	read := func(ctx context.Context, tx server.UsageReadTx) int64 {
		t.Helper()
		days, err := tx.UsageDays(ctx, server.UsageFilter{Warehouse: "W1"})
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		for _, d := range days {
			n += d.ConsumedUnits
		}
		return n
	}
	err := st.Update(ctx, func(ctx context.Context, tx server.Tx) error {
		utx := tx.(server.UsageTx)
		for range 3 {
			if err := utx.AddUsage(ctx, u(1)); err != nil {
				return err
			}
		}
		err := tx.Savepoint(ctx, func() error {
			if err := utx.AddUsage(ctx, u(100)); err != nil {
				return err
			}
			if got := read(ctx, utx); got != 103 {
				t.Errorf("inside the savepoint: %d units, want 103", got)
			}
			return errors.New("refused")
		})
		if err == nil {
			t.Error("savepoint did not fail")
		}
		if got := read(ctx, utx); got != 3 {
			t.Errorf("after the savepoint rolled back: %d units, want 3", got)
		}
		return utx.AddUsage(ctx, u(2))
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.View(ctx, func(ctx context.Context, tx server.ReadTx) error {
		if got := read(ctx, tx.(server.UsageReadTx)); got != 5 {
			t.Errorf("committed: %d units, want 5", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
