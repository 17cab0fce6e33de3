/**
 * Reading zip archives member by member from the central directory, so a
 * multi-gigabyte export (Apple Health's export.zip) is never held in memory:
 * a member is inflated on demand, whole or as a stream. Zip64 sizes and
 * offsets are supported; stored and deflated members are.
 *
 * Damage costs only what it touches: an archive whose central directory is
 * missing or broken (a download cut short) is read from its members' local
 * headers instead, a member that cannot be read says why, and inflation is
 * bounded by the caller's {@link InflateBudget} (a zip bomb stops there).
 */
import { closeSync, openSync, readSync, createReadStream, fstatSync } from 'node:fs';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { constants as zlibConstants, crc32, createInflateRaw, gunzipSync, inflateRawSync } from 'node:zlib';

/**
 * What inflation may still produce, shared by all members (and layers) of
 * one file on disk: `add` counts inflated bytes and throws past the limit.
 */
export interface InflateBudget {
  remaining(): number;
  add(n: number, what: string): void;
  /** The error for `what` inflating beyond the budget. */
  exceeded(what: string): Error;
  /** The error for `what` being larger than may be read whole into memory (`maxBytes`). */
  tooLarge(what: string, maxBytes: number): Error;
}

/** No limit (tests and trusted callers). */
export const UNBOUNDED: InflateBudget = {
  remaining: () => Number.MAX_SAFE_INTEGER,
  add: () => {},
  exceeded: (w) => new ZipError(`${w}: expands beyond the limit`),
  tooLarge: (w, max) => new ZipError(`${w}: larger than ${max} bytes`),
};

/** One member of an archive. */
export interface ZipMember {
  name: string;
  /** Uncompressed size as the archive states it (a damaged or hostile archive may lie; inflation is bounded anyway). */
  size: number;
  compressedSize: number;
  /** Why the member cannot be read (unsupported compression, encryption, cut off), or undefined. */
  problem?: string;
  /** The first bytes (at most n), without inflating the whole member. */
  head(n: number): Uint8Array;
  /** The whole member; throws when it would exceed `maxBytes`, the budget or its stated size, or is damaged (CRC). */
  read(maxBytes?: number): Uint8Array;
  /** The CRC-32 the archive states for the content (a cheap identity), or undefined when unknown. */
  crc32?: number;
  stream(): Readable;
}

/** An archive's readable members and what was wrong with the archive itself. */
export interface ZipContents {
  members: ZipMember[];
  /** Damage to the archive as a whole (its members were then found by their local headers). */
  problems: string[];
}

interface Backing {
  size: number;
  range(start: number, end: number): Uint8Array;
  stream(start: number, end: number): Readable;
}

function fileBacking(path: string): Backing {
  const fd = openSync(path, 'r');
  const size = fstatSync(fd).size;
  closeSync(fd);
  return {
    size,
    range(start, end) {
      const from = Math.max(0, Math.min(start, size));
      const buf = Buffer.alloc(Math.max(0, Math.min(end, size) - from));
      const f = openSync(path, 'r');
      try {
        let off = 0;
        while (off < buf.length) {
          const n = readSync(f, buf, off, buf.length - off, from + off);
          if (n === 0) break;
          off += n;
        }
      } finally {
        closeSync(f);
      }
      return buf;
    },
    stream: (start, end) => (end > start ? createReadStream(path, { start, end: end - 1, highWaterMark: 1 << 20 }) : Readable.from([])),
  };
}

function bufferBacking(bytes: Uint8Array): Backing {
  return {
    size: bytes.length,
    range: (start, end) => bytes.subarray(Math.max(0, start), Math.max(0, end)),
    stream: (start, end) => Readable.from(end > start ? [Buffer.from(bytes.buffer, bytes.byteOffset + start, Math.min(end, bytes.length) - start)] : []),
  };
}

const u16 = (b: Uint8Array, o: number) => (o + 2 <= b.length ? b[o]! | (b[o + 1]! << 8) : -1);
const u32 = (b: Uint8Array, o: number) => (o + 4 <= b.length ? (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16)) + b[o + 3]! * 0x1000000 : -1);
const u64 = (b: Uint8Array, o: number) => (o + 8 <= b.length ? u32(b, o) + u32(b, o + 4) * 0x100000000 : -1);

