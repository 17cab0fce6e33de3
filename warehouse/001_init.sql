-- Source records exactly as each source gave them (one row per record), the
-- canonical tables built from them, and bookkeeping. Instants are TIMESTAMP
-- in UTC; utc_offset_min gives the local time.

CREATE TABLE source_workouts (
    record_id           VARCHAR PRIMARY KEY,   -- hash(athlete_id, source, external_id)
    athlete_id          VARCHAR NOT NULL,
    source              VARCHAR NOT NULL,
    external_id         VARCHAR NOT NULL,
    name                VARCHAR,
    start_time          TIMESTAMP NOT NULL,
    end_time            TIMESTAMP NOT NULL,
    duration_s          DOUBLE NOT NULL,
    moving_time_s       DOUBLE,
    utc_offset_min      INTEGER,
    sport               VARCHAR NOT NULL,
    source_sport        VARCHAR,
    sport_category      VARCHAR NOT NULL,
    distance_m          DOUBLE,
    calories_kcal       DOUBLE,
    avg_hr              DOUBLE,
    max_hr              DOUBLE,
    elevation_gain_m    DOUBLE,
    avg_power_w         DOUBLE,
    max_power_w         DOUBLE,
    avg_cadence         DOUBLE,
    training_load       DOUBLE,
    perceived_exertion  DOUBLE,
    external_ids        JSON,
    raw_data            JSON,
    has_gps             BOOLEAN NOT NULL,
    has_power           BOOLEAN NOT NULL,
    data_quality_score  DOUBLE NOT NULL,
    parent_external_id  VARCHAR,
    input               VARCHAR,
    ingested_at         TIMESTAMP NOT NULL
);

-- Canonical, deduplicated workouts.
CREATE TABLE workouts (
    workout_id          VARCHAR PRIMARY KEY,
    athlete_id          VARCHAR NOT NULL,
    name                VARCHAR,
    start_time          TIMESTAMP NOT NULL,
    end_time            TIMESTAMP NOT NULL,
    duration_s          DOUBLE NOT NULL,
    utc_offset_min      INTEGER,
    sport               VARCHAR NOT NULL,
    sport_category      VARCHAR NOT NULL,
    distance_m          DOUBLE,
    calories_kcal       DOUBLE,
    avg_hr              DOUBLE,
    max_hr              DOUBLE,
    elevation_gain_m    DOUBLE,
    avg_power_w         DOUBLE,
    max_power_w         DOUBLE,
    avg_cadence         DOUBLE,
    training_load       DOUBLE,
    perceived_exertion  DOUBLE,
    source              VARCHAR NOT NULL,
    external_ids        JSON,
    raw_data            JSON,
    has_gps             BOOLEAN NOT NULL,
    has_power           BOOLEAN NOT NULL,
    data_quality_score  DOUBLE NOT NULL,
    provenance          JSON,
    source_count        INTEGER NOT NULL
);

-- Which source records each canonical workout is made of, and why they were joined.
CREATE TABLE workout_sources (
    workout_id   VARCHAR NOT NULL,
    record_id    VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,
    external_id  VARCHAR NOT NULL,
    match_tier   INTEGER,              -- NULL for the cluster's base record
    match_info   JSON,
    PRIMARY KEY (workout_id, record_id)
);

-- A superseded workout id keeps pointing at the workout that replaced it.
CREATE TABLE workout_aliases (
    old_id       VARCHAR PRIMARY KEY,
    workout_id   VARCHAR NOT NULL,
    created_at   TIMESTAMP NOT NULL
);

-- Samples of each source record's track. A record's stream gets a small
-- integer id, so the points table repeats 4 bytes per row instead of the
-- record's hash; points of one stream are appended together, in stream_id
-- order for new streams, so DuckDB's zone maps find them without an index.
CREATE TABLE streams (
    stream_id    INTEGER PRIMARY KEY,
    record_id    VARCHAR NOT NULL UNIQUE,
    points       INTEGER NOT NULL
);

CREATE TABLE stream_points (
    stream_id    INTEGER NOT NULL,
    time         TIMESTAMP_MS NOT NULL,
    lat          DOUBLE,
    lon          DOUBLE,
    altitude_m   DOUBLE,
    distance_m   DOUBLE,
    speed_mps    DOUBLE,
    hr           DOUBLE,
    power_w      DOUBLE,
    cadence      DOUBLE
);

-- Samples, one row each, keyed by the source record they belong to (what readers query).
CREATE VIEW workout_streams AS
SELECT s.record_id, p.time, p.lat, p.lon, p.altitude_m, p.distance_m, p.speed_mps, p.hr, p.power_w, p.cadence
FROM stream_points p JOIN streams s ON s.stream_id = p.stream_id;

-- Every biometric reading as a source reported it.
CREATE TABLE source_biometrics (
    reading_id   VARCHAR PRIMARY KEY,  -- hash(athlete_id, source, metric_type, date, time)
    athlete_id   VARCHAR NOT NULL,
    date         DATE NOT NULL,
    time         TIMESTAMP,
    metric_type  VARCHAR NOT NULL,
    value        DOUBLE NOT NULL,
    unit         VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,
    confidence   DOUBLE NOT NULL,
    raw_data     JSON,
    input        VARCHAR,
    ingested_at  TIMESTAMP NOT NULL
);

-- One reconciled value per athlete, local day and metric.
CREATE TABLE biometrics (
    athlete_id   VARCHAR NOT NULL,
    date         DATE NOT NULL,
    metric_type  VARCHAR NOT NULL,
    value        DOUBLE NOT NULL,
    unit         VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,
    confidence   DOUBLE NOT NULL,
    source_count INTEGER NOT NULL,
    PRIMARY KEY (athlete_id, date, metric_type)
);

CREATE TABLE sync_metadata (
    source       VARCHAR NOT NULL,
    athlete_id   VARCHAR NOT NULL,
    last_sync    TIMESTAMP,
    sync_status  VARCHAR NOT NULL,
    cursor       VARCHAR,
    message      VARCHAR,
    records      INTEGER,
    PRIMARY KEY (source, athlete_id)
);

-- Inputs that could not be read (or only partly). error_id hashes the rest, so
-- re-importing the same bad file records its problem once.
CREATE TABLE import_errors (
    error_id     VARCHAR PRIMARY KEY,
    input        VARCHAR NOT NULL,
    record       VARCHAR,
    field        VARCHAR,
    reason       VARCHAR NOT NULL,
    occurred_at  TIMESTAMP NOT NULL
);

CREATE TABLE injuries (
    athlete_id   VARCHAR NOT NULL,
    date         DATE NOT NULL,
    area         VARCHAR NOT NULL,
    severity     VARCHAR,
    notes        VARCHAR,
    source       VARCHAR NOT NULL,
    PRIMARY KEY (athlete_id, date, area)
);
