/**
 * The plausibility gate: documented bounds for the values the warehouse
 * stores, and pure checks against them. A value outside its bound is not
 * stored silently and not dropped silently: it becomes null and a warning row
 * (an {@link ImportError} naming the input, the record, the field, the value
 * and the bound) goes to `import_errors`. A record dated before 1990 or more
 * than a day in the future is rejected whole, with a row.
 *
 * Bounds are data: each has its unit and a one-line reason. Add a bound here
 * (small, documented) rather than a range check in a parser.
 */
import type { BiometricReadingInput, ImportError, MetricType, ParseResult, SourceWorkoutInput, StreamChannel, WorkoutStream } from './models.ts';
import { sportFamily } from './sports.ts';

/** An inclusive range of plausible values, its unit and why it is what it is. */
export interface Bound {
  min: number;
  max: number;
  unit: string;
  why: string;
}

/** Bounds of workout and stream values. */
export const BOUNDS = {
  hr: { min: 25, max: 250, unit: 'bpm', why: 'no human heart beats outside 25-250 bpm; such values are strap dropouts or junk' },
  power: { min: 0, max: 3000, unit: 'W', why: 'elite track sprinters peak near 2,500 W' },
  cadence: { min: 0, max: 300, unit: '/min', why: 'sprinters reach about 280 steps/min; cycling spin-ups about 200 rpm' },
  altitude: { min: -450, max: 9000, unit: 'm', why: 'the Dead Sea shore (-430 m) to above Everest (8,849 m); -500 m is the FIT "no altitude" sentinel' },
  lat: { min: -90, max: 90, unit: 'deg', why: 'latitude range' },
  lon: { min: -180, max: 180, unit: 'deg', why: 'longitude range' },
  kcalPerHour: {
    min: 0,
    max: 2500,
    unit: 'kcal/h',
    why: 'an hour at 400 W costs about 1,500 kcal at 23 % gross efficiency; 2,500 kcal/h leaves room for short all-out efforts',
  },
  ascentPerMetre: {
    min: 0,
    max: 1,
    unit: 'm per m',
    why: 'the steepest footraces (vertical kilometres) climb about 0.5 m per metre; 100 m is allowed on top for altimeter drift',
  },
} as const satisfies Record<string, Bound>;

/** Metres of ascent allowed beyond {@link BOUNDS}.ascentPerMetre × distance (altimeter drift on short tracks). */
export const ASCENT_ALLOWANCE_M = 100;

/** Sports that climb without covering horizontal distance: the ascent/distance bound does not apply. */
const VERTICAL_SPORTS = new Set(['climbing', 'stair_climbing', 'alpine_skiing']);

/** Top plausible speed by sport family (m/s); anything faster is a GPS jump or a vehicle. */
export const SPEED_BOUNDS: Record<string, Bound> = {
  running: { min: 0, max: 12.5, unit: 'm/s', why: 'the fastest human sprint is 12.4 m/s (Bolt, Berlin 2009)' },
  walking: { min: 0, max: 7, unit: 'm/s', why: 'race walkers hold 4.3 m/s; 7 m/s leaves room for a jog' },
  cycling: { min: 0, max: 40, unit: 'm/s', why: 'Tour de France descents reach 36 m/s' },
  swimming: { min: 0, max: 3, unit: 'm/s', why: 'the 50 m freestyle record is 2.4 m/s' },
  rowing: { min: 0, max: 8, unit: 'm/s', why: 'racing eights hold about 6.3 m/s' },
  paddling: { min: 0, max: 8, unit: 'm/s', why: 'sprint kayaks hold about 6 m/s' },
  cross_country_skiing: { min: 0, max: 25, unit: 'm/s', why: 'downhill sections of cross-country races reach about 20 m/s' },
  alpine_skiing: { min: 0, max: 45, unit: 'm/s', why: 'World Cup downhill reaches about 40 m/s' },
  other: { min: 0, max: 45, unit: 'm/s', why: 'faster than a downhill skier is a vehicle or a GPS jump' },
};

/** The speed bound of a canonical sport. */
export function speedBound(sport: string): Bound {
  return SPEED_BOUNDS[sportFamily(sport)] ?? SPEED_BOUNDS.other!;
}

