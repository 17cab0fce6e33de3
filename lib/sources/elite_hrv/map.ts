/**
 * One Elite HRV reading (its R-R intervals and local start) to canonical
 * readings. Only a morning reading (started before noon, as the app's
 * Morning Readiness readings are) gives the day's resting values: RMSSD as
 * hrv_rmssd and the mean heart rate as resting_hr. Readings later in the day
 * (open readings, after exercise or during breathing sessions) are not.
 *
 * RMSSD = sqrt(mean((RRᵢ₊₁ − RRᵢ)²)) over successive normal intervals (Task
 * Force of the ESC and NASPE, "Heart rate variability: standards of
 * measurement", Circulation 1996). Artefacts are removed first: intervals
 * outside 300–2000 ms (200–30 bpm), and any differing by more than 20 % from
 * the previous accepted one (the usual ectopic-beat rule, Malik et al. 1989).
 * A reading needs at least 60 accepted intervals (about a minute).
 */
import type { BiometricReadingInput } from '../../core/models.ts';

/** A reading as the app exports it: the file's local start and its R-R intervals in ms. */
export interface EliteHrvReading {
  /** Local day, YYYY-MM-DD. */
  day: string;
  /** Local time of day, HH:MM:SS. */
  clock: string;
  rrMs: readonly number[];
}

/** A reading's time-domain values after artefact removal. */
export interface RrSummary {
  rmssdMs: number;
  meanHr: number;
  accepted: number;
  rejected: number;
}

const RR_MIN_MS = 300;
const RR_MAX_MS = 2000;
const MAX_STEP = 0.2;
const MIN_INTERVALS = 60;
const MORNING_BEFORE = '12:00:00';

/** RMSSD and mean HR of R-R intervals (ms) after removing artefacts; null with too few normal intervals. */
export function summariseRr(rrMs: readonly number[]): RrSummary | null {
  const kept: number[] = [];
  for (const rr of rrMs) {
    if (!(rr >= RR_MIN_MS && rr <= RR_MAX_MS)) continue;
    const prev = kept[kept.length - 1];
    if (prev !== undefined && Math.abs(rr - prev) > MAX_STEP * prev) continue;
    kept.push(rr);
  }
  if (kept.length < MIN_INTERVALS) return null;
  let sq = 0;
  for (let i = 1; i < kept.length; i++) sq += (kept[i]! - kept[i - 1]!) ** 2;
  const mean = kept.reduce((a, b) => a + b, 0) / kept.length;
  return {
    rmssdMs: Math.round(Math.sqrt(sq / (kept.length - 1)) * 10) / 10,
    meanHr: Math.round((60_000 / mean) * 10) / 10,
    accepted: kept.length,
    rejected: rrMs.length - kept.length,
  };
}

/** Why a reading gives no daily values, or null when it does. */
export function notDaily(r: EliteHrvReading, s: RrSummary | null): string | null {
  if (!s) return `fewer than ${MIN_INTERVALS} normal R-R intervals (of ${r.rrMs.length}): too short or too noisy for HRV`;
  if (r.clock >= MORNING_BEFORE) return `taken at ${r.clock}, not a morning reading: its HRV and heart rate are not the day's resting values (skipped)`;
  return null;
}

/** The day's hrv_rmssd and resting_hr from a morning reading and its summary. */
export function eliteHrvReadings(r: EliteHrvReading, s: RrSummary, origin: { source: string; athleteId: string; input: string }): BiometricReadingInput[] {
  const raw = { clock: r.clock, intervals: r.rrMs.length, accepted: s.accepted, rejected: s.rejected };
  const base = { athlete_id: origin.athleteId, date: r.day, time: null, source: origin.source, raw_data: raw, input: origin.input };
  return [
    { ...base, metric_type: 'hrv_rmssd', value: s.rmssdMs, unit: 'ms', confidence: 1 },
    // The reading's mean rate at rest on waking, a little above the night's minimum that a strap or ring reports.
    { ...base, metric_type: 'resting_hr', value: s.meanHr, unit: 'bpm', confidence: 0.9 },
  ];
}
