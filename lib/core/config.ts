/**
 * Configuration from the environment and an optional `.env` file, validated
 * with zod at start-up, with every source's settings (see `settings.ts`).
 * Errors name the offending key, its value (secrets masked) and what is
 * allowed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { applyEarlierKeyAliases, earlierDatabaseProblem } from './earlier_keys.ts';
import { logger } from './log.ts';
import { registerSecret } from './redact.ts';
import { parseBoolean, settingProblem, shownValue, type SettingKind, type SettingSpec } from './settings.ts';
import { isTimeZone } from './time_zone.ts';

/** A string setting checked as `kind` (see `settings.ts`). */
const ofKind = (kind: SettingKind) =>
  z.string().superRefine((v, ctx) => {
    const problem = settingProblem(kind, v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const bool = ofKind('boolean').transform((v) => parseBoolean(v) === true);

/** Settings every command shares. Source credentials are read by each connector. */
export const AppConfig = z.object({
  DATABASE_URL: ofKind('database_url').optional(),
  LOG_LEVEL: z.enum(['silent', 'error', 'warn', 'info', 'debug']).default('info'),
  ATHLETE_ID: z.string().regex(/^[\w.-]+$/, 'letters, digits, dot, dash or underscore').default('me'),
  ENABLE_GPS_ANALYSIS: bool.default(true),
  ENABLE_PLUGINS: bool.default(true),
  AUTO_DEDUPLICATE: bool.default(true),
  DEMO_DATA_DIR: ofKind('folder_path').optional(),
  DEMO_SEED: z.coerce.number().int({ message: 'expected an integer' }).default(42),
  DEMO_DAYS: z.coerce.number().int().min(30, { message: 'at least 30 days' }).max(3650).default(730),
  /** Athletes in the demo squad: 1 is the single demo athlete; more add demo-02, demo-03, ... */
  DEMO_ATHLETES: z.coerce.number().int({ message: 'expected a whole number' }).min(1, { message: 'at least 1' }).max(50, { message: 'at most 50' }).default(1),
  ATHLETE_SEX: z.enum(['male', 'female']).default('male'),
  ATHLETE_MAX_HR: z.coerce.number().min(100).max(240).optional(),
  ATHLETE_REST_HR: z.coerce.number().min(25).max(110).optional(),
  ATHLETE_FTP_W: z.coerce.number().positive().optional(),
  /** The athlete's name in the report's title and summary (a registered athlete's own name comes first; the id otherwise). */
  ATHLETE_NAME: z.string().trim().min(1, { message: 'expected a name' }).max(80, { message: 'at most 80 characters' }).optional(),
  ATHLETE_TIME_ZONE: z.string().refine(isTimeZone, { message: 'expected an IANA time zone such as Europe/Zurich' }).optional(),
  SYNC_DAYS: ofKind('days').transform(Number).default(30),
  /** Seconds a command waits for another process to let go of the warehouse file before giving up (exit 75). */
  WAREHOUSE_LOCK_TIMEOUT: z.coerce.number().min(0, { message: 'expected seconds, 0 or more' }).max(86_400, { message: 'at most 86400 seconds (a day)' }).default(60),
  /** Bounds on what one imported file may cost (see ingest/limits.ts): total expansion, expansion ratio, archive nesting, whole-file reads. */
  IMPORT_MAX_EXPANDED_GB: z.coerce.number().positive({ message: 'expected gigabytes, more than 0' }).max(1024, { message: 'at most 1024 GB' }).default(64),
  IMPORT_MAX_EXPANSION_RATIO: z.coerce.number().min(2, { message: 'at least 2' }).max(100_000, { message: 'at most 100000' }).default(200),
  IMPORT_MAX_ARCHIVE_DEPTH: z.coerce.number().int({ message: 'expected a whole number' }).min(1, { message: 'at least 1' }).max(32, { message: 'at most 32' }).default(4),
  IMPORT_MAX_FILE_MB: z.coerce.number().positive({ message: 'expected megabytes, more than 0' }).max(4096, { message: 'at most 4096 MB (a JavaScript buffer holds 4 GB)' }).default(512),
});
/** Validated settings. */
export type AppConfig = z.infer<typeof AppConfig>;

/** A configuration problem, naming the key. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parse `.env` text: KEY=value lines, `#` comments, optional quotes, `export ` prefix. */
export function parseDotenv(text: string, file = '.env'): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.trim();
    if (!t || t.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(t);
    if (!m) throw new ConfigError(`${file}:${i + 1}: expected KEY=value`);
    let v = m[2]!;
    if (/^"(.*)"$/.test(v) || /^'(.*)'$/.test(v)) v = v.slice(1, -1);
    else v = v.replace(/\s+#.*$/, '');
    out[m[1]!] = v;
  });
  return out;
}

/**
 * The environment the program runs with: `.env` (if present) under the real
 * environment, which wins. Empty values count as unset. The earlier version's
 * key names are read under ours, with a warning each.
 */
export function loadEnv(
  envFile = '.env',
  env: NodeJS.ProcessEnv = process.env,
  /** Told of each earlier-version key read as ours (see earlier_keys.ts). */
  onWarning: (message: string) => void = (m) => logger('config').warn(m),
): Record<string, string | undefined> {
  const fromFile = existsSync(envFile) ? parseDotenv(readFileSync(envFile, 'utf8'), envFile) : {};
  const merged: Record<string, string | undefined> = { ...fromFile };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) merged[k] = v;
  for (const k of Object.keys(merged)) if (merged[k] === '') merged[k] = undefined;
  const { env: aliased, warnings } = applyEarlierKeyAliases(merged);
  warnings.forEach((w) => onWarning(w));
  return aliased;
}

/**
 * Validate the shared settings and `settings` (each source's keys), and
 * register the values of secret ones with the redactor. Every bad value is
 * reported in one ConfigError: its key, the value (secrets masked) and what
 * is allowed.
 */
export function loadConfig(env: Record<string, string | undefined> = loadEnv(), settings: readonly SettingSpec[] = []): AppConfig {
  const earlier = earlierDatabaseProblem(env.DATABASE_URL);
  if (earlier) throw new ConfigError(earlier);
  const problems: string[] = [];
  const parsed = AppConfig.safeParse(env);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const key = i.path.join('.');
      const value = env[key];
      problems.push(`${key}: ${i.message}${value === undefined ? '' : `; was ${shownValue(value, false)}`}`);
    }
  }
  for (const s of settings) {
    const value = env[s.name];
    if (value === undefined) continue;
    if (s.secret) registerSecret(value);
    const problem = settingProblem(s.kind, value);
    if (problem) problems.push(`${s.name}: ${problem}; was ${shownValue(value, s.secret)}`);
  }
  if (!parsed.success || problems.length) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return parsed.data;
}
