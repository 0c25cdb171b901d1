-- What the DfE Apprenticeship assessment service has acknowledged, per EPA:
-- the references it gave, a SHA-256 of what was last accepted (so an EPA
-- record or certificate is sent again only when it changed), the
-- certificate's state as last read back, and the last refusal with the
-- service's reasons (the queue EPAO staff fix and resend from). One lease
-- row keeps two servers from pushing at once. Kept column for column in
-- step with migrations/sqlite/0031_dfe.sql.

CREATE TABLE dfe_records (
    epa_id                   UUID PRIMARY KEY NOT NULL REFERENCES epas (id),
    epa_reference            TEXT,
    epa_fingerprint          TEXT,
    epa_sent_at              TIMESTAMPTZ,
    certificate_reference    TEXT,
    certificate_fingerprint  TEXT,
    certificate_status       TEXT,
    certificate_sent_at      TIMESTAMPTZ,
    submitted_on             DATE,
    status_read_at           TIMESTAMPTZ,
    refused_item             TEXT CHECK (refused_item IN ('epa', 'certificate', 'submission')),
    refused_fingerprint      TEXT,
    refusal_reasons          TEXT,
    refused_at               TIMESTAMPTZ,
    updated_at               TIMESTAMPTZ NOT NULL,
    version                  BIGINT NOT NULL DEFAULT 1
);

CREATE INDEX dfe_records_refused ON dfe_records (refused_at, epa_id) WHERE refused_at IS NOT NULL;

CREATE TABLE dfe_leases (
    name         TEXT PRIMARY KEY NOT NULL,
    held_by      UUID,
    held_until   TIMESTAMPTZ
);

INSERT INTO dfe_leases (name) VALUES ('push');
