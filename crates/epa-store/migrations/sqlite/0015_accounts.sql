-- Accounts an EPAO runs: organisations' postal contacts for certificates,
-- deactivated people, the administrators of providers and employers,
-- emailed links (invitations and password resets), API tokens that expire,
-- and failed sign-ins (for throttling). Kept column for column in step
-- with migrations/postgres/0015_accounts.sql.

ALTER TABLE organisations ADD COLUMN contact_name TEXT;
ALTER TABLE organisations ADD COLUMN contact_organisation TEXT;
ALTER TABLE organisations ADD COLUMN address_line_1 TEXT;
ALTER TABLE organisations ADD COLUMN address_line_2 TEXT;
ALTER TABLE organisations ADD COLUMN city TEXT;
ALTER TABLE organisations ADD COLUMN postcode TEXT;

ALTER TABLE users ADD COLUMN deactivated_at TEXT;
CREATE INDEX users_by_name ON users (display_name, id);
CREATE INDEX memberships_organisation ON memberships (organisation_id, role);

-- A provider or employer user who manages their organisation's people.
CREATE TABLE organisation_admins (
    user_id          BLOB NOT NULL REFERENCES users (id),
    organisation_id  BLOB NOT NULL REFERENCES organisations (id),
    created_at       TEXT NOT NULL,
    PRIMARY KEY (user_id, organisation_id)
);

-- An emailed link to set a password: only a SHA-256 of its secret is kept.
CREATE TABLE account_links (
    id          BLOB PRIMARY KEY NOT NULL,
    user_id     BLOB NOT NULL REFERENCES users (id),
    purpose     TEXT NOT NULL CHECK (purpose IN ('invitation', 'password_reset')),
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);

CREATE INDEX account_links_user ON account_links (user_id, purpose);

-- Tokens made before this migration never expire; every new one does.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at);

-- Wrong passwords, by the email tried and the address it came from.
CREATE TABLE sign_in_failures (
    id         BLOB PRIMARY KEY NOT NULL,
    email      TEXT NOT NULL,
    address    TEXT NOT NULL,
    failed_at  TEXT NOT NULL
);

CREATE INDEX sign_in_failures_email ON sign_in_failures (email, failed_at);
CREATE INDEX sign_in_failures_address ON sign_in_failures (address, failed_at);
