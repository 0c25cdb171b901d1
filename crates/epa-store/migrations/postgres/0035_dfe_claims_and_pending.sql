-- The DfE integration claims certificates itself: a claim it made has no
-- person behind it (claimed_by is empty) and carries the reference the DfE
-- gave the certificate instead; a claim always has one or the other.
--
-- dfe_pending lists the EPAs whose DfE state may be out of date, and from
-- when: a change to an EPA's records marks it due today in the change's
-- own transaction; a pass waiting for its appeal window is due the day
-- the window ends; a submitted certificate is due again for its status.
-- The push reads only the due rows, through the index, instead of every
-- released EPA; `version` lets a push settle a row only if nothing marked
-- it again meanwhile. Kept column for column in step with
-- migrations/sqlite/0035_dfe_claims_and_pending.sql.

ALTER TABLE certificate_claims ALTER COLUMN claimed_by DROP NOT NULL;
ALTER TABLE certificate_claims ADD COLUMN dfe_certificate_reference TEXT;
ALTER TABLE certificate_claims ADD CONSTRAINT certificate_claims_claimant
    CHECK (claimed_by IS NOT NULL OR dfe_certificate_reference IS NOT NULL);

CREATE TABLE dfe_pending (
    epa_id   UUID PRIMARY KEY NOT NULL REFERENCES epas (id),
    due_on   DATE NOT NULL,
    version  BIGINT NOT NULL DEFAULT 1
);

CREATE INDEX dfe_pending_due ON dfe_pending (due_on, epa_id);

-- Every EPA the DfE may need to hear about is looked at once more.
INSERT INTO dfe_pending (epa_id, due_on)
SELECT e.id, DATE '2017-01-01' FROM epas e
WHERE EXISTS (SELECT 1 FROM results r WHERE r.epa_id = e.id)
   OR (e.stage = 'withdrawn' AND e.gateway_approved_on IS NOT NULL);
