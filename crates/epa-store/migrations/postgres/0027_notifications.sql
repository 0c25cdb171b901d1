-- Notifications delivered: each outbox message may carry an HTML body and a
-- calendar invite; a worker claims due messages for a while (so two never
-- send one message), and a message that keeps failing is given up and shown
-- to EPAO admins. People choose which messages they get by email, and may
-- keep a private calendar feed (only its secret's SHA-256 is kept). Kept in
-- step with migrations/sqlite/0027_notifications.sql.
ALTER TABLE outbox_messages ADD COLUMN html TEXT;
ALTER TABLE outbox_messages ADD COLUMN calendar TEXT;
ALTER TABLE outbox_messages ADD COLUMN claimed_by UUID;
ALTER TABLE outbox_messages ADD COLUMN claimed_until TIMESTAMPTZ;
ALTER TABLE outbox_messages ADD COLUMN failed_at TIMESTAMPTZ;

DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox_messages (next_attempt_at, id) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX outbox_failed ON outbox_messages (failed_at, id) WHERE failed_at IS NOT NULL;
CREATE INDEX outbox_recipient ON outbox_messages (recipient, created_at);

CREATE TABLE email_opt_outs (
    user_id     UUID NOT NULL REFERENCES users (id),
    kind        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, kind)
);

CREATE TABLE calendar_feeds (
    user_id      UUID PRIMARY KEY NOT NULL REFERENCES users (id),
    secret_hash  TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL
);
