/** Every service, by name, and every environment variable the sources read. */
import type { BaseConnector, EnvVar } from './base.ts';
import type { Env, SourceDescriptor } from './source.ts';
import { APPLE_HEALTH } from './apple_health/index.ts';
import { ELITE_HRV } from './elite_hrv/index.ts';
import { GARMIN } from './garmin/index.ts';
import { GOOGLE_HEALTH } from './google_health/index.ts';
import { HRV4TRAINING } from './hrv4training/index.ts';
import { LEGACY } from './legacy/index.ts';
import { OURA } from './oura/index.ts';
import { POLAR } from './polar/index.ts';
import { STRAVA } from './strava/index.ts';
import { VESYNC } from './vesync/index.ts';
import { WHOOP } from './whoop/index.ts';
import { WITHINGS } from './withings/index.ts';

/** Environment variables shared by all API connectors. */
export const SHARED_ENV_VARS: EnvVar[] = [
  { name: 'TOKEN_STORE_PATH', description: 'OAuth token file (owner-only, outside the warehouse)', default: '~/.config/athlete-performance/tokens.json', secret: false, kind: 'file_path' },
];

/** Every service, API ones in the order a sync runs them. */
export const SOURCES: readonly SourceDescriptor[] = [STRAVA, WHOOP, OURA, GARMIN, VESYNC, WITHINGS, POLAR, GOOGLE_HEALTH, APPLE_HEALTH, ELITE_HRV, HRV4TRAINING, LEGACY];

/** The names of the services that have a web API. */
export const API_SOURCES: readonly string[] = SOURCES.filter((s) => s.api).map((s) => s.source);

/** Every environment variable the sources read (for generating or checking `.env.example`). */
export const ENV_VARS: EnvVar[] = [...SHARED_ENV_VARS, ...SOURCES.flatMap((s) => s.envVars)];

/** The service called `source`, or undefined. */
export function sourceDescriptor(source: string): SourceDescriptor | undefined {
  return SOURCES.find((s) => s.source === source);
}

/** The API connector for `source`, configured from `env` (its code is loaded now). */
export async function createConnector(source: string, env: Env): Promise<BaseConnector> {
  const api = sourceDescriptor(source)?.api;
  if (!api) throw new Error(`unknown API source "${source}" (known: ${API_SOURCES.join(', ')})`);
  return (await api()).fromEnv(env);
}

/** Every API connector, configured from `env`. */
export async function allConnectors(env: Env): Promise<BaseConnector[]> {
  return Promise.all(API_SOURCES.map((s) => createConnector(s, env)));
}

/** The connectors that have credentials or saved tokens. */
export async function configuredConnectors(env: Env): Promise<BaseConnector[]> {
  return (await allConnectors(env)).filter((c) => c.isConfigured());
}

/** `.env.example` text: every variable with its description and default; secrets left blank. */
export function envExample(): string {
  return ENV_VARS.map((v) => `# ${v.description}${v.secret ? ' (secret)' : ''}\n${v.name}=${v.secret || v.default === null ? '' : v.default}`).join('\n\n') + '\n';
}
