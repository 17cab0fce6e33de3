/**
 * Oura API v2 usercollections (`start_date`/`end_date`/`next_token`). The
 * daily collections are described as data; sleep periods and workouts have
 * their own mapping. Personal access tokens still work but are deprecated.
 */
import { z } from 'zod';
import { emptyResult, METRIC_UNITS, type BiometricReadingInput, type MetricType, type ParseResult, type SourceWorkoutInput } from '../../core/models.ts';
import { mapSport } from '../../core/sports.ts';
import { inRange, itemError, nextDay, parseOffset, parseRaw, utcDay, type ApiSettings, type BaseConnector, type DateRange, type EnvVar, type FetchOptions, type Page } from '../base.ts';
import { HttpClient } from '../http/http.ts';
import { OAuthConnector, OAuth2Session } from '../http/oauth2.ts';
import { chain, nextTokens, type ChainPart } from '../http/paginate.ts';
import { redact } from '../../core/redact.ts';
import { defaultTokenStorePath, TokenStore } from '../http/token_store.ts';
import { SOURCE } from './index.ts';

/** Default scopes. */
export const OURA_SCOPES = ['personal', 'daily', 'heartrate', 'workout', 'session', 'spo2'];

const num = z.number().finite();
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const Collection = z.looseObject({ data: z.array(z.unknown()), next_token: z.string().nullish() });

/** A workout as `/v2/usercollection/workout` returns it. */
export const OuraWorkout = z.looseObject({
  id: z.string().min(1),
  activity: z.string().min(1),
  calories: num.nonnegative().nullish(),
  day,
  distance: num.nonnegative().nullish(),
  start_datetime: z.iso.datetime({ offset: true }),
  end_datetime: z.iso.datetime({ offset: true }),
  intensity: z.string().nullish(),
  label: z.string().nullish(),
  source: z.string().nullish(),
});

const OuraSleep = z.looseObject({
  id: z.string(),
  day,
  type: z.string().nullish(),
  bedtime_end: z.string().nullish(),
  average_hrv: num.nullish(),
  lowest_heart_rate: num.nullish(),
  average_breath: num.nullish(),
  total_sleep_duration: num.nullish(),
  time_in_bed: num.nullish(),
  awake_time: num.nullish(),
  light_sleep_duration: num.nullish(),
  deep_sleep_duration: num.nullish(),
  rem_sleep_duration: num.nullish(),
  efficiency: num.nullish(),
});

const Daily = z.looseObject({ id: z.string(), day, score: num.nullish(), steps: num.nullish() });

/** A daily collection: which field becomes which metric. */
interface DailySpec {
  path: string;
  metrics: Array<[field: 'score' | 'steps', metric: MetricType]>;
}

/** The regular collections, as data. */
export const DAILY_COLLECTIONS: Record<string, DailySpec> = {
  daily_sleep: { path: '/v2/usercollection/daily_sleep', metrics: [['score', 'sleep_score']] },
  daily_readiness: { path: '/v2/usercollection/daily_readiness', metrics: [['score', 'readiness_score']] },
  daily_activity: { path: '/v2/usercollection/daily_activity', metrics: [['steps', 'steps']] },
};

/** Map one Oura workout to a canonical workout. */
export function transformOuraWorkout(raw: unknown): SourceWorkoutInput {
  const w = parseRaw(OuraWorkout, raw, 'oura workout');
  const start = new Date(w.start_datetime);
  const end = new Date(w.end_datetime);
  const { sport, category } = mapSport(w.activity);
  return {
    source: SOURCE,
    external_id: w.id,
    name: w.label ?? null,
    start_time: start,
    end_time: end,
    duration_s: Math.max(0, (end.getTime() - start.getTime()) / 1000),
    utc_offset_min: parseOffset(w.start_datetime),
    sport,
    source_sport: w.activity,
    sport_category: category,
    distance_m: w.distance ?? null,
    calories_kcal: w.calories ?? null,
    external_ids: { oura: w.id },
    raw_data: redact(raw),
  };
}

function reading(date: string, metric: MetricType, value: number | null | undefined, raw: unknown): BiometricReadingInput[] {
  if (value == null || !Number.isFinite(value)) return [];
  return [{ date, metric_type: metric, value, unit: METRIC_UNITS[metric], source: SOURCE, raw_data: raw }];
}

