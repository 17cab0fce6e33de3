-- Moving (timer) time of each canonical workout, beside duration_s (elapsed
-- time, pauses included). It comes from the workout's base record like its
-- times, or from the first other record of the cluster that has one. NULL
-- when no record of the workout knows it.
ALTER TABLE workouts ADD COLUMN moving_time_s DOUBLE;
