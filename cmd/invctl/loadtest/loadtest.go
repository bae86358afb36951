package loadtest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/client/syncer"
	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/httpapi"
	"github.com/driftless/driftless/server/sqlite"
	"github.com/driftless/driftless/syncproto"
)

// Config is a load test.
type Config struct {
	// ServerURL is the server's base URL (http://host:port). Empty: Run
	// starts a server in-process on a temporary SQLite database.
	ServerURL  string
	AdminToken string
	Warehouse  string
	Devices    int
	// Scans is how many scans each device records.
	Scans int
	// Rate, when positive, paces each device's scans (scans per second);
	// with Duration the devices scan at Rate for that long instead of
	// stopping after Scans.
	Rate     float64
	Duration time.Duration
	// SyncURL, when set, is where devices connect (a fault proxy in front
	// of the server, say); the admin API stays on ServerURL.
	SyncURL string
	// Heartbeat is the devices' ping interval; they drop a connection after
	// three silent ones (the engine's default when zero).
	Heartbeat time.Duration
	// Offline: every device records all its scans before it connects (the
	// catch-up case). Otherwise devices scan while syncing.
	Offline bool
	// DropRate is the fraction of pushes after which the connection is cut
	// (after the push is sent, before its ack is read).
	DropRate float64
	// Light simulates each device with the real sync engine over an
	// in-memory store (see memStore) instead of its own SQLite database:
	// the fleet soak's way to load the server and not the load generator.
	Light bool
	// Dir holds the devices' databases (a temporary directory when empty).
	Dir  string
	Seed uint64
	// Timeout bounds the whole run (10 minutes when zero).
	Timeout time.Duration
	Log     *slog.Logger
	// OnSync, when set, is called when the devices start syncing (after
	// the offline scans): tests inject server faults from it.
	OnSync func()
}

// Report is the outcome of a run.
type Report struct {
	Devices    int `json:"devices"`
	Scans      int `json:"scans"`
	Applied    int `json:"applied"`
	Parked     int `json:"parked"`
	Rejected   int `json:"rejected"`
	Lost       int `json:"lost"`
	Duplicated int `json:"duplicated"`
	Diverged   int `json:"diverged"`
	// Unacked counts events left in device outboxes after the run.
	Unacked int     `json:"unacked"`
	Drops   int64   `json:"drops"`
	Seconds float64 `json:"seconds"`
	// AckedSeconds is how long until every device's last event was
	// acknowledged (Seconds also includes pulling the ledger back).
	AckedSeconds float64 `json:"acked_seconds"`
	EventsPerS   float64 `json:"events_per_sec"`
	// The ack latency: from a push leaving the device to its ack
	// arriving there.
	P50AckMs float64 `json:"p50_ack_ms"`
	P99AckMs float64 `json:"p99_ack_ms"`
	MaxAckMs float64 `json:"max_ack_ms"`
	// The scan latency: from a scan being recorded on the device to the
	// first ack of its event arriving there (time in the outbox included).
	P50ScanAckMs float64 `json:"p50_scan_ack_ms"`
	P99ScanAckMs float64 `json:"p99_scan_ack_ms"`
	MaxScanAckMs float64 `json:"max_scan_ack_ms"`
	// ServerPeakRSSMB is the server process's peak resident memory (with
	// an in-process server, the whole load test's).
	ServerPeakRSSMB float64 `json:"server_peak_rss_mb"`
	// Settled is when every device had pushed and pulled everything.
	Settled time.Time `json:"-"`
}

// OK says whether nothing was lost, doubled or left diverged.
func (r Report) OK() bool {
	return r.Lost == 0 && r.Duplicated == 0 && r.Diverged == 0 && r.Unacked == 0
}

// deviceStore is what the load test needs of a simulated handheld's
// storage: a real store.Store, or a light device's memStore.
type deviceStore interface {
	syncer.Store
	Record(ctx context.Context, sc store.Scan) (syncproto.Event, error)
	StockLevels(ctx context.Context) ([]syncproto.Level, error)
}

