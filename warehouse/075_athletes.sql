-- The squad: one row per athlete registered with `athlete athletes add`.
-- Every other table already carries athlete_id; this one names the athlete
-- and holds what the analysis needs to know about them. A value left NULL
-- falls back to the ATHLETE_* settings, then to an estimate from the data.

CREATE TABLE athletes (
    athlete_id      VARCHAR PRIMARY KEY,
    display_name    VARCHAR,
    birth_year      INTEGER,
    sex             VARCHAR CHECK (sex IN ('male', 'female')),
    max_hr          DOUBLE,               -- bpm
    resting_hr      DOUBLE,               -- bpm
    home_time_zone  VARCHAR,              -- IANA name, e.g. Europe/Zurich
    created_at      TIMESTAMP NOT NULL,   -- UTC
    updated_at      TIMESTAMP NOT NULL    -- UTC
);
