/**
 * WHOOP API v2: workouts, sleeps, recoveries and cycles, each a collection
 * paged with `nextToken`. Only records with `score_state` SCORED carry a score.
 */
import { z } from 'zod';
import { SOURCE } from './index.ts';
import { emptyResult, METRIC_UNITS, type BiometricReadingInput, type MetricType, type ParseResult, type SourceWorkoutInput } from '../../core/models.ts';
import { mapSport } from '../../core/sports.ts';
import {
  inRange,
  itemError,
  localDay,
  parseOffset,
  parseRaw,
  type ApiSettings,
  type BaseConnector,
  type DateRange,
  type EnvVar,
  type FetchOptions,
  type Page,
} from '../base.ts';
import { HttpClient } from '../http/http.ts';
import { OAuthConnector, OAuth2Session } from '../http/oauth2.ts';
import { chain, nextTokens, type ChainPart } from '../http/paginate.ts';
import { redact } from '../../core/redact.ts';
import { defaultTokenStorePath, TokenStore } from '../http/token_store.ts';

/** Default scopes; `offline` yields a refresh token. */
export const WHOOP_SCOPES = ['read:recovery', 'read:cycles', 'read:sleep', 'read:workout', 'read:profile', 'read:body_measurement', 'offline'];

const PAGE_LIMIT = 25;
const num = z.number().finite();
const instant = z.iso.datetime({ offset: true });
const scoreState = z.enum(['SCORED', 'PENDING_SCORE', 'UNSCORABLE']);

/** A v2 workout record. */
export const WhoopWorkout = z.looseObject({
  id: z.string().min(1),
  start: instant,
  end: instant,
  timezone_offset: z.string().nullish(),
  sport_name: z.string().nullish(),
  sport_id: z.number().nullish(),
  score_state: scoreState,
  score: z
    .looseObject({
      strain: num.nullish(),
      average_heart_rate: num.nullish(),
      max_heart_rate: num.nullish(),
      kilojoule: num.nonnegative().nullish(),
      distance_meter: num.nonnegative().nullish(),
      altitude_gain_meter: num.nullish(),
    })
    .nullish(),
});

const WhoopSleep = z.looseObject({
  id: z.string().min(1),
  start: instant,
  end: instant,
  timezone_offset: z.string().nullish(),
  nap: z.boolean().nullish(),
  score_state: scoreState,
  score: z
    .looseObject({
      stage_summary: z.looseObject({
        total_in_bed_time_milli: num,
        total_awake_time_milli: num,
        total_light_sleep_time_milli: num,
        total_slow_wave_sleep_time_milli: num,
        total_rem_sleep_time_milli: num,
      }),
      respiratory_rate: num.nullish(),
      sleep_performance_percentage: num.nullish(),
      sleep_efficiency_percentage: num.nullish(),
    })
    .nullish(),
});
type WhoopSleep = z.infer<typeof WhoopSleep>;

const WhoopRecovery = z.looseObject({
  cycle_id: z.union([z.number(), z.string()]),
  sleep_id: z.string().min(1),
  score_state: scoreState,
  score: z
    .looseObject({
      user_calibrating: z.boolean().nullish(),
      recovery_score: num,
      resting_heart_rate: num,
      hrv_rmssd_milli: num,
      spo2_percentage: num.nullish(),
      skin_temp_celsius: num.nullish(),
    })
    .nullish(),
});

const WhoopCycle = z.looseObject({
  id: z.union([z.number(), z.string()]),
  start: instant,
  end: instant.nullish(),
  timezone_offset: z.string().nullish(),
  score_state: scoreState,
  score: z.looseObject({ strain: num }).nullish(),
});

const Collection = z.looseObject({ records: z.array(z.unknown()), next_token: z.string().nullish() });

/** kJ to kcal: 1 kcal = 4.184 kJ (thermochemical calorie). */
const KJ_PER_KCAL = 4.184;

/** Map one v2 workout to a canonical workout (`whoop:<uuid>`; the start instant is kept for the CSV importer's key). */
export function transformWhoopWorkout(raw: unknown): SourceWorkoutInput {
  const w = parseRaw(WhoopWorkout, raw, 'whoop workout');
  const start = new Date(w.start);
  const end = new Date(w.end);
  const s = w.score_state === 'SCORED' ? w.score : null;
  const { sport, category } = mapSport(w.sport_name ?? null);
  return {
    source: SOURCE,
    external_id: `whoop:${w.id}`,
    name: w.sport_name ?? null,
    start_time: start,
    end_time: end,
    duration_s: Math.max(0, (end.getTime() - start.getTime()) / 1000),
    utc_offset_min: parseOffset(w.timezone_offset),
    sport,
    source_sport: w.sport_name ?? null,
    sport_category: category,
    distance_m: s?.distance_meter ?? null,
    calories_kcal: s?.kilojoule != null ? s.kilojoule / KJ_PER_KCAL : null,
    avg_hr: s?.average_heart_rate ?? null,
    max_hr: s?.max_heart_rate ?? null,
    elevation_gain_m: s?.altitude_gain_meter != null && s.altitude_gain_meter >= 0 ? s.altitude_gain_meter : null,
    external_ids: { whoop: w.id, whoop_start: start.toISOString() },
    raw_data: redact(raw),
  };
}

