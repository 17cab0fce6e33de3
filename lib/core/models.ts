/**
 * Canonical records: what every connector produces and the warehouse stores.
 *
 * Units are SI and explicit in the field names (metres, seconds, kcal, bpm,
 * watts, kg, milliseconds for HRV). Instants are UTC `Date`s together with the
 * local UTC offset in minutes at that instant, so a record lands on the
 * athlete's local day across DST changes and travel.
 */
import { z } from 'zod';

/** Broad family of a sport; drives which metrics and plugins apply. */
export const SportCategory = z.enum(['ENDURANCE', 'STRENGTH', 'BALL_SPORT', 'MIXED']);
/** @see SportCategory */
export type SportCategory = z.infer<typeof SportCategory>;

/** Lower-case identifier of where a record came from (`garmin`, `strava`, `whoop`, ...). */
export const SourceName = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'source must be a lower-case identifier such as "garmin" or "apple_health"');
/** @see SourceName */
export type SourceName = z.infer<typeof SourceName>;

const nonNegative = z.number().finite().nonnegative();
const bpm = z.number().finite().min(20).max(260);
/** Local UTC offset in minutes east of Greenwich (UTC+10 is 600). */
const utcOffset = z.number().int().min(-720).max(840);
// A day that is not on the calendar ("2024-13-45") is refused here, naming the field, not by the warehouse.
const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a local date as YYYY-MM-DD')
  .refine((d) => {
    const ms = Date.parse(`${d}T00:00:00Z`);
    return Number.isFinite(ms) && new Date(ms).toISOString().startsWith(d);
  }, 'not a date on the calendar');

/**
 * One workout as a single source recorded it: one row of `source_workouts`.
 * `external_id` is the source's own id for the record (unique per source).
 */
export const SourceWorkout = z
  .object({
    athlete_id: z.string().min(1).default('me'),
    source: SourceName,
    external_id: z.string().min(1),
    name: z.string().nullable().default(null),
    start_time: z.date(),
    end_time: z.date(),
    duration_s: nonNegative,
    moving_time_s: nonNegative.nullable().default(null),
    utc_offset_min: utcOffset.nullable().default(null),
    sport: z.string().min(1),
    source_sport: z.string().nullable().default(null),
    sport_category: SportCategory,
    distance_m: nonNegative.nullable().default(null),
    calories_kcal: nonNegative.nullable().default(null),
    avg_hr: bpm.nullable().default(null),
    max_hr: bpm.nullable().default(null),
    elevation_gain_m: nonNegative.nullable().default(null),
    avg_power_w: nonNegative.nullable().default(null),
    max_power_w: nonNegative.nullable().default(null),
    avg_cadence: nonNegative.nullable().default(null),
    training_load: nonNegative.nullable().default(null),
    perceived_exertion: z.number().min(0).max(10).nullable().default(null),
    /** Ids of the same activity at other places: `{ garmin: "123", strava: "456", file: "x.fit" }`. */
    external_ids: z.record(z.string(), z.string()).default({}),
    /** The source's own payload, secrets removed; kept so dedup can be re-run with better rules. */
    raw_data: z.unknown().default(null),
    has_gps: z.boolean().default(false),
    has_power: z.boolean().default(false),
    /** For one leg of a multisport activity: the external id of the whole activity. */
    parent_external_id: z.string().nullable().default(null),
    /** File or URL the record was read from. */
    input: z.string().nullable().default(null),
  })
  .superRefine((w, ctx) => {
    if (w.end_time.getTime() < w.start_time.getTime()) {
      ctx.addIssue({ code: 'custom', path: ['end_time'], message: 'end_time is before start_time' });
    }
    if (w.avg_hr != null && w.max_hr != null && w.avg_hr > w.max_hr) {
      ctx.addIssue({ code: 'custom', path: ['avg_hr'], message: `avg_hr ${w.avg_hr} exceeds max_hr ${w.max_hr}` });
    }
  });
