-- +goose Up
-- events becomes a rowid table, rows in the order they arrive, with
-- (device_id, seq) a unique index instead of the clustering key. Clustered
-- by device, a group commit of one-scan pushes from 200 devices wrote 200
-- table pages (each with the rows' payloads) and split them as they
-- filled; in arrival order it appends to a few, and the (device_id, seq)
-- index entries are small. Same columns, same constraints.
CREATE TABLE events_new (
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
    UNIQUE (device_id, seq)
);
INSERT INTO events_new (device_id, seq, event_id, hash, kind, payload, status, code, reason, position, received_at)
    SELECT device_id, seq, event_id, hash, kind, payload, status, code, reason, position, received_at
    FROM events ORDER BY received_at, device_id, seq;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE INDEX events_open ON events (status, received_at) WHERE status <> 'applied';
CREATE INDEX events_exceptions ON events (received_at) WHERE kind = 'exception';

-- +goose Down
CREATE TABLE events_old (
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
INSERT INTO events_old SELECT device_id, seq, event_id, hash, kind, payload, status, code, reason, position, received_at FROM events;
DROP TABLE events;
ALTER TABLE events_old RENAME TO events;
CREATE INDEX events_open ON events (status, received_at) WHERE status <> 'applied';
CREATE INDEX events_exceptions ON events (received_at) WHERE kind = 'exception';
