/**
 * Google Health API v4 (`users/me/dataTypes/{type}/dataPoints`): fetch, page
 * and authenticate, then hand the data points to `map.ts`. It reads the
 * first-party list, not `dataPoints:reconcile`, which already merges
 * overlapping sources: our own deduplication should see each device's record.
 * An exercise with GPS brings its TCX (`:exportExerciseTcx`), and the
 * heart-rate samples inside it become its stream when the track has none.
 */
import { z } from 'zod';
import { emptyResult, type ParseResult, type SourceWorkoutInput } from '../../core/models.ts';
import { redact } from '../../core/redact.ts';
import { parseTcx } from '../../formats/tcx.ts';
import { inRange, itemError, nextDay, parseRaw, utcDay, type ApiSettings, type BaseConnector, type DateRange, type FetchOptions, type Page } from '../base.ts';
import { AuthError, HttpClient, HttpError } from '../http/http.ts';
import { OAuthConnector, OAuth2Session } from '../http/oauth2.ts';
import { chain, nextTokens, type ChainPart } from '../http/paginate.ts';
import { tokenStoreFor, type TokenEntry } from '../http/token_store.ts';
import { SOURCE } from './index.ts';
import { addHeartRatePoint, mapExercise, mapReadings, pointId, trackFromTcx, type ExerciseTrack, type HeartRateSamples, type ReadingType } from './map.ts';

/** Read-only scopes: exercise and heart rate, body and vitals, sleep, and GPS tracks (REST reference, discovery `auth.oauth2.scopes`). */
export const GOOGLE_HEALTH_SCOPES = [
  'https://www.googleapis.com/auth/googlehealth.activity_and_fitness.readonly',
  'https://www.googleapis.com/auth/googlehealth.health_metrics_and_measurements.readonly',
  'https://www.googleapis.com/auth/googlehealth.sleep.readonly',
  'https://www.googleapis.com/auth/googlehealth.location.readonly',
];

/** What a sync says when Google refuses the saved refresh token. */
export const SIGN_IN_EXPIRED =
  'Google no longer accepts the saved sign-in. Refresh tokens of a Google Cloud project in testing mode expire after 7 days; run "athlete auth google_health" to sign in again.';

/** Page sizes: `exercise` and `sleep` allow at most 25, other types 10000 (dataPoints.list, `pageSize`). */
const SESSION_PAGE = 25;
const DAILY_PAGE = 1000;
const SAMPLE_PAGE = 10000;
/** The widest UTC offsets (UTC-12 to UTC+14): a civil-time filter is widened by this much either side. */
const MAX_OFFSET_MS = 14 * 3_600_000;

const ListResponse = z.looseObject({ dataPoints: z.array(z.unknown()).nullish(), nextPageToken: z.string().nullish() });

/** Settings of the Google Health connector. */
export interface GoogleHealthSettings extends ApiSettings {
  /** Google's OAuth consent page. */
  authorizeUrl?: string;
  /** Google's OAuth token endpoint. */
  tokenUrl?: string;
}

function pathOf(type: string): string {
  return `/v4/users/me/dataTypes/${type}/dataPoints`;
}

/** RFC 3339 in whole seconds, as the filter examples write it. */
function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A filter `field >= from AND field < to` (AIP-160, as dataPoints.list documents it). */
function between(field: string, from: string, to: string): string {
  return `${field} >= "${from}" AND ${field} < "${to}"`;
}

/** Filters per data type: exercises by civil start (the only session start filter), sleep by end, days by date, samples by instant. */
function filterOf(type: string, range: DateRange): string {
  const civil = (ms: number) => new Date(ms).toISOString().slice(0, 19);
  const snake = type.replace(/-/g, '_');
  if (type === 'exercise') return between('exercise.interval.civil_start_time', civil(range.start.getTime() - MAX_OFFSET_MS), civil(range.end.getTime() + MAX_OFFSET_MS));
  if (type === 'sleep') return between('sleep.interval.end_time', rfc3339(range.start), rfc3339(range.end));
  if (type.startsWith('daily-')) return between(`${snake}.date`, utcDay(range.start), nextDay(utcDay(range.end)));
  return between(`${snake}.sample_time.physical_time`, rfc3339(range.start), rfc3339(range.end));
}

