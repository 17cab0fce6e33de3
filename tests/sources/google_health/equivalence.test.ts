/**
 * API = archive: the same exercises, night and days, read once from the
 * account archive (importPaths) and once from the fake Google Health API
 * (syncConnector), give identical canonical rows and streams. The fields that
 * differ are listed below, each with its reason.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../../../lib/core/warehouse.ts';
import { importPaths } from '../../../lib/ingest/importer.ts';
import { syncConnector } from '../../../lib/ingest/sync.ts';
import { rebuildCanonical } from '../../../lib/core/dedup/rebuild.ts';
import { GoogleHealthConnector } from '../../../lib/sources/google_health/api.ts';
import { startGoogleHealthFake, type GoogleHealthFake } from '../../fakes/google_health.ts';
import { quickHttp, tempStore } from '../helpers.ts';
import { NIGHT, RUN, WALK, dayOfHeartRate, exercisePoint, fitbitTcx, heartRatePoints, olderArchive, sleepPoint, writeTree } from './samples.ts';

/** Fields that may differ between the two ways in, and why. */
const PROVENANCE = {
  raw_data: 'the payload as it arrived: an archive entry, or an API data point',
  input: 'where it was read: the archive member, or the API URL',
  ingested_at: 'when it was stored',
};
/** Differences that are not provenance: what the archive does not know. */
const ARCHIVE_GAPS = {
  'source_biometrics.time (and so reading_id, a hash of it), sleep and weight-*.json':
    'the archive writes sleep times and JSON weigh-in times as local wall time without an offset, so those readings carry no instant',
  'utc_offset_min (and the provenance entries about it) of an exercise without a TCX': 'the archive writes no offset for it; the API does (startUtcOffset)',
};

