/**
 * Daily training-load series on the athlete's local days, and the metrics
 * computed over them (ACWR, fitness/fatigue, monotony, weekly volume).
 *
 * Days are `YYYY-MM-DD` strings handled as whole UTC days, so nothing here
 * depends on the process time zone. Series are arrays with one value per
 * consecutive day; a metric that is not defined on a day is null.
 *
 * A day's load is null when it is unknown: no device recorded anything that
 * day, so it may have been a rest day or an unrecorded session. Only a day
 * with some recording and no workout is a rest day (load 0). Each metric says
 * how it treats unknown days; none counts them as rest.
 */
import { mean, standardDeviation } from 'simple-statistics';
import type { SportCategory } from '../core/models.ts';

const DAY_MS = 86_400_000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

// A series converts the same few thousand dates back and forth once per workout and day: remember them.
const dayNumbers = new Map<string, number>();
const dayStrings = new Map<number, string>();

/** Days since 1970-01-01 of a `YYYY-MM-DD` date; throws naming `what` when it is not a real date. */
export function dayNumber(date: string, what = 'date'): number {
  const known = dayNumbers.get(date);
  if (known !== undefined) return known;
  const m = DAY_RE.exec(date);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const ms = Date.UTC(y, mo - 1, d);
    const back = new Date(ms);
    if (back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d) {
      dayNumbers.set(date, ms / DAY_MS);
      return ms / DAY_MS;
    }
  }
  throw new RangeError(`${what}: "${date}" is not a valid YYYY-MM-DD date`);
}

/** The `YYYY-MM-DD` date of a day number (days since 1970-01-01). */
export function dayString(day: number): string {
  let s = dayStrings.get(day);
  if (s === undefined) dayStrings.set(day, (s = new Date(day * DAY_MS).toISOString().slice(0, 10)));
  return s;
}

/** `date` plus `days` (negative to go back), as `YYYY-MM-DD`. */
export function addDays(date: string, days: number): string {
  return dayString(dayNumber(date) + days);
}

/** The athlete's local date of a UTC instant, given the local UTC offset in minutes east (UTC+10 is 600). */
export function localDate(instant: Date, utcOffsetMin: number): string {
  return new Date(instant.getTime() + utcOffsetMin * 60_000).toISOString().slice(0, 10);
}

/** The Monday (as `YYYY-MM-DD`) of the ISO week holding `date`. */
export function isoWeekStart(date: string): string {
  const day = dayNumber(date);
  // 1970-01-01 was a Thursday, three days after a Monday.
  const sinceMonday = (((day + 3) % 7) + 7) % 7;
  return dayString(day - sinceMonday);
}

/** Every date from `from` to `to` inclusive; empty when `to` is before `from`. */
export function dateRange(from: string, to: string): string[] {
  const a = dayNumber(from, 'from');
  const b = dayNumber(to, 'to');
  const out: string[] = [];
  for (let d = a; d <= b; d++) out.push(dayString(d));
  return out;
}

/**
 * Total load per local day from `from` to `to` inclusive; days without a
 * workout are 0, workouts outside the range are ignored. Throws naming the
 * workout when its date or load is malformed.
 */
export function dailyLoads(
  workouts: { localDate: string; load: number }[],
  from: string,
  to: string,
): { date: string; load: number }[] {
  const first = dayNumber(from, 'from');
  const days = dateRange(from, to);
  const totals = new Array<number>(days.length).fill(0);
  workouts.forEach((w, i) => {
    const d = dayNumber(w.localDate, `workouts[${i}].localDate`);
    if (!Number.isFinite(w.load) || w.load < 0) {
      throw new RangeError(`workouts[${i}].load: ${w.load} is not a non-negative number`);
    }
    const k = d - first;
    if (k >= 0 && k < days.length) totals[k]! += w.load;
  });
  return days.map((date, k) => ({ date, load: totals[k]! }));
}

/**
 * Load per local day from `from` to `to` inclusive, with unknown days: the
 * sum of the day's workouts; 0 on a day in `recordedDays` (a device recorded
 * something: sleep, heart rate, a workout) without a workout; null otherwise.
 * Throws naming the workout when its date or load is malformed.
 */
