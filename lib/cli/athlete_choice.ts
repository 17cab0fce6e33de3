/**
 * `--athlete ID`, which every command takes: the athlete a command works on
 * (default ATHLETE_ID). Resolved once, before the command runs, into the
 * configuration and environment the command is given, so its imports, sync
 * cursors, tokens, model and report are that athlete's.
 */
import type { AppConfig } from '../core/config.ts';
import { ATHLETE_ID_PATTERN } from '../core/athlete_id.ts';
import { UsageError } from './args.ts';

/** The configuration and environment a command runs with, and whether `--athlete` chose the athlete. */
export interface AthleteChoice {
  config: AppConfig;
  env: Record<string, string | undefined>;
  chosen: boolean;
}

/**
 * Apply `--athlete` to the configuration and the environment (ATHLETE_ID in
 * both). Tokens saved before athletes existed belong to the configured
 * athlete: when another one is chosen, the token file is first rewritten
 * with them under the configured athlete, so the chosen one never uses them.
 */
export async function chooseAthlete(value: string | boolean | undefined, config: AppConfig, env: Record<string, string | undefined>): Promise<AthleteChoice> {
  if (value === undefined) return { config, env, chosen: false };
  if (typeof value !== 'string' || !ATHLETE_ID_PATTERN.test(value)) {
    throw new UsageError(`--athlete ${JSON.stringify(value)}: an athlete id is up to 64 letters, digits, '_', '.' or '-', not starting with '.' or '-'`);
  }
  if (value !== config.ATHLETE_ID) {
    const { TokenStore, defaultTokenStorePath } = await import('../sources/http/token_store.ts');
    await new TokenStore(defaultTokenStorePath(env), { athleteId: config.ATHLETE_ID }).migrate();
  }
  return { config: { ...config, ATHLETE_ID: value }, env: { ...env, ATHLETE_ID: value }, chosen: true };
}
