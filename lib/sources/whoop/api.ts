/**
 * WHOOP API v2: workouts, sleeps, recoveries and cycles, each a collection
 * paged with `nextToken`. Records go to map.ts as fetched.
 */
import { z } from 'zod';
import { SOURCE } from './index.ts';
import {
  apiOrigin,
  cycleReadings,
  isScored,
  recoveryReadings,
  sleepReadings,
  wakingOf,
  WhoopCycle,
  WhoopRecovery,
  WhoopSleep,
  WhoopWorkout,
  workoutRow,
  type Placement,
} from './map.ts';
import { emptyResult, type ParseResult, type SourceWorkoutInput } from '../../core/models.ts';
import {
  inRange,
  itemError,
  parseRaw,
  type ApiSettings,
  type BaseConnector,
  type DateRange,
  type FetchOptions,
  type Page,
} from '../base.ts';
import { HttpClient } from '../http/http.ts';
import { OAuthConnector, OAuth2Session } from '../http/oauth2.ts';
import { chain, nextTokens, type ChainPart } from '../http/paginate.ts';
import { tokenStoreFor } from '../http/token_store.ts';

/** Default scopes; `offline` yields a refresh token. */
export const WHOOP_SCOPES = ['read:recovery', 'read:cycles', 'read:sleep', 'read:workout', 'read:profile', 'read:body_measurement', 'offline'];

const PAGE_LIMIT = 25;
const Collection = z.looseObject({ records: z.array(z.unknown()), next_token: z.string().nullish() });

/** Settings of the WHOOP connector. */
export type WhoopSettings = ApiSettings;

/** The WHOOP connector. */
export class WhoopConnector extends OAuthConnector implements BaseConnector {
  readonly source = SOURCE;
  readonly session: OAuth2Session;
  private readonly http: HttpClient;

  constructor(override readonly settings: WhoopSettings) {
    super(settings);
    const authBase = (settings.authBaseUrl ?? settings.baseUrl).replace(/\/+$/, '');
    this.session = new OAuth2Session(
      {
        source: SOURCE,
        authorizeUrl: `${authBase}/oauth/oauth2/auth`,
        tokenUrl: `${authBase}/oauth/oauth2/token`,
        clientId: settings.clientId ?? '',
        clientSecret: settings.clientSecret ?? '',
        scopes: settings.scopes ?? WHOOP_SCOPES,
        // WHOOP's docs do not mention PKCE; RFC 7636 §5 servers ignore the extra parameters, and it protects the code.
        pkce: true,
        extraRefreshParams: { scope: 'offline' },
        redirectPort: settings.redirectPort,
      },
      settings.tokenStore,
      settings.http,
    );
    this.http = new HttpClient({ ...settings.http, source: SOURCE, baseUrl: settings.baseUrl, rateLimit: 'standard', auth: this.session });
  }

  transformWorkout(raw: unknown): SourceWorkoutInput {
    return workoutRow(parseRaw(WhoopWorkout, raw, 'whoop workout'), apiOrigin(raw));
  }

  async *fetchWorkouts(range: DateRange, opts: FetchOptions = {}): AsyncIterable<Page> {
    const path = '/developer/v2/activity/workout';
    for await (const b of this.collection(path, range, opts.cursor ?? null, opts.signal)) {
      const result = emptyResult();
      for (const [i, raw] of b.items.entries()) {
        try {
          const w = this.transformWorkout(raw);
          if (!inRange(w.start_time, range)) continue;
          w.input = this.http.urlOf(path);
          result.workouts.push(w);
        } catch (e) {
          result.errors.push(itemError(this.http.urlOf(path), recordName(raw, i), e));
        }
      }
      yield { result, cursor: b.cursor };
    }
  }