export function observedDailyLoads(
  workouts: { localDate: string; load: number }[],
  recordedDays: Iterable<string>,
  from: string,
  to: string,
): { date: string; load: number | null }[] {
  const first = dayNumber(from, 'from');
  const totals = dailyLoads(workouts, from, to);
  const known = new Array<boolean>(totals.length).fill(false);
  for (const w of workouts) {
    const k = dayNumber(w.localDate) - first;
    if (k >= 0 && k < known.length) known[k] = true;
  }
  for (const date of recordedDays) {
    const k = dayNumber(date, 'recordedDays') - first;
    if (k >= 0 && k < known.length) known[k] = true;
  }
  return totals.map((d, k) => ({ date: d.date, load: known[k] ? d.load : null }));
}

/** Share of a window's days that must have a known load for a load metric to be reported (75 %). */
export const MIN_LOAD_COVERAGE = 0.75;

/**
 * Share (0..1) of the `window` days ending on each day whose load is known;
 * days before the series count as unknown, so a short history reads low.
 */
export function loadCoverage(loads: readonly (number | null)[], window = 28): number[] {
  let known = 0;
  return loads.map((load, i) => {
    if (load !== null) known++;
    if (i >= window && loads[i - window] !== null) known--;
    return known / window;
  });
}

/** Sum and count of the known loads in `loads[from..to]`, clipped to the series. */
function knownIn(loads: readonly (number | null)[], from: number, to: number): { sum: number; n: number } {
  let sum = 0;
  let n = 0;
  for (let i = Math.max(0, from); i <= to; i++) {
    const v = loads[i];
    if (v !== null && v !== undefined) {
      sum += v;
      n++;
    }
  }
  return { sum, n };
}

/** Whether `n` known days of a `window`-day window meet `minCoverage`. */
const covered = (n: number, window: number, minCoverage: number): boolean => n >= Math.ceil(minCoverage * window - 1e-9);

/** Acute and chronic load on one day and their ratio; null until defined. */
export interface AcwrPoint {
  acute: number | null;
  chronic: number | null;
  ratio: number | null;
}

/**
 * Acute:chronic workload ratio from coupled rolling averages (Gabbett 2016,
 * Br J Sports Med 50:273): mean load of the last `acute` days over the mean of
 * the last `chronic` days, the acute days included. Unknown days are left out
 * of both means; each mean needs `minCoverage` of its days known. Null until
 * `chronic` days of history; ratio null when the chronic mean is 0.
 */
export function acwrRolling(loads: readonly (number | null)[], acute = 7, chronic = 28, minCoverage = MIN_LOAD_COVERAGE): AcwrPoint[] {
  return loads.map((_, i) => {
    if (i + 1 < chronic) return { acute: null, chronic: null, ratio: null };
    const a = knownIn(loads, i - acute + 1, i);
    const c = knownIn(loads, i - chronic + 1, i);
    const am = covered(a.n, acute, minCoverage) ? a.sum / a.n : null;
    const cm = covered(c.n, chronic, minCoverage) ? c.sum / c.n : null;
    return { acute: am, chronic: cm, ratio: am !== null && cm !== null && cm > 0 ? am / cm : null };
  });
}

/**
 * Two exponentially weighted averages of the same loads, started from the
 * windows' own means and reported only while both windows are covered.
 * `step(x, load)` is the averaging rule. An unknown day leaves both averages
 * as they are (the day is taken to be average). When the coverage of either
 * window falls below `minCoverage` the averages are dropped, and started again
 * from the window means once it recovers.
 */
function seededPair(
  loads: readonly (number | null)[],
  short: number,
  long: number,
  minCoverage: number,
  step: (x: number, load: number, days: number) => number,
): ({ short: number; long: number } | null)[] {
  let state: { short: number; long: number } | null = null;
  return loads.map((load, i) => {
    const s = knownIn(loads, i - short + 1, i);
    const l = knownIn(loads, i - long + 1, i);
    if (i + 1 < long || !covered(s.n, short, minCoverage) || !covered(l.n, long, minCoverage)) {
      state = null;
      return null;
    }
    if (state === null) state = { short: s.sum / s.n, long: l.sum / l.n };
    else if (load !== null) state = { short: step(state.short, load, short), long: step(state.long, load, long) };
    return { ...state };
  });
}

