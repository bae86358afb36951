package sim

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/client/syncer"
	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/server/sqlite"
	"github.com/driftless/driftless/syncproto"
)

// Config is one simulation.
type Config struct {
	Seed uint64
	// Dir holds the databases; a fresh directory under /dev/shm (or the
	// system temp directory) when empty.
	Dir string
	// Steps is how many fault-phase steps run (300 when zero).
	Steps int
	// Trace, when set, receives one line per step.
	Trace io.Writer
}

// Result is what a simulation did and found.
type Result struct {
	Seed       uint64
	Devices    int
	Events     int
	Applied    int
	Parked     int
	Rejected   int
	Faults     map[string]int
	Violations []string
	// Digest summarises the run (events, outcomes, final stock) without
	// random IDs: two runs of one seed have the same digest.
	Digest string
}

// OK says whether every invariant held.
func (r *Result) OK() bool { return len(r.Violations) == 0 }

const (
	warehouse = "SIM"
	hotSKU    = "HOT"
	hotBin    = "HOT-1"
)

type msg struct {
	at time.Time
	m  *syncproto.Message
}

// conn is one simulated connection: two ordered queues.
type conn struct {
	id       int
	dev      *device
	toServer []msg
	toClient []msg
	sess     *server.Session
	sub      *server.Subscription
	opened   bool // the server answered hello
	closed   bool // the device side is gone
	srvDone  bool // the server side is gone
}

type device struct {
	i       int
	name    string
	path    string
	st      *store.Store
	eng     *syncer.Engine
	core    *syncer.Core
	c       *conn
	until   time.Time // partitioned until
	fatal   error
	hotAsks int64 // units of the hot SKU this device tried to pick
	putaway []store.Scan
}

type world struct {
	ctx     context.Context
	cfg     Config
	rng     *rand.Rand
	now     time.Time
	dir     string
	srvPath string
	st      *sqlite.Store
	ledger  *server.Ledger
	devs    []*device
	conns   []*conn
	nextID  int
	hotQty  int64
	res     *Result
	faults  bool
	trace   io.Writer
	discard *slog.Logger
}

// Run runs one simulation.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Steps == 0 {
		cfg.Steps = 300
	}
	dir := cfg.Dir
	if dir == "" {
		base := ""
		if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
			base = "/dev/shm"
		}
		d, err := os.MkdirTemp(base, "driftless-sim-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	w := &world{ctx: ctx, cfg: cfg, rng: rng, dir: dir, trace: cfg.Trace,
		now:     time.Date(2026, 1, 5, 8, 0, 0, 0, time.UTC),
		res:     &Result{Seed: cfg.Seed, Faults: map[string]int{}},
		discard: slog.New(slog.NewTextHandler(io.Discard, nil)), faults: true}
	w.srvPath = filepath.Join(dir, "server.db")
	if err := w.openServer(); err != nil {
		return nil, err
	}
	defer func() { w.st.Close() }()
	n := 3 + rng.IntN(4)
	w.res.Devices = n
	// The server applies events of its catalog's users only: "sim" and
	// one per device (named as the device), each with every floor role.
	users := []server.User{{Code: "sim", Name: "Simulation", Roles: floorRoles}}
	for i := 0; i < n; i++ {
		users = append(users, server.User{Code: fmt.Sprintf("dev%d", i), Name: fmt.Sprintf("Device %d's clerk", i), Roles: floorRoles})
	}
	if err := server.NewCatalog(w.st, w.ledger).Users.Import(server.WithActor(w.ctx, "sim"), users); err != nil {
		return nil, err
	}
	for i := 0; i < n; i++ {
		if err := w.addDevice(i); err != nil {
			return nil, err
		}
	}
	defer func() {
		for _, d := range w.devs {
			d.st.Close()
		}
	}()
	// Opening stock: the first device receives the hot SKU into its bin
	// and everyone learns of it before the faults start.
	w.hotQty = int64(5 + rng.IntN(10))
	if err := w.record(w.devs[0], store.Scan{User: "sim", Kind: syncproto.KindReceive, SKU: hotSKU, To: hotBin, Qty: w.hotQty}); err != nil {
		return nil, err
	}
	if err := w.settle(); err != nil {
		return nil, err
	}
	for step := 0; step < cfg.Steps; step++ {
		if err := w.step(); err != nil {
			return nil, fmt.Errorf("seed %d step %d: %w", cfg.Seed, step, err)
		}
	}
	w.faults = false
	if err := w.settle(); err != nil {
		return nil, fmt.Errorf("seed %d settle: %w", cfg.Seed, err)
	}
	if err := w.check(); err != nil {
		return nil, fmt.Errorf("seed %d check: %w", cfg.Seed, err)
	}
	return w.res, nil
}

