import { describe, expect, it } from 'vitest';
import { deduplicate, workoutId } from '../../lib/core/dedup/deduplicate.ts';
import { stableHash } from '../../lib/core/ids.ts';
import { Workout } from '../../lib/core/models.ts';
import { rec } from './records.ts';

const start = '2024-08-10T21:00:00Z';
const garmin = rec({
  source: 'garmin',
  external_id: 'g1',
  start,
  duration_s: 3600,
  utc_offset_min: 600,
  distance_m: 12_000,
  avg_hr: 150,
  max_hr: 175,
  has_gps: true,
  external_ids: { fit: '3345-1723323600' },
  data_quality_score: 0.7,
});
const whoop = rec({
  source: 'whoop',
  external_id: 'w1',
  start: '2024-08-10T21:00:30Z',
  duration_s: 1800,
  avg_hr: 156,
  max_hr: 181,
  calories_kcal: 810,
  training_load: 14.2,
  data_quality_score: 0.6,
});
const strava = rec({
  source: 'strava',
  external_id: 's1',
  start: '2024-08-10T21:00:05Z',
  duration_s: 3590,
  name: 'Morning Run',
  distance_m: 12_050,
  elevation_gain_m: 88,
  avg_power_w: 260,
  has_power: true,
  external_ids: { garmin: 'g1', upload: 'garmin_ping_42' },
  data_quality_score: 0.95,
  raw_data: { id: 1 },
});

describe('merging a cluster', () => {
  const r = deduplicate([strava, whoop, garmin]);
  const w = r.workouts[0]!;

  it('takes the base from the highest-precedence source and fills the gaps in precedence order', () => {
    expect(r.workouts).toHaveLength(1);
    expect(w.source).toBe('garmin');
    expect(w.workout_id).toBe(stableHash('me', 'workout', garmin.record_id));
    expect(w.workout_id).toBe(workoutId(garmin));
    expect(w.start_time.toISOString()).toBe('2024-08-10T21:00:00.000Z');
    expect(w.duration_s).toBe(3600);
    expect(w.distance_m).toBe(12_000);
    expect(w.name).toBe('Morning Run');
    expect(w.calories_kcal).toBe(810);
    expect(w.training_load).toBe(14.2);
    expect(w.elevation_gain_m).toBe(88);
    expect(w.avg_power_w).toBe(260);
    expect(w.utc_offset_min).toBe(600);
  });

  it('takes avg_hr and max_hr from the first member that measured HR, never a blend of devices', () => {
    // Garmin (the base) measured 150/175; WHOOP's 156/181 of the same run is another device's reading.
    expect(w.avg_hr).toBe(150);
    expect(w.max_hr).toBe(175);
  });

  it('takes max_hr from another member only when the HR member has none, and never below the average', () => {
    const noMax = rec({ source: 'garmin', external_id: 'g9', start, duration_s: 3600, avg_hr: 150 });
    const lowMax = rec({ source: 'whoop', external_id: 'w9', start, duration_s: 3600, max_hr: 140 });
    const okMax = rec({ source: 'strava', external_id: 's9', start, duration_s: 3600, max_hr: 171 });
    const m = deduplicate([noMax, lowMax, okMax]).workouts[0]!;
    expect([m.avg_hr, m.max_hr]).toEqual([150, 171]);
    expect([m.provenance.avg_hr, m.provenance.max_hr]).toEqual(['garmin', 'strava']);
  });

  it('unions ids, ORs flags, keeps the best quality and drops raw data', () => {
    expect(w.external_ids).toEqual({ garmin: 'g1', whoop: 'w1', strava: 's1', fit: '3345-1723323600', upload: 'garmin_ping_42' });
    expect(w.has_gps).toBe(true);
    expect(w.has_power).toBe(true);
    expect(w.data_quality_score).toBe(0.95);
    expect(w.raw_data).toBeNull();
  });

  it('records the source of every non-null field', () => {
    expect(w.provenance).toEqual({
      start_time: 'garmin',
      end_time: 'garmin',
      duration_s: 'garmin',
      sport: 'garmin',
      sport_category: 'garmin',
      avg_hr: 'garmin',
      max_hr: 'garmin',
      has_gps: 'garmin',
      has_power: 'strava',
      data_quality_score: 'strava',
      name: 'strava',
      utc_offset_min: 'garmin',
      utc_offset_source: 'record',
      distance_m: 'garmin',
      calories_kcal: 'whoop',
      elevation_gain_m: 'strava',
      avg_power_w: 'strava',
      training_load: 'whoop',
    });
    for (const [field, value] of Object.entries(w)) {
      if (value !== null && !['workout_id', 'athlete_id', 'source', 'external_ids', 'provenance'].includes(field)) {
        expect(w.provenance[field], field).toBeDefined();
      }
    }
  });

  it('produces a valid Workout and one member row per record, base first', () => {
    expect(() => Workout.parse(w)).not.toThrow();
    expect(r.members.map((m) => [m.source, m.match_tier])).toEqual([
      ['garmin', null],
      ['whoop', 2],
      ['strava', 1],
    ]);
    expect(r.members.every((m) => m.workout_id === w.workout_id)).toBe(true);
    expect(r.members[0]!.match_info).toEqual({});
    expect(r.members[2]!.match_info).toMatchObject({ tier: 1, key: 'garmin=g1', with: 'garmin:g1' });
  });

  it('keeps a single source value without averaging', () => {
    const alone = deduplicate([whoop, rec({ source: 'oura', external_id: 'o', start, duration_s: 1800, avg_hr: 156 })]);
    expect(alone.workouts[0]!.avg_hr).toBe(156);
    expect(alone.workouts[0]!.provenance.avg_hr).toBe('whoop');
  });

  it('follows a configured precedence, with unlisted sources alphabetical after the listed ones', () => {
    const p = deduplicate([strava, whoop, garmin], { precedence: ['strava'] });
    expect(p.workouts[0]!.source).toBe('strava');
    expect(p.workouts[0]!.distance_m).toBe(12_050);
    expect(p.members.map((m) => m.source)).toEqual(['strava', 'garmin', 'whoop']);
    const q = deduplicate([
      rec({ source: 'polar', external_id: 'p', start, duration_s: 600 }),
      rec({ source: 'apple_health', external_id: 'a', start, duration_s: 600 }),
      rec({ source: 'oura', external_id: 'o', start, duration_s: 600 }),
    ]);
    expect(q.members.map((m) => m.source)).toEqual(['oura', 'apple_health', 'polar']);
  });

  it('breaks a tie within one source by quality, then record_id', () => {
    const a = rec({ source: 'garmin', external_id: 'x1', start, duration_s: 600, external_ids: { fit: 'k' }, data_quality_score: 0.4 });
    const b = rec({ source: 'garmin', external_id: 'x2', start, duration_s: 600, external_ids: { fit: 'k' }, data_quality_score: 0.9 });
    expect(deduplicate([a, b]).workouts[0]!.workout_id).toBe(workoutId(b));
    const c = { ...b, data_quality_score: 0.4 };
    const first = a.record_id < c.record_id ? a : c;
    expect(deduplicate([c, a]).workouts[0]!.workout_id).toBe(workoutId(first));
  });
});
