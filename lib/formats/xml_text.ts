/**
 * Text helpers of the XML track parsers (GPX, TCX): turning file bytes (whole
 * or streamed, plain or gzipped) into text for the scanner a slice at a time,
 * and reading numbers and ISO instants without the process time zone.
 */
import { Readable, pipeline } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { XmlError, type XmlScanner } from './xml_scan.ts';

/** Whether the bytes start with the gzip magic number (1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Bytes decoded per step, however large the chunks that arrive. The text of a
 * slice dies young: V8 collects strings of this size cheaply, while strings of
 * a megabyte go to its large-object space and linger until a full collection,
 * which on a big file showed as over a hundred megabytes of peak RSS.
 */
const SLICE_BYTES = 1 << 16;
/** Bytes looked at to tell a file's encoding (its byte order mark or XML declaration). */
const HEAD_BYTES = 256;

/**
 * Turns an XML file's bytes into text chunk by chunk: honours a byte order
 * mark, else the encoding the XML declaration names (ISO-8859-1 files exist),
 * else UTF-8. Bytes that are not valid UTF-8 are read as Windows-1252, the
 * usual real encoding of such files, from the chunk where they appear on.
 */
export class XmlChunkDecoder {
  private decoder: TextDecoder | null = null;
  private utf8 = false;
  /** The first bytes, held until there are enough to tell the encoding. */
  private head: Uint8Array | null = null;

  /** Text of the next chunk (`final` after the last). */
  decode(bytes: Uint8Array, final = false): string {
    if (this.decoder === null) {
      if (this.head !== null) {
        const joined = new Uint8Array(this.head.length + bytes.length);
        joined.set(this.head);
        joined.set(bytes, this.head.length);
        bytes = joined;
      }
      if (bytes.length < HEAD_BYTES && !final) {
        this.head = bytes.slice();
        return '';
      }
      this.head = null;
      this.decoder = this.pick(bytes);
      if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
      else if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) bytes = bytes.subarray(2);
    }
    if (!this.utf8) return this.decoder.decode(bytes, { stream: !final });
    try {
      return this.decoder.decode(bytes, { stream: !final });
    } catch {
      this.utf8 = false;
      this.decoder = new TextDecoder('windows-1252');
      return this.decoder.decode(bytes, { stream: !final });
    }
  }

  private pick(head: Uint8Array): TextDecoder {
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return this.utf8Decoder();
    if (head[0] === 0xff && head[1] === 0xfe) return new TextDecoder('utf-16le');
    if (head[0] === 0xfe && head[1] === 0xff) return new TextDecoder('utf-16be');
    const text = new TextDecoder('latin1').decode(head.subarray(0, HEAD_BYTES));
    const declared = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(text)?.[1]?.toLowerCase();
    if (declared && declared !== 'utf-8' && declared !== 'utf8') {
      try {
        return new TextDecoder(declared);
      } catch {
        // An encoding label TextDecoder does not know: UTF-8 is the best remaining guess.
      }
    }
    return this.utf8Decoder();
  }

  private utf8Decoder(): TextDecoder {
    this.utf8 = true;
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  }
}

/**
 * Scan a whole file's bytes (gunzipped first when gzipped), decoding a slice
 * at a time. Returns the well-formedness fault's message, or null.
 * Throws when gunzip fails.
 */
export function scanXmlBytes(bytes: Uint8Array, scanner: XmlScanner): string | null {
  const raw = isGzip(bytes) ? new Uint8Array(gunzipSync(bytes)) : bytes;
  const decoder = new XmlChunkDecoder();
  try {
    for (let at = 0; at < raw.length; at += SLICE_BYTES) {
      const end = Math.min(raw.length, at + SLICE_BYTES);
      scanner.write(decoder.decode(raw.subarray(at, end), end === raw.length));
    }
    if (raw.length === 0) scanner.write(decoder.decode(raw, true));
    scanner.end();
    return null;
  } catch (e) {
    if (e instanceof XmlError) return e.message;
    throw e;
  }
}

/**
 * Scan a file given as a stream of byte chunks (gunzipped on the way when it
 * starts with the gzip magic number). Returns the well-formedness fault's
 * message, or null. Throws when reading or gunzip fails.
 */
