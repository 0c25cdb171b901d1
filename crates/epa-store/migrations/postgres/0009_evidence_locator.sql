-- The Project Evidence Locator: the work-based project report's annexes,
-- each mapped to the project's KSBs. Kept column for column in step with
-- migrations/sqlite/0009_evidence_locator.sql.
--
-- A locator is kept in whole versions: a correction is a new version
-- listing every entry again, and the latest version stands. Nothing is
-- changed or deleted: triggers refuse UPDATE and DELETE.

CREATE TABLE evidence_locators (
    id            UUID PRIMARY KEY NOT NULL,
    epa_id        UUID NOT NULL REFERENCES epas (id),
    version       INTEGER NOT NULL,
    submitted_by  UUID NOT NULL REFERENCES users (id),
    submitted_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (epa_id, version)
);

CREATE TABLE evidence_locator_entries (
    id           UUID PRIMARY KEY NOT NULL,
    locator_id   UUID NOT NULL REFERENCES evidence_locators (id),
    position     INTEGER NOT NULL,
    -- How the report names the annex, such as "Annex A".
    annex        TEXT NOT NULL,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL,
    -- A document of the same EPA uploaded as an annex or the report.
    document_id  UUID REFERENCES documents (id),
    UNIQUE (locator_id, position)
);

CREATE TABLE evidence_locator_entry_ksbs (
    entry_id  UUID NOT NULL REFERENCES evidence_locator_entries (id),
    ksb_code  TEXT NOT NULL,
    PRIMARY KEY (entry_id, ksb_code)
);

CREATE FUNCTION evidence_locator_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% rows are never changed: submit a new version of the locator', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER evidence_locators_append_only BEFORE UPDATE OR DELETE ON evidence_locators
    FOR EACH ROW EXECUTE FUNCTION evidence_locator_append_only();

CREATE TRIGGER evidence_locator_entries_append_only BEFORE UPDATE OR DELETE ON evidence_locator_entries
    FOR EACH ROW EXECUTE FUNCTION evidence_locator_append_only();

CREATE TRIGGER evidence_locator_entry_ksbs_append_only BEFORE UPDATE OR DELETE ON evidence_locator_entry_ksbs
    FOR EACH ROW EXECUTE FUNCTION evidence_locator_append_only();
