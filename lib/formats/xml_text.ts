/**
 * Text helpers of the XML track parsers (GPX, TCX): turning file bytes into
 * text, reading numbers and ISO instants without the process time zone, and
 * feeding the text to the XML parser.
 */
import { gunzipSync } from 'node:zlib';

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

/** Feed the whole text to a saxes parser and close it: the parse error's message, or null. */
export function parseAll(parser: { write(text: string): { close(): unknown } }, text: string): string | null {
  try {
    parser.write(text).close();
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
