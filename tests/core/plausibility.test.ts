import { describe, expect, it } from 'vitest';
import {
  BIOMETRIC_BOUNDS,
  gateBiometric,
  gateResult,
  gateStream,
  gateWorkout,
  implausibleInstant,
  speedBound,
} from '../../lib/core/plausibility.ts';
import { emptyResult, type SourceWorkoutInput, type WorkoutStream } from '../../lib/core/models.ts';

const NOW = Date.UTC(2025, 5, 1);
const T0 = Date.UTC(2024, 4, 1, 6);

function ride(over: Partial<SourceWorkoutInput> = {}): SourceWorkoutInput {
  return {
    source: 'fit',
    external_id: 'r1',
    start_time: new Date(T0),
    end_time: new Date(T0 + 3600_000),
    duration_s: 3600,
    sport: 'cycling',
    sport_category: 'ENDURANCE',
    distance_m: 30_000,
    calories_kcal: 800,
    avg_hr: 140,
    max_hr: 175,
    elevation_gain_m: 400,
    input: 'ride.fit',
    ...over,
  };
}

describe('gateWorkout', () => {
  it('passes a plausible workout unchanged, with no warning', () => {
    const g = gateWorkout(ride(), NOW);
    expect(g.warnings).toEqual([]);
    expect(g.value).toEqual(ride());
  });

  it('nulls 547,469 kcal in an hour and names file, record, field and bound', () => {
    const g = gateWorkout(ride({ calories_kcal: 547_469 }), NOW);
    expect(g.value?.calories_kcal).toBeNull();
    expect(g.value?.distance_m).toBe(30_000);
    expect(g.warnings).toHaveLength(1);
    expect(g.warnings[0]).toMatchObject({ input: 'ride.fit', record: 'workout r1', field: 'calories_kcal' });
    expect(g.warnings[0]!.reason).toContain('547469');
    expect(g.warnings[0]!.reason).toContain('2500 kcal/h');
  });

  it('nulls 2,543 m of ascent on a 239 m ride, but keeps a steep vertical kilometre', () => {
    const g = gateWorkout(ride({ distance_m: 239, elevation_gain_m: 2543, duration_s: 120, end_time: new Date(T0 + 120_000), calories_kcal: 20 }), NOW);
    expect(g.value?.elevation_gain_m).toBeNull();
    expect(g.warnings.map((w) => w.field)).toEqual(['elevation_gain_m']);
    expect(g.warnings[0]!.reason).toContain('2543 m over distance_m 239 m');
    const vk = gateWorkout(ride({ sport: 'trail_running', distance_m: 1920, elevation_gain_m: 1000, calories_kcal: 600 }), NOW);
    expect(vk.warnings).toEqual([]);
  });

  it('nulls heart rates outside 25-250 bpm', () => {
    const g = gateWorkout(ride({ avg_hr: 20, max_hr: 255 }), NOW);
    expect(g.value).toMatchObject({ avg_hr: null, max_hr: null });
    expect(g.warnings.map((w) => w.field)).toEqual(['avg_hr', 'max_hr']);
  });

  it('nulls a distance whose average speed no runner reaches, by the sport', () => {
    expect(gateWorkout(ride({ sport: 'running', distance_m: 60_000 }), NOW).value?.distance_m).toBeNull();
    expect(gateWorkout(ride({ sport: 'cycling', distance_m: 60_000 }), NOW).value?.distance_m).toBe(60_000);
    // Moving time, when known, is what the speed is computed over.
    const g = gateWorkout(ride({ sport: 'running', distance_m: 12_000, moving_time_s: 600 }), NOW);
    expect(g.value?.distance_m).toBeNull();
    expect(g.warnings[0]!.reason).toContain('20 m/s');
  });

  it('rejects a workout dated before 1990 or more than a day ahead', () => {
    const old = gateWorkout(ride({ start_time: new Date(Date.UTC(1989, 11, 31)), end_time: new Date(Date.UTC(1989, 11, 31, 1)) }), NOW);
    expect(old.value).toBeNull();
    expect(old.warnings[0]).toMatchObject({ field: 'start_time' });
    expect(old.warnings[0]!.reason).toContain('before 1990-01-01');
    const future = gateWorkout(ride({ start_time: new Date(NOW + 2 * 86_400_000), end_time: new Date(NOW + 2 * 86_400_000 + 60_000) }), NOW);
    expect(future.value).toBeNull();
    expect(future.warnings[0]!.reason).toContain('in the future');
    expect(gateWorkout(ride({ start_time: new Date(NOW + 3600_000), end_time: new Date(NOW + 7200_000) }), NOW).value).not.toBeNull();
  });
});

