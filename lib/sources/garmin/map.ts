/**
 * The one mapping from Garmin Connect's records to the canonical models, used
 * by the API client and by the account-export reader. The schemas mirror the
 * Connect API's responses in its own field names; the export reader turns the
 * export's units and names into these shapes first.
 *
 * Where the earlier API and export mappings disagreed, this one trusts:
 * running cadence in steps per minute, as Connect gives it (FIT files and
 * Strava count strides and are doubled on import, so the same run agrees
 * across sources); time in bed as the sleep window
 * (end − start) and the night's readings timed at its end, as Garmin records
 * the window; a weigh-in at `timestampGMT` (`date` is the local wall clock
 * written as epoch ms); 0 as absent for HR, power, respiration, SpO2, HRV and
 * body composition (Garmin writes 0 for a failed measurement); UTC offsets
 * rounded to the quarter hour (the two clocks jitter by seconds); an activity
 * without any duration is an error rather than a zero-second workout.
 */
import { z } from 'zod';
import { METRIC_UNITS, SourceWorkout, formatZodError, type BiometricReadingInput, type MetricType, type SourceWorkoutInput } from '../../core/models.ts';
import { redact } from '../../core/redact.ts';
import { mapSport } from '../../core/sports.ts';
import { parseRaw, RawItemError } from '../base.ts';
import { SOURCE } from './index.ts';

const num = z.number().finite();
const count = num.nonnegative();
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a YYYY-MM-DD day');
/** Garmin's zone-less wall-clock text: `2024-05-01 06:00:00` (list) or `2026-01-08T14:10:21.0` (detail). */
const wallClock = z.string().regex(/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?$/, 'expected a time as YYYY-MM-DD HH:MM:SS');
const id = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]);

/** An item of `activitylist-service/activities/search/activities` (the detail's `summaryDTO` is flattened to it). */
export const GarminActivity = z.looseObject({
  activityId: id,
  activityName: z.string().nullish(),
  startTimeGMT: wallClock,
  startTimeLocal: wallClock.nullish(),
  activityType: z.looseObject({ typeKey: z.string() }).nullish(),
  /** Only the account export names the sport family (RUNNING, CYCLING, ...). */
  sportType: z.string().nullish(),
  /** The whole activity, for one leg of a multisport activity. */
  parentId: id.nullish(),
  distance: count.nullish(),
  duration: count.nullish(),
  elapsedDuration: count.nullish(),
  movingDuration: count.nullish(),
  elevationGain: num.nullish(),
  calories: count.nullish(),
  averageHR: num.nullish(),
  maxHR: num.nullish(),
  avgPower: num.nullish(),
  averagePower: num.nullish(),
  maxPower: num.nullish(),
  /** Steps per minute, in the list... */
  averageRunningCadenceInStepsPerMinute: num.nullish(),
  /** ...and in the detail's `summaryDTO`. */
  averageRunCadence: num.nullish(),
  averageBikingCadenceInRevPerMinute: num.nullish(),
  averageBikeCadence: num.nullish(),
  activityTrainingLoad: count.nullish(),
  startLatitude: num.nullish(),
  hasPolyline: z.boolean().nullish(),
});
/** @see GarminActivity */
export type GarminActivity = z.infer<typeof GarminActivity>;

/** `dailySleepDTO` of a `dailySleepData` response (wellness-service and sleep-service alike); timestamps are epoch ms. */
export const GarminSleepDTO = z.looseObject({
  calendarDate: day,
  sleepTimeSeconds: count.nullish(),
  deepSleepSeconds: count.nullish(),
  lightSleepSeconds: count.nullish(),
  remSleepSeconds: count.nullish(),
  awakeSleepSeconds: count.nullish(),
  sleepStartTimestampGMT: num.nullish(),
  sleepEndTimestampGMT: num.nullish(),
  averageRespirationValue: num.nullish(),
  averageSpO2Value: num.nullish(),
  sleepScores: z.looseObject({ overall: z.looseObject({ value: num.nullish() }).nullish() }).nullish(),
});

/** A `dailySleepData` response. */
export const GarminSleepResponse = z.looseObject({
  dailySleepDTO: GarminSleepDTO.nullish(),
  wellnessSpO2SleepSummaryDTO: z.looseObject({ averageSPO2: num.nullish() }).nullish(),
});

/** A `hrv-service/hrv/{date}` response: `lastNightAvg` is the night's RMSSD in ms. */
export const GarminHrvResponse = z.looseObject({
  hrvSummary: z.looseObject({ calendarDate: day, lastNightAvg: num.nullish(), status: z.string().nullish() }).nullish(),
});

/** A `usersummary-service/usersummary/daily` response. */
export const GarminUserSummary = z.looseObject({ calendarDate: day, restingHeartRate: num.nullish(), totalSteps: count.nullish() });

