-- Housekeeping (ADR 0167) forgets idempotency keys claimed more than a day
-- ago and API tokens past their expiry, a batch at a time, found through
-- these indexes rather than by reading every row (web sessions have had
-- theirs since 0018). Kept in step with
-- migrations/sqlite/0036_ended_rows_by_age.sql.

CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
CREATE INDEX api_tokens_expiry ON api_tokens (expires_at);
