package syncproto

import (
	"bytes"
	"errors"
	"fmt"
	json "github.com/segmentio/encoding/json"
	"time"
)

// Version constants of this package.
const (
	// Subprotocol is the websocket subprotocol of protocol version 1.
	Subprotocol = "driftless.v1"
	// ProtocolVersion is the version of the message set below.
	ProtocolVersion = 1
	// SchemaVersion is the version of the event payload (Event's fields
	// and kinds).
	SchemaVersion = 1
	// MaxMessageBytes is the largest message either side accepts. A larger
	// one is answered with ErrMessageTooLarge and the connection closes.
	MaxMessageBytes = 1 << 20
	// MaxBatch is the most events one push may carry.
	MaxBatch = 1000
	// MaxPage is the most ledger entries one changes page carries.
	MaxPage = 2000
)

// Type names a message.
type Type string

// Message types.
const (
	TypeHello   Type = "hello"
	TypeWelcome Type = "welcome"
	TypePush    Type = "push"
	TypeAck     Type = "ack"
	TypePull    Type = "pull"
	TypeChanges Type = "changes"
	TypePoke    Type = "poke"
	TypeError   Type = "error"
	TypePing    Type = "ping"
	TypePong    Type = "pong"
)

// Message is one protocol message: exactly one of the pointer fields is set,
// the one its Type names. On the wire it is {"type": T, "body": {...}}.
type Message struct {
	Type    Type
	Hello   *Hello
	Welcome *Welcome
	Push    *Push
	Ack     *Ack
	Pull    *Pull
	Changes *Changes
	Poke    *Poke
	Error   *Error
	Ping    *Ping
	Pong    *Pong
}

// Hello opens a session (device to server).
type Hello struct {
	Protocol     int       `json:"protocol"`
	Schema       int       `json:"schema"`
	AppVersion   string    `json:"app_version"`
	DeviceID     string    `json:"device_id"`
	Token        string    `json:"token"`
	AckedThrough uint64    `json:"acked_through"`
	LastSeq      uint64    `json:"last_seq"`
	Cursor       uint64    `json:"cursor"`
	DeviceTime   time.Time `json:"device_time"`
}

// Welcome accepts a session (server to device).
type Welcome struct {
	Protocol        int       `json:"protocol"`
	Schema          int       `json:"schema"`
	ServerVersion   string    `json:"server_version"`
	Warehouse       string    `json:"warehouse"`
	AckedThrough    uint64    `json:"acked_through"`
	ExpectedSeq     uint64    `json:"expected_seq"`
	Head            uint64    `json:"head"`
	ServerTime      time.Time `json:"server_time"`
	ClockSkewMillis int64     `json:"clock_skew_ms"`
	HeartbeatMillis int64     `json:"heartbeat_ms"`
	MaxMessageBytes int       `json:"max_message_bytes"`
	MaxBatch        int       `json:"max_batch"`
	// CatalogHead is the position of the last catalog change (0 when the
	// server has no catalog to sync).
	CatalogHead uint64 `json:"catalog_head,omitempty"`
}

// Push carries a batch of events in sequence order (device to server).
type Push struct {
	Events []Event `json:"events"`
}

// Status is the outcome of one event.
type Status string

// Event outcomes.
const (
	StatusApplied  Status = "applied"
	StatusParked   Status = "parked"
	StatusRejected Status = "rejected"
	// StatusCancelled is a parked event a supervisor cancelled: it is
	// never applied. It reaches the device as a Resolution, not an ack.
	StatusCancelled Status = "cancelled"
)

