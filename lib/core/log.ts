/**
 * Structured logging: one JSON object per line on stderr, filtered by
 * LOG_LEVEL. Secrets are removed from every field before it is written.
 */
import { redact } from './redact.ts';

const LEVELS = { silent: 0, error: 1, warn: 2, info: 3, debug: 4 } as const;
/** A log level. */
export type LogLevel = keyof typeof LEVELS;

/** A logger bound to a component name. */
export interface Logger {
  error(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
}

function currentLevel(): number {
  const l = (process.env.LOG_LEVEL ?? 'warn') as LogLevel;
  return LEVELS[l] ?? LEVELS.warn;
}

/** A logger writing JSON lines to stderr at or above LOG_LEVEL (default warn). */
export function logger(component: string): Logger {
  const write = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] > currentLevel()) return;
    const line = { time: new Date().toISOString(), level, component, msg: redact(msg), ...(redact(fields ?? {}) as object) };
    process.stderr.write(JSON.stringify(line) + '\n');
  };
  return {
    error: (m, f) => write('error', m, f),
    warn: (m, f) => write('warn', m, f),
    info: (m, f) => write('info', m, f),
    debug: (m, f) => write('debug', m, f),
  };
}