/** @see SourceWorkout */
export type SourceWorkout = z.infer<typeof SourceWorkout>;
/** What a connector hands in before defaults are applied. */
export type SourceWorkoutInput = z.input<typeof SourceWorkout>;

/**
 * A canonical, deduplicated workout: one row of `workouts`, built from one or
 * more source records (listed in `workout_sources`).
 */
export const Workout = z.object({
  workout_id: z.string().regex(/^[0-9a-f]{16}$/, 'workout_id is a 16-hex-digit hash'),
  athlete_id: z.string().min(1),
  name: z.string().nullable(),
  start_time: z.date(),
  end_time: z.date(),
  /** Elapsed time, pauses included. */
  duration_s: nonNegative,
  /** Timer or moving time (pauses left out); null when no record of the workout knows it. */
  moving_time_s: nonNegative.nullable(),
  utc_offset_min: utcOffset.nullable(),
  sport: z.string().min(1),
  sport_category: SportCategory,
  distance_m: nonNegative.nullable(),
  calories_kcal: nonNegative.nullable(),
  avg_hr: bpm.nullable(),
  max_hr: bpm.nullable(),
  elevation_gain_m: nonNegative.nullable(),
  avg_power_w: nonNegative.nullable(),
  max_power_w: nonNegative.nullable(),
  avg_cadence: nonNegative.nullable(),
  training_load: nonNegative.nullable(),
  perceived_exertion: z.number().min(0).max(10).nullable(),
  /** The highest-precedence source of the merged record. */
  source: SourceName,
  external_ids: z.record(z.string(), z.string()),
  raw_data: z.unknown(),
  has_gps: z.boolean(),
  has_power: z.boolean(),
  data_quality_score: z.number().min(0).max(1),
  /** Which source supplied each merged field. */
  provenance: z.record(z.string(), z.string()),
});
/** @see Workout */
export type Workout = z.infer<typeof Workout>;

/**
 * Metric types of daily and point biometrics. Names carry the exact quantity:
 * HRV as RMSSD and HRV as SDNN are different metrics and never averaged together.
 */
export const MetricType = z.enum([
  'resting_hr',
  'hrv_rmssd',
  'hrv_sdnn',
  'weight',
  'body_fat_pct',
  'muscle_mass',
  'bmi',
  'sleep_duration',
  'sleep_in_bed',
  'sleep_efficiency',
  'sleep_deep',
  'sleep_rem',
  'sleep_light',
  'sleep_awake',
  'sleep_score',
  'recovery_score',
  'readiness_score',
  'respiratory_rate',
  'spo2',
  'skin_temp',
  'steps',
  'day_strain',
]);
/** @see MetricType */
export type MetricType = z.infer<typeof MetricType>;

/** The unit each metric is stored in. */
export const METRIC_UNITS: Record<MetricType, string> = {
  resting_hr: 'bpm',
  hrv_rmssd: 'ms',
  hrv_sdnn: 'ms',
  weight: 'kg',
  body_fat_pct: '%',
  muscle_mass: 'kg',
  bmi: 'kg/m2',
  sleep_duration: 's',
  sleep_in_bed: 's',
  sleep_efficiency: '%',
  sleep_deep: 's',
  sleep_rem: 's',
  sleep_light: 's',
  sleep_awake: 's',
  sleep_score: 'score',
  recovery_score: 'score',
  readiness_score: 'score',
  respiratory_rate: 'rpm',
  spo2: '%',
  skin_temp: 'degC',
  steps: 'count',
  day_strain: 'score',
};

