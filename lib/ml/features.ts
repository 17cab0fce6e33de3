/**
 * Injury-risk features and labels from daily rows.
 *
 * Each athlete's rows are laid on a calendar from their first to last date.
 * A day's load is unknown when its row says so (nothing was recorded) or when
 * there is no row (e.g. a day left out as Strava-API-only): unknown days are
 * never counted as rest days; the load features treat them as lib/analysis
 * does, and `load_coverage_28d` says how much of the last four weeks is known.
 * Load features are computed here from the loads, so training (on filtered
 * days) and prediction (on all days) compute them the same way. Features on a
 * day use that day and earlier only.
 *
 * Missing values: a feature that is undefined on a day (no sleep recorded,
 * not enough history for a ratio, ...) takes the median of that athlete's
 * values on earlier days — never later ones — or, before any value exists,
 * the neutral value in `NEUTRAL`. Sleep, HRV, resting HR and short history
 * also get 0/1 missing-indicator columns, since their absence (no device worn,
 * a new athlete) can itself carry risk information.
 *
 * Label: 1 when an injury of the athlete begins within the next `horizonDays`
 * days (day d+1 … d+h). Days from an injury's start to the day before its
 * end (return to full training) are left out: the athlete is injured, and
 * training then is a consequence, not a cause. An injury without a recorded
 * end is taken to last `defaultInjuryDays` (28: most running injuries keep an
 * athlete out for up to a month). Days whose label window runs past the
 * athlete's last row are left out unless an injury already falls in it (their
 * outcome is unknown).
 */
import {
  acwrEwma,
  acwrRolling,
  daysSinceRest,
  dayNumber,
  fitnessFatigue,
  loadCoverage,
  MIN_LOAD_COVERAGE,
  monotonyStrain,
  weekOverWeekChange,
} from '../analysis/index.ts';

