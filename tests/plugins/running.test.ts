import { describe, expect, it } from 'vitest';
import type { PluginWorkout } from '../../lib/plugins/base.ts';
import { analyzeRunning, decoupling, runningPlugin } from '../../lib/plugins/running/index.ts';

const START = Date.UTC(2024, 4, 1, 6, 0, 0);
const run: PluginWorkout = {
  workout_id: 'abcdefabcdefabcd',
  sport: 'running',
  sport_category: 'ENDURANCE',
  start_time: new Date(START),
  duration_s: 2400,
  has_gps: true,
  utc_offset_min: 600,
};

/** A 40-min run at 1 Hz: steady 3 m/s, cadence 85 strides/min, HR drifting linearly 145 → 155 bpm. */
function steadyRun(n = 2401) {
  const time = new Float64Array(n);
  const speed = new Float64Array(n);
  const hr = new Float64Array(n);
  const cadence = new Float64Array(n);
  const power = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    time[i] = START + i * 1000;
    speed[i] = 3;
    hr[i] = 145 + (10 * i) / (n - 1);
    cadence[i] = 85;
    power[i] = 250;
  }
  return { time, speed_mps: speed, hr, cadence, power_w: power };
}

describe('running plugin', () => {
  it('measures the planted aerobic decoupling and cadence', () => {
    const s = steadyRun();
    const m = analyzeRunning(run, s).metrics as Record<string, number>;
    // Mean HR is 147.5 in the first half and 152.5 in the second; speed is constant.
    const planted = (1 - 147.5 / 152.5) * 100;
    expect(m.pa_hr_decoupling_pct).toBeCloseTo(planted, 1);
    expect(m.pw_hr_decoupling_pct).toBeCloseTo(planted, 1);
    expect(m.ef_first_half).toBeCloseTo(180 / 147.5, 2);
    expect(m.ef_second_half).toBeCloseTo(180 / 152.5, 2);
    // FIT cadence counts strides: 85 → 170 steps per minute.
    expect(m.avg_cadence_spm).toBe(170);
    expect(m.cadence_unit_factor).toBe(2);
  });

  it('reads cadence already in steps, and leaves stops and the warm-up out', () => {
    const s = steadyRun();
    s.cadence.fill(172);
    // A 5-minute stop in the middle with HR falling: not part of the comparison.
    for (let i = 1000; i < 1300; i++) {
      s.speed_mps[i] = 0;
      s.hr[i] = 100;
    }
    const m = analyzeRunning(run, s, { warmupS: 0 }).metrics as Record<string, number>;
    expect(m.avg_cadence_spm).toBe(172);
    expect(m.pa_hr_decoupling_pct).toBeGreaterThan(2.5);
    expect(m.pa_hr_decoupling_pct).toBeLessThan(4.5);
    // With a 20-min warm-up skipped, only 20–40 min is compared: HR 150 → 155.
    const w = analyzeRunning(run, steadyRun(), { warmupS: 1200 }).metrics as Record<string, number>;
    expect(w.pa_hr_decoupling_pct).toBeCloseTo((1 - 151.25 / 153.75) * 100, 1);
  });

  it('derives speed from distance when there is no speed channel', () => {
    const s = steadyRun();
    const distance = new Float64Array(s.time.length).map((_, i) => 3 * i);
    const m = analyzeRunning(run, { time: s.time, hr: s.hr, distance_m: distance }).metrics as Record<string, number | null>;
    expect(m.pa_hr_decoupling_pct).toBeCloseTo((1 - 147.5 / 152.5) * 100, 1);
    expect(m.avg_cadence_spm).toBeNull();
    expect(m.pw_hr_decoupling_pct).toBeNull();
  });

  it('is zero without drift and reports none without heart rate', () => {
    const s = steadyRun();
    s.hr.fill(150);
    expect((analyzeRunning(run, s).metrics as Record<string, number>).pa_hr_decoupling_pct).toBe(0);
    expect(analyzeRunning(run, { time: s.time, speed_mps: s.speed_mps }).metrics.pa_hr_decoupling_pct).toBeNull();
    expect(decoupling(new Float64Array(2), new Float64Array(2), new Float64Array(2), () => true)).toBeNull();
  });

  it('applies to the running family only', () => {
    expect(runningPlugin.canAnalyze(run)).toBe(true);
    expect(runningPlugin.canAnalyze({ ...run, sport: 'treadmill_running', has_gps: false })).toBe(true);
    expect(runningPlugin.canAnalyze({ ...run, sport: 'cycling' })).toBe(false);
    expect(() => analyzeRunning(run, steadyRun(), { cadenceUnit: 'hz' })).toThrow(/cadenceUnit/);
  });
});
