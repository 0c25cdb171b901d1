-- The EPA's whole lifecycle state (stage, attempt, gateway attempts, EPA
-- period start, standing grade, methods being resat) as the domain's JSON.
-- `stage` stays a column of its own for filtering and counting.
ALTER TABLE epas ADD COLUMN lifecycle TEXT NOT NULL DEFAULT '';
