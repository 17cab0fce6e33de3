/** What every `athlete` command is given and returns, and the warehouse they share. */
import { athleteKnown, registeredAthletes } from '../core/athletes.ts';
import type { AppConfig } from '../core/config.ts';
import { Warehouse, type SqlRunner } from '../core/warehouse.ts';
import type { AthleteSettings } from '../analysis/run.ts';
import { UsageError, type OptionSpec, type ParsedArgs } from './args.ts';

/** Configuration, environment and output of one run of a command. */
export interface Context {
  /** The command being run, e.g. `sync`: others waiting for the warehouse are told. */
  name?: string;
  config: AppConfig;
  env: Record<string, string | undefined>;
  /** True when `--athlete` chose the athlete (config.ATHLETE_ID): the warehouse must know them. */
  athleteChosen?: boolean;
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
    if (ctx.athleteChosen) await requireKnownAthlete(wh, ctx.config.ATHLETE_ID);
    return await fn(wh);
  } finally {
    wh.close();
  }
}

/** A usage error unless athlete `id` is registered or has data: a mistyped --athlete must not start a new athlete. */
async function requireKnownAthlete(db: SqlRunner, id: string): Promise<void> {
  if (await athleteKnown(db, id)) return;
  const known = (await registeredAthletes(db)).map((a) => a.athlete_id);
  throw new UsageError(`no athlete ${id} in this warehouse${known.length ? ` (registered: ${known.join(', ')})` : ''}; add them first with: athlete athletes add ${id}`);
}

/** The athlete's physiology from the configuration, as the analysis takes it. */
export function athleteSettings(c: AppConfig): AthleteSettings {
  return { sex: c.ATHLETE_SEX, maxHr: c.ATHLETE_MAX_HR, restHr: c.ATHLETE_REST_HR, ftpW: c.ATHLETE_FTP_W };
}

/** What the analysis and dedup know of each athlete: the ATHLETE_* settings, and each registered athlete's own values over them. */
export interface SquadSettings {
  /** From the configuration: every athlete's, unless their registration says otherwise. */
  settings: AthleteSettings;
  /** Registered athletes' own sex and heart rates. */
  perAthlete: Record<string, Partial<AthleteSettings>>;
  /** ATHLETE_TIME_ZONE. */
  homeTimeZone: string | undefined;
  /** Registered athletes' own home time zones. */
  homeTimeZones: Record<string, string>;
}

/** The settings of every athlete: the configuration's, with each registered athlete's own values (athlete athletes add) over them. */
export async function squadSettings(db: SqlRunner, c: AppConfig): Promise<SquadSettings> {
  const perAthlete: Record<string, Partial<AthleteSettings>> = {};
  const homeTimeZones: Record<string, string> = {};
  for (const a of await registeredAthletes(db)) {
    const own: Partial<AthleteSettings> = {};
    if (a.sex) own.sex = a.sex;
    if (a.max_hr !== null) own.maxHr = a.max_hr;
    if (a.resting_hr !== null) own.restHr = a.resting_hr;
    perAthlete[a.athlete_id] = own;
    if (a.home_time_zone) homeTimeZones[a.athlete_id] = a.home_time_zone;
  }
  return { settings: athleteSettings(c), perAthlete, homeTimeZone: c.ATHLETE_TIME_ZONE, homeTimeZones };
}
