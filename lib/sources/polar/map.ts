/**
 * The one mapping from Polar AccessLink records (exercise summaries, sleep
 * nights, nightly recharge) to canonical rows, used by api.ts (there is no
 * export reader yet).
 */
import { z } from 'zod';
import { SOURCE } from './index.ts';
import { METRIC_UNITS, type BiometricReadingInput, type MetricType, type SourceWorkoutInput } from '../../core/models.ts';
import { redact } from '../../core/redact.ts';
import { mapSport } from '../../core/sports.ts';
import { localDay, parseOffset, parseRaw, RawItemError } from '../base.ts';

const num = z.number().finite();

/** One exercise summary as AccessLink returns it. */
export const PolarExercise = z.looseObject({
  id: z.union([z.string().min(1), z.number().int()]),
  'upload-time': z.string().nullish(),
  'polar-user': z.string().nullish(),
  device: z.string().nullish(),
  'start-time': z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/, 'expected a local time without zone, e.g. 2024-03-01T07:30:00'),
  'start-time-utc-offset': z.number().int().min(-720).max(840),
  duration: z.string().min(1),
  calories: num.nonnegative().nullish(),
  distance: num.nonnegative().nullish(),
  'heart-rate': z.looseObject({ average: num.nullish(), maximum: num.nullish() }).nullish(),
  'training-load': z.unknown().optional(),
  sport: z.string().nullish(),
  'has-route': z.boolean().nullish(),
  'detailed-sport-info': z.string().nullish(),
});

const PolarNight = z.looseObject({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  sleep_start_time: z.string().nullish(),
  sleep_end_time: z.string().nullish(),
  light_sleep: num.nullish(),
  deep_sleep: num.nullish(),
  rem_sleep: num.nullish(),
  total_interruption_duration: num.nullish(),
  sleep_score: num.nullish(),
});
const PolarRecharge = z.looseObject({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  heart_rate_variability_avg: num.nullish(),
  breathing_rate_avg: num.nullish(),
  ans_charge: num.nullish(),
});

/** Seconds of an ISO 8601 duration such as `PT1H2M3.500S` or `P1DT2H` (ISO 8601-1:2019 §5.5.2; no years or months). */
export function isoDurationSeconds(text: string): number {
  const m = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text.trim());
  if (!m || text.trim() === 'P' || text.trim().endsWith('T')) throw new Error(`"${text}" is not an ISO 8601 duration such as PT1H2M3S`);
  const [, d, h, mi, s] = m;
  return Number(d ?? 0) * 86_400 + Number(h ?? 0) * 3600 + Number(mi ?? 0) * 60 + Number(s ?? 0);
}

/** The instant of a zone-less local time at `offsetMin` minutes east of UTC. */
function localToInstant(local: string, offsetMin: number): Date {
  const t = Date.parse(`${local}Z`) - offsetMin * 60_000;
  if (!Number.isFinite(t)) throw new RawItemError('start-time', `polar exercise: unreadable start-time "${local}"`);
  return new Date(t);
}

/** Map one exercise summary to a canonical workout (`external_id` = Polar's exercise id). */
export function transformPolarExercise(raw: unknown): SourceWorkoutInput {
  const e = parseRaw(PolarExercise, raw, 'polar exercise');
  const id = String(e.id);
  const offset = e['start-time-utc-offset'];
  const start = localToInstant(e['start-time'], offset);
  let duration: number;
  try {
    duration = isoDurationSeconds(e.duration);
  } catch (err) {
    throw new RawItemError('duration', `polar exercise ${id}: ${(err as Error).message}`);
  }
  // mapSport prefers the detailed sport when it is known and of the same family.
  const { sport, category } = mapSport(e.sport ?? null, e['detailed-sport-info'] ?? null);
  const load = e['training-load'];
  const hr = e['heart-rate'];
  return {
    source: SOURCE,
    external_id: id,
    name: e['detailed-sport-info'] ?? e.sport ?? null,
    start_time: start,
    end_time: new Date(start.getTime() + duration * 1000),
    duration_s: duration,
    utc_offset_min: offset,
    sport,
    source_sport: e['detailed-sport-info'] ?? e.sport ?? null,
    sport_category: category,
    distance_m: e.distance ?? null,
    calories_kcal: e.calories ?? null,
    avg_hr: hr?.average || null,
    max_hr: hr?.maximum || null,
    // Polar's training load (cardio load); other shapes are kept in raw_data only.
    training_load: typeof load === 'number' && Number.isFinite(load) && load >= 0 ? load : null,
    external_ids: { polar: id },
    has_gps: e['has-route'] ?? false,
    raw_data: redact(raw),
  };
}

function reading(date: string, metric: MetricType, value: number | null | undefined, time: Date | null, raw: unknown): BiometricReadingInput[] {
  if (value == null || !Number.isFinite(value)) return [];
  return [{ date, time, metric_type: metric, value, unit: METRIC_UNITS[metric], source: SOURCE, raw_data: raw }];
}

/** Sleep metrics of one night (durations in seconds), on the local day of waking. */
export function polarSleepReadings(raw: unknown): BiometricReadingInput[] {
  const n = parseRaw(PolarNight, raw, 'polar sleep');
  const end = n.sleep_end_time ? new Date(n.sleep_end_time) : null;
  const start = n.sleep_start_time ? new Date(n.sleep_start_time) : null;
  const endOk = end && Number.isFinite(end.getTime()) ? end : null;
  const off = parseOffset(n.sleep_end_time);
  const day = endOk && off != null ? localDay(endOk, off) : n.date;
  const r = redact(raw);
  const stages = [n.light_sleep, n.deep_sleep, n.rem_sleep];
  const asleep = stages.every((s) => s != null) ? stages.reduce<number>((a, s) => a + (s ?? 0), 0) : null;
  const inBed = endOk && start && Number.isFinite(start.getTime()) ? (endOk.getTime() - start.getTime()) / 1000 : null;
  return [
    ...reading(day, 'sleep_duration', asleep, endOk, r),
    ...reading(day, 'sleep_in_bed', inBed, endOk, r),
    ...reading(day, 'sleep_light', n.light_sleep, endOk, r),
    ...reading(day, 'sleep_deep', n.deep_sleep, endOk, r),
    ...reading(day, 'sleep_rem', n.rem_sleep, endOk, r),
    ...reading(day, 'sleep_awake', n.total_interruption_duration, endOk, r),
    ...reading(day, 'sleep_score', n.sleep_score, endOk, r),
  ];
}

/** Nightly recharge: HRV (RMSSD, ms) and breathing rate on its date; ANS charge stays in raw_data (no metric for it). */
export function polarRechargeReadings(raw: unknown): BiometricReadingInput[] {
  const n = parseRaw(PolarRecharge, raw, 'polar nightly recharge');
  const r = redact(raw);
  return [...reading(n.date, 'hrv_rmssd', n.heart_rate_variability_avg, null, r), ...reading(n.date, 'respiratory_rate', n.breathing_rate_avg, null, r)];
}
