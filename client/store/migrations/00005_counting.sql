-- Cycle counts: the count tasks the device's warehouse holds (from catalog
-- pulls and snapshots; a task that is counted, cancelled or archived is
-- deleted), and the counter's blind count drafts: the bin's label scanned
-- or not, and per SKU and lot what was counted, each scan durable before
-- it is confirmed, so a restart resumes the count. A finished draft stays
-- while the device still holds its task (the task is counted on the
-- server only once its counts are decided), so the task is not offered
-- again; it goes with the task.

-- +goose Up
CREATE TABLE ref_count_tasks (
    id          TEXT PRIMARY KEY,
    location    TEXT    NOT NULL,
    status      TEXT    NOT NULL, -- open | assigned
    assigned_to TEXT    NOT NULL,
    not_by      TEXT    NOT NULL, -- a user who may not count it (a recount's first counter)
    reason      TEXT    NOT NULL,
    class       TEXT    NOT NULL,
    due         TEXT    NOT NULL, -- YYYY-MM-DD
    position    INTEGER NOT NULL
) WITHOUT ROWID;

-- A count of one task's bin on this device: open while finished_at is 0.
-- The task's fields are copied, so a count whose task the server closed
-- meanwhile still shows (and finishes) what it was.
CREATE TABLE count_drafts (
    task           TEXT PRIMARY KEY,
    user_code      TEXT    NOT NULL,
    location       TEXT    NOT NULL,
    reason         TEXT    NOT NULL,
    class          TEXT    NOT NULL,
    due            TEXT    NOT NULL,
    assigned_to    TEXT    NOT NULL,
    started_at     INTEGER NOT NULL, -- unix nanoseconds
    bin_scanned_at INTEGER NOT NULL DEFAULT 0,
    finished_at    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX count_drafts_open ON count_drafts (finished_at, user_code);

-- What was counted of one SKU and lot: counted_at and seen are when the
-- line last changed and the ledger position the device had pulled then
-- (the count event's device time and seen position).
CREATE TABLE count_lines (
    task       TEXT    NOT NULL,
    sku        TEXT    NOT NULL,
    lot        TEXT    NOT NULL,
    qty        INTEGER NOT NULL,
    n          INTEGER NOT NULL, -- 1-based, in the order lines were first counted
    counted_at INTEGER NOT NULL,
    seen       INTEGER NOT NULL,
    PRIMARY KEY (task, sku, lot)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE count_lines;
DROP INDEX count_drafts_open;
DROP TABLE count_drafts;
DROP TABLE ref_count_tasks;
