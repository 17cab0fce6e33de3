/**
 * Oura API v2 usercollections (`start_date`/`end_date`/`next_token`): fetch,
 * page and authenticate, then hand the records to `map.ts`. Personal access
 * tokens still work but are deprecated.
 */
import { z } from 'zod';
import { emptyResult, type ParseResult, type SourceWorkoutInput } from '../../core/models.ts';
import { inRange, nextDay, parseRaw, RawItemError, utcDay, type ApiSettings, type BaseConnector, type DateRange, type FetchOptions, type Page } from '../base.ts';
import { HttpClient } from '../http/http.ts';
import { OAuthConnector, OAuth2Session } from '../http/oauth2.ts';
import { chain, nextTokens, type Batch, type ChainPart } from '../http/paginate.ts';
import { redact } from '../../core/redact.ts';
import { tokenStoreFor } from '../http/token_store.ts';
import { SOURCE } from './index.ts';
import { mapOuraDaily, mapOuraSleep, mapOuraWorkout, type OuraContext, type OuraItem } from './map.ts';
import { DAILY_COLLECTIONS, type OuraCollection, type OuraDailyCollection } from './records.ts';

/** Default scopes. */
export const OURA_SCOPES = ['personal', 'daily', 'heartrate', 'workout', 'session', 'spo2'];

const Collection = z.looseObject({ data: z.array(z.unknown()), next_token: z.string().nullish() });

const CONTEXT: OuraContext = { source: SOURCE };

function pathOf(collection: OuraCollection): string {
  return `/v2/usercollection/${collection}`;
}

/** One record of a page, labelled by its id for errors, its payload redacted for storing. */
function itemOf(raw: unknown, index: number, url: string): OuraItem {
  const id = raw && typeof raw === 'object' ? (raw as { id?: unknown }).id : undefined;
  return { record: raw, input: url, label: id != null ? `record ${String(id)}` : `item ${index}`, raw: redact(raw) };
}

/** Settings of the Oura connector. */
export interface OuraSettings extends ApiSettings {
  /** Deprecated personal access token, used instead of OAuth when set. */
  personalAccessToken?: string;
}

/** The Oura connector. */
export class OuraConnector extends OAuthConnector implements BaseConnector {
  readonly source = SOURCE;
  readonly session: OAuth2Session;
  private readonly http: HttpClient;

  constructor(override readonly settings: OuraSettings) {
    super(settings);
    const api = settings.baseUrl.replace(/\/+$/, '');
    const authBase = (settings.authBaseUrl ?? 'https://cloud.ouraring.com').replace(/\/+$/, '');
    this.session = new OAuth2Session(
      {
        source: SOURCE,
        authorizeUrl: `${authBase}/oauth/authorize`,
        tokenUrl: `${api}/oauth/token`,
        clientId: settings.clientId ?? '',
        clientSecret: settings.clientSecret ?? '',
        scopes: settings.scopes ?? OURA_SCOPES,
        // Oura's docs describe the plain code flow; PKCE parameters are ignored by servers without it (RFC 7636 §5).
        pkce: true,
        redirectPort: settings.redirectPort,
      },
      settings.tokenStore,
      { ...settings.http, staticToken: settings.personalAccessToken },
    );
    if (settings.personalAccessToken) settings.http?.log?.('oura: OURA_PERSONAL_ACCESS_TOKEN is deprecated by Oura; switch to OAuth with "athlete auth oura"');
    this.http = new HttpClient({ ...settings.http, source: SOURCE, baseUrl: api, rateLimit: 'standard', auth: this.session });
  }

  override isConfigured(): boolean {
    return Boolean(this.settings.personalAccessToken) || Boolean(this.settings.clientId && this.settings.clientSecret) || this.settings.tokenStore.has(SOURCE);
  }

  transformWorkout(raw: unknown): SourceWorkoutInput {
    const out = emptyResult();
    mapOuraWorkout(itemOf(raw, 0, this.http.urlOf(pathOf('workout'))), CONTEXT, out);
    const [w] = out.workouts;
    if (w) return w;
    throw new RawItemError(out.errors[0]?.field, `oura workout: ${out.errors.map((e) => (e.field ? `${e.field}: ${e.reason}` : e.reason)).join('; ')}`);
  }

