/**
 * The `athlete auth` flows as functions: authorise one source (OAuth in a
 * browser with a loopback redirect, an imported token file, or a login) and
 * list what each source has. Every line printed goes through the redactor:
 * no secret reaches the terminal.
 */
import type { SqlRunner } from '../core/warehouse.ts';
import * as garmin from './garmin/api.ts';
import * as googleHealth from './google_health/api.ts';
import { AuthError, type HttpTuning } from './http/http.ts';
import type { AuthorizeOptions } from './http/oauth2.ts';
import * as oura from './oura/api.ts';
import { redactString, registerSecret } from '../core/redact.ts';
import { API_SOURCES } from './registry.ts';
import * as strava from './strava/api.ts';
import { DEFAULT_TOKEN_ATHLETE, defaultTokenStorePath, TokenStore, tokenStoreFor, type TokenEntry } from './http/token_store.ts';
import * as vesync from './vesync/api.ts';
import * as whoop from './whoop/api.ts';
import * as withings from './withings/api.ts';
import * as polar from './polar/api.ts';

/** Environment variables, as `loadEnv` returns them. */
export type Env = Record<string, string | undefined>;

/** Where the flows talk to the user. */
export interface AuthIO {
  /** One line (or a few) for the terminal; never given a secret. */
  out(s: string): void;
  signal?: AbortSignal;
}

/** Knobs for the flows (tests shorten waits). */
export interface AuthFlowOptions {
  http?: HttpTuning;
  /** How long to wait for the browser's redirect (default 5 minutes). */
  timeoutMs?: number;
}

/** How a source was authorised. */
export type AuthMethod = 'oauth' | 'personal_access_token' | 'token_file' | 'saved_token' | 'login';

/** The outcome of `authenticateSource`. */
export interface AuthResult {
  source: string;
  /** Tokens are saved and usable. */
  ok: boolean;
  method: AuthMethod | null;
  /** Expiry of the saved access token: ISO instant, 'no expiry', or null when nothing was saved. */
  expires: string | null;
  /** What went wrong, when `ok` is false (already printed). */
  message?: string;
}

/** The sources whose only login is the OAuth authorization-code flow in a browser. */
const OAUTH_SOURCES: Record<string, { idVar: string; secretVar: string; authorize: (env: Env, http: HttpTuning | undefined, o: AuthorizeOptions) => Promise<unknown> }> = {
  strava: { idVar: 'STRAVA_CLIENT_ID', secretVar: 'STRAVA_CLIENT_SECRET', authorize: (env, http, o) => strava.fromEnv(env, { http }).authorize(o) },
  whoop: { idVar: 'WHOOP_CLIENT_ID', secretVar: 'WHOOP_CLIENT_SECRET', authorize: (env, http, o) => whoop.fromEnv(env, { http }).authorize(o) },
  oura: { idVar: 'OURA_CLIENT_ID', secretVar: 'OURA_CLIENT_SECRET', authorize: (env, http, o) => oura.fromEnv(env, { http }).authorize(o) },
  withings: { idVar: 'WITHINGS_CLIENT_ID', secretVar: 'WITHINGS_CLIENT_SECRET', authorize: (env, http, o) => withings.fromEnv(env, { http }).authorize(o) },
  polar: { idVar: 'POLAR_CLIENT_ID', secretVar: 'POLAR_CLIENT_SECRET', authorize: (env, http, o) => polar.fromEnv(env, { http }).authorize(o) },
  google_health: {
    idVar: 'GOOGLE_HEALTH_CLIENT_ID',
    secretVar: 'GOOGLE_HEALTH_CLIENT_SECRET',
    authorize: (env, http, o) => googleHealth.fromEnv(env, { http }).authorize(o),
  },
};

/** Which environment variables make a source usable: any one group, all of its variables set. */
const CREDENTIALS: Record<string, string[][]> = {
  strava: [['STRAVA_CLIENT_ID', 'STRAVA_CLIENT_SECRET']],
  whoop: [['WHOOP_CLIENT_ID', 'WHOOP_CLIENT_SECRET']],
  oura: [['OURA_CLIENT_ID', 'OURA_CLIENT_SECRET'], ['OURA_PERSONAL_ACCESS_TOKEN']],
  withings: [['WITHINGS_CLIENT_ID', 'WITHINGS_CLIENT_SECRET']],
  polar: [['POLAR_CLIENT_ID', 'POLAR_CLIENT_SECRET']],
  google_health: [['GOOGLE_HEALTH_CLIENT_ID', 'GOOGLE_HEALTH_CLIENT_SECRET']],
  garmin: [['GARMIN_TOKEN_FILE'], ['GARMIN_EMAIL', 'GARMIN_PASSWORD']],
  vesync: [['VESYNC_EMAIL', 'VESYNC_PASSWORD']],
};

