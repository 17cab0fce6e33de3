/**
 * Finding what the earlier version kept, given its folder or its `data/`
 * folder: its `.env`, strava_activities.json, activities.csv, its SQLite
 * warehouse (at DATABASE_PATH, a `sqlite:///` DATABASE_URL, or
 * data/athlete_performance.db), the VeSync collector's files and its exports.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseDotenv } from '../../core/config.ts';
import { legacyExportTable } from './exports.ts';
import { isSqliteFile } from './sqlite.ts';

/** An export file of its `workouts` or `biometrics` table. */
export interface LegacyExportFile {
  path: string;
  table: 'workouts' | 'biometrics';
  format: 'csv' | 'json' | 'parquet';
}

/** What was found. Paths are absolute. */
export interface LegacyFiles {
  root: string;
  dataDir: string;
  /** Its `.env`, read (values are secrets: never print them). */
  env: Record<string, string>;
  envFile?: string;
  /** Why its `.env` could not be read. */
  envProblem?: string;
  stravaJson?: string;
  activitiesCsv?: string;
  database?: string;
  /** Why the database its settings name was not read (missing, PostgreSQL, not SQLite). */
  databaseProblem?: string;
  vesyncJson: string[];
  vesyncCsv: string[];
  exports: LegacyExportFile[];
  /** Files under data/ that it did not write (or this version does not read). */
  other: string[];
}

/** Its default database file, relative to its root. */
const DEFAULT_DATABASE = join('data', 'athlete_performance.db');

function head(path: string, n: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
const isFile = (p: string) => existsSync(p) && statSync(p).isFile();

function walk(dir: string, out: string[]): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** The database file its settings name: DATABASE_PATH, or DATABASE_URL `sqlite:///relative` / `sqlite:////absolute`. */
function configuredDatabase(env: Record<string, string>, root: string): { path?: string; problem?: string } {
  const url = env.DATABASE_URL?.trim();
  if (url && /^postgres(ql)?(\+\w+)?:\/\//i.test(url)) {
    return { problem: 'its DATABASE_URL names a PostgreSQL server, which this version cannot read: dump the workouts and biometrics tables to CSV (data/export_<name>_workouts.csv, data/export_<name>_biometrics.csv) and migrate again' };
  }
  const fromUrl = url ? /^sqlite(?:\+\w+)?:\/\/\/(.+)$/i.exec(url)?.[1] : undefined;
  const p = fromUrl ?? env.DATABASE_PATH?.trim();
  if (!p) return {};
  return { path: isAbsolute(p) ? p : resolve(root, p) };
}

/**
 * Find the earlier version's files under `path` (its folder or its data/
 * folder). Throws, naming the path, when it holds none of them.
 */
export function findLegacyFiles(path: string): LegacyFiles {
  const given = resolve(path);
  if (!isDir(given)) throw new Error(`${path}: no such folder (name the earlier version's folder or its data/ folder)`);
  const atRoot = isDir(join(given, 'data'));
  const dataDir = atRoot ? join(given, 'data') : given;
  const root = atRoot ? given : dirname(given);
  const found: LegacyFiles = { root, dataDir, env: {}, vesyncJson: [], vesyncCsv: [], exports: [], other: [] };

  const envFile = join(root, '.env');
  if (isFile(envFile)) {
    found.envFile = envFile;
    try {
      found.env = parseDotenv(readFileSync(envFile, 'utf8'), envFile);
    } catch (e) {
      found.envProblem = (e as Error).message;
    }
  }

  const configured = configuredDatabase(found.env, root);
  found.databaseProblem = configured.problem;
  const candidates = [configured.path, resolve(root, DEFAULT_DATABASE)].filter((p): p is string => !!p);
  for (const p of candidates) {
    if (!isFile(p)) continue;
    if (isSqliteFile(head(p, 16))) {
      found.database = p;
      break;
    }
    found.databaseProblem ??= `${p} is not a SQLite database`;
  }
  if (!found.database && configured.path && !found.databaseProblem) found.databaseProblem = `its settings name the database ${configured.path}, which does not exist`;

  for (const file of walk(dataDir, [])) {
    const name = basename(file);
    const rel = relative(dataDir, file).split('\\').join('/');
    const table = legacyExportTable(name);
    if (file === found.database) continue;
    if (rel === 'strava_activities.json') found.stravaJson = file;
    else if (rel === 'activities.csv') found.activitiesCsv = file;
    else if (/^vesync_data_\d{8}_\d{6}\.json$/.test(name)) found.vesyncJson.push(file);
    else if (/^vesync_summary_\d{8}\.csv$/.test(name)) found.vesyncCsv.push(file);
    else if (table) found.exports.push({ path: file, table, format: /\.(\w+)$/.exec(name)![1]!.toLowerCase() as LegacyExportFile['format'] });
    else found.other.push(file);
  }
  if (!found.stravaJson && !found.activitiesCsv && !found.database && !found.vesyncJson.length && !found.vesyncCsv.length && !found.exports.length) {
    throw new Error(
      `${path}: none of the earlier version's files found (data/strava_activities.json, data/activities.csv, data/athlete_performance.db, VeSync files, exports)${found.databaseProblem ? `; ${found.databaseProblem}` : ''}`,
    );
  }
  return found;
}
