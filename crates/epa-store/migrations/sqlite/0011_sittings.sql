-- Sittings belong to bookings: a booking that was sat becomes `held`, and
-- each assessment names the booking it was held for. Kept column for
-- column in step with migrations/postgres/0011_sittings.sql.
--
-- SQLite cannot change a CHECK constraint in place, so `bookings` is
-- rebuilt. The old table is renamed first (its self-reference follows the
-- rename), so dropping it never leaves rows of the new table pointing at a
-- table that is going away; nothing else references bookings yet. Its
-- indexes and the trigger that forbids deletes are dropped with it and
-- made again below.
ALTER TABLE bookings RENAME TO bookings_before_held;

CREATE TABLE bookings (
    id                 BLOB PRIMARY KEY NOT NULL,
    epa_id             BLOB NOT NULL REFERENCES epas (id),
    method             TEXT NOT NULL CHECK (method IN ('observation', 'project', 'discussion')),
    assessment_on      TEXT NOT NULL,
    starts_at          TEXT NOT NULL,
    duration_minutes   INTEGER NOT NULL,
    mode               TEXT NOT NULL CHECK (mode IN ('in_person', 'remote')),
    assessor_id        BLOB NOT NULL REFERENCES users (id),
    status             TEXT NOT NULL CHECK (status IN ('booked', 'cancelled', 'rescheduled', 'no_show', 'held')),
    status_reason      TEXT,
    status_changed_at  TEXT,
    status_changed_by  BLOB REFERENCES users (id),
    replaces_id        BLOB REFERENCES bookings (id),
    booked_on          TEXT NOT NULL,
    created_by         BLOB NOT NULL REFERENCES users (id),
    created_at         TEXT NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1
);

-- Oldest first, so a replaced booking is in place before the one that
-- names it.
INSERT INTO bookings (id, epa_id, method, assessment_on, starts_at, duration_minutes, mode, assessor_id, status,
                      status_reason, status_changed_at, status_changed_by, replaces_id, booked_on, created_by,
                      created_at, version)
SELECT id, epa_id, method, assessment_on, starts_at, duration_minutes, mode, assessor_id, status,
       status_reason, status_changed_at, status_changed_by, replaces_id, booked_on, created_by,
       created_at, version
FROM bookings_before_held
ORDER BY created_at, id;

DROP TABLE bookings_before_held;

CREATE INDEX bookings_epa ON bookings (epa_id, assessment_on);
CREATE INDEX bookings_assessor ON bookings (assessor_id, assessment_on);

CREATE TRIGGER bookings_no_delete BEFORE DELETE ON bookings
BEGIN
    SELECT RAISE(ABORT, 'bookings are kept: cancel or reschedule instead');
END;

-- The booking a sitting was held for; empty for sittings recorded before
-- sittings needed one.
ALTER TABLE assessments ADD COLUMN booking_id BLOB REFERENCES bookings (id);
