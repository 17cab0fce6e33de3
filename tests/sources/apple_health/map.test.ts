import { describe, expect, it } from 'vitest';
import { AppleHealthMapping } from '../../../lib/sources/apple_health/map.ts';

const run = (startDate: string) => ({
  attrs: { workoutActivityType: 'HKWorkoutActivityTypeRunning', startDate, endDate: '2024-05-02 07:30:00 +0200', totalDistance: '5', totalDistanceUnit: 'mi' },
  stats: {},
  metadata: {},
  route: null,
});

describe('AppleHealthMapping', () => {
  it('names an unreadable record by its ordinal, type and attribute, and keeps the rest', () => {
    const m = new AppleHealthMapping('export.xml');
    m.record({ type: 'HKQuantityTypeIdentifierRestingHeartRate', startDate: '2024-05-02 00:01:00 +0200', value: 'n/a' }, 7);
    m.record({ type: 'HKQuantityTypeIdentifierRestingHeartRate', startDate: 'yesterday', value: '50' }, 8);
    m.record({ type: 'HKQuantityTypeIdentifierRestingHeartRate', sourceName: 'Watch', startDate: '2024-05-02 00:01:00 +0200', value: '49' }, 9);
    const r = m.finish();
    expect(r.errors).toEqual([
      { input: 'export.xml', record: 'Record 7 (HKQuantityTypeIdentifierRestingHeartRate)', field: 'value', reason: 'unreadable value "n/a"' },
      { input: 'export.xml', record: 'Record 8 (HKQuantityTypeIdentifierRestingHeartRate)', field: 'startDate', reason: 'unreadable date "yesterday"' },
    ]);
    expect(r.biometrics.map((b) => [b.metric_type, b.date, b.value, b.raw_data])).toEqual([
      ['resting_hr', '2024-05-02', 49, { sourceName: 'Watch', type: 'HKQuantityTypeIdentifierRestingHeartRate' }],
    ]);
  });

  it('keeps two workouts of one type starting in the same second apart, and converts miles', () => {
    const m = new AppleHealthMapping('export.xml', { source: 'apple_health', athleteId: 'sam' });
    m.workout(run('2024-05-02 07:00:00 +0200'));
    m.workout(run('2024-05-02 07:00:00 +0200'));
    const r = m.finish();
    expect(r.workouts.map((w) => w.external_id)).toEqual(['2024-05-02T05:00:00Z/Running', '2024-05-02T05:00:00Z/Running/1']);
    expect(r.workouts[0]).toMatchObject({ athlete_id: 'sam', utc_offset_min: 120, duration_s: 1800, distance_m: 5 * 1609.344, has_gps: false });
  });
});

describe('AppleHealthMapping durations', () => {
  it('keeps the elapsed time as duration_s and HealthKit duration (active time) as moving_time_s', () => {
    const m = new AppleHealthMapping('export.xml');
    // 07:00 to 07:30 with a 10-minute pause: HealthKit's duration is 20 minutes.
    m.workout({ ...run('2024-05-02 07:00:00 +0200'), attrs: { ...run('2024-05-02 07:00:00 +0200').attrs, duration: '20', durationUnit: 'min' } });
    expect(m.finish().workouts[0]).toMatchObject({ duration_s: 1800, moving_time_s: 1200 });
  });
});
