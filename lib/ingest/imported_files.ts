/**
 * Files already imported, remembered by content (warehouse/090_incremental.sql):
 * importing one again unchanged, read the same way, skips it without parsing.
 */
import { createHash } from 'node:crypto';
import type { Warehouse } from '../core/warehouse.ts';
import type { InputEntry } from './inputs.ts';

/**
 * Raise when what a reader makes of the same file changes (a parser fixed or
 * extended): every file is then read again once.
 */
export const READER_REVISION = 2;

/** What identifies a file's content: an archive member comes with its CRC-32 and size; a plain file is hashed. */
function contentOf(e: InputEntry): string {
  return e.identity ?? createHash('sha1').update(e.read()).digest('base64');
}

/** A file's content and how it is read, as one key. */
export function fingerprint(e: InputEntry, format: string, source: string | undefined, athleteId: string): string {
  return createHash('sha1').update(JSON.stringify([READER_REVISION, contentOf(e), e.size, format, source ?? null, athleteId])).digest('base64');
}

/** Files up to this size are hashed whole, larger ones as a stream. */
const HASH_WHOLE_BYTES = 32 * 1024 ** 2;
/** The same for a gzipped file, by its stored size: what it inflates to is not known beforehand. */
const HASH_WHOLE_GZIPPED_BYTES = 1024 ** 2;

/**
 * {@link contentOf}, reading a large file as a stream (an Apple Health
 * export.xml can hold gigabytes); small ones are read whole, which for the
 * hundreds of files of a Strava export is several times faster.
 */
async function streamedContentOf(e: InputEntry): Promise<string> {
  if (e.identity || e.size <= (e.sizeKnown ? HASH_WHOLE_BYTES : HASH_WHOLE_GZIPPED_BYTES)) return contentOf(e);
  const h = createHash('sha1');
  for await (const chunk of e.stream()) h.update(chunk);
  return h.digest('base64');
}

/**
 * An export read as a whole, its index with the files that belong to it (a
 * Strava export's activities.csv and activity files, an Apple Health
 * export.xml and its route files), as one key: a change to any of them, or
 * to which files they are, reads the export again.
 */
export async function exportFingerprint(index: InputEntry, members: readonly InputEntry[], format: string, source: string | undefined, athleteId: string): Promise<string> {
  const h = createHash('sha1').update(JSON.stringify([READER_REVISION, format, source ?? null, athleteId]));
  for (const e of [index, ...members]) h.update(JSON.stringify([e.rel, e.size, await streamedContentOf(e)]));
  return h.digest('base64');
}

/** The fingerprints of the files imported so far. */
export async function importedFingerprints(wh: Warehouse): Promise<Set<string>> {
  return new Set((await wh.all<{ fingerprint: string }>('SELECT fingerprint FROM imported_files')).map((r) => r.fingerprint));
}

/** Remember files whose records are stored. */
export async function rememberImported(wh: Warehouse, files: readonly { fingerprint: string; input: string; size: number }[]): Promise<void> {
  if (files.length === 0) return;
  await wh.run('CREATE OR REPLACE TEMP TABLE stage_imported_files AS SELECT * FROM imported_files LIMIT 0');
  const now = new Date();
  await wh.appendRows('stage_imported_files', files.map((f) => [f.fingerprint, f.input, f.size, now]));
  await wh.run('INSERT INTO imported_files SELECT DISTINCT ON (fingerprint) * FROM stage_imported_files ON CONFLICT DO NOTHING');
  await wh.run('DROP TABLE stage_imported_files');
}