func (w *world) clock() time.Time { return w.now }

func (w *world) logf(format string, args ...any) {
	if w.trace != nil {
		fmt.Fprintf(w.trace, "%s "+format+"\n", append([]any{w.now.Format("15:04:05.000")}, args...)...)
	}
}

// seeded returns a reader of the simulation's randomness.
type seeded struct{ r *rand.Rand }

func (s seeded) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(s.r.Uint32())
	}
	return len(p), nil
}

// newID makes a UUIDv7 from the virtual clock and the seed.
func (w *world) newID() (string, error) {
	var u uuid.UUID
	ms := uint64(w.now.UnixMilli())
	binary.BigEndian.PutUint64(u[0:8], ms<<16)
	seeded{w.rng}.Read(u[6:])
	u[6] = 0x70 | u[6]&0x0f
	u[8] = 0x80 | u[8]&0x3f
	return u.String(), nil
}

// floorRoles are the roles of the simulation's users.
var floorRoles = []string{"receiver", "picker", "counter"}

func (w *world) openServer() error {
	st, err := sqlite.Open(w.ctx, w.srvPath)
	if err != nil {
		return err
	}
	w.st = st
	w.ledger = server.NewLedger(st, server.WithClock(w.clock), server.WithRandom(seeded{w.rng}), server.WithLogger(w.discard))
	return nil
}

func (w *world) openDevice(d *device) error {
	st, err := store.Open(w.ctx, d.path, store.WithNow(w.clock), store.WithIDs(w.newID),
		store.WithSynchronous(store.SyncNormal), store.WithLogger(w.discard))
	if err != nil {
		return err
	}
	d.st = st
	d.eng = syncer.New(st, syncer.Config{AppVersion: "sim", Now: w.clock, Logger: w.discard,
		BatchSize: 1 + w.rng.IntN(40), Window: 1 + w.rng.IntN(4)})
	return nil
}

func (w *world) addDevice(i int) error {
	d := &device{i: i, name: fmt.Sprintf("dev%d", i), path: filepath.Join(w.dir, fmt.Sprintf("dev%d.db", i))}
	dev, token, err := w.ledger.AddDevice(w.ctx, d.name, warehouse)
	if err != nil {
		return err
	}
	if err := w.openDevice(d); err != nil {
		return err
	}
	if err := d.st.Enroll(w.ctx, store.Identity{DeviceID: dev.ID, Token: token, ServerURL: "sim://", Warehouse: warehouse}); err != nil {
		return err
	}
	w.devs = append(w.devs, d)
	return nil
}

// latency is a message's transit time.
func (w *world) latency() time.Duration {
	return time.Duration(1+w.rng.IntN(30)) * time.Millisecond
}

func (w *world) sendToServer(c *conn, ms []*syncproto.Message) {
	at := w.now
	for _, m := range ms {
		at = maxTime(at, w.now.Add(w.latency()))
		if n := len(c.toServer); n > 0 {
			at = maxTime(at, c.toServer[n-1].at)
		}
		c.toServer = append(c.toServer, msg{at, m})
	}
}