/** One weigh-in of the weight service: masses in grams, `timestampGMT` in epoch ms. */
export const GarminWeighIn = z.looseObject({
  calendarDate: day.nullish(),
  timestampGMT: num.nullish(),
  weight: num.nullish(),
  bodyFat: num.nullish(),
  bmi: num.nullish(),
  muscleMass: num.nullish(),
  sourceType: z.string().nullish(),
});

/** A weight-service range response: `dateWeightList`, or `dailyWeightSummaries[].allWeightMetrics`. */
export const GarminWeightResponse = z.looseObject({
  dateWeightList: z.array(z.unknown()).nullish(),
  dailyWeightSummaries: z.array(z.looseObject({ allWeightMetrics: z.array(z.unknown()).nullish() })).nullish(),
});

const positive = (v: number | null | undefined): number | null => (v != null && v > 0 ? v : null);
const grams = (v: number | null | undefined): number | null => (v != null && v > 0 ? v / 1000 : null);

/** The detail response (`summaryDTO` beside ids, type and metadata) in the list item's shape. */
function flattenDetail(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || !('summaryDTO' in raw)) return raw;
  const d = raw as Record<string, unknown> & { summaryDTO: Record<string, unknown>; metadataDTO?: { hasPolyline?: unknown } | null };
  return {
    ...d.summaryDTO,
    activityId: d.activityId,
    activityName: d.activityName,
    activityType: d.activityTypeDTO,
    parentId: d.parentId,
    hasPolyline: d.metadataDTO?.hasPolyline,
  };
}

/** Epoch ms of Garmin's zone-less wall-clock text, read as if it were UTC. */
function wallClockMs(text: string): number {
  const [date, time] = text.split(/[ T]/) as [string, string];
  const [hms, frac = ''] = time.split('.');
  return Date.parse(`${date}T${hms}.${frac.slice(0, 3).padEnd(3, '0')}Z`);
}

/**
 * A Garmin activity (list item, detail response, or an export summary turned
 * into the list shape) as a canonical workout. `payload` is what is kept as
 * `raw_data` (default: `raw` itself), secrets removed. Throws `RawItemError`
 * naming the field when the record is unusable.
 */
export function garminWorkout(raw: unknown, opts: { source?: string; payload?: unknown } = {}): SourceWorkoutInput {
  const a = parseRaw(GarminActivity, flattenDetail(raw), 'garmin activity');
  const external = String(a.activityId);
  const start = wallClockMs(a.startTimeGMT);
  const duration = a.elapsedDuration ?? a.duration;
  if (duration == null) throw new RawItemError('duration', 'garmin activity: no elapsedDuration or duration');
  // startTimeLocal is the local wall clock written as if it were UTC.
  const offset = a.startTimeLocal ? Math.round((wallClockMs(a.startTimeLocal) - start) / 60_000 / 15) * 15 : null;
  const typeKey = a.activityType?.typeKey ?? null;
  // typeKey (treadmill_running) is more specific than sportType (RUNNING), so it goes in the sub-sport slot.
  const { sport, category } = mapSport(a.sportType ?? null, typeKey);
  const runSteps = a.averageRunningCadenceInStepsPerMinute ?? a.averageRunCadence;
  const power = positive(a.avgPower ?? a.averagePower);
  const w: SourceWorkoutInput = {
    source: opts.source ?? SOURCE,
    external_id: external,
    name: a.activityName ?? null,
    start_time: new Date(start),
    end_time: new Date(start + duration * 1000),
    duration_s: duration,
    moving_time_s: a.movingDuration ?? null,
    utc_offset_min: offset != null && offset >= -720 && offset <= 840 ? offset : null,
    sport,
    source_sport: typeKey ?? a.sportType ?? null,
    sport_category: category,
    distance_m: a.distance ?? null,
    calories_kcal: a.calories ?? null,
    avg_hr: positive(a.averageHR),
    max_hr: positive(a.maxHR),
    elevation_gain_m: a.elevationGain != null && a.elevationGain >= 0 ? a.elevationGain : null,
    avg_power_w: power,
    max_power_w: positive(a.maxPower),
    avg_cadence: runSteps ?? a.averageBikingCadenceInRevPerMinute ?? a.averageBikeCadence ?? null,
    training_load: a.activityTrainingLoad ?? null,
    external_ids: { garmin: external },
    raw_data: redact(opts.payload ?? raw),
    has_gps: a.hasPolyline === true || a.startLatitude != null,
    has_power: power != null,
    parent_external_id: a.parentId != null ? String(a.parentId) : null,
  };
  const checked = SourceWorkout.safeParse(w);
  if (!checked.success) throw new RawItemError(checked.error.issues[0]?.path.join('.'), formatZodError(checked.error, `garmin activity ${external}`));
  return w;
}