const LOCAL = 0x04034b50;
const CENTRAL = 0x02014b50;
const END = 0x06054b50;
const DESCRIPTOR = 0x08074b50;

/** A problem with the archive's structure, naming the archive. */
export class ZipError extends Error {
  override name = 'ZipError';
}

/** A member's place and coding, from the central directory or a local header. */
interface Located {
  name: string;
  method: number;
  flags: number;
  crc: number;
  csize: number;
  size: number;
  /** Offset of the local header (central directory), or of the data itself (local scan). */
  local: number;
  dataKnown: boolean;
  /** Set when the member cannot be read at all. */
  problem?: string;
}

const decodeName = (b: Uint8Array) => new TextDecoder().decode(b);

/** The members listed in the central directory; throws ZipError when it is missing or damaged. */
function centralDirectory(b: Backing, label: string): Located[] {
  const tailLen = Math.min(b.size, 65_557);
  const tail = b.range(b.size - tailLen, b.size);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (u32(tail, i) === END) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError(`${label}: no end of central directory (the archive is cut short or not a zip)`);
  let count = u16(tail, eocd + 10);
  let cdSize = u32(tail, eocd + 12);
  let cdOffset = u32(tail, eocd + 16);
  if (cdOffset === 0xffffffff || count === 0xffff || cdSize === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || u32(tail, loc) !== 0x07064b50) throw new ZipError(`${label}: zip64 archive without its locator`);
    const z64 = u64(tail, loc + 8);
    const rec = b.range(z64, z64 + 56);
    if (u32(rec, 0) !== 0x06064b50) throw new ZipError(`${label}: bad zip64 end record`);
    count = u64(rec, 32);
    cdSize = u64(rec, 40);
    cdOffset = u64(rec, 48);
  }
  if (cdOffset < 0 || cdSize < 0 || cdOffset + cdSize > b.size) throw new ZipError(`${label}: the central directory lies outside the archive`);
  const cd = b.range(cdOffset, cdOffset + cdSize);
  const out: Located[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (u32(cd, p) !== CENTRAL) throw new ZipError(`${label}: central directory entry ${i + 1} is damaged`);
    const flags = u16(cd, p + 8);
    const method = u16(cd, p + 10);
    const crc = u32(cd, p + 16);
    let csize = u32(cd, p + 20);
    let size = u32(cd, p + 24);
    const nameLen = u16(cd, p + 28);
    const extraLen = u16(cd, p + 30);
    const commentLen = u16(cd, p + 32);
    let local = u32(cd, p + 42);
    if (p + 46 + nameLen + extraLen + commentLen > cd.length) throw new ZipError(`${label}: central directory entry ${i + 1} is damaged`);
    const name = decodeName(cd.subarray(p + 46, p + 46 + nameLen));
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = u16(cd, e);
      const len = u16(cd, e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) (size = u64(cd, q)), (q += 8);
        if (csize === 0xffffffff) (csize = u64(cd, q)), (q += 8);
        if (local === 0xffffffff) local = u64(cd, q);
      }
      e += 4 + len;
    }
    p = extraEnd + commentLen;
    out.push({ name, method, flags, crc, csize, size, local, dataKnown: false });
  }
  return out;
}

/** Where the next record signature starts at or after `from`, or -1: for members whose sizes follow their data. */
function nextSignature(b: Backing, from: number): number {
  const CHUNK = 1 << 20;
  for (let at = from; at < b.size; at += CHUNK - 3) {
    const buf = b.range(at, Math.min(b.size, at + CHUNK));
    for (let i = 0; i + 4 <= buf.length; i++) {
      if (buf[i] !== 0x50 || buf[i + 1] !== 0x4b) continue;
      const sig = u32(buf, i);
      if (sig === DESCRIPTOR || sig === LOCAL || sig === CENTRAL) return at + i;
    }
    if (buf.length < CHUNK) break;
  }
  return -1;
}

/**
 * The members found by walking the local headers from the start: how a
 * damaged or truncated archive is still read up to its damage. Iterative; a
 * member cut off by the end of the archive is listed with its problem.
 */
