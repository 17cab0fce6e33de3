import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PolarConnector } from '../../../lib/sources/polar/api.ts';
import { AuthError, RateLimitError } from '../../../lib/sources/http/http.ts';
import { sourceDescriptor } from '../../../lib/sources/registry.ts';
import { polarExercise, startPolarFake, type PolarFake } from '../../fakes/polar.ts';
import { drain, dump, modeOf, quickHttp, range, tempStore } from '../helpers.ts';

let pf: PolarFake;
let ts: ReturnType<typeof tempStore>;
const ANY = range('2000-01-01T00:00:00Z', '2100-01-01T00:00:00Z');

function connector(pageSize = 2) {
  const http = quickHttp();
  const c = new PolarConnector({
    baseUrl: pf.fake.url,
    authBaseUrl: pf.fake.url,
    tokenUrl: pf.fake.url,
    clientId: pf.clientId,
    clientSecret: pf.clientSecret,
    tokenStore: ts.store,
    pageSize,
    http,
  });
  return { c, http };
}
async function saveTokens(): Promise<void> {
  await ts.store.set('polar', { access_token: pf.accessToken, token_type: 'bearer', extra: { user_id: String(pf.userId), registered: 'yes' } });
}
const txRequests = () => pf.fake.requests.filter((r) => r.path.includes('/exercise-transactions'));

beforeEach(async () => {
  pf = await startPolarFake();
  ts = tempStore();
});
afterEach(async () => {
  await pf.fake.close();
  ts.cleanup();
});

describe('polar descriptor', () => {
  it('is registered with its environment variables', () => {
    expect(sourceDescriptor('polar')!.envVars.map((v) => v.name)).toEqual([
      'POLAR_CLIENT_ID',
      'POLAR_CLIENT_SECRET',
      'POLAR_BASE_URL',
      'POLAR_AUTH_BASE_URL',
      'POLAR_TOKEN_URL',
      'POLAR_REDIRECT_PORT',
    ]);
    expect(sourceDescriptor('polar')!.envVars.find((v) => v.name === 'POLAR_CLIENT_SECRET')!.secret).toBe(true);
  });
});

describe('polar OAuth and registration', () => {
  it('exchanges the code with HTTP Basic client auth, keeps x_user_id and registers the user', async () => {
    const { c, http } = connector();
    let url = '';
    const done = c.authorize({ onUrl: (u) => (url = u) });
    await new Promise((r) => setTimeout(r, 20));
    const u = new URL(url);
    expect(u.pathname).toBe('/oauth2/authorization');
    expect(u.searchParams.get('client_id')).toBe(pf.clientId);
    await fetch(url);
    const entry = await done;
    expect(entry.access_token).toBe(pf.accessToken);
    expect(entry.extra).toEqual({ user_id: '4242', registered: 'yes' });
    const tokenReq = pf.fake.requests.find((r) => r.path === '/v2/oauth2/token')!;
    expect(tokenReq.headers.authorization).toBe(`Basic ${Buffer.from(`${pf.clientId}:${pf.clientSecret}`).toString('base64')}`);
    expect(tokenReq.body).not.toContain(pf.clientSecret);
    expect(pf.registered).toEqual(['athlete-4242']);
    expect(modeOf(ts.path)).toBe(0o600);
    expect(dump(http.logs)).not.toContain(pf.clientSecret);
  });

  it('treats 409 on registration as already registered', async () => {
    pf.registered.push('someone-earlier');
    await ts.store.set('polar', { access_token: pf.accessToken, extra: { user_id: '4242' } });
    const { c } = connector();
    await c.authenticate();
    expect(pf.fake.requests.filter((r) => r.path === '/v3/users').length).toBe(1);
    expect((await ts.store.get('polar'))?.extra?.registered).toBe('yes');
    await c.authenticate(); // remembered: no second call
    expect(pf.fake.requests.filter((r) => r.path === '/v3/users').length).toBe(1);
  });

  it('asks for authorisation when no token is saved', async () => {
    const { c } = connector();
    await expect(c.authenticate()).rejects.toBeInstanceOf(AuthError);
  });
});

