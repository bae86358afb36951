-- +goose Up
-- Counting (issue 8). Count tasks become catalog records of one warehouse
-- (kind count_task, code "CT-" and the id in six or more digits): each
-- change takes a catalog position.
ALTER TABLE count_tasks ADD COLUMN class TEXT NOT NULL DEFAULT '';
ALTER TABLE count_tasks ADD COLUMN due TEXT NOT NULL DEFAULT '';
ALTER TABLE count_tasks ADD COLUMN assigned_to TEXT NOT NULL DEFAULT '';
ALTER TABLE count_tasks ADD COLUMN not_by TEXT NOT NULL DEFAULT '';
ALTER TABLE count_tasks ADD COLUMN archived INTEGER NOT NULL DEFAULT 0;
ALTER TABLE count_tasks ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
UPDATE count_tasks SET due = substr(created_at, 1, 10);
CREATE INDEX count_tasks_location ON count_tasks (warehouse, location, status);

-- One row per count event: the figures computed when it arrived and how
-- it was decided (auto | pending | approved | rejected | recount).
CREATE TABLE counts (
    event_id    TEXT PRIMARY KEY,
    device_id   TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    warehouse   TEXT NOT NULL,
    task        TEXT NOT NULL DEFAULT '',
    location    TEXT NOT NULL,
    sku         TEXT NOT NULL,
    lot         TEXT NOT NULL DEFAULT '',
    counter     TEXT NOT NULL DEFAULT '',
    counted     INTEGER NOT NULL,
    expected    INTEGER NOT NULL,
    variance    INTEGER NOT NULL,
    unit_cost   INTEGER NOT NULL DEFAULT 0,
    class       TEXT NOT NULL DEFAULT '',
    device_time TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    status      TEXT NOT NULL,
    reason_code TEXT NOT NULL DEFAULT '',
    decided_by  TEXT NOT NULL DEFAULT '',
    decided_at  TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX counts_warehouse ON counts (warehouse, status, device_time);
CREATE INDEX counts_location ON counts (warehouse, location, device_time);
CREATE INDEX counts_task ON counts (task, status);

-- ABC classes of each warehouse's SKUs, replaced by every recompute.
CREATE TABLE abc_classes (
    warehouse   TEXT NOT NULL,
    sku         TEXT NOT NULL,
    class       TEXT NOT NULL,
    value       INTEGER NOT NULL,
    units       INTEGER NOT NULL,
    computed_at TEXT NOT NULL,
    PRIMARY KEY (warehouse, sku)
) WITHOUT ROWID;

-- The count schedule: a bin is due on the days d with d mod period = phase.
CREATE TABLE count_schedule (
    warehouse TEXT NOT NULL,
    location  TEXT NOT NULL,
    class     TEXT NOT NULL,
    period    INTEGER NOT NULL,
    phase     INTEGER NOT NULL,
    PRIMARY KEY (warehouse, location)
) WITHOUT ROWID;

-- Counting settings per warehouse (JSON of server.CountSettings).
CREATE TABLE count_settings (
    warehouse TEXT PRIMARY KEY,
    settings  TEXT NOT NULL
) WITHOUT ROWID;

-- +goose Down
DROP TABLE count_settings;
DROP TABLE count_schedule;
DROP TABLE abc_classes;
DROP TABLE counts;
DROP INDEX count_tasks_location;
ALTER TABLE count_tasks DROP COLUMN position;
ALTER TABLE count_tasks DROP COLUMN archived;
ALTER TABLE count_tasks DROP COLUMN not_by;
ALTER TABLE count_tasks DROP COLUMN assigned_to;
ALTER TABLE count_tasks DROP COLUMN due;
ALTER TABLE count_tasks DROP COLUMN class;
