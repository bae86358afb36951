package syncer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/syncproto"
)

// sessionResult is how a session ended.
type sessionResult struct {
	err        error
	progress   bool          // welcome came and something was acked or pulled
	retryAfter time.Duration // the server asked to wait at least this long
}

// request is a push or pull waiting for its answer. The server answers a
// device's messages in order, so answers match the oldest request.
type request struct {
	pull        bool
	first, last uint64 // push: the sequences it carried
	gen         int    // push: the generation it was sent in
}

// session is the state of one connection; only the session loop touches it.
type session struct {
	e    *Engine
	conn Conn
	ctx  context.Context

	maxBatch  int
	maxBytes  int
	heartbeat time.Duration

	inflight []request
	pushes   int    // pushes in inflight
	next     uint64 // highest sequence sent in this generation
	gen      int    // bumped when pushing restarts from another sequence
	holdPush time.Time
	holdPull time.Time

	serverAcked  uint64
	cursor, head uint64
	// ownHead is the ledger position of this device's latest applied
	// event (from acks). It does not start a pull by itself: the server's
	// poke, spaced for the fleet, follows a device's own pushes too, and
	// a pull per ack would make every device pull the warehouse's ledger
	// after each of its scans. The poll tick folds it into head in case a
	// poke never comes.
	ownHead uint64
	// catalogCursor and catalogHead are the catalog's, like cursor and
	// head; catalogPoke is the newest catalog head poked (the reader
	// writes it).
	catalogCursor, catalogHead uint64
	catalogPoke                atomic.Uint64
	pulling                    bool
	progress                   bool
	wasIdle                    bool
	pingNonce                  uint64
}

func (e *Engine) session(ctx context.Context) (res sessionResult) {
	id, err := e.st.Identity(ctx)
	if err != nil {
		return sessionResult{err: fmt.Errorf("start session: %w", err)}
	}
	url := e.cfg.URL
	if url == "" {
		url = id.ServerURL
	}
	if e.cfg.Snapshot {
		if err := e.ensureSnapshot(ctx, id, url); err != nil {
			return sessionResult{err: err}
		}
	}
	dctx, cancelDial := context.WithTimeout(ctx, e.cfg.HandshakeTimeout)
	conn, err := e.cfg.Dial(dctx, url)
	cancelDial()
	if err != nil {
		return sessionResult{err: fmt.Errorf("connect: %w", err)}
	}
	defer conn.Close()
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(sctx, func() { conn.Close() }) // unblocks reads and writes
	defer stop()

	hello, st, err := e.hello(ctx, id)
	if err != nil {
		return sessionResult{err: err}
	}
	if err := conn.WriteMessage(&syncproto.Message{Type: syncproto.TypeHello, Hello: hello}); err != nil {
		return sessionResult{err: fmt.Errorf("send hello: %w", err)}
	}
	if err := conn.SetReadDeadline(e.cfg.Now().Add(e.cfg.HandshakeTimeout)); err != nil {
		return sessionResult{err: fmt.Errorf("read welcome: %w", err)}
	}
	m, err := conn.ReadMessage()
	if err != nil {
		return sessionResult{err: fmt.Errorf("read welcome: %w", err)}
	}
	if m.Type == syncproto.TypeError {
		return errorResult("hello", m.Error)
	}
	if m.Type != syncproto.TypeWelcome {
		return sessionResult{err: fmt.Errorf("read welcome: server sent %s", m.Type)}
	}
	s, err := e.open(sctx, conn, id, st, m.Welcome)
	if err != nil {
		return sessionResult{err: err}
	}
	w := m.Welcome
	dead := e.cfg.DeadTimeout
	if dead <= 0 {
		dead = 3 * s.heartbeat
	}
	e.log.Info("sync session open", "acked_through", st.AckedThrough, "last_seq", st.LastSeq, "server_acked", w.AckedThrough, "cursor", st.Cursor, "head", w.Head)
	e.setStatus(func(x *Status) {
		x.Online, x.Sessions, x.ServerAcked, x.Cursor, x.Head = true, x.Sessions+1, w.AckedThrough, st.Cursor, w.Head
	})

	// The reader: the only goroutine that reads. It hands messages to the
	// loop and folds pokes into one value, so a burst of pokes can never
	// fill the channel while the loop is busy writing.
	var (
		wg      sync.WaitGroup
		msgs    = make(chan *syncproto.Message, 64)
		readErr = make(chan error, 1)
		poked   = make(chan struct{}, 1)
		pokeMax atomic.Uint64
	)
	wg.Go(func() {
		for {
			if err := conn.SetReadDeadline(e.cfg.Now().Add(dead)); err != nil {
				readErr <- err
				return
			}
			m, err := conn.ReadMessage()
			if err != nil {
				if isTimeout(err) {
					err = fmt.Errorf("nothing heard for %s: %w", dead, err)
				}
				readErr <- err
				return
			}
			if m.Type == syncproto.TypePoke {
				for cur := s.catalogPoke.Load(); m.Poke.CatalogHead > cur && !s.catalogPoke.CompareAndSwap(cur, m.Poke.CatalogHead); {
					cur = s.catalogPoke.Load()
				}
				for {
					cur := pokeMax.Load()
					if m.Poke.Head <= cur || pokeMax.CompareAndSwap(cur, m.Poke.Head) {
						break
					}
				}
				select {
				case poked <- struct{}{}:
				default:
				}
				continue
			}
			select {
			case msgs <- m:
			case <-sctx.Done():
				return
			}
		}
	})
	defer wg.Wait()
	defer cancel() // runs before wg.Wait: closes the connection, ends the reader

	res = s.loop(msgs, readErr, poked, &pokeMax)
	res.progress = s.progress
	return res
}

