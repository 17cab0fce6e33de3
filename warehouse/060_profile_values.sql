-- Values of an athlete's profile as a source gave them (height, the weight set in a service's
-- profile, age, ...): not a day's measurement, so kept apart from biometrics. The earlier version's
-- Strava profile snapshots, stamped with the day of its sync, land here.
-- profile_id hashes (athlete_id, source, key, as_of).
CREATE TABLE profile_values (
    profile_id  VARCHAR PRIMARY KEY,
    athlete_id  VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,
    key         VARCHAR NOT NULL,
    as_of       DATE,
    value       DOUBLE,
    text        VARCHAR,
    unit        VARCHAR,
    input       VARCHAR
);
