/** Distance and time by speed zone, high-speed running, and work:rest patterns. */
import { findEfforts } from './sprints.ts';
import type { Kinematics } from '../../core/motion/kinematics.ts';

/** Distance and time in one speed band `[from_kmh, to_kmh)`. */
export interface SpeedZone {
  zone: number;
  from_kmh: number;
  /** null for the open top band. */
  to_kmh: number | null;
  distance_m: number;
  time_s: number;
}

/** Distance and time per speed band; `boundsKmh` are the ascending upper edges of all but the last band. */
export function zoneDistances(k: Kinematics, boundsKmh: readonly number[]): SpeedZone[] {
  const edges = [...boundsKmh].sort((a, b) => a - b);
  const zones: SpeedZone[] = [0, ...edges].map((from, z) => ({ zone: z + 1, from_kmh: from, to_kmh: edges[z] ?? null, distance_m: 0, time_s: 0 }));
  for (let i = 0; i < k.speed.length; i++) {
    const kmh = k.speed[i]! * 3.6;
    let z = 0;
    while (z < edges.length && kmh >= edges[z]!) z++;
    const zone = zones[z]!;
    zone.distance_m += k.speed[i]! * k.dt;
    zone.time_s += k.dt;
  }
  return zones;
}

/** Distance (m) covered above `thresholdMps`. */
export function distanceAbove(k: Kinematics, thresholdMps: number): number {
  let d = 0;
  for (let i = 0; i < k.speed.length; i++) if (k.speed[i]! > thresholdMps) d += k.speed[i]! * k.dt;
  return d;
}

/** Work:rest pattern around a work speed. */
export interface WorkRest {
  work_time_s: number;
  rest_time_s: number;
  /** Time above the work speed over time below it; null when there is no rest time. */
  work_rest_ratio: number | null;
  /** High-intensity bouts: above the work speed for at least the minimum bout time. */
  bout_count: number;
  /** Mean time between the end of one bout and the start of the next; null with fewer than two bouts. */
  mean_recovery_s: number | null;
}

/** Time above vs below `workMps`, and bouts above it lasting at least `minBoutS`. */
export function workRest(k: Kinematics, workMps: number, minBoutS: number): WorkRest {
  let work = 0;
  for (let i = 0; i < k.speed.length; i++) if (k.speed[i]! > workMps) work += k.dt;
  const total = k.speed.length * k.dt;
  const rest = total - work;
  const bouts = findEfforts(k, k.speed, (v) => v > workMps, minBoutS);
  let gaps = 0;
  for (let b = 1; b < bouts.length; b++) {
    const prev = bouts[b - 1]!;
    gaps += (bouts[b]!.start_ms - (prev.start_ms + prev.duration_s * 1000)) / 1000;
  }
  return {
    work_time_s: work,
    rest_time_s: rest,
    work_rest_ratio: rest > 0 ? work / rest : null,
    bout_count: bouts.length,
    mean_recovery_s: bouts.length > 1 ? gaps / (bouts.length - 1) : null,
  };
}