// hello builds the device's hello from its store.
func (e *Engine) hello(ctx context.Context, id store.Identity) (*syncproto.Hello, store.State, error) {
	st, err := e.st.State(ctx)
	if err != nil {
		return nil, st, fmt.Errorf("start session: %w", err)
	}
	return &syncproto.Hello{
		Protocol: syncproto.ProtocolVersion, Schema: syncproto.SchemaVersion, AppVersion: e.cfg.AppVersion,
		DeviceID: id.DeviceID, Token: id.Token,
		AckedThrough: st.AckedThrough, LastSeq: st.LastSeq, Cursor: st.Cursor,
		DeviceTime: e.cfg.Now().UTC(),
	}, st, nil
}

// open sets up the session state once the server has welcomed the device.
func (e *Engine) open(ctx context.Context, conn Conn, id store.Identity, st store.State, w *syncproto.Welcome) (*session, error) {
	if id.Warehouse != "" && w.Warehouse != "" && w.Warehouse != id.Warehouse {
		e.log.Warn("server reports another warehouse than the enrollment", "enrolled", id.Warehouse, "server", w.Warehouse)
	}
	if abs(w.ClockSkewMillis) > 60_000 {
		e.log.Warn("device clock is off", "skew_ms", w.ClockSkewMillis)
	}
	if w.Head < st.Cursor {
		// The server's ledger is shorter than what this device pulled: it
		// was restored from a backup, and positions past its head will be
		// reused. Pull the warehouse again from the start.
		e.log.Warn("server ledger is behind the device's cursor; pulling again from the start", "cursor", st.Cursor, "head", w.Head)
		if err := e.st.ResetPulled(ctx); err != nil {
			return nil, err
		}
		st.Cursor = 0
	}
	s := &session{e: e, conn: conn, ctx: ctx, serverAcked: w.AckedThrough, cursor: st.Cursor, head: w.Head,
		catalogCursor: st.CatalogCursor, catalogHead: w.CatalogHead}
	s.maxBatch = e.cfg.BatchSize
	if w.MaxBatch > 0 {
		s.maxBatch = min(s.maxBatch, w.MaxBatch)
	}
	s.maxBytes = syncproto.MaxMessageBytes
	if w.MaxMessageBytes > 0 {
		s.maxBytes = min(s.maxBytes, w.MaxMessageBytes)
	}
	s.heartbeat = e.cfg.Heartbeat
	if s.heartbeat <= 0 && w.HeartbeatMillis > 0 {
		s.heartbeat = time.Duration(w.HeartbeatMillis) * time.Millisecond
	}
	if s.heartbeat <= 0 {
		s.heartbeat = 15 * time.Second
	}
	// Push from the device's acked_through so that every event whose
	// outcome it has not stored gets one (the server answers duplicates
	// with their recorded outcome), or from the server's expected_seq when
	// the server holds less (it lost events: a restore from backup).
	s.next = st.AckedThrough
	if w.ExpectedSeq > 0 && w.ExpectedSeq-1 < s.next {
		e.log.Warn("server holds fewer events than it acknowledged; resending", "device_acked", st.AckedThrough, "expected_seq", w.ExpectedSeq)
		s.next = w.ExpectedSeq - 1
	}
	return s, nil
}