function recordName(raw: unknown, i: number): string {
  const name = raw && typeof raw === 'object' ? (raw as { name?: unknown }).name : undefined;
  return typeof name === 'string' && name ? `dataPoint ${pointId(name)}` : `item ${i + 1}`;
}

/** Google's session, saying plainly when a saved refresh token has been refused (testing-mode projects: after 7 days). */
class GoogleHealthSession extends OAuth2Session {
  override async refresh(): Promise<TokenEntry> {
    const saved = await this.store.get(this.provider.source);
    try {
      return await super.refresh();
    } catch (e) {
      if (e instanceof AuthError && saved?.refresh_token && /refused/.test(e.message)) throw new AuthError(SOURCE, SIGN_IN_EXPIRED);
      throw e;
    }
  }
}

/** The Google Health connector. */
export class GoogleHealthConnector extends OAuthConnector implements BaseConnector {
  readonly source = SOURCE;
  readonly session: OAuth2Session;
  private readonly http: HttpClient;

  constructor(override readonly settings: GoogleHealthSettings) {
    super(settings);
    this.session = new GoogleHealthSession(
      {
        source: SOURCE,
        authorizeUrl: settings.authorizeUrl ?? 'https://accounts.google.com/o/oauth2/v2/auth',
        tokenUrl: settings.tokenUrl ?? 'https://oauth2.googleapis.com/token',
        clientId: settings.clientId ?? '',
        clientSecret: settings.clientSecret ?? '',
        scopes: settings.scopes ?? GOOGLE_HEALTH_SCOPES,
        // Installed apps use PKCE with a loopback redirect; `access_type=offline` is what yields a refresh token
        // (Google Identity, "OAuth 2.0 for Mobile & Desktop Apps").
        pkce: true,
        extraAuthorizeParams: { access_type: 'offline', prompt: 'consent' },
        redirectPort: settings.redirectPort,
      },
      settings.tokenStore,
      settings.http,
    );
    this.http = new HttpClient({ ...settings.http, source: SOURCE, baseUrl: settings.baseUrl, rateLimit: 'standard', auth: this.session });
  }

  transformWorkout(raw: unknown): SourceWorkoutInput {
    return mapExercise(raw, { rawData: redact(raw) }).workout;
  }

  /** Exercises started in the range, each with its track (when it has GPS) and the heart rate inside it. */
  async *fetchWorkouts(range: DateRange, opts: FetchOptions = {}): AsyncIterable<Page> {
    const url = this.http.urlOf(pathOf('exercise'));
    for await (const b of this.list('exercise', filterOf('exercise', range), SESSION_PAGE, opts.cursor ?? null, opts.signal)) {
      const result = emptyResult();
      for (const [i, raw] of b.items.entries()) {
        const record = recordName(raw, i);
        let workout: SourceWorkoutInput;
        try {
          workout = this.transformWorkout(raw);
        } catch (e) {
          result.errors.push(itemError(url, record, e));
          continue;
        }
        if (!inRange(workout.start_time, range)) continue;
        const track = (raw as { exercise: { exerciseMetadata?: { hasGps?: boolean } } }).exercise.exerciseMetadata?.hasGps
          ? await this.track(workout.external_id, url, record, result, opts.signal)
          : null;
        const trackHasHr = track?.stream.channels.hr?.some((v) => !Number.isNaN(v)) ?? false;
        const heartRate = trackHasHr ? null : await this.heartRate(workout.start_time, workout.end_time, result, opts.signal);
        const { workout: w, stream } = mapExercise(raw, { rawData: redact(raw), input: url }, { track, heartRate });
        result.workouts.push(w);
        if (stream) result.streams.push(stream);
      }
      yield { result, cursor: b.cursor };
    }
  }

