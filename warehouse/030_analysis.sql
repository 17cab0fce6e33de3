-- Results of `athlete analyze`: per-workout load, the athlete's profile used
-- for it, and one row of training and recovery metrics per local day.

CREATE TABLE athlete_profile (
    athlete_id   VARCHAR PRIMARY KEY,
    rest_hr      DOUBLE,
    max_hr       DOUBLE,
    ftp_w        DOUBLE,
    sex          VARCHAR NOT NULL,
    estimated    JSON,                 -- which values were estimated from data
    computed_at  TIMESTAMP NOT NULL
);

CREATE TABLE workout_loads (
    workout_id   VARCHAR PRIMARY KEY,
    athlete_id   VARCHAR NOT NULL,
    local_date   DATE NOT NULL,
    load         DOUBLE NOT NULL,
    method       VARCHAR NOT NULL,
    raw          DOUBLE
);

CREATE TABLE daily_metrics (
    athlete_id        VARCHAR NOT NULL,
    date              DATE NOT NULL,
    load              DOUBLE NOT NULL,
    sessions          INTEGER NOT NULL,
    duration_min      DOUBLE NOT NULL,
    high_intensity_min DOUBLE NOT NULL,
    acute_load        DOUBLE,
    chronic_load      DOUBLE,
    acwr_rolling      DOUBLE,
    acwr_ewma         DOUBLE,
    acwr_band         VARCHAR,
    ctl               DOUBLE,
    atl               DOUBLE,
    tsb               DOUBLE,
    monotony          DOUBLE,
    strain            DOUBLE,
    days_since_rest   INTEGER,
    sleep_s           DOUBLE,
    sleep_efficiency  DOUBLE,
    hrv_rmssd         DOUBLE,
    hrv_ln_rmssd_7d   DOUBLE,
    hrv_baseline      DOUBLE,
    hrv_lower         DOUBLE,
    hrv_upper         DOUBLE,
    hrv_status        VARCHAR,
    resting_hr        DOUBLE,
    rhr_baseline      DOUBLE,
    rhr_status        VARCHAR,
    weight_kg         DOUBLE,
    diversity_28d     DOUBLE,
    sources           VARCHAR,              -- comma-separated sources of the day's workouts
    PRIMARY KEY (athlete_id, date)
);
