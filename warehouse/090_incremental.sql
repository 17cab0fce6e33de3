-- Incremental work after a load. A load records here, in the transaction that
-- stores its rows, what it changed; each later step (deduplication, analysis,
-- plugins) reads its rows and clears them in the transaction that does its
-- work, so a run that stops half way is caught up by the next one.

-- Source workouts new or changed since the last deduplication.
CREATE TABLE pending_records (
    record_id    VARCHAR PRIMARY KEY
);

-- Local days whose biometric readings changed since they were last reconciled.
CREATE TABLE pending_biometric_days (
    athlete_id   VARCHAR NOT NULL,
    date         DATE NOT NULL,
    PRIMARY KEY (athlete_id, date)
);

-- Per athlete, the earliest local day whose analysis is out of date.
CREATE TABLE pending_analysis (
    athlete_id   VARCHAR PRIMARY KEY,
    from_date    DATE NOT NULL
);

-- Canonical workouts the analysis plugins have to look at again: new, changed,
-- or one of their records' streams changed.
CREATE TABLE pending_plugins (
    workout_id   VARCHAR PRIMARY KEY
);

-- A hash of each stream's samples: loading the same track again leaves its points alone.
ALTER TABLE streams ADD COLUMN content_hash VARCHAR;

-- Input files already imported, by a hash of their content and how they were read
-- (format, source given, athlete): importing one again unchanged skips it.
CREATE TABLE imported_files (
    fingerprint  VARCHAR PRIMARY KEY,
    input        VARCHAR NOT NULL,
    size         BIGINT NOT NULL,
    imported_at  TIMESTAMP NOT NULL
);
