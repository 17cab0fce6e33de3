/**
 * Polar AccessLink v3: exercises through transactions (create, list, fetch
 * each, commit), plus sleep and nightly recharge. A transaction is committed
 * only after every page of it was handed on, so an interrupted sync leaves it
 * open and Polar offers the same exercises again (our upserts are idempotent).
 * OAuth: authorization code with HTTP Basic client auth; tokens are long-lived
 * and come without a refresh token; the answer carries the Polar user id.
 * Records go to map.ts as fetched.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { SOURCE } from './index.ts';
import { polarRechargeReadings, polarSleepReadings, transformPolarExercise } from './map.ts';
import { emptyResult, type BiometricReadingInput, type ParseResult, type SourceWorkoutInput } from '../../core/models.ts';
import { registerSecret } from '../../core/redact.ts';
import {
  inRange,
  itemError,
  parseRaw,
  RawItemError,
  type ApiSettings,
  type BaseConnector,
  type DateRange,
  type FetchOptions,
  type Page,
} from '../base.ts';
import { AuthError, HttpClient, HttpError, type AuthProvider } from '../http/http.ts';
import { newState, waitForCallback, type AuthorizeOptions } from '../http/oauth2.ts';
import { chain, type ChainPart } from '../http/paginate.ts';
import { tokenStoreFor, type TokenEntry, type TokenStore } from '../http/token_store.ts';

/** Exercises fetched per page (one warehouse commit each). */
export const DEFAULT_PAGE_SIZE = 20;

const Created = z.looseObject({ 'transaction-id': z.union([z.number().int(), z.string().min(1)]), 'resource-uri': z.string().nullish() });
const Listing = z.looseObject({ exercises: z.array(z.string()).nullish() });
const TokenAnswer = z.looseObject({ access_token: z.string().min(1), expires_in: z.number().nullish(), token_type: z.string().nullish(), x_user_id: z.union([z.number(), z.string()]) });

/** Settings of the Polar connector. */
export interface PolarSettings extends ApiSettings {
  /** Full token endpoint URL (default https://polarremote.com/v2/oauth2/token). */
  tokenUrl?: string;
  /** Exercises per page. */
  pageSize?: number;
}

/** Bearer auth from the saved token; Polar issues no refresh token, so a 401 means authorise again. */
class PolarAuth implements AuthProvider {
  constructor(private readonly store: TokenStore, private readonly now: () => Date) {}

  async entry(): Promise<TokenEntry> {
    const e = await this.store.get(SOURCE);
    if (!e?.access_token) throw new AuthError(SOURCE, 'not authorised yet: run "athlete auth polar"');
    if (e.expires_at != null && e.expires_at <= this.now().getTime() / 1000) {
      throw new AuthError(SOURCE, 'the saved access token has expired: run "athlete auth polar" again');
    }
    return e;
  }

  async headers(): Promise<Record<string, string>> {
    return { Authorization: `Bearer ${(await this.entry()).access_token}` };
  }

  async onUnauthorized(): Promise<boolean> {
    return false;
  }
}

/** The Polar AccessLink connector. */
export class PolarConnector implements BaseConnector {
  readonly source = SOURCE;
  private readonly http: HttpClient;
  private readonly auth: PolarAuth;

  constructor(readonly settings: PolarSettings) {
    registerSecret(settings.clientSecret);
    this.auth = new PolarAuth(settings.tokenStore, settings.http?.now ?? (() => new Date()));
    this.http = new HttpClient({ ...settings.http, source: SOURCE, baseUrl: settings.baseUrl, rateLimit: 'standard', auth: this.auth });
  }

  isConfigured(): boolean {
    return Boolean(this.settings.clientId && this.settings.clientSecret) || this.settings.tokenStore.has(SOURCE);
  }

  /** Check the saved token and make sure the user is registered to this client. */
  async authenticate(): Promise<void> {
    const e = await this.auth.entry();
    if (e.extra?.registered !== 'yes') await this.registerUser();
  }

