/**
 * One record: a Fitbit run imported from the archive and the Strava copy of
 * the same run (Fitbit uploads to Strava) join one canonical workout through
 * the normal dedup, with Strava's GPS distance ahead of Fitbit's; Fitbit's
 * nightly values take their place in the per-metric precedence.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../../../lib/core/warehouse.ts';
import { emptyResult } from '../../../lib/core/models.ts';
import { importPaths } from '../../../lib/ingest/importer.ts';
import { storeResult } from '../../../lib/ingest/store.ts';
import { rebuildCanonical } from '../../../lib/core/dedup/rebuild.ts';
import { StravaConnector } from '../../../lib/sources/strava/api.ts';
import { stravaActivity } from '../../fakes/strava.ts';
import { tempStore } from '../helpers.ts';
import { RUN, WALK, olderArchive, writeTree } from './samples.ts';

let dir: string;
let wh: Warehouse;
let ts: ReturnType<typeof tempStore>;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gh-dedup-'));
  wh = await Warehouse.open(join(dir, 'w.duckdb'));
  ts = tempStore();
});
afterEach(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
  ts.cleanup();
});

/** The Strava copy of the Fitbit run: uploaded 12 s later on Strava's clock, GPS distance, its own summary. */
function stravaCopy() {
  const strava = new StravaConnector({ baseUrl: 'http://127.0.0.1:9', tokenStore: ts.store });
  const start = new Date(Date.parse(RUN.startUtc) + 12_000).toISOString().replace('.000', '');
  return strava.transformWorkout(
    stravaActivity(9_100_000_001, start, {
      name: 'Morning Run',
      distance: 5071.3,
      elapsed_time: 1790,
      moving_time: 1732,
      utc_offset: 36000,
      average_heartrate: 148.2,
      max_heartrate: 171,
      external_id: `fitbit_${RUN.logId}`,
      start_latlng: [-35.2803, 149.1292],
    }),
  );
}

describe('a Fitbit run and its Strava copy', () => {
  it('join one workout: Strava first for distance, gaps filled from Fitbit', async () => {
    writeTree(dir, olderArchive());
    await importPaths(wh, [join(dir, 'MyFitbitData')], { athleteId: 'me' });
    const batch = emptyResult();
    batch.workouts.push(stravaCopy());
    await storeResult(wh, batch, { athleteId: 'me' });

    const summary = await rebuildCanonical(wh);
    expect(summary).toMatchObject({ sourceRecords: 3, workouts: 2, merged: 1 });
    const members = await wh.all<{ source: string; external_id: string; match_tier: number | null }>(
      'SELECT source, external_id, match_tier FROM workout_sources WHERE workout_id = (SELECT workout_id FROM workout_sources WHERE external_id = ?) ORDER BY source',
      [RUN.logId],
    );
    expect(members).toEqual([
      { source: 'google_health', external_id: RUN.logId, match_tier: 2 },
      { source: 'strava', external_id: '9100000001', match_tier: null },
    ]);
    const [run] = await wh.all<{ source: string; distance_m: number; avg_hr: number; max_hr: number; utc_offset_min: number; source_count: number; provenance: string; external_ids: string; has_gps: boolean }>(
      "SELECT source, distance_m, avg_hr, max_hr, utc_offset_min, source_count, provenance::VARCHAR AS provenance, external_ids::VARCHAR AS external_ids, has_gps FROM workouts WHERE sport = 'running'",
    );
    expect(run).toMatchObject({ source: 'strava', distance_m: 5071.3, max_hr: 171, utc_offset_min: 600, source_count: 2, has_gps: true });
    // Heart rate as the merge rule gives it from Strava's 148.2 and Fitbit's 149.
    expect(run!.avg_hr).toBeGreaterThanOrEqual(148.2);
    expect(run!.avg_hr).toBeLessThanOrEqual(149);
    expect(JSON.parse(run!.provenance)).toMatchObject({ distance_m: 'strava', calories_kcal: 'google_health', elevation_gain_m: 'strava' });
    expect(JSON.parse(run!.external_ids)).toMatchObject({ strava: '9100000001', google_health: RUN.logId });
    // The walk stays on its own.
    const [walk] = await wh.all<{ source: string; source_count: number }>("SELECT source, source_count FROM workouts WHERE sport = 'walking'");
    expect(walk).toEqual({ source: 'google_health', source_count: 1 });
    expect(WALK.gps).toBe(false);
  });

  it('places Fitbit sleep after the ring and strap but before Garmin, and its resting HR after Garmin', async () => {
    writeTree(dir, olderArchive());
    await importPaths(wh, [join(dir, 'MyFitbitData')], { athleteId: 'me' });
    const garmin = emptyResult();
    for (const [metric, value, unit] of [['sleep_duration', 25_000, 's'], ['resting_hr', 50, 'bpm']] as const) {
      garmin.biometrics.push({ date: '2023-04-09', metric_type: metric, value, unit, source: 'garmin' });
    }
    await storeResult(wh, garmin, { athleteId: 'me' });
    await rebuildCanonical(wh);
    const rows = await wh.all<{ metric_type: string; source: string; value: number; source_count: number }>(
      "SELECT metric_type, source, value, source_count FROM biometrics WHERE date = DATE '2023-04-09' AND metric_type IN ('sleep_duration', 'resting_hr') ORDER BY metric_type",
    );
    expect(rows).toEqual([
      { metric_type: 'resting_hr', source: 'garmin', value: 50, source_count: 2 },
      { metric_type: 'sleep_duration', source: 'google_health', value: 392 * 60, source_count: 2 },
    ]);
  });
});
