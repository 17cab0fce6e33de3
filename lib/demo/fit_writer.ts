/**
 * A FIT writer for the demo's activity files. It writes the bytes the FIT
 * SDK's Encoder writes for the same messages: the same definitions and local
 * message numbers, the same values (the SDK profile's field numbers, base
 * types, scales, offsets and enum names). The Encoder looks every field of
 * every message up in the profile again, which was two thirds of generating
 * the demo; here a field is looked up once.
 */
import { CrcCalculator, Profile, Utils } from '@garmin/fitsdk';

/** How one field of one message is written. */
interface FieldSpec {
  num: number;
  /** Base type number as written in a definition (with the endian flag of multi-byte types). */
  baseTypeByte: number;
  size: number;
  /** Profile type name: a numeric type, dateTime, or a named type whose values are names. */
  type: string;
  scale: number;
  offset: number;
  float: boolean;
}

interface ProfileField {
  num: number;
  name: string;
  type: string;
  baseType: string;
  scale: number | number[];
  offset: number | number[];
  components: unknown[];
}

const HEADER_SIZE = 14;
const NUMERIC_TYPES = new Set(['sint8', 'uint8', 'sint16', 'uint16', 'sint32', 'uint32', 'float32', 'float64', 'uint8z', 'uint16z', 'uint32z', 'byte']);
/** Base type number to size in bytes (the 64-bit types are not written here). */
const SIZES: Record<number, number> = { 0x00: 1, 0x01: 1, 0x02: 1, 0x03: 2, 0x04: 2, 0x05: 4, 0x06: 4, 0x08: 4, 0x09: 8, 0x0a: 1, 0x0b: 2, 0x0c: 4, 0x0d: 1 };

const specs = new Map<string, FieldSpec | null>();

/** The spec of field `name` of message `mesgNum` from the SDK profile (null: not a field of it). */
function fieldSpec(mesgNum: number, name: string): FieldSpec | null {
  const key = `${mesgNum}:${name}`;
  let spec = specs.get(key);
  if (spec !== undefined) return spec;
  const fields = (Profile.messages as unknown as Record<number, { fields: Record<string, ProfileField> }>)[mesgNum]?.fields;
  if (!fields) throw new Error(`FIT profile has no message ${mesgNum}`);
  const f = Object.values(fields).find((x) => x.name === name);
  if (!f) {
    specs.set(key, null);
    return null;
  }
  const baseType = (Utils.FieldTypeToBaseType as Record<string, number>)[f.baseType];
  const size = baseType === undefined ? undefined : SIZES[baseType];
  if (baseType === undefined || size === undefined) throw new Error(`FIT field ${name}: base type ${f.baseType} is not written here`);
  // As the SDK: a field of several components is written unscaled; an array scale applies its first entry.
  const several = f.components.length > 1;
  const first = (v: number | number[] | undefined, dflt: number) => (Array.isArray(v) ? v[0]! : v ?? dflt);
  spec = {
    num: f.num,
    baseTypeByte: baseType | (size > 1 ? 0x80 : 0),
    size,
    type: f.type,
    scale: several ? 1 : first(f.scale, 1),
    offset: several ? 0 : first(f.offset, 0),
    float: f.baseType === 'float32' || f.baseType === 'float64',
  };
  specs.set(key, spec);
  return spec;
}

/** The number of a value of a named profile type (an enum name such as 'running'), or the number given. */
function typeValue(type: string, value: unknown): number {
  if (typeof value === 'number') return value;
  const names = (Profile.types as unknown as Record<string, Record<string, string>>)[type];
  const entry = names && Object.entries(names).find(([, name]) => name === value);
  if (!entry) throw new Error(`could not convert ${JSON.stringify(value)} to ${type}`);
  return Number(entry[0]);
}

/** A field's value as written, before its base type's mask. */
function encoded(spec: FieldSpec, value: unknown): number {
  if (spec.type === 'dateTime') return value instanceof Date ? (value.getTime() - Utils.FIT_EPOCH_MS) / 1000 : Number(value);
  if (!NUMERIC_TYPES.has(spec.type)) return typeValue(spec.type, value);
  const v = Number(value);
  if (spec.scale === 1 && spec.offset === 0) return v;
  const scaled = (v + spec.offset) * spec.scale;
  return spec.float ? scaled : Math.round(scaled);
}

/** Writes FIT activity messages, field names and enum names as in the SDK profile (camelCase). */
export class FitWriter {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  private length = HEADER_SIZE;
  /** The definition each local message number holds, as a key. */
  private readonly slots: (string | null)[] = Array<string | null>(16).fill(null);
  private nextSlot = 0;

  /** Write one message; fields that are null or undefined, or not in the profile, are left out. */
  onMesg(mesgNum: number, mesg: Record<string, unknown>): this {
    const fields: { spec: FieldSpec; value: unknown }[] = [];
    for (const name of Object.keys(mesg)) {
      const value = mesg[name];
      if (value == null) continue;
      const spec = fieldSpec(mesgNum, name);
      if (spec) fields.push({ spec, value });
    }
    if (fields.length === 0) throw new Error(`FIT message ${mesgNum}: no field to write`);
    // A definition is the same whatever the order of its fields, as the SDK compares them.
    const key = `${mesgNum}|${fields.map((f) => `${f.spec.num}:${f.spec.size}:${f.spec.baseTypeByte}`).sort().join(',')}`;
    let local = this.slots.indexOf(key);
    if (local < 0) local = this.nextSlot++ & 0x0f;
    if (this.slots[local] !== key) {
      this.reserve(6 + 3 * fields.length);
      this.u8(0x40 | local);
      this.u8(0);
      this.u8(0); // little-endian
      this.view.setUint16(this.length, mesgNum, true);
      this.length += 2;
      this.u8(fields.length);
      for (const { spec } of fields) {
        this.u8(spec.num);
        this.u8(spec.size);
        this.u8(spec.baseTypeByte);
      }
      this.slots[local] = key;
    }
    this.reserve(1 + fields.reduce((n, f) => n + f.spec.size, 0));
    this.u8(local);
    for (const { spec, value } of fields) this.put(spec, encoded(spec, value));
    return this;
  }

  /** The file: header, messages and CRC. */
  close(): Uint8Array {
    this.reserve(2);
    const v = this.view;
    v.setUint8(0, HEADER_SIZE);
    v.setUint8(1, 2);
    v.setUint16(2, Profile.version.major * 1000 + Profile.version.minor, true);
    v.setUint32(4, this.length - HEADER_SIZE, true);
    this.buf.set([0x2e, 0x46, 0x49, 0x54], 8);
    v.setUint16(12, CrcCalculator.calculateCRC(this.buf, 0, 12), true);
    v.setUint16(this.length, CrcCalculator.calculateCRC(this.buf, 0, this.length), true);
    return this.buf.slice(0, this.length + 2);
  }

  private u8(x: number): void {
    this.view.setUint8(this.length++, x);
  }

  /** Write a value as its base type: an integer through the type's mask, as the SDK does (signed or not, the same bits). */
  private put(spec: FieldSpec, x: number): void {
    const v = this.view;
    const at = this.length;
    const base = spec.baseTypeByte & 0x1f;
    if (base === 0x08) v.setFloat32(at, x, true);
    else if (base === 0x09) v.setFloat64(at, x, true);
    else if (spec.size === 1) v.setUint8(at, x & 0xff);
    else if (spec.size === 2) v.setUint16(at, x & 0xffff, true);
    else v.setUint32(at, x & 0xffffffff, true);
    this.length += spec.size;
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
}
