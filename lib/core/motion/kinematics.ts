/**
 * Speed and acceleration of a player from consumer GPS (1–10 Hz).
 *
 * Positions are projected to local metres, split into segments at time gaps,
 * resampled onto a uniform grid, and differentiated with a Savitzky–Golay
 * slope whose window is chosen from the measured positional noise, so white
 * noise of a metre or two cannot add up to phantom sprints. Acceleration is
 * the slope of the smoothed speed over its own window. A device speed channel
 * (Doppler, far less noisy than differentiated positions) is used instead
 * when it is present and plausible.
 */
import { centroidPlane, projectAll, type LocalPlane } from './projection.ts';
import { median, movingAverage, slidingSlope } from './smoothing.ts';

/** The samples a track is made of: epoch-ms times, positions and an optional device speed. */
export interface TrackSamples {
  time: Float64Array;
  lat?: Float64Array;
  lon?: Float64Array;
  speed_mps?: Float64Array;
}

/** Options of {@link estimateKinematics}. */
export interface KinematicsOptions {
  /**
   * A time step longer than this (s) splits the track: efforts never span it.
   * Default: three median sample intervals, at least 2 s and at most 15 s, so
   * variable-rate ("smart") recording every few seconds is not read as gaps.
   */
  maxGapS?: number;
  /** Rate of the uniform working grid (Hz). Default 10. */
  gridHz?: number;
  /** Speed smoothing window (s); default: chosen from the positional noise. */
  speedWindowS?: number;
  /** Acceleration smoothing window (s). Default 1. */
  accelWindowS?: number;
  /** Speeds above this (m/s) are not human: such position jumps are dropped. Default 12.5. */
  maxSpeedMps?: number;
  /** Whether to use the device's speed channel when it is plausible. Default true. */
  useDeviceSpeed?: boolean;
}

/** A track on a uniform grid: one entry per grid step; segments never join across a gap. */
export interface Kinematics {
  /** Grid step in seconds. */
  dt: number;
  /** Epoch ms of each grid point. */
  time: Float64Array;
  /** Position on the local plane in metres (NaN without positions). */
  x: Float64Array;
  y: Float64Array;
  /** Smoothed speed (m/s) and acceleration (m/s²). */
  speed: Float64Array;
  accel: Float64Array;
  /** Segment number of each grid point. */
  segment: Int32Array;
  speedSource: 'device' | 'positions';
  plane: LocalPlane | null;
  /** Estimated white positional noise (m, 1 σ); null when speed came from the device. */
  positionNoiseM: number | null;
  speedWindowS: number;
  accelWindowS: number;
  /** Position samples dropped as impossible spikes. */
  droppedPositions: number;
  /** Places where the position jumped impossibly and stayed: the track is split there. */
  positionSteps: number;
}

const MIN_SPEED_WINDOW_S = 1;
const MAX_SPEED_WINDOW_S = 10;
/** Speed noise (m/s, 1 σ per axis) the automatic window aims for. */
const TARGET_SPEED_NOISE = 0.3;
const DEVICE_WINDOW_S = 0.6;

function medianStepS(time: Float64Array): number {
  const steps: number[] = [];
  for (let i = 1; i < time.length; i++) {
    const d = (time[i]! - time[i - 1]!) / 1000;
    if (d > 0) steps.push(d);
  }
  if (steps.length === 0) return 0;
  steps.sort((a, b) => a - b);
  return steps[steps.length >> 1]!;
}

