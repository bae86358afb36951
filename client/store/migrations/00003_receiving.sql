-- What the handheld app needs for sign-in and receiving: the users who may
-- sign in (with their PIN hashes, checked offline), the warehouse's
-- receiving settings, the pallets announced for purchase orders, the
-- signed-in user, receipt drafts (every scan durable before it is
-- confirmed, resumed after a restart), and the serials this device has
-- received (to flag a duplicate serial without reading every event).

-- +goose Up
ALTER TABLE ref_warehouse ADD COLUMN over_receipt_pct INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ref_warehouse ADD COLUMN min_shelf_life_days INTEGER NOT NULL DEFAULT 0;

-- Users are kept when archived (flagged), so that signing in as one says
-- why it is refused.
CREATE TABLE ref_users (
    code     TEXT PRIMARY KEY,
    name     TEXT    NOT NULL,
    roles    TEXT    NOT NULL, -- comma-separated, in the catalog's order
    pin_hash TEXT    NOT NULL, -- bcrypt
    archived INTEGER NOT NULL,
    position INTEGER NOT NULL
) WITHOUT ROWID;

-- The SSCCs announced for a held purchase order, in the order's order.
CREATE TABLE ref_po_sscc (
    number TEXT    NOT NULL,
    n      INTEGER NOT NULL,
    sscc   TEXT    NOT NULL,
    PRIMARY KEY (number, n)
) WITHOUT ROWID;
CREATE INDEX ref_po_sscc_sscc ON ref_po_sscc (sscc, number);

-- One row while someone is signed in.
CREATE TABLE signed_in (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    user_code    TEXT    NOT NULL,
    signed_in_at INTEGER NOT NULL -- unix nanoseconds
);

-- A receipt draft: open while closed_at is 0; outcome is finished or
-- cancelled once closed. Drafts are kept after closing (a small history).
CREATE TABLE receipts (
    id        TEXT PRIMARY KEY,
    po        TEXT    NOT NULL,
    user_code TEXT    NOT NULL,
    blind     INTEGER NOT NULL,
    opened_at INTEGER NOT NULL,
    closed_at INTEGER NOT NULL DEFAULT 0,
    outcome   TEXT    NOT NULL DEFAULT ''
) WITHOUT ROWID;
CREATE INDEX receipts_open ON receipts (closed_at, user_code);

-- One scan of a draft. qty units in all, quarantine of them set aside
-- (expired, not on the order, over the tolerance); damaged moves the rest
-- to quarantine too.
CREATE TABLE receipt_scans (
    receipt       TEXT    NOT NULL REFERENCES receipts (id),
    n             INTEGER NOT NULL, -- 1-based
    at            INTEGER NOT NULL, -- unix nanoseconds
    barcode       TEXT    NOT NULL,
    sku           TEXT    NOT NULL,
    lot           TEXT    NOT NULL,
    serial        TEXT    NOT NULL,
    expiry        TEXT    NOT NULL,
    qty           INTEGER NOT NULL,
    quarantine    INTEGER NOT NULL,
    exception     TEXT    NOT NULL,
    reason        TEXT    NOT NULL,
    damaged       INTEGER NOT NULL DEFAULT 0,
    damage_reason TEXT    NOT NULL DEFAULT '',
    voided        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (receipt, n)
) WITHOUT ROWID;

-- Serials of receive events this device recorded; written by Record only
-- for events with a serial.
CREATE TABLE received_serials (
    sku    TEXT NOT NULL,
    serial TEXT NOT NULL,
    seq    INTEGER NOT NULL,
    PRIMARY KEY (sku, serial, seq)
) WITHOUT ROWID;
INSERT INTO received_serials (sku, serial, seq)
    SELECT json_extract(payload, '$.sku'), json_extract(payload, '$.serial'), seq FROM outbox
    WHERE json_extract(payload, '$.kind') = 'receive' AND COALESCE(json_extract(payload, '$.serial'), '') <> '';

-- +goose Down
DROP TABLE received_serials;
DROP TABLE receipt_scans;
DROP TABLE receipts;
DROP TABLE signed_in;
DROP TABLE ref_po_sscc;
DROP TABLE ref_users;
ALTER TABLE ref_warehouse DROP COLUMN min_shelf_life_days;
ALTER TABLE ref_warehouse DROP COLUMN over_receipt_pct;
