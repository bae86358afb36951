package sqlite_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/sqlite"
	"github.com/driftless/driftless/server/storetest"
)

func TestConflicts(t *testing.T) {
	storetest.RunConflicts(t, func(t *testing.T) server.CatalogStore { return MustOpen(t) })
}

// TestReadsUsePartialIndexes: the partial indexes on parked decisions,
// open events and exceptions are only used when the query's WHERE
// implies theirs, which a "?" never does. Without them every pull's feed
// fill sorted the warehouse's whole parked history (found profiling the
// fleet soak: 80% of the fill), and the supervisor's lists scanned every
// event ever received.
func TestReadsUsePartialIndexes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "test.db")
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	plans, err := sqlite.Plans(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	for name, index := range map[string]string{
		"resolutions":      "parked_position",
		"open events":      "events_open",
		"exception events": "events_exceptions",
	} {
		if plan := plans[name]; !strings.Contains(plan, index) || strings.Contains(plan, "SCAN events") {
			t.Errorf("%s are not read through %s: %s", name, index, plan)
		}
	}
	if plan := plans["resolutions"]; strings.Contains(plan, "TEMP B-TREE") {
		t.Errorf("resolutions are sorted: %s", plan)
	}
}
