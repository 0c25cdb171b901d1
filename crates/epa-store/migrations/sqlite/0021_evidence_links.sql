-- A portfolio item given as a link (Innovate: "inserting a link to a
-- SharePoint") keeps who added the link and when; a carried-over item keeps
-- the original's. Kept column for column in step with
-- migrations/postgres/0021_evidence_links.sql.
ALTER TABLE evidence_items ADD COLUMN link_added_by BLOB REFERENCES users (id);
ALTER TABLE evidence_items ADD COLUMN link_added_at TEXT;
