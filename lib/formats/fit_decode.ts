/**
 * A small, fast FIT decoder: walks the binary format (header, definition and
 * data messages, compressed-timestamp headers, developer fields, CRC, chained
 * files) and keeps only what the importer needs. Record messages go straight
 * into growable Float64 columns; the few summary messages become plain objects
 * keyed by FIT profile field name. Field numbers, scales and enum names come
 * from the FIT SDK profile shipped in @garmin/fitsdk.
 *
 * Format reference: Garmin FIT Protocol ("FIT File Structure", "Compressed
 * Timestamp Header", "Developer Data", "CRC") at developer.garmin.com/fit/protocol.
 */
import { Profile } from '@garmin/fitsdk';
import type { ProfileField } from '@garmin/fitsdk';

/** Seconds between the Unix epoch and the FIT epoch (1989-12-31T00:00:00Z). */
export const FIT_EPOCH_S = 631065600;

/** A decoded field value: scaled number, enum name, string, or array. */
export type FitValue = number | string | number[];
/** One decoded message: profile field name (camelCase) to value; absent fields are missing. */
export type FitMessage = Record<string, FitValue | undefined>;

/**
 * Record channels decoded into columns. `devDistance` is a distance (metres)
 * carried only in a developer field (a Connect IQ app's or a foot pod's).
 */
export const RECORD_COLUMNS = [
  'time', 'lat', 'lon', 'altitude', 'enhancedAltitude', 'hr', 'cadence', 'fractionalCadence',
  'distance', 'speed', 'enhancedSpeed', 'power', 'devDistance',
] as const;
/** A record column name. */
export type RecordColumn = (typeof RECORD_COLUMNS)[number];

/** Record messages as columns; `time` is Unix seconds, NaN marks absent values; entries from `count` on are spare capacity. */
export interface RecordColumns {
  count: number;
  cols: Record<RecordColumn, Float64Array>;
}

/** Running summary of one developer field's values across the file. */
export interface DevFieldSummary {
  message: string;
  name: string;
  units: string | null;
  first: number | string;
  count: number;
  sum: number;
}

/** A problem found while decoding, with the byte offset it concerns. */
export interface FitProblem {
  kind: 'header' | 'truncated' | 'crc' | 'corrupt' | 'empty';
  byte: number;
  reason: string;
}

/** Everything the decoder keeps from one FIT input (all chained files together). */
export interface FitDecoded {
  /** Kept messages by profile message name (`session`, `lap`, ...), in file order. */
  messages: Record<string, FitMessage[]>;
  records: RecordColumns;
  devFields: Map<string, DevFieldSummary>;
  problems: FitProblem[];
  /** How many chained FIT files were read (fully or partly). */
  files: number;
}

/** Global message numbers decoded into objects. */
const KEPT_MESSAGES = new Set([0, 3, 12, 18, 19, 21, 23, 30, 34, 132, 206, 207, 225]);
const RECORD_MESG = 20;
const TIMESTAMP_FIELD = 253;
/** Profile types whose numbers are values, not enum names. */
const NUMERIC_TYPES = new Set(['dateTime', 'localDateTime', 'messageIndex', 'fitBaseType', 'deviceIndex', 'localtimeIntoDay', 'userLocalId', 'mesgNum']);
const SEMICIRCLE_TO_DEG = 180 / 2 ** 31;

/** Record field number to column, scale and offset (value = raw / scale - offset). */
const RECORD_PLAN: Record<number, { col: RecordColumn; scale: number; offset: number }> = {
  253: { col: 'time', scale: 1, offset: -FIT_EPOCH_S },
  0: { col: 'lat', scale: 1 / SEMICIRCLE_TO_DEG, offset: 0 },
  1: { col: 'lon', scale: 1 / SEMICIRCLE_TO_DEG, offset: 0 },
  2: { col: 'altitude', scale: 5, offset: 500 },
  78: { col: 'enhancedAltitude', scale: 5, offset: 500 },
  3: { col: 'hr', scale: 1, offset: 0 },
  4: { col: 'cadence', scale: 1, offset: 0 },
  53: { col: 'fractionalCadence', scale: 128, offset: 0 },
  5: { col: 'distance', scale: 100, offset: 0 },
  6: { col: 'speed', scale: 1000, offset: 0 },
  73: { col: 'enhancedSpeed', scale: 1000, offset: 0 },
  7: { col: 'power', scale: 1, offset: 0 },
};
const COMPRESSED_SPEED_DISTANCE = 8;

