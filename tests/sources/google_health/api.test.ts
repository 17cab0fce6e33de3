/**
 * The Google Health connector against a fake Google Health API and Google
 * OAuth on 127.0.0.1: PKCE with a loopback redirect and read-only scopes,
 * paged first-party lists with the documented filters, a saved cursor,
 * 429/5xx/malformed answers, and a refresh token Google no longer accepts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GoogleHealthConnector, GOOGLE_HEALTH_SCOPES, SIGN_IN_EXPIRED } from '../../../lib/sources/google_health/api.ts';
import { authenticateSource } from '../../../lib/sources/auth_flow.ts';
import { AuthError, HttpError, RateLimitError, ResponseFormatError } from '../../../lib/sources/http/http.ts';
import { syncConnector } from '../../../lib/ingest/sync.ts';
import { Warehouse } from '../../../lib/core/warehouse.ts';
import { googleError, startGoogleHealthFake, type GoogleHealthFake } from '../../fakes/google_health.ts';
import { drain, dump, modeOf, quickHttp, range, tempStore } from '../helpers.ts';
import { NIGHT, RUN, WALK, exercisePoint, exerciseHr, fitbitTcx, heartRatePoints, sleepPoint, type ExerciseSpec } from './samples.ts';

const SECRET = 'csecret-google-health-321';
const LIST = (type: string) => `/v4/users/me/dataTypes/${type}/dataPoints`;
let gf: GoogleHealthFake;
let ts: ReturnType<typeof tempStore>;

function connector(over: Partial<ConstructorParameters<typeof GoogleHealthConnector>[0]> = {}) {
  const http = quickHttp();
  const c = new GoogleHealthConnector({
    baseUrl: gf.fake.url,
    authorizeUrl: `${gf.fake.url}/o/oauth2/v2/auth`,
    tokenUrl: `${gf.fake.url}/token`,
    clientId: 'cid-google-health',
    clientSecret: SECRET,
    tokenStore: ts.store,
    http,
    ...over,
  });
  return { c, http };
}
async function saveTokens(expiresIn = 3600): Promise<void> {
  await ts.store.set('google_health', { access_token: gf.oauth.accessToken, refresh_token: gf.oauth.refreshToken, expires_at: Math.floor(Date.now() / 1000) + expiresIn });
}
/** Thirty GPS-less runs, one a day from 2024-03-01, each with its heart rate. */
function seedRuns(n = 30): ExerciseSpec[] {
  const runs = Array.from({ length: n }, (_, i) => ({ ...WALK, logId: String(60_000_000_000 + i), name: 'Run', exerciseType: 'RUNNING', startUtc: new Date(Date.UTC(2024, 2, 1 + i, 6)).toISOString() }));
  gf.points.exercise = runs.map(exercisePoint);
  gf.points['heart-rate'] = runs.flatMap((r) => heartRatePoints(exerciseHr(r), r.offsetMin));
  return runs;
}

beforeEach(async () => {
  gf = await startGoogleHealthFake();
  ts = tempStore();
  for (const t of ['exercise', 'heart-rate', 'sleep', 'daily-resting-heart-rate', 'daily-heart-rate-variability', 'weight', 'body-fat']) gf.points[t] = [];
});
afterEach(async () => {
  await gf.fake.close();
  ts.cleanup();
});

