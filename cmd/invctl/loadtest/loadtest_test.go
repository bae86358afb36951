package loadtest

import (
	"context"
	"testing"
	"time"
)

func TestSmallFleetWithDrops(t *testing.T) {
	rep, err := Run(context.Background(), Config{Devices: 4, Scans: 300, DropRate: 0.2, Seed: 1, Timeout: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", rep)
	if !rep.OK() || rep.Applied+rep.Parked+rep.Rejected != rep.Scans || rep.Drops == 0 {
		t.Fatalf("report %+v", rep)
	}
}
