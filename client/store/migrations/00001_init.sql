-- The handheld's database: who the device is, its outbox of events (the
-- device's whole history; rows are never deleted), the balances pulled from
-- the server, the deltas of its own events the server has not yet reflected
-- in a pull, and the materialized local stock view.

-- +goose Up
CREATE TABLE identity (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    device_id   TEXT    NOT NULL,
    token       TEXT    NOT NULL,
    server_url  TEXT    NOT NULL,
    warehouse   TEXT    NOT NULL,
    enrolled_at INTEGER NOT NULL -- unix nanoseconds
);

-- One row: the sequence counter lives here so that assigning a sequence and
-- writing the event are one transaction.
CREATE TABLE sync_state (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq      INTEGER NOT NULL DEFAULT 0,
    acked_through INTEGER NOT NULL DEFAULT 0,
    cursor        INTEGER NOT NULL DEFAULT 0,
    last_sync_at  INTEGER NOT NULL DEFAULT 0 -- unix nanoseconds, 0 = never
);
INSERT INTO sync_state (id) VALUES (1);

-- Every page a Record touches costs a WAL frame write, so the outbox has
-- no index beyond its primary key on the hot path: outcomes are matched by
-- seq (and checked against id), and the partial indexes below only gain
-- entries when an ack arrives.
CREATE TABLE outbox (
    seq          INTEGER PRIMARY KEY,
    id           TEXT    NOT NULL,
    payload      TEXT    NOT NULL,            -- the sealed event as JSON
    recorded_at  INTEGER NOT NULL,            -- unix nanoseconds
    status       TEXT    NOT NULL DEFAULT '', -- '' until acknowledged, then applied | parked | rejected
    code         TEXT    NOT NULL DEFAULT '',
    reason       TEXT    NOT NULL DEFAULT '',
    position     INTEGER NOT NULL DEFAULT 0,
    acked_at     INTEGER NOT NULL DEFAULT 0,
    dismissed_at INTEGER NOT NULL DEFAULT 0
);
-- Covers the "needs attention" count (parked or rejected, not dismissed).
CREATE INDEX outbox_attention ON outbox (dismissed_at, status, seq) WHERE status IN ('parked', 'rejected');
CREATE INDEX outbox_applied_position ON outbox (position) WHERE status = 'applied';

-- Balances as the server reported them in pulled changes.
CREATE TABLE server_stock (
    location TEXT    NOT NULL,
    sku      TEXT    NOT NULL,
    lot      TEXT    NOT NULL,
    qty      INTEGER NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (location, sku, lot)
) WITHOUT ROWID;

-- Deltas of this device's events that no pulled page reflects yet and
-- whose outcome is not parked or rejected. Keyed by stock key first: the
-- view's sums and a pulled entry's deletion are prefix lookups, and Record
-- writes no secondary index.
CREATE TABLE pending (
    location TEXT    NOT NULL,
    sku      TEXT    NOT NULL,
    lot      TEXT    NOT NULL,
    event_id TEXT    NOT NULL,
    n        INTEGER NOT NULL, -- index in Event.Deltas()
    seq      INTEGER NOT NULL, -- the event's outbox row
    delta    INTEGER NOT NULL,
    PRIMARY KEY (location, sku, lot, event_id, n)
) WITHOUT ROWID;

-- The local view: server_stock + sum(pending) per key, kept in step by
-- every write.
CREATE TABLE stock_view (
    location TEXT    NOT NULL,
    sku      TEXT    NOT NULL,
    lot      TEXT    NOT NULL,
    qty      INTEGER NOT NULL,
    PRIMARY KEY (location, sku, lot)
) WITHOUT ROWID;

-- Record adds an event's deltas to the view through this trigger (one
-- statement per event instead of one per delta and table); deletions from
-- pending recompute the touched keys explicitly.
-- +goose StatementBegin
CREATE TRIGGER pending_adds_to_view AFTER INSERT ON pending
BEGIN
    INSERT INTO stock_view (location, sku, lot, qty) VALUES (NEW.location, NEW.sku, NEW.lot, NEW.delta)
        ON CONFLICT (location, sku, lot) DO UPDATE SET qty = qty + excluded.qty;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER pending_adds_to_view;
DROP TABLE stock_view;
DROP TABLE pending;
DROP TABLE server_stock;
DROP TABLE outbox;
DROP TABLE sync_state;
DROP TABLE identity;
