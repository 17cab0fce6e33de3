/**
 * Efforts: runs of the smoothed speed or acceleration beyond a threshold for
 * at least a minimum time (sprints, accelerations, decelerations). A run ends
 * at a recording gap, so one effort never spans lost signal.
 */
import type { Kinematics } from '../../core/motion/kinematics.ts';

/** One effort on the grid of a {@link Kinematics}. */
export interface Effort {
  /** First grid index and one past the last. */
  startIndex: number;
  endIndex: number;
  /** Epoch ms of the first sample. */
  start_ms: number;
  duration_s: number;
  /** Distance covered during the effort (m). */
  distance_m: number;
  /** Highest speed during the effort (m/s). */
  peak_speed_mps: number;
  /** Largest magnitude of the tested value (speed in m/s or acceleration in m/s², signed). */
  peak: number;
  /** Speed change from start to end (m/s). */
  speed_change_mps: number;
}

/** Runs where `test(values[i])` holds for at least `minDurationS`, never crossing a segment break. */
export function findEfforts(k: Kinematics, values: Float64Array, test: (v: number) => boolean, minDurationS: number): Effort[] {
  const out: Effort[] = [];
  const n = values.length;
  let i = 0;
  while (i < n) {
    if (!test(values[i]!)) {
      i++;
      continue;
    }
    const start = i;
    while (i < n && test(values[i]!) && k.segment[i] === k.segment[start]) i++;
    const duration = (i - start) * k.dt;
    if (duration + 1e-9 >= minDurationS) out.push(describe(k, values, start, i));
  }
  return out;
}

function describe(k: Kinematics, values: Float64Array, start: number, end: number): Effort {
  let dist = 0;
  let peakSpeed = 0;
  let peak = values[start]!;
  for (let i = start; i < end; i++) {
    dist += k.speed[i]! * k.dt;
    peakSpeed = Math.max(peakSpeed, k.speed[i]!);
    if (Math.abs(values[i]!) > Math.abs(peak)) peak = values[i]!;
  }
  return {
    startIndex: start,
    endIndex: end,
    start_ms: k.time[start]!,
    duration_s: (end - start) * k.dt,
    distance_m: dist,
    peak_speed_mps: peakSpeed,
    peak,
    speed_change_mps: k.speed[end - 1]! - k.speed[start]!,
  };
}

/** Sprints: speed above `thresholdMps` for at least `minDurationS`. */
export function detectSprints(k: Kinematics, thresholdMps: number, minDurationS: number): Effort[] {
  return findEfforts(k, k.speed, (v) => v > thresholdMps, minDurationS);
}

/** Acceleration and deceleration efforts beyond ±`thresholdMps2` for at least `minDurationS`. */
export function detectAccelerations(
  k: Kinematics,
  thresholdMps2: number,
  minDurationS: number,
): { accelerations: Effort[]; decelerations: Effort[] } {
  return {
    accelerations: findEfforts(k, k.accel, (a) => a > thresholdMps2, minDurationS),
    decelerations: findEfforts(k, k.accel, (a) => a < -thresholdMps2, minDurationS),
  };
}