function localHeaders(b: Backing, label: string): Located[] {
  const out: Located[] = [];
  let p = 0;
  while (p + 30 <= b.size) {
    const fixed = b.range(p, p + 30);
    if (u32(fixed, 0) !== LOCAL) break;
    const h = b.range(p, Math.min(b.size, p + 30 + u16(fixed, 26) + u16(fixed, 28)));
    const flags = u16(h, 6);
    const method = u16(h, 8);
    const crc = u32(h, 14);
    let csize = u32(h, 18);
    let size = u32(h, 22);
    const nameLen = u16(h, 26);
    const extraLen = u16(h, 28);
    if (nameLen === 0 || 30 + nameLen + extraLen > h.length) break;
    const name = decodeName(h.subarray(30, 30 + nameLen));
    // A header whose name holds control characters is junk after a signature, not a member.
    if (/[\u0000-\u001f]/.test(name)) break;
    for (let e = 30 + nameLen; e + 4 <= 30 + nameLen + extraLen; e += 4 + u16(h, e + 2)) {
      if (u16(h, e) !== 0x0001) continue;
      if (size === 0xffffffff) size = u64(h, e + 4);
      if (csize === 0xffffffff) csize = u64(h, e + 12);
    }
    const data = p + 30 + nameLen + extraLen;
    let next: number;
    if (flags & 8) {
      const sig = nextSignature(b, data);
      if (sig < 0) {
        out.push({ name, method, flags, crc, csize: b.size - data, size, local: data, dataKnown: true, problem: `${label}: the archive ends inside ${name} (cut short)` });
        break;
      }
      csize = sig - data;
      const d = b.range(sig, sig + 16);
      if (u32(d, 0) === DESCRIPTOR) {
        next = sig + 16;
        if (u32(d, 8) === csize) size = u32(d, 12);
      } else next = sig;
    } else {
      next = data + csize;
      if (csize < 0 || next > b.size) {
        out.push({ name, method, flags, crc, csize: Math.max(0, b.size - data), size, local: data, dataKnown: true, problem: `${label}: the archive ends inside ${name} (cut short)` });
        break;
      }
    }
    out.push({ name, method, flags, crc, csize, size, local: data, dataKnown: true });
    p = next;
  }
  return out;
}

/** Compressed input slices tried for a head, smallest first: each inflates to at most about 1,032 times its size. */
const HEAD_SLICES = [256, 4096, 65_536];

/**
 * The first `n` bytes of a deflate (`raw`) or gzip stream, inflating no more
 * than it takes: a bomb's head costs kilobytes, not its full size. A
 * truncated or damaged stream gives what came out before the fault.
 */
export function inflatedHead(compressed: (len: number) => Uint8Array, available: number, n: number, kind: 'raw' | 'gzip'): Uint8Array {
  let out: Uint8Array = new Uint8Array(0);
  for (const slice of HEAD_SLICES) {
    const len = Math.min(slice, available);
    const opts = { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: len * 1100 + 1024 };
    try {
      out = kind === 'raw' ? inflateRawSync(compressed(len), opts) : gunzipSync(compressed(len), opts);
    } catch {
      // Damage inside the slice: what earlier slices gave is all there is.
      break;
    }
    if (out.length >= n || len === available) break;
  }
  return out.subarray(0, n);
}

/** Counts what flows through against `budget`; fails the stream once it is spent. */
export function inflateGuard(budget: InflateBudget, what: string): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      try {
        budget.add(chunk.length, what);
      } catch (err) {
        done(err as Error);
        return;
      }
      done(null, chunk);
    },
  });
}

/**
 * Inflate a whole buffer within `maxBytes` and the budget: the thrown error
 * says which limit it passed. `inflate` is zlib's sync function of the format.
 */
