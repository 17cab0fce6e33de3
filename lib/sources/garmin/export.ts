/**
 * Garmin JSON files: the account export's (`DI_CONNECT/...`) activity
 * summaries, sleep, daily summaries (UDS), HRV / health status and weight
 * files, and the Connect API bodies of the same data. Pure parsing: records
 * and errors out, nothing written.
 *
 * Units differ between the two: the export's `summarizedActivities` store
 * distance and elevation in centimetres, durations in milliseconds and
 * `calories` in kilojoules (the value equals the sum of the laps' energy,
 * which the export labels KILOJOULE); the API uses metres, seconds and kcal.
 * Weights are grams in both.
 */
import {
  BiometricReading,
  METRIC_UNITS,
  SourceWorkout,
  emptyResult,
  formatZodError,
  type MetricType,
  type ParseResult,
  type SourceWorkoutInput,
} from '../../core/models.ts';
import { mapSport } from '../../core/sports.ts';
import type { ExportOptions } from '../../formats/csv.ts';

/** The kinds of Garmin JSON this module reads. */
export type GarminJsonKind = 'garmin_activities' | 'garmin_sleep' | 'garmin_uds' | 'garmin_hrv' | 'garmin_weight' | 'garmin_api_activity';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const has = (o: Obj, ...keys: string[]) => keys.some((k) => o[k] !== undefined);

/** Entries of an export activities file: `[{ summarizedActivitiesExport: [...] }]` (or the inner object alone). */
function exportActivityBlocks(json: unknown): unknown[] | null {
  const blocks = Array.isArray(json) ? json : [json];
  const lists = blocks.filter(isObj).map((b) => b.summarizedActivitiesExport).filter(Array.isArray);
  return lists.length ? lists.flat() : null;
}

const isExportActivity = (o: Obj) => has(o, 'activityId') && (typeof o.beginTimestamp === 'number' || typeof o.startTimeGmt === 'number');
const isApiActivity = (o: Obj) => has(o, 'activityId') && (isObj(o.summaryDTO) || typeof o.startTimeGMT === 'string');
const SLEEP_KEYS = ['deepSleepSeconds', 'lightSleepSeconds', 'remSleepSeconds', 'sleepTimeSeconds', 'sleepStartTimestampGMT'];
const isSleep = (o: Obj) => isObj(o.dailySleepDTO) || (has(o, 'calendarDate') && has(o, ...SLEEP_KEYS));
const isHrv = (o: Obj) =>
  isObj(o.hrvSummary) ||
  (has(o, 'calendarDate') && (has(o, 'lastNightAvg') || (Array.isArray(o.metrics) && o.metrics.some((m) => isObj(m) && m.type === 'HRV'))));
const isUds = (o: Obj) =>
  has(o, 'calendarDate') && has(o, 'totalSteps', 'restingHeartRate', 'currentDayRestingHeartRate', 'totalKilocalories', 'userDailySummaryId', 'dailyStepGoal');
const isWeight = (o: Obj) =>
  isObj(o.weight) || (typeof o.weight === 'number' && has(o, 'bodyFat', 'bmi', 'timestampGMT', 'samplePk', 'calendarDate'));

/** Structural tests of one object, first match wins (sleep bodies also carry `restingHeartRate`, so sleep precedes UDS). */
const OBJECT_TESTS: readonly [GarminJsonKind, (o: Obj) => boolean][] = [
  ['garmin_api_activity', isApiActivity],
  ['garmin_activities', isExportActivity],
  ['garmin_sleep', isSleep],
  ['garmin_hrv', isHrv],
  ['garmin_weight', isWeight],
  ['garmin_uds', isUds],
];

/** File names of the export, used only when the content is an empty list and cannot say. */
const NAME_HINTS: readonly [RegExp, GarminJsonKind][] = [
  [/summarizedActivities/i, 'garmin_activities'],
  [/sleepData/i, 'garmin_sleep'],
  [/^UDSFile_/i, 'garmin_uds'],
  [/healthStatusData|hrvStatus/i, 'garmin_hrv'],
  [/userBioMetrics|biometrics|weight/i, 'garmin_weight'],
];

