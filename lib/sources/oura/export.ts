/**
 * Oura export files: the API v2 collections as JSON (`{ data: [...] }` for one
 * collection, a list, or an object keyed by collection name) or as CSV whose
 * columns are the same field names. This reads them into Oura's record shape
 * and hands them to `map.ts`, as the API connector does.
 */
import { emptyResult, type ParseResult } from '../../core/models.ts';
import { num, readCsv, type CsvTable, type ExportOptions } from '../../formats/csv.ts';
import { SOURCE } from './index.ts';
import { mapOuraDaily, mapOuraSleep, mapOuraWorkout, type OuraContext, type OuraItem } from './map.ts';
import { COLLECTIONS, DAILY_COLLECTIONS, NUMERIC_FIELDS, type OuraCollection } from './records.ts';

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

/**
 * Parse an Oura export file (bytes or text) into sleep, daily and workout rows
 * the way `map.ts` maps Oura's records: each day's main sleep period, the
 * daily scores and steps, and workouts with the offset their times carry.
 */
export function parseOura(bytes: Uint8Array | string, input: string, opts: ExportOptions = {}): ParseResult {
  const result = emptyResult();
  const ctx: OuraContext = { source: opts.source ?? SOURCE, athleteId: opts.athleteId ?? 'me' };
  const content = (typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes)).replace(/^\uFEFF/, '');
  const first = content.trimStart()[0];
  const groups = new Map<OuraCollection, OuraItem[]>();
  const add = (c: OuraCollection, obj: Obj, label: string) => {
    const list = groups.get(c) ?? [];
    const record = asRecord(c, obj);
    list.push({ record, input, label, raw: provenance(c, record) });
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
      result.errors.push({ input, reason: `not an Oura CSV: its columns match none of ${COLLECTIONS.join(', ')}` });
      return result;
    }
    table.rows.forEach((cells, i) => add(kind, csvObject(table.header, cells), `row ${i + 1}`));
  }
  mapOuraSleep(groups.get('sleep') ?? [], ctx, result);
  for (const c of DAILY_COLLECTIONS) for (const item of groups.get(c) ?? []) mapOuraDaily(c, item, ctx, result);
  for (const item of groups.get('workout') ?? []) mapOuraWorkout(item, ctx, result);
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
  const keys = COLLECTIONS.filter((k) => k in top);
  if (!keys.length) return void result.errors.push({ input, reason: `not an Oura JSON document: no "data" array and none of the keys ${COLLECTIONS.join(', ')}` });
  for (const k of keys) {
    const v = top[k];
    const list = Array.isArray(v) ? v : typeof v === 'object' && v !== null && Array.isArray((v as Obj).data) ? ((v as Obj).data as unknown[]) : null;
    if (!list) {
      result.errors.push({ input, record: k, reason: `"${k}" is not a list of records` });
      continue;
    }
    list.forEach((o, i) => {
      if (typeof o === 'object' && o !== null) add(k, o as Obj, `${k}[${i}]`);
      else result.errors.push({ input, record: `${k}[${i}]`, reason: 'not an object' });
    });
  }
}

/** A CSV row as an object of its non-empty cells, as text. */
function csvObject(header: readonly string[], cells: readonly string[]): Obj {
  const o: Obj = {};
  header.forEach((h, i) => {
    const c = (cells[i] ?? '').trim();
    if (c !== '') o[h] = c;
  });
  return o;
}

/**
 * The record in Oura's own shape: empty text is no value, as an empty CSV cell
 * is; numbers written as text (all of them, in CSV) become numbers; other text
 * stays, for the mapping to report.
 */
function asRecord(kind: OuraCollection, obj: Obj): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v !== 'string') out[k] = v;
    else if (v.trim() === '') out[k] = null;
    else out[k] = NUMERIC_FIELDS[kind].has(k) ? numberOrText(v) : v;
  }
  return out;
}

function numberOrText(v: string): number | string {
  try {
    return num(v.trim());
  } catch {
    return v;
  }
}

/**
 * What an export keeps of a record as its rows' `raw_data`: ids and labels
 * only, since a whole record would be stored again with each of its metrics.
 */
function provenance(kind: OuraCollection, o: Obj): Obj {
  switch (kind) {
    case 'sleep':
      return { id: o.id ?? null, type: o.type ?? null, bedtime_start: o.bedtime_start ?? null, bedtime_end: o.bedtime_end ?? null };
    case 'daily_readiness':
      return { id: o.id ?? null, temperature_deviation: o.temperature_deviation ?? null };
    case 'workout':
      return { intensity: o.intensity ?? null, source: o.source ?? null, day: o.day ?? null, label: o.label ?? null };
    default:
      return { id: o.id ?? null };
  }
}
