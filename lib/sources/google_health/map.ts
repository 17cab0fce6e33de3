/**
 * Google Health's one mapping to canonical records. Every way a record
 * arrives is first put in the Google Health API's own shape, a v4 DataPoint
 * (REST reference, `users.dataTypes.dataPoints`): the API's first-party list
 * as it is, and each row of the Fitbit account archive read into that shape
 * (see export.ts). Schemas hold the fields used, in the API's names.
 */
import { z } from 'zod';
import { METRIC_UNITS, type BiometricReadingInput, type MetricType, type ParseResult, type SourceWorkoutInput, type WorkoutStream } from '../../core/models.ts';
import { mapSport } from '../../core/sports.ts';
import { parseRaw } from '../base.ts';
import { SOURCE } from './index.ts';

const num = z.number().finite();
/** int64 fields arrive as JSON strings (proto3 JSON mapping); numbers are accepted too. */
const int64 = z.union([z.number().int(), z.string().regex(/^-?\d+$/)]);
/** google.protobuf.Duration in JSON: seconds with an `s` suffix, e.g. "-18000s". */
const duration = z.string().regex(/^-?\d+(\.\d+)?s$/, 'expected a duration such as "3600s"');
const instant = z.iso.datetime({ offset: true });
const calendarDate = z.looseObject({ year: z.number().int(), month: z.number().int().min(1).max(12), day: z.number().int().min(1).max(31) });
const civilDateTime = z.looseObject({
  date: calendarDate,
  time: z.looseObject({ hours: z.number().int().nullish(), minutes: z.number().int().nullish(), seconds: z.number().int().nullish() }).nullish(),
});
/** ObservationSampleTime; the archive knows some samples only as local wall time (`civilTime`). */
const sampleTime = z
  .looseObject({ physicalTime: instant.nullish(), utcOffset: duration.nullish(), civilTime: civilDateTime.nullish() })
  .refine((t) => t.physicalTime != null || t.civilTime != null, 'needs physicalTime or civilTime');

/** A data point of the `exercise` session data type. */
export const ExercisePoint = z.looseObject({
  name: z.string().regex(/\/dataPoints\/[^/]+$/, 'expected users/{user}/dataTypes/exercise/dataPoints/{id}'),
  exercise: z.looseObject({
    interval: z.looseObject({ startTime: instant, endTime: instant, startUtcOffset: duration.nullish(), endUtcOffset: duration.nullish() }),
    displayName: z.string(),
    exerciseType: z.string().nullish(),
    activeDuration: duration.nullish(),
    metricsSummary: z
      .looseObject({
        caloriesKcal: num.nonnegative().nullish(),
        distanceMillimeters: num.nonnegative().nullish(),
        steps: int64.nullish(),
        averageHeartRateBeatsPerMinute: int64.nullish(),
        elevationGainMillimeters: num.nullish(),
      })
      .nullish(),
    exerciseMetadata: z.looseObject({ hasGps: z.boolean().nullish() }).nullish(),
  }),
});
/** @see ExercisePoint */
export type ExercisePoint = z.infer<typeof ExercisePoint>;

/** A data point of the `sleep` session data type; the archive gives its times only as local wall time. */
export const SleepPoint = z.looseObject({
  name: z.string().nullish(),
  sleep: z.looseObject({
    interval: z
      .looseObject({
        startTime: instant.nullish(),
        endTime: instant.nullish(),
        endUtcOffset: duration.nullish(),
        civilStartTime: civilDateTime.nullish(),
        civilEndTime: civilDateTime.nullish(),
      })
      .refine((i) => i.endTime != null || i.civilEndTime != null, 'needs endTime or civilEndTime'),
    type: z.string().nullish(),
    metadata: z.looseObject({ nap: z.boolean().nullish() }).nullish(),
    summary: z
      .looseObject({
        minutesAsleep: int64.nullish(),
        minutesAwake: int64.nullish(),
        minutesInSleepPeriod: int64.nullish(),
        stagesSummary: z.array(z.looseObject({ type: z.string(), minutes: int64.nullish() })).nullish(),
      })
      .nullish(),
  }),
});
/** @see SleepPoint */
export type SleepPoint = z.infer<typeof SleepPoint>;