  /**
   * Interactive first-time authorisation: loopback redirect, `state` check,
   * code exchange with HTTP Basic client auth, then user registration.
   */
  async authorize(opts: AuthorizeOptions = {}): Promise<TokenEntry> {
    const s = this.settings;
    if (!s.clientId || !s.clientSecret) throw new AuthError(SOURCE, 'POLAR_CLIENT_ID and POLAR_CLIENT_SECRET must be set');
    const state = newState();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(s.redirectPort ?? 0, '127.0.0.1', () => resolve());
    });
    const redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
    const url = new URL(`${(s.authBaseUrl ?? 'https://flow.polar.com').replace(/\/+$/, '')}/oauth2/authorization`);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', s.clientId);
    url.searchParams.set('redirect_uri', redirectUri);
    url.searchParams.set('state', state);
    if (s.scopes?.length) url.searchParams.set('scope', s.scopes.join(' '));
    let code: string;
    try {
      const cb = waitForCallback(server, state, opts);
      (opts.onUrl ?? ((u: string) => process.stderr.write(`Open this URL in a browser to authorise polar:\n  ${u}\n`)))(url.toString());
      code = (await cb).code;
      registerSecret(code);
    } finally {
      server.closeAllConnections();
      server.close();
    }
    const basic = Buffer.from(`${s.clientId}:${s.clientSecret}`).toString('base64');
    registerSecret(basic);
    const tokenHttp = new HttpClient({ ...s.http, source: SOURCE, baseUrl: this.tokenUrl() });
    const res = await tokenHttp.json(this.tokenUrl(), {
      method: 'POST',
      form: { grant_type: 'authorization_code', code, redirect_uri: redirectUri },
      headers: { Authorization: `Basic ${basic}` },
      auth: false,
    });
    const t = TokenAnswer.safeParse(res.data);
    if (!t.success) throw new AuthError(SOURCE, 'the token endpoint gave an unexpected answer (no access_token or x_user_id)');
    registerSecret(t.data.access_token);
    const nowS = Math.floor((s.http?.now?.() ?? new Date()).getTime() / 1000);
    const entry: TokenEntry = {
      access_token: t.data.access_token,
      token_type: t.data.token_type ?? 'bearer',
      expires_at: t.data.expires_in != null ? nowS + t.data.expires_in : undefined,
      extra: { user_id: String(t.data.x_user_id) },
    };
    await s.tokenStore.set(SOURCE, entry);
    await this.registerUser();
    return (await s.tokenStore.get(SOURCE)) ?? entry;
  }

  /** Register the user to this client (`POST /v3/users`); 409 means already registered. */
  async registerUser(signal?: AbortSignal): Promise<void> {
    const e = await this.auth.entry();
    const userId = this.userIdOf(e);
    try {
      await this.http.json('/v3/users', { method: 'POST', json: { 'member-id': `athlete-${userId}` }, signal });
    } catch (err) {
      if (!(err instanceof HttpError && err.status === 409)) throw err;
    }
    await this.settings.tokenStore.set(SOURCE, { ...e, extra: { ...(e.extra ?? {}), registered: 'yes' } });
  }

  transformWorkout(raw: unknown): SourceWorkoutInput {
    return transformPolarExercise(raw);
  }

  /**
   * Every exercise of one new transaction, `pageSize` per page. The range does
   * not filter: a committed transaction is never offered again, so dropping
   * items here would lose them. The cursor `{"transaction":id,"offset":n}`
   * resumes the same open transaction; the commit follows the last page.
   */
  async *fetchWorkouts(_range: DateRange, opts: FetchOptions = {}): AsyncIterable<Page> {
    const signal = opts.signal;
    const userId = this.userIdOf(await this.auth.entry());
    const base = `/v3/users/${encodeURIComponent(userId)}/exercise-transactions`;
    let resumed = parseCursor(opts.cursor);
    let urls: string[] | null = null;
    let txId: string | null = null;
    if (resumed) {
      txId = resumed.transaction;
      // An expired or already committed transaction cannot be resumed: start a new one.
      urls = await this.listing(`${base}/${encodeURIComponent(txId)}`, signal).catch((e: unknown) => {
        if (e instanceof HttpError && e.status === 404) return null;
        throw e;
      });
      if (urls === null) resumed = null;
    }
    if (!resumed) {
      const created = await this.http.json(base, { method: 'POST', signal });
      if (created.status === 204) {
        yield { result: emptyResult(), cursor: null };
        return;
      }
      txId = String(parseRaw(Created, created.data, 'polar exercise transaction')['transaction-id']);
      urls = await this.listing(`${base}/${encodeURIComponent(txId)}`, signal);
    }
    const tx = txId!;
    const all = urls ?? [];
    const size = Math.max(1, this.settings.pageSize ?? DEFAULT_PAGE_SIZE);
    let offset = resumed?.offset ?? 0;
    do {
      const slice = all.slice(offset, offset + size);
      const result = emptyResult();
      for (const u of slice) await this.exercise(u, result, signal);
      offset += size;
      yield { result, cursor: offset < all.length ? JSON.stringify({ transaction: tx, offset }) : null };
    } while (offset < all.length);
    await this.http.json(`${base}/${encodeURIComponent(tx)}`, { method: 'PUT', signal });
  }

  /** Sleep, then nightly recharge: AccessLink serves the last 28 days; readings outside the range are dropped. */
  async *fetchBiometrics(range: DateRange, opts: FetchOptions = {}): AsyncIterable<Page> {
    const part = (key: string, path: string, listKey: string, map: (raw: unknown) => BiometricReadingInput[]): ChainPart<ParseResult> => ({
      key,
      run: (_cursor) => this.dailyList(path, listKey, range, map, opts.signal),
    });
    const parts = [part('sleep', '/v3/users/sleep', 'nights', polarSleepReadings), part('recharge', '/v3/users/nightly-recharge', 'recharges', polarRechargeReadings)];
    for await (const { page, cursor } of chain(parts, opts.cursor)) yield { result: page, cursor };
  }

  private async *dailyList(
    path: string,
    listKey: string,
    range: DateRange,
    map: (raw: unknown) => BiometricReadingInput[],
    signal?: AbortSignal,
  ): AsyncGenerator<{ page: ParseResult; cursor: string | null }> {
    const res = await this.http.json(path, { signal });
    const input = this.http.urlOf(path);
    const items = res.status === 204 ? [] : parseRaw(z.looseObject({ [listKey]: z.array(z.unknown()).nullish() }), res.data, `polar ${path}`)[listKey];
    const out = emptyResult();
    const first = new Date(`${range.start.toISOString().slice(0, 10)}T00:00:00Z`);
    for (const [i, raw] of ((items as unknown[] | null | undefined) ?? []).entries()) {
      try {
        for (const b of map(raw)) if (inRange(new Date(`${b.date}T00:00:00Z`), { start: first, end: range.end })) out.biometrics.push({ ...b, input });
      } catch (e) {
        const d = raw && typeof raw === 'object' ? (raw as { date?: unknown }).date : undefined;
        out.errors.push(itemError(input, d != null ? `date ${String(d)}` : `item ${i}`, e));
      }
    }
    yield { page: out, cursor: null };
  }

  private async listing(path: string, signal?: AbortSignal): Promise<string[]> {
    const res = await this.http.json(path, { signal });
    return res.status === 204 ? [] : (parseRaw(Listing, res.data, 'polar exercise list').exercises ?? []);
  }

  /** Fetch one exercise into `out`; a refused item (4xx) or an invalid one becomes an error, the rest is kept. */
  private async exercise(url: string, out: ParseResult, signal?: AbortSignal): Promise<void> {
    // Only the path of Polar's link is used: the bearer token goes to the configured host alone.
    const path = this.http.pathOf(url);
    const input = this.http.urlOf(path);
    const record = `exercise ${path.split('/').pop() ?? path}`;
    try {
      const res = await this.http.json(path, { signal });
      const w = transformPolarExercise(res.data);
      w.input = input;
      out.workouts.push(w);
    } catch (e) {
      if (!(e instanceof RawItemError || (e instanceof HttpError && e.status != null && e.status < 500))) throw e;
      out.errors.push(itemError(input, record, e));
    }
  }

  private tokenUrl(): string {
    const t = (this.settings.tokenUrl ?? 'https://polarremote.com').replace(/\/+$/, '');
    return /\/oauth2\/token$/.test(t) ? t : `${t}/v2/oauth2/token`;
  }

  private userIdOf(e: TokenEntry): string {
    const id = e.extra?.user_id;
    if (!id) throw new AuthError(SOURCE, 'no Polar user id saved with the token: run "athlete auth polar" again');
    return id;
  }
}

