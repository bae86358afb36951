package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/sqlite"
	"github.com/driftless/driftless/server/storetest"
	"github.com/driftless/driftless/syncproto"
)

// buildSyncd builds this command into a temporary directory.
func buildSyncd(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "syncd")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("build syncd: %v\n%s", err, out)
	}
	return bin
}

type proc struct {
	cmd  *exec.Cmd
	addr string
}

// startSyncd starts `syncd serve` on a free loopback port.
func startSyncd(t *testing.T, bin, data string) *proc {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--data", data, "--addr", "127.0.0.1:0", "--log-level", "warn")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() {
		t.Fatalf("syncd printed no address")
	}
	addr, ok := strings.CutPrefix(sc.Text(), "listening on ")
	if !ok {
		t.Fatalf("syncd printed %q", sc.Text())
	}
	go func() {
		for sc.Scan() {
		}
	}()
	return &proc{cmd: cmd, addr: addr}
}

// TestSIGKILLWhileApplyingBacklog kills a real syncd with SIGKILL several
// times while it applies a device's backlog and restarts it on the same
// data directory: in the end every event is in the ledger exactly once.
func TestSIGKILLWhileApplyingBacklog(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a real syncd; skipped with -short")
	}
	bin := buildSyncd(t)
	data := t.TempDir()
	out, err := exec.Command(bin, "device", "add", "--data", data, "--warehouse", "W1", "--json", "h1").Output()
	if err != nil {
		t.Fatal(err)
	}
	var cred struct{ ID, Token string }
	if err := json.Unmarshal(out, &cred); err != nil {
		t.Fatal(err)
	}
	// The server applies events of its catalog's users only.
	if out, err := exec.Command(bin, "user", "add", "--data", data, "--name", "Tester", "--roles", "receiver", storetest.Tester).CombinedOutput(); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	dev := &storetest.Device{ID: cred.ID, Token: cred.Token, Warehouse: "W1"}
	const n = 20000
	events := make([]syncproto.Event, n)
	var want int64
	for i := range events {
		events[i] = dev.Event(syncproto.KindReceive, fmt.Sprintf("SKU%d", i%50), "", "DOCK", int64(1+i%3))
		want += int64(1 + i%3)
	}

	rng := rand.New(rand.NewPCG(7, 7))
	kills := 0
	for round := 0; ; round++ {
		if round > 40 {
			t.Fatal("backlog not applied after 40 rounds")
		}
		p := startSyncd(t, bin, data)
		killAfter := time.Duration(-1)
		if kills < 5 {
			killAfter = time.Duration(30+rng.IntN(150)) * time.Millisecond
		}
		acked, done := pushBacklog(t, p.addr, dev, events, killAfter, p)
		if killAfter >= 0 && !done {
			kills++
			t.Logf("round %d: SIGKILL at acked_through=%d", round, acked)
			continue
		}
		if done {
			p.cmd.Process.Signal(syscall.SIGTERM)
			p.cmd.Wait()
			break
		}
	}
	if kills < 3 {
		t.Fatalf("only %d kills landed mid-backlog", kills)
	}

	st, err := sqlite.OpenDir(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l := server.NewLedger(st)
	recs, err := l.Events(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range recs {
		if seen[r.Event.ID] {
			t.Fatalf("event %s held twice", r.Event.ID)
		}
		seen[r.Event.ID] = true
		if r.Outcome.Status != syncproto.StatusApplied {
			t.Fatalf("event %d: %+v", r.Event.Seq, r.Outcome)
		}
	}
	if len(recs) != n {
		t.Fatalf("server holds %d events, want %d", len(recs), n)
	}
	var entries int
	var cursor uint64
	for {
		ch, err := l.Pull(context.Background(), dev.ID, &syncproto.Pull{Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		entries += len(ch.Entries)
		cursor = ch.Cursor
		if !ch.More {
			break
		}
	}
	if entries != n {
		t.Fatalf("ledger has %d entries, want %d", entries, n)
	}
	levels, _ := l.Stock(context.Background(), server.StockFilter{})
	var total int64
	for _, lv := range levels {
		total += lv.Qty
	}
	if total != want {
		t.Fatalf("stock %d, sum of deltas %d", total, want)
	}
}

// pushBacklog sends every event the server has not acknowledged, four
// batches in flight, optionally SIGKILLing the server after a delay. It
// returns the last acked_through it saw and whether all events were acked.
func pushBacklog(t *testing.T, addr string, dev *storetest.Device, events []syncproto.Event, killAfter time.Duration, p *proc) (uint64, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, err := syncproto.Dial(ctx, "ws://"+addr+"/api/v1/sync")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	h := dev.Hello()
	h.LastSeq = uint64(len(events))
	if err := c.WriteMessage(&syncproto.Message{Type: syncproto.TypeHello, Hello: h}); err != nil {
		t.Fatal(err)
	}
	m, err := c.ReadMessage()
	if err != nil || m.Type != syncproto.TypeWelcome {
		t.Fatalf("hello: %+v %v", m, err)
	}
	acked := m.Welcome.AckedThrough
	if killAfter >= 0 {
		time.AfterFunc(killAfter, func() { p.cmd.Process.Signal(syscall.SIGKILL) })
	}
	const batch, window = 500, 4
	next := acked // last sequence sent
	inflight := 0
	for acked < uint64(len(events)) {
		for inflight < window && next < uint64(len(events)) {
			end := min(next+batch, uint64(len(events)))
			if err := c.WriteMessage(&syncproto.Message{Type: syncproto.TypePush, Push: &syncproto.Push{Events: events[next:end]}}); err != nil {
				return acked, false
			}
			next = end
			inflight++
		}
		m, err := c.ReadMessage()
		if err != nil {
			return acked, false
		}
		switch m.Type {
		case syncproto.TypeAck:
			inflight--
			for _, o := range m.Ack.Outcomes {
				if o.Status != syncproto.StatusApplied {
					t.Fatalf("outcome %+v", o)
				}
			}
			acked = m.Ack.AckedThrough
		case syncproto.TypeError:
			t.Fatalf("server error %+v", m.Error)
		}
	}
	return acked, true
}