/**
 * Acute:chronic workload ratio from exponentially weighted moving averages
 * (Williams et al. 2017, Br J Sports Med 51:209): EWMA_t = λ·load_t +
 * (1 − λ)·EWMA_{t−1}, λ = 2/(N + 1). Williams et al. give the recursion but no
 * starting value; starting from 0 makes a steady athlete read above 1 for
 * months (the chronic average lags more). So both averages start at the end of
 * the first full chronic window, at that window's mean (chronic) and its last
 * `acute` days' mean (acute), and the ratio is reported from that day on.
 * Unknown days and coverage: see `seededPair`. Ratio null when chronic is 0.
 */
export function acwrEwma(loads: readonly (number | null)[], acute = 7, chronic = 28, minCoverage = MIN_LOAD_COVERAGE): AcwrPoint[] {
  const ewma = (x: number, load: number, n: number): number => (2 / (n + 1)) * load + (1 - 2 / (n + 1)) * x;
  return seededPair(loads, acute, chronic, minCoverage, ewma).map((p) =>
    p === null ? { acute: null, chronic: null, ratio: null } : { acute: p.short, chronic: p.long, ratio: p.long > 0 ? p.short / p.long : null },
  );
}

/** Risk band of an acute:chronic ratio. */
export type AcwrBand = 'low' | 'optimal' | 'caution' | 'high';

/**
 * Band of an ACWR (Gabbett 2016): below 0.8 'low', 0.8–1.3 'optimal' (the
 * "sweet spot"), above 1.3 up to 1.5 'caution', above 1.5 'high' (the "danger
 * zone"). Null for a null ratio.
 */
export function acwrBand(ratio: number | null): AcwrBand | null {
  if (ratio === null || !Number.isFinite(ratio)) return null;
  if (ratio < 0.8) return 'low';
  if (ratio <= 1.3) return 'optimal';
  if (ratio <= 1.5) return 'caution';
  return 'high';
}

/** The band of an ACWR in words, with its range (Gabbett 2016). */
export const BAND_WORDS: Record<AcwrBand, string> = {
  low: 'below 0.8: under-loaded',
  optimal: '0.8–1.3: the target band',
  caution: '1.3–1.5: caution',
  high: 'above 1.5: high risk (Gabbett\'s "danger zone")',
};

/** Fitness, fatigue and form on one day; null before they are defined. */
export interface FitnessFatiguePoint {
  /** Chronic training load (fitness) after the day's training. */
  ctl: number | null;
  /** Acute training load (fatigue) after the day's training. */
  atl: number | null;
  /** Training stress balance (form) going into the day: yesterday's CTL − ATL. */
  tsb: number | null;
}

/**
 * Fitness (CTL), fatigue (ATL) and form (TSB) per day: Banister's
 * impulse-response model as popularised in Coggan's Performance Manager Chart,
 * X_t = X_{t−1} + (load_t − X_{t−1})/N with N = `ctlDays` or `atlDays`.
 * Convention: TSB on a day is the previous day's CTL − ATL (form before that
 * day's training), so a hard day lowers the next day's TSB, not its own.
 * Rather than from 0 (which reads as weeks of lost fitness and a deeply
 * negative form), CTL and ATL start at the end of the first full `ctlDays`
 * window at the means of the last `ctlDays` and `atlDays` days; unknown days
 * and coverage as for the EWMA ACWR (`seededPair`).
 */
export function fitnessFatigue(loads: readonly (number | null)[], ctlDays = 42, atlDays = 7, minCoverage = MIN_LOAD_COVERAGE): FitnessFatiguePoint[] {
  const decay = (x: number, load: number, n: number): number => x + (load - x) / n;
  const pairs = seededPair(loads, atlDays, ctlDays, minCoverage, decay);
  return pairs.map((p, i) => {
    const prev = i > 0 ? pairs[i - 1] : null;
    return { ctl: p?.long ?? null, atl: p?.short ?? null, tsb: prev ? prev.long - prev.short : null };
  });
}

