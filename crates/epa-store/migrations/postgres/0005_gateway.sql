-- The gateway: every submission attempt with its components, the portfolio's
-- evidence items and their KSB mapping, the EPAO's review of each component,
-- and the TQUK project proposal with its decisions. Kept column for column
-- in step with migrations/sqlite/0005_gateway.sql.
--
-- What was submitted and what was decided is never changed: a new attempt
-- is new rows, a changed review is a new review row (the latest counts).
-- Triggers refuse UPDATE and DELETE on those tables. Only an attempt's
-- status and decision columns move, once, from under_review.

CREATE TABLE gateway_submissions (
    id                UUID PRIMARY KEY NOT NULL,
    epa_id            UUID NOT NULL REFERENCES epas (id),
    attempt           INTEGER NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('under_review', 'approved', 'rejected')),
    submitted_by      UUID NOT NULL REFERENCES users (id),
    submitted_at      TIMESTAMPTZ NOT NULL,
    decided_by        UUID REFERENCES users (id),
    decided_at        TIMESTAMPTZ,
    decision_reasons  TEXT,
    version           BIGINT NOT NULL DEFAULT 1,
    UNIQUE (epa_id, attempt)
);

CREATE TABLE gateway_components (
    id            UUID PRIMARY KEY NOT NULL,
    submission_id UUID NOT NULL REFERENCES gateway_submissions (id),
    kind          TEXT NOT NULL CHECK (kind IN ('photo_id', 'portfolio', 'proposal', 'english_maths', 'employer_declaration', 'provider_declaration', 'reasonable_adjustments')),
    -- An uploaded file, once uploads exist; a reference by description until then.
    document_id   UUID,
    details       TEXT NOT NULL,
    word_count    BIGINT,
    -- Set when the component was accepted at the previous attempt and kept.
    carried_from  UUID REFERENCES gateway_components (id),
    created_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (submission_id, kind)
);

CREATE TABLE evidence_items (
    id             UUID PRIMARY KEY NOT NULL,
    component_id   UUID NOT NULL REFERENCES gateway_components (id),
    position       INTEGER NOT NULL,
    title          TEXT NOT NULL,
    evidence_type  TEXT NOT NULL,
    evidence_date  DATE NOT NULL,
    description    TEXT NOT NULL,
    link           TEXT,
    document_id    UUID,
    UNIQUE (component_id, position)
);

CREATE TABLE evidence_item_ksbs (
    evidence_item_id  UUID NOT NULL REFERENCES evidence_items (id),
    ksb_code          TEXT NOT NULL,
    PRIMARY KEY (evidence_item_id, ksb_code)
);

CREATE INDEX evidence_item_ksbs_code ON evidence_item_ksbs (ksb_code);

CREATE TABLE gateway_reviews (
    id            UUID PRIMARY KEY NOT NULL,
    component_id  UUID NOT NULL REFERENCES gateway_components (id),
    decision      TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
    reasons       TEXT NOT NULL,
    reviewed_by   UUID NOT NULL REFERENCES users (id),
    reviewed_at   TIMESTAMPTZ NOT NULL
);

CREATE INDEX gateway_reviews_component ON gateway_reviews (component_id, reviewed_at);

CREATE TABLE project_proposals (
    id            UUID PRIMARY KEY NOT NULL,
    epa_id        UUID NOT NULL REFERENCES epas (id),
    version       INTEGER NOT NULL,
    component_id  UUID REFERENCES gateway_components (id),
    text          TEXT NOT NULL,
    word_count    BIGINT NOT NULL,
    submitted_by  UUID NOT NULL REFERENCES users (id),
    submitted_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (epa_id, version)
);

CREATE TABLE proposal_decisions (
    id             UUID PRIMARY KEY NOT NULL,
    proposal_id    UUID NOT NULL UNIQUE REFERENCES project_proposals (id),
    decision       TEXT NOT NULL CHECK (decision IN ('accepted', 'rejected')),
    feedback       TEXT NOT NULL,
    rework_due_on  DATE,
    decided_by     UUID NOT NULL REFERENCES users (id),
    decided_at     TIMESTAMPTZ NOT NULL
);

CREATE FUNCTION gateway_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% rows are never changed: a new attempt, review or version is a new row', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER gateway_components_append_only BEFORE UPDATE OR DELETE ON gateway_components
    FOR EACH ROW EXECUTE FUNCTION gateway_append_only();

CREATE TRIGGER evidence_items_append_only BEFORE UPDATE OR DELETE ON evidence_items
    FOR EACH ROW EXECUTE FUNCTION gateway_append_only();

CREATE TRIGGER evidence_item_ksbs_append_only BEFORE UPDATE OR DELETE ON evidence_item_ksbs
    FOR EACH ROW EXECUTE FUNCTION gateway_append_only();

CREATE TRIGGER gateway_reviews_append_only BEFORE UPDATE OR DELETE ON gateway_reviews
    FOR EACH ROW EXECUTE FUNCTION gateway_append_only();

CREATE TRIGGER project_proposals_append_only BEFORE UPDATE OR DELETE ON project_proposals
    FOR EACH ROW EXECUTE FUNCTION gateway_append_only();

CREATE TRIGGER proposal_decisions_append_only BEFORE UPDATE OR DELETE ON proposal_decisions
    FOR EACH ROW EXECUTE FUNCTION gateway_append_only();
