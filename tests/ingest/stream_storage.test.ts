import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { storeResult } from '../../lib/ingest/store.ts';
import { importPaths, PARALLEL_MIN_FILES } from '../../lib/ingest/importer.ts';
import { syncDemo } from '../../lib/demo/sync.ts';
import { emptyResult, type ParseResult, type SourceWorkoutInput, type WorkoutStream } from '../../lib/core/models.ts';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'streams-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const T0 = Date.parse('2024-05-01T06:00:00Z');

function workout(id: string, points: number, input = `fit/${id}.fit`): SourceWorkoutInput {
  return {
    source: 'garmin', external_id: id, start_time: new Date(T0), end_time: new Date(T0 + points * 1000),
    duration_s: Math.max(points, 1), sport: 'cycling', sport_category: 'ENDURANCE', has_gps: true, input,
  };
}

/** A stream whose values are functions of the sample index, so every stored value can be checked. */
function stream(id: string, points: number, scale = 1): WorkoutStream {
  const time = new Float64Array(points).map((_, i) => T0 + i * 1000);
  const lat = new Float64Array(points).map((_, i) => (i % 7 === 3 ? NaN : 47 + i * 1e-5));
  const hr = new Float64Array(points).map((_, i) => 100 + ((i * scale) % 80));
  return { source: 'garmin', external_id: id, time, channels: { lat, hr } };
}

function result(streams: [string, number, number?][]): ParseResult {
  const r = emptyResult();
  for (const [id, n, scale] of streams) {
    r.workouts.push(workout(id, n));
    r.streams.push(stream(id, n, scale));
  }
  return r;
}

async function recordId(wh: Warehouse, externalId: string): Promise<string> {
  const [r] = await wh.all<{ record_id: string }>('SELECT record_id FROM source_workouts WHERE external_id = ?', [externalId]);
  return r!.record_id;
}