/** One biometric value on one local day (or at one instant) from one source. */
export const BiometricReading = z
  .object({
    athlete_id: z.string().min(1).default('me'),
    /** The athlete's local day the reading belongs to (a night's sleep: the day of waking). */
    date: isoDay,
    /** When it was measured, if the source says. */
    time: z.date().nullable().default(null),
    metric_type: MetricType,
    value: z.number().finite(),
    unit: z.string().min(1),
    source: SourceName,
    /** 0-1: how far the value is to be trusted (1 for a direct measurement). */
    confidence: z.number().min(0).max(1).default(1),
    raw_data: z.unknown().default(null),
    input: z.string().nullable().default(null),
  })
  .superRefine((b, ctx) => {
    const expected = METRIC_UNITS[b.metric_type];
    if (b.unit !== expected) {
      ctx.addIssue({ code: 'custom', path: ['unit'], message: `${b.metric_type} is stored in ${expected}, got ${b.unit}` });
    }
    if (b.metric_type === 'weight' && b.value <= 0) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'weight must be positive (0 means absent)' });
    }
  });
/** @see BiometricReading */
export type BiometricReading = z.infer<typeof BiometricReading>;
/** What a connector hands in before defaults are applied. */
export type BiometricReadingInput = z.input<typeof BiometricReading>;

/** One sample of a workout's stream; absent channels are null. */
export const StreamSample = z.object({
  /** Epoch milliseconds, UTC. */
  time: z.number().finite(),
  lat: z.number().min(-90).max(90).nullable(),
  lon: z.number().min(-180).max(180).nullable(),
  altitude_m: z.number().finite().nullable(),
  distance_m: z.number().finite().nullable(),
  speed_mps: z.number().finite().nullable(),
  hr: z.number().finite().nullable(),
  power_w: z.number().finite().nullable(),
  cadence: z.number().finite().nullable(),
});
/** @see StreamSample */
export type StreamSample = z.infer<typeof StreamSample>;

/** Channels of a stream, in storage order. */
export const STREAM_CHANNELS = ['lat', 'lon', 'altitude_m', 'distance_m', 'speed_mps', 'hr', 'power_w', 'cadence'] as const;
/** A stream channel name. */
export type StreamChannel = (typeof STREAM_CHANNELS)[number];

/**
 * A workout's samples stored column-wise, as parsers produce them and the
 * warehouse loads them. `time` is epoch ms; NaN marks an absent value.
 */
export interface WorkoutStream {
  source: string;
  external_id: string;
  time: Float64Array;
  channels: Partial<Record<StreamChannel, Float64Array>>;
}

/** An input that could not be read: kept in `import_errors`, never silently dropped. */
export interface ImportError {
  /** File (and member inside an archive) or URL. */
  input: string;
  /** Which record inside the input, when known (e.g. "row 12", "session 2"). */
  record?: string;
  /** Which field, when known. */
  field?: string;
  reason: string;
}

/** What a parser or connector returns: canonical records, never database writes. */
export interface ParseResult {
  workouts: SourceWorkoutInput[];
  biometrics: BiometricReadingInput[];
  streams: WorkoutStream[];
  errors: ImportError[];
}

/** An empty result to accumulate into. */
export function emptyResult(): ParseResult {
  return { workouts: [], biometrics: [], streams: [], errors: [] };
}

/** Append `b` to `a` in place and return `a`. */
export function mergeResults(a: ParseResult, b: ParseResult): ParseResult {
  for (const w of b.workouts) a.workouts.push(w);
  for (const x of b.biometrics) a.biometrics.push(x);
  for (const s of b.streams) a.streams.push(s);
  for (const e of b.errors) a.errors.push(e);
  return a;
}

/**
 * Validate a parsed record against its model: the import error for it (the
 * first bad field named, every problem in the reason), or null when it is valid.
 */
export function rejectionOf(schema: z.ZodType, value: unknown, input: string, record: string, field?: string): ImportError | null {
  const r = schema.safeParse(value);
  if (r.success) return null;
  return { input, record, field: field ?? r.error.issues[0]?.path.join('.'), reason: formatZodError(r.error) };
}

/** Render a zod error as one readable line per issue: `field: message`. */
export function formatZodError(err: z.ZodError, context?: string): string {
  const lines = err.issues.map((i) => `${i.path.length ? i.path.join('.') : '(record)'}: ${i.message}`);
  return (context ? `${context}: ` : '') + lines.join('; ');
}
