package syncproto

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Conn is one end of a protocol connection over a websocket. ReadMessage
// and WriteMessage may each be called from one goroutine at a time (one
// reader and one writer may run concurrently); Close may be called from any.
type Conn struct {
	ws        *websocket.Conn
	writeWait time.Duration
	closeOnce sync.Once
}

// NewConn wraps an established websocket. Messages over MaxMessageBytes
// are refused by ReadMessage without being read whole; the websocket's own
// limit is a backstop far above it.
func NewConn(ws *websocket.Conn) *Conn {
	ws.SetReadLimit(64 * MaxMessageBytes)
	return &Conn{ws: ws, writeWait: 10 * time.Second}
}

// Upgrader returns the websocket upgrader servers use: subprotocol
// driftless.v1 only, compression off (events are small and the CPU is
// better spent applying them).
func Upgrader() *websocket.Upgrader {
	return &websocket.Upgrader{
		Subprotocols:    []string{Subprotocol},
		ReadBufferSize:  64 << 10,
		WriteBufferSize: 64 << 10,
		CheckOrigin:     func(*http.Request) bool { return true }, // devices are not browsers; tokens authenticate
	}
}

// Dial opens a protocol connection to a sync URL (ws:// or wss://).
func Dial(ctx context.Context, url string) (*Conn, error) {
	d := websocket.Dialer{
		Subprotocols:     []string{Subprotocol},
		HandshakeTimeout: 10 * time.Second,
		ReadBufferSize:   64 << 10,
		WriteBufferSize:  64 << 10,
	}
	ws, resp, err := d.DialContext(ctx, url, nil)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("dial %s: %s: %w", url, resp.Status, err)
		}
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	if ws.Subprotocol() != Subprotocol {
		ws.Close()
		return nil, fmt.Errorf("dial %s: server does not speak %s", url, Subprotocol)
	}
	return NewConn(ws), nil
}

// SetReadDeadline bounds the next ReadMessage; zero means none.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.ws.SetReadDeadline(t) }

// ReadMessage reads and decodes one message. A decoding problem comes back
// as an *Error the caller may send to the peer; a message over the size
// limit returns an *Error with ErrMessageTooLarge after which the
// connection is unusable.
func (c *Conn) ReadMessage() (*Message, error) {
	typ, r, err := c.ws.NextReader()
	if err != nil {
		return nil, fmt.Errorf("read message: %w", err)
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxMessageBytes+1))
	if err != nil {
		if errors.Is(err, websocket.ErrReadLimit) {
			return nil, tooLarge()
		}
		return nil, fmt.Errorf("read message: %w", err)
	}
	if len(data) > MaxMessageBytes {
		return nil, tooLarge()
	}
	if typ != websocket.TextMessage {
		return nil, &Error{Code: ErrBadMessage, Message: "messages are JSON text frames"}
	}
	return Unmarshal(data)
}

func tooLarge() *Error {
	return &Error{Code: ErrMessageTooLarge, Message: fmt.Sprintf("message exceeds the limit of %d bytes", MaxMessageBytes)}
}

// WriteMessage encodes and sends one message.
func (c *Conn) WriteMessage(m *Message) error {
	bp := writeBufs.Get().(*[]byte)
	b, err := appendMessage((*bp)[:0], m)
	if err == nil {
		err = c.WriteRaw(b)
	}
	if cap(b) <= maxPooledWrite {
		*bp = b
		writeBufs.Put(bp)
	}
	return err
}

// writeBufs are encoding buffers for WriteMessage: a server sends every
// device pages of tens of kilobytes, and encoding each into a new slice
// was an eighth of syncd's allocation in the fleet soak. The websocket
// write copies the message out before WriteMessage returns.
var writeBufs = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledWrite is the largest buffer kept for reuse.
const maxPooledWrite = 1 << 20

// WriteRaw sends already-encoded bytes as one text message (tests use it
// to send malformed input).
func (c *Conn) WriteRaw(b []byte) error {
	if err := c.ws.SetWriteDeadline(time.Now().Add(c.writeWait)); err != nil {
		return fmt.Errorf("write message: %w", err)
	}
	if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		return fmt.Errorf("write message: %w", err)
	}
	return nil
}

// CloseWith sends a close frame with a reason and closes the connection.
func (c *Conn) CloseWith(code int, reason string) error {
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	return c.Close()
}

// Close closes the connection at once.
func (c *Conn) Close() error {
	var err error
	c.closeOnce.Do(func() { err = c.ws.Close() })
	return err
}

// RemoteAddr is the peer's address.
func (c *Conn) RemoteAddr() net.Addr { return c.ws.RemoteAddr() }

// IsClosed reports whether err says the connection is gone (as opposed to
// a protocol error the caller may answer).
func IsClosed(err error) bool {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Code == ErrMessageTooLarge
	}
	return err != nil
}
