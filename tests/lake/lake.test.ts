/**
 * The Parquet lake: written from a real warehouse (two athletes over two
 * years, stored through the import path, deduplicated and analysed), read
 * back with hyparquet (an independent Parquet reader, not DuckDB) and checked
 * against the warehouse: layout, types, row counts per partition, values.
 * Then: bounded files, a re-export that rewrites only what changed, and the
 * lake read back into an empty warehouse.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAnalysis } from '../../lib/analysis/run.ts';
import { saveAthlete } from '../../lib/core/athletes.ts';
import { rebuildCanonical } from '../../lib/core/dedup/rebuild.ts';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { exportLake } from '../../lib/lake/export.ts';
import { importLake } from '../../lib/lake/import.ts';
import { readManifest } from '../../lib/lake/manifest.ts';
import { main } from '../../lib/cli/cli.ts';
import { athleteRecords, store } from './synthetic.ts';

let dir: string;
let wh: Warehouse;
const dbPath = () => join(dir, 'squad.duckdb');

/** Every Parquet file under `root`, relative, sorted. */
function parquetFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.') || e.name.startsWith('_')) continue;
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.parquet')) out.push(relative(root, join(d, e.name)));
    }
  };
  walk(root);
  return out.sort();
}

/** The rows of every file of one table, with the partition values from the path, read by hyparquet. */
async function readTable(root: string, table: string): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const f of parquetFiles(join(root, table))) {
    const athlete = /athlete_id=([^/]+)/.exec(f)![1];
    const year = /year=(\d+)/.exec(f)?.[1];
    const file = await asyncBufferFromFile(join(root, table, f));
    for (const r of await parquetReadObjects({ file })) rows.push({ ...r, athlete_id: athlete, ...(year ? { year: Number(year) } : {}) });
  }
  return rows;
}

/** Files and their inode + modification time, to see which a re-export touched. */
function stamps(root: string): Map<string, string> {
  return new Map(parquetFiles(root).map((f) => {
    const s = statSync(join(root, f));
    return [f, `${s.ino}:${s.mtimeMs}`];
  }));
}

/** Dedup and analysis, with each athlete's heart rates given (not estimated from data that changes below). */
async function rebuild(db: Warehouse): Promise<void> {
  await rebuildCanonical(db);
  await runAnalysis(db, { sex: 'female' }, { ann: { maxHr: 188, restHr: 48 }, 'bo.b-2': { sex: 'male', maxHr: 195, restHr: 50 } });
}

/** A DATE as hyparquet gives it (a Date at UTC midnight), as YYYY-MM-DD. */
const day = (v: unknown): string => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'lake-test-'));
  wh = await Warehouse.open(dbPath());
  await saveAthlete(wh, { athlete_id: 'ann', display_name: 'Ann', birth_year: 1994, sex: 'female', max_hr: 188, home_time_zone: 'Europe/Zurich' });
  await saveAthlete(wh, { athlete_id: 'bo.b-2', display_name: 'Bob', sex: 'male' });
  await store(wh, 'ann', athleteRecords('ann', '2024-11-01', 120, 0));
  await store(wh, 'bo.b-2', athleteRecords('bo.b-2', '2024-12-15', 60, 1));
  await rebuild(wh);
  await wh.run(`INSERT INTO injuries (athlete_id, date, area, severity, notes, source) VALUES ('ann', '2025-01-20', 'calf', 'minor', 'tight', 'manual')`);
  await wh.run(
    `INSERT INTO predictions (athlete_id, date, horizon_days, risk, model, top_features, computed_at)
     VALUES ('ann', '2025-02-27', 7, 0.12, 'athlete', '[{"name":"acwr_ewma","contribution":0.03,"value":1.4}]', TIMESTAMP '2025-02-28 05:00:00')`,
  );
});

