-- Where an employer's apprentices work: one of England's nine regions
-- (ITL1, the same set as assessor_regions), the region of their in-person
-- observation. Optional: organisations added before it was kept have none
-- until an administrator sets it. Kept in step with
-- migrations/postgres/0030_workplace_region.sql.

ALTER TABLE organisations ADD COLUMN region TEXT
    CHECK (region IS NULL OR region IN ('north_east', 'north_west', 'yorkshire_and_the_humber', 'east_midlands', 'west_midlands', 'east_of_england', 'london', 'south_east', 'south_west'));