/** A `daily-resting-heart-rate` data point. */
export const RestingHeartRatePoint = z.looseObject({
  dailyRestingHeartRate: z.looseObject({ date: calendarDate, beatsPerMinute: int64 }),
});
/** A `daily-heart-rate-variability` data point (RMSSD, milliseconds). */
export const HeartRateVariabilityPoint = z.looseObject({
  dailyHeartRateVariability: z.looseObject({ date: calendarDate, averageHeartRateVariabilityMilliseconds: num.nullish() }),
});
/** A `weight` data point. */
export const WeightPoint = z.looseObject({ weight: z.looseObject({ sampleTime, weightGrams: num }) });
/** A `body-fat` data point. */
export const BodyFatPoint = z.looseObject({ bodyFat: z.looseObject({ sampleTime, percentage: num }) });

/** A `heart-rate` data point: one sample. */
export const HeartRatePoint = z.looseObject({
  heartRate: z.looseObject({ sampleTime: z.looseObject({ physicalTime: instant }), beatsPerMinute: int64 }),
});

/** Add a `heart-rate` point to samples; throws on a point that is not one. */
export function addHeartRatePoint(raw: unknown, into: HeartRateSamples): void {
  const h = parseRaw(HeartRatePoint, raw, 'google health heart rate').heartRate;
  into.time.push(Date.parse(h.sampleTime.physicalTime));
  into.bpm.push(Number(h.beatsPerMinute));
}

/** The data types read, with the field that carries a point of each. */
export const DAILY_TYPES = {
  'daily-resting-heart-rate': { schema: RestingHeartRatePoint, what: 'google health daily resting heart rate' },
  'daily-heart-rate-variability': { schema: HeartRateVariabilityPoint, what: 'google health daily heart rate variability' },
  weight: { schema: WeightPoint, what: 'google health weight' },
  'body-fat': { schema: BodyFatPoint, what: 'google health body fat' },
} as const;
/** A data type mapped to biometrics by {@link mapReadings}. */
export type ReadingType = keyof typeof DAILY_TYPES | 'sleep';

/** Where a record came from: what its canonical rows carry besides the point's own fields. */
export interface GoogleHealthOrigin {
  /** Source to file the record under (default `google_health`). */
  source?: string;
  athleteId?: string;
  /** File (archive member) or URL the record was read from. */
  input?: string;
  /** The payload kept as raw_data, secrets already removed. */
  rawData: unknown;
}

/** A recorded track of an exercise (a TCX file), as `formats/tcx.ts` read it. */
export interface ExerciseTrack {
  stream: WorkoutStream;
  /** The track's start instant, epoch ms. */
  startMs: number;
  /** The local UTC offset the file wrote its times in; null when it wrote UTC. */
  offsetMin: number | null;
}

/** Heart-rate samples: epoch ms and bpm, in any order. */
export interface HeartRateSamples {
  time: number[];
  bpm: number[];
}

/** What an exercise brings besides its summary: a track and heart-rate samples inside its interval. */
export interface ExerciseExtras {
  track?: ExerciseTrack | null;
  heartRate?: HeartRateSamples | null;
}

/** A canonical workout and its stream (null when there is neither a track nor heart rate). */
export interface MappedExercise {
  workout: SourceWorkoutInput;
  stream: WorkoutStream | null;
}

/** Seconds of a protobuf duration ("3600s"), null when absent. */
export function durationSeconds(d: string | null | undefined): number | null {
  return d ? Number(d.slice(0, -1)) : null;
}

/** A protobuf duration of whole or fractional seconds. */
export function durationOf(seconds: number): string {
  return `${Number(seconds.toFixed(3))}s`;
}

