/**
 * Turning paths into a flat list of input files: plain files, folders
 * (recursively) and zip archives (also nested ones, as in Garmin's export).
 * Members are read lazily so a large export is not held in memory at once.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { unzipSync } from 'fflate';

/** One input file, possibly inside an archive. */
export interface InputEntry {
  /** Display name: a path, or `archive.zip!member/path` inside an archive. */
  name: string;
  /** The path relative to the root that was named (folder or archive): used to find siblings. */
  rel: string;
  /** Which root (path as given) it came from. */
  root: string;
  size: number;
  read(): Uint8Array;
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

function isZip(bytes: Uint8Array): boolean {
  return ZIP_MAGIC.every((b, i) => bytes[i] === b);
}

function readHead(path: string): Uint8Array {
  return readFileSync(path).subarray(0, 4);
}

function zipEntries(bytes: Uint8Array, name: string, root: string, prefix: string): InputEntry[] {
  const files = unzipSync(bytes);
  const out: InputEntry[] = [];
  for (const member of Object.keys(files).sort()) {
    const data = files[member]!;
    if (member.endsWith('/') || basename(member).startsWith('._') || member.startsWith('__MACOSX/')) continue;
    const display = `${name}!${member}`;
    const rel = prefix + member;
    if (isZip(data)) out.push(...zipEntries(data, display, root, rel.replace(/\.zip$/i, '') + '/'));
    else out.push({ name: display, rel, root, size: data.length, read: () => data });
  }
  return out;
}

/** Expand paths to input files, sorted for a deterministic order. Missing paths throw, naming the path. */
export function collectInputs(paths: readonly string[]): InputEntry[] {
  const out: InputEntry[] = [];
  const walk = (dir: string, root: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name.startsWith('.')) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p, root);
      else if (e.isFile()) addFile(p, root, relative(root, p));
    }
  };
  const addFile = (p: string, root: string, rel: string) => {
    const size = statSync(p).size;
    if (size >= 4 && isZip(readHead(p))) out.push(...zipEntries(readFileSync(p), p, root, ''));
    else out.push({ name: p, rel, root, size, read: () => readFileSync(p) });
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
