/**
 * Turning paths into a flat list of input files: plain files, folders,
 * zip archives (also archives inside archives, as in Garmin's export) and
 * gzipped files, seen through their compression. Members are read lazily,
 * and can be streamed, so a large export is never held in memory at once.
 *
 * Hostile or damaged input costs only itself: an archive that cannot be
 * opened, a member that cannot be read, or a file that would expand beyond
 * the limits (see limits.ts) becomes a problem naming it, and the rest goes
 * on. Folders and archives are walked with an explicit stack, never by
 * recursion, so no depth of nesting can overflow it.
 */
import { createReadStream, createWriteStream, mkdtempSync, readdirSync, readFileSync, readSync, openSync, closeSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ImportError } from '../core/models.ts';
import { looksLikeZip, zipBufferMembers, zipFileMembers, type InflateBudget, type ZipContents } from '../formats/zip.ts';
import { gunzipped, isGzip, type ByteSource, type FileStamp } from './gzip_layer.ts';
import { DEFAULT_LIMITS, ExpansionBudget, type InputLimits } from './limits.ts';

/** One input file, possibly inside an archive, possibly gzipped (then its bytes are the inflated ones). */
export interface InputEntry {
  /** Display name: a path, or `archive.zip!member/path` inside an archive. */
  name: string;
  /** The path relative to the root that was named (folder or archive), with `/` separators: used to find siblings. */
  rel: string;
  /** Which root (path as given) it came from. */
  root: string;
  /** Size of the content; as stored (compressed) when `sizeKnown` is false. */
  size: number;
  /** Whether `size` is the content's size (not so for a gzipped file): an unknown size is read as a stream where the format allows. */
  sizeKnown: boolean;
  /** A cheap identity of the content when at hand (an archive member's CRC-32 and size), else undefined. */
  identity?: string;
  /** A plain file's (or a gzipped plain file's) path and modification time: what its content is remembered by. */
  stamp?: FileStamp;
  /** The first bytes, for format detection. */
  head(n: number): Uint8Array;
  /** The whole content; throws (naming the input) beyond IMPORT_MAX_FILE_MB or the expansion limits. */
  read(): Uint8Array;
  stream(): AsyncIterable<Uint8Array>;
}

/** What {@link collectInputs} found. */
export interface CollectedInputs {
  entries: InputEntry[];
  /** Files, archives and members that cannot be read, each naming the input and why (rows of import_errors). */
  problems: ImportError[];
  /** Archives that hold no file (only folders, or nothing): rows saying so, not problems. */
  emptyArchives: ImportError[];
  /** Remove the temporary files of nested archives too large to hold in memory. */
  close(): void;
}

/** The identity of content by its CRC-32 and size (see InputEntry.identity). */
export function contentIdentity(crc: number, size: number): string {
  return `crc32 ${crc} size ${size}`;
}

/** A nested archive up to this size is opened in memory; a larger one is inflated to a temporary file first. */
const IN_MEMORY_ARCHIVE = 64 * 1024 ** 2;

