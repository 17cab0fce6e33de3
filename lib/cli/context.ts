/** What every `athlete` command is given and returns, and the warehouse they share. */
import type { AppConfig } from '../core/config.ts';
import { Warehouse } from '../core/warehouse.ts';
import type { AthleteSettings } from '../analysis/run.ts';
import type { OptionSpec, ParsedArgs } from './args.ts';

/** Configuration, environment and output of one run of a command. */
export interface Context {
  /** The command being run, e.g. `sync`: others waiting for the warehouse are told. */
  name?: string;
  config: AppConfig;
  env: Record<string, string | undefined>;
  out: (s: string) => void;
  err: (s: string) => void;
}

/** A command's module: its options, its help text and what it does; `run` returns the exit code. */
export interface Command {
  options: OptionSpec;
  help: string;
  run(args: ParsedArgs, ctx: Context): Promise<number>;
}

/** How a command uses the warehouse: `read` commands share it with other readers. */
export type OpenMode = 'read' | 'write';

/**
 * Open the configured warehouse for `fn` and close it afterwards, also when
 * `fn` throws. While another process holds the file the command waits,
 * saying what holds it, up to WAREHOUSE_LOCK_TIMEOUT seconds. `settings` are
 * further DuckDB settings (e.g. the query sandbox).
 */
export async function withWarehouse<T>(ctx: Context, fn: (wh: Warehouse) => Promise<T>, mode: OpenMode = 'write', settings?: Readonly<Record<string, string>>): Promise<T> {
  const wh = await Warehouse.open(ctx.config.DATABASE_URL, {
    readOnly: mode === 'read',
    settings: { ...settings },
    lockTimeoutMs: ctx.config.WAREHOUSE_LOCK_TIMEOUT * 1000,
    onWait: (message) => ctx.err(`athlete${ctx.name ? ` ${ctx.name}` : ''}: ${message}`),
    holder: `athlete${ctx.name ? ` ${ctx.name}` : ''}`,
  });
  try {
    return await fn(wh);
  } finally {
    wh.close();
  }
}

/** The athlete's physiology from the configuration, as the analysis takes it. */
export function athleteSettings(c: AppConfig): AthleteSettings {
  return { sex: c.ATHLETE_SEX, maxHr: c.ATHLETE_MAX_HR, restHr: c.ATHLETE_REST_HR, ftpW: c.ATHLETE_FTP_W };
}
