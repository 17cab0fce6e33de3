/**
 * Strava API v3: athlete activities (page/per_page until an empty page),
 * optional streams for activities with GPS. Data from the API is tagged
 * `raw_data.via = 'strava_api'`: Strava's API terms forbid training models on it.
 */
import { emptyResult, type ParseResult, type SourceWorkoutInput } from '../../core/models.ts';
import { inRange, itemError, parseRaw, type ApiSettings, type BaseConnector, type DateRange, type FetchOptions, type Page } from '../base.ts';
import { HttpClient } from '../http/http.ts';
import { OAuthConnector, OAuth2Session } from '../http/oauth2.ts';
import { pageNumbers } from '../http/paginate.ts';
import { redact } from '../../core/redact.ts';
import { parseBoolean } from '../../core/settings.ts';
import { tokenStoreFor } from '../http/token_store.ts';
import { SOURCE } from './index.ts';
import { mapStravaActivity, StravaActivity, stravaStreams } from './map.ts';

/** Settings of the Strava connector. */
export interface StravaSettings extends ApiSettings {
  /** Fetch streams of activities with GPS (one extra request each). */
  fetchStreams?: boolean;
  perPage?: number;
}

const STREAM_KEYS = 'time,latlng,distance,altitude,heartrate,watts,cadence,velocity_smooth';

/** Lineage tag in raw_data of what came through the API: the injury model leaves such days out of training. */
const VIA_API = 'strava_api';

/** One SummaryActivity of the API to a canonical workout, tagged as API data. */
function apiWorkout(raw: unknown, input?: string): SourceWorkoutInput {
  const a = parseRaw(StravaActivity, raw, 'strava activity');
  return mapStravaActivity(a, { input, rawData: { ...redact(raw as Record<string, unknown>), via: VIA_API } });
}

/** The Strava connector. */
export class StravaConnector extends OAuthConnector implements BaseConnector {
  readonly source = SOURCE;
  readonly session: OAuth2Session;
  private readonly http: HttpClient;

  constructor(override readonly settings: StravaSettings) {
    super(settings);
    const authBase = (settings.authBaseUrl ?? settings.baseUrl).replace(/\/+$/, '');
    this.session = new OAuth2Session(
      {
        source: SOURCE,
        authorizeUrl: `${authBase}/oauth/authorize`,
        tokenUrl: `${authBase}/oauth/token`,
        clientId: settings.clientId ?? '',
        clientSecret: settings.clientSecret ?? '',
        scopes: settings.scopes ?? ['read', 'activity:read_all'],
        scopeSeparator: ',',
        pkce: false,
        extraAuthorizeParams: { approval_prompt: 'auto' },
        impliedScopes: ['read'],
        redirectPort: settings.redirectPort,
      },
      settings.tokenStore,
      settings.http,
    );
    this.http = new HttpClient({ ...settings.http, source: SOURCE, baseUrl: settings.baseUrl, rateLimit: 'strava', auth: this.session });
  }

  transformWorkout(raw: unknown): SourceWorkoutInput {
    return apiWorkout(raw);
  }

  async *fetchWorkouts(range: DateRange, opts: FetchOptions = {}): AsyncIterable<Page> {
    const path = '/api/v3/athlete/activities';
    const input = `${this.http.baseUrl}${path}`;
    const perPage = this.settings.perPage ?? 200;
    // Strava's after/before are exclusive; one second earlier keeps an activity starting exactly at range.start.
    const after = Math.floor(range.start.getTime() / 1000) - 1;
    const before = Math.ceil(range.end.getTime() / 1000);
    const pages = pageNumbers(async (page) => {
      const res = await this.http.json(path, { params: { after, before, page, per_page: perPage }, signal: opts.signal });
      if (!Array.isArray(res.data)) throw new Error(`strava: ${path} did not return a JSON array`);
      return res.data as unknown[];
    }, opts.cursor);
    for await (const batch of pages) {
      const result = emptyResult();
      for (const [i, raw] of batch.items.entries()) {
        const record = recordName(raw, i);
        try {
          const w = apiWorkout(raw, input);
          if (!inRange(w.start_time, range)) continue;
          result.workouts.push(w);
          if (this.settings.fetchStreams && w.has_gps) await this.addStreams(result, w, opts.signal);
        } catch (e) {
          result.errors.push(itemError(input, record, e));
        }
      }
      yield { result, cursor: batch.cursor };
    }
  }

  /** Strava has no wellness data. */
  async *fetchBiometrics(_range: DateRange, _opts: FetchOptions = {}): AsyncIterable<Page> {
    yield { result: emptyResult(), cursor: null };
  }

  private async addStreams(result: ParseResult, w: SourceWorkoutInput, signal?: AbortSignal): Promise<void> {
    const path = `/api/v3/activities/${w.external_id}/streams`;
    try {
      const res = await this.http.json(path, { params: { keys: STREAM_KEYS, key_by_type: true }, signal });
      result.streams.push(stravaStreams(w.external_id, w.start_time, res.data, w.sport));
    } catch (e) {
      // A missing stream loses samples, not the workout.
      result.errors.push({ ...itemError(`${this.http.baseUrl}${path}`, `activity ${w.external_id}`, e), field: 'streams' });
    }
  }
}

function recordName(raw: unknown, i: number): string {
  const id = raw && typeof raw === 'object' ? (raw as { id?: unknown }).id : undefined;
  return id != null ? `activity ${String(id)}` : `item ${i}`;
}

/** A Strava connector from environment variables. */
export function fromEnv(env: Record<string, string | undefined>, overrides: Partial<StravaSettings> = {}): StravaConnector {
  return new StravaConnector({
    baseUrl: env.STRAVA_BASE_URL || 'https://www.strava.com',
    clientId: env.STRAVA_CLIENT_ID,
    clientSecret: env.STRAVA_CLIENT_SECRET,
    redirectPort: env.STRAVA_REDIRECT_PORT ? Number(env.STRAVA_REDIRECT_PORT) : undefined,
    // Streams cost one request per activity: fetched when GPS analysis is on, unless set explicitly.
    fetchStreams: parseBoolean(env.STRAVA_FETCH_STREAMS ?? env.ENABLE_GPS_ANALYSIS ?? 'true') === true,
    tokenStore: tokenStoreFor(env),
    ...overrides,
  });
}
