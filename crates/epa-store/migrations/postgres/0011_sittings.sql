-- Sittings belong to bookings: a booking that was sat becomes `held`, and
-- each assessment names the booking it was held for. Kept column for
-- column in step with migrations/sqlite/0011_sittings.sql (which rebuilds
-- the table, as SQLite cannot change a CHECK constraint in place).
ALTER TABLE bookings DROP CONSTRAINT bookings_status_check;
ALTER TABLE bookings ADD CONSTRAINT bookings_status_check
    CHECK (status IN ('booked', 'cancelled', 'rescheduled', 'no_show', 'held'));

-- The booking a sitting was held for; empty for sittings recorded before
-- sittings needed one.
ALTER TABLE assessments ADD COLUMN booking_id UUID REFERENCES bookings (id);
