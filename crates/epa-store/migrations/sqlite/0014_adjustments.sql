-- Reasonable adjustments EPAO staff decide for an EPA: extra time (minutes
-- or a percentage of each method's duration) and other arrangements, with
-- the reason. Every decision is kept; the latest stands. Kept column for
-- column in step with migrations/postgres/0014_adjustments.sql.
CREATE TABLE adjustments (
    id             BLOB PRIMARY KEY NOT NULL,
    epa_id         BLOB NOT NULL REFERENCES epas (id),
    extra_minutes  INTEGER CHECK (extra_minutes IS NULL OR extra_minutes BETWEEN 1 AND 180),
    extra_percent  INTEGER CHECK (extra_percent IS NULL OR extra_percent BETWEEN 1 AND 100),
    arrangements   TEXT NOT NULL,
    reason         TEXT NOT NULL,
    decided_by     BLOB NOT NULL REFERENCES users (id),
    decided_at     TEXT NOT NULL,
    CHECK (extra_minutes IS NULL OR extra_percent IS NULL)
);

CREATE INDEX adjustments_epa ON adjustments (epa_id, decided_at);