// Base types (low 5 bits of the base type byte): size and invalid raw value.
const BT_SIZE = [1, 1, 1, 2, 2, 4, 4, 1, 4, 8, 1, 2, 4, 1, 8, 8, 8];

interface FieldDef {
  num: number;
  pos: number;
  size: number;
  baseType: number;
  prof: ProfileField | undefined;
  /** Index into RECORD_COLUMNS, when the message is a record. */
  col: number;
  scale: number;
  offset: number;
}

interface DevFieldDef {
  key: string;
  pos: number;
  size: number;
}

interface Definition {
  global: number;
  little: boolean;
  size: number;
  fields: FieldDef[];
  dev: DevFieldDef[];
  timestampPos: number;
  timestampType: number;
  kind: 'record' | 'kept' | 'skip';
  name: string;
  /** Byte offset of compressed_speed_distance in a record, or -1. */
  csdPos: number;
  /** Record columns no field of this definition writes (set to NaN per record). */
  absent: number[];
}

interface DevDescription {
  baseType: number;
  name: string;
  units: string | null;
  scale: number;
  offset: number;
  /** Record column the field fills (times `factor`), or -1. */
  column: number;
  factor: number;
}

const RECORD_MESG_NUM = 20;
const RECORD_DISTANCE_FIELD = 5;
/** Units a developer distance is written in, and their factor to metres. */
const DISTANCE_UNITS: Record<string, number> = { m: 1, meter: 1, meters: 1, metre: 1, metres: 1, km: 1000, kilometers: 1000, kilometres: 1000 };

/**
 * The factor to metres of a developer field that holds a record's distance: one
 * declared equivalent to the native record distance (native_field_num 5), or
 * named "distance" in a unit of length. Null for any other field.
 */
function devDistanceFactor(msg: FitMessage): number | null {
  const units = typeof msg.units === 'string' ? msg.units.trim().toLowerCase() : '';
  const factor = DISTANCE_UNITS[units];
  const native = msg.nativeFieldNum === RECORD_DISTANCE_FIELD && (msg.nativeMesgNum === undefined || msg.nativeMesgNum === RECORD_MESG_NUM);
  if (native) return factor ?? 1;
  const named = typeof msg.fieldName === 'string' && msg.fieldName.trim().toLowerCase() === 'distance';
  return named && factor !== undefined ? factor : null;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/**
 * Tables for the FIT CRC (CRC-16/ARC: polynomial 0x8005 reflected, initial 0),
 * sliced by 8: table k holds the CRC of byte i followed by k zero bytes, so
 * eight bytes are folded per step (the byte-wise loop cost a tenth of parsing).
 */
const CRC_TABLES = (() => {
  const t = new Uint16Array(256 * 8);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    t[i] = c;
  }
  for (let k = 1; k < 8; k++) {
    for (let i = 0; i < 256; i++) {
      const prev = t[(k - 1) * 256 + i]!;
      t[k * 256 + i] = (prev >>> 8) ^ t[prev & 0xff]!;
    }
  }
  return t;
})();

/** FIT CRC-16 of bytes[from, to). */
export function fitCrc(bytes: Uint8Array, from: number, to: number): number {
  const t = CRC_TABLES;
  let crc = 0;
  let i = from;
  for (; i + 8 <= to; i += 8) {
    const x = crc ^ bytes[i]! ^ (bytes[i + 1]! << 8);
    crc = t[7 * 256 + (x & 0xff)]! ^ t[6 * 256 + (x >>> 8)]! ^ t[5 * 256 + bytes[i + 2]!]! ^ t[4 * 256 + bytes[i + 3]!]!
      ^ t[3 * 256 + bytes[i + 4]!]! ^ t[2 * 256 + bytes[i + 5]!]! ^ t[256 + bytes[i + 6]!]! ^ t[bytes[i + 7]!]!;
  }
  for (; i < to; i++) crc = (crc >>> 8) ^ t[(crc ^ bytes[i]!) & 0xff]!;
  return crc;
}

