/**
 * Oura data in the API v2 shape, as files: JSON (`{ data: [...] }` for one
 * collection, or an object keyed by collection name) or CSV whose columns are
 * the same field names.
 */
import {
  BiometricReading,
  METRIC_UNITS,
  SourceWorkout,
  emptyResult,
  type MetricType,
  type ParseResult,
  type SourceWorkoutInput,
  rejectionOf,
} from '../../core/models.ts';
import { mapSport } from '../../core/sports.ts';
import { isoInstant, readCsv, type CsvTable, type ExportOptions, type OffsetInstant } from '../../formats/csv.ts';

/** The Oura collections this importer reads. */
export type OuraCollection = 'sleep' | 'daily_sleep' | 'daily_readiness' | 'daily_activity' | 'workout';

const COLLECTIONS: readonly OuraCollection[] = ['sleep', 'daily_sleep', 'daily_readiness', 'daily_activity', 'workout'];

/** Readiness contributors, which tell a readiness day from a sleep-score day. */
const READINESS_KEYS = ['hrv_balance', 'recovery_index', 'resting_heart_rate', 'body_temperature', 'activity_balance'];

/**
 * Which Oura collection an object (or a CSV header's set of fields) belongs
 * to, judged by its fields; null when it is none of those read here.
 */
export function ouraCollectionOf(fields: Readonly<Record<string, unknown>>): OuraCollection | null {
  const has = (k: string) => k in fields;
  if (has('bedtime_start') || has('total_sleep_duration')) return 'sleep';
  if (has('activity') && has('start_datetime')) return 'workout';
  if (!has('day')) return null;
  if (has('steps') || has('class_5_min') || has('equivalent_walking_distance')) return 'daily_activity';
  const contributors = fields.contributors;
  const contributorKeys =
    typeof contributors === 'object' && contributors !== null ? Object.keys(contributors) : Object.keys(fields).map((k) => k.replace(/^contributors[._]/, ''));
  if (has('temperature_deviation') || contributorKeys.some((k) => READINESS_KEYS.includes(k))) return 'daily_readiness';
  if (has('score') || has('contributors')) return 'daily_sleep';
  return null;
}

type Obj = Record<string, unknown>;

interface Ctx {
  input: string;
  source: string;
  athleteId: string;
  result: ParseResult;
}

/**
 * Parse an Oura export file (bytes or text). Sleep periods give HRV (RMSSD,
 * `average_hrv`), resting HR (`lowest_heart_rate`), sleep durations (s) and
 * efficiency, from each day's main period only (a `long_sleep`, else the
 * longest `sleep`); daily_sleep gives sleep_score; daily_readiness gives
 * readiness_score; daily_activity gives steps; workouts become `oura` source
 * workouts with the offset their timestamps carry.
 */
export function parseOura(bytes: Uint8Array | string, input: string, opts: ExportOptions = {}): ParseResult {
  const result = emptyResult();
  const ctx: Ctx = { input, source: opts.source ?? 'oura', athleteId: opts.athleteId ?? 'me', result };
  const content = (typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes)).replace(/^\uFEFF/, '');
  const first = content.trimStart()[0];
  const groups = new Map<OuraCollection, { obj: Obj; record: string }[]>();
  const add = (c: OuraCollection, obj: Obj, record: string) => {
    const list = groups.get(c) ?? [];
    list.push({ obj, record });
    groups.set(c, list);
  };
  if (first === '{' || first === '[') {
    let doc: unknown;
    try {
      doc = JSON.parse(content);
    } catch (e) {
      result.errors.push({ input, reason: `unreadable JSON: ${(e as Error).message}` });
      return result;
    }
    collectJson(doc, input, add, result);
  } else {
    let table: CsvTable;
    try {
      table = readCsv(content);
    } catch (e) {
      result.errors.push({ input, reason: `unreadable CSV: ${(e as Error).message}` });
      return result;
    }
    const kind = ouraCollectionOf(Object.fromEntries(table.header.map((h) => [h, ''])));
    if (!kind) {
      result.errors.push({ input, reason: 'not an Oura CSV: its columns match none of sleep, daily_sleep, daily_readiness, daily_activity, workout' });
      return result;
    }
    table.rows.forEach((cells, i) => add(kind, csvObject(table.header, cells), `row ${i + 1}`));
  }
  sleepPeriods(ctx, groups.get('sleep') ?? []);
  for (const { obj, record } of groups.get('daily_sleep') ?? []) daily(ctx, obj, record, 'sleep_score', 'score');
  for (const { obj, record } of groups.get('daily_readiness') ?? []) daily(ctx, obj, record, 'readiness_score', 'score', { temperature_deviation: obj.temperature_deviation ?? null });
  for (const { obj, record } of groups.get('daily_activity') ?? []) daily(ctx, obj, record, 'steps', 'steps');
  for (const { obj, record } of groups.get('workout') ?? []) workout(ctx, obj, record);
  return result;
}

