package server

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/driftless/driftless/syncproto"
)

// Session is the server's side of one device connection, without the
// transport: httpapi runs it over a websocket, the simulator over an
// in-memory network. Open answers the hello; Handle answers each later
// message. Messages the server sends unasked (pokes, pings) are the
// transport's business.
type Session struct {
	l   *Ledger
	dev Device
	// Catalog, when set, serves the catalog part of pulls that ask for
	// it and the catalog head in welcome.
	Catalog *Catalog
}

// NewSession starts a session on the ledger.
func NewSession(l *Ledger) *Session { return &Session{l: l} }

// Device is the session's device (after Open).
func (s *Session) Device() Device { return s.dev }

// Open checks the device's hello.
func (s *Session) Open(ctx context.Context, m *syncproto.Message) (*syncproto.Welcome, error) {
	if m.Type != syncproto.TypeHello {
		return nil, &syncproto.Error{Code: syncproto.ErrHelloRequired, Message: fmt.Sprintf("the first message must be hello, not %s", m.Type)}
	}
	dev, w, err := s.l.Hello(ctx, m.Hello)
	if err != nil {
		return nil, err
	}
	s.dev = dev
	if s.Catalog != nil {
		if w.CatalogHead, err = s.Catalog.Head(ctx); err != nil {
			return nil, fmt.Errorf("hello from device %s: %w", dev.ID, err)
		}
	}
	return w, nil
}

// Handle answers one message from the device: the reply to send (nil for
// none) or an error to map with ProtocolError.
func (s *Session) Handle(ctx context.Context, m *syncproto.Message) (*syncproto.Message, error) {
	switch m.Type {
	case syncproto.TypePush:
		ack, err := s.l.Push(ctx, s.dev.ID, m.Push.Events)
		return ackMessage(ack, err)
	case syncproto.TypePull:
		ch, err := s.l.pull(ctx, s.dev, m.Pull)
		if err != nil {
			return nil, err
		}
		if err := s.pullCatalog(ctx, m.Pull, ch); err != nil {
			return nil, err
		}
		return &syncproto.Message{Type: syncproto.TypeChanges, Changes: ch}, nil
	case syncproto.TypePing:
		return &syncproto.Message{Type: syncproto.TypePong, Pong: &syncproto.Pong{Nonce: m.Ping.Nonce}}, nil
	case syncproto.TypePong:
		return nil, nil
	case syncproto.TypeHello:
		return nil, &Error{Code: EInvalid, Field: "type", Message: "hello was already said on this connection"}
	}
	return nil, &Error{Code: EInvalid, Field: "type", Message: fmt.Sprintf("devices do not send %s messages", m.Type)}
}

// StartPush queues a push message for its group commit (Ledger.StartPush)
// and returns a function that waits for the answer Handle would give.
func (s *Session) StartPush(ctx context.Context, m *syncproto.Message) func() (*syncproto.Message, error) {
	wait := s.l.StartPush(ctx, s.dev.ID, m.Push.Events)
	return func() (*syncproto.Message, error) { return ackMessage(wait()) }
}

func ackMessage(ack *syncproto.Ack, err error) (*syncproto.Message, error) {
	if err != nil {
		return nil, err
	}
	return &syncproto.Message{Type: syncproto.TypeAck, Ack: ack}, nil
}

// pullCatalog adds the catalog part to a pull's answer when the pull asks
// for it, within what the message has left of MaxMessageBytes.
func (s *Session) pullCatalog(ctx context.Context, p *syncproto.Pull, ch *syncproto.Changes) error {
	if s.Catalog == nil || p.CatalogCursor == nil {
		return nil
	}
	budget := syncproto.MaxMessageBytes * 7 / 8
	if n := changesSizeBound(ch); n < syncproto.MaxMessageBytes/2 {
		// Encoding the page to learn its size cost as much as sending
		// it: a bound does, unless the page is large.
		budget -= n
	} else if len(ch.Entries) > 0 || len(ch.Levels) > 0 {
		b, err := json.Marshal(ch)
		if err != nil {
			return fmt.Errorf("pull for device %s: %w", s.dev.ID, err)
		}
		budget -= len(b)
	}
	if budget < syncproto.MaxMessageBytes/8 {
		// The ledger page fills the message: the catalog waits its turn.
		ch.CatalogFrom, ch.CatalogCursor, ch.Catalog, ch.CatalogMore = *p.CatalogCursor, *p.CatalogCursor, &syncproto.Catalog{}, true
		return nil
	}
	page, err := s.Catalog.PullCatalog(ctx, s.dev.Warehouse, *p.CatalogCursor, budget)
	if err != nil {
		return err
	}
	ch.CatalogFrom, ch.CatalogCursor, ch.Catalog, ch.CatalogMore = *p.CatalogCursor, page.Cursor, page.Records, page.More
	return nil
}

// changesSizeBound bounds the JSON size of a ledger page: each record's
// keys and numbers, and its strings as if every byte needed a six-byte
// escape.
func changesSizeBound(ch *syncproto.Changes) int {
	const num = 20 // a uint64 in decimal
	n := 200
	for _, e := range ch.Entries {
		n += 160 + 5*num + 6*(len(e.EventID)+len(e.DeviceID)+len(e.Kind)+len(e.Location)+len(e.SKU)+len(e.Lot))
	}
	for _, l := range ch.Levels {
		n += 60 + 2*num + 6*(len(l.Location)+len(l.SKU)+len(l.Lot))
	}
	for _, r := range ch.Resolutions {
		n += 140 + 2*num + 6*(len(r.EventID)+len(r.Status)+len(r.Reason)+len(r.By))
	}
	return n
}

// Fatal says whether a protocol error code ends the session.
func Fatal(code string) bool {
	switch code {
	case syncproto.ErrBadMessage, syncproto.ErrUnknownType, syncproto.ErrSequenceGap, syncproto.ErrBusy:
		return false
	}
	return true
}
