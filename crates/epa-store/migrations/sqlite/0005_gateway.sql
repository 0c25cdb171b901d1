-- The gateway: every submission attempt with its components, the portfolio's
-- evidence items and their KSB mapping, the EPAO's review of each component,
-- and the TQUK project proposal with its decisions. Kept column for column
-- in step with migrations/postgres/0005_gateway.sql.
--
-- What was submitted and what was decided is never changed: a new attempt
-- is new rows, a changed review is a new review row (the latest counts).
-- Triggers refuse UPDATE and DELETE on those tables. Only an attempt's
-- status and decision columns move, once, from under_review.

CREATE TABLE gateway_submissions (
    id                BLOB PRIMARY KEY NOT NULL,
    epa_id            BLOB NOT NULL REFERENCES epas (id),
    attempt           INTEGER NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('under_review', 'approved', 'rejected')),
    submitted_by      BLOB NOT NULL REFERENCES users (id),
    submitted_at      TEXT NOT NULL,
    decided_by        BLOB REFERENCES users (id),
    decided_at        TEXT,
    decision_reasons  TEXT,
    version           INTEGER NOT NULL DEFAULT 1,
    UNIQUE (epa_id, attempt)
);

CREATE TABLE gateway_components (
    id            BLOB PRIMARY KEY NOT NULL,
    submission_id BLOB NOT NULL REFERENCES gateway_submissions (id),
    kind          TEXT NOT NULL CHECK (kind IN ('photo_id', 'portfolio', 'proposal', 'english_maths', 'employer_declaration', 'provider_declaration', 'reasonable_adjustments')),
    -- An uploaded file, once uploads exist; a reference by description until then.
    document_id   BLOB,
    details       TEXT NOT NULL,
    word_count    INTEGER,
    -- Set when the component was accepted at the previous attempt and kept.
    carried_from  BLOB REFERENCES gateway_components (id),
    created_at    TEXT NOT NULL,
    UNIQUE (submission_id, kind)
);

CREATE TABLE evidence_items (
    id             BLOB PRIMARY KEY NOT NULL,
    component_id   BLOB NOT NULL REFERENCES gateway_components (id),
    position       INTEGER NOT NULL,
    title          TEXT NOT NULL,
    evidence_type  TEXT NOT NULL,
    evidence_date  TEXT NOT NULL,
    description    TEXT NOT NULL,
    link           TEXT,
    document_id    BLOB,
    UNIQUE (component_id, position)
);

CREATE TABLE evidence_item_ksbs (
    evidence_item_id  BLOB NOT NULL REFERENCES evidence_items (id),
    ksb_code          TEXT NOT NULL,
    PRIMARY KEY (evidence_item_id, ksb_code)
);

CREATE INDEX evidence_item_ksbs_code ON evidence_item_ksbs (ksb_code);

CREATE TABLE gateway_reviews (
    id            BLOB PRIMARY KEY NOT NULL,
    component_id  BLOB NOT NULL REFERENCES gateway_components (id),
    decision      TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
    reasons       TEXT NOT NULL,
    reviewed_by   BLOB NOT NULL REFERENCES users (id),
    reviewed_at   TEXT NOT NULL
);

CREATE INDEX gateway_reviews_component ON gateway_reviews (component_id, reviewed_at);

CREATE TABLE project_proposals (
    id            BLOB PRIMARY KEY NOT NULL,
    epa_id        BLOB NOT NULL REFERENCES epas (id),
    version       INTEGER NOT NULL,
    component_id  BLOB REFERENCES gateway_components (id),
    text          TEXT NOT NULL,
    word_count    INTEGER NOT NULL,
    submitted_by  BLOB NOT NULL REFERENCES users (id),
    submitted_at  TEXT NOT NULL,
    UNIQUE (epa_id, version)
);

CREATE TABLE proposal_decisions (
    id             BLOB PRIMARY KEY NOT NULL,
    proposal_id    BLOB NOT NULL UNIQUE REFERENCES project_proposals (id),
    decision       TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
    feedback       TEXT NOT NULL,
    rework_due_on  TEXT,
    decided_by     BLOB NOT NULL REFERENCES users (id),
    decided_at     TEXT NOT NULL
);

CREATE TRIGGER gateway_components_no_update BEFORE UPDATE ON gateway_components
BEGIN SELECT RAISE(ABORT, 'gateway components are never changed: submit a new attempt'); END;
CREATE TRIGGER gateway_components_no_delete BEFORE DELETE ON gateway_components
BEGIN SELECT RAISE(ABORT, 'gateway components are never changed: submit a new attempt'); END;
CREATE TRIGGER evidence_items_no_update BEFORE UPDATE ON evidence_items
BEGIN SELECT RAISE(ABORT, 'evidence items are never changed: submit a new attempt'); END;
CREATE TRIGGER evidence_items_no_delete BEFORE DELETE ON evidence_items
BEGIN SELECT RAISE(ABORT, 'evidence items are never changed: submit a new attempt'); END;
CREATE TRIGGER evidence_item_ksbs_no_update BEFORE UPDATE ON evidence_item_ksbs
BEGIN SELECT RAISE(ABORT, 'evidence items are never changed: submit a new attempt'); END;
CREATE TRIGGER evidence_item_ksbs_no_delete BEFORE DELETE ON evidence_item_ksbs
BEGIN SELECT RAISE(ABORT, 'evidence items are never changed: submit a new attempt'); END;
CREATE TRIGGER gateway_reviews_no_update BEFORE UPDATE ON gateway_reviews
BEGIN SELECT RAISE(ABORT, 'reviews are never changed: record a new review'); END;
CREATE TRIGGER gateway_reviews_no_delete BEFORE DELETE ON gateway_reviews
BEGIN SELECT RAISE(ABORT, 'reviews are never changed: record a new review'); END;
CREATE TRIGGER project_proposals_no_update BEFORE UPDATE ON project_proposals
BEGIN SELECT RAISE(ABORT, 'proposals are never changed: submit a reworked version'); END;
CREATE TRIGGER project_proposals_no_delete BEFORE DELETE ON project_proposals
BEGIN SELECT RAISE(ABORT, 'proposals are never changed: submit a reworked version'); END;
CREATE TRIGGER proposal_decisions_no_update BEFORE UPDATE ON proposal_decisions
BEGIN SELECT RAISE(ABORT, 'proposal decisions are never changed'); END;
CREATE TRIGGER proposal_decisions_no_delete BEFORE DELETE ON proposal_decisions
BEGIN SELECT RAISE(ABORT, 'proposal decisions are never changed'); END;
