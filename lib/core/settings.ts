/**
 * What a setting may hold, and the check of each kind. Every key is checked
 * when any command starts (`loadConfig`); a bad value is reported with its
 * key, the value (secrets masked) and what is allowed.
 */
import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { databasePath } from './database_path.ts';
import { isTimeZone } from './time_zone.ts';

/**
 * The kinds of value a setting holds: `file_path` is a file the program
 * writes (it or its folder may not exist yet), `input_path` a file or folder
 * it reads (it must exist), `folder_path` a folder it writes into. A
 * `file_path` may start with `~` for the home folder.
 */
export type SettingKind =
  | 'text'
  | 'email'
  | 'url'
  | 'port'
  | 'boolean'
  | 'time_zone'
  | 'days'
  | 'file_path'
  | 'input_path'
  | 'folder_path'
  | 'database_url';

/** One setting: its key, what it holds and whether its value is a secret (never shown). */
export interface SettingSpec {
  name: string;
  kind: SettingKind;
  secret: boolean;
}

/** Most days a sync may look back: about 41 years, past 1990-01-01, the earliest date the plausibility gate accepts. */
export const MAX_SYNC_DAYS = 15_000;

const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off'];

/** The words a boolean setting accepts. */
export const BOOLEAN_WORDS: readonly string[] = [...TRUE_WORDS, ...FALSE_WORDS];

/** A boolean setting's value: true, false, or null when `text` is none of {@link BOOLEAN_WORDS}. */
export function parseBoolean(text: string): boolean | null {
  const t = text.trim().toLowerCase();
  if (TRUE_WORDS.includes(t)) return true;
  if (FALSE_WORDS.includes(t)) return false;
  return null;
}

/** How a value is shown in a message: quoted, shortened, and masked when secret. */
export function shownValue(value: string, secret: boolean): string {
  if (secret) return `(secret, ${value.length} characters)`;
  let v = value;
  // Credentials in a URL are masked like a secret.
  v = v.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1***@');
  return JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);
}

/** A path with a leading `~` read as the home folder: `.env` files are not expanded by a shell. */
export function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

/** `statSync`, undefined when nothing is there; other failures (no permission, ...) as a message. */
function statOf(path: string): Stats | undefined | string {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOTDIR' ? undefined : `${path} cannot be examined (${code ?? (err as Error).message})`;
  }
}

function can(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}

/** Why the folder `dir` cannot be made (or used), or null: the nearest part that exists must be a writable folder. */
function folderProblem(dir: string): string | null {
  for (let d = dir; ; ) {
    const st = statOf(d);
    if (typeof st === 'string') return st;
    if (st) {
      if (!st.isDirectory()) return `${d} is a file, not a folder`;
      if (d === dir) return can(d, constants.W_OK | constants.X_OK) ? null : `folder ${d} is not writable`;
      return can(d, constants.W_OK | constants.X_OK) ? null : `folder ${dir} does not exist and cannot be made: ${d} is not writable`;
    }
    const up = dirname(d);
    if (up === d) return `folder ${dir} does not exist and cannot be made`;
    d = up;
  }
}

/** Why `path` cannot be a file the program reads and writes, or null. */
function fileProblem(path: string): string | null {
  const p = resolve(path);
  const st = statOf(p);
  if (typeof st === 'string') return st;
  if (st) {
    if (st.isDirectory()) return `${p} is a folder, not a file`;
    return can(p, constants.R_OK) ? null : `${p} cannot be read`;
  }
  return folderProblem(dirname(p));
}

const ALLOWED: Record<SettingKind, string> = {
  text: 'text without control characters',
  email: 'an e-mail address',
  url: 'an http:// or https:// URL without user or password, e.g. https://www.strava.com',
  port: 'a whole number from 0 to 65535 (0 = any free port)',
  boolean: `true or false (or ${BOOLEAN_WORDS.filter((w) => w !== 'true' && w !== 'false').join(', ')})`,
  time_zone: 'an IANA time zone such as Europe/Zurich or UTC',
  days: `a whole number of days from 1 to ${MAX_SYNC_DAYS}`,
  file_path: 'a file path whose folder exists or can be made',
  input_path: 'an existing, readable file or folder',
  folder_path: 'a folder that exists or can be made',
  database_url: 'a DuckDB file path, duckdb://path or :memory:, whose folder exists or can be made',
};

/** What a setting of `kind` may hold, in words. */
export function allowedValues(kind: SettingKind): string {
  return ALLOWED[kind];
}

/**
 * Why `value` is not a valid setting of `kind` (what is allowed, and what is
 * wrong when that is not obvious), or null when it is valid. Paths are
 * checked on disk: nothing is created.
 */
export function settingProblem(kind: SettingKind, value: string): string | null {
  const allowed = ALLOWED[kind];
  const why = (detail: string | null): string | null => (detail === null ? null : `expected ${allowed}: ${detail}`);
  if (/[\u0000-\u001f\u007f]/.test(value)) return `expected ${allowed}${kind === 'text' ? '' : ' without control characters'}`;
  switch (kind) {
    case 'text':
      return null;
    case 'email':
      return /^[^\s@]+@[^\s@]+$/.test(value) ? null : `expected ${allowed}`;
    case 'url': {
      let u: URL;
      try {
        u = new URL(value);
      } catch {
        return `expected ${allowed}`;
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return why(`the scheme is ${u.protocol.replace(/:$/, '')}`);
      if (u.username || u.password) return why('a user or password in the URL would reach logs');
      return u.hostname ? null : `expected ${allowed}`;
    }
    case 'port':
      return /^\d{1,5}$/.test(value.trim()) && Number(value) <= 65_535 ? null : `expected ${allowed}`;
    case 'boolean':
      return parseBoolean(value) === null ? `expected ${allowed}` : null;
    case 'time_zone':
      return isTimeZone(value) ? null : `expected ${allowed}`;
    case 'days':
      return /^\d{1,6}$/.test(value.trim()) && Number(value) >= 1 && Number(value) <= MAX_SYNC_DAYS ? null : `expected ${allowed}`;
    case 'file_path':
      return why(fileProblem(expandHome(value)));
    case 'input_path': {
      const p = resolve(value);
      const st = statOf(p);
      if (typeof st === 'string') return why(st);
      if (!st) return why(`${p} does not exist`);
      return can(p, constants.R_OK) ? null : why(`${p} cannot be read`);
    }
    case 'folder_path': {
      const p = resolve(value);
      return why(folderProblem(p));
    }
    case 'database_url': {
      let p: string;
      try {
        p = databasePath(value);
      } catch (err) {
        return why((err as Error).message.replace(/^DATABASE_URL: /, ''));
      }
      return p === ':memory:' ? null : why(fileProblem(p));
    }
  }
}
