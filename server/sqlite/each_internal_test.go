package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/driftless/driftless/server"
)

// TestEachNestedAndReused: each reads a write transaction's query through
// its prepared statement, again after its rows are closed, and directly
// when the same query is asked for while its rows are being read (one
// statement cannot serve two open cursors).
func TestEachNestedAndReused(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const q = `SELECT value FROM json_each(?) ORDER BY value`
	read := func(tx *tx, arg string, inner func()) []int {
		t.Helper()
		var out []int
		err := tx.each(ctx, q, []any{arg}, func(rows *sql.Rows) error {
			for rows.Next() {
				var v int
				if err := rows.Scan(&v); err != nil {
					return err
				}
				out = append(out, v)
				if inner != nil {
					inner()
					inner = nil
				}
			}
			return rows.Err()
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	err = s.Update(ctx, func(ctx context.Context, stx server.Tx) error {
		tx := stx.(*tx)
		var nested []int
		outer := read(tx, "[3,1,2]", func() { nested = read(tx, "[9,8]", nil) })
		again := read(tx, "[5,4]", nil)
		if len(outer) != 3 || outer[0] != 1 || outer[2] != 3 || len(nested) != 2 || nested[0] != 8 || len(again) != 2 || again[1] != 5 {
			t.Errorf("outer %v, nested %v, again %v", outer, nested, again)
		}
		if len(tx.q.(*preparedTx).reading) != 0 {
			t.Errorf("queries still marked as being read: %v", tx.q.(*preparedTx).reading)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