/** Read one raw value of a base type; NaN when it holds the type's invalid marker. */
function readRaw(dv: DataView, p: number, bt: number, little: boolean): number {
  switch (bt) {
    case 0: case 2: case 13: { const v = dv.getUint8(p); return v === 0xff ? NaN : v; }
    case 1: { const v = dv.getInt8(p); return v === 0x7f ? NaN : v; }
    case 3: { const v = dv.getInt16(p, little); return v === 0x7fff ? NaN : v; }
    case 4: { const v = dv.getUint16(p, little); return v === 0xffff ? NaN : v; }
    case 5: { const v = dv.getInt32(p, little); return v === 0x7fffffff ? NaN : v; }
    case 6: { const v = dv.getUint32(p, little); return v === 0xffffffff ? NaN : v; }
    case 8: { const v = dv.getFloat32(p, little); return Number.isFinite(v) ? v : NaN; }
    case 9: { const v = dv.getFloat64(p, little); return Number.isFinite(v) ? v : NaN; }
    case 10: { const v = dv.getUint8(p); return v === 0 ? NaN : v; }
    case 11: { const v = dv.getUint16(p, little); return v === 0 ? NaN : v; }
    case 12: { const v = dv.getUint32(p, little); return v === 0 ? NaN : v; }
    case 14: { const v = dv.getBigInt64(p, little); return v === 0x7fffffffffffffffn ? NaN : Number(v); }
    case 15: { const v = dv.getBigUint64(p, little); return v === 0xffffffffffffffffn ? NaN : Number(v); }
    case 16: { const v = dv.getBigUint64(p, little); return v === 0n ? NaN : Number(v); }
    default: return NaN;
  }
}

/** Columns with room for `cap` records; every record writes all columns, so no NaN fill is needed. */
function newColumns(cap: number): RecordColumns {
  const cols = {} as Record<RecordColumn, Float64Array>;
  for (const c of RECORD_COLUMNS) cols[c] = new Float64Array(cap);
  return { count: 0, cols };
}

function growColumns(r: RecordColumns, atLeast: number): void {
  const have = r.cols.time.length;
  // The estimate is trusted up to doubling (or 64 k rows), so odd files cannot claim huge columns.
  const cap = Math.max(256, have + 1, Math.min(atLeast, Math.max(2 * have, 1 << 16)));
  for (const c of RECORD_COLUMNS) {
    const next = new Float64Array(cap);
    next.set(r.cols[c].subarray(0, r.count));
    r.cols[c] = next;
  }
}

/** Decoder state for one input; chained files share the output but not local definitions. */
class FitReader {
  readonly out: FitDecoded;
  private readonly bytes: Uint8Array;
  private readonly dv: DataView;
  private readonly devDescriptions = new Map<string, DevDescription>();
  private lastTimestamp = NaN;
  private distanceAccum = NaN;
  private readonly fileIdOnly: boolean;
  private done = false;
  /** The record columns in RECORD_COLUMNS order (indexed access is faster than by name). */
  private columns: Float64Array[];

  constructor(bytes: Uint8Array, fileIdOnly: boolean) {
    this.bytes = bytes;
    this.fileIdOnly = fileIdOnly;
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.out = {
      messages: {},
      // Sized at the first record from the bytes left and that record's size.
      records: newColumns(0),
      devFields: new Map(),
      problems: [],
      files: 0,
    };
    const cols = this.out.records.cols;
    this.columns = RECORD_COLUMNS.map((c) => cols[c]);
  }

  /** Read every chained FIT file in the input. */
  readAll(): FitDecoded {
    const len = this.bytes.length;
    let pos = 0;
    while (pos < len && !this.done) {
      const next = this.readFile(pos);
      if (next < 0) break;
      pos = next;
      // Some writers pad the end with zeros; they are not another file.
      if (pos < len && this.bytes.subarray(pos).every((b) => b === 0)) break;
    }
    return this.out;
  }

  private problem(kind: FitProblem['kind'], byte: number, reason: string): void {
    this.out.problems.push({ kind, byte, reason });
  }

