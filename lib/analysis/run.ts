/**
 * `athlete analyze`: reads the canonical workouts and biometrics, runs the
 * pure metric functions, and writes workout_loads, athlete_profile and
 * daily_metrics. The I/O edge of lib/analysis.
 */
import type { Warehouse } from '../core/warehouse.ts';
import { chooseTrainingLoad, estimateMaxHr, estimateRestingHr, type Sex } from './load.ts';
import { acwrBand, acwrEwma, acwrRolling, dateRange, daysSinceRest, fitnessFatigue, loadCoverage, localDate, monotonyStrain, observedDailyLoads } from './daily.ts';
import { normalizedPowers } from './power.ts';
import { hrvStatus, restingHrStatus } from './recovery.ts';
import { rollingDiversity } from './variety.ts';

/** What the athlete's settings say; missing values are estimated from the data. */
export interface AthleteSettings {
  sex: Sex;
  maxHr?: number;
  restHr?: number;
  ftpW?: number;
}

/** One day's headline numbers, for the CLI and the report. */
export interface DailySummary {
  date: string;
  /** Null when nothing was recorded that day. */
  load: number | null;
  /** Share of the last 28 days with a known load. */
  load_coverage_28d: number;
  acwr_ewma: number | null;
  acwr_band: string | null;
  ctl: number | null;
  atl: number | null;
  tsb: number | null;
  hrv_status: string | null;
  hrv_rmssd: number | null;
  sleep_s: number | null;
  resting_hr: number | null;
  rhr_status: string | null;
}

/** What one analysis run wrote. */
export interface AnalysisSummary {
  athletes: number;
  workouts: number;
  days: number;
  profile: { rest_hr: number; max_hr: number; ftp_w: number | null; sex: Sex; estimated: string[] }[];
  latest: (DailySummary & { athlete_id: string })[];
}

// Load per hour at or above this counts as high intensity: ~90 % of threshold on the TSS-like scale.
const HIGH_INTENSITY_LOAD_PER_HOUR = 81;

