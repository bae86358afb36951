-- +goose Up
-- Replenishment (issue 9). Records keep their key and the columns lists
-- filter by; the rest is the JSON of the server type (server/replenish.go,
-- alerts.go, webhook.go, replenish_drafts.go).

-- Reorder rules per warehouse and SKU (server.ReorderRule).
CREATE TABLE reorder_rules (
    warehouse TEXT NOT NULL,
    sku       TEXT NOT NULL,
    data      TEXT NOT NULL,
    PRIMARY KEY (warehouse, sku)
);

-- Low-stock alerts, catalog records of one warehouse (kind alert, code
-- "AL-" and the id in six or more digits).
CREATE TABLE alerts (
    id        BIGSERIAL PRIMARY KEY,
    warehouse TEXT NOT NULL,
    sku       TEXT NOT NULL,
    status    TEXT NOT NULL,
    archived  BOOLEAN NOT NULL DEFAULT FALSE,
    position  BIGINT NOT NULL DEFAULT 0,
    data      TEXT NOT NULL
);
CREATE INDEX alerts_sku ON alerts (warehouse, sku, status);
CREATE INDEX alerts_status ON alerts (warehouse, status, id);

-- Webhook endpoints ("WH-" and the id), their secret inside data.
CREATE TABLE webhooks (
    id   BIGSERIAL PRIMARY KEY,
    data TEXT NOT NULL
);

-- The outbox and delivery log: one row per alert event and endpoint.
-- next_at is Unix milliseconds (0 when nothing is due).
CREATE TABLE webhook_deliveries (
    id         TEXT PRIMARY KEY,
    webhook    TEXT NOT NULL,
    status     TEXT NOT NULL,
    next_at    BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    data       TEXT NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_at);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook, created_at);

-- Purchase-order drafts ("DR-" and the id).
CREATE TABLE po_drafts (
    id        BIGSERIAL PRIMARY KEY,
    warehouse TEXT NOT NULL,
    supplier  TEXT NOT NULL,
    status    TEXT NOT NULL,
    data      TEXT NOT NULL
);
CREATE INDEX po_drafts_warehouse ON po_drafts (warehouse, status, supplier);

-- +goose Down
DROP TABLE po_drafts;
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
DROP TABLE alerts;
DROP TABLE reorder_rules;