// Outcome is what became of one pushed event. Pushing the same event again
// returns the same outcome; a parked one may later be resolved by a
// supervisor (see Resolution).
type Outcome struct {
	ID     string `json:"id"`
	Seq    uint64 `json:"seq"`
	Status Status `json:"status"`
	// Code is set for parked and rejected events (see the package
	// documentation for the codes).
	Code   string `json:"code,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Position is the ledger position of the event's last entry, for
	// applied events that changed stock.
	Position uint64 `json:"position,omitempty"`
}

// Ack answers a push, one outcome per event in the push's order.
type Ack struct {
	Outcomes     []Outcome `json:"outcomes"`
	AckedThrough uint64    `json:"acked_through"`
}

// Pull asks for ledger changes after Cursor (device to server) and, when
// CatalogCursor is set, for reference data changed after it.
type Pull struct {
	Cursor        uint64  `json:"cursor"`
	Limit         int     `json:"limit,omitempty"`
	CatalogCursor *uint64 `json:"catalog_cursor,omitempty"`
	// Compact asks for the device's own entries only: levels still carry
	// the last balance of every key the page covers, which is all a
	// device needs of other devices' movements.
	Compact bool `json:"compact,omitempty"`
}

// Entry is one ledger entry: a change of Delta at one stock key, leaving
// Balance there.
type Entry struct {
	Position   uint64    `json:"position"`
	EventID    string    `json:"event_id"`
	DeviceID   string    `json:"device_id"`
	Kind       Kind      `json:"kind"`
	Location   string    `json:"location"`
	SKU        string    `json:"sku"`
	Lot        string    `json:"lot,omitempty"`
	Delta      int64     `json:"delta"`
	Balance    int64     `json:"balance"`
	RecordedAt time.Time `json:"recorded_at"`
}

// Level is the quantity at one stock key as of a position.
type Level struct {
	Location string `json:"location"`
	SKU      string `json:"sku"`
	Lot      string `json:"lot,omitempty"`
	Qty      int64  `json:"qty"`
	Position uint64 `json:"position"`
}

// Changes is one page of the device warehouse's ledger after a cursor.
type Changes struct {
	From    uint64  `json:"from"`
	Cursor  uint64  `json:"cursor"`
	Entries []Entry `json:"entries"`
	Levels  []Level `json:"levels"`
	More    bool    `json:"more"`
	// The catalog part, present when the pull had a catalog_cursor:
	// the device's reference records changed after CatalogFrom, through
	// CatalogCursor; CatalogMore says another catalog page follows.
	CatalogFrom   uint64   `json:"catalog_from,omitempty"`
	CatalogCursor uint64   `json:"catalog_cursor,omitempty"`
	Catalog       *Catalog `json:"catalog,omitempty"`
	CatalogMore   bool     `json:"catalog_more,omitempty"`
	// Resolutions are a supervisor's decisions on this device's parked
	// events, in the ledger range (From, Cursor].
	Resolutions []Resolution `json:"resolutions,omitempty"`
}

// Resolution is a supervisor's decision on a parked event: accepted (the
// event is applied, after an adjustment that makes its stock exist) or
// cancelled (it never will be). Position is where the decision sits in
// the warehouse's ledger order.
type Resolution struct {
	EventID  string    `json:"event_id"`
	Seq      uint64    `json:"seq"`
	Status   Status    `json:"status"` // applied | cancelled
	Reason   string    `json:"reason"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
	Position uint64    `json:"position"`
}

// Poke tells a device that its warehouse's ledger has grown to Head, or
// its catalog to CatalogHead.
type Poke struct {
	Head        uint64 `json:"head"`
	CatalogHead uint64 `json:"catalog_head,omitempty"`
}

