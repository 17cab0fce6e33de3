import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GarminConnector, GarminLoginBlockedError, oauth1Header } from '../../../lib/sources/garmin/api.ts';
import { garminWorkout } from '../../../lib/sources/garmin/map.ts';
import { garminFixture, garminListItem, garminListItemOf, startGarminFake, type GarminDetail, type GarminFake } from '../../fakes/garmin.ts';
import { drain, dump, modeOf, quickHttp, range, tempStore } from '../helpers.ts';

let gf: GarminFake;
let ts: ReturnType<typeof tempStore>;

function connector(over: Partial<ConstructorParameters<typeof GarminConnector>[0]> = {}) {
  const http = quickHttp();
  const c = new GarminConnector({
    baseUrl: gf.fake.url,
    ssoUrl: gf.fake.url,
    tokenStore: ts.store,
    consumerKey: 'consumer-key-123',
    consumerSecret: 'consumer-secret-456',
    pageSize: 2,
    http,
    ...over,
  });
  return { c, http };
}
async function saveTokens(expiresIn = 3600): Promise<void> {
  await ts.store.set('garmin', {
    access_token: gf.accessToken,
    expires_at: Math.floor(Date.now() / 1000) + expiresIn,
    extra: { oauth1_token: gf.oauth1.token, oauth1_token_secret: gf.oauth1.secret },
  });
}

beforeEach(async () => {
  gf = await startGarminFake();
  ts = tempStore();
});
afterEach(async () => {
  await gf.fake.close();
  ts.cleanup();
});

describe('garmin auth', () => {
  it('imports a garth token folder into the store (0600)', async () => {
    const dir = join(dirname(ts.path), 'garth');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'oauth1_token.json'), JSON.stringify({ oauth_token: gf.oauth1.token, oauth_token_secret: gf.oauth1.secret, mfa_token: null, domain: 'garmin.com' }));
    writeFileSync(join(dir, 'oauth2_token.json'), JSON.stringify({ access_token: gf.accessToken, refresh_token: 'r', expires_in: 3600, expires_at: Math.floor(Date.now() / 1000) + 3600, scope: 'CONNECT_READ' }));
    const { c } = connector({ tokenFile: dir });
    expect(c.isConfigured()).toBe(true);
    await c.authenticate();
    const saved = await ts.store.get('garmin');
    expect(saved?.access_token).toBe(gf.accessToken);
    expect(saved?.extra?.oauth1_token).toBe(gf.oauth1.token);
    expect(modeOf(ts.path)).toBe(0o600);
  });

  it('exchanges the OAuth1 token when the OAuth2 token is about to expire', async () => {
    await saveTokens(120);
    const { c } = connector();
    await c.authenticate();
    expect(gf.exchanges).toBe(1);
    expect((await ts.store.get('garmin'))?.access_token).toBe('garmin-access-1-xyz789');
    expect(modeOf(ts.path)).toBe(0o600);
  });

  it.each([
    ['block403', /HTTP 403/],
    ['block429', /HTTP 429/],
    ['challenge', /bot challenge/],
  ] as const)('explains plainly when the login is refused (%s)', async (mode, detail) => {
    gf.sso = mode;
    const { c, http } = connector({ email: 'me@example.com', password: 'hunter2-password' });
    const err = await c.authenticate().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GarminLoginBlockedError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/blocks most logins from scripts/);
    expect(msg).toMatch(/account data export or a folder of FIT files/);
    expect(msg).toMatch(detail);
    expect(msg + dump(http.logs)).not.toContain('hunter2-password');
  });

  it('signs OAuth1 requests per RFC 5849 (known vector)', () => {
    // Expected value computed separately from the RFC 5849 §3.4 base string with another HMAC-SHA1 implementation.
    const h = oauth1Header('POST', 'https://example.com/x?b=2&a=1', { key: 'ck', secret: 'cs' }, { token: 'tk', secret: 'ts' }, {}, 'nonce', 1700000000);
    expect(h).toContain('oauth_token="tk"');
    expect(h).toContain('oauth_signature="5agzwO9bnuHdfKpjgVt1y5X%2BL9g%3D"');
  });
});

