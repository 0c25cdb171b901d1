-- Finding an apprentice by the start of their family name, in any case:
-- an index range on the lowered name (see epas::Search), whatever the
-- number of apprentices.
CREATE INDEX apprentices_family_name ON apprentices (lower(family_name));
