-- Exceptional circumstances in two steps where the policy wants them
-- (Innovate: the assessor identifies, EPAO staff who graded none of the EPA
-- confirm; ADR 0104). A record without a confirmation lifts the cap only
-- under a policy that asks for none. Kept column for column in step with
-- migrations/postgres/0020_exceptional_confirmation.sql.
ALTER TABLE exceptional_circumstances ADD COLUMN confirmed_by BLOB REFERENCES users (id);
ALTER TABLE exceptional_circumstances ADD COLUMN confirmed_at TEXT;
