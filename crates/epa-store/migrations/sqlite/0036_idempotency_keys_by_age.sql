-- Idempotency keys are kept for a day (ADR 0167): housekeeping forgets
-- older ones a batch at a time, found through this index rather than by
-- reading every key. Kept in step with
-- migrations/postgres/0036_idempotency_keys_by_age.sql.

CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
