/**
 * Files already imported, remembered by content (warehouse/090_incremental.sql):
 * importing one again unchanged, read the same way, skips it without parsing.
 * A plain file's content key is remembered by its path, size and
 * modification time (warehouse/100_file_contents.sql), so an unchanged
 * folder is recognised without reading it, as make and git do: a file
 * rewritten with the same size and modification time is taken as unchanged
 * (`athlete import --again` reads everything and learns the keys anew).
 */
import { createHash } from 'node:crypto';
import type { Warehouse } from '../core/warehouse.ts';
import type { InputEntry } from './inputs.ts';

/**
 * Raise when what a reader makes of the same file changes (a parser fixed or
 * extended): every file is then read again once.
 */
export const READER_REVISION = 2;

/**
 * A file modified this recently may change again within its file system's
 * time precision (two seconds on FAT) without its time changing: its key is
 * not remembered.
 */
const RACY_MS = 2000;

/** Files up to this size are hashed whole, larger ones as a stream. */
const HASH_WHOLE_BYTES = 32 * 1024 ** 2;
/** The same for a gzipped file, by its stored size: what it inflates to is not known beforehand. */
const HASH_WHOLE_GZIPPED_BYTES = 1024 ** 2;

interface Remembered {
  size: number;
  modifiedMs: number;
  content: string;
}

/**
 * What identifies files' contents: an archive member comes with its CRC-32
 * and size; a plain file is hashed, unless it is remembered at the same path
 * with the same size and modification time.
 */
export class ContentKeys {
  private readonly learned = new Map<string, Remembered>();

  /** Keys remembered before, by path; none: every plain file is hashed. */
  constructor(private readonly known: ReadonlyMap<string, Remembered> = new Map()) {}

  /**
   * The keys remembered in the warehouse for these entries' files (not the
   * whole table: importing one file need not read the keys of thousands);
   * `forget` (a forced re-read) starts from none and learns them all again.
   */
  static async load(wh: Warehouse, entries: readonly InputEntry[], forget = false): Promise<ContentKeys> {
    const paths = forget ? [] : entries.flatMap((e) => (e.stamp ? [e.stamp.path] : []));
    const rows =
      paths.length === 0
        ? []
        : await wh.all<{ path: string } & Remembered>(
            'SELECT path, size, modified_ms AS "modifiedMs", content FROM file_contents WHERE path IN (SELECT unnest(?::VARCHAR[]))',
            [paths],
          );
    return new ContentKeys(new Map(rows.map((r) => [r.path, { size: r.size, modifiedMs: r.modifiedMs, content: r.content }])));
  }

  private remembered(e: InputEntry): string | undefined {
    if (!e.stamp) return undefined;
    const r = this.learned.get(e.stamp.path) ?? this.known.get(e.stamp.path);
    return r && r.size === e.size && r.modifiedMs === e.stamp.modifiedMs ? r.content : undefined;
  }

  private learn(e: InputEntry, content: string): string {
    if (e.stamp && Date.now() - e.stamp.modifiedMs > RACY_MS) this.learned.set(e.stamp.path, { size: e.size, modifiedMs: e.stamp.modifiedMs, content });
    return content;
  }

  /** A file's content key, reading it whole when it must be hashed. */
  private whole(e: InputEntry): string {
    return e.identity ?? this.remembered(e) ?? this.learn(e, createHash('sha1').update(e.read()).digest('base64'));
  }

  /**
   * A file's content key. A large file is read as a stream (an Apple Health
   * export.xml can hold gigabytes); small ones are read whole, which for the
   * hundreds of files of a Strava export is several times faster.
   */
  async streamed(e: InputEntry): Promise<string> {
    if (e.identity || e.size <= (e.sizeKnown ? HASH_WHOLE_BYTES : HASH_WHOLE_GZIPPED_BYTES)) return this.whole(e);
    const known = this.remembered(e);
    if (known) return known;
    const h = createHash('sha1');
    for await (const chunk of e.stream()) h.update(chunk);
    return this.learn(e, h.digest('base64'));
  }

  /** Remember the keys learned since the last save. */
  async save(wh: Warehouse): Promise<void> {
    if (this.learned.size === 0) return;
    const rows = [...this.learned].map(([path, r]) => [path, r.size, r.modifiedMs, r.content]);
    await wh.run('CREATE OR REPLACE TEMP TABLE stage_file_contents AS SELECT * FROM file_contents LIMIT 0');
    await wh.appendRows('stage_file_contents', rows);
    await wh.run(
      `INSERT INTO file_contents SELECT * FROM stage_file_contents
       ON CONFLICT (path) DO UPDATE SET size = excluded.size, modified_ms = excluded.modified_ms, content = excluded.content`,
    );
    await wh.run('DROP TABLE stage_file_contents');
    this.learned.clear();
  }
}

/** A file's content (its key from {@link ContentKeys}) and how it is read, as one key. */
export function fingerprint(content: string, e: InputEntry, format: string, source: string | undefined, athleteId: string): string {
  return createHash('sha1').update(JSON.stringify([READER_REVISION, content, e.size, format, source ?? null, athleteId])).digest('base64');
}

/**
 * An export read as a whole, its index with the files that belong to it (a
 * Strava export's activities.csv and activity files, an Apple Health
 * export.xml and its route files), as one key: a change to any of them, or
 * to which files they are, reads the export again.
 */
export async function exportFingerprint(
  keys: ContentKeys,
  index: InputEntry,
  members: readonly InputEntry[],
  format: string,
  source: string | undefined,
  athleteId: string,
): Promise<string> {
  const h = createHash('sha1').update(JSON.stringify([READER_REVISION, format, source ?? null, athleteId]));
  for (const e of [index, ...members]) h.update(JSON.stringify([e.rel, e.size, await keys.streamed(e)]));
  return h.digest('base64');
}

/** The fingerprints of the files imported so far. */
export async function importedFingerprints(wh: Warehouse): Promise<Set<string>> {
  return new Set((await wh.all<{ fingerprint: string }>('SELECT fingerprint FROM imported_files')).map((r) => r.fingerprint));
}

/** Remember files whose records (athlete `athleteId`'s) are stored. */
export async function rememberImported(wh: Warehouse, athleteId: string, files: readonly { fingerprint: string; input: string; size: number }[]): Promise<void> {
  if (files.length === 0) return;
  await wh.run('CREATE OR REPLACE TEMP TABLE stage_imported_files AS SELECT * FROM imported_files LIMIT 0');
  const now = new Date();
  await wh.appendRows('stage_imported_files', files.map((f) => [f.fingerprint, f.input, f.size, now, athleteId]));
  await wh.run('INSERT INTO imported_files SELECT DISTINCT ON (fingerprint) * FROM stage_imported_files ON CONFLICT DO NOTHING');
  await wh.run('DROP TABLE stage_imported_files');
}
