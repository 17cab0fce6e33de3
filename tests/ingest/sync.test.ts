import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncConnector, type SourceSyncResult } from '../../lib/ingest/sync.ts';
import { Warehouse } from '../../lib/core/warehouse.ts';
import type { BaseConnector } from '../../lib/sources/base.ts';
import { TokenStore } from '../../lib/sources/http/token_store.ts';
import { StravaConnector } from '../../lib/sources/strava/api.ts';
import { WhoopConnector } from '../../lib/sources/whoop/api.ts';
import { OuraConnector } from '../../lib/sources/oura/api.ts';
import { startStravaFake, stravaActivity, type StravaFake } from '../fakes/strava.ts';
import { startWhoopFake, whoopRecovery, whoopSleep, whoopWorkout, type WhoopFake } from '../fakes/whoop.ts';
import { ouraSleep, startOuraFake, type OuraFake } from '../fakes/oura.ts';
import { quickHttp } from '../sources/helpers.ts';

/** The sync's clock: windows end here; the fakes' data lies in the 30 days before. */
const NOW = new Date('2024-03-20T12:00:00Z');
const OPTS = { athleteId: 'me', days: 30, now: NOW };
const STRAVA_SECRET = 'csecret-strava-123';
const WHOOP_SECRET = 'csecret-whoop-456';
const OURA_SECRET = 'csecret-oura-789';

let dir: string;
let store: TokenStore;
let sf: StravaFake;
let wf: WhoopFake;
let of: OuraFake;
let logs: string[];
const open: Warehouse[] = [];

async function warehouse(name = 'athlete.duckdb'): Promise<Warehouse> {
  const wh = await Warehouse.open(join(dir, name));
  open.push(wh);
  return wh;
}

function tuning() {
  const h = quickHttp();
  h.log = (l) => logs.push(l);
  return h;
}
const strava = (): StravaConnector =>
  new StravaConnector({ baseUrl: sf.fake.url, clientId: 'cid-strava', clientSecret: STRAVA_SECRET, tokenStore: store, http: tuning(), perPage: 2, fetchStreams: true });
const whoop = (): WhoopConnector => new WhoopConnector({ baseUrl: wf.fake.url, clientId: 'cid-whoop', clientSecret: WHOOP_SECRET, tokenStore: store, http: tuning() });
const oura = (): OuraConnector =>
  new OuraConnector({ baseUrl: of.fake.url, authBaseUrl: of.fake.url, clientId: 'cid-oura', clientSecret: OURA_SECRET, tokenStore: store, http: tuning() });

const iso = (day: string, time = '06:00:00'): string => `${day}T${time}Z`;
const day = (n: number): string => `2024-03-${String(n).padStart(2, '0')}`;

/** Strava: 7 valid runs and one with an unreadable elapsed_time, 2 per page. */
function seedStrava(): void {
  for (const [i, d] of [5, 7, 9, 11, 14, 17, 19].entries()) sf.activities.push(stravaActivity(1001 + i, iso(day(d)), { distance: 10_000 + i }));
  sf.activities.push(stravaActivity(1999, iso(day(12)), { elapsed_time: 'long' }));
}

/** WHOOP: 30 workouts (two pages of 25), 3 sleeps with recoveries, 2 cycles. */
function seedWhoop(): void {
  wf.collections['/developer/v2/activity/workout'] = Array.from({ length: 30 }, (_, i) => {
    const start = new Date(Date.parse('2024-03-01T12:00:00Z') + i * 12 * 3_600_000);
    return whoopWorkout(`wk-${String(i).padStart(2, '0')}`, start.toISOString(), new Date(start.getTime() + 3_600_000).toISOString(), { score: { ...(whoopWorkout('x', '', '').score as object), kilojoule: 1000 + i } });
  });
  wf.collections['/developer/v2/activity/sleep'] = [16, 17, 18].map((d) => whoopSleep(`sl-${d}`, iso(day(d - 1), '03:30:00'), iso(day(d), '11:00:00')));
  wf.collections['/developer/v2/recovery'] = [16, 17, 18].map((d, i) =>
    whoopRecovery(93_000 + d, `sl-${d}`, { created_at: iso(day(d), '11:30:00'), score: { user_calibrating: false, recovery_score: 40 + i, resting_heart_rate: 60 + i, hrv_rmssd_milli: 30.5 + i } }),
  );
  wf.collections['/developer/v2/cycle'] = [17, 18].map((d) => ({
    id: 93_000 + d, start: iso(day(d - 1), '03:30:00'), end: iso(day(d), '03:00:00'), timezone_offset: '-05:00', score_state: 'SCORED', score: { strain: 10 + d / 10 },
  }));
}

