-- Each EPA's deadlines, kept up to date in the transaction of every change
-- to the EPA's records (ADR 0121), so that lists across 100,000 EPAs read a
-- few index entries instead of computing every EPA's deadlines. Only what
-- changes with the calendar is worked out on reading: the state of a
-- deadline not yet met or missed. Kept column for column in step with
-- migrations/postgres/0022_deadlines.sql.
CREATE TABLE epa_deadlines (
    epa_id       BLOB NOT NULL REFERENCES epas (id),
    position     INTEGER NOT NULL,
    -- Who may see it, copied from the EPA and its apprentice.
    epao_id      BLOB NOT NULL,
    employer_id  BLOB NOT NULL,
    provider_id  BLOB NOT NULL,
    assessor_id  BLOB,
    stage        TEXT NOT NULL,
    policy       TEXT NOT NULL,
    deadline     TEXT NOT NULL,
    due_on       TEXT NOT NULL,
    -- 'always': open whatever the date (an event outside the product, not
    -- recorded); 'until': open to open_until, then met or missed by the
    -- calendar alone; 'closed': met or missed by what was recorded.
    open_kind    TEXT NOT NULL CHECK (open_kind IN ('always', 'until', 'closed')),
    open_until   TEXT,
    kind         TEXT NOT NULL,
    done_on      TEXT,
    decided      INTEGER NOT NULL,
    body         TEXT NOT NULL,
    PRIMARY KEY (epa_id, position)
);

CREATE INDEX epa_deadlines_epao ON epa_deadlines (epao_id, open_kind, due_on, epa_id, position);
CREATE INDEX epa_deadlines_provider ON epa_deadlines (provider_id, open_kind, due_on, epa_id, position);
CREATE INDEX epa_deadlines_employer ON epa_deadlines (employer_id, open_kind, due_on, epa_id, position);
CREATE INDEX epa_deadlines_assessor ON epa_deadlines (assessor_id, open_kind, due_on, epa_id, position);

-- Which reading of the rules an EPA's kept deadlines follow: EPAs behind
-- the current one (all of them, the first time) are brought up to date at
-- start-up.
ALTER TABLE epas ADD COLUMN deadlines_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX epas_deadlines_version ON epas (deadlines_version);
