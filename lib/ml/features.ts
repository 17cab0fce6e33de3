/**
 * Injury-risk features and labels from daily rows.
 *
 * Each athlete's rows are laid on a calendar from their first to last date;
 * a date with no row counts as a day with no recorded training (load 0,
 * everything else missing). Features on a day use that day and earlier only.
 *
 * Missing values: a feature that is undefined on a day (no sleep recorded,
 * not enough history for a ratio, ...) takes the median of that athlete's
 * values on earlier days — never later ones — or, before any value exists,
 * the neutral value in `NEUTRAL`. Sleep, HRV, resting HR and short history
 * also get 0/1 missing-indicator columns, since their absence (no device worn,
 * a new athlete) can itself carry risk information.
 *
 * Label: 1 when an injury of the athlete begins within the next `horizonDays`
 * days (day d+1 … d+h). Days from an injury's start through the following
 * `excludeAfterInjuryDays` − 1 days are left out: the athlete is injured, and
 * training then is a consequence, not a cause. Days whose label window runs
 * past the athlete's last row are left out unless an injury already falls in
 * it (their outcome is unknown).
 */
import { acwrEwma, acwrRolling, daysSinceRest, dayNumber, fitnessFatigue, monotonyStrain, weekOverWeekChange } from '../analysis/index.ts';

/** One athlete-day as the orchestrator passes it. */
export interface DailyRow {
  athlete_id: string;
  /** Local date, YYYY-MM-DD. */
  date: string;
  load: number;
  acwr_ewma: number | null;
  acwr_rolling: number | null;
  ctl: number | null;
  atl: number | null;
  tsb: number | null;
  monotony: number | null;
  strain: number | null;
  sleep_h: number | null;
  sleep_efficiency: number | null;
  hrv_ln_rmssd_7d: number | null;
  hrv_baseline: number | null;
  resting_hr: number | null;
  rhr_baseline: number | null;
  diversity_28d: number | null;
  high_intensity_min: number | null;
  sessions: number;
  /** Lineage tags of the records behind the day, e.g. ['garmin', 'strava_api']. */
  sources: string[];
}

/** An injury as recorded: when it began. */
export interface InjuryRecord {
  athlete_id: string;
  /** Local date the injury began, YYYY-MM-DD. */
  date: string;
  area?: string | null;
  severity?: string | number | null;
}

/** Imputed feature columns, in order. */
export const VALUE_FEATURES = [
  'acute_load_7d',
  'chronic_load_28d',
  'acwr_ewma',
  'acwr_rolling',
  'load_change_wow',
  'monotony',
  'strain',
  'days_since_rest',
  'high_intensity_min_7d',
  'sleep_h_7d',
  'sleep_efficiency_7d',
  'hrv_trend',
  'rhr_delta',
  'diversity_28d',
  'tsb',
] as const;

/** Missing-indicator columns, after the value columns. */
export const MISSING_FEATURES = ['sleep_missing', 'hrv_missing', 'rhr_missing', 'short_history'] as const;

/** Every feature column, in the order of the rows of X. */
export const FEATURE_NAMES: readonly string[] = [...VALUE_FEATURES, ...MISSING_FEATURES];

type ValueFeature = (typeof VALUE_FEATURES)[number];

/**
 * Value used before an athlete has any value of a feature: "nothing unusual"
 * (ratio 1, change 0, HRV and resting HR at baseline, 7.5 h sleep at 90 %
 * efficiency — sleep efficiency is in %).
 */
export const NEUTRAL: Record<ValueFeature, number> = {
  acute_load_7d: 0,
  chronic_load_28d: 0,
  acwr_ewma: 1,
  acwr_rolling: 1,
  load_change_wow: 0,
  monotony: 1,
  strain: 0,
  days_since_rest: 0,
  high_intensity_min_7d: 0,
  sleep_h_7d: 7.5,
  sleep_efficiency_7d: 90,
  hrv_trend: 0,
  rhr_delta: 0,
  diversity_28d: 0,
  tsb: 0,
};

/** The features of one athlete-day. */
export interface FeatureRow {
  athlete_id: string;
  date: string;
  /** In `FEATURE_NAMES` order, all finite. */
  values: number[];
}

const num = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

