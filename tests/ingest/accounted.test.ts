/**
 * Every input is accounted for: an empty file, a file of no known format and
 * one that holds nothing each get an import_errors row naming it; position
 * CSVs found in a folder go to their parser. And a GPX's local day comes
 * from the best evidence the warehouse has.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { rebuildCanonical } from '../../lib/core/dedup/rebuild.ts';
import { importPaths, type ImportSummary } from '../../lib/ingest/importer.ts';
import { gpxText, tcxText } from '../../lib/demo/write_exports.ts';
import { fixturePath } from '../helpers/shared.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'accounted-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A GPX run of `minutes` from `startIso`, heading north from (lat, lon), without HR. */
function gpxRun(startIso: string, lat: number, lon: number, minutes = 40): string {
  const startMs = Date.parse(startIso);
  const n = minutes * 6;
  const time = Float64Array.from({ length: n }, (_, i) => startMs + i * 10_000);
  const lats = Float64Array.from({ length: n }, (_, i) => lat + (i * 30) / 111_195);
  const lons = Float64Array.from({ length: n }, () => lon);
  return gpxText({ time, lat: lats, lon: lons }, { startMs, name: 'Evening Run', type: 'running' }).replace('creator="Garmin Connect"', 'creator="OpenTracks"');
}

describe('inputs that give nothing', () => {
  let wh: Warehouse;
  let summary: ImportSummary;
  beforeAll(async () => {
    const folder = join(dir, 'mixed');
    mkdirSync(folder);
    writeFileSync(join(folder, 'empty.fit'), '');
    writeFileSync(join(folder, 'notes.md'), '# my training notes\n');
    writeFileSync(join(folder, 'route-only.gpx'), '<?xml version="1.0"?><gpx version="1.1" creator="x" xmlns="http://www.topografix.com/GPX/1/1"><rte><rtept lat="47" lon="8"/></rte></gpx>');
    writeFileSync(join(folder, 'run.gpx'), gpxRun('2024-05-04T06:00:00Z', 47.37, 8.54));
    wh = await Warehouse.open(join(dir, 'mixed.duckdb'));
    summary = await importPaths(wh, [folder], { athleteId: 'me' });
  });
  afterAll(() => wh.close());

  it('imports the good file and records a row for each of the others, naming it and why', async () => {
    expect(summary).toMatchObject({ files: 4, workouts: 1, skipped: 3 });
    const rows = await wh.all<{ input: string; reason: string }>('SELECT input, reason FROM import_errors ORDER BY input');
    const by = Object.fromEntries(rows.map((r) => [r.input.split('/').pop()!, r.reason]));
    expect(Object.keys(by).sort()).toEqual(['empty.fit', 'notes.md', 'route-only.gpx']);
    expect(by['empty.fit']).toBe('empty file (0 bytes): nothing to import');
    expect(by['notes.md']).toMatch(/^not a format athlete imports \(FIT, GPX, TCX, .*\): skipped$/);
    expect(by['route-only.gpx']).toBe('an activity file without an activity: no timed samples or session to import');
  });

  it('records nothing twice when the same folder is imported again', async () => {
    await importPaths(wh, [join(dir, 'mixed')], { athleteId: 'me' });
    const [n] = await wh.all<{ n: number }>('SELECT count(*)::INT AS n FROM import_errors');
    expect(n!.n).toBe(3);
  });
});