function collectJson(doc: unknown, input: string, add: (c: OuraCollection, o: Obj, r: string) => void, result: ParseResult): void {
  const byFields = (list: unknown[], prefix: string) =>
    list.forEach((o, i) => {
      const record = `${prefix}[${i}]`;
      if (typeof o !== 'object' || o === null) return void result.errors.push({ input, record, reason: 'not an object' });
      const kind = ouraCollectionOf(o as Obj);
      if (kind) add(kind, o as Obj, record);
    });
  if (Array.isArray(doc)) return byFields(doc, 'data');
  if (typeof doc !== 'object' || doc === null) return void result.errors.push({ input, reason: 'not an Oura JSON document' });
  const top = doc as Obj;
  if (Array.isArray(top.data)) return byFields(top.data, 'data');
  const keys = Object.keys(top).filter((k) => COLLECTIONS.includes(k as OuraCollection));
  if (!keys.length) return void result.errors.push({ input, reason: `not an Oura JSON document: no "data" array and none of the keys ${COLLECTIONS.join(', ')}` });
  for (const k of keys) {
    const v = top[k];
    const list = Array.isArray(v) ? v : typeof v === 'object' && v !== null && Array.isArray((v as Obj).data) ? ((v as Obj).data as unknown[]) : null;
    if (!list) {
      result.errors.push({ input, record: k, reason: `"${k}" is not a list of records` });
      continue;
    }
    list.forEach((o, i) => {
      if (typeof o === 'object' && o !== null) add(k as OuraCollection, o as Obj, `${k}[${i}]`);
      else result.errors.push({ input, record: `${k}[${i}]`, reason: 'not an object' });
    });
  }
}

/** A CSV row as an object of its non-empty cells, numbers still as text. */
function csvObject(header: readonly string[], cells: readonly string[]): Obj {
  const o: Obj = {};
  header.forEach((h, i) => {
    const c = (cells[i] ?? '').trim();
    if (c !== '') o[h] = c;
  });
  return o;
}

/** A numeric field that may arrive as a number (JSON) or text (CSV); throws naming the field when it is neither. */
function numberField(obj: Obj, key: string): number | null {
  const v = obj[key];
  if (v == null || v === '') return null;
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new FieldError(key, `not a number (got ${JSON.stringify(v)})`);
  return n;
}

function dayField(obj: Obj): string {
  const v = obj.day;
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(v)) throw new FieldError('day', `not a YYYY-MM-DD day (got ${JSON.stringify(v ?? null)})`);
  return v;
}

function instantField(obj: Obj, key: string): OffsetInstant | null {
  const v = obj[key];
  if (v == null || v === '') return null;
  if (typeof v !== 'string') throw new FieldError(key, 'not a date-time text');
  try {
    return isoInstant(v);
  } catch (e) {
    throw new FieldError(key, `${(e as Error).message} (got "${v}")`);
  }
}

class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function guarded(ctx: Ctx, record: string, f: () => void): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof FieldError)) throw e;
    ctx.result.errors.push({ input: ctx.input, record, field: e.field, reason: e.message });
  }
}

function pushReading(ctx: Ctx, record: string, day: string, time: Date | null, metric: MetricType, value: number | null, raw: Obj): void {
  if (value == null) return;
  const reading = {
    athlete_id: ctx.athleteId,
    date: day,
    time,
    metric_type: metric,
    value,
    unit: METRIC_UNITS[metric],
    source: ctx.source,
    raw_data: raw,
    input: ctx.input,
  };
  const problem = rejectionOf(BiometricReading, reading, ctx.input, record, metric);
  if (problem) ctx.result.errors.push(problem);
  else ctx.result.biometrics.push(reading);
}

