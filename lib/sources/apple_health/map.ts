/**
 * Apple Health's one mapping to canonical records: the export's `Record` and
 * `Workout` elements, handed over one at a time by the reader (export.ts), to
 * workouts, HRV (SDNN), resting heart rate, body mass and body fat, and sleep
 * analysis aggregated to nights.
 */
import { emptyResult, METRIC_UNITS, type BiometricReadingInput, type MetricType, type ParseResult } from '../../core/models.ts';
import { mapSport } from '../../core/sports.ts';
import { SOURCE } from './index.ts';

/** Options of the Apple Health parser. */
export interface AppleHealthOptions {
  source?: string;
  athleteId?: string;
}

/** A workout's route file inside the export (`workout-routes/...gpx`), to be joined by the importer. */
export interface AppleRouteRef {
  external_id: string;
  path: string;
}

/** The parse result plus the route files the workouts refer to. */
export interface AppleHealthResult extends ParseResult {
  routes: AppleRouteRef[];
}

/** The attributes of one `Record` element (`type`, `sourceName`, `unit`, `startDate`, `endDate`, `value`, ...). */
export type AppleRecord = Record<string, string>;

/** One `Workout` element: its attributes and those of its children the mapping reads. */
export interface AppleWorkout {
  attrs: Record<string, string>;
  /** `WorkoutStatistics` attributes by their `type`. */
  stats: Record<string, Record<string, string>>;
  /** `MetadataEntry` values by key. */
  metadata: Record<string, string>;
  /** Path of the `WorkoutRoute`'s `FileReference`, relative to the export folder. */
  route: string | null;
}

interface Instant {
  ms: number;
  offsetMin: number;
}

/** `2023-01-05 07:31:12 +0100` → instant and its offset. */
function parseAppleDate(text: string | undefined): Instant | null {
  if (!text) return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2}) ?([+-])(\d{2}):?(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const offsetMin = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  return { ms: wall - offsetMin * 60_000, offsetMin };
}

function localDay(i: Instant): string {
  return new Date(i.ms + i.offsetMin * 60_000).toISOString().slice(0, 10);
}

/** A copy of a string that shares no memory with the reader's input chunks, so they can be freed. */
function own(s: string): string {
  return (' ' + s).slice(1);
}

const KG_PER_LB = 0.45359237;

/** Quantity records kept, with how to turn their value into the canonical unit. */
const QUANTITIES: Record<string, { metric: MetricType; convert: (v: number, unit: string) => number | null }> = {
  HKQuantityTypeIdentifierHeartRateVariabilitySDNN: { metric: 'hrv_sdnn', convert: (v) => v },
  HKQuantityTypeIdentifierRestingHeartRate: { metric: 'resting_hr', convert: (v) => v },
  HKQuantityTypeIdentifierBodyMass: {
    metric: 'weight',
    convert: (v, unit) => (v <= 0 ? null : unit === 'lb' ? v * KG_PER_LB : unit === 'g' ? v / 1000 : v),
  },
  // HealthKit stores body fat as a fraction with unit "%".
  HKQuantityTypeIdentifierBodyFatPercentage: { metric: 'body_fat_pct', convert: (v) => (v <= 1 ? v * 100 : v) },
  HKQuantityTypeIdentifierRespiratoryRate: { metric: 'respiratory_rate', convert: (v) => v },
  HKQuantityTypeIdentifierOxygenSaturation: { metric: 'spo2', convert: (v) => (v <= 1 ? v * 100 : v) },
};

const SLEEP_TYPE = 'HKCategoryTypeIdentifierSleepAnalysis';
const ASLEEP = new Set([
  'HKCategoryValueSleepAnalysisAsleep',
  'HKCategoryValueSleepAnalysisAsleepUnspecified',
  'HKCategoryValueSleepAnalysisAsleepCore',
  'HKCategoryValueSleepAnalysisAsleepDeep',
  'HKCategoryValueSleepAnalysisAsleepREM',
]);
const STAGE: Record<string, MetricType> = {
  HKCategoryValueSleepAnalysisAsleepDeep: 'sleep_deep',
  HKCategoryValueSleepAnalysisAsleepREM: 'sleep_rem',
  HKCategoryValueSleepAnalysisAsleepCore: 'sleep_light',
  HKCategoryValueSleepAnalysisAwake: 'sleep_awake',
};

type Interval = [number, number];

