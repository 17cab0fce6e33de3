/**
 * An athlete's history as the injury model reads it from the warehouse: the
 * daily rows with their data lineage, and the workouts of each local day that
 * the cohort model's features are mapped from.
 */
import type { SqlRunner } from '../core/warehouse.ts';
import type { CohortWorkout } from './cohort_map.ts';
import type { DailyRow } from './features.ts';
import { STRAVA_API_TAG } from './predictor.ts';

interface DailyMetricsRow {
  athlete_id: string;
  date: string;
  load: number | null;
  sessions: number;
  high_intensity_min: number | null;
  sleep_s: number | null;
  sleep_efficiency: number | null;
  hrv_ln_rmssd_7d: number | null;
  hrv_baseline: number | null;
  resting_hr: number | null;
  rhr_baseline: number | null;
  diversity_28d: number | null;
  sources: string | null;
  tags: string | null;
}

const splitTags = (s: string | null): string[] => (s ? s.split(',').filter(Boolean) : []);

/**
 * The athlete's (or every athlete's) rows of daily_metrics as `DailyRow`s,
 * sorted by athlete and date. A day's `sources` are the lineage tags of the
 * source records behind its workouts: the source name, or 'strava_api' for a
 * record fetched through the Strava API (`raw_data.via`), so `filterTrainable`
 * can leave out API-only days. A day whose workouts are no longer in the
 * warehouse keeps daily_metrics' own source list.
 */
export async function loadDailyRows(wh: SqlRunner, athleteId?: string): Promise<DailyRow[]> {
  const rows = await wh.all<DailyMetricsRow>(
    `WITH records AS (
       SELECT w.athlete_id, w.local_date AS date,
              CASE WHEN sw.raw_data->>'via' = '${STRAVA_API_TAG}' THEN '${STRAVA_API_TAG}' ELSE ws.source END AS tag
       FROM workouts_local w
       JOIN workout_sources ws ON ws.workout_id = w.workout_id
       LEFT JOIN source_workouts sw ON sw.record_id = ws.record_id),
     tags AS (SELECT athlete_id, date, string_agg(DISTINCT tag, ',' ORDER BY tag) AS tags FROM records GROUP BY athlete_id, date)
     SELECT d.athlete_id, d.date, d.load, d.sessions, d.high_intensity_min, d.sleep_s, d.sleep_efficiency, d.hrv_ln_rmssd_7d,
            d.hrv_baseline, d.resting_hr, d.rhr_baseline, d.diversity_28d, d.sources, t.tags
     FROM daily_metrics d LEFT JOIN tags t ON t.athlete_id = d.athlete_id AND t.date = d.date
     ${athleteId === undefined ? '' : 'WHERE d.athlete_id = ?'}
     ORDER BY d.athlete_id, d.date`,
    athleteId === undefined ? [] : [athleteId],
  );
  return rows.map((r) => ({
    athlete_id: r.athlete_id,
    date: r.date,
    load: r.load,
    sleep_h: r.sleep_s === null ? null : r.sleep_s / 3600,
    sleep_efficiency: r.sleep_efficiency,
    hrv_ln_rmssd_7d: r.hrv_ln_rmssd_7d,
    hrv_baseline: r.hrv_baseline,
    resting_hr: r.resting_hr,
    rhr_baseline: r.rhr_baseline,
    diversity_28d: r.diversity_28d,
    high_intensity_min: r.high_intensity_min,
    sessions: r.sessions,
    sources: r.tags !== null ? splitTags(r.tags) : splitTags(r.sources),
  }));
}

/** The athlete's workouts on their local days, in the shape `cohortDayFeatures` takes. */
export async function loadCohortWorkouts(wh: SqlRunner, athleteId: string): Promise<CohortWorkout[]> {
  return wh.all<CohortWorkout>(
    `SELECT local_date AS date, sport, sport_category, duration_s, distance_m, avg_hr, perceived_exertion
     FROM workouts_local WHERE athlete_id = ? ORDER BY start_time, workout_id`,
    [athleteId],
  );
}