/** Oura: 5 main sleeps (three pages of 2), dailies, one workout. */
function seedOura(): void {
  of.collections.sleep = [15, 16, 17, 18, 19].map((d) => ouraSleep(`os-${d}`, day(d), { average_hrv: 50 + d }));
  of.collections.daily_sleep = [17, 18, 19].map((d) => ({ id: `ds-${d}`, day: day(d), score: 70 + d }));
  of.collections.daily_readiness = [18, 19].map((d) => ({ id: `dr-${d}`, day: day(d), score: 60 + d }));
  of.collections.daily_activity = [18, 19].map((d) => ({ id: `da-${d}`, day: day(d), steps: 9000 + d }));
  of.collections.workout = [
    { id: 'ow-1', activity: 'cycling', calories: 412.5, day: day(18), distance: 20456.3, start_datetime: '2024-03-18T08:00:00+02:00', end_datetime: '2024-03-18T09:05:00+02:00', intensity: 'moderate', source: 'manual' },
  ];
}

async function saveTokens(): Promise<void> {
  const exp = Math.floor(Date.now() / 1000) + 3600;
  await store.set('strava', { access_token: sf.oauth.accessToken, refresh_token: sf.oauth.refreshToken, expires_at: exp });
  await store.set('whoop', { access_token: wf.oauth.accessToken, refresh_token: wf.oauth.refreshToken, expires_at: exp });
  await store.set('oura', { access_token: of.oauth.accessToken, refresh_token: of.oauth.refreshToken, expires_at: exp });
}

/** Everything the sync writes, minus the load instants. */
async function snapshot(wh: Warehouse) {
  return {
    workouts: await wh.all('SELECT * EXCLUDE (ingested_at) FROM source_workouts ORDER BY record_id'),
    biometrics: await wh.all('SELECT * EXCLUDE (ingested_at) FROM source_biometrics ORDER BY reading_id'),
    streams: await wh.all('SELECT * FROM workout_streams ORDER BY record_id, time'),
    errors: await wh.all('SELECT * EXCLUDE (occurred_at) FROM import_errors ORDER BY error_id'),
    meta: await wh.all('SELECT * EXCLUDE (last_sync) FROM sync_metadata ORDER BY source, athlete_id'),
  };
}

async function meta(wh: Warehouse, source: string): Promise<{ sync_status: string; cursor: Record<string, unknown>; message: string | null; records: number | null }> {
  const [r] = await wh.all<{ sync_status: string; cursor: string; message: string | null; records: number | null }>(
    'SELECT sync_status, cursor, message, records FROM sync_metadata WHERE source = ? AND athlete_id = ?',
    [source, 'me'],
  );
  return { ...r!, cursor: JSON.parse(r!.cursor) as Record<string, unknown> };
}

async function count(wh: Warehouse, table: string, source: string): Promise<number> {
  const [r] = await wh.all<{ n: number }>(`SELECT count(*) AS n FROM ${table} WHERE source = ?`, [source]);
  return r!.n;
}