interface WorkoutRow {
  workout_id: string;
  athlete_id: string;
  start_time: Date;
  utc_offset_min: number | null;
  duration_s: number;
  sport: string;
  sport_category: 'ENDURANCE' | 'STRENGTH' | 'BALL_SPORT' | 'MIXED';
  avg_hr: number | null;
  max_hr: number | null;
  avg_power_w: number | null;
  has_power: boolean;
  perceived_exertion: number | null;
  sources: string;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** How much to recompute. */
export interface AnalysisOptions {
  /**
   * Recompute each athlete only from the earliest local day marked out of
   * date in pending_analysis (by deduplication, see core/pending.ts), and in
   * full an athlete whose profile (resting and maximum HR, FTP, sex)
   * changed; the rest stays as stored. The result equals a full run's.
   * Default: every athlete, every day.
   */
  incremental?: boolean;
}

const LOCAL_DATE = 'CAST(w.start_time + to_minutes(coalesce(w.utc_offset_min, 0)) AS DATE)';

/**
 * An athlete's workouts (from local day `$2` on, when given) with the sources
 * of their records, in start order. The sources are gathered for those
 * workouts only, and the start time bounds the scan (offsets are within ±15 h).
 */
const workoutsQuery = (fromDay: boolean) => `
  WITH w AS (SELECT * FROM workouts w WHERE w.athlete_id = $1${
    fromDay ? ` AND w.start_time >= $2::DATE - INTERVAL 15 HOUR AND ${LOCAL_DATE} >= $2::DATE` : ''
  }),
  s AS (SELECT workout_id, string_agg(DISTINCT source, ',' ORDER BY source) AS sources FROM workout_sources
        WHERE workout_id IN (SELECT workout_id FROM w) GROUP BY workout_id)
  SELECT w.workout_id, w.athlete_id, w.start_time, w.utc_offset_min, w.duration_s, w.sport, w.sport_category, w.avg_hr,
         w.max_hr, w.avg_power_w, w.has_power, w.perceived_exertion, s.sources
  FROM w LEFT JOIN s USING (workout_id) ORDER BY w.start_time, w.workout_id`;
const BIOMETRIC_METRICS = "('resting_hr', 'hrv_rmssd', 'sleep_duration', 'sleep_efficiency', 'weight')";

/** The stored profile of an athlete, as it decides whether stored loads still hold. */
const profileKey = (p: { rest_hr: number; max_hr: number; ftp_w: number | null; sex: string; estimated: readonly string[] }): string =>
  JSON.stringify([p.rest_hr, p.max_hr, p.ftp_w, p.sex, [...p.estimated]]);

/**
 * Make the rows of `table` selected by `current` equal to those of `stage`,
 * writing only rows that differ (a rewrite of unchanged rows makes the file
 * grow); `ignored` columns do not count (a computation time).
 */
async function replaceChanged(wh: Warehouse, table: string, key: string, current: string, ignored?: string): Promise<void> {
  const cols = ignored ? `* EXCLUDE (${ignored})` : '*';
  await wh.run(`CREATE OR REPLACE TEMP TABLE analysis_removed AS SELECT ${cols} FROM ${current} EXCEPT SELECT ${cols} FROM analysis_stage`);
  await wh.run(`CREATE OR REPLACE TEMP TABLE analysis_added AS SELECT ${cols} FROM analysis_stage EXCEPT SELECT ${cols} FROM ${current}`);
  await wh.run(`DELETE FROM ${table} WHERE (${key}) IN (SELECT (${key}) FROM analysis_removed)`);
  await wh.run(`INSERT INTO ${table} SELECT * FROM analysis_stage WHERE (${key}) IN (SELECT (${key}) FROM analysis_added)`);
  await wh.run('DROP TABLE analysis_removed');
  await wh.run('DROP TABLE analysis_added');
}

/** Stage `rows` shaped like `table` for {@link replaceChanged}. */
async function stage(wh: Warehouse, table: string, rows: readonly (readonly unknown[])[]): Promise<void> {
  await wh.run(`CREATE OR REPLACE TEMP TABLE analysis_stage AS SELECT * FROM ${table} LIMIT 0`);
  await wh.appendRows('analysis_stage', rows);
}

/** A query's result as columns of plain JS values (far cheaper than row objects for many rows). */
async function columns<T extends unknown[][]>(wh: Warehouse, sql: string, params: (string | number)[]): Promise<Partial<T>> {
  return (await wh.connection.runAndReadAll(sql, params)).getColumnsJS() as Partial<T>;
}

/**
 * An athlete's workouts before local day `from` with their stored loads, in
 * start order: what the daily series needs of the days not recomputed.
 */
async function priorLoads(wh: Warehouse, athlete: string, from: string): Promise<{ w: Pick<WorkoutRow, 'sport_category' | 'duration_s' | 'sources'>; date: string; load: number }[]> {
  const [days = [], loads = [], categories = []] = await columns<[number[], number[], WorkoutRow['sport_category'][]]>(
    wh,
    `SELECT (l.local_date - DATE '1970-01-01')::INTEGER, l.load, w.sport_category FROM workout_loads l JOIN workouts w USING (workout_id)
     WHERE w.athlete_id = $1 AND ${LOCAL_DATE} < $2::DATE ORDER BY w.start_time, w.workout_id`,
    [athlete, from],
  );
  const names = new Map<number, string>();
  return days.map((d, i) => {
    let date = names.get(d);
    if (date === undefined) names.set(d, (date = new Date(d * 86_400_000).toISOString().slice(0, 10)));
    return { w: { sport_category: categories[i]!, duration_s: 0, sources: '' }, date, load: loads[i]! };
  });
}

/**
 * The first day to recompute for an athlete marked out of date from `from`.
 * A day's values depend on the days before it, and some series run only to
 * the last workout (diversity): so recomputing also starts no later than the
 * day after the last stored day and after the last stored workout. Undefined
 * (all days) when nothing is stored.
 */
async function firstDayToWrite(wh: Warehouse, athlete: string, from: string): Promise<string | undefined> {
  const [r] = await wh.all<{ day: string | null; workout: string | null }>(
    `SELECT (SELECT CAST(max(date) + 1 AS VARCHAR) FROM daily_metrics WHERE athlete_id = ?) AS day,
            (SELECT CAST(max(local_date) + 1 AS VARCHAR) FROM workout_loads WHERE athlete_id = ?) AS workout`,
    [athlete, athlete],
  );
  if (!r?.day) return undefined;
  return [from, r.day, r.workout ?? r.day].sort()[0];
}

/** The latest stored day of each athlete not recomputed, for the summary. */
async function storedLatest(wh: Warehouse, athletes: readonly string[]): Promise<(DailySummary & { athlete_id: string })[]> {
  if (athletes.length === 0) return [];
  return wh.all<DailySummary & { athlete_id: string }>(
    `SELECT athlete_id, CAST(max(date) AS VARCHAR) AS date, arg_max(load, date) AS load, arg_max(load_coverage_28d, date) AS load_coverage_28d,
            arg_max(acwr_ewma, date) AS acwr_ewma, arg_max(acwr_band, date) AS acwr_band, arg_max(ctl, date) AS ctl,
            arg_max(atl, date) AS atl, arg_max(tsb, date) AS tsb, arg_max(hrv_status, date) AS hrv_status,
            arg_max(hrv_rmssd, date) FILTER (WHERE hrv_rmssd IS NOT NULL) AS hrv_rmssd,
            arg_max(sleep_s, date) FILTER (WHERE sleep_s IS NOT NULL) AS sleep_s,
            arg_max(resting_hr, date) FILTER (WHERE resting_hr IS NOT NULL) AS resting_hr, arg_max(rhr_status, date) AS rhr_status
     FROM daily_metrics WHERE athlete_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY athlete_id ORDER BY athlete_id`,
    [athletes],
  );
}

/**
 * Compute and store per-workout load and the daily training and recovery
 * series, for every athlete: with `squad`'s settings, and an athlete's own
 * values in `perAthlete` (a registered athlete's) over them. Only rows that
 * differ from the stored ones are written.
 */
export async function runAnalysis(
  wh: Warehouse,
  squad: AthleteSettings,
  perAthlete: Readonly<Record<string, Partial<AthleteSettings>>> = {},
  opts: AnalysisOptions = {},
): Promise<AnalysisSummary> {
  const athletes = (
    await wh.all<{ athlete_id: string }>(
      `SELECT athlete_id FROM workouts UNION SELECT athlete_id FROM biometrics WHERE metric_type IN ${BIOMETRIC_METRICS} ORDER BY athlete_id`,
    )
  ).map((r) => r.athlete_id);
  const pending = new Map(
    opts.incremental
      ? (await wh.all<{ athlete_id: string; from_date: string }>('SELECT athlete_id, from_date FROM pending_analysis')).map((r) => [r.athlete_id, r.from_date])
      : [],
  );
  const storedProfiles = new Map(
    (await wh.all<{ athlete_id: string; rest_hr: number; max_hr: number; ftp_w: number | null; sex: Sex; estimated: string | null }>(
      'SELECT athlete_id, rest_hr, max_hr, ftp_w, sex, estimated FROM athlete_profile',
    )).map((p) => [p.athlete_id, { ...p, estimated: p.estimated ? (JSON.parse(p.estimated) as string[]) : [] }]),
  );
  const [count] = await wh.all<{ n: number }>('SELECT count(*) AS n FROM workouts');
  const summary: AnalysisSummary = { athletes: athletes.length, workouts: count?.n ?? 0, days: 0, profile: [], latest: [] };
  const loadRows: unknown[][] = [];
  const dailyRows: unknown[][] = [];
  const profileRows: unknown[][] = [];
  /** Per athlete recomputed: the first day rewritten (undefined: all of them). */
  const done = new Map<string, string | undefined>();
  const kept: string[] = [];
  const now = new Date();

  for (const athlete of athletes) {
    const settings: AthleteSettings = { ...squad, ...perAthlete[athlete] };
    const bs = await wh.all<{ date: string; metric_type: string; value: number }>(
      `SELECT date, metric_type, value FROM biometrics WHERE athlete_id = ? AND metric_type IN ${BIOMETRIC_METRICS} ORDER BY date`,
      [athlete],
    );
    const metric = (m: string) => new Map(bs.filter((b) => b.metric_type === m).map((b) => [b.date, b.value]));
    const rhrByDay = metric('resting_hr');
    const [maxHrs = []] = await columns<[number[]]>(
      wh,
      'SELECT max_hr FROM workouts WHERE athlete_id = $1 AND max_hr IS NOT NULL ORDER BY start_time, workout_id',
      [athlete],
    );
    const estimated: string[] = [];
    // Estimates in whole bpm, as heart rates are recorded: a profile moving by a fraction with every
    // new reading would change every stored load, and every sync would recompute the whole history.
    const whole = (bpm: number | null): number | null => (bpm === null ? null : Math.round(bpm));
    const restHr = settings.restHr ?? whole(estimateRestingHr([...rhrByDay.values()])) ?? 60;
    if (settings.restHr === undefined) estimated.push('rest_hr');
    const maxHr = settings.maxHr ?? whole(estimateMaxHr(maxHrs)) ?? 190;
    if (settings.maxHr === undefined) estimated.push('max_hr');
    const profile = { rest_hr: restHr, max_hr: maxHr, ftp_w: settings.ftpW ?? null, sex: settings.sex, estimated };
    const stored = storedProfiles.get(athlete);
    // Stored loads hold only for the profile they were computed with; a changed profile redoes the athlete.
    const sameProfile = stored !== undefined && profileKey(stored) === profileKey(profile);
    if (opts.incremental && sameProfile && !pending.has(athlete)) {
      kept.push(athlete);
      summary.profile.push(profile);
      continue;
    }
    const from = opts.incremental && sameProfile ? await firstDayToWrite(wh, athlete, pending.get(athlete)!) : undefined;
    done.set(athlete, from);
    summary.profile.push(profile);
    profileRows.push([athlete, restHr, maxHr, profile.ftp_w, settings.sex, estimated, now]);

    const ws = await wh.all<WorkoutRow>(workoutsQuery(from !== undefined), from !== undefined ? [athlete, from] : [athlete]);
    const prior = from === undefined ? [] : await priorLoads(wh, athlete, from);
    const recordedDays = (
      await wh.all<{ date: string }>(
        `SELECT DISTINCT CAST(date AS VARCHAR) AS date FROM biometrics
         WHERE athlete_id = ? AND metric_type NOT IN ('weight', 'body_fat_pct', 'muscle_mass', 'bmi')`,
        [athlete],
      )
    ).map((r) => r.date);

    const isRide = (w: WorkoutRow): boolean => w.sport.includes('cycling') || w.sport === 'mountain_biking';
    // TSS needs Normalized Power, from the ride's power stream; only with an FTP is it used.
    const np = settings.ftpW ? await normalizedPowers(wh, ws.filter((w) => isRide(w) && w.has_power).map((w) => w.workout_id)) : new Map<string, number>();
    const fresh = ws.map((w) => {
      const date = localDate(w.start_time, w.utc_offset_min ?? 0);
      const npW = np.get(w.workout_id) ?? null;
      const load = chooseTrainingLoad(
        {
          durationS: w.duration_s,
          avgHr: w.avg_hr,
          rpe: w.perceived_exertion,
          npW,
          sport_category: w.sport_category,
          hasPower: w.has_power,
        },
        { restHr, maxHr, sex: settings.sex, ftpW: settings.ftpW ?? null },
      );
      loadRows.push([w.workout_id, athlete, date, load.value, load.method, load.raw, npW]);
      return { w, date, load: load.value };
    });
    // Workouts before `from` keep the loads stored for them (same profile); in start order, before the fresh ones.
    const perWorkout: { w: Pick<WorkoutRow, 'sport_category' | 'duration_s' | 'sources'>; date: string; load: number }[] = [...prior, ...fresh];

    const dates = [...perWorkout.map((p) => p.date), ...bs.map((b) => b.date)].sort();
    if (dates.length === 0) continue;
    const first = dates[0]!;
    const to = dates[dates.length - 1]!;
    const days = dateRange(first, to);
    const loads = observedDailyLoads(perWorkout.map((p) => ({ localDate: p.date, load: p.load })), recordedDays, first, to).map((d) => d.load);
    const coverage = loadCoverage(loads);
    const rolling = acwrRolling(loads);
    const ewma = acwrEwma(loads);
    const ff = fitnessFatigue(loads);
    const mono = monotonyStrain(loads);
    const rest = daysSinceRest(loads);
    const hrvByDay = metric('hrv_rmssd');
    const hrv = hrvStatus(days.map((date) => ({ date, rmssd: hrvByDay.get(date) ?? null })));
    const rhr = restingHrStatus(days.map((date) => ({ date, restingHr: rhrByDay.get(date) ?? null })));
    const sleep = metric('sleep_duration');
    const eff = metric('sleep_efficiency');
    const weight = metric('weight');
    const diversity = new Map(rollingDiversity(perWorkout.map((p) => ({ localDate: p.date, label: p.w.sport_category }))).map((d) => [d.date, d.normalized]));
    const perDay = new Map<string, { n: number; min: number; hi: number; sources: Set<string> }>();
    for (const p of fresh) {
      const d = perDay.get(p.date) ?? { n: 0, min: 0, hi: 0, sources: new Set<string>() };
      d.n++;
      d.min += p.w.duration_s / 60;
      if (p.w.duration_s > 0 && p.load / (p.w.duration_s / 3600) >= HIGH_INTENSITY_LOAD_PER_HOUR) d.hi += p.w.duration_s / 60;
      for (const s of (p.w.sources ?? '').split(',')) if (s) d.sources.add(s);
      perDay.set(p.date, d);
    }
    days.forEach((date, i) => {
      // Days before `from` are as stored.
      if (from !== undefined && date < from) return;
      const d = perDay.get(date);
      const ratio = ewma[i]!.ratio;
      dailyRows.push([
        athlete, date, loads[i]!, d?.n ?? 0, d?.min ?? 0, d?.hi ?? 0, rolling[i]!.acute, rolling[i]!.chronic, rolling[i]!.ratio, ratio,
        acwrBand(ratio), ff[i]!.ctl, ff[i]!.atl, ff[i]!.tsb, mono[i]!.monotony, mono[i]!.strain, rest[i] ?? null,
        sleep.get(date) ?? null, eff.get(date) ?? null, hrvByDay.get(date) ?? null, hrv[i]!.lnRmssd7, hrv[i]!.baseline, hrv[i]!.lower,
        hrv[i]!.upper, hrv[i]!.status, rhrByDay.get(date) ?? null, rhr[i]!.baseline, rhr[i]!.status, weight.get(date) ?? null,
        diversity.get(date) ?? null, d ? [...d.sources].sort().join(',') : null, coverage[i]!,
      ]);
    });
    summary.days += days.length;
    const last = days.length - 1;
    summary.latest.push({
      athlete_id: athlete,
      date: to,
      load: loads[last]!,
      load_coverage_28d: coverage[last]!,
      acwr_ewma: num(ewma[last]!.ratio),
      acwr_band: acwrBand(ewma[last]!.ratio),
      ctl: num(ff[last]!.ctl),
      atl: num(ff[last]!.atl),
      tsb: num(ff[last]!.tsb),
      hrv_status: hrv[last]!.status,
      hrv_rmssd: [...hrvByDay.values()].at(-1) ?? null,
      sleep_s: [...sleep.values()].at(-1) ?? null,
      resting_hr: [...rhrByDay.values()].at(-1) ?? null,
      rhr_status: rhr[last]!.status,
    });
  }
  summary.latest.push(...(await storedLatest(wh, kept)));
  summary.latest.sort((a, b) => (a.athlete_id < b.athlete_id ? -1 : a.athlete_id > b.athlete_id ? 1 : 0));

  if (opts.incremental && done.size === 0) {
    await wh.run('DELETE FROM pending_analysis');
    return summary;
  }
  const full = !opts.incremental;
  // The rows each recomputed athlete replaces: from its first recomputed day on (NULL: all of them).
  const scoped = (table: string, dateColumn: string) =>
    full ? table : `(SELECT t.* FROM ${table} t JOIN analysis_scope s USING (athlete_id) WHERE s.from_date IS NULL OR t.${dateColumn} >= s.from_date)`;
  await wh.transaction(async () => {
    await wh.run('CREATE OR REPLACE TEMP TABLE analysis_scope (athlete_id VARCHAR, from_date DATE)');
    await wh.appendRows('analysis_scope', [...done].map(([a, from]) => [a, from ?? null]));
    await stage(wh, 'workout_loads', loadRows);
    await replaceChanged(wh, 'workout_loads', 'workout_id', scoped('workout_loads', 'local_date'));
    // Each workout's training_load is its computed load: those just computed are all that can differ.
    await wh.run(
      `UPDATE workouts SET training_load = l.load FROM analysis_stage l
       WHERE l.workout_id = workouts.workout_id AND workouts.training_load IS DISTINCT FROM l.load`,
    );
    // A workout deduplication removed was marked from its day, so its load went with the rows replaced above.
    if (full) await wh.run('DELETE FROM workout_loads WHERE workout_id NOT IN (SELECT workout_id FROM workouts)');
    await stage(wh, 'daily_metrics', dailyRows);
    await replaceChanged(wh, 'daily_metrics', 'athlete_id, date', scoped('daily_metrics', 'date'));
    await stage(wh, 'athlete_profile', profileRows);
    await replaceChanged(wh, 'athlete_profile', 'athlete_id', full ? 'athlete_profile' : '(SELECT p.* FROM athlete_profile p SEMI JOIN analysis_scope USING (athlete_id))', 'computed_at');
    await wh.run('DROP TABLE analysis_stage');
    await wh.run('DROP TABLE analysis_scope');
    await wh.run('DELETE FROM pending_analysis');
  });
  return summary;
}
