import { describe, expect, it } from 'vitest';
import { CATEGORY_INTENSITY } from '../../lib/analysis/load.ts';
import { loadCurves, rollingMean, workoutLoad } from '../../lib/report/data.ts';

describe('workoutLoad', () => {
  it('prefers the stored load, then session RPE, then a duration estimate', () => {
    expect(workoutLoad({ durationS: 3600, trainingLoad: 87.5, rpe: 9, category: 'ENDURANCE' })).toBe(87.5);
    // A negative stored load is not usable; RPE decides instead.
    expect(workoutLoad({ durationS: 3600, trainingLoad: -5, rpe: 7, category: 'ENDURANCE' })).toBeCloseTo(100, 9);
    // RPE 7 for an hour is the threshold hour: 100.
    expect(workoutLoad({ durationS: 3600, trainingLoad: null, rpe: 7, category: 'STRENGTH' })).toBeCloseTo(100, 9);
    expect(workoutLoad({ durationS: 1800, trainingLoad: null, rpe: 6, category: 'STRENGTH' })).toBeCloseTo((6 * 30 * 100) / 420, 9);
    const ifEndurance = CATEGORY_INTENSITY.ENDURANCE;
    expect(workoutLoad({ durationS: 7200, trainingLoad: null, rpe: null, category: 'ENDURANCE' })).toBeCloseTo(2 * ifEndurance ** 2 * 100, 9);
  });
});

describe('loadCurves', () => {
  it('adds CTL/ATL/TSB (42/7-day averages) and EWMA ACWR from 28 days of history', () => {
    const days = Array.from({ length: 30 }, (_, i) => ({ date: `2024-01-${String(i + 1).padStart(2, '0')}`, load: i === 0 ? 100 : i === 2 ? 50 : 0 }));
    const out = loadCurves(days);
    expect(out).toHaveLength(30);
    expect(out[0]).toMatchObject({ date: '2024-01-01', load: 100, tsb: 0, acwr: null });
    expect(out[0]!.ctl).toBeCloseTo(100 / 42, 9);
    expect(out[0]!.atl).toBeCloseTo(100 / 7, 9);
    const ctl2 = (100 / 42) * (41 / 42);
    const atl2 = (100 / 7) * (6 / 7);
    expect(out[1]!.ctl).toBeCloseTo(ctl2, 9);
    expect(out[1]!.tsb).toBeCloseTo(100 / 42 - 100 / 7, 9);
    expect(out[2]!.ctl).toBeCloseTo(ctl2 + (50 - ctl2) / 42, 9);
    expect(out[2]!.tsb).toBeCloseTo(ctl2 - atl2, 9);
    expect(out[26]!.acwr).toBeNull();
    // Day 28: EWMAs with λ = 2/8 and 2/29 over loads 100 (day 1) and 50 (day 3).
    const ewma = (l: number, n: number): number => 100 * l * (1 - l) ** (n - 1) + 50 * l * (1 - l) ** (n - 3);
    expect(out[27]!.acwr).toBeCloseTo(ewma(0.25, 28) / ewma(2 / 29, 28), 9);
    expect(out[29]!.acwr).toBeCloseTo(ewma(0.25, 30) / ewma(2 / 29, 30), 9);
  });
});

describe('rollingMean', () => {
  it('averages the readings of the trailing 7 calendar days, gaps included', () => {
    const points = [
      { date: '2024-01-01', value: 10 },
      { date: '2024-01-03', value: 20 },
      { date: '2024-01-07', value: 30 },
      { date: '2024-01-08', value: 40 },
      { date: '2024-01-20', value: 50 },
    ];
    expect(rollingMean(points, 7).map((p) => p.value)).toEqual([10, 15, 20, 30, 50]);
  });
});
