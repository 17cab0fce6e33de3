import { describe, expect, it } from 'vitest';
import { monotonyStrain } from '../../lib/analysis/index.ts';
import { FEATURE_NAMES, featureRows, latestFeatures, prepareFeatures } from '../../lib/ml/features.ts';
import { dateOf, day } from './synthetic.ts';

const col = (name: string): number => FEATURE_NAMES.indexOf(name);

/** Day 0 rest, days 1–22 load 10, days 23–29 load 20, with a few recovery values. */
function athlete() {
  const loads = Array.from({ length: 30 }, (_, d) => (d === 0 ? 0 : d <= 22 ? 10 : 20));
  const rows = loads.map((l, d) => day('a', dateOf(d), l));
  Object.assign(rows[27]!, { sleep_h: 7, resting_hr: 52, rhr_baseline: 50 });
  Object.assign(rows[28]!, { sleep_h: 8 });
  Object.assign(rows[29]!, { hrv_ln_rmssd_7d: 4.1, hrv_baseline: 4.3, resting_hr: 55, rhr_baseline: 50 });
  return { loads, rows };
}

describe('featureRows', () => {
  it('computes load features from the days up to each day', () => {
    const { rows } = athlete();
    const f = featureRows(rows);
    expect(f).toHaveLength(30);
    const last = f[29]!.values;
    // Acute load is the 7-day mean (as daily_metrics.acute_load), not the week's sum of 140.
    expect(last[col('acute_load_7d')]).toBe(20);
    // Days 2..29: (21 × 10 + 7 × 20)/28 = 12.5
    expect(last[col('chronic_load_28d')]).toBeCloseTo(12.5, 12);
    expect(last[col('acwr_rolling')]).toBeCloseTo(1.6, 12);
    expect(last[col('load_change_wow')]).toBeCloseTo(1, 12);
    expect(last[col('days_since_rest')]).toBe(29);
    // EWMA started on day 27 at the means of days 0..27 (320/28) and 21..27 (120/7); days 28 and 29 at 20:
    // acute 17.857143 → 18.392857, chronic 12.019704 → 12.570069; ratio 1.463226
    expect(last[col('acwr_ewma')]).toBeCloseTo(1.463226, 6);
    expect(last[col('short_history')]).toBe(0);
    expect(last[col('load_coverage_28d')]).toBe(1);
    expect(f[5]!.values[col('short_history')]).toBe(1);
    expect(f[5]!.values[col('acwr_ewma')]).toBe(1);
    expect(f[5]!.values[col('load_coverage_28d')]).toBeCloseTo(6 / 28, 12);
  });

  it('averages sleep over 7 days and takes recovery differences', () => {
    const last = featureRows(athlete().rows)[29]!.values;
    expect(last[col('sleep_h_7d')]).toBe(7.5);
    expect(last[col('sleep_missing')]).toBe(0);
    expect(last[col('hrv_trend')]).toBeCloseTo(-0.2, 12);
    expect(last[col('rhr_delta')]).toBe(5);
    expect(last[col('hrv_missing')]).toBe(0);
  });

  it('imputes from earlier days only, never later ones', () => {
    const { loads, rows } = athlete();
    const f = featureRows(rows);
    // Day 26: no resting HR yet (the first is on day 27) → neutral 0, not the later 2 or 5.
    expect(f[26]!.values[col('rhr_delta')]).toBe(0);
    expect(f[26]!.values[col('rhr_missing')]).toBe(1);
    expect(f[26]!.values[col('sleep_h_7d')]).toBe(7.5);
    expect(f[26]!.values[col('sleep_missing')]).toBe(1);
    // Day 28: missing → the median of the earlier values (only day 27's 2).
    expect(f[28]!.values[col('rhr_delta')]).toBe(2);
    expect(f[28]!.values[col('rhr_missing')]).toBe(1);
    // Day 29's monotony is undefined (seven equal days) → median of the defined earlier ones.
    const earlier = monotonyStrain(loads)
      .slice(0, 29)
      .flatMap((m) => (m.monotony === null ? [] : [m.monotony]))
      .sort((a, b) => a - b);
    const mid = earlier.length >> 1;
    const median = earlier.length % 2 ? earlier[mid]! : (earlier[mid - 1]! + earlier[mid]!) / 2;
    expect(f[29]!.values[col('monotony')]).toBeCloseTo(median, 12);
    expect(f.every((r) => r.values.every(Number.isFinite))).toBe(true);
  });

  it('treats a date without a row, or with an unknown load, as unknown, never as a rest day', () => {
    // Day 0 a rest day, day 1 at 10, day 2 without a row, day 3 recorded as unknown, day 4 at 10.
    const rows = [day('b', dateOf(0), 0), day('b', dateOf(1), 10), day('b', dateOf(3), null), day('b', dateOf(4), 10)];
    const f = featureRows(rows);
    expect(f.map((r) => r.date)).toEqual([dateOf(0), dateOf(1), dateOf(3), dateOf(4)]);
    expect(f[1]!.values[col('days_since_rest')]).toBe(1);
    // Day 4: unknown since day 2 (counted as rest it would read 1, or 0) → the median of the earlier values 0 and 1.
    expect(f[3]!.values[col('days_since_rest')]).toBe(0.5);
    // 3 known days of the 28 ending on day 4.
    expect(f[3]!.values[col('load_coverage_28d')]).toBeCloseTo(3 / 28, 12);
    expect(latestFeatures(rows, 'b')!.date).toBe(dateOf(4));
    expect(latestFeatures(rows, 'nobody')).toBeNull();
  });

  it('reads days since a rest day as unknown (3, a week with one rest day) before any rest day, not as 0', () => {
    const f = featureRows(Array.from({ length: 5 }, (_, d) => day('c', dateOf(d), 30)));
    expect(f.map((r) => r.values[col('days_since_rest')])).toEqual([3, 3, 3, 3, 3]);
  });

  it('names the row of a bad date, load or duplicate day', () => {
    expect(() => featureRows([day('a', '2024-13-01', 1)])).toThrow(/days\[0\]\.date \(athlete a\).*2024-13-01/);
    expect(() => featureRows([day('a', dateOf(0), -5)])).toThrow(/days\[0\]\.load \(athlete a, 2022-01-01\): -5/);
    expect(() => featureRows([day('a', dateOf(0), 1), day('a', dateOf(0), 2)])).toThrow(/athlete a has two rows for 2022-01-01/);
  });
});

