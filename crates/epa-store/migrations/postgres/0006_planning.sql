-- Planning: who declared a conflict of interest, planning meetings, the
-- bookings of each assessment method, and the dates the report and the
-- portfolio were submitted. Kept column for column in step with
-- migrations/sqlite/0006_planning.sql.

-- Who recorded a declared conflict (the person themselves, or EPAO staff
-- for them); empty for conflicts derived from records.
ALTER TABLE conflicts ADD COLUMN declared_by UUID REFERENCES users (id);

CREATE INDEX conflicts_organisation ON conflicts (organisation_id, user_id);

-- The assessment planning meeting: held once per EPA attempt, it allocates
-- the assessor. Attendees are free text (a JSON array of names and roles).
CREATE TABLE planning_meetings (
    id           UUID PRIMARY KEY NOT NULL,
    epa_id       UUID NOT NULL REFERENCES epas (id),
    held_on      DATE NOT NULL,
    attendees    TEXT NOT NULL,
    assessor_id  UUID NOT NULL REFERENCES users (id),
    recorded_by  UUID NOT NULL REFERENCES users (id),
    recorded_at  TIMESTAMPTZ NOT NULL
);

CREATE INDEX planning_meetings_epa ON planning_meetings (epa_id, recorded_at);

-- One method booked on a date. A booking is never deleted: cancelling,
-- rescheduling (a new booking that `replaces_id` the old) and a no-show
-- change its status, with the reason, and the audit chain keeps each step.
CREATE TABLE bookings (
    id                 UUID PRIMARY KEY NOT NULL,
    epa_id             UUID NOT NULL REFERENCES epas (id),
    method             TEXT NOT NULL CHECK (method IN ('observation', 'project', 'discussion')),
    assessment_on      DATE NOT NULL,
    starts_at          TIME NOT NULL,
    duration_minutes   INTEGER NOT NULL,
    mode               TEXT NOT NULL CHECK (mode IN ('in_person', 'remote')),
    assessor_id        UUID NOT NULL REFERENCES users (id),
    status             TEXT NOT NULL CHECK (status IN ('booked', 'cancelled', 'rescheduled', 'no_show')),
    status_reason      TEXT,
    status_changed_at  TIMESTAMPTZ,
    status_changed_by  UUID REFERENCES users (id),
    replaces_id        UUID REFERENCES bookings (id),
    booked_on          DATE NOT NULL,
    created_by         UUID NOT NULL REFERENCES users (id),
    created_at         TIMESTAMPTZ NOT NULL,
    version            BIGINT NOT NULL DEFAULT 1
);

CREATE INDEX bookings_epa ON bookings (epa_id, assessment_on);
CREATE INDEX bookings_assessor ON bookings (assessor_id, assessment_on);

CREATE FUNCTION bookings_kept() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'bookings are kept: cancel or reschedule instead';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER bookings_no_delete BEFORE DELETE ON bookings
    FOR EACH ROW EXECUTE FUNCTION bookings_kept();

-- When the project report or the portfolio reached the EPAO. A correction
-- is a new row; the latest recorded one counts.
CREATE TABLE submissions (
    id            UUID PRIMARY KEY NOT NULL,
    epa_id        UUID NOT NULL REFERENCES epas (id),
    kind          TEXT NOT NULL CHECK (kind IN ('report', 'portfolio')),
    submitted_on  DATE NOT NULL,
    recorded_by   UUID NOT NULL REFERENCES users (id),
    recorded_at   TIMESTAMPTZ NOT NULL
);

CREATE INDEX submissions_epa ON submissions (epa_id, kind, recorded_at);
