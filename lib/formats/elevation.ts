/** Elevation gain of a recorded track: hysteresis against GPS jitter, dropouts and altimeter jumps left out. */

/** Altitude change, in metres, that must build up before it counts as climbing or descending. */
export const ELEVATION_HYSTERESIS_M = 3;

/** Altitude jumps to exactly 0 m from at least this far away are treated as sensor dropouts. */
const DROPOUT_FROM_M = 10;
/** Faster vertical movement than this (m/s) is an altimeter settling or recalibrating, not climbing. */
export const MAX_VERTICAL_SPEED_MPS = 10;

/**
 * Total ascent with a hysteresis threshold: a rise is counted once the
 * altitude stands at least `threshold` metres above the last reference point,
 * and a descent of the same size moves the reference down. GPS altitude
 * jitters by a few metres; summing every positive delta would count that noise
 * as climbing. A final rise smaller than the threshold is not counted.
 * Devices write 0 for a missing altitude, so a sudden 0 is ignored, and a
 * track whose altitudes are all 0 has no elevation data. A jump faster than
 * MAX_VERTICAL_SPEED_MPS (a barometer settling after start) moves the
 * reference without counting.
 */
export class ElevationGain {
  /** Metres climbed so far. */
  gain = 0;
  /** Whether any non-zero altitude was seen. */
  seen = false;
  private ref = NaN;
  private prevAlt = NaN;
  private prevTime = NaN;

  constructor(private readonly threshold = ELEVATION_HYSTERESIS_M) {}

  /**
   * Feed the next altitude and its time (epoch ms, NaN when unknown); NaN
   * altitude (absent) is ignored. Returns false when the value is a dropout to drop.
   */
  add(altitude: number, timeMs = NaN): boolean {
    if (Number.isNaN(altitude)) return true;
    if (altitude === 0 && Math.abs(this.ref) >= DROPOUT_FROM_M) return false;
    if (altitude !== 0) this.seen = true;
    const dt = (timeMs - this.prevTime) / 1000;
    const jump = dt > 0 && Math.abs(altitude - this.prevAlt) / dt > MAX_VERTICAL_SPEED_MPS;
    this.prevAlt = altitude;
    this.prevTime = timeMs;
    if (Number.isNaN(this.ref) || jump) {
      this.ref = altitude;
    } else if (altitude - this.ref >= this.threshold) {
      this.gain += altitude - this.ref;
      this.ref = altitude;
    } else if (this.ref - altitude >= this.threshold) {
      this.ref = altitude;
    }
    return true;
  }
}
