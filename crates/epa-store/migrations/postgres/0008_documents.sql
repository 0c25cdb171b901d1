-- Uploaded documents: one row per upload, naming its bytes in the file store
-- by their SHA-256 (never by the uploaded name), with what the upload checks
-- found: the kind told from the bytes, the size, and for documents with
-- words the counts and, where the policy sets a limit, the verdict and the
-- sentence shown to the uploader. Kept column for column in step with
-- migrations/sqlite/0008_documents.sql.
--
-- A document is never changed: a corrected file is a new upload. A trigger
-- refuses UPDATE and DELETE.

CREATE TABLE documents (
    id                 UUID PRIMARY KEY NOT NULL,
    epa_id             UUID NOT NULL REFERENCES epas (id),
    purpose            TEXT NOT NULL CHECK (purpose IN ('photo_id', 'evidence', 'proposal', 'report', 'annex', 'recording')),
    -- The file store's ID: lower-case hex SHA-256 of the bytes.
    content_hash       TEXT NOT NULL CHECK (length(content_hash) = 64),
    -- The name the uploader gave (last path component only): shown, never used as a path.
    declared_name      TEXT NOT NULL,
    kind               TEXT NOT NULL,
    media_type         TEXT NOT NULL,
    size_bytes         BIGINT NOT NULL,
    words              BIGINT,
    annex_words        BIGINT,
    approximate        BOOLEAN,
    annex_heading      TEXT,
    -- The words the limit compares: the main text, or with the annexes
    -- when the policy's limit does not exclude them.
    counted_words      BIGINT,
    limit_min          BIGINT,
    limit_max          BIGINT,
    verdict            TEXT CHECK (verdict IN ('under', 'within', 'over')),
    summary            TEXT,
    flag_for_assessor  BOOLEAN NOT NULL,
    uploaded_by        UUID NOT NULL REFERENCES users (id),
    uploaded_at        TIMESTAMPTZ NOT NULL
);

CREATE INDEX documents_epa ON documents (epa_id, uploaded_at);
CREATE INDEX documents_content ON documents (content_hash);

CREATE FUNCTION documents_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'documents are never changed: upload a new one';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER documents_append_only BEFORE UPDATE OR DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION documents_append_only();
