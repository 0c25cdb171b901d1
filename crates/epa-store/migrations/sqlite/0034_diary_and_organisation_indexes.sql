-- Indexes for reads that must not grow with the data. An assessor's diary
-- check reads only the bookings starting before the new slot ends
-- (assessor_id, assessment_on, starts_at), not the assessor's whole day;
-- the EPAO a registration opens its EPA at, and any list of organisations
-- of one kind, is a step of (kind, name, id). Kept in step with the other
-- database's 0034.

DROP INDEX bookings_assessor;
CREATE INDEX bookings_assessor ON bookings (assessor_id, assessment_on, starts_at);

CREATE INDEX organisations_kind ON organisations (kind, name, id);