export async function scanXmlStream(chunks: AsyncIterable<Uint8Array>, scanner: XmlScanner): Promise<string | null> {
  const decoder = new XmlChunkDecoder();
  const it = chunks[Symbol.asyncIterator]();
  // The first two bytes tell a gzip stream; they may come in separate chunks.
  let first = new Uint8Array(0);
  let r = await it.next();
  while (!r.done && first.length < 2) {
    const joined = new Uint8Array(first.length + r.value.length);
    joined.set(first);
    joined.set(r.value, first.length);
    first = joined;
    r = await it.next();
  }
  const head = first;
  let next = r;
  const all = (async function* () {
    if (head.length > 0) yield head;
    for (; !next.done; next = await it.next()) yield next.value;
  })();
  let bytes: AsyncIterable<Uint8Array> = all;
  if (isGzip(head)) {
    const gunzip = createGunzip();
    // A read or inflate failure destroys the gunzip stream, which ends the loop below with the error.
    pipeline(Readable.from(all), gunzip, () => {});
    bytes = gunzip;
  }
  try {
    for await (const c of bytes) {
      for (let at = 0; at < c.length; at += SLICE_BYTES) scanner.write(decoder.decode(c.subarray(at, at + SLICE_BYTES), false));
    }
    scanner.write(decoder.decode(new Uint8Array(0), true));
    scanner.end();
    return null;
  } catch (e) {
    if (e instanceof XmlError) return e.message;
    throw e;
  }
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A decimal number from element or attribute text; NaN when empty or not a number ("undefined", "bad data"). */
export function parseDecimal(text: string): number {
  // Fast path, one per track value: starts with a digit, sign or point, ends with a digit or point, not 0x/0b/0o.
  const n = text.length;
  const c = text.charCodeAt(0);
  const last = text.charCodeAt(n - 1);
  if (((c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46) && ((last >= 48 && last <= 57) || last === 46)) {
    const second = text.charCodeAt(1) | 32;
    if (!(c === 48 && (second === 120 || second === 98 || second === 111))) {
      const v = +text;
      return v === v && v !== Infinity && v !== -Infinity ? v : NaN;
    }
  }
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
  const fast = utcInstant(text);
  if (fast === fast) return fast;
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

let cachedDay = -1;
let cachedDayMs = NaN;

/** Two ASCII digits at `i` as a number, or NaN. */
function digits2(t: string, i: number): number {
  const a = t.charCodeAt(i) - 48;
  const b = t.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN;
}

/**
 * The common case of track files, `YYYY-MM-DDTHH:MM:SS[.fff]Z`, read without a
 * regular expression (one per track point adds up); NaN for anything else,
 * which {@link parseIsoTime} then reads the general way.
 */
function utcInstant(t: string): number {
  const n = t.length;
  if (n < 20 || t.charCodeAt(n - 1) !== 90 || t.charCodeAt(4) !== 45 || t.charCodeAt(7) !== 45 || t.charCodeAt(10) !== 84) return NaN;
  if (t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58) return NaN;
  const year = digits2(t, 0) * 100 + digits2(t, 2);
  const month = digits2(t, 5);
  const day = digits2(t, 8);
  const hour = digits2(t, 11);
  const minute = digits2(t, 14);
  const second = digits2(t, 17);
  if (!(year >= 1000 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour <= 23 && minute <= 59 && second <= 59)) return NaN;
  let ms = 0;
  if (n > 20) {
    if (t.charCodeAt(19) !== 46) return NaN;
    let scale = 100;
    for (let i = 20; i < n - 1; i++) {
      const d = t.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return NaN;
      ms += d * scale;
      scale /= 10;
    }
    ms = Math.round(ms);
  } else if (n !== 20) return NaN;
  const key = (year * 100 + month) * 100 + day;
  if (key !== cachedDay) {
    cachedDayMs = Date.UTC(year, month - 1, day);
    // Date.UTC rolls 31 April into 1 May: refuse a day the month does not have.
    if (new Date(cachedDayMs).getUTCDate() !== day) {
      cachedDay = -1;
      return NaN;
    }
    cachedDay = key;
  }
  return cachedDayMs + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
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
