/**
 * Running plugin: cadence and aerobic decoupling. Decoupling compares the
 * efficiency factor (speed per heartbeat) of the first and second halves of
 * the run — Friel's Pa:HR, (EF₁ − EF₂) / EF₁ × 100 (J. Friel, "Aerobic
 * Decoupling", TrainingPeaks; GoldenCheetah's AerobicDecoupling metric) —
 * and, with a power meter, the same for power (Pw:HR).
 */
import { z } from 'zod';
import { formatZodError } from '../../core/models.ts';
import { sportFamily } from '../../core/sports.ts';
import type { AnalysisPlugin, PluginResult, PluginStreams, PluginWorkout } from '../base.ts';

/** Settings of the running plugin; every field has a default. */
export const RunningConfig = z.object({
  /** Leave out the first seconds (warm-up) from decoupling. */
  warmupS: z.number().nonnegative().default(0),
  /** Samples slower than this (m/s) are stops, left out of decoupling and cadence. */
  minSpeedMps: z.number().nonnegative().default(1),
  /**
   * How the stream's cadence counts: `cycles` (FIT: strides per minute, one foot),
   * `steps` (steps per minute), or `auto` (cycles when the median is under 120).
   */
  cadenceUnit: z.enum(['cycles', 'steps', 'auto']).default('auto'),
});
/** @see RunningConfig */
export type RunningConfig = z.infer<typeof RunningConfig>;

/** Mean of `num` over mean of `den` across the selected samples of each half, and their decoupling (%). */
export interface Decoupling {
  first_ratio: number;
  second_ratio: number;
  decoupling_pct: number;
}

/** Speed of each sample (m/s): the speed channel, else the slope of distance. */
function speedOf(s: PluginStreams): Float64Array | null {
  if (s.speed_mps && s.speed_mps.some(Number.isFinite)) return s.speed_mps;
  const d = s.distance_m;
  if (!d) return null;
  const v = new Float64Array(s.time.length).fill(NaN);
  for (let i = 1; i < v.length; i++) {
    const dt = (s.time[i]! - s.time[i - 1]!) / 1000;
    const dd = d[i]! - d[i - 1]!;
    if (dt > 0 && dt <= 10 && Number.isFinite(dd) && dd >= 0) v[i] = dd / dt;
  }
  return v;
}

/**
 * Decoupling of `num` against `den` (e.g. speed against heart rate) between
 * the two halves, by elapsed time, of the samples where `use` holds and both
 * are finite. Each sample weighs its time step, so gaps and uneven rates do
 * not bias either half. Null when a half has no samples.
 */
export function decoupling(time: Float64Array, num: Float64Array, den: Float64Array, use: (i: number) => boolean): Decoupling | null {
  const idx: number[] = [];
  for (let i = 0; i < time.length; i++) {
    if (use(i) && Number.isFinite(num[i]!) && Number.isFinite(den[i]!) && den[i]! > 0) idx.push(i);
  }
  if (idx.length < 4) return null;
  const t0 = time[idx[0]!]!;
  const mid = t0 + (time[idx[idx.length - 1]!]! - t0) / 2;
  const sums = [
    [0, 0, 0],
    [0, 0, 0],
  ];
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    // Each sample stands for the time until the next one (capped so pauses do not dominate).
    const next = idx[k + 1];
    const w = next === undefined ? 0 : Math.min(10_000, time[next]! - time[i]!);
    const h = sums[time[i]! < mid ? 0 : 1]!;
    h[0]! += num[i]! * w;
    h[1]! += den[i]! * w;
    h[2]! += w;
  }
  const [a, b] = sums as [number[], number[]];
  if (a[2] === 0 || b[2] === 0) return null;
  const r1 = a[0]! / a[1]!;
  const r2 = b[0]! / b[1]!;
  return { first_ratio: r1, second_ratio: r2, decoupling_pct: ((r1 - r2) / r1) * 100 };
}

const r2 = (v: number) => Math.round(v * 100) / 100;
const r4 = (v: number) => Math.round(v * 10_000) / 10_000;

/** Analyse one run; throws on a bad config. */
export function analyzeRunning(w: PluginWorkout, s: PluginStreams, config: Record<string, unknown> = {}): PluginResult {
  const parsed = RunningConfig.safeParse(config);
  if (!parsed.success) throw new Error(formatZodError(parsed.error, 'running config'));
  const cfg = parsed.data;
  const speed = speedOf(s);
  const startMs = w.start_time.getTime() + cfg.warmupS * 1000;
  const moving = (i: number) => speed === null || !(speed[i]! < cfg.minSpeedMps);

  let cadenceSpm: number | null = null;
  let cadenceFactor = 1;
  if (s.cadence) {
    const vals: number[] = [];
    for (let i = 0; i < s.cadence.length; i++) if (s.cadence[i]! > 0 && moving(i)) vals.push(s.cadence[i]!);
    if (vals.length > 0) {
      vals.sort((a, b) => a - b);
      const med = vals[vals.length >> 1]!;
      cadenceFactor = cfg.cadenceUnit === 'cycles' || (cfg.cadenceUnit === 'auto' && med < 120) ? 2 : 1;
      cadenceSpm = r2((vals.reduce((x, y) => x + y, 0) / vals.length) * cadenceFactor);
    }
  }
  const steady = (i: number) => s.time[i]! >= startMs && moving(i);
  const paHr = speed && s.hr ? decoupling(s.time, speed, s.hr, steady) : null;
  const pwHr = s.power_w && s.hr && s.power_w.some((p) => p > 0) ? decoupling(s.time, s.power_w, s.hr, steady) : null;

  return {
    metrics: {
      avg_cadence_spm: cadenceSpm,
      cadence_unit_factor: s.cadence ? cadenceFactor : null,
      pa_hr_decoupling_pct: paHr ? r2(paHr.decoupling_pct) : null,
      // Efficiency factors in metres per minute per bpm, as Friel quotes them.
      ef_first_half: paHr ? r4(paHr.first_ratio * 60) : null,
      ef_second_half: paHr ? r4(paHr.second_ratio * 60) : null,
      pw_hr_decoupling_pct: pwHr ? r2(pwHr.decoupling_pct) : null,
    },
  };
}

/** The running plugin. */
export const runningPlugin: AnalysisPlugin = {
  name: 'running',
  version: '1.0.0',
  description: "Cadence (steps per minute) and aerobic decoupling (Friel's Pa:HR, and Pw:HR with power) over the run's two halves.",
  requiresGps: false,
  canAnalyze: (w) => sportFamily(w.sport) === 'running',
  analyze: analyzeRunning,
};

export default runningPlugin;
