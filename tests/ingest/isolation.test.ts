/**
 * One bad thing costs only itself: a bad record is a row naming its file,
 * record and field while the records beside it are stored; a bad file or a
 * bad archive member is a row while the rest of the folder or archive is
 * imported; a record the warehouse refuses is found and recorded alone; and
 * `athlete import` says "partial" with exit code 4.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { importPaths, type ImportSummary } from '../../lib/ingest/importer.ts';
import { storeApart } from '../../lib/ingest/store_apart.ts';
import { main } from '../../lib/cli/cli.ts';
import { member, zipOf } from '../helpers/zip_build.ts';
import { fixturePath } from '../helpers/shared.ts';

const FIT = 'fit/fitparse/garmin-fenix-5-run.fit';
const FIT2 = 'fit/fitparse/garmin-fenix-5-walk.fit';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'isolation-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Row {
  input: string;
  record: string | null;
  field: string | null;
  reason: string;
}

async function imported(name: string, build: (folder: string) => void): Promise<{ wh: Warehouse; s: ImportSummary; rows: Row[]; folder: string }> {
  const folder = join(dir, name);
  mkdirSync(folder);
  build(folder);
  const wh = await Warehouse.open(join(dir, `${name}.duckdb`));
  const s = await importPaths(wh, [folder], { athleteId: 'me' });
  const rows = await wh.all<Row>('SELECT input, record, field, reason FROM import_errors ORDER BY input, record, field');
  return { wh, s, rows, folder };
}

const tail = (input: string) => input.split('/').pop()!;

describe('a bad record', () => {
  it('a day that is not on the calendar in an Oura or Garmin JSON is a row naming the file, record and field; the other days are stored', async () => {
    const { wh, s, rows, folder } = await imported('bad-day', (f) => {
      writeFileSync(
        join(f, 'oura.json'),
        JSON.stringify({
          daily_sleep: [
            { id: 'a', day: '2024-13-45', score: 80, timestamp: '2024-03-01T00:00:00+00:00', contributors: {} },
            { id: 'b', day: '2024-03-02', score: 81, timestamp: '2024-03-02T00:00:00+00:00', contributors: {} },
          ],
        }),
      );
      writeFileSync(
        join(f, 'sleep.json'),
        JSON.stringify([
          { dailySleepDTO: { calendarDate: '2024-02-30', sleepTimeSeconds: 25_000, sleepStartTimestampGMT: 1_709_330_000_000, sleepEndTimestampGMT: 1_709_360_000_000 } },
          { dailySleepDTO: { calendarDate: '2024-03-03', sleepTimeSeconds: 26_000, sleepStartTimestampGMT: 1_709_416_400_000, sleepEndTimestampGMT: 1_709_446_400_000 } },
        ]),
      );
      copyFileSync(fixturePath(FIT), join(f, 'run.fit'));
    });
    try {
      const days = await wh.all<{ source: string; metric_type: string; d: string; value: number }>(
        "SELECT source, metric_type, date::VARCHAR AS d, value FROM source_biometrics WHERE metric_type IN ('sleep_score', 'sleep_duration') ORDER BY d",
      );
      expect(days).toEqual([
        { source: 'oura', metric_type: 'sleep_score', d: '2024-03-02', value: 81 },
        { source: 'garmin', metric_type: 'sleep_duration', d: '2024-03-03', value: 26_000 },
      ]);
      expect(s.workouts).toBe(1);
      const bad = rows.filter((r) => /not a date on the calendar/.test(r.reason));
      expect(new Set(bad.map((r) => r.input))).toEqual(new Set([join(folder, 'oura.json'), join(folder, 'sleep.json')]));
      for (const r of bad) {
        expect(r.record).toBeTruthy();
        expect(r.field).toBeTruthy();
      }
      expect(bad.find((r) => tail(r.input) === 'oura.json')!.record).toBe('daily_sleep[0]');
      expect(bad.find((r) => r.input.endsWith('sleep.json'))!.record).toContain('2024-02-30');
      expect(s.problems).toBe(bad.length);
    } finally {
      wh.close();
    }
  });

  it('a record the warehouse refuses is found by halving its batch and recorded alone; the others are stored', async () => {
    const wh = await Warehouse.open(join(dir, 'refused.duckdb'));
    try {
      const run = (id: string, raw: unknown) => ({
        source: 'strava', external_id: id, name: `Run ${id}`, start_time: new Date(`2024-03-0${id}T06:00:00Z`), end_time: new Date(`2024-03-0${id}T07:00:00Z`),
        duration_s: 3600, sport: 'running', sport_category: 'ENDURANCE' as const, input: 'activities.json', raw_data: raw,
      });
      // A BigInt cannot be written as JSON: a parser slip that once cost the whole batch.
      const result = { workouts: [run('1', {}), run('2', {}), run('3', { id: 3n }), run('4', {}), run('5', {})], biometrics: [], streams: [], errors: [] };
      const s = await storeApart(wh, result, { athleteId: 'me' });
      expect(s).toMatchObject({ workouts: 4, invalid: 1 });
      expect(await wh.all('SELECT external_id FROM source_workouts ORDER BY 1')).toEqual(['1', '2', '4', '5'].map((external_id) => ({ external_id })));
      expect(await wh.all<Row>('SELECT input, record, field, reason FROM import_errors')).toEqual([
        { input: 'activities.json', record: 'strava 3', field: null, reason: 'could not be stored: Do not know how to serialize a BigInt' },
      ]);
    } finally {
      wh.close();
    }
  });

  it('a failure of the warehouse itself is not blamed on a record: it goes up and nothing is recorded as refused', async () => {
    const wh = await Warehouse.open(join(dir, 'disk.duckdb'));
    try {
      const flaky = Object.create(wh) as Warehouse;
      flaky.appendRows = async (table, rows) => {
        if (table === 'stage_source_workouts') throw new Error('IO Error: No space left on device (injected)');
        return wh.appendRows(table, rows);
      };
      const w = { source: 'strava', external_id: '9', start_time: new Date('2024-03-01T06:00:00Z'), end_time: new Date('2024-03-01T07:00:00Z'), duration_s: 3600, sport: 'running', sport_category: 'ENDURANCE' as const, input: 'a.json' };
      await expect(storeApart(flaky, { workouts: [w, { ...w, external_id: '10' }], biometrics: [], streams: [], errors: [] }, { athleteId: 'me' })).rejects.toThrow(/No space left/);
      expect(await wh.all('SELECT * FROM import_errors')).toEqual([]);
    } finally {
      wh.close();
    }
  });
});

describe('a bad file or archive member', () => {
  it('a zip cut short is read up to the cut; the FIT beside it and the members before the cut are imported', async () => {
    const whole = zipOf([member('a/run.fit', readFileSync(fixturePath(FIT))), member('b/walk.fit', readFileSync(fixturePath(FIT2)))]);
    // Cut inside the second member's data: no central directory survives.
    const cut = whole.subarray(0, whole.indexOf(Buffer.from('b/walk.fit')) + 200);
    const { wh, s, rows, folder } = await imported('truncated', (f) => {
      writeFileSync(join(f, 'export.zip'), cut);
      copyFileSync(fixturePath(FIT2), join(f, 'beside.fit'));
    });
    try {
      expect(s.workouts).toBe(2);
      const inputs = await wh.all<{ input: string }>('SELECT input FROM source_workouts ORDER BY input');
      expect(inputs.map((r) => r.input)).toEqual([join(folder, 'beside.fit'), `${join(folder, 'export.zip')}!a/run.fit`]);
      expect(rows).toEqual([
        { input: join(folder, 'export.zip'), record: null, field: null, reason: expect.stringMatching(/no end of central directory .*: 2 member\(s\) found by their local headers/) },
        { input: `${join(folder, 'export.zip')}!b/walk.fit`, record: null, field: null, reason: expect.stringMatching(/the archive ends inside b\/walk\.fit \(cut short\)/) },
      ]);
      expect(s.problems).toBe(2);
    } finally {
      wh.close();
    }
  });

  it('junk with a zip signature, a damaged member and an unsupported method are rows; everything else is imported', async () => {
    const good = member('good.fit', readFileSync(fixturePath(FIT)));
    // Damaged, it still states the CRC of the walk beside it: it must not pass for that file's copy.
    const damaged = member('damaged.fit', readFileSync(fixturePath(FIT2)));
    damaged.data = Buffer.from(damaged.data);
    (damaged.data as Buffer)[200] ^= 0xff;
    const bzip2 = { ...member('bzip2.fit', readFileSync(fixturePath(FIT2)), true), method: 12 as 0 };
    const { wh, s, rows, folder } = await imported('damaged', (f) => {
      writeFileSync(join(f, 'junk.zip'), Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(100, 7)]));
      writeFileSync(join(f, 'mixed.zip'), zipOf([bzip2, damaged, good]));
      copyFileSync(fixturePath(FIT2), join(f, 'walk.fit'));
    });
    try {
      expect(s.workouts).toBe(2);
      const by = Object.fromEntries(rows.map((r) => [r.input.slice(folder.length + 1), r.reason]));
      expect(Object.keys(by).sort()).toEqual(['junk.zip', 'mixed.zip!bzip2.fit', 'mixed.zip!damaged.fit']);
      expect(by['junk.zip']).toMatch(/^could not be read: .*junk\.zip: no end of central directory/);
      expect(by['mixed.zip!bzip2.fit']).toMatch(/compression method 12; only stored and deflated members are supported/);
      expect(by['mixed.zip!damaged.fit']).toMatch(/damaged/);
      expect(s.problems).toBe(3);
    } finally {
      wh.close();
    }
  });

  it('the same file twice is imported once, the copy gets a row saying so', async () => {
    const { wh, s, rows, folder } = await imported('copies', (f) => {
      copyFileSync(fixturePath(FIT), join(f, 'run.fit'));
      copyFileSync(fixturePath(FIT), join(f, 'run (1).fit'));
      writeFileSync(join(f, 'runs.zip'), zipOf([member('again.fit', readFileSync(fixturePath(FIT))), member('again-too.fit', readFileSync(fixturePath(FIT)))]));
    });
    try {
      expect(s).toMatchObject({ workouts: 1, skipped: 3, problems: 0 });
      const first = `the same content as ${join(folder, 'run (1).fit')} (size and CRC-32): imported once, from there`;
      expect(rows.map((r) => [r.input.slice(folder.length + 1), r.reason])).toEqual([
        ['run.fit', first],
        ['runs.zip!again-too.fit', first],
        ['runs.zip!again.fit', first],
      ]);
    } finally {
      wh.close();
    }
  });
});

describe('what a folder holds besides files', () => {
  it('a link to a file is read; a dangling link, a link to a folder (which could loop) and a pipe are rows', async () => {
    const { wh, s, rows, folder } = await imported('links', (f) => {
      mkdirSync(join(f, 'runs'));
      copyFileSync(fixturePath(FIT), join(f, 'runs', 'run.fit'));
      symlinkSync(fixturePath(FIT2), join(f, 'walk-link.fit'));
      symlinkSync(join(f, 'nowhere.fit'), join(f, 'dangling.fit'));
      symlinkSync(f, join(f, 'runs', 'back-up'));
      execFileSync('mkfifo', [join(f, 'pipe')]);
    });
    try {
      expect(s.workouts).toBe(2);
      expect(rows.map((r) => [r.input.slice(folder.length + 1), r.reason])).toEqual([
        ['dangling.fit', 'a link to nothing: not read'],
        ['pipe', 'not a regular file (a pipe, socket or device): not read'],
        ['runs/back-up', 'a link to a folder: not followed (name the folder itself to import it)'],
      ]);
    } finally {
      wh.close();
    }
  });
});

describe('athlete import exit codes', () => {
  const saved = { ...process.env };
  afterAll(() => {
    process.env = saved;
  });

  async function run(...argv: string[]): Promise<{ code: number; out: string }> {
    const out: string[] = [];
    const code = await main(argv, { out: (s) => out.push(s), err: (s) => out.push(s) });
    return { code, out: out.join('\n') };
  }

  it('0 when everything was imported, 4 (partial) when something was left out, with the count', async () => {
    process.env.DATABASE_URL = join(dir, 'cli.duckdb');
    process.env.LOG_LEVEL = 'silent';
    process.env.AUTO_DEDUPLICATE = 'false';
    const clean = join(dir, 'cli-clean');
    mkdirSync(clean);
    copyFileSync(fixturePath(FIT), join(clean, 'run.fit'));
    writeFileSync(join(clean, 'notes.md'), '# a file of no known format is skipped, not a problem\n');
    // A heart rate of 300 is stored as null with a warning: the run is imported, the import is not partial.
    const points = Array.from({ length: 120 }, (_, i) => {
      const hr = i === 60 ? 300 : 140;
      return `<trkpt lat="${(47.37 + i * 0.0002).toFixed(5)}" lon="8.54"><time>${new Date(Date.UTC(2024, 2, 5, 6, 0, i * 5)).toISOString()}</time><extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>${hr}</gpxtpx:hr></gpxtpx:TrackPointExtension></extensions></trkpt>`;
    });
    writeFileSync(
      join(clean, 'run.gpx'),
      `<?xml version="1.0"?><gpx version="1.1" creator="OpenTracks" xmlns="http://www.topografix.com/GPX/1/1" xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1"><trk><type>running</type><trkseg>${points.join('')}</trkseg></trk></gpx>`,
    );
    const ok = await run('import', clean);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toMatch(/imported 3 file\(s\): 2 workouts/);
    expect(ok.out).toMatch(/skipped 1 file\(s\)/);
    expect(ok.out).toMatch(/1 implausible value\(s\) stored as null/);
    expect(ok.out).not.toMatch(/problem/);

    const partial = join(dir, 'cli-partial');
    mkdirSync(partial);
    copyFileSync(fixturePath(FIT2), join(partial, 'walk.fit'));
    writeFileSync(join(partial, 'broken.zip'), Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(64)]));
    const r = await run('import', partial);
    expect(r.code, r.out).toBe(4);
    expect(r.out).toMatch(/imported 2 file\(s\): 1 workouts/);
    expect(r.out).toMatch(/1 problem\(s\): a file, archive member, record or value was not imported/);
  });
});
