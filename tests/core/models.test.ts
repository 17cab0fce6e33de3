import { describe, expect, it } from 'vitest';
import { BiometricReading, SourceWorkout, formatZodError } from '../../lib/core/models.ts';
import { mapSport, sportsCompatible } from '../../lib/core/sports.ts';
import { dataQualityScore } from '../../lib/core/quality.ts';
import { sourceRecordId, stableHash } from '../../lib/core/ids.ts';

const base = {
  source: 'garmin',
  external_id: '3900-1700000000',
  start_time: new Date('2024-03-05T05:00:00Z'),
  end_time: new Date('2024-03-05T06:00:00Z'),
  duration_s: 3600,
  sport: 'running',
  sport_category: 'ENDURANCE' as const,
};

describe('SourceWorkout', () => {
  it('fills defaults and keeps values', () => {
    const w = SourceWorkout.parse({ ...base, avg_hr: 150, distance_m: 10_000 });
    expect(w.athlete_id).toBe('me');
    expect(w.external_ids).toEqual({});
    expect(w.calories_kcal).toBeNull();
    expect(w.distance_m).toBe(10_000);
    expect(w.has_gps).toBe(false);
  });

  it('rejects impossible values with readable messages naming the field', () => {
    const r = SourceWorkout.safeParse({ ...base, avg_hr: 180, max_hr: 170, distance_m: -5, end_time: new Date('2024-03-05T04:00:00Z') });
    expect(r.success).toBe(false);
    const msg = formatZodError(r.error!, 'a.fit');
    expect(msg).toMatch(/^a\.fit: /);
    expect(msg).toContain('distance_m:');
    expect(msg).toContain('end_time: end_time is before start_time');
    expect(msg).toContain('avg_hr: avg_hr 180 exceeds max_hr 170');
  });

  it('rejects a bad source name and category', () => {
    const r = SourceWorkout.safeParse({ ...base, source: 'Garmin Connect', sport_category: 'CARDIO' });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['source', 'sport_category']));
  });
});

describe('BiometricReading', () => {
  it('requires the unit of the metric type', () => {
    expect(BiometricReading.parse({ date: '2024-03-05', metric_type: 'hrv_rmssd', value: 62, unit: 'ms', source: 'whoop' }).confidence).toBe(1);
    const r = BiometricReading.safeParse({ date: '2024-03-05', metric_type: 'weight', value: 160, unit: 'lb', source: 'vesync' });
    expect(r.success).toBe(false);
    expect(formatZodError(r.error!)).toContain('unit: weight is stored in kg, got lb');
  });

  it('treats a zero weight as invalid (absent), and keeps RMSSD and SDNN distinct', () => {
    expect(BiometricReading.safeParse({ date: '2024-03-05', metric_type: 'weight', value: 0, unit: 'kg', source: 'vesync' }).success).toBe(false);
    const a = BiometricReading.parse({ date: '2024-03-05', metric_type: 'hrv_rmssd', value: 62, unit: 'ms', source: 'oura' });
    const b = BiometricReading.parse({ date: '2024-03-05', metric_type: 'hrv_sdnn', value: 48, unit: 'ms', source: 'apple_health' });
    expect(a.metric_type).not.toBe(b.metric_type);
  });

  it('rejects a date that is not YYYY-MM-DD', () => {
    const r = BiometricReading.safeParse({ date: '05/03/2024', metric_type: 'resting_hr', value: 50, unit: 'bpm', source: 'oura' });
    expect(formatZodError(r.error!)).toContain('date: expected a local date as YYYY-MM-DD');
  });
});

describe('sport taxonomy', () => {
  it.each([
    ['Run', null, 'running', 'ENDURANCE'],
    ['running', 'treadmill', 'treadmill_running', 'ENDURANCE'],
    ['Virtual Ride', null, 'indoor_cycling', 'ENDURANCE'],
    ['Weight Training', null, 'strength_training', 'STRENGTH'],
    ['HKWorkoutActivityTypeTraditionalStrengthTraining', null, 'strength_training', 'STRENGTH'],
    ['Soccer', null, 'soccer', 'BALL_SPORT'],
    ['football', null, 'soccer', 'BALL_SPORT'],
    ['Activity', null, 'workout', 'MIXED'],
    ['Underwater basket weaving', null, 'other', 'MIXED'],
  ])('%s/%s → %s', (name, sub, sport, category) => {
    expect(mapSport(name, sub)).toEqual({ sport, category });
  });

  it('says which sports can be the same activity', () => {
    expect(sportsCompatible('running', 'treadmill_running')).toBe(true);
    expect(sportsCompatible('cycling', 'running')).toBe(false);
    expect(sportsCompatible('workout', 'cycling')).toBe(true);
  });
});

describe('data quality score', () => {
  it('is 1 for a complete outdoor ride and low for a bare manual entry', () => {
    const full = SourceWorkout.parse({
      ...base, sport: 'cycling', avg_hr: 140, max_hr: 170, calories_kcal: 800, distance_m: 40_000, avg_cadence: 85,
      has_gps: true, elevation_gain_m: 300, has_power: true,
    });
    expect(dataQualityScore(full)).toBe(1);
    const bare = SourceWorkout.parse({ ...base, sport: 'cycling' });
    // duration only: 2 of (2+2+1+1+2+0.5+1+1) = 2/10.5
    expect(dataQualityScore(bare)).toBeCloseTo(2 / 10.5, 3);
  });
});

describe('ids', () => {
  it('are deterministic and unambiguous', () => {
    expect(stableHash('a', 'bc')).toBe(stableHash('a', 'bc'));
    expect(stableHash('a', 'bc')).not.toBe(stableHash('ab', 'c'));
    expect(sourceRecordId('me', 'garmin', '1')).toMatch(/^[0-9a-f]{16}$/);
  });
});
