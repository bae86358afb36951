package crashtest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"time"

	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/client/syncer"
	"github.com/driftless/driftless/syncproto"
)

// DeviceConfig is one run of a device process.
type DeviceConfig struct {
	// DB is the device's SQLite file, kept across runs.
	DB string
	// Identity enrolls the store on its first run.
	Identity store.Identity
	// Index picks the device's scan mix (ScanFor).
	Index int
	// Scans is how many scans this run records before it syncs to idle.
	Scans int
	// StopFile, when set, makes the run record a scan every Interval until
	// the file exists (Scans is then ignored), then sync to idle.
	StopFile string
	Interval time.Duration
	// Offline records the run's scans before the engine starts, so it
	// connects with a backlog (the catch-up case).
	Offline bool
	// BatchSize is the most events per push (the engine's default when
	// zero); small batches put several pushes in flight.
	BatchSize int
	// Crash is the plan ("point:n", empty for none).
	Crash string
}

// RunDevice runs a handheld with the real store and sync engine: it
// records its scans while the engine syncs, then waits until everything is
// acknowledged and the ledger is pulled through the server's head, and
// returns. A refusal by the server comes back as a *syncer.FatalError.
func RunDevice(ctx context.Context, cfg DeviceConfig, log *slog.Logger) error {
	plan, err := ParsePlan(cfg.Crash)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Identity(ctx); errors.Is(err, store.ErrNotEnrolled) {
		if err := st.Enroll(ctx, cfg.Identity); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	eng := syncer.New(&crashDeviceStore{Store: st, plan: plan}, syncer.Config{
		URL: cfg.Identity.ServerURL, AppVersion: "crashtest",
		Dial: func(ctx context.Context, url string) (syncer.Conn, error) {
			c, err := syncproto.Dial(ctx, url)
			if err != nil {
				return nil, err
			}
			return &crashConn{Conn: c, plan: plan}, nil
		},
		BackoffMin: 10 * time.Millisecond, BackoffMax: 200 * time.Millisecond,
		PollInterval: 100 * time.Millisecond,
		BatchSize:    cfg.BatchSize,
		Logger:       log,
	})
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	served := make(chan error, 1)
	serving := false
	serve := func() {
		if !serving {
			serving = true
			go func() { served <- eng.Serve(sctx) }()
		}
	}
	if !cfg.Offline {
		serve()
	}
	refused := func() error {
		select {
		case err := <-served:
			if err == nil {
				err = ctx.Err()
			}
			return err
		default:
			return nil
		}
	}

	var tick <-chan time.Time
	if cfg.StopFile != "" {
		t := time.NewTicker(max(cfg.Interval, time.Millisecond))
		defer t.Stop()
		tick = t.C
	}
	for i := 0; cfg.StopFile != "" || i < cfg.Scans; i++ {
		if cfg.StopFile != "" {
			if _, err := os.Stat(cfg.StopFile); err == nil {
				break
			}
			select {
			case <-tick:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if err := refused(); err != nil {
			return err
		}
		s, err := st.State(ctx)
		if err != nil {
			return err
		}
		if _, err := st.Record(ctx, ScanFor(cfg.Index, s.LastSeq+1)); err != nil {
			return err
		}
		plan.Hit(DeviceAfterRecord)
		eng.Notify()
	}

	serve()
	idle := make(chan error, 1)
	go func() { idle <- eng.WaitIdle(sctx) }()
	select {
	case err := <-served:
		if err == nil {
			err = ctx.Err()
		}
		return err
	case err := <-idle:
		stop()
		<-served
		return err
	}
}

// Clerk is the catalog user every device's scans name (RunServer adds
// it: the server applies events of its catalog's users only).
const Clerk = "clerk"

// ScanFor is the scan device index records as sequence seq: the same scan
// whichever run records it, so a device picks up its workload after a
// crash. Four SKUs and three bins are shared by every device, so putaways
// and picks race and some are parked; now and then a count.
func ScanFor(index int, seq uint64) store.Scan {
	rng := mrand.New(mrand.NewPCG(uint64(index), seq))
	sc := store.Scan{User: Clerk, SKU: fmt.Sprintf("SKU-%d", rng.IntN(4))}
	bin := func() string { return fmt.Sprintf("BIN-%d", rng.IntN(3)) }
	switch r := rng.IntN(100); {
	case r < 40:
		sc.Kind, sc.To, sc.Qty = syncproto.KindReceive, "DOCK", int64(1+rng.IntN(4))
	case r < 65:
		sc.Kind, sc.From, sc.To, sc.Qty = syncproto.KindPutaway, "DOCK", bin(), int64(1+rng.IntN(3))
	case r < 88:
		sc.Kind, sc.From, sc.Qty = syncproto.KindPick, bin(), int64(1+rng.IntN(3))
	case r < 95:
		from, to := rng.IntN(3), 1+rng.IntN(2)
		sc.Kind, sc.From, sc.To, sc.Qty = syncproto.KindMove, fmt.Sprintf("BIN-%d", from), fmt.Sprintf("BIN-%d", (from+to)%3), 1
	default:
		sc.Kind, sc.From, sc.Qty = syncproto.KindCount, bin(), int64(rng.IntN(3))
	}
	return sc
}

// crashDeviceStore is the store the engine uses, with the device's ack and
// pull crash points.
type crashDeviceStore struct {
	*store.Store
	plan *Plan
}

func (s *crashDeviceStore) ApplyAck(ctx context.Context, ack *syncproto.Ack) error {
	s.plan.Hit(DeviceBeforeApplyAck)
	if err := s.Store.ApplyAck(ctx, ack); err != nil {
		return err
	}
	s.plan.Hit(DeviceAfterApplyAck)
	return nil
}

func (s *crashDeviceStore) ApplyChanges(ctx context.Context, ch *syncproto.Changes) error {
	if len(ch.Entries) > 0 {
		s.plan.Hit(DeviceBeforeApplyChanges)
	}
	if err := s.Store.ApplyChanges(ctx, ch); err != nil {
		return err
	}
	if len(ch.Entries) > 0 {
		s.plan.Hit(DeviceAfterApplyChanges)
	}
	return nil
}

// crashConn is the engine's connection with the send crash point.
type crashConn struct {
	*syncproto.Conn
	plan *Plan
}

func (c *crashConn) WriteMessage(m *syncproto.Message) error {
	if err := c.Conn.WriteMessage(m); err != nil {
		return err
	}
	if m.Type == syncproto.TypePush {
		c.plan.Hit(DeviceAfterPushSent)
	}
	return nil
}

var (
	_ syncer.Store = (*crashDeviceStore)(nil)
	_ syncer.Conn  = (*crashConn)(nil)
)
