/**
 * Per-workout training load: the published load formulas as pure functions,
 * and the rule that picks one for a workout.
 *
 * Scale convention: `chooseTrainingLoad` puts every method on the power-TSS
 * scale, where one hour at threshold is 100. The HR and RPE methods are scaled
 * by what they give for one hour at threshold (see the constants below), so
 * values from different methods are roughly aligned, not identical.
 */
import type { SportCategory } from '../core/models.ts';

/** Biological sex, which selects Banister's weighting constants. */
export type Sex = 'male' | 'female';

/** How a workout's training load was computed. */
export type LoadMethod = 'power_tss' | 'banister_trimp' | 'session_rpe' | 'duration_estimate';

// Banister 1991 weighting: y = a·e^(b·HRr), a = 0.64, b = 1.92 (men); a = 0.86, b = 1.67 (women).
const BANISTER: Record<Sex, { a: number; b: number }> = {
  male: { a: 0.64, b: 1.92 },
  female: { a: 0.86, b: 1.67 },
};

const finite = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * Banister's TRIMP (Banister 1991): minutes × HRr × a·e^(b·HRr), with the heart
 * rate reserve fraction HRr = (avg − rest)/(max − rest) clamped to 0..1.
 * Null when the inputs cannot give a value (max ≤ rest, non-finite numbers).
 */
export function banisterTrimp(durationMin: number, avgHr: number, restHr: number, maxHr: number, sex: Sex): number | null {
  if (![durationMin, avgHr, restHr, maxHr].every(finite) || maxHr <= restHr || durationMin < 0) return null;
  const hrr = Math.min(1, Math.max(0, (avgHr - restHr) / (maxHr - restHr)));
  const { a, b } = BANISTER[sex];
  return durationMin * hrr * a * Math.exp(b * hrr);
}

/**
 * Edwards' summated-heart-rate-zones TRIMP (Edwards 1993): minutes in 50–60,
 * 60–70, 70–80, 80–90 and 90–100 % of HRmax weighted 1 to 5 (above 100 % counts
 * as zone 5, below 50 % as nothing). Each sample's HR holds until the next
 * sample, for at most `maxGapS` seconds, so a paused recording adds no time.
 * NaN samples add nothing. 0 for an empty stream.
 */
export function edwardsTrimp(hrSamples: Float64Array, timesMs: Float64Array, maxHr: number, maxGapS = 10): number {
  if (!finite(maxHr) || maxHr <= 0) return 0;
  const n = Math.min(hrSamples.length, timesMs.length);
  let weightedS = 0;
  for (let i = 0; i + 1 < n; i++) {
    const hr = hrSamples[i]!;
    const dtS = (timesMs[i + 1]! - timesMs[i]!) / 1000;
    if (Number.isNaN(hr) || !(dtS > 0)) continue;
    const pct = (hr / maxHr) * 100;
    if (pct < 50) continue;
    const zone = Math.min(5, Math.floor((pct - 50) / 10) + 1);
    weightedS += zone * Math.min(dtS, maxGapS);
  }
  return weightedS / 60;
}

/**
 * Session-RPE load (Foster et al. 2001): the session's rating on the CR-10
 * scale × its duration in minutes, in arbitrary units. Null when RPE is
 * outside 0..10 or either input is not a finite number.
 */
export function sessionRpe(rpe0to10: number, durationMin: number): number | null {
  if (!finite(rpe0to10) || !finite(durationMin) || rpe0to10 < 0 || rpe0to10 > 10 || durationMin < 0) return null;
  return rpe0to10 * durationMin;
}

/**
 * Training Stress Score from power (Coggan, in Allen & Coggan, "Training and
 * Racing with a Power Meter"): (s × NP × IF)/(FTP × 3600) × 100, IF = NP/FTP.
 * Null when FTP is not positive.
 */
export function powerTss(durationS: number, normalizedPowerW: number, ftpW: number): number | null {
  if (![durationS, normalizedPowerW, ftpW].every(finite) || ftpW <= 0 || durationS < 0 || normalizedPowerW < 0) return null;
  const intensity = normalizedPowerW / ftpW;
  return ((durationS * normalizedPowerW * intensity) / (ftpW * 3600)) * 100;
}

/**
 * Normalized Power (Coggan): the stream is resampled to 1 Hz (each sample holds
 * until the next, for at most `maxGapS` seconds, so pauses are left out; NaN
 * samples are skipped and the previous value holds), then a trailing 30-s
 * rolling mean, then the fourth root of the mean of its fourth powers.
 * Null when there are fewer than 30 s of data.
 */
export function normalizedPower(powerW: Float64Array, timesMs: Float64Array, maxGapS = 10): number | null {
  const perSecond = resampleTo1Hz(powerW, timesMs, maxGapS);
  const window = 30;
  if (perSecond.length < window) return null;
  let sum = 0;
  for (let i = 0; i < window; i++) sum += perSecond[i]!;
  let fourth = (sum / window) ** 4;
  let count = 1;
  for (let i = window; i < perSecond.length; i++) {
    sum += perSecond[i]! - perSecond[i - window]!;
    fourth += (sum / window) ** 4;
    count++;
  }
  return (fourth / count) ** 0.25;
}

/**
 * One value per whole second from the first sample to the last: the latest
 * sample at or before that second, unless it is `maxGapS` or more seconds old
 * (a pause, left out).
 */