// Error is a protocol error. See the package documentation for the codes.
type Error struct {
	Code             string `json:"code"`
	Message          string `json:"message"`
	RetryAfterMillis int64  `json:"retry_after_ms,omitempty"`
	ExpectedSeq      uint64 `json:"expected_seq,omitempty"`
	Field            string `json:"field,omitempty"`
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Ping asks the peer for a Pong with the same nonce.
type Ping struct {
	Nonce uint64 `json:"nonce"`
}

// Pong answers a Ping.
type Pong struct {
	Nonce uint64 `json:"nonce"`
}

type envelope struct {
	Type Type            `json:"type"`
	Body json.RawMessage `json:"body"`
}

// Marshal encodes m for the wire.
func Marshal(m *Message) ([]byte, error) {
	body, err := m.body()
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(struct {
		Type Type `json:"type"`
		Body any  `json:"body"`
	}{m.Type, body})
	if err != nil {
		return nil, fmt.Errorf("marshal %s: %w", m.Type, err)
	}
	return b, nil
}

// appendMessage appends m's encoding, exactly Marshal's, to b.
func appendMessage(b []byte, m *Message) ([]byte, error) {
	body, err := m.body()
	if err != nil {
		return b, err
	}
	b, err = json.Append(b, struct {
		Type Type `json:"type"`
		Body any  `json:"body"`
	}{m.Type, body}, json.EscapeHTML|json.SortMapKeys) // Marshal's flags
	if err != nil {
		return b, fmt.Errorf("marshal %s: %w", m.Type, err)
	}
	return b, nil
}

func (m *Message) body() (any, error) {
	var b any
	switch m.Type {
	case TypeHello:
		b = m.Hello
	case TypeWelcome:
		b = m.Welcome
	case TypePush:
		b = m.Push
	case TypeAck:
		b = m.Ack
	case TypePull:
		b = m.Pull
	case TypeChanges:
		b = m.Changes
	case TypePoke:
		b = m.Poke
	case TypeError:
		b = m.Error
	case TypePing:
		b = m.Ping
	case TypePong:
		b = m.Pong
	default:
		return nil, fmt.Errorf("marshal: unknown message type %q", m.Type)
	}
	if isNil(b) {
		return nil, fmt.Errorf("marshal %s: no body", m.Type)
	}
	return b, nil
}

func isNil(b any) bool {
	switch v := b.(type) {
	case *Hello:
		return v == nil
	case *Welcome:
		return v == nil
	case *Push:
		return v == nil
	case *Ack:
		return v == nil
	case *Pull:
		return v == nil
	case *Changes:
		return v == nil
	case *Poke:
		return v == nil
	case *Error:
		return v == nil
	case *Ping:
		return v == nil
	case *Pong:
		return v == nil
	}
	return b == nil
}

// Unmarshal decodes one wire message. Errors are *Error values with code
// ErrBadMessage, ErrUnknownType or ErrMessageTooLarge, ready to send back.
// Unknown fields are ignored so that a minor addition within a protocol
// version does not break older peers.
func Unmarshal(data []byte) (*Message, error) {
	if len(data) > MaxMessageBytes {
		return nil, &Error{Code: ErrMessageTooLarge, Message: fmt.Sprintf("message of %d bytes exceeds the limit of %d", len(data), MaxMessageBytes)}
	}
	if m, ok := unmarshalFast(data); ok {
		return m, nil
	}
	return unmarshalSteps(data)
}

// unmarshalSteps decodes the envelope, then its body.
func unmarshalSteps(data []byte) (*Message, error) {
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		return nil, &Error{Code: ErrBadMessage, Message: "message is not a JSON envelope: " + err.Error()}
	}
	if env.Type == "" {
		return nil, &Error{Code: ErrBadMessage, Message: "message has no type", Field: "type"}
	}
	body := bytes.TrimSpace(env.Body)
	if len(body) == 0 || bytes.Equal(body, []byte("null")) || body[0] != '{' {
		return nil, &Error{Code: ErrBadMessage, Message: fmt.Sprintf("%s message has no body object", env.Type), Field: "body"}
	}
	m, target := newMessage(env.Type)
	if target == nil {
		return nil, &Error{Code: ErrUnknownType, Message: fmt.Sprintf("unknown message type %q", env.Type), Field: "type"}
	}
	if err := json.Unmarshal(body, target); err != nil {
		msg := err.Error()
		var te *json.UnmarshalTypeError
		field := ""
		if errors.As(err, &te) {
			field = te.Field
		}
		return nil, &Error{Code: ErrBadMessage, Message: fmt.Sprintf("bad %s message: %s", env.Type, msg), Field: field}
	}
	if err := checkLimits(m); err != nil {
		return nil, err
	}
	return m, nil
}

// unmarshalFast decodes a message in one pass when it has the shape
// Marshal gives every message, {"type":"T","body":{...}} with each key
// once: decoding the envelope and then its body scanned the body four
// times, and a device decodes every changes page of its warehouse. ok is
// false for anything else, which Unmarshal then decodes step by step
// (and explains, when it is bad).
func unmarshalFast(data []byte) (*Message, bool) {
	const prefix = `{"type":"`
	if !bytes.HasPrefix(data, []byte(prefix)) {
		return nil, false
	}
	rest := data[len(prefix):]
	end := bytes.IndexByte(rest, '"')
	if end <= 0 || !bytes.HasPrefix(rest[end:], []byte(`","body":{`)) ||
		!oneTypeOneBody(data) {
		return nil, false
	}
	t := Type(rest[:end])
	m, target := newMessage(t)
	if target == nil {
		return nil, false
	}
	env := struct {
		Type Type `json:"type"`
		Body any  `json:"body"`
	}{Body: target}
	if err := json.Unmarshal(data, &env); err != nil || env.Type != t || checkLimits(m) != nil {
		return nil, false
	}
	return m, true
}

