/**
 * Apple Health export.xml, read as a stream (real exports are 0.5-4 GB):
 * workouts, HRV (SDNN), resting heart rate, body mass and body fat, and sleep
 * analysis aggregated to nights. Records inside Correlation blocks also appear
 * on their own in the export, so the nested copies are skipped.
 */
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { emptyResult, METRIC_UNITS, type BiometricReadingInput, type MetricType, type ParseResult } from '../../core/models.ts';
import { mapSport } from '../../core/sports.ts';

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

interface WorkoutState {
  attrs: Record<string, string>;
  stats: Record<string, Record<string, string>>;
  metadata: Record<string, string>;
  route: string | null;
}

/** A copy of the attributes whose strings no longer share memory with the parser's input. */
function copyAll(a: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(a)) out[(' ' + k).slice(1)] = (' ' + a[k]!).slice(1);
  return out;
}

/**
 * Parse an Apple Health export.xml given as chunks (a file stream), in
 * bounded memory: only the kept records' values are retained.
 */
export async function parseAppleHealth(chunks: AsyncIterable<Uint8Array | string>, input: string, opts: AppleHealthOptions = {}): Promise<AppleHealthResult> {
  const source = opts.source ?? 'apple_health';
  const out: AppleHealthResult = { ...emptyResult(), routes: [] };
  const sleep = new Map<string, { asleep: Interval[]; inBed: Interval[]; stages: Map<MetricType, Interval[]> }>();
  const seenWorkoutIds = new Map<string, number>();
  const parser = new SaxesParser({ xmlns: false, position: true });
  let correlationDepth = 0;
  let workout: WorkoutState | null = null;
  let recordCount = 0;

  const addReading = (metric: MetricType, unit: string, value: number, when: Instant, raw: Record<string, string>) => {
    const r: BiometricReadingInput = {
      athlete_id: opts.athleteId,
      date: localDay(when),
      time: new Date(when.ms),
      metric_type: metric,
      value,
      unit,
      source,
      raw_data: { sourceName: raw.sourceName === undefined ? null : (' ' + raw.sourceName).slice(1), type: (' ' + raw.type).slice(1) },
      input,
    };
    out.biometrics.push(r);
  };

  const onRecord = (a: Record<string, string>) => {
    recordCount++;
    const type = a.type ?? '';
    const q = QUANTITIES[type];
    if (q) {
      const start = parseAppleDate(a.startDate);
      const v = Number(a.value);
      if (!start || !Number.isFinite(v)) {
        out.errors.push({ input, record: `Record ${recordCount} (${type})`, field: start ? 'value' : 'startDate', reason: `unreadable ${start ? 'value' : 'date'} ${JSON.stringify(start ? a.value : a.startDate)}` });
        return;
      }
      const value = q.convert(v, a.unit ?? '');
      if (value === null) return;
      addReading(q.metric, METRIC_UNITS[q.metric], value, start, a);
      return;
    }
    if (type === 'HKCategoryTypeIdentifierSleepAnalysis') {
      const start = parseAppleDate(a.startDate);
      const end = parseAppleDate(a.endDate);
      if (!start || !end || end.ms <= start.ms) return;
      const night = localDay(end);
      let n = sleep.get(night);
      if (!n) sleep.set(night, (n = { asleep: [], inBed: [], stages: new Map() }));
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
  };

  const finishWorkout = (w: WorkoutState) => {
    const a = w.attrs;
    const start = parseAppleDate(a.startDate);
    const end = parseAppleDate(a.endDate);
    const label = `Workout ${a.workoutActivityType ?? '?'} ${a.startDate ?? '?'}`;
    if (!start || !end) {
      out.errors.push({ input, record: label, field: start ? 'endDate' : 'startDate', reason: 'unreadable workout date' });
      return;
    }
    const type = (a.workoutActivityType ?? '').replace(/^HKWorkoutActivityType/, '');
    const { sport, category } = mapSport(type);
    const durationS = a.duration ? Number(a.duration) * (DURATION_S[a.durationUnit ?? 'min'] ?? 60) : (end.ms - start.ms) / 1000;
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
    const baseId = `${startIso}/${type}`;
    const dup = seenWorkoutIds.get(baseId) ?? 0;
    seenWorkoutIds.set(baseId, dup + 1);
    const externalId = dup ? `${baseId}/${dup}` : baseId;
    const num = (s: string | undefined) => (s !== undefined && s !== '' && Number.isFinite(Number(s)) ? Number(s) : null);
    out.workouts.push({
      athlete_id: opts.athleteId,
      source,
      external_id: externalId,
      name: null,
      start_time: new Date(start.ms),
      end_time: new Date(Math.max(end.ms, start.ms)),
      duration_s: Math.max(0, durationS),
      utc_offset_min: start.offsetMin,
      sport,
      source_sport: type || null,
      sport_category: category,
      distance_m: distance !== null && Number.isFinite(distance) ? distance : null,
      calories_kcal: kcal !== null && Number.isFinite(kcal) ? kcal : null,
      avg_hr: num(hr?.average),
      max_hr: num(hr?.maximum),
      elevation_gain_m: w.metadata.HKElevationAscended ? (num(w.metadata.HKElevationAscended.split(' ')[0]) ?? 0) / 100 : null,
      has_gps: w.route !== null,
      raw_data: { sourceName: a.sourceName ?? null, device: a.device ?? null, metadata: w.metadata, route: w.route },
      input,
    });
    if (w.route) out.routes.push({ external_id: externalId, path: w.route });
  };

  parser.on('opentag', (tag: SaxesTagPlain) => {
    const a = tag.attributes as Record<string, string>;
    // Attribute strings are slices of the parser's input chunks: the ones kept are copied,
    // or every chunk would stay alive and memory would grow with the file.
    const own = (v: string | undefined) => (v === undefined ? v : (' ' + v).slice(1));
    switch (tag.name) {
      case 'Correlation':
        correlationDepth++;
        break;
      case 'Record':
        if (correlationDepth === 0 && !workout) onRecord(a);
        break;
      case 'Workout':
        workout = { attrs: copyAll(a), stats: {}, metadata: {}, route: null };
        break;
      case 'WorkoutStatistics':
        if (workout && a.type) workout.stats[own(a.type)!] = copyAll(a);
        break;
      case 'MetadataEntry':
        if (workout && a.key) workout.metadata[own(a.key)!] = own(a.value) ?? '';
        break;
      case 'FileReference':
        if (workout && a.path) workout.route = own(a.path.replace(/^\//, ''))!;
        break;
    }
  });
  parser.on('closetag', (tag) => {
    if (tag.name === 'Correlation') correlationDepth--;
    else if (tag.name === 'Workout' && workout) {
      finishWorkout(workout);
      workout = null;
    }
  });
  let failed: Error | null = null;
  parser.on('error', (e) => {
    failed ??= e;
  });

  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) {
    parser.write(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    if (failed) break;
  }
  if (!failed) parser.close();
  if (failed) {
    out.errors.push({ input, record: `line ${parser.line}`, reason: `malformed XML: ${(failed as Error).message.split('\n')[0]} (records before it kept)` });
  }

  for (const [night, n] of [...sleep].sort((x, y) => (x[0] < y[0] ? -1 : 1))) {
    const when = { ms: Date.parse(`${night}T12:00:00Z`), offsetMin: 0 };
    const asleep = unionLength(n.asleep) / 1000;
    const inBed = unionLength(n.inBed.length ? n.inBed : n.asleep) / 1000;
    if (asleep > 0) addReading('sleep_duration', 's', asleep, when, { type: 'HKCategoryTypeIdentifierSleepAnalysis' });
    if (n.inBed.length) addReading('sleep_in_bed', 's', inBed, when, { type: 'HKCategoryTypeIdentifierSleepAnalysis' });
    if (asleep > 0 && n.inBed.length && inBed >= asleep) addReading('sleep_efficiency', '%', (asleep / inBed) * 100, when, { type: 'HKCategoryTypeIdentifierSleepAnalysis' });
    for (const [stage, ivs] of n.stages) addReading(stage, 's', unionLength(ivs) / 1000, when, { type: 'HKCategoryTypeIdentifierSleepAnalysis' });
  }
  // Sleep values are per night: their instant is not meaningful.
  for (const b of out.biometrics) if (b.metric_type.startsWith('sleep_')) b.time = null;
  return out;
}