/** One athlete-day as the orchestrator passes it. */
export interface DailyRow {
  athlete_id: string;
  /** Local date, YYYY-MM-DD. */
  date: string;
  /** The day's training load; null when nothing was recorded that day. */
  load: number | null;
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

/** An injury as recorded: when it began, and when the athlete was back. */
export interface InjuryRecord {
  athlete_id: string;
  /** Local date the injury began, YYYY-MM-DD. */
  date: string;
  /** First day back at full training (return to play), YYYY-MM-DD; unknown when absent. */
  end_date?: string | null;
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
  'load_coverage_28d',
] as const;

/** Missing-indicator columns, after the value columns. */
export const MISSING_FEATURES = ['sleep_missing', 'hrv_missing', 'rhr_missing', 'short_history'] as const;

/** Every feature column, in the order of the rows of X. */
export const FEATURE_NAMES: readonly string[] = [...VALUE_FEATURES, ...MISSING_FEATURES];

type ValueFeature = (typeof VALUE_FEATURES)[number];

/**
 * Value used before an athlete has any value of a feature: "nothing unusual"
 * (ratio 1, change 0, HRV and resting HR at baseline, 7.5 h sleep at 90 %
 * efficiency — sleep efficiency is in % — and 3 days since a rest day, the
 * mean for one rest day a week; never 0, which would read as rested today).
 */
export const NEUTRAL: Record<ValueFeature, number> = {
  acute_load_7d: 0,
  chronic_load_28d: 0,
  acwr_ewma: 1,
  acwr_rolling: 1,
  load_change_wow: 0,
  monotony: 1,
  strain: 0,
  days_since_rest: 3,
  high_intensity_min_7d: 0,
  sleep_h_7d: 7.5,
  sleep_efficiency_7d: 90,
  hrv_trend: 0,
  rhr_delta: 0,
  diversity_28d: 0,
  tsb: 0,
  load_coverage_28d: 0,
};

/** What a feature is, in words, and the unit of its value. */
export interface FeatureInfo {
  label: string;
  unit: string;
  /** Multiply the value by this to show it in `unit` (a fraction shown in %). */
  scale?: number;
}

/**
 * Every feature in words and units. Loads are on the TSS-like scale of
 * lib/analysis/load.ts (arbitrary units, a.u.; one hour at threshold ≈ 100).
 */
export const FEATURE_INFO: Readonly<Record<string, FeatureInfo>> = {
  acute_load_7d: { label: 'Acute load (7-day mean)', unit: 'a.u./day' },
  chronic_load_28d: { label: 'Chronic load (28-day mean)', unit: 'a.u./day' },
  acwr_ewma: { label: 'ACWR, exponentially weighted 7:28 d', unit: 'ratio' },
  acwr_rolling: { label: 'ACWR, rolling 7-day over 28-day mean', unit: 'ratio' },
  load_change_wow: { label: 'Load change from the week before', unit: '%', scale: 100 },
  monotony: { label: 'Training monotony (7-day mean/SD)', unit: 'ratio' },
  strain: { label: 'Training strain (weekly load × monotony)', unit: 'a.u.' },
  days_since_rest: { label: 'Days since a rest day', unit: 'days' },
  high_intensity_min_7d: { label: 'High-intensity time (7 days)', unit: 'min' },
  sleep_h_7d: { label: 'Sleep (7-day mean)', unit: 'h' },
  sleep_efficiency_7d: { label: 'Sleep efficiency (7-day mean)', unit: '%' },
  hrv_trend: { label: 'HRV 7-day mean vs baseline', unit: 'ln ms' },
  rhr_delta: { label: 'Resting HR vs baseline', unit: 'bpm' },
  diversity_28d: { label: 'Sport variety (28 days, 0–1)', unit: 'evenness' },
  tsb: { label: 'Form (TSB)', unit: 'a.u.' },
  load_coverage_28d: { label: 'Days with recorded data (28 days)', unit: '%', scale: 100 },
  sleep_missing: { label: 'Sleep data missing', unit: 'yes/no' },
  hrv_missing: { label: 'HRV data missing', unit: 'yes/no' },
  rhr_missing: { label: 'Resting HR data missing', unit: 'yes/no' },
  short_history: { label: 'ACWR not yet defined', unit: 'yes/no' },
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
    if (row.load !== null && (!num(row.load) || row.load < 0)) {
      throw new RangeError(`days[${i}].load (athlete ${row.athlete_id}, ${row.date}): ${row.load} is not a non-negative number or null`);
    }
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
  const loads = Array.from(cal, (r) => r?.load ?? null);
  const ewma = acwrEwma(loads);
  const rolling = acwrRolling(loads);
  const mono = monotonyStrain(loads);
  const sinceRest = daysSinceRest(loads);
  const ff = fitnessFatigue(loads);
  const coverage = loadCoverage(loads);
  /** Mean of the known loads of days from..to, when at least MIN_LOAD_COVERAGE of them are known. */
  const weekMean = (from: number, to: number): number | null => {
    let s = 0;
    let n = 0;
    for (let i = Math.max(0, from); i <= to; i++) {
      const v = loads[i];
      if (v !== null && v !== undefined) {
        s += v;
        n++;
      }
    }
    return from >= 0 && n >= Math.ceil(MIN_LOAD_COVERAGE * (to - from + 1)) ? s / n : null;
  };
  const seen = VALUE_FEATURES.map(() => [] as number[]);
  const out: FeatureRow[] = [];
  for (const { day, row } of list) {
    const i = day - first;
    const hi = windowStats(cal, i - 6, i, (r) => r.high_intensity_min);
    const sleep = windowStats(cal, i - 6, i, (r) => r.sleep_h);
    const eff = windowStats(cal, i - 6, i, (r) => r.sleep_efficiency);
    const acwrE = ewma[i]!.ratio;
    const hrv = num(row.hrv_ln_rmssd_7d) && num(row.hrv_baseline) ? row.hrv_ln_rmssd_7d - row.hrv_baseline : null;
    const rhr = num(row.resting_hr) && num(row.rhr_baseline) ? row.resting_hr - row.rhr_baseline : null;
    const previous = weekMean(i - 13, i - 7);
    const current = weekMean(i - 6, i);
    const raw: Record<ValueFeature, number | null> = {
      acute_load_7d: rolling[i]!.acute,
      chronic_load_28d: rolling[i]!.chronic,
      acwr_ewma: acwrE,
      acwr_rolling: rolling[i]!.ratio,
      load_change_wow: previous !== null && current !== null ? weekOverWeekChange([previous, current])[1]! : null,
      monotony: mono[i]!.monotony,
      strain: mono[i]!.strain,
      days_since_rest: sinceRest[i]!,
      high_intensity_min_7d: hi.n ? hi.sum : null,
      sleep_h_7d: sleep.n ? sleep.sum / sleep.n : null,
      sleep_efficiency_7d: eff.n ? eff.sum / eff.n : null,
      hrv_trend: hrv,
      rhr_delta: rhr,
      diversity_28d: row.diversity_28d,
      tsb: ff[i]!.tsb,
      load_coverage_28d: coverage[i]!,
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

/** Days an injury without a recorded end is taken to last. */
export const DEFAULT_INJURY_DAYS = 28;

/** Options of `prepareFeatures`. */
export interface PrepareOptions {
  /** Days ahead an injury must begin in to label a day 1 (7). */
  horizonDays?: number;
  /** Days an injury without an end date keeps the athlete out (`DEFAULT_INJURY_DAYS`). */
  defaultInjuryDays?: number;
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
  const { horizonDays = 7, defaultInjuryDays = DEFAULT_INJURY_DAYS } = options;
  if (!Number.isInteger(horizonDays) || horizonDays < 1) throw new RangeError(`prepareFeatures: horizonDays must be a positive integer, got ${horizonDays}`);
  const starts = new Map<string, number[]>();
  const spells = new Map<string, { from: number; to: number }[]>();
  injuries.forEach((inj, i) => {
    const what = `injuries[${i}] (athlete ${inj.athlete_id}, ${inj.date})`;
    const d = dayNumber(inj.date, `${what}.date`);
    const end = inj.end_date ? dayNumber(inj.end_date, `${what}.end_date`) : d + defaultInjuryDays;
    if (end <= d) throw new RangeError(`${what}.end_date: ${inj.end_date} is not after the injury began`);
    starts.set(inj.athlete_id, [...(starts.get(inj.athlete_id) ?? []), d]);
    spells.set(inj.athlete_id, [...(spells.get(inj.athlete_id) ?? []), { from: d, to: end }]);
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
    if ((spells.get(fr.athlete_id) ?? []).some((s) => s.from <= d && d < s.to)) continue;
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

