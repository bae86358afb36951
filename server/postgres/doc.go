// Package postgres implements the server's store on PostgreSQL (pgx), for
// deployments that outgrow one machine: several stateless syncd replicas
// share one database. It holds the ledger (server.Store) and the catalog
// of reference records (server.CatalogStore, with the counts snapshots
// report); one transaction type serves both, so opening stock enters the
// ledger in the transaction of the import that brings it.
//
// Writers to one warehouse's stock are serialized by a transaction-level
// advisory lock on the warehouse, taken before the first stock read, so a
// stock check and the entries it allows cannot interleave with another
// replica's, and ledger positions (from a sequence, taken under the lock)
// become visible in order within a warehouse: a device pulling by cursor
// never skips an entry. Catalog writers likewise take one catalog-wide
// advisory lock, so catalog change positions commit in order too (see
// catalog.go). Replicas hear each other's ledger growth and catalog heads
// through LISTEN/NOTIFY (ListenAll). Keys are COLLATE "C", so records and
// stock levels page in SQLite's byte order. Migrations are the same goose
// scheme as SQLite's, in this package's dialect. It passes server/storetest
// (Run and RunCatalog) like every store.
package postgres
