-- The Project Evidence Locator: the work-based project report's annexes,
-- each mapped to the project's KSBs. Kept column for column in step with
-- migrations/postgres/0009_evidence_locator.sql.
--
-- A locator is kept in whole versions: a correction is a new version
-- listing every entry again, and the latest version stands. Nothing is
-- changed or deleted: triggers refuse UPDATE and DELETE.

CREATE TABLE evidence_locators (
    id            BLOB PRIMARY KEY NOT NULL,
    epa_id        BLOB NOT NULL REFERENCES epas (id),
    version       INTEGER NOT NULL,
    submitted_by  BLOB NOT NULL REFERENCES users (id),
    submitted_at  TEXT NOT NULL,
    UNIQUE (epa_id, version)
);

CREATE TABLE evidence_locator_entries (
    id           BLOB PRIMARY KEY NOT NULL,
    locator_id   BLOB NOT NULL REFERENCES evidence_locators (id),
    position     INTEGER NOT NULL,
    -- How the report names the annex, such as "Annex A".
    annex        TEXT NOT NULL,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL,
    -- A document of the same EPA uploaded as an annex or the report.
    document_id  BLOB REFERENCES documents (id),
    UNIQUE (locator_id, position)
);

CREATE TABLE evidence_locator_entry_ksbs (
    entry_id  BLOB NOT NULL REFERENCES evidence_locator_entries (id),
    ksb_code  TEXT NOT NULL,
    PRIMARY KEY (entry_id, ksb_code)
);

CREATE TRIGGER evidence_locators_no_update BEFORE UPDATE ON evidence_locators
BEGIN SELECT RAISE(ABORT, 'evidence locators are never changed: submit a new version'); END;
CREATE TRIGGER evidence_locators_no_delete BEFORE DELETE ON evidence_locators
BEGIN SELECT RAISE(ABORT, 'evidence locators are never changed: submit a new version'); END;
CREATE TRIGGER evidence_locator_entries_no_update BEFORE UPDATE ON evidence_locator_entries
BEGIN SELECT RAISE(ABORT, 'evidence locators are never changed: submit a new version'); END;
CREATE TRIGGER evidence_locator_entries_no_delete BEFORE DELETE ON evidence_locator_entries
BEGIN SELECT RAISE(ABORT, 'evidence locators are never changed: submit a new version'); END;
CREATE TRIGGER evidence_locator_entry_ksbs_no_update BEFORE UPDATE ON evidence_locator_entry_ksbs
BEGIN SELECT RAISE(ABORT, 'evidence locators are never changed: submit a new version'); END;
CREATE TRIGGER evidence_locator_entry_ksbs_no_delete BEFORE DELETE ON evidence_locator_entry_ksbs
BEGIN SELECT RAISE(ABORT, 'evidence locators are never changed: submit a new version'); END;
