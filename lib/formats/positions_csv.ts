/**
 * Position CSVs from GNSS units worn in squad sessions: one row per sample with
 * a time, latitude and longitude, optionally speed, heart rate and altitude.
 * Reads Catapult-style exports whose `Timestamp` is an Excel serial day number
 * as well as epoch seconds or milliseconds, ISO 8601 instants and seconds from
 * a given start. Produces one workout and its stream at the file's own rate.
 * Read whole or as a stream (parsePositionsCsvStream), row by row either way.
 *
 * What each workout field means here: start_time / end_time the first and
 * last row's time; duration_s the elapsed time between them; moving_time_s
 * by the speed rule of moving_time.ts (from the speed column, else every
 * interval up to the pause gap); distance_m the length of the smoothed track
 * (core/motion); avg_hr / max_hr over the rows. Values then pass the
 * plausibility gate (core/plausibility.ts).
 */
import { basename, extname } from 'node:path';
import { emptyResult, type ParseResult, type SourceWorkoutInput, type StreamChannel } from '../core/models.ts';
import { mapSport } from '../core/sports.ts';
import { estimateKinematics, trackDistance } from '../core/motion/kinematics.ts';
import { gateResult } from '../core/plausibility.ts';
import { CsvReader, MAX_CSV_RECORD_CHARS, readCsvStream } from './csv.ts';
import { movingTimeS } from './moving_time.ts';
import { COL, PointColumns } from './track_points.ts';

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

/** The position channels kept per row, as columns of a PointColumns. */
const EXTRA: Array<['speed_mps' | 'hr' | 'altitude_m', number]> = [
  ['speed_mps', COL.speed_mps],
  ['hr', COL.hr],
  ['altitude_m', COL.altitude_m],
];

/**
 * Builds the workout of a position CSV from its header and rows as they are
 * read (whole text or a stream): rows go into block columns, so a file of
 * millions of samples is never held as text or as row arrays.
 */
class PositionsBuilder {
  readonly result = emptyResult();
  private header: string[] = [];
  private cols = new Map<Field, number>();
  private format: PositionTimeFormat | null = null;
  private failed = false;
  private rows = 0;
  private lastTime = -Infinity;
  private readonly points = new PointColumns();
  private speedScale = 1;

  constructor(
    private readonly input: string,
    private readonly opts: PositionsCsvOptions,
  ) {}

  private fail(reason: string): void {
    if (!this.failed) this.result.errors.push({ input: this.input, reason });
    this.failed = true;
  }

  private err(row: number, col: number, reason: string): void {
    this.result.errors.push({ input: this.input, record: `row ${row}`, field: this.header[col] ?? `column ${col + 1}`, reason });
  }

  onHeader(header: string[]): void {
    this.header = header;
    header.forEach((h, i) => {
      const f = COLUMNS[normalise(h)];
      if (f && !this.cols.has(f)) this.cols.set(f, i);
    });
    const missing = (['time', 'lat', 'lon'] as const).filter((f) => !this.cols.has(f));
    if (missing.length > 0) this.fail(`not a position CSV: no ${missing.join(', ')} column (header: ${header.join(', ')})`);
    this.speedScale = this.cols.has('speed_mps') ? 1 : 1 / 3.6;
  }

  onRow(row: string[], line: number): void {
    if (this.failed) return;
    this.rows++;
    const cols = this.cols;
    const tCol = cols.get('time')!;
    if (this.format === null) {
      const firstCell = row[tCol] ?? '';
      this.format = this.opts.timeFormat ?? detectFormat(firstCell, this.opts.startTime !== undefined);
      if (!this.format) {
        this.fail(`cannot tell the time format of "${this.header[tCol]}" from "${firstCell}" (set timeFormat, or startTime for seconds)`);
        return;
      }
      if (this.format === 'seconds' && !this.opts.startTime) {
        this.fail('times in seconds need a startTime');
        return;
      }
    }
    const t = readTime(row[tCol] ?? '', this.format, this.opts.utcOffsetMin ?? 0, this.opts.startTime);
    if (t instanceof Error) {
      this.err(line, tCol, t.message);
      return;
    }
    if (t <= this.lastTime) {
      this.err(line, tCol, `time ${new Date(t).toISOString()} is not after the previous row's`);
      return;
    }
    this.lastTime = t;
    const value = (col: number | undefined, lo: number, hi: number, what: string): number => {
      if (col === undefined) return NaN;
      const cell = (row[col] ?? '').trim();
      if (cell === '') return NaN;
      const v = Number(cell);
      if (!Number.isFinite(v) || v < lo || v > hi) {
        this.err(line, col, `${what} "${cell}" is not a number in [${lo}, ${hi}]`);
        return NaN;
      }
      return v;
    };
    const r = this.points.row;
    r[COL.time] = t;
    let lat = value(cols.get('lat'), -90, 90, 'latitude');
    let lon = value(cols.get('lon'), -180, 180, 'longitude');
    // A lone 0,0 fix is a receiver without a fix, not a position in the Gulf of Guinea.
    if (lat === 0 && lon === 0) lat = lon = NaN;
    r[COL.lat] = lat;
    r[COL.lon] = lon;
    r[COL.speed_mps] = value(cols.get('speed_mps') ?? cols.get('speed_kmh'), 0, 200, 'speed') * this.speedScale;
    r[COL.hr] = value(cols.get('hr'), 20, 260, 'heart rate');
    r[COL.altitude_m] = value(cols.get('altitude_m'), -500, 9000, 'altitude');
    this.points.commit();
  }

