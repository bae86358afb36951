package crashtest_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/client/syncer"
	"github.com/driftless/driftless/cmd/invctl/crashtest"
	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/sqlite"
)

var cyclesFlag = flag.Int("crash.cycles", 0, "crash/restart cycles per crash point (default 20; 3 with -short)")

// childEnv carries a child process's role (a JSON childSpec): the test
// binary re-executed as a device or a server.
const childEnv = "DRIFTLESS_CRASHTEST_CHILD"

type childSpec struct {
	Server *crashtest.ServerConfig `json:",omitempty"`
	Device *crashtest.DeviceConfig `json:",omitempty"`
}

// Exit codes of a child process.
const (
	exitOK      = 0
	exitFailed  = 1
	exitRefused = 3 // the server refused the device (a *syncer.FatalError)
)

func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		os.Exit(runChild(spec))
	}
	os.Exit(m.Run())
}

func runChild(spec string) int {
	var c childSpec
	if err := json.Unmarshal([]byte(spec), &c); err != nil {
		fmt.Fprintln(os.Stderr, "crashtest child:", err)
		return exitFailed
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	level := slog.LevelError
	if os.Getenv("DRIFTLESS_CRASHTEST_VERBOSE") != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	var err error
	switch {
	case c.Server != nil:
		err = crashtest.RunServer(ctx, *c.Server, os.Stdout, log)
	case c.Device != nil:
		ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		err = crashtest.RunDevice(ctx, *c.Device, log)
	default:
		err = errors.New("neither a server nor a device")
	}
	var fe *syncer.FatalError
	if errors.As(err, &fe) {
		fmt.Fprintf(os.Stderr, "refused %s\n", fe.Err.Code)
		return exitRefused
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "crashtest child:", err)
		return exitFailed
	}
	return exitOK
}