/** Estimate speed and acceleration on a uniform grid from a workout's streams. */
export function estimateKinematics(s: TrackSamples, opts: KinematicsOptions = {}): Kinematics {
  const maxGapS = opts.maxGapS ?? Math.min(15, Math.max(2, 3 * medianStepS(s.time)));
  const gridHz = opts.gridHz ?? 10;
  const maxSpeed = opts.maxSpeedMps ?? 12.5;
  const n = s.time.length;
  const plane = s.lat && s.lon ? centroidPlane(s.lat, s.lon) : null;
  const proj = plane && s.lat && s.lon ? projectAll(plane, s.lat, s.lon) : null;
  const device = opts.useDeviceSpeed !== false && s.speed_mps && plausibleDeviceSpeed(s.speed_mps, maxSpeed) ? s.speed_mps : null;
  if (!device && !proj) throw new Error('no positions (lat/lon) and no usable speed channel');

  // Samples to use: increasing time and, per source, a finite value. An
  // impossible jump is a spike when the next fix returns (dropped), else a
  // step in the position solution: the track is split there, not crossed.
  const keep: number[] = [];
  const breakBefore = new Set<number>();
  let dropped = 0;
  const usable = (i: number) =>
    Number.isFinite(s.time[i]!) && (device ? Number.isFinite(device[i]!) : Number.isFinite(proj!.x[i]!) && Number.isFinite(proj!.y[i]!));
  // White noise alone moves a fix by several σ between samples: allow for it on top of the speed limit.
  const noiseAll = device || !proj ? 0 : estimateNoise(s.time, proj.x, proj.y, allUsable(n, usable), maxGapS);
  const slack = Math.max(3, 6 * noiseAll);
  const tooFast = (i: number, j: number) => {
    const dtS = (s.time[j]! - s.time[i]!) / 1000;
    return dtS <= maxGapS && Math.hypot(proj!.x[j]! - proj!.x[i]!, proj!.y[j]! - proj!.y[i]!) > maxSpeed * 1.5 * dtS + slack;
  };
  for (let i = 0; i < n; i++) {
    if (!usable(i)) continue;
    const last = keep[keep.length - 1];
    if (last !== undefined && s.time[i]! <= s.time[last]!) continue;
    if (!device && last !== undefined && tooFast(last, i)) {
      let next = i + 1;
      while (next < n && !usable(next)) next++;
      if (next < n && !tooFast(last, next)) {
        dropped++;
        continue;
      }
      breakBefore.add(keep.length);
    }
    keep.push(i);
  }
  if (keep.length === 0) throw new Error('no usable samples (time and position or speed)');

  const nativeDt = median(diffSeconds(s.time, keep));
  const noise = device || !proj ? null : estimateNoise(s.time, proj.x, proj.y, keep, maxGapS);
  // Below two native intervals the slope of an interpolated speed shows the sample steps, not the athlete.
  const accelWindowS = Math.max(opts.accelWindowS ?? 1, Number.isFinite(nativeDt) ? 2 * nativeDt : 0);
  const speedWindowS = opts.speedWindowS ?? (device ? DEVICE_WINDOW_S : chooseSpeedWindow(noise ?? 0, Number.isFinite(nativeDt) ? nativeDt : 1));

  // Segments of kept samples, broken at gaps.
  const segs: [number, number][] = [];
  let a = 0;
  for (let k = 1; k <= keep.length; k++) {
    if (k === keep.length || breakBefore.has(k) || (s.time[keep[k]!]! - s.time[keep[k - 1]!]!) / 1000 > maxGapS) {
      segs.push([a, k]);
      a = k;
    }
  }
  const dt = 1 / gridHz;
  const stepMs = 1000 * dt;
  let total = 0;
  const counts = segs.map(([lo, hi]) => Math.floor((s.time[keep[hi - 1]!]! - s.time[keep[lo]!]!) / stepMs + 1e-9) + 1);
  for (const c of counts) total += c;

  const time = new Float64Array(total);
  const x = new Float64Array(total).fill(NaN);
  const y = new Float64Array(total).fill(NaN);
  const speed = new Float64Array(total);
  const accel = new Float64Array(total);
  const segment = new Int32Array(total);
  const raw = new Float64Array(total);
  const vx = new Float64Array(total);
  const vy = new Float64Array(total);
  let off = 0;
  segs.forEach(([lo, hi], si) => {
    const count = counts[si]!;
    const t0 = s.time[keep[lo]!]!;
    let j = lo;
    for (let g = 0; g < count; g++) {
      const t = t0 + g * stepMs;
      while (j + 1 < hi && s.time[keep[j + 1]!]! <= t) j++;
      const i0 = keep[j]!;
      const i1 = keep[Math.min(j + 1, hi - 1)]!;
      const ta = s.time[i0]!;
      const tb = s.time[i1]!;
      const f = tb > ta ? Math.min(1, (t - ta) / (tb - ta)) : 0;
      const at = off + g;
      time[at] = t;
      segment[at] = si;
      if (proj) {
        x[at] = lerp(proj.x[i0]!, proj.x[i1]!, f);
        y[at] = lerp(proj.y[i0]!, proj.y[i1]!, f);
      }
      if (device) raw[at] = lerp(device[i0]!, device[i1]!, f);
    }
    const end = off + count;
    if (device) {
      movingAverage(raw, off, end, Math.round((speedWindowS * gridHz) / 2), speed);
    } else {
      const h = Math.max(1, Math.round((speedWindowS * gridHz) / 2));
      slidingSlope(x, off, end, h, dt, vx);
      slidingSlope(y, off, end, h, dt, vy);
      for (let g = off; g < end; g++) speed[g] = Math.hypot(vx[g]!, vy[g]!);
    }
    slidingSlope(speed, off, end, Math.max(1, Math.round((accelWindowS * gridHz) / 2)), dt, accel);
    off = end;
  });

  return {
    dt,
    time,
    x,
    y,
    speed,
    accel,
    segment,
    speedSource: device ? 'device' : 'positions',
    plane,
    positionNoiseM: noise,
    speedWindowS,
    accelWindowS,
    droppedPositions: dropped,
    positionSteps: breakBefore.size,
  };
}