/** Insert into an ascending array. */
function insertSorted(arr: number[], v: number): void {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  arr.splice(lo, 0, v);
}

function median(sorted: number[]): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

/** Rows grouped by athlete, each sorted by date; throws naming the row on a bad date, load or a duplicate day. */
function byAthlete(days: DailyRow[]): Map<string, { day: number; row: DailyRow }[]> {
  const groups = new Map<string, { day: number; row: DailyRow }[]>();
  days.forEach((row, i) => {
    const day = dayNumber(row.date, `days[${i}].date (athlete ${row.athlete_id})`);
    if (!num(row.load) || row.load < 0) throw new RangeError(`days[${i}].load (athlete ${row.athlete_id}, ${row.date}): ${row.load} is not a non-negative number`);
    const list = groups.get(row.athlete_id) ?? [];
    list.push({ day, row });
    groups.set(row.athlete_id, list);
  });
  for (const [id, list] of groups) {
    list.sort((a, b) => a.day - b.day);
    for (let k = 1; k < list.length; k++) {
      if (list[k]!.day === list[k - 1]!.day) throw new RangeError(`days: athlete ${id} has two rows for ${list[k]!.row.date}`);
    }
  }
  return groups;
}

/** Sum and mean of the non-null values of `get` over calendar days from..to. */
function windowStats(cal: (DailyRow | undefined)[], from: number, to: number, get: (r: DailyRow) => number | null): { sum: number; n: number } {
  let sum = 0;
  let n = 0;
  for (let i = Math.max(0, from); i <= to; i++) {
    const r = cal[i];
    const v = r ? get(r) : null;
    if (num(v)) {
      sum += v;
      n++;
    }
  }
  return { sum, n };
}

/** Features of one athlete's days (sorted, distinct), imputed with past medians only. */
function athleteFeatures(list: { day: number; row: DailyRow }[]): FeatureRow[] {
  const first = list[0]!.day;
  const last = list[list.length - 1]!.day;
  const cal: (DailyRow | undefined)[] = new Array(last - first + 1);
  for (const { day, row } of list) cal[day - first] = row;
  const loads = Array.from(cal, (r) => r?.load ?? 0);
  const ewma = acwrEwma(loads);
  const rolling = acwrRolling(loads);
  const mono = monotonyStrain(loads);
  const sinceRest = daysSinceRest(loads);
  const ff = fitnessFatigue(loads);
  const loadSum = (from: number, to: number): number => {
    let s = 0;
    for (let i = from; i <= to; i++) s += loads[i]!;
    return s;
  };
  const seen = VALUE_FEATURES.map(() => [] as number[]);
  const out: FeatureRow[] = [];
  for (const { day, row } of list) {
    const i = day - first;
    const hi = windowStats(cal, i - 6, i, (r) => r.high_intensity_min);
    const sleep = windowStats(cal, i - 6, i, (r) => r.sleep_h);
    const eff = windowStats(cal, i - 6, i, (r) => r.sleep_efficiency);
    const acwrE = row.acwr_ewma ?? ewma[i]!.ratio;
    const hrv = num(row.hrv_ln_rmssd_7d) && num(row.hrv_baseline) ? row.hrv_ln_rmssd_7d - row.hrv_baseline : null;
    const rhr = num(row.resting_hr) && num(row.rhr_baseline) ? row.resting_hr - row.rhr_baseline : null;
    const raw: Record<ValueFeature, number | null> = {
      acute_load_7d: mono[i]!.weeklyLoad,
      chronic_load_28d: rolling[i]!.chronic,
      acwr_ewma: acwrE,
      acwr_rolling: row.acwr_rolling ?? rolling[i]!.ratio,
      load_change_wow: i >= 13 ? weekOverWeekChange([loadSum(i - 13, i - 7), loadSum(i - 6, i)])[1]! : null,
      monotony: row.monotony ?? mono[i]!.monotony,
      strain: row.strain ?? mono[i]!.strain,
      days_since_rest: sinceRest[i]!,
      high_intensity_min_7d: hi.n ? hi.sum : null,
      sleep_h_7d: sleep.n ? sleep.sum / sleep.n : null,
      sleep_efficiency_7d: eff.n ? eff.sum / eff.n : null,
      hrv_trend: hrv,
      rhr_delta: rhr,
      diversity_28d: row.diversity_28d,
      tsb: row.tsb ?? ff[i]!.tsb,
    };
    const values = VALUE_FEATURES.map((name, k) => {
      const v = raw[name];
      const past = seen[k]!;
      if (num(v)) {
        insertSorted(past, v);
        return v;
      }
      return past.length ? median(past) : NEUTRAL[name];
    });
    // Indicators follow MISSING_FEATURES order.
    values.push(num(raw.sleep_h_7d) ? 0 : 1, num(hrv) ? 0 : 1, num(rhr) ? 0 : 1, num(acwrE) ? 0 : 1);
    out.push({ athlete_id: row.athlete_id, date: row.date, values });
  }
  return out;
}