describe('implausibleInstant', () => {
  it('accepts 1990-01-01 and tomorrow, refuses the day before and the day after', () => {
    expect(implausibleInstant(Date.UTC(1990, 0, 1), NOW)).toBeNull();
    expect(implausibleInstant(Date.UTC(1989, 11, 31, 23, 59), NOW)).toContain('before 1990');
    expect(implausibleInstant(NOW + 86_400_000, NOW)).toBeNull();
    expect(implausibleInstant(NOW + 86_400_001, NOW)).toContain('future');
    expect(implausibleInstant(NaN, NOW)).toBe('not a valid instant');
  });
});

describe('gateStream', () => {
  function stream(): WorkoutStream {
    const n = 5;
    const time = Float64Array.from({ length: n }, (_, i) => T0 + i * 1000);
    return {
      source: 'fit',
      external_id: 'r1',
      time,
      channels: {
        lat: Float64Array.from([47, 0, 47.0001, 95, 47.0002]),
        lon: Float64Array.from([8, 0, 8.0001, 8, 8.0002]),
        altitude_m: Float64Array.from([400, -500, 401, 402, 12_607]),
        hr: Float64Array.from([120, 0, 255, 130, 131]),
        speed_mps: Float64Array.from([3, 3.1, 50, 3, 3]),
        power_w: Float64Array.from([NaN, NaN, NaN, NaN, NaN]),
      },
    };
  }

  it('nulls out-of-bound samples, one warning per channel, and drops emptied channels', () => {
    const s = stream();
    const warnings = gateStream(s, 'running', { input: 'run.fit', record: 'stream of r1' });
    expect([...s.channels.hr!]).toEqual([120, NaN, NaN, 130, 131]);
    expect([...s.channels.altitude_m!]).toEqual([400, NaN, 401, 402, NaN]);
    expect([...s.channels.speed_mps!]).toEqual([3, 3.1, NaN, 3, 3]);
    expect([...s.channels.lat!]).toEqual([47, NaN, 47.0001, NaN, 47.0002]);
    expect([...s.channels.lon!]).toEqual([8, NaN, 8.0001, NaN, 8.0002]);
    expect(s.channels.power_w).toBeUndefined();
    const byField = Object.fromEntries(warnings.map((w) => [w.field, w.reason]));
    expect(Object.keys(byField).sort()).toEqual(['altitude_m', 'hr', 'position', 'speed_mps']);
    expect(byField.hr).toContain('2 samples (first 0 bpm at 2024-05-01T06:00:01.000Z)');
    expect(byField.altitude_m).toContain('first -500 m');
    expect(byField.position).toContain('(0, 0)');
    expect(warnings.every((w) => w.input === 'run.fit' && w.record === 'stream of r1')).toBe(true);
  });

  it('bounds speed by the sport family', () => {
    expect(speedBound('trail_running').max).toBe(12.5);
    expect(speedBound('mountain_biking').max).toBe(40);
    expect(speedBound('hiking').max).toBe(7);
    expect(speedBound('soccer').max).toBe(45);
  });
});

describe('gateBiometric', () => {
  it('rejects a reading outside its metric bound or dated before 1990, with a row', () => {
    const ok = { date: '2024-05-01', metric_type: 'steps' as const, value: 8000, unit: 'count', source: 'oura', input: 'oura.json' };
    expect(gateBiometric(ok, NOW)).toEqual({ value: ok, warnings: [] });
    const zero = gateBiometric({ ...ok, value: 0 }, NOW);
    expect(zero.value).toBeNull();
    expect(zero.warnings[0]).toMatchObject({ input: 'oura.json', record: 'steps 2024-05-01', field: 'value' });
    const old = gateBiometric({ ...ok, date: '1989-07-01' }, NOW);
    expect(old.value).toBeNull();
    expect(old.warnings[0]).toMatchObject({ field: 'date' });
    expect(BIOMETRIC_BOUNDS.hrv_rmssd.unit).toBe('ms');
  });
});

describe('gateResult', () => {
  it('removes a rejected workout with its stream and gates the rest in place', () => {
    const r = emptyResult();
    r.workouts.push(ride({ external_id: 'old', start_time: new Date(0), end_time: new Date(1000) }), ride({ avg_hr: 300 }));
    r.streams.push(
      { source: 'fit', external_id: 'old', time: new Float64Array([0]), channels: {} },
      { source: 'fit', external_id: 'r1', time: new Float64Array([T0]), channels: { hr: new Float64Array([300]) } },
    );
    gateResult(r, NOW);
    expect(r.workouts.map((w) => [w.external_id, w.avg_hr])).toEqual([['r1', null]]);
    expect(r.streams.map((s) => s.external_id)).toEqual(['r1']);
    expect(r.streams[0]!.channels.hr).toBeUndefined();
    expect(r.errors.map((e) => [e.record, e.field])).toEqual([
      ['workout old', 'start_time'],
      ['workout r1', 'avg_hr'],
      ['stream of r1', 'hr'],
    ]);
  });
});
