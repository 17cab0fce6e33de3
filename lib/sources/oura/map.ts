/**
 * The one mapping from Oura's records (`records.ts`) to canonical workouts and
 * daily readings, used alike by the API connector and the export reader.
 * Nothing here fetches or reads files; each record comes with where it came
 * from, and a bad record or field becomes an error naming it.
 */
import type { z } from 'zod';
import {
  BiometricReading,
  METRIC_UNITS,
  SourceWorkout,
  rejectionOf,
  type MetricType,
  type ParseResult,
  type SourceWorkoutInput,
} from '../../core/models.ts';
import { mapSport } from '../../core/sports.ts';
import { OuraDailyActivity, OuraDailyReadiness, OuraDailySleep, OuraSleepPeriod, OuraWorkout, type OuraDailyCollection } from './records.ts';

/** Whose rows these are: the source name they carry and, when known, the athlete. */
export interface OuraContext {
  source: string;
  athleteId?: string;
}

/** One Oura record as read, with where it came from. */
export interface OuraItem {
  /** The record in Oura's shape. */
  record: unknown;
  /** File or URL it was read from. */
  input: string;
  /** Which record of the input, for errors ("row 3", "sleep[2]", "record 8f1c…"). */
  label: string;
  /** The payload stored with its rows as `raw_data`. */
  raw: unknown;
}

/** A record parsed field by field: the fields that match, and one error per field that does not, so one bad value costs only itself. */
function fieldwise<S extends z.ZodObject>(schema: S, item: OuraItem, out: ParseResult): Partial<z.output<S>> | null {
  const rec = item.record;
  if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) {
    out.errors.push({ input: item.input, record: item.label, reason: 'not an object' });
    return null;
  }
  const parsed: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    const r = type.safeParse((rec as Record<string, unknown>)[name]);
    if (r.success) parsed[name] = r.data;
    else out.errors.push({ input: item.input, record: item.label, field: name, reason: r.error.issues[0]?.message ?? 'invalid' });
  }
  return parsed as Partial<z.output<S>>;
}

function pushReading(out: ParseResult, ctx: OuraContext, item: OuraItem, date: string, time: Date | null, metric: MetricType, value: number | null | undefined): void {
  if (value == null) return;
  const reading = { athlete_id: ctx.athleteId, date, time, metric_type: metric, value, unit: METRIC_UNITS[metric], source: ctx.source, raw_data: item.raw, input: item.input };
  const problem = rejectionOf(BiometricReading, reading, item.input, item.label, metric);
  if (problem) out.errors.push(problem);
  else out.biometrics.push(reading);
}

/** Sleep-period fields to metrics. */
const SLEEP_METRICS: readonly [keyof z.output<typeof OuraSleepPeriod>, MetricType][] = [
  ['average_hrv', 'hrv_rmssd'],
  ['lowest_heart_rate', 'resting_hr'],
  ['average_breath', 'respiratory_rate'],
  ['total_sleep_duration', 'sleep_duration'],
  ['efficiency', 'sleep_efficiency'],
  ['deep_sleep_duration', 'sleep_deep'],
  ['rem_sleep_duration', 'sleep_rem'],
  ['light_sleep_duration', 'sleep_light'],
  ['awake_time', 'sleep_awake'],
  ['time_in_bed', 'sleep_in_bed'],
];

// The API kept every `long_sleep`, with respiratory rate; the export kept the longest `long_sleep`, else the longest
// `sleep`, without it. Both now: one main period per day, its longest `long_sleep` (a period without a type counts as
// one), else its longest `sleep`, since a short night is still that night's data; never `late_nap`, `rest` or
// `deleted`. All that period's metrics count, `average_breath` included: the export had no reason to drop it.
const MAIN_RANK: Readonly<Record<string, number>> = { long_sleep: 2, sleep: 1 };

/**
 * Sleep periods to each day's readings (HRV, resting and breathing rate,
 * durations, efficiency), from the day's main period only, at its
 * `bedtime_end`. Periods of one day may come in any order.
 */
export function mapOuraSleep(items: readonly OuraItem[], ctx: OuraContext, out: ParseResult): void {
  const main = new Map<string, { item: OuraItem; period: Partial<z.output<typeof OuraSleepPeriod>>; rank: number; length: number }>();
  for (const item of items) {
    const period = fieldwise(OuraSleepPeriod, item, out);
    // A period whose type was bad (and reported) cannot be ranked.
    if (!period?.day || !('type' in period)) continue;
    const rank = MAIN_RANK[period.type ?? 'long_sleep'] ?? 0;
    const length = period.total_sleep_duration ?? 0;
    const cur = main.get(period.day);
    if (rank > 0 && (!cur || rank > cur.rank || (rank === cur.rank && length > cur.length))) main.set(period.day, { item, period, rank, length });
  }
  for (const [day, { item, period }] of main) {
    const time = period.bedtime_end?.time ?? null;
    for (const [field, metric] of SLEEP_METRICS) pushReading(out, ctx, item, day, time, metric, period[field] as number | null | undefined);
  }
}

/** Each daily collection's schema and which of its fields becomes which metric. */
const DAILY: Record<OuraDailyCollection, { schema: typeof OuraDailySleep | typeof OuraDailyReadiness | typeof OuraDailyActivity; field: 'score' | 'steps'; metric: MetricType }> = {
  daily_sleep: { schema: OuraDailySleep, field: 'score', metric: 'sleep_score' },
  daily_readiness: { schema: OuraDailyReadiness, field: 'score', metric: 'readiness_score' },
  daily_activity: { schema: OuraDailyActivity, field: 'steps', metric: 'steps' },
};

/** One day of a daily collection to its reading (sleep score, readiness score or steps), at the day's `timestamp`. */
export function mapOuraDaily(collection: OuraDailyCollection, item: OuraItem, ctx: OuraContext, out: ParseResult): void {
  const spec = DAILY[collection];
  const d = fieldwise(spec.schema, item, out);
  if (!d?.day) return;
  pushReading(out, ctx, item, d.day, d.timestamp?.time ?? null, spec.metric, (d as Record<string, unknown>)[spec.field] as number | null | undefined);
}

/** One workout, with the offset its start was written in; a record with any bad field is refused whole. */
export function mapOuraWorkout(item: OuraItem, ctx: OuraContext, out: ParseResult): void {
  const r = OuraWorkout.safeParse(item.record);
  if (!r.success) {
    for (const issue of r.error.issues) {
      const field = issue.path.join('.');
      out.errors.push({ input: item.input, record: item.label, ...(field ? { field } : {}), reason: issue.message });
    }
    return;
  }
  const w = r.data;
  const { sport, category } = mapSport(w.activity);
  const workout: SourceWorkoutInput = {
    athlete_id: ctx.athleteId,
    source: ctx.source,
    external_id: w.id,
    name: w.label || null,
    start_time: w.start_datetime.time,
    end_time: w.end_datetime.time,
    duration_s: (w.end_datetime.time.getTime() - w.start_datetime.time.getTime()) / 1000,
    utc_offset_min: w.start_datetime.offsetMin,
    sport,
    source_sport: w.activity ?? null,
    sport_category: category,
    distance_m: w.distance ?? null,
    calories_kcal: w.calories ?? null,
    raw_data: item.raw,
    input: item.input,
  };
  const problem = rejectionOf(SourceWorkout, workout, item.input, item.label);
  if (problem) out.errors.push(problem);
  else out.workouts.push(workout);
}