function classify(o: Obj): GarminJsonKind | null {
  if (Array.isArray(o.dateWeightList) || Array.isArray(o.dailyWeightSummaries)) return 'garmin_weight';
  for (const [kind, test] of OBJECT_TESTS) if (test(o)) return kind;
  return null;
}

/**
 * Which Garmin JSON a parsed document is, judged by its structure (the
 * file name only breaks the tie for an empty list); null when it is none
 * of the kinds read here.
 */
export function detectGarminJson(name: string, json: unknown): GarminJsonKind | null {
  if (exportActivityBlocks(json)) return 'garmin_activities';
  if (isObj(json)) return classify(json);
  if (!Array.isArray(json)) return null;
  for (const item of json.slice(0, 50)) {
    const kind = isObj(item) ? classify(item) : null;
    if (kind) return kind;
  }
  if (json.length > 0) return null;
  const base = name.split(/[\\/]/).pop() ?? name;
  return NAME_HINTS.find(([re]) => re.test(base))?.[1] ?? null;
}

/**
 * The Garmin activity id in an uploaded FIT file's name (`<email>_<id>.fit`,
 * `<id>_ACTIVITY.fit`, `<id>.fit`, optionally gzipped); null when the name
 * carries none.
 */
export function garminFitActivityId(fileName: string): string | null {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const m = /(?:^|_)(\d{6,})(?:_ACTIVITY)?\.fit(?:\.gz)?$/i.exec(base);
  return m?.[1] ?? null;
}

class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

interface Ctx {
  input: string;
  source: string;
  athleteId: string;
  result: ParseResult;
}

/** One object of the file with the means to read its fields, reporting bad values under its record label. */
class Entry {
  constructor(
    readonly ctx: Ctx,
    readonly obj: Obj,
    readonly record: string,
  ) {}

  /** A number (or numeric text) at the first present key; a bad value is reported and read as absent. */
  num(...keys: string[]): number | null {
    const key = keys.find((k) => this.obj[k] != null && this.obj[k] !== '');
    return key === undefined ? null : this.value(key, this.obj[key]);
  }

  /** `v` as a number, reported under `field` when it is not one; null/empty is absent. */
  value(field: string, v: unknown): number | null {
    if (v == null || v === '') return null;
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (Number.isFinite(n)) return n;
    this.error(field, `not a number (got ${JSON.stringify(v)})`);
    return null;
  }

  text(...keys: string[]): string | null {
    for (const key of keys) {
      const v = this.obj[key];
      if (typeof v === 'string' && v !== '') return v;
    }
    return null;
  }

  /** A UTC instant (epoch ms, or text without a zone meaning GMT); throws naming the field when unreadable. */
  instant(...keys: string[]): Date | null {
    const key = keys.find((k) => this.obj[k] != null && this.obj[k] !== '');
    if (key === undefined) return null;
    const ms = instantMs(this.obj[key]);
    if (ms === null) throw new FieldError(key, `not a time (got ${JSON.stringify(this.obj[key])})`);
    return new Date(ms);
  }

  /** Like `instant`, but an unreadable value is reported and read as absent. */
  softInstant(...keys: string[]): Date | null {
    try {
      return this.instant(...keys);
    } catch (err) {
      if (!(err instanceof FieldError)) throw err;
      this.error(err.field, err.message);
      return null;
    }
  }

  day(key = 'calendarDate'): string {
    const v = this.obj[key];
    const text = typeof v === 'string' ? v : isObj(v) && typeof v.date === 'string' ? v.date : null;
    if (!text || !/^\d{4}-\d{2}-\d{2}/.test(text)) throw new FieldError(key, `not a YYYY-MM-DD day (got ${JSON.stringify(v ?? null)})`);
    return text.slice(0, 10);
  }

