-- +goose Up
-- Usage history (issue 9): per warehouse, SKU and day (the event's device
-- date in UTC, 'YYYY-MM-DD'), the units and value (cents, at the unit cost
-- when the event applied) consumed (picks, damage) and received (receipts,
-- returns). Kept incrementally in the transaction that applies each event;
-- see server/usage.go for what counts.
CREATE TABLE usage_daily (
    warehouse      TEXT NOT NULL,
    sku            TEXT NOT NULL,
    day            TEXT NOT NULL,
    consumed_units INTEGER NOT NULL DEFAULT 0,
    consumed_value INTEGER NOT NULL DEFAULT 0,
    received_units INTEGER NOT NULL DEFAULT 0,
    received_value INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (warehouse, sku, day)
) WITHOUT ROWID;
-- A whole warehouse over a period.
CREATE INDEX usage_daily_day ON usage_daily (warehouse, day);

-- A SKU's category groups it in the usage reports.
ALTER TABLE skus ADD COLUMN category TEXT NOT NULL DEFAULT '';
CREATE INDEX skus_category ON skus (category) WHERE category <> '';

-- +goose Down
DROP INDEX skus_category;
ALTER TABLE skus DROP COLUMN category;
DROP TABLE usage_daily;
