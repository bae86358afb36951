package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/client/syncer"
	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/httpapi"
	"github.com/driftless/driftless/server/sqlite"
	"github.com/driftless/driftless/syncproto"
)

// racer is one simulated handheld of the race: the real store and sync
// engine.
type racer struct {
	id, token string
	st        *store.Store
	eng       *syncer.Engine
	pick      syncproto.Event
}

// TestLastUnitsRace is issue 7's race: 50 devices, each having seen the
// last 10 units of a SKU at a bin, pick one unit offline, then all
// connect at once. Exactly 10 units apply, the other 40 picks park with
// their reason, the stock never goes below zero, and every device
// converges: its view equals the server's and its outbox holds every
// outcome. Then a supervisor accepts one parked pick from a handheld (her
// user code in X-Driftless-User) and the admin cancels another: both
// devices receive the resolutions in their pulls, and every view still
// equals the server's.
func TestLastUnitsRace(t *testing.T) {
	const devices, units = 50, 10
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	st, err := sqlite.OpenDir(ctx, filepath.Join(dir, "server"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ledger := server.NewLedger(st, server.WithLogger(quiet))
	cat := server.NewCatalog(st, ledger)
	for _, step := range []error{
		must1(cat.Warehouses.Create(ctx, server.Warehouse{Code: "RACE", Name: "Race"})),
		must1(cat.Locations.Create(ctx, server.Location{Warehouse: "RACE", Code: "BIN-1", Type: server.LocationBin})),
		must1(cat.SKUs.Create(ctx, server.SKU{Code: "LAST", Name: "The last widget", Unit: "each"})),
		must1(cat.Users.Create(ctx, server.User{Code: "sue", Name: "Sue", Roles: []string{"supervisor"}, PIN: "1234"})),
		must1(cat.Users.Create(ctx, server.User{Code: "pat", Name: "Pat", Roles: []string{"picker"}, PIN: "1234"})),
		cat.ImportOpeningStock(ctx, []server.OpeningStock{{Warehouse: "RACE", Location: "BIN-1", SKU: "LAST", Qty: units}}),
	} {
		if step != nil {
			t.Fatal(step)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httpapi.Server{Ledger: ledger, Catalog: cat, Store: st, AdminToken: "admin", Heartbeat: 2 * time.Second, Log: quiet}
	srvCtx, stopSrv := context.WithCancel(ctx)
	srvDone := make(chan struct{})
	go func() { defer close(srvDone); _ = srv.Serve(srvCtx, l) }()
	defer func() { stopSrv(); <-srvDone }()
	base := "http://" + l.Addr().String()
	wsURL := "ws://" + l.Addr().String() + "/api/v1/sync"

	// Every device syncs once (it sees the 10 units), then goes offline
	// and picks one.
	rs := make([]*racer, devices)
	for i := range rs {
		d, token, err := ledger.AddDevice(ctx, fmt.Sprintf("picker-%02d", i), "RACE")
		if err != nil {
			t.Fatal(err)
		}
		cs, err := store.Open(ctx, filepath.Join(dir, d.Name+".db"), store.WithSynchronous("NORMAL"))
		if err != nil {
			t.Fatal(err)
		}
		defer cs.Close()
		if err := cs.Enroll(ctx, store.Identity{DeviceID: d.ID, Token: token, ServerURL: wsURL, Warehouse: "RACE"}); err != nil {
			t.Fatal(err)
		}
		rs[i] = &racer{id: d.ID, token: token, st: cs, eng: syncer.New(cs, syncer.Config{URL: wsURL, AppVersion: "race",
			BackoffMin: 20 * time.Millisecond, BackoffMax: time.Second, Heartbeat: 2 * time.Second, Logger: quiet})}
	}
	serveAll := func(fn func(r *racer) error) {
		t.Helper()
		runCtx, stop := context.WithCancel(ctx)
		var engines, work errgroup.Group
		for _, r := range rs {
			engines.Go(func() error {
				if err := r.eng.Serve(runCtx); err != nil && runCtx.Err() == nil {
					return err
				}
				return nil
			})
			work.Go(func() error { return fn(r) })
		}
		werr := work.Wait()
		stop()
		if err := engines.Wait(); err != nil {
			t.Fatal(err)
		}
		if werr != nil {
			t.Fatal(werr)
		}
	}
	serveAll(func(r *racer) error { return r.eng.WaitIdle(ctx) })
	for _, r := range rs {
		if q, err := r.st.Stock(ctx, "BIN-1", "LAST", ""); err != nil || q != units {
			t.Fatalf("device %s sees %d before the race, want %d (%v)", r.id, q, units, err)
		}
		ev, err := r.st.Record(ctx, store.Scan{User: "pat", Kind: syncproto.KindPick, SKU: "LAST", From: "BIN-1", Qty: 1})
		if err != nil {
			t.Fatal(err)
		}
		if ev.SeenPosition == 0 {
			t.Fatal("the pick does not say what the device had seen")
		}
		r.pick = ev
	}

	// All connect at once.
	head := func() uint64 {
		t.Helper()
		var h uint64
		err := st.View(ctx, func(ctx context.Context, tx server.ReadTx) (err error) {
			h, err = tx.Head(ctx, "RACE")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	// settle waits until every device has pushed everything (the ledger
	// is final then), and then until this one has pulled all of it.
	var idle sync.WaitGroup
	settle := func(r *racer) error {
		err := r.eng.WaitIdle(ctx)
		idle.Done()
		if err != nil {
			return err
		}
		idle.Wait()
		for {
			ch := r.eng.Changed()
			s, err := r.st.State(ctx)
			if err != nil {
				return err
			}
			if s.Cursor >= head() {
				return nil
			}
			select {
			case <-ch:
			case <-time.After(50 * time.Millisecond):
			case <-ctx.Done():
				return ctx.Err()
			}
		}
	}
	start := time.Now()
	idle.Add(devices)
	serveAll(settle)
	t.Logf("%d devices raced and converged in %v", devices, time.Since(start).Round(time.Millisecond))

	recs, err := ledger.Events(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	var applied, parked []server.EventRecord
	for _, rec := range recs {
		if rec.Event.Kind != syncproto.KindPick {
			continue
		}
		switch rec.Outcome.Status {
		case syncproto.StatusApplied:
			applied = append(applied, rec)
		case syncproto.StatusParked:
			if rec.Outcome.Code != syncproto.CodeInsufficientStock || !strings.Contains(rec.Outcome.Reason, "BIN-1 holds 0") {
				t.Fatalf("parked with %s: %s", rec.Outcome.Code, rec.Outcome.Reason)
			}
			parked = append(parked, rec)
		default:
			t.Fatalf("pick %s was %s: %s", rec.Event.ID, rec.Outcome.Status, rec.Outcome.Reason)
		}
	}
	if len(applied) != units || len(parked) != devices-units {
		t.Fatalf("%d picks applied and %d parked, want %d and %d", len(applied), len(parked), units, devices-units)
	}
	checkLedger(t, ledger, 0)
	converged(t, ledger, rs)
	queue, err := ledger.Parked(ctx, server.ParkedFilter{Warehouse: "RACE"})
	if err != nil || len(queue) != devices-units {
		t.Fatalf("the supervisor's queue holds %d, want %d (%v)", len(queue), devices-units, err)
	}
	for _, p := range queue {
		if len(p.Competing) == 0 || p.StockNow != 0 {
			t.Fatalf("parked pick %s shows no evidence: %+v", p.EventID, p)
		}
	}

	// A supervisor accepts one from a handheld; the admin cancels another.
	byID := map[string]*racer{}
	for _, r := range rs {
		byID[r.pick.ID] = r
	}
	accepted, cancelled := byID[parked[0].Event.ID], byID[parked[1].Event.ID]
	post := func(path, auth, user, body string) int {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, "POST", base+path, strings.NewReader(body))
		req.Header.Set("Authorization", auth)
		if user != "" {
			req.Header.Set(httpapi.UserHeader, user)
			req.Header.Set(httpapi.PINHeader, "1234") // both users' PIN
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err) // called from the devices' goroutines too
			return 0
		}
		defer resp.Body.Close()
		var e struct{ Error struct{ Message string } }
		_ = json.NewDecoder(resp.Body).Decode(&e)
		if resp.StatusCode != http.StatusOK {
			t.Logf("%s: %d %s", path, resp.StatusCode, e.Error.Message)
		}
		return resp.StatusCode
	}
	handheld := "Device " + rs[devices-1].id + ":" + rs[devices-1].token
	if code := post("/api/v1/parked/"+accepted.pick.ID+"/accept", handheld, "pat", `{"reason":"one in overflow"}`); code != http.StatusForbidden {
		t.Fatalf("a picker accepted a parked event: %d", code)
	}
	// The devices are online while the decisions are made: pokes bring
	// the resolutions.
	idle.Add(devices)
	decide := func(r *racer) error {
		if err := r.eng.WaitIdle(ctx); err != nil {
			return err
		}
		switch r {
		case accepted:
			if code := post("/api/v1/parked/"+r.pick.ID+"/accept", handheld, "sue", `{"reason":"one in overflow"}`); code != http.StatusOK {
				return fmt.Errorf("accept: %d", code)
			}
		case cancelled:
			if code := post("/api/v1/parked/"+r.pick.ID+"/cancel", "Bearer admin", "", `{"reason":"order changed","by":"boss"}`); code != http.StatusOK {
				return fmt.Errorf("cancel: %d", code)
			}
		}
		if r == accepted || r == cancelled {
			for {
				ch := r.eng.Changed()
				outs, err := r.st.Outcomes(ctx)
				if err != nil {
					return err
				}
				if len(outs) == 1 && outs[0].Resolution != nil {
					break
				}
				select {
				case <-ch:
				case <-time.After(50 * time.Millisecond):
				case <-ctx.Done():
					return fmt.Errorf("device %s never received its resolution: %w", r.id, ctx.Err())
				}
			}
		}
		return nil
	}
	serveAll(func(r *racer) error {
		if err := decide(r); err != nil {
			idle.Done() // let the others through the barrier
			return err
		}
		return settle(r)
	})
	for r, want := range map[*racer]syncproto.Status{accepted: syncproto.StatusApplied, cancelled: syncproto.StatusCancelled} {
		outs, err := r.st.Outcomes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		o := outs[0]
		if o.Outcome.Status != want || o.Resolution == nil || o.Resolution.Status != want || o.ParkedReason == "" {
			t.Fatalf("device %s outcome after the decision: %+v", r.id, o)
		}
	}
	if q, err := ledger.Parked(ctx, server.ParkedFilter{Warehouse: "RACE"}); err != nil || len(q) != devices-units-2 {
		t.Fatalf("queue after deciding: %d (%v)", len(q), err)
	}
	checkLedger(t, ledger, 1)
	converged(t, ledger, rs)
}

func must1[T any](_ T, err error) error { return err }

// checkLedger checks the race's ledger: at BIN-1 the balances never go
// below zero and equal the running sum of the deltas, the picks took
// units+adjusted, the supervisor adjusted adjusted units, and nothing is
// left.
func checkLedger(t *testing.T, l *server.Ledger, adjusted int64) {
	t.Helper()
	ctx := context.Background()
	var bal, picked, adj int64
	var cursor uint64
	for {
		ch, err := l.Pull(ctx, server.ImportDeviceID("RACE"), &syncproto.Pull{Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ch.Entries {
			bal += e.Delta
			if e.Balance != bal || bal < 0 {
				t.Fatalf("entry %d leaves %d (running sum %d)", e.Position, e.Balance, bal)
			}
			switch e.Kind {
			case syncproto.KindPick:
				picked -= e.Delta
			case syncproto.KindAdjust:
				adj += e.Delta
			}
		}
		cursor = ch.Cursor
		if !ch.More {
			break
		}
	}
	if bal != 0 || picked != 10+adjusted || adj != adjusted {
		t.Fatalf("ledger: balance %d, picked %d, adjusted %d; want 0, %d, %d", bal, picked, adj, 10+adjusted, adjusted)
	}
}

// converged checks that every device's view equals the server's stock
// and that its outbox holds an outcome for every event.
func converged(t *testing.T, l *server.Ledger, rs []*racer) {
	t.Helper()
	ctx := context.Background()
	levels, err := l.Stock(ctx, server.StockFilter{Warehouse: "RACE"})
	if err != nil {
		t.Fatal(err)
	}
	var want []syncproto.Level
	for _, lv := range levels {
		want = append(want, syncproto.Level{Location: lv.Location, SKU: lv.SKU, Lot: lv.Lot, Qty: lv.Qty})
	}
	for _, r := range rs {
		view, err := r.st.StockLevels(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var got []syncproto.Level
		for _, lv := range view {
			got = append(got, syncproto.Level{Location: lv.Location, SKU: lv.SKU, Lot: lv.Lot, Qty: lv.Qty})
		}
		if !slices.Equal(got, want) {
			t.Fatalf("device %s sees %+v, the server %+v", r.id, got, want)
		}
		outs, err := r.st.Outcomes(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(outs) != 1 || outs[0].Outcome.Status == "" || outs[0].Event.ID != r.pick.ID {
			t.Fatalf("device %s outbox = %+v", r.id, outs)
		}
		s, err := r.st.State(ctx)
		if err != nil || s.Unacked != 0 {
			t.Fatalf("device %s state %+v, %v", r.id, s, err)
		}
	}
}
