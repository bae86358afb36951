// Package csvio imports and exports the catalog, orders and opening stock
// as CSV files, for `syncd import`, `syncd export` and the REST routes
// /api/v1/import/{kind} and /api/v1/export/{kind}.
//
// Kinds and their columns (a * marks a required column; the others may be
// left out of the header and default to empty, 0 or false):
//
//	skus             code*, name*, unit*, track_lot, track_expiry, track_serial, unit_cost (minor units), category, archived
//	barcodes         value*, sku*, type* (gtin|internal), pack (units per scan, default 1), archived
//	warehouses       code*, name*, blind_receiving, over_receipt_pct, min_shelf_life_days, archived
//	locations        warehouse*, code*, type* (dock|bin|quarantine|returns|staging|transit), barcode, sequence, archived
//	suppliers        code*, name*, lead_time_days, archived
//	purchase-orders  number*, supplier*, warehouse*, status*, expected_date, ssccs (space-separated),
//	                 line, sku, ordered, received, archived
//	sales-orders     number*, customer*, warehouse*, status*, line, sku, qty, picked, archived
//	opening-stock    warehouse*, location*, sku*, lot, qty*
//
// Orders take one row per line; the order's own columns repeat on each of
// its rows and must agree. A row with empty line and sku is an order
// without lines (a draft). Booleans are true/false (also 1/0, yes/no).
//
// An import reads the whole file and checks every row before writing
// anything: the file's shape (header, field count, UTF-8), each value
// (numbers, check digits, enumerations), keys unique within the file, and
// references against the database (unknown SKU, location, supplier,
// warehouse; a barcode that already stands for another SKU). When any row
// is bad, the import writes nothing and returns a *Rejected listing every
// bad row with its row number (the header is row 1), column and reason.
// A good file is written in one transaction: each record replaces the one
// with its key or is added. Opening stock is applied as receive events of
// the warehouse's import device (see server.Catalog.ImportOpeningStock),
// so it adds to the stock there.
//
// Export writes every record of a kind, archived ones included, in key
// order, in the same columns; importing an export into an empty catalog
// and exporting again gives the same bytes. The opening-stock export is
// the current stock (non-zero levels), so it is the file that seeds another
// server with today's stock.
package csvio
