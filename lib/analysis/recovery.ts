/**
 * Recovery markers over local days: sleep, HRV (ln RMSSD) and resting heart
 * rate against the athlete's own baseline. Series run over every calendar day
 * from the first to the last input date; undefined values are null.
 */
import { mean, sampleStandardDeviation } from 'simple-statistics';
import { dayNumber, dayString } from './daily.ts';

/** One night of sleep, dated by the local day of waking. */
export interface SleepNight {
  date: string;
  /** Time asleep, seconds. */
  asleepS: number;
  /** Time in bed, seconds, when known. */
  inBedS?: number | null;
  /** The source's own efficiency in %, used only when time in bed is unknown. */
  efficiencyPct?: number | null;
}

/** Sleep over a set of nights. */
export interface SleepSummary {
  nights: number;
  meanAsleepS: number | null;
  /** Sample SD of time asleep; null with fewer than two nights. */
  sdAsleepS: number | null;
  meanEfficiencyPct: number | null;
  /** Nights under 7 h asleep, the adult minimum of the AASM/SRS consensus (Watson et al. 2015). */
  shortNights: number;
  perNight: { date: string; asleepS: number; efficiencyPct: number | null }[];
}

/** Seconds asleep below which a night counts as short (7 h). */
export const SHORT_NIGHT_S = 7 * 3600;

/**
 * Duration and efficiency of sleep. Efficiency is time asleep / time in bed ×
 * 100 (the polysomnographic definition), or the source's value when time in
 * bed is unknown. Nights with a non-finite or negative time asleep are left out.
 */
export function sleepSummary(nights: SleepNight[]): SleepSummary {
  const perNight = nights
    .filter((n) => Number.isFinite(n.asleepS) && n.asleepS >= 0)
    .map((n) => {
      const inBed = n.inBedS;
      let efficiencyPct: number | null = null;
      if (inBed != null && Number.isFinite(inBed) && inBed > 0) efficiencyPct = Math.min(100, (n.asleepS / inBed) * 100);
      else if (n.efficiencyPct != null && Number.isFinite(n.efficiencyPct)) efficiencyPct = n.efficiencyPct;
      return { date: n.date, asleepS: n.asleepS, efficiencyPct };
    });
  const asleep = perNight.map((n) => n.asleepS);
  const efficiencies = perNight.flatMap((n) => (n.efficiencyPct === null ? [] : [n.efficiencyPct]));
  return {
    nights: perNight.length,
    meanAsleepS: asleep.length ? mean(asleep) : null,
    sdAsleepS: asleep.length >= 2 ? sampleStandardDeviation(asleep) : null,
    meanEfficiencyPct: efficiencies.length ? mean(efficiencies) : null,
    shortNights: asleep.filter((s) => s < SHORT_NIGHT_S).length,
    perNight,
  };
}

/** Values per calendar day from the first to the last date given; several values on a day are averaged. */
function calendar(entries: { date: string; value: number | null }[], what: string): { first: number; values: (number | null)[] } {
  const sums = new Map<number, { sum: number; n: number }>();
  let first = Infinity;
  let last = -Infinity;
  entries.forEach((e, i) => {
    const d = dayNumber(e.date, `${what}[${i}].date`);
    first = Math.min(first, d);
    last = Math.max(last, d);
    if (e.value === null || !Number.isFinite(e.value)) return;
    const s = sums.get(d) ?? { sum: 0, n: 0 };
    s.sum += e.value;
    s.n++;
    sums.set(d, s);
  });
  if (first > last) return { first: 0, values: [] };
  const values: (number | null)[] = [];
  for (let d = first; d <= last; d++) {
    const s = sums.get(d);
    values.push(s ? s.sum / s.n : null);
  }
  return { first, values };
}

/** The non-null values of `values[from..to]` (inclusive, clipped to the array). */
function present(values: (number | null)[], from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = Math.max(0, from); i <= to && i < values.length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined) out.push(v);
  }
  return out;
}

/** Status of a marker against its normal range. */
export type HrvState = 'below' | 'normal' | 'above';

/** HRV on one day: its ln RMSSD, the 7-day mean, and the baseline range. */
export interface HrvDay {
  date: string;
  lnRmssd: number | null;
  lnRmssd7: number | null;
  baseline: number | null;
  lower: number | null;
  upper: number | null;
  status: HrvState | null;
}

/** Options of `hrvStatus`; the defaults are the documented method. */
export interface HrvOptions {
  /** Days in the rolling mean (7). */
  rollingDays?: number;
  /** Fewest values in the rolling window (3). */
  minRolling?: number;
  /** Days in the baseline, before the rolling window (60). */
  baselineDays?: number;
  /** Fewest values in the baseline (14). */
  minBaseline?: number;
  /** Half-width of the normal range in baseline SDs (0.5). */
  k?: number;
}

