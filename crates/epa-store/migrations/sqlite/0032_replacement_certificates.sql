-- Replacement certificates: a request received (by email, from the employer
-- or apprentice), when the policy wants it asked of the DfE by (Innovate:
-- within two days), and when it was. The DfE service takes reprints only
-- through its own pages, so OpenEPA records and tracks them. Kept column
-- for column in step with migrations/postgres/0032_replacement_certificates.sql.

CREATE TABLE replacement_certificates (
    id            BLOB PRIMARY KEY NOT NULL,
    epa_id        BLOB NOT NULL REFERENCES epas (id),
    received_on   TEXT NOT NULL,
    reason        TEXT NOT NULL,
    due_on        TEXT,
    recorded_by   BLOB NOT NULL REFERENCES users (id),
    recorded_at   TEXT NOT NULL,
    requested_on  TEXT,
    requested_by  BLOB REFERENCES users (id),
    version       INTEGER NOT NULL DEFAULT 1
);

CREATE INDEX replacement_certificates_epa ON replacement_certificates (epa_id, received_on);
CREATE INDEX replacement_certificates_open ON replacement_certificates (due_on, id) WHERE requested_on IS NULL;