describe('google_health OAuth', () => {
  it('asks for read-only scopes with PKCE and offline access, and saves the tokens owner-only', async () => {
    const { c } = connector();
    let url = '';
    const done = c.authorize({ onUrl: (u) => (url = u) });
    await new Promise((r) => setTimeout(r, 20));
    const u = new URL(url);
    expect(u.pathname).toBe('/o/oauth2/v2/auth');
    expect(u.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(u.searchParams.get('code_challenge_method')).toBe('S256');
    expect(u.searchParams.get('access_type')).toBe('offline');
    const scopes = u.searchParams.get('scope')!.split(' ');
    expect(scopes).toEqual(GOOGLE_HEALTH_SCOPES);
    expect(scopes.every((s) => s.startsWith('https://www.googleapis.com/auth/googlehealth.') && s.endsWith('.readonly'))).toBe(true);
    expect((await fetch(url)).status).toBe(200);
    await done;
    const token = gf.fake.requests.find((r) => r.path === '/token')!;
    expect(new URLSearchParams(token.body).get('code_verifier')).toBeTruthy();
    expect((await ts.store.get('google_health'))?.access_token).toBe(gf.oauth.accessToken);
    expect(modeOf(ts.path)).toBe(0o600);
  });

  it('athlete auth google_health runs the same flow; an unticked scope is refused, naming it', async () => {
    const env = {
      GOOGLE_HEALTH_CLIENT_ID: 'cid-google-health',
      GOOGLE_HEALTH_CLIENT_SECRET: SECRET,
      GOOGLE_HEALTH_BASE_URL: gf.fake.url,
      GOOGLE_HEALTH_AUTHORIZE_URL: `${gf.fake.url}/o/oauth2/v2/auth`,
      GOOGLE_HEALTH_TOKEN_URL: `${gf.fake.url}/token`,
      TOKEN_STORE_PATH: ts.path,
    };
    const lines: string[] = [];
    const authorise = async () => {
      lines.length = 0;
      const pending = authenticateSource('google_health', env, { out: (s) => lines.push(s) }, { http: quickHttp() });
      for (let i = 0; i < 200 && !/https?:\/\/\S+/.test(lines.join('\n')); i++) await new Promise((r) => setTimeout(r, 5));
      await fetch(/https?:\/\/\S+/.exec(lines.join('\n'))![0]);
      return pending;
    };
    expect(await authorise()).toMatchObject({ source: 'google_health', ok: true, method: 'oauth' });
    gf.deniedScopes = ['https://www.googleapis.com/auth/googlehealth.location.readonly'];
    const refused = await authorise();
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/location\.readonly were not granted/);
    expect(lines.join('\n')).not.toContain(SECRET);
  });

  it('says plainly that a refused refresh token (7-day testing mode) needs athlete auth google_health', async () => {
    await saveTokens(-10);
    gf.expireRefreshTokens = true;
    seedRuns(1);
    const { c } = connector();
    const err = await drain(c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-04-01T00:00:00Z'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toBe(`google_health: ${SIGN_IN_EXPIRED}`);
    expect((err as Error).message).toContain('athlete auth google_health');
    // The same sentence reaches the sync report and sync_metadata.
    const dir = mkdtempSync(join(tmpdir(), 'gh-sync-'));
    const wh = await Warehouse.open(join(dir, 'w.duckdb'));
    try {
      const r = await syncConnector(wh, connector().c, { athleteId: 'me', days: 30, now: new Date('2024-03-31T00:00:00Z') });
      expect(r).toMatchObject({ status: 'error', message: `google_health: ${SIGN_IN_EXPIRED}` });
      const [row] = await wh.all<{ message: string }>("SELECT message FROM sync_metadata WHERE source = 'google_health'");
      expect(row!.message).toContain('7 days');
    } finally {
      wh.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refreshes an access token that is about to expire, keeping secrets out of results and logs', async () => {
    await saveTokens(60);
    const old = gf.oauth.refreshToken;
    seedRuns(1);
    const { c, http } = connector();
    const pages = await drain(c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-04-01T00:00:00Z')));
    expect(gf.oauth.refreshCount).toBe(1);
    expect(pages.flatMap((p) => p.result.workouts)).toHaveLength(1);
    const text = dump(pages) + dump(http.logs);
    for (const s of [old, gf.oauth.accessToken, gf.oauth.refreshToken, SECRET]) expect(text).not.toContain(s);
  });
});

describe('google_health exercises', () => {
  it('pages the first-party list 25 at a time with the documented civil-time filter, newest first, and resumes from the cursor', async () => {
    const runs = seedRuns(30);
    await saveTokens();
    const { c } = connector();
    const r = range('2024-03-01T00:00:00Z', '2024-04-01T00:00:00Z');
    const pages = await drain(c.fetchWorkouts(r));
    expect(pages.map((p) => p.result.workouts.length)).toEqual([25, 5]);
    expect(pages[1]!.cursor).toBeNull();
    const lists = gf.fake.requests.filter((q) => q.path === LIST('exercise'));
    expect(lists.map((q) => q.query.get('pageSize'))).toEqual(['25', '25']);
    // Civil (local) time widened by 14 h either side; never the reconciled stream.
    expect(lists[0]!.query.get('filter')).toBe('exercise.interval.civil_start_time >= "2024-02-29T10:00:00" AND exercise.interval.civil_start_time < "2024-04-01T14:00:00"');
    expect(gf.fake.requests.some((q) => q.path.includes(':reconcile'))).toBe(false);
    expect(pages[0]!.result.workouts[0]!.external_id).toBe(runs[29]!.logId);
    const w = pages.flatMap((p) => p.result.workouts).find((x) => x.external_id === runs[0]!.logId)!;
    expect(w).toMatchObject({ source: 'google_health', sport: 'running', utc_offset_min: 600, moving_time_s: 1200, avg_hr: 98, max_hr: 149, has_gps: false });
    expect(w.distance_m).toBeCloseTo(0.8 * 1609.344, 6);
    const st = pages.flatMap((p) => p.result.streams).find((s) => s.external_id === runs[0]!.logId)!;
    expect(Array.from(st.time)).toEqual(exerciseHr(runs[0]!).time);
    const hrList = gf.fake.requests.find((q) => q.path === LIST('heart-rate'))!;
    expect(hrList.query.get('filter')).toMatch(/^heart_rate\.sample_time\.physical_time >= "\S+Z" AND heart_rate\.sample_time\.physical_time < "\S+Z"$/);
    expect(hrList.query.get('pageSize')).toBe('10000');
    const resumed = await drain(c.fetchWorkouts(r, { cursor: pages[0]!.cursor }));
    expect(resumed.flatMap((p) => p.result.workouts).map((x) => x.external_id)).toEqual(runs.slice(0, 5).map((x) => x.logId).reverse());
  });

  it('fetches the TCX of an exercise with GPS and keeps its heart rate, asking for no samples', async () => {
    gf.points.exercise = [exercisePoint(RUN)];
    gf.tcx[RUN.logId] = fitbitTcx(RUN);
    await saveTokens();
    const { c } = connector();
    const [p] = await drain(c.fetchWorkouts(range('2023-04-01T00:00:00Z', '2023-04-30T00:00:00Z')));
    expect(p!.result.workouts[0]).toMatchObject({ external_id: RUN.logId, has_gps: true, utc_offset_min: 600, max_hr: 149 });
    expect(p!.result.streams[0]!.time.length).toBe(360);
    const get = gf.fake.requests.find((q) => q.path.endsWith(':exportExerciseTcx'))!;
    expect(get.query.get('alt')).toBe('media');
    expect(gf.fake.requests.some((q) => q.path === LIST('heart-rate'))).toBe(false);
  });

  it('keeps an exercise whose track Google cannot give, saying so', async () => {
    gf.points.exercise = [exercisePoint(RUN)];
    gf.points['heart-rate'] = heartRatePoints(exerciseHr(RUN), 600);
    await saveTokens();
    const { c } = connector();
    const [p] = await drain(c.fetchWorkouts(range('2023-04-01T00:00:00Z', '2023-04-30T00:00:00Z')));
    expect(p!.result.workouts[0]).toMatchObject({ has_gps: false, max_hr: 149 });
    expect(p!.result.errors).toEqual([expect.objectContaining({ record: `dataPoint ${RUN.logId}`, reason: expect.stringMatching(/track not fetched.*404/) })]);
  });

  it('throws RateLimitError with Retry-After on 429', async () => {
    seedRuns(1);
    await saveTokens();
    gf.fake.inject((q) => q.path === LIST('exercise'), { ...googleError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded'), headers: { 'Retry-After': '37' } });
    const { c } = connector();
    const err = await drain(c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-04-01T00:00:00Z'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).retryAfter).toBe(37);
  });

  it('retries a 5xx with backoff, and gives up with the status after the last attempt', async () => {
    seedRuns(2);
    await saveTokens();
    gf.fake.inject((q) => q.path === LIST('exercise'), googleError(503, 'UNAVAILABLE', 'The service is currently unavailable.'), 2);
    const { c, http } = connector();
    const pages = await drain(c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-04-01T00:00:00Z')));
    expect(pages.flatMap((p) => p.result.workouts)).toHaveLength(2);
    expect(http.delays).toHaveLength(2);
    gf.fake.inject((q) => q.path === LIST('exercise'), googleError(500, 'INTERNAL', 'Internal error encountered.'), 3);
    const err = await drain(connector().c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-04-01T00:00:00Z'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(500);
  });

  it('reports a malformed body, a list of the wrong shape and a bad item, keeping the good items', async () => {
    await saveTokens();
    gf.fake.inject((q) => q.path === LIST('exercise'), { raw: '{"dataPoints": [{"name": "users/me/dataTy' }, 3);
    const { c } = connector();
    const cut = await drain(c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-04-01T00:00:00Z'))).catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(ResponseFormatError);
    gf.fake.inject((q) => q.path === LIST('exercise'), { body: { dataPoints: 'none' } });
    const shape = await drain(c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-04-01T00:00:00Z'))).catch((e: unknown) => e);
    expect((shape as Error).message).toMatch(/google health exercise list: dataPoints/);
    const runs = seedRuns(2);
    const bad = exercisePoint(runs[1]!) as { exercise: Record<string, unknown> };
    delete bad.exercise.displayName;
    gf.points.exercise = [exercisePoint(runs[0]!), bad];
    const [p] = await drain(c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-04-01T00:00:00Z')));
    expect(p!.result.workouts.map((w) => w.external_id)).toEqual([runs[0]!.logId]);
    expect(p!.result.errors).toEqual([expect.objectContaining({ record: `dataPoint ${runs[1]!.logId}`, field: 'exercise.displayName' })]);
  });
});

describe('google_health biometrics', () => {
  it('reads sleep, resting HR, HRV, weight and body fat behind one cursor with each type’s filter', async () => {
    gf.points.sleep = [sleepPoint(NIGHT), sleepPoint({ ...NIGHT, logId: '77', startLocal: '2023-04-09T14:00:00', endLocal: '2023-04-09T14:40:00', main: false })];
    gf.points['daily-resting-heart-rate'] = [{ dailyRestingHeartRate: { date: { year: 2023, month: 4, day: 9 }, beatsPerMinute: '53', dailyRestingHeartRateMetadata: { calculationMethod: 'WITH_SLEEP' } } }];
    gf.points['daily-heart-rate-variability'] = [
      { dailyHeartRateVariability: { date: { year: 2023, month: 4, day: 9 }, averageHeartRateVariabilityMilliseconds: 38.4, nonRemHeartRateBeatsPerMinute: '55', entropy: 2.9 } },
    ];
    gf.points.weight = [{ weight: { sampleTime: { physicalTime: '2023-04-08T21:12:40Z', utcOffset: '36000s' }, weightGrams: 80013.6 } }];
    gf.points['body-fat'] = [{ bodyFat: { sampleTime: { physicalTime: '2023-04-08T21:12:40Z', utcOffset: '36000s' }, percentage: 19.5 } }];
    await saveTokens();
    const { c } = connector();
    const pages = await drain(c.fetchBiometrics(range('2023-04-05T00:00:00Z', '2023-04-12T00:00:00Z')));
    expect(pages.map((p) => p.cursor)).toEqual([
      '{"part":"daily-resting-heart-rate","cursor":null}',
      '{"part":"daily-heart-rate-variability","cursor":null}',
      '{"part":"weight","cursor":null}',
      '{"part":"body-fat","cursor":null}',
      null,
    ]);
    const filters = Object.fromEntries(gf.fake.requests.filter((q) => q.path.startsWith('/v4/')).map((q) => [q.path.split('/')[5], q.query.get('filter')]));
    expect(filters).toEqual({
      sleep: 'sleep.interval.end_time >= "2023-04-05T00:00:00Z" AND sleep.interval.end_time < "2023-04-12T00:00:00Z"',
      'daily-resting-heart-rate': 'daily_resting_heart_rate.date >= "2023-04-05" AND daily_resting_heart_rate.date < "2023-04-13"',
      'daily-heart-rate-variability': 'daily_heart_rate_variability.date >= "2023-04-05" AND daily_heart_rate_variability.date < "2023-04-13"',
      weight: 'weight.sample_time.physical_time >= "2023-04-05T00:00:00Z" AND weight.sample_time.physical_time < "2023-04-12T00:00:00Z"',
      'body-fat': 'body_fat.sample_time.physical_time >= "2023-04-05T00:00:00Z" AND body_fat.sample_time.physical_time < "2023-04-12T00:00:00Z"',
    });
    const bio = pages.flatMap((p) => p.result.biometrics);
    const get = (m: string) => bio.filter((b) => b.metric_type === m);
    expect(get('sleep_duration')).toEqual([expect.objectContaining({ date: '2023-04-09', value: 392 * 60 })]);
    expect(get('sleep_duration')[0]!.time).toEqual(new Date('2023-04-08T20:01:30.000Z'));
    expect(get('resting_hr')).toEqual([expect.objectContaining({ date: '2023-04-09', value: 53 })]);
    expect(get('hrv_rmssd')).toEqual([expect.objectContaining({ date: '2023-04-09', value: 38.4, unit: 'ms' })]);
    // 07:12 local (UTC+10:00) on the 9th, though the instant is on the 8th in UTC.
    expect(get('weight')).toEqual([expect.objectContaining({ date: '2023-04-09', unit: 'kg' })]);
    expect(get('weight')[0]!.value).toBeCloseTo(80.0136, 9);
    expect(get('body_fat_pct')).toEqual([expect.objectContaining({ date: '2023-04-09', value: 19.5 })]);
    expect(pages.flatMap((p) => p.result.errors)).toEqual([]);
  });

  it('resumes at a later part from the cursor', async () => {
    gf.points['daily-heart-rate-variability'] = [{ dailyHeartRateVariability: { date: { year: 2023, month: 4, day: 9 }, averageHeartRateVariabilityMilliseconds: 38.4 } }];
    await saveTokens();
    const { c } = connector();
    const pages = await drain(c.fetchBiometrics(range('2023-04-05T00:00:00Z', '2023-04-12T00:00:00Z'), { cursor: '{"part":"daily-heart-rate-variability","cursor":null}' }));
    expect(pages.flatMap((p) => p.result.biometrics).map((b) => b.metric_type)).toEqual(['hrv_rmssd']);
    expect(gf.fake.requests.some((q) => q.path === LIST('sleep'))).toBe(false);
  });
});
