// Package crashtest kills real device and server processes with SIGKILL at
// chosen points of the sync pipeline, restarts them on the same files, and
// audits what the devices recorded against what the server holds.
//
// A process is armed with a Plan ("point:n"): the n-th time it reaches the
// point it kills itself with SIGKILL, which is what a pulled battery or an
// OOM kill looks like. The points sit in wrappers around the real parts,
// never in production code:
//
//   - on the device (RunDevice: the real client store and sync engine),
//     around the store the engine uses, the connection it dials, and the
//     scan loop: after a scan is recorded (before the engine is notified),
//     after a push is written to the socket (before its ack arrives),
//     after an ack arrives but before ApplyAck commits, after it commits,
//     after a pulled page arrives but before ApplyChanges commits, and
//     after it commits;
//   - on the server (RunServer: the real ledger, SQLite store and HTTP
//     server, wired as syncd serve wires them), around the server.Store
//     the ledger writes through: inside a push group's transaction after
//     a ledger entry was appended (before commit), after a push group
//     committed (before any ack is written), and during a pull (after the
//     page was read, before changes is written).
//
// Audit then checks the invariants: every event a device recorded is held
// by the server exactly once with an outcome the device also holds; each
// applied event has exactly its deltas in the ledger and no other event
// has any; every stock level is the sum of its deltas and no balance was
// ever negative; every outbox is empty and every device's view equals the
// server's stock.
//
// The tests run each child process by re-executing the test binary;
// `make crash` runs more cycles per point than `make test`.
package crashtest
