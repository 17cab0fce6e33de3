/**
 * `athlete analyze`: reads the canonical workouts and biometrics, runs the
 * pure metric functions, and writes workout_loads, athlete_profile and
 * daily_metrics. The I/O edge of lib/analysis.
 */
import type { Warehouse } from '../core/warehouse.ts';
import { chooseTrainingLoad, estimateMaxHr, estimateRestingHr, type Sex } from './load.ts';
import { acwrBand, acwrEwma, acwrRolling, dailyLoads, dateRange, daysSinceRest, fitnessFatigue, localDate, monotonyStrain } from './daily.ts';
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
  load: number;
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

/**
 * Compute and store per-workout load and the daily training and recovery
 * series, for every athlete: with `squad`'s settings, and an athlete's own
 * values in `perAthlete` (a registered athlete's) over them.
 */
export async function runAnalysis(wh: Warehouse, squad: AthleteSettings, perAthlete: Readonly<Record<string, Partial<AthleteSettings>>> = {}): Promise<AnalysisSummary> {
  const workouts = await wh.all<WorkoutRow>(
    `SELECT w.workout_id, w.athlete_id, w.start_time, w.utc_offset_min, w.duration_s, w.sport, w.sport_category, w.avg_hr, w.max_hr,
            w.avg_power_w, w.has_power, w.perceived_exertion,
            (SELECT string_agg(DISTINCT s.source, ',' ORDER BY s.source) FROM workout_sources s WHERE s.workout_id = w.workout_id) AS sources
     FROM workouts w ORDER BY w.athlete_id, w.start_time, w.workout_id`,
  );
  const bio = await wh.all<{ athlete_id: string; date: string; metric_type: string; value: number }>(
    `SELECT athlete_id, date, metric_type, value FROM biometrics
     WHERE metric_type IN ('resting_hr', 'hrv_rmssd', 'sleep_duration', 'sleep_efficiency', 'weight') ORDER BY athlete_id, date`,
  );
  const athletes = [...new Set([...workouts.map((w) => w.athlete_id), ...bio.map((b) => b.athlete_id)])].sort();
  const summary: AnalysisSummary = { athletes: athletes.length, workouts: workouts.length, days: 0, profile: [], latest: [] };
  const loadRows: unknown[][] = [];
  const dailyRows: unknown[][] = [];
  const profileRows: unknown[][] = [];
  const now = new Date();

  for (const athlete of athletes) {
    const settings: AthleteSettings = { ...squad, ...perAthlete[athlete] };
    const ws = workouts.filter((w) => w.athlete_id === athlete);
    const bs = bio.filter((b) => b.athlete_id === athlete);
    const metric = (m: string) => new Map(bs.filter((b) => b.metric_type === m).map((b) => [b.date, b.value]));
    const rhrByDay = metric('resting_hr');
    const estimated: string[] = [];
    const restHr = settings.restHr ?? estimateRestingHr([...rhrByDay.values()]) ?? 60;
    if (settings.restHr === undefined) estimated.push('rest_hr');
    const maxHr = settings.maxHr ?? estimateMaxHr(ws.flatMap((w) => (w.max_hr === null ? [] : [w.max_hr]))) ?? 190;
    if (settings.maxHr === undefined) estimated.push('max_hr');
    const profile = { rest_hr: restHr, max_hr: maxHr, ftp_w: settings.ftpW ?? null, sex: settings.sex, estimated };
    summary.profile.push(profile);
    profileRows.push([athlete, restHr, maxHr, profile.ftp_w, settings.sex, estimated, now]);

    const perWorkout = ws.map((w) => {
      const date = localDate(w.start_time, w.utc_offset_min ?? 0);
      const isRide = w.sport.includes('cycling') || w.sport === 'mountain_biking';
      const load = chooseTrainingLoad(
        {
          durationS: w.duration_s,
          avgHr: w.avg_hr,
          rpe: w.perceived_exertion,
          // Average power stands in for normalized power: the ride's streams are not re-read here.
          npW: isRide ? w.avg_power_w : null,
          sport_category: w.sport_category,
          hasPower: w.has_power,
        },
        { restHr, maxHr, sex: settings.sex, ftpW: settings.ftpW ?? null },
      );
      loadRows.push([w.workout_id, athlete, date, load.value, load.method, load.raw]);
      return { w, date, load: load.value };
    });

    const dates = [...perWorkout.map((p) => p.date), ...bs.map((b) => b.date)].sort();
    if (dates.length === 0) continue;
    const from = dates[0]!;
    const to = dates[dates.length - 1]!;
    const days = dateRange(from, to);
    const loads = dailyLoads(perWorkout.map((p) => ({ localDate: p.date, load: p.load })), from, to).map((d) => d.load);
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
    for (const p of perWorkout) {
      const d = perDay.get(p.date) ?? { n: 0, min: 0, hi: 0, sources: new Set<string>() };
      d.n++;
      d.min += p.w.duration_s / 60;
      if (p.w.duration_s > 0 && p.load / (p.w.duration_s / 3600) >= HIGH_INTENSITY_LOAD_PER_HOUR) d.hi += p.w.duration_s / 60;
      for (const s of (p.w.sources ?? '').split(',')) if (s) d.sources.add(s);
      perDay.set(p.date, d);
    }
    days.forEach((date, i) => {
      const d = perDay.get(date);
      const ratio = ewma[i]!.ratio;
      dailyRows.push([
        athlete, date, loads[i]!, d?.n ?? 0, d?.min ?? 0, d?.hi ?? 0, rolling[i]!.acute, rolling[i]!.chronic, rolling[i]!.ratio, ratio,
        acwrBand(ratio), ff[i]!.ctl, ff[i]!.atl, ff[i]!.tsb, mono[i]!.monotony, mono[i]!.strain, rest[i] ?? null,
        sleep.get(date) ?? null, eff.get(date) ?? null, hrvByDay.get(date) ?? null, hrv[i]!.lnRmssd7, hrv[i]!.baseline, hrv[i]!.lower,
        hrv[i]!.upper, hrv[i]!.status, rhrByDay.get(date) ?? null, rhr[i]!.baseline, rhr[i]!.status, weight.get(date) ?? null,
        diversity.get(date) ?? null, d ? [...d.sources].sort().join(',') : null,
      ]);
    });
    summary.days += days.length;
    const last = days.length - 1;
    summary.latest.push({
      athlete_id: athlete,
      date: to,
      load: loads[last]!,
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

  await wh.transaction(async () => {
    await wh.run('DELETE FROM workout_loads');
    await wh.run('DELETE FROM daily_metrics');
    await wh.run('DELETE FROM athlete_profile');
    await wh.appendRows('workout_loads', loadRows);
    await wh.appendRows('daily_metrics', dailyRows);
    await wh.appendRows('athlete_profile', profileRows);
    await wh.run('UPDATE workouts SET training_load = l.load FROM workout_loads l WHERE l.workout_id = workouts.workout_id');
  });
  return summary;
}
