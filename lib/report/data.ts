/**
 * Everything the report shows, read from the warehouse in one pass and shaped
 * into plain series and tables. Load and recovery baselines come from
 * daily_metrics (`athlete analyze`) when it has the athlete's days, else they
 * are computed here with the same lib/analysis functions.
 */
import type { SportCategory } from '../core/models.ts';
import { sportFamily } from '../core/sports.ts';
import type { SqlRunner } from '../core/warehouse.ts';
import { acwrBand, acwrEwma, acwrRolling, loadCoverage, observedDailyLoads, fitnessFatigue, type AcwrBand } from '../analysis/daily.ts';
import { CATEGORY_INTENSITY, sessionRpe, THRESHOLD_RPE } from '../analysis/load.ts';
import { hrvStatus, restingHrStatus, rollingMean } from '../analysis/recovery.ts';
import { loadPluginData, type PluginData } from './plugin_data.ts';
import { loadRiskData, type RiskData } from './risk.ts';
import { tableExists } from './schema.ts';

/** One week's volume for one sport category; `week` is the Monday, YYYY-MM-DD. */
export interface WeeklyVolume {
  week: string;
  category: SportCategory;
  hours: number;
  km: number;
}

/** One week's distance in one sport (family: road and trail running are running); `week` is the Monday. */
export interface WeeklyDistance {
  week: string;
  sport: string;
  km: number;
}

/** Training load and its derived curves on one local day; null where not defined (see lib/analysis/daily.ts). */
export interface LoadDay {
  date: string;
  /** Null when nothing was recorded that day. */
  load: number | null;
  ctl: number | null;
  atl: number | null;
  tsb: number | null;
  /** Acute:chronic workload ratio (EWMA 7:28 days); null before 28 days of history or while chronic load is zero. */
  acwr: number | null;
  /** The same from rolling 7- and 28-day means (Gabbett 2016). */
  acwrRolling: number | null;
  /** Share (0..1) of the last 28 days with a known load. */
  coverage: number;
}

/** A daily value of one biometric. */
export interface MetricPoint {
  date: string;
  value: number;
}

/**
 * HRV against its baseline on one day, in ln RMSSD (ln ms) as lib/analysis
 * `hrvStatus` gives it: the 7-day mean and the 60-day baseline ± 0.5 SD.
 */
export interface HrvBaselineDay {
  date: string;
  ln7d: number | null;
  baseline: number | null;
  lower: number | null;
  upper: number | null;
  status: string | null;
}

/** Coverage of one source across workouts and biometrics. */
export interface SourceCoverage {
  source: string;
  workouts: number;
  biometricRows: number;
  firstDate: string | null;
  lastDate: string | null;
  /** Share (0..1) of this source's workouts that share a canonical workout with another source; null without workouts. */
  matchedShare: number | null;
}

/** One stored import error. */
export interface ImportErrorRow {
  input: string;
  record: string | null;
  field: string | null;
  reason: string;
  occurredAt: string;
}

/** The last sync of one source. */
export interface SyncStatusRow {
  source: string;
  status: string;
  lastSync: string | null;
  records: number | null;
  message: string | null;
}

/** The latest HRV and resting-HR status against baseline, each on the last day it was defined. */
export interface RecoveryStatus {
  hrv: { date: string; status: string } | null;
  restingHr: { date: string; status: string } | null;
}

/** All the report's data. */
export interface ReportData {
  athleteId: string;
  /** The athlete's name as registered (`athlete athletes add`), else the id. */
  displayName: string;
  period: { start: string | null; end: string | null };
  sources: SourceCoverage[];
  /** Canonical workouts after dedup. */
  workouts: number;
  /** Source workout records. */
  sourceRecords: number;
  /** Duplicates merged: source records − workouts (never below zero). */
  mergedRecords: number;
  /** Merged records by match tier (1 external id, 2 time overlap, 3 route). */
  mergedByTier: { tier: number; records: number }[];
  weekly: WeeklyVolume[];
  /** Weekly distance by sport, the five sports with most distance and the rest as 'other'. */
  weeklyDistance: WeeklyDistance[];
  /** Where the load and baseline series came from: stored `athlete analyze` results, or computed for the report. */
  analysis: 'daily_metrics' | 'computed';
  load: LoadDay[];
  latest: {
    date: string;
    ctl: number | null;
    atl: number | null;
    tsb: number | null;
    acwr: number | null;
    band: AcwrBand | null;
    acwrRolling: number | null;
    coverage: number;
  } | null;
  biometrics: {
    restingHr: MetricPoint[];
    /** Resting-HR baseline (mean of the 60 days before, bpm). */
    restingHrBaseline: MetricPoint[];
    /** Daily RMSSD (ms). */
    hrv: MetricPoint[];
    hrvBaseline: HrvBaselineDay[];
    sleepHours: MetricPoint[];
    /** Mean sleep of the 7 nights ending each night (at least 4 of them recorded), h. */
    sleepTrend: MetricPoint[];
    weight: MetricPoint[];
  };
  recoveryStatus: RecoveryStatus;
  risk: RiskData;
  plugins: PluginData;
  sync: SyncStatusRow[];
  importErrors: { count: number; latest: ImportErrorRow[] };
}

