/**
 * Polar AccessLink v3: exercises through transactions (create, list, fetch
 * each, commit), plus sleep and nightly recharge. A transaction is committed
 * only after every page of it was handed on, so an interrupted sync leaves it
 * open and Polar offers the same exercises again (our upserts are idempotent).
 * OAuth: authorization code with HTTP Basic client auth; tokens are long-lived
 * and come without a refresh token; the answer carries the Polar user id.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { SOURCE } from './index.ts';
import { emptyResult, METRIC_UNITS, type BiometricReadingInput, type MetricType, type ParseResult, type SourceWorkoutInput } from '../../core/models.ts';
import { redact, registerSecret } from '../../core/redact.ts';
import { mapSport } from '../../core/sports.ts';
import {
  inRange,
  itemError,
  localDay,
  parseOffset,
  parseRaw,
  RawItemError,
  type ApiSettings,
  type BaseConnector,
  type DateRange,
  type EnvVar,
  type FetchOptions,
  type Page,
} from '../base.ts';
import { AuthError, HttpClient, HttpError, type AuthProvider } from '../http/http.ts';
import { newState, waitForCallback, type AuthorizeOptions } from '../http/oauth2.ts';
import { chain, type ChainPart } from '../http/paginate.ts';
import { defaultTokenStorePath, TokenStore, type TokenEntry } from '../http/token_store.ts';

/** Exercises fetched per page (one warehouse commit each). */
export const DEFAULT_PAGE_SIZE = 20;

const num = z.number().finite();

/** One exercise summary as AccessLink returns it. */
export const PolarExercise = z.looseObject({
  id: z.union([z.string().min(1), z.number().int()]),
  'upload-time': z.string().nullish(),
  'polar-user': z.string().nullish(),
  device: z.string().nullish(),
  'start-time': z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/, 'expected a local time without zone, e.g. 2024-03-01T07:30:00'),
  'start-time-utc-offset': z.number().int().min(-720).max(840),
  duration: z.string().min(1),
  calories: num.nonnegative().nullish(),
  distance: num.nonnegative().nullish(),
  'heart-rate': z.looseObject({ average: num.nullish(), maximum: num.nullish() }).nullish(),
  'training-load': z.unknown().optional(),
  sport: z.string().nullish(),
  'has-route': z.boolean().nullish(),
  'detailed-sport-info': z.string().nullish(),
});

const Created = z.looseObject({ 'transaction-id': z.union([z.number().int(), z.string().min(1)]), 'resource-uri': z.string().nullish() });
const Listing = z.looseObject({ exercises: z.array(z.string()).nullish() });
const TokenAnswer = z.looseObject({ access_token: z.string().min(1), expires_in: z.number().nullish(), token_type: z.string().nullish(), x_user_id: z.union([z.number(), z.string()]) });

const PolarNight = z.looseObject({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  sleep_start_time: z.string().nullish(),
  sleep_end_time: z.string().nullish(),
  light_sleep: num.nullish(),
  deep_sleep: num.nullish(),
  rem_sleep: num.nullish(),
  total_interruption_duration: num.nullish(),
  sleep_score: num.nullish(),
});
const PolarRecharge = z.looseObject({
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  heart_rate_variability_avg: num.nullish(),
  breathing_rate_avg: num.nullish(),
  ans_charge: num.nullish(),
});

/** Seconds of an ISO 8601 duration such as `PT1H2M3.500S` or `P1DT2H` (ISO 8601-1:2019 §5.5.2; no years or months). */
export function isoDurationSeconds(text: string): number {
  const m = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text.trim());
  if (!m || text.trim() === 'P' || text.trim().endsWith('T')) throw new Error(`"${text}" is not an ISO 8601 duration such as PT1H2M3S`);
  const [, d, h, mi, s] = m;
  return Number(d ?? 0) * 86_400 + Number(h ?? 0) * 3600 + Number(mi ?? 0) * 60 + Number(s ?? 0);
}

/** The instant of a zone-less local time at `offsetMin` minutes east of UTC. */
function localToInstant(local: string, offsetMin: number): Date {
  const t = Date.parse(`${local}Z`) - offsetMin * 60_000;
  if (!Number.isFinite(t)) throw new RawItemError('start-time', `polar exercise: unreadable start-time "${local}"`);
  return new Date(t);
}

