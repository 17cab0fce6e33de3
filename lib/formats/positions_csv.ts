/**
 * Position CSVs from GNSS units worn in squad sessions: one row per sample with
 * a time, latitude and longitude, optionally speed, heart rate and altitude.
 * Reads Catapult-style exports whose `Timestamp` is an Excel serial day number
 * as well as epoch seconds or milliseconds, ISO 8601 instants and seconds from
 * a given start. Produces one workout and its stream at the file's own rate.
 */
import { basename, extname } from 'node:path';
import { emptyResult, type ImportError, type ParseResult, type SourceWorkoutInput, type StreamChannel } from '../core/models.ts';
import { mapSport } from '../core/sports.ts';
import { estimateKinematics, trackDistance } from '../core/motion/kinematics.ts';
import { readCsv, type CsvTable } from './csv.ts';

/** How the time column is written. */
export type PositionTimeFormat = 'excel_days' | 'epoch_s' | 'epoch_ms' | 'iso' | 'seconds';

/** Options of {@link parsePositionsCsv}. */
export interface PositionsCsvOptions {
  /** Source name; default `gnss`. */
  source?: string;
  athleteId?: string;
  /** Sport name (mapped with mapSport); default `soccer`. */
  sport?: string;
  /** Offset (min east of UTC) of wall-clock times (Excel days, ISO without a zone); they are read as UTC without it. */
  utcOffsetMin?: number;
  /** Time format; default: detected from the first time cell. */
  timeFormat?: PositionTimeFormat;
  /** Start instant for `seconds` times (seconds from the start). */
  startTime?: Date;
}

/** Days between Excel's day 0 (1899-12-30) and 1970-01-01. */
const EXCEL_EPOCH_DAYS = 25_569;
const DAY_MS = 86_400_000;

type Field = 'time' | 'lat' | 'lon' | 'speed_mps' | 'speed_kmh' | 'hr' | 'altitude_m';

/** Normalised header names (lower case, letters and digits only) to the field they hold. */
const COLUMNS: Record<string, Field> = {
  timestamp: 'time', time: 'time', datetime: 'time', utc: 'time', utctime: 'time', date: 'time', times: 'time',
  epoch: 'time', unixtime: 'time', gpstime: 'time',
  latitude: 'lat', lat: 'lat', latdeg: 'lat',
  longitude: 'lon', lon: 'lon', lng: 'lon', long: 'lon', londeg: 'lon',
  speedmps: 'speed_mps', speedms: 'speed_mps', velocityms: 'speed_mps', velocitymps: 'speed_mps',
  speedkmh: 'speed_kmh', velocitykmh: 'speed_kmh',
  hr: 'hr', heartrate: 'hr', heartratebpm: 'hr', hrbpm: 'hr',
  altitude: 'altitude_m', altitudem: 'altitude_m', elevation: 'altitude_m', ele: 'altitude_m',
};

