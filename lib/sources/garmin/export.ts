/**
 * Garmin JSON files: the account export's (`DI_CONNECT/...`) activity
 * summaries, sleep, daily summaries (UDS), HRV / health status and weight
 * files, and saved Connect API bodies of the same data. Pure reading: each
 * entry is turned into the Connect API's record shape and mapped by
 * `map.ts`, as the API client's records are; records and errors out,
 * nothing written.
 *
 * The export's `summarizedActivities` store distance and elevation in
 * centimetres, durations in milliseconds, `calories` in kilojoules (the value
 * equals the sum of the laps' energy, which the export labels KILOJOULE),
 * running cadence in strides per minute and times as epoch ms; its sleep
 * files write GMT timestamps as text and leave the total sleep to the sum of
 * the stages. The API uses metres, seconds, kcal, steps per minute and
 * wall-clock text. Weights are grams in both.
 */
import { emptyResult, type BiometricReadingInput, type ParseResult, type SourceWorkoutInput } from '../../core/models.ts';
import type { ExportOptions } from '../../formats/csv.ts';
import { itemError, RawItemError } from '../base.ts';
import { SOURCE } from './index.ts';
import { garminHrvReadings, garminSleepReadings, garminSummaryReadings, garminWeighInReadings, garminWeighIns, garminWorkout } from './map.ts';

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

/** Where one file's records and errors go. */
interface Ctx {
  input: string;
  source: string;
  athleteId: string;
  result: ParseResult;
}

/** One object of a file, read field by field: an unreadable value is reported under the record and read as absent. */
class Fields {
  constructor(
    readonly obj: Obj,
    private readonly report: (field: string, reason: string) => void,
  ) {}

  /** The fields of a nested object, reported under the same record. */
  nested(obj: Obj): Fields {
    return new Fields(obj, this.report);
  }

  /** A number (or numeric text) at the first present key. */
  num(...keys: string[]): number | null {
    const key = keys.find((k) => this.obj[k] != null && this.obj[k] !== '');
    return key === undefined ? null : this.value(key, this.obj[key]);
  }

  /** `v` as a number, reported under `field` when it is not one; null/empty is absent. */
  value(field: string, v: unknown): number | null {
    if (v == null || v === '') return null;
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (Number.isFinite(n)) return n;
    this.report(field, `not a number (got ${JSON.stringify(v)})`);
    return null;
  }

  text(...keys: string[]): string | null {
    for (const key of keys) {
      const v = this.obj[key];
      if (typeof v === 'string' && v !== '') return v;
    }
    return null;
  }

  /** Epoch ms of the first present key (epoch ms, or text without a zone meaning GMT); throws naming the field when unreadable. */
  instant(...keys: string[]): number | null {
    const key = keys.find((k) => this.obj[k] != null && this.obj[k] !== '');
    if (key === undefined) return null;
    const ms = instantMs(this.obj[key]);
    if (ms === null) throw new RawItemError(key, `not a time (got ${JSON.stringify(this.obj[key])})`);
    return ms;
  }

  /** Like `instant`, but an unreadable value is reported and read as absent. */
  softInstant(...keys: string[]): number | null {
    try {
      return this.instant(...keys);
    } catch (err) {
      if (!(err instanceof RawItemError)) throw err;
      this.report(err.field!, err.message);
      return null;
    }
  }

  /** A YYYY-MM-DD day (text, or `{ date }` as some export files write it); throws naming the field when unreadable. */
  day(key = 'calendarDate', v: unknown = this.obj[key]): string {
    const text = typeof v === 'string' ? v : isObj(v) && typeof v.date === 'string' ? v.date : null;
    if (!text || !/^\d{4}-\d{2}-\d{2}/.test(text)) throw new RawItemError(key, `not a YYYY-MM-DD day (got ${JSON.stringify(v ?? null)})`);
    return text.slice(0, 10);
  }
}

/** Epoch ms from a number, digits, or ISO text (no zone = UTC, as Garmin's `...GMT` fields are). */
function instantMs(v: unknown): number | null {
  const ms = typeof v === 'number' ? v : typeof v === 'string' ? textMs(v.trim()) : null;
  // The range a Date can hold.
  return ms !== null && Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? ms : null;
}

function textMs(t: string): number | null {
  if (/^\d+$/.test(t)) return Number(t);
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(t);
  if (!m) return null;
  const frac = m[3] ? `.${m[3].slice(1, 4).padEnd(3, '0')}` : '';
  const zone = m[4] ? (m[4] === 'Z' ? 'Z' : m[4].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')) : 'Z';
  const ms = Date.parse(`${m[1]}T${m[2]}${frac}${zone}`);
  return Number.isNaN(ms) ? null : ms;
}

/** Epoch ms as the API's zone-less wall-clock text. */
const wallClock = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString().slice(0, 23));