  error(field: string, reason: string): void {
    this.ctx.result.errors.push({ input: this.ctx.input, record: this.record, field, reason });
  }
}

/** Epoch ms from a number, digits, or ISO text (no zone = UTC, as Garmin's `...GMT` fields are). */
function instantMs(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string') return null;
  const t = v.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(t);
  if (!m) return null;
  const frac = m[3] ? `.${m[3].slice(1, 4).padEnd(3, '0')}` : '';
  const zone = m[4] ? (m[4] === 'Z' ? 'Z' : m[4].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')) : 'Z';
  const ms = Date.parse(`${m[1]}T${m[2]}${frac}${zone}`);
  return Number.isNaN(ms) ? null : ms;
}


/**
 * Parse one Garmin JSON file (bytes or text). Activities become `garmin`
 * workouts (SI units, external id = activity id); sleep, daily summary,
 * HRV and weight files become daily biometrics on Garmin's `calendarDate`.
 * Bad entries are reported by index and field; the rest is kept.
 */
export function parseGarminJson(bytes: Uint8Array | string, input: string, opts: ExportOptions = {}): ParseResult {
  const result = emptyResult();
  const ctx: Ctx = { input, source: opts.source ?? 'garmin', athleteId: opts.athleteId ?? 'me', result };
  const text = (typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes)).replace(/^\uFEFF/, '');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    result.errors.push({ input, reason: `unreadable JSON: ${(e as Error).message}` });
    return result;
  }
  const kind = detectGarminJson(input, json);
  if (!kind) {
    result.errors.push({ input, reason: 'not a Garmin JSON file: no activity summaries, sleep, daily summary, HRV or weight entries found' });
    return result;
  }
  if (kind === 'garmin_activities') {
    entries(ctx, exportActivityBlocks(json) ?? json, (e) => activity(e, EXPORT_UNITS));
  } else if (kind === 'garmin_api_activity') {
    entries(ctx, json, (e) => activity(e, API_UNITS));
  } else if (kind === 'garmin_weight' && isObj(json) && !isWeight(json)) {
    weightResponse(ctx, json);
  } else {
    entries(ctx, json, READERS[kind]);
  }
  return result;
}

const READERS: Record<'garmin_sleep' | 'garmin_uds' | 'garmin_hrv' | 'garmin_weight', (e: Entry) => void> = {
  garmin_sleep: sleep,
  garmin_uds: uds,
  garmin_hrv: hrv,
  garmin_weight: weight,
};

/** Apply `read` to each object of a list (record "entry i") or to a single object (record "response"). */
function entries(ctx: Ctx, json: unknown, read: (e: Entry) => void): void {
  if (!Array.isArray(json)) {
    if (isObj(json)) guardedRead(new Entry(ctx, json, 'response'), read);
    return;
  }
  json.forEach((item, i) => {
    const record = `entry ${i}`;
    if (isObj(item)) guardedRead(new Entry(ctx, item, record), read);
    else ctx.result.errors.push({ input: ctx.input, record, reason: `not an object (got ${JSON.stringify(item)})` });
  });
}

/** Run one entry's mapping; a FieldError drops that entry only and is reported. */
function guardedRead(e: Entry, read: (e: Entry) => void): void {
  try {
    read(e);
  } catch (err) {
    if (!(err instanceof FieldError)) throw err;
    e.error(err.field, err.message);
  }
}

/** Factors from a file's activity units to SI (and kcal). */
interface Units {
  distance: number;
  duration: number;
  elevation: number;
  energy: number;
  /** Factor from the file's running cadence to strides per minute (the FIT convention the FIT parser keeps). */
  runCadence: number;
}

const EXPORT_UNITS: Units = { distance: 0.01, duration: 0.001, elevation: 0.01, energy: 1 / 4.184, runCadence: 1 };
// The API's run cadence is in steps per minute (its maxima near 180); halve to strides.
const API_UNITS: Units = { distance: 1, duration: 1, elevation: 1, energy: 1, runCadence: 0.5 };