/** Metrics of one sleep period; only the main sleep (`long_sleep`) counts for the day. */
export function ouraSleepReadings(raw: unknown): BiometricReadingInput[] {
  const s = parseRaw(OuraSleep, raw, 'oura sleep');
  if (s.type != null && s.type !== 'long_sleep') return [];
  const r = redact(raw);
  return [
    ...reading(s.day, 'hrv_rmssd', s.average_hrv, r),
    ...reading(s.day, 'resting_hr', s.lowest_heart_rate, r),
    ...reading(s.day, 'respiratory_rate', s.average_breath, r),
    ...reading(s.day, 'sleep_duration', s.total_sleep_duration, r),
    ...reading(s.day, 'sleep_in_bed', s.time_in_bed, r),
    ...reading(s.day, 'sleep_awake', s.awake_time, r),
    ...reading(s.day, 'sleep_light', s.light_sleep_duration, r),
    ...reading(s.day, 'sleep_deep', s.deep_sleep_duration, r),
    ...reading(s.day, 'sleep_rem', s.rem_sleep_duration, r),
    ...reading(s.day, 'sleep_efficiency', s.efficiency, r),
  ];
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
    return transformOuraWorkout(raw);
  }

  async *fetchWorkouts(range: DateRange, opts: FetchOptions = {}): AsyncIterable<Page> {
    const path = '/v2/usercollection/workout';
    for await (const { page, cursor } of this.mapped(path, range, opts.cursor ?? null, opts.signal, (raw, out) => {
      const w = transformOuraWorkout(raw);
      if (!inRange(w.start_time, range)) return;
      w.input = this.http.urlOf(path);
      out.workouts.push(w);
    })) {
      yield { result: page, cursor };
    }
  }

  async *fetchBiometrics(range: DateRange, opts: FetchOptions = {}): AsyncIterable<Page> {
    const first = utcDay(range.start);
    const last = utcDay(range.end);
    // Days are half-open like the range: the day of `range.end` belongs to the next window.
    const dayIn = (d: string): boolean => d >= first && d < last;
    const parts: ChainPart<ParseResult>[] = [
      {
        key: 'sleep',
        run: (c) =>
          this.mapped('/v2/usercollection/sleep', range, c, opts.signal, (raw, out) => {
            for (const b of ouraSleepReadings(raw)) if (dayIn(b.date)) out.biometrics.push(b);
          }),
      },
      ...Object.entries(DAILY_COLLECTIONS).map(([key, spec]): ChainPart<ParseResult> => ({
        key,
        run: (c) =>
          this.mapped(spec.path, range, c, opts.signal, (raw, out) => {
            const d = parseRaw(Daily, raw, `oura ${key}`);
            if (!dayIn(d.day)) return;
            const r = redact(raw);
            for (const [field, metric] of spec.metrics) out.biometrics.push(...reading(d.day, metric, d[field], r));
          }),
      })),
    ];
    for await (const { page, cursor } of chain(parts, opts.cursor)) yield { result: page, cursor };
  }

  private async *mapped(
    path: string,
    range: DateRange,
    cursor: string | null,
    signal: AbortSignal | undefined,
    map: (raw: unknown, out: ParseResult) => void,
  ): AsyncGenerator<{ page: ParseResult; cursor: string | null }> {
    const url = this.http.urlOf(path);
    const pages = nextTokens(async (token) => {
      const res = await this.http.json(path, {
        // Ask one day past the end: whether Oura's end_date is inclusive differs between collections; we filter.
        params: { start_date: utcDay(range.start), end_date: nextDay(utcDay(range.end)), next_token: token },
        signal,
      });
      const c = parseRaw(Collection, res.data, `oura ${path}`);
      return { items: c.data, next: c.next_token };
    }, cursor);
    for await (const b of pages) {
      const out = emptyResult();
      for (const [i, raw] of b.items.entries()) {
        try {
          map(raw, out);
        } catch (e) {
          const id = raw && typeof raw === 'object' ? (raw as { id?: unknown }).id : undefined;
          out.errors.push(itemError(url, id != null ? `record ${String(id)}` : `item ${i}`, e));
        }
      }
      for (const x of out.biometrics) x.input = url;
      yield { page: out, cursor: b.cursor };
    }
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
    tokenStore: new TokenStore(defaultTokenStorePath(env)),
    ...overrides,
  });
}
