/**
 * Reading zip archives member by member from the central directory, so a
 * multi-gigabyte export (Apple Health's export.zip) is never held in memory:
 * a member is inflated on demand, whole or as a stream. Zip64 sizes and
 * offsets are supported; stored and deflated members are.
 */
import { closeSync, openSync, readSync, createReadStream, fstatSync } from 'node:fs';
import { Readable } from 'node:stream';
import { constants as zlibConstants, createInflateRaw, inflateRawSync } from 'node:zlib';

/** One member of an archive. */
export interface ZipMember {
  name: string;
  size: number;
  /** The first bytes (at most n), without inflating the whole member. */
  head(n: number): Uint8Array;
  read(): Uint8Array;
  stream(): AsyncIterable<Uint8Array>;
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
      const buf = Buffer.alloc(end - start);
      const f = openSync(path, 'r');
      try {
        let off = 0;
        while (off < buf.length) {
          const n = readSync(f, buf, off, buf.length - off, start + off);
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
    range: (start, end) => bytes.subarray(start, end),
    stream: (start, end) => Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start)]),
  };
}

const u16 = (b: Uint8Array, o: number) => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number) => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16)) + b[o + 3]! * 0x1000000;
const u64 = (b: Uint8Array, o: number) => u32(b, o) + u32(b, o + 4) * 0x100000000;

/** A problem with the archive's structure, naming the archive. */
export class ZipError extends Error {
  override name = 'ZipError';
}

function readMembers(b: Backing, label: string): ZipMember[] {
  const tailLen = Math.min(b.size, 65_557);
  const tail = b.range(b.size - tailLen, b.size);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (u32(tail, i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipError(`${label}: not a zip archive (no end of central directory)`);
  let count = u16(tail, eocd + 10);
  let cdSize = u32(tail, eocd + 12);
  let cdOffset = u32(tail, eocd + 16);
  if (cdOffset === 0xffffffff || count === 0xffff) {
    const loc = eocd - 20;
    if (loc < 0 || u32(tail, loc) !== 0x07064b50) throw new ZipError(`${label}: zip64 archive without its locator`);
    const z64 = u64(tail, loc + 8);
    const rec = b.range(z64, z64 + 56);
    if (u32(rec, 0) !== 0x06064b50) throw new ZipError(`${label}: bad zip64 end record`);
    count = u64(rec, 32);
    cdSize = u64(rec, 40);
    cdOffset = u64(rec, 48);
  }
  const cd = b.range(cdOffset, cdOffset + cdSize);
  const members: ZipMember[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (u32(cd, p) !== 0x02014b50) throw new ZipError(`${label}: central directory entry ${i + 1} is damaged`);
    const method = u16(cd, p + 10);
    let csize = u32(cd, p + 20);
    let size = u32(cd, p + 24);
    const nameLen = u16(cd, p + 28);
    const extraLen = u16(cd, p + 30);
    const commentLen = u16(cd, p + 32);
    let local = u32(cd, p + 42);
    const name = new TextDecoder().decode(cd.subarray(p + 46, p + 46 + nameLen));
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
    if (name.endsWith('/')) continue;
    const dataStart = () => {
      const h = b.range(local, local + 30);
      if (u32(h, 0) !== 0x04034b50) throw new ZipError(`${label}: local header of ${name} is damaged`);
      return local + 30 + u16(h, 26) + u16(h, 28);
    };
    if (method !== 0 && method !== 8) {
      members.push({
        name,
        size,
        head: () => new Uint8Array(0),
        read: () => {
          throw new ZipError(`${label}: ${name} uses compression method ${method}; only stored and deflated members are supported`);
        },
        stream: () => {
          throw new ZipError(`${label}: ${name} uses compression method ${method}`);
        },
      });
      continue;
    }
    members.push({
      name,
      size,
      head(n) {
        const start = dataStart();
        const raw = b.range(start, start + Math.min(csize, Math.max(n, 65_536)));
        const out = method === 0 ? raw : new Uint8Array(inflateRawSync(raw, { finishFlush: zlibConstants.Z_SYNC_FLUSH }));
        return out.subarray(0, n);
      },
      read() {
        const start = dataStart();
        const raw = b.range(start, start + csize);
        return method === 0 ? raw : new Uint8Array(inflateRawSync(raw));
      },
      stream() {
        const start = dataStart();
        const s = b.stream(start, start + csize);
        return method === 0 ? s : s.pipe(createInflateRaw());
      },
    });
  }
  return members;
}

/** The members of a zip file on disk. */
export function zipFileMembers(path: string): ZipMember[] {
  return readMembers(fileBacking(path), path);
}

/** The members of a zip archive held in memory (e.g. a zip inside a zip). */
export function zipBufferMembers(bytes: Uint8Array, label: string): ZipMember[] {
  return readMembers(bufferBacking(bytes), label);
}
