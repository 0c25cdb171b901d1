-- An employer's and a training provider's lists read a page as one index
-- range scan in order of registration, as the EPAO's and an assessor's do
-- (0023), whatever the number of their apprentices: the apprentice's
-- employer and provider are kept on the EPA, written with it and changed
-- with the apprentice's by a correction of the registration, in its
-- transaction. Before, each page read every EPA of the organisation and
-- sorted them. Kept in step
-- with migrations/sqlite/0037_organisation_lists.sql.
ALTER TABLE epas ADD COLUMN employer_id UUID REFERENCES organisations (id);
ALTER TABLE epas ADD COLUMN provider_id UUID REFERENCES organisations (id);
UPDATE epas e SET employer_id = a.employer_id, provider_id = a.provider_id
    FROM apprentices a WHERE a.id = e.apprentice_id;
CREATE INDEX epas_list_employer ON epas (employer_id, created_at, id);
CREATE INDEX epas_list_provider ON epas (provider_id, created_at, id);