  /** Sleeps, then recoveries (placed at the waking of their sleep), then cycles (day strain). */
  async *fetchBiometrics(range: DateRange, opts: FetchOptions = {}): AsyncIterable<Page> {
    const wakings = new Map<string, Placement>();
    const part = (key: string, path: string, map: (raw: unknown, out: ParseResult) => Promise<void>): ChainPart<ParseResult> => ({
      key,
      run: (cursor) => this.mapped(path, range, cursor, opts.signal, map),
    });
    const parts = [
      part('sleep', '/developer/v2/activity/sleep', async (raw, out) => {
        const s = parseRaw(WhoopSleep, raw, 'whoop sleep');
        if (!s.nap) wakings.set(s.id, wakingOf(s));
        out.biometrics.push(...sleepReadings(s, apiOrigin(raw)));
      }),
      part('recovery', '/developer/v2/recovery', async (raw, out) => {
        const r = parseRaw(WhoopRecovery, raw, 'whoop recovery');
        if (!isScored(r)) return;
        const at = wakings.get(r.sleep_id) ?? (await this.wakingById(r.sleep_id, opts.signal));
        out.biometrics.push(...recoveryReadings(r, at, apiOrigin(raw)));
      }),
      part('cycle', '/developer/v2/cycle', async (raw, out) => {
        out.biometrics.push(...cycleReadings(parseRaw(WhoopCycle, raw, 'whoop cycle'), apiOrigin(raw)));
      }),
    ];
    for await (const { page, cursor } of chain(parts, opts.cursor)) yield { result: page, cursor };
  }

  private async *mapped(
    path: string,
    range: DateRange,
    cursor: string | null,
    signal: AbortSignal | undefined,
    map: (raw: unknown, out: ParseResult) => Promise<void>,
  ): AsyncGenerator<{ page: ParseResult; cursor: string | null }> {
    for await (const b of this.collection(path, range, cursor, signal)) {
      const out = emptyResult();
      for (const [i, raw] of b.items.entries()) {
        try {
          await map(raw, out);
        } catch (e) {
          out.errors.push(itemError(this.http.urlOf(path), recordName(raw, i), e));
        }
      }
      for (const x of out.biometrics) x.input = this.http.urlOf(path);
      yield { page: out, cursor: b.cursor };
    }
  }

  private collection(path: string, range: DateRange, cursor: string | null, signal?: AbortSignal) {
    return nextTokens(async (token) => {
      const res = await this.http.json(path, {
        params: { start: range.start.toISOString(), end: range.end.toISOString(), limit: PAGE_LIMIT, nextToken: token },
        signal,
      });
      const c = parseRaw(Collection, res.data, `whoop ${path}`);
      return { items: c.records, next: c.next_token };
    }, cursor);
  }

  /** A sleep outside the fetched pages (a resumed run, or a window's edge), looked up for its waking. */
  private async wakingById(id: string, signal?: AbortSignal): Promise<Placement> {
    const res = await this.http.json(`/developer/v2/activity/sleep/${encodeURIComponent(id)}`, { signal });
    return wakingOf(parseRaw(WhoopSleep, res.data, `whoop sleep ${id}`));
  }
}

function recordName(raw: unknown, i: number): string {
  const r = raw && typeof raw === 'object' ? (raw as { id?: unknown; cycle_id?: unknown }) : {};
  const id = r.id ?? r.cycle_id;
  return id != null ? `record ${String(id)}` : `item ${i}`;
}

/** A WHOOP connector from environment variables. */
export function fromEnv(env: Record<string, string | undefined>, overrides: Partial<WhoopSettings> = {}): WhoopConnector {
  return new WhoopConnector({
    baseUrl: env.WHOOP_BASE_URL || 'https://api.prod.whoop.com',
    clientId: env.WHOOP_CLIENT_ID,
    clientSecret: env.WHOOP_CLIENT_SECRET,
    redirectPort: env.WHOOP_REDIRECT_PORT ? Number(env.WHOOP_REDIRECT_PORT) : undefined,
    tokenStore: tokenStoreFor(env),
    ...overrides,
  });
}
