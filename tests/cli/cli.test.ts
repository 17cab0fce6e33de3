import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { main } from '../../lib/cli/cli.ts';
import { fixturePath } from '../helpers/shared.ts';

let dir: string;
const saved = { ...process.env };

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

function gpx(startIso: string, n: number, name: string): string {
  const t0 = Date.parse(startIso);
  const pts = Array.from({ length: n }, (_, i) =>
    `<trkpt lat="${(47.37 + i * 0.0001).toFixed(6)}" lon="8.54"><ele>400</ele><time>${new Date(t0 + i * 1000).toISOString()}</time>` +
    `<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>${140 + (i % 10)}</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions></trkpt>`,
  ).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="StravaGPX" xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">
<trk><name>${name}</name><type>running</type><trkseg>
${pts}
</trkseg></trk></gpx>`;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-'));
  process.env.DATABASE_URL = `duckdb://${join(dir, 'cli.duckdb')}`;
  process.env.LOG_LEVEL = 'silent';
  const data = join(dir, 'data');
  mkdirSync(data);
  writeFileSync(join(data, 'morning.gpx'), gpx('2024-03-05T05:00:00Z', 600, 'Morning Run'));
  writeFileSync(join(data, 'evening.gpx'), gpx('2024-03-05T17:00:00Z', 300, 'Evening Run'));
  writeFileSync(join(data, 'broken.gpx'), '<gpx><trk><trkseg><trkpt lat="x"');
  writeFileSync(join(data, 'notes.txt'), 'not training data');
  copyFileSync(fixturePath('fit/fitparse/garmin-fenix-5-run.fit'), join(data, 'fenix.fit'));
});

afterAll(() => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});

describe('athlete CLI', () => {
  it('prints help and rejects unknown commands and options with exit code 2', async () => {
    const help = await run('--help');
    expect(help.code).toBe(0);
    for (const c of ['sync', 'import', 'status', 'sql', 'export', 'report', 'analyze', 'dedup']) expect(help.out).toContain(c);
    expect((await run('sql', '--help')).out).toContain('usage: athlete sql');
    const unknown = await run('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("unknown command 'frobnicate'");
    const badOpt = await run('status', '--colour');
    expect(badOpt.code).toBe(2);
    expect(badOpt.err).toContain('unknown option --colour');
    expect((await run('sync', '--days', 'many')).code).toBe(2);
  });

  it('imports files, records the broken one, and reports a summary', async () => {
    const r = await run('import', '--source', 'strava', join(dir, 'data'));
    // broken.gpx could not be read: the import is partial.
    expect(r.code).toBe(4);
    expect(r.out).toMatch(/imported 5 file\(s\): 3 workouts/);
    expect(r.out).toMatch(/\d+ problem\(s\): a file, archive member, record or value was not imported/);
    expect(r.out).toMatch(/each is a row of import_errors/);
    const errs = await run('sql', "SELECT input FROM import_errors WHERE input LIKE '%broken.gpx'", '--format', 'json');
    expect(JSON.parse(errs.out).length).toBeGreaterThan(0);
    const src = JSON.parse((await run('sql', 'SELECT source, count(*) AS n FROM source_workouts GROUP BY 1 ORDER BY 1', '--format', 'json')).out);
    expect(src).toEqual([{ source: 'strava', n: 3 }]);
  });

  it('re-importing changes nothing', async () => {
    const before = (await run('sql', 'SELECT * EXCLUDE (ingested_at) FROM source_workouts ORDER BY record_id', '--format', 'csv')).out;
    await run('import', '--source', 'strava', join(dir, 'data'));
    const after = (await run('sql', 'SELECT * EXCLUDE (ingested_at) FROM source_workouts ORDER BY record_id', '--format', 'csv')).out;
    expect(after).toBe(before);
  });

  it('answers SQL as a table, JSON rows or CSV, and fails clearly on a bad query', async () => {
    const q = "SELECT name, round(distance_m) AS m FROM source_workouts WHERE name LIKE '%Run' ORDER BY start_time";
    const json = JSON.parse((await run('sql', q, '--format', 'json')).out);
    expect(json.map((r: { name: string }) => r.name)).toEqual(['Morning Run', 'Evening Run']);
    expect(json[0].m).toBeGreaterThan(600);
    const csv = (await run('sql', q, '--format', 'csv')).out.split('\n');
    expect(csv[0]).toBe('name,m');
    expect(csv).toHaveLength(3);
    const table = (await run('sql', q)).out;
    expect(table).toContain('Morning Run');
    expect(table).toContain('(2 rows)');
    const bad = await run('sql', 'SELECT nope FROM workouts');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/query failed: .*nope/);
  });

  it('shows status as text and JSON', async () => {
    const j = JSON.parse((await run('status', '--format', 'json')).out)[0];
    expect(j.source_workouts).toBe(3);
    expect(j.workouts).toBe(3);
    expect(j.sources[0].source).toBe('strava');
    expect((await run('status')).out).toContain('warehouse:');
  });

  it('exports the canonical tables as CSV and Parquet', async () => {
    const out = join(dir, 'export');
    expect((await run('export', '--format', 'csv', '--output', out)).code).toBe(0);
    const csv = readFileSync(join(out, 'workouts.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(4);
    expect((await run('export', '--format', 'parquet', '--output', out)).code).toBe(0);
    expect(existsSync(join(out, 'workouts.parquet'))).toBe(true);
    // athlete sql reads no files (its sandbox): the Parquet is read by a DuckDB of its own.
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    const n = (await duck.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${join(out, 'workouts.parquet')}')`)).getRowObjectsJS();
    duck.closeSync();
    expect(n).toEqual([{ n: 3 }]);
  });

  it('names a bad configuration key and exits with 3', async () => {
    process.env.AUTO_DEDUPLICATE = 'perhaps';
    const r = await run('status');
    delete process.env.AUTO_DEDUPLICATE;
    expect(r.code).toBe(3);
    expect(r.err).toContain('AUTO_DEDUPLICATE');
  });
});
