package sqlite_test

import (
	"context"
	"errors"
	"testing"

	"github.com/driftless/driftless/server"
)

// TestWriteLookupsSeeWrites: a write transaction caches the SKUs and
// reorder rules it reads, and must see its own writes and forget what a
// rolled-back savepoint read.
func TestWriteLookupsSeeWrites(t *testing.T) {
	st := MustOpen(t)
	ctx := context.Background()
	type skuTx interface {
		SKU(ctx context.Context, code string) (server.SKU, error)
		PutSKU(ctx context.Context, s server.SKU) (uint64, error)
		ReorderRule(ctx context.Context, warehouse, sku string) (server.ReorderRule, bool, error)
		PutReorderRule(ctx context.Context, r server.ReorderRule) error
	}
	err := st.Update(ctx, func(ctx context.Context, tx server.Tx) error {
		c := tx.(skuTx)
		if _, err := c.SKU(ctx, "A"); !server.IsNotFound(err) {
			t.Fatalf("unknown SKU: %v", err)
		}
		if _, err := c.PutSKU(ctx, server.SKU{Code: "A", Name: "a", Unit: "each", UnitCost: 100}); err != nil {
			t.Fatal(err)
		}
		if s, err := c.SKU(ctx, "A"); err != nil || s.UnitCost != 100 {
			t.Fatalf("after put: %+v, %v", s, err)
		}
		if _, err := c.PutSKU(ctx, server.SKU{Code: "A", Name: "a", Unit: "each", UnitCost: 250}); err != nil {
			t.Fatal(err)
		}
		if s, _ := c.SKU(ctx, "A"); s.UnitCost != 250 {
			t.Fatalf("after the second put: cost %d", s.UnitCost)
		}
		if _, ok, _ := c.ReorderRule(ctx, "W1", "A"); ok {
			t.Fatal("rule before any")
		}
		if err := c.PutReorderRule(ctx, server.ReorderRule{Warehouse: "W1", SKU: "A", Supplier: "S"}); err != nil {
			t.Fatal(err)
		}
		if r, ok, _ := c.ReorderRule(ctx, "W1", "A"); !ok || r.Supplier != "S" {
			t.Fatalf("after put: %+v %v", r, ok)
		}
		// A savepoint that wrote and read, then rolled back.
		err := tx.Savepoint(ctx, func() error {
			if _, err := c.PutSKU(ctx, server.SKU{Code: "A", Name: "a", Unit: "each", UnitCost: 999}); err != nil {
				return err
			}
			if s, _ := c.SKU(ctx, "A"); s.UnitCost != 999 {
				t.Fatalf("inside the savepoint: cost %d", s.UnitCost)
			}
			return &server.Error{Code: server.EInvalid, Message: "refused"}
		})
		if !errors.As(err, new(*server.Error)) {
			t.Fatalf("savepoint: %v", err)
		}
		if s, _ := c.SKU(ctx, "A"); s.UnitCost != 250 {
			t.Fatalf("after the rollback: cost %d, want 250", s.UnitCost)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