/** `v` divided into the API's unit. */
const per = (v: number | null, factor: number): number | null => (v === null ? null : v / factor);

/** kJ per kcal (thermochemical calorie). */
const KJ_PER_KCAL = 4.184;

/**
 * Parse one Garmin JSON file (bytes or text). Activities become `garmin`
 * workouts (SI units, external id = activity id); sleep, daily summary,
 * HRV and weight files become daily biometrics on Garmin's `calendarDate`.
 * Bad entries are reported by index and field; the rest is kept.
 */
export function parseGarminJson(bytes: Uint8Array | string, input: string, opts: ExportOptions = {}): ParseResult {
  const result = emptyResult();
  const ctx: Ctx = { input, source: opts.source ?? SOURCE, athleteId: opts.athleteId ?? 'me', result };
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
  if (kind === 'garmin_weight' && isObj(json) && !isWeight(json)) weightResponse(ctx, json);
  else entries(ctx, kind === 'garmin_activities' ? (exportActivityBlocks(json) ?? json) : json, READERS[kind]);
  return result;
}

/** Reads one entry of a file into the Connect API's record shape and maps it. */
type Reader = (ctx: Ctx, f: Fields) => void;

const READERS: Record<GarminJsonKind, Reader> = {
  garmin_activities: (ctx, f) => addWorkout(ctx, garminWorkout(exportActivity(f), { source: ctx.source, payload: f.obj })),
  garmin_api_activity: (ctx, f) => addWorkout(ctx, garminWorkout(f.obj, { source: ctx.source })),
  garmin_sleep: (ctx, f) => addReadings(ctx, garminSleepReadings(isObj(f.obj.dailySleepDTO) ? f.obj : exportSleep(f), ctx.source)),
  garmin_hrv: (ctx, f) => {
    const body = isObj(f.obj.hrvSummary) ? f.obj : exportHrv(f);
    if (body) addReadings(ctx, garminHrvReadings(body, ctx.source));
  },
  garmin_uds: (ctx, f) => addReadings(ctx, garminSummaryReadings(exportUds(f), ctx.source)),
  garmin_weight: (ctx, f) => {
    const weighIn = exportWeighIn(f);
    if (weighIn) addReadings(ctx, garminWeighInReadings(weighIn, ctx.source));
  },
};

function addWorkout(ctx: Ctx, w: SourceWorkoutInput): void {
  ctx.result.workouts.push({ ...w, athlete_id: ctx.athleteId, input: ctx.input });
}

function addReadings(ctx: Ctx, readings: BiometricReadingInput[]): void {
  for (const b of readings) ctx.result.biometrics.push({ ...b, athlete_id: ctx.athleteId, input: ctx.input });
}

/** Apply `read` to each object of a list (record "entry i") or to a single object (record "response"). */
function entries(ctx: Ctx, json: unknown, read: Reader): void {
  if (!Array.isArray(json)) {
    if (isObj(json)) guarded(ctx, 'response', () => read(ctx, fieldsOf(ctx, json, 'response')));
    return;
  }
  json.forEach((item, i) => {
    const record = `entry ${i}`;
    if (isObj(item)) guarded(ctx, record, () => read(ctx, fieldsOf(ctx, item, record)));
    else ctx.result.errors.push({ input: ctx.input, record, reason: `not an object (got ${JSON.stringify(item)})` });
  });
}

function fieldsOf(ctx: Ctx, obj: Obj, record: string): Fields {
  return new Fields(obj, (field, reason) => ctx.result.errors.push({ input: ctx.input, record, field, reason }));
}

/** Run one record's reading and mapping; a record that cannot be used is reported and dropped alone. */
function guarded(ctx: Ctx, record: string, run: () => void): void {
  try {
    run();
  } catch (err) {
    if (!(err instanceof RawItemError)) throw err;
    ctx.result.errors.push(itemError(ctx.input, record, err));
  }
}

/** An export activity summary in the API list item's shape (metres, seconds, kcal, steps per minute). */
function exportActivity(f: Fields): Obj {
  const start = f.instant('startTimeGmt', 'beginTimestamp');
  if (start === null) throw new RawItemError('startTimeGmt', 'activity has no start time (startTimeGmt / beginTimestamp)');
  const type = f.obj.activityType;
  const typeKey = typeof type === 'string' ? type : isObj(type) && typeof type.typeKey === 'string' ? type.typeKey : null;
  const strides = f.num('avgRunCadence');
  return {
    activityId: f.obj.activityId,
    activityName: f.text('name'),
    startTimeGMT: wallClock(start),
    startTimeLocal: wallClock(f.softInstant('startTimeLocal')),
    activityType: typeKey ? { typeKey } : null,
    sportType: f.text('sportType'),
    parentId: f.obj.parentId,
    distance: per(f.num('distance'), 100),
    duration: per(f.num('duration'), 1000),
    elapsedDuration: per(f.num('elapsedDuration'), 1000),
    movingDuration: per(f.num('movingDuration'), 1000),
    elevationGain: per(f.num('elevationGain'), 100),
    calories: per(f.num('calories'), KJ_PER_KCAL),
    averageHR: f.num('avgHr'),
    maxHR: f.num('maxHr'),
    avgPower: f.num('avgPower'),
    maxPower: f.num('maxPower'),
    averageRunningCadenceInStepsPerMinute: strides !== null ? strides * 2 : f.num('avgDoubleCadence'),
    averageBikingCadenceInRevPerMinute: f.num('avgBikeCadence'),
    activityTrainingLoad: f.num('activityTrainingLoad'),
    startLatitude: f.num('startLatitude'),
    hasPolyline: f.obj.hasPolyline === true,
  };
}

