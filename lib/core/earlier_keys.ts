/**
 * Settings keys of the earlier Python version: its names that mean one of
 * ours are read as ours (with a one-line warning naming the new key), and
 * the ones that cannot work here are explained.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** Its key names that are aliases of ours. */
export const EARLIER_KEY_ALIASES: Readonly<Record<string, string>> = {
  GARMIN_USERNAME: 'GARMIN_EMAIL',
  VESYNC_USERNAME: 'VESYNC_EMAIL',
  VESYNC_TIMEZONE: 'VESYNC_TIME_ZONE',
  DATABASE_PATH: 'DATABASE_URL',
  OURA_ACCESS_TOKEN: 'OURA_PERSONAL_ACCESS_TOKEN',
};

/** Its keys this version does not read, and what to do instead. */
const NOT_READ: Readonly<Record<string, string>> = {
  WHOOP_API_KEY:
    'WHOOP_API_KEY is not used: WHOOP\'s API has no API keys, it uses OAuth, version 2; create an app in WHOOP\'s developer dashboard, set WHOOP_CLIENT_ID and WHOOP_CLIENT_SECRET, and run "athlete auth whoop" to connect in the browser',
  STRAVA_REFRESH_TOKEN: 'STRAVA_REFRESH_TOKEN is not read from .env: "athlete migrate PATH" moves the earlier version\'s token into the token store, or run "athlete auth strava"',
  STRAVA_ACCESS_TOKEN: 'STRAVA_ACCESS_TOKEN is not read from .env: tokens live in the token store ("athlete auth strava")',
  GARMIN_ACCESS_TOKEN: 'GARMIN_ACCESS_TOKEN is not read from .env: connect Garmin with "athlete auth garmin" (or --token-file)',
  GARMIN_REFRESH_TOKEN: 'GARMIN_REFRESH_TOKEN is not read from .env: connect Garmin with "athlete auth garmin" (or --token-file)',
  GARMIN_CLIENT_ID: 'GARMIN_CLIENT_ID is not used: connect Garmin with "athlete auth garmin"',
  LOG_FILE: 'LOG_FILE is not used: logs go to standard error as JSON lines (redirect them to keep a file)',
};

/**
 * `env` with the earlier version's key names read as ours, and one warning
 * per such key (a value is never quoted). When both names are set, ours wins.
 */
export function applyEarlierKeyAliases(env: Record<string, string | undefined>): { env: Record<string, string | undefined>; warnings: string[] } {
  const out = { ...env };
  const warnings: string[] = [];
  for (const [old, current] of Object.entries(EARLIER_KEY_ALIASES)) {
    if (env[old] === undefined) continue;
    if (env[current] === undefined) {
      out[current] = env[old];
      warnings.push(`${old} is the earlier version's name of ${current}: read as ${current} (rename it in .env)`);
    } else {
      warnings.push(`${old} is the earlier version's name of ${current}, which is also set: ${old} is ignored (remove it from .env)`);
    }
  }
  for (const [key, advice] of Object.entries(NOT_READ)) if (env[key] !== undefined) warnings.push(advice);
  return { env: out, warnings };
}

/** The first 16 bytes of every SQLite 3 database file. */
const SQLITE_MAGIC = 'SQLite format 3\u0000';

function isSqliteFile(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = Buffer.alloc(16);
    return readSync(fd, head, 0, 16, 0) === 16 && head.toString('latin1') === SQLITE_MAGIC;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Why `DATABASE_URL` cannot be used when it names the earlier version's
 * database (a `sqlite:///` or `postgresql://` URL, or a SQLite file, as its
 * DATABASE_PATH did), else null.
 */
export function earlierDatabaseProblem(url: string | undefined): string | null {
  if (!url) return null;
  const scheme = /^(sqlite|postgres(?:ql)?)(?:\+\w+)?:\/\//i.exec(url.trim())?.[1]?.toLowerCase();
  const sqliteFile = !scheme && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url) && isSqliteFile(url);
  if (!scheme && !sqliteFile) return null;
  const what = scheme === 'sqlite' || sqliteFile ? "the earlier version's SQLite database" : "the earlier version's PostgreSQL database";
  return `DATABASE_URL names ${what}, but this version keeps its warehouse in a DuckDB file: unset DATABASE_URL (or set it to a DuckDB file path) and run "athlete migrate PATH" with the earlier version's folder to carry its data over`;
}
