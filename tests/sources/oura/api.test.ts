import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OuraConnector } from '../../../lib/sources/oura/api.ts';
import { RawItemError } from '../../../lib/sources/base.ts';
import { HttpError, RateLimitError } from '../../../lib/sources/http/http.ts';
import { ouraSleep, startOuraFake, type OuraFake } from '../../fakes/oura.ts';
import { drain, dump, modeOf, quickHttp, range, tempStore } from '../helpers.ts';

const SECRET = 'csecret-oura-789';
let of: OuraFake;
let ts: ReturnType<typeof tempStore>;

function connector(over: Partial<ConstructorParameters<typeof OuraConnector>[0]> = {}, now?: () => Date) {
  const http = quickHttp(now);
  return { c: new OuraConnector({ baseUrl: of.fake.url, authBaseUrl: of.fake.url, clientId: 'cid-oura', clientSecret: SECRET, tokenStore: ts.store, http, ...over }), http };
}
async function saveTokens(): Promise<void> {
  await ts.store.set('oura', { access_token: of.oauth.accessToken, refresh_token: of.oauth.refreshToken, expires_at: Math.floor(Date.now() / 1000) + 86400 });
}

beforeEach(async () => {
  of = await startOuraFake();
  ts = tempStore();
  of.collections.sleep = [];
  of.collections.daily_sleep = [];
  of.collections.daily_readiness = [];
  of.collections.daily_activity = [];
  of.collections.workout = [];
});
afterEach(async () => {
  await of.fake.close();
  ts.cleanup();
});

describe('oura biometrics', () => {
  it('pages sleep periods by next_token and maps HRV, resting HR and sleep stages', async () => {
    of.collections.sleep!.push(ouraSleep('s1', '2024-03-01'), ouraSleep('s2', '2024-03-02', { average_hrv: 55 }), ouraSleep('nap', '2024-03-02', { type: 'late_nap', average_hrv: 99 }));
    await saveTokens();
    const { c } = connector();
    const pages = await drain(c.fetchBiometrics(range('2024-03-01T00:00:00Z', '2024-03-04T00:00:00Z')));
    // The periods span two pages; the day's main period is chosen once all are in, so the sleep part is one page.
    expect(of.fake.requests.filter((r) => r.path === '/v2/usercollection/sleep').map((r) => r.query.get('next_token'))).toEqual([null, '2']);
    expect(pages[0]!.cursor).toBe('{"part":"daily_sleep","cursor":null}');
    const bio = pages.flatMap((p) => p.result.biometrics);
    const hrv = bio.filter((b) => b.metric_type === 'hrv_rmssd').map((b) => [b.date, b.value]);
    expect(hrv).toEqual([['2024-03-01', 61], ['2024-03-02', 55]]);
    const s1 = bio.filter((b) => b.date === '2024-03-01');
    const val = (m: string) => s1.find((b) => b.metric_type === m)!.value;
    expect(val('resting_hr')).toBe(47);
    expect(val('sleep_duration')).toBe(25470);
    expect(val('sleep_deep')).toBe(5250);
    expect(val('sleep_in_bed')).toBe(27990);
    expect(val('respiratory_rate')).toBe(14.75);
    expect(val('sleep_efficiency')).toBe(91);
    const req = of.fake.requests.find((r) => r.path === '/v2/usercollection/sleep')!;
    expect(req.query.get('start_date')).toBe('2024-03-01');
  });

  it('maps the daily collections and keeps the window half-open by day', async () => {
    of.collections.daily_sleep!.push({ id: 'a', day: '2024-03-01', score: 82, timestamp: '2024-03-01T00:00:00+00:00' }, { id: 'b', day: '2024-03-03', score: 70 });
    of.collections.daily_readiness!.push({ id: 'c', day: '2024-03-02', score: 77, temperature_deviation: -0.1 });
    of.collections.daily_activity!.push({ id: 'd', day: '2024-03-02', score: 90, steps: 11234, active_calories: 512 }, { id: 'e', day: '2024-03-02', steps: 'many' });
    await saveTokens();
    const { c } = connector();
    const pages = await drain(c.fetchBiometrics(range('2024-03-01T00:00:00Z', '2024-03-03T00:00:00Z')));
    const bio = pages.flatMap((p) => p.result.biometrics).map((b) => [b.metric_type, b.date, b.value]);
    expect(bio).toEqual([
      ['sleep_score', '2024-03-01', 82],
      ['readiness_score', '2024-03-02', 77],
      ['steps', '2024-03-02', 11234],
    ]);
    const errors = pages.flatMap((p) => p.result.errors);
    expect(errors).toEqual([expect.objectContaining({ record: 'record e', field: 'steps' })]);
    expect(pages.at(-1)!.cursor).toBeNull();
  });
});