function daily(ctx: Ctx, obj: Obj, record: string, metric: MetricType, key: string, extra: Obj = {}): void {
  guarded(ctx, record, () => {
    const day = dayField(obj);
    const time = instantField(obj, 'timestamp')?.time ?? null;
    pushReading(ctx, record, day, time, metric, numberField(obj, key), { id: obj.id ?? null, ...extra });
  });
}

/** Sleep-period fields to metrics. */
const SLEEP_FIELDS: readonly [string, MetricType][] = [
  ['average_hrv', 'hrv_rmssd'],
  ['lowest_heart_rate', 'resting_hr'],
  ['total_sleep_duration', 'sleep_duration'],
  ['efficiency', 'sleep_efficiency'],
  ['deep_sleep_duration', 'sleep_deep'],
  ['rem_sleep_duration', 'sleep_rem'],
  ['light_sleep_duration', 'sleep_light'],
  ['awake_time', 'sleep_awake'],
  ['time_in_bed', 'sleep_in_bed'],
];

/** Rank of a sleep period type as the day's main sleep; naps and rests never count. */
const MAIN_RANK: Record<string, number> = { long_sleep: 2, sleep: 1 };

function sleepPeriods(ctx: Ctx, periods: { obj: Obj; record: string }[]): void {
  const best = new Map<string, { obj: Obj; record: string; rank: number; length: number }>();
  for (const p of periods) {
    guarded(ctx, p.record, () => {
      const day = dayField(p.obj);
      const rank = MAIN_RANK[String(p.obj.type ?? 'long_sleep')] ?? 0;
      if (rank === 0) return;
      const length = numberField(p.obj, 'total_sleep_duration') ?? 0;
      const cur = best.get(day);
      if (!cur || rank > cur.rank || (rank === cur.rank && length > cur.length)) best.set(day, { ...p, rank, length });
    });
  }
  for (const [day, p] of best) {
    let end: Date | null = null;
    guarded(ctx, p.record, () => (end = instantField(p.obj, 'bedtime_end')?.time ?? null));
    const raw = { id: p.obj.id ?? null, type: p.obj.type ?? null, bedtime_start: p.obj.bedtime_start ?? null, bedtime_end: p.obj.bedtime_end ?? null };
    // Field by field, so one bad value costs only its own metric.
    for (const [key, metric] of SLEEP_FIELDS) guarded(ctx, p.record, () => pushReading(ctx, p.record, day, end, metric, numberField(p.obj, key), raw));
  }
}

function workout(ctx: Ctx, obj: Obj, record: string): void {
  guarded(ctx, record, () => {
    const id = obj.id;
    if ((typeof id !== 'string' && typeof id !== 'number') || String(id) === '') throw new FieldError('id', 'workout has no id');
    const start = instantField(obj, 'start_datetime');
    const end = instantField(obj, 'end_datetime');
    if (!start) throw new FieldError('start_datetime', 'workout has no start_datetime');
    if (!end) throw new FieldError('end_datetime', 'workout has no end_datetime');
    const activity = typeof obj.activity === 'string' ? obj.activity : null;
    const { sport, category } = mapSport(activity);
    const w: SourceWorkoutInput = {
      athlete_id: ctx.athleteId,
      source: ctx.source,
      external_id: String(id),
      name: typeof obj.label === 'string' && obj.label !== '' ? obj.label : null,
      start_time: start.time,
      end_time: end.time,
      duration_s: (end.time.getTime() - start.time.getTime()) / 1000,
      utc_offset_min: start.offsetMin,
      sport,
      source_sport: activity,
      sport_category: category,
      distance_m: numberField(obj, 'distance'),
      calories_kcal: numberField(obj, 'calories'),
      raw_data: { intensity: obj.intensity ?? null, source: obj.source ?? null, day: obj.day ?? null, label: obj.label ?? null },
      input: ctx.input,
    };
    const problem = rejectionOf(SourceWorkout, w, ctx.input, record);
    if (problem) ctx.result.errors.push(problem);
    else ctx.result.workouts.push(w);
  });
}