/** Bounds of biometric values, by metric (in the unit the metric is stored in). */
export const BIOMETRIC_BOUNDS: Record<MetricType, Bound> = {
  resting_hr: { min: 25, max: 150, unit: 'bpm', why: 'resting heart rates of athletes go down to about 30 bpm; above 150 is not rest' },
  hrv_rmssd: { min: 1, max: 300, unit: 'ms', why: 'night RMSSD of healthy adults lies within about 5-250 ms' },
  hrv_sdnn: { min: 1, max: 400, unit: 'ms', why: 'SDNN of healthy adults lies within about 10-300 ms' },
  weight: { min: 20, max: 350, unit: 'kg', why: 'an athlete weighs 20-350 kg; 0 is a scale placeholder' },
  body_fat_pct: { min: 2, max: 75, unit: '%', why: 'essential fat is about 2-5 %; above 75 % is a measurement fault' },
  muscle_mass: { min: 5, max: 200, unit: 'kg', why: 'skeletal muscle mass of a 20-350 kg athlete' },
  bmi: { min: 8, max: 90, unit: 'kg/m2', why: 'BMI of living adults' },
  sleep_duration: { min: 0, max: 86_400, unit: 's', why: 'a night cannot hold more than 24 h' },
  sleep_in_bed: { min: 0, max: 86_400, unit: 's', why: 'a night cannot hold more than 24 h' },
  sleep_deep: { min: 0, max: 86_400, unit: 's', why: 'a night cannot hold more than 24 h' },
  sleep_rem: { min: 0, max: 86_400, unit: 's', why: 'a night cannot hold more than 24 h' },
  sleep_light: { min: 0, max: 86_400, unit: 's', why: 'a night cannot hold more than 24 h' },
  sleep_awake: { min: 0, max: 86_400, unit: 's', why: 'a night cannot hold more than 24 h' },
  sleep_efficiency: { min: 0, max: 100, unit: '%', why: 'a percentage' },
  sleep_score: { min: 0, max: 100, unit: 'score', why: 'scores run 0-100' },
  recovery_score: { min: 0, max: 100, unit: 'score', why: 'scores run 0-100' },
  readiness_score: { min: 0, max: 100, unit: 'score', why: 'scores run 0-100' },
  respiratory_rate: { min: 4, max: 60, unit: 'rpm', why: 'breathing rates of adults at rest or asleep' },
  spo2: { min: 50, max: 100, unit: '%', why: 'oxygen saturation below 50 % is a sensor fault' },
  skin_temp: { min: -10, max: 45, unit: 'degC', why: 'absolute skin temperature (about 30-37 degC) or a deviation from baseline' },
  steps: { min: 1, max: 150_000, unit: 'count', why: '0 steps is a day the device was not worn; 150,000 is beyond an ultramarathon' },
  day_strain: { min: 0, max: 21, unit: 'score', why: "WHOOP's strain scale runs 0-21" },
};

/** Earliest plausible instant of a record: 1990-01-01 (the FIT epoch is 1989-12-31; a zero date lands before it). */
export const EARLIEST_MS = Date.UTC(1990, 0, 1);
/** How far ahead of the clock a record may lie (time zones, clock skew). */
export const FUTURE_SLACK_MS = 86_400_000;

/** Whether `v` lies within the bound. */
export function within(v: number, b: Bound): boolean {
  return v >= b.min && v <= b.max;
}

/** Where a checked value comes from, for the warning row. */
export interface GateContext {
  input: string;
  record: string;
}

/** The warning row of an implausible value. */
export function implausible(ctx: GateContext, field: string, value: number, b: Bound, detail = ''): ImportError {
  return {
    input: ctx.input,
    record: ctx.record,
    field,
    reason: `implausible ${field} ${round(value)} ${b.unit}${detail}: outside ${b.min}-${b.max} ${b.unit} (${b.why}); stored as null`,
  };
}

function round(v: number): string {
  return String(Math.abs(v) >= 100 ? Math.round(v * 10) / 10 : Number(v.toPrecision(6)));
}

/**
 * Why an instant cannot be a record's date (before 1990, or more than a day
 * after `now`), or null when it can.
 */
export function implausibleInstant(ms: number, now = Date.now()): string | null {
  if (!Number.isFinite(ms)) return 'not a valid instant';
  const iso = new Date(ms).toISOString();
  if (ms < EARLIEST_MS) return `${iso} is before 1990-01-01 (a zero or placeholder date)`;
  if (ms > now + FUTURE_SLACK_MS) return `${iso} is more than a day in the future`;
  return null;
}

/** A gated record: the record (null when rejected) and the warning rows. */
export interface Gated<T> {
  value: T | null;
  warnings: ImportError[];
}

type NullableWorkoutField = 'avg_hr' | 'max_hr' | 'avg_power_w' | 'max_power_w' | 'avg_cadence' | 'distance_m' | 'calories_kcal' | 'elevation_gain_m';

const time = (d: Date | string | number): number => (d instanceof Date ? d.getTime() : new Date(d).getTime());

/**
 * Check a workout against the bounds: a record dated before 1990 or more than
 * a day ahead of `now` is rejected; HR, power, cadence, average speed (the
 * distance is nulled), kcal per hour and ascent per metre out of bounds are
 * nulled, and an average HR or power above its maximum nulls both. Returns a
 * copy; the input is not changed.
 */