describe('polar exercise transactions', () => {
  beforeEach(() => {
    for (const id of ['e1', 'e2', 'e3']) pf.pending.set(id, polarExercise(id, { distance: id === 'e3' ? 5000 : 10234.5 }));
  });

  it('yields three exercises over two pages and commits only after the last page', async () => {
    await saveTokens();
    const { c } = connector(2);
    const seen: string[][] = [];
    const cursors: Array<string | null> = [];
    for await (const p of c.fetchWorkouts(ANY)) {
      // The orchestrator commits each page before asking for the next: nothing is committed yet.
      expect(pf.committed).toEqual([]);
      seen.push(p.result.workouts.map((w) => w.external_id));
      cursors.push(p.cursor);
    }
    expect(seen).toEqual([['e1', 'e2'], ['e3']]);
    expect(cursors).toEqual([JSON.stringify({ transaction: '100', offset: 2 }), null]);
    expect(pf.committed).toEqual([100]);
    expect(txRequests().map((r) => r.method)).toEqual(['POST', 'GET', 'GET', 'GET', 'GET', 'PUT']);
    expect(pf.pending.size).toBe(0);
    const [e3] = (await drain(c.fetchWorkouts(ANY))).flatMap((p) => p.result.workouts);
    expect(e3).toBeUndefined(); // committed: nothing offered again
  });

  it('answers 204 (no new data) with one empty page and no commit', async () => {
    pf.pending.clear();
    await saveTokens();
    const { c } = connector();
    const pages = await drain(c.fetchWorkouts(ANY));
    expect(pages).toEqual([{ result: { workouts: [], biometrics: [], streams: [], errors: [] }, cursor: null }]);
    expect(txRequests().map((r) => r.method)).toEqual(['POST']);
  });

  it('does not commit an interrupted iteration: the same data is offered again', async () => {
    await saveTokens();
    const { c } = connector(2);
    for await (const p of c.fetchWorkouts(ANY)) {
      expect(p.result.workouts).toHaveLength(2);
      break;
    }
    expect(pf.committed).toEqual([]);
    expect(txRequests().some((r) => r.method === 'PUT')).toBe(false);
    const again = (await drain(c.fetchWorkouts(ANY))).flatMap((p) => p.result.workouts.map((w) => w.external_id));
    expect(again).toEqual(['e1', 'e2', 'e3']);
    expect(pf.committed).toEqual([101]);
  });

  it('resumes an open transaction from its cursor', async () => {
    await saveTokens();
    const { c } = connector(2);
    const it0 = c.fetchWorkouts(ANY)[Symbol.asyncIterator]();
    const first = await it0.next();
    await it0.return?.();
    const rest = await drain(c.fetchWorkouts(ANY, { cursor: (first.value as { cursor: string }).cursor }));
    expect(rest.flatMap((p) => p.result.workouts.map((w) => w.external_id))).toEqual(['e3']);
    expect(pf.committed).toEqual([100]);
  });

  it('throws RateLimitError on 429 without committing', async () => {
    await saveTokens();
    pf.fake.inject((r) => r.path.endsWith('/exercises/e2'), { status: 429, headers: { 'Retry-After': '42' }, body: {} });
    const { c } = connector();
    const err = await drain(c.fetchWorkouts(ANY)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).retryAfter).toBe(42);
    expect(pf.committed).toEqual([]);
  });

  it('retries a 500 and then succeeds', async () => {
    await saveTokens();
    pf.fake.inject((r) => r.path.endsWith('/exercises/e1'), { status: 500, body: { error: 'boom' } });
    const { c, http } = connector();
    const ids = (await drain(c.fetchWorkouts(ANY))).flatMap((p) => p.result.workouts.map((w) => w.external_id));
    expect(ids).toEqual(['e1', 'e2', 'e3']);
    expect(http.delays).toHaveLength(1);
    expect(pf.committed).toEqual([100]);
  });

  it('reports an exercise that fails validation and keeps the others', async () => {
    pf.pending.set('e2', polarExercise('e2', { duration: 'about an hour' }));
    await saveTokens();
    const { c } = connector(5);
    const [p] = await drain(c.fetchWorkouts(ANY));
    expect(p!.result.workouts.map((w) => w.external_id)).toEqual(['e1', 'e3']);
    expect(p!.result.workouts[1]!.distance_m).toBe(5000);
    expect(p!.result.errors).toEqual([
      expect.objectContaining({ input: `${pf.fake.url}/v3/users/4242/exercise-transactions/100/exercises/e2`, record: 'exercise e2', field: 'duration' }),
    ]);
    expect(pf.committed).toEqual([100]);
  });

  it('raises AuthError on 401 (Polar has no refresh token) and keeps secrets out of outputs', async () => {
    await ts.store.set('polar', { access_token: 'stale-polar-token', extra: { user_id: '4242', registered: 'yes' } });
    const { c, http } = connector();
    const err = await drain(c.fetchWorkouts(ANY)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    await saveTokens();
    pf.pending.set('e1', polarExercise('e1', { note: `Bearer ${pf.accessToken}` }));
    const pages = await drain(c.fetchWorkouts(ANY));
    const text = dump(pages) + dump(http.logs) + String((err as Error).message);
    for (const s of [pf.accessToken, 'stale-polar-token', pf.clientSecret]) expect(text).not.toContain(s);
    expect(pages.flatMap((p) => p.result.workouts)).toHaveLength(3);
  });

  it('a 404 on one exercise is an item error, not a failed sync', async () => {
    await saveTokens();
    pf.fake.inject((r) => r.path.endsWith('/exercises/e3'), { status: 404, body: { error: 'gone' } });
    const { c } = connector(5);
    const [p] = await drain(c.fetchWorkouts(ANY));
    expect(p!.result.workouts.map((w) => w.external_id)).toEqual(['e1', 'e2']);
    expect(p!.result.errors[0]).toMatchObject({ record: 'exercise e3' });
    expect(p!.result.errors[0]!.reason).toContain('HTTP 404');
  });
});

