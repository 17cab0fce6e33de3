/**
 * One activity, one night (sleep and HRV), one day's summary and one weigh-in,
 * given twice: as the recorded Connect API bodies served by the fake Garmin and
 * fetched by the real connector, and as an account export written in the
 * export's own units and field names and read by the real importer. Both land
 * in a DuckDB warehouse; the rows must match field by field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Warehouse, type Row } from '../../../lib/core/warehouse.ts';
import { importPaths } from '../../../lib/ingest/importer.ts';
import { storeResult } from '../../../lib/ingest/store.ts';
import { GarminConnector } from '../../../lib/sources/garmin/api.ts';
import { garminFixture, garminListItemOf, startGarminFake, type GarminDetail, type GarminFake } from '../../fakes/garmin.ts';
import { drain, quickHttp, range, tempStore } from '../helpers.ts';

/**
 * Columns that say where a row came from rather than what it holds, and so
 * differ between the two paths. No other column may differ.
 */
const PROVENANCE: Record<string, string> = {
  input: 'the API row names the endpoint it was fetched from, the export row its file',
  raw_data: "each row keeps its own payload: the API's list item (metres, seconds) or the export's summary (centimetres, milliseconds), and each HRV source's own status word",
  ingested_at: 'the moment each row was stored',
};

/** The recorded activity (activity_21482825013.json) as the export's summarizedActivities writes it. */
const EXPORT_ACTIVITY = {
  activityId: 21482825013,
  name: 'Cuajimalpa de Morelos - Base',
  activityType: 'trail_running',
  sportType: 'RUNNING',
  userProfileId: 2591602,
  beginTimestamp: Date.parse('2026-01-08T14:10:21Z'),
  startTimeGmt: Date.parse('2026-01-08T14:10:21Z'),
  // The local wall clock (UTC-6) written as epoch ms.
  startTimeLocal: Date.parse('2026-01-08T08:10:21Z'),
  duration: 2_223_327,
  elapsedDuration: 2_225_441,
  movingDuration: 2_216_000,
  distance: 426_119,
  elevationGain: 15_100,
  elevationLoss: 14_700,
  avgSpeed: 0.19170000553131105,
  calories: 1631.76,
  avgHr: 142,
  maxHr: 162,
  minHr: 122,
  avgRunCadence: 55.8671875,
  maxRunCadence: 92,
  avgDoubleCadence: 111.734375,
  avgPower: 194,
  maxPower: 587,
  normPower: 226,
  aerobicTrainingEffect: 2.700000047683716,
  activityTrainingLoad: 50.886444091796875,
  steps: 5310,
  startLatitude: 19.312051674351096,
  startLongitude: -99.31236407719553,
};

/** The night of sleep-service_dailySleepData_2025-07-07.json as the export's sleepData writes it (no total: the stages add up to it). */
const EXPORT_SLEEP = {
  calendarDate: '2025-07-07',
  sleepStartTimestampGMT: '2025-07-07T04:47:28.0',
  sleepEndTimestampGMT: '2025-07-07T11:37:28.0',
  sleepWindowConfirmationType: 'ENHANCED_CONFIRMED_FINAL',
  deepSleepSeconds: 5280,
  lightSleepSeconds: 13440,
  remSleepSeconds: 5460,
  awakeSleepSeconds: 420,
  unmeasurableSeconds: 0,
  averageRespiration: 13,
  lowestRespiration: 9,
  highestRespiration: 17,
  awakeCount: 1,
  avgSleepStress: 14,
  sleepScores: { overallScore: 83, qualityScore: 85, durationScore: 78, recoveryScore: 90, deepScore: 95, remScore: 92, lightScore: 88 },
  spo2SleepSummary: { userProfilePk: 2591602, deviceId: 3469703076, sleepMeasurementStartGMT: '2025-07-07T04:48:00.0', averageSPO2: 93, averageHR: 46, lowestSPO2: 86 },
};