describe('oura workouts and failures', () => {
  it('maps workouts with their offset and uses a deprecated personal access token', async () => {
    of.collections.workout!.push({
      id: 'wk-1',
      activity: 'cycling',
      calories: 412.5,
      day: '2024-03-02',
      distance: 20456.3,
      end_datetime: '2024-03-02T09:05:00+02:00',
      intensity: 'moderate',
      label: null,
      source: 'manual',
      start_datetime: '2024-03-02T08:00:00+02:00',
    });
    const { c, http } = connector({ personalAccessToken: of.pat, clientId: undefined, clientSecret: undefined });
    expect(c.isConfigured()).toBe(true);
    const pages = await drain(c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-03-03T00:00:00Z')));
    const w = pages[0]!.result.workouts[0]!;
    expect(w.external_id).toBe('wk-1');
    expect(w.sport).toBe('cycling');
    expect(w.start_time).toEqual(new Date('2024-03-02T06:00:00Z'));
    expect(w.utc_offset_min).toBe(120);
    expect(w.duration_s).toBe(3900);
    expect(w.calories_kcal).toBe(412.5);
    expect(w.distance_m).toBe(20456.3);
    expect(http.logs.join('\n')).toMatch(/deprecated/);
    expect(dump(pages) + dump(http.logs)).not.toContain(of.pat);
  });

  it('transformWorkout maps one raw workout, or throws naming the bad field', () => {
    const { c } = connector();
    const raw = { id: 'wk-2', activity: 'walking', start_datetime: '2024-03-02T08:00:00+01:00', end_datetime: '2024-03-02T08:30:00+01:00' };
    expect(c.transformWorkout(raw)).toMatchObject({ external_id: 'wk-2', sport: 'walking', duration_s: 1800, utc_offset_min: 60 });
    const err = (() => {
      try {
        return c.transformWorkout({ ...raw, end_datetime: 'soon' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(RawItemError);
    expect(err).toMatchObject({ field: 'end_datetime', message: expect.stringContaining('(got "soon")') });
  });

  it('throws RateLimitError from an HTTP-date Retry-After', async () => {
    await saveTokens();
    of.fake.inject(() => true, { status: 429, headers: { 'Retry-After': 'Fri, 01 Mar 2024 10:02:00 GMT' }, body: { detail: 'Too Many Requests' } });
    const { c } = connector({}, () => new Date('2024-03-01T10:00:00Z'));
    const err = await drain(c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-03-03T00:00:00Z'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect((err as RateLimitError).retryAfter).toBe(120);
  });

  it('retries 5xx up to the bound, then names the path', async () => {
    await saveTokens();
    of.fake.inject(() => true, { status: 503, body: { detail: 'unavailable' } }, 3);
    const { c, http } = connector();
    const err = await drain(c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-03-03T00:00:00Z'))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(503);
    expect((err as Error).message).toContain('/v2/usercollection/workout');
    expect(http.delays).toEqual([250, 500]);
  });

  it('refreshes on 401 and saves the rotated refresh token', async () => {
    const old = of.oauth.refreshToken;
    await ts.store.set('oura', { access_token: 'revoked-oura-token', refresh_token: old, expires_at: Math.floor(Date.now() / 1000) + 86400 });
    const { c, http } = connector();
    await drain(c.fetchWorkouts(range('2024-03-01T00:00:00Z', '2024-03-03T00:00:00Z')));
    const saved = await ts.store.get('oura');
    expect(saved?.refresh_token).toBe(of.oauth.refreshToken);
    expect(saved?.refresh_token).not.toBe(old);
    expect(modeOf(ts.path)).toBe(0o600);
    expect(dump(http.logs)).not.toContain('revoked-oura-token');
  });
});
