package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/sync/errgroup"

	"github.com/driftless/driftless/server"
	"github.com/driftless/driftless/syncproto"
)

func (s *Server) sync(w http.ResponseWriter, r *http.Request) {
	if !websocket.IsWebSocketUpgrade(r) {
		writeError(w, r, &server.Error{Code: server.EInvalid, Message: "this endpoint speaks websocket with subprotocol " + syncproto.Subprotocol})
		return
	}
	if !slices.Contains(websocket.Subprotocols(r), syncproto.Subprotocol) {
		writeError(w, r, server.Errorf(server.EVersionUnsupported, "this server speaks websocket subprotocol %s; the client offered %v", syncproto.Subprotocol, websocket.Subprotocols(r)))
		return
	}
	ws, err := syncproto.Upgrader().Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered the client
	}
	s.sessions.Add(1)
	defer s.sessions.Done()
	sess := &session{srv: s, conn: syncproto.NewConn(ws), log: s.Log.With("remote", r.RemoteAddr)}
	sess.run(r.Context())
}

// outMsg is a message for the writer; close ends the session once it is sent.
type outMsg struct {
	m     *syncproto.Message
	close bool
}

type session struct {
	srv  *Server
	conn *syncproto.Conn
	log  *slog.Logger
	core *server.Session
	dev  server.Device
	out  chan outMsg
}

func errMsg(pe *syncproto.Error) *syncproto.Message {
	return &syncproto.Message{Type: syncproto.TypeError, Error: pe}
}

var fatal = server.Fatal

func (ss *session) refuse(pe *syncproto.Error) {
	ss.log.Info("sync session refused", "code", pe.Code, "message", pe.Message)
	_ = ss.conn.WriteMessage(errMsg(pe))
	_ = ss.conn.CloseWith(websocket.ClosePolicyViolation, pe.Code)
}

func (ss *session) run(ctx context.Context) {
	defer ss.conn.Close()
	hb := ss.srv.Heartbeat
	_ = ss.conn.SetReadDeadline(time.Now().Add(3 * hb))
	m, err := ss.conn.ReadMessage()
	if err != nil {
		var pe *syncproto.Error
		if errors.As(err, &pe) {
			ss.refuse(pe)
		}
		return
	}
	ss.core = server.NewSession(ss.srv.Ledger)
	ss.core.Catalog = ss.srv.Catalog
	welcome, err := ss.core.Open(ctx, m)
	if err != nil {
		ss.refuse(server.ProtocolError(err))
		if server.ErrorCode(err) == server.EInternal {
			ss.log.Error("hello", "err", err)
		}
		return
	}
	welcome.HeartbeatMillis = hb.Milliseconds()
	dev := ss.core.Device()
	ss.dev = dev
	ss.log = ss.log.With("device", dev.ID, "name", dev.Name)
	if err := ss.conn.WriteMessage(&syncproto.Message{Type: syncproto.TypeWelcome, Welcome: welcome}); err != nil {
		return
	}
	ss.log.Info("sync session open", "acked_through", welcome.AckedThrough, "head", welcome.Head, "app", dev.AppVersion)

	ss.out = make(chan outMsg, 16)
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var g errgroup.Group
	g.Go(func() error { defer cancel(); return ss.writer(sctx, ctx) })
	g.Go(func() error { defer cancel(); return ss.poker(sctx) })
	err = ss.reader(sctx)
	cancel()
	ss.conn.Close()
	_ = g.Wait()
	ss.log.Info("sync session closed", "reason", err)
}

