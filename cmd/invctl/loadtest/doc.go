// Package loadtest runs simulated handheld devices against a sync server
// and checks what arrived: every device uses the real client store (its
// own SQLite file) and the real sync engine, so a load test exercises
// exactly the code a handheld runs.
//
// After the devices settle it audits the server: every event a device
// recorded must be held by the server exactly once with an outcome
// (applied, parked or rejected), and the warehouse ledger must hold exactly
// the entries the applied events call for; every device's local stock view
// must equal the server's stock. `invctl loadtest` prints the Report as one
// JSON line; the end-to-end tests call Run directly.
//
// Light devices (Config.Light, `--light`) run the same sync engine over an
// in-memory store (memStore): the outbox, the outcomes and the pulled
// balances, without a handheld's SQLite transactions. They send the server
// exactly the messages real devices send. The fleet soak uses them: 200
// real stores in the load generator's process spent most of the 2-core
// machine on what 200 handhelds do on their own CPUs (each applies every
// stock change of the warehouse to its local view), so the soak measured
// the load generator, not the server. The audit is the same; a light
// device's view is the server's balances as pulled.
package loadtest