/** The API detail response flattened to the list-item shape: ids and type beside the `summaryDTO` fields. */
function flattenApiDetail(o: Obj): Obj {
  if (!isObj(o.summaryDTO)) return o;
  const meta = isObj(o.metadataDTO) ? o.metadataDTO : {};
  return {
    ...o.summaryDTO,
    activityId: o.activityId,
    activityName: o.activityName,
    activityType: o.activityTypeDTO,
    parentId: o.parentId,
    hasPolyline: meta.hasPolyline,
  };
}

const scaled = (v: number | null, f: number) => (v == null ? null : v * f);
const positive = (v: number | null) => (v != null && v > 0 ? v : null);

function activity(entry: Entry, units: Units): void {
  const e = new Entry(entry.ctx, flattenApiDetail(entry.obj), entry.record);
  const ctx = e.ctx;
  const rawId = e.obj.activityId;
  if ((typeof rawId !== 'number' && typeof rawId !== 'string') || !/^\d+$/.test(String(rawId))) {
    throw new FieldError('activityId', `missing or not an id (got ${JSON.stringify(rawId ?? null)})`);
  }
  const id = String(rawId);
  const start = e.instant('startTimeGmt', 'startTimeGMT', 'beginTimestamp');
  if (!start) throw new FieldError('startTimeGmt', 'activity has no start time (startTimeGmt / beginTimestamp)');
  const durationKey = ['elapsedDuration', 'duration'].find((k) => e.obj[k] != null);
  const duration = scaled(e.num('elapsedDuration', 'duration'), units.duration);
  if (duration == null || duration < 0) throw new FieldError(durationKey ?? 'duration', 'activity has no valid duration');
  const local = e.obj.startTimeLocal;
  const localMs = local == null ? null : instantMs(local);
  if (local != null && localMs === null) e.error('startTimeLocal', `not a time (got ${JSON.stringify(local)})`);
  // startTimeLocal is the local wall clock written as if it were UTC; offsets come in whole quarter hours.
  const offset = localMs === null ? null : Math.round((localMs - start.getTime()) / 60_000 / 15) * 15;
  const type = e.obj.activityType;
  const typeKey = typeof type === 'string' ? type : isObj(type) && typeof type.typeKey === 'string' ? type.typeKey : null;
  // typeKey (treadmill_running) is more specific than sportType (RUNNING), so it goes in the sub-sport slot.
  const { sport, category } = mapSport(e.text('sportType'), typeKey);
  const doubleCadence = e.num('avgDoubleCadence');
  const runCadence = scaled(e.num('avgRunCadence', 'averageRunningCadenceInStepsPerMinute', 'averageRunCadence'), units.runCadence);
  const cadence = runCadence ?? (doubleCadence != null ? doubleCadence / 2 : null) ?? e.num('avgBikeCadence', 'averageBikingCadenceInRevPerMinute', 'averageBikeCadence');
  const avgPower = positive(e.num('avgPower', 'averagePower'));
  const elevation = scaled(e.num('elevationGain'), units.elevation);
  const parent = e.obj.parentId;
  const w: SourceWorkoutInput = {
    athlete_id: ctx.athleteId,
    source: ctx.source,
    external_id: id,
    name: e.text('name', 'activityName'),
    start_time: start,
    end_time: new Date(start.getTime() + duration * 1000),
    duration_s: duration,
    moving_time_s: scaled(e.num('movingDuration'), units.duration),
    utc_offset_min: offset != null && offset >= -720 && offset <= 840 ? offset : null,
    sport,
    source_sport: typeKey ?? e.text('sportType'),
    sport_category: category,
    distance_m: scaled(e.num('distance'), units.distance),
    calories_kcal: scaled(e.num('calories'), units.energy),
    avg_hr: positive(e.num('avgHr', 'averageHR')),
    max_hr: positive(e.num('maxHr', 'maxHR')),
    elevation_gain_m: elevation != null && elevation >= 0 ? elevation : null,
    avg_power_w: avgPower,
    max_power_w: positive(e.num('maxPower')),
    avg_cadence: cadence,
    training_load: e.num('activityTrainingLoad'),
    external_ids: { garmin: id },
    raw_data: isObj(entry.obj.summaryDTO)
      ? { activityId: entry.obj.activityId, activityName: entry.obj.activityName ?? null, activityTypeDTO: entry.obj.activityTypeDTO ?? null, summaryDTO: entry.obj.summaryDTO }
      : entry.obj,
    has_gps: e.num('startLatitude') != null || e.obj.hasPolyline === true,
    has_power: avgPower != null,
    parent_external_id: typeof parent === 'number' || (typeof parent === 'string' && parent !== '') ? String(parent) : null,
    input: ctx.input,
  };
  const r = SourceWorkout.safeParse(w);
  if (r.success) ctx.result.workouts.push(w);
  else e.error(r.error.issues[0]?.path.join('.') ?? 'activity', formatZodError(r.error));
}

