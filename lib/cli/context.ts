/** What every `athlete` command is given and returns, and the warehouse they share. */
import type { AppConfig } from '../core/config.ts';
import { Warehouse } from '../core/warehouse.ts';
import type { AthleteSettings } from '../analysis/run.ts';
import type { OptionSpec, ParsedArgs } from './args.ts';

/** Configuration, environment and output of one run of a command. */
export interface Context {
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

/** Open the configured warehouse for `fn` and close it afterwards, also when `fn` throws. */
export async function withWarehouse<T>(ctx: Context, fn: (wh: Warehouse) => Promise<T>): Promise<T> {
  const wh = await Warehouse.open(ctx.config.DATABASE_URL);
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
