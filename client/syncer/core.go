package syncer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/driftless/driftless/client/store"
	"github.com/driftless/driftless/syncproto"
)

// Core is one session's protocol logic driven by hand: no goroutines, no
// timers, no connection. The caller delivers the server's messages and
// sends what each step returns. It is the deterministic simulator's way
// into exactly the code Serve runs (Serve adds the reader goroutine,
// heartbeats, deadlines and reconnects around the same session).
type Core struct {
	e    *Engine
	ctx  context.Context
	id   store.Identity
	st   store.State
	s    *session // nil until welcome
	out  *bufConn
	hold *time.Timer
}

// StartCore begins a session and returns the hello to send.
func (e *Engine) StartCore(ctx context.Context) (*Core, *syncproto.Message, error) {
	id, err := e.st.Identity(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("start session: %w", err)
	}
	hello, st, err := e.hello(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	hold := time.NewTimer(time.Hour)
	hold.Stop()
	c := &Core{e: e, ctx: ctx, id: id, st: st, out: &bufConn{}, hold: hold}
	return c, &syncproto.Message{Type: syncproto.TypeHello, Hello: hello}, nil
}

// ErrSessionEnded is returned by Core when the server ended the session
// without an error of its own.
var ErrSessionEnded = errors.New("session ended")

// Receive handles one message from the server (the welcome first) and
// returns the messages to send. An error ends the session; a
// *FatalError means the device must not reconnect.
func (c *Core) Receive(m *syncproto.Message) ([]*syncproto.Message, error) {
	if c.s == nil {
		switch m.Type {
		case syncproto.TypeError:
			return nil, errorResult("hello", m.Error).err
		case syncproto.TypeWelcome:
		default:
			return nil, fmt.Errorf("read welcome: server sent %s", m.Type)
		}
		s, err := c.e.open(c.ctx, c.out, c.id, c.st, m.Welcome)
		if err != nil {
			return nil, err
		}
		c.s = s
		return c.Tick()
	}
	if m.Type == syncproto.TypePoke {
		c.s.head = max(c.s.head, m.Poke.Head)
		c.s.catalogHead = max(c.s.catalogHead, m.Poke.CatalogHead)
	} else if res, end := c.s.handle(m, c.hold); end {
		if res.err == nil {
			res.err = ErrSessionEnded
		}
		return c.out.drain(), res.err
	}
	return c.Tick()
}

// Tick sends what can be sent now (new scans, a pull, retries after
// busy): what Serve does on a notification or a poll.
func (c *Core) Tick() ([]*syncproto.Message, error) {
	if c.s == nil {
		return nil, nil
	}
	err := c.s.pump()
	return c.out.drain(), err
}

// bufConn collects what a Core writes.
type bufConn struct{ msgs []*syncproto.Message }

func (b *bufConn) WriteMessage(m *syncproto.Message) error { b.msgs = append(b.msgs, m); return nil }
func (b *bufConn) ReadMessage() (*syncproto.Message, error) {
	return nil, errors.New("a Core is not read from")
}
func (b *bufConn) SetReadDeadline(time.Time) error { return nil }
func (b *bufConn) Close() error                    { return nil }

func (b *bufConn) drain() []*syncproto.Message {
	out := b.msgs
	b.msgs = nil
	return out
}