export function gateWorkout(w: SourceWorkoutInput, now = Date.now()): Gated<SourceWorkoutInput> {
  const ctx = { input: w.input ?? '(unknown input)', record: `workout ${w.external_id}` };
  const warnings: ImportError[] = [];
  for (const field of ['start_time', 'end_time'] as const) {
    const why = implausibleInstant(time(w[field]), now);
    if (why !== null) {
      return { value: null, warnings: [{ ...ctx, field, reason: `record rejected: ${field} ${why}` }] };
    }
  }
  const out: SourceWorkoutInput = { ...w };
  const check = (field: NullableWorkoutField, b: Bound, value = out[field], detail = '') => {
    if (value == null || within(value, b)) return;
    warnings.push(implausible(ctx, field, value, b, detail));
    out[field] = null;
  };
  check('avg_hr', BOUNDS.hr);
  check('max_hr', BOUNDS.hr);
  check('avg_power_w', BOUNDS.power);
  check('max_power_w', BOUNDS.power);
  check('avg_cadence', BOUNDS.cadence);
  for (const [avg, max, unit] of [['avg_hr', 'max_hr', 'bpm'], ['avg_power_w', 'max_power_w', 'W']] as const) {
    const a = out[avg];
    const m = out[max];
    if (a == null || m == null || a <= m) continue;
    warnings.push({ ...ctx, field: avg, reason: `implausible ${avg} ${round(a)} ${unit} above ${max} ${round(m)} ${unit}: an average cannot exceed its maximum; both stored as null` });
    out[avg] = null;
    out[max] = null;
  }
  const seconds = out.moving_time_s != null && out.moving_time_s > 0 ? out.moving_time_s : out.duration_s;
  if (out.distance_m != null && seconds > 0) {
    const speed = out.distance_m / seconds;
    const b = speedBound(out.sport);
    if (!within(speed, b)) {
      warnings.push({
        ...ctx,
        field: 'distance_m',
        reason: `implausible distance_m ${round(out.distance_m)} m in ${round(seconds)} s: average speed ${round(speed)} m/s is outside 0-${b.max} m/s for ${out.sport} (${b.why}); stored as null`,
      });
      out.distance_m = null;
    }
  }
  if (out.calories_kcal != null) {
    const hours = Math.max(out.duration_s, 1) / 3600;
    const perHour = out.calories_kcal / hours;
    if (!within(perHour, BOUNDS.kcalPerHour)) {
      warnings.push({
        ...ctx,
        field: 'calories_kcal',
        reason: `implausible calories_kcal ${round(out.calories_kcal)} kcal in ${round(out.duration_s)} s: ${round(perHour)} kcal/h is outside 0-${BOUNDS.kcalPerHour.max} kcal/h (${BOUNDS.kcalPerHour.why}); stored as null`,
      });
      out.calories_kcal = null;
    }
  }
  const gain = out.elevation_gain_m;
  if (gain != null && out.distance_m != null && out.distance_m > 0 && !VERTICAL_SPORTS.has(out.sport)) {
    const allowed = out.distance_m * BOUNDS.ascentPerMetre.max + ASCENT_ALLOWANCE_M;
    if (gain > allowed) {
      warnings.push({
        ...ctx,
        field: 'elevation_gain_m',
        reason: `implausible elevation_gain_m ${round(gain)} m over distance_m ${round(out.distance_m)} m: more than ${BOUNDS.ascentPerMetre.max} m per metre + ${ASCENT_ALLOWANCE_M} m (${BOUNDS.ascentPerMetre.why}); stored as null`,
      });
      out.elevation_gain_m = null;
    }
  }
  return { value: out, warnings };
}

/**
 * Check a biometric reading: its date (and time) must lie between 1990 and a
 * day ahead of `now`, else it is rejected; a value outside its metric's bound
 * rejects the reading too (a reading is nothing but its value), with a row.
 */
export function gateBiometric(b: BiometricReadingInput, now = Date.now()): Gated<BiometricReadingInput> {
  const ctx = { input: b.input ?? '(unknown input)', record: `${b.metric_type} ${b.date}` };
  const at = b.time != null ? time(b.time) : Date.parse(`${b.date}T00:00:00Z`);
  const why = implausibleInstant(at, now);
  if (why !== null) return { value: null, warnings: [{ ...ctx, field: b.time != null ? 'time' : 'date', reason: `record rejected: ${why}` }] };
  const bound = BIOMETRIC_BOUNDS[b.metric_type];
  if (bound && !within(b.value, bound)) return { value: null, warnings: [implausible(ctx, 'value', b.value, bound)] };
  return { value: b, warnings: [] };
}

/** Stream channels checked against a fixed bound (speed depends on the sport; lat/lon are checked as a pair). */
const CHANNEL_BOUNDS: Array<[StreamChannel, Bound]> = [
  ['hr', BOUNDS.hr],
  ['power_w', BOUNDS.power],
  ['cadence', BOUNDS.cadence],
  ['altitude_m', BOUNDS.altitude],
];