/** One reading, or none when the value is absent. */
function reading(source: string, date: string, time: Date | null, metric: MetricType, value: number | null | undefined, raw: unknown): BiometricReadingInput[] {
  if (value == null) return [];
  return [{ date, time, metric_type: metric, value, unit: METRIC_UNITS[metric], source, raw_data: raw }];
}

/** The readings of one `dailySleepData` response, on Garmin's `calendarDate` (the day of waking). */
export function garminSleepReadings(raw: unknown, source = SOURCE): BiometricReadingInput[] {
  const body = parseRaw(GarminSleepResponse, raw, 'garmin sleep');
  const s = body.dailySleepDTO;
  // A day Garmin recorded no sleep for yields nothing rather than a zero-hour night.
  if (!s?.sleepTimeSeconds) return [];
  const d = s.calendarDate;
  const start = s.sleepStartTimestampGMT ?? null;
  const end = s.sleepEndTimestampGMT ?? null;
  const at = end != null ? new Date(end) : null;
  const kept = { calendarDate: d, sleepStartTimestampGMT: start, sleepEndTimestampGMT: end };
  const r = (metric: MetricType, value: number | null | undefined) => reading(source, d, at, metric, value, kept);
  return [
    ...r('sleep_duration', s.sleepTimeSeconds),
    ...r('sleep_in_bed', start != null && end != null && end > start ? (end - start) / 1000 : null),
    ...r('sleep_deep', s.deepSleepSeconds),
    ...r('sleep_light', s.lightSleepSeconds),
    ...r('sleep_rem', s.remSleepSeconds),
    ...r('sleep_awake', s.awakeSleepSeconds),
    ...r('sleep_score', s.sleepScores?.overall?.value),
    ...r('respiratory_rate', positive(s.averageRespirationValue)),
    ...r('spo2', positive(s.averageSpO2Value ?? body.wellnessSpO2SleepSummaryDTO?.averageSPO2)),
  ];
}

/** The night's RMSSD of one HRV response. */
export function garminHrvReadings(raw: unknown, source = SOURCE): BiometricReadingInput[] {
  const h = parseRaw(GarminHrvResponse, raw, 'garmin hrv').hrvSummary;
  if (!h) return [];
  return reading(source, h.calendarDate, null, 'hrv_rmssd', positive(h.lastNightAvg), { calendarDate: h.calendarDate, status: h.status ?? null });
}

/** Resting HR and steps of one daily user summary. */
export function garminSummaryReadings(raw: unknown, source = SOURCE): BiometricReadingInput[] {
  const s = parseRaw(GarminUserSummary, raw, 'garmin daily summary');
  const kept = { calendarDate: s.calendarDate };
  return [
    ...reading(source, s.calendarDate, null, 'resting_hr', positive(s.restingHeartRate), kept),
    ...reading(source, s.calendarDate, null, 'steps', s.totalSteps, kept),
  ];
}

/** The weigh-ins of a weight-service response, each with its place in the response (for errors). */
export function garminWeighIns(raw: unknown): Array<{ record: string; item: unknown }> {
  const body = parseRaw(GarminWeightResponse, raw, 'garmin weight');
  return [
    ...(body.dateWeightList ?? []).map((item, i) => ({ record: `dateWeightList[${i}]`, item })),
    ...(body.dailyWeightSummaries ?? []).flatMap((d, i) =>
      (d.allWeightMetrics ?? []).map((item, j) => ({ record: `dailyWeightSummaries[${i}].allWeightMetrics[${j}]`, item })),
    ),
  ];
}

/** Readings of one weigh-in: grams to kg, on its `calendarDate` (else the UTC day of `timestampGMT`). */
export function garminWeighInReadings(raw: unknown, source = SOURCE): BiometricReadingInput[] {
  const w = parseRaw(GarminWeighIn, raw, 'garmin weigh-in');
  const time = w.timestampGMT != null ? new Date(w.timestampGMT) : null;
  const date = w.calendarDate ?? time?.toISOString().slice(0, 10);
  if (!date) throw new RawItemError('calendarDate', 'garmin weigh-in: neither a calendarDate nor a timestampGMT');
  const kept = { calendarDate: date, timestampGMT: w.timestampGMT ?? null, sourceType: w.sourceType ?? null };
  return [
    ...reading(source, date, time, 'weight', grams(w.weight), kept),
    ...reading(source, date, time, 'body_fat_pct', positive(w.bodyFat), kept),
    ...reading(source, date, time, 'muscle_mass', grams(w.muscleMass), kept),
    ...reading(source, date, time, 'bmi', positive(w.bmi), kept),
  ];
}
