// Package syncproto is the Driftless sync protocol, version 1: the messages
// a handheld device and the sync server exchange, and the event payload
// (schema version 1) both ends agree on. It imports nothing from client/ or
// server/. This comment is the specification; the golden fixtures in
// testdata/ are its examples and are checked by tests.
//
// # Transport
//
// A websocket at /api/v1/sync, subprotocol "driftless.v1" (a server that
// does not select it is not spoken to). Every message is one JSON text
// frame of at most MaxMessageBytes (1 MiB):
//
//	{"type": "<type>", "body": { ... }}
//
// Unknown fields inside a body are ignored, so fields may be added within
// version 1; anything that changes meaning needs a new protocol version.
// Times are RFC 3339 in UTC. Quantities are integers in the SKU's base unit.
//
// # Events (schema version 1)
//
// An event is one immutable stock-changing action recorded on a device:
//
//	id             UUIDv7 made on the device
//	device_id      the device's ID from enrollment
//	seq            per-device sequence 1, 2, 3, … never reused, no gaps
//	user           who scanned
//	kind           receive | putaway | move | pick | return | damage | count | adjust
//	sku, lot       what (lot empty when not lot-tracked)
//	from, to       location codes, as the kind needs them
//	qty            positive; for adjust a signed delta; for count the quantity found (≥ 0)
//	reason, ref    reason code (damage, adjust); reference (PO, SO, pick list)
//	device_time    the device clock when recorded (informational; skew is reported)
//	seen_position  the last server ledger position the device had pulled
//	hash           "sha256:" + hex SHA-256 of the canonical payload (Event.ComputeHash)
//
// Ledger effect of each kind (applied atomically; every change is one ledger
// entry with its own position):
//
//	receive  +qty at to            return   +qty at to
//	putaway  −qty at from, +qty at to (from ≠ to)
//	move     −qty at from, +qty at to (from ≠ to)
//	pick     −qty at from
//	damage   −qty at from, and +qty at to when to is given (quarantine)
//	adjust   qty (signed) at from
//	count    no change: a proposal checked against the ledger (below)
//
// # Session
//
// After the websocket opens, the device sends hello and waits:
//
//	device                                server
//	hello{protocol, schema, app_version,
//	      device_id, token, acked_through,
//	      last_seq, cursor, device_time} →
//	                                    ← welcome{protocol, schema, server_version, warehouse,
//	                                              acked_through, expected_seq, head,
//	                                              server_time, clock_skew_ms, heartbeat_ms,
//	                                              max_message_bytes, max_batch}
//	                                      or error{code} and close
//
// The server refuses the session with version_not_supported when protocol
// or schema is not one it speaks, unauthorized for an unknown or revoked
// device or a wrong token, and reset_required when last_seq (the highest
// sequence the device has ever assigned) is below the server's acked_through
// for that device: the device lost events the server holds, so its database
// was restored from a backup or replaced; it must be re-enrolled rather
// than reuse sequences. Any message before hello gets hello_required and
// the connection closes.
//
// After welcome, either side may send at any time; the server handles one
// device message at a time and answers in order.
//
// Push and ack. The device sends its unacknowledged events in sequence
// order, in batches of at most max_batch (and max_message_bytes), without
// waiting for each ack (several pushes may be in flight):
//
//	push{events: [event, …]}   →
//	                           ← ack{outcomes: [{id, seq, status, code, reason, position}, …],
//	                                 acked_through}
//
// One outcome per event, in the push's order. Status is applied, parked
// (accepted and kept for a supervisor; code says why: insufficient_stock
// when a movement would take a location below zero, count_variance when a
// count disagrees with the ledger) or rejected (code: invalid_event,
// hash_mismatch when the ID was used before with another payload,
// wrong_device when device_id is not the session's device). Every outcome
// is final and recorded with the event in the same transaction as its
// ledger entries: pushing the same event again returns the same outcome and
// changes nothing. acked_through is the highest contiguous device sequence
// the server holds; the device may forget nothing below it but needs to
// resend nothing below it.
//
// A push whose first new event is not acked_through+1 is answered with
// error{code: sequence_gap, expected_seq} and nothing in it is applied; the
// device resends from expected_seq. An event whose seq the server already
// holds under another ID means two databases share one device identity (a
// copied or restored database): the server answers error{code:
// device_conflict}, applies nothing from that push, and closes.
//
// Counts: the server computes expected = balance at (from, sku, lot) at
// seen_position, which is the current balance minus the deltas applied
// there after seen_position, so movements that land while the count is
// taken do not make a false variance. A count equal to expected is applied
// (no ledger change); any other is parked with count_variance for a
// supervisor.
//
// Pull and changes. The device pulls its warehouse's ledger after its
// cursor (a ledger position; 0 at first):
//
//	pull{cursor, limit}   →
//	                      ← changes{from, cursor, entries: [...], levels: [...], more}
//
// entries are ledger entries with position > from in position order, at
// most limit (default and maximum MaxPage); each carries the delta and the
// balance it left at its stock key (location, sku, lot). levels is the last
// balance of every key the page touched. cursor is the position of the last
// entry (from when the page is empty); more says another page follows. The
// device applies a page and advances its cursor in one transaction. When
// its warehouse's ledger grows, the server sends poke{head} unasked
// (coalesced); the device pulls when head > cursor.
//
// Heartbeats. Either side sends ping{nonce}; the peer answers pong{nonce}.
// The server pings every heartbeat_ms; a side that hears nothing (no
// message of any kind) for 3 × heartbeat_ms treats the connection as dead
// and closes it.
//
// # Errors
//
// error{code, message, retry_after_ms, expected_seq, field}. message is for
// people; code is for programs. The codes (the list only grows):
//
//	bad_message            not JSON, no type or body, a wrong field type, a push over the batch limit (field names the field); connection stays
//	unknown_type           a type this version does not know; connection stays
//	message_too_large      over max_message_bytes; connection closes
//	hello_required         a message before hello; connection closes
//	version_not_supported  protocol or schema not spoken; connection closes
//	unauthorized           unknown or revoked device, wrong token; connection closes
//	reset_required         the device lost events the server holds; connection closes
//	device_conflict        one device sequence under two event IDs; connection closes
//	sequence_gap           expected_seq says where to resend from; connection stays
//	busy                   retry the same message after retry_after_ms; connection stays
//	internal               the server failed; nothing from the message was applied; connection closes
//	shutting_down          the server is stopping; reconnect after retry_after_ms
//
// None of them changes anything on the server. Devices reconnect with
// exponential backoff and jitter after a closed connection, except after
// unauthorized, reset_required and device_conflict, which need a person.
package syncproto
