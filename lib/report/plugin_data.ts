/**
 * The plugin sections' data: recent sessions' stored plugin metrics and the
 * latest stored figures, read from plugin_results. Metric keys are those the
 * plugins write (lib/plugins/ball_sports, lib/plugins/running).
 */
import type { SqlRunner } from '../core/warehouse.ts';
import { parseJsonColumn, tableExists } from './schema.ts';

/** A Plotly figure as a plugin stored it, with the plugin's title for it. */
export interface StoredFigure {
  title: string;
  figure: { data: unknown[]; layout: Record<string, unknown> };
}

/** One ball-sports session's external-load numbers. */
export interface BallSportsSession {
  workoutId: string;
  /** Local date of the session. */
  date: string;
  sport: string;
  durationS: number | null;
  distanceM: number | null;
  /** Distance above the high-speed running threshold (`hsrThresholdKmh`). */
  hsrDistanceM: number | null;
  hsrThresholdKmh: number | null;
  sprints: number | null;
  topSpeedKmh: number | null;
  /** Null when the GPS rate could not measure them (see `sampleIntervalS`). */
  accelerations: number | null;
  decelerations: number | null;
  /** Median seconds between GPS samples. */
  sampleIntervalS: number | null;
}

/** One run's cadence and aerobic decoupling. */
export interface RunningSession {
  workoutId: string;
  date: string;
  durationS: number | null;
  distanceM: number | null;
  cadenceSpm: number | null;
  /** Pa:HR decoupling, %. */
  paHrDecouplingPct: number | null;
  /** Pw:HR decoupling, %, with a power meter. */
  pwHrDecouplingPct: number | null;
}

/** Plugin results for the report; a plugin without stored results is null. */
export interface PluginData {
  ballSports: {
    /** Newest first. */
    sessions: BallSportsSession[];
    /** The figures of the newest session that stored any, and its date. */
    figures: StoredFigure[];
    figuresDate: string | null;
  } | null;
  running: { sessions: RunningSession[] } | null;
}

function metricNum(m: Record<string, unknown>, key: string): number | null {
  const v = m[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function optNum(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

function metricsObject(raw: unknown): Record<string, unknown> {
  const m = parseJsonColumn(raw);
  return m && typeof m === 'object' && !Array.isArray(m) ? (m as Record<string, unknown>) : {};
}

/** The figures of a stored `figures` value; entries without a data array and a layout are skipped. */
export function parseStoredFigures(raw: unknown): StoredFigure[] {
  const list = parseJsonColumn(raw);
  if (!Array.isArray(list)) return [];
  const out: StoredFigure[] = [];
  for (const item of list) {
    if (!item || typeof item !== 'object') continue;
    const { title, figure } = item as Record<string, unknown>;
    if (!figure || typeof figure !== 'object') continue;
    const { data, layout } = figure as Record<string, unknown>;
    if (!Array.isArray(data) || !layout || typeof layout !== 'object' || Array.isArray(layout)) continue;
    out.push({ title: typeof title === 'string' ? title : '', figure: { data, layout: layout as Record<string, unknown> } });
  }
  return out;
}

/** Ball-sports metrics of one stored result. */
export function ballSportsSession(workoutId: string, date: string, sport: string, metrics: unknown): BallSportsSession {
  const m = metricsObject(metrics);
  return {
    workoutId,
    date,
    sport,
    durationS: metricNum(m, 'duration_s'),
    distanceM: metricNum(m, 'total_distance_m'),
    hsrDistanceM: metricNum(m, 'hsr_distance_m'),
    hsrThresholdKmh: metricNum(m, 'hsr_threshold_kmh'),
    sprints: metricNum(m, 'sprint_count'),
    topSpeedKmh: metricNum(m, 'top_speed_kmh'),
    accelerations: metricNum(m, 'accel_count'),
    decelerations: metricNum(m, 'decel_count'),
    sampleIntervalS: metricNum(m, 'sample_interval_s'),
  };
}

/** Running metrics of one stored result; duration and distance come from the workout. */
export function runningSession(workoutId: string, date: string, durationS: number | null, distanceM: number | null, metrics: unknown): RunningSession {
  const m = metricsObject(metrics);
  return {
    workoutId,
    date,
    durationS,
    distanceM,
    cadenceSpm: metricNum(m, 'avg_cadence_spm'),
    paHrDecouplingPct: metricNum(m, 'pa_hr_decoupling_pct'),
    pwHrDecouplingPct: metricNum(m, 'pw_hr_decoupling_pct'),
  };
}

/**
 * The newest successful results of `plugin` for the athlete's workouts. A
 * result stored under a superseded workout id follows its alias; when two
 * results land on one workout the later computed one counts.
 */
async function recentResults(db: SqlRunner, athleteId: string, plugin: string, limit: number, withFigures: boolean) {
  const aliases = (await tableExists(db, 'workout_aliases'))
    ? 'coalesce((SELECT a.workout_id FROM workout_aliases a WHERE a.old_id = p.workout_id), p.workout_id)'
    : 'p.workout_id';
  return db.all(
    `SELECT w.workout_id, CAST(w.start_time + to_minutes(coalesce(w.utc_offset_min, 0)) AS DATE) AS local_date,
            w.sport, w.duration_s, w.distance_m, p.metrics${withFigures ? ', p.figures' : ''}
     FROM plugin_results p JOIN workouts w ON w.workout_id = ${aliases}
     WHERE w.athlete_id = ? AND p.plugin = ? AND p.status = 'ok'
     QUALIFY row_number() OVER (PARTITION BY w.workout_id ORDER BY p.computed_at DESC NULLS LAST, p.workout_id) = 1
     ORDER BY w.start_time DESC, w.workout_id DESC
     LIMIT ?`,
    [athleteId, plugin, limit],
  );
}

/**
 * Read the ball-sports and running results of the most recent sessions: `limit`
 * runs, and at most 6 ball-sports sessions so their table and two figures share a page.
 */
export async function loadPluginData(db: SqlRunner, athleteId: string, limit = 8): Promise<PluginData> {
  if (!(await tableExists(db, 'plugin_results'))) return { ballSports: null, running: null };

  const ball = await recentResults(db, athleteId, 'ball_sports', Math.min(limit, 6), true);
  let ballSports: PluginData['ballSports'] = null;
  if (ball.length > 0) {
    const withFigures = ball.map((r) => ({ date: String(r.local_date), figures: parseStoredFigures(r.figures) })).find((r) => r.figures.length > 0);
    ballSports = {
      sessions: ball.map((r) => ballSportsSession(String(r.workout_id), String(r.local_date), String(r.sport), r.metrics)),
      figures: withFigures?.figures ?? [],
      figuresDate: withFigures?.date ?? null,
    };
  }

  const runs = await recentResults(db, athleteId, 'running', limit, false);
  const running = runs.length
    ? { sessions: runs.map((r) => runningSession(String(r.workout_id), String(r.local_date), optNum(r.duration_s), optNum(r.distance_m), r.metrics)) }
    : null;
  return { ballSports, running };
}
