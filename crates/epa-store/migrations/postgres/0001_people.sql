-- Organisations, users and apprentices: the people an EPA is about.
-- Kept column for column in step with migrations/sqlite/0001_people.sql;
-- a conformance test compares the two schemas.

CREATE TABLE organisations (
    id          UUID PRIMARY KEY NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('epao', 'provider', 'employer')),
    name        TEXT NOT NULL,
    ukprn       TEXT UNIQUE,
    created_at  TIMESTAMPTZ NOT NULL,
    version     BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE users (
    id             UUID PRIMARY KEY NOT NULL,
    email          TEXT NOT NULL UNIQUE,
    display_name   TEXT NOT NULL,
    password_hash  TEXT,
    created_at     TIMESTAMPTZ NOT NULL,
    version        BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE memberships (
    user_id          UUID NOT NULL REFERENCES users (id),
    organisation_id  UUID NOT NULL REFERENCES organisations (id),
    role             TEXT NOT NULL CHECK (role IN ('epao_admin', 'epao_operations', 'assessor', 'quality_assurer', 'provider_user', 'employer_user', 'apprentice')),
    created_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, organisation_id, role)
);

CREATE TABLE apprentices (
    id              UUID PRIMARY KEY NOT NULL,
    uln             TEXT NOT NULL UNIQUE,
    given_names     TEXT NOT NULL,
    family_name     TEXT NOT NULL,
    date_of_birth   DATE NOT NULL,
    employer_id     UUID NOT NULL REFERENCES organisations (id),
    provider_id     UUID NOT NULL REFERENCES organisations (id),
    user_id         UUID REFERENCES users (id),
    start_date      DATE NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    version         BIGINT NOT NULL DEFAULT 1
);

CREATE INDEX apprentices_employer ON apprentices (employer_id);
CREATE INDEX apprentices_provider ON apprentices (provider_id);
