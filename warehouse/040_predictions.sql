-- Injury-risk predictions of `athlete predict`: one row per athlete, day and
-- model kind, so predicting again replaces the row (INSERT OR REPLACE).
-- `date` is the day whose features were scored; `risk` is the probability
-- that an injury begins within the `horizon_days` days after it.

CREATE TABLE predictions (
    athlete_id    VARCHAR NOT NULL,
    date          DATE NOT NULL,
    horizon_days  INTEGER NOT NULL,
    risk          DOUBLE NOT NULL,
    model         VARCHAR NOT NULL CHECK (model IN ('athlete', 'cohort')),
    top_features  JSON,                 -- [{name, value, contribution}], largest |contribution| first
    computed_at   TIMESTAMP NOT NULL,   -- UTC
    PRIMARY KEY (athlete_id, date, model)
);
