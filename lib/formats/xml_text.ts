/**
 * Shared helpers of the XML track parsers (GPX, TCX): turning file bytes into
 * text, reading numbers and ISO instants without the process time zone, and
 * the per-point arithmetic both formats need (growable columns, haversine
 * distance, elevation gain).
 */
import { gunzipSync } from 'node:zlib';
import type { StreamChannel, WorkoutStream } from '../core/models.ts';

/** Whether the bytes start with the gzip magic number (1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decode an XML file's bytes to text: gunzip when gzipped, then honour a byte
 * order mark, else the encoding the XML declaration names (ISO-8859-1 files
 * exist), else UTF-8. Bytes that are not valid UTF-8 are read as Windows-1252,
 * the usual real encoding of such files. Throws when gunzip fails.
 */
export function decodeXmlBytes(bytes: Uint8Array): string {
  const raw = isGzip(bytes) ? new Uint8Array(gunzipSync(bytes)) : bytes;
  if (raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) return decodeUtf8(raw.subarray(3));
  if (raw[0] === 0xff && raw[1] === 0xfe) return new TextDecoder('utf-16le').decode(raw.subarray(2));
  if (raw[0] === 0xfe && raw[1] === 0xff) return new TextDecoder('utf-16be').decode(raw.subarray(2));
  const head = new TextDecoder('latin1').decode(raw.subarray(0, 256));
  const declared = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head)?.[1]?.toLowerCase();
  if (declared && declared !== 'utf-8' && declared !== 'utf8') {
    try {
      return new TextDecoder(declared).decode(raw);
    } catch {
      // An encoding label TextDecoder does not know: UTF-8 is the best remaining guess.
    }
  }
  return decodeUtf8(raw);
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A decimal number from element or attribute text; NaN when empty or not a number ("undefined", "bad data"). */
export function parseDecimal(text: string): number {
  const t = text.trim();
  return DECIMAL.test(t) ? Number(t) : NaN;
}

