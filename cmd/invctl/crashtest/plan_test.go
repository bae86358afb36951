package crashtest

import "testing"

func TestParsePlan(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want string // "" for a nil plan, "error" for an error
	}{
		{"", ""},
		{ServerAfterCommit, ServerAfterCommit + ":1"},
		{DeviceAfterRecord + ":7", DeviceAfterRecord + ":7"},
		{"device-after-lunch:1", "error"},
		{DeviceAfterRecord + ":0", "error"},
		{DeviceAfterRecord + ":x", "error"},
	} {
		p, err := ParsePlan(tc.spec)
		got := p.String()
		if err != nil {
			got = "error"
		}
		if got != tc.want {
			t.Errorf("ParsePlan(%q) = %q, %v; want %q", tc.spec, p, err, tc.want)
		}
	}
}

func TestPlanKillsOnTheNthHitOfItsPoint(t *testing.T) {
	p, err := ParsePlan(DeviceBeforeApplyAck + ":3")
	if err != nil {
		t.Fatal(err)
	}
	kills := 0
	p.kill = func() { kills++ }
	for i, want := range []int{0, 0, 1, 1} {
		p.Hit(DeviceAfterApplyAck) // another point never counts
		p.Hit(DeviceBeforeApplyAck)
		if kills != want {
			t.Fatalf("after %d hits: %d kills, want %d", i+1, kills, want)
		}
	}
	var none *Plan
	none.Hit(DeviceBeforeApplyAck) // a disarmed process carries on
}
