-- +goose Up
-- Reference data: SKUs and barcodes, warehouses and locations, suppliers,
-- purchase and sales orders. Nothing is deleted: archived_at is set
-- instead. Every change appends to catalog_changes in the same
-- transaction and the record keeps the position of its last change, so
-- devices can pull the changes after a cursor.
CREATE TABLE catalog_changes (
    position  INTEGER PRIMARY KEY AUTOINCREMENT,
    kind      TEXT NOT NULL,
    warehouse TEXT NOT NULL, -- '' for the kinds every warehouse shares
    code      TEXT NOT NULL
);

CREATE TABLE skus (
    code         TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    unit         TEXT NOT NULL,
    track_lot    INTEGER NOT NULL DEFAULT 0,
    track_expiry INTEGER NOT NULL DEFAULT 0,
    track_serial INTEGER NOT NULL DEFAULT 0,
    unit_cost    INTEGER NOT NULL DEFAULT 0, -- minor currency units per base unit
    archived     INTEGER NOT NULL DEFAULT 0,
    archived_at  TEXT NOT NULL DEFAULT '',
    position     INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE barcodes (
    value       TEXT PRIMARY KEY,
    sku         TEXT NOT NULL REFERENCES skus (code),
    type        TEXT NOT NULL,
    pack        INTEGER NOT NULL CHECK (pack >= 1),
    archived    INTEGER NOT NULL DEFAULT 0,
    archived_at TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX barcodes_sku ON barcodes (sku, value);

CREATE TABLE warehouses (
    code            TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    blind_receiving INTEGER NOT NULL DEFAULT 0,
    archived        INTEGER NOT NULL DEFAULT 0,
    archived_at     TEXT NOT NULL DEFAULT '',
    position        INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE locations (
    warehouse   TEXT NOT NULL REFERENCES warehouses (code),
    code        TEXT NOT NULL,
    type        TEXT NOT NULL,
    barcode     TEXT NOT NULL DEFAULT '',
    sequence    INTEGER NOT NULL DEFAULT 0,
    archived    INTEGER NOT NULL DEFAULT 0,
    archived_at TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL,
    PRIMARY KEY (warehouse, code)
) WITHOUT ROWID;
CREATE UNIQUE INDEX locations_barcode ON locations (warehouse, barcode) WHERE barcode <> '';
CREATE INDEX locations_barcode_any ON locations (barcode) WHERE barcode <> '';

CREATE TABLE suppliers (
    code           TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    lead_time_days INTEGER NOT NULL DEFAULT 0,
    archived       INTEGER NOT NULL DEFAULT 0,
    archived_at    TEXT NOT NULL DEFAULT '',
    position       INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE purchase_orders (
    number        TEXT PRIMARY KEY,
    supplier      TEXT NOT NULL REFERENCES suppliers (code),
    warehouse     TEXT NOT NULL REFERENCES warehouses (code),
    status        TEXT NOT NULL,
    expected_date TEXT NOT NULL DEFAULT '',
    archived      INTEGER NOT NULL DEFAULT 0,
    archived_at   TEXT NOT NULL DEFAULT '',
    position      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX purchase_orders_warehouse ON purchase_orders (warehouse, number);

CREATE TABLE purchase_order_lines (
    number   TEXT NOT NULL REFERENCES purchase_orders (number),
    line     INTEGER NOT NULL,
    sku      TEXT NOT NULL REFERENCES skus (code),
    ordered  INTEGER NOT NULL,
    received INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (number, line)
) WITHOUT ROWID;

CREATE TABLE sales_orders (
    number      TEXT PRIMARY KEY,
    customer    TEXT NOT NULL,
    warehouse   TEXT NOT NULL REFERENCES warehouses (code),
    status      TEXT NOT NULL,
    archived    INTEGER NOT NULL DEFAULT 0,
    archived_at TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sales_orders_warehouse ON sales_orders (warehouse, number);

CREATE TABLE sales_order_lines (
    number TEXT NOT NULL REFERENCES sales_orders (number),
    line   INTEGER NOT NULL,
    sku    TEXT NOT NULL REFERENCES skus (code),
    qty    INTEGER NOT NULL,
    picked INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (number, line)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE sales_order_lines;
DROP TABLE sales_orders;
DROP TABLE purchase_order_lines;
DROP TABLE purchase_orders;
DROP TABLE suppliers;
DROP TABLE locations;
DROP TABLE warehouses;
DROP TABLE barcodes;
DROP TABLE skus;
DROP TABLE catalog_changes;