/** Map one exercise summary to a canonical workout (`external_id` = Polar's exercise id). */
export function transformPolarExercise(raw: unknown): SourceWorkoutInput {
  const e = parseRaw(PolarExercise, raw, 'polar exercise');
  const id = String(e.id);
  const offset = e['start-time-utc-offset'];
  const start = localToInstant(e['start-time'], offset);
  let duration: number;
  try {
    duration = isoDurationSeconds(e.duration);
  } catch (err) {
    throw new RawItemError('duration', `polar exercise ${id}: ${(err as Error).message}`);
  }
  // mapSport prefers the detailed sport when it is known and of the same family.
  const { sport, category } = mapSport(e.sport ?? null, e['detailed-sport-info'] ?? null);
  const load = e['training-load'];
  const hr = e['heart-rate'];
  return {
    source: SOURCE,
    external_id: id,
    name: e['detailed-sport-info'] ?? e.sport ?? null,
    start_time: start,
    end_time: new Date(start.getTime() + duration * 1000),
    duration_s: duration,
    utc_offset_min: offset,
    sport,
    source_sport: e['detailed-sport-info'] ?? e.sport ?? null,
    sport_category: category,
    distance_m: e.distance ?? null,
    calories_kcal: e.calories ?? null,
    avg_hr: hr?.average || null,
    max_hr: hr?.maximum || null,
    // Polar's training load (cardio load); other shapes are kept in raw_data only.
    training_load: typeof load === 'number' && Number.isFinite(load) && load >= 0 ? load : null,
    external_ids: { polar: id },
    has_gps: e['has-route'] ?? false,
    raw_data: redact(raw),
  };
}

function reading(date: string, metric: MetricType, value: number | null | undefined, time: Date | null, raw: unknown): BiometricReadingInput[] {
  if (value == null || !Number.isFinite(value)) return [];
  return [{ date, time, metric_type: metric, value, unit: METRIC_UNITS[metric], source: SOURCE, raw_data: raw }];
}

/** Sleep metrics of one night (durations in seconds), on the local day of waking. */
export function polarSleepReadings(raw: unknown): BiometricReadingInput[] {
  const n = parseRaw(PolarNight, raw, 'polar sleep');
  const end = n.sleep_end_time ? new Date(n.sleep_end_time) : null;
  const start = n.sleep_start_time ? new Date(n.sleep_start_time) : null;
  const endOk = end && Number.isFinite(end.getTime()) ? end : null;
  const off = parseOffset(n.sleep_end_time);
  const day = endOk && off != null ? localDay(endOk, off) : n.date;
  const r = redact(raw);
  const stages = [n.light_sleep, n.deep_sleep, n.rem_sleep];
  const asleep = stages.every((s) => s != null) ? stages.reduce<number>((a, s) => a + (s ?? 0), 0) : null;
  const inBed = endOk && start && Number.isFinite(start.getTime()) ? (endOk.getTime() - start.getTime()) / 1000 : null;
  return [
    ...reading(day, 'sleep_duration', asleep, endOk, r),
    ...reading(day, 'sleep_in_bed', inBed, endOk, r),
    ...reading(day, 'sleep_light', n.light_sleep, endOk, r),
    ...reading(day, 'sleep_deep', n.deep_sleep, endOk, r),
    ...reading(day, 'sleep_rem', n.rem_sleep, endOk, r),
    ...reading(day, 'sleep_awake', n.total_interruption_duration, endOk, r),
    ...reading(day, 'sleep_score', n.sleep_score, endOk, r),
  ];
}

/** Nightly recharge: HRV (RMSSD, ms) and breathing rate on its date; ANS charge stays in raw_data (no metric for it). */
export function polarRechargeReadings(raw: unknown): BiometricReadingInput[] {
  const n = parseRaw(PolarRecharge, raw, 'polar nightly recharge');
  const r = redact(raw);
  return [...reading(n.date, 'hrv_rmssd', n.heart_rate_variability_avg, null, r), ...reading(n.date, 'respiratory_rate', n.breathing_rate_avg, null, r)];
}

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
    tokenStore: new TokenStore(defaultTokenStorePath(env)),
    ...overrides,
  });
}
