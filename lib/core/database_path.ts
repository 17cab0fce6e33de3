/**
 * Where the warehouse lives: DATABASE_URL resolved to a file path. Kept apart
 * from `warehouse.ts` so the configuration check at start-up can use it
 * without loading DuckDB.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder holding the numbered `.sql` migrations (and, by default, the database file). */
export const WAREHOUSE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'warehouse');

/** Default database file when DATABASE_URL is not set. */
export const DEFAULT_DATABASE = join(WAREHOUSE_DIR, 'athlete.duckdb');

/**
 * Resolve DATABASE_URL to a file path: a plain path, `duckdb://path`,
 * `duckdb:///abs/path`, or `:memory:`.
 */
export function databasePath(url: string | undefined): string {
  if (!url) return DEFAULT_DATABASE;
  if (url === ':memory:' || url === 'duckdb://:memory:') return ':memory:';
  const m = /^duckdb:\/\/(.*)$/.exec(url);
  const path = m ? m[1]! : url;
  if (!path) throw new Error('DATABASE_URL: duckdb:// needs a file path, e.g. duckdb://warehouse/athlete.duckdb');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw new Error(`DATABASE_URL: only DuckDB files are supported (a path or duckdb://path), got a ${path.split(':')[0]} URL`);
  }
  return resolve(path);
}
