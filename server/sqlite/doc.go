// Package sqlite implements the server's store on an embedded SQLite
// database (modernc.org/sqlite, pure Go): WAL journal, one writer
// connection with BEGIN IMMEDIATE transactions, a pool of readers, and
// numbered migrations embedded in the binary and applied with goose.
//
// It holds no business rules: the ledger's decisions are made in package
// server and run inside Store.Update's transaction.
package sqlite
