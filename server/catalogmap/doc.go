// Package catalogmap maps the catalog's records to SQL tables without any
// dialect: table and column names, keys, the values a record writes and
// the destinations it scans into, the columns a search looks at and the
// equality filters of each kind. server/sqlite and server/postgres build
// their (dialect-specific) queries from these, so a column added to a
// record is added once.
package catalogmap
