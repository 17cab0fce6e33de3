import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WhoopConnector } from '../../../lib/sources/whoop/api.ts';
import { RateLimitError } from '../../../lib/sources/http/http.ts';
import { startWhoopFake, whoopRecovery, whoopSleep, whoopWorkout, type WhoopFake } from '../../fakes/whoop.ts';
import { drain, dump, modeOf, quickHttp, range, tempStore } from '../helpers.ts';

const SECRET = 'csecret-whoop-456';
let wf: WhoopFake;
let ts: ReturnType<typeof tempStore>;
const WORKOUTS = '/developer/v2/activity/workout';
const SLEEP = '/developer/v2/activity/sleep';

function connector(now?: () => Date) {
  const http = quickHttp(now);
  return { c: new WhoopConnector({ baseUrl: wf.fake.url, clientId: 'cid-whoop', clientSecret: SECRET, tokenStore: ts.store, http }), http };
}
async function saveTokens(): Promise<void> {
  await ts.store.set('whoop', { access_token: wf.oauth.accessToken, refresh_token: wf.oauth.refreshToken, expires_at: Math.floor(Date.now() / 1000) + 3600 });
}
function uuid(i: number): string {
  return `ecfc6a15-4661-442f-a9a4-${String(i).padStart(12, '0')}`;
}

beforeEach(async () => {
  wf = await startWhoopFake();
  ts = tempStore();
  wf.collections[WORKOUTS] = [];
  wf.collections[SLEEP] = [];
  wf.collections['/developer/v2/recovery'] = [];
  wf.collections['/developer/v2/cycle'] = [];
});
afterEach(async () => {
  await wf.fake.close();
  ts.cleanup();
});

describe('whoop OAuth with PKCE', () => {
  it('sends an S256 challenge that the token endpoint verifies', async () => {
    const { c } = connector();
    let url = '';
    const done = c.authorize({ onUrl: (u) => (url = u) });
    await new Promise((r) => setTimeout(r, 20));
    const u = new URL(url);
    expect(u.searchParams.get('code_challenge_method')).toBe('S256');
    expect(u.searchParams.get('scope')).toContain('offline');
    expect(u.searchParams.get('state')!.length).toBeGreaterThanOrEqual(8);
    await fetch(url);
    await done;
    expect((await ts.store.get('whoop'))?.access_token).toBe(wf.oauth.accessToken);
    expect(modeOf(ts.path)).toBe(0o600);
  });
});