const CATEGORIES: readonly SportCategory[] = ['ENDURANCE', 'STRENGTH', 'BALL_SPORT', 'MIXED'];

/** What `workoutLoad` needs about a workout. */
export interface LoadWorkout {
  durationS: number;
  trainingLoad: number | null;
  rpe: number | null;
  category: SportCategory;
}

/**
 * A workout's load: the stored training_load when a source gave a usable one; else
 * session RPE scaled so an hour at RPE 7 is 100; else duration × the
 * category's assumed intensity² × 100 (the TSS relation), as in lib/analysis/load.ts.
 */
export function workoutLoad(w: LoadWorkout): number {
  if (w.trainingLoad !== null && Number.isFinite(w.trainingLoad) && w.trainingLoad >= 0) return w.trainingLoad;
  const minutes = Math.max(0, w.durationS) / 60;
  const srpe = w.rpe === null ? null : sessionRpe(w.rpe, minutes);
  if (srpe !== null) return (srpe / (60 * THRESHOLD_RPE)) * 100;
  const intensity = CATEGORY_INTENSITY[w.category];
  return (minutes / 60) * intensity * intensity * 100;
}

/**
 * Daily load (null when unknown) with CTL/ATL/TSB (lib/analysis
 * `fitnessFatigue`: 42/7-day time constants, started from the first 42 days'
 * means, TSB = yesterday's CTL − ATL), EWMA and rolling ACWR 7:28 and the
 * 28-day coverage, as `athlete analyze` computes them.
 */
export function loadCurves(days: { date: string; load: number | null }[]): LoadDay[] {
  const loads = days.map((d) => d.load);
  const ff = fitnessFatigue(loads);
  const acwr = acwrEwma(loads);
  const rolling = acwrRolling(loads);
  const coverage = loadCoverage(loads);
  return days.map(({ date, load }, i) => ({ date, load, ...ff[i]!, acwr: acwr[i]!.ratio, acwrRolling: rolling[i]!.ratio, coverage: coverage[i]! }));
}

/** The five sports with most distance by name, the rest summed as 'other', per week. */
export function weeklyDistanceBySport(rows: { week: string; sport: string; km: number }[], top = 5): WeeklyDistance[] {
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(sportFamily(r.sport), (totals.get(sportFamily(r.sport)) ?? 0) + r.km);
  const kept = new Set([...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, top).map(([s]) => s));
  const byKey = new Map<string, WeeklyDistance>();
  for (const r of rows) {
    const family = sportFamily(r.sport);
    const sport = kept.has(family) ? family : 'other';
    const key = `${r.week}|${sport}`;
    const entry = byKey.get(key) ?? { week: r.week, sport, km: 0 };
    entry.km += r.km;
    byKey.set(key, entry);
  }
  return [...byKey.values()].sort((a, b) => (a.week === b.week ? a.sport.localeCompare(b.sport) : a.week < b.week ? -1 : 1));
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : v === null || v === undefined ? 0 : Number(v);
}

function optNum(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

function finite(v: unknown): number | null {
  const n = optNum(v);
  return n !== null && Number.isFinite(n) ? n : null;
}

function str(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v);
}

