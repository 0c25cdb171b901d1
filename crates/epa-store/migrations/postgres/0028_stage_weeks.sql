-- How many EPAs entered and left each stage, per EPAO and per week (the
-- Monday that starts it), for the dashboard's pipeline over time. A trigger
-- keeps it in the transaction of every change of stage, so the history reads
-- a few hundred rows whatever the number of EPAs, and nothing that writes an
-- EPA can forget it. Weeks are taken from the EPA's own timestamps, which
-- come from the application's clock. Kept column for column in step with
-- migrations/sqlite/0028_stage_weeks.sql.
CREATE TABLE stage_weeks (
    epao_id  UUID NOT NULL,
    week     DATE NOT NULL,
    stage    TEXT NOT NULL,
    entered  BIGINT NOT NULL DEFAULT 0,
    exited   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (epao_id, week, stage)
);

CREATE FUNCTION stage_weeks_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved_in DATE;
BEGIN
    -- A counter row is shared by every EPA of the EPAO moving that week.
    -- Taking the audit chain's lock first (every change of stage appends to
    -- the chain in the same transaction anyway) means two transactions never
    -- hold counter rows while waiting for each other's.
    PERFORM pg_advisory_xact_lock(7100071);
    IF TG_OP = 'INSERT' THEN
        moved_in := date_trunc('week', NEW.created_at AT TIME ZONE 'UTC')::date;
        INSERT INTO stage_weeks (epao_id, week, stage, entered)
        VALUES (NEW.epao_id, moved_in, NEW.stage, 1)
        ON CONFLICT (epao_id, week, stage) DO UPDATE SET entered = stage_weeks.entered + 1;
    ELSE
        moved_in := date_trunc('week', NEW.updated_at AT TIME ZONE 'UTC')::date;
        INSERT INTO stage_weeks (epao_id, week, stage, exited)
        VALUES (OLD.epao_id, moved_in, OLD.stage, 1)
        ON CONFLICT (epao_id, week, stage) DO UPDATE SET exited = stage_weeks.exited + 1;
        INSERT INTO stage_weeks (epao_id, week, stage, entered)
        VALUES (NEW.epao_id, moved_in, NEW.stage, 1)
        ON CONFLICT (epao_id, week, stage) DO UPDATE SET entered = stage_weeks.entered + 1;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER epas_stage_weeks_insert AFTER INSERT ON epas
FOR EACH ROW EXECUTE FUNCTION stage_weeks_count();

CREATE TRIGGER epas_stage_weeks_update AFTER UPDATE OF stage ON epas
FOR EACH ROW WHEN (OLD.stage IS DISTINCT FROM NEW.stage) EXECUTE FUNCTION stage_weeks_count();

-- EPAs stored before this table: their history is not known here, so each
-- counts as entering its present stage in the week it last changed.
INSERT INTO stage_weeks (epao_id, week, stage, entered)
SELECT epao_id, date_trunc('week', updated_at AT TIME ZONE 'UTC')::date, stage, COUNT(*)
FROM epas
GROUP BY 1, 2, 3;