let dir: string;
let gf: GoogleHealthFake;
let ts: ReturnType<typeof tempStore>;
const open: Warehouse[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gh-equal-'));
  gf = await startGoogleHealthFake();
  ts = tempStore();
});
afterEach(async () => {
  for (const w of open.splice(0)) w.close();
  await gf.fake.close();
  ts.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

async function warehouse(name: string): Promise<Warehouse> {
  const wh = await Warehouse.open(join(dir, name));
  open.push(wh);
  return wh;
}

/** The API serving what the archive of `olderArchive()` holds. */
function seedApi(): void {
  gf.points.exercise = [exercisePoint(RUN), exercisePoint(WALK)];
  gf.tcx[RUN.logId] = fitbitTcx(RUN);
  gf.points['heart-rate'] = heartRatePoints(dayOfHeartRate(Date.parse('2023-04-08T14:00:00Z'), [RUN, WALK]), 600);
  gf.points.sleep = [
    sleepPoint(NIGHT),
    sleepPoint({ ...NIGHT, logId: '39958970999', startLocal: '2023-04-09T14:00:00', endLocal: '2023-04-09T14:40:00', asleepMin: 38, inBedMin: 40, awakeMin: 2, main: false }),
  ];
  gf.points['daily-resting-heart-rate'] = [{ dailyRestingHeartRate: { date: { year: 2023, month: 4, day: 9 }, beatsPerMinute: '53' } }];
  gf.points['daily-heart-rate-variability'] = [{ dailyHeartRateVariability: { date: { year: 2023, month: 4, day: 9 }, averageHeartRateVariabilityMilliseconds: 38.412 } }];
  // The archive's 176.4 lb at 07:12:40 on 9 April, UTC+10:00.
  const sampleTime = { physicalTime: '2023-04-08T21:12:40Z', utcOffset: '36000s' };
  gf.points.weight = [{ weight: { sampleTime, weightGrams: 176.4 * 0.45359237 * 1000 } }];
  gf.points['body-fat'] = [{ bodyFat: { sampleTime, percentage: 19.5 } }];
}

/** A table's rows without some columns, dates as ISO text, in a stable order. */
async function rows(wh: Warehouse, sql: string, exclude: string[] = []): Promise<unknown[]> {
  const list = await wh.all<Record<string, unknown>>(sql.replace('SELECT *', exclude.length ? `SELECT * EXCLUDE (${exclude.join(', ')})` : 'SELECT *'));
  return JSON.parse(JSON.stringify(list));
}

describe('the same exercises, night and days through the API and through the archive', () => {
  it('give identical canonical rows and streams, except the listed provenance fields and archive gaps', async () => {
    const archive = await warehouse('archive.duckdb');
    writeTree(join(dir, 'export'), olderArchive());
    await importPaths(archive, [join(dir, 'export')], { athleteId: 'me' });

    seedApi();
    await ts.store.set('google_health', { access_token: gf.oauth.accessToken, refresh_token: gf.oauth.refreshToken, expires_at: Math.floor(Date.now() / 1000) + 3600 });
    const api = await warehouse('api.duckdb');
    const connector = new GoogleHealthConnector({
      baseUrl: gf.fake.url,
      tokenUrl: `${gf.fake.url}/token`,
      clientId: 'cid-google-health',
      clientSecret: 'csecret-google-health-321',
      tokenStore: ts.store,
      http: quickHttp(),
    });
    const sync = await syncConnector(api, connector, { athleteId: 'me', days: 30, now: new Date('2023-04-20T00:00:00Z') });
    expect(sync).toMatchObject({ status: 'success', workouts: 2, errors: 0 });
    for (const wh of [archive, api]) await rebuildCanonical(wh);

    // Canonical workouts: equal but for the walk's offset and the provenance entry naming its source (an archive gap).
    const workouts = async (wh: Warehouse) =>
      ((await rows(wh, 'SELECT * FROM workouts ORDER BY workout_id', ['utc_offset_min'])) as { provenance: string }[]).map((w) => {
        const provenance = JSON.parse(w.provenance) as Record<string, string>;
        for (const k of Object.keys(provenance)) if (k.startsWith('utc_offset')) delete provenance[k];
        return { ...w, provenance };
      });
    expect(await workouts(archive)).toEqual(await workouts(api));
    expect((await workouts(api)).length).toBe(2);
    const offsets = (wh: Warehouse) => rows(wh, "SELECT sport, utc_offset_min FROM workouts ORDER BY sport");
    expect(await offsets(api)).toEqual([
      { sport: 'running', utc_offset_min: 600 },
      { sport: 'walking', utc_offset_min: 600 },
    ]);
    expect(await offsets(archive)).toEqual([
      { sport: 'running', utc_offset_min: 600 },
      { sport: 'walking', utc_offset_min: null },
    ]);
    expect(await rows(archive, 'SELECT * FROM workout_sources ORDER BY record_id')).toEqual(await rows(api, 'SELECT * FROM workout_sources ORDER BY record_id'));

    // Streams: the run's TCX track and the walk's heart-rate samples, point for point.
    const streams = (wh: Warehouse) => rows(wh, 'SELECT * FROM workout_streams ORDER BY record_id, time');
    const points = await streams(api);
    expect(points.length).toBe(360 + 240);
    expect(await streams(archive)).toEqual(points);

    // Canonical biometrics: identical.
    const bio = (wh: Warehouse) => rows(wh, 'SELECT * FROM biometrics ORDER BY date, metric_type');
    const metrics = await bio(api);
    expect((metrics as { metric_type: string }[]).map((m) => m.metric_type).sort()).toEqual(
      ['body_fat_pct', 'hrv_rmssd', 'resting_hr', 'sleep_awake', 'sleep_deep', 'sleep_duration', 'sleep_efficiency', 'sleep_in_bed', 'sleep_light', 'sleep_rem', 'weight'].sort(),
    );
    expect(await bio(archive)).toEqual(metrics);

    // Source rows: equal once the provenance fields are left out (and the archive gaps above).
    const sourceWorkouts = (wh: Warehouse) => rows(wh, 'SELECT * FROM source_workouts ORDER BY record_id', [...Object.keys(PROVENANCE), 'utc_offset_min']);
    expect(await sourceWorkouts(archive)).toEqual(await sourceWorkouts(api));
    const sourceReadings = (wh: Warehouse) =>
      rows(wh, 'SELECT * FROM source_biometrics ORDER BY metric_type, date', [...Object.keys(PROVENANCE), 'reading_id', 'time']);
    expect(await sourceReadings(archive)).toEqual(await sourceReadings(api));
    const timed = (wh: Warehouse) => rows(wh, 'SELECT metric_type, time IS NOT NULL AS timed FROM source_biometrics WHERE metric_type IN (\'sleep_duration\', \'weight\') ORDER BY metric_type');
    expect(await timed(api)).toEqual([{ metric_type: 'sleep_duration', timed: true }, { metric_type: 'weight', timed: true }]);
    expect(await timed(archive)).toEqual([{ metric_type: 'sleep_duration', timed: false }, { metric_type: 'weight', timed: false }]);
    expect(Object.keys(ARCHIVE_GAPS)).toHaveLength(2);
  });
});