func (w *world) sendToClient(c *conn, m *syncproto.Message) {
	if c.closed {
		return
	}
	at := w.now.Add(w.latency())
	if n := len(c.toClient); n > 0 {
		at = maxTime(at, c.toClient[n-1].at)
	}
	c.toClient = append(c.toClient, msg{at, m})
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// record makes a scan on a device and, when it is online, lets it push.
func (w *world) record(d *device, sc store.Scan) error {
	if _, err := d.st.Record(w.ctx, sc); err != nil {
		return fmt.Errorf("%s record: %w", d.name, err)
	}
	if sc.SKU == hotSKU && sc.Kind == syncproto.KindPick {
		d.hotAsks += sc.Qty
	}
	w.logf("%s records %s %s %s→%s %d", d.name, sc.Kind, sc.SKU, sc.From, sc.To, sc.Qty)
	if d.c != nil && d.core != nil {
		out, err := d.core.Tick()
		w.sendToServer(d.c, out)
		if err != nil {
			w.dropClient(d, err)
		}
	}
	return nil
}

func (w *world) connect(d *device) error {
	if d.c != nil || d.fatal != nil || w.now.Before(d.until) {
		return nil
	}
	core, hello, err := d.eng.StartCore(w.ctx)
	if err != nil {
		return err
	}
	w.nextID++
	c := &conn{id: w.nextID, dev: d, sess: server.NewSession(w.ledger)}
	d.c, d.core = c, core
	w.conns = append(w.conns, c)
	w.sendToServer(c, []*syncproto.Message{hello})
	w.logf("%s connects (conn %d)", d.name, c.id)
	return nil
}

// dropClient ends a device's connection from its side. What it had sent
// may still reach the server (kept in flight) or be lost.
func (w *world) dropClient(d *device, why error) {
	c := d.c
	if c == nil {
		return
	}
	var fe *syncer.FatalError
	if errors.As(why, &fe) {
		d.fatal = why
	}
	c.closed = true
	c.toClient = nil
	d.c, d.core = nil, nil
	w.logf("%s drops conn %d: %v", d.name, c.id, why)
}

// closeServerSide ends a connection's server side.
func (w *world) closeServerSide(c *conn) {
	c.srvDone = true
	c.toServer = nil
	if c.sub != nil {
		c.sub.Close()
		c.sub = nil
	}
}

// deliverToServer hands the connection's next message to its session.
func (w *world) deliverToServer(c *conn) error {
	m := c.toServer[0].m
	c.toServer = c.toServer[1:]
	if !c.opened {
		wel, err := c.sess.Open(w.ctx, m)
		if err != nil {
			w.sendToClient(c, &syncproto.Message{Type: syncproto.TypeError, Error: server.ProtocolError(err)})
			w.closeServerSide(c)
			return nil
		}
		c.opened = true
		c.sub = w.ledger.Hub().Subscribe(warehouse)
		w.sendToClient(c, &syncproto.Message{Type: syncproto.TypeWelcome, Welcome: wel})
		return nil
	}
	// A copy of the message: the server must not see the device's memory.
	b, err := syncproto.Marshal(m)
	if err != nil {
		return err
	}
	if m, err = syncproto.Unmarshal(b); err != nil {
		return err
	}
	reply, err := c.sess.Handle(w.ctx, m)
	if err != nil {
		if server.ErrorCode(err) == server.EInternal {
			return fmt.Errorf("server: %w", err)
		}
		pe := server.ProtocolError(err)
		w.sendToClient(c, &syncproto.Message{Type: syncproto.TypeError, Error: pe})
		if server.Fatal(pe.Code) {
			w.closeServerSide(c)
		}
	} else if reply != nil {
		if w.faults && m.Type == syncproto.TypePush && w.rng.IntN(12) == 0 {
			// The push committed; the connection dies before the ack.
			w.res.Faults["cut after commit"]++
			w.logf("conn %d cut after the server committed a push", c.id)
			w.cut(c, false)
			return nil
		}
		w.sendToClient(c, reply)
	}
	w.pokeAll()
	return nil
}

// pokeAll forwards ledger growth to every open session, as the server's
// poker goroutines would.
func (w *world) pokeAll() {
	for _, c := range w.conns {
		if c.sub == nil || c.srvDone {
			continue
		}
		select {
		case head := <-c.sub.C:
			w.sendToClient(c, &syncproto.Message{Type: syncproto.TypePoke, Poke: &syncproto.Poke{Head: head}})
		default:
		}
	}
}

func (w *world) deliverToClient(c *conn) {
	m := c.toClient[0].m
	c.toClient = c.toClient[1:]
	d := c.dev
	out, err := d.core.Receive(m)
	w.sendToServer(c, out)
	if err != nil {
		w.dropClient(d, err)
		w.closeServerSideLater(c)
	}
}

// closeServerSideLater: after a client drop the server notices when its
// queue to the server drains.
func (w *world) closeServerSideLater(c *conn) {
	if len(c.toServer) == 0 {
		w.closeServerSide(c)
	}
}

// cut breaks a connection. keepInFlight lets what the device sent still
// reach the server later.
func (w *world) cut(c *conn, keepInFlight bool) {
	if c.dev.c == c {
		w.dropClient(c.dev, errors.New("connection cut"))
	}
	if !keepInFlight {
		w.closeServerSide(c)
	} else {
		// The stale messages arrive late, after the device's next
		// connection may have started: reordering across connections.
		delay := time.Duration(50+w.rng.IntN(500)) * time.Millisecond
		for i := range c.toServer {
			c.toServer[i].at = c.toServer[i].at.Add(delay)
		}
	}
}

// pending lists the deliverable (connection, direction) pairs, in a
// stable order.
func (w *world) next() (c *conn, toServer bool, at time.Time, ok bool) {
	for _, x := range w.conns {
		if len(x.toServer) > 0 && !x.srvDone && (!ok || x.toServer[0].at.Before(at)) {
			c, toServer, at, ok = x, true, x.toServer[0].at, true
		}
		if len(x.toClient) > 0 && !x.closed && (!ok || x.toClient[0].at.Before(at)) {
			c, toServer, at, ok = x, false, x.toClient[0].at, true
		}
	}
	return
}

func (w *world) gc() {
	live := w.conns[:0]
	for _, c := range w.conns {
		if c.srvDone && c.closed {
			continue
		}
		if c.closed && len(c.toServer) == 0 && !c.srvDone {
			w.closeServerSide(c)
			continue
		}
		live = append(live, c)
	}
	w.conns = live
}

// deliverOne delivers the earliest message, advancing the clock to it.
func (w *world) deliverOne() (bool, error) {
	c, toServer, at, ok := w.next()
	if !ok {
		return false, nil
	}
	if at.After(w.now) {
		w.now = at
	}
	if toServer {
		return true, w.deliverToServer(c)
	}
	w.deliverToClient(c)
	return true, nil
}

// step is one random action of the fault phase.
func (w *world) step() error {
	w.now = w.now.Add(time.Duration(1+w.rng.IntN(20)) * time.Millisecond)
	d := w.devs[w.rng.IntN(len(w.devs))]
	switch r := w.rng.IntN(100); {
	case r < 30:
		return w.scan(d)
	case r < 40:
		return w.connect(d)
	case r < 80:
		_, err := w.deliverOne()
		w.gc()
		return err
	case r < 84:
		if d.c != nil {
			w.res.Faults["cut"]++
			w.cut(d.c, w.rng.IntN(2) == 0)
		}
	case r < 86:
		if d.c != nil && len(d.c.toServer) > 0 && !d.c.srvDone {
			// The network hands the server a message twice.
			w.res.Faults["duplicate"]++
			d.c.toServer = slices.Insert(d.c.toServer, 0, d.c.toServer[0])
		}
	case r < 89:
		w.res.Faults["partition"]++
		d.until = w.now.Add(time.Duration(200+w.rng.IntN(3000)) * time.Millisecond)
		if d.c != nil {
			w.cut(d.c, w.rng.IntN(2) == 0)
		}
	case r < 91:
		// The device is killed: its memory is gone, its database stays.
		w.res.Faults["device crash"]++
		if d.c != nil {
			w.cut(d.c, w.rng.IntN(2) == 0)
		}
		if err := d.st.Close(); err != nil {
			return err
		}
		if err := w.openDevice(d); err != nil {
			return err
		}
		w.logf("%s crashed and restarted", d.name)
	case r < 92:
		w.res.Faults["server restart"]++
		for _, c := range slices.Clone(w.conns) {
			w.cut(c, false)
		}
		if err := w.st.Close(); err != nil {
			return err
		}
		if err := w.openServer(); err != nil {
			return err
		}
		w.logf("server restarted")
	default:
		if d.core != nil {
			out, err := d.core.Tick()
			if d.c != nil {
				w.sendToServer(d.c, out)
			}
			if err != nil {
				w.dropClient(d, err)
			}
		}
	}
	return nil
}

// scan makes a realistic scan: receive, put away, pick what was put away,
// the hot SKU's last units, a count now and then.
func (w *world) scan(d *device) error {
	sku := fmt.Sprintf("S%d", w.rng.IntN(6))
	var sc store.Scan
	switch r := w.rng.IntN(100); {
	case r < 30:
		sc = store.Scan{Kind: syncproto.KindReceive, SKU: sku, To: "DOCK", Qty: int64(1 + w.rng.IntN(5))}
	case r < 50:
		sc = store.Scan{Kind: syncproto.KindPutaway, SKU: sku, From: "DOCK", To: fmt.Sprintf("B%d", w.rng.IntN(4)), Qty: int64(1 + w.rng.IntN(3))}
		d.putaway = append(d.putaway, sc)
	case r < 70 && len(d.putaway) > 0:
		p := d.putaway[w.rng.IntN(len(d.putaway))]
		sc = store.Scan{Kind: syncproto.KindPick, SKU: p.SKU, From: p.To, Qty: int64(1 + w.rng.IntN(2))}
	case r < 90:
		sc = store.Scan{Kind: syncproto.KindPick, SKU: hotSKU, From: hotBin, Qty: 1}
	case r < 95:
		sc = store.Scan{Kind: syncproto.KindMove, SKU: sku, From: fmt.Sprintf("B%d", w.rng.IntN(4)), To: fmt.Sprintf("B%d", w.rng.IntN(4)), Qty: 1}
		if sc.From == sc.To {
			sc.To += "X"
		}
	default:
		sc = store.Scan{Kind: syncproto.KindCount, SKU: sku, From: fmt.Sprintf("B%d", w.rng.IntN(4)), Qty: int64(w.rng.IntN(4))}
	}
	sc.User = d.name
	return w.record(d, sc)
}

// settle heals the network and runs until every device is idle and has
// pulled the whole ledger.
func (w *world) settle() error {
	for _, d := range w.devs {
		d.until = time.Time{}
	}
	for round := 0; round < 100000; round++ {
		for _, d := range w.devs {
			if err := w.connect(d); err != nil {
				return err
			}
		}
		moved, err := w.deliverOne()
		if err != nil {
			return err
		}
		w.gc()
		if moved {
			continue
		}
		// Quiet: tick every device (what its poll timer does) and stop
		// when nobody has anything to send.
		w.now = w.now.Add(10 * time.Millisecond)
		sent := false
		for _, d := range w.devs {
			if d.core == nil || d.c == nil {
				continue
			}
			out, err := d.core.Tick()
			if len(out) > 0 {
				sent = true
				w.sendToServer(d.c, out)
			}
			if err != nil {
				w.dropClient(d, err)
				sent = true
			}
		}
		if !sent && w.allIdle() {
			return nil
		}
	}
	return errors.New("the simulation did not settle")
}

func (w *world) allIdle() bool {
	var head uint64
	_ = w.st.View(w.ctx, func(ctx context.Context, tx server.ReadTx) (err error) {
		head, err = tx.Head(ctx, warehouse)
		return err
	})
	for _, d := range w.devs {
		if d.fatal != nil {
			continue
		}
		st, err := d.st.State(w.ctx)
		if err != nil || st.Unacked > 0 || st.Cursor < head || d.c == nil {
			return false
		}
	}
	return true
}

func (w *world) violate(format string, args ...any) {
	w.res.Violations = append(w.res.Violations, fmt.Sprintf(format, args...))
}

// check verifies the invariants after the run settled.
func (w *world) check() error {
	ctx := w.ctx
	type key struct{ loc, sku, lot string }
	applied := map[string]syncproto.Event{}
	digest := sha256.New()
	var hotApplied, hotParked, hotAsked int64
	for _, d := range w.devs {
		if d.fatal != nil {
			w.violate("%s was refused for good: %v", d.name, d.fatal)
			continue
		}
		id, err := d.st.Identity(ctx)
		if err != nil {
			return err
		}
		mine, err := d.st.Outcomes(ctx)
		if err != nil {
			return err
		}
		held, err := w.ledger.DeviceEvents(ctx, id.DeviceID, 0, 0)
		if err != nil {
			return err
		}
		byID := map[string]server.EventRecord{}
		for _, h := range held {
			if _, dup := byID[h.Event.ID]; dup {
				w.violate("%s: event %s held twice", d.name, h.Event.ID)
			}
			byID[h.Event.ID] = h
		}
		if len(held) != len(mine) {
			w.violate("%s recorded %d events, the server holds %d", d.name, len(mine), len(held))
		}
		for _, o := range mine {
			h, ok := byID[o.Event.ID]
			w.res.Events++
			switch {
			case !ok:
				w.violate("%s: event %d (%s) lost", d.name, o.Event.Seq, o.Event.ID)
				continue
			case h.Event.Hash != o.Event.Hash:
				w.violate("%s: event %d held with another payload", d.name, o.Event.Seq)
			case h.Outcome.Status != o.Outcome.Status || h.Outcome.Code != o.Outcome.Code:
				w.violate("%s: event %d is %s/%s on the server, %s/%s on the device", d.name, o.Event.Seq,
					h.Outcome.Status, h.Outcome.Code, o.Outcome.Status, o.Outcome.Code)
			}
			fmt.Fprintf(digest, "%d/%d %s %s %s %s %s %d %s %s\n", d.i, o.Event.Seq, o.Event.Kind, o.Event.SKU, o.Event.From, o.Event.To,
				o.Event.Lot, o.Event.Qty, h.Outcome.Status, h.Outcome.Code)
			switch h.Outcome.Status {
			case syncproto.StatusApplied:
				w.res.Applied++
				applied[h.Event.ID] = h.Event
			case syncproto.StatusParked:
				w.res.Parked++
				if h.Outcome.Code != syncproto.CodeInsufficientStock && h.Outcome.Code != syncproto.CodeCountVariance {
					w.violate("%s: event %d parked for %q", d.name, o.Event.Seq, h.Outcome.Code)
				}
			case syncproto.StatusRejected:
				w.res.Rejected++
				w.violate("%s: event %d rejected (%s): the simulation makes only valid events", d.name, o.Event.Seq, h.Outcome.Code)
			}
			if o.Event.SKU == hotSKU && o.Event.Kind == syncproto.KindPick {
				switch h.Outcome.Status {
				case syncproto.StatusApplied:
					hotApplied += o.Event.Qty
				case syncproto.StatusParked:
					hotParked += o.Event.Qty
				}
			}
		}
		hotAsked += d.hotAsks
		st, err := d.st.State(ctx)
		if err != nil {
			return err
		}
		if st.Unacked != 0 {
			w.violate("%s: %d events left in the outbox", d.name, st.Unacked)
		}
	}
	// The ledger: each applied event exactly its deltas, balances a chain
	// per key, never negative; stock equals the sum.
	var entries []syncproto.Entry
	var cursor uint64
	for {
		ch, err := w.ledger.Pull(ctx, w.anyDeviceID(), &syncproto.Pull{Cursor: cursor})
		if err != nil {
			return err
		}
		entries = append(entries, ch.Entries...)
		cursor = ch.Cursor
		if !ch.More {
			break
		}
	}
	perEvent := map[string]int{}
	sums := map[key]int64{}
	for _, e := range entries {
		perEvent[e.EventID]++
		k := key{e.Location, e.SKU, e.Lot}
		sums[k] += e.Delta
		if e.Balance != sums[k] {
			w.violate("ledger %d: balance %d but deltas sum to %d", e.Position, e.Balance, sums[k])
		}
		if e.Balance < 0 {
			w.violate("ledger %d: %s/%s below zero (%d)", e.Position, e.Location, e.SKU, e.Balance)
		}
	}
	for id, n := range perEvent {
		ev, ok := applied[id]
		if !ok {
			w.violate("ledger has %d entries of event %s, which no device holds as applied", n, id)
		} else if n != entriesOf(&ev) {
			w.violate("event %s has %d ledger entries, want %d", id, n, entriesOf(&ev))
		}
	}
	for id, ev := range applied {
		if perEvent[id] == 0 && entriesOf(&ev) > 0 {
			w.violate("applied event %s has no ledger entries", id)
		}
	}
	levels, err := w.ledger.Stock(ctx, server.StockFilter{Warehouse: warehouse})
	if err != nil {
		return err
	}
	var srv []string
	for _, l := range levels {
		k := key{l.Location, l.SKU, l.Lot}
		if l.Qty != sums[k] {
			w.violate("stock %s/%s = %d, ledger deltas sum to %d", l.Location, l.SKU, l.Qty, sums[k])
		}
		if l.Qty != 0 {
			srv = append(srv, fmt.Sprintf("%s|%s|%s|%d", l.Location, l.SKU, l.Lot, l.Qty))
		}
	}
	slices.Sort(srv)
	fmt.Fprintln(digest, strings.Join(srv, ","))
	for _, d := range w.devs {
		if d.fatal != nil {
			continue
		}
		view, err := d.st.StockLevels(ctx)
		if err != nil {
			return err
		}
		var mine []string
		for _, l := range view {
			if l.Qty != 0 {
				mine = append(mine, fmt.Sprintf("%s|%s|%s|%d", l.Location, l.SKU, l.Lot, l.Qty))
			}
		}
		slices.Sort(mine)
		if !slices.Equal(mine, srv) {
			w.violate("%s's view differs from the server's stock:\n  device %v\n  server %v", d.name, mine, srv)
		}
	}
	// The hot SKU: exactly the units that existed were picked; the rest
	// of what was asked is parked.
	want := min(w.hotQty, hotAsked)
	if hotApplied > w.hotQty || (hotAsked >= w.hotQty && hotApplied != w.hotQty) {
		w.violate("hot SKU: %d units existed, %d asked for, %d picks applied", w.hotQty, hotAsked, hotApplied)
	}
	if hotApplied+hotParked != hotAsked || hotApplied != want {
		w.violate("hot SKU: %d asked = %d applied + %d parked? (want %d applied)", hotAsked, hotApplied, hotParked, want)
	}
	w.res.Digest = hex.EncodeToString(digest.Sum(nil))[:16]
	return nil
}

func (w *world) anyDeviceID() string {
	id, _ := w.devs[0].st.Identity(w.ctx)
	return id.DeviceID
}

// entriesOf is how many ledger entries an applied event has: one per
// delta, and one for a count (its variance at the bin, zero included).
func entriesOf(ev *syncproto.Event) int {
	if ev.Kind == syncproto.KindCount {
		return 1
	}
	return len(ev.Deltas())
}