/**
 * Null (NaN) the samples of a stream that lie outside their bounds, in place:
 * HR, power, cadence, altitude (the -500 m sentinel included), speed for the
 * sport, and positions that are out of range or exactly (0, 0) (a "no fix"
 * placeholder; both coordinates go). One warning row per channel, with the
 * count and the first offending sample. A channel left without any value is
 * removed from the stream.
 */
export function gateStream(stream: WorkoutStream, sport: string, ctx: GateContext): ImportError[] {
  const warnings: ImportError[] = [];
  const note = (field: string, count: number, first: number, value: number, b: Bound) => {
    if (count === 0) return;
    const at = new Date(stream.time[first]!).toISOString();
    warnings.push({
      ...ctx,
      field,
      reason: `implausible ${field} at ${count} ${count === 1 ? 'sample' : 'samples'} (first ${round(value)} ${b.unit} at ${at}): outside ${b.min}-${b.max} ${b.unit} (${b.why}); stored as null`,
    });
  };
  const bounded: Array<[StreamChannel, Bound]> = [...CHANNEL_BOUNDS, ['speed_mps', speedBound(sport)]];
  for (const [name, b] of bounded) {
    const a = stream.channels[name];
    // A channel whose length differs from the times' is malformed: the store reports it, the gate leaves it.
    if (!a || a.length !== stream.time.length) continue;
    let count = 0;
    let first = -1;
    let value = NaN;
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!;
      if (v !== v || (v >= b.min && v <= b.max)) continue;
      if (count++ === 0) {
        first = i;
        value = v;
      }
      a[i] = NaN;
    }
    note(name, count, first, value, b);
  }
  const lat = stream.channels.lat;
  const lon = stream.channels.lon;
  if (lat && lon && lat.length === stream.time.length && lon.length === stream.time.length) {
    let count = 0;
    let first = -1;
    let zero = false;
    for (let i = 0; i < lat.length; i++) {
      const y = lat[i]!;
      const x = lon[i]!;
      // A half position is the parser's to report; the gate judges whole ones.
      if (y !== y || x !== x) continue;
      const isZero = y === 0 && x === 0;
      if (!isZero && y >= -90 && y <= 90 && x >= -180 && x <= 180) continue;
      if (count++ === 0) {
        first = i;
        zero = isZero;
      }
      lat[i] = NaN;
      lon[i] = NaN;
    }
    if (count > 0) {
      const at = new Date(stream.time[first]!).toISOString();
      warnings.push({
        ...ctx,
        field: 'position',
        reason: `implausible position at ${count} ${count === 1 ? 'sample' : 'samples'} (first ${zero ? '(0, 0), a "no fix" placeholder' : `(${lat[first]}, ${lon[first]}) out of range`}, at ${at}): stored as null`,
      });
    }
  }
  for (const name of Object.keys(stream.channels) as StreamChannel[]) {
    const a = stream.channels[name]!;
    if (a.length !== stream.time.length) continue;
    let any = false;
    for (let i = 0; i < a.length && !any; i++) any = a[i] === a[i];
    if (!any) delete stream.channels[name];
  }
  return warnings;
}

/**
 * Apply the gate to a whole parse result in place: workouts and biometrics
 * through {@link gateWorkout} and {@link gateBiometric}, streams through
 * {@link gateStream} with their workout's sport. A rejected workout's stream
 * goes with it. Warning rows are appended to `result.errors`.
 */
export function gateResult(result: ParseResult, now = Date.now()): ParseResult {
  const kept: SourceWorkoutInput[] = [];
  const sportOf = new Map<string, { sport: string; input: string }>();
  const rejected = new Set<string>();
  for (const w of result.workouts) {
    const g = gateWorkout(w, now);
    result.errors.push(...g.warnings);
    const key = `${w.source}\u0000${w.external_id}`;
    if (g.value === null) {
      rejected.add(key);
      continue;
    }
    kept.push(g.value);
    sportOf.set(key, { sport: g.value.sport, input: g.value.input ?? '(unknown input)' });
  }
  result.workouts = kept;
  const readings: BiometricReadingInput[] = [];
  for (const b of result.biometrics) {
    const g = gateBiometric(b, now);
    result.errors.push(...g.warnings);
    if (g.value !== null) readings.push(g.value);
  }
  result.biometrics = readings;
  result.streams = result.streams.filter((s) => {
    const key = `${s.source}\u0000${s.external_id}`;
    if (rejected.has(key)) return false;
    const w = sportOf.get(key);
    result.errors.push(...gateStream(s, w?.sport ?? 'other', { input: w?.input ?? '(unknown input)', record: `stream of ${s.external_id}` }));
    return true;
  });
  return result;
}
