/**
 * The earlier version's exports alone (its workouts and biometrics tables
 * written out by pandas as Parquet and JSON) are migrated like its database rows.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { migrateLegacy } from '../../lib/ingest/migrate.ts';
import { TokenStore } from '../../lib/sources/http/token_store.ts';
import { placeholder } from '../sources/legacy/old_checkout.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'migrate-exports-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the earlier version's exports", () => {
  it('reads a Parquet workouts export and a JSON biometrics export (pandas column orient)', async () => {
    const data = join(dir, 'old', 'data');
    mkdirSync(data, { recursive: true });
    const raw = { id: 555, name: 'Commute', elapsed_time: 1500, start_date: '2024-03-04T07:30:00Z', utc_offset: 3600, type: 'Ride', distance: 6000 };
    const scratch = await Warehouse.open(':memory:');
    try {
      await scratch.run(
        `COPY (SELECT '555' AS workout_id, TIMESTAMP '2024-03-04 07:30:00' AS start_time, 'Ride' AS sport, 6000.0 AS distance, 1500 AS duration,
           ${placeholder(1500)} AS calories, 'strava' AS source, '{"strava": "555"}' AS external_ids, ? AS raw_data)
         TO '${join(data, 'export_20240401_workouts.parquet').replace(/'/g, "''")}' (FORMAT parquet)`,
        [JSON.stringify(raw)],
      );
    } finally {
      scratch.close();
    }
    writeFileSync(
      join(data, 'export_20240401_biometrics.json'),
      JSON.stringify({ date: { 0: '2024-03-04', 1: '2024-03-05' }, metric_type: { 0: 'weight', 1: 'followers' }, value: { 0: 70.2, 1: 12 }, unit: { 0: 'kg', 1: null }, source: { 0: 'vesync', 1: 'strava' } }),
    );
    const wh = await Warehouse.open(join(dir, 'athlete.duckdb'));
    try {
      const s = await migrateLegacy(wh, join(dir, 'old'), { athleteId: 'me', tokenStore: new TokenStore(join(dir, 'tokens.json')) });
      expect(s.files.map((f) => [f.file, f.workouts, f.readings, f.leftOut])).toEqual([
        ['data/export_20240401_biometrics.json', 0, 1, 1],
        ['data/export_20240401_workouts.parquet', 1, 0, 1],
      ]);
      expect(await wh.all(`SELECT source, external_id, calories_kcal, raw_data->>'via' AS via FROM source_workouts`)).toEqual([
        { source: 'strava_legacy', external_id: 'export_20240401_workouts.parquet#555', calories_kcal: null, via: 'strava_api' },
      ]);
      expect(await wh.all(`SELECT date::VARCHAR AS date, metric_type, value, source FROM source_biometrics`)).toEqual([
        { date: '2024-03-04', metric_type: 'weight', value: 70.2, source: 'vesync_legacy' },
      ]);
      expect(s.token).toEqual({ outcome: 'none found' });
    } finally {
      wh.close();
    }
  });
});
