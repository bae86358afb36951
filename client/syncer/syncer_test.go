package syncer_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/client/store/storetest"
	"github.com/driftless/driftless/client/syncer"
	"github.com/driftless/driftless/syncproto"
)

func testConfig(f *fakeServer) syncer.Config {
	return syncer.Config{
		URL: f.url(), AppVersion: "test",
		BackoffMin: 5 * time.Millisecond, BackoffMax: 50 * time.Millisecond,
		BatchSize: 100, PollInterval: 50 * time.Millisecond,
		Logger: testLogger(),
	}
}

// testLogger discards logs unless SYNCER_TEST_LOG is set.
func testLogger() *slog.Logger {
	if os.Getenv("SYNCER_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// device opens an enrolled store known to f.
func device(t *testing.T, f *fakeServer) *store.Store {
	t.Helper()
	id := storetest.Identity
	id.ServerURL = f.url()
	f.addDevice(id.DeviceID, id.Token)
	return storetest.Enrolled(t, id, store.WithSynchronous(store.SyncNormal))
}

// recordMix records n scans: receipts, moves, and now and then a pick of
// more than there is (which the server parks).
func recordMix(t *testing.T, st *store.Store, n int) []syncproto.Event {
	t.Helper()
	ctx := context.Background()
	var evs []syncproto.Event
	for i := 0; i < n; i++ {
		sku := fmt.Sprintf("SKU-%d", i%7)
		var sc store.Scan
		switch i % 10 {
		case 3:
			sc = store.Scan{User: "u", Kind: syncproto.KindMove, SKU: sku, From: "DOCK", To: "B1", Qty: 1}
		case 7:
			sc = store.Scan{User: "u", Kind: syncproto.KindPick, SKU: sku, From: "B1", Qty: 1000}
		default:
			sc = store.Scan{User: "u", Kind: syncproto.KindReceive, SKU: sku, To: "DOCK", Qty: 3}
		}
		ev, err := st.Record(ctx, sc)
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, ev)
	}
	return evs
}

// serve runs e.Serve in the background. stop cancels it and returns
// Serve's error; done is closed when Serve has returned.
func serve(t *testing.T, e *syncer.Engine) (stop func() error, done <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	finished := make(chan struct{})
	var err error
	go func() {
		err = e.Serve(ctx)
		close(finished)
	}()
	stop = func() error {
		cancel()
		select {
		case <-finished:
		case <-time.After(10 * time.Second):
			t.Fatal("Serve did not return after cancel")
		}
		return err
	}
	t.Cleanup(func() { stop() })
	return stop, finished
}

func waitIdle(t *testing.T, e *syncer.Engine) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := e.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
}