/** Total length of the union of intervals: the watch and the phone often log the same night. */
function unionLength(intervals: Interval[]): number {
  const s = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let cur: Interval | null = null;
  for (const iv of s) {
    if (!cur || iv[0] > cur[1]) {
      if (cur) total += cur[1] - cur[0];
      cur = [iv[0], iv[1]];
    } else if (iv[1] > cur[1]) cur[1] = iv[1];
  }
  if (cur) total += cur[1] - cur[0];
  return total;
}

const DURATION_S: Record<string, number> = { min: 60, s: 1, sec: 1, hr: 3600, h: 3600 };
const DISTANCE_M: Record<string, number> = { km: 1000, m: 1, mi: 1609.344, yd: 0.9144, ft: 0.3048 };
const ENERGY_KCAL: Record<string, number> = { kcal: 1, Cal: 1, cal: 0.001, kJ: 1 / 4.184 };

interface Night {
  asleep: Interval[];
  inBed: Interval[];
  stages: Map<MetricType, Interval[]>;
}

/**
 * Maps one export's elements as the reader meets them, so only the kept
 * values are held; `finish` adds the nights of sleep and returns the result.
 */
export class AppleHealthMapping {
  readonly result: AppleHealthResult = { ...emptyResult(), routes: [] };
  private readonly source: string;
  private readonly nights = new Map<string, Night>();
  private readonly workoutIds = new Map<string, number>();

  constructor(
    private readonly input: string,
    private readonly opts: AppleHealthOptions = {},
  ) {
    this.source = opts.source ?? SOURCE;
  }

  /** A `Record` outside any Correlation; `ordinal` counts them from 1, to name it in errors. */
  record(a: AppleRecord, ordinal: number): void {
    const type = a.type ?? '';
    const q = QUANTITIES[type];
    if (q) {
      const start = parseAppleDate(a.startDate);
      const v = Number(a.value);
      if (!start || !Number.isFinite(v)) {
        this.result.errors.push({
          input: this.input,
          record: `Record ${ordinal} (${type})`,
          field: start ? 'value' : 'startDate',
          reason: `unreadable ${start ? 'value' : 'date'} ${JSON.stringify(start ? a.value : a.startDate)}`,
        });
        return;
      }
      const value = q.convert(v, a.unit ?? '');
      if (value === null) return;
      this.reading(q.metric, METRIC_UNITS[q.metric], value, start, { sourceName: a.sourceName === undefined ? null : own(a.sourceName), type: own(type) });
      return;
    }
    if (type === SLEEP_TYPE) this.sleep(a);
  }

