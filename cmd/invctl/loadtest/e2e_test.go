package loadtest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/httpapi"
	"github.com/driftless/driftless/server/sqlite"
	"github.com/driftless/driftless/syncproto"
)

// restartable is a real server on a fixed loopback address that a test can
// stop and start again on the same data directory.
type restartable struct {
	t      *testing.T
	dir    string
	addr   string
	mu     sync.Mutex
	st     *sqlite.Store
	ledger *server.Ledger
	stop   func()
}

func (r *restartable) start() {
	r.t.Helper()
	st, err := sqlite.OpenDir(context.Background(), r.dir)
	if err != nil {
		r.t.Fatal(err)
	}
	var l net.Listener
	for i := 0; ; i++ {
		if l, err = net.Listen("tcp", r.addr); err == nil {
			break
		}
		if i > 100 {
			r.t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.addr = l.Addr().String()
	ledger := server.NewLedger(st)
	srv := &httpapi.Server{Ledger: ledger, Catalog: server.NewCatalog(st, ledger), Store: st, AdminToken: "t", Heartbeat: 2 * time.Second,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ctx, l) }()
	r.mu.Lock()
	r.st, r.ledger = st, ledger
	r.stop = func() { cancel(); <-done; st.Close() }
	r.mu.Unlock()
}

func (r *restartable) restart() {
	r.mu.Lock()
	stop := r.stop
	r.mu.Unlock()
	stop()
	r.start()
}

func (r *restartable) held() int {
	r.mu.Lock()
	l := r.ledger
	r.mu.Unlock()
	recs, _ := l.Events(context.Background(), 0)
	return len(recs)
}

// TestEndToEndOfflineCutsAndRestart is issue 2's end-to-end test: three
// devices each record 1,000 scans offline, then connect; connections are cut
// after pushes, and the server is restarted on the same data directory in
// the middle of the sync. Afterwards every event is in the ledger exactly
// once, stock equals the sum of deltas, all outboxes are empty and every
// device's view equals the server's.
func TestEndToEndOfflineCutsAndRestart(t *testing.T) {
	srv := &restartable{t: t, dir: filepath.Join(t.TempDir(), "server"), addr: "127.0.0.1:0"}
	srv.start()
	defer func() { srv.stop() }()

	const devices, scans = 3, 1000
	restarted := make(chan int, 1)
	cfg := Config{ServerURL: "http://" + srv.addr, AdminToken: "t", Devices: devices, Scans: scans,
		Offline: true, DropRate: 0.1, Seed: 42, Timeout: 3 * time.Minute,
		OnSync: func() {
			go func() {
				for srv.held() < 300 {
					time.Sleep(2 * time.Millisecond)
				}
				n := srv.held()
				srv.restart()
				restarted <- n
			}()
		}}
	rep, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", rep)
	select {
	case n := <-restarted:
		if n >= devices*scans {
			t.Fatalf("the server restarted after the sync had finished (%d events held)", n)
		}
		t.Logf("server restarted with %d of %d events held", n, devices*scans)
	default:
		t.Fatal("the server was not restarted")
	}
	if !rep.OK() || rep.Applied+rep.Parked+rep.Rejected != devices*scans || rep.Drops == 0 {
		t.Fatalf("report %+v", rep)
	}
	// Stock equals the sum of the ledger's deltas, key by key.
	ctx := context.Background()
	levels, err := srv.ledger.Stock(ctx, server.StockFilter{})
	if err != nil {
		t.Fatal(err)
	}
	sums := map[server.StockKey]int64{}
	recs, _ := srv.ledger.Events(ctx, 0)
	if len(recs) != devices*scans {
		t.Fatalf("server holds %d events, want %d", len(recs), devices*scans)
	}
	// An applied count's entry is its variance, the server's figure: take
	// it from the ledger.
	counts := map[string]bool{}
	for _, r := range recs {
		if r.Outcome.Status == syncproto.StatusApplied && r.Event.Kind == syncproto.KindCount {
			counts[r.Event.ID] = true
		}
	}
	err = srv.st.View(ctx, func(ctx context.Context, tx server.ReadTx) error {
		for after := uint64(0); ; {
			es, err := tx.Entries(ctx, "LOAD", after, 10000)
			if err != nil || len(es) == 0 {
				return err
			}
			for _, e := range es {
				if counts[e.EventID] {
					sums[server.StockKey{Warehouse: "LOAD", Location: e.Location, SKU: e.SKU, Lot: e.Lot}] += e.Delta
				}
			}
			after = es[len(es)-1].Position
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Outcome.Status != syncproto.StatusApplied {
			continue
		}
		for _, d := range r.Event.Deltas() {
			sums[server.StockKey{Warehouse: "LOAD", Location: d.Location, SKU: r.Event.SKU, Lot: r.Event.Lot}] += d.Qty
		}
	}
	for _, lv := range levels {
		if lv.Qty < 0 || lv.Qty != sums[lv.StockKey] {
			t.Fatalf("%+v: stock %d, sum of deltas %d", lv.StockKey, lv.Qty, sums[lv.StockKey])
		}
		delete(sums, lv.StockKey)
	}
	for k, v := range sums {
		if v != 0 {
			t.Fatalf("%+v: deltas sum to %d but there is no stock row", k, v)
		}
	}
}
