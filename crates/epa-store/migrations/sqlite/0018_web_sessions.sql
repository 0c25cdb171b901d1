-- Sessions of the web application, kept in the database so that several
-- servers share them. Only a SHA-256 of the session id (the cookie) is
-- kept. Kept column for column in step with
-- migrations/postgres/0018_web_sessions.sql.

CREATE TABLE web_sessions (
    id_hash       TEXT PRIMARY KEY NOT NULL,
    user_id       BLOB NOT NULL REFERENCES users (id),
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);

CREATE INDEX web_sessions_user ON web_sessions (user_id);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