describe('position CSVs in a folder (Catapult GNSS export, 10 Hz)', () => {
  it('are routed to the position parser: one workout per player file, the pitch corners file reported', async () => {
    const folder = join(dir, 'gnss');
    mkdirSync(folder);
    for (const f of ['U18_ID1.csv', 'U18_ID2.csv', 'Dataset_B_Pitch.csv']) copyFileSync(fixturePath(`tracking/soccer_gnss_10hz/${f}`), join(folder, f));
    const wh = await Warehouse.open(join(dir, 'gnss.duckdb'));
    try {
      const s = await importPaths(wh, [folder], { athleteId: 'me' });
      expect(s.byFormat).toMatchObject({ positions_csv: 2, unknown: 1 });
      const rows = await wh.all<{ source: string; sport: string; minutes: number; points: number }>(
        `SELECT w.source, w.sport, round(w.duration_s / 60)::INT AS minutes, s.points FROM source_workouts w JOIN streams s USING (record_id) ORDER BY w.external_id`,
      );
      expect(rows).toHaveLength(2);
      // About 35k rows at 10 Hz: just under an hour of small-sided games each (MANIFEST).
      for (const r of rows) {
        expect(r).toMatchObject({ source: 'gnss', sport: 'soccer' });
        expect(r.minutes).toBeGreaterThan(50);
        expect(r.points).toBeGreaterThan(30_000);
      }
      const errors = await wh.all<{ input: string }>("SELECT input FROM import_errors WHERE reason LIKE 'not a format%'");
      expect(errors.map((e) => e.input.split('/').pop())).toEqual(['Dataset_B_Pitch.csv']);
    } finally {
      wh.close();
    }
  }, 120_000);
});

describe('the local day of a GPX run, from the best evidence', () => {
  // 20:30 on 30 June in Denver is 02:30 UTC on 1 July: offset 0 would put it on the wrong day.
  const evening = '2024-07-01T02:30:00Z';

  async function localDay(files: Record<string, string>, homeTimeZone?: string): Promise<{ local_date: string; utc_offset_min: number; via: string }> {
    const folder = mkdtempSync(join(dir, 'day-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
    const wh = await Warehouse.open(join(folder, 'w.duckdb'));
    try {
      await importPaths(wh, [folder], { athleteId: 'me' });
      await rebuildCanonical(wh, { homeTimeZone });
      const [w] = await wh.all<{ local_date: string; utc_offset_min: number; via: string }>(
        "SELECT local_date::VARCHAR AS local_date, utc_offset_min, provenance->>'utc_offset_source' AS via FROM workouts_local WHERE sport = 'running'",
      );
      return w!;
    } finally {
      wh.close();
    }
  }

  it('takes the zone at the track’s start before the home zone', async () => {
    expect(await localDay({ 'run.gpx': gpxRun(evening, 39.74, -104.99) }, 'Europe/Zurich')).toEqual({ local_date: '2024-06-30', utc_offset_min: -360, via: 'coordinates' });
  });

  it('takes an overlapping record’s own offset before the coordinates', async () => {
    // A WHOOP export of the same hour, written in Chicago time (UTC-05:00), says where the athlete was.
    const whoop = [
      'Cycle start time,Cycle end time,Cycle timezone,Workout start time,Workout end time,Duration (min),Activity name,Activity Strain,Energy burned (cal),Max HR (bpm),Average HR (bpm),HR Zone 1 %,HR Zone 2 %,HR Zone 3 %,HR Zone 4 %,HR Zone 5 %,GPS enabled,Distance (meters),Altitude gain (meters),Altitude change (meters)',
      '2024-06-30 07:00:00,2024-07-01 06:30:00,UTC-05:00,2024-06-30 21:35:00,2024-06-30 22:25:00,50,Yoga,6.1,250,120,95,10,20,30,30,10,false,,,',
    ].join('\n');
    expect(await localDay({ 'run.gpx': gpxRun(evening, 39.74, -104.99), 'workouts.csv': whoop })).toEqual({ local_date: '2024-06-30', utc_offset_min: -300, via: 'overlap' });
  });

  it('falls back to the home zone for a run without positions (a treadmill TCX)', async () => {
    const startMs = Date.parse(evening);
    const time = Float64Array.from({ length: 240 }, (_, i) => startMs + i * 10_000);
    const summary = { sport: 'Running' as const, startMs, elapsedS: 2390, distanceM: 7000, calories: 500, avgHr: 140, maxHr: 160, device: 'Treadmill', unitId: 1 };
    expect(await localDay({ 'treadmill.tcx': tcxText({ time }, summary) }, 'America/Denver')).toEqual({ local_date: '2024-06-30', utc_offset_min: -360, via: 'home' });
  });
});