export function boundedInflate(
  inflate: (b: Uint8Array, o: { maxOutputLength: number }) => Buffer,
  compressed: Uint8Array,
  what: string,
  budget: InflateBudget,
  maxBytes: number,
  /** The error when the content passes `maxBytes` (default: too large to read whole). */
  overMax: () => Error = () => budget.tooLarge(what, maxBytes),
): Uint8Array {
  const byBudget = budget.remaining() < maxBytes;
  const cap = Math.max(1, Math.min(maxBytes, budget.remaining()));
  let out: Buffer;
  try {
    out = inflate(compressed, { maxOutputLength: cap });
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_BUFFER_TOO_LARGE') throw new ZipError(`${what}: damaged compressed data (${(err as Error).message})`);
    throw byBudget ? budget.exceeded(what) : overMax();
  }
  budget.add(out.length, what);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

function member(b: Backing, label: string, m: Located, budget: InflateBudget): ZipMember {
  const what = `${label}!${m.name}`;
  let problem = m.problem;
  if (!problem && m.flags & 1) problem = `${what}: encrypted; not imported`;
  if (!problem && m.method !== 0 && m.method !== 8) problem = `${what}: compression method ${m.method}; only stored and deflated members are supported`;
  let start = -1;
  const dataStart = () => {
    if (start >= 0) return start;
    if (m.dataKnown) return (start = m.local);
    const h = b.range(m.local, m.local + 30);
    if (u32(h, 0) !== LOCAL) throw new ZipError(`${what}: its local header is damaged`);
    start = m.local + 30 + u16(h, 26) + u16(h, 28);
    if (start + m.csize > b.size) throw new ZipError(`${what}: its data lies beyond the end of the archive`);
    return start;
  };
  const refuse = () => {
    if (problem) throw new ZipError(problem);
  };
  // Sizes and CRC are known up front except for members found by a local scan whose sizes followed the data.
  const stated = !(m.flags & 8 && m.dataKnown);
  const checked = (out: Uint8Array) => {
    if (stated && crc32(out) !== m.crc) throw new ZipError(`${what}: damaged (its CRC does not match its content); not imported`);
    return out;
  };
  return {
    name: m.name,
    size: m.size,
    compressedSize: m.csize,
    ...(problem ? { problem } : {}),
    ...(stated ? { crc32: m.crc } : {}),
    head(n) {
      if (problem) return new Uint8Array(0);
      const s = dataStart();
      if (m.method === 0) return b.range(s, s + Math.min(n, m.csize));
      return inflatedHead((len) => b.range(s, s + len), m.csize, n, 'raw');
    },
    read(maxBytes = Number.MAX_SAFE_INTEGER) {
      refuse();
      const s = dataStart();
      if (m.method === 0 && m.csize > maxBytes) throw budget.tooLarge(what, maxBytes);
      const raw = b.range(s, s + m.csize);
      if (m.method === 0) return checked(raw);
      // A member may not inflate beyond the size its archive states: more is damage, or a bomb's lie.
      if (stated && m.size < maxBytes) {
        const lie = () => new ZipError(`${what}: damaged (it inflates beyond the ${m.size} bytes its archive states); not imported`);
        return checked(boundedInflate(inflateRawSync, raw, what, budget, m.size, lie));
      }
      return checked(boundedInflate(inflateRawSync, raw, what, budget, maxBytes));
    },
    stream() {
      refuse();
      const s = dataStart();
      const raw = b.stream(s, s + m.csize);
      if (m.method === 0) return raw;
      const inflate = createInflateRaw();
      const guard = inflateGuard(budget, what);
      // Errors of the source or the inflater end the guarded stream with that error.
      raw.on('error', (e) => guard.destroy(e));
      inflate.on('error', (e) => guard.destroy(new ZipError(`${what}: damaged compressed data (${e.message})`)));
      return raw.pipe(inflate).pipe(guard);
    },
  };
}

function readArchive(b: Backing, label: string, budget: InflateBudget): ZipContents {
  const problems: string[] = [];
  let located: Located[];
  try {
    located = centralDirectory(b, label);
  } catch (err) {
    located = localHeaders(b, label);
    if (located.length === 0) throw err;
    problems.push(`${(err as Error).message}: ${located.length} member(s) found by their local headers and read`);
  }
  const members = located.filter((m) => !m.name.endsWith('/')).map((m) => member(b, label, m, budget));
  return { members, problems };
}

/** Whether bytes start like a zip archive (a local file header, or an empty archive's end record). */
export function looksLikeZip(head: Uint8Array): boolean {
  return u32(head, 0) === LOCAL || u32(head, 0) === END;
}

/** The members of a zip file on disk; throws ZipError naming the file when none can be found. */
export function zipFileMembers(path: string, budget: InflateBudget = UNBOUNDED): ZipContents {
  return readArchive(fileBacking(path), path, budget);
}

/** The members of a zip archive held in memory (e.g. a zip inside a zip). */
export function zipBufferMembers(bytes: Uint8Array, label: string, budget: InflateBudget = UNBOUNDED): ZipContents {
  return readArchive(bufferBacking(bytes), label, budget);
}
