-- +goose Up
-- Usage history (issue 9): per warehouse, SKU and day (the event's device
-- date in UTC), the units and value (cents, at the unit cost when the
-- event applied) consumed (picks, damage) and received (receipts,
-- returns). Kept incrementally in the transaction that applies each event;
-- see server/usage.go for what counts.
CREATE TABLE usage_daily (
    warehouse      TEXT COLLATE "C" NOT NULL,
    sku            TEXT COLLATE "C" NOT NULL,
    day            DATE NOT NULL,
    consumed_units BIGINT NOT NULL DEFAULT 0,
    consumed_value BIGINT NOT NULL DEFAULT 0,
    received_units BIGINT NOT NULL DEFAULT 0,
    received_value BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (warehouse, sku, day)
);
-- A whole warehouse over a period.
CREATE INDEX usage_daily_day ON usage_daily (warehouse, day);

-- A SKU's category groups it in the usage reports.
ALTER TABLE skus ADD COLUMN category TEXT NOT NULL DEFAULT '';
CREATE INDEX skus_category ON skus (category) WHERE category <> '';

-- +goose Down
DROP INDEX skus_category;
ALTER TABLE skus DROP COLUMN category;
DROP TABLE usage_daily;