function fileHead(path: string, n: number): Uint8Array {
  const buf = Buffer.alloc(n);
  const fd = openSync(path, 'r');
  try {
    return buf.subarray(0, readSync(fd, buf, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

function fileSource(path: string, size: number, modifiedMs: number, budget: InflateBudget): ByteSource {
  return {
    name: path,
    size,
    sizeKnown: true,
    stamp: { path: resolve(path), modifiedMs },
    head: (n) => fileHead(path, n),
    read: (maxBytes) => {
      if (size > maxBytes) throw budget.tooLarge(path, maxBytes);
      return readFileSync(path);
    },
    stream: () => createReadStream(path, { highWaterMark: 1 << 20 }),
  };
}

/** Archive metadata of macOS and hidden files: not data, passed over without a row. */
const isJunk = (name: string) => {
  const base = basename(name);
  return base.startsWith('.') || name.startsWith('__MACOSX/');
};

/** Work left to do: a path to walk, or bytes to classify (plain, gzip or zip) at a nesting depth. */
type Task =
  | { kind: 'path'; path: string; root: string; rel: string; link?: boolean }
  | { kind: 'bytes'; src: ByteSource; root: string; rel: string; depth: number; budget: ExpansionBudget; archiveRoot: boolean };

/**
 * Expand paths to input files, in a deterministic order (sorted by name,
 * archive members where their archive is). Missing paths throw, naming the
 * path, before anything is read.
 */
export async function collectInputs(paths: readonly string[], limits: InputLimits = DEFAULT_LIMITS): Promise<CollectedInputs> {
  for (const p of paths) {
    try {
      statSync(p);
    } catch {
      throw new Error(`${p}: no such file or folder`);
    }
  }
  const entries: InputEntry[] = [];
  const problems: ImportError[] = [];
  const emptyArchives: ImportError[] = [];
  let tempDir: string | undefined;
  let temps = 0;
  const tempFile = () => join((tempDir ??= mkdtempSync(join(tmpdir(), 'athlete-import-'))), `nested-${++temps}.zip`);

  const stack: Task[] = paths.map((p): Task => ({ kind: 'path', path: p, root: p, rel: basename(p) })).reverse();
  const push = (tasks: Task[]) => {
    for (let i = tasks.length - 1; i >= 0; i--) stack.push(tasks[i]!);
  };

  const entry = (src: ByteSource, root: string, rel: string, budget: ExpansionBudget) =>
    entries.push({
      name: src.name,
      rel,
      root,
      size: src.size,
      sizeKnown: src.sizeKnown,
      ...(src.identity ? { identity: src.identity } : {}),
      ...(src.stamp ? { stamp: src.stamp } : {}),
      head: (n) => src.head(n),
      read: () => {
        budget.refuseWhenSpent(src.name);
        return src.read(limits.maxInMemoryBytes);
      },
      stream: () => {
        budget.refuseWhenSpent(src.name);
        return src.stream();
      },
    });

  const open = async (t: Extract<Task, { kind: 'bytes' }>): Promise<ZipContents> => {
    if (t.depth === 0) return zipFileMembers(t.src.name, t.budget);
    if (t.src.size <= IN_MEMORY_ARCHIVE) return zipBufferMembers(t.src.read(Math.min(limits.maxInMemoryBytes, IN_MEMORY_ARCHIVE * 4)), t.src.name, t.budget);
    const path = tempFile();
    await pipeline(Readable.from(t.src.stream()), createWriteStream(path));
    return zipFileMembers(path, t.budget);
  };

  const classify = async (t: Extract<Task, { kind: 'bytes' }>) => {
    const { src } = t;
    const head = src.size === 0 ? new Uint8Array(0) : src.head(4);
    const zip = head.length >= 4 && looksLikeZip(head);
    if (!zip && !isGzip(head)) return void entry(src, t.root, t.rel, t.budget);
    if (t.depth + 1 > limits.maxDepth) {
      problems.push({ input: src.name, reason: `archives nested deeper than ${limits.maxDepth} (IMPORT_MAX_ARCHIVE_DEPTH); not imported` });
      return;
    }
    if (!zip) {
      stack.push({ ...t, src: gunzipped(src, t.budget), depth: t.depth + 1, archiveRoot: false });
      return;
    }
    const contents = await open(t);
    for (const reason of contents.problems) problems.push({ input: src.name, reason });
    // A zip named on the command line is the root of its members' paths; one inside a folder or archive adds its name.
    const prefix = t.archiveRoot ? '' : t.rel.replace(/\.zip$/i, '') + '/';
    const tasks: Task[] = [];
    for (const m of [...contents.members].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (isJunk(m.name)) continue;
      const name = `${src.name}!${m.name}`;
      if (m.problem) {
        problems.push({ input: name, reason: m.problem });
        continue;
      }
      const member: ByteSource = {
        name,
        size: m.size,
        sizeKnown: m.crc32 !== undefined,
        ...(m.crc32 !== undefined ? { identity: contentIdentity(m.crc32, m.size) } : {}),
        head: (n) => m.head(n),
        read: (max) => m.read(max),
        stream: () => m.stream(),
      };
      tasks.push({ kind: 'bytes', src: member, root: t.root, rel: prefix + m.name, depth: t.depth + 1, budget: t.budget, archiveRoot: false });
    }
    if (tasks.length === 0 && contents.problems.length === 0 && !contents.members.some((m) => m.problem)) {
      emptyArchives.push({ input: src.name, reason: 'an archive holding no file: nothing to import' });
    }
    push(tasks);
  };

  for (let t = stack.pop(); t; t = stack.pop()) {
    if (t.kind === 'path') {
      let st;
      try {
        st = statSync(t.path);
      } catch {
        problems.push({ input: t.path, reason: 'a link to nothing: not read' });
        continue;
      }
      // A link to a folder inside a folder is not followed: it could lead back up and never end.
      if (t.link && st.isDirectory()) {
        problems.push({ input: t.path, reason: 'a link to a folder: not followed (name the folder itself to import it)' });
        continue;
      }
      if (st.isDirectory()) {
        const { path: dir, root } = t;
        const children: Task[] = [];
        for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
          if (e.name.startsWith('.')) continue;
          const p = join(dir, e.name);
          if (e.isDirectory() || e.isFile() || e.isSymbolicLink()) children.push({ kind: 'path', path: p, root, rel: relative(root, p).split('\\').join('/'), link: e.isSymbolicLink() });
          // A pipe or device would block or never end: named, not read.
          else problems.push({ input: p, reason: 'not a regular file (a pipe, socket or device): not read' });
        }
        push(children);
      } else if (st.isFile()) {
        const budget = new ExpansionBudget(t.path, st.size, limits);
        stack.push({ kind: 'bytes', src: fileSource(t.path, st.size, st.mtimeMs, budget), root: t.root, rel: t.rel, depth: 0, budget, archiveRoot: t.root === t.path });
      } else {
        problems.push({ input: t.path, reason: 'not a regular file (a pipe, socket or device): not read' });
      }
      continue;
    }
    try {
      await classify(t);
    } catch (err) {
      problems.push({ input: t.src.name, reason: `could not be read: ${(err as Error).message}` });
    }
  }
  return {
    entries,
    problems,
    emptyArchives,
    close: () => {
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
}
