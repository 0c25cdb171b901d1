-- An assessor's profile: the regions they cover, how many assessments a day
-- and a week, and the days they cannot work. The scheduler reads it. Kept
-- column for column in step with migrations/sqlite/0016_assessor_profiles.sql.

CREATE TABLE assessor_profiles (
    user_id       UUID PRIMARY KEY NOT NULL REFERENCES users (id),
    max_per_day   INTEGER NOT NULL CHECK (max_per_day BETWEEN 1 AND 8),
    max_per_week  INTEGER NOT NULL CHECK (max_per_week BETWEEN 1 AND 40),
    updated_at    TIMESTAMPTZ NOT NULL,
    version       BIGINT NOT NULL DEFAULT 1
);

CREATE TABLE assessor_regions (
    user_id  UUID NOT NULL REFERENCES users (id),
    region   TEXT NOT NULL CHECK (region IN ('north_east', 'north_west', 'yorkshire_and_the_humber', 'east_midlands', 'west_midlands', 'east_of_england', 'london', 'south_east', 'south_west')),
    PRIMARY KEY (user_id, region)
);

CREATE INDEX assessor_regions_region ON assessor_regions (region, user_id);

CREATE TABLE assessor_unavailable_days (
    user_id  UUID NOT NULL REFERENCES users (id),
    day      DATE NOT NULL,
    PRIMARY KEY (user_id, day)
);