  async *fetchWorkouts(range: DateRange, opts: FetchOptions = {}): AsyncIterable<Page> {
    for await (const { items, cursor } of this.pages('workout', range, opts.cursor ?? null, opts.signal)) {
      const out = emptyResult();
      for (const item of items) mapOuraWorkout(item, CONTEXT, out);
      out.workouts = out.workouts.filter((w) => inRange(w.start_time, range));
      yield { result: out, cursor };
    }
  }

  async *fetchBiometrics(range: DateRange, opts: FetchOptions = {}): AsyncIterable<Page> {
    const first = utcDay(range.start);
    const last = utcDay(range.end);
    // Days are half-open like the range: the day of `range.end` belongs to the next window.
    const inDays = (out: ParseResult): ParseResult => ({ ...out, biometrics: out.biometrics.filter((b) => b.date >= first && b.date < last) });
    const parts: ChainPart<ParseResult>[] = [
      { key: 'sleep', run: (c) => this.nights(range, c, opts.signal, inDays) },
      ...DAILY_COLLECTIONS.map((key): ChainPart<ParseResult> => ({ key, run: (c) => this.dailies(key, range, c, opts.signal, inDays) })),
    ];
    for await (const { page, cursor } of chain(parts, opts.cursor)) yield { result: page, cursor };
  }

  /**
   * The sleep periods of the whole range as one page: a day's main period can
   * be told only once all its periods are in, and they may span pages.
   */
  private async *nights(range: DateRange, cursor: string | null, signal: AbortSignal | undefined, inDays: (r: ParseResult) => ParseResult): AsyncGenerator<{ page: ParseResult; cursor: string | null }> {
    const periods: OuraItem[] = [];
    for await (const { items } of this.pages('sleep', range, cursor, signal)) periods.push(...items);
    const out = emptyResult();
    mapOuraSleep(periods, CONTEXT, out);
    yield { page: inDays(out), cursor: null };
  }

  private async *dailies(
    collection: OuraDailyCollection,
    range: DateRange,
    cursor: string | null,
    signal: AbortSignal | undefined,
    inDays: (r: ParseResult) => ParseResult,
  ): AsyncGenerator<{ page: ParseResult; cursor: string | null }> {
    for await (const { items, cursor: next } of this.pages(collection, range, cursor, signal)) {
      const out = emptyResult();
      for (const item of items) mapOuraDaily(collection, item, CONTEXT, out);
      yield { page: inDays(out), cursor: next };
    }
  }

  /** A collection's pages over the range, each record with its URL, label and redacted payload. */
  private async *pages(collection: OuraCollection, range: DateRange, cursor: string | null, signal: AbortSignal | undefined): AsyncGenerator<Batch<OuraItem>> {
    const path = pathOf(collection);
    const url = this.http.urlOf(path);
    const batches = nextTokens(async (token) => {
      const res = await this.http.json(path, {
        // Ask one day past the end: whether Oura's end_date is inclusive differs between collections; we filter.
        params: { start_date: utcDay(range.start), end_date: nextDay(utcDay(range.end)), next_token: token },
        signal,
      });
      const c = parseRaw(Collection, res.data, `oura ${path}`);
      return { items: c.data, next: c.next_token };
    }, cursor);
    for await (const b of batches) yield { items: b.items.map((raw, i) => itemOf(raw, i, url)), cursor: b.cursor };
  }
}

/** An Oura connector from environment variables. */
export function fromEnv(env: Record<string, string | undefined>, overrides: Partial<OuraSettings> = {}): OuraConnector {
  return new OuraConnector({
    baseUrl: env.OURA_BASE_URL || 'https://api.ouraring.com',
    authBaseUrl: env.OURA_AUTH_BASE_URL || 'https://cloud.ouraring.com',
    clientId: env.OURA_CLIENT_ID,
    clientSecret: env.OURA_CLIENT_SECRET,
    personalAccessToken: env.OURA_PERSONAL_ACCESS_TOKEN || undefined,
    redirectPort: env.OURA_REDIRECT_PORT ? Number(env.OURA_REDIRECT_PORT) : undefined,
    tokenStore: tokenStoreFor(env),
    ...overrides,
  });
}