  finish(): ParseResult {
    const { result, input, opts } = this;
    if (this.header.length === 0) this.fail('not a position CSV: the file is empty');
    if (this.failed) return result;
    if (this.rows === 0) {
      this.fail('no data rows');
      return result;
    }
    const k = this.points.length;
    if (k === 0) {
      this.fail('no row with a readable time');
      return result;
    }
    const file = basename(input);
    const source = opts.source ?? 'gnss';
    const start = this.points.get(COL.time, 0);
    const externalId = `${file}@${new Date(start).toISOString()}`;
    const present = EXTRA.filter(([, col]) => this.points.has(col)).map(([ch]) => ch);
    const stream = this.points.takeStream(source, externalId);
    // Channels the header names keep their column, even when every value is absent.
    const channels: Partial<Record<StreamChannel, Float64Array>> = {
      lat: stream.channels.lat ?? new Float64Array(k).fill(NaN),
      lon: stream.channels.lon ?? new Float64Array(k).fill(NaN),
    };
    for (const ch of present) if (stream.channels[ch]) channels[ch] = stream.channels[ch];
    const times = stream.time;
    const end = times[k - 1]!;
    const { sport, category } = mapSport(opts.sport ?? 'soccer');

    let distance: number | null = null;
    try {
      distance = trackDistance(estimateKinematics({ time: times, lat: channels.lat, lon: channels.lon, speed_mps: channels.speed_mps }));
    } catch {
      // No usable positions: the workout is kept without a distance.
    }
    const hr = channels.hr ? finiteStats(channels.hr) : null;
    const dts = new Float64Array(Math.max(0, k - 1));
    for (let i = 1; i < k; i++) dts[i - 1] = times[i]! - times[i - 1]!;
    dts.sort();
    const medianDt = dts.length ? dts[dts.length >> 1]! : NaN;

    const workout: SourceWorkoutInput = {
      athlete_id: opts.athleteId ?? 'me',
      source,
      external_id: externalId,
      name: basename(file, extname(file)),
      start_time: new Date(start),
      end_time: new Date(end),
      duration_s: (end - start) / 1000,
      moving_time_s: movingTimeS(times, undefined, channels.speed_mps) ?? null,
      utc_offset_min: opts.utcOffsetMin ?? null,
      sport,
      source_sport: opts.sport ?? null,
      sport_category: category,
      distance_m: distance === null ? null : Math.round(distance * 10) / 10,
      avg_hr: hr?.mean ?? null,
      max_hr: hr?.max ?? null,
      external_ids: { file },
      raw_data: {
        columns: this.header,
        rows: this.rows,
        time_format: this.format,
        sample_rate_hz: Number.isFinite(medianDt) && medianDt > 0 ? Math.round(10_000 / medianDt) / 10 : null,
      },
      has_gps: channels.lat!.some(Number.isFinite),
      input,
    };
    result.workouts.push(workout);
    result.streams.push({ source, external_id: externalId, time: times, channels });
    return gateResult(result);
  }
}

/**
 * Parse a position CSV into one workout and one stream. Rows with an unreadable
 * time, or a time not after the previous row's, are left out; an unreadable
 * coordinate or channel leaves that value absent. Each problem is reported
 * with its row and column.
 */
export function parsePositionsCsv(data: Uint8Array | string, input: string, opts: PositionsCsvOptions = {}): ParseResult {
  const b = new PositionsBuilder(input, opts);
  let text: string;
  try {
    text = typeof data === 'string' ? data : new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch (e) {
    b.result.errors.push({ input, reason: `unreadable CSV: ${(e as Error).message}` });
    return b.result;
  }
  let headerSeen = false;
  const reader = new CsvReader((fields, line) => {
    if (headerSeen) b.onRow(fields, line);
    else {
      headerSeen = true;
      b.onHeader(fields.map((h) => h.trim()));
    }
  }, { maxRecordChars: Infinity });
  try {
    reader.write(text);
    reader.end();
  } catch (e) {
    b.result.errors.push({ input, reason: `unreadable CSV: ${(e as Error).message}` });
    return b.result;
  }
  return b.finish();
}

/**
 * Parse a position CSV given as a stream of byte chunks, in memory that grows
 * with the samples kept, not with the file; a record longer than
 * MAX_CSV_RECORD_CHARS (a file that is one enormous line) is reported and skipped.
 */
export async function parsePositionsCsvStream(chunks: AsyncIterable<Uint8Array>, input: string, opts: PositionsCsvOptions = {}): Promise<ParseResult> {
  const b = new PositionsBuilder(input, opts);
  try {
    await readCsvStream(
      chunks,
      { header: (h) => b.onHeader(h), row: (fields, line) => b.onRow(fields, line) },
      {
        onTooLong: (line, chars) =>
          b.result.errors.push({ input, record: `line ${line}`, reason: `record is longer than ${MAX_CSV_RECORD_CHARS} characters (${chars} read before giving up): skipped to the next line` }),
      },
    );
  } catch (e) {
    b.result.errors.push({ input, reason: `unreadable CSV: ${(e as Error).message}` });
    return b.result;
  }
  return b.finish();
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