  /** Sleep, then daily resting heart rate, daily HRV, weight and body fat, behind one cursor. */
  async *fetchBiometrics(range: DateRange, opts: FetchOptions = {}): AsyncIterable<Page> {
    const part = (type: ReadingType): ChainPart<ParseResult> => ({
      key: type,
      run: (cursor) => this.readings(type, range, cursor, opts.signal),
    });
    const parts = (['sleep', 'daily-resting-heart-rate', 'daily-heart-rate-variability', 'weight', 'body-fat'] as const).map(part);
    for await (const { page, cursor } of chain(parts, opts.cursor)) yield { result: page, cursor };
  }

  private async *readings(type: ReadingType, range: DateRange, cursor: string | null, signal?: AbortSignal): AsyncGenerator<{ page: ParseResult; cursor: string | null }> {
    const url = this.http.urlOf(pathOf(type));
    for await (const b of this.list(type, filterOf(type, range), type === 'sleep' ? SESSION_PAGE : DAILY_PAGE, cursor, signal)) {
      const page = emptyResult();
      for (const [i, raw] of b.items.entries()) {
        try {
          page.biometrics.push(...mapReadings(type, raw, { rawData: redact(raw), input: url }));
        } catch (e) {
          page.errors.push(itemError(url, recordName(raw, i), e));
        }
      }
      yield { page, cursor: b.cursor };
    }
  }

  private list(type: string, filter: string, pageSize: number, cursor: string | null, signal?: AbortSignal) {
    const path = pathOf(type);
    return nextTokens(async (token) => {
      const res = await this.http.json(path, { params: { filter, pageSize, pageToken: token }, signal });
      const body = parseRaw(ListResponse, res.data, `google health ${type} list`);
      return { items: body.dataPoints ?? [], next: body.nextPageToken };
    }, cursor);
  }

  /** The exercise's TCX; a track Google cannot give (404, 403) is reported and the exercise kept without it. */
  private async track(id: string, url: string, record: string, result: ParseResult, signal?: AbortSignal): Promise<ExerciseTrack | null> {
    const path = `${pathOf('exercise')}/${encodeURIComponent(id)}:exportExerciseTcx`;
    let bytes: Uint8Array;
    try {
      bytes = await this.http.bytes(path, { params: { alt: 'media' }, signal });
    } catch (e) {
      if (e instanceof HttpError && e.status !== null && e.status < 500) {
        result.errors.push(itemError(url, record, new Error(`track not fetched (${e.message}); the exercise is kept without it`)));
        return null;
      }
      throw e;
    }
    const parsed = parseTcx(bytes, this.http.urlOf(path), { source: SOURCE });
    result.errors.push(...parsed.errors);
    return trackFromTcx(parsed);
  }

  /** The heart-rate samples of [start, end), every page. */
  private async heartRate(start: Date, end: Date, result: ParseResult, signal?: AbortSignal): Promise<HeartRateSamples> {
    const samples: HeartRateSamples = { time: [], bpm: [] };
    const url = this.http.urlOf(pathOf('heart-rate'));
    for await (const b of this.list('heart-rate', filterOf('heart-rate', { start, end }), SAMPLE_PAGE, null, signal)) {
      for (const [i, raw] of b.items.entries()) {
        try {
          addHeartRatePoint(raw, samples);
        } catch (e) {
          result.errors.push(itemError(url, recordName(raw, i), e));
        }
      }
    }
    return samples;
  }
}

/** A Google Health connector from environment variables. */
export function fromEnv(env: Record<string, string | undefined>, overrides: Partial<GoogleHealthSettings> = {}): GoogleHealthConnector {
  return new GoogleHealthConnector({
    baseUrl: env.GOOGLE_HEALTH_BASE_URL || 'https://health.googleapis.com',
    authorizeUrl: env.GOOGLE_HEALTH_AUTHORIZE_URL || undefined,
    tokenUrl: env.GOOGLE_HEALTH_TOKEN_URL || undefined,
    clientId: env.GOOGLE_HEALTH_CLIENT_ID,
    clientSecret: env.GOOGLE_HEALTH_CLIENT_SECRET,
    redirectPort: env.GOOGLE_HEALTH_REDIRECT_PORT ? Number(env.GOOGLE_HEALTH_REDIRECT_PORT) : undefined,
    tokenStore: tokenStoreFor(env),
    ...overrides,
  });
}
