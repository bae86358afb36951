// Package syncer is the handheld's sync engine: it carries the store's
// outbox to the sync server and the warehouse's ledger back, over one
// syncproto websocket at a time, for as long as the app runs.
//
// Engine.Serve loops over sessions. A session dials, says hello with the
// store's acked_through, last_seq and cursor, and reads welcome. Then one
// reader goroutine feeds received messages to the session loop, which owns
// all session state and does all writing:
//
//   - push: events above the device's acked_through (or from the server's
//     expected_seq when the server holds less, after a restore) in
//     sequence order, in batches of BatchSize, with up to Window pushes in
//     flight. The loop pushes again as acks free the window, when Notify
//     says a scan was recorded, and every PollInterval (the first poll at
//     a random point of the interval, so a fleet that connected together,
//     as after a server restart, does not poll and pull together for as
//     long as it stays connected). Only full batches
//     join pushes in flight: scans recorded while a push is out wait for
//     its ack and go together in the next one (a busy server gets fewer,
//     larger pushes; a backlog still fills the window).
//   - ack: stored with Store.ApplyAck. The server answers a device's
//     messages in order, so each ack or error is matched with the oldest
//     request in flight.
//   - sequence_gap: pushing restarts from expected_seq (the outbox keeps
//     acknowledged events, so this works when the server lost events).
//     Answers to pushes sent before the restart are stale and ignored.
//   - busy: the push or pull is repeated after retry_after_ms.
//   - pull/changes: whenever head > cursor (from welcome or a poke) and
//     no push is in flight, page by page while more; each page is stored
//     with Store.ApplyChanges. Waiting for the pushes to drain lets a
//     catch-up's acks come first. The ledger positions in acks do not
//     start a pull: the server's poke, spaced for the size of the fleet,
//     follows the device's own pushes too (the poll tick pulls them if no
//     poke comes), where a pull per ack had every handheld pull the
//     warehouse's ledger after each of its scans. The device is idle
//     only once its own entries are pulled.
//   - ping/pong: the loop pings every heartbeat and answers pings; the
//     reader gives up when nothing arrives for the dead timeout.
//
// A welcome whose head is below the device's cursor means the server was
// restored from a backup: the device forgets what it pulled
// (Store.ResetPulled) and pulls the warehouse again from position 0.
//
// Any connection or protocol failure ends the session; Serve backs off
// (exponential, full jitter, reset after a session that made progress) and
// starts the next session from the store's state, never from what the last
// session believed: everything above acked_through is pushed again and the
// server deduplicates by event ID. unauthorized, reset_required,
// device_conflict and version_not_supported end Serve with a *FatalError:
// they need a person.
//
// Nothing grows with uptime: in-flight requests are bounded by Window, and
// every goroutine a session starts ends before the next session begins and
// before Serve returns.
package syncer
