import { describe, expect, it } from 'vitest';
import { isoDurationSeconds, polarRechargeReadings, polarSleepReadings, transformPolarExercise } from '../../../lib/sources/polar/map.ts';
import { polarExercise } from '../../fakes/polar.ts';

describe('polar mapping', () => {
  it('reads ISO 8601 durations', () => {
    expect(isoDurationSeconds('PT1H2M3.500S')).toBe(3723.5);
    expect(isoDurationSeconds('PT45M')).toBe(2700);
    expect(isoDurationSeconds('P1DT1S')).toBe(86_401);
    expect(() => isoDurationSeconds('1:02:03')).toThrow(/ISO 8601 duration/);
    expect(() => isoDurationSeconds('PT')).toThrow();
  });

  it('maps an exercise: local start + offset, duration, sport, load, route', () => {
    const w = transformPolarExercise(polarExercise('abc'));
    expect(w.external_id).toBe('abc');
    expect(w.external_ids).toEqual({ polar: 'abc' });
    expect((w.start_time as Date).toISOString()).toBe('2024-03-01T05:30:00.000Z'); // 07:30 at UTC+02:00
    expect((w.end_time as Date).toISOString()).toBe('2024-03-01T06:32:03.500Z');
    expect(w.duration_s).toBe(3723.5);
    expect(w.utc_offset_min).toBe(120);
    expect(w.sport).toBe('trail_running');
    expect(w.sport_category).toBe('ENDURANCE');
    expect(w.training_load).toBe(93.4);
    expect(w.has_gps).toBe(true);
    expect(w.distance_m).toBe(10234.5);
    expect(w.calories_kcal).toBe(712);
    expect(w.avg_hr).toBe(148);
    expect(w.max_hr).toBe(176);
  });

  it('falls back to the sport, ignores a non-numeric load, handles negative offsets', () => {
    const w = transformPolarExercise(
      polarExercise('x', { 'detailed-sport-info': null, sport: 'CYCLING', 'training-load': { cardio: 'high' }, 'start-time-utc-offset': -300, 'has-route': false }),
    );
    expect(w.sport).toBe('cycling');
    expect(w.training_load).toBeNull();
    expect(w.has_gps).toBe(false);
    expect((w.start_time as Date).toISOString()).toBe('2024-03-01T12:30:00.000Z');
  });

  it('names the bad field', () => {
    expect(() => transformPolarExercise(polarExercise('bad', { duration: '62 minutes' }))).toThrow(/duration/);
    try {
      transformPolarExercise(polarExercise('bad', { 'start-time': '2024-03-01T07:30:00+02:00' }));
      expect.unreachable();
    } catch (e) {
      expect((e as { field?: string }).field).toBe('start-time');
    }
  });

  it('maps sleep onto the day of waking and nightly recharge HRV', () => {
    const sleep = polarSleepReadings({
      polar_user: 'https://www.polaraccesslink.com/v3/users/1',
      date: '2024-03-02',
      sleep_start_time: '2024-03-01T23:10:00+02:00',
      sleep_end_time: '2024-03-02T07:00:00+02:00',
      light_sleep: 14000,
      deep_sleep: 5000,
      rem_sleep: 6000,
      total_interruption_duration: 1800,
      sleep_score: 81,
    });
    const get = (m: string) => sleep.find((b) => b.metric_type === m);
    expect(get('sleep_duration')).toMatchObject({ date: '2024-03-02', value: 25000, unit: 's' });
    expect(get('sleep_in_bed')!.value).toBe(7 * 3600 + 50 * 60);
    expect(get('sleep_awake')!.value).toBe(1800);
    expect(get('sleep_score')!.value).toBe(81);
    const rech = polarRechargeReadings({ date: '2024-03-02', heart_rate_variability_avg: 47, breathing_rate_avg: 14.2, ans_charge: 3.1 });
    expect(rech).toEqual([
      expect.objectContaining({ date: '2024-03-02', metric_type: 'hrv_rmssd', value: 47, unit: 'ms' }),
      expect.objectContaining({ date: '2024-03-02', metric_type: 'respiratory_rate', value: 14.2 }),
    ]);
  });
});
