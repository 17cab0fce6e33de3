/**
 * Moving time of a recorded track when the file carries no timer: the time
 * spent moving faster than a walking-pace threshold, judged over a short
 * window so that GPS jitter while standing does not count as moving.
 *
 * Rule (the same for every format that needs it):
 * - with a distance (cumulative metres) or speed channel, an interval between
 *   two samples counts when the speed over the window of at least
 *   {@link MOVING_WINDOW_S} ending at its end sample is at least
 *   {@link MOVING_SPEED_MPS}; an interval longer than the window is judged by
 *   its own average speed (a pause the device did not record is a gap);
 * - without either channel (a strength session, an indoor track), every
 *   interval counts except gaps longer than {@link PAUSE_GAP_S}, which are
 *   pauses (auto-pause writes no samples).
 */

/** Slower than this (m/s, 1.8 km/h) is standing, not moving. */
export const MOVING_SPEED_MPS = 0.5;
/** Speed is judged over at least this many seconds (GPS jitters by metres from one second to the next). */
export const MOVING_WINDOW_S = 10;
/** Without a speed, a gap between samples longer than this (s) is a pause. */
export const PAUSE_GAP_S = 10;

/**
 * Seconds of moving time over samples at `timeMs` (epoch ms, ascending), from
 * a cumulative `distance` channel (metres) or else a `speed` channel (m/s);
 * NaN marks an absent value. `pauses` are pauses the recorder marked, as
 * ascending, disjoint (from, to) pairs of epoch ms: no part of them is moving
 * time. Null when there are fewer than two samples.
 */
export function movingTimeS(
  timeMs: ArrayLike<number>,
  distance?: ArrayLike<number>,
  speed?: ArrayLike<number>,
  pauses: ArrayLike<number> = NO_PAUSES,
): number | null {
  const n = timeMs.length;
  if (n < 2) return null;
  const hasDistance = distance !== undefined && countFinite(distance) >= 2;
  const hasSpeed = !hasDistance && speed !== undefined && countFinite(speed) >= 1;
  let moving = 0;
  // Intervals come in ascending order, so one cursor walks the pauses once.
  let q = 0;
  const paused = (from: number, to: number): number => {
    while (q < pauses.length && pauses[q + 1]! <= from) q += 2;
    let s = 0;
    for (let r = q; r < pauses.length && pauses[r]! < to; r += 2) s += Math.min(to, pauses[r + 1]!) - Math.max(from, pauses[r]!);
    return s / 1000;
  };
  if (hasDistance) {
    const at = new Int32Array(n);
    let m = 0;
    for (let i = 0; i < n; i++) if (distance![i] === distance![i]) at[m++] = i;
    // k: the latest sample at least the window before the current one (the first sample until there is one).
    let k = 0;
    for (let j = 1; j < m; j++) {
      const i = at[j]!;
      const p = at[j - 1]!;
      const dt = (timeMs[i]! - timeMs[p]!) / 1000;
      if (!(dt > 0)) continue;
      while (k + 1 < j && (timeMs[i]! - timeMs[at[k + 1]!]!) / 1000 >= MOVING_WINDOW_S) k++;
      const from = dt >= MOVING_WINDOW_S ? p : at[k]!;
      const span = (timeMs[i]! - timeMs[from]!) / 1000;
      if ((distance![i]! - distance![from]!) / span >= MOVING_SPEED_MPS) moving += dt - paused(timeMs[p]!, timeMs[i]!);
    }
    return moving;
  }
  for (let i = 1; i < n; i++) {
    const dt = (timeMs[i]! - timeMs[i - 1]!) / 1000;
    if (!(dt > 0)) continue;
    if (hasSpeed) {
      const v = speed![i]!;
      if (dt <= PAUSE_GAP_S && v === v && v >= MOVING_SPEED_MPS) moving += dt - paused(timeMs[i - 1]!, timeMs[i]!);
    } else if (dt <= PAUSE_GAP_S) {
      moving += dt - paused(timeMs[i - 1]!, timeMs[i]!);
    }
  }
  return moving;
}

const NO_PAUSES: readonly number[] = [];

function countFinite(a: ArrayLike<number>): number {
  let c = 0;
  for (let i = 0; i < a.length && c < 2; i++) if (a[i] === a[i]) c++;
  return c;
}
