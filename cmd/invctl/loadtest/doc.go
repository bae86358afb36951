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
package loadtest
