-- Reference data pulled from the server so that scans resolve offline:
-- the SKUs, barcodes and suppliers every warehouse shares, and this
-- device's warehouse, locations and open orders. Rows hold the records'
-- current state; archived records and orders that are no longer open are
-- deleted, not flagged (the device holds what the floor works with).

-- +goose Up
ALTER TABLE sync_state ADD COLUMN catalog_cursor INTEGER NOT NULL DEFAULT 0;
-- When the last snapshot completed (unix nanoseconds, 0 = never).
ALTER TABLE sync_state ADD COLUMN snapshot_at INTEGER NOT NULL DEFAULT 0;

CREATE TABLE ref_warehouse (
    code            TEXT PRIMARY KEY,
    name            TEXT    NOT NULL,
    blind_receiving INTEGER NOT NULL,
    position        INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE ref_suppliers (
    code           TEXT PRIMARY KEY,
    name           TEXT    NOT NULL,
    lead_time_days INTEGER NOT NULL,
    position       INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE ref_skus (
    code         TEXT PRIMARY KEY,
    name         TEXT    NOT NULL,
    unit         TEXT    NOT NULL,
    track_lot    INTEGER NOT NULL,
    track_expiry INTEGER NOT NULL,
    track_serial INTEGER NOT NULL,
    unit_cost    INTEGER NOT NULL,
    position     INTEGER NOT NULL
) WITHOUT ROWID;

-- value is the barcode as the catalog holds it; key is resolve.BarcodeKey
-- of it (GTINs as 14 digits), what a scan is looked up by.
CREATE TABLE ref_barcodes (
    value    TEXT PRIMARY KEY,
    key      TEXT    NOT NULL,
    sku      TEXT    NOT NULL,
    type     TEXT    NOT NULL,
    pack     INTEGER NOT NULL,
    position INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX ref_barcodes_key ON ref_barcodes (key, sku, pack);

CREATE TABLE ref_locations (
    code     TEXT PRIMARY KEY,
    type     TEXT    NOT NULL,
    barcode  TEXT    NOT NULL,
    sequence INTEGER NOT NULL,
    position INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX ref_locations_barcode ON ref_locations (barcode, code) WHERE barcode <> '';

CREATE TABLE ref_purchase_orders (
    number        TEXT PRIMARY KEY,
    supplier      TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    expected_date TEXT    NOT NULL,
    position      INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE ref_purchase_order_lines (
    number   TEXT    NOT NULL,
    line     INTEGER NOT NULL, -- 1-based, in the order's order
    sku      TEXT    NOT NULL,
    ordered  INTEGER NOT NULL,
    received INTEGER NOT NULL,
    PRIMARY KEY (number, line)
) WITHOUT ROWID;

CREATE TABLE ref_sales_orders (
    number   TEXT PRIMARY KEY,
    customer TEXT    NOT NULL,
    status   TEXT    NOT NULL,
    position INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE ref_sales_order_lines (
    number TEXT    NOT NULL,
    line   INTEGER NOT NULL,
    sku    TEXT    NOT NULL,
    qty    INTEGER NOT NULL,
    picked INTEGER NOT NULL,
    PRIMARY KEY (number, line)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE ref_sales_order_lines;
DROP TABLE ref_sales_orders;
DROP TABLE ref_purchase_order_lines;
DROP TABLE ref_purchase_orders;
DROP TABLE ref_locations;
DROP TABLE ref_barcodes;
DROP TABLE ref_skus;
DROP TABLE ref_suppliers;
DROP TABLE ref_warehouse;
ALTER TABLE sync_state DROP COLUMN snapshot_at;
ALTER TABLE sync_state DROP COLUMN catalog_cursor;