function resampleTo1Hz(values: Float64Array, timesMs: Float64Array, maxGapS: number): number[] {
  const n = Math.min(values.length, timesMs.length);
  const out: number[] = [];
  if (n === 0) return out;
  const t0 = timesMs[0]!;
  const tEnd = timesMs[n - 1]!;
  if (!(tEnd >= t0)) return out;
  let i = 0;
  let held = values[0]!;
  for (let t = t0; t <= tEnd; t += 1000) {
    while (i + 1 < n && timesMs[i + 1]! <= t) {
      i++;
      if (!Number.isNaN(values[i]!)) held = values[i]!;
    }
    if (!Number.isNaN(held) && t - timesMs[i]! < maxGapS * 1000) out.push(held);
  }
  return out;
}

/** Linear-interpolation percentile (R type 7) of sorted values; p in 0..1. */
function percentileSorted(sorted: number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Maximum heart rate estimated from the athlete's workout maxima: the 98th
 * percentile (linear interpolation) of the plausible values (100–230 bpm), so
 * one strap artefact among many workouts does not set it; with few workouts it
 * is close to the top value. Null when no plausible value is given.
 */
export function estimateMaxHr(observedMaxHrs: number[]): number | null {
  const ok = observedMaxHrs.filter((x) => finite(x) && x >= 100 && x <= 230).sort((a, b) => a - b);
  return ok.length ? percentileSorted(ok, 0.98) : null;
}

/**
 * Resting heart rate estimated from daily resting values: the 5th percentile
 * (linear interpolation) of the plausible values (25–120 bpm), a low but not
 * minimal value so one bad night reading does not set it. Null when none.
 */
export function estimateRestingHr(dailyRestingHrs: number[]): number | null {
  const ok = dailyRestingHrs.filter((x) => finite(x) && x >= 25 && x <= 120).sort((a, b) => a - b);
  return ok.length ? percentileSorted(ok, 0.05) : null;
}

/**
 * Heart-rate-reserve fraction taken as threshold for scaling TRIMP: lactate
 * threshold lies near 85 % of HR reserve in trained athletes (Karvonen-style
 * estimate; an assumption, not a measurement).
 */
export const THRESHOLD_HRR = 0.85;
/** Session RPE of one hour at threshold: CR-10 rating 7, "very hard" (Foster et al. 2001 scale). */
export const THRESHOLD_RPE = 7;
/**
 * Assumed intensity factor (fraction of threshold) of a workout by category,
 * for the duration-only estimate: load per hour = IF² × 100 (the TSS relation).
 */
export const CATEGORY_INTENSITY: Record<SportCategory, number> = {
  ENDURANCE: 0.7,
  STRENGTH: 0.65,
  BALL_SPORT: 0.75,
  MIXED: 0.7,
};

/** What `chooseTrainingLoad` needs about a workout. */
export interface LoadInput {
  durationS: number;
  avgHr?: number | null;
  rpe?: number | null;
  npW?: number | null;
  sport_category: SportCategory;
  hasPower: boolean;
}

/** What `chooseTrainingLoad` needs about the athlete. */
export interface AthleteLoadProfile {
  restHr: number;
  maxHr: number;
  sex: Sex;
  ftpW?: number | null;
}

/** A workout's load on the TSS-like scale, the method used and that method's unscaled value. */
export interface TrainingLoad {
  value: number;
  method: LoadMethod;
  /** The method's own value before scaling (TSS, TRIMP, or sRPE arbitrary units). */
  raw: number;
}

/**
 * A workout's training load by the best method its data allow, in order:
 * power TSS (power, NP and FTP known); Banister TRIMP (average HR known and
 * rest < max HR); session RPE (RPE known); otherwise duration × an assumed
 * intensity for the sport category. TRIMP and sRPE are scaled so one hour at
 * threshold (HRr 0.85, RPE 7) gives 100, like TSS. `ftpW` is a cycling FTP:
 * callers pass `npW` only for rides, since running power has its own scale.
 */
export function chooseTrainingLoad(input: LoadInput, athlete: AthleteLoadProfile): TrainingLoad {
  const durationS = finite(input.durationS) && input.durationS > 0 ? input.durationS : 0;
  const minutes = durationS / 60;
  if (input.hasPower && finite(input.npW) && input.npW > 0 && finite(athlete.ftpW) && athlete.ftpW > 0) {
    const tss = powerTss(durationS, input.npW, athlete.ftpW);
    if (tss !== null) return { value: tss, method: 'power_tss', raw: tss };
  }
  if (finite(input.avgHr)) {
    const trimp = banisterTrimp(minutes, input.avgHr, athlete.restHr, athlete.maxHr, athlete.sex);
    if (trimp !== null) {
      const { a, b } = BANISTER[athlete.sex];
      const thresholdHour = 60 * THRESHOLD_HRR * a * Math.exp(b * THRESHOLD_HRR);
      return { value: (trimp / thresholdHour) * 100, method: 'banister_trimp', raw: trimp };
    }
  }
  if (finite(input.rpe)) {
    const srpe = sessionRpe(input.rpe, minutes);
    if (srpe !== null) return { value: (srpe / (60 * THRESHOLD_RPE)) * 100, method: 'session_rpe', raw: srpe };
  }
  const intensity = CATEGORY_INTENSITY[input.sport_category];
  const estimate = (durationS / 3600) * intensity * intensity * 100;
  return { value: estimate, method: 'duration_estimate', raw: estimate };
}