describe('polar sleep and nightly recharge', () => {
  it('reads both lists, keeps days inside the range and reports a bad night', async () => {
    pf.nights.push(
      { date: '2024-03-02', sleep_start_time: '2024-03-01T23:00:00+02:00', sleep_end_time: '2024-03-02T06:30:00+02:00', light_sleep: 12000, deep_sleep: 6000, rem_sleep: 5000, sleep_score: 77 },
      { date: '2024-02-20', sleep_start_time: '2024-02-19T23:00:00+02:00', sleep_end_time: '2024-02-20T06:30:00+02:00', light_sleep: 1, deep_sleep: 1, rem_sleep: 1 },
      { date: 'yesterday' },
    );
    pf.recharges.push({ date: '2024-03-02', heart_rate_variability_avg: 52, ans_charge: -2.5 });
    await saveTokens();
    const { c } = connector();
    const pages = await drain(c.fetchBiometrics(range('2024-03-01T00:00:00Z', '2024-03-05T00:00:00Z')));
    expect(pages.map((p) => p.cursor)).toEqual(['{"part":"recharge","cursor":null}', null]);
    const bio = pages.flatMap((p) => p.result.biometrics);
    expect(bio.find((b) => b.metric_type === 'sleep_duration')).toMatchObject({ date: '2024-03-02', value: 23000 });
    expect(bio.find((b) => b.metric_type === 'hrv_rmssd')).toMatchObject({ date: '2024-03-02', value: 52, unit: 'ms' });
    expect(bio.every((b) => b.date === '2024-03-02')).toBe(true);
    expect(pages[0]!.result.errors).toEqual([expect.objectContaining({ record: 'date yesterday', field: 'date' })]);
  });
});