describe('prepareFeatures', () => {
  const rows = Array.from({ length: 60 }, (_, d) => day('a', dateOf(d), 10, d % 2 ? ['garmin'] : ['oura', 'garmin']));

  it('labels the horizon before an injury and drops injured and unknown-outcome days', () => {
    const set = prepareFeatures(rows, [{ athlete_id: 'a', date: dateOf(40), area: 'knee', severity: 'minor' }]);
    // Kept: days 0–39 (40–59 injured: no end date, so 28 days; nothing after it).
    expect(set.rows.map((r) => r.date)).toEqual(Array.from({ length: 40 }, (_, d) => dateOf(d)));
    expect(set.y.map((v, i) => (v ? i : -1)).filter((i) => i >= 0)).toEqual([33, 34, 35, 36, 37, 38, 39]);
    expect(set.injuryEvents).toBe(1);
    expect(set.X).toHaveLength(40);
    expect(set.X[0]).toHaveLength(FEATURE_NAMES.length);
    expect(set.featureNames).toEqual([...FEATURE_NAMES]);
    expect(set.sources).toEqual(['garmin', 'oura']);
  });

  it('leaves out the injured days up to the recorded return to play', () => {
    // Injured from day 40, back on day 45: days 40–44 left out, 45 kept; the last 3 days' outcome is unknown.
    const set = prepareFeatures(rows, [{ athlete_id: 'a', date: dateOf(40), end_date: dateOf(45) }], { horizonDays: 3 });
    expect(set.y.filter((v) => v === 1)).toHaveLength(3);
    expect(set.rows.some((r) => r.date === dateOf(44))).toBe(false);
    expect(set.rows.some((r) => r.date === dateOf(45))).toBe(true);
    expect(set.rows.at(-1)!.date).toBe(dateOf(56));
    // Without an end date the spell lasts defaultInjuryDays.
    const short = prepareFeatures(rows, [{ athlete_id: 'a', date: dateOf(40) }], { horizonDays: 3, defaultInjuryDays: 10 });
    expect(short.rows.some((r) => r.date === dateOf(49))).toBe(false);
    expect(short.rows.some((r) => r.date === dateOf(50))).toBe(true);
  });

  it('names a bad injury date or an end before the start', () => {
    expect(() => prepareFeatures(rows, [{ athlete_id: 'a', date: '01/02/2022' }])).toThrow(/injuries\[0\] \(athlete a, 01\/02\/2022\)\.date/);
    expect(() => prepareFeatures(rows, [{ athlete_id: 'a', date: dateOf(40), end_date: dateOf(40) }])).toThrow(/injuries\[0\] \(athlete a, 2022-02-10\)\.end_date: 2022-02-10 is not after/);
  });
});