describe('garmin data', () => {
  it('pages activities by start/limit and maps the list fields', async () => {
    await saveTokens();
    gf.activities.push(
      garminListItem(101, '2024-05-01 06:00:00'),
      garminListItem(102, '2024-05-02 06:00:00'),
      garminListItem(103, '2024-05-03 06:00:00', { startTimeGMT: 'sometime' }),
      garminListItem(104, '2024-05-10 00:00:00'),
    );
    const { c } = connector();
    const pages = await drain(c.fetchWorkouts(range('2024-05-01T06:00:00Z', '2024-05-10T00:00:00Z')));
    expect(pages.map((p) => p.cursor)).toEqual(['2', '4', null]);
    const ws = pages.flatMap((p) => p.result.workouts);
    expect(ws.map((w) => w.external_id)).toEqual(['101', '102']); // 104 starts exactly at the end
    const w = ws[0]!;
    expect(w.sport).toBe('cycling');
    expect(w.start_time).toEqual(new Date('2024-05-01T06:00:00Z'));
    expect(w.utc_offset_min).toBe(-360);
    expect(w.duration_s).toBe(5600.7);
    expect(w.avg_power_w).toBe(201);
    expect(w.has_power).toBe(true);
    expect(w.avg_cadence).toBe(88);
    const errs = pages.flatMap((p) => p.result.errors);
    expect(errs).toEqual([expect.objectContaining({ record: 'activity 103', field: 'startTimeGMT' })]);
  });

  it('maps the recorded activity detail', () => {
    const w = garminWorkout(garminFixture('activity_21482825013.json'));
    expect(w.external_id).toBe('21482825013');
    expect(w.sport).toBe('trail_running');
    expect(w.distance_m).toBe(4261.19);
    expect(w.start_time).toEqual(new Date('2026-01-08T14:10:21Z'));
    expect(w.utc_offset_min).toBe(-360);
    expect(w.avg_hr).toBe(142);
    expect(w.max_hr).toBe(162);
    expect(w.calories_kcal).toBe(390);
    expect(w.training_load).toBeCloseTo(50.886444, 5);
    // The detail's cadence is in steps per minute, what workouts keep (FIT strides are doubled).
    expect(w.avg_cadence).toBeCloseTo(111.734375, 9);
  });

  it('maps the list item of an activity as it maps its detail', async () => {
    await saveTokens();
    const detail = garminFixture('activity_21482825013.json') as GarminDetail;
    gf.activities.push(garminListItemOf(detail));
    const { c } = connector();
    const [listed] = (await drain(c.fetchWorkouts(range('2026-01-08T00:00:00Z', '2026-01-09T00:00:00Z')))).flatMap((p) => p.result.workouts);
    const fromDetail = c.transformWorkout(detail);
    expect(listed).toBeDefined();
    const { raw_data: _a, input, ...fromList } = listed!;
    const { raw_data: _b, ...expected } = fromDetail;
    expect(fromList).toEqual(expected);
    expect(input).toMatch(/activitylist-service/);
  });

  it('reads HRV, sleep, daily summary and weight from the recorded bodies', async () => {
    await saveTokens();
    const { c } = connector();
    const bio = async (s: string, e: string) => (await drain(c.fetchBiometrics(range(s, e)))).flatMap((p) => p.result.biometrics);
    const hrv = await bio('2023-07-20T00:00:00Z', '2023-07-21T00:00:00Z');
    expect(hrv.filter((b) => b.metric_type === 'hrv_rmssd').map((b) => [b.date, b.value])).toEqual([['2023-07-20', 42]]);
    const sleep = await bio('2025-07-07T00:00:00Z', '2025-07-08T00:00:00Z');
    const val = (m: string) => sleep.find((b) => b.metric_type === m)?.value;
    expect(val('sleep_duration')).toBe(24180);
    expect(val('sleep_deep')).toBe(5280);
    expect(val('sleep_rem')).toBe(5460);
    expect(val('sleep_score')).toBe(83);
    expect(val('weight')).toBe(72.45);
    expect(val('body_fat_pct')).toBe(14.2);
    expect(val('muscle_mass')).toBe(34.1);
    expect(sleep.filter((b) => b.metric_type === 'weight')).toHaveLength(1); // the 0 g entry is absent, not a reading
    // A weigh-in happens at timestampGMT; `date` is the local wall clock two hours later.
    expect(sleep.find((b) => b.metric_type === 'weight')?.time).toEqual(new Date('2025-07-07T06:10:00Z'));
    // The night's readings are timed at its end; time in bed is the sleep window.
    expect(sleep.find((b) => b.metric_type === 'sleep_duration')?.time).toEqual(new Date(1751888248000));
    expect(val('sleep_in_bed')).toBe((1751888248000 - 1751863648000) / 1000);
    const summary = await bio('2025-06-14T00:00:00Z', '2025-06-15T00:00:00Z');
    expect(summary.filter((b) => b.metric_type === 'resting_hr').map((b) => b.value)).toEqual([51]);
    expect(summary.filter((b) => b.metric_type === 'steps').map((b) => b.value)).toEqual([5459]);
  });

  it('exchanges once on a 401 and keeps tokens out of outputs', async () => {
    await ts.store.set('garmin', { access_token: 'revoked-garmin-token', expires_at: Math.floor(Date.now() / 1000) + 3600, extra: { oauth1_token: gf.oauth1.token, oauth1_token_secret: gf.oauth1.secret } });
    gf.activities.push(garminListItem(101, '2024-05-01 06:00:00', { note: `Bearer ${gf.oauth1.secret}` }));
    const { c, http } = connector();
    const pages = await drain(c.fetchWorkouts(range('2024-05-01T00:00:00Z', '2024-05-02T00:00:00Z')));
    expect(gf.exchanges).toBe(1);
    expect(pages[0]!.result.workouts).toHaveLength(1);
    const text = dump(pages) + dump(http.logs);
    for (const s of ['revoked-garmin-token', gf.accessToken, gf.oauth1.token, gf.oauth1.secret, 'consumer-secret-456']) expect(text).not.toContain(s);
  });
});
