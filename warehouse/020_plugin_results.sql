-- What each analysis plugin computed for a workout: one row per workout and
-- plugin, so re-running a plugin replaces its row (INSERT OR REPLACE).

CREATE TABLE plugin_results (
    workout_id      VARCHAR,
    plugin          VARCHAR,
    plugin_version  VARCHAR,
    status          VARCHAR,            -- ok | error | skipped
    metrics         JSON,
    figures         JSON,               -- Plotly figure objects
    error           VARCHAR,
    computed_at     TIMESTAMP,          -- UTC
    PRIMARY KEY (workout_id, plugin)
);
