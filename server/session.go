package server

import (
	"context"
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
	return w, nil
}

// Handle answers one message from the device: the reply to send (nil for
// none) or an error to map with ProtocolError.
func (s *Session) Handle(ctx context.Context, m *syncproto.Message) (*syncproto.Message, error) {
	switch m.Type {
	case syncproto.TypePush:
		ack, err := s.l.Push(ctx, s.dev.ID, m.Push.Events)
		if err != nil {
			return nil, err
		}
		return &syncproto.Message{Type: syncproto.TypeAck, Ack: ack}, nil
	case syncproto.TypePull:
		ch, err := s.l.Pull(ctx, s.dev.ID, m.Pull)
		if err != nil {
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

// Fatal says whether a protocol error code ends the session.
func Fatal(code string) bool {
	switch code {
	case syncproto.ErrBadMessage, syncproto.ErrUnknownType, syncproto.ErrSequenceGap, syncproto.ErrBusy:
		return false
	}
	return true
}