/** Lines printed when a Garmin login is refused. */
export const GARMIN_BLOCKED_ADVICE = [
  'garmin: the login was refused. Since early 2026 Garmin blocks most logins from scripts, so this is expected and retrying will not help.',
  'garmin: dependable ways in:',
  '  - export your data (Garmin account > Data Management > Export Your Data) and load it with "athlete import <export.zip>";',
  '  - or point "athlete import" at a folder of FIT files copied from the watch;',
  '  - or, if you already have saved Garmin tokens, set GARMIN_TOKEN_FILE and run "athlete auth garmin" again.',
];

function storeOf(env: Env): TokenStore {
  return tokenStoreFor(env);
}

function expiryOf(e: TokenEntry | null): string | null {
  if (!e?.access_token && !e?.refresh_token) return null;
  return e.expires_at != null ? new Date(e.expires_at * 1000).toISOString() : 'no expiry';
}

function has(env: Env, names: string[]): boolean {
  return names.every((n) => Boolean(env[n]));
}

/**
 * Import a Garmin token file (a garth token folder, or JSON `{oauth1, oauth2}`)
 * into the token store; returns the saved access token's expiry.
 */
export async function importGarminTokens(file: string, env: Env = {}, now: Date = new Date()): Promise<{ expires: string | null }> {
  const entry = await garmin.readGarminTokenFile(file, Math.floor(now.getTime() / 1000));
  await storeOf(env).set('garmin', entry);
  return { expires: expiryOf(entry) };
}

/**
 * Authorise one source and save its tokens. OAuth sources print the URL to
 * open and wait for the redirect to 127.0.0.1; Oura falls back to a personal
 * access token; Garmin imports a token file before trying a (usually blocked)
 * login; VeSync logs in with e-mail and password. Refusals (`AuthError`) are
 * printed and returned with `ok: false`; other failures are thrown.
 */
export async function authenticateSource(source: string, env: Env, io: AuthIO, opts: AuthFlowOptions = {}): Promise<AuthResult> {
  const say = (s: string): void => io.out(redactString(s));
  if (!API_SOURCES.includes(source)) throw new Error(`unknown API source "${source}" (known: ${API_SOURCES.join(', ')})`);
  const store = storeOf(env);
  const done = async (method: AuthMethod): Promise<AuthResult> => {
    const expires = expiryOf(await store.get(source));
    say(`${source}: authorised (${method.replace(/_/g, ' ')}); tokens saved to ${store.path}; access token ${expires === 'no expiry' ? 'has no expiry' : `expires ${expires}`}`);
    return { source, ok: true, method, expires };
  };
  const refused = (err: unknown, method: AuthMethod | null): AuthResult => {
    if (!(err instanceof AuthError)) throw err;
    say(err.message);
    return { source, ok: false, method, expires: null, message: err.message };
  };
  try {
    if (source === 'garmin') return await garminFlow(env, say, opts, done);
    if (source === 'vesync') {
      await vesync.fromEnv(env, { http: opts.http }).login();
      return await done('login');
    }
    const spec = OAUTH_SOURCES[source]!;
    if (has(env, [spec.idVar, spec.secretVar])) {
      await spec.authorize(env, opts.http, {
        onUrl: (url) => say(`Open this URL in a browser to authorise ${source} (waiting for the redirect to 127.0.0.1):\n  ${url}`),
        signal: io.signal,
        timeoutMs: opts.timeoutMs,
      });
      return await done('oauth');
    }
    const pat = source === 'oura' ? env.OURA_PERSONAL_ACCESS_TOKEN : undefined;
    if (pat) {
      registerSecret(pat);
      say('oura: using OURA_PERSONAL_ACCESS_TOKEN. Oura has deprecated personal access tokens; set OURA_CLIENT_ID and OURA_CLIENT_SECRET to switch to OAuth.');
      await store.set(source, { access_token: pat, token_type: 'personal_access_token' });
      return await done('personal_access_token');
    }
    throw new AuthError(source, `set ${spec.idVar} and ${spec.secretVar}${source === 'oura' ? ' (or the deprecated OURA_PERSONAL_ACCESS_TOKEN)' : ''} first`);
  } catch (err) {
    return refused(err, null);
  }
}