describe('whoop workouts', () => {
  it('pages with nextToken (limit 25) and converts kJ to kcal', async () => {
    for (let i = 0; i < 30; i++) {
      const s = new Date(Date.UTC(2024, 2, 1, 12) + i * 3_600_000);
      wf.collections[WORKOUTS]!.push(whoopWorkout(uuid(i), s.toISOString(), new Date(s.getTime() + 1_800_000).toISOString()));
    }
    await saveTokens();
    const { c } = connector();
    const pages = await drain(c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-03-10T00:00:00Z')));
    expect(pages.map((p) => p.result.workouts.length)).toEqual([25, 5]);
    expect(pages[0]!.cursor).not.toBeNull();
    expect(pages[1]!.cursor).toBeNull();
    const limits = wf.fake.requests.filter((r) => r.path === WORKOUTS).map((r) => r.query.get('limit'));
    expect(limits).toEqual(['25', '25']);
    const w = pages.flatMap((p) => p.result.workouts).find((x) => x.external_id === `whoop:${uuid(0)}`)!;
    expect(w.calories_kcal).toBeCloseTo(1569.34 / 4.184, 6);
    expect(w.distance_m).toBe(1772.77);
    expect(w.avg_hr).toBe(123);
    expect(w.utc_offset_min).toBe(-300);
    expect(w.duration_s).toBe(1800);
    expect(w.sport).toBe('running');
    expect(w.external_ids).toEqual({ whoop: uuid(0), whoop_start: '2024-03-01T12:00:00.000Z' });
  });

  it('keeps unscored workouts without metrics, reports an invalid one, and honours the window edges', async () => {
    wf.collections[WORKOUTS]!.push(
      whoopWorkout(uuid(1), '2024-03-01T00:00:00.000Z', '2024-03-01T00:30:00.000Z'),
      whoopWorkout(uuid(2), '2024-03-01T05:00:00.000Z', '2024-03-01T06:00:00.000Z', { score_state: 'PENDING_SCORE', score: undefined }),
      whoopWorkout(uuid(3), '2024-03-01T07:00:00.000Z', 'yesterday'),
      whoopWorkout(uuid(4), '2024-03-02T00:00:00.000Z', '2024-03-02T00:30:00.000Z'),
    );
    await saveTokens();
    const { c } = connector();
    const [p] = await drain(c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-03-02T00:00:00Z')));
    expect(p!.result.workouts.map((w) => w.external_id).sort()).toEqual([`whoop:${uuid(1)}`, `whoop:${uuid(2)}`]);
    const pending = p!.result.workouts.find((w) => w.external_id === `whoop:${uuid(2)}`)!;
    expect(pending.calories_kcal).toBeNull();
    expect(pending.avg_hr).toBeNull();
    expect(p!.result.errors).toEqual([expect.objectContaining({ record: `record ${uuid(3)}`, field: 'end' })]);
  });

  it('throws RateLimitError with the X-RateLimit-Reset delay on 429', async () => {
    await saveTokens();
    wf.fake.inject((r) => r.path === WORKOUTS, { status: 429, headers: { 'X-RateLimit-Limit': '100', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': '37' }, body: {} });
    const { c } = connector();
    const err = await drain(c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-03-02T00:00:00Z'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).retryAfter).toBe(37);
  });

  it('refreshes an expired token with rotation and keeps secrets out of everything', async () => {
    const old = wf.oauth.refreshToken;
    await ts.store.set('whoop', { access_token: 'old-whoop-access', refresh_token: old, expires_at: Math.floor(Date.now() / 1000) + 60 });
    wf.collections[WORKOUTS]!.push(whoopWorkout(uuid(1), '2024-03-01T06:00:00.000Z', '2024-03-01T07:00:00.000Z', { note: `Bearer ${old}` }));
    const { c, http } = connector();
    const pages = await drain(c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-03-02T00:00:00Z')));
    expect(wf.oauth.refreshCount).toBe(1); // 60 s left is inside the 5-minute margin
    const tokenReq = wf.fake.requests.find((r) => r.path === '/oauth/oauth2/token')!;
    expect(new URLSearchParams(tokenReq.body).get('scope')).toBe('offline');
    expect((await ts.store.get('whoop'))?.refresh_token).toBe(wf.oauth.refreshToken);
    expect(modeOf(ts.path)).toBe(0o600);
    const text = dump(pages) + dump(http.logs);
    for (const s of [old, wf.oauth.accessToken, wf.oauth.refreshToken, 'old-whoop-access', SECRET]) expect(text).not.toContain(s);
  });
});

describe('whoop biometrics', () => {
  beforeEach(() => {
    // Woke 2024-03-02 06:30 at UTC-05:00 (11:30Z).
    wf.collections[SLEEP]!.push(whoopSleep(uuid(10), '2024-03-01T03:40:00.000Z', '2024-03-02T11:30:00.000Z'));
    wf.collections[SLEEP]!.push(whoopSleep(uuid(11), '2024-03-02T18:00:00.000Z', '2024-03-02T18:40:00.000Z', { nap: true }));
    wf.collections['/developer/v2/recovery']!.push({ ...whoopRecovery(93845, uuid(10)), start: '2024-03-02T03:40:00.000Z' });
    wf.collections['/developer/v2/cycle']!.push({
      id: 93845,
      start: '2024-03-02T03:40:00.000Z',
      end: null,
      timezone_offset: '-05:00',
      score_state: 'SCORED',
      score: { strain: 5.2951527, kilojoule: 8288.297, average_heart_rate: 68, max_heart_rate: 141 },
    });
  });

  it('maps sleep (ms to s), recovery and cycles onto the day of waking', async () => {
    await saveTokens();
    const { c } = connector();
    const pages = await drain(c.fetchBiometrics(range('2024-03-01T00:00:00Z', '2024-03-03T00:00:00Z')));
    expect(pages.map((p) => p.cursor)).toEqual(['{"part":"recovery","cursor":null}', '{"part":"cycle","cursor":null}', null]);
    const bio = pages.flatMap((p) => p.result.biometrics);
    const get = (m: string) => bio.filter((b) => b.metric_type === m);
    expect(get('sleep_deep')).toEqual([expect.objectContaining({ date: '2024-03-02', value: 6630.37, unit: 's' })]);
    expect(get('sleep_duration')[0]!.value).toBeCloseTo((14905851 + 6630370 + 5879573) / 1000, 6);
    expect(get('sleep_score')[0]!.value).toBe(98);
    expect(get('hrv_rmssd')).toEqual([expect.objectContaining({ date: '2024-03-02', value: 31.813562, unit: 'ms' })]);
    expect(get('resting_hr')[0]!.value).toBe(64);
    expect(get('recovery_score')[0]!.value).toBe(44);
    expect(get('spo2')[0]!.value).toBe(95.6875);
    expect(get('skin_temp')[0]!.value).toBe(33.7);
    expect(get('day_strain')).toEqual([expect.objectContaining({ date: '2024-03-02', value: 5.2951527 })]);
    expect(get('sleep_in_bed')).toHaveLength(1); // the nap is not a night's sleep
  });

  it('resumes at recoveries from a cursor, looking the sleep up by id', async () => {
    await saveTokens();
    const { c } = connector();
    const pages = await drain(c.fetchBiometrics(range('2024-03-01T00:00:00Z', '2024-03-03T00:00:00Z'), { cursor: '{"part":"recovery","cursor":null}' }));
    const hrv = pages.flatMap((p) => p.result.biometrics).filter((b) => b.metric_type === 'hrv_rmssd');
    expect(hrv).toEqual([expect.objectContaining({ date: '2024-03-02', value: 31.813562 })]);
    expect(wf.fake.requests.some((r) => r.path === `${SLEEP}/${uuid(10)}`)).toBe(true);
  });
});
