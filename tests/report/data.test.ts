import { describe, expect, it } from 'vitest';
import { CATEGORY_INTENSITY } from '../../lib/analysis/load.ts';
import { FEATURE_NAMES } from '../../lib/ml/features.ts';
import { analyzeBallSports } from '../../lib/plugins/ball_sports/index.ts';
import type { PluginWorkout } from '../../lib/plugins/base.ts';
import { analyzeRunning } from '../../lib/plugins/running/index.ts';
import { loadCurves, workoutLoad } from '../../lib/report/data.ts';
import { ballSportsSession, parseStoredFigures, runningSession } from '../../lib/report/plugin_data.ts';
import { FEATURE_LABELS, parseDrivers, RISK_THRESHOLDS, riskBand } from '../../lib/report/risk.ts';
import { ballSportsTrack, steadyRun } from './synthetic.ts';

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

describe('riskBand', () => {
  it('bands risk at 10 % and 25 %', () => {
    expect(RISK_THRESHOLDS).toEqual({ moderate: 0.1, high: 0.25 });
    expect([0, 0.0999, 0.1, 0.2499, 0.25, 0.9].map(riskBand)).toEqual(['low', 'low', 'moderate', 'moderate', 'high', 'high']);
  });
});

describe('parseDrivers', () => {
  it('reads stored top features as text or objects, largest effect first, labelled', () => {
    const raw = JSON.stringify([
      { name: 'tsb', contribution: -0.02 },
      { name: 'acwr_ewma', contribution: 0.05, value: 1.6 },
      { name: 'new_feature', contribution: 0.02 },
      { name: 'broken' },
      'junk',
    ]);
    expect(parseDrivers(raw)).toEqual([
      { name: 'acwr_ewma', label: 'ACWR (EWMA)', contribution: 0.05, value: 1.6 },
      // Equal magnitudes keep a stable (name) order.
      { name: 'new_feature', label: 'new_feature', contribution: 0.02, value: null },
      { name: 'tsb', label: 'Form (TSB)', contribution: -0.02, value: null },
    ]);
    expect(parseDrivers([{ name: 'monotony', contribution: 0.01 }], 8)).toEqual([{ name: 'monotony', label: 'Training monotony', contribution: 0.01, value: null }]);
    expect(parseDrivers('not json')).toEqual([]);
    expect(parseDrivers(null)).toEqual([]);
  });

  it('has a label for every feature the predictor uses', () => {
    for (const name of FEATURE_NAMES) expect(FEATURE_LABELS[name], name).toBeTruthy();
  });
});

const START = Date.UTC(2024, 2, 26, 7);
const soccer: PluginWorkout = {
  workout_id: 'w1', sport: 'soccer', sport_category: 'BALL_SPORT', start_time: new Date(START), duration_s: 600, has_gps: true, utc_offset_min: 600,
};

describe('plugin results', () => {
  it("maps the ball-sports plugin's own metric keys", () => {
    const result = analyzeBallSports(soccer, ballSportsTrack(START, 10));
    // The stored form is JSON text.
    const s = ballSportsSession('w1', '2024-03-26', 'soccer', JSON.stringify(result.metrics));
    const m = result.metrics as Record<string, number>;
    expect(s).toEqual({
      workoutId: 'w1', date: '2024-03-26', sport: 'soccer', durationS: m.duration_s, distanceM: m.total_distance_m, hsrDistanceM: m.hsr_distance_m,
      hsrThresholdKmh: 19.8, sprints: 10, topSpeedKmh: 28.8, accelerations: 10, decelerations: 10,
    });
    // Ten sprints of about 42 m above 19.8 km/h (ramps included).
    expect(s.hsrDistanceM).toBeGreaterThan(400);
    expect(s.hsrDistanceM).toBeLessThan(440);
    const figs = parseStoredFigures(JSON.stringify(result.figures));
    expect(figs.map((f) => f.title)).toEqual(['Speed profile', 'Field coverage']);
    expect(figs[0]!.figure.layout.title).toEqual({ text: 'Speed profile: 10 sprints above 25.2 km/h' });
  });

  it("maps the running plugin's cadence and decoupling", () => {
    const result = analyzeRunning({ ...soccer, sport: 'running', sport_category: 'ENDURANCE' }, steadyRun(START, 30));
    expect(runningSession('w2', '2024-03-26', 1800, 5400, result.metrics)).toEqual({
      workoutId: 'w2', date: '2024-03-26', durationS: 1800, distanceM: 5400, cadenceSpm: 170, paHrDecouplingPct: 4.76, pwHrDecouplingPct: null,
    });
  });

  it('skips figures without data or layout and metrics that are not numbers', () => {
    expect(parseStoredFigures([{ title: 'a', figure: { data: [], layout: {} } }, { title: 'b', figure: { layout: {} } }, { figure: { data: [1], layout: [] } }, 5]))
      .toEqual([{ title: 'a', figure: { data: [], layout: {} } }]);
    expect(parseStoredFigures('oops')).toEqual([]);
    expect(ballSportsSession('w', 'd', 'futsal', { sprint_count: 'many', top_speed_kmh: 30 })).toMatchObject({ sprints: null, topSpeedKmh: 30, distanceM: null });
  });
});