function parseCursor(cursor: string | null | undefined): { transaction: string; offset: number } | null {
  if (!cursor) return null;
  try {
    const c = JSON.parse(cursor) as { transaction?: unknown; offset?: unknown };
    if ((typeof c.transaction === 'string' || typeof c.transaction === 'number') && Number.isInteger(c.offset) && (c.offset as number) >= 0) {
      return { transaction: String(c.transaction), offset: c.offset as number };
    }
  } catch {
    // Reported below.
  }
  throw new Error(`polar: bad cursor "${cursor}": expected {"transaction":…,"offset":…}`);
}

/** A Polar connector from environment variables. */
export function fromEnv(env: Record<string, string | undefined>, overrides: Partial<PolarSettings> = {}): PolarConnector {
  return new PolarConnector({
    baseUrl: env.POLAR_BASE_URL || 'https://www.polaraccesslink.com',
    authBaseUrl: env.POLAR_AUTH_BASE_URL || 'https://flow.polar.com',
    tokenUrl: env.POLAR_TOKEN_URL || 'https://polarremote.com',
    clientId: env.POLAR_CLIENT_ID,
    clientSecret: env.POLAR_CLIENT_SECRET,
    redirectPort: env.POLAR_REDIRECT_PORT ? Number(env.POLAR_REDIRECT_PORT) : undefined,
    tokenStore: tokenStoreFor(env),
    ...overrides,
  });
}