/** Weekly load, monotony and strain over the window ending on one day. */
export interface MonotonyPoint {
  weeklyLoad: number | null;
  monotony: number | null;
  strain: number | null;
}

/**
 * Training monotony and strain (Foster 1998, Med Sci Sports Exerc 30:1164):
 * over the `window` days ending each day, monotony = mean / SD of daily load
 * (population SD: the week's days are all of them, not a sample) and
 * strain = weekly load × monotony. Null until `window` days of history and
 * while any day of the window is unknown (the week's loads are the formula's
 * input); monotony and strain null when SD is 0 (every day the same).
 */
export function monotonyStrain(loads: readonly (number | null)[], window = 7): MonotonyPoint[] {
  return loads.map((_, i) => {
    if (i + 1 < window) return { weeklyLoad: null, monotony: null, strain: null };
    const week = loads.slice(i + 1 - window, i + 1);
    if (week.some((x) => x === null)) return { weeklyLoad: null, monotony: null, strain: null };
    const known = week as number[];
    const weeklyLoad = known.reduce((s, x) => s + x, 0);
    const m = mean(known);
    const sd = standardDeviation(known);
    // Rounding can leave a tiny SD for identical days.
    if (sd <= 1e-9 * Math.max(1, Math.abs(m))) return { weeklyLoad, monotony: null, strain: null };
    const monotony = m / sd;
    return { weeklyLoad, monotony, strain: weeklyLoad * monotony };
  });
}

/** A workout as `weeklyVolume` needs it. */
export interface VolumeWorkout {
  localDate: string;
  sport_category: SportCategory;
  durationS: number;
  distanceM: number | null;
  load: number | null;
}

/** Totals of one ISO week and sport category. */
export interface WeeklyVolume {
  /** Monday of the ISO week, `YYYY-MM-DD`. */
  weekStart: string;
  sport_category: SportCategory;
  workouts: number;
  durationS: number;
  /** Sum over the workouts that have a distance. */
  distanceM: number;
  /** Sum over the workouts that have a load. */
  load: number;
}

/** Workout count, duration, distance and load per ISO week (Monday start) and category, oldest week first. */
export function weeklyVolume(workouts: VolumeWorkout[]): WeeklyVolume[] {
  const groups = new Map<string, WeeklyVolume>();
  workouts.forEach((w, i) => {
    dayNumber(w.localDate, `workouts[${i}].localDate`);
    const weekStart = isoWeekStart(w.localDate);
    const key = `${weekStart}|${w.sport_category}`;
    let g = groups.get(key);
    if (!g) {
      g = { weekStart, sport_category: w.sport_category, workouts: 0, durationS: 0, distanceM: 0, load: 0 };
      groups.set(key, g);
    }
    g.workouts++;
    if (Number.isFinite(w.durationS)) g.durationS += w.durationS;
    if (w.distanceM !== null && Number.isFinite(w.distanceM)) g.distanceM += w.distanceM;
    if (w.load !== null && Number.isFinite(w.load)) g.load += w.load;
  });
  return [...groups.values()].sort((a, b) =>
    a.weekStart === b.weekStart ? a.sport_category.localeCompare(b.sport_category) : a.weekStart < b.weekStart ? -1 : 1,
  );
}

/**
 * Relative change of each week's total load from the week before:
 * (this − previous)/previous, so 0.1 is a 10 % rise. Null for the first week
 * and when the previous week's load was 0.
 */
export function weekOverWeekChange(weeklyLoads: number[]): (number | null)[] {
  return weeklyLoads.map((load, i) => {
    const prev = i > 0 ? weeklyLoads[i - 1]! : 0;
    return i > 0 && prev > 0 ? (load - prev) / prev : null;
  });
}

/**
 * Days since the last rest day (load ≤ `threshold`) for each day: 0 on a rest
 * day, 1 the day after, and so on. Null until a rest day has been seen, and
 * from an unknown day until the next rest day: an unknown day may have been one.
 */
export function daysSinceRest(loads: readonly (number | null)[], threshold = 0): (number | null)[] {
  let since: number | null = null;
  return loads.map((load) => {
    if (load === null) since = null;
    else if (load <= threshold) since = 0;
    else if (since !== null) since++;
    return since;
  });
}
