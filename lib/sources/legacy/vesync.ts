/**
 * The predecessor's VeSync collector files: `vesync_data_<stamp>.json`
 * (`devices`, `scale_data`, `sleep_data`, `environmental_data`) and
 * `vesync_summary_<day>.csv` (one row per item, typed by `data_type`). Scale
 * rows become weigh-ins through VeSync's one mapping (vesync/map.ts); the rest
 * is listed as left out. The collector recorded no units: weights are kg, as
 * VeSync's fat-scale API reports them, and a zero weight is its placeholder.
 */
import { readCsv, type CsvTable } from '../../formats/csv.ts';
import { localDay, zoneOffset } from '../base.ts';
import { weighInReadings, type Placement } from '../vesync/map.ts';
import { emptyRead, type LegacyRead } from './read.ts';
import { leftOut, type LeftOutKind } from './left_out.ts';
import { legacySourceName, numberOf } from './rows.ts';

/** The zone the collector used when its `.env` set no `VESYNC_TIMEZONE`. */
export const COLLECTOR_DEFAULT_TIME_ZONE = 'America/Denver';

/** Source name of the collector's readings. */
const SOURCE = legacySourceName('vesync');

/**
 * Where a collector timestamp lies: epoch seconds or milliseconds, an ISO
 * text with a zone, or a zone-less local wall time in `timeZone` (the
 * collector's VESYNC_TIMEZONE). Null when unreadable.
 */
export function placeCollectorTime(ts: unknown, timeZone: string): Placement | null {
  if (typeof ts === 'number' || (typeof ts === 'string' && /^\d{9,13}(\.\d+)?$/.test(ts.trim()))) {
    const n = Number(ts);
    const time = new Date(n > 1e11 ? n : n * 1000);
    return { day: localDay(time, zoneOffset(timeZone, time)), time };
  }
  if (typeof ts !== 'string') return null;
  const s = ts.trim().replace(' ', 'T');
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?(Z|[+-]\d{2}:?\d{2})?$/i.exec(s);
  if (!m) return null;
  if (m[3]) {
    const time = new Date(Date.parse(s));
    return Number.isNaN(time.getTime()) ? null : { day: localDay(time, zoneOffset(timeZone, time)), time };
  }
  if (!m[2]) return { day: m[1]!, time: null };
  const wall = Date.parse(`${m[1]}T${m[2]}Z`);
  if (Number.isNaN(wall)) return null;
  // The zone's offset at the wall time read as UTC, then at the instant it gives (right across DST changes).
  const first = wall - zoneOffset(timeZone, new Date(wall)) * 60_000;
  return { day: m[1]!, time: new Date(wall - zoneOffset(timeZone, new Date(first)) * 60_000) };
}

/** One scale measurement (a collector JSON item or a summary CSV row) into `read`. */
function scaleItem(read: LegacyRead, item: Record<string, unknown>, where: { input: string; record: string }, timeZone: string): void {
  const at = placeCollectorTime(item.timestamp, timeZone);
  if (!at) {
    read.result.errors.push({ ...where, field: 'timestamp', reason: `timestamp ${JSON.stringify(item.timestamp ?? null)} is not a date and time` });
    return;
  }
  const weight = numberOf(item.weight);
  if (weight === 0) read.leftOut.push(leftOut('zero_weight', { ...where, field: 'weight' }));
  const water = numberOf(item.water_percentage);
  if (water != null && water !== 0) read.leftOut.push(leftOut('water_percentage', { ...where, field: 'water_percentage' }, `${water} %`));
  const readings = weighInReadings(
    { weigh_kg: weight, body_fat: numberOf(item.body_fat), muscle_kg: numberOf(item.muscle_mass) },
    at,
    { source: SOURCE, raw_data: { ...item, time_zone: timeZone } },
  );
  for (const r of readings) read.result.biometrics.push({ ...r, input: where.input });
}

const ITEM_KIND: Record<string, LeftOutKind> = {
  device_info: 'device_info',
  sleep_session: 'sleep_session',
  environmental_reading: 'environment',
};

/** Read a collector JSON file. */
export function readVesyncJson(jsonText: string, input: string, timeZone: string): LegacyRead {
  const read = emptyRead();
  let doc: unknown;
  try {
    doc = JSON.parse(jsonText.replace(/^\uFEFF/, ''));
  } catch (e) {
    read.result.errors.push({ input, reason: `unreadable JSON: ${(e as Error).message}` });
    return read;
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    read.result.errors.push({ input, reason: 'not a VeSync collector file: expected an object with scale_data' });
    return read;
  }
  const d = doc as Record<string, unknown>;
  const list = (k: string): Record<string, unknown>[] => (Array.isArray(d[k]) ? (d[k] as unknown[]).filter((x): x is Record<string, unknown> => !!x && typeof x === 'object') : []);
  list('scale_data').forEach((item, i) => scaleItem(read, item, { input, record: `scale_data ${i + 1}` }, timeZone));
  list('sleep_data').forEach((_, i) => read.leftOut.push(leftOut('sleep_session', { input, record: `sleep_data ${i + 1}` })));
  list('environmental_data').forEach((_, i) => read.leftOut.push(leftOut('environment', { input, record: `environmental_data ${i + 1}` })));
  const devices = d.devices && typeof d.devices === 'object' ? Object.keys(d.devices) : [];
  for (const id of devices) read.leftOut.push(leftOut('device_info', { input, record: `device ${id}` }));
  return read;
}

/** Read a collector summary CSV (`data_type` plus the union of the items' fields). */
export function readVesyncSummaryCsv(csvText: string, input: string, timeZone: string): LegacyRead {
  const read = emptyRead();
  let table: CsvTable;
  try {
    table = readCsv(csvText);
  } catch (e) {
    read.result.errors.push({ input, reason: `unreadable CSV: ${(e as Error).message}` });
    return read;
  }
  const col = (name: string) => table.header.findIndex((h) => h.trim() === name);
  if (col('data_type') < 0) {
    read.result.errors.push({ input, field: 'data_type', reason: 'not a VeSync collector summary: no data_type column' });
    return read;
  }
  table.rows.forEach((cells, i) => {
    const item = Object.fromEntries(table.header.map((h, k) => [h.trim(), cells[k] ?? ''])) as Record<string, unknown>;
    const where = { input, record: `row ${i + 1} (line ${table.lines[i]})` };
    const type = String(item.data_type ?? '').trim();
    if (type === 'scale_measurement') scaleItem(read, item, where, timeZone);
    else read.leftOut.push(leftOut(ITEM_KIND[type] ?? 'unknown_metric', { ...where, field: 'data_type' }, type || 'no data_type'));
  });
  return read;
}
