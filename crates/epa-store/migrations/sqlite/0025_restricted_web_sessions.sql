-- A web session started by someone who must set up a second factor first
-- reaches only the pages that set it up, as their restricted API token
-- reaches only those routes (ADR 0116). Confirming the factor lifts it.
ALTER TABLE web_sessions ADD COLUMN restricted BOOLEAN NOT NULL DEFAULT FALSE;
