-- An optional second factor (TOTP, RFC 6238) with single-use recovery
-- codes, and tokens limited to setting one up when EPAO staff must have
-- one. Kept column for column in step with
-- migrations/postgres/0017_second_factor.sql.

CREATE TABLE second_factors (
    user_id       BLOB PRIMARY KEY NOT NULL REFERENCES users (id),
    secret        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    confirmed_at  TEXT,
    -- The last time step whose code was accepted: a code works once.
    last_step     INTEGER
);

-- Only a SHA-256 of each recovery code is kept.
CREATE TABLE recovery_codes (
    id          BLOB PRIMARY KEY NOT NULL,
    user_id     BLOB NOT NULL REFERENCES users (id),
    code_hash   TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    used_at     TEXT
);

CREATE INDEX recovery_codes_user ON recovery_codes (user_id);

ALTER TABLE api_tokens ADD COLUMN restricted BOOLEAN NOT NULL DEFAULT FALSE;