// device is one simulated handheld.
type device struct {
	id, name string
	st       deviceStore
	eng      *syncer.Engine
	rng      *mrand.Rand
	bins     []string
	// putaways remembers where this device put what, so its picks go
	// where it believes stock is (and race with its aisle neighbours).
	putaways []store.Scan
	// received remembers the SKUs this device received at its dock.
	received []string
}

// Run runs a load test and audits the result.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if cfg.Devices <= 0 || cfg.Scans < 0 {
		return Report{}, errors.New("loadtest: devices must be positive and scans not negative")
	}
	if cfg.Warehouse == "" {
		cfg.Warehouse = "LOAD"
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	if cfg.Dir == "" {
		dir, err := os.MkdirTemp("", "driftless-loadtest-")
		if err != nil {
			return Report{}, err
		}
		defer os.RemoveAll(dir)
		cfg.Dir = dir
	}
	if cfg.ServerURL == "" {
		stop, base, token, err := startServer(ctx, filepath.Join(cfg.Dir, "server"))
		if err != nil {
			return Report{}, err
		}
		defer stop()
		cfg.ServerURL, cfg.AdminToken = base, token
	}
	api := &adminClient{base: strings.TrimRight(cfg.ServerURL, "/"), token: cfg.AdminToken}
	wsURL, err := syncURL(api.base)
	if err != nil {
		return Report{}, err
	}
	if cfg.SyncURL != "" {
		if wsURL, err = syncURL(cfg.SyncURL); err != nil {
			return Report{}, err
		}
	}
	if cfg.Duration > 0 {
		if cfg.Rate <= 0 {
			return Report{}, errors.New("loadtest: a duration needs a rate")
		}
		cfg.Scans = int(cfg.Rate * cfg.Duration.Seconds())
	}

	// The server applies events only from users of its catalog holding
	// the roles of their kinds.
	if err := api.ensureUser(ctx, loadUser, "receiver", "picker", "counter"); err != nil {
		return Report{}, err
	}
	lat, scanLat := &latencies{}, &latencies{}
	var drops dropCounter
	devs := make([]*device, cfg.Devices)
	for i := range devs {
		name := fmt.Sprintf("load-%03d", i)
		id, token, err := api.enroll(ctx, name, cfg.Warehouse)
		if err != nil {
			return Report{}, err
		}
		// Simulated devices share one disk where real ones each have their
		// own: they commit without fsync (WAL, synchronous=NORMAL: durable
		// across a process kill, not a power cut). The server keeps FULL.
		ident := store.Identity{DeviceID: id, Token: token, ServerURL: wsURL, Warehouse: cfg.Warehouse}
		var st deviceStore
		if cfg.Light {
			st = newMemStore(ident)
		} else {
			real, err := store.Open(ctx, filepath.Join(cfg.Dir, name+".db"), store.WithSynchronous("NORMAL"))
			if err != nil {
				return Report{}, err
			}
			defer real.Close()
			if err := real.Enroll(ctx, ident); err != nil {
				return Report{}, err
			}
			st = real
		}
		d := &device{id: id, name: name, st: st, rng: mrand.New(mrand.NewPCG(cfg.Seed, uint64(i)))}
		for b := 0; b < 8; b++ {
			// Five devices share an aisle, so their picks race.
			d.bins = append(d.bins, fmt.Sprintf("B-%02d-%d", i/5, b))
		}
		dial := faultyDialer(cfg.DropRate, mrand.New(mrand.NewPCG(cfg.Seed+1, uint64(i))), lat, &scanTimes{lat: scanLat}, &drops)
		d.eng = syncer.New(st, syncer.Config{URL: wsURL, AppVersion: "invctl-loadtest", Dial: dial,
			BackoffMin: 20 * time.Millisecond, BackoffMax: time.Second, Heartbeat: cfg.Heartbeat,
			Logger: cfg.Log.With("device", name)})
		devs[i] = d
	}

	start := time.Now()
	if cfg.Offline {
		var g errgroup.Group
		g.SetLimit(4)
		for _, d := range devs {
			g.Go(func() error { return d.scan(ctx, cfg.Scans, 0, nil) })
		}
		if err := g.Wait(); err != nil {
			return Report{}, err
		}
		start = time.Now() // the catch-up is what an offline run times
	}
	if cfg.OnSync != nil {
		cfg.OnSync()
	}
	runCtx, stopEngines := context.WithCancel(ctx)
	var engines errgroup.Group
	for _, d := range devs {
		engines.Go(func() error {
			err := d.eng.Serve(runCtx)
			if err != nil && runCtx.Err() == nil {
				return fmt.Errorf("%s: %w", d.name, err)
			}
			return nil
		})
	}
	var work errgroup.Group
	var ackedMu sync.Mutex
	var acked time.Duration
	for _, d := range devs {
		work.Go(func() error {
			if !cfg.Offline {
				if err := d.scan(ctx, cfg.Scans, cfg.Rate, d.eng.Notify); err != nil {
					return err
				}
			}
			if err := d.waitAcked(ctx, uint64(cfg.Scans)); err != nil {
				return err
			}
			ackedMu.Lock()
			acked = max(acked, time.Since(start))
			ackedMu.Unlock()
			return d.eng.WaitIdle(ctx)
		})
	}
	werr := work.Wait()
	elapsed := time.Since(start)
	var entries []syncproto.Entry
	if werr == nil {
		// Every device has pushed everything; the ledger is final. Wait
		// until every device has pulled all of it.
		if entries, werr = pullAll(ctx, devs[0]); werr == nil {
			werr = caughtUp(ctx, devs, entries)
		}
	}
	settled := time.Now()
	stopEngines()
	if err := engines.Wait(); err != nil {
		return Report{}, err
	}
	if werr != nil {
		return Report{}, fmt.Errorf("devices did not settle: %w", werr)
	}

	rep := Report{Devices: cfg.Devices, Scans: cfg.Devices * cfg.Scans, Seconds: elapsed.Seconds(),
		AckedSeconds: acked.Seconds(), Drops: drops.n(), Settled: settled}
	if elapsed > 0 {
		rep.EventsPerS = math.Round(float64(rep.Scans) / elapsed.Seconds())
	}
	rep.P50AckMs, rep.P99AckMs, rep.MaxAckMs = lat.quantiles()
	rep.P50ScanAckMs, rep.P99ScanAckMs, rep.MaxScanAckMs = scanLat.quantiles()
	var status struct {
		PeakRSSBytes uint64 `json:"peak_rss_bytes"`
	}
	if err := api.do(ctx, "GET", "/api/v1/status", nil, &status); err != nil {
		return Report{}, err
	}
	rep.ServerPeakRSSMB = math.Round(float64(status.PeakRSSBytes)/(1<<20)*10) / 10
	if err := audit(ctx, api, devs, entries, &rep); err != nil {
		return rep, err
	}
	return rep, nil
}