describe('stream storage', () => {
  it('stores streams across chunk boundaries with exact values, NULLs for NaN and absent channels', async () => {
    const wh = await Warehouse.open(join(tmp(), 'a.duckdb'));
    // 3,000 + 1,500 + 5 points: chunks of 2,048 rows hold parts of several streams.
    const s = await storeResult(wh, result([['a', 3000], ['b', 1500, 3], ['c', 5]]), { athleteId: 'me' });
    expect(s.points).toBe(4505);
    const rows = await wh.all<{ external_id: string; n: number; lats: number; hr_sum: number; lat_sum: number; first: Date; last: Date; power: number }>(
      `SELECT w.external_id, count(*) AS n, count(lat) AS lats, sum(hr) AS hr_sum, sum(lat) AS lat_sum, min(time) AS first, max(time) AS last,
              count(power_w) AS power
       FROM workout_streams s JOIN source_workouts w USING (record_id) GROUP BY ALL ORDER BY 1`,
    );
    const expected = (n: number, scale = 1) => {
      let hr = 0;
      let lat = 0;
      let lats = 0;
      for (let i = 0; i < n; i++) {
        hr += 100 + ((i * scale) % 80);
        if (i % 7 !== 3) {
          lat += 47 + i * 1e-5;
          lats++;
        }
      }
      return { hr, lat, lats };
    };
    for (const [row, n, scale] of [[rows[0]!, 3000, 1], [rows[1]!, 1500, 3], [rows[2]!, 5, 1]] as const) {
      const e = expected(n, scale);
      expect(row.n).toBe(n);
      expect(row.lats).toBe(e.lats);
      expect(row.hr_sum).toBe(e.hr);
      expect(row.lat_sum).toBeCloseTo(e.lat, 6);
      expect(row.power).toBe(0);
      expect(row.first.toISOString()).toBe('2024-05-01T06:00:00.000Z');
      expect(row.last.getTime()).toBe(T0 + (n - 1) * 1000);
    }
    const [p] = await wh.all<{ time: Date; lat: number | null; hr: number; cadence: number | null }>(
      `SELECT time, lat, hr, cadence FROM workout_streams WHERE record_id = ? AND time = '2024-05-01 06:34:13'::TIMESTAMP`,
      [await recordId(wh, 'a')],
    );
    // Sample 2,053 (second chunk), 2053 % 7 = 2: lat present.
    expect(p).toEqual({ time: new Date(T0 + 2053_000), lat: 47 + 2053 * 1e-5, hr: 100 + (2053 % 80), cadence: null });
    wh.close();
  });

  it('keeps the readers\' view: workout_streams columns in their order and types', async () => {
    const wh = await Warehouse.open(join(tmp(), 'b.duckdb'));
    const cols = await wh.all<{ column_name: string; data_type: string }>(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'workout_streams' ORDER BY ordinal_position",
    );
    expect(cols.map((c) => `${c.column_name} ${c.data_type}`)).toEqual([
      'record_id VARCHAR', 'time TIMESTAMP_MS', 'lat DOUBLE', 'lon DOUBLE', 'altitude_m DOUBLE', 'distance_m DOUBLE',
      'speed_mps DOUBLE', 'hr DOUBLE', 'power_w DOUBLE', 'cadence DOUBLE',
    ]);
    wh.close();
  });

  it('times before 1970 and far in the future keep their exact millisecond', async () => {
    const wh = await Warehouse.open(join(tmp(), 'c.duckdb'));
    const r = result([['t', 3]]);
    const times = [Date.parse('1969-12-31T23:59:59.001Z'), Date.parse('2024-05-01T06:00:00.123Z'), Date.parse('2150-01-01T00:00:00.999Z')];
    r.streams[0]!.time = new Float64Array(times);
    await storeResult(wh, r, { athleteId: 'me' });
    const rows = await wh.all<{ time: Date }>('SELECT time FROM workout_streams ORDER BY time');
    expect(rows.map((x) => x.time.toISOString())).toEqual(times.map((t) => new Date(t).toISOString()));
    wh.close();
  });

  it('re-storing a record replaces its points and keeps its stream id; other records are untouched', async () => {
    const wh = await Warehouse.open(join(tmp(), 'd.duckdb'));
    await storeResult(wh, result([['a', 3000], ['b', 100]]), { athleteId: 'me' });
    const before = await wh.all<{ record_id: string; stream_id: number; points: number }>('SELECT stream_id, record_id, points FROM streams ORDER BY stream_id');
    expect(before.map((s) => s.points)).toEqual([3000, 100]);
    await storeResult(wh, result([['a', 10, 2], ['c', 20]]), { athleteId: 'me' });
    const after = await wh.all<{ record_id: string; stream_id: number; points: number }>('SELECT stream_id, record_id, points FROM streams ORDER BY stream_id');
    expect(after).toEqual([
      { ...before[0]!, points: 10 },
      before[1]!,
      { record_id: await recordId(wh, 'c'), stream_id: before[1]!.stream_id + 1, points: 20 },
    ]);
    const counts = await wh.all<{ stream_id: number; n: number; hr_sum: number }>(
      'SELECT stream_id, count(*) AS n, sum(hr) AS hr_sum FROM stream_points GROUP BY 1 ORDER BY 1',
    );
    // a: 10 points of hr 100 + 2i; b: 100 points of hr 100 + i % 80; c: 20 points of hr 100 + i.
    expect(counts).toEqual([
      { stream_id: after[0]!.stream_id, n: 10, hr_sum: 1000 + 90 },
      { stream_id: after[1]!.stream_id, n: 100, hr_sum: 10_000 + 79 * 40 + 19 * 10 },
      { stream_id: after[2]!.stream_id, n: 20, hr_sum: 2000 + 190 },
    ]);
    wh.close();
  });

  it('the last stream given for a record in one batch wins; bad streams are reported, not stored', async () => {
    const wh = await Warehouse.open(join(tmp(), 'e.duckdb'));
    const r = result([['a', 50], ['a', 7], ['short', 5], ['nantime', 4]]);
    r.streams[2]!.channels.hr = new Float64Array(3);
    r.streams[3]!.time[2] = NaN;
    const s = await storeResult(wh, r, { athleteId: 'me' });
    expect(s.points).toBe(7);
    expect((await wh.all<{ n: number }>('SELECT count(*) AS n FROM workout_streams'))[0]!.n).toBe(7);
    const errs = await wh.all('SELECT input, record, field FROM import_errors ORDER BY input');
    expect(errs).toEqual([
      { input: 'fit/nantime.fit', record: 'garmin nantime', field: 'time' },
      { input: 'fit/short.fit', record: 'garmin short', field: 'hr' },
    ]);
    // The workouts themselves are kept.
    expect((await wh.all<{ n: number }>('SELECT count(*) AS n FROM source_workouts'))[0]!.n).toBe(3);
    wh.close();
  });
});

