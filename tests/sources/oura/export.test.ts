import { describe, expect, it } from 'vitest';
import { ouraCollectionOf, parseOura } from '../../../lib/sources/oura/export.ts';
import type { BiometricReadingInput } from '../../../lib/core/models.ts';

const SLEEP_MAIN = {
  id: 'sleep-1', day: '2024-05-02', type: 'long_sleep', bedtime_start: '2024-05-01T22:41:00+02:00', bedtime_end: '2024-05-02T06:53:30+02:00',
  average_hrv: 48, lowest_heart_rate: 47, average_heart_rate: 53.5, total_sleep_duration: 26400, efficiency: 89, deep_sleep_duration: 5100,
  rem_sleep_duration: 6000, light_sleep_duration: 15300, awake_time: 3150, time_in_bed: 29550,
};
const NAP = { ...SLEEP_MAIN, id: 'nap-1', type: 'late_nap', average_hrv: 20, total_sleep_duration: 1800 };
const SHORT_SLEEP = { ...SLEEP_MAIN, id: 'sleep-2', day: '2024-05-03', type: 'sleep', average_hrv: 30, total_sleep_duration: 3000, bedtime_end: '2024-05-03T03:00:00+02:00' };
const LONGER_SLEEP = { ...SHORT_SLEEP, id: 'sleep-3', average_hrv: 41, total_sleep_duration: 18000, bedtime_end: '2024-05-03T07:00:00+02:00' };
const DAILY_SLEEP = { id: 'ds-1', day: '2024-05-02', score: 82, timestamp: '2024-05-02T00:00:00+02:00', contributors: { deep_sleep: 90, efficiency: 85, latency: 70, rem_sleep: 80, restfulness: 75, timing: 95, total_sleep: 88 } };
const READINESS = {
  id: 'dr-1', day: '2024-05-02', score: 77, temperature_deviation: -0.21, timestamp: '2024-05-02T00:00:00+02:00',
  contributors: { activity_balance: 80, body_temperature: 100, hrv_balance: 70, previous_day_activity: 90, previous_night: 85, recovery_index: 60, resting_heart_rate: 95, sleep_balance: 80 },
};
const ACTIVITY = { id: 'da-1', day: '2024-05-02', score: 90, steps: 11234, active_calories: 500, total_calories: 2500, equivalent_walking_distance: 9000, timestamp: '2024-05-02T04:00:00+02:00' };
const WORKOUT = {
  id: 'wo-1', activity: 'cycling', calories: 412.5, day: '2024-05-02', distance: 21500.2, end_datetime: '2024-05-02T18:45:10-04:00',
  intensity: 'moderate', label: null, source: 'manual', start_datetime: '2024-05-02T17:30:00-04:00',
};

function byMetric(list: BiometricReadingInput[], date: string): Record<string, number> {
  return Object.fromEntries(list.filter((b) => b.date === date).map((b) => [b.metric_type, b.value]));
}

