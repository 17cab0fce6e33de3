/**
 * Withings: body measures (`measure?action=getmeas`). Every answer is
 * `{status, body}` with HTTP 200 even on errors, so `status` is checked here;
 * status 401 means the access token is no longer valid. Measure groups go to
 * map.ts as fetched.
 */
import { z } from 'zod';
import { emptyResult, type SourceWorkoutInput } from '../../core/models.ts';
import { inRange, itemError, parseRaw, type ApiSettings, type BaseConnector, type DateRange, type FetchOptions, type Page } from '../base.ts';
import { AuthError, HttpClient } from '../http/http.ts';
import { OAuthConnector, OAuth2Session } from '../http/oauth2.ts';
import { tokenStoreFor } from '../http/token_store.ts';
import { SOURCE } from './index.ts';
import { MEASURE_TYPES, withingsReadings } from './map.ts';

const Envelope = z.looseObject({ status: z.number(), body: z.unknown().optional(), error: z.string().nullish() });
const Measures = z.looseObject({
  measuregrps: z.array(z.unknown()),
  more: z.union([z.number(), z.boolean()]).nullish(),
  offset: z.number().nullish(),
  timezone: z.string().nullish(),
});

/** Settings of the Withings connector. */
export type WithingsSettings = ApiSettings;

/** The Withings connector (body measures). */
export class WithingsConnector extends OAuthConnector implements BaseConnector {
  readonly source = SOURCE;
  readonly session: OAuth2Session;
  private readonly http: HttpClient;

  constructor(override readonly settings: WithingsSettings) {
    super(settings);
    const api = settings.baseUrl.replace(/\/+$/, '');
    const authBase = (settings.authBaseUrl ?? 'https://account.withings.com').replace(/\/+$/, '');
    this.session = new OAuth2Session(
      {
        source: SOURCE,
        authorizeUrl: `${authBase}/oauth2_user/authorize2`,
        tokenUrl: `${api}/v2/oauth2`,
        clientId: settings.clientId ?? '',
        clientSecret: settings.clientSecret ?? '',
        scopes: settings.scopes ?? ['user.metrics', 'user.activity'],
        scopeSeparator: ',',
        pkce: false,
        extraTokenParams: { action: 'requesttoken' },
        unwrapToken: (d) => {
          const e = Envelope.safeParse(d);
          if (e.success && e.data.status !== 0) throw new AuthError(SOURCE, `token request refused (status ${e.data.status}${e.data.error ? `: ${e.data.error}` : ''})`);
          return e.success ? e.data.body : d;
        },
        redirectPort: settings.redirectPort,
      },
      settings.tokenStore,
      settings.http,
    );
    this.http = new HttpClient({ ...settings.http, source: SOURCE, baseUrl: api, rateLimit: 'standard', auth: this.session });
  }

  transformWorkout(_raw: unknown): SourceWorkoutInput {
    throw new Error('withings: workouts are not imported by this connector yet');
  }

  async *fetchWorkouts(_range: DateRange, _opts: FetchOptions = {}): AsyncIterable<Page> {
    yield { result: emptyResult(), cursor: null };
  }

  /** Measure groups paged by Withings' `offset`/`more`; the cursor is the next offset. */
  async *fetchBiometrics(range: DateRange, opts: FetchOptions = {}): AsyncIterable<Page> {
    const input = this.http.urlOf('/measure');
    let offset = opts.cursor ? Number(opts.cursor) : 0;
    for (;;) {
      const body = await this.call(
        '/measure',
        {
          action: 'getmeas',
          meastypes: Object.keys(MEASURE_TYPES).join(','),
          category: '1',
          startdate: String(Math.floor(range.start.getTime() / 1000)),
          enddate: String(Math.ceil(range.end.getTime() / 1000)),
          ...(offset ? { offset: String(offset) } : {}),
        },
        opts.signal,
      );
      const m = parseRaw(Measures, body, 'withings getmeas');
      const result = emptyResult();
      for (const [i, raw] of m.measuregrps.entries()) {
        try {
          for (const b of withingsReadings(raw, m.timezone ?? 'UTC')) if (b.time && inRange(b.time as Date, range)) result.biometrics.push({ ...b, input });
        } catch (e) {
          const id = raw && typeof raw === 'object' ? (raw as { grpid?: unknown }).grpid : undefined;
          result.errors.push(itemError(input, id != null ? `group ${String(id)}` : `item ${i}`, e));
        }
      }
      const more = Boolean(m.more) && m.offset != null;
      yield { result, cursor: more ? String(m.offset) : null };
      if (!more) return;
      offset = m.offset!;
    }
  }

  private async call(path: string, form: Record<string, string>, signal?: AbortSignal): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const res = await this.http.json(path, { method: 'POST', form, signal });
      const e = parseRaw(Envelope, res.data, `withings ${path}`);
      if (e.status === 0) return e.body;
      if (e.status === 401 && attempt === 0 && (await this.session.onUnauthorized())) continue;
      throw new Error(`withings: ${path} answered status ${e.status}${e.error ? ` (${e.error})` : ''}`);
    }
  }
}

/** A Withings connector from environment variables. */
export function fromEnv(env: Record<string, string | undefined>, overrides: Partial<WithingsSettings> = {}): WithingsConnector {
  return new WithingsConnector({
    baseUrl: env.WITHINGS_BASE_URL || 'https://wbsapi.withings.net',
    authBaseUrl: env.WITHINGS_AUTH_BASE_URL || 'https://account.withings.com',
    clientId: env.WITHINGS_CLIENT_ID,
    clientSecret: env.WITHINGS_CLIENT_SECRET,
    redirectPort: env.WITHINGS_REDIRECT_PORT ? Number(env.WITHINGS_REDIRECT_PORT) : undefined,
    tokenStore: tokenStoreFor(env),
    ...overrides,
  });
}
