-- Unknown days, injury ends, and the injury model's evaluation.
--
-- A day on which no device recorded anything has an unknown load (NULL), not
-- a rest day's 0; load_coverage_28d is the share of the last 28 days whose
-- load is known, which load metrics and the report show beside them.
ALTER TABLE daily_metrics ALTER COLUMN load DROP NOT NULL;
ALTER TABLE daily_metrics ADD COLUMN load_coverage_28d DOUBLE;

-- Normalized Power (W) from the power stream, when the load is a power TSS.
ALTER TABLE workout_loads ADD COLUMN np_w DOUBLE;

-- The day the athlete was back to full training (return to play); NULL when
-- not recorded. Training days from the injury's start to this day are left
-- out of the injury model's training data.
ALTER TABLE injuries ADD COLUMN end_date DATE;

-- How a stored risk is calibrated: 'platt_forward_chaining' (athlete model,
-- Platt fit on its forward-in-time test days), 'platt_calibration_athletes'
-- (cohort model, Platt fit on athletes held out for calibration) or
-- 'uncalibrated' (the balanced-sampling prior shift undone, nothing more).
ALTER TABLE predictions ADD COLUMN calibration VARCHAR;

-- What `athlete train` found, one row per athlete and model kind: whether a
-- personal model may be shown, and if not why; the forward-chaining
-- evaluation with its confidence intervals, the ACWR-only baseline beside it,
-- and whether the model beats that baseline.
CREATE TABLE model_evaluations (
    athlete_id        VARCHAR NOT NULL,
    model             VARCHAR NOT NULL,     -- athlete | cohort
    status            VARCHAR NOT NULL,     -- trained | too_few_injuries | no_data
    message           VARCHAR,              -- why there is no model, in words
    trained_at        TIMESTAMP NOT NULL,   -- UTC
    horizon_days      INTEGER,
    injuries_recorded INTEGER,
    injury_events     INTEGER,              -- injuries that label training days
    min_injuries      INTEGER,              -- the fewest a personal model needs
    roc_auc           DOUBLE,
    roc_auc_low       DOUBLE,               -- 95 % bootstrap interval
    roc_auc_high      DOUBLE,
    pr_auc            DOUBLE,
    pr_auc_low        DOUBLE,
    pr_auc_high       DOUBLE,
    prevalence        DOUBLE,               -- chance level of PR AUC
    baseline_feature  VARCHAR,
    baseline_roc_auc  DOUBLE,
    baseline_pr_auc   DOUBLE,
    beats_baseline    BOOLEAN,
    calibration       VARCHAR,
    report            JSON,                 -- folds, importances, pooled test scores
    PRIMARY KEY (athlete_id, model)
);