describe('parseOura', () => {
  it('reads an object keyed by collection names', () => {
    const doc = { sleep: [SLEEP_MAIN, NAP, SHORT_SLEEP, LONGER_SLEEP], daily_sleep: [DAILY_SLEEP], daily_readiness: [READINESS], daily_activity: [ACTIVITY], workout: [WORKOUT] };
    const r = parseOura(new TextEncoder().encode(JSON.stringify(doc)), 'oura.json');
    expect(r.errors).toEqual([]);
    expect(byMetric(r.biometrics, '2024-05-02')).toEqual({
      hrv_rmssd: 48, resting_hr: 47, sleep_duration: 26400, sleep_efficiency: 89, sleep_deep: 5100, sleep_rem: 6000, sleep_light: 15300,
      sleep_awake: 3150, sleep_in_bed: 29550, sleep_score: 82, readiness_score: 77, steps: 11234,
    });
    // No long_sleep on the 3rd: the longer `sleep` period is the main one.
    expect(byMetric(r.biometrics, '2024-05-03')).toMatchObject({ hrv_rmssd: 41, sleep_duration: 18000 });
    expect(r.biometrics.filter((b) => b.metric_type === 'hrv_rmssd')).toHaveLength(2);
    expect(r.biometrics.find((b) => b.metric_type === 'hrv_rmssd')!.time).toEqual(new Date('2024-05-02T04:53:30Z'));
    expect(r.biometrics.find((b) => b.metric_type === 'readiness_score')!.raw_data).toMatchObject({ temperature_deviation: -0.21 });
    expect(r.workouts).toHaveLength(1);
    const w = r.workouts[0]!;
    expect(w).toMatchObject({ source: 'oura', external_id: 'wo-1', sport: 'cycling', calories_kcal: 412.5, distance_m: 21500.2, utc_offset_min: -240, duration_s: 4510 });
    expect(w.start_time).toEqual(new Date('2024-05-02T21:30:00Z'));
    expect(w.end_time).toEqual(new Date('2024-05-02T22:45:10Z'));
  });

  it('reads { data: [...] } and recognises the collection by its fields', () => {
    const r = parseOura(JSON.stringify({ data: [READINESS], next_token: null }), 'daily_readiness.json');
    expect(r.biometrics).toHaveLength(1);
    expect(r.biometrics[0]).toMatchObject({ date: '2024-05-02', metric_type: 'readiness_score', value: 77, unit: 'score', source: 'oura' });
    const s = parseOura(JSON.stringify({ data: [DAILY_SLEEP] }), 'x.json');
    expect(s.biometrics.map((b) => [b.metric_type, b.value])).toEqual([['sleep_score', 82]]);
  });

  it('reads CSV files with the same field names', () => {
    const csv = 'id,day,type,bedtime_start,bedtime_end,average_hrv,lowest_heart_rate,total_sleep_duration,efficiency,time_in_bed\n' +
      's1,2024-05-02,long_sleep,2024-05-01T22:41:00+02:00,2024-05-02T06:53:30+02:00,48,47,26400,89,29550\n' +
      's2,2024-05-03,long_sleep,2024-05-02T22:41:00+02:00,2024-05-03T06:00:00+02:00,fast,50,25000,90,28000\n';
    const r = parseOura(csv, 'sleep.csv');
    expect(byMetric(r.biometrics, '2024-05-02')).toEqual({ hrv_rmssd: 48, resting_hr: 47, sleep_duration: 26400, sleep_efficiency: 89, sleep_in_bed: 29550 });
    expect(byMetric(r.biometrics, '2024-05-03')).toEqual({ resting_hr: 50, sleep_duration: 25000, sleep_efficiency: 90, sleep_in_bed: 28000 });
    expect(r.errors).toEqual([{ input: 'sleep.csv', record: 'row 2', field: 'average_hrv', reason: 'not a number (got "fast")' }]);
    const a = parseOura('id,day,steps,active_calories\na1,2024-05-02,8000,300\n', 'daily_activity.csv');
    expect(a.biometrics).toEqual([expect.objectContaining({ date: '2024-05-02', metric_type: 'steps', value: 8000, unit: 'count' })]);
  });

  it('reports bad records by collection and index and keeps the rest', () => {
    const bad = { ...WORKOUT, id: 'wo-2', start_datetime: '2024-05-02T17:30:00' };
    const r = parseOura(JSON.stringify({ workout: [bad, WORKOUT] }), 'oura.json');
    expect(r.workouts.map((w) => w.external_id)).toEqual(['wo-1']);
    expect(r.errors).toEqual([
      { input: 'oura.json', record: 'workout[0]', field: 'start_datetime', reason: 'not an ISO 8601 date-time with an offset (got "2024-05-02T17:30:00")' },
    ]);
    expect(parseOura('{not json', 'broken.json').errors).toEqual([expect.objectContaining({ input: 'broken.json' })]);
  });

  it('classifies objects by their fields', () => {
    expect(ouraCollectionOf(SLEEP_MAIN)).toBe('sleep');
    expect(ouraCollectionOf(DAILY_SLEEP)).toBe('daily_sleep');
    expect(ouraCollectionOf(READINESS)).toBe('daily_readiness');
    expect(ouraCollectionOf(ACTIVITY)).toBe('daily_activity');
    expect(ouraCollectionOf(WORKOUT)).toBe('workout');
    expect(ouraCollectionOf({ foo: 1 })).toBeNull();
  });
});
