-- +goose Up
-- The parked queue: a row per parked event, written when it parks. head
-- is the warehouse's ledger head then (the evidence runs up to it); code
-- and reason are why it parked. A supervisor's decision fills decision
-- (applied | cancelled), decision_reason, decided_by, decided_at and
-- position, which is taken from the ledger's own position sequence so
-- devices pull the decision in ledger order.
CREATE TABLE parked (
    device_id       TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    event_id        TEXT NOT NULL,
    warehouse       TEXT NOT NULL,
    head            INTEGER NOT NULL DEFAULT 0,
    parked_at       TEXT NOT NULL,
    code            TEXT NOT NULL DEFAULT '',
    reason          TEXT NOT NULL DEFAULT '',
    decision        TEXT NOT NULL DEFAULT '',
    decision_reason TEXT NOT NULL DEFAULT '',
    decided_by      TEXT NOT NULL DEFAULT '',
    decided_at      TEXT NOT NULL DEFAULT '',
    position        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (device_id, seq)
) WITHOUT ROWID;
CREATE INDEX parked_queue ON parked (warehouse, decision, parked_at);
CREATE INDEX parked_position ON parked (warehouse, position) WHERE position > 0;
INSERT INTO parked (device_id, seq, event_id, warehouse, parked_at, code, reason)
    SELECT e.device_id, e.seq, COALESCE(e.event_id, ''), d.warehouse, e.received_at, e.code, e.reason
    FROM events e JOIN devices d ON d.id = e.device_id WHERE e.status = 'parked';

-- Transfers between warehouses (catalog kind transfer) and their lines.
CREATE TABLE transfers (
    number         TEXT PRIMARY KEY,
    from_warehouse TEXT NOT NULL REFERENCES warehouses (code),
    to_warehouse   TEXT NOT NULL REFERENCES warehouses (code),
    status         TEXT NOT NULL,
    archived       INTEGER NOT NULL DEFAULT 0,
    archived_at    TEXT NOT NULL DEFAULT '',
    position       INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX transfers_from ON transfers (from_warehouse, number);
CREATE INDEX transfers_to ON transfers (to_warehouse, number);

CREATE TABLE transfer_lines (
    number   TEXT NOT NULL REFERENCES transfers (number),
    line     INTEGER NOT NULL,
    sku      TEXT NOT NULL REFERENCES skus (code),
    lot      TEXT NOT NULL DEFAULT '',
    qty      INTEGER NOT NULL,
    shipped  INTEGER NOT NULL DEFAULT 0,
    received INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (number, line)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE transfer_lines;
DROP TABLE transfers;
DROP TABLE parked;
