/**
 * Strava API v3: athlete activities (page/per_page until an empty page),
 * optional streams for activities with GPS. Data from the API is tagged
 * `raw_data.via = 'strava_api'`: Strava's API terms forbid training models on it.
 */
import { z } from 'zod';
import { emptyResult, type ParseResult, type SourceWorkoutInput, type WorkoutStream } from '../../core/models.ts';
import { mapSport } from '../../core/sports.ts';
import { inRange, itemError, parseRaw, type ApiSettings, type BaseConnector, type DateRange, type EnvVar, type FetchOptions, type Page } from '../base.ts';
import { HttpClient } from '../http/http.ts';
import { OAuthConnector, OAuth2Session } from '../http/oauth2.ts';
import { pageNumbers } from '../http/paginate.ts';
import { redact } from '../../core/redact.ts';
import { defaultTokenStorePath, TokenStore } from '../http/token_store.ts';
import { SOURCE } from './index.ts';

/** Settings of the Strava connector. */
export interface StravaSettings extends ApiSettings {
  /** Fetch streams of activities with GPS (one extra request each). */
  fetchStreams?: boolean;
  perPage?: number;
}

const STREAM_KEYS = 'time,latlng,distance,altitude,heartrate,watts,cadence,velocity_smooth';
const num = z.number().finite();

/** A SummaryActivity as `GET /athlete/activities` returns it (absent metrics are omitted). */
export const StravaActivity = z.looseObject({
  id: z.union([z.number().int(), z.string().regex(/^\d+$/)]),
  name: z.string().nullish(),
  distance: num.nonnegative().nullish(),
  moving_time: num.nonnegative().nullish(),
  elapsed_time: num.nonnegative(),
  total_elevation_gain: num.nullish(),
  type: z.string().nullish(),
  sport_type: z.string().nullish(),
  start_date: z.iso.datetime({ offset: true }),
  start_date_local: z.string().nullish(),
  timezone: z.string().nullish(),
  utc_offset: num.nullish(),
  average_heartrate: num.nullish(),
  max_heartrate: num.nullish(),
  average_watts: num.nullish(),
  max_watts: num.nullish(),
  device_watts: z.boolean().nullish(),
  average_cadence: num.nullish(),
  calories: num.nullish(),
  trainer: z.boolean().nullish(),
  manual: z.boolean().nullish(),
  external_id: z.string().nullish(),
  upload_id: z.union([z.number(), z.string()]).nullish(),
  start_latlng: z.array(num).nullish(),
  map: z.looseObject({ summary_polyline: z.string().nullish() }).nullish(),
});
/** @see StravaActivity */
export type StravaActivity = z.infer<typeof StravaActivity>;

const StreamSet = z.record(z.string(), z.looseObject({ data: z.array(z.unknown()) }));

/** Cross-source ids from Strava's `external_id`: Garmin uploads are `garmin_ping_<n>`/`garmin_push_<n>`. */
export function stravaExternalIds(id: string, externalId: string | null | undefined): Record<string, string> {
  const ids: Record<string, string> = { strava: id };
  const m = externalId ? /^garmin_(?:ping|push)_(\d+)/.exec(externalId) : null;
  if (m) ids.garmin = m[1]!;
  else if (externalId) ids.upload = externalId;
  return ids;
}

/** Map one SummaryActivity to a canonical workout. */
export function transformStravaActivity(raw: unknown): SourceWorkoutInput {
  const a = parseRaw(StravaActivity, raw, 'strava activity');
  const id = String(a.id);
  const start = new Date(a.start_date);
  const { sport, category } = mapSport(a.sport_type ?? a.type ?? null);
  const hasGps = Boolean(a.map?.summary_polyline) || (a.start_latlng?.length ?? 0) === 2;
  return {
    source: SOURCE,
    external_id: id,
    name: a.name ?? null,
    start_time: start,
    end_time: new Date(start.getTime() + a.elapsed_time * 1000),
    duration_s: a.elapsed_time,
    moving_time_s: a.moving_time ?? null,
    utc_offset_min: a.utc_offset != null ? Math.round(a.utc_offset / 60) : null,
    sport,
    source_sport: a.sport_type ?? a.type ?? null,
    sport_category: category,
    distance_m: a.distance ?? null,
    calories_kcal: a.calories ?? null,
    avg_hr: a.average_heartrate ?? null,
    max_hr: a.max_heartrate ?? null,
    elevation_gain_m: a.total_elevation_gain != null && a.total_elevation_gain >= 0 ? a.total_elevation_gain : null,
    avg_power_w: a.average_watts ?? null,
    max_power_w: a.max_watts ?? null,
    avg_cadence: a.average_cadence ?? null,
    external_ids: stravaExternalIds(id, a.external_id),
    raw_data: { ...redact(raw as Record<string, unknown>), via: 'strava_api' },
    has_gps: hasGps,
    // Estimated watts (device_watts false) are not a power meter.
    has_power: a.device_watts === true,
  };
}

/** Build a columnar stream from a `key_by_type=true` streams response. */
export function stravaStreams(externalId: string, start: Date, raw: unknown): WorkoutStream {
  const s = parseRaw(StreamSet, raw, `strava streams of ${externalId}`);
  const t = s.time?.data ?? [];
  const n = t.length;
  const col = (key: string, pick: (v: unknown) => unknown = (v) => v): Float64Array | undefined => {
    const d = s[key]?.data;
    if (!d) return undefined;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = pick(d[i]);
      out[i] = typeof v === 'number' && Number.isFinite(v) ? v : NaN;
    }
    return out;
  };
  const time = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = t[i];
    time[i] = typeof v === 'number' ? start.getTime() + v * 1000 : NaN;
  }
  const channels: WorkoutStream['channels'] = {};
  const put = (name: keyof WorkoutStream['channels'], arr: Float64Array | undefined): void => {
    if (arr) channels[name] = arr;
  };
  put('lat', col('latlng', (v) => (Array.isArray(v) ? v[0] : undefined)));
  put('lon', col('latlng', (v) => (Array.isArray(v) ? v[1] : undefined)));
  put('altitude_m', col('altitude'));
  put('distance_m', col('distance'));
  put('speed_mps', col('velocity_smooth'));
  put('hr', col('heartrate'));
  put('power_w', col('watts'));
  put('cadence', col('cadence'));
  return { source: SOURCE, external_id: externalId, time, channels };
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
    return transformStravaActivity(raw);
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
          const w = transformStravaActivity(raw);
          if (!inRange(w.start_time, range)) continue;
          w.input = input;
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
      result.streams.push(stravaStreams(w.external_id, w.start_time, res.data));
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
    fetchStreams: ['true', '1'].includes(env.STRAVA_FETCH_STREAMS ?? env.ENABLE_GPS_ANALYSIS ?? 'true'),
    tokenStore: new TokenStore(defaultTokenStorePath(env)),
    ...overrides,
  });
}
