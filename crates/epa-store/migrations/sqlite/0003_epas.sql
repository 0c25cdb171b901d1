-- One apprentice's EPA, the people allowed near it, API tokens, idempotent
-- POSTs and the outbox. Kept in step with the other backend's 0003_epas.sql.

CREATE TABLE epas (
    id                   BLOB PRIMARY KEY NOT NULL,
    apprentice_id        BLOB NOT NULL REFERENCES apprentices (id),
    epao_id              BLOB NOT NULL REFERENCES organisations (id),
    standard_reference   TEXT NOT NULL,
    standard_version     TEXT NOT NULL,
    policy               TEXT NOT NULL,
    stage                TEXT NOT NULL,
    gateway_approved_on  TEXT,
    planning_meeting_on  TEXT,
    assessor_id          BLOB REFERENCES users (id),
    overall_grade        TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    version              INTEGER NOT NULL DEFAULT 1
);

CREATE INDEX epas_stage ON epas (epao_id, stage);
CREATE INDEX epas_apprentice ON epas (apprentice_id);
CREATE INDEX epas_assessor ON epas (assessor_id);

-- An assessor's (or quality assurer's) conflict with an employer or provider:
-- declared by them, or derived from where they have worked.
CREATE TABLE conflicts (
    id               BLOB PRIMARY KEY NOT NULL,
    user_id          BLOB NOT NULL REFERENCES users (id),
    organisation_id  BLOB NOT NULL REFERENCES organisations (id),
    source           TEXT NOT NULL CHECK (source IN ('declared', 'derived')),
    reason           TEXT NOT NULL,
    declared_at      TEXT NOT NULL,
    UNIQUE (user_id, organisation_id)
);

-- Tokens for machine clients: only a SHA-256 of the token is kept.
CREATE TABLE api_tokens (
    id          BLOB PRIMARY KEY NOT NULL,
    user_id     BLOB NOT NULL REFERENCES users (id),
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);

-- A POST repeated with the same Idempotency-Key gets the first answer back
-- instead of doing the work twice.
CREATE TABLE idempotency_keys (
    user_id          BLOB NOT NULL REFERENCES users (id),
    key              TEXT NOT NULL,
    request_hash     TEXT NOT NULL,
    response_status  INTEGER NOT NULL,
    response_body    TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- Emails and invites to send, written in the same transaction as the change
-- that caused them; a worker delivers them with retries.
CREATE TABLE outbox_messages (
    id               BLOB PRIMARY KEY NOT NULL,
    created_at       TEXT NOT NULL,
    kind             TEXT NOT NULL,
    recipient        TEXT NOT NULL,
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    sent_at          TEXT,
    last_error       TEXT
);

CREATE INDEX outbox_due ON outbox_messages (sent_at, next_attempt_at);
