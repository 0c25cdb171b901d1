-- The DfE integration claims certificates itself: a claim it made has no
-- person behind it (claimed_by is empty) and carries the reference the DfE
-- gave the certificate instead; a claim always has one or the other.
-- SQLite cannot drop NOT NULL in place, so the table is rebuilt (nothing
-- references it).
--
-- dfe_pending lists the EPAs whose DfE state may be out of date, and from
-- when: a change to an EPA's records marks it due today in the change's
-- own transaction; a pass waiting for its appeal window is due the day
-- the window ends; a submitted certificate is due again for its status.
-- The push reads only the due rows, through the index, instead of every
-- released EPA; `version` lets a push settle a row only if nothing marked
-- it again meanwhile. Kept column for column in step with
-- migrations/postgres/0035_dfe_claims_and_pending.sql.

CREATE TABLE certificate_claims_rebuilt (
    id                         BLOB PRIMARY KEY NOT NULL,
    epa_id                     BLOB NOT NULL UNIQUE REFERENCES epas (id),
    result_id                  BLOB NOT NULL REFERENCES results (id),
    due_on                     TEXT,
    claimed_on                 TEXT NOT NULL,
    claimed_by                 BLOB REFERENCES users (id),
    received_on                TEXT,
    received_by                BLOB REFERENCES users (id),
    version                    INTEGER NOT NULL DEFAULT 1,
    dfe_certificate_reference  TEXT,
    CHECK (claimed_by IS NOT NULL OR dfe_certificate_reference IS NOT NULL)
);

INSERT INTO certificate_claims_rebuilt
    (id, epa_id, result_id, due_on, claimed_on, claimed_by, received_on, received_by, version)
SELECT id, epa_id, result_id, due_on, claimed_on, claimed_by, received_on, received_by, version
FROM certificate_claims;

DROP TABLE certificate_claims;

ALTER TABLE certificate_claims_rebuilt RENAME TO certificate_claims;

CREATE TABLE dfe_pending (
    epa_id   BLOB PRIMARY KEY NOT NULL REFERENCES epas (id),
    due_on   TEXT NOT NULL,
    version  INTEGER NOT NULL DEFAULT 1
);

CREATE INDEX dfe_pending_due ON dfe_pending (due_on, epa_id);

-- Every EPA the DfE may need to hear about is looked at once more.
INSERT INTO dfe_pending (epa_id, due_on)
SELECT e.id, '2017-01-01' FROM epas e
WHERE EXISTS (SELECT 1 FROM results r WHERE r.epa_id = e.id)
   OR (e.stage = 'withdrawn' AND e.gateway_approved_on IS NOT NULL);
