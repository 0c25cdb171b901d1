-- Assessments, judgements, method results, released results, attempts after
-- a fail, exceptional circumstances and certificate claims. Kept column for
-- column in step with migrations/postgres/0007_assessment.sql.

-- What happened at one sitting of one method: the assessor, the date, the
-- actual start and end, questioning minutes (observation) and interview
-- questions asked (project). One per method per EPA attempt.
CREATE TABLE assessments (
    id                   BLOB PRIMARY KEY NOT NULL,
    epa_id               BLOB NOT NULL REFERENCES epas (id),
    method               TEXT NOT NULL CHECK (method IN ('observation', 'project', 'discussion')),
    attempt              INTEGER NOT NULL,
    attempt_kind         TEXT NOT NULL CHECK (attempt_kind IN ('first', 'resit', 'retake', 'project_rework')),
    held_on              TEXT NOT NULL,
    start_time           TEXT NOT NULL,
    end_time             TEXT NOT NULL,
    duration_minutes     INTEGER NOT NULL,
    questioning_minutes  INTEGER,
    interview_questions  INTEGER,
    assessor_id          BLOB NOT NULL REFERENCES users (id),
    recorded_at          TEXT NOT NULL,
    UNIQUE (epa_id, method, attempt)
);

CREATE INDEX assessments_epa ON assessments (epa_id, attempt);

-- The assessor's judgement on one criterion. Never edited: a correction is a
-- new row that names the judgement it supersedes, so each criterion's
-- judgements form a chain whose head (the row nobody supersedes) counts.
CREATE TABLE judgements (
    id             BLOB PRIMARY KEY NOT NULL,
    epa_id         BLOB NOT NULL REFERENCES epas (id),
    assessment_id  BLOB NOT NULL REFERENCES assessments (id),
    method         TEXT NOT NULL,
    criterion_id   TEXT NOT NULL,
    met            INTEGER NOT NULL CHECK (met IN (0, 1)),
    note           TEXT NOT NULL,
    assessor_id    BLOB NOT NULL REFERENCES users (id),
    recorded_at    TEXT NOT NULL,
    supersedes_id  BLOB UNIQUE REFERENCES judgements (id)
);

CREATE INDEX judgements_assessment ON judgements (assessment_id, criterion_id);
CREATE INDEX judgements_epa ON judgements (epa_id);
-- One first judgement per criterion per assessment; later ones supersede.
CREATE UNIQUE INDEX judgements_first ON judgements (assessment_id, criterion_id)
    WHERE supersedes_id IS NULL;

CREATE TRIGGER judgements_no_update BEFORE UPDATE ON judgements
BEGIN
    SELECT RAISE(ABORT, 'judgements are never changed: record a new judgement that supersedes it');
END;

CREATE TRIGGER judgements_no_delete BEFORE DELETE ON judgements
BEGIN
    SELECT RAISE(ABORT, 'judgements are never changed: record a new judgement that supersedes it');
END;

-- The grade the rules compute for one assessment from its standing
-- judgements: provisional until an overall result is released.
-- `sampled` and `moderation_id` are where quality-assurance sampling and
-- moderation attach; they stay NULL until that work is built.
CREATE TABLE method_results (
    id              BLOB PRIMARY KEY NOT NULL,
    epa_id          BLOB NOT NULL REFERENCES epas (id),
    assessment_id   BLOB NOT NULL UNIQUE REFERENCES assessments (id),
    method          TEXT NOT NULL,
    attempt         INTEGER NOT NULL,
    grade           TEXT NOT NULL CHECK (grade IN ('fail', 'pass', 'distinction')),
    explanation     TEXT NOT NULL,
    unmet           TEXT NOT NULL,
    graded_by       BLOB NOT NULL REFERENCES users (id),
    computed_at     TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('provisional', 'released')),
    result_id       BLOB,
    released_at     TEXT,
    sampled         INTEGER,
    moderation_id   BLOB,
    version         INTEGER NOT NULL DEFAULT 1
);

CREATE INDEX method_results_epa ON method_results (epa_id, method, attempt);

-- An overall result as released: the method grades it was decided from, the
-- grade before and after the resit/retake cap, and who released it.
CREATE TABLE results (
    id                         BLOB PRIMARY KEY NOT NULL,
    epa_id                     BLOB NOT NULL REFERENCES epas (id),
    attempt                    INTEGER NOT NULL,
    attempt_kind               TEXT NOT NULL,
    observation_grade          TEXT NOT NULL,
    project_grade              TEXT NOT NULL,
    discussion_grade           TEXT NOT NULL,
    uncapped_grade             TEXT NOT NULL,
    overall_grade              TEXT NOT NULL,
    cap_applied                INTEGER NOT NULL CHECK (cap_applied IN (0, 1)),
    exceptional_circumstances  INTEGER NOT NULL CHECK (exceptional_circumstances IN (0, 1)),
    explanation                TEXT NOT NULL,
    released_on                TEXT NOT NULL,
    released_by                BLOB NOT NULL REFERENCES users (id),
    released_at                TEXT NOT NULL,
    UNIQUE (epa_id, attempt)
);

-- Each attempt after the first: a resit, a project rework or a retake, with
-- the methods it covers and its due date.
CREATE TABLE epa_attempts (
    id          BLOB PRIMARY KEY NOT NULL,
    epa_id      BLOB NOT NULL REFERENCES epas (id),
    attempt     INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('resit', 'retake', 'project_rework')),
    methods     TEXT NOT NULL,
    due_on      TEXT,
    started_by  BLOB NOT NULL REFERENCES users (id),
    started_at  TEXT NOT NULL,
    UNIQUE (epa_id, attempt)
);

-- Exceptional circumstances accepted by the EPAO for an EPA's fail: they
-- lift the resit/retake grade cap where the policy allows.
CREATE TABLE exceptional_circumstances (
    id           BLOB PRIMARY KEY NOT NULL,
    epa_id       BLOB NOT NULL REFERENCES epas (id),
    reason       TEXT NOT NULL,
    recorded_by  BLOB NOT NULL REFERENCES users (id),
    recorded_at  TEXT NOT NULL
);

CREATE INDEX exceptional_circumstances_epa ON exceptional_circumstances (epa_id);

-- The certificate claim (the DfE certificate request) and its receipt.
CREATE TABLE certificate_claims (
    id           BLOB PRIMARY KEY NOT NULL,
    epa_id       BLOB NOT NULL UNIQUE REFERENCES epas (id),
    result_id    BLOB NOT NULL REFERENCES results (id),
    due_on       TEXT,
    claimed_on   TEXT NOT NULL,
    claimed_by   BLOB NOT NULL REFERENCES users (id),
    received_on  TEXT,
    received_by  BLOB REFERENCES users (id),
    version      INTEGER NOT NULL DEFAULT 1
);
