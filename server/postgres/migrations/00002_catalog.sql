-- +goose Up
-- Reference data: SKUs and barcodes, warehouses and locations, suppliers,
-- purchase and sales orders, as in SQLite's 00002_catalog.sql. Nothing is
-- deleted: archived_at is set instead. Every change appends to
-- catalog_changes in the same transaction and the record keeps the
-- position of its last change, so devices can pull the changes after a
-- cursor.
--
-- Keys (and the columns that refer to them) are COLLATE "C": records list
-- and page in byte order, the order SQLite uses, whatever the database's
-- default collation.

-- Positions come from the sequence, taken while the writer holds the
-- catalog's advisory lock (see catalog.go), so they commit in order.
CREATE TABLE catalog_changes (
    position  BIGSERIAL PRIMARY KEY,
    kind      TEXT NOT NULL,
    warehouse TEXT COLLATE "C" NOT NULL, -- '' for the kinds every warehouse shares
    code      TEXT COLLATE "C" NOT NULL
);

CREATE TABLE skus (
    code         TEXT COLLATE "C" PRIMARY KEY,
    name         TEXT NOT NULL,
    unit         TEXT NOT NULL,
    track_lot    BOOLEAN NOT NULL DEFAULT false,
    track_expiry BOOLEAN NOT NULL DEFAULT false,
    track_serial BOOLEAN NOT NULL DEFAULT false,
    unit_cost    BIGINT NOT NULL DEFAULT 0, -- minor currency units per base unit
    archived     BOOLEAN NOT NULL DEFAULT false,
    archived_at  TIMESTAMPTZ,
    position     BIGINT NOT NULL
);

CREATE TABLE barcodes (
    value       TEXT COLLATE "C" PRIMARY KEY,
    sku         TEXT COLLATE "C" NOT NULL REFERENCES skus (code),
    type        TEXT NOT NULL,
    pack        BIGINT NOT NULL CHECK (pack >= 1),
    archived    BOOLEAN NOT NULL DEFAULT false,
    archived_at TIMESTAMPTZ,
    position    BIGINT NOT NULL
);
CREATE INDEX barcodes_sku ON barcodes (sku, value);

CREATE TABLE warehouses (
    code            TEXT COLLATE "C" PRIMARY KEY,
    name            TEXT NOT NULL,
    blind_receiving BOOLEAN NOT NULL DEFAULT false,
    archived        BOOLEAN NOT NULL DEFAULT false,
    archived_at     TIMESTAMPTZ,
    position        BIGINT NOT NULL
);

CREATE TABLE locations (
    warehouse   TEXT COLLATE "C" NOT NULL REFERENCES warehouses (code),
    code        TEXT COLLATE "C" NOT NULL,
    type        TEXT NOT NULL,
    barcode     TEXT COLLATE "C" NOT NULL DEFAULT '',
    sequence    BIGINT NOT NULL DEFAULT 0,
    archived    BOOLEAN NOT NULL DEFAULT false,
    archived_at TIMESTAMPTZ,
    position    BIGINT NOT NULL,
    PRIMARY KEY (warehouse, code)
);
CREATE UNIQUE INDEX locations_barcode ON locations (warehouse, barcode) WHERE barcode <> '';
CREATE INDEX locations_barcode_any ON locations (barcode) WHERE barcode <> '';

CREATE TABLE suppliers (
    code           TEXT COLLATE "C" PRIMARY KEY,
    name           TEXT NOT NULL,
    lead_time_days BIGINT NOT NULL DEFAULT 0,
    archived       BOOLEAN NOT NULL DEFAULT false,
    archived_at    TIMESTAMPTZ,
    position       BIGINT NOT NULL
);

CREATE TABLE purchase_orders (
    number        TEXT COLLATE "C" PRIMARY KEY,
    supplier      TEXT COLLATE "C" NOT NULL REFERENCES suppliers (code),
    warehouse     TEXT COLLATE "C" NOT NULL REFERENCES warehouses (code),
    status        TEXT NOT NULL,
    expected_date TEXT NOT NULL DEFAULT '', -- YYYY-MM-DD or ''
    archived      BOOLEAN NOT NULL DEFAULT false,
    archived_at   TIMESTAMPTZ,
    position      BIGINT NOT NULL
);
CREATE INDEX purchase_orders_warehouse ON purchase_orders (warehouse, number);

CREATE TABLE purchase_order_lines (
    number   TEXT COLLATE "C" NOT NULL REFERENCES purchase_orders (number),
    line     INTEGER NOT NULL,
    sku      TEXT COLLATE "C" NOT NULL REFERENCES skus (code),
    ordered  BIGINT NOT NULL,
    received BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (number, line)
);

CREATE TABLE sales_orders (
    number      TEXT COLLATE "C" PRIMARY KEY,
    customer    TEXT NOT NULL,
    warehouse   TEXT COLLATE "C" NOT NULL REFERENCES warehouses (code),
    status      TEXT NOT NULL,
    archived    BOOLEAN NOT NULL DEFAULT false,
    archived_at TIMESTAMPTZ,
    position    BIGINT NOT NULL
);
CREATE INDEX sales_orders_warehouse ON sales_orders (warehouse, number);

CREATE TABLE sales_order_lines (
    number TEXT COLLATE "C" NOT NULL REFERENCES sales_orders (number),
    line   INTEGER NOT NULL,
    sku    TEXT COLLATE "C" NOT NULL REFERENCES skus (code),
    qty    BIGINT NOT NULL,
    picked BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (number, line)
);

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