/** Add one reading after validating it; an invalid value is reported under its metric and skipped. */
function push(e: Entry, date: string, time: Date | null, metric: MetricType, value: number | null, raw: Obj): void {
  if (value == null) return;
  const reading = {
    athlete_id: e.ctx.athleteId,
    date,
    time,
    metric_type: metric,
    value,
    unit: METRIC_UNITS[metric],
    source: e.ctx.source,
    raw_data: raw,
    input: e.ctx.input,
  };
  const r = BiometricReading.safeParse(reading);
  if (r.success) e.ctx.result.biometrics.push(reading);
  else e.error(metric, formatZodError(r.error));
}

/** Sleep: an export `sleepData` entry or an API `dailySleepDTO` (with the response's SpO2 summary beside it). */
function sleep(outer: Entry): void {
  const inner = isObj(outer.obj.dailySleepDTO) ? outer.obj.dailySleepDTO : outer.obj;
  const e = new Entry(outer.ctx, inner, outer.record);
  const date = e.day();
  const startTime = e.softInstant('sleepStartTimestampGMT');
  const endTime = e.softInstant('sleepEndTimestampGMT');
  const deep = e.num('deepSleepSeconds');
  const light = e.num('lightSleepSeconds');
  const rem = e.num('remSleepSeconds');
  const staged = (deep ?? 0) + (light ?? 0) + (rem ?? 0);
  const total = e.num('sleepTimeSeconds') ?? (staged > 0 ? staged : null);
  // A day Garmin recorded no sleep for (no stages, zero total) yields nothing rather than a zero-hour night.
  if (!total) return;
  const scores = isObj(e.obj.sleepScores) ? e.obj.sleepScores : {};
  const overall = isObj(scores.overall) ? scores.overall.value : (scores.overallScore ?? e.obj.overallScore);
  const spo2Summary = [e.obj.spo2SleepSummary, outer.obj.wellnessSpO2SleepSummaryDTO].find(isObj);
  const raw = { calendarDate: date, sleepStartTimestampGMT: e.obj.sleepStartTimestampGMT ?? null, sleepEndTimestampGMT: e.obj.sleepEndTimestampGMT ?? null };
  const at = (metric: MetricType, value: number | null) => push(e, date, endTime, metric, value, raw);
  at('sleep_duration', total);
  if (startTime && endTime && endTime > startTime) at('sleep_in_bed', (endTime.getTime() - startTime.getTime()) / 1000);
  at('sleep_deep', deep);
  at('sleep_light', light);
  at('sleep_rem', rem);
  at('sleep_awake', e.num('awakeSleepSeconds'));
  at('sleep_score', e.value('sleepScores.overall', overall));
  at('respiratory_rate', positive(e.num('averageRespirationValue', 'averageRespiration')));
  const spo2 = e.num('averageSpO2Value') ?? e.value('averageSPO2', spo2Summary?.averageSPO2);
  at('spo2', positive(spo2));
}

