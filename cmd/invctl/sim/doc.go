// Package sim is Driftless's deterministic simulator: N devices and a
// server in one process and one goroutine, driven from a seed, over a
// simulated network that delays, duplicates and cuts messages, partitions
// devices, crashes devices and restarts the server — while the devices
// keep scanning, several of them picking the last units of one SKU.
//
// Devices are the real client store and the real sync session
// (syncer.Core: the code Serve runs, without its goroutines); the server is
// the real server.Session over the real SQLite store. Time is a virtual
// clock; every random choice comes from the seed, so a failing seed replays
// exactly. After the faults stop and everything settles, Check verifies the
// invariants: every recorded event is held by the server exactly once with
// an outcome the device also holds; the ledger has exactly the entries the
// applied events call for; stock equals the sum of applied deltas and is
// never negative; every outbox is empty and every device's view equals the
// server's; the hot SKU's picks applied exactly the units that existed and
// parked the rest.
//
// Within one connection messages keep their order (the protocol runs over
// a websocket); reordering and duplication happen across connections: when
// a device gives up on a connection, what it had sent may still reach the
// server after its next connection's messages, and a cut can fall between
// the server's commit and its ack or between the device's send and its
// outbox update.
package sim