/**
 * HRV status from RMSSD (ms) per day, after Plews et al. (2012, Eur J Appl
 * Physiol 112:3729; 2013, Sports Med 43:773): the natural log of RMSSD, its
 * 7-day rolling mean (at least 3 values in the 7 days, the compliance Plews et
 * al. 2014, Int J Sports Physiol Perform 9:783, found adequate), compared with
 * the baseline mean of daily ln RMSSD over the 60 days before that 7-day
 * window (at least 14 values) ± 0.5 × its sample SD (their smallest
 * worthwhile change). The baseline ends where the rolling window begins, so a
 * week of suppressed HRV does not pull its own reference down.
 * Non-positive RMSSD values are ignored.
 */
export function hrvStatus(days: { date: string; rmssd: number | null }[], options: HrvOptions = {}): HrvDay[] {
  const { rollingDays = 7, minRolling = 3, baselineDays = 60, minBaseline = 14, k = 0.5 } = options;
  const { first, values } = calendar(
    days.map((d) => ({ date: d.date, value: d.rmssd !== null && d.rmssd > 0 ? Math.log(d.rmssd) : null })),
    'days',
  );
  return values.map((lnRmssd, i) => {
    const recent = present(values, i - rollingDays + 1, i);
    const base = present(values, i - rollingDays - baselineDays + 1, i - rollingDays);
    const lnRmssd7 = recent.length >= minRolling ? mean(recent) : null;
    let baseline: number | null = null;
    let lower: number | null = null;
    let upper: number | null = null;
    if (base.length >= minBaseline) {
      baseline = mean(base);
      const sd = sampleStandardDeviation(base);
      lower = baseline - k * sd;
      upper = baseline + k * sd;
    }
    let status: HrvState | null = null;
    if (lnRmssd7 !== null && lower !== null && upper !== null) {
      status = lnRmssd7 < lower ? 'below' : lnRmssd7 > upper ? 'above' : 'normal';
    }
    return { date: dayString(first + i), lnRmssd, lnRmssd7, baseline, lower, upper, status };
  });
}

/** Resting heart rate on one day against its baseline. */
export interface RestingHrDay {
  date: string;
  restingHr: number | null;
  baseline: number | null;
  threshold: number | null;
  status: 'normal' | 'elevated' | null;
}

/** Options of `restingHrStatus`. */
export interface RestingHrOptions {
  /** Days in the baseline, before the day assessed (60). */
  baselineDays?: number;
  /** Fewest values in the baseline (14). */
  minBaseline?: number;
  /** bpm above baseline that counts as elevated (5). */
  k?: number;
}

/**
 * Resting HR per day against the mean of the `baselineDays` days before it
 * (at least `minBaseline` values; the day itself is left out so a spike does
 * not raise its own baseline). 'elevated' when the day's value exceeds
 * baseline + k bpm. k = 5 bpm is a conventional choice, not a published cut-off.
 */
export function restingHrStatus(days: { date: string; restingHr: number | null }[], options: RestingHrOptions = {}): RestingHrDay[] {
  const { baselineDays = 60, minBaseline = 14, k = 5 } = options;
  const { first, values } = calendar(
    days.map((d) => ({ date: d.date, value: d.restingHr !== null && d.restingHr > 0 ? d.restingHr : null })),
    'days',
  );
  return values.map((restingHr, i) => {
    const base = present(values, i - baselineDays, i - 1);
    const baseline = base.length >= minBaseline ? mean(base) : null;
    const threshold = baseline === null ? null : baseline + k;
    const status = restingHr === null || threshold === null ? null : restingHr > threshold ? 'elevated' : 'normal';
    return { date: dayString(first + i), restingHr, baseline, threshold, status };
  });
}

/**
 * Mean of the values of the `window` calendar days ending on each given day,
 * when at least `minCount` of them have a value: a trailing rolling mean for
 * a smoothed trend (e.g. sleep over 7 nights, 4 of them recorded). One point
 * per input day, in the input order.
 */
export function rollingMean(points: readonly { date: string; value: number }[], window = 7, minCount = 4): { date: string; value: number }[] {
  const byDay = new Map<number, number>();
  points.forEach((p, i) => byDay.set(dayNumber(p.date, `points[${i}].date`), p.value));
  const out: { date: string; value: number }[] = [];
  for (const p of points) {
    const d = dayNumber(p.date);
    let sum = 0;
    let n = 0;
    for (let k = d - window + 1; k <= d; k++) {
      const v = byDay.get(k);
      if (v !== undefined && Number.isFinite(v)) {
        sum += v;
        n++;
      }
    }
    if (n >= minCount) out.push({ date: p.date, value: sum / n });
  }
  return out;
}
