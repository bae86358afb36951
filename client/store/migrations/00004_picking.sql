-- Picking, moves and transfers, and supervisors' decisions on parked
-- events: the pick lists and transfers the device's warehouse holds (from
-- catalog pulls and snapshots; lists and transfers that are no longer
-- held are deleted), the picker's progress through a list (what this
-- device picked, skipped and shorted per task, and where the picker is;
-- it survives a restart), and the resolution of parked events on their
-- outbox rows.

-- +goose Up
CREATE TABLE ref_pick_lists (
    id          TEXT PRIMARY KEY,
    status      TEXT    NOT NULL,
    assigned_to TEXT    NOT NULL,
    orders      TEXT    NOT NULL, -- comma-separated sales order numbers
    position    INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE ref_pick_tasks (
    list     TEXT    NOT NULL,
    id       TEXT    NOT NULL, -- unique across lists
    seq      INTEGER NOT NULL, -- walking order
    order_no TEXT    NOT NULL,
    location TEXT    NOT NULL,
    sku      TEXT    NOT NULL,
    lot      TEXT    NOT NULL,
    expiry   TEXT    NOT NULL,
    qty      INTEGER NOT NULL,
    picked   INTEGER NOT NULL,
    status   TEXT    NOT NULL,
    PRIMARY KEY (list, id)
) WITHOUT ROWID;

CREATE TABLE ref_transfers (
    number    TEXT PRIMARY KEY,
    from_wh   TEXT    NOT NULL,
    to_wh     TEXT    NOT NULL,
    status    TEXT    NOT NULL,
    position  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE ref_transfer_lines (
    number   TEXT    NOT NULL,
    line     INTEGER NOT NULL, -- 1-based, in the transfer's order
    sku      TEXT    NOT NULL,
    lot      TEXT    NOT NULL,
    qty      INTEGER NOT NULL,
    shipped  INTEGER NOT NULL,
    received INTEGER NOT NULL,
    PRIMARY KEY (number, line)
) WITHOUT ROWID;

-- A picker working through a list on this device: open while finished_at
-- is 0. step and item_ok say where the picker is on task (the task the
-- step belongs to; another current task starts at the bin again).
CREATE TABLE pick_runs (
    list        TEXT PRIMARY KEY,
    user_code   TEXT    NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER NOT NULL DEFAULT 0,
    task        TEXT    NOT NULL DEFAULT '',
    step        INTEGER NOT NULL DEFAULT 0, -- 0 at the bin, 1 at the item
    item_ok     INTEGER NOT NULL DEFAULT 0, -- the item was scanned at this visit
    skips       INTEGER NOT NULL DEFAULT 0  -- skip counter: skipped tasks come back in skip order
) WITHOUT ROWID;
CREATE INDEX pick_runs_open ON pick_runs (finished_at, user_code);

-- What this device did on a task, written in the transaction of the
-- task's events. The task's fields are copied so that a list the server
-- closed (and the device no longer holds) still shows what was done.
CREATE TABLE pick_progress (
    task     TEXT PRIMARY KEY,
    list     TEXT    NOT NULL,
    seq      INTEGER NOT NULL,
    order_no TEXT    NOT NULL,
    location TEXT    NOT NULL,
    sku      TEXT    NOT NULL,
    lot      TEXT    NOT NULL,
    qty      INTEGER NOT NULL,
    before   INTEGER NOT NULL DEFAULT 0, -- the server's picked figure when this device first touched the task
    picked   INTEGER NOT NULL DEFAULT 0, -- units picked on this device
    short    INTEGER NOT NULL DEFAULT 0, -- a short pick was recorded
    skipped  INTEGER NOT NULL DEFAULT 0  -- 0, or the run's skip counter when last skipped
) WITHOUT ROWID;
CREATE INDEX pick_progress_list ON pick_progress (list, seq);

-- A supervisor's decision on a parked event (syncproto.Resolution): the
-- row's status becomes applied or cancelled, reason says so in words
-- ("cancelled by sam: …"), and the parked reason is kept.
ALTER TABLE outbox ADD COLUMN resolved_at INTEGER NOT NULL DEFAULT 0; -- unix nanoseconds, 0 = not resolved
ALTER TABLE outbox ADD COLUMN resolved_by TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN resolution TEXT NOT NULL DEFAULT ''; -- the supervisor's reason
ALTER TABLE outbox ADD COLUMN parked_reason TEXT NOT NULL DEFAULT '';
-- A cancelled event needs the picker's attention like a parked one.
DROP INDEX outbox_attention;
CREATE INDEX outbox_attention ON outbox (dismissed_at, status, seq) WHERE status IN ('parked', 'rejected', 'cancelled');

-- +goose Down
DROP INDEX outbox_attention;
CREATE INDEX outbox_attention ON outbox (dismissed_at, status, seq) WHERE status IN ('parked', 'rejected');
ALTER TABLE outbox DROP COLUMN parked_reason;
ALTER TABLE outbox DROP COLUMN resolution;
ALTER TABLE outbox DROP COLUMN resolved_by;
ALTER TABLE outbox DROP COLUMN resolved_at;
DROP TABLE pick_progress;
DROP TABLE pick_runs;
DROP TABLE ref_transfer_lines;
DROP TABLE ref_transfers;
DROP TABLE ref_pick_tasks;
DROP TABLE ref_pick_lists;