const ISO_INSTANT =
  /^\s*(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$/i;
/** 400 Gregorian years are exactly 146,097 days. */
const FOUR_CENTURIES_MS = 146_097 * 86_400_000;

/**
 * Epoch milliseconds of an ISO 8601 date-time, NaN when it is not one. A value
 * without offset is taken as UTC (what GPX and TCX prescribe), never as the
 * process's local time.
 */
export function parseIsoTime(text: string): number {
  const m = ISO_INSTANT.exec(text);
  if (!m) return NaN;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return NaN;
  const fraction = m[7] === undefined ? 0 : Math.round(Number(`0.${m[7]}`) * 1000);
  // Date.UTC reads years 0-99 as 1900-1999; shift such years by four centuries and back.
  const shifted = year < 100;
  let ms = Date.UTC(shifted ? year + 400 : year, month - 1, day, hour, minute, second, fraction);
  if (shifted) ms -= FOUR_CENTURIES_MS;
  return ms - (offsetOf(m[8]) ?? 0) * 60_000;
}

/** The UTC offset in minutes written in an ISO date-time (`+01:00` is 60, `Z` is 0); null when it has none. */
export function isoOffsetMinutes(text: string): number | null {
  const m = ISO_INSTANT.exec(text);
  return m ? offsetOf(m[8]) : null;
}

function offsetOf(zone: string | undefined): number | null {
  if (zone === undefined) return null;
  if (zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + (digits.length > 2 ? Number(digits.slice(2, 4)) : 0));
}

/** Mean Earth radius in metres used for haversine distances. */
export const EARTH_RADIUS_M = 6_371_000;
const RAD = Math.PI / 180;

/** Great-circle distance in metres between two points in degrees (haversine; R. W. Sinnott, Sky & Telescope 68(2):159, 1984). */
export function haversineM(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** Altitude change, in metres, that must build up before it counts as climbing or descending. */
export const ELEVATION_HYSTERESIS_M = 3;

/** Altitude jumps to exactly 0 m from at least this far away are treated as sensor dropouts. */
const DROPOUT_FROM_M = 10;
/** Faster vertical movement than this (m/s) is an altimeter settling or recalibrating, not climbing. */
export const MAX_VERTICAL_SPEED_MPS = 10;

/**
 * Total ascent with a hysteresis threshold: a rise is counted once the
 * altitude stands at least `threshold` metres above the last reference point,
 * and a descent of the same size moves the reference down. GPS altitude
 * jitters by a few metres; summing every positive delta would count that noise
 * as climbing. A final rise smaller than the threshold is not counted.
 * Devices write 0 for a missing altitude, so a sudden 0 is ignored, and a
 * track whose altitudes are all 0 has no elevation data. A jump faster than
 * MAX_VERTICAL_SPEED_MPS (a barometer settling after start) moves the
 * reference without counting.
 */
export class ElevationGain {
  /** Metres climbed so far. */
  gain = 0;
  /** Whether any non-zero altitude was seen. */
  seen = false;
  private ref = NaN;
  private prevAlt = NaN;
  private prevTime = NaN;

  constructor(private readonly threshold = ELEVATION_HYSTERESIS_M) {}

  /**
   * Feed the next altitude and its time (epoch ms, NaN when unknown); NaN
   * altitude (absent) is ignored. Returns false when the value is a dropout to drop.
   */
  add(altitude: number, timeMs = NaN): boolean {
    if (Number.isNaN(altitude)) return true;
    if (altitude === 0 && Math.abs(this.ref) >= DROPOUT_FROM_M) return false;
    if (altitude !== 0) this.seen = true;
    const dt = (timeMs - this.prevTime) / 1000;
    const jump = dt > 0 && Math.abs(altitude - this.prevAlt) / dt > MAX_VERTICAL_SPEED_MPS;
    this.prevAlt = altitude;
    this.prevTime = timeMs;
    if (Number.isNaN(this.ref) || jump) {
      this.ref = altitude;
    } else if (altitude - this.ref >= this.threshold) {
      this.gain += altitude - this.ref;
      this.ref = altitude;
    } else if (this.ref - altitude >= this.threshold) {
      this.ref = altitude;
    }
    return true;
  }
}

/** GPS time starts on 1980-01-06; earlier stamps in a track are placeholders of a device without a fix. */
export const GPS_EPOCH_MS = Date.UTC(1980, 0, 6);

/** Column indices of a {@link PointColumns} row: the stream channels, then the extras the parsers need. */
export const COL = {
  time: 0,
  lat: 1,
  lon: 2,
  altitude_m: 3,
  distance_m: 4,
  speed_mps: 5,
  hr: 6,
  power_w: 7,
  cadence: 8,
  /** Air temperature, degrees C (not a stream channel; summarised into raw_data). */
  temp_c: 9,
  /** Cumulative haversine distance, for formats that also carry their own distance. */
  gps_distance_m: 10,
} as const;
const COLUMN_COUNT = 11;
const STREAM_COLUMNS: Array<[StreamChannel, number]> = [
  ['lat', COL.lat],
  ['lon', COL.lon],
  ['altitude_m', COL.altitude_m],
  ['distance_m', COL.distance_m],
  ['speed_mps', COL.speed_mps],
  ['hr', COL.hr],
  ['power_w', COL.power_w],
  ['cadence', COL.cadence],
];

/**
 * Track points stored column-wise in growable Float64Arrays. A parser fills
 * `row` (NaN = absent) and calls `commit()`; no object is made per point.
 */
export class PointColumns {
  /** Points committed. */
  length = 0;
  /** The point being read; reset to NaN after each commit. */
  readonly row = new Float64Array(COLUMN_COUNT).fill(NaN);
  private cols: Float64Array[] = [];
  private capacity: number;

  constructor(initialCapacity = 1024) {
    this.capacity = initialCapacity;
    for (let c = 0; c < COLUMN_COUNT; c++) this.cols.push(new Float64Array(initialCapacity));
  }

  /** Append `row` as a point and clear it. */
  commit(): void {
    if (this.length === this.capacity) this.grow();
    for (let c = 0; c < COLUMN_COUNT; c++) this.cols[c]![this.length] = this.row[c]!;
    this.length++;
    this.row.fill(NaN);
  }

  /** Forget the point being read. */
  discard(): void {
    this.row.fill(NaN);
  }

  /** A live view of one column's committed values. */
  view(col: number): Float64Array {
    return this.cols[col]!.subarray(0, this.length);
  }

  /** The committed points as a stream; channels without a single value are left out. */
  toStream(source: string, externalId: string): WorkoutStream {
    const channels: WorkoutStream['channels'] = {};
    for (const [name, col] of STREAM_COLUMNS) {
      const v = this.view(col);
      if (v.some((x) => !Number.isNaN(x))) channels[name] = v.slice();
    }
    return { source, external_id: externalId, time: this.view(COL.time).slice(), channels };
  }

  private grow(): void {
    this.capacity *= 2;
    this.cols = this.cols.map((old) => {
      const next = new Float64Array(this.capacity);
      next.set(old);
      return next;
    });
  }
}

/** Mean, maximum and count of the values of a column that pass `keep`; NaN is always skipped. */
export interface ColumnStats {
  mean: number | null;
  max: number | null;
  count: number;
}

/** Summarise a column (see {@link ColumnStats}). */
export function columnStats(values: Float64Array, keep: (v: number) => boolean = () => true): ColumnStats {
  let sum = 0;
  let max = -Infinity;
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v) || !keep(v)) continue;
    sum += v;
    if (v > max) max = v;
    count++;
  }
  return count ? { mean: sum / count, max, count } : { mean: null, max: null, count: 0 };
}

/** Heart rates outside this range are sensor dropouts or junk, not a heartbeat. */
export const isPlausibleHr = (v: number): boolean => v >= 20 && v <= 260;
/** Zero cadence is coasting or standing; averages describe pedalling or stepping only. */
export const isMoving = (v: number): boolean => v > 0;
/** Power is never negative; zeros (coasting) count towards the average. */
export const isNonNegative = (v: number): boolean => v >= 0;

/**
 * Collects bad values per field over many points so that a file gives one
 * readable error per field, naming the points, rather than thousands.
 */
export class BadValues {
  private byField = new Map<string, { points: number[]; count: number; sample: string }>();

  /** Note that point `index` had `text` in `field`. */
  add(field: string, index: number, text: string): void {
    let entry = this.byField.get(field);
    if (!entry) {
      entry = { points: [], count: 0, sample: text };
      this.byField.set(field, entry);
    }
    entry.count++;
    if (entry.points.length < 10) entry.points.push(index);
  }

  /** One entry per field: the point list (first ten, then "and N more"), a sample value and the count. */
  list(): Array<{ field: string; points: string; sample: string; count: number }> {
    return [...this.byField].map(([field, e]) => ({
      field,
      points: e.points.join(', ') + (e.count > e.points.length ? ` and ${e.count - e.points.length} more` : ''),
      sample: e.sample,
      count: e.count,
    }));
  }
}

/** Feed the whole text to a saxes parser and close it: the parse error's message, or null. */
export function parseAll(parser: { write(text: string): { close(): unknown } }, text: string): string | null {
  try {
    parser.write(text).close();
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
