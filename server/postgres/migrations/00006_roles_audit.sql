-- +goose Up
-- The audit log (issue 8): who decided what. Append-only: rows are only
-- ever inserted (the trigger refuses updates and deletes). subject is an
-- event ID, a user code or a device ID; warehouse is '' for what every
-- warehouse shares (users); details is a JSON object.
CREATE TABLE audit (
    id        BIGSERIAL PRIMARY KEY,
    at        TIMESTAMPTZ NOT NULL,
    actor     TEXT COLLATE "C" NOT NULL,
    action    TEXT COLLATE "C" NOT NULL,
    subject   TEXT COLLATE "C" NOT NULL DEFAULT '',
    warehouse TEXT COLLATE "C" NOT NULL DEFAULT '',
    details   JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_at ON audit (at);
CREATE INDEX audit_actor ON audit (actor, action, subject, at);
CREATE INDEX audit_action ON audit (action, at);

-- +goose StatementBegin
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();

-- +goose Down
DROP TABLE audit;
DROP FUNCTION audit_append_only();
