/**
 * The lake's manifest, `_lake.json` at its root: each table's columns and
 * types, and for each partition a fingerprint of its rows and the files that
 * hold them. A re-export compares fingerprints and rewrites only the
 * partitions whose rows changed. Engines reading the lake ignore the file
 * (a leading underscore marks it hidden to Spark, Trino and DuckDB's globs).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The manifest's file name. */
export const MANIFEST = '_lake.json';

/** One partition: `<athlete>/<year>` (or `<athlete>` for tables without a year). */
export interface LakePartition {
  /** Row count and two order-independent hashes of the rows. */
  fingerprint: string;
  rows: number;
  /** Its files, relative to the table's folder. */
  files: { path: string; bytes: number }[];
}

/** One table of the lake. */
export interface LakeTableManifest {
  partitionBy: string[];
  columns: { name: string; type: string }[];
  partitions: Record<string, LakePartition>;
}

/** The whole manifest. */
export interface LakeManifest {
  format: 'athlete-lake';
  version: 1;
  /** The largest a file is let grow to, bytes (a file stops after the row group that passes it). */
  maxFileBytes: number;
  tables: Record<string, LakeTableManifest>;
}

/** The manifest of the lake at `dir`, or null when there is none. A malformed one is an error naming the file. */
export function readManifest(dir: string): LakeManifest | null {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  const m = parsed as Partial<LakeManifest>;
  if (m?.format !== 'athlete-lake' || m.version !== 1 || typeof m.tables !== 'object' || m.tables === null) {
    throw new Error(`${path}: not a lake manifest of this program (format athlete-lake, version 1)`);
  }
  return m as LakeManifest;
}

/** Write the manifest atomically: a reader sees the old one or the new one, never half of it. */
export function writeManifest(dir: string, m: LakeManifest): void {
  const tmp = join(dir, `.${MANIFEST}.${randomBytes(4).toString('hex')}.tmp`);
  writeFileSync(tmp, JSON.stringify(m, null, 1) + '\n');
  renameSync(tmp, join(dir, MANIFEST));
}

/** A partition's folder under its table: `athlete_id=<id>[/year=<y>]`; a key that could leave the table's folder is an error. */
export function partitionPath(key: string): string {
  const m = /^([A-Za-z0-9_][A-Za-z0-9_.-]*)(?:\/(-?\d{1,6}))?$/.exec(key);
  if (!m) throw new Error(`lake partition ${JSON.stringify(key)}: not <athlete id>[/<year>]`);
  return m[2] === undefined ? `athlete_id=${m[1]}` : join(`athlete_id=${m[1]}`, `year=${m[2]}`);
}