/** The HRV night of hrv_2023-07-20.json as a health-status entry. */
const EXPORT_HEALTH_STATUS = {
  calendarDate: '2023-07-20',
  metrics: [
    { type: 'HRV', value: 42, status: 'IN_RANGE', baselineLowerLimit: 39, baselineUpperLimit: 52 },
    { type: 'HR', value: 47, status: 'IN_RANGE' },
    { type: 'RESPIRATION', value: 13.5, status: 'IN_RANGE' },
  ],
};

/** The day of usersummary_daily_2025-06-14.json as a UDS entry. */
const EXPORT_UDS = {
  userProfilePK: 131234790,
  calendarDate: '2025-06-14',
  totalKilocalories: 2252,
  activeKilocalories: 99,
  totalSteps: 5459,
  totalDistanceMeters: 4471,
  minHeartRate: 49,
  maxHeartRate: 104,
  restingHeartRate: 51,
  currentDayRestingHeartRate: 51,
  dailyStepGoal: 10000,
};

/** The fake's weigh-ins (a scale reading and a failed manual one) as userBioMetrics entries. */
const EXPORT_BIOMETRICS = [
  { weight: { weight: 72450, bmi: 22.4, bodyFat: 14.2, muscleMass: 34100, timestampGMT: '2025-07-07T06:10:00.0', sourceType: 'INDEX_SCALE' }, metaData: { calendarDate: '2025-07-07' } },
  { weight: { weight: 0, timestampGMT: '2025-07-07T06:11:00.0', sourceType: 'MANUAL' }, metaData: { calendarDate: '2025-07-07' } },
  { vo2Max: 51, metaData: { calendarDate: '2025-07-07' } },
];

let dir: string;
let gf: GarminFake;
let ts: ReturnType<typeof tempStore>;
let viaApi: Warehouse;
let viaExport: Warehouse;

/** The connector's pages for the activity's day and each day of the night, the summary and the weigh-in, stored. */
async function syncFromApi(wh: Warehouse): Promise<void> {
  gf.activities.push(garminListItemOf(garminFixture('activity_21482825013.json') as GarminDetail));
  await ts.store.set('garmin', { access_token: gf.accessToken, expires_at: Math.floor(Date.now() / 1000) + 3600 });
  const c = new GarminConnector({ baseUrl: gf.fake.url, tokenStore: ts.store, http: quickHttp() });
  const pages = [
    ...(await drain(c.fetchWorkouts(range('2026-01-08T00:00:00Z', '2026-01-09T00:00:00Z')))),
    ...(await drain(c.fetchBiometrics(range('2023-07-20T00:00:00Z', '2023-07-21T00:00:00Z')))),
    ...(await drain(c.fetchBiometrics(range('2025-06-14T00:00:00Z', '2025-06-15T00:00:00Z')))),
    ...(await drain(c.fetchBiometrics(range('2025-07-07T00:00:00Z', '2025-07-08T00:00:00Z')))),
  ];
  for (const p of pages) await storeResult(wh, p.result, { athleteId: 'me' });
}

/** The export's files, written where a Garmin account export puts them, imported. */
async function importExport(wh: Warehouse): Promise<void> {
  const root = join(dir, 'export');
  const files: Record<string, unknown> = {
    'DI_CONNECT/DI-Connect-Fitness/runner@example.com_0_summarizedActivities.json': [{ summarizedActivitiesExport: [EXPORT_ACTIVITY] }],
    'DI_CONNECT/DI-Connect-Wellness/2025-06-20_2025-09-28_2591602_sleepData.json': [EXPORT_SLEEP],
    'DI_CONNECT/DI-Connect-Wellness/2023-07-01_2023-10-09_2591602_healthStatusData.json': [EXPORT_HEALTH_STATUS],
    'DI_CONNECT/DI-Connect-Aggregator/UDSFile_2025-06-01_2025-09-09.json': [EXPORT_UDS],
    'DI_CONNECT/DI-Connect-Wellness/2591602_userBioMetrics.json': EXPORT_BIOMETRICS,
  };
  for (const [rel, doc] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), JSON.stringify(doc));
  }
  await importPaths(wh, [root], { athleteId: 'me' });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'garmin-equivalence-'));
  gf = await startGarminFake();
  ts = tempStore();
  viaApi = await Warehouse.open(join(dir, 'api.duckdb'));
  viaExport = await Warehouse.open(join(dir, 'export.duckdb'));
  await syncFromApi(viaApi);
  await importExport(viaExport);
});

