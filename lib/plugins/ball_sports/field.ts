/**
 * Field coverage: where on the pitch a player spent time. The pitch frame
 * comes from its four corners when known, else from the principal axes of the
 * player's own positions (PCA of the 2-D covariance) with the 2nd–98th
 * percentiles as its extent. Positions are then normalised to the pitch.
 */
import { projectPoint, type LocalPlane } from '../../core/motion/projection.ts';
import { quantile } from '../../core/motion/smoothing.ts';

/** A rectangle on the local plane: centre, unit length axis, half extents (m). */
export interface PitchFrame {
  source: 'corners' | 'positions';
  cx: number;
  cy: number;
  /** Unit vector along the length (the long side); the width axis is it turned 90° anticlockwise. */
  ux: number;
  uy: number;
  halfLength: number;
  halfWidth: number;
}

/** A corner of a pitch in degrees. */
export interface LatLon {
  lat: number;
  lon: number;
}

/** Angle (rad, anticlockwise from east) of the major principal axis of points. */
function principalAngle(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  let n = 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(xs[i]!) || !Number.isFinite(ys[i]!)) continue;
    mx += xs[i]!;
    my += ys[i]!;
    n++;
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < xs.length; i++) {
    if (!Number.isFinite(xs[i]!) || !Number.isFinite(ys[i]!)) continue;
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  // Orientation of the major eigenvector of [[sxx, sxy], [sxy, syy]].
  const theta = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  // One canonical sign: the axis points into the eastern half-plane (or due north).
  return theta <= -Math.PI / 2 ? theta + Math.PI : theta > Math.PI / 2 ? theta - Math.PI : theta;
}

/** The pitch frame from its four corners (in any order). */
export function pitchFromCorners(plane: LocalPlane, corners: readonly LatLon[]): PitchFrame {
  if (corners.length !== 4) throw new Error(`a pitch needs 4 corners, got ${corners.length}`);
  const pts = corners.map((c) => projectPoint(plane, c.lat, c.lon));
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const cx = xs.reduce((a, b) => a + b, 0) / 4;
  const cy = ys.reduce((a, b) => a + b, 0) / 4;
  const th = principalAngle(xs, ys);
  const ux = Math.cos(th);
  const uy = Math.sin(th);
  let hl = 0;
  let hw = 0;
  for (const [x, y] of pts) {
    hl += Math.abs((x - cx) * ux + (y - cy) * uy) / 4;
    hw += Math.abs(-(x - cx) * uy + (y - cy) * ux) / 4;
  }
  return { source: 'corners', cx, cy, ux, uy, halfLength: hl, halfWidth: hw };
}

/** The pitch frame estimated from positions: principal axes, 2nd–98th percentile extent. */
export function pitchFromPositions(x: Float64Array, y: Float64Array): PitchFrame {
  const th = principalAngle(x, y);
  const ux = Math.cos(th);
  const uy = Math.sin(th);
  const u = new Float64Array(x.length);
  const v = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    u[i] = x[i]! * ux + y[i]! * uy;
    v[i] = -x[i]! * uy + y[i]! * ux;
  }
  const u0 = quantile(u, 0.02);
  const u1 = quantile(u, 0.98);
  const v0 = quantile(v, 0.02);
  const v1 = quantile(v, 0.98);
  const cu = (u0 + u1) / 2;
  const cv = (v0 + v1) / 2;
  return {
    source: 'positions',
    cx: cu * ux - cv * uy,
    cy: cu * uy + cv * ux,
    ux,
    uy,
    halfLength: Math.max((u1 - u0) / 2, 0.5),
    halfWidth: Math.max((v1 - v0) / 2, 0.5),
  };
}

/** Options of {@link fieldCoverage}. */
export interface CoverageOptions {
  nx?: number;
  ny?: number;
  /** Which end of the length axis the player attacks: `max` (default) or `min`. */
  attackingEnd?: 'max' | 'min';
}

/** Time spent over the pitch. */
export interface FieldCoverage {
  nx: number;
  ny: number;
  /** Seconds per cell: `ny` rows (width, from the right touchline) of `nx` cells (length, from own goal line). */
  seconds: number[][];
  /** Share of the time with a position that falls inside the pitch. */
  share_inside: number;
  /** Shares of time per third along the length (positions clamped to the pitch). */
  thirds: { defensive: number; middle: number; attacking: number };
  /** Shares of time in the left and right halves, facing the attacking end. */
  halves: { left: number; right: number };
  length_m: number;
  width_m: number;
  /** Compass bearing (degrees, 0–180) of the length axis. */
  orientation_deg: number;
  source: PitchFrame['source'];
}

/** Normalised pitch coordinates in [0, 1] (outside the pitch beyond it): `a` along the length toward the attacking end, `b` across toward the left. */
export function toPitch(frame: PitchFrame, x: number, y: number, attackingEnd: 'max' | 'min' = 'max'): [number, number] {
  const dx = x - frame.cx;
  const dy = y - frame.cy;
  let a = (dx * frame.ux + dy * frame.uy) / (2 * frame.halfLength) + 0.5;
  let b = (-dx * frame.uy + dy * frame.ux) / (2 * frame.halfWidth) + 0.5;
  // Facing the other end turns the player around: both axes flip.
  if (attackingEnd === 'min') {
    a = 1 - a;
    b = 1 - b;
  }
  return [a, b];
}

/** Heatmap, thirds and halves of time spent, each sample weighing `dt` seconds. */
export function fieldCoverage(frame: PitchFrame, x: Float64Array, y: Float64Array, dt: number, opts: CoverageOptions = {}): FieldCoverage {
  const nx = opts.nx ?? 12;
  const ny = opts.ny ?? 8;
  const seconds = Array.from({ length: ny }, () => new Array<number>(nx).fill(0));
  const thirds = [0, 0, 0];
  const halves = [0, 0];
  let total = 0;
  let inside = 0;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]!) || !Number.isFinite(y[i]!)) continue;
    const [a, b] = toPitch(frame, x[i]!, y[i]!, opts.attackingEnd);
    total += dt;
    const ca = clamp01(a);
    const cb = clamp01(b);
    thirds[Math.min(2, Math.floor(ca * 3))]! += dt;
    halves[cb >= 0.5 ? 0 : 1]! += dt;
    if (a < 0 || a > 1 || b < 0 || b > 1) continue;
    inside += dt;
    seconds[Math.min(ny - 1, Math.floor(b * ny))]![Math.min(nx - 1, Math.floor(a * nx))]! += dt;
  }
  const share = (v: number) => (total > 0 ? v / total : 0);
  const bearing = ((90 - (Math.atan2(frame.uy, frame.ux) * 180) / Math.PI) % 180 + 180) % 180;
  return {
    nx,
    ny,
    seconds,
    share_inside: share(inside),
    thirds: { defensive: share(thirds[0]!), middle: share(thirds[1]!), attacking: share(thirds[2]!) },
    halves: { left: share(halves[0]!), right: share(halves[1]!) },
    length_m: 2 * frame.halfLength,
    width_m: 2 * frame.halfWidth,
    orientation_deg: bearing,
    source: frame.source,
  };
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
