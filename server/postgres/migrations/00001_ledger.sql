-- +goose Up
CREATE TABLE devices (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    warehouse     TEXT NOT NULL,
    token_hash    BYTEA NOT NULL,
    revoked       BOOLEAN NOT NULL DEFAULT false,
    acked_through BIGINT NOT NULL DEFAULT 0,
    app_version   TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    last_sync_at  TIMESTAMPTZ,
    last_hello_at TIMESTAMPTZ
);

CREATE TABLE events (
    device_id   TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    event_id    TEXT UNIQUE,
    hash        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    payload     JSONB NOT NULL,
    status      TEXT NOT NULL,
    code        TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    position    BIGINT NOT NULL DEFAULT 0,
    received_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (device_id, seq)
);
CREATE INDEX events_open ON events (status, received_at) WHERE status <> 'applied';
CREATE INDEX events_received ON events (received_at, device_id, seq);

CREATE TABLE stock (
    id        BIGSERIAL PRIMARY KEY,
    warehouse TEXT COLLATE "C" NOT NULL,
    location  TEXT COLLATE "C" NOT NULL,
    sku       TEXT COLLATE "C" NOT NULL,
    lot       TEXT COLLATE "C" NOT NULL,
    qty       BIGINT NOT NULL CHECK (qty >= 0),
    position  BIGINT NOT NULL,
    UNIQUE (warehouse, location, sku, lot)
);
CREATE INDEX stock_sku ON stock (warehouse, sku);

-- Positions come from a sequence, taken while the writer holds its
-- warehouse's advisory lock, so within a warehouse they commit in order.
CREATE TABLE ledger (
    position    BIGSERIAL PRIMARY KEY,
    warehouse   TEXT NOT NULL,
    key_id      BIGINT NOT NULL REFERENCES stock (id),
    delta       BIGINT NOT NULL,
    balance     BIGINT NOT NULL,
    event_id    TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX ledger_warehouse ON ledger (warehouse, position);
CREATE INDEX ledger_key ON ledger (key_id, position);

-- +goose Down
DROP TABLE ledger;
DROP TABLE stock;
DROP TABLE events;
DROP TABLE devices;
