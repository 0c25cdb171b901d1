-- Uploaded documents: one row per upload, naming its bytes in the file store
-- by their SHA-256 (never by the uploaded name), with what the upload checks
-- found: the kind told from the bytes, the size, and for documents with
-- words the counts and, where the policy sets a limit, the verdict and the
-- sentence shown to the uploader. Kept column for column in step with
-- migrations/postgres/0008_documents.sql.
--
-- A document is never changed: a corrected file is a new upload. Triggers
-- refuse UPDATE and DELETE.

CREATE TABLE documents (
    id                 BLOB PRIMARY KEY NOT NULL,
    epa_id             BLOB NOT NULL REFERENCES epas (id),
    purpose            TEXT NOT NULL CHECK (purpose IN ('photo_id', 'evidence', 'proposal', 'report', 'annex', 'recording')),
    -- The file store's ID: lower-case hex SHA-256 of the bytes.
    content_hash       TEXT NOT NULL CHECK (length(content_hash) = 64),
    -- The name the uploader gave (last path component only): shown, never used as a path.
    declared_name      TEXT NOT NULL,
    kind               TEXT NOT NULL,
    media_type         TEXT NOT NULL,
    size_bytes         INTEGER NOT NULL,
    words              INTEGER,
    annex_words        INTEGER,
    approximate        INTEGER CHECK (approximate IN (0, 1)),
    annex_heading      TEXT,
    -- The words the limit compares: the main text, or with the annexes
    -- when the policy's limit does not exclude them.
    counted_words      INTEGER,
    limit_min          INTEGER,
    limit_max          INTEGER,
    verdict            TEXT CHECK (verdict IN ('under', 'within', 'over')),
    summary            TEXT,
    flag_for_assessor  INTEGER NOT NULL CHECK (flag_for_assessor IN (0, 1)),
    uploaded_by        BLOB NOT NULL REFERENCES users (id),
    uploaded_at        TEXT NOT NULL
);

CREATE INDEX documents_epa ON documents (epa_id, uploaded_at);
CREATE INDEX documents_content ON documents (content_hash);

CREATE TRIGGER documents_no_update BEFORE UPDATE ON documents
BEGIN SELECT RAISE(ABORT, 'documents are never changed: upload a new one'); END;
CREATE TRIGGER documents_no_delete BEFORE DELETE ON documents
BEGIN SELECT RAISE(ABORT, 'documents are never changed: upload a new one'); END;