async function garminFlow(env: Env, say: (s: string) => void, opts: AuthFlowOptions, done: (m: AuthMethod) => Promise<AuthResult>): Promise<AuthResult> {
  const now = opts.http?.now?.() ?? new Date();
  if (env.GARMIN_TOKEN_FILE) {
    await importGarminTokens(env.GARMIN_TOKEN_FILE, env, now);
    say(`garmin: imported tokens from ${env.GARMIN_TOKEN_FILE}`);
    // Checks the token works, renewing it from the OAuth1 token when it has expired.
    await garmin.fromEnv(env, { http: opts.http }).authenticate();
    return done('token_file');
  }
  const c = garmin.fromEnv(env, { http: opts.http });
  if (await c.settings.tokenStore.get('garmin')) {
    // Token-first: a saved token (renewed from its OAuth1 token) beats a login that is likely refused.
    await c.authenticate();
    say('garmin: using the saved token');
    return done('saved_token');
  }
  if (!env.GARMIN_EMAIL || !env.GARMIN_PASSWORD) {
    throw new AuthError('garmin', 'set GARMIN_TOKEN_FILE to a saved token file (preferred), or GARMIN_EMAIL and GARMIN_PASSWORD to try a login');
  }
  say('garmin: trying a login with GARMIN_EMAIL (Garmin often refuses logins from scripts)...');
  try {
    await c.authenticate();
  } catch (err) {
    if (err instanceof garmin.GarminLoginBlockedError) {
      for (const line of GARMIN_BLOCKED_ADVICE) say(line);
      return { source: 'garmin', ok: false, method: 'login', expires: null, message: err.message };
    }
    throw err;
  }
  return done('login');
}

/** One row of `athlete auth --list`: presence and dates only, never a secret. */
export interface AuthListRow {
  source: string;
  /** Credentials for this source are set in the environment. */
  configured: boolean;
  /** A token is saved in the token store. */
  token: boolean;
  /** ISO instant, 'no expiry', or '' when no token is saved. */
  expires: string;
  expired: boolean;
  /** Last sync (ISO) and its status, from sync_metadata when a warehouse is given. */
  last_sync: string | null;
  status: string | null;
  message: string | null;
}

/** Per API source: credentials, saved token and expiry, and the last sync when `warehouse` is given. */
export async function listAuth(env: Env, opts: { warehouse?: SqlRunner; athleteId?: string; now?: Date } = {}): Promise<AuthListRow[]> {
  const now = opts.now ?? new Date();
  const athleteId = opts.athleteId ?? env.ATHLETE_ID ?? DEFAULT_TOKEN_ATHLETE;
  const tokens = new Map((await new TokenStore(defaultTokenStorePath(env), { now: () => now, athleteId }).list()).map((t) => [t.source, t]));
  const syncs = new Map<string, { last_sync: unknown; status: string | null; message: string | null }>();
  if (opts.warehouse) {
    const rows = await opts.warehouse.all<{ source: string; last_sync: unknown; status: string | null; message: string | null }>(
      'SELECT source, last_sync, sync_status AS status, message FROM sync_metadata WHERE athlete_id = ?',
      [athleteId],
    );
    for (const r of rows) syncs.set(r.source, r);
  }
  return API_SOURCES.map((source) => {
    const t = tokens.get(source);
    const present = Boolean(t && (t.hasAccessToken || t.hasRefreshToken));
    const s = syncs.get(source);
    const last = s?.last_sync instanceof Date ? s.last_sync.toISOString() : s?.last_sync != null ? String(s.last_sync) : null;
    return {
      source,
      configured: (CREDENTIALS[source] ?? []).some((group) => has(env, group)),
      token: present,
      expires: !present ? '' : t?.expiresAt ? t.expiresAt.toISOString() : 'no expiry',
      expired: present && Boolean(t?.expired),
      last_sync: last,
      status: s?.status ?? null,
      message: s?.message != null ? redactString(s.message) : null,
    };
  });
}
