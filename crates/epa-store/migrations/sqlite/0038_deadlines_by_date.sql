-- The kept deadlines' scope indexes hold who may see a deadline and its
-- date, no longer its openness (ADR 0174). A deadline met or missed by
-- what was recorded moved in all four, as its openness led its date in
-- each key: at 100,000 EPAs about half the pages a booking's commit
-- wrote (it closes one deadline and adds two) were these indexes'. Now,
-- on SQLite, a deadline closed on its date moves in none (PostgreSQL,
-- which cannot update such a row in place, gives each index a new entry,
-- as it did before). The few deadlines open whatever the date (an event
-- outside the product) have an index of their own in each scope, for the
-- first arm of the list of open ones.
-- The list of every deadline (met and missed included) now reads a range
-- of the scope's index in order of date, where it sorted the scope's
-- deadlines. Kept in step with migrations/postgres/0038_deadlines_by_date.sql.
DROP INDEX epa_deadlines_epao;
DROP INDEX epa_deadlines_provider;
DROP INDEX epa_deadlines_employer;
DROP INDEX epa_deadlines_assessor;
CREATE INDEX epa_deadlines_epao ON epa_deadlines (epao_id, due_on, epa_id, position);
CREATE INDEX epa_deadlines_provider ON epa_deadlines (provider_id, due_on, epa_id, position);
CREATE INDEX epa_deadlines_employer ON epa_deadlines (employer_id, due_on, epa_id, position);
CREATE INDEX epa_deadlines_assessor ON epa_deadlines (assessor_id, due_on, epa_id, position);
CREATE INDEX epa_deadlines_epao_always ON epa_deadlines (epao_id, due_on, epa_id, position)
    WHERE open_kind = 'always';
CREATE INDEX epa_deadlines_provider_always ON epa_deadlines (provider_id, due_on, epa_id, position)
    WHERE open_kind = 'always';
CREATE INDEX epa_deadlines_employer_always ON epa_deadlines (employer_id, due_on, epa_id, position)
    WHERE open_kind = 'always';
CREATE INDEX epa_deadlines_assessor_always ON epa_deadlines (assessor_id, due_on, epa_id, position)
    WHERE open_kind = 'always';
