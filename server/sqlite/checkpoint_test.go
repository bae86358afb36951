package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/sqlite"
	"github.com/driftless/driftless/server/storetest"
	"github.com/driftless/driftless/syncproto"
)

// TestCheckpointsInTheBackground: what commits reach the WAL is copied
// into the database file by the store's checkpointer, well before the
// writer's own checkpoint threshold (tens of megabytes of WAL).
func TestCheckpointsInTheBackground(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "test.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	storetest.AddTester(t, st)
	l := server.NewLedger(st)
	d := storetest.Enroll(t, l, "h1", "W1")
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	time.Sleep(500 * time.Millisecond) // the store's own setup checkpointed
	before := size()
	for range 3 {
		evs := make([]syncproto.Event, 1000)
		for i := range evs {
			evs[i] = d.Event(syncproto.KindReceive, fmt.Sprintf("SKU%d", i%97), "", "DOCK", 1)
		}
		if _, err := l.Push(ctx, d.ID, evs); err != nil {
			t.Fatal(err)
		}
	}
	for deadline := time.Now().Add(5 * time.Second); size() < before+1<<20; {
		if time.Now().After(deadline) {
			t.Fatalf("database file %d bytes, %d before 3,000 events: nothing checkpointed", size(), before)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
