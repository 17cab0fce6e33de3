/**
 * The real files made by other software, imported the way a user would
 * (`importPaths` over folders): every file broken on purpose is reported in
 * import_errors with its name and what is wrong, and the rest is imported.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { importPaths, type ImportSummary } from '../../lib/ingest/importer.ts';
import { fixturePath } from '../helpers/shared.ts';

let dir: string;
let wh: Warehouse;
let summary: ImportSummary;

const BROKEN: [file: string, reason: RegExp][] = [
  ['fit/fitparse/activity-filecrc.fit', /CRC/i],
  ['fit/fitparse/activity-activity-filecrc.fit', /CRC/i],
  ['fit/fitparse/activity-settings-corruptheader.fit', /header/i],
  ['fit/fitparse/activity-settings-nodata.fit', /truncated|no data/i],
  ['fit/fitparse/activity-unexpected-eof.fit', /truncated/i],
  ['fit/muktihari-fit/activity_truncated.fit', /truncated/i],
  ['gpx/togeojson/bad.gpx', /lat|lon|ele/i],
  ['gpx/gpxpy/cerknicko-without-times.gpx', /timestamp|time/i],
  ['tcx/togeojson/bad.tcx', /position|0\/0|Latitude/i],
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fixtures-'));
  wh = await Warehouse.open(join(dir, 'w.duckdb'));
  const roots = ['fit/fitparse', 'fit/muktihari-fit', 'fit/fitdecode', 'gpx/togeojson', 'gpx/gpxpy', 'gpx/gpxgo', 'tcx/togeojson', 'tcx/tcxreader'].map(fixturePath);
  summary = await importPaths(wh, roots, { athleteId: 'me' });
}, 300_000);

afterAll(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('importing the shared fixture folders', () => {
  it('imports the readable files', async () => {
    expect(summary.files).toBeGreaterThan(100);
    expect(summary.workouts).toBeGreaterThan(60);
    // Some fixtures are copies of one activity (same file id): they are one record.
    const [r] = await wh.all<{ n: number; sources: number }>('SELECT count(*) AS n, count(DISTINCT source) AS sources FROM source_workouts');
    expect(r!.n).toBeGreaterThan(60);
    expect(r!.n).toBeLessThanOrEqual(summary.workouts);
    expect(r!.sources).toBeGreaterThanOrEqual(4);
  });

  it.each(BROKEN)('%s is reported in import_errors', async (file, reason) => {
    const rows = await wh.all<{ input: string; reason: string }>('SELECT input, reason FROM import_errors WHERE ends_with(input, ?)', [file.split('/').pop()!]);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.map((r) => r.reason).join(' | ')).toMatch(reason);
  });

  it('keeps what the truncated and CRC-damaged FIT files hold', async () => {
    // activity-unexpected-eof.fit and both *filecrc.fit files are the same activity (file id 2147483647-1334006546).
    const rows = await wh.all<{ input: string; points: number }>(
      `SELECT w.input, (SELECT count(*) FROM workout_streams s WHERE s.record_id = w.record_id) AS points
       FROM source_workouts w WHERE w.external_id = '2147483647-1334006546'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.input).toMatch(/activity-(unexpected-eof|filecrc|activity-filecrc)\.fit$/);
    expect(rows[0]!.points).toBeGreaterThan(0);
  });
});