afterAll(() => {
  wh?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the lake as an independent reader sees it', () => {
  let lake: string;
  beforeAll(async () => {
    lake = join(dir, 'lake');
    await exportLake(wh, lake);
  });

  it('is hive-partitioned by athlete and year, with a manifest beside the tables', async () => {
    const files = parquetFiles(lake);
    expect(files).toContain('workouts/athlete_id=ann/year=2024/part-0.parquet');
    expect(files).toContain('workouts/athlete_id=ann/year=2025/part-0.parquet');
    expect(files).toContain('stream_points/athlete_id=bo.b-2/year=2025/part-0.parquet');
    expect(files).toContain('athletes/athlete_id=ann/part-0.parquet');
    for (const f of files) expect(f).toMatch(/^[a-z_]+\/athlete_id=[\w.-]+\/(year=\d{4}\/)?part-\d+\.parquet$/);
    const tables = new Set(files.map((f) => f.split('/')[0]));
    for (const t of ['athletes', 'source_workouts', 'workouts', 'workout_sources', 'stream_points', 'source_biometrics', 'biometrics', 'injuries', 'workout_loads', 'daily_metrics', 'predictions']) {
      expect(tables.has(t), t).toBe(true);
    }
    expect(readManifest(lake)!.tables.workouts!.partitionBy).toEqual(['athlete_id', 'year']);
  });

  it('has the same rows per athlete and year as the warehouse, in every table', async () => {
    const expected: Record<string, string> = {
      source_workouts: 'SELECT athlete_id, year(start_time) AS year, count(*) AS n FROM source_workouts GROUP BY ALL',
      workouts: 'SELECT athlete_id, year(start_time) AS year, count(*) AS n FROM workouts GROUP BY ALL',
      workout_sources: 'SELECT w.athlete_id, year(w.start_time) AS year, count(*) AS n FROM workout_sources s JOIN workouts w USING (workout_id) GROUP BY ALL',
      stream_points: `SELECT r.athlete_id, year(p.time) AS year, count(*) AS n FROM stream_points p JOIN streams s USING (stream_id)
                      JOIN source_workouts r USING (record_id) GROUP BY ALL`,
      source_biometrics: 'SELECT athlete_id, year(date) AS year, count(*) AS n FROM source_biometrics GROUP BY ALL',
      biometrics: 'SELECT athlete_id, year(date) AS year, count(*) AS n FROM biometrics GROUP BY ALL',
      daily_metrics: 'SELECT athlete_id, year(date) AS year, count(*) AS n FROM daily_metrics GROUP BY ALL',
      workout_loads: 'SELECT athlete_id, year(local_date) AS year, count(*) AS n FROM workout_loads GROUP BY ALL',
      injuries: 'SELECT athlete_id, year(date) AS year, count(*) AS n FROM injuries GROUP BY ALL',
      predictions: 'SELECT athlete_id, year(date) AS year, count(*) AS n FROM predictions GROUP BY ALL',
    };
    for (const [table, sql] of Object.entries(expected)) {
      const want = new Map((await wh.all<{ athlete_id: string; year: number; n: number }>(sql)).map((r) => [`${r.athlete_id}/${r.year}`, r.n]));
      const got = new Map<string, number>();
      for (const r of await readTable(lake, table)) got.set(`${r.athlete_id}/${r.year}`, (got.get(`${r.athlete_id}/${r.year}`) ?? 0) + 1);
      expect(got, table).toEqual(want);
      expect(want.size, table).toBeGreaterThan(0);
    }
    expect((await readTable(lake, 'stream_points')).length).toBe((await wh.all<{ n: number }>('SELECT count(*) AS n FROM stream_points'))[0]!.n);
  });

  it('marks instants as UTC and gives every column an explicit type', async () => {
    const file = await asyncBufferFromFile(join(lake, 'workouts/athlete_id=ann/year=2025/part-0.parquet'));
    const meta = await parquetMetadataAsync(file);
    const col = (name: string) => meta.schema.find((s) => s.name === name)!;
    expect(col('start_time').type).toBe('INT64');
    expect(col('start_time').logical_type).toEqual({ type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' });
    expect(col('duration_s').type).toBe('DOUBLE');
    expect(col('utc_offset_min').type).toBe('INT32');
    expect(col('has_gps').type).toBe('BOOLEAN');
    expect(col('external_ids').converted_type).toBe('UTF8');
    // The athlete is in the path, not repeated in the file.
    expect(meta.schema.some((s) => s.name === 'athlete_id')).toBe(false);
    const points = await parquetMetadataAsync(await asyncBufferFromFile(join(lake, 'stream_points/athlete_id=ann/year=2025/part-0.parquet')));
    expect(points.schema.find((s) => s.name === 'time')!.logical_type).toEqual({ type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' });
    const days = await parquetMetadataAsync(await asyncBufferFromFile(join(lake, 'daily_metrics/athlete_id=ann/year=2025/part-0.parquet')));
    expect(days.schema.find((s) => s.name === 'date')!.converted_type).toBe('DATE');
  });

  it('holds the warehouse values: workouts, samples, daily metrics, predictions, the athlete', async () => {
    const workouts = await readTable(lake, 'workouts');
    const stored = await wh.all<{ workout_id: string; start_time: Date; duration_s: number; distance_m: number; avg_hr: number; source_count: number; external_ids: string }>(
      'SELECT workout_id, start_time, duration_s, distance_m, avg_hr, source_count, external_ids FROM workouts',
    );
    expect(workouts).toHaveLength(stored.length);
    const byId = new Map(workouts.map((w) => [w.workout_id, w]));
    for (const s of stored) {
      const w = byId.get(s.workout_id)!;
      // hyparquet turns UTC-adjusted timestamps into Dates: the same instant as the warehouse's UTC value.
      expect((w.start_time as Date).getTime()).toBe(s.start_time.getTime());
      expect(w.duration_s).toBe(s.duration_s);
      expect(w.distance_m).toBe(s.distance_m);
      expect(w.avg_hr).toBe(s.avg_hr);
      expect(w.source_count).toBe(s.source_count);
      expect(JSON.parse(String(w.external_ids))).toEqual(JSON.parse(s.external_ids));
    }
    expect(new Set(stored.map((s) => s.source_count))).toEqual(new Set([2]));

    const [one] = await wh.all<{ record_id: string }>("SELECT record_id FROM source_workouts WHERE athlete_id = 'bo.b-2' AND source = 'garmin' ORDER BY start_time LIMIT 1");
    const want = await wh.all<{ time: Date; hr: number; lat: number; distance_m: number }>('SELECT time, hr, lat, distance_m FROM workout_streams WHERE record_id = ? ORDER BY time', [one!.record_id]);
    const got = (await readTable(lake, 'stream_points')).filter((p) => p.record_id === one!.record_id).sort((a, b) => (a.time as Date).getTime() - (b.time as Date).getTime());
    expect(got.map((p) => [(p.time as Date).getTime(), p.hr, p.lat, p.distance_m, p.power_w])).toEqual(want.map((p) => [p.time.getTime(), p.hr, p.lat, p.distance_m, null]));

    const days = await readTable(lake, 'daily_metrics');
    const [last] = await wh.all<{ date: string; load: number; acwr_ewma: number | null; hrv_status: string | null }>(
      "SELECT CAST(date AS VARCHAR) AS date, load, acwr_ewma, hrv_status FROM daily_metrics WHERE athlete_id = 'ann' ORDER BY date DESC LIMIT 1",
    );
    const lakeLast = days.filter((d) => d.athlete_id === 'ann').sort((a, b) => day(b.date).localeCompare(day(a.date)))[0]!;
    expect(day(lakeLast.date)).toBe(last!.date);
    expect(lakeLast).toMatchObject({ load: last!.load, acwr_ewma: last!.acwr_ewma, hrv_status: last!.hrv_status });

    const [p] = await readTable(lake, 'predictions');
    expect(p).toMatchObject({ athlete_id: 'ann', year: 2025, risk: 0.12, model: 'athlete', horizon_days: 7 });
    expect(day(p!.date)).toBe('2025-02-27');
    expect((p!.computed_at as Date).toISOString()).toBe('2025-02-28T05:00:00.000Z');
    const athletes = await readTable(lake, 'athletes');
    expect(athletes.find((a) => a.athlete_id === 'ann')).toMatchObject({ display_name: 'Ann', birth_year: 1994, sex: 'female', max_hr: 188, home_time_zone: 'Europe/Zurich' });
  });
});

describe('file size', () => {
  it('splits a partition into files that stop growing once they pass the bound', async () => {
    const whole = join(dir, 'whole-files');
    await exportLake(wh, whole);
    // An eighth of the partition's file in one piece.
    const max = Math.floor(statSync(join(whole, 'stream_points/athlete_id=ann/year=2025/part-0.parquet')).size / 8);
    const lake = join(dir, 'small-files');
    await exportLake(wh, lake, { maxFileBytes: max, rowGroupRows: 200 });
    const files = parquetFiles(join(lake, 'stream_points')).filter((f) => f.startsWith('athlete_id=ann/year=2025/'));
    expect(files.length).toBeGreaterThan(1);
    const sizes = files.map((f) => statSync(join(lake, 'stream_points', f)).size);
    // A file closes after the row group that passes the bound. DuckDB's writer threads each finish the row group
    // they hold, so a file holds at most the bound plus one row group per thread (DuckDB: "files can be
    // occasionally slightly over the limit").
    const [setting] = await wh.all<{ threads: number }>("SELECT current_setting('threads')::INTEGER AS threads");
    const threads = setting!.threads;
    let rows = 0;
    for (const [i, f] of files.entries()) {
      const meta = await parquetMetadataAsync(await asyncBufferFromFile(join(lake, 'stream_points', f)));
      const groups = meta.row_groups.map((g) => Number(g.total_byte_size)).sort((a, b) => b - a);
      const lastGroups = groups.slice(0, threads).reduce((a, b) => a + b, 0);
      expect(sizes[i]! - lastGroups, f).toBeLessThanOrEqual(max);
      expect(Number(meta.num_rows)).toBeGreaterThan(0);
      rows += Number(meta.num_rows);
    }
    const [n] = await wh.all<{ n: number }>(
      `SELECT count(*) AS n FROM stream_points p JOIN streams s USING (stream_id) JOIN source_workouts r USING (record_id)
       WHERE r.athlete_id = 'ann' AND year(p.time) = 2025`,
    );
    expect(rows).toBe(n!.n);
  });
});

describe('exporting again', () => {
  it('rewrites only the partitions whose rows changed, and removes those that are gone', async () => {
    const lake = join(dir, 'incremental');
    const first = await exportLake(wh, lake);
    expect(first.unchanged).toBe(0);
    const before = stamps(lake);

    const again = await exportLake(wh, lake);
    expect(again.written).toBe(0);
    expect(again.unchanged).toBe(first.written);
    expect(stamps(lake)).toEqual(before);

    // One new run for Bob in 2025, and Ann's 2024 biometrics are gone.
    await store(wh, 'bo.b-2', athleteRecords('bo.b-2', '2025-02-14', 2, 1));
    await wh.run("DELETE FROM source_biometrics WHERE athlete_id = 'ann' AND date < DATE '2025-01-01'");
    await rebuild(wh);
    const third = await exportLake(wh, lake);
    const after = stamps(lake);
    const touched = [...after].filter(([f, s]) => before.get(f) !== s).map(([f]) => f);
    expect(touched.length).toBeGreaterThan(0);
    for (const f of touched) {
      // Bob's 2025 rows changed; Ann's daily recovery baselines moved with her biometrics.
      expect(f, f).toMatch(/athlete_id=bo\.b-2\/year=2025\/|^daily_metrics\/athlete_id=ann\//);
    }
    expect(touched).toContain('workouts/athlete_id=bo.b-2/year=2025/part-0.parquet');
    expect(touched).toContain('stream_points/athlete_id=bo.b-2/year=2025/part-0.parquet');
    expect(after.get('stream_points/athlete_id=ann/year=2025/part-0.parquet')).toBe(before.get('stream_points/athlete_id=ann/year=2025/part-0.parquet'));
    expect(after.get('workouts/athlete_id=ann/year=2024/part-0.parquet')).toBe(before.get('workouts/athlete_id=ann/year=2024/part-0.parquet'));
    expect(after.has('source_biometrics/athlete_id=ann/year=2024/part-0.parquet')).toBe(false);
    expect(third.removed).toBeGreaterThan(0);
    expect(third.unchanged).toBeGreaterThan(third.written);
    const manifest = readManifest(lake)!;
    expect(manifest.tables.source_biometrics!.partitions['ann/2024']).toBeUndefined();
  });

  it('refuses a folder that holds something else, and a lake it did not write', async () => {
    const other = join(dir, 'not-a-lake');
    mkdirSync(other);
    writeFileSync(join(other, 'notes.txt'), 'mine');
    await expect(exportLake(wh, other)).rejects.toThrow(/not-a-lake: not empty and not a lake/);
    await expect(importLake(wh, other)).rejects.toThrow(/not-a-lake: not a lake \(no _lake\.json\)/);
  });
});

describe('reading the lake back', () => {
  it('gives an empty warehouse the same rows, table by table', async () => {
    const lake = join(dir, 'roundtrip');
    await exportLake(wh, lake);
    const copy = await Warehouse.open(join(dir, 'copy.duckdb'));
    try {
      const r = await importLake(copy, lake);
      expect(r.athletes).toEqual(['ann', 'bo.b-2']);
      const queries: Record<string, string> = {
        athletes: 'SELECT * FROM athletes',
        source_workouts: 'SELECT * FROM source_workouts',
        workouts: 'SELECT * FROM workouts',
        workout_sources: 'SELECT * FROM workout_sources',
        samples: 'SELECT * FROM workout_streams',
        source_biometrics: 'SELECT * FROM source_biometrics',
        biometrics: 'SELECT * FROM biometrics',
        injuries: 'SELECT * FROM injuries',
        workout_loads: 'SELECT * FROM workout_loads',
        daily_metrics: 'SELECT * FROM daily_metrics',
        predictions: 'SELECT * FROM predictions',
      };
      for (const [name, sql] of Object.entries(queries)) {
        const a = await wh.all(`${sql} ORDER BY ALL`);
        const b = await copy.all(`${sql} ORDER BY ALL`);
        expect(b.length, name).toBe(a.length);
        expect(b, name).toEqual(a);
      }
      // Reading it again replaces the athletes' rows instead of adding to them.
      await importLake(copy, lake);
      const [n] = await copy.all<{ n: number }>('SELECT count(*) AS n FROM stream_points');
      const [m] = await wh.all<{ n: number }>('SELECT count(*) AS n FROM stream_points');
      expect(n!.n).toBe(m!.n);
    } finally {
      copy.close();
    }
  });

  it('through the command line: export --format lake, then import --lake', async () => {
    const lake = join(dir, 'cli-lake');
    const out: string[] = [];
    const io = { out: (s: string) => out.push(s), err: () => undefined };
    wh.close();
    const saved = process.env.DATABASE_URL;
    try {
      process.env.DATABASE_URL = dbPath();
      expect(await main(['export', '--format', 'lake', '--output', lake], io)).toBe(0);
      expect(out.join('\n')).toMatch(/partition\(s\) written, 0 unchanged, 0 removed/);
      process.env.DATABASE_URL = join(dir, 'cli-copy.duckdb');
      expect(await main(['import', '--lake', lake], io)).toBe(0);
      expect(out.at(-1)).toMatch(/athletes ann, bo\.b-2; athletes 2, source_workouts \d+/);
      expect(await main(['import', '--lake', lake, 'extra.fit'], io)).toBe(2);
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
      wh = await Warehouse.open(dbPath());
    }
  });
});