/** A GPX track of `n` points one second apart; point i is at (lat0 + i/1e4, 8.5) and altitude 400 + i. */
function gpx(lat0: number, n: number, start: number): string {
  const pts = Array.from({ length: n }, (_, i) =>
    `<trkpt lat="${lat0 + i / 1e4}" lon="8.5"><ele>${400 + i}</ele><time>${new Date(start + i * 1000).toISOString()}</time></trkpt>`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>Ride</name><type>cycling</type><trkseg>${pts.join('')}</trkseg></trk></gpx>`;
}

describe('importPaths on the worker pool', () => {
  it('stores the same rows whether activity files are parsed on workers or in-process', { timeout: 60_000 }, async () => {
    const dir = join(tmp(), 'gpx');
    mkdirSync(dir);
    const files = PARALLEL_MIN_FILES + 4;
    for (let f = 0; f < files; f++) writeFileSync(join(dir, `ride_${f}.gpx`), gpx(47 + f / 100, 30 + f, T0 + f * 86_400_000));
    const snapshot = async (workers: number) => {
      const wh = await Warehouse.open(join(tmp(), `w${workers}.duckdb`));
      const summary = await importPaths(wh, [dir], { athleteId: 'me', source: 'strava', workers, batchFiles: 5 });
      const rows = await wh.all<{ input: string; n: number; alt: number; lat0: number; first: Date }>(
        `SELECT w.input, count(*) AS n, sum(s.altitude_m) AS alt, min(s.lat) AS lat0, min(s.time) AS first
         FROM workout_streams s JOIN source_workouts w USING (record_id) GROUP BY ALL ORDER BY w.input`,
      );
      wh.close();
      return { summary, rows };
    };
    const pooled = await snapshot(2);
    const inProcess = await snapshot(0);
    expect(pooled.summary).toMatchObject({ files: files, workouts: files, errors: 0 });
    expect(pooled.summary.points).toBe(Array.from({ length: files }, (_, f) => 30 + f).reduce((a, b) => a + b, 0));
    expect(pooled.rows).toEqual(inProcess.rows);
    const f7 = pooled.rows.find((r) => r.input.endsWith('ride_7.gpx'))!;
    expect(f7.n).toBe(37);
    expect(f7.alt).toBe(400 * 37 + (36 * 37) / 2);
    expect(f7.lat0).toBeCloseTo(47.07, 9);
    expect(f7.first.getTime()).toBe(T0 + 7 * 86_400_000);
  });
});

describe('regenerating the demo', () => {
  it('forgets the old demo\'s streams with its records, leaving no orphaned points', { timeout: 120_000 }, async () => {
    const wh = await Warehouse.open(join(tmp(), 'demo.duckdb'));
    const dir = join(tmp(), 'demo');
    const check = async () => {
      const [c] = await wh.all<{ orphans: number; unlisted: number; mismatched: number; streams: number }>(
        `SELECT (SELECT count(*) FROM streams WHERE record_id NOT IN (SELECT record_id FROM source_workouts)) AS orphans,
                (SELECT count(*) FROM stream_points WHERE stream_id NOT IN (SELECT stream_id FROM streams)) AS unlisted,
                (SELECT count(*) FROM streams s WHERE points <> (SELECT count(*) FROM stream_points p WHERE p.stream_id = s.stream_id)) AS mismatched,
                (SELECT count(*) FROM streams) AS streams`,
      );
      return c!;
    };
    await syncDemo(wh, { athleteId: 'me', dir, seed: 1, days: 14 });
    const first = await check();
    expect(first).toMatchObject({ orphans: 0, unlisted: 0, mismatched: 0 });
    expect(first.streams).toBeGreaterThan(0);
    await syncDemo(wh, { athleteId: 'me', dir, seed: 2, days: 14 });
    const second = await check();
    expect(second).toMatchObject({ orphans: 0, unlisted: 0, mismatched: 0 });
    expect(second.streams).toBeGreaterThan(0);
    wh.close();
  });
});