/** The id of a data point: the last segment of its resource name. */
export function pointId(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

function isoDay(d: { year: number; month: number; day: number }): string {
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

function offsetMinutes(d: string | null | undefined): number | null {
  const s = durationSeconds(d);
  return s == null ? null : Math.round(s / 60);
}

/** The local day of an instant at an offset, or its UTC day when the offset is unknown. */
function dayOf(time: string, offset: string | null | undefined): string {
  return new Date(Date.parse(time) + (offsetMinutes(offset) ?? 0) * 60_000).toISOString().slice(0, 10);
}

/** The first TCX activity of a parse result as a track; null when it has no points. */
export function trackFromTcx(parsed: ParseResult): ExerciseTrack | null {
  const w = parsed.workouts[0];
  const s = parsed.streams[0];
  if (!w || !s || s.time.length === 0) return null;
  return { stream: s, startMs: w.start_time.getTime(), offsetMin: w.utc_offset_min ?? null };
}

/** Heart-rate samples as a stream: sorted by time, one sample per instant, hr the only channel. */
function heartRateStream(externalId: string, source: string, hr: HeartRateSamples): WorkoutStream {
  const order = hr.time.map((_, i) => i).sort((a, b) => hr.time[a]! - hr.time[b]! || a - b);
  const time: number[] = [];
  const bpm: number[] = [];
  for (const i of order) {
    if (time.length > 0 && time[time.length - 1] === hr.time[i]) continue;
    time.push(hr.time[i]!);
    bpm.push(hr.bpm[i]!);
  }
  return { source, external_id: externalId, time: Float64Array.from(time), channels: { hr: Float64Array.from(bpm) } };
}

/** The heart-rate sample nearest each track point (within 10 s), for a track recorded without heart rate. */
function fillHeartRate(track: WorkoutStream, hr: WorkoutStream): Float64Array {
  const out = new Float64Array(track.time.length).fill(NaN);
  const ht = hr.time;
  const hv = hr.channels.hr!;
  let j = 0;
  for (let i = 0; i < track.time.length; i++) {
    const t = track.time[i]!;
    while (j + 1 < ht.length && Math.abs(ht[j + 1]! - t) <= Math.abs(ht[j]! - t)) j++;
    if (ht.length > 0 && Math.abs(ht[j]! - t) <= 10_000) out[i] = hv[j]!;
  }
  return out;
}

function hasValues(a: Float64Array | undefined): boolean {
  return a !== undefined && a.some((v) => !Number.isNaN(v));
}

function maxOf(a: Float64Array | undefined): number | null {
  let m: number | null = null;
  if (a) for (const v of a) if (v >= 20 && v <= 260 && (m === null || v > m)) m = v;
  return m;
}

/**
 * Map one exercise to a canonical workout (external id: the exercise id,
 * which the archive calls `logId`). Duration is the interval (pauses
 * included), moving time `activeDuration`; distance, calories, elevation and
 * average heart rate come from `metricsSummary` (millimetres to metres).
 * The stream is the track when there is one (heart rate filled from the
 * samples where the track has none), else the heart-rate samples; the
 * maximum heart rate is the stream's. The local offset is the interval's,
 * else the track's.
 */
export function mapExercise(raw: unknown, origin: GoogleHealthOrigin, extras: ExerciseExtras = {}): MappedExercise {
  const p = parseRaw(ExercisePoint, raw, 'google health exercise');
  const e = p.exercise;
  const id = pointId(p.name);
  const source = origin.source ?? SOURCE;
  const start = new Date(e.interval.startTime);
  const end = new Date(e.interval.endTime);
  const m = e.metricsSummary ?? {};
  const hr = extras.heartRate && extras.heartRate.time.length > 0 ? heartRateStream(id, source, extras.heartRate) : null;
  let stream: WorkoutStream | null = null;
  if (extras.track) {
    const channels = { ...extras.track.stream.channels };
    if (!hasValues(channels.hr) && hr) channels.hr = fillHeartRate(extras.track.stream, hr);
    stream = { source, external_id: id, time: extras.track.stream.time, channels };
  } else if (hr) {
    stream = hr;
  }
  const avgHr = m.averageHeartRateBeatsPerMinute != null ? Number(m.averageHeartRateBeatsPerMinute) : null;
  const { sport, category } = mapSport(e.displayName, e.exerciseType);
  const workout: SourceWorkoutInput = {
    athlete_id: origin.athleteId,
    source,
    external_id: id,
    name: e.displayName,
    start_time: start,
    end_time: end,
    duration_s: Math.max(0, (end.getTime() - start.getTime()) / 1000),
    moving_time_s: durationSeconds(e.activeDuration),
    utc_offset_min: offsetMinutes(e.interval.startUtcOffset) ?? extras.track?.offsetMin ?? null,
    sport,
    source_sport: e.displayName,
    sport_category: category,
    distance_m: m.distanceMillimeters != null ? m.distanceMillimeters / 1000 : null,
    calories_kcal: m.caloriesKcal ?? null,
    // Fitbit writes 0 for an exercise recorded without heart rate.
    avg_hr: avgHr != null && avgHr > 0 ? avgHr : null,
    max_hr: maxOf(stream?.channels.hr),
    elevation_gain_m: m.elevationGainMillimeters != null && m.elevationGainMillimeters >= 0 ? m.elevationGainMillimeters / 1000 : null,
    training_load: null,
    external_ids: { [source]: id },
    raw_data: origin.rawData,
    has_gps: hasValues(stream?.channels.lat),
    has_power: false,
    input: origin.input,
  };
  return { workout, stream };
}

function reading(
  metric: MetricType,
  date: string,
  time: Date | null,
  value: number | null | undefined,
  origin: GoogleHealthOrigin,
): BiometricReadingInput[] {
  if (value == null || !Number.isFinite(value)) return [];
  return [
    {
      athlete_id: origin.athleteId,
      date,
      time,
      metric_type: metric,
      value,
      unit: METRIC_UNITS[metric],
      source: origin.source ?? SOURCE,
      raw_data: origin.rawData,
      input: origin.input,
    },
  ];
}

const STAGE_METRICS: Record<string, MetricType> = { DEEP: 'sleep_deep', LIGHT: 'sleep_light', REM: 'sleep_rem' };

/**
 * A night's sleep on the local day of waking (naps are left out). Minutes
 * become seconds; stage durations come from a stages sleep only (a classic
 * sleep's ASLEEP/RESTLESS are not stages). Efficiency is time asleep over
 * time in the sleep period (AASM Scoring Manual: sleep efficiency = total
 * sleep time / time in bed x 100), computed the same way for every way in.
 */
function sleepReadings(p: SleepPoint, origin: GoogleHealthOrigin): BiometricReadingInput[] {
  const s = p.sleep;
  if (s.metadata?.nap) return [];
  const i = s.interval;
  const day = i.civilEndTime ? isoDay(i.civilEndTime.date) : dayOf(i.endTime!, i.endUtcOffset);
  const end = i.endTime ? new Date(i.endTime) : null;
  const sum = s.summary ?? {};
  const minutes = (v: string | number | null | undefined) => (v == null ? null : Number(v));
  const asleep = minutes(sum.minutesAsleep);
  const inBed = minutes(sum.minutesInSleepPeriod);
  const out = [
    ...reading('sleep_duration', day, end, asleep != null ? asleep * 60 : null, origin),
    ...reading('sleep_in_bed', day, end, inBed != null ? inBed * 60 : null, origin),
    ...reading('sleep_awake', day, end, minutes(sum.minutesAwake) != null ? minutes(sum.minutesAwake)! * 60 : null, origin),
    ...reading('sleep_efficiency', day, end, asleep != null && inBed ? (asleep / inBed) * 100 : null, origin),
  ];
  if (s.type === 'STAGES') {
    for (const st of sum.stagesSummary ?? []) {
      const metric = STAGE_METRICS[st.type];
      if (metric) out.push(...reading(metric, day, end, minutes(st.minutes) != null ? minutes(st.minutes)! * 60 : null, origin));
    }
  }
  return out;
}

/** The local day and instant of a sample: its civil time when given, else its physical time at its offset. */
function sampleAt(t: z.infer<typeof sampleTime>): { day: string; time: Date | null } {
  const time = t.physicalTime ? new Date(t.physicalTime) : null;
  return { day: t.civilTime ? isoDay(t.civilTime.date) : dayOf(t.physicalTime!, t.utcOffset), time };
}

/**
 * Biometric readings of one data point: sleep metrics; resting heart rate;
 * HRV as RMSSD (a 0 is Fitbit's "no value"); weight (grams to kg); body fat.
 * Daily types land on their own date; samples on their local day.
 */
export function mapReadings(type: ReadingType, raw: unknown, origin: GoogleHealthOrigin): BiometricReadingInput[] {
  if (type === 'sleep') return sleepReadings(parseRaw(SleepPoint, raw, 'google health sleep'), origin);
  const { schema, what } = DAILY_TYPES[type];
  const p = parseRaw(schema, raw, what) as Record<string, unknown>;
  if (type === 'daily-resting-heart-rate') {
    const r = (p as z.infer<typeof RestingHeartRatePoint>).dailyRestingHeartRate;
    const bpm = Number(r.beatsPerMinute);
    return bpm > 0 ? reading('resting_hr', isoDay(r.date), null, bpm, origin) : [];
  }
  if (type === 'daily-heart-rate-variability') {
    const r = (p as z.infer<typeof HeartRateVariabilityPoint>).dailyHeartRateVariability;
    const v = r.averageHeartRateVariabilityMilliseconds;
    return v != null && v > 0 ? reading('hrv_rmssd', isoDay(r.date), null, v, origin) : [];
  }
  if (type === 'weight') {
    const w = (p as z.infer<typeof WeightPoint>).weight;
    const at = sampleAt(w.sampleTime);
    return w.weightGrams > 0 ? reading('weight', at.day, at.time, w.weightGrams / 1000, origin) : [];
  }
  const f = (p as z.infer<typeof BodyFatPoint>).bodyFat;
  const at = sampleAt(f.sampleTime);
  return f.percentage > 0 ? reading('body_fat_pct', at.day, at.time, f.percentage, origin) : [];
}
