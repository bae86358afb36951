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

// TestLightFleetWithDrops runs light devices (the real sync engine over
// memStore) through cut connections: the audit holds them to the same
// bar as real ones, every event held once, the pulled balances equal to
// the server's.
func TestLightFleetWithDrops(t *testing.T) {
	rep, err := Run(context.Background(), Config{Devices: 8, Scans: 2000, DropRate: 0.2, Light: true, Seed: 2, Timeout: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", rep)
	if !rep.OK() || rep.Applied+rep.Parked+rep.Rejected != rep.Scans || rep.Drops == 0 || rep.Parked == 0 {
		t.Fatalf("report %+v", rep)
	}
}