// topKeys counts the top-level keys of the JSON object data equal to
// "type" and to "body" ignoring case, as encoding/json matches keys: a
// second "Body" key would merge into the first body in one pass where the
// step-by-step decoding keeps the last. Keys of nested objects (a
// location's "type") do not count. Malformed input counts anything; the
// decoding refuses it anyway.
func topKeys(data []byte) (types, bodies int) {
	depth, inString, escaped, start := 0, false, false, 0
	for i, c := range data {
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
				if depth == 1 {
					key := data[start:i]
					rest := bytes.TrimLeft(data[i+1:], " \t\r\n")
					if len(rest) > 0 && rest[0] == ':' {
						if bytes.EqualFold(key, []byte("type")) {
							types++
						} else if bytes.EqualFold(key, []byte("body")) {
							bodies++
						}
					}
				}
			}
			continue
		}
		switch c {
		case '"':
			inString, start = true, i+1
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		}
	}
	return types, bodies
}

func oneTypeOneBody(data []byte) bool {
	types, bodies := topKeys(data)
	return types == 1 && bodies == 1
}

// checkLimits refuses what is well formed but too much.
func checkLimits(m *Message) error {
	if m.Type == TypePush && len(m.Push.Events) > MaxBatch {
		return &Error{Code: ErrBadMessage, Message: fmt.Sprintf("push of %d events exceeds the batch limit of %d", len(m.Push.Events), MaxBatch), Field: "events"}
	}
	return nil
}

// newMessage returns an empty message of type t and the body to decode
// into (nil for an unknown type).
func newMessage(t Type) (*Message, any) {
	m := &Message{Type: t}
	var target any
	switch t {
	case TypeHello:
		m.Hello = new(Hello)
		target = m.Hello
	case TypeWelcome:
		m.Welcome = new(Welcome)
		target = m.Welcome
	case TypePush:
		m.Push = new(Push)
		target = m.Push
	case TypeAck:
		m.Ack = new(Ack)
		target = m.Ack
	case TypePull:
		m.Pull = new(Pull)
		target = m.Pull
	case TypeChanges:
		m.Changes = new(Changes)
		target = m.Changes
	case TypePoke:
		m.Poke = new(Poke)
		target = m.Poke
	case TypeError:
		m.Error = new(Error)
		target = m.Error
	case TypePing:
		m.Ping = new(Ping)
		target = m.Ping
	case TypePong:
		m.Pong = new(Pong)
		target = m.Pong
	default:
		return nil, nil
	}
	return m, target
}

// Protocol error codes. The list only grows.
const (
	ErrBadMessage         = "bad_message"
	ErrUnknownType        = "unknown_type"
	ErrMessageTooLarge    = "message_too_large"
	ErrHelloRequired      = "hello_required"
	ErrVersionUnsupported = "version_not_supported"
	ErrUnauthorized       = "unauthorized"
	ErrResetRequired      = "reset_required"
	ErrDeviceConflict     = "device_conflict"
	ErrSequenceGap        = "sequence_gap"
	ErrBusy               = "busy"
	ErrInternal           = "internal"
	ErrShuttingDown       = "shutting_down"
)

// Event outcome codes (Outcome.Code).
const (
	CodeInsufficientStock = "insufficient_stock"
	CodeCountVariance     = "count_variance"
	CodeInvalidEvent      = "invalid_event"
	CodeHashMismatch      = "hash_mismatch"
	CodeWrongDevice       = "wrong_device"
	// CodeForbidden rejects an event whose user does not exist, is
	// archived, or lacks the role its kind needs (see the role table in
	// the package documentation).
	CodeForbidden = "forbidden"
)