// waitAcked waits until the server has acknowledged the device's events
// through seq.
func (d *device) waitAcked(ctx context.Context, seq uint64) error {
	for {
		ch := d.eng.Changed()
		if d.eng.Status().ServerAcked >= seq {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("%s: waiting for acked_through %d: %w", d.name, seq, ctx.Err())
		}
	}
}

// caughtUp waits until every device's cursor has reached the ledger's end.
func caughtUp(ctx context.Context, devs []*device, entries []syncproto.Entry) error {
	if len(entries) == 0 {
		return nil
	}
	head := entries[len(entries)-1].Position
	for _, d := range devs {
		for {
			st, err := d.st.State(ctx)
			if err != nil {
				return err
			}
			if st.Cursor >= head {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("%s stuck at cursor %d of %d: %w", d.name, st.Cursor, head, ctx.Err())
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	return nil
}

// scan records n scans: receipts at the dock (shared by every tenth
// device), put-aways to bins (shared by five devices) and picks from where
// the device put stock away (which race with its neighbours' and are
// parked when the bin turns out empty), now and then a count.
func (d *device) scan(ctx context.Context, n int, rate float64, notify func()) error {
	dock := "DOCK-" + d.name[len(d.name)-1:]
	var tick *time.Ticker
	if rate > 0 {
		tick = time.NewTicker(time.Duration(float64(time.Second) / rate))
		defer tick.Stop()
		// Devices start at random points of the first interval, as a
		// fleet would, instead of all at once.
		time.Sleep(time.Duration(d.rng.Float64() * float64(time.Second) / rate))
	}
	for i := 0; i < n; i++ {
		if tick != nil && i > 0 {
			select {
			case <-tick.C:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		sku := fmt.Sprintf("SKU-%03d", d.rng.IntN(40))
		bin := d.bins[d.rng.IntN(len(d.bins))]
		sc := store.Scan{User: loadUser, SKU: sku}
		switch r := d.rng.IntN(100); {
		case r < 50:
			sc.Kind, sc.To, sc.Qty = syncproto.KindReceive, dock, int64(1+d.rng.IntN(6))
		case r < 75 && len(d.received) > 0:
			sc.SKU = d.received[d.rng.IntN(len(d.received))]
			sc.Kind, sc.From, sc.To, sc.Qty = syncproto.KindPutaway, dock, bin, int64(1+d.rng.IntN(3))
		case r < 75:
			sc.Kind, sc.To, sc.Qty = syncproto.KindReceive, dock, int64(1+d.rng.IntN(6))
		case r < 97 && len(d.putaways) > 0:
			p := d.putaways[d.rng.IntN(len(d.putaways))]
			sc.Kind, sc.SKU, sc.From, sc.Qty = syncproto.KindPick, p.SKU, p.To, int64(1+d.rng.IntN(2))
		case r < 97:
			sc.Kind, sc.To, sc.Qty = syncproto.KindReceive, dock, int64(1+d.rng.IntN(6))
		default:
			sc.Kind, sc.From, sc.Qty = syncproto.KindCount, bin, int64(d.rng.IntN(3))
		}
		if _, err := d.st.Record(ctx, sc); err != nil {
			return fmt.Errorf("%s: %w", d.name, err)
		}
		if sc.Kind == syncproto.KindReceive {
			if len(d.received) == 16 {
				d.received = d.received[1:]
			}
			d.received = append(d.received, sc.SKU)
		}
		if sc.Kind == syncproto.KindPutaway {
			if len(d.putaways) == 32 {
				d.putaways = d.putaways[1:]
			}
			d.putaways = append(d.putaways, sc)
		}
		if notify != nil {
			notify()
		}
	}
	return nil
}

// audit compares what the devices recorded with what the server holds.
func audit(ctx context.Context, api *adminClient, devs []*device, entries []syncproto.Entry, rep *Report) error {
	wantEntries := map[string]int{}
	for _, d := range devs {
		recorded, err := d.st.Events(ctx, 0, math.MaxInt32)
		if err != nil {
			return err
		}
		held, err := api.deviceEvents(ctx, d.id)
		if err != nil {
			return err
		}
		byID := map[string]eventJSON{}
		for _, h := range held {
			if _, dup := byID[h.Event.ID]; dup {
				rep.Duplicated++
			}
			byID[h.Event.ID] = h
		}
		for _, ev := range recorded {
			h, ok := byID[ev.ID]
			if !ok || h.Event.Hash != ev.Hash {
				rep.Lost++
				continue
			}
			switch h.Outcome.Status {
			case syncproto.StatusApplied:
				rep.Applied++
				wantEntries[ev.ID] = len(ev.Deltas())
				if ev.Kind == syncproto.KindCount {
					wantEntries[ev.ID] = 1 // its variance at the bin, zero included
				}
			case syncproto.StatusParked:
				rep.Parked++
			case syncproto.StatusRejected:
				rep.Rejected++
			}
		}
		if len(held) > len(recorded) {
			rep.Duplicated += len(held) - len(recorded)
		}
	}
	// Every applied event has exactly its entries in the ledger; no other
	// event has any.
	got := map[string]int{}
	for _, e := range entries {
		got[e.EventID]++
	}
	for id, n := range got {
		if n > wantEntries[id] {
			rep.Duplicated++
		}
	}
	for id, want := range wantEntries {
		if got[id] < want {
			rep.Lost++
		}
	}
	serverLevels, err := api.stock(ctx, devs[0])
	if err != nil {
		return err
	}
	for _, d := range devs {
		st, err := d.st.State(ctx)
		if err != nil {
			return err
		}
		rep.Unacked += st.Unacked
		view, err := d.st.StockLevels(ctx)
		if err != nil {
			return err
		}
		if !sameLevels(view, serverLevels) {
			rep.Diverged++
		}
	}
	return nil
}

// sameLevels compares two stock views, ignoring keys at zero.
func sameLevels(a, b []syncproto.Level) bool {
	norm := func(ls []syncproto.Level) []string {
		var out []string
		for _, l := range ls {
			if l.Qty != 0 {
				out = append(out, fmt.Sprintf("%s|%s|%s|%d", l.Location, l.SKU, l.Lot, l.Qty))
			}
		}
		slices.Sort(out)
		return out
	}
	return slices.Equal(norm(a), norm(b))
}

// pullAll reads the device warehouse's whole ledger over the protocol.
func pullAll(ctx context.Context, d *device) ([]syncproto.Entry, error) {
	id, err := d.st.Identity(ctx)
	if err != nil {
		return nil, err
	}
	c, err := syncproto.Dial(ctx, id.ServerURL)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	st, err := d.st.State(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.WriteMessage(&syncproto.Message{Type: syncproto.TypeHello, Hello: &syncproto.Hello{
		Protocol: syncproto.ProtocolVersion, Schema: syncproto.SchemaVersion, AppVersion: "invctl-audit",
		DeviceID: id.DeviceID, Token: id.Token, AckedThrough: st.AckedThrough, LastSeq: st.LastSeq, Cursor: st.Cursor}}); err != nil {
		return nil, err
	}
	var out []syncproto.Entry
	var cursor uint64
	pulling := false
	for {
		m, err := c.ReadMessage()
		if err != nil {
			return nil, fmt.Errorf("audit pull: %w", err)
		}
		switch m.Type {
		case syncproto.TypeError:
			return nil, fmt.Errorf("audit pull: %w", m.Error)
		case syncproto.TypeChanges:
			out = append(out, m.Changes.Entries...)
			cursor = m.Changes.Cursor
			if !m.Changes.More {
				return out, nil
			}
			pulling = false
		}
		if !pulling && (m.Type == syncproto.TypeWelcome || m.Type == syncproto.TypeChanges) {
			if err := c.WriteMessage(&syncproto.Message{Type: syncproto.TypePull, Pull: &syncproto.Pull{Cursor: cursor}}); err != nil {
				return nil, err
			}
			pulling = true
		}
	}
}

// latencies collects push-to-ack times.
type latencies struct {
	mu sync.Mutex
	ds []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.ds = append(l.ds, d)
	l.mu.Unlock()
}

func (l *latencies) quantiles() (p50, p99, max float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.ds) == 0 {
		return 0, 0, 0
	}
	slices.Sort(l.ds)
	ms := func(d time.Duration) float64 { return math.Round(float64(d)/1e4) / 100 }
	q := func(p float64) time.Duration { return l.ds[min(len(l.ds)-1, int(p*float64(len(l.ds))))] }
	return ms(q(0.50)), ms(q(0.99)), ms(l.ds[len(l.ds)-1])
}

type dropCounter struct {
	mu    sync.Mutex
	count int64
}

func (c *dropCounter) inc() { c.mu.Lock(); c.count++; c.mu.Unlock() }
func (c *dropCounter) n() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.count
}

// faultyDialer dials real connections that time each push until its ack
// and, with probability rate, cut the connection right after a push is sent.
func faultyDialer(rate float64, rng *mrand.Rand, lat *latencies, scans *scanTimes, drops *dropCounter) func(context.Context, string) (syncer.Conn, error) {
	var mu sync.Mutex
	return func(ctx context.Context, u string) (syncer.Conn, error) {
		c, err := syncproto.Dial(ctx, u)
		if err != nil {
			return nil, err
		}
		return &timedConn{Conn: c, lat: lat, scans: scans, cut: func() bool {
			if rate <= 0 {
				return false
			}
			mu.Lock()
			defer mu.Unlock()
			if rng.Float64() < rate {
				drops.inc()
				return true
			}
			return false
		}}, nil
	}
}

// scanTimes times one device's scans until their events' first acks,
// across its connections: an event is timed from its device time (when
// the scan was recorded) the first time a push carries it, and counted
// at its first ack.
type scanTimes struct {
	lat     *latencies
	mu      sync.Mutex
	pending map[uint64]time.Time // by seq
	acked   map[uint64]bool
}

func (s *scanTimes) pushed(evs []syncproto.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pending == nil {
		s.pending, s.acked = map[uint64]time.Time{}, map[uint64]bool{}
	}
	for _, ev := range evs {
		if _, ok := s.pending[ev.Seq]; !ok && !s.acked[ev.Seq] {
			s.pending[ev.Seq] = ev.DeviceTime
		}
	}
}

func (s *scanTimes) ackedNow(outs []syncproto.Outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range outs {
		if at, ok := s.pending[o.Seq]; ok {
			s.lat.add(time.Since(at))
			delete(s.pending, o.Seq)
			s.acked[o.Seq] = true
		}
	}
}

type timedConn struct {
	*syncproto.Conn
	lat   *latencies
	scans *scanTimes
	cut   func() bool
	mu    sync.Mutex
	sent  []time.Time // send times of pushes awaiting an answer, in order
}

func (c *timedConn) WriteMessage(m *syncproto.Message) error {
	if m.Type == syncproto.TypePush {
		c.mu.Lock()
		c.sent = append(c.sent, time.Now())
		c.mu.Unlock()
		c.scans.pushed(m.Push.Events)
	}
	if err := c.Conn.WriteMessage(m); err != nil {
		return err
	}
	if m.Type == syncproto.TypePush && c.cut() {
		c.Conn.Close()
		return errors.New("loadtest: connection cut after a push")
	}
	return nil
}

func (c *timedConn) ReadMessage() (*syncproto.Message, error) {
	m, err := c.Conn.ReadMessage()
	if err == nil && (m.Type == syncproto.TypeAck || (m.Type == syncproto.TypeError && m.Error.Code == syncproto.ErrSequenceGap)) {
		c.mu.Lock()
		if len(c.sent) > 0 {
			c.lat.add(time.Since(c.sent[0]))
			c.sent = c.sent[1:]
		}
		c.mu.Unlock()
		if m.Type == syncproto.TypeAck {
			c.scans.ackedNow(m.Ack.Outcomes)
		}
	}
	return m, err
}

// startServer runs syncd's HTTP server in-process on a loopback port.
func startServer(ctx context.Context, dir string) (stop func(), base, token string, err error) {
	st, err := sqlite.OpenDir(ctx, dir)
	if err != nil {
		return nil, "", "", err
	}
	raw := make([]byte, 24)
	_, _ = rand.Read(raw)
	token = base64.RawURLEncoding.EncodeToString(raw)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		st.Close()
		return nil, "", "", err
	}
	ledger := server.NewLedger(st)
	srv := &httpapi.Server{Ledger: ledger, Catalog: server.NewCatalog(st, ledger), Store: st, AdminToken: token,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Heartbeat: 5 * time.Second}
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(sctx, l) }()
	return func() { cancel(); <-done; st.Close() }, "http://" + l.Addr().String(), token, nil
}

func syncURL(base string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("server URL %q: %w", base, err)
	}
	switch u.Scheme {
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("server URL %q: want http:// or https://", base)
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/api/v1/sync"
	return u.String(), nil
}

// adminClient is the REST client the load test uses.
type adminClient struct {
	base, token string
}

func (a *adminClient) do(ctx context.Context, method, path string, body io.Reader, v any) error {
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, strings.TrimSpace(string(b)))
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// loadUser is the catalog user the simulated devices' events name.
const loadUser = "loadtest"

// ensureUser creates a user holding roles unless it exists.
func (a *adminClient) ensureUser(ctx context.Context, code string, roles ...string) error {
	var u struct {
		Roles []string `json:"roles"`
	}
	if err := a.do(ctx, "GET", "/api/v1/users/"+code, nil, &u); err == nil {
		return nil
	} else if !strings.Contains(err.Error(), "404") {
		return fmt.Errorf("user %s: %w", code, err)
	}
	body, _ := json.Marshal(map[string]any{"code": code, "name": "Load test", "roles": roles})
	if err := a.do(ctx, "POST", "/api/v1/users", strings.NewReader(string(body)), &u); err != nil {
		return fmt.Errorf("add user %s: %w", code, err)
	}
	return nil
}

func (a *adminClient) enroll(ctx context.Context, name, warehouse string) (id, token string, err error) {
	body, _ := json.Marshal(map[string]string{"name": name, "warehouse": warehouse})
	var out struct{ ID, Token string }
	if err := a.do(ctx, "POST", "/api/v1/devices", strings.NewReader(string(body)), &out); err != nil {
		return "", "", fmt.Errorf("enroll %s: %w", name, err)
	}
	return out.ID, out.Token, nil
}

type eventJSON struct {
	Event   syncproto.Event   `json:"event"`
	Outcome syncproto.Outcome `json:"outcome"`
}

func (a *adminClient) deviceEvents(ctx context.Context, id string) ([]eventJSON, error) {
	var all []eventJSON
	var after uint64
	for {
		var page struct {
			Items []eventJSON `json:"items"`
		}
		if err := a.do(ctx, "GET", fmt.Sprintf("/api/v1/devices/%s/events?after=%d&limit=10000", id, after), nil, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if len(page.Items) < 10000 {
			return all, nil
		}
		after = page.Items[len(page.Items)-1].Event.Seq
	}
}

// stock reads the server's stock of the device's warehouse.
func (a *adminClient) stock(ctx context.Context, d *device) ([]syncproto.Level, error) {
	id, err := d.st.Identity(ctx)
	if err != nil {
		return nil, err
	}
	var out []syncproto.Level
	after := ""
	for {
		var page struct {
			Items []struct {
				Location, SKU, Lot string
				Qty                int64
			} `json:"items"`
			NextAfter string `json:"next_after"`
		}
		q := url.Values{"warehouse": {id.Warehouse}, "limit": {"10000"}}
		if after != "" {
			q.Set("after", after)
		}
		if err := a.do(ctx, "GET", "/api/v1/stock?"+q.Encode(), nil, &page); err != nil {
			return nil, err
		}
		for _, it := range page.Items {
			out = append(out, syncproto.Level{Location: it.Location, SKU: it.SKU, Lot: it.Lot, Qty: it.Qty})
		}
		if page.NextAfter == "" {
			return out, nil
		}
		after = page.NextAfter
	}
}
