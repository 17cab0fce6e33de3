/**
 * Garmin Connect's unofficial web API, token-first: fresh scripted logins
 * are widely blocked since early 2026, so the dependable path is a saved
 * token (imported from a token file) refreshed by exchanging the long-lived
 * OAuth1 token for a new OAuth2 bearer, as client libraries such as garth do.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { emptyResult, type BiometricReadingInput, type ParseResult, type SourceWorkoutInput } from '../../core/models.ts';
import { daysOf, inRange, itemError, nextDay, utcDay, type ApiSettings, type BaseConnector, type DateRange, type FetchOptions, type Page } from '../base.ts';
import { AuthError, HttpClient, HttpError, RateLimitError, type AuthProvider } from '../http/http.ts';
import { REFRESH_MARGIN_S } from '../http/oauth2.ts';
import { offsets } from '../http/paginate.ts';
import { registerSecret } from '../../core/redact.ts';
import { tokenStoreFor, type TokenEntry } from '../http/token_store.ts';
import { SOURCE } from './index.ts';
import { garminHrvReadings, garminSleepReadings, garminSummaryReadings, garminWeighInReadings, garminWeighIns, garminWorkout } from './map.ts';

/** The message for a refused login. */
export const GARMIN_LOGIN_BLOCKED =
  'Garmin refused the scripted login. Since early 2026 Garmin blocks most logins from scripts (bot checks, HTTP 403/429). ' +
  'Import saved tokens with GARMIN_TOKEN_FILE, or use the dependable paths: the Garmin account data export or a folder of FIT files.';

/** Raised when Garmin's SSO refuses a scripted login. */
export class GarminLoginBlockedError extends AuthError {
  constructor(detail: string) {
    super(SOURCE, `${GARMIN_LOGIN_BLOCKED} (${detail})`);
  }
}

/** Settings of the Garmin connector. */
export interface GarminSettings extends ApiSettings {
  ssoUrl?: string;
  exchangeUrl?: string;
  tokenFile?: string;
  email?: string;
  password?: string;
  consumerKey?: string;
  consumerSecret?: string;
  /** Needed by the daily summary endpoint; looked up from the profile when absent. */
  displayName?: string;
  /** When set, each activity's original FIT (a zip) is downloaded and handed here. */
  onFitZip?: (activityId: string, zip: Uint8Array) => void | Promise<void>;
  pageSize?: number;
}

function enc(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * An OAuth1 `Authorization` header with an HMAC-SHA1 signature (RFC 5849 §3.4.1-3.4.2):
 * base string = METHOD & url & sorted, encoded parameters; key = consumer secret & token secret.
 */
export function oauth1Header(
  method: string,
  url: string,
  consumer: { key: string; secret: string },
  token: { token: string; secret: string } | null,
  extraParams: Record<string, string> = {},
  nonce = randomBytes(16).toString('hex'),
  timestamp = Math.floor(Date.now() / 1000),
): string {
  const u = new URL(url);
  const oauth: Record<string, string> = {
    oauth_consumer_key: consumer.key,
    oauth_nonce: nonce,
    oauth_signature_method: 'HMAC-SHA1',
    oauth_timestamp: String(timestamp),
    oauth_version: '1.0',
  };
  if (token) oauth.oauth_token = token.token;
  const params: Array<[string, string]> = [...Object.entries(oauth), ...u.searchParams.entries(), ...Object.entries(extraParams)];
  const norm = params
    .map(([k, v]) => [enc(k), enc(v)] as const)
    .sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const base = [method.toUpperCase(), enc(`${u.origin}${u.pathname}`), enc(norm)].join('&');
  const key = `${enc(consumer.secret)}&${enc(token?.secret ?? '')}`;
  oauth.oauth_signature = createHmac('sha1', key).update(base).digest('base64');
  return 'OAuth ' + Object.entries(oauth).map(([k, v]) => `${enc(k)}="${enc(v)}"`).join(', ');
}

const Oauth1File = z.looseObject({ oauth_token: z.string().min(1), oauth_token_secret: z.string().min(1) });
const Oauth2File = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().nullish(),
  expires_at: z.number().nullish(),
  expires_in: z.number().nullish(),
  scope: z.string().nullish(),
});