function normalise(h: string): string {
  return h.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Whether a CSV header names a time, a latitude and a longitude column: a file this parser reads. */
export function isPositionsCsvHeader(header: readonly string[]): boolean {
  const fields = new Set(header.map((h) => COLUMNS[normalise(h)]));
  return fields.has('time') && fields.has('lat') && fields.has('lon');
}

/** Guess the time format from the first time cell. */
function detectFormat(cell: string, hasStart: boolean): PositionTimeFormat | null {
  const v = Number(cell);
  if (cell.trim() === '') return null;
  if (!Number.isFinite(v)) return Number.isNaN(Date.parse(cell)) ? null : 'iso';
  if (v > 1e11) return 'epoch_ms';
  if (v > 1e8) return 'epoch_s';
  if (hasStart) return 'seconds';
  // Excel serial days of the years 1954–2119.
  if (v >= 20_000 && v < 80_000) return 'excel_days';
  return null;
}

/** Epoch ms of one time cell, or an Error saying why it cannot be read. */
function readTime(cell: string, format: PositionTimeFormat, offsetMin: number, start: Date | undefined): number | Error {
  const t = cell.trim();
  if (format === 'iso') {
    const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(t);
    const iso = t.includes('T') ? t : t.replace(' ', 'T');
    const ms = Date.parse(zoned ? iso : `${iso}Z`);
    if (Number.isNaN(ms)) return new Error(`not an ISO 8601 time: "${cell}"`);
    return zoned ? ms : ms - offsetMin * 60_000;
  }
  const v = Number(t);
  if (t === '' || !Number.isFinite(v)) return new Error(`not a number: "${cell}"`);
  switch (format) {
    case 'excel_days':
      // Sub-millisecond float noise of the day fraction is rounded away.
      return Math.round((v - EXCEL_EPOCH_DAYS) * DAY_MS) - offsetMin * 60_000;
    case 'epoch_s':
      return Math.round(v * 1000);
    case 'epoch_ms':
      return v;
    case 'seconds':
      return start!.getTime() + Math.round(v * 1000);
  }
}

/**
 * Parse a position CSV into one workout and one stream. Rows with an unreadable
 * time, or a time not after the previous row's, are left out; an unreadable
 * coordinate or channel leaves that value absent. Each problem is reported
 * with its row and column.
 */
export function parsePositionsCsv(data: Uint8Array | string, input: string, opts: PositionsCsvOptions = {}): ParseResult {
  const result = emptyResult();
  const fail = (reason: string) => {
    result.errors.push({ input, reason });
    return result;
  };
  let table: CsvTable;
  try {
    table = readCsv(typeof data === 'string' ? data : new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch (e) {
    return fail(`unreadable CSV: ${(e as Error).message}`);
  }
  const cols = new Map<Field, number>();
  table.header.forEach((h, i) => {
    const f = COLUMNS[normalise(h)];
    if (f && !cols.has(f)) cols.set(f, i);
  });
  const missing = (['time', 'lat', 'lon'] as const).filter((f) => !cols.has(f));
  if (missing.length > 0) {
    return fail(`not a position CSV: no ${missing.join(', ')} column (header: ${table.header.join(', ')})`);
  }
  if (table.rows.length === 0) return fail('no data rows');
  const tCol = cols.get('time')!;
  const firstCell = table.rows[0]![tCol] ?? '';
  const format = opts.timeFormat ?? detectFormat(firstCell, opts.startTime !== undefined);
  if (!format) {
    return fail(`cannot tell the time format of "${table.header[tCol]}" from "${firstCell}" (set timeFormat, or startTime for seconds)`);
  }
  if (format === 'seconds' && !opts.startTime) return fail('times in seconds need a startTime');
  const offsetMin = opts.utcOffsetMin ?? 0;

  const n = table.rows.length;
  const time = new Float64Array(n);
  const lat = new Float64Array(n);
  const lon = new Float64Array(n);
  const extra: Partial<Record<'speed_mps' | 'hr' | 'altitude_m', Float64Array>> = {};
  const speedCol = cols.get('speed_mps') ?? cols.get('speed_kmh');
  const speedScale = cols.has('speed_mps') ? 1 : 1 / 3.6;
  if (speedCol !== undefined) extra.speed_mps = new Float64Array(n);
  if (cols.has('hr')) extra.hr = new Float64Array(n);
  if (cols.has('altitude_m')) extra.altitude_m = new Float64Array(n);

  const errs: ImportError[] = result.errors;
  const err = (row: number, col: number, reason: string) =>
    errs.push({ input, record: `row ${row}`, field: table.header[col] ?? `column ${col + 1}`, reason });
  const value = (row: string[], line: number, col: number, lo: number, hi: number, what: string): number => {
    const cell = (row[col] ?? '').trim();
    if (cell === '') return NaN;
    const v = Number(cell);
    if (!Number.isFinite(v) || v < lo || v > hi) {
      err(line, col, `${what} "${cell}" is not a number in [${lo}, ${hi}]`);
      return NaN;
    }
    return v;
  };

  let k = 0;
  for (let r = 0; r < n; r++) {
    const row = table.rows[r]!;
    const line = table.lines[r]!;
    const t = readTime(row[tCol] ?? '', format, offsetMin, opts.startTime);
    if (t instanceof Error) {
      err(line, tCol, t.message);
      continue;
    }
    if (k > 0 && t <= time[k - 1]!) {
      err(line, tCol, `time ${new Date(t).toISOString()} is not after the previous row's`);
      continue;
    }
    time[k] = t;
    lat[k] = value(row, line, cols.get('lat')!, -90, 90, 'latitude');
    lon[k] = value(row, line, cols.get('lon')!, -180, 180, 'longitude');
    // A lone 0,0 fix is a receiver without a fix, not a position in the Gulf of Guinea.
    if (lat[k] === 0 && lon[k] === 0) lat[k] = lon[k] = NaN;
    if (extra.speed_mps) extra.speed_mps[k] = value(row, line, speedCol!, 0, 200, 'speed') * speedScale;
    if (extra.hr) extra.hr[k] = value(row, line, cols.get('hr')!, 20, 260, 'heart rate');
    if (extra.altitude_m) extra.altitude_m[k] = value(row, line, cols.get('altitude_m')!, -500, 9000, 'altitude');
    k++;
  }
  if (k === 0) return fail('no row with a readable time');

  const channels: Partial<Record<StreamChannel, Float64Array>> = { lat: lat.slice(0, k), lon: lon.slice(0, k) };
  for (const [ch, arr] of Object.entries(extra) as ['speed_mps' | 'hr' | 'altitude_m', Float64Array][]) channels[ch] = arr.slice(0, k);
  const times = time.slice(0, k);
  const start = times[0]!;
  const end = times[k - 1]!;
  const file = basename(input);
  const source = opts.source ?? 'gnss';
  const externalId = `${file}@${new Date(start).toISOString()}`;
  const { sport, category } = mapSport(opts.sport ?? 'soccer');

  let distance: number | null = null;
  try {
    distance = trackDistance(estimateKinematics({ time: times, lat: channels.lat, lon: channels.lon, speed_mps: channels.speed_mps }));
  } catch {
    // No usable positions: the workout is kept without a distance.
  }
  const hr = channels.hr ? finiteStats(channels.hr) : null;
  const dts: number[] = [];
  for (let i = 1; i < k; i++) dts.push(times[i]! - times[i - 1]!);
  dts.sort((a, b) => a - b);
  const medianDt = dts.length ? dts[dts.length >> 1]! : NaN;

  const workout: SourceWorkoutInput = {
    athlete_id: opts.athleteId ?? 'me',
    source,
    external_id: externalId,
    name: basename(file, extname(file)),
    start_time: new Date(start),
    end_time: new Date(end),
    duration_s: (end - start) / 1000,
    utc_offset_min: opts.utcOffsetMin ?? null,
    sport,
    source_sport: opts.sport ?? null,
    sport_category: category,
    distance_m: distance === null ? null : Math.round(distance * 10) / 10,
    avg_hr: hr?.mean ?? null,
    max_hr: hr?.max ?? null,
    external_ids: { file },
    raw_data: {
      columns: table.header,
      rows: n,
      time_format: format,
      sample_rate_hz: Number.isFinite(medianDt) && medianDt > 0 ? Math.round(10_000 / medianDt) / 10 : null,
    },
    has_gps: channels.lat!.some(Number.isFinite),
    input,
  };
  result.workouts.push(workout);
  result.streams.push({ source, external_id: externalId, time: times, channels });
  return result;
}

function finiteStats(v: Float64Array): { mean: number; max: number } | null {
  let s = 0;
  let n = 0;
  let max = -Infinity;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    if (!Number.isFinite(x)) continue;
    s += x;
    n++;
    max = Math.max(max, x);
  }
  return n ? { mean: Math.round((s / n) * 10) / 10, max } : null;
}