function timestampText(v: unknown): string {
  if (v instanceof Date) return `${v.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return String(v ?? '');
}

async function chooseAthlete(db: SqlRunner): Promise<string> {
  const rows = await db.all<{ athlete_id: string }>(
    `SELECT athlete_id FROM (
       SELECT athlete_id FROM workouts UNION ALL SELECT athlete_id FROM biometrics
     ) GROUP BY athlete_id ORDER BY count(*) DESC, athlete_id LIMIT 1`,
  );
  return rows[0]?.athlete_id ?? 'me';
}

const LOCAL_DATE = 'CAST(start_time + to_minutes(coalesce(utc_offset_min, 0)) AS DATE)';

/**
 * Read the report's data for one athlete (default: the one with most rows).
 * With stored daily_metrics the load series is theirs (so the report's numbers
 * are `athlete analyze`'s); without, it runs daily from the first workout to
 * the end of the period.
 */
export async function loadReportData(
  db: SqlRunner,
  opts: { athleteId?: string; displayName?: string; latestErrors?: number; pluginSessions?: number } = {},
): Promise<ReportData> {
  const athleteId = opts.athleteId ?? (await chooseAthlete(db));
  const p = [athleteId];

  const [period] = await db.all(
    `SELECT least(w.first, b.first) AS start, greatest(w.last, b.last) AS "end" FROM
       (SELECT min(local_date) AS first, max(local_date) AS last FROM workouts_local WHERE athlete_id = ?) w,
       (SELECT min(date) AS first, max(date) AS last FROM biometrics WHERE athlete_id = ?) b`,
    [athleteId, athleteId],
  );

  const sourceRows = await db.all(
    `WITH sw AS (
       SELECT source, count(*) AS workouts, min(${LOCAL_DATE}) AS first, max(${LOCAL_DATE}) AS last
       FROM source_workouts WHERE athlete_id = ? GROUP BY source),
     sb AS (
       SELECT source, count(*) AS rows, min(date) AS first, max(date) AS last
       FROM source_biometrics WHERE athlete_id = ? GROUP BY source),
     matched AS (
       SELECT ws.source, count(DISTINCT ws.record_id) AS matched
       FROM workout_sources ws JOIN workouts w ON w.workout_id = ws.workout_id
       WHERE w.athlete_id = ? AND EXISTS (
         SELECT 1 FROM workout_sources o WHERE o.workout_id = ws.workout_id AND o.source <> ws.source)
       GROUP BY ws.source)
     SELECT source, coalesce(sw.workouts, 0) AS workouts, coalesce(sb.rows, 0) AS biometric_rows,
            least(sw.first, sb.first) AS first_date, greatest(sw.last, sb.last) AS last_date,
            coalesce(matched.matched, 0) AS matched
     FROM sw FULL JOIN sb USING (source) LEFT JOIN matched USING (source)
     ORDER BY source`,
    [athleteId, athleteId, athleteId],
  );
  const sources: SourceCoverage[] = sourceRows.map((r) => ({
    source: String(r.source),
    workouts: num(r.workouts),
    biometricRows: num(r.biometric_rows),
    firstDate: str(r.first_date),
    lastDate: str(r.last_date),
    matchedShare: num(r.workouts) > 0 ? num(r.matched) / num(r.workouts) : null,
  }));

  const [counts] = await db.all(
    `SELECT (SELECT count(*) FROM workouts WHERE athlete_id = ?) AS workouts,
            (SELECT count(*) FROM source_workouts WHERE athlete_id = ?) AS records`,
    [athleteId, athleteId],
  );
  const tiers = await db.all(
    `SELECT ws.match_tier AS tier, count(*) AS records
     FROM workout_sources ws JOIN workouts w ON w.workout_id = ws.workout_id
     WHERE w.athlete_id = ? AND ws.match_tier IS NOT NULL GROUP BY ALL ORDER BY tier`,
    p,
  );

  const weeklyRows = await db.all(
    `SELECT CAST(week AS DATE) AS week, sport_category, sum(hours) AS hours, sum(km) AS km
     FROM weekly_volume WHERE athlete_id = ? GROUP BY ALL ORDER BY week, sport_category`,
    p,
  );
  const distanceRows = await db.all(
    `SELECT CAST(date_trunc('week', local_date) AS DATE) AS week, sport, sum(distance_m) / 1000.0 AS km
     FROM workouts_local WHERE athlete_id = ? AND distance_m > 0 GROUP BY ALL ORDER BY week, sport`,
    p,
  );
  const weeklyDistance = weeklyDistanceBySport(distanceRows.map((r) => ({ week: String(r.week), sport: String(r.sport), km: num(r.km) })));
  const weekly: WeeklyVolume[] = weeklyRows.map((r) => ({
    week: String(r.week),
    category: (CATEGORIES as readonly string[]).includes(String(r.sport_category)) ? (r.sport_category as SportCategory) : 'MIXED',
    hours: num(r.hours),
    km: num(r.km),
  }));

  const periodEnd = str(period?.end);
  const bio = await db.all(
    `SELECT metric_type, date, value FROM biometrics
     WHERE athlete_id = ? AND metric_type IN ('resting_hr', 'hrv_rmssd', 'sleep_duration', 'weight')
     ORDER BY metric_type, date`,
    p,
  );
  const series = (metric: string, scale = 1): MetricPoint[] =>
    bio.filter((r) => r.metric_type === metric).map((r) => ({ date: String(r.date), value: num(r.value) * scale }));
  const restingHr = series('resting_hr');
  const hrv = series('hrv_rmssd');

  const stored = await storedDailyMetrics(db, athleteId);
  const daily = stored ?? (await computedDailyMetrics(db, athleteId, periodEnd, hrv, restingHr));
  const last = daily.load[daily.load.length - 1];
  const sleepHours = series('sleep_duration', 1 / 3600);

  const sync = (await tableExists(db, 'sync_metadata'))
    ? await db.all(
        'SELECT source, sync_status, last_sync, records, message FROM sync_metadata WHERE athlete_id = ? ORDER BY source',
        p,
      )
    : [];

  const [errCount] = await db.all('SELECT count(*) AS n FROM import_errors');
  const errRows = await db.all(
    'SELECT input, record, field, reason, occurred_at FROM import_errors ORDER BY occurred_at DESC, error_id DESC LIMIT ?',
    [opts.latestErrors ?? 5],
  );

  const workouts = num(counts?.workouts);
  const sourceRecords = num(counts?.records);
  return {
    athleteId,
    displayName: await displayNameOf(db, athleteId, opts.displayName),
    period: { start: str(period?.start), end: periodEnd },
    sources,
    workouts,
    sourceRecords,
    mergedRecords: Math.max(0, sourceRecords - workouts),
    mergedByTier: tiers.map((r) => ({ tier: num(r.tier), records: num(r.records) })),
    weekly,
    weeklyDistance,
    analysis: stored ? 'daily_metrics' : 'computed',
    load: daily.load,
    latest: last
      ? { date: last.date, ctl: last.ctl, atl: last.atl, tsb: last.tsb, acwr: last.acwr, band: acwrBand(last.acwr), acwrRolling: last.acwrRolling, coverage: last.coverage }
      : null,
    biometrics: {
      restingHr,
      restingHrBaseline: daily.rhrBaseline,
      hrv,
      hrvBaseline: daily.hrvBaseline,
      sleepHours,
      sleepTrend: rollingMean(sleepHours.map((p) => ({ date: p.date, value: p.value })), 7, 4),
      weight: series('weight'),
    },
    recoveryStatus: {
      hrv: lastStatus(daily.hrvBaseline.map((d) => ({ date: d.date, status: d.status }))),
      restingHr: lastStatus(daily.rhrStatus),
    },
    risk: await loadRiskData(db, athleteId, periodEnd, last ? { date: last.date, acwr: last.acwr } : null),
    plugins: await loadPluginData(db, athleteId, opts.pluginSessions),
    sync: sync.map((r) => ({
      source: String(r.source),
      status: String(r.sync_status),
      lastSync: r.last_sync === null || r.last_sync === undefined ? null : timestampText(r.last_sync),
      records: optNum(r.records),
      message: str(r.message),
    })),
    importErrors: {
      count: num(errCount?.n),
      latest: errRows.map((r) => ({
        input: String(r.input),
        record: str(r.record),
        field: str(r.field),
        reason: String(r.reason),
        occurredAt: timestampText(r.occurred_at),
      })),
    },
  };
}

/** The daily series the report draws, from either source. */
interface DailySeries {
  load: LoadDay[];
  hrvBaseline: HrvBaselineDay[];
  rhrBaseline: MetricPoint[];
  rhrStatus: { date: string; status: string | null }[];
}

function lastStatus(days: { date: string; status: string | null }[]): { date: string; status: string } | null {
  for (let i = days.length - 1; i >= 0; i--) {
    const d = days[i]!;
    if (d.status !== null) return { date: d.date, status: d.status };
  }
  return null;
}

/** The athlete's registered display name (the athletes table), else the configured one, else the id. */
async function displayNameOf(db: SqlRunner, athleteId: string, configured: string | undefined): Promise<string> {
  const [row] = (await tableExists(db, 'athletes'))
    ? await db.all<{ display_name: string | null }>('SELECT display_name FROM athletes WHERE athlete_id = ?', [athleteId])
    : [];
  return row?.display_name?.trim() || configured?.trim() || athleteId;
}

/** The athlete's rows of daily_metrics, or null when `athlete analyze` has not stored any. */
async function storedDailyMetrics(db: SqlRunner, athleteId: string): Promise<DailySeries | null> {
  if (!(await tableExists(db, 'daily_metrics'))) return null;
  const rows = await db.all(
    `SELECT date, load, ctl, atl, tsb, acwr_ewma, acwr_rolling, load_coverage_28d, hrv_ln_rmssd_7d, hrv_baseline, hrv_lower, hrv_upper,
            hrv_status, rhr_baseline, rhr_status
     FROM daily_metrics WHERE athlete_id = ? ORDER BY date`,
    [athleteId],
  );
  if (rows.length === 0) return null;
  return {
    load: rows.map((r) => ({
      date: String(r.date),
      load: finite(r.load),
      ctl: finite(r.ctl),
      atl: finite(r.atl),
      tsb: finite(r.tsb),
      acwr: finite(r.acwr_ewma),
      acwrRolling: finite(r.acwr_rolling),
      coverage: finite(r.load_coverage_28d) ?? 0,
    })),
    hrvBaseline: rows.map((r) => ({
      date: String(r.date),
      ln7d: finite(r.hrv_ln_rmssd_7d),
      baseline: finite(r.hrv_baseline),
      lower: finite(r.hrv_lower),
      upper: finite(r.hrv_upper),
      status: str(r.hrv_status),
    })),
    rhrBaseline: rows.flatMap((r) => {
      const v = finite(r.rhr_baseline);
      return v === null ? [] : [{ date: String(r.date), value: v }];
    }),
    rhrStatus: rows.map((r) => ({ date: String(r.date), status: str(r.rhr_status) })),
  };
}

/**
 * The same series computed here, for a warehouse `athlete analyze` has not
 * filled: load from the first workout to the period's end (`workoutLoad`),
 * unknown on days nothing was recorded, as analyze does; HRV and resting-HR
 * baselines with lib/analysis `hrvStatus`/`restingHrStatus`.
 */
async function computedDailyMetrics(
  db: SqlRunner,
  athleteId: string,
  periodEnd: string | null,
  hrv: MetricPoint[],
  restingHr: MetricPoint[],
): Promise<DailySeries> {
  const loadRows = await db.all(
    `SELECT local_date, duration_s, training_load, perceived_exertion, sport_category
     FROM workouts_local WHERE athlete_id = ? ORDER BY local_date, start_time, workout_id`,
    [athleteId],
  );
  const perWorkout = loadRows.map((r) => ({
    localDate: String(r.local_date),
    load: workoutLoad({
      durationS: num(r.duration_s),
      trainingLoad: optNum(r.training_load),
      rpe: optNum(r.perceived_exertion),
      category: (CATEGORIES as readonly string[]).includes(String(r.sport_category)) ? (r.sport_category as SportCategory) : 'MIXED',
    }),
  }));
  const recorded = await db.all<{ date: string }>(
    `SELECT DISTINCT CAST(date AS VARCHAR) AS date FROM biometrics
     WHERE athlete_id = ? AND metric_type NOT IN ('weight', 'body_fat_pct', 'muscle_mass', 'bmi')`,
    [athleteId],
  );
  const firstLoad = perWorkout[0]?.localDate;
  const load =
    firstLoad && periodEnd
      ? loadCurves(observedDailyLoads(perWorkout, recorded.map((r) => r.date), firstLoad, periodEnd))
      : [];
  const hrvDays = hrvStatus(hrv.map((p) => ({ date: p.date, rmssd: p.value })));
  const rhrDays = restingHrStatus(restingHr.map((p) => ({ date: p.date, restingHr: p.value })));
  return {
    load,
    hrvBaseline: hrvDays.map((d) => ({ date: d.date, ln7d: d.lnRmssd7, baseline: d.baseline, lower: d.lower, upper: d.upper, status: d.status })),
    rhrBaseline: rhrDays.flatMap((d) => (d.baseline === null ? [] : [{ date: d.date, value: d.baseline }])),
    rhrStatus: rhrDays.map((d) => ({ date: d.date, status: d.status })),
  };
}