/** Read a token file (a garth folder with oauth1_token.json/oauth2_token.json, or one JSON `{oauth1, oauth2}`). */
export async function readGarminTokenFile(path: string, nowS = Math.floor(Date.now() / 1000)): Promise<TokenEntry> {
  let o1: unknown;
  let o2: unknown;
  try {
    if ((await stat(path)).isDirectory()) {
      o1 = JSON.parse(await readFile(join(path, 'oauth1_token.json'), 'utf8'));
      o2 = JSON.parse(await readFile(join(path, 'oauth2_token.json'), 'utf8'));
    } else {
      const j = JSON.parse(await readFile(path, 'utf8')) as { oauth1?: unknown; oauth2?: unknown };
      o1 = j.oauth1;
      o2 = j.oauth2;
    }
  } catch (e) {
    throw new AuthError(SOURCE, `cannot read the token file ${path}: ${(e as Error).name === 'SyntaxError' ? 'not valid JSON' : (e as Error).message}`);
  }
  const t1 = Oauth1File.safeParse(o1);
  const t2 = Oauth2File.safeParse(o2);
  if (!t1.success && !t2.success) throw new AuthError(SOURCE, `token file ${path} holds neither an OAuth1 (oauth_token) nor an OAuth2 (access_token) token`);
  const entry: TokenEntry = { extra: {} };
  if (t1.success) entry.extra = { oauth1_token: t1.data.oauth_token, oauth1_token_secret: t1.data.oauth_token_secret };
  if (t2.success) {
    entry.access_token = t2.data.access_token;
    entry.refresh_token = t2.data.refresh_token ?? undefined;
    entry.expires_at = t2.data.expires_at ?? (t2.data.expires_in != null ? nowS + t2.data.expires_in : undefined);
    entry.scope = t2.data.scope ?? undefined;
  }
  return entry;
}

/** The Garmin connector. */
export class GarminConnector implements BaseConnector, AuthProvider {
  readonly source = SOURCE;
  private readonly http: HttpClient;
  private readonly plain: HttpClient;
  private readonly now: () => Date;
  private inflight: Promise<TokenEntry> | null = null;

  constructor(readonly settings: GarminSettings) {
    this.now = settings.http?.now ?? (() => new Date());
    registerSecret(settings.password);
    registerSecret(settings.consumerSecret);
    registerSecret(settings.consumerKey);
    this.http = new HttpClient({ ...settings.http, source: SOURCE, baseUrl: settings.baseUrl, rateLimit: 'standard', auth: this });
    this.plain = new HttpClient({ ...settings.http, source: SOURCE, baseUrl: settings.ssoUrl ?? 'https://sso.garmin.com', rateLimit: 'standard' });
  }

  isConfigured(): boolean {
    return this.settings.tokenStore.has(SOURCE) || Boolean(this.settings.tokenFile) || Boolean(this.settings.email && this.settings.password);
  }

  /** Saved token first; else import the token file; else try a login (often blocked). */
  async authenticate(): Promise<void> {
    const saved = await this.settings.tokenStore.get(SOURCE);
    if (!saved && this.settings.tokenFile) {
      await this.settings.tokenStore.set(SOURCE, await readGarminTokenFile(this.settings.tokenFile, Math.floor(this.now().getTime() / 1000)));
    } else if (!saved) {
      if (!this.settings.email || !this.settings.password) throw new AuthError(SOURCE, 'no saved token: set GARMIN_TOKEN_FILE (preferred) or GARMIN_EMAIL/GARMIN_PASSWORD');
      await this.login();
    }
    await this.headers();
  }

  /** Bearer header, exchanging the OAuth1 token for a new OAuth2 token when near expiry. */
  async headers(): Promise<Record<string, string>> {
    const e = await this.settings.tokenStore.get(SOURCE);
    if (!e) throw new AuthError(SOURCE, 'no saved token: set GARMIN_TOKEN_FILE or run "athlete auth garmin"');
    const nowS = this.now().getTime() / 1000;
    if (e.access_token && (e.expires_at == null || e.expires_at - nowS > REFRESH_MARGIN_S)) return { Authorization: `Bearer ${e.access_token}` };
    return { Authorization: `Bearer ${(await this.exchange()).access_token!}` };
  }

  async onUnauthorized(): Promise<boolean> {
    const e = await this.settings.tokenStore.get(SOURCE);
    if (!e?.extra?.oauth1_token) return false;
    await this.exchange();
    return true;
  }