// checkConverged asserts what a finished sync means on the device: outbox
// empty, outcomes matching the server's, view equal to the server's
// balances.
func checkConverged(t *testing.T, f *fakeServer, st *store.Store, evs []syncproto.Event) {
	t.Helper()
	ctx := context.Background()
	s, err := st.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Unacked != 0 || s.AckedThrough != uint64(len(evs)) || s.LastSyncAt.IsZero() {
		t.Fatalf("device state %+v, want everything acked and a sync time", s)
	}
	outs, err := st.Outcomes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	dev := f.devices[storetest.Identity.DeviceID]
	for _, o := range outs {
		if so := dev.outcomes[o.Event.ID]; so.Status != o.Outcome.Status {
			t.Errorf("event %d: device has %q, server %q", o.Event.Seq, o.Outcome.Status, so.Status)
		}
	}
	var server []syncproto.Level
	for k, q := range f.balance {
		server = append(server, syncproto.Level{Location: k.loc, SKU: k.sku, Lot: k.lot, Qty: q})
	}
	f.mu.Unlock()
	view, err := st.StockLevels(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !sameQuantities(view, server) {
		t.Errorf("device view %+v\n differs from server %+v", view, server)
	}
}

func sameQuantities(a, b []syncproto.Level) bool {
	m := map[[3]string]int64{}
	for _, l := range a {
		m[[3]string{l.Location, l.SKU, l.Lot}] += l.Qty
	}
	for _, l := range b {
		m[[3]string{l.Location, l.SKU, l.Lot}] -= l.Qty
	}
	for _, v := range m {
		if v != 0 {
			return false
		}
	}
	return true
}

func TestOfflineBacklogArrivesOnceInOrderDespiteCuts(t *testing.T) {
	f := newFakeServer(t)
	st := device(t, f)
	evs := recordMix(t, st, 1200)
	f.onPush = func(n int, p *syncproto.Push) action {
		switch n % 7 {
		case 2:
			return actCutAfter // the ack is lost
		case 4:
			return actCutMidBatch
		case 6:
			return actCutBefore
		}
		return actNormal
	}
	e := syncer.New(st, testConfig(f))
	stop, _ := serve(t, e)
	waitIdle(t, e)
	f.checkDevice(t, storetest.Identity.DeviceID, evs)
	checkConverged(t, f, st, evs)
	if n := f.connCount(); n < 5 {
		t.Errorf("only %d connections: the cuts did not happen", n)
	}

	// Scans recorded while online reach the server too.
	f.onPush = nil
	more := recordMix(t, st, 150)
	e.Notify()
	waitIdle(t, e)
	all := append(evs, more...)
	f.checkDevice(t, storetest.Identity.DeviceID, all)
	checkConverged(t, f, st, all)
	if err := stop(); err != nil {
		t.Fatalf("Serve returned %v after cancel, want nil", err)
	}
}

func TestPokeTriggersPull(t *testing.T) {
	f := newFakeServer(t)
	st := device(t, f)
	f.addDevice("device-2", "t2")
	e := syncer.New(st, testConfig(f))
	serve(t, e)
	waitIdle(t, e)
	// Another device receives stock; the server pokes; the device pulls.
	f.mu.Lock()
	for i := 0; i < 120; i++ {
		ev := syncproto.Event{ID: fmt.Sprintf("o-%d", i), DeviceID: "device-2", Seq: uint64(i + 1), User: "v",
			Kind: syncproto.KindReceive, SKU: "X", To: "DOCK", Qty: 2, DeviceTime: time.Now().UTC()}
		ev.Seal()
		f.applyEventLocked(f.devices["device-2"], ev)
	}
	head := uint64(len(f.ledger))
	f.mu.Unlock()
	f.pokeAll(head)
	deadline := time.Now().Add(10 * time.Second)
	for {
		q, err := st.Stock(context.Background(), "DOCK", "X", "")
		if err != nil {
			t.Fatal(err)
		}
		if q == 240 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stock after poke = %d, want 240", q)
		}
		time.Sleep(10 * time.Millisecond)
	}
	s, _ := st.State(context.Background())
	if s.Cursor != head {
		t.Errorf("cursor %d, want %d", s.Cursor, head)
	}
}

// TestOwnPushesWaitForPoke: acks tell the device the ledger grew by its
// own entries, but it pulls them with the server's next poke (or the poll
// tick), not after every ack: in the soak every handheld pulled the
// warehouse's ledger after each of its scans.
func TestOwnPushesWaitForPoke(t *testing.T) {
	f := newFakeServer(t)
	f.noPokes = true
	st := device(t, f)
	cfg := testConfig(f)
	cfg.PollInterval = time.Hour
	e := syncer.New(st, cfg)
	serve(t, e)
	ctx := context.Background()
	for i := range 10 {
		if _, err := st.Record(ctx, store.Scan{User: "u", Kind: syncproto.KindReceive, SKU: "A", To: "DOCK", Qty: int64(i + 1)}); err != nil {
			t.Fatal(err)
		}
		e.Notify()
		deadline := time.Now().Add(5 * time.Second)
		for e.Status().ServerAcked < uint64(i+1) {
			if time.Now().After(deadline) {
				t.Fatalf("scan %d not acknowledged", i+1)
			}
			time.Sleep(time.Millisecond)
		}
	}
	f.mu.Lock()
	pulls, head := f.pulls, uint64(len(f.ledger))
	f.mu.Unlock()
	if pulls != 0 {
		t.Fatalf("%d pulls before any poke, want 0", pulls)
	}
	if e.Status().Idle {
		t.Fatal("idle with its own entries not pulled")
	}
	f.pokeAll(head)
	waitIdle(t, e)
	if s, _ := st.State(ctx); s.Cursor != head {
		t.Fatalf("cursor %d after the poke, want %d", s.Cursor, head)
	}
	if q, _ := st.Stock(ctx, "DOCK", "A", ""); q != 55 {
		t.Fatalf("stock %d, want 55", q)
	}
}

