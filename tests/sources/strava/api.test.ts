import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { StravaConnector } from '../../../lib/sources/strava/api.ts';
import { stravaExternalIds } from '../../../lib/sources/strava/map.ts';
import { AuthError, RateLimitError, ResponseFormatError } from '../../../lib/sources/http/http.ts';
import { startStravaFake, stravaActivity, type StravaFake } from '../../fakes/strava.ts';
import { drain, dump, modeOf, quickHttp, range, tempStore } from '../helpers.ts';

const SECRET = 'csecret-strava-123';
let sf: StravaFake;
let ts: ReturnType<typeof tempStore>;

function connector(over: Partial<ConstructorParameters<typeof StravaConnector>[0]> = {}, now?: () => Date) {
  const http = quickHttp(now);
  const c = new StravaConnector({ baseUrl: sf.fake.url, clientId: 'cid-strava', clientSecret: SECRET, tokenStore: ts.store, http, perPage: 2, ...over });
  return { c, http };
}

async function saveValidTokens(): Promise<void> {
  await ts.store.set('strava', { access_token: sf.oauth.accessToken, refresh_token: sf.oauth.refreshToken, expires_at: Math.floor(Date.now() / 1000) + 3600 });
}

beforeEach(async () => {
  sf = await startStravaFake();
  ts = tempStore();
});
afterEach(async () => {
  await sf.fake.close();
  ts.cleanup();
});

