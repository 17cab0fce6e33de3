-- Convenience views over the canonical tables.

CREATE OR REPLACE VIEW workouts_local AS
SELECT w.*,
       w.start_time + to_minutes(coalesce(w.utc_offset_min, 0)) AS start_local,
       CAST(w.start_time + to_minutes(coalesce(w.utc_offset_min, 0)) AS DATE) AS local_date
FROM workouts w;

CREATE OR REPLACE VIEW weekly_volume AS
SELECT athlete_id,
       date_trunc('week', local_date) AS week,
       sport_category,
       count(*) AS workouts,
       sum(duration_s) / 3600.0 AS hours,
       sum(coalesce(distance_m, 0)) / 1000.0 AS km,
       sum(coalesce(training_load, 0)) AS load
FROM workouts_local
GROUP BY ALL;
