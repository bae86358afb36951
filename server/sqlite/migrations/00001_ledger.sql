-- +goose Up
CREATE TABLE devices (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    warehouse     TEXT NOT NULL,
    token_hash    BLOB NOT NULL,
    revoked       INTEGER NOT NULL DEFAULT 0,
    acked_through INTEGER NOT NULL DEFAULT 0,
    app_version   TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    last_sync_at  TEXT NOT NULL DEFAULT '',
    last_hello_at TEXT NOT NULL DEFAULT ''
);

-- Every event a device sent, with its final outcome. (device_id, seq) is
-- the device's log; event_id is unique so no event applies twice.
CREATE TABLE events (
    device_id   TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    event_id    TEXT UNIQUE,
    hash        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    status      TEXT NOT NULL,
    code        TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0,
    received_at TEXT NOT NULL,
    PRIMARY KEY (device_id, seq)
) WITHOUT ROWID;
CREATE INDEX events_open ON events (status, received_at) WHERE status <> 'applied';

-- Stock levels, kept in step with the ledger in the same transaction. id
-- is the key's short handle in the ledger.
CREATE TABLE stock (
    id        INTEGER PRIMARY KEY,
    warehouse TEXT NOT NULL,
    location  TEXT NOT NULL,
    sku       TEXT NOT NULL,
    lot       TEXT NOT NULL,
    qty       INTEGER NOT NULL CHECK (qty >= 0),
    position  INTEGER NOT NULL,
    UNIQUE (warehouse, location, sku, lot)
);
CREATE INDEX stock_sku ON stock (warehouse, sku);

-- The ledger: append-only, position is the monotonic server sequence
-- devices pull by; key_id names the stock key.
CREATE TABLE ledger (
    position    INTEGER PRIMARY KEY AUTOINCREMENT,
    warehouse   TEXT NOT NULL,
    key_id      INTEGER NOT NULL REFERENCES stock (id),
    delta       INTEGER NOT NULL,
    balance     INTEGER NOT NULL,
    event_id    TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX ledger_warehouse ON ledger (warehouse, position);
CREATE INDEX ledger_key ON ledger (key_id, position);

-- +goose Down
DROP TABLE stock;
DROP TABLE ledger;
DROP TABLE events;
DROP TABLE devices;
