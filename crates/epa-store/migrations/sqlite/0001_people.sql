-- Organisations, users and apprentices: the people an EPA is about.
-- Kept column for column in step with migrations/postgres/0001_people.sql;
-- a conformance test compares the two schemas.

CREATE TABLE organisations (
    id          BLOB PRIMARY KEY NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('epao', 'provider', 'employer')),
    name        TEXT NOT NULL,
    ukprn       TEXT UNIQUE,
    created_at  TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE users (
    id             BLOB PRIMARY KEY NOT NULL,
    email          TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    password_hash  TEXT,
    created_at     TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE memberships (
    user_id          BLOB NOT NULL REFERENCES users (id),
    organisation_id  BLOB NOT NULL REFERENCES organisations (id),
    role             TEXT NOT NULL CHECK (role IN ('epao_admin', 'epao_operations', 'assessor', 'quality_assurer', 'provider_user', 'employer_user', 'apprentice')),
    created_at       TEXT NOT NULL,
    PRIMARY KEY (user_id, organisation_id, role)
);

CREATE TABLE apprentices (
    id              BLOB PRIMARY KEY NOT NULL,
    uln             TEXT NOT NULL UNIQUE,
    given_names     TEXT NOT NULL,
    family_name     TEXT NOT NULL,
    date_of_birth   TEXT NOT NULL,
    employer_id     BLOB NOT NULL REFERENCES organisations (id),
    provider_id     BLOB NOT NULL REFERENCES organisations (id),
    user_id         BLOB REFERENCES users (id),
    start_date      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    version         INTEGER NOT NULL DEFAULT 1
);

CREATE INDEX apprentices_employer ON apprentices (employer_id);
CREATE INDEX apprentices_provider ON apprentices (provider_id);
