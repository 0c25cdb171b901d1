-- The gate's read of an EPA (one statement since ADR 0162), made on every
-- write to an EPA and every read of its pages, built three temporary
-- B-trees on SQLite: one to put the EPA's adjustments in order of their
-- decision and ID (the index held the decision only), and one for each
-- `UNION` that took repeats out of the people it turns on. Each is a page
-- cache opened, a page zeroed and both freed, a twentieth of a judgement
-- save's instructions. The adjustments' index now holds the ID too, and
-- the judgements' index the assessor, whom the gate reads grouped. Kept in
-- step with the other database's migration of the same number.
DROP INDEX adjustments_epa;
CREATE INDEX adjustments_epa ON adjustments (epa_id, decided_at, id);
DROP INDEX judgements_epa;
CREATE INDEX judgements_epa ON judgements (epa_id, assessor_id);