func (ss *session) send(ctx context.Context, m *syncproto.Message, closeAfter bool) error {
	select {
	case ss.out <- outMsg{m, closeAfter}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// writer is the only goroutine that writes after welcome. It pings every
// heartbeat and, when the server shuts down, says so before closing.
func (ss *session) writer(ctx, serverCtx context.Context) error {
	t := time.NewTicker(ss.srv.Heartbeat)
	defer t.Stop()
	var nonce uint64
	for {
		select {
		case <-ctx.Done():
			if serverCtx.Err() != nil {
				_ = ss.conn.WriteMessage(errMsg(&syncproto.Error{Code: syncproto.ErrShuttingDown, Message: "the server is shutting down; reconnect shortly", RetryAfterMillis: 1000}))
				_ = ss.conn.CloseWith(websocket.CloseGoingAway, "shutting down")
			}
			return ctx.Err()
		case o := <-ss.out:
			if err := ss.conn.WriteMessage(o.m); err != nil {
				return err
			}
			if o.close {
				_ = ss.conn.CloseWith(websocket.ClosePolicyViolation, string(o.m.Type))
				return errors.New("session ended by the server")
			}
		case <-t.C:
			nonce++
			if err := ss.conn.WriteMessage(&syncproto.Message{Type: syncproto.TypePing, Ping: &syncproto.Ping{Nonce: nonce}}); err != nil {
				return err
			}
		}
	}
}

// poker turns growth of the device's warehouse ledger into pokes, at most
// one per PokeInterval, or per PokeSpacing for each connected device of the
// warehouse when that is longer: a busy warehouse would otherwise make
// every device pull after every other device's scan, and a large fleet
// would spend the server on pulls. The poke after a pause carries the
// latest head, so nothing is missed, only batched. A device's own pushes
// need no poke: their acks tell it the head.
func (ss *session) poker(ctx context.Context) error {
	sub := ss.srv.Ledger.Hub().Subscribe(ss.dev.Warehouse)
	defer sub.Close()
	// A fleet that connected together was poked together, every
	// interval, and pulled together: in the soak group commits slowed
	// from 15 to 60-120 ms every two seconds, in step with the pokes.
	// Each session has its own slot in the interval (phase), so a fleet's
	// pulls spread evenly over it.
	phase := rand.Float64()
	var last time.Time
	var sent uint64 // the last ledger head poked
	for {
		select {
		case <-ctx.Done():
			return nil
		case head := <-sub.Catalog:
			// Catalog edits are rare (an import is one change set): poke at once.
			if err := ss.send(ctx, &syncproto.Message{Type: syncproto.TypePoke, Poke: &syncproto.Poke{Head: sent, CatalogHead: head}}, false); err != nil {
				return nil
			}
		case head := <-sub.C:
			if wait := pokeDue(time.Now(), last, ss.pokeInterval(), phase); wait > 0 {
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(wait):
				}
				// Take the newest head that arrived meanwhile.
				select {
				case h := <-sub.C:
					head = max(head, h)
				default:
				}
			}
			last, sent = time.Now(), head
			if err := ss.send(ctx, &syncproto.Message{Type: syncproto.TypePoke, Poke: &syncproto.Poke{Head: head}}, false); err != nil {
				return nil
			}
		}
	}
}

// pokeDue says how long after now the next poke is due: the device's
// slots are the times phase × interval past a multiple of interval, and
// it is poked at most once per slot; after a quiet spell (its current
// slot unused) at once.
func pokeDue(now, last time.Time, interval time.Duration, phase float64) time.Duration {
	off := time.Duration(phase * float64(interval))
	due := now.Add(-off).Truncate(interval).Add(off) // the slot now is in
	if !due.After(last) {
		due = due.Add(interval) // already poked in it: the next one
	}
	return due.Sub(now)
}

// pokeInterval is the shortest time between two pokes to this device:
// PokeInterval, or PokeSpacing for each connected device of its
// warehouse when that is longer.
func (ss *session) pokeInterval() time.Duration {
	return max(ss.srv.PokeInterval, time.Duration(ss.srv.Ledger.Hub().Subscribers(ss.dev.Warehouse))*ss.srv.PokeSpacing)
}

// read is one message, or the error reading it, from the socket.
type read struct {
	m   *syncproto.Message
	err error
}

// reader handles the device's messages one at a time, in order. Reading
// and decoding the next message goes on in its own goroutine meanwhile, so
// decoding a push overlaps applying the one before it.
func (ss *session) reader(ctx context.Context) error {
	dead := 3 * ss.srv.Heartbeat
	reads := make(chan read, 2)
	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() {
		defer close(reads)
		for {
			_ = ss.conn.SetReadDeadline(time.Now().Add(dead))
			m, err := ss.conn.ReadMessage()
			select {
			case reads <- read{m, err}:
			case <-ctx.Done():
				return
			}
			var pe *syncproto.Error
			if err != nil && (!errors.As(err, &pe) || fatal(pe.Code)) {
				return // the connection is gone or unusable
			}
		}
	})
	// Answers leave in the order the messages came, from answerer; a push
	// is queued for its group commit as soon as it is read, so a device's
	// next push no longer waits for the one before it to commit (in the
	// soak that wait was most of the p99: each push queued behind its
	// predecessor's group).
	answers := make(chan answer, 8)
	answered := make(chan error, 1)
	wg.Go(func() { answered <- ss.answerer(ctx, answers) })
	var err error
	done := false // the answerer has ended
read:
	for r := range reads {
		var a answer
		if r.err != nil {
			var pe *syncproto.Error
			if !errors.As(r.err, &pe) {
				err = r.err // the connection is gone
				break read
			}
			a = answer{what: "bad message", wait: func() (*syncproto.Message, error) { return nil, pe }}
		} else {
			a = ss.start(ctx, r.m)
		}
		select {
		case answers <- a:
		case err = <-answered:
			done = true
			break read
		}
	}
	// What was read is answered (or, once the session is over, at least
	// applied) before the reader ends.
	close(answers)
	if !done {
		if aerr := <-answered; err == nil {
			err = aerr
		}
	}
	return err
}

// answer is the answer to one message, ready or on its way.
type answer struct {
	what string // the message type, for the log
	wait func() (*syncproto.Message, error)
}

// start begins answering a message: a push is queued for its group
// commit; anything else is answered now.
func (ss *session) start(ctx context.Context, m *syncproto.Message) answer {
	if m.Type == syncproto.TypePush {
		// A push that has started applying finishes even when the server
		// is shutting down: its transaction commits or rolls back whole.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		wait := ss.core.StartPush(actx, m)
		return answer{what: string(m.Type), wait: func() (*syncproto.Message, error) { defer cancel(); return wait() }}
	}
	reply, err := ss.core.Handle(ctx, m)
	return answer{what: string(m.Type), wait: func() (*syncproto.Message, error) { return reply, err }}
}

// answerer sends the answers in order until answers closes, a fatal
// error has been sent (the session ends) or sending fails.
func (ss *session) answerer(ctx context.Context, answers <-chan answer) error {
	for a := range answers {
		reply, err := a.wait()
		if err != nil {
			pe := server.ProtocolError(err)
			if pe.Code == syncproto.ErrInternal {
				ss.log.Error("sync", "type", a.what, "err", err)
			} else {
				ss.log.Info("sync refused", "type", a.what, "code", pe.Code, "message", pe.Message)
			}
			if err := ss.send(ctx, errMsg(pe), fatal(pe.Code)); err != nil || fatal(pe.Code) {
				<-ctx.Done()
				return pe
			}
			continue
		}
		if reply != nil {
			if err := ss.send(ctx, reply, false); err != nil {
				return err
			}
		}
	}
	return ctx.Err()
}
