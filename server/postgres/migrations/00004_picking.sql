-- +goose Up
-- Picking, as in SQLite's 00004_picking.sql: pick lists (catalog records
-- of one warehouse, like orders) and their tasks, the expiry of each lot
-- as receiving learned it (FEFO allocation reads it), and the count tasks
-- short picks raise.
CREATE TABLE pick_lists (
    id          TEXT COLLATE "C" PRIMARY KEY, -- PL-000123
    warehouse   TEXT COLLATE "C" NOT NULL REFERENCES warehouses (code),
    status      TEXT NOT NULL,
    assigned_to TEXT COLLATE "C" NOT NULL DEFAULT '', -- user code
    orders      TEXT NOT NULL DEFAULT '', -- sales order numbers, one per line
    archived    BOOLEAN NOT NULL DEFAULT false,
    archived_at TIMESTAMPTZ,
    position    BIGINT NOT NULL
);
CREATE INDEX pick_lists_warehouse ON pick_lists (warehouse, status, id);

-- number is the list's ID; line the task's place in walking order.
CREATE TABLE pick_tasks (
    number       TEXT COLLATE "C" NOT NULL REFERENCES pick_lists (id),
    line         BIGINT NOT NULL,
    id           TEXT NOT NULL, -- PL-000123/4
    seq          BIGINT NOT NULL,
    order_number TEXT NOT NULL,
    location     TEXT NOT NULL,
    sku          TEXT NOT NULL,
    lot          TEXT NOT NULL DEFAULT '',
    expiry       TEXT NOT NULL DEFAULT '',
    qty          BIGINT NOT NULL,
    picked       BIGINT NOT NULL DEFAULT 0,
    status       TEXT NOT NULL,
    PRIMARY KEY (number, line)
);

CREATE TABLE lots (
    sku    TEXT COLLATE "C" NOT NULL,
    lot    TEXT COLLATE "C" NOT NULL,
    expiry TEXT NOT NULL, -- YYYY-MM-DD
    PRIMARY KEY (sku, lot)
);

CREATE TABLE count_tasks (
    id           BIGSERIAL PRIMARY KEY,
    warehouse    TEXT NOT NULL,
    location     TEXT NOT NULL,
    sku          TEXT NOT NULL,
    lot          TEXT NOT NULL DEFAULT '',
    reason       TEXT NOT NULL,
    source_event TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    status       TEXT NOT NULL
);
CREATE INDEX count_tasks_warehouse ON count_tasks (warehouse, status, id);

-- +goose Down
DROP TABLE count_tasks;
DROP TABLE lots;
DROP TABLE pick_tasks;
DROP TABLE pick_lists;
