-- Lists read a page as one index range scan in their order (registration,
-- then ID) whatever the number of EPAs before it: the EPAO's whole list,
-- and filtered by stage or by policy; an assessor's. They replace the
-- indexes these begin like. Kept in step with
-- migrations/postgres/0023_list_indexes.sql.
DROP INDEX epas_stage;
DROP INDEX epas_assessor;
CREATE INDEX epas_list ON epas (epao_id, created_at, id);
CREATE INDEX epas_list_stage ON epas (epao_id, stage, created_at, id);
CREATE INDEX epas_list_policy ON epas (epao_id, policy, created_at, id);
CREATE INDEX epas_list_assessor ON epas (assessor_id, created_at, id);
