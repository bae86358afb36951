package crashtest

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
)

// Crash points on the device.
const (
	// DeviceAfterRecord: a scan is committed to the outbox, the engine has
	// not been told (the moment the screen would confirm it).
	DeviceAfterRecord = "device-after-record"
	// DeviceAfterPushSent: a push was written to the socket; its ack is
	// not stored.
	DeviceAfterPushSent = "device-after-push-sent"
	// DeviceBeforeApplyAck: an ack arrived; ApplyAck has not committed.
	DeviceBeforeApplyAck = "device-before-apply-ack"
	// DeviceAfterApplyAck: ApplyAck committed; the session has not moved on.
	DeviceAfterApplyAck = "device-after-apply-ack"
	// DeviceBeforeApplyChanges: a pulled page arrived; ApplyChanges has not
	// committed it and the cursor.
	DeviceBeforeApplyChanges = "device-before-apply-changes"
	// DeviceAfterApplyChanges: the page and the cursor are committed.
	DeviceAfterApplyChanges = "device-after-apply-changes"
)

// Crash points on the server.
const (
	// ServerMidGroup: inside a push group's transaction, right after a
	// ledger entry was appended; nothing is committed.
	ServerMidGroup = "server-mid-group"
	// ServerAfterCommit: a push group committed; no ack has been written.
	ServerAfterCommit = "server-after-commit"
	// ServerDuringPull: a pull's page was read; changes is not written.
	ServerDuringPull = "server-during-pull"
)

// DevicePoints and ServerPoints list every crash point.
var (
	DevicePoints = []string{DeviceAfterRecord, DeviceAfterPushSent, DeviceBeforeApplyAck,
		DeviceAfterApplyAck, DeviceBeforeApplyChanges, DeviceAfterApplyChanges}
	ServerPoints = []string{ServerMidGroup, ServerAfterCommit, ServerDuringPull}
)

// CrashLine starts the line a process writes to stderr as it kills itself
// at a point: "crashpoint NAME N".
const CrashLine = "crashpoint"

// Plan arms one crash point in a process. A nil *Plan is disarmed.
type Plan struct {
	Name string
	N    int64 // kill on the N-th time the point is reached (1 = first)

	hits atomic.Int64
	// kill ends the process; tests of the plan replace it.
	kill func()
}

// ParsePlan reads "name" or "name:n" (n ≥ 1; 1 when absent). The empty
// string gives a nil plan.
func ParsePlan(spec string) (*Plan, error) {
	if spec == "" {
		return nil, nil
	}
	name, count, hasCount := strings.Cut(spec, ":")
	p := &Plan{Name: name, N: 1, kill: killSelf}
	if !slices.Contains(DevicePoints, name) && !slices.Contains(ServerPoints, name) {
		return nil, fmt.Errorf("crash plan %q: unknown point %q (points: %s, %s)", spec, name,
			strings.Join(DevicePoints, ", "), strings.Join(ServerPoints, ", "))
	}
	if hasCount {
		n, err := strconv.ParseInt(count, 10, 64)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("crash plan %q: the count must be a positive integer", spec)
		}
		p.N = n
	}
	return p, nil
}

// String is the plan as ParsePlan reads it.
func (p *Plan) String() string {
	if p == nil {
		return ""
	}
	return fmt.Sprintf("%s:%d", p.Name, p.N)
}

// Hit marks that the process reached the point name. On the plan's N-th
// hit of its point it says so on stderr and kills the process with
// SIGKILL; the calling goroutine never returns.
func (p *Plan) Hit(name string) {
	if p == nil || name != p.Name || p.hits.Add(1) != p.N {
		return
	}
	fmt.Fprintf(os.Stderr, "%s %s %d\n", CrashLine, p.Name, p.N)
	p.kill()
}

// killSelf sends SIGKILL to this process and blocks until it lands.
func killSelf() {
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}
