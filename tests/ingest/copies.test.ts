/**
 * One recording imported as several files: a real run's FIT with its GPX and
 * TCX exports, and a GPX of a run already imported from a Strava export.
 * Each is one workout, and importing any of them again changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { rebuildCanonical } from '../../lib/core/dedup/rebuild.ts';
import { importPaths } from '../../lib/ingest/importer.ts';
import { parseFit } from '../../lib/formats/fit.ts';
import { generateDemo } from '../../lib/demo/generate.ts';
import { gpxText, tcxText } from '../../lib/demo/write_exports.ts';
import { readFixture } from '../helpers/shared.ts';

let dir: string;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'copies-'));
});

/** The canonical workouts (and with `members`, which records make them), for comparing before and after a re-import. */
async function canonical(wh: Warehouse, members = true): Promise<string> {
  const w = await wh.all('SELECT * EXCLUDE (provenance, source_count) FROM workouts ORDER BY workout_id');
  const m = members ? await wh.all('SELECT workout_id, record_id FROM workout_sources ORDER BY 1, 2') : [];
  return JSON.stringify([w, m]);
}

describe('a real run as FIT, GPX and TCX (Garmin FR965, 75 min, 11.2 km)', () => {
  const FIT = 'fit/fit-file-parser/garmin-stamina.fit';
  let wh: Warehouse;
  let folder: string;
  beforeAll(async () => {
    folder = join(dir, 'run');
    mkdirSync(folder);
    const bytes = readFixture(FIT);
    const parsed = parseFit(bytes, FIT, { athleteId: 'me' });
    const w = parsed.workouts[0]!;
    const st = parsed.streams[0]!;
    const track = { time: st.time, lat: st.channels.lat, lon: st.channels.lon, alt: st.channels.altitude_m, dist: st.channels.distance_m, hr: st.channels.hr };
    const startMs = w.start_time.getTime();
    writeFileSync(join(folder, 'activity.fit'), bytes);
    writeFileSync(join(folder, 'activity.gpx'), gpxText(track, { startMs, name: 'Morning Run', type: 'running' }));
    const summary = {
      sport: 'Running' as const,
      startMs,
      elapsedS: w.duration_s,
      distanceM: w.distance_m!,
      calories: w.calories_kcal ?? 0,
      avgHr: w.avg_hr!,
      maxHr: w.max_hr!,
      device: 'Forerunner 965',
      unitId: 3448026845,
    };
    writeFileSync(join(folder, 'activity.tcx'), tcxText(track, summary));
    wh = await Warehouse.open(join(dir, 'run.duckdb'));
  }, 60_000);
  afterAll(() => wh.close());

  it('is one workout of three garmin records, with the FIT’s own offset and HR', async () => {
    const s = await importPaths(wh, [folder], { athleteId: 'me' });
    expect(s.byFormat).toEqual({ fit: 1, gpx: 1, tcx: 1 });
    const sources = await wh.all<{ source: string; n: number }>('SELECT source, count(*)::INT AS n FROM source_workouts GROUP BY 1');
    expect(sources).toEqual([{ source: 'garmin', n: 3 }]);
    const r = await rebuildCanonical(wh);
    expect(r).toMatchObject({ sourceRecords: 3, workouts: 1 });
    expect(r.stats.copies).toBe(2);
    const [w] = await wh.all<{ source_count: number; utc_offset_min: number; avg_hr: number; local_date: string; prov: string }>(
      "SELECT source_count, utc_offset_min, avg_hr, local_date::VARCHAR AS local_date, provenance->>'utc_offset_source' AS prov FROM workouts_local",
    );
    // FR965 at UTC+8: 04:05 UTC is 12:05 local on 14 May 2026.
    expect(w).toMatchObject({ source_count: 3, utc_offset_min: 480, avg_hr: 143, local_date: '2026-05-14' });
    expect(['record', 'overlap']).toContain(w!.prov);
  });

  it('is unchanged by importing the files again, or another copy of the GPX', async () => {
    const before = await canonical(wh);
    copyFileSync(join(folder, 'activity.gpx'), join(dir, 'same-run-again.gpx'));
    await importPaths(wh, [folder, join(dir, 'same-run-again.gpx')], { athleteId: 'me' });
    const r = await rebuildCanonical(wh);
    expect(r.workouts).toBe(1);
    expect(await canonical(wh)).toBe(before);
  });
});

describe('a GPX of a run already imported from a Strava export', () => {
  it('adds no second workout', async () => {
    const demo = join(dir, 'demo');
    await generateDemo(demo, { days: 21, endDate: '2025-06-30' });
    const wh = await Warehouse.open(join(dir, 'strava.duckdb'));
    try {
      await importPaths(wh, [join(demo, 'strava_export')], { athleteId: 'me', source: 'strava' });
      const first = await rebuildCanonical(wh);
      const gpx = readdirSync(join(demo, 'strava_export', 'activities')).find((f) => f.endsWith('.gpx'));
      expect(gpx).toBeDefined();
      const before = await canonical(wh, false);
      // Imported on its own, with its source read from creator="StravaGPX".
      const s = await importPaths(wh, [join(demo, 'strava_export', 'activities', gpx!)], { athleteId: 'me' });
      expect(s.workouts).toBe(1);
      const second = await rebuildCanonical(wh);
      expect(second.sourceRecords).toBe(first.sourceRecords + 1);
      expect(second.workouts).toBe(first.workouts);
      const [m] = await wh.all<{ n: number; copy: boolean }>(
        "SELECT count(*)::INT AS n, bool_or((match_info->>'copy')::BOOLEAN) AS copy FROM workout_sources WHERE starts_with(external_id, 'gpx:')",
      );
      expect(m).toEqual({ n: 1, copy: true });
      // The Strava activity stays the base: the workouts are as they were, one has one more member.
      expect(await canonical(wh, false)).toBe(before);
    } finally {
      wh.close();
    }
  }, 120_000);
});