  /** Read one FIT file starting at `start`; returns where the next one starts, or -1 to stop. */
  private readFile(start: number): number {
    const { bytes, dv } = this;
    const len = bytes.length;
    const which = this.out.files === 0 ? 'FIT header' : `header of chained FIT file ${this.out.files + 1}`;
    if (len - start < 12) {
      this.problem('header', start, `${which} at byte ${start} is cut short (${len - start} bytes, need 12)`);
      return -1;
    }
    const headerSize = bytes[start]!;
    const signature = String.fromCharCode(bytes[start + 8]!, bytes[start + 9]!, bytes[start + 10]!, bytes[start + 11]!);
    if ((headerSize !== 12 && headerSize !== 14) || signature !== '.FIT') {
      this.problem('header', start, `corrupt ${which} at byte ${start}: header size ${headerSize}, signature ${JSON.stringify(signature)} (expected 12 or 14 and ".FIT")`);
      return -1;
    }
    if (headerSize === 14 && len - start >= 14) {
      const stored = dv.getUint16(start + 12, true);
      if (stored !== 0 && stored !== fitCrc(bytes, start, start + 12)) {
        this.problem('crc', start + 12, `${which} CRC mismatch (data kept)`);
      }
    }
    const dataSize = dv.getUint32(start + 4, true);
    const dataStart = start + headerSize;
    const dataEnd = dataStart + dataSize;
    if (dataSize === 0) {
      this.problem('empty', start, `${which} at byte ${start} declares no data (data size 0)`);
      return -1;
    }
    this.out.files++;
    const recordsBefore = this.out.records.count;
    const stop = Math.min(dataEnd, len);
    const reached = this.readMessages(dataStart, stop);
    if (this.done) return -1;
    const kept = this.out.records.count - recordsBefore;
    if (reached < dataEnd) {
      const detail = dataEnd + 2 > len
        ? `truncated at byte ${len - start} of ${dataEnd + 2 - start}`
        : `truncated at byte ${reached - start} of ${dataEnd - start}: last message incomplete`;
      this.problem('truncated', reached, `${detail}: kept ${kept} records`);
      return -1;
    }
    if (dataEnd + 2 > len) {
      this.problem('truncated', len, `truncated at byte ${len - start} of ${dataEnd + 2 - start}: file CRC missing, kept ${kept} records`);
      return -1;
    }
    const stored = dv.getUint16(dataEnd, true);
    if (stored !== fitCrc(bytes, start, dataEnd)) {
      this.problem('crc', dataEnd, `file CRC mismatch (data kept): stored 0x${stored.toString(16)}, computed 0x${fitCrc(bytes, start, dataEnd).toString(16)}`);
    }
    return dataEnd + 2;
  }

  /** Decode messages in [p, end); returns the offset reached (end when complete). */
  private readMessages(p: number, end: number): number {
    const { bytes } = this;
    const defs: (Definition | undefined)[] = new Array(16);
    while (p < end && !this.done) {
      const h = bytes[p]!;
      if ((h & 0x80) === 0 && (h & 0x40) !== 0) {
        const def = this.readDefinition(p, end, (h & 0x20) !== 0);
        if (def === undefined) return p;
        defs[h & 0x0f] = def.def;
        p = def.next;
        continue;
      }
      let local: number;
      let compressedTs = NaN;
      if (h & 0x80) {
        local = (h >> 5) & 0x03;
        const offset = h & 0x1f;
        const last = this.lastTimestamp;
        if (!Number.isNaN(last)) {
          // Spec: the 5-bit offset replaces the low bits of the last timestamp, rolling over forwards.
          compressedTs = (last - (last & 0x1f)) + offset + (offset >= (last & 0x1f) ? 0 : 0x20);
          this.lastTimestamp = compressedTs;
        }
      } else {
        local = h & 0x0f;
      }
      const def = defs[local];
      if (def === undefined) {
        this.problem('corrupt', p, `data message at byte ${p} uses local message type ${local}, which has no definition; stopped reading`);
        return end;
      }
      if (p + 1 + def.size > end) return p;
      const body = p + 1;
      if (def.timestampPos >= 0) {
        const ts = readRaw(this.dv, body + def.timestampPos, def.timestampType, def.little);
        if (!Number.isNaN(ts)) this.lastTimestamp = ts;
      }
      if (def.kind === 'record') this.readRecord(def, body, compressedTs);
      else if (def.kind === 'kept') this.readKept(def, body, compressedTs);
      if (def.dev.length > 0) this.readDevFields(def, body);
      p = body + def.size;
    }
    return p;
  }

