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
  /** Cumulative haversine distance, for formats that also carry their own distance. */
  gps_distance_m: 9,
} as const;
const COLUMN_COUNT = 10;
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

/** Points per storage block: columns grow a block at a time, never by copying what they hold. */
const BLOCK_BITS = 14;
const BLOCK = 1 << BLOCK_BITS;
const MASK = BLOCK - 1;
/** The first block starts this small and doubles up to BLOCK, so a file of many tiny tracks stays small. */
const FIRST_BLOCK = 256;

/**
 * Track points stored column-wise in blocks of Float64Arrays. A parser fills
 * `row` (NaN = absent) and calls `commit()`; no object is made per point, a
 * column that never gets a value takes no memory, and growing never copies.
 */
export class PointColumns {
  /** Points committed. */
  length = 0;
  /** The point being read; reset to NaN after each commit. */
  readonly row = new Float64Array(COLUMN_COUNT).fill(NaN);
  /** Per column its blocks, or null while the column has had no value. */
  private cols: (Float64Array[] | null)[] = new Array(COLUMN_COUNT).fill(null);

  /** Append `row` as a point and clear it. */
  commit(): void {
    const i = this.length;
    const b = i >>> BLOCK_BITS;
    const k = i & MASK;
    const row = this.row;
    for (let c = 0; c < COLUMN_COUNT; c++) {
      const v = row[c]!;
      let blocks = this.cols[c]!;
      if (blocks === null) {
        if (v !== v) continue;
        blocks = this.allocate(c);
      }
      if (b === blocks.length) blocks.push(new Float64Array(BLOCK));
      let block = blocks[b]!;
      if (k === block.length) {
        const grown = new Float64Array(Math.min(BLOCK, 2 * block.length));
        grown.set(block);
        blocks[b] = block = grown;
      }
      block[k] = v;
      row[c] = NaN;
    }
    this.length = i + 1;
  }

  /** Replace the point just committed with `row` where `row` has values (points sharing a timestamp merge). */
  mergeIntoLast(): void {
    const i = this.length - 1;
    const row = this.row;
    for (let c = 0; c < COLUMN_COUNT; c++) {
      const v = row[c]!;
      if (v !== v) continue;
      const blocks = this.cols[c] ?? this.allocate(c);
      blocks[i >>> BLOCK_BITS]![i & MASK] = v;
    }
    row.fill(NaN);
  }

  /** Forget the point being read. */
  discard(): void {
    this.row.fill(NaN);
  }

  /** The value of column `col` at point `i` (NaN when absent). */
  get(col: number, i: number): number {
    const blocks = this.cols[col];
    return blocks ? blocks[i >>> BLOCK_BITS]![i & MASK]! : NaN;
  }

  /** Whether any committed point has a value in column `col`. */
  has(col: number): boolean {
    return this.cols[col] !== null;
  }

  /** One column's committed values as one array (a copy). */
  column(col: number): Float64Array {
    const out = new Float64Array(this.length);
    const blocks = this.cols[col];
    if (!blocks) return out.fill(NaN);
    for (let b = 0; b < blocks.length; b++) {
      const from = b << BLOCK_BITS;
      const n = Math.min(BLOCK, this.length - from);
      if (n > 0) out.set(n === BLOCK ? blocks[b]! : blocks[b]!.subarray(0, n), from);
    }
    return out;
  }

  /** Use column `from`'s values as column `to`'s (TCX: the haversine distance as the distance). */
  copyColumn(from: number, to: number): void {
    this.cols[to] = this.cols[from]!.map((block) => block.slice());
  }

  /**
   * The committed points as a stream, handing the storage over column by
   * column (the columns are emptied, so a large track is never held twice);
   * channels without a single value are left out.
   */
  takeStream(source: string, externalId: string): WorkoutStream {
    const channels: WorkoutStream['channels'] = {};
    for (const [name, col] of STREAM_COLUMNS) {
      if (this.cols[col] === null) continue;
      const v = this.column(col);
      this.cols[col] = null;
      if (v.some((x) => x === x)) channels[name] = v;
    }
    const time = this.column(COL.time);
    this.cols = new Array(COLUMN_COUNT).fill(null);
    this.length = 0;
    return { source, external_id: externalId, time, channels };
  }

  /** Blocks for a column seen for the first time, NaN for the points before. */
  private allocate(c: number): Float64Array[] {
    const blocks: Float64Array[] = [];
    const last = this.length >>> BLOCK_BITS;
    for (let i = 0; i <= last; i++) {
      const size = i < last ? BLOCK : Math.min(BLOCK, Math.max(FIRST_BLOCK, 2 * (this.length & MASK) + 1));
      blocks.push(new Float64Array(size).fill(NaN));
    }
    this.cols[c] = blocks;
    return blocks;
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
