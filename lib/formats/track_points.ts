/**
 * Track points as the XML track parsers (GPX, TCX) collect them: growable
 * typed columns, the great-circle distance between points, per-column
 * summaries with the plausibility rules they apply, and bad values gathered
 * into one error per field.
 */
import type { StreamChannel, WorkoutStream } from '../core/models.ts';
import { BOUNDS, within } from '../core/plausibility.ts';

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
export const isPlausibleHr = (v: number): boolean => within(v, BOUNDS.hr);
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