  /** A `Workout` element with its statistics, metadata and route. */
  workout(w: AppleWorkout): void {
    const a = w.attrs;
    const start = parseAppleDate(a.startDate);
    const end = parseAppleDate(a.endDate);
    const label = `Workout ${a.workoutActivityType ?? '?'} ${a.startDate ?? '?'}`;
    if (!start || !end) {
      this.result.errors.push({ input: this.input, record: label, field: start ? 'endDate' : 'startDate', reason: 'unreadable workout date' });
      return;
    }
    const type = (a.workoutActivityType ?? '').replace(/^HKWorkoutActivityType/, '');
    const { sport, category } = mapSport(type);
    // duration_s is elapsed time (startDate to endDate) as in every format; HealthKit's duration is the active time, pauses left out.
    const elapsedS = Math.max(0, (end.ms - start.ms) / 1000);
    const activeS = a.duration ? Number(a.duration) * (DURATION_S[a.durationUnit ?? 'min'] ?? 60) : NaN;
    const stat = (suffix: string) => Object.entries(w.stats).find(([k]) => k.endsWith(suffix))?.[1];
    const distStat = stat('DistanceWalkingRunning') ?? stat('DistanceCycling') ?? stat('DistanceSwimming') ?? stat('DistanceDownhillSnowSports');
    const distance = a.totalDistance
      ? Number(a.totalDistance) * (DISTANCE_M[a.totalDistanceUnit ?? 'km'] ?? 1000)
      : distStat?.sum
        ? Number(distStat.sum) * (DISTANCE_M[distStat.unit ?? 'km'] ?? 1000)
        : null;
    const energyStat = stat('ActiveEnergyBurned');
    const kcal = a.totalEnergyBurned
      ? Number(a.totalEnergyBurned) * (ENERGY_KCAL[a.totalEnergyBurnedUnit ?? 'kcal'] ?? 1)
      : energyStat?.sum
        ? Number(energyStat.sum) * (ENERGY_KCAL[energyStat.unit ?? 'kcal'] ?? 1)
        : null;
    const hr = stat('HeartRate');
    const startIso = new Date(start.ms).toISOString().replace('.000Z', 'Z');
    // Two workouts of one type starting in the same second get /1, /2... in order of appearance.
    const baseId = `${startIso}/${type}`;
    const dup = this.workoutIds.get(baseId) ?? 0;
    this.workoutIds.set(baseId, dup + 1);
    const externalId = dup ? `${baseId}/${dup}` : baseId;
    const num = (s: string | undefined) => (s !== undefined && s !== '' && Number.isFinite(Number(s)) ? Number(s) : null);
    this.result.workouts.push({
      athlete_id: this.opts.athleteId,
      source: this.source,
      external_id: externalId,
      name: null,
      start_time: new Date(start.ms),
      end_time: new Date(Math.max(end.ms, start.ms)),
      duration_s: elapsedS,
      moving_time_s: activeS >= 0 ? Math.min(activeS, elapsedS) : null,
      utc_offset_min: start.offsetMin,
      sport,
      source_sport: type || null,
      sport_category: category,
      distance_m: distance !== null && Number.isFinite(distance) ? distance : null,
      calories_kcal: kcal !== null && Number.isFinite(kcal) ? kcal : null,
      avg_hr: num(hr?.average),
      max_hr: num(hr?.maximum),
      // HKElevationAscended is a length in centimetres ("4200 cm").
      elevation_gain_m: w.metadata.HKElevationAscended ? (num(w.metadata.HKElevationAscended.split(' ')[0]) ?? 0) / 100 : null,
      has_gps: w.route !== null,
      raw_data: { sourceName: a.sourceName ?? null, device: a.device ?? null, metadata: w.metadata, route: w.route },
      input: this.input,
    });
    if (w.route) this.result.routes.push({ external_id: externalId, path: w.route });
  }

  /** Add the nights of sleep (by the local day each interval ends on) and return the result. */
  finish(): AppleHealthResult {
    const type = { type: SLEEP_TYPE };
    for (const [night, n] of [...this.nights].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
      const when = { ms: Date.parse(`${night}T12:00:00Z`), offsetMin: 0 };
      const asleep = unionLength(n.asleep) / 1000;
      const inBed = unionLength(n.inBed.length ? n.inBed : n.asleep) / 1000;
      if (asleep > 0) this.reading('sleep_duration', 's', asleep, when, type);
      if (n.inBed.length) this.reading('sleep_in_bed', 's', inBed, when, type);
      if (asleep > 0 && n.inBed.length && inBed >= asleep) this.reading('sleep_efficiency', '%', (asleep / inBed) * 100, when, type);
      for (const [stage, ivs] of n.stages) this.reading(stage, 's', unionLength(ivs) / 1000, when, type);
    }
    // Sleep values are per night: their instant is not meaningful.
    for (const b of this.result.biometrics) if (b.metric_type.startsWith('sleep_')) b.time = null;
    return this.result;
  }

  private sleep(a: AppleRecord): void {
    const start = parseAppleDate(a.startDate);
    const end = parseAppleDate(a.endDate);
    if (!start || !end || end.ms <= start.ms) return;
    const night = localDay(end);
    let n = this.nights.get(night);
    if (!n) this.nights.set(night, (n = { asleep: [], inBed: [], stages: new Map() }));
    const iv: Interval = [start.ms, end.ms];
    if (ASLEEP.has(a.value ?? '')) n.asleep.push(iv);
    if (a.value === 'HKCategoryValueSleepAnalysisInBed') n.inBed.push(iv);
    const stage = STAGE[a.value ?? ''];
    if (stage) {
      const list = n.stages.get(stage) ?? [];
      list.push(iv);
      n.stages.set(stage, list);
    }
  }

  private reading(metric: MetricType, unit: string, value: number, when: Instant, raw: { sourceName?: string | null; type: string }): void {
    const r: BiometricReadingInput = {
      athlete_id: this.opts.athleteId,
      date: localDay(when),
      time: new Date(when.ms),
      metric_type: metric,
      value,
      unit,
      source: this.source,
      raw_data: { sourceName: raw.sourceName ?? null, type: raw.type },
      input: this.input,
    };
    this.result.biometrics.push(r);
  }
}