  private readDefinition(p: number, end: number, hasDev: boolean): { def: Definition; next: number } | undefined {
    const { bytes, dv } = this;
    if (p + 6 > end) return undefined;
    const little = bytes[p + 2] === 0;
    const global = dv.getUint16(p + 3, little);
    const n = bytes[p + 5]!;
    let q = p + 6;
    if (q + 3 * n > end) return undefined;
    const profMesg = Profile.messages[global];
    const kind: Definition['kind'] = global === RECORD_MESG ? 'record' : KEPT_MESSAGES.has(global) ? 'kept' : 'skip';
    const fields: FieldDef[] = [];
    let size = 0;
    let timestampPos = -1;
    let timestampType = 6;
    let csdPos = -1;
    for (let i = 0; i < n; i++, q += 3) {
      const num = bytes[q]!;
      const fsize = bytes[q + 1]!;
      const baseType = bytes[q + 2]! & 0x1f;
      if (num === TIMESTAMP_FIELD && fsize === 4) {
        timestampPos = size;
        timestampType = baseType;
      }
      if (kind === 'record') {
        const plan = RECORD_PLAN[num];
        if (num === COMPRESSED_SPEED_DISTANCE && fsize === 3) csdPos = size;
        else if (plan && num !== TIMESTAMP_FIELD && (BT_SIZE[baseType] ?? 0) <= fsize) {
          fields.push({ num, pos: size, size: fsize, baseType, prof: undefined, col: RECORD_COLUMNS.indexOf(plan.col), scale: plan.scale, offset: plan.offset });
        }
      } else if (kind === 'kept') {
        const prof = profMesg?.fields[num];
        if (prof) fields.push({ num, pos: size, size: fsize, baseType, prof, col: -1, scale: 1, offset: 0 });
      }
      size += fsize;
    }
    const dev: DevFieldDef[] = [];
    if (hasDev) {
      if (q + 1 > end) return undefined;
      const nd = bytes[q]!;
      q++;
      if (q + 3 * nd > end) return undefined;
      for (let i = 0; i < nd; i++, q += 3) {
        dev.push({ key: `${bytes[q + 2]}:${bytes[q]}`, pos: size, size: bytes[q + 1]! });
        size += bytes[q + 1]!;
      }
    }
    const name = profMesg?.name ?? `mesg${global}`;
    const absent: number[] = [];
    if (kind === 'record') {
      const written = new Set(fields.map((f) => f.col));
      written.add(0);
      for (let c = 1; c < RECORD_COLUMNS.length; c++) if (!written.has(c)) absent.push(c);
    }
    return { def: { global, little, size, fields, dev, timestampPos, timestampType, kind, name, csdPos, absent }, next: q };
  }

  private readRecord(def: Definition, body: number, compressedTs: number): void {
    const r = this.out.records;
    if (r.count === r.cols.time.length) {
      // Room for the rest of the input at this definition's size, so one growth is usually the last.
      growColumns(r, r.count + Math.ceil((this.bytes.length - body) / (def.size + 1)) + 16);
      this.columns = RECORD_COLUMNS.map((c) => r.cols[c]);
    }
    const i = r.count++;
    const cols = r.cols;
    const byIndex = this.columns;
    const dv = this.dv;
    // NaN (absent) propagates through the scaling, so every value is written unconditionally.
    cols.time[i] = def.timestampPos >= 0
      ? readRaw(dv, body + def.timestampPos, def.timestampType, def.little) + FIT_EPOCH_S
      : compressedTs + FIT_EPOCH_S;
    const fields = def.fields;
    for (let k = 0; k < fields.length; k++) {
      const f = fields[k]!;
      byIndex[f.col]![i] = readRaw(dv, body + f.pos, f.baseType, def.little) / f.scale - f.offset;
    }
    const absent = def.absent;
    for (let k = 0; k < absent.length; k++) byIndex[absent[k]!]![i] = NaN;
    if (def.csdPos >= 0) {
      const b = this.bytes;
      const q = body + def.csdPos;
      const b0 = b[q]!, b1 = b[q + 1]!, b2 = b[q + 2]!;
      if (!(b0 === 0xff && b1 === 0xff && b2 === 0xff)) {
        // compressed_speed_distance: 12 bits speed (1/100 m/s), 12 bits accumulated distance (1/16 m).
        cols.speed[i] = (b0 | ((b1 & 0x0f) << 8)) / 100;
        const raw = (b1 >> 4) | (b2 << 4);
        const acc = Number.isNaN(this.distanceAccum) ? raw : this.distanceAccum + ((raw - (this.distanceAccum & 0xfff)) & 0xfff);
        this.distanceAccum = acc;
        cols.distance[i] = acc / 16;
      }
    }
  }

  private readKept(def: Definition, body: number, compressedTs: number): void {
    const msg: FitMessage = {};
    const dv = this.dv;
    for (const f of def.fields) {
      const prof = f.prof!;
      const v = this.readValue(dv, body + f.pos, f.size, f.baseType, def.little, prof);
      if (v !== undefined) msg[prof.name] = v;
    }
    if (msg.timestamp === undefined && !Number.isNaN(compressedTs)) msg.timestamp = compressedTs + FIT_EPOCH_S;
    if (def.global === 206) this.describeDevField(msg);
    (this.out.messages[def.name] ??= []).push(msg);
    if (this.fileIdOnly && def.global === 0) this.done = true;
  }