// proc is a child process.
type proc struct {
	cmd    *exec.Cmd
	stderr *lockedBuffer
	done   chan struct{}
	url    string // a server's sync URL
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// start re-executes the test binary as a child.
func start(t *testing.T, spec childSpec, stdout io.Writer) *proc {
	t.Helper()
	b, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(b))
	p := &proc{cmd: cmd, stderr: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = stdout, p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// result is how a child ended.
type result struct {
	crashed string // the crash point it killed itself at
	refused string // the server's refusal code
	err     error  // any other way than exiting 0
}

func (p *proc) wait(timeout time.Duration) result {
	select {
	case <-p.done:
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		<-p.done
		return result{err: fmt.Errorf("still running after %s; stderr:\n%s", timeout, p.stderr)}
	}
	st := p.cmd.ProcessState
	out := p.stderr.String()
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
		for line := range strings.Lines(out) {
			if f := strings.Fields(line); len(f) == 3 && f[0] == crashtest.CrashLine {
				return result{crashed: f[1]}
			}
		}
		return result{err: fmt.Errorf("killed without reaching a crash point; stderr:\n%s", out)}
	}
	switch st.ExitCode() {
	case exitOK:
		return result{}
	case exitRefused:
		for line := range strings.Lines(out) {
			if code, ok := strings.CutPrefix(strings.TrimSpace(line), "refused "); ok {
				return result{refused: code}
			}
		}
	}
	return result{err: fmt.Errorf("%s; stderr:\n%s", st, out)}
}

// startServer starts a server child on addr and waits until it listens.
func startServer(t *testing.T, data, addr, crash string) *proc {
	t.Helper()
	pr, pw := io.Pipe()
	p := start(t, childSpec{Server: &crashtest.ServerConfig{Data: data, Addr: addr, Crash: crash, Heartbeat: 2 * time.Second, AdminToken: "admin"}}, pw)
	go func() { <-p.done; pw.Close() }()
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		t.Fatalf("server printed no address; stderr:\n%s", p.stderr)
	}
	got, ok := strings.CutPrefix(sc.Text(), "listening on ")
	if !ok {
		t.Fatalf("server printed %q", sc.Text())
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	p.url = "ws://" + got + "/api/v1/sync"
	return p
}

// stop ends a server child with SIGTERM (a graceful shutdown).
func (p *proc) stop(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	if r := p.wait(30 * time.Second); r.err != nil || r.crashed != "" {
		t.Fatalf("server did not stop cleanly: %+v", r)
	}
}

// freeAddr returns a loopback address nobody listens on, kept for a
// server across its restarts.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// enroll enrolls n devices in the server's data directory (no server may
// be running on it) and returns their identities for url.
func enroll(t *testing.T, data, url string, n int) []store.Identity {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.OpenDir(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l := server.NewLedger(st)
	ids := make([]store.Identity, n)
	for i := range ids {
		d, token, err := l.AddDevice(ctx, fmt.Sprintf("handheld-%d", i), "W1")
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = store.Identity{DeviceID: d.ID, Token: token, ServerURL: url, Warehouse: "W1"}
	}
	return ids
}

func cycles() int {
	switch {
	case *cyclesFlag > 0:
		return *cyclesFlag
	case testing.Short():
		return 3
	}
	return 20
}

func seed(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// TestCrashPoints kills a real device or server process with SIGKILL at
// every crash point, cycles times each, restarting it on the same files,
// then lets everything settle and audits the devices against the server.
func TestCrashPoints(t *testing.T) {
	n := cycles()
	var summary []string
	var mu sync.Mutex
	report := func(point string, crashes int, rep *crashtest.Report) {
		mu.Lock()
		defer mu.Unlock()
		summary = append(summary, fmt.Sprintf("%-28s %3d crashes  %5d events (%d applied, %d parked, %d rejected)  lost %d  duplicated %d",
			point, crashes, rep.Events, rep.Applied, rep.Parked, rep.Rejected, rep.Lost, rep.Duplicated))
	}
	for _, point := range crashtest.DevicePoints {
		t.Run(point, func(t *testing.T) {
			crashes, rep := crashDevices(t, point, n)
			report(point, crashes, rep)
		})
	}
	for _, point := range crashtest.ServerPoints {
		t.Run(point, func(t *testing.T) {
			crashes, rep := crashServer(t, point, n)
			report(point, crashes, rep)
		})
	}
	t.Logf("crash points, %d cycles each:\n%s", n, strings.Join(summary, "\n"))
}

// devicesPerRun is how many device processes a scenario runs.
const devicesPerRun = 2

// crashDevices runs two device processes against one server, each killed
// at point again and again (a new run after every crash, on the same
// database, recording a few more scans each run, scanning online or
// offline first by turns), until the point was hit cycles times in all.
func crashDevices(t *testing.T, point string, cycles int) (int, *crashtest.Report) {
	data := t.TempDir()
	addr := freeAddr(t)
	ids := enroll(t, data, "ws://"+addr+"/api/v1/sync", devicesPerRun)
	srv := startServer(t, data, addr, "")
	dbs := make([]string, len(ids))
	crashes := make([]int, len(ids))
	var wg sync.WaitGroup
	for i := range ids {
		dbs[i] = filepath.Join(t.TempDir(), fmt.Sprintf("device-%d.db", i))
		want := (cycles + i) / len(ids) // shares that add up to cycles
		wg.Go(func() {
			rng := mrand.New(mrand.NewPCG(uint64(i), seed(point)))
			const scans = 6
			for run := 0; crashes[i] < want; run++ {
				if run >= 3*want+10 {
					t.Errorf("device %d: %d crashes at %s in %d runs", i, crashes[i], point, run)
					return
				}
				at := 1 + rng.IntN(2)
				if point == crashtest.DeviceAfterRecord {
					at = 1 + rng.IntN(scans)
				}
				// Every other run records offline first and connects with a
				// backlog of two pushes in flight.
				p := start(t, childSpec{Device: &crashtest.DeviceConfig{DB: dbs[i], Identity: ids[i], Index: i, Scans: scans,
					Offline: run%2 == 1, BatchSize: scans / 2, Crash: fmt.Sprintf("%s:%d", point, at)}}, io.Discard)
				r := p.wait(time.Minute)
				switch {
				case r.crashed == point:
					crashes[i]++
				case r.err != nil || r.crashed != "" || r.refused != "":
					t.Errorf("device %d run %d: %+v", i, run, r)
					return
				}
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	rep := settleAndAudit(t, srv, data, ids, dbs)
	return crashes[0] + crashes[1], rep
}

// crashServer runs two device processes that scan and sync throughout
// while the server process is killed at point again and again and
// restarted on the same data directory and port.
func crashServer(t *testing.T, point string, cycles int) (int, *crashtest.Report) {
	data := t.TempDir()
	addr := freeAddr(t)
	ids := enroll(t, data, "ws://"+addr+"/api/v1/sync", devicesPerRun)
	stopFile := filepath.Join(t.TempDir(), "stop")
	dbs := make([]string, len(ids))
	devs := make([]*proc, len(ids))
	for i := range ids {
		dbs[i] = filepath.Join(t.TempDir(), fmt.Sprintf("device-%d.db", i))
		devs[i] = start(t, childSpec{Device: &crashtest.DeviceConfig{DB: dbs[i], Identity: ids[i], Index: i,
			StopFile: stopFile, Interval: 10 * time.Millisecond}}, io.Discard)
	}
	rng := mrand.New(mrand.NewPCG(7, seed(point)))
	crashes := 0
	for run := 0; crashes < cycles; run++ {
		at := 1 + rng.IntN(3)
		p := startServer(t, data, addr, fmt.Sprintf("%s:%d", point, at))
		r := p.wait(30 * time.Second)
		if r.crashed != point {
			t.Fatalf("server run %d (%s:%d): %+v", run, point, at, r)
		}
		crashes++
	}
	srv := startServer(t, data, addr, "")
	if err := os.WriteFile(stopFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for i, d := range devs {
		if r := d.wait(time.Minute); r != (result{}) {
			t.Fatalf("device %d: %+v", i, r)
		}
	}
	return crashes, settleAndAudit(t, srv, data, ids, dbs)
}

// settleAndAudit runs every device twice more without a crash plan: the
// first round pushes what a device killed after its last scan still holds,
// the second (once no device adds to the ledger) pulls the final ledger.
// Then it stops the server and audits.
func settleAndAudit(t *testing.T, srv *proc, data string, ids []store.Identity, dbs []string) *crashtest.Report {
	t.Helper()
	for round := range 2 {
		for i := range ids {
			p := start(t, childSpec{Device: &crashtest.DeviceConfig{DB: dbs[i], Identity: ids[i], Index: i}}, io.Discard)
			if r := p.wait(time.Minute); r != (result{}) {
				t.Fatalf("settling device %d (round %d): %+v", i, round, r)
			}
		}
	}
	srv.stop(t)
	rep, err := crashtest.Audit(context.Background(), data, dbs)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range rep.Problems {
		t.Error(p)
	}
	if rep.Events == 0 || rep.Applied == 0 {
		t.Errorf("nothing to audit: %+v", rep)
	}
	return rep
}

// TestCrashPointsTogether kills the server at random server points while
// both device processes are killed at random device points, all at once:
// crashes on either end overlap (a device restarting while the server is
// down, a server restarting mid-catch-up). Then everything settles and is
// audited.
func TestCrashPointsTogether(t *testing.T) {
	cycles := cycles()
	data := t.TempDir()
	addr := freeAddr(t)
	ids := enroll(t, data, "ws://"+addr+"/api/v1/sync", devicesPerRun)
	dbs := make([]string, len(ids))
	var (
		mu      sync.Mutex
		crashed = map[string]int{}
		done    = make(chan struct{})
		wg      sync.WaitGroup
	)
	for i := range ids {
		dbs[i] = filepath.Join(t.TempDir(), fmt.Sprintf("device-%d.db", i))
		wg.Go(func() {
			rng := mrand.New(mrand.NewPCG(uint64(i), 99))
			for run := 0; ; run++ {
				select {
				case <-done:
					return
				default:
				}
				point := crashtest.DevicePoints[rng.IntN(len(crashtest.DevicePoints))]
				p := start(t, childSpec{Device: &crashtest.DeviceConfig{DB: dbs[i], Identity: ids[i], Index: i, Scans: 6,
					Offline: run%2 == 1, BatchSize: 3, Crash: fmt.Sprintf("%s:%d", point, 1+rng.IntN(3))}}, io.Discard)
				r := p.wait(time.Minute)
				if r.err != nil || r.refused != "" {
					t.Errorf("device %d run %d: %+v", i, run, r)
					return
				}
				if r.crashed != "" {
					mu.Lock()
					crashed[r.crashed]++
					mu.Unlock()
				}
			}
		})
	}
	rng := mrand.New(mrand.NewPCG(7, 99))
	for run := 0; run < cycles; run++ {
		point := crashtest.ServerPoints[rng.IntN(len(crashtest.ServerPoints))]
		p := startServer(t, data, addr, fmt.Sprintf("%s:%d", point, 1+rng.IntN(3)))
		r := p.wait(30 * time.Second)
		if r.crashed != point {
			close(done)
			wg.Wait()
			t.Fatalf("server run %d (%s): %+v", run, point, r)
		}
		mu.Lock()
		crashed[point]++
		mu.Unlock()
	}
	srv := startServer(t, data, addr, "")
	close(done)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	rep := settleAndAudit(t, srv, data, ids, dbs)
	t.Logf("crashes: %v; %d events (%d applied, %d parked, %d rejected), lost %d, duplicated %d",
		crashed, rep.Events, rep.Applied, rep.Parked, rep.Rejected, rep.Lost, rep.Duplicated)
}
