/**
 * The plausibility gate on biometrics and API payloads: whatever a record
 * came from (an API page, an export file), an implausible value is not stored
 * and leaves a warning row naming the input, the record, the field, the value
 * and the bound; a record dated before 1990 or more than a day ahead is not
 * stored and leaves a row. The same records by API and by export file give
 * the same rows.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { syncDemo } from '../../lib/demo/sync.ts';
import { emptyResult, METRIC_UNITS, type BiometricReadingInput } from '../../lib/core/models.ts';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { importPaths } from '../../lib/ingest/importer.ts';
import { storeResult } from '../../lib/ingest/store.ts';
import { syncConnector } from '../../lib/ingest/sync.ts';
import { OuraConnector } from '../../lib/sources/oura/api.ts';
import { WhoopConnector } from '../../lib/sources/whoop/api.ts';
import { ouraSleep, startOuraFake, type OuraFake } from '../fakes/oura.ts';
import { startWhoopFake, whoopWorkout, type WhoopFake } from '../fakes/whoop.ts';
import { quickHttp, tempStore } from '../sources/helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'gate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshDb = () => Warehouse.open(join(dir, `w${++n}.duckdb`));

interface ErrorRow {
  input: string;
  record: string | null;
  field: string | null;
  reason: string;
}
const errorRows = (wh: Warehouse) => wh.all<ErrorRow>('SELECT input, record, field, reason FROM import_errors ORDER BY record, field');
const readings = (wh: Warehouse) =>
  wh.all<{ date: string; metric_type: string; value: number }>('SELECT date, metric_type, value FROM source_biometrics ORDER BY date, metric_type');

function reading(metric: BiometricReadingInput['metric_type'], value: number, date = '2024-03-01'): BiometricReadingInput {
  return { date, time: null, metric_type: metric, value, unit: METRIC_UNITS[metric], source: 'test', input: 'readings.csv' };
}

describe('biometrics in the store', () => {
  it('keeps plausible readings, and leaves a row for each implausible value and each impossible date', async () => {
    const wh = await freshDb();
    const r = emptyResult();
    const ahead = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    r.biometrics.push(
      reading('hrv_rmssd', 62),
      reading('hrv_rmssd', 900, '2024-03-02'),
      reading('resting_hr', 12),
      reading('weight', 0),
      reading('body_fat_pct', 96),
      reading('steps', 400_000),
      reading('sleep_duration', 100_000),
      reading('sleep_score', 140),
      reading('recovery_score', -5),
      reading('resting_hr', 51, '1985-06-01'),
      reading('resting_hr', 50, ahead),
    );
    const s = await storeResult(wh, r, { athleteId: 'me' });
    expect(s.biometrics).toBe(1);
    expect(await readings(wh)).toEqual([{ date: '2024-03-01', metric_type: 'hrv_rmssd', value: 62 }]);
    const rows = await errorRows(wh);
    expect(rows).toHaveLength(10);
    for (const row of rows) expect(row.input).toBe('readings.csv');
    const by = (record: string) => rows.find((x) => x.record === record)!;
    expect(by('hrv_rmssd 2024-03-02')).toMatchObject({ field: 'value' });
    expect(by('hrv_rmssd 2024-03-02').reason).toMatch(/implausible value 900 ms: outside 1-300 ms/);
    expect(by('resting_hr 2024-03-01').reason).toMatch(/implausible value 12 bpm: outside 25-150 bpm/);
    expect(by('weight 2024-03-01').reason).toMatch(/implausible value 0 kg: outside 20-350 kg/);
    expect(by('steps 2024-03-01').reason).toMatch(/400000 count: outside 1-150000 count/);
    expect(by('sleep_score 2024-03-01').reason).toMatch(/140 score: outside 0-100 score/);
    expect(by('resting_hr 1985-06-01')).toMatchObject({ field: 'date' });
    expect(by('resting_hr 1985-06-01').reason).toMatch(/record rejected: 1985-06-01T00:00:00.000Z is before 1990-01-01/);
    expect(by(`resting_hr ${ahead}`).reason).toMatch(/more than a day in the future/);
    wh.close();
  });
});

describe('API payloads', () => {
  let of: OuraFake;
  let wf: WhoopFake;
  let ts: ReturnType<typeof tempStore>;
  beforeEach(async () => {
    of = await startOuraFake();
    wf = await startWhoopFake();
    ts = tempStore();
  });
  afterEach(async () => {
    await of.fake.close();
    await wf.fake.close();
    ts.cleanup();
  });

  /** Oura records with implausible values: HRV 999 ms and a resting HR of 12 in a night, a sleep score of 140, 9,000 kcal in an hour, a readiness dated 1989. */
  const ouraRecords = () => ({
    sleep: [ouraSleep('night-1', '2024-03-02', { average_hrv: 999, lowest_heart_rate: 12 })],
    daily_sleep: [{ id: 'ds-1', day: '2024-03-02', score: 140, timestamp: '2024-03-02T00:00:00+00:00' }],
    daily_readiness: [{ id: 'dr-1', day: '2024-03-02', score: 80, timestamp: '1989-07-01T00:00:00+00:00' }],
    daily_activity: [{ id: 'da-1', day: '2024-03-02', steps: 9_000, timestamp: '2024-03-02T04:00:00+02:00' }],
    workout: [{ id: 'w-1', activity: 'running', calories: 9_000, distance: 10_000, start_datetime: '2024-03-02T08:00:00+02:00', end_datetime: '2024-03-02T09:00:00+02:00', day: '2024-03-02' }],
  });

  /** The gate's rows, without where they came from. */
  const gateRows = (rows: ErrorRow[]) =>
    rows
      .filter((r) => /implausible|record rejected/.test(r.reason))
      .map((r) => ({ record: r.record, field: r.field, reason: r.reason }))
      .sort((a, b) => `${a.record}${a.field}`.localeCompare(`${b.record}${b.field}`));

  it('Oura: by API and by export file, implausible values are left out with the same rows', async () => {
    Object.assign(of.collections, ouraRecords());
    of.pageSize = 10;
    await ts.store.set('oura', { access_token: of.oauth.accessToken, refresh_token: of.oauth.refreshToken, expires_at: Math.floor(Date.now() / 1000) + 86_400 });
    const c = new OuraConnector({ baseUrl: of.fake.url, authBaseUrl: of.fake.url, clientId: 'cid-oura', clientSecret: 'csecret-oura-789', tokenStore: ts.store, http: quickHttp() });
    const api = await freshDb();
    const res = await syncConnector(api, c, { athleteId: 'me', days: 10, now: new Date('2024-03-05T00:00:00Z') });
    expect(res.status).not.toBe('error');
    const apiRows = await errorRows(api);
    expect(apiRows.find((r) => /hrv_rmssd/.test(r.record ?? ''))).toMatchObject({ input: `${of.fake.url}/v2/usercollection/sleep`, field: 'value' });
    const apiReadings = await readings(api);
    expect(apiReadings.filter((r) => ['hrv_rmssd', 'resting_hr', 'sleep_score', 'readiness_score'].includes(r.metric_type))).toEqual([]);
    expect(apiReadings.find((r) => r.metric_type === 'steps')?.value).toBe(9_000);
    const [w] = await api.all<{ calories_kcal: number | null; distance_m: number }>('SELECT calories_kcal, distance_m FROM source_workouts');
    expect(w).toEqual({ calories_kcal: null, distance_m: 10_000 });

    const file = join(dir, 'oura.json');
    writeFileSync(file, JSON.stringify(ouraRecords()));
    const exp = await freshDb();
    await importPaths(exp, [file], { athleteId: 'me' });
    const expRows = await errorRows(exp);
    expect(expRows.find((r) => /hrv_rmssd/.test(r.record ?? ''))).toMatchObject({ input: file, field: 'value' });

    const expected = gateRows(apiRows);
    expect(expected.map((r) => r.reason).join('\n')).toMatch(/implausible value 999 ms/);
    expect(expected.map((r) => r.reason).join('\n')).toMatch(/implausible value 12 bpm/);
    expect(expected.map((r) => r.reason).join('\n')).toMatch(/implausible value 140 score/);
    expect(expected.map((r) => r.reason).join('\n')).toMatch(/record rejected: 1989-07-01/);
    expect(expected.map((r) => r.reason).join('\n')).toMatch(/implausible calories_kcal 9000 kcal in 3600 s/);
    expect(gateRows(expRows)).toEqual(expected);
    api.close();
    exp.close();
  });

  it('WHOOP: an average heart rate above the maximum is stored as neither, with a row', async () => {
    wf.collections['/developer/v2/activity/workout'] = [
      whoopWorkout('wk-1', '2024-03-02T12:00:00.000Z', '2024-03-02T13:00:00.000Z', {
        score: { ...(whoopWorkout('x', '', '').score as object), average_heart_rate: 181, max_heart_rate: 150 },
      }),
    ];
    for (const p of ['/developer/v2/activity/sleep', '/developer/v2/recovery', '/developer/v2/cycle']) wf.collections[p] = [];
    await ts.store.set('whoop', { access_token: wf.oauth.accessToken, refresh_token: wf.oauth.refreshToken, expires_at: Math.floor(Date.now() / 1000) + 86_400 });
    const c = new WhoopConnector({ baseUrl: wf.fake.url, clientId: 'cid-whoop', clientSecret: 'csecret-whoop-456', tokenStore: ts.store, http: quickHttp() });
    const wh = await freshDb();
    const res = await syncConnector(wh, c, { athleteId: 'me', days: 10, now: new Date('2024-03-05T00:00:00Z') });
    expect(res.status, res.message).not.toBe('error');
    expect(await wh.all('SELECT avg_hr, max_hr FROM source_workouts')).toEqual([{ avg_hr: null, max_hr: null }]);
    const rows = await errorRows(wh);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ input: `${wf.fake.url}/developer/v2/activity/workout`, field: 'avg_hr' });
    expect(rows[0]!.reason).toMatch(/implausible avg_hr 181 bpm above max_hr 150 bpm/);
    wh.close();
  });
});

describe('the demo athlete', () => {
  it('writes nothing its own importers flag', async () => {
    const wh = await freshDb();
    await syncDemo(wh, { athleteId: 'me', dir: join(dir, 'demo'), seed: 42, days: 180 });
    const flagged = (await errorRows(wh)).filter((r) => /implausible|record rejected/.test(r.reason));
    expect(flagged).toEqual([]);
    expect((await wh.all<{ n: number }>('SELECT count(*) AS n FROM source_workouts'))[0]!.n).toBeGreaterThan(100);
    wh.close();
  });
});
