// Package sqlite implements the server's store on an embedded SQLite
// database (modernc.org/sqlite, pure Go): WAL journal, one writer
// connection with BEGIN IMMEDIATE transactions, a pool of readers, a
// background checkpointer, and numbered migrations embedded in the binary
// and applied with goose.
//
// It holds no business rules: the ledger's decisions are made in package
// server and run inside Store.Update's transaction.
//
// The writer is the server's one serial resource, so a write transaction
// does as few statements as it can: statements are prepared once per
// transaction (queries whose rows it reads through each too) and run
// without the driver's per-statement cancellation watcher
// (uninterrupted); a group commit reads its devices, event IDs and stock
// levels ahead in one query each (Prefetch, PrefetchStock); stock rows and
// usage are written once per row at commit (flush). What these keep in
// memory follows a savepoint's rollback.
package sqlite