func isTimeout(err error) bool {
	var te interface{ Timeout() bool }
	return errors.As(err, &te) && te.Timeout()
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// errorResult turns a protocol error from the server into how the session
// ends.
func errorResult(during string, pe *syncproto.Error) sessionResult {
	if isFatal(pe.Code) {
		return sessionResult{err: &FatalError{Err: pe}}
	}
	return sessionResult{
		err:        fmt.Errorf("%s: server error: %w", during, pe),
		retryAfter: time.Duration(pe.RetryAfterMillis) * time.Millisecond,
	}
}

func (s *session) loop(msgs <-chan *syncproto.Message, readErr <-chan error, poked <-chan struct{}, pokeMax *atomic.Uint64) sessionResult {
	e := s.e
	ping := time.NewTicker(s.heartbeat)
	defer ping.Stop()
	// The first poll comes at a random point of the interval: a fleet
	// that connected together (every handheld after a server restart)
	// polled together, every interval, for as long as it stayed
	// connected, and each poll pulls; in the fleet soak 200 pulls at
	// once every two seconds held every push behind them for 50-90 ms.
	poll := time.NewTimer(e.cfg.Jitter(e.cfg.PollInterval))
	defer poll.Stop()
	hold := time.NewTimer(time.Hour)
	hold.Stop()
	defer hold.Stop()

	if err := s.pump(); err != nil {
		return sessionResult{err: err}
	}
	for {
		select {
		case <-s.ctx.Done():
			return sessionResult{err: s.ctx.Err()}
		case err := <-readErr:
			// The server may have said why before closing (an error, or
			// acks worth storing): handle what the reader passed on first.
			for {
				select {
				case m := <-msgs:
					if res, end := s.handle(m, hold); end {
						return res
					}
					continue
				default:
				}
				return sessionResult{err: fmt.Errorf("read: %w", err)}
			}
		case m := <-msgs:
			if res, end := s.handle(m, hold); end {
				return res
			}
		case <-poked:
			s.head = max(s.head, pokeMax.Load())
			s.catalogHead = max(s.catalogHead, s.catalogPoke.Load())
		case <-e.notify:
		case <-poll.C:
			poll.Reset(e.cfg.PollInterval)
			s.head = max(s.head, s.ownHead)
		case <-hold.C:
		case <-ping.C:
			s.pingNonce++
			if err := s.write(&syncproto.Message{Type: syncproto.TypePing, Ping: &syncproto.Ping{Nonce: s.pingNonce}}); err != nil {
				return sessionResult{err: err}
			}
			continue
		}
		if err := s.pump(); err != nil {
			return sessionResult{err: err}
		}
	}
}

func (s *session) write(m *syncproto.Message) error {
	if err := s.conn.WriteMessage(m); err != nil {
		return fmt.Errorf("send %s: %w", m.Type, err)
	}
	return nil
}

// handle processes one message from the server; end says the session is
// over.
func (s *session) handle(m *syncproto.Message, hold *time.Timer) (res sessionResult, end bool) {
	e := s.e
	switch m.Type {
	case syncproto.TypeAck:
		req, ok := s.pop(false)
		if !ok {
			return sessionResult{err: errors.New("server sent an ack with no push in flight")}, true
		}
		if len(m.Ack.Outcomes) > 0 && m.Ack.Outcomes[0].Seq != req.first {
			return sessionResult{err: fmt.Errorf("ack starts at seq %d, the push at %d", m.Ack.Outcomes[0].Seq, req.first)}, true
		}
		if err := e.st.ApplyAck(s.ctx, m.Ack); err != nil {
			return sessionResult{err: err}, true
		}
		s.serverAcked = m.Ack.AckedThrough
		s.progress = true
		for _, o := range m.Ack.Outcomes {
			// The ledger reaches at least as far as our own entries
			// (pulled on the next poke, or the poll tick).
			s.ownHead = max(s.ownHead, o.Position)
			if o.Status != syncproto.StatusApplied {
				e.log.Info("event not applied", "id", o.ID, "seq", o.Seq, "status", o.Status, "code", o.Code, "reason", o.Reason)
			}
		}
	case syncproto.TypeChanges:
		if _, ok := s.pop(true); !ok {
			return sessionResult{err: errors.New("server sent changes with no pull in flight")}, true
		}
		s.pulling = false
		if err := e.st.ApplyChanges(s.ctx, m.Changes); err != nil {
			return sessionResult{err: err}, true
		}
		s.cursor = max(s.cursor, m.Changes.Cursor)
		s.head = max(s.head, s.cursor)
		if m.Changes.More {
			s.head = max(s.head, s.cursor+1) // there is more than we knew
		}
		if m.Changes.Catalog != nil {
			s.catalogCursor = max(s.catalogCursor, m.Changes.CatalogCursor)
			s.catalogHead = max(s.catalogHead, s.catalogCursor)
			if m.Changes.CatalogMore {
				s.catalogHead = max(s.catalogHead, s.catalogCursor+1)
			}
		}
		s.progress = true
	case syncproto.TypePing:
		if err := s.write(&syncproto.Message{Type: syncproto.TypePong, Pong: &syncproto.Pong{Nonce: m.Ping.Nonce}}); err != nil {
			return sessionResult{err: err}, true
		}
	case syncproto.TypePong:
	case syncproto.TypeError:
		return s.handleError(m.Error, hold)
	default:
		return sessionResult{err: fmt.Errorf("server sent an unexpected %s", m.Type)}, true
	}
	return sessionResult{}, false
}

func (s *session) handleError(pe *syncproto.Error, hold *time.Timer) (sessionResult, bool) {
	e := s.e
	switch pe.Code {
	case syncproto.ErrSequenceGap:
		req, ok := s.pop(false)
		if !ok {
			return sessionResult{err: fmt.Errorf("sequence gap with no push in flight: %w", pe)}, true
		}
		if pe.ExpectedSeq == 0 {
			return sessionResult{err: fmt.Errorf("sequence gap without expected_seq: %w", pe)}, true
		}
		if req.gen != s.gen {
			return sessionResult{}, false // answers a push sent before the last restart
		}
		e.log.Info("server expects an earlier sequence; resending", "pushed_from", req.first, "expected_seq", pe.ExpectedSeq)
		s.gen++
		s.next = pe.ExpectedSeq - 1
		return sessionResult{}, false
	case syncproto.ErrBusy:
		if len(s.inflight) == 0 {
			return sessionResult{err: fmt.Errorf("busy with nothing in flight: %w", pe)}, true
		}
		req := s.inflight[0]
		s.pop(req.pull)
		until := s.e.cfg.Now().Add(time.Duration(max(pe.RetryAfterMillis, 1)) * time.Millisecond)
		if req.pull {
			s.pulling = false
			s.holdPull = until
		} else if req.gen == s.gen {
			s.gen++
			s.next = req.first - 1
			s.holdPush = until
		}
		hold.Reset(time.Duration(max(pe.RetryAfterMillis, 1)) * time.Millisecond)
		return sessionResult{}, false
	}
	return errorResult("session", pe), true
}

// pop removes the oldest request, which must be a pull (pull) or a push.
func (s *session) pop(pull bool) (request, bool) {
	if len(s.inflight) == 0 || s.inflight[0].pull != pull {
		return request{}, false
	}
	req := s.inflight[0]
	s.inflight = s.inflight[1:]
	if !req.pull {
		s.pushes--
	}
	return req, true
}

// pump sends what can be sent: pushes up to the window, a pull when the
// cursor is behind, and publishes the status.
func (s *session) pump() error {
	e := s.e
	now := e.cfg.Now()
	for s.pushes < e.cfg.Window && !now.Before(s.holdPush) {
		evs, err := e.st.Events(s.ctx, s.next, s.maxBatch)
		if err != nil {
			return err
		}
		if len(evs) == 0 {
			break
		}
		if s.pushes > 0 && len(evs) < s.maxBatch {
			// Live scans (a partial batch) wait for the acks in flight
			// and go together in the next push; a backlog's full
			// batches keep the window busy.
			break
		}
		evs = fit(evs, s.maxBytes)
		if err := s.write(&syncproto.Message{Type: syncproto.TypePush, Push: &syncproto.Push{Events: evs}}); err != nil {
			return err
		}
		first, last := evs[0].Seq, evs[len(evs)-1].Seq
		s.inflight = append(s.inflight, request{first: first, last: last, gen: s.gen})
		s.pushes++
		s.next = last
	}
	// Pull once pushing has drained: during a catch-up the acks come
	// first (they are what the user waits for), and one pull run at the
	// end replaces a pull per poke competing with the pushes.
	// The catalog rides on the same pulls (the catalog_cursor asks for it).
	if !s.pulling && s.pushes == 0 && (s.head > s.cursor || s.catalogHead > s.catalogCursor) && !now.Before(s.holdPull) {
		cc := s.catalogCursor
		if err := s.write(&syncproto.Message{Type: syncproto.TypePull, Pull: &syncproto.Pull{Cursor: s.cursor, Limit: syncproto.MaxPage, CatalogCursor: &cc, Compact: true}}); err != nil {
			return err
		}
		s.pulling = true
		s.inflight = append(s.inflight, request{pull: true})
	}
	return s.publish()
}

// publish refreshes the status from the store and marks the device synced
// when it becomes idle.
func (s *session) publish() error {
	e := s.e
	st, err := e.st.State(s.ctx)
	if err != nil {
		return err
	}
	idle := len(s.inflight) == 0 && s.serverAcked >= st.LastSeq && st.Unacked == 0 && s.cursor >= max(s.head, s.ownHead) && s.catalogCursor >= s.catalogHead
	if idle && !s.wasIdle {
		now := e.cfg.Now()
		if err := e.st.MarkSynced(s.ctx, now); err != nil {
			return err
		}
		st.LastSyncAt = now
	}
	s.wasIdle = idle
	e.setStatus(func(x *Status) {
		x.Online, x.Idle = true, idle
		x.LastSeq, x.Unacked, x.ServerAcked, x.Cursor, x.Head = st.LastSeq, st.Unacked, s.serverAcked, s.cursor, max(s.head, s.ownHead)
		x.LastSyncAt, x.Attention = st.LastSyncAt, st.Attention
	})
	return nil
}

// fit trims a batch so that its push stays under maxBytes. Events are at
// most store.MaxEventBytes, so the estimate (field lengths plus the JSON
// framing) only errs on the large side.
func fit(evs []syncproto.Event, maxBytes int) []syncproto.Event {
	budget := maxBytes * 9 / 10
	size := 64
	for i := range evs {
		ev := &evs[i]
		size += 400 + 2*(len(ev.User)+len(ev.SKU)+len(ev.Lot)+len(ev.From)+len(ev.To)+len(ev.Reason)+len(ev.Ref)+len(ev.DeviceID))
		if size > budget && i > 0 {
			return evs[:i]
		}
	}
	return evs
}
