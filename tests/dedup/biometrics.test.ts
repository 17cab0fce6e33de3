import { describe, expect, it } from 'vitest';
import { DEFAULT_BIOMETRIC_PRECEDENCE, reconcileBiometrics, type BiometricInput } from '../../lib/core/dedup/deduplicate.ts';

const r = (source: string, metric_type: string, value: number, extra: Partial<BiometricInput> = {}): BiometricInput => ({
  athlete_id: 'me',
  date: '2024-10-02',
  metric_type,
  value,
  unit: 'ms',
  source,
  confidence: 1,
  ...extra,
});

describe('reconcileBiometrics', () => {
  it('takes HRV RMSSD from WHOOP first, with confidence from agreement', () => {
    const [row, ...rest] = reconcileBiometrics([r('garmin', 'hrv_rmssd', 40), r('whoop', 'hrv_rmssd', 50), r('oura', 'hrv_rmssd', 48)]);
    expect(rest).toHaveLength(0);
    // Largest difference from the chosen 50 is 10, over the largest value 50: 1 − 0.2.
    expect(row).toEqual({
      athlete_id: 'me',
      date: '2024-10-02',
      metric_type: 'hrv_rmssd',
      value: 50,
      unit: 'ms',
      source: 'whoop',
      confidence: 0.8,
      source_count: 3,
      sources: ['whoop', 'oura', 'garmin'],
    });
  });

  it('never combines RMSSD and SDNN', () => {
    const rows = reconcileBiometrics([r('whoop', 'hrv_rmssd', 50), r('apple_health', 'hrv_sdnn', 70), r('garmin', 'hrv_rmssd', 50)]);
    expect(rows.map((x) => [x.metric_type, x.value, x.source, x.source_count, x.confidence])).toEqual([
      ['hrv_rmssd', 50, 'whoop', 2, 1],
      ['hrv_sdnn', 70, 'apple_health', 1, 0.9],
    ]);
  });

  it('follows the default precedence per metric family', () => {
    const day = (metric: string, unit: string, values: Record<string, number>) =>
      reconcileBiometrics(Object.entries(values).map(([s, v]) => r(s, metric, v, { unit })))[0]!;
    expect(day('sleep_duration', 's', { garmin: 25_000, whoop: 26_000, oura: 26_500 }).source).toBe('oura');
    expect(day('resting_hr', 'bpm', { garmin: 48, oura: 47 }).source).toBe('oura');
    const weight = day('weight', 'kg', { garmin: 70.4, withings: 70.0, apple_health: 70.2 });
    expect([weight.source, weight.value]).toEqual(['withings', 70]);
    // 1 − 0.4 / 70.4
    expect(weight.confidence).toBeCloseTo(1 - 0.4 / 70.4, 3);
    expect(day('steps', 'count', { oura: 9000, garmin: 9100 }).source).toBe('garmin');
    expect(DEFAULT_BIOMETRIC_PRECEDENCE.sleep_rem).toEqual(['oura', 'whoop', 'google_health', 'garmin', 'apple_health']);
    expect(DEFAULT_BIOMETRIC_PRECEDENCE.steps).toBeUndefined();
  });

  it('accepts a precedence override and scales a single source by 0.9', () => {
    const rows = reconcileBiometrics([r('whoop', 'hrv_rmssd', 50), r('garmin', 'hrv_rmssd', 50, { confidence: 0.7 })], {
      hrv_rmssd: ['garmin'],
    });
    expect([rows[0]!.source, rows[0]!.confidence]).toEqual(['garmin', 0.7]);
    expect(reconcileBiometrics([r('oura', 'hrv_rmssd', 44, { confidence: 0.8 })])[0]!.confidence).toBe(0.72);
  });

  it('keeps days and athletes apart, uses the median of one source\'s readings, and skips non-finite values', () => {
    const rows = reconcileBiometrics([
      r('vesync', 'weight', 71, { unit: 'kg' }),
      r('vesync', 'weight', 70, { unit: 'kg' }),
      r('vesync', 'weight', 70.5, { unit: 'kg', confidence: 0.9 }),
      r('vesync', 'weight', NaN, { unit: 'kg' }),
      r('vesync', 'weight', 80, { unit: 'kg', date: '2024-10-03' }),
      r('vesync', 'weight', 60, { unit: 'kg', athlete_id: 'ann' }),
    ]);
    expect(rows.map((x) => [x.athlete_id, x.date, x.value, x.source_count])).toEqual([
      ['ann', '2024-10-02', 60, 1],
      ['me', '2024-10-02', 70.5, 1],
      ['me', '2024-10-03', 80, 1],
    ]);
    expect(rows[1]!.confidence).toBe(0.9);
  });

  it('lowers confidence as sources disagree, down to 0', () => {
    const row = reconcileBiometrics([r('whoop', 'recovery_score', 10, { unit: 'score' }), r('oura', 'recovery_score', 90, { unit: 'score' })])[0]!;
    expect(row.value).toBe(10);
    expect(row.confidence).toBeCloseTo(1 - 80 / 90, 3);
    // Deviations of opposite sign: a spread of twice the scale, bounded to 0.
    const temp = reconcileBiometrics([r('oura', 'skin_temp', -0.5, { unit: 'degC' }), r('whoop', 'skin_temp', 0.5, { unit: 'degC' })])[0]!;
    expect([temp.source, temp.value, temp.confidence]).toEqual(['oura', -0.5, 0]);
  });
});