  /** OAuth1 → OAuth2 exchange; the new token is saved at once. */
  exchange(): Promise<TokenEntry> {
    this.inflight ??= this.doExchange().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private consumer(): { key: string; secret: string } {
    const { consumerKey: key, consumerSecret: secret } = this.settings;
    if (!key || !secret) throw new AuthError(SOURCE, 'the saved token has expired and GARMIN_OAUTH_CONSUMER_KEY/GARMIN_OAUTH_CONSUMER_SECRET are not set, so it cannot be refreshed');
    return { key, secret };
  }

  private async doExchange(): Promise<TokenEntry> {
    const e = await this.settings.tokenStore.get(SOURCE);
    const t1 = e?.extra?.oauth1_token;
    const s1 = e?.extra?.oauth1_token_secret;
    if (!t1 || !s1) throw new AuthError(SOURCE, 'the saved token has expired and no OAuth1 token is saved to renew it: import a fresh token file');
    const url = this.settings.exchangeUrl ?? `${this.settings.baseUrl.replace(/\/+$/, '')}/oauth-service/oauth/exchange/user/2.0`;
    this.settings.http?.log?.('garmin: exchanging the OAuth1 token for a new OAuth2 token');
    const res = await this.plain.json(url, { method: 'POST', form: {}, headers: { Authorization: oauth1Header('POST', url, this.consumer(), { token: t1, secret: s1 }) } });
    const t2 = Oauth2File.safeParse(res.data);
    if (!t2.success) throw new AuthError(SOURCE, 'the token exchange answered without an access_token');
    registerSecret(t2.data.access_token);
    const nowS = Math.floor(this.now().getTime() / 1000);
    const entry: TokenEntry = {
      ...e,
      access_token: t2.data.access_token,
      refresh_token: t2.data.refresh_token ?? e?.refresh_token,
      expires_at: t2.data.expires_at ?? (t2.data.expires_in != null ? nowS + t2.data.expires_in : undefined),
    };
    await this.settings.tokenStore.set(SOURCE, entry);
    return entry;
  }

  /** SSO login → ticket → OAuth1 → OAuth2 (garth's flow); refusals give `GarminLoginBlockedError`. */
  private async login(): Promise<void> {
    const sso = (this.settings.ssoUrl ?? 'https://sso.garmin.com').replace(/\/+$/, '');
    let body: string;
    try {
      const res = await this.plain.bytes(`${sso}/sso/signin`, {
        method: 'POST',
        params: { id: 'gauth-widget', embedWidget: 'true', gauthHost: `${sso}/sso/embed`, service: `${sso}/sso/embed` },
        form: { username: this.settings.email!, password: this.settings.password!, embed: 'true' },
        headers: { Accept: 'text/html' },
      });
      body = new TextDecoder().decode(res);
    } catch (e) {
      if (e instanceof RateLimitError) throw new GarminLoginBlockedError('HTTP 429');
      if (e instanceof HttpError) throw new GarminLoginBlockedError(e.status != null ? `HTTP ${e.status}` : 'network error');
      throw e;
    }
    const ticket = /embed\?ticket=([^"&\s]+)/.exec(body)?.[1];
    if (!ticket) throw new GarminLoginBlockedError(/captcha|cf-chl|challenge/i.test(body) ? 'bot challenge' : 'no login ticket in the answer');
    registerSecret(ticket);
    const url = `${this.settings.baseUrl.replace(/\/+$/, '')}/oauth-service/oauth/preauthorized?ticket=${enc(ticket)}&login-url=${enc(`${sso}/sso/embed`)}&accepts-mfa-tokens=true`;
    const res = await this.plain.bytes(url, { headers: { Authorization: oauth1Header('GET', url, this.consumer(), null) } });
    const q = new URLSearchParams(new TextDecoder().decode(res));
    const t1 = q.get('oauth_token');
    const s1 = q.get('oauth_token_secret');
    if (!t1 || !s1) throw new GarminLoginBlockedError('no OAuth1 token after login');
    await this.settings.tokenStore.set(SOURCE, { extra: { oauth1_token: t1, oauth1_token_secret: s1 } });
    await this.exchange();
  }

  transformWorkout(raw: unknown): SourceWorkoutInput {
    return garminWorkout(raw);
  }

  async *fetchWorkouts(range: DateRange, opts: FetchOptions = {}): AsyncIterable<Page> {
    const path = '/activitylist-service/activities/search/activities';
    const input = this.http.urlOf(path);
    const limit = this.settings.pageSize ?? 100;
    const pages = offsets(
      async (start, lim) => {
        const res = await this.http.json(path, {
          // startDate/endDate are local days and inclusive: ask a day either side and filter by instant.
          params: { start, limit: lim, startDate: utcDay(new Date(range.start.getTime() - 86_400_000)), endDate: nextDay(utcDay(range.end)) },
          signal: opts.signal,
        });
        if (!Array.isArray(res.data)) throw new Error(`garmin: ${path} did not return a JSON array`);
        return res.data as unknown[];
      },
      limit,
      opts.cursor,
    );
    for await (const b of pages) {
      const result = emptyResult();
      for (const [i, raw] of b.items.entries()) {
        const id = raw && typeof raw === 'object' ? (raw as { activityId?: unknown }).activityId : undefined;
        try {
          const w = garminWorkout(raw);
          if (!inRange(w.start_time, range)) continue;
          w.input = input;
          result.workouts.push(w);
          if (this.settings.onFitZip) await this.settings.onFitZip(w.external_id, await this.http.bytes(`/download-service/files/activity/${w.external_id}`, { signal: opts.signal }));
        } catch (e) {
          result.errors.push(itemError(input, id != null ? `activity ${String(id)}` : `item ${i}`, e));
        }
      }
      yield { result, cursor: b.cursor };
    }
  }

  /** Weight for the whole range first, then one page per day (HRV, sleep, daily summary); the cursor is the next day. */
  async *fetchBiometrics(range: DateRange, opts: FetchOptions = {}): AsyncIterable<Page> {
    const days = daysOf(range);
    let idx = 0;
    if (opts.cursor) {
      idx = days.indexOf(opts.cursor);
      if (idx < 0) throw new Error(`garmin: cursor "${opts.cursor}" is not a day of the range`);
    } else {
      yield { result: await this.weighIns(days[0], days.at(-1), opts.signal), cursor: days[0] ?? null };
    }
    const name = days.length > idx ? await this.displayName(opts.signal) : '';
    for (; idx < days.length; idx++) {
      const d = days[idx]!;
      const result = emptyResult();
      const daily: Array<[string, Record<string, string | number>, (raw: unknown) => BiometricReadingInput[]]> = [
        [`/hrv-service/hrv/${d}`, {}, garminHrvReadings],
        ['/sleep-service/sleep/dailySleepData', { date: d, nonSleepBufferMinutes: 60 }, garminSleepReadings],
        [`/usersummary-service/usersummary/daily/${encodeURIComponent(name)}`, { calendarDate: d }, garminSummaryReadings],
      ];
      for (const [path, params, map] of daily) {
        const body = await this.body(path, params, opts.signal);
        if (body != null) addReadings(result, this.http.urlOf(path), d, () => map(body));
      }
      yield { result, cursor: days[idx + 1] ?? null };
    }
  }

  /** The weigh-ins of a range of days, each mapped on its own. */
  private async weighIns(startDate: string | undefined, endDate: string | undefined, signal?: AbortSignal): Promise<ParseResult> {
    const result = emptyResult();
    const path = '/weight-service/weight/dateRange';
    const input = this.http.urlOf(path);
    const body = await this.body(path, { startDate, endDate }, signal);
    if (body == null) return result;
    let items: ReturnType<typeof garminWeighIns> = [];
    try {
      items = garminWeighIns(body);
    } catch (e) {
      result.errors.push(itemError(input, `${startDate}..${endDate}`, e));
    }
    for (const { record, item } of items) addReadings(result, input, record, () => garminWeighInReadings(item));
    return result;
  }

  /** The JSON body of a GET; null when Garmin has no data (it answers days without data with 204 or an empty body). */
  private async body(path: string, params: Record<string, string | number | undefined>, signal?: AbortSignal): Promise<unknown> {
    return (await this.http.json(path, { params, signal })).data ?? null;
  }

  private async displayName(signal?: AbortSignal): Promise<string> {
    if (this.settings.displayName) return this.settings.displayName;
    const res = await this.http.json('/userprofile-service/socialProfile', { signal });
    const name = (res.data as { displayName?: unknown } | null)?.displayName;
    if (typeof name !== 'string' || !name) throw new Error('garmin: the profile has no displayName; set it in the settings');
    return name;
  }
}

/** Add one record's readings to `out`; a record that cannot be mapped becomes an error naming it, the rest is kept. */
function addReadings(out: ParseResult, input: string, record: string, map: () => BiometricReadingInput[]): void {
  try {
    for (const b of map()) out.biometrics.push({ ...b, input });
  } catch (e) {
    out.errors.push(itemError(input, record, e));
  }
}

/** A Garmin connector from environment variables. */
export function fromEnv(env: Record<string, string | undefined>, overrides: Partial<GarminSettings> = {}): GarminConnector {
  return new GarminConnector({
    baseUrl: env.GARMIN_BASE_URL || 'https://connectapi.garmin.com',
    ssoUrl: env.GARMIN_SSO_URL || 'https://sso.garmin.com',
    exchangeUrl: env.GARMIN_EXCHANGE_URL || undefined,
    tokenFile: env.GARMIN_TOKEN_FILE || undefined,
    email: env.GARMIN_EMAIL || undefined,
    password: env.GARMIN_PASSWORD || undefined,
    consumerKey: env.GARMIN_OAUTH_CONSUMER_KEY || undefined,
    consumerSecret: env.GARMIN_OAUTH_CONSUMER_SECRET || undefined,
    tokenStore: tokenStoreFor(env),
    ...overrides,
  });
}
