// Package postgres implements the server's store on PostgreSQL (pgx), for
// deployments that outgrow one machine: several stateless syncd replicas
// share one database.
//
// Writers to one warehouse's stock are serialized by a transaction-level
// advisory lock on the warehouse, taken before the first stock read, so a
// stock check and the entries it allows cannot interleave with another
// replica's, and ledger positions (from a sequence, taken under the lock)
// become visible in order within a warehouse: a device pulling by cursor
// never skips an entry. Migrations are the same goose scheme as SQLite's,
// in this package's dialect. It passes server/storetest like every store.
package postgres