/** Sync, aborting right after `pages` pages have been committed. */
async function syncKilledAfter(wh: Warehouse, c: BaseConnector, pages: number): Promise<SourceSyncResult> {
  const ac = new AbortController();
  let n = 0;
  return syncConnector(wh, c, { ...OPTS, signal: ac.signal, onPage: () => (++n === pages ? ac.abort() : undefined) });
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sync-test-'));
  store = new TokenStore(join(dir, 'cfg', 'tokens.json'));
  logs = [];
  [sf, wf, of] = await Promise.all([startStravaFake(), startWhoopFake(), startOuraFake()]);
  seedStrava();
  seedWhoop();
  seedOura();
  await saveTokens();
});
afterEach(async () => {
  for (const wh of open.splice(0)) wh.close();
  await Promise.all([sf.fake.close(), wf.fake.close(), of.fake.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('full sync', () => {
  it('stores Strava pages, streams, the bad item and the cursor', async () => {
    const wh = await warehouse();
    const pages: number[] = [];
    const r = await syncConnector(wh, strava(), { ...OPTS, onPage: (_s, rows) => pages.push(rows) });
    expect(r).toEqual({ source: 'strava', status: 'success', workouts: 7, biometrics: 0, errors: 1 });
    // Four pages of activities (2, 2, 2, 2 with the bad one), the empty page ending them, and Strava's empty biometrics page.
    expect(pages).toEqual([2, 2, 1, 2, 0, 0]);
    const rows = await wh.all<{ external_id: string; distance_m: number; start_time: Date; avg_hr: number; utc_offset_min: number }>(
      "SELECT external_id, distance_m, start_time, avg_hr, utc_offset_min FROM source_workouts WHERE source = 'strava' ORDER BY start_time",
    );
    expect(rows.map((w) => w.external_id)).toEqual(['1001', '1002', '1003', '1004', '1005', '1006', '1007']);
    expect(rows[0]).toEqual({ external_id: '1001', distance_m: 10_000, start_time: new Date('2024-03-05T06:00:00Z'), avg_hr: 151.3, utc_offset_min: 60 });
    expect(rows[6]!.distance_m).toBe(10_006);
    const [streams] = await wh.all<{ n: number; recs: number }>('SELECT count(*) AS n, count(DISTINCT record_id) AS recs FROM workout_streams');
    expect(streams).toEqual({ n: 28, recs: 7 });
    const errs = await wh.all<{ record: string; field: string; input: string }>('SELECT record, field, input FROM import_errors');
    expect(errs).toEqual([{ record: 'activity 1999', field: 'elapsed_time', input: `${sf.fake.url}/api/v3/athlete/activities` }]);
    expect(await meta(wh, 'strava')).toEqual({ sync_status: 'success', cursor: { complete_until: NOW.toISOString() }, message: null, records: 7 });
  });

  it('stores WHOOP workouts over two pages and sleep, recovery and strain on their days', async () => {
    const wh = await warehouse();
    const r = await syncConnector(wh, whoop(), OPTS);
    // 9 sleep metrics per night, 3 recovery metrics (the seeded scores carry no SpO2 or skin temperature), 1 strain per cycle.
    expect(r).toEqual({ source: 'whoop', status: 'success', workouts: 30, biometrics: 9 * 3 + 3 * 3 + 2, errors: 0 });
    expect(wf.fake.requests.filter((q) => q.path === '/developer/v2/activity/workout')).toHaveLength(2);
    expect(await count(wh, 'source_workouts', 'whoop')).toBe(30);
    const [w] = await wh.all<{ calories_kcal: number; distance_m: number }>("SELECT calories_kcal, distance_m FROM source_workouts WHERE external_id = 'whoop:wk-07'");
    expect(w!.calories_kcal).toBeCloseTo(1007 / 4.184, 9);
    expect(w!.distance_m).toBe(1772.77);
    const bio = await wh.all<{ date: string; metric_type: string; value: number }>(
      "SELECT date, metric_type, value FROM source_biometrics WHERE source = 'whoop' AND metric_type IN ('hrv_rmssd', 'day_strain', 'sleep_deep') ORDER BY metric_type, date",
    );
    expect(bio).toEqual([
      // A cycle starts at sleep onset (22:30 local the evening before) and is named for the next day.
      { date: '2024-03-16', metric_type: 'day_strain', value: 11.7 },
      { date: '2024-03-17', metric_type: 'day_strain', value: 11.8 },
      { date: '2024-03-16', metric_type: 'hrv_rmssd', value: 30.5 },
      { date: '2024-03-17', metric_type: 'hrv_rmssd', value: 31.5 },
      { date: '2024-03-18', metric_type: 'hrv_rmssd', value: 32.5 },
      { date: '2024-03-16', metric_type: 'sleep_deep', value: 6630.37 },
      { date: '2024-03-17', metric_type: 'sleep_deep', value: 6630.37 },
      { date: '2024-03-18', metric_type: 'sleep_deep', value: 6630.37 },
    ]);
    expect(await meta(wh, 'whoop')).toEqual({ sync_status: 'success', cursor: { complete_until: NOW.toISOString() }, message: null, records: 68 });
  });

  it('stores Oura sleeps over three pages, the dailies and the workout', async () => {
    const wh = await warehouse();
    const r = await syncConnector(wh, oura(), OPTS);
    expect(r).toEqual({ source: 'oura', status: 'success', workouts: 1, biometrics: 10 * 5 + 3 + 2 + 2, errors: 0 });
    expect(of.fake.requests.filter((q) => q.path === '/v2/usercollection/sleep').map((q) => q.query.get('next_token'))).toEqual([null, '2', '4']);
    const hrv = await wh.all<{ date: string; value: number }>("SELECT date, value FROM source_biometrics WHERE source = 'oura' AND metric_type = 'hrv_rmssd' ORDER BY date");
    expect(hrv).toEqual([15, 16, 17, 18, 19].map((d) => ({ date: day(d), value: 50 + d })));
    const steps = await wh.all<{ date: string; value: number }>("SELECT date, value FROM source_biometrics WHERE metric_type = 'steps' ORDER BY date");
    expect(steps).toEqual([{ date: day(18), value: 9018 }, { date: day(19), value: 9019 }]);
    const [w] = await wh.all<{ start_time: Date; utc_offset_min: number }>("SELECT start_time, utc_offset_min FROM source_workouts WHERE source = 'oura'");
    expect(w).toEqual({ start_time: new Date('2024-03-18T06:00:00Z'), utc_offset_min: 120 });
    expect((await meta(wh, 'oura')).cursor).toEqual({ complete_until: NOW.toISOString() });
  });

  it('re-running the sync changes nothing', async () => {
    const wh = await warehouse();
    for (const c of [strava(), whoop(), oura()]) expect((await syncConnector(wh, c, OPTS)).status).toBe('success');
    const before = await snapshot(wh);
    const requests = sf.fake.requests.length + wf.fake.requests.length + of.fake.requests.length;
    const again = [];
    for (const c of [strava(), whoop(), oura()]) again.push(await syncConnector(wh, c, OPTS));
    // The re-run did read the look-back window again (3 days before complete_until)...
    expect(sf.fake.requests.length + wf.fake.requests.length + of.fake.requests.length).toBeGreaterThan(requests);
    expect(again.map((r) => [r.source, r.status, r.workouts > 0 || r.biometrics > 0])).toEqual([
      ['strava', 'success', true],
      ['whoop', 'success', true],
      ['oura', 'success', true],
    ]);
    // ...and upserted the same rows: nothing added, nothing changed.
    expect(await snapshot(wh)).toEqual(before);
  });
});

describe('interrupted syncs', () => {
  async function reference(c: () => BaseConnector): Promise<Awaited<ReturnType<typeof snapshot>>> {
    const wh = await warehouse(`ref-${Math.random().toString(36).slice(2)}.duckdb`);
    expect((await syncConnector(wh, c(), OPTS)).status).toBe('success');
    return snapshot(wh);
  }

  for (const [name, make, kills] of [
    ['strava', strava, [1, 3, 5]],
    ['whoop', whoop, [1, 2, 4]],
    ['oura', oura, [2, 5]],
  ] as const) {
    it(`${name}: killed after 1..n pages, a re-run converges to the uninterrupted result`, async () => {
      const want = await reference(make);
      for (const n of kills) {
        const wh = await warehouse(`killed-${n}.duckdb`);
        const first = await syncKilledAfter(wh, make(), n);
        expect(first.status).toBe('error');
        expect(first.message).toBe('sync aborted');
        const m = await meta(wh, name);
        expect(m.sync_status).toBe('error');
        expect(m.cursor.pending).toBeDefined();
        const second = await syncConnector(wh, make(), OPTS);
        expect(second.status).toBe('success');
        const got = await snapshot(wh);
        expect(got).toEqual(want);
        const [dups] = await wh.all<{ n: number }>('SELECT count(*) AS n FROM (SELECT record_id, time FROM workout_streams GROUP BY ALL HAVING count(*) > 1)');
        expect(dups!.n).toBe(0);
      }
    });
  }

  it('the saved cursor points just after the last committed page', async () => {
    const wh = await warehouse();
    await syncKilledAfter(wh, strava(), 2);
    const m = await meta(wh, 'strava');
    expect(m.cursor).toEqual({ pending: expect.objectContaining({ start: new Date(NOW.getTime() - 30 * 86_400_000).toISOString(), end: NOW.toISOString(), stream: 'workouts', cursor: '3' }) });
    const ids = await wh.all<{ external_id: string }>("SELECT external_id FROM source_workouts WHERE source = 'strava' ORDER BY external_id");
    expect(ids.map((r) => r.external_id)).toEqual(['1001', '1002', '1003', '1004']);
    // Resuming asks for page 3 first, not page 1.
    const seen = sf.fake.requests.length;
    await syncConnector(wh, strava(), OPTS);
    expect(sf.fake.requests.slice(seen).find((q) => q.path === '/api/v3/athlete/activities')!.query.get('page')).toBe('3');
  });

  it('a page whose store fails rolls back with its cursor; the re-run fills it in', async () => {
    const want = await reference(strava);
    const wh = await warehouse();
    // The third page's write to the warehouse fails inside the transaction.
    const flaky = Object.create(wh) as Warehouse;
    let appends = 0;
    flaky.appendRows = async (table, rows) => {
      if (table === 'stage_source_workouts' && ++appends === 3) throw new Error('disk full (injected)');
      return wh.appendRows(table, rows);
    };
    const r = await syncConnector(flaky, strava(), OPTS);
    expect(r).toMatchObject({ status: 'error', message: 'disk full (injected)', workouts: 4 });
    const m = await meta(wh, 'strava');
    expect(m.cursor.pending).toMatchObject({ stream: 'workouts', cursor: '3' });
    expect(await count(wh, 'source_workouts', 'strava')).toBe(4);
    const [s] = await wh.all<{ recs: number }>('SELECT count(DISTINCT record_id) AS recs FROM workout_streams');
    expect(s!.recs).toBe(4);
    expect((await syncConnector(wh, strava(), OPTS)).status).toBe('success');
    const got = await snapshot(wh);
    expect(got.workouts).toEqual(want.workouts);
    expect(got.streams).toEqual(want.streams);
    expect(got.errors).toEqual(want.errors);
  });
});

describe('source health', () => {
  it('zero rows for a window that had data before is a warning', async () => {
    const wh = await warehouse();
    expect((await syncConnector(wh, oura(), OPTS)).status).toBe('success');
    for (const k of Object.keys(of.collections)) of.collections[k] = [];
    const r = await syncConnector(wh, oura(), OPTS);
    expect(r.status).toBe('warning');
    expect(r.message).toMatch(/no records returned for 2024-03-17\.\.2024-03-20, although earlier syncs returned 58: the API may have changed/);
    const m = await meta(wh, 'oura');
    expect(m.sync_status).toBe('warning');
    expect(m.message).toBe(r.message);
    expect(m.cursor).toEqual({ complete_until: NOW.toISOString() });
    // Earlier rows are kept, never deleted by an empty answer.
    expect(await count(wh, 'source_biometrics', 'oura')).toBe(57);
  });

  // Known bug in lib/core/sync.ts (see the report): a quiet spell longer than the look-back window is
  // reported as a warning although the warehouse holds nothing for that window. Flip to `it` once fixed.
  it('no new activities in a window that never had any is not a warning', async () => {
    const wh = await warehouse();
    sf.activities.splice(0, sf.activities.length, stravaActivity(1, iso(day(1))));
    expect((await syncConnector(wh, strava(), { ...OPTS, now: new Date('2024-03-10T12:00:00Z') })).workouts).toBe(1);
    // Two quiet weeks: the next window (look-back from 03-07 to 03-24) holds nothing, in the API or the warehouse.
    const r = await syncConnector(wh, strava(), { ...OPTS, now: new Date('2024-03-24T12:00:00Z') });
    expect(r.status).toBe('success');
  });

  // Known bug in lib/core/sync.ts (see the report): a stream's last page saves `pending` with cursor null,
  // which a resume reads as "start this stream again". Harmless for the data (upserts), wasteful in requests.
  it('a resume after the last page of a stream does not fetch that stream again', async () => {
    const wh = await warehouse();
    await syncKilledAfter(wh, whoop(), 2);
    const seen = wf.fake.requests.length;
    await syncConnector(wh, whoop(), OPTS);
    expect(wf.fake.requests.slice(seen).filter((q) => q.path === '/developer/v2/activity/workout')).toHaveLength(0);
  });

  it('429 gives rate_limited with retry_after; a source failing after its retries does not stop the next', async () => {
    const wh = await warehouse();
    sf.fake.inject((q) => q.path === '/api/v3/athlete/activities', { status: 500, body: { message: 'Internal Server Error' } }, 3);
    wf.fake.inject((q) => q.path === '/developer/v2/activity/workout', { status: 429, headers: { 'Retry-After': '120' }, body: { message: 'Too Many Requests' } });
    const results: SourceSyncResult[] = [];
    for (const c of [strava(), whoop(), oura()]) results.push(await syncConnector(wh, c, OPTS));
    expect(results[0]).toMatchObject({ source: 'strava', status: 'error', workouts: 0 });
    expect(results[0]!.message).toMatch(/strava: GET \/api\/v3\/athlete\/activities failed with HTTP 500: .*after 3 attempts/);
    expect(results[1]).toEqual({
      source: 'whoop', status: 'rate_limited', retry_after: 120, workouts: 0, biometrics: 0, errors: 0,
      message: 'whoop: rate limit reached on /developer/v2/activity/workout; retry after 120 s',
    });
    expect(results[2]).toMatchObject({ source: 'oura', status: 'success', workouts: 1, biometrics: 57 });
    expect((await meta(wh, 'strava')).sync_status).toBe('error');
    expect(await meta(wh, 'whoop')).toMatchObject({ sync_status: 'rate_limited', message: results[1]!.message, cursor: {} });
    expect((await meta(wh, 'oura')).sync_status).toBe('success');
    expect(await count(wh, 'source_workouts', 'strava')).toBe(0);
    // Later, with the services healthy again, both catch up from the same window.
    expect((await syncConnector(wh, strava(), OPTS)).workouts).toBe(7);
    expect((await syncConnector(wh, whoop(), OPTS)).workouts).toBe(30);
  });
});

describe('secrets', () => {
  it('no token or client secret reaches the warehouse or the logs', async () => {
    const planted = [sf.oauth.accessToken, sf.oauth.refreshToken, wf.oauth.accessToken, of.oauth.accessToken, of.oauth.refreshToken];
    // Strava's token has expired: the sync refreshes it (rotating the refresh token).
    await store.set('strava', { access_token: 'expired-strava-access', refresh_token: sf.oauth.refreshToken, expires_at: 1 });
    sf.activities.push(stravaActivity(4242, iso(day(18)), { description: `token ${planted[1]}`, private_note: `Bearer ${planted[0]}` }));
    sf.activities.push(stravaActivity(4243, iso(day(18), '09:00:00'), { moving_time: -1, name: `refresh ${planted[1]}` }));
    of.fake.inject((q) => q.path === '/v2/usercollection/workout', { status: 500, body: { detail: `upstream rejected ${of.oauth.accessToken}` } }, 3);
    wf.fake.inject((q) => q.path === '/developer/v2/recovery', { status: 401, body: { message: 'expired' } });
    const stderr: string[] = [];
    const level = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'debug';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    const wh = await warehouse();
    const results: SourceSyncResult[] = [];
    try {
      for (const c of [strava(), whoop(), oura()]) results.push(await syncConnector(wh, c, OPTS));
      await syncKilledAfter(wh, whoop(), 1);
    } finally {
      spy.mockRestore();
      process.env.LOG_LEVEL = level;
    }
    expect(results.map((r) => r.status)).toEqual(['success', 'success', 'error']);
    expect(sf.oauth.refreshCount).toBe(1);
    expect(wf.oauth.refreshCount).toBe(1);
    expect(stderr.join('')).toMatch(/source sync stopped/);
    expect(logs.some((l) => l.includes('refreshing the access token'))).toBe(true);
    const tokenFile = (JSON.parse(readFileSync(store.path, 'utf8')) as { athletes: { me: Record<string, Record<string, unknown>> } }).athletes.me;
    const secrets = [
      ...planted,
      'expired-strava-access',
      STRAVA_SECRET,
      WHOOP_SECRET,
      OURA_SECRET,
      sf.oauth.accessToken,
      sf.oauth.refreshToken,
      wf.oauth.accessToken,
      wf.oauth.refreshToken,
      ...Object.values(tokenFile).flatMap((e) => [e.access_token, e.refresh_token]).filter((v): v is string => typeof v === 'string'),
    ];
    const tables: string[] = [];
    for (const t of ['source_workouts', 'source_biometrics', 'import_errors', 'sync_metadata']) tables.push(JSON.stringify(await wh.all(`SELECT * FROM ${t}`)));
    const haystack = [...tables, ...logs, ...stderr, JSON.stringify(results)].join('\n');
    // The stored rows did arrive, with the planted values removed.
    expect(tables[0]).toContain('[redacted]');
    expect(tables[2]).toContain('activity 4243');
    for (const s of new Set(secrets)) expect(haystack).not.toContain(s);
  });
});
