-- +goose Up
-- Receiving on the handhelds: per-warehouse receiving settings, the
-- pallets announced for a purchase order, the users who sign in on the
-- devices, and one-time enrollment codes.
ALTER TABLE warehouses ADD COLUMN over_receipt_pct INTEGER NOT NULL DEFAULT 0;
ALTER TABLE warehouses ADD COLUMN min_shelf_life_days INTEGER NOT NULL DEFAULT 0;
-- The SSCCs, space-separated.
ALTER TABLE purchase_orders ADD COLUMN ssccs TEXT NOT NULL DEFAULT '';

CREATE TABLE users (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    roles       TEXT NOT NULL DEFAULT '', -- comma-separated
    pin_hash    TEXT NOT NULL DEFAULT '', -- bcrypt; '' when the user has no PIN
    archived    INTEGER NOT NULL DEFAULT 0,
    archived_at TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL
) WITHOUT ROWID;

-- An enrollment code is kept as the SHA-256 of its normalized form; it is
-- redeemed once (used_at) before expires_at.
CREATE TABLE enrollment_codes (
    code_hash  BLOB PRIMARY KEY,
    device_id  TEXT NOT NULL REFERENCES devices (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX enrollment_codes_device ON enrollment_codes (device_id);

CREATE INDEX events_exceptions ON events (received_at) WHERE kind = 'exception';

-- +goose Down
DROP INDEX events_exceptions;
DROP TABLE enrollment_codes;
DROP TABLE users;
ALTER TABLE purchase_orders DROP COLUMN ssccs;
ALTER TABLE warehouses DROP COLUMN min_shelf_life_days;
ALTER TABLE warehouses DROP COLUMN over_receipt_pct;
