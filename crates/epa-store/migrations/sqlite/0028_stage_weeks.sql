-- How many EPAs entered and left each stage, per EPAO and per week (the
-- Monday that starts it), for the dashboard's pipeline over time. Triggers
-- keep it in the transaction of every change of stage, so the history reads
-- a few hundred rows whatever the number of EPAs, and nothing that writes an
-- EPA can forget it. Weeks are taken from the EPA's own timestamps, which
-- come from the application's clock. Kept column for column in step with
-- migrations/postgres/0028_stage_weeks.sql.
CREATE TABLE stage_weeks (
    epao_id  BLOB NOT NULL,
    week     TEXT NOT NULL,
    stage    TEXT NOT NULL,
    entered  INTEGER NOT NULL DEFAULT 0,
    exited   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (epao_id, week, stage)
);

CREATE TRIGGER epas_stage_weeks_insert AFTER INSERT ON epas
BEGIN
    INSERT INTO stage_weeks (epao_id, week, stage, entered)
    VALUES (NEW.epao_id, date(substr(NEW.created_at, 1, 10), '-6 days', 'weekday 1'), NEW.stage, 1)
    ON CONFLICT (epao_id, week, stage) DO UPDATE SET entered = entered + 1;
END;

CREATE TRIGGER epas_stage_weeks_update AFTER UPDATE OF stage ON epas
WHEN OLD.stage <> NEW.stage
BEGIN
    INSERT INTO stage_weeks (epao_id, week, stage, exited)
    VALUES (OLD.epao_id, date(substr(NEW.updated_at, 1, 10), '-6 days', 'weekday 1'), OLD.stage, 1)
    ON CONFLICT (epao_id, week, stage) DO UPDATE SET exited = exited + 1;
    INSERT INTO stage_weeks (epao_id, week, stage, entered)
    VALUES (NEW.epao_id, date(substr(NEW.updated_at, 1, 10), '-6 days', 'weekday 1'), NEW.stage, 1)
    ON CONFLICT (epao_id, week, stage) DO UPDATE SET entered = entered + 1;
END;

-- EPAs stored before this table: their history is not known here, so each
-- counts as entering its present stage in the week it last changed.
INSERT INTO stage_weeks (epao_id, week, stage, entered)
SELECT epao_id, date(substr(updated_at, 1, 10), '-6 days', 'weekday 1'), stage, COUNT(*)
FROM epas
GROUP BY 1, 2, 3;