describe('strava OAuth loopback flow', () => {
  it('exchanges the code, checks the granted scope and saves tokens with mode 0600', async () => {
    sf.oauth.grantedScope = 'read,activity:read_all';
    const { c } = connector();
    let url = '';
    const done = c.authorize({ onUrl: (u) => (url = u) });
    await new Promise((r) => setTimeout(r, 20));
    const u = new URL(url);
    expect(u.pathname).toBe('/oauth/authorize');
    expect(u.searchParams.get('scope')).toBe('read,activity:read_all');
    expect(u.searchParams.get('state')!.length).toBeGreaterThanOrEqual(8);
    expect(u.searchParams.get('code_challenge')).toBeNull(); // Strava has no PKCE
    expect(u.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const res = await fetch(url); // follows the 302 to the loopback server
    expect(res.status).toBe(200);
    await done;
    const saved = await ts.store.get('strava');
    expect(saved?.access_token).toBe(sf.oauth.accessToken);
    expect(saved?.refresh_token).toBe(sf.oauth.refreshToken);
    expect(modeOf(ts.path)).toBe(0o600);
    expect(c.isConfigured()).toBe(true);
  });

  it('rejects a redirect whose scope lacks activity:read_all', async () => {
    sf.oauth.grantedScope = 'read';
    const { c } = connector();
    let url = '';
    const done = c.authorize({ onUrl: (u) => (url = u) });
    const caught = done.catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    await fetch(url);
    const err = await caught;
    expect(err).toBeInstanceOf(AuthError);
    expect(String(err)).toMatch(/activity:read_all were not granted/);
    expect(await ts.store.get('strava')).toBeNull();
  });

  it('rejects a redirect with the wrong state', async () => {
    const { c } = connector();
    let url = '';
    const done = c.authorize({ onUrl: (u) => (url = u) });
    const caught = done.catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    const redirect = new URL(new URL(url).searchParams.get('redirect_uri')!);
    redirect.searchParams.set('code', 'attacker-code');
    redirect.searchParams.set('state', 'not-the-state');
    const res = await fetch(redirect);
    expect(res.status).toBe(400);
    expect(String(await caught)).toMatch(/state mismatch/);
  });
});

describe('strava activities', () => {
  it('pages until an empty page and maps SummaryActivity fields', async () => {
    await saveValidTokens();
    for (let i = 1; i <= 5; i++) sf.activities.push(stravaActivity(1000 + i, `2024-03-0${i}T06:00:00Z`));
    const { c } = connector();
    const pages = await drain(c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-04-01T00:00:00Z')));
    expect(pages.map((p) => p.result.workouts.length)).toEqual([2, 2, 1, 0]);
    expect(pages.map((p) => p.cursor)).toEqual(['2', '3', '4', null]);
    const w = pages[0]!.result.workouts[0]!;
    expect(w.external_id).toBe('1001');
    expect(w.sport).toBe('running');
    expect(w.distance_m).toBe(10012.4);
    expect(w.duration_s).toBe(3061);
    expect(w.moving_time_s).toBe(2950);
    expect(w.avg_hr).toBe(151.3);
    expect(w.max_hr).toBe(178);
    expect(w.utc_offset_min).toBe(60);
    expect(w.start_time).toEqual(new Date('2024-03-01T06:00:00Z'));
    expect(w.end_time).toEqual(new Date('2024-03-01T06:51:01Z'));
    expect(w.external_ids).toEqual({ strava: '1001', garmin: String(1001 * 7) });
    expect((w.raw_data as { via: string }).via).toBe('strava_api');
    expect(w.has_gps).toBe(true);
    const pageParams = sf.fake.requests.filter((r) => r.path === '/api/v3/athlete/activities').map((r) => r.query.get('page'));
    expect(pageParams).toEqual(['1', '2', '3', '4']);
  });

  it('resumes from a cursor', async () => {
    await saveValidTokens();
    for (let i = 1; i <= 5; i++) sf.activities.push(stravaActivity(1000 + i, `2024-03-0${i}T06:00:00Z`));
    const { c } = connector();
    const pages = await drain(c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-04-01T00:00:00Z'), { cursor: '3' }));
    expect(pages[0]!.result.workouts.map((w) => w.external_id)).toEqual(['1005']);
  });

  it('keeps an activity exactly at the window start and drops one exactly at its end', async () => {
    await saveValidTokens();
    sf.activities.push(stravaActivity(1, '2024-03-01T00:00:00Z'), stravaActivity(2, '2024-03-02T00:00:00Z'), stravaActivity(3, '2024-03-01T12:00:00Z'));
    const { c } = connector({ perPage: 200 });
    const pages = await drain(c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-03-02T00:00:00Z')));
    expect(pages.flatMap((p) => p.result.workouts.map((w) => w.external_id)).sort()).toEqual(['1', '3']);
  });

  it('reports an invalid item and keeps the rest', async () => {
    await saveValidTokens();
    sf.activities.push(stravaActivity(1, '2024-03-01T06:00:00Z'), stravaActivity(2, '2024-03-01T07:00:00Z', { elapsed_time: 'long' }));
    const { c } = connector({ perPage: 200 });
    const [p] = await drain(c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-03-02T00:00:00Z')));
    expect(p!.result.workouts.map((w) => w.external_id)).toEqual(['1']);
    expect(p!.result.errors).toHaveLength(1);
    expect(p!.result.errors[0]!.record).toBe('activity 2');
    expect(p!.result.errors[0]!.field).toBe('elapsed_time');
    expect(p!.result.errors[0]!.input).toBe(`${sf.fake.url}/api/v3/athlete/activities`);
  });

  it('fetches streams into columnar arrays when enabled', async () => {
    await saveValidTokens();
    sf.activities.push(stravaActivity(77, '2024-03-01T06:00:00Z'));
    const { c } = connector({ fetchStreams: true });
    const pages = await drain(c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-03-02T00:00:00Z')));
    const s = pages[0]!.result.streams[0]!;
    expect(s.external_id).toBe('77');
    expect(Array.from(s.time)).toEqual([0, 1000, 2000, 3000].map((d) => Date.parse('2024-03-01T06:00:00Z') + d));
    expect(s.channels.lat![1]).toBe(47.3701);
    expect(s.channels.lon![3]).toBe(8.5406);
    expect(s.channels.altitude_m![0]).toBe(408.2);
    expect(Number.isNaN(s.channels.hr![2])).toBe(true);
    expect(s.channels.hr![3]).toBe(125);
    expect(s.channels.power_w).toBeUndefined();
  });
});

describe('strava failures', () => {
  it('refreshes an expired token first, saving the rotated refresh token (0600)', async () => {
    const oldRefresh = sf.oauth.refreshToken;
    await ts.store.set('strava', { access_token: 'stale-access-token', refresh_token: oldRefresh, expires_at: Math.floor(Date.now() / 1000) - 10 });
    sf.activities.push(stravaActivity(1, '2024-03-01T06:00:00Z'));
    const { c } = connector();
    await c.authenticate();
    expect(sf.oauth.refreshCount).toBe(1);
    const saved = (JSON.parse(readFileSync(ts.path, 'utf8')) as { athletes: { me: Record<string, { refresh_token: string; access_token: string }> } }).athletes.me;
    expect(saved.strava!.refresh_token).toBe(sf.oauth.refreshToken);
    expect(saved.strava!.refresh_token).not.toBe(oldRefresh);
    expect(modeOf(ts.path)).toBe(0o600);
    const pages = await drain(c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-03-02T00:00:00Z')));
    expect(pages[0]!.result.workouts).toHaveLength(1);
  });

  it('refreshes once on a 401 and retries', async () => {
    await ts.store.set('strava', { access_token: 'revoked-access-token', refresh_token: sf.oauth.refreshToken, expires_at: Math.floor(Date.now() / 1000) + 3600 });
    sf.activities.push(stravaActivity(1, '2024-03-01T06:00:00Z'));
    const { c, http } = connector({ perPage: 200 });
    const pages = await drain(c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-03-02T00:00:00Z')));
    expect(pages[0]!.result.workouts).toHaveLength(1);
    expect(sf.oauth.refreshCount).toBe(1);
    expect(http.logs.some((l) => l.includes('401'))).toBe(true);
    expect(dump(http.logs)).not.toContain('revoked-access-token');
  });

  it('throws RateLimitError until the next quarter-hour on a 15-minute 429', async () => {
    await saveValidTokens();
    const now = () => new Date('2024-03-01T10:07:30Z');
    sf.fake.inject((r) => r.path === '/api/v3/athlete/activities', {
      status: 429,
      headers: { 'X-RateLimit-Limit': '200,2000', 'X-RateLimit-Usage': '201,950' },
      body: { message: 'Rate Limit Exceeded' },
    });
    const { c } = connector({}, now);
    const err = await drain(c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-03-02T00:00:00Z'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).retryAfter).toBe(450); // 10:07:30 -> 10:15:00
    expect((err as RateLimitError).limit).toBe('200,2000');
    expect((err as RateLimitError).usage).toBe('201,950');
  });

  it('waits until midnight UTC when the daily limit is used up', async () => {
    await saveValidTokens();
    const now = () => new Date('2024-03-01T22:00:00Z');
    sf.fake.inject((r) => r.path === '/api/v3/athlete/activities', {
      status: 429,
      headers: { 'X-RateLimit-Limit': '200,2000', 'X-RateLimit-Usage': '40,2000' },
      body: { message: 'Rate Limit Exceeded' },
    });
    const { c } = connector({}, now);
    const err = (await drain(c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-03-02T00:00:00Z'))).catch((e: unknown) => e)) as RateLimitError;
    expect(err.retryAfter).toBe(7200);
  });

  it('retries a 500 with jittered backoff, then succeeds', async () => {
    await saveValidTokens();
    sf.activities.push(stravaActivity(1, '2024-03-01T06:00:00Z'));
    sf.fake.inject((r) => r.path === '/api/v3/athlete/activities', { status: 500, body: { message: 'oops' } });
    const { c, http } = connector({ perPage: 200 });
    const pages = await drain(c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-03-02T00:00:00Z')));
    expect(pages[0]!.result.workouts).toHaveLength(1);
    expect(http.delays).toEqual([250]); // random 0.5 x base 500 ms x 2^0
  });

  it('fails clearly on a truncated JSON body, naming source and path without secrets', async () => {
    await saveValidTokens();
    sf.fake.inject((r) => r.path === '/api/v3/athlete/activities', { raw: '[{"id": 1, "name": "Morning R' }, 3);
    const { c } = connector();
    const err = await drain(c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-03-02T00:00:00Z'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseFormatError);
    const msg = (err as Error).message;
    expect(msg).toContain('strava');
    expect(msg).toContain('/api/v3/athlete/activities');
    expect(msg).not.toContain('after=');
    expect(msg).not.toContain(sf.oauth.accessToken);
  });

  it('asks for a new authorisation when the refresh token is refused', async () => {
    await ts.store.set('strava', { access_token: 'old-access-zzz', refresh_token: 'already-rotated-refresh', expires_at: 1 });
    const { c } = connector();
    const err = await c.authenticate().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toMatch(/refresh token was refused \(HTTP 400\); run "athlete auth strava" again/);
    expect((err as Error).message).not.toContain('already-rotated-refresh');
  });

  it('leaks no secret into results, errors or logs', async () => {
    const oldRefresh = sf.oauth.refreshToken;
    await ts.store.set('strava', { access_token: 'expired-token-value', refresh_token: oldRefresh, expires_at: 1 });
    sf.activities.push(stravaActivity(1, '2024-03-01T06:00:00Z', { note: `token ${oldRefresh}` }), stravaActivity(2, '2024-03-01T07:00:00Z', { moving_time: -5 }));
    sf.fake.inject((r) => r.path === '/api/v3/athlete/activities', { status: 500, body: { message: 'boom' } });
    const { c, http } = connector({ perPage: 200, fetchStreams: true });
    const pages = await drain(c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-03-02T00:00:00Z')));
    const text = dump(pages) + dump(http.logs);
    expect(pages[0]!.result.errors).toHaveLength(1);
    for (const s of [sf.oauth.accessToken, sf.oauth.refreshToken, oldRefresh, 'expired-token-value', SECRET]) expect(text).not.toContain(s);
  });
});

describe('stravaExternalIds', () => {
  it('links Garmin uploads and keeps other upload ids', () => {
    expect(stravaExternalIds('9', 'garmin_push_12345678')).toEqual({ strava: '9', garmin: '12345678' });
    expect(stravaExternalIds('9', '2024-03-01-run.fit')).toEqual({ strava: '9', upload: '2024-03-01-run.fit' });
    expect(stravaExternalIds('9', null)).toEqual({ strava: '9' });
  });
});
