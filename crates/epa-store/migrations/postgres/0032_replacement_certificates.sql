-- Replacement certificates: a request received (by email, from the employer
-- or apprentice), when the policy wants it asked of the DfE by (Innovate:
-- within two days), and when it was. The DfE service takes reprints only
-- through its own pages, so OpenEPA records and tracks them. Kept column
-- for column in step with migrations/sqlite/0032_replacement_certificates.sql.

CREATE TABLE replacement_certificates (
    id            UUID PRIMARY KEY NOT NULL,
    epa_id        UUID NOT NULL REFERENCES epas (id),
    received_on   DATE NOT NULL,
    reason        TEXT NOT NULL,
    due_on        DATE,
    recorded_by   UUID NOT NULL REFERENCES users (id),
    recorded_at   TIMESTAMPTZ NOT NULL,
    requested_on  DATE,
    requested_by  UUID REFERENCES users (id),
    version       BIGINT NOT NULL DEFAULT 1
);

CREATE INDEX replacement_certificates_epa ON replacement_certificates (epa_id, received_on);
CREATE INDEX replacement_certificates_open ON replacement_certificates (due_on, id) WHERE requested_on IS NULL;
