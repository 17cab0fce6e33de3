/**
 * Turning paths into a flat list of input files: plain files, folders
 * (recursively) and zip archives (also nested ones, as in Garmin's export).
 * Members are read lazily, and can be streamed, so a large export is never
 * held in memory at once.
 */
import { createReadStream, readdirSync, readFileSync, readSync, openSync, closeSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { zipBufferMembers, zipFileMembers, type ZipMember } from '../formats/zip.ts';

/** One input file, possibly inside an archive. */
export interface InputEntry {
  /** Display name: a path, or `archive.zip!member/path` inside an archive. */
  name: string;
  /** The path relative to the root that was named (folder or archive), with `/` separators: used to find siblings. */
  rel: string;
  /** Which root (path as given) it came from. */
  root: string;
  size: number;
  /** The first bytes, for format detection. */
  head(n: number): Uint8Array;
  read(): Uint8Array;
  stream(): AsyncIterable<Uint8Array>;
}

const isZip = (b: Uint8Array) => b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

function fileHead(path: string, n: number): Uint8Array {
  const buf = Buffer.alloc(n);
  const fd = openSync(path, 'r');
  try {
    return buf.subarray(0, readSync(fd, buf, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

function memberEntries(members: ZipMember[], archive: string, root: string, prefix: string): InputEntry[] {
  const out: InputEntry[] = [];
  for (const m of [...members].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (basename(m.name).startsWith('._') || m.name.startsWith('__MACOSX/') || basename(m.name).startsWith('.')) continue;
    const name = `${archive}!${m.name}`;
    const rel = prefix + m.name;
    if (/\.zip$/i.test(m.name)) {
      out.push(...memberEntries(zipBufferMembers(m.read(), name), name, root, rel.replace(/\.zip$/i, '') + '/'));
      continue;
    }
    out.push({
      name,
      rel,
      root,
      size: m.size,
      head: (n) => m.head(n),
      read: () => m.read(),
      stream: () => m.stream(),
    });
  }
  return out;
}

/** Expand paths to input files, sorted for a deterministic order. Missing paths throw, naming the path. */
export function collectInputs(paths: readonly string[]): InputEntry[] {
  const out: InputEntry[] = [];
  const addFile = (p: string, root: string, rel: string) => {
    const size = statSync(p).size;
    if (size >= 22 && isZip(fileHead(p, 4))) {
      out.push(...memberEntries(zipFileMembers(p), p, root, rel === basename(p) && root === p ? '' : rel.replace(/\.zip$/i, '') + '/'));
      return;
    }
    out.push({
      name: p,
      rel,
      root,
      size,
      head: (n) => fileHead(p, n),
      read: () => readFileSync(p),
      stream: () => createReadStream(p, { highWaterMark: 1 << 20 }),
    });
  };
  const walk = (dir: string, root: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name.startsWith('.')) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p, root);
      else if (e.isFile()) addFile(p, root, relative(root, p).split('\\').join('/'));
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new Error(`${p}: no such file or folder`);
    }
    if (st.isDirectory()) walk(p, p);
    else addFile(p, p, basename(p));
  }
  return out;
}
