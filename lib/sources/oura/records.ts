/**
 * Oura's own record shapes (API v2 usercollections, which its exports repeat),
 * in Oura's field names: the fields this project reads, the rest passed
 * through. A field that does not match fails with a message saying what it
 * holds instead, so errors point at Oura's own field.
 */
import { z } from 'zod';
import { isoInstant } from '../../formats/csv.ts';

/** The daily collections, one score or count per day. */
export const DAILY_COLLECTIONS = ['daily_sleep', 'daily_readiness', 'daily_activity'] as const;
/** One of {@link DAILY_COLLECTIONS}. */
export type OuraDailyCollection = (typeof DAILY_COLLECTIONS)[number];

/** The Oura collections read here. */
export const COLLECTIONS = ['sleep', ...DAILY_COLLECTIONS, 'workout'] as const;
/** One of {@link COLLECTIONS}. */
export type OuraCollection = (typeof COLLECTIONS)[number];

function shown(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** An issue message: "missing", or what was expected and what came. */
function got(what: string): (issue: { input?: unknown }) => string {
  return (issue) => (issue.input == null ? 'missing' : `not ${what} (got ${shown(issue.input)})`);
}

/** The same for a wrong type only; a failed check keeps its own message. */
function ofType(what: string): (issue: { code?: string; input?: unknown }) => string | undefined {
  return (issue) => (issue.code === 'invalid_type' ? got(what)(issue) : undefined);
}

const num = z.number({ error: ofType('a number') });
const nonNegative = num.nonnegative({ error: got('a number ≥ 0') });
const text = z.string({ error: ofType('a text') });
const day = z.string({ error: ofType('a YYYY-MM-DD day') }).regex(/^\d{4}-\d{2}-\d{2}$/, { error: got('a YYYY-MM-DD day') });

/** An ISO 8601 date-time with its offset, read as the instant and the offset it was written in. */
const offsetDateTime = z.string({ error: ofType('a date-time text') }).transform((s, ctx) => {
  try {
    return isoInstant(s);
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: `${(e as Error).message} (got ${shown(s)})` });
    return z.NEVER;
  }
});

/** A sleep period (`/v2/usercollection/sleep`): durations in s, HRV (RMSSD) in ms, breaths per minute. */
export const OuraSleepPeriod = z.looseObject({
  day,
  type: text.nullish(),
  bedtime_end: offsetDateTime.nullish(),
  average_breath: num.nullish(),
  average_hrv: num.nullish(),
  awake_time: num.nullish(),
  deep_sleep_duration: num.nullish(),
  efficiency: num.nullish(),
  light_sleep_duration: num.nullish(),
  lowest_heart_rate: num.nullish(),
  rem_sleep_duration: num.nullish(),
  time_in_bed: num.nullish(),
  total_sleep_duration: num.nullish(),
});

/** A day of `/v2/usercollection/daily_sleep`. */
export const OuraDailySleep = z.looseObject({ day, timestamp: offsetDateTime.nullish(), score: num.nullish() });

/** A day of `/v2/usercollection/daily_readiness`; `temperature_deviation` in °C from the athlete's baseline. */
export const OuraDailyReadiness = z.looseObject({ day, timestamp: offsetDateTime.nullish(), score: num.nullish(), temperature_deviation: num.nullish() });

/** A day of `/v2/usercollection/daily_activity`. */
export const OuraDailyActivity = z.looseObject({ day, timestamp: offsetDateTime.nullish(), steps: num.nullish() });

/** A workout (`/v2/usercollection/workout`): calories in kcal, distance in m. */
export const OuraWorkout = z.looseObject({
  id: z.union([z.string().min(1, { error: got('an id') }), z.number()], { error: got('an id') }).transform(String),
  activity: text.nullish(),
  calories: nonNegative.nullish(),
  distance: nonNegative.nullish(),
  start_datetime: offsetDateTime,
  end_datetime: offsetDateTime,
  label: text.nullish(),
});

/** Whether a field's schema holds a number (once null and absence are set aside). */
function holdsNumber(t: z.ZodType): boolean {
  let s: z.ZodType = t;
  while (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
  return s instanceof z.ZodNumber;
}

function numericFields(schema: z.ZodObject): ReadonlySet<string> {
  return new Set(Object.entries(schema.shape as Record<string, z.ZodType>).filter(([, t]) => holdsNumber(t)).map(([k]) => k));
}

/** The fields Oura sends as numbers, per collection (a CSV export writes them as text). */
export const NUMERIC_FIELDS: Record<OuraCollection, ReadonlySet<string>> = {
  sleep: numericFields(OuraSleepPeriod),
  daily_sleep: numericFields(OuraDailySleep),
  daily_readiness: numericFields(OuraDailyReadiness),
  daily_activity: numericFields(OuraDailyActivity),
  workout: numericFields(OuraWorkout),
};
