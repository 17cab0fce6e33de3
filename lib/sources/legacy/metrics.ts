/**
 * The predecessor's biometric names to this version's metric types. Its
 * "biometrics" table also held Strava profile snapshots (weight and height
 * stamped with the day of the sync) and account statistics (followers, run
 * totals, heart-rate zone settings): the first become profile values, the
 * second are left out.
 */
import { METRIC_UNITS, type MetricType } from '../../core/models.ts';
import type { LeftOutKind } from './left_out.ts';

/** A value of the athlete's profile (not a day's measurement). */
export interface ProfileValue {
  athlete_id: string;
  key: string;
  value: number | null;
  text: string | null;
  unit: string | null;
  /** The day the value was read (for the predecessor's Strava snapshots, the day of its sync). */
  as_of: string | null;
  source: string;
  input: string;
}

/** Conversions to the unit a metric is stored in, by the unit the predecessor wrote. */
const TO_STORED: Record<string, Record<string, number>> = {
  kg: { kg: 1, kgs: 1, kilograms: 1, g: 0.001, lb: 0.45359237, lbs: 0.45359237, pounds: 0.45359237 },
  s: { s: 1, sec: 1, seconds: 1, min: 60, mins: 60, minutes: 60, h: 3600, hr: 3600, hrs: 3600, hours: 3600, ms: 0.001 },
  ms: { ms: 1, milliseconds: 1 },
  bpm: { bpm: 1 },
  '%': { '%': 1, percent: 1, pct: 1 },
  rpm: { rpm: 1, 'breaths/min': 1, brpm: 1 },
  count: { count: 1, steps: 1 },
  score: { score: 1, points: 1 },
  'kg/m2': { 'kg/m2': 1, 'kg/m^2': 1 },
  degC: { degc: 1, c: 1, celsius: 1 },
};

/** Units assumed when the predecessor wrote none: only where its code used one unit throughout. */
const ASSUMED_UNIT: Partial<Record<MetricType, string>> = {
  weight: 'kg',
  muscle_mass: 'kg',
  body_fat_pct: '%',
  bmi: 'kg/m2',
  resting_hr: 'bpm',
  hrv_rmssd: 'ms',
  steps: 'count',
  spo2: '%',
  respiratory_rate: 'rpm',
  sleep_score: 'score',
  recovery_score: 'score',
  readiness_score: 'score',
};

/** Its metric names (lower case) to metric types. */
const METRICS: Record<string, MetricType> = {
  weight: 'weight',
  weight_kg: 'weight',
  body_weight: 'weight',
  body_fat: 'body_fat_pct',
  body_fat_percentage: 'body_fat_pct',
  body_fat_pct: 'body_fat_pct',
  fat_percentage: 'body_fat_pct',
  muscle_mass: 'muscle_mass',
  bmi: 'bmi',
  resting_heart_rate: 'resting_hr',
  resting_hr: 'resting_hr',
  rhr: 'resting_hr',
  hrv: 'hrv_rmssd',
  hrv_rmssd: 'hrv_rmssd',
  rmssd: 'hrv_rmssd',
  hrv_sdnn: 'hrv_sdnn',
  sleep_duration: 'sleep_duration',
  sleep_hours: 'sleep_duration',
  sleep_time: 'sleep_duration',
  sleep_score: 'sleep_score',
  steps: 'steps',
  spo2: 'spo2',
  blood_oxygen: 'spo2',
  respiratory_rate: 'respiratory_rate',
  recovery_score: 'recovery_score',
  readiness_score: 'readiness_score',
};

/** Profile values of a Strava athlete record: the sync stamped them with its own day. */
const PROFILE_METRICS = new Set(['weight', 'weight_kg', 'height', 'height_cm', 'ftp']);

/** Account statistics and settings the predecessor filed as biometrics. */
const NOT_BIOMETRIC = /^(followers?|follower_count|friends?|friend_count|recent_|ytd_|all_|all_time|biggest_|total_|heart_rate_zones?|hr_zones?|power_zones?|measurement_preference|premium|summit|clubs?|bikes?|shoes?)/;

/** What one of its biometric rows becomes. */
export type LegacyMetric =
  | { kind: 'reading'; metric: MetricType; value: number; unit: string }
  | { kind: 'profile'; key: string; value: number; unit: string | null }
  | { kind: 'left_out'; why: LeftOutKind; detail: string };

/**
 * Classify one row of its biometrics: a reading in this version's metric and
 * unit, a profile value (a Strava snapshot, or a height from anywhere), or
 * left out with the reason. `oldSource` is the row's source as the predecessor wrote it.
 */
export function classifyLegacyMetric(name: string, value: number, unit: string | null, oldSource: string): LegacyMetric {
  const key = name.trim().toLowerCase();
  const u = unit?.trim().toLowerCase() || null;
  const isStrava = oldSource.trim().toLowerCase() === 'strava';
  if ((isStrava && PROFILE_METRICS.has(key)) || key === 'height' || key === 'height_cm') {
    if (value === 0) return { kind: 'left_out', why: key.startsWith('weight') ? 'zero_weight' : 'unreadable', detail: `${name} 0` };
    return { kind: 'profile', key: key.replace(/_(kg|cm)$/, ''), value, unit: unit?.trim() || (key.startsWith('height') ? 'cm' : key.startsWith('weight') ? 'kg' : null) };
  }
  if (NOT_BIOMETRIC.test(key)) return { kind: 'left_out', why: 'not_biometric', detail: name };
  const metric = METRICS[key];
  if (!metric) return { kind: 'left_out', why: 'unknown_metric', detail: name };
  if (metric === 'weight' && value === 0) return { kind: 'left_out', why: 'zero_weight', detail: name };
  const stored = METRIC_UNITS[metric];
  const from = u ?? ASSUMED_UNIT[metric]?.toLowerCase() ?? null;
  const factor = from === null ? undefined : TO_STORED[stored]?.[from] ?? (from === stored.toLowerCase() ? 1 : undefined);
  if (factor === undefined) return { kind: 'left_out', why: 'no_unit', detail: `${name} in ${unit ?? 'no unit'}` };
  return { kind: 'reading', metric, value: value * factor, unit: stored };
}