afterAll(async () => {
  viaApi?.close();
  viaExport?.close();
  await gf?.fake.close();
  ts?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const rowsOf = (wh: Warehouse, sql: string): Promise<Row[]> => wh.all(sql);

/**
 * Assert both warehouses hold the same rows (by key) with equal values in
 * every column (ids included) but the provenance ones; a failure names the row and column.
 */
async function expectSameRows(sql: string, label: (r: Row) => string): Promise<number> {
  const [a, b] = await Promise.all([rowsOf(viaApi, sql), rowsOf(viaExport, sql)]);
  expect(b.map(label), 'rows').toEqual(a.map(label));
  b.forEach((row, i) => {
    for (const [col, v] of Object.entries(row)) {
      if (col in PROVENANCE) continue;
      expect(v, `${label(row)}: ${col}`).toEqual(a[i]![col]);
    }
  });
  return a.length;
}

describe('Garmin: API and account export give the same rows', () => {
  it('reads everything without errors on both paths', async () => {
    for (const wh of [viaApi, viaExport]) expect(await rowsOf(wh, 'SELECT input, record, field, reason FROM import_errors')).toEqual([]);
  });

  it('the activity: every column equal but the provenance ones', async () => {
    const n = await expectSameRows('SELECT * FROM source_workouts ORDER BY external_id', (r) => `activity ${String(r.external_id)}`);
    expect(n).toBe(1);
    const [w] = await rowsOf(viaExport, 'SELECT external_id, sport, distance_m, duration_s, calories_kcal, avg_cadence, utc_offset_min FROM source_workouts');
    // Pinned so that "equal" cannot mean "both wrong the same way".
    expect(w).toEqual({ external_id: '21482825013', sport: 'trail_running', distance_m: 4261.19, duration_s: 2225.441, calories_kcal: 390, avg_cadence: 111.734375, utc_offset_min: -360 });
  });

  it('the night, the day and the weigh-in: every reading equal but the provenance columns', async () => {
    const n = await expectSameRows('SELECT * FROM source_biometrics ORDER BY date, metric_type, time', (r) => `${String(r.date)} ${String(r.metric_type)}`);
    const metrics = (await rowsOf(viaApi, 'SELECT date, metric_type FROM source_biometrics ORDER BY date, metric_type')).map((r) => `${String(r.date)} ${String(r.metric_type)}`);
    expect(metrics).toEqual([
      '2023-07-20 hrv_rmssd',
      '2025-06-14 resting_hr',
      '2025-06-14 steps',
      ...['bmi', 'body_fat_pct', 'muscle_mass'].map((m) => `2025-07-07 ${m}`),
      ...['respiratory_rate', 'sleep_awake', 'sleep_deep', 'sleep_duration', 'sleep_in_bed', 'sleep_light', 'sleep_rem', 'sleep_score', 'spo2'].map((m) => `2025-07-07 ${m}`),
      '2025-07-07 weight',
    ]);
    expect(n).toBe(metrics.length);
  });

  it('the provenance columns do differ, as listed', async () => {
    const inputs = async (wh: Warehouse) => (await rowsOf(wh, 'SELECT DISTINCT input FROM source_workouts')).map((r) => String(r.input));
    expect(await inputs(viaApi)).toEqual([`${gf.fake.url}/activitylist-service/activities/search/activities`]);
    expect((await inputs(viaExport))[0]).toMatch(/summarizedActivities\.json$/);
  });
});