/** An export `sleepData` entry as a `dailySleepData` response (epoch ms, total sleep = the stages' sum when absent). */
function exportSleep(f: Fields): Obj {
  const calendarDate = f.day();
  const deep = f.num('deepSleepSeconds');
  const light = f.num('lightSleepSeconds');
  const rem = f.num('remSleepSeconds');
  const staged = (deep ?? 0) + (light ?? 0) + (rem ?? 0);
  const scores = isObj(f.obj.sleepScores) ? f.obj.sleepScores : {};
  const overall = isObj(scores.overall) ? scores.overall.value : (scores.overallScore ?? f.obj.overallScore);
  const spo2 = isObj(f.obj.spo2SleepSummary) ? f.obj.spo2SleepSummary.averageSPO2 : null;
  return {
    dailySleepDTO: {
      calendarDate,
      sleepTimeSeconds: f.num('sleepTimeSeconds') ?? (staged > 0 ? staged : null),
      deepSleepSeconds: deep,
      lightSleepSeconds: light,
      remSleepSeconds: rem,
      awakeSleepSeconds: f.num('awakeSleepSeconds'),
      sleepStartTimestampGMT: f.softInstant('sleepStartTimestampGMT'),
      sleepEndTimestampGMT: f.softInstant('sleepEndTimestampGMT'),
      averageRespirationValue: f.num('averageRespirationValue', 'averageRespiration'),
      averageSpO2Value: f.num('averageSpO2Value') ?? f.value('spo2SleepSummary.averageSPO2', spo2),
      sleepScores: { overall: { value: f.value('sleepScores.overall', overall) } },
    },
  };
}

/** A flat HRV summary or a health-status entry's HRV metric as an HRV response; null when the entry has no HRV. */
function exportHrv(f: Fields): Obj | null {
  const calendarDate = f.day();
  if ('lastNightAvg' in f.obj) {
    return { hrvSummary: { calendarDate, lastNightAvg: f.num('lastNightAvg'), status: f.text('status') } };
  }
  const metrics = Array.isArray(f.obj.metrics) ? f.obj.metrics : [];
  const m = metrics.find((x): x is Obj => isObj(x) && x.type === 'HRV');
  if (!m) return null;
  return { hrvSummary: { calendarDate, lastNightAvg: f.value('metrics.HRV.value', m.value), status: typeof m.status === 'string' ? m.status : null } };
}

/** A UDS entry as a daily user summary. */
function exportUds(f: Fields): Obj {
  return { calendarDate: f.day(), restingHeartRate: f.num('restingHeartRate', 'currentDayRestingHeartRate'), totalSteps: f.num('totalSteps') };
}

/**
 * A `userBioMetrics` entry (`{ weight: {...}, metaData: { calendarDate } }`)
 * or a flat weigh-in as the weight service's weigh-in; null for entries
 * without a weigh-in (VO2 max, height), which are not errors.
 */
function exportWeighIn(outer: Fields): Obj | null {
  if (outer.obj.weight == null) return null;
  const f = isObj(outer.obj.weight) ? outer.nested(outer.obj.weight) : outer;
  const meta = isObj(outer.obj.metaData) ? outer.obj.metaData : {};
  const dayValue = [meta.calendarDate, outer.obj.calendarDate, f.obj.calendarDate, f.obj.summaryDate].find((v) => v != null);
  return {
    calendarDate: dayValue == null ? null : f.day('calendarDate', dayValue),
    timestampGMT: f.softInstant('timestampGMT'),
    weight: f.num('weight'),
    bodyFat: f.num('bodyFat'),
    bmi: f.num('bmi'),
    muscleMass: f.num('muscleMass'),
    sourceType: f.text('sourceType'),
  };
}

/** A weight-service range response saved to a file: its weigh-ins are in the API's shape already. */
function weightResponse(ctx: Ctx, body: Obj): void {
  let items: ReturnType<typeof garminWeighIns> = [];
  guarded(ctx, 'response', () => {
    items = garminWeighIns(body);
  });
  for (const { record, item } of items) guarded(ctx, record, () => addReadings(ctx, garminWeighInReadings(item, ctx.source)));
}