function reading(date: string, metric: MetricType, value: number | null | undefined, time: Date | null, raw: unknown, confidence = 1): BiometricReadingInput[] {
  if (value == null || !Number.isFinite(value)) return [];
  return [{ date, time, metric_type: metric, value, unit: METRIC_UNITS[metric], source: SOURCE, confidence, raw_data: raw }];
}

function sleepDay(s: WhoopSleep): string {
  return localDay(new Date(s.end), parseOffset(s.timezone_offset) ?? 0);
}

/** Sleep metrics of one scored, non-nap sleep, on the day of waking (stage durations ms → s). */
export function whoopSleepReadings(raw: unknown): BiometricReadingInput[] {
  const s = parseRaw(WhoopSleep, raw, 'whoop sleep');
  if (s.score_state !== 'SCORED' || !s.score || s.nap) return [];
  const st = s.score.stage_summary;
  const day = sleepDay(s);
  const end = new Date(s.end);
  const r = redact(raw);
  const asleep = st.total_light_sleep_time_milli + st.total_slow_wave_sleep_time_milli + st.total_rem_sleep_time_milli;
  return [
    ...reading(day, 'sleep_duration', asleep / 1000, end, r),
    ...reading(day, 'sleep_in_bed', st.total_in_bed_time_milli / 1000, end, r),
    ...reading(day, 'sleep_awake', st.total_awake_time_milli / 1000, end, r),
    ...reading(day, 'sleep_light', st.total_light_sleep_time_milli / 1000, end, r),
    ...reading(day, 'sleep_deep', st.total_slow_wave_sleep_time_milli / 1000, end, r),
    ...reading(day, 'sleep_rem', st.total_rem_sleep_time_milli / 1000, end, r),
    ...reading(day, 'sleep_efficiency', s.score.sleep_efficiency_percentage, end, r),
    ...reading(day, 'sleep_score', s.score.sleep_performance_percentage, end, r),
    ...reading(day, 'respiratory_rate', s.score.respiratory_rate, end, r),
  ];
}

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
    return transformWhoopWorkout(raw);
  }

  async *fetchWorkouts(range: DateRange, opts: FetchOptions = {}): AsyncIterable<Page> {
    const path = '/developer/v2/activity/workout';
    for await (const b of this.collection(path, range, opts.cursor ?? null, opts.signal)) {
      const result = emptyResult();
      for (const [i, raw] of b.items.entries()) {
        try {
          const w = transformWhoopWorkout(raw);
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

  /** Sleeps, then recoveries (placed on the day of waking of their sleep), then cycles (day strain). */
  async *fetchBiometrics(range: DateRange, opts: FetchOptions = {}): AsyncIterable<Page> {
    const sleepDays = new Map<string, string>();
    const part = (key: string, path: string, map: (raw: unknown, out: ParseResult) => Promise<void>): ChainPart<ParseResult> => ({
      key,
      run: (cursor) => this.mapped(path, range, cursor, opts.signal, map),
    });
    const parts = [
      part('sleep', '/developer/v2/activity/sleep', async (raw, out) => {
        const s = WhoopSleep.safeParse(raw);
        if (s.success && !s.data.nap) sleepDays.set(s.data.id, sleepDay(s.data));
        out.biometrics.push(...whoopSleepReadings(raw));
      }),
      part('recovery', '/developer/v2/recovery', async (raw, out) => {
        const r = parseRaw(WhoopRecovery, raw, 'whoop recovery');
        if (r.score_state !== 'SCORED' || !r.score) return;
        const day = sleepDays.get(r.sleep_id) ?? (await this.sleepDayById(r.sleep_id, opts.signal));
        const sc = r.score;
        const red = redact(raw);
        // Scores are provisional while WHOOP is still calibrating to the user.
        const conf = sc.user_calibrating ? 0.5 : 1;
        out.biometrics.push(
          ...reading(day, 'recovery_score', sc.recovery_score, null, red, conf),
          ...reading(day, 'resting_hr', sc.resting_heart_rate, null, red, conf),
          ...reading(day, 'hrv_rmssd', sc.hrv_rmssd_milli, null, red, conf),
          ...reading(day, 'spo2', sc.spo2_percentage, null, red, conf),
          ...reading(day, 'skin_temp', sc.skin_temp_celsius, null, red, conf),
        );
      }),
      part('cycle', '/developer/v2/cycle', async (raw, out) => {
        const c = parseRaw(WhoopCycle, raw, 'whoop cycle');
        if (c.score_state !== 'SCORED' || !c.score) return;
        // A cycle starts at sleep onset, usually the evening before; +12 h lands on the day it is named for.
        const day = localDay(new Date(Date.parse(c.start) + 12 * 3_600_000), parseOffset(c.timezone_offset) ?? 0);
        out.biometrics.push(...reading(day, 'day_strain', c.score.strain, new Date(c.start), redact(raw)));
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

  private async sleepDayById(id: string, signal?: AbortSignal): Promise<string> {
    const res = await this.http.json(`/developer/v2/activity/sleep/${encodeURIComponent(id)}`, { signal });
    return sleepDay(parseRaw(WhoopSleep, res.data, `whoop sleep ${id}`));
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
    tokenStore: new TokenStore(defaultTokenStorePath(env)),
    ...overrides,
  });
}
