/**
 * Writing zip and gzip files byte by byte for tests: ordinary archives, and
 * hostile ones (bombs, archives nested thousands deep, lying headers) that no
 * zip tool would make. Layout per APPNOTE.TXT (PKWARE's .ZIP specification),
 * sections 4.3.7 (local header), 4.3.12 (central directory), 4.3.16 (end record).
 */
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';

/** One member: its data as stored (deflated when `method` is 8), with the sizes and CRC the headers state. */
export interface RawMember {
  name: string;
  data: Uint8Array;
  method: 0 | 8;
  size: number;
  crc: number;
}

/** A member from plain bytes, deflated unless `store`. */
export function member(name: string, content: Uint8Array | string, store = false): RawMember {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  return { name, data: store ? bytes : deflateRawSync(bytes), method: store ? 0 : 8, size: bytes.length, crc: crc32(bytes) };
}

const u16 = (v: number) => Buffer.from([v & 0xff, (v >>> 8) & 0xff]);
const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
};

function localHeader(m: RawMember): Buffer {
  const name = Buffer.from(m.name);
  return Buffer.concat([u32(0x04034b50), u16(20), u16(0), u16(m.method), u16(0), u16(0x21), u32(m.crc), u32(m.data.length), u32(m.size), u16(name.length), u16(0), name]);
}

function centralEntry(m: RawMember, offset: number): Buffer {
  const name = Buffer.from(m.name);
  return Buffer.concat([
    u32(0x02014b50), u16(20), u16(20), u16(0), u16(m.method), u16(0), u16(0x21), u32(m.crc), u32(m.data.length), u32(m.size),
    u16(name.length), u16(0), u16(0), u16(0), u16(0), u32(0), u32(offset), name,
  ]);
}

function endRecord(count: number, cdSize: number, cdOffset: number): Buffer {
  return Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(count), u16(count), u32(cdSize), u32(cdOffset), u16(0)]);
}

/** A zip archive of these members. */
export function zipOf(members: readonly RawMember[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let at = 0;
  for (const m of members) {
    const h = localHeader(m);
    central.push(centralEntry(m, at));
    parts.push(h, Buffer.from(m.data));
    at += h.length + m.data.length;
  }
  const cd = Buffer.concat(central);
  return Buffer.concat([...parts, cd, endRecord(members.length, cd.length, at)]);
}

/**
 * A zip bomb: `count` members, each `head(i)` followed by `mbEach` MB of
 * zeros when inflated. Every member's data is a stored deflate block holding
 * its own head, then one shared deflated kernel of the zeros (RFC 1951 lets
 * blocks follow each other), so the members differ while the archive is
 * built in a moment; deflate packs zeros about 1,000:1.
 */
export function zipBomb(count: number, mbEach: number, head: (i: number) => Uint8Array, name = (i: number) => `member-${i}`): Buffer {
  const zeros = Buffer.alloc(mbEach * 1024 * 1024);
  const kernel = deflateRawSync(zeros, { level: 9 });
  const members = Array.from({ length: count }, (_, i): RawMember => {
    const h = Buffer.from(head(i));
    // A stored, non-final block: header bits 000 padded to a byte, LEN, NLEN, then the bytes.
    const stored = Buffer.concat([Buffer.from([0, h.length & 0xff, h.length >> 8, ~h.length & 0xff, (~h.length >> 8) & 0xff]), h]);
    return { name: name(i), data: Buffer.concat([stored, kernel]), method: 8, size: h.length + zeros.length, crc: crc32(zeros, crc32(h)) };
  });
  return zipOf(members);
}

/** A gzip bomb: `members` concatenated gzip members (RFC 1952 allows several), each `mbEach` MB of `text` inflated. */
export function gzipBomb(members: number, mbEach: number, text: string): Buffer {
  const one = gzipSync(Buffer.alloc(mbEach * 1024 * 1024, text), { level: 9 });
  return Buffer.concat(Array.from({ length: members }, () => one));
}

/**
 * A zip nested `depth` deep: level 1 holds `level-2.zip`, which holds
 * `level-3.zip`, ..., down to `core` as `name`. The file is the levels'
 * headers, the core, then the levels' directories (P1 P2 ... core ... S2 S1),
 * written in one pass, so building 10,000 levels is quick. CRCs are right for
 * the outer `crcLevels` levels only (a reader that opens deeper finds them wrong).
 */
export function deepZip(depth: number, name: string, core: Uint8Array, crcLevels = 8): Buffer {
  const memberName = (level: number) => (level === depth ? name : `level-${level + 1}.zip`);
  // size[level]: bytes of the archive at that level; size[depth + 1] is the core.
  const size = new Array<number>(depth + 2).fill(0);
  size[depth + 1] = core.length;
  for (let level = depth; level >= 1; level--) {
    const n = Buffer.byteLength(memberName(level));
    size[level] = 30 + n + size[level + 1]! + 46 + n + 22;
  }
  const stub = (level: number): RawMember => ({ name: memberName(level), data: { length: size[level + 1]! } as Uint8Array, method: 0, size: size[level + 1]!, crc: 0 });
  const prefixes: Buffer[] = [];
  const suffixes: Buffer[] = [];
  for (let level = 1; level <= depth; level++) {
    const m = stub(level);
    prefixes.push(localHeader(m));
    const cd = centralEntry(m, 0);
    suffixes.push(Buffer.concat([cd, endRecord(1, cd.length, 30 + Buffer.byteLength(m.name) + m.size)]));
  }
  const out = Buffer.concat([...prefixes, Buffer.from(core), ...[...suffixes].reverse()]);
  // Offsets of each level's archive in the file: it starts at its header and ends after its directory.
  const start = new Array<number>(depth + 2).fill(0);
  for (let level = 2; level <= depth + 1; level++) start[level] = start[level - 1]! + prefixes[level - 2]!.length;
  for (let level = Math.min(depth, crcLevels); level >= 1; level--) {
    const from = start[level + 1]!;
    const crc = crc32(out.subarray(from, from + size[level + 1]!));
    out.writeUInt32LE(crc, start[level]! + 14);
    // The level's central entry starts right after the content of its member.
    out.writeUInt32LE(crc, from + size[level + 1]! + 16);
  }
  return out;
}
