-- The gate's records: conflicts of interest withdrawn when declared in
-- error (kept, never deleted), and reallocations of an EPA's assessor.
-- Kept column for column in step with migrations/postgres/0010_gate.sql.

ALTER TABLE conflicts ADD COLUMN withdrawn_at TEXT;
ALTER TABLE conflicts ADD COLUMN withdrawn_by BLOB REFERENCES users (id);
ALTER TABLE conflicts ADD COLUMN withdrawal_reason TEXT;
