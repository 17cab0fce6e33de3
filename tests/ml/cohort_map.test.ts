import { describe, expect, it } from 'vitest';
import { cohortFeatureColumns } from '../../lib/ml/cohort.ts';
import { cohortDayFeatures } from '../../lib/ml/cohort_map.ts';
import type { CohortWorkout } from '../../lib/ml/cohort_map.ts';

describe('cohortDayFeatures', () => {
  const w = (date: string, o: Partial<CohortWorkout>): CohortWorkout => ({
    date, sport: 'running', sport_category: 'ENDURANCE', duration_s: 3600, distance_m: null, avg_hr: null, perceived_exertion: null, ...o,
  });
  const workouts = [
    w('2024-03-07', { distance_m: 10_000, avg_hr: 170, perceived_exertion: 6 }),
    w('2024-03-07', { sport: 'strength_training', sport_category: 'STRENGTH', duration_s: 1800, perceived_exertion: 8 }),
    w('2024-03-06', { sport: 'trail_running', distance_m: 5_000, avg_hr: 175 }),
    w('2024-03-05', { sport: 'cycling', duration_s: 5400, distance_m: 40_000, avg_hr: 150 }),
    w('2024-03-04', { sport: 'treadmill_running', distance_m: 8_000, avg_hr: 120 }),
  ];
  const days = ['2024-03-04', '2024-03-05', '2024-03-06', '2024-03-07', '2024-03-08'].map((date) => ({ date }));
  const f = cohortDayFeatures(days, workouts, { maxHr: 190 });
  const at = (row: number, name: string): number => f.raw[row]![f.featureNames.indexOf(name)]!;

  it('maps each day of the 7-day window to the cohort fields, latest day in block .6', () => {
    expect(f.featureNames).toEqual(cohortFeatureColumns('day'));
    expect(f.dates).toEqual(['2024-03-04', '2024-03-05', '2024-03-06', '2024-03-07', '2024-03-08']);
    expect(f.raw.every((r) => r.length === 70)).toBe(true);
    // 03-07 as the latest day of its own window: a 10 km run at 170/190 = 89 % HRmax (Z3-4) and a strength session.
    expect(f.raw[3]!.slice(60, 70)).toEqual([2, 10, 10, 0, 0, 1, 0, 0.7, 0.5, 0.5]);
    // The same day is block .5 of 03-08's window; 03-08 itself is a rest day.
    expect(f.raw[4]!.slice(50, 60)).toEqual(f.raw[3]!.slice(60, 70));
    expect(f.raw[4]!.slice(60, 70)).toEqual([0, 0, 0, 0, 0, 0, 0, -0.01, -0.01, -0.01]);
    // 03-06: trail run at 92 % HRmax is Z5; no RPE recorded → 0.5.
    expect(at(2, 'total km.6')).toBe(5);
    expect(at(2, 'km Z5-T1-T2.6')).toBe(5);
    expect(at(2, 'perceived exertion.6')).toBe(0.5);
    // 03-05: cycling is alternative training, 1.5 h, no running km.
    expect(at(1, 'hours alternative.6')).toBe(1.5);
    expect(at(1, 'total km.6')).toBe(0);
    // 03-04: treadmill run at 63 % HRmax counts as km but in neither zone; days before the history are rest days.
    expect(at(0, 'total km.6')).toBe(8);
    expect(at(0, 'km Z3-4.6')).toBe(0);
    expect(at(0, 'nr. sessions')).toBe(0);
    expect(at(0, 'perceived recovery')).toBe(-0.01);
  });

  it('z-scores per athlete against windows not followed by an injury', () => {
    const col = f.featureNames.indexOf('total km.6');
    const xs = f.X.map((r) => r[col]!);
    const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
    expect(mean).toBeCloseTo(0, 12);
    const raw = f.raw.map((r) => r[col]!);
    const sd = Math.sqrt(raw.reduce((s, v) => s + (v - 4.6) ** 2, 0) / raw.length);
    expect(xs[0]).toBeCloseTo((8 - 4.6) / sd, 12);
    // With an injury on 03-08, 03-07's window leaves the reference.
    const g = cohortDayFeatures(days, workouts, { maxHr: 190, injuries: ['2024-03-08'] });
    const refMean = [8, 0, 5, 0].reduce((s, v) => s + v, 0) / 4;
    const refSd = Math.sqrt([8, 0, 5, 0].reduce((s, v) => s + (v - refMean) ** 2, 0) / 4);
    expect(g.X[3]![col]).toBeCloseTo((10 - refMean) / refSd, 12);
    // Without HRmax the zone columns are 0.
    expect(cohortDayFeatures(days, workouts).raw[3]![f.featureNames.indexOf('km Z3-4.6')]).toBe(0);
    expect(() => cohortDayFeatures([{ date: '2024-13-01' }], [])).toThrow(/days\[0\]\.date: "2024-13-01"/);
  });
});
