import { describe, expect, it } from 'vitest';
import { CATEGORY_INTENSITY } from '../../lib/analysis/load.ts';
import { FEATURE_INFO, FEATURE_NAMES } from '../../lib/ml/features.ts';
import { analyzeBallSports } from '../../lib/plugins/ball_sports/index.ts';
import type { PluginWorkout } from '../../lib/plugins/base.ts';
import { analyzeRunning } from '../../lib/plugins/running/index.ts';
import { loadCurves, weeklyDistanceBySport, workoutLoad } from '../../lib/report/data.ts';
import { ballSportsSession, parseStoredFigures, runningSession } from '../../lib/report/plugin_data.ts';
import { parseDrivers, RISK_THRESHOLDS, riskBand } from '../../lib/report/risk.ts';
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
  it('starts CTL and ATL from the first 42 days\' means and the EWMA ACWR from the first 28 days\', leaving unknown days unknown', () => {
    // 44 days: a known 60 on days 0..39 except rest days every 7th, day 40 unknown, then 100 and 0.
    const loads: (number | null)[] = Array.from({ length: 44 }, (_, i) => (i === 40 ? null : i === 42 ? 100 : i === 43 ? 0 : i % 7 === 6 ? 0 : 60));
    const days = loads.map((load, i) => ({ date: `2024-0${i < 31 ? 1 : 2}-${String(i < 31 ? i + 1 : i - 30).padStart(2, '0')}`, load }));
    const out = loadCurves(days);
    expect(out).toHaveLength(44);
    expect(out[0]).toMatchObject({ date: '2024-01-01', load: 60, ctl: null, atl: null, tsb: null, acwr: null });
    expect(out[26]!.acwr).toBeNull();
    // Day 27 closes four weeks of 6 × 60: both EWMA windows' means are 360/7, so the ratio is exactly 1.
    expect(out[27]!.acwr).toBeCloseTo(1, 12);
    expect(out[27]!.acwrRolling).toBeCloseTo(1, 12);
    // Day 41: CTL = mean of days 0..41 (36 × 60 / 42 ... days 6, 13, 20, 27, 34, 41 are 0; day 40 unknown: 35 × 60 / 41),
    // ATL = mean of days 35..41 (5 × 60 / 6); TSB undefined until the day after.
    expect(out[41]!.ctl).toBeCloseTo((35 * 60) / 41, 9);
    expect(out[41]!.atl).toBeCloseTo((5 * 60) / 6, 9);
    expect(out[41]!.tsb).toBeNull();
    expect(out[40]!.load).toBeNull();
    // Day 42 (100): TSB = CTL − ATL of day 41; CTL += (100 − CTL)/42.
    expect(out[42]!.tsb).toBeCloseTo((35 * 60) / 41 - 50, 9);
    expect(out[42]!.ctl).toBeCloseTo((35 * 60) / 41 + (100 - (35 * 60) / 41) / 42, 9);
    expect(out[43]!.coverage).toBeCloseTo(27 / 28, 12);
  });
});

describe('weeklyDistanceBySport', () => {
  it('groups sports into families, keeps the top ones and sums the rest as other', () => {
    const rows = [
      { week: '2024-01-01', sport: 'running', km: 30 },
      { week: '2024-01-01', sport: 'trail_running', km: 10 },
      { week: '2024-01-01', sport: 'cycling', km: 80 },
      { week: '2024-01-08', sport: 'swimming', km: 2 },
      { week: '2024-01-08', sport: 'rowing', km: 5 },
    ];
    expect(weeklyDistanceBySport(rows, 2)).toEqual([
      { week: '2024-01-01', sport: 'cycling', km: 80 },
      { week: '2024-01-01', sport: 'running', km: 40 },
      { week: '2024-01-08', sport: 'other', km: 7 },
    ]);
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
      { name: 'acwr_ewma', label: 'ACWR, exponentially weighted 7:28 d', unit: 'ratio', contribution: 0.05, value: 1.6 },
      // Equal magnitudes keep a stable (name) order; a cohort feature is a z-score.
      { name: 'new_feature', label: 'new_feature', unit: 'SD from own mean', contribution: 0.02, value: null },
      { name: 'tsb', label: 'Form (TSB)', unit: 'a.u.', contribution: -0.02, value: null },
    ]);
    // A fraction is shown in %.
    expect(parseDrivers([{ name: 'load_change_wow', contribution: 0.01, value: 0.25 }], 8)).toEqual([
      { name: 'load_change_wow', label: 'Load change from the week before', unit: '%', contribution: 0.01, value: 25 },
    ]);
    expect(parseDrivers('not json')).toEqual([]);
    expect(parseDrivers(null)).toEqual([]);
  });

  it('has a label and a unit for every feature the predictor uses', () => {
    for (const name of FEATURE_NAMES) {
      expect(FEATURE_INFO[name]?.label, name).toBeTruthy();
      expect(FEATURE_INFO[name]?.unit, name).toBeTruthy();
    }
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
      hsrThresholdKmh: 19.8, sprints: 10, topSpeedKmh: 28.8, accelerations: 10, decelerations: 10, sampleIntervalS: 0.1,
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