/** Daily user summary: resting HR and steps. */
function uds(e: Entry): void {
  const date = e.day();
  const raw = { calendarDate: date };
  push(e, date, null, 'resting_hr', positive(e.num('restingHeartRate', 'currentDayRestingHeartRate')), raw);
  push(e, date, null, 'steps', e.num('totalSteps'), raw);
}

/** HRV: the API's `hrvSummary.lastNightAvg`, or the export's health-status `metrics` entry of type HRV (RMSSD, ms). */
function hrv(outer: Entry): void {
  const e = isObj(outer.obj.hrvSummary) ? new Entry(outer.ctx, outer.obj.hrvSummary, outer.record) : outer;
  const date = e.day();
  if (has(e.obj, 'lastNightAvg')) {
    push(e, date, null, 'hrv_rmssd', positive(e.num('lastNightAvg')), { calendarDate: date, status: e.obj.status ?? null });
    return;
  }
  const metrics = Array.isArray(e.obj.metrics) ? e.obj.metrics : [];
  const m = metrics.find((x): x is Obj => isObj(x) && x.type === 'HRV');
  if (m) push(e, date, null, 'hrv_rmssd', positive(e.value('metrics.HRV.value', m.value)), { calendarDate: date, status: m.status ?? null });
}

/** One weigh-in: grams to kg; Garmin writes 0 for a failed impedance reading, so 0 is absent. */
function weight(outer: Entry): void {
  // userBioMetrics also holds entries without a weigh-in (VO2 max, height): not errors, just not weights.
  if (outer.obj.weight == null) return;
  const e = isObj(outer.obj.weight) ? new Entry(outer.ctx, outer.obj.weight, outer.record) : outer;
  const meta = isObj(outer.obj.metaData) ? outer.obj.metaData : {};
  const time = e.softInstant('timestampGMT', 'date');
  const dayKey = [meta.calendarDate, outer.obj.calendarDate, e.obj.calendarDate, e.obj.summaryDate].find((v) => v != null);
  let date: string;
  if (dayKey != null) date = new Entry(e.ctx, { calendarDate: dayKey }, e.record).day();
  else if (time) date = time.toISOString().slice(0, 10);
  else throw new FieldError('calendarDate', 'weigh-in has neither a calendarDate nor a timestampGMT');
  const raw = { calendarDate: date, timestampGMT: e.obj.timestampGMT ?? null, sourceType: e.obj.sourceType ?? null };
  const grams = (v: number | null) => (v != null && v > 0 ? v / 1000 : null);
  push(e, date, time, 'weight', grams(e.num('weight')), raw);
  push(e, date, time, 'body_fat_pct', positive(e.num('bodyFat')), raw);
  push(e, date, time, 'muscle_mass', grams(e.num('muscleMass')), raw);
  push(e, date, time, 'bmi', positive(e.num('bmi')), raw);
}

/** The weight service's range responses: `dateWeightList`, or `dailyWeightSummaries[].allWeightMetrics`. */
function weightResponse(ctx: Ctx, o: Obj): void {
  if (Array.isArray(o.dateWeightList)) {
    o.dateWeightList.forEach((w, i) => isObj(w) && guardedRead(new Entry(ctx, w, `dateWeightList[${i}]`), weight));
  }
  if (Array.isArray(o.dailyWeightSummaries)) {
    o.dailyWeightSummaries.forEach((d, i) => {
      const all = isObj(d) && Array.isArray(d.allWeightMetrics) ? d.allWeightMetrics : [];
      all.forEach((w, j) => isObj(w) && guardedRead(new Entry(ctx, w, `dailyWeightSummaries[${i}].allWeightMetrics[${j}]`), weight));
    });
  }
}