  private readValue(dv: DataView, p: number, size: number, bt: number, little: boolean, prof: ProfileField): FitValue | undefined {
    if (bt === 7) {
      let e = p;
      while (e < p + size && this.bytes[e] !== 0) e++;
      return e > p ? utf8.decode(this.bytes.subarray(p, e)) : undefined;
    }
    const unit = BT_SIZE[bt] ?? 1;
    const count = Math.floor(size / unit);
    if (count === 0) return undefined;
    const scale = typeof prof.scale === 'number' ? prof.scale : 1;
    const offset = typeof prof.offset === 'number' ? prof.offset : 0;
    const convert = (raw: number): number | string => {
      if (prof.type === 'dateTime' || prof.type === 'localDateTime') return raw + FIT_EPOCH_S;
      if (!NUMERIC_TYPES.has(prof.type)) {
        const name = Profile.types[prof.type]?.[raw];
        if (name !== undefined) return name;
      }
      return scale === 1 && offset === 0 ? raw : raw / scale - offset;
    };
    if (count === 1 || bt === 13) {
      if (bt === 13) {
        // Byte arrays stay raw (hr event_timestamp_12 is decoded from them); all-0xFF means absent.
        const raw = Array.from(this.bytes.subarray(p, p + size));
        return raw.every((x) => x === 0xff) ? undefined : raw;
      }
      const raw = readRaw(dv, p, bt, little);
      return Number.isNaN(raw) ? undefined : convert(raw);
    }
    const values: number[] = [];
    for (let k = 0; k < count; k++) {
      const raw = readRaw(dv, p + k * unit, bt, little);
      const v = Number.isNaN(raw) ? NaN : convert(raw);
      values.push(typeof v === 'number' ? v : raw);
    }
    return values.every((x) => Number.isNaN(x)) ? undefined : values;
  }

  private describeDevField(msg: FitMessage): void {
    const idx = msg.developerDataIndex;
    const num = msg.fieldDefinitionNumber;
    const bt = msg.fitBaseTypeId;
    if (typeof idx !== 'number' || typeof num !== 'number' || typeof bt !== 'number') return;
    const factor = devDistanceFactor(msg);
    this.devDescriptions.set(`${idx}:${num}`, {
      baseType: bt & 0x1f,
      name: typeof msg.fieldName === 'string' ? msg.fieldName : `developer_${idx}_${num}`,
      units: typeof msg.units === 'string' ? msg.units : null,
      scale: typeof msg.scale === 'number' && msg.scale > 0 ? msg.scale : 1,
      offset: typeof msg.offset === 'number' ? msg.offset : 0,
      column: factor === null ? -1 : RECORD_COLUMNS.indexOf('devDistance'),
      factor: factor ?? 1,
    });
  }

  private readDevFields(def: Definition, body: number): void {
    for (const d of def.dev) {
      const desc = this.devDescriptions.get(d.key);
      if (desc === undefined) continue;
      let value: number | string;
      if (desc.baseType === 7) {
        let e = body + d.pos;
        const stop = e + d.size;
        while (e < stop && this.bytes[e] !== 0) e++;
        if (e === body + d.pos) continue;
        value = utf8.decode(this.bytes.subarray(body + d.pos, e));
      } else {
        if ((BT_SIZE[desc.baseType] ?? 99) > d.size) continue;
        const raw = readRaw(this.dv, body + d.pos, desc.baseType, def.little);
        if (Number.isNaN(raw)) continue;
        value = raw / desc.scale - desc.offset;
        if (desc.column >= 0 && def.kind === 'record') this.columns[desc.column]![this.out.records.count - 1] = value * desc.factor;
      }
      const key = `${def.name}:${d.key}`;
      const s = this.out.devFields.get(key);
      if (s === undefined) {
        this.out.devFields.set(key, { message: def.name, name: desc.name, units: desc.units, first: value, count: 1, sum: typeof value === 'number' ? value : 0 });
      } else {
        s.count++;
        if (typeof value === 'number') s.sum += value;
      }
    }
  }
}

/**
 * Decode a FIT byte stream (already inflated). Never throws on bad data: problems are listed.
 * With `fileIdOnly`, stops after the first file_id message (to tell the file type cheaply).
 */
export function decodeFit(bytes: Uint8Array, opts: { fileIdOnly?: boolean } = {}): FitDecoded {
  return new FitReader(bytes, opts.fileIdOnly ?? false).readAll();
}