// TestFirstPollAtAJitteredPoint: a session's polls start at a point of
// the interval the jitter picks, not one interval after connecting. The
// fleet soak caught it: 200 devices connected together polled (and
// pulled) together every two seconds, and pushes waited behind the burst
// of pulls (p99 ack 120 -> 66 ms once spread).
func TestFirstPollAtAJitteredPoint(t *testing.T) {
	f := newFakeServer(t)
	f.noPokes = true
	st := device(t, f)
	cfg := testConfig(f)
	cfg.PollInterval = time.Hour
	cfg.Jitter = func(d time.Duration) time.Duration {
		if d == time.Hour {
			return 300 * time.Millisecond // the first poll
		}
		return d
	}
	e := syncer.New(st, cfg)
	serve(t, e)
	ctx := context.Background()
	if _, err := st.Record(ctx, store.Scan{User: "u", Kind: syncproto.KindReceive, SKU: "A", To: "DOCK", Qty: 3}); err != nil {
		t.Fatal(err)
	}
	e.Notify()
	// With no pokes, only the poll pulls the device's own entry back.
	deadline := time.Now().Add(5 * time.Second)
	for {
		f.mu.Lock()
		pulls := f.pulls
		f.mu.Unlock()
		if pulls > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no poll within 5 s of connecting (the first poll waited a whole interval)")
		}
		time.Sleep(5 * time.Millisecond)
	}
	waitIdle(t, e)
	if q, _ := st.Stock(ctx, "DOCK", "A", ""); q != 3 {
		t.Fatalf("stock %d after the poll, want 3", q)
	}
}

// TestLiveScansWaitForTheAckInFlight: scans recorded while a push is in
// flight go together in the next push once its ack is back, instead of a
// push each (a backlog's full batches still fill the window).
func TestLiveScansWaitForTheAckInFlight(t *testing.T) {
	f := newFakeServer(t)
	first, release := make(chan struct{}), make(chan struct{})
	var sizes []int
	f.onPush = func(n int, p *syncproto.Push) action {
		sizes = append(sizes, len(p.Events))
		if n == 1 {
			close(first)
			<-release
		}
		return actNormal
	}
	st := device(t, f)
	e := syncer.New(st, testConfig(f))
	serve(t, e)
	ctx := context.Background()
	scan := func() {
		if _, err := st.Record(ctx, store.Scan{User: "u", Kind: syncproto.KindReceive, SKU: "A", To: "DOCK", Qty: 1}); err != nil {
			t.Fatal(err)
		}
		e.Notify()
	}
	scan()
	<-first
	for range 3 {
		scan()
	}
	time.Sleep(200 * time.Millisecond) // the engine would have pushed each by now
	close(release)
	waitIdle(t, e)
	f.mu.Lock()
	defer f.mu.Unlock()
	if !slices.Equal(sizes, []int{1, 3}) {
		t.Fatalf("pushes of %v events, want [1 3]", sizes)
	}
}

func TestResendAfterServerLostEvents(t *testing.T) {
	for _, lie := range []bool{false, true} {
		t.Run(fmt.Sprintf("welcome_claims_all=%v", lie), func(t *testing.T) {
			f := newFakeServer(t)
			st := device(t, f)
			// Another device's receipt the backup will not hold either.
			f.addDevice("device-2", "t2")
			f.mu.Lock()
			lost := syncproto.Event{ID: "lost-1", DeviceID: "device-2", Seq: 1, User: "v", Kind: syncproto.KindReceive,
				SKU: "Y", To: "ELSEWHERE", Qty: 2, DeviceTime: time.Now().UTC()}
			lost.Seal()
			f.applyEventLocked(f.devices["device-2"], lost)
			f.mu.Unlock()
			evs := recordMix(t, st, 100)
			e := syncer.New(st, testConfig(f))
			stop, _ := serve(t, e)
			waitIdle(t, e)
			stop()
			if q, _ := st.Stock(context.Background(), "ELSEWHERE", "Y", ""); q != 2 {
				t.Fatalf("the other device's receipt was not pulled: %d", q)
			}

			// The server is restored from a backup that holds 1..50 of this
			// device and nothing of the other.
			f.restore("device-2", 0)
			f.restore(storetest.Identity.DeviceID, 50)
			f.lieWelcome = lie
			evs = append(evs, recordMix(t, st, 20)...)
			e = syncer.New(st, testConfig(f))
			serve(t, e)
			waitIdle(t, e)
			f.checkDevice(t, storetest.Identity.DeviceID, evs)
			checkConverged(t, f, st, evs)
			f.mu.Lock()
			gaps := f.gaps
			f.mu.Unlock()
			if lie && gaps == 0 {
				t.Error("the server never answered sequence_gap: the resend path was not exercised")
			}
			if !lie && gaps != 0 {
				t.Errorf("%d gaps: the engine should resend from welcome's expected_seq", gaps)
			}
		})
	}
}

