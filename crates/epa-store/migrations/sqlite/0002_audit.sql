-- The audit chain: every change, append-only and hash-chained. Each event's
-- hash covers its own fields and the previous event's hash, so an edited,
-- removed or re-ordered event breaks the chain at that point
-- (`epa audit verify`). Kept in step with migrations/postgres/0002_audit.sql.

CREATE TABLE audit_events (
    seq          INTEGER PRIMARY KEY NOT NULL,
    id           BLOB NOT NULL UNIQUE,
    occurred_at  TEXT NOT NULL,
    actor_id     BLOB,
    actor_role   TEXT NOT NULL,
    action       TEXT NOT NULL,
    entity_type  TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    before_json  TEXT,
    after_json   TEXT,
    request_id   TEXT,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE
);

CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id, seq);

-- Audit rows are never updated or deleted: a correction is a new event.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