/** Total distance (m): speed integrated over the grid. */
export function trackDistance(k: Kinematics): number {
  let d = 0;
  for (let i = 0; i < k.speed.length; i++) d += k.speed[i]! * k.dt;
  return d;
}

/** Recorded time (s) on the grid, gaps excluded. */
export function trackDuration(k: Kinematics): number {
  return k.speed.length * k.dt;
}

/** Indices of usable samples in increasing time. */
function allUsable(n: number, usable: (i: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (usable(i)) out.push(i);
  return out;
}

function lerp(a: number, b: number, f: number): number {
  return a + (b - a) * f;
}

function diffSeconds(time: Float64Array, keep: number[]): number[] {
  const d: number[] = [];
  for (let k = 1; k < keep.length; k++) d.push((time[keep[k]!]! - time[keep[k - 1]!]!) / 1000);
  return d;
}

/** A device speed channel is plausible when mostly present, within human range, and not flat zero. */
function plausibleDeviceSpeed(v: Float64Array, maxSpeed: number): boolean {
  let finite = 0;
  let inRange = 0;
  let moving = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (!Number.isFinite(x)) continue;
    finite++;
    if (x >= 0 && x <= maxSpeed) inRange++;
    if (x > 0.5) moving++;
  }
  return finite >= 0.8 * v.length && inRange >= 0.99 * finite && moving > 0;
}

/**
 * White positional noise (1 σ, m): each point's offset from the straight line
 * through its neighbours has variance 1.5 σ² for evenly spaced samples; the
 * median absolute offset makes the estimate robust to real manoeuvres.
 */
function estimateNoise(time: Float64Array, x: Float64Array, y: Float64Array, keep: number[], maxGapS: number): number {
  const r: number[] = [];
  for (let k = 1; k + 1 < keep.length; k++) {
    const i0 = keep[k - 1]!;
    const i1 = keep[k]!;
    const i2 = keep[k + 1]!;
    const t0 = time[i0]!;
    const t1 = time[i1]!;
    const t2 = time[i2]!;
    if ((t2 - t0) / 1000 > maxGapS) continue;
    const f = (t1 - t0) / (t2 - t0);
    r.push(Math.abs(x[i1]! - lerp(x[i0]!, x[i2]!, f)), Math.abs(y[i1]! - lerp(y[i0]!, y[i2]!, f)));
  }
  if (r.length === 0) return 0;
  return (1.4826 * median(r)) / Math.sqrt(1.5);
}

/**
 * The shortest window (s) whose least-squares slope keeps white noise of
 * `sigma` metres under the target speed noise: slope variance is
 * σ² / Σ(tᵢ − t̄)², with Σ = m(m² − 1)/12 · Δt² for m samples Δt apart.
 */
function chooseSpeedWindow(sigma: number, nativeDt: number): number {
  for (let w = MIN_SPEED_WINDOW_S; w < MAX_SPEED_WINDOW_S; w += 0.1) {
    const m = Math.floor(w / nativeDt + 1e-9) + 1;
    if (m < 2) continue;
    const sd = sigma / (nativeDt * Math.sqrt((m * (m * m - 1)) / 12));
    if (sd <= TARGET_SPEED_NOISE) return Math.round(w * 10) / 10;
  }
  return MAX_SPEED_WINDOW_S;
}