func TestFatalErrorsEndServe(t *testing.T) {
	for _, code := range []string{syncproto.ErrUnauthorized, syncproto.ErrResetRequired, syncproto.ErrDeviceConflict, syncproto.ErrVersionUnsupported} {
		t.Run(code, func(t *testing.T) {
			f := newFakeServer(t)
			st := device(t, f)
			recordMix(t, st, 5)
			f.helloError = func(int) *syncproto.Error { return &syncproto.Error{Code: code, Message: "no"} }
			e := syncer.New(st, testConfig(f))
			stop, done := serve(t, e)
			select {
			case <-done:
				err := stop()
				var fe *syncer.FatalError
				var pe *syncproto.Error
				if !errors.As(err, &fe) || !errors.As(err, &pe) || pe.Code != code {
					t.Fatalf("Serve returned %v, want a FatalError with %s", err, code)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Serve kept going after a fatal error")
			}
			if n := f.connCount(); n != 1 {
				t.Errorf("%d connections, want 1 (no retry after %s)", n, code)
			}
			if s := e.Status(); s.Online || s.LastError == nil {
				t.Errorf("status after fatal error: %+v", s)
			}
		})
	}
	t.Run("device_conflict mid-session", func(t *testing.T) {
		f := newFakeServer(t)
		st := device(t, f)
		recordMix(t, st, 5)
		// Another database already pushed seq 1 under another ID.
		f.mu.Lock()
		ev := syncproto.Event{ID: "impostor", DeviceID: storetest.Identity.DeviceID, Seq: 1, User: "x", Kind: syncproto.KindReceive, SKU: "A", To: "DOCK", Qty: 1}
		ev.Seal()
		f.applyEventLocked(f.devices[storetest.Identity.DeviceID], ev)
		f.lieWelcome = false
		f.mu.Unlock()
		e := syncer.New(st, testConfig(f))
		stop, done := serve(t, e)
		select {
		case <-done:
			err := stop()
			var pe *syncproto.Error
			if !errors.As(err, &pe) || pe.Code != syncproto.ErrDeviceConflict {
				t.Fatalf("Serve returned %v, want device_conflict", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("Serve kept going after device_conflict")
		}
	})
	t.Run("transient errors retry", func(t *testing.T) {
		f := newFakeServer(t)
		st := device(t, f)
		evs := recordMix(t, st, 5)
		f.helloError = func(n int) *syncproto.Error {
			if n <= 3 {
				return &syncproto.Error{Code: syncproto.ErrInternal, Message: "oops"}
			}
			return nil
		}
		e := syncer.New(st, testConfig(f))
		serve(t, e)
		waitIdle(t, e)
		f.checkDevice(t, storetest.Identity.DeviceID, evs)
	})
}

func TestBackoffGrowsAndHonoursRetryAfter(t *testing.T) {
	st := storetest.Enrolled(t, store.Identity{})
	var (
		dials atomic.Int64
		times = make(chan time.Time, 100)
	)
	cfg := syncer.Config{
		URL: "ws://unused", BackoffMin: 10 * time.Millisecond, BackoffMax: 80 * time.Millisecond,
		Jitter: func(d time.Duration) time.Duration { return d }, // the ceiling itself, to measure it
		Logger: slog.New(slog.DiscardHandler),
		Dial: func(ctx context.Context, url string) (syncer.Conn, error) {
			dials.Add(1)
			times <- time.Now()
			return nil, errRefused
		},
	}
	e := syncer.New(st, cfg)
	stop, _ := serve(t, e)
	var ts []time.Time
	for len(ts) < 7 {
		select {
		case tm := <-times:
			ts = append(ts, tm)
		case <-time.After(5 * time.Second):
			t.Fatalf("only %d dials", len(ts))
		}
	}
	stop()
	want := []time.Duration{10, 20, 40, 80, 80, 80}
	for i, w := range want {
		gap := ts[i+1].Sub(ts[i])
		if gap < w*time.Millisecond {
			t.Errorf("wait %d = %v, want ≥ %vms", i, gap, w)
		}
	}
	if s := e.Status(); !errors.Is(s.LastError, errRefused) {
		t.Errorf("last error %v, want the dial error", s.LastError)
	}

	// busy at hello: the next attempt waits retry_after.
	f := newFakeServer(t)
	st2 := device(t, f)
	f.helloError = func(n int) *syncproto.Error {
		if n == 1 {
			return &syncproto.Error{Code: syncproto.ErrBusy, Message: "later", RetryAfterMillis: 300}
		}
		return nil
	}
	e2 := syncer.New(st2, testConfig(f))
	serve(t, e2)
	waitIdle(t, e2)
	f.mu.Lock()
	gap := f.connTimes[1].Sub(f.connTimes[0])
	f.mu.Unlock()
	if gap < 300*time.Millisecond {
		t.Errorf("reconnected %v after busy, want ≥ 300ms", gap)
	}
}

func TestDeadConnectionIsDropped(t *testing.T) {
	f := newFakeServer(t)
	st := device(t, f)
	f.silent = true
	cfg := testConfig(f)
	cfg.Heartbeat, cfg.DeadTimeout = 20*time.Millisecond, 150*time.Millisecond
	e := syncer.New(st, cfg)
	serve(t, e)
	deadline := time.Now().Add(5 * time.Second)
	for f.connCount() < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections: a silent server was not dropped", f.connCount())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := e.Status().LastError; err == nil {
		t.Error("no last error after a dead connection")
	}
}

func TestNoGoroutineLeak(t *testing.T) {
	f := newFakeServer(t)
	st := device(t, f)
	evs := recordMix(t, st, 300)
	f.onPush = func(n int, p *syncproto.Push) action {
		if n%3 == 0 {
			return actCutMidBatch
		}
		return actNormal
	}
	runtime.GC()
	before := runtime.NumGoroutine()
	for round := 0; round < 3; round++ {
		e := syncer.New(st, testConfig(f))
		stop, _ := serve(t, e)
		waitIdle(t, e)
		f.cutAll()
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	}
	f.checkDevice(t, storetest.Identity.DeviceID, evs)
	f.srv.CloseClientConnections()
	deadline := time.Now().Add(5 * time.Second)
	for {
		after := runtime.NumGoroutine()
		if after <= before {
			break
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines before, %d after:\n%s", before, after, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestStatusReportsProgress(t *testing.T) {
	f := newFakeServer(t)
	st := device(t, f)
	var seen atomic.Int64
	cfg := testConfig(f)
	cfg.OnStatus = func(s syncer.Status) { seen.Add(1) }
	evs := recordMix(t, st, 30)
	e := syncer.New(st, cfg)
	serve(t, e)
	waitIdle(t, e)
	s := e.Status()
	want := syncer.Status{Online: true, Sessions: 1, LastSeq: 30, ServerAcked: 30, Cursor: s.Head, Head: s.Head, Idle: true,
		LastSyncAt: s.LastSyncAt, Attention: s.Attention}
	f.mu.Lock()
	head := uint64(len(f.ledger))
	f.mu.Unlock()
	if !reflect.DeepEqual(s, want) || s.LastSyncAt.IsZero() || s.Head != head {
		t.Errorf("status %+v, want %+v", s, want)
	}
	parked := 0
	f.mu.Lock()
	for _, ev := range evs {
		if f.devices[storetest.Identity.DeviceID].outcomes[ev.ID].Status == syncproto.StatusParked {
			parked++
		}
	}
	f.mu.Unlock()
	if s.Attention != parked {
		t.Errorf("attention %d, want %d parked picks", s.Attention, parked)
	}
	if seen.Load() == 0 {
		t.Error("OnStatus never called")
	}
}
