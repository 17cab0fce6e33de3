/** The API connectors by source name, and every environment variable they read. */
import type { BaseConnector, EnvVar } from './base.ts';
import * as garmin from './garmin/api.ts';
import * as oura from './oura/api.ts';
import * as polar from './polar/api.ts';
import * as strava from './strava/api.ts';
import * as vesync from './vesync/api.ts';
import * as whoop from './whoop/api.ts';
import * as withings from './withings/api.ts';

/** Environment variables shared by all API connectors. */
export const SHARED_ENV_VARS: EnvVar[] = [
  { name: 'TOKEN_STORE_PATH', description: 'OAuth token file (owner-only, outside the warehouse)', default: '~/.config/athlete-performance/tokens.json', secret: false },
];

/** One registered connector. */
export interface ConnectorEntry {
  source: string;
  envVars: EnvVar[];
  fromEnv: (env: Record<string, string | undefined>) => BaseConnector;
}

/** All API connectors, by source. */
export const API_CONNECTORS: Record<string, ConnectorEntry> = Object.fromEntries(
  [strava, whoop, oura, garmin, vesync, withings, polar].map((m) => [m.SOURCE, { source: m.SOURCE, envVars: m.ENV_VARS, fromEnv: (env: Record<string, string | undefined>) => m.fromEnv(env) }]),
);

/** Every environment variable the API layer reads (for generating or checking `.env.example`). */
export const ENV_VARS: EnvVar[] = [...SHARED_ENV_VARS, ...Object.values(API_CONNECTORS).flatMap((c) => c.envVars)];

/** The connector for `source`, configured from `env`. */
export function createConnector(source: string, env: Record<string, string | undefined>): BaseConnector {
  const entry = API_CONNECTORS[source];
  if (!entry) throw new Error(`unknown API source "${source}" (known: ${Object.keys(API_CONNECTORS).join(', ')})`);
  return entry.fromEnv(env);
}

/** The connectors that have credentials or saved tokens. */
export function configuredConnectors(env: Record<string, string | undefined>): BaseConnector[] {
  return Object.values(API_CONNECTORS)
    .map((c) => c.fromEnv(env))
    .filter((c) => c.isConfigured());
}

/** `.env.example` text: every variable with its description and default; secrets left blank. */
export function envExample(): string {
  return ENV_VARS.map((v) => `# ${v.description}${v.secret ? ' (secret)' : ''}\n${v.name}=${v.secret || v.default === null ? '' : v.default}`).join('\n\n') + '\n';
}
