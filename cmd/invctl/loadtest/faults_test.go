package loadtest

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/client/syncer"
	"github.com/driftless/driftless/cmd/invctl/loadtest/netfault"
)

// TestConvergesAfterNetworkFaults runs devices that scan while the network
// between them and a real server goes through latency, a bandwidth limit,
// connection resets, a black hole, half-open connections and refusals.
// After the network heals, every device converges within 10 seconds and
// nothing is lost or doubled.
func TestConvergesAfterNetworkFaults(t *testing.T) {
	srv := &restartable{t: t, dir: filepath.Join(t.TempDir(), "server"), addr: "127.0.0.1:0"}
	srv.start()
	defer func() { srv.stop() }()
	proxy, err := netfault.Start(srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()

	healed := make(chan time.Time, 1)
	cfg := Config{ServerURL: "http://" + srv.addr, AdminToken: "t", SyncURL: "http://" + proxy.Addr(),
		Devices: 8, Scans: 120, Rate: 40, Heartbeat: 250 * time.Millisecond, Seed: 3, Timeout: 2 * time.Minute,
		OnSync: func() {
			go func() {
				step := func(d time.Duration) { time.Sleep(d) }
				proxy.SetLatency(40 * time.Millisecond)
				proxy.SetBandwidth(16 << 10)
				step(700 * time.Millisecond)
				proxy.Heal()
				t.Logf("reset %d connections", proxy.ResetAll())
				step(300 * time.Millisecond)
				proxy.Blackhole(true)
				step(800 * time.Millisecond)
				proxy.Heal()
				step(300 * time.Millisecond)
				t.Logf("half-opened %d connections", proxy.HalfOpenAll())
				step(500 * time.Millisecond)
				proxy.Refuse(true)
				t.Logf("reset %d connections", proxy.ResetAll())
				step(500 * time.Millisecond)
				proxy.Heal()
				healed <- time.Now()
			}()
		}}
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", rep)
	if !rep.OK() || rep.Applied+rep.Parked+rep.Rejected != rep.Scans {
		t.Fatalf("report %+v", rep)
	}
	heal := <-healed
	if d := rep.Settled.Sub(heal); d > 10*time.Second {
		t.Fatalf("devices converged %v after the network healed, want ≤ 10s", d)
	} else {
		t.Logf("converged %v after the network healed", d.Round(time.Millisecond))
	}
}

// TestHeartbeatDetectsDeadConnection: a connection that goes silent
// without a close (black hole, half-open) is dropped by the device within
// its dead timeout (three heartbeats), and the device reconnects once the
// network is back.
func TestHeartbeatDetectsDeadConnection(t *testing.T) {
	srv := &restartable{t: t, dir: filepath.Join(t.TempDir(), "server"), addr: "127.0.0.1:0"}
	srv.start()
	defer func() { srv.stop() }()
	proxy, err := netfault.Start(srv.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dev, token, err := srv.ledger.AddDevice(ctx, "hb", "W1")
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "dev.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Enroll(ctx, store.Identity{DeviceID: dev.ID, Token: token, ServerURL: "ws://" + proxy.Addr() + "/api/v1/sync", Warehouse: "W1"}); err != nil {
		t.Fatal(err)
	}
	const hb = 200 * time.Millisecond
	eng := syncer.New(st, syncer.Config{AppVersion: "test", Heartbeat: hb, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), BackoffMin: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond})
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- eng.Serve(sctx) }()
	defer func() { stop(); <-done }()

	waitOnline := func(want bool) time.Duration {
		start := time.Now()
		for {
			ch := eng.Changed()
			if eng.Status().Online == want {
				return time.Since(start)
			}
			select {
			case <-ch:
			case <-ctx.Done():
				t.Fatalf("still online=%v", !want)
			}
		}
	}
	for _, fault := range []struct {
		name   string
		inject func()
	}{
		{"black hole", func() { proxy.Blackhole(true) }},
		{"half-open", func() { proxy.HalfOpenAll(); proxy.Blackhole(true) }},
	} {
		waitOnline(true)
		fault.inject()
		d := waitOnline(false)
		t.Logf("%s detected after %v (dead timeout %v)", fault.name, d.Round(time.Millisecond), 3*hb)
		if d > 3*hb+time.Second {
			t.Fatalf("%s detected after %v, want within the dead timeout %v (+1s slack)", fault.name, d, 3*hb)
		}
		proxy.Heal()
	}
	waitOnline(true)
}
