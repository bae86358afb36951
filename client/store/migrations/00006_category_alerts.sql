-- Replenishment: the low-stock alerts the device's warehouse holds (from
-- catalog pulls and snapshots: an active alert is held, one cleared or
-- archived is deleted), and each SKU's category (what usage reports group
-- by).

-- +goose Up
CREATE TABLE ref_alerts (
    id            TEXT PRIMARY KEY,
    sku           TEXT    NOT NULL,
    available     INTEGER NOT NULL, -- on hand − allocated when raised
    reorder_point INTEGER NOT NULL,
    on_order      INTEGER NOT NULL,
    suggested     INTEGER NOT NULL,
    status        TEXT    NOT NULL, -- active
    raised_at     TEXT    NOT NULL, -- RFC 3339
    position      INTEGER NOT NULL
) WITHOUT ROWID;

ALTER TABLE ref_skus ADD COLUMN category TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE ref_skus DROP COLUMN category;
DROP TABLE ref_alerts;