/** Feature rows for every input day, athletes in first-seen order, each athlete's days by date. */
export function featureRows(days: DailyRow[]): FeatureRow[] {
  const out: FeatureRow[] = [];
  for (const list of byAthlete(days).values()) out.push(...athleteFeatures(list));
  return out;
}

/** The features of an athlete's latest day (for predicting today's risk); null when the athlete has no rows. */
export function latestFeatures(days: DailyRow[], athleteId: string): FeatureRow | null {
  const rows = featureRows(days.filter((d) => d.athlete_id === athleteId));
  return rows[rows.length - 1] ?? null;
}

/** Options of `prepareFeatures`. */
export interface PrepareOptions {
  /** Days ahead an injury must begin in to label a day 1 (7). */
  horizonDays?: number;
  /** Days from an injury's start left out of training as "injured" (14). */
  excludeAfterInjuryDays?: number;
}

/** A labelled training set. */
export interface FeatureSet {
  X: number[][];
  y: number[];
  featureNames: string[];
  rows: { athlete_id: string; date: string }[];
  /** Injuries that label at least one kept day. */
  injuryEvents: number;
  /** Lineage tags of the days kept, sorted. */
  sources: string[];
}

/** Features and labels for training; see the module comment for the label and exclusion rules. */
export function prepareFeatures(days: DailyRow[], injuries: InjuryRecord[], options: PrepareOptions = {}): FeatureSet {
  const { horizonDays = 7, excludeAfterInjuryDays = 14 } = options;
  if (!Number.isInteger(horizonDays) || horizonDays < 1) throw new RangeError(`prepareFeatures: horizonDays must be a positive integer, got ${horizonDays}`);
  const starts = new Map<string, number[]>();
  injuries.forEach((inj, i) => {
    const d = dayNumber(inj.date, `injuries[${i}].date (athlete ${inj.athlete_id})`);
    const list = starts.get(inj.athlete_id) ?? [];
    list.push(d);
    starts.set(inj.athlete_id, list);
  });
  const lastDay = new Map<string, number>();
  for (const d of days) {
    const n = dayNumber(d.date);
    lastDay.set(d.athlete_id, Math.max(lastDay.get(d.athlete_id) ?? -Infinity, n));
  }
  const sourcesByKey = new Map(days.map((d) => [`${d.athlete_id}|${d.date}`, d.sources]));
  const set: FeatureSet = { X: [], y: [], featureNames: [...FEATURE_NAMES], rows: [], injuryEvents: 0, sources: [] };
  const used = new Set<string>();
  const sources = new Set<string>();
  for (const fr of featureRows(days)) {
    const d = dayNumber(fr.date);
    const own = starts.get(fr.athlete_id) ?? [];
    if (own.some((s) => s <= d && d < s + excludeAfterInjuryDays)) continue;
    const coming = own.filter((s) => s > d && s <= d + horizonDays);
    if (coming.length === 0 && d + horizonDays > lastDay.get(fr.athlete_id)!) continue;
    for (const s of coming) used.add(`${fr.athlete_id}|${s}`);
    set.X.push(fr.values);
    set.y.push(coming.length ? 1 : 0);
    set.rows.push({ athlete_id: fr.athlete_id, date: fr.date });
    for (const s of sourcesByKey.get(`${fr.athlete_id}|${fr.date}`) ?? []) sources.add(s);
  }
  set.injuryEvents = used.size;
  set.sources = [...sources].sort();
  return set;
}

