/**
 * Importing unchanged files again: each file, or each export with the files
 * that belong to it, is recognised by its content and skipped unread, a
 * changed one is read again, and --again reads them all.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { removeAthlete } from '../../lib/core/athletes.ts';
import { importPaths, PARALLEL_MIN_FILES } from '../../lib/ingest/importer.ts';
import { ContentKeys, exportFingerprint } from '../../lib/ingest/imported_files.ts';
import type { InputEntry } from '../../lib/ingest/inputs.ts';
import { STRAVA_HEADER_94, stravaDate } from '../../lib/demo/write_strava.ts';
import { olderArchive, writeTree } from '../sources/google_health/samples.ts';

const T0 = Date.UTC(2024, 4, 1, 6);

/** A GPX ride of `n` points one second apart starting `day` days after T0, with altitude `ele`. */
function gpx(day: number, n: number, ele = 400): string {
  const start = T0 + day * 86_400_000;
  const pts = Array.from({ length: n }, (_, i) =>
    `<trkpt lat="${47 + day / 100 + i / 1e4}" lon="8.5"><ele>${ele + i}</ele><time>${new Date(start + i * 1000).toISOString()}</time></trkpt>`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>Ride ${day}</name><type>cycling</type><trkseg>${pts.join('')}</trkseg></trk></gpx>`;
}

let dir: string;
let data: string;
const files = PARALLEL_MIN_FILES + 3;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'reimport-'));
  data = join(dir, 'data');
  mkdirSync(data);
  for (let f = 0; f < files; f++) writeFileSync(join(data, `ride_${f}.gpx`), gpx(f, 40 + f));
  writeFileSync(join(data, 'scale.csv'), 'Time,Weight(kg),Body Fat(%)\n2024-05-01 07:00:00,70.5,15.2\n2024-05-02 07:00:00,70.3,15.1\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What a reader of the warehouse sees. */
async function contents(wh: Warehouse): Promise<unknown[]> {
  return [
    await wh.all('SELECT * EXCLUDE (ingested_at) FROM source_workouts ORDER BY record_id'),
    await wh.all('SELECT record_id, count(*) AS n, sum(altitude_m) AS alt FROM workout_streams GROUP BY 1 ORDER BY 1'),
    await wh.all('SELECT * EXCLUDE (ingested_at) FROM source_biometrics ORDER BY reading_id'),
  ];
}

/** Run `fn` on a new warehouse file `name` in the test folder, closed afterwards. */
async function inWarehouse(name: string, fn: (wh: Warehouse) => Promise<void>): Promise<void> {
  const wh = await Warehouse.open(join(dir, name));
  try {
    await fn(wh);
  } finally {
    wh.close();
  }
}

describe('importing the same files again', () => {
  it('skips unchanged files unread, reads a changed one, and reads all with again', async () => {
    await inWarehouse('w.duckdb', async (wh) => {
      const first = await importPaths(wh, [data], { athleteId: 'me', source: 'strava', workers: 0 });
      expect(first).toMatchObject({ files: files + 1, unchanged: 0, workouts: files, errors: 0 });
      const stored = await contents(wh);
      const pending = await wh.all('SELECT record_id FROM pending_records ORDER BY 1');
      expect(pending).toHaveLength(files);

      const second = await importPaths(wh, [data], { athleteId: 'me', source: 'strava', workers: 0 });
      expect(second).toMatchObject({ files: files + 1, unchanged: files + 1, workouts: 0, biometrics: 0, points: 0 });
      expect(await contents(wh)).toEqual(stored);
      // Nothing new to deduplicate either.
      expect(await wh.all('SELECT record_id FROM pending_records ORDER BY 1')).toEqual(pending);

      // Read another way (another source given), the same files are new to the importer.
      const other = await importPaths(wh, [join(data, 'ride_0.gpx')], { athleteId: 'me', source: 'garmin', workers: 0 });
      expect(other).toMatchObject({ unchanged: 0, workouts: 1 });

      writeFileSync(join(data, 'ride_3.gpx'), gpx(3, 43, 900));
      const third = await importPaths(wh, [data], { athleteId: 'me', source: 'strava', workers: 0 });
      expect(third).toMatchObject({ unchanged: files, workouts: 1, points: 43 });
      const [ride3] = await wh.all<{ alt: number }>(
        `SELECT sum(s.altitude_m) AS alt FROM workout_streams s JOIN source_workouts w USING (record_id) WHERE w.input LIKE '%ride_3.gpx' AND w.source = 'strava'`,
      );
      expect(ride3!.alt).toBe(900 * 43 + (42 * 43) / 2);

      const again = await importPaths(wh, [data], { athleteId: 'me', source: 'strava', workers: 0, again: true });
      expect(again).toMatchObject({ unchanged: 0, workouts: files, points: 0 });
    });
  });
});

describe('importing the same gzipped file again', () => {
  it('skips it unread, and reads it again when it changes', async () => {
    const root = join(dir, 'gz');
    mkdirSync(root);
    writeFileSync(join(root, 'ride.gpx.gz'), gzipSync(gpx(30, 50)));
    await inWarehouse('gz.duckdb', async (wh) => {
      expect(await importPaths(wh, [root], { athleteId: 'me', workers: 0 })).toMatchObject({ unchanged: 0, workouts: 1, points: 50 });
      expect(await importPaths(wh, [root], { athleteId: 'me', workers: 0 })).toMatchObject({ unchanged: 1, workouts: 0, points: 0 });
      writeFileSync(join(root, 'ride.gpx.gz'), gzipSync(gpx(30, 51)));
      expect(await importPaths(wh, [root], { athleteId: 'me', workers: 0 })).toMatchObject({ unchanged: 0, workouts: 1, points: 51 });
    });
  });
});

describe('importing the same export again', () => {
  /** A Strava export: activities.csv naming one GPX ride per row, the files under activities/ (the last gzipped, as Strava does). */
  function stravaExport(root: string, rides: number, ele = 400): void {
    mkdirSync(join(root, 'activities'), { recursive: true });
    const header = STRAVA_HEADER_94;
    const col = (name: string) => header.indexOf(name);
    const lines = [header.join(',')];
    for (let f = 0; f < rides; f++) {
      const cells = header.map(() => '');
      cells[col('Activity ID')] = String(1000 + f);
      cells[col('Activity Date')] = `"${stravaDate(T0 + f * 86_400_000)}"`;
      cells[col('Activity Name')] = `Ride ${f}`;
      cells[col('Activity Type')] = 'Ride';
      cells[col('Elapsed Time')] = String(39 + f);
      const gz = f === rides - 1;
      cells[col('Filename')] = `activities/${1000 + f}.gpx${gz ? '.gz' : ''}`;
      lines.push(cells.join(','));
      const text = gpx(f, 40 + f, ele);
      writeFileSync(join(root, 'activities', `${1000 + f}.gpx${gz ? '.gz' : ''}`), gz ? gzipSync(text) : text);
    }
    writeFileSync(join(root, 'activities.csv'), lines.join('\n') + '\n');
  }

  it('skips an unchanged export unread, its activity files with it, and reads it all again when one file changes', async () => {
    const root = join(dir, 'strava_export');
    stravaExport(root, 5);
    await inWarehouse('strava.duckdb', async (wh) => {
      const first = await importPaths(wh, [root], { athleteId: 'me', workers: 0 });
      expect(first).toMatchObject({ unchanged: 0, workouts: 5, errors: 0 });
      expect(first.points).toBe(40 + 41 + 42 + 43 + 44);
      const stored = await contents(wh);

      const second = await importPaths(wh, [root], { athleteId: 'me', workers: 0 });
      expect(second).toMatchObject({ unchanged: 1, workouts: 0, points: 0, errors: 0 });
      expect(await contents(wh)).toEqual(stored);
      // Its activity files were claimed by the export, not imported on their own.
      expect(await wh.all("SELECT input FROM source_workouts WHERE input NOT LIKE '%activities.csv'")).toEqual([]);

      writeFileSync(join(root, 'activities', '1002.gpx'), gpx(2, 42, 900));
      const third = await importPaths(wh, [root], { athleteId: 'me', workers: 0 });
      expect(third).toMatchObject({ unchanged: 0, workouts: 5, errors: 0 });
      const [ride2] = await wh.all<{ alt: number }>(
        "SELECT sum(s.altitude_m) AS alt FROM workout_streams s JOIN source_workouts w USING (record_id) WHERE w.external_id = '1002'",
      );
      expect(ride2!.alt).toBe(900 * 42 + (41 * 42) / 2);
    });
  });

  it('skips an unchanged Apple Health export unread, its route files with it, and reads it again when a route changes', async () => {
    const root = join(dir, 'apple');
    const xml = (start: Date) => `<?xml version="1.0" encoding="UTF-8"?>
<HealthData locale="en_GB">
 <ExportDate value="2024-06-01 08:10:05 +0000"/>
 <Record type="HKQuantityTypeIdentifierRestingHeartRate" sourceName="Watch" unit="count/min" creationDate="2024-05-02 23:59:00 +0000" startDate="2024-05-02 00:01:00 +0000" endDate="2024-05-02 23:59:00 +0000" value="51"/>
 <Workout workoutActivityType="HKWorkoutActivityTypeCycling" duration="1" durationUnit="min" sourceName="Watch" creationDate="2024-05-01 07:00:00 +0000" startDate="${start.toISOString().slice(0, 19).replace('T', ' ')} +0000" endDate="${new Date(start.getTime() + 60_000).toISOString().slice(0, 19).replace('T', ' ')} +0000">
  <WorkoutRoute sourceName="Watch" creationDate="2024-05-01 07:00:00 +0000" startDate="2024-05-01 06:00:00 +0000" endDate="2024-05-01 06:01:00 +0000">
   <FileReference path="/workout-routes/route_1.gpx"/>
  </WorkoutRoute>
 </Workout>
</HealthData>`;
    mkdirSync(join(root, 'apple_health_export', 'workout-routes'), { recursive: true });
    writeFileSync(join(root, 'apple_health_export', 'export.xml'), xml(new Date(T0)));
    writeFileSync(join(root, 'apple_health_export', 'workout-routes', 'route_1.gpx'), gpx(0, 60));
    await inWarehouse('apple.duckdb', async (wh) => {
      const first = await importPaths(wh, [root], { athleteId: 'me', workers: 0 });
      expect(first).toMatchObject({ unchanged: 0, workouts: 1, biometrics: 1, points: 60, errors: 0 });
      const stored = await contents(wh);

      const second = await importPaths(wh, [root], { athleteId: 'me', workers: 0 });
      expect(second).toMatchObject({ unchanged: 1, workouts: 0, biometrics: 0, points: 0, errors: 0 });
      expect(await contents(wh)).toEqual(stored);
      // The route was claimed by the unchanged export, not imported as a workout of its own.
      expect(await wh.all("SELECT input FROM source_workouts WHERE input NOT LIKE '%export.xml'")).toEqual([]);

      writeFileSync(join(root, 'apple_health_export', 'workout-routes', 'route_1.gpx'), gpx(0, 60, 900));
      const third = await importPaths(wh, [root], { athleteId: 'me', workers: 0 });
      expect(third).toMatchObject({ unchanged: 0, workouts: 1, points: 60, errors: 0 });
      const [alt] = await wh.all<{ alt: number }>('SELECT sum(altitude_m) AS alt FROM workout_streams');
      expect(alt!.alt).toBe(900 * 60 + (59 * 60) / 2);
    });
  });

  it('skips an unchanged Google Health archive unread, its TCX files with it, and reads it again when a member changes', async () => {
    const root = join(dir, 'fitbit');
    // Without its weights, whose unit the archive leaves open: a file read with a warning is read again each time.
    const files = Object.fromEntries(Object.entries(olderArchive()).filter(([f]) => !f.includes('weight-')));
    writeTree(root, files);
    await inWarehouse('fitbit.duckdb', async (wh) => {
      const first = await importPaths(wh, [root], { athleteId: 'me', workers: 0 });
      expect(first).toMatchObject({ unchanged: 0, workouts: 2 });
      const stored = await contents(wh);

      const second = await importPaths(wh, [root], { athleteId: 'me', workers: 0 });
      expect(second).toMatchObject({ unchanged: 1, workouts: 0, biometrics: 0, points: 0 });
      expect(await contents(wh)).toEqual(stored);
      expect((await wh.all('SELECT 1 FROM source_workouts')).length).toBe(2);

      const resting = Object.keys(files).find((f) => f.includes('resting_heart_rate-'))!;
      writeFileSync(join(root, resting), files[resting]!.replace('52.61', '57.2'));
      const third = await importPaths(wh, [root], { athleteId: 'me', workers: 0 });
      expect(third).toMatchObject({ unchanged: 0, workouts: 2 });
      const [hr] = await wh.all<{ value: number }>("SELECT value FROM source_biometrics WHERE metric_type = 'resting_hr'");
      expect(hr!.value).toBe(57);
    });
  });
});

describe('removing an athlete', () => {
  it('forgets the files imported for them: importing them again reads them, while another athlete\'s stay known', async () => {
    const root = join(dir, 'removed');
    mkdirSync(root);
    writeFileSync(join(root, 'a.gpx'), gpx(40, 30));
    await inWarehouse('removed.duckdb', async (wh) => {
      await importPaths(wh, [root], { athleteId: 'ana', workers: 0 });
      await importPaths(wh, [root], { athleteId: 'ben', workers: 0 });
      await removeAthlete(wh, 'ana');
      expect(await wh.all('SELECT athlete_id FROM source_workouts')).toEqual([{ athlete_id: 'ben' }]);
      expect(await importPaths(wh, [root], { athleteId: 'ana', workers: 0 })).toMatchObject({ unchanged: 0, workouts: 1, points: 30 });
      expect(await importPaths(wh, [root], { athleteId: 'ben', workers: 0 })).toMatchObject({ unchanged: 1, workouts: 0 });
      expect(await wh.all('SELECT athlete_id FROM source_workouts ORDER BY 1')).toEqual([{ athlete_id: 'ana' }, { athlete_id: 'ben' }]);
    });
  });
});

describe('files remembered by path, size and modification time', () => {
  it('are recognised unread; --again reads them and learns their keys anew; a file modified in the last 2 s is hashed each time', async () => {
    const root = join(dir, 'stamped');
    mkdirSync(root);
    const hourAgo = new Date(Date.now() - 3_600_000);
    for (let f = 0; f < 3; f++) {
      writeFileSync(join(root, `r${f}.gpx`), gpx(20 + f, 30));
      utimesSync(join(root, `r${f}.gpx`), hourAgo, hourAgo);
    }
    await inWarehouse('stamped.duckdb', async (wh) => {
      const remembered = async () => (await wh.all<{ path: string }>('SELECT path FROM file_contents ORDER BY path')).map((r) => r.path);
      const altitude = async () => (await wh.all<{ alt: number }>('SELECT sum(altitude_m) AS alt FROM workout_streams'))[0]!.alt;
      expect(await importPaths(wh, [root], { athleteId: 'me', workers: 0 })).toMatchObject({ unchanged: 0, workouts: 3, errors: 0 });
      expect(await remembered()).toEqual([0, 1, 2].map((f) => join(root, `r${f}.gpx`)));
      const before = await altitude();

      // Rewritten with the same size and given back its time: taken as unchanged without being read, as make and git would.
      const path = join(root, 'r1.gpx');
      const text = gpx(21, 30, 900);
      expect(text.length).toBe(gpx(21, 30).length);
      writeFileSync(path, text);
      utimesSync(path, hourAgo, hourAgo);
      expect(await importPaths(wh, [root], { athleteId: 'me', workers: 0 })).toMatchObject({ unchanged: 3, workouts: 0 });
      expect(await altitude()).toBe(before);

      // --again reads every file, so the rewrite is found and its key learned.
      expect(await importPaths(wh, [root], { athleteId: 'me', workers: 0, again: true })).toMatchObject({ unchanged: 0, workouts: 3 });
      expect(await altitude()).toBe(before + (900 - 400) * 30);
      expect(await importPaths(wh, [root], { athleteId: 'me', workers: 0 })).toMatchObject({ unchanged: 3, workouts: 0 });

      // Modified within the last 2 s its time may not change with its next change, so its key is not remembered, and it is
      // hashed again. Dated a minute ahead, it stays that recent however slowly this test runs.
      const learned = statSync(join(root, 'r2.gpx')).mtimeMs;
      writeFileSync(join(root, 'r2.gpx'), gpx(22, 31));
      const ahead = new Date(Date.now() + 60_000);
      utimesSync(join(root, 'r2.gpx'), ahead, ahead);
      expect(await importPaths(wh, [root], { athleteId: 'me', workers: 0 })).toMatchObject({ unchanged: 2, workouts: 1 });
      const [row] = await wh.all<{ modified_ms: number }>('SELECT modified_ms FROM file_contents WHERE path = ?', [join(root, 'r2.gpx')]);
      expect(row!.modified_ms).toBe(learned);
      expect(await importPaths(wh, [root], { athleteId: 'me', workers: 0 })).toMatchObject({ unchanged: 3, workouts: 0 });
    });
  });
});

describe("an export's key", () => {
  /** An entry claiming `size` bytes whose content is `parts`, which cannot be read whole. */
  const entry = (rel: string, size: number, parts: string[]): InputEntry => ({
    name: rel,
    rel,
    root: '/x',
    size,
    sizeKnown: true,
    head: () => new Uint8Array(),
    read: () => {
      throw new Error('read whole');
    },
    stream: async function* () {
      for (const p of parts) yield new TextEncoder().encode(p);
    },
  });

  it('hashes a file of gigabytes as a stream, never reading it whole, and changes with its content', async () => {
    const big = 3 * 1024 ** 3;
    const key = (parts: string[]) => exportFingerprint(new ContentKeys(), entry('export.xml', big, parts), [], 'apple_health_xml', undefined, 'me');
    const a = await key(['<HealthData>', '</HealthData>']);
    expect(await key(['<HealthData>', '</HealthData>'])).toBe(a);
    expect(await key(['<HealthData>', '<Workout/></HealthData>'])).not.toBe(a);
    // A small file is read whole: here that throws, so the export gets no key and is read again each time.
    await expect(exportFingerprint(new ContentKeys(), entry('export.xml', 100, ['x']), [], 'apple_health_xml', undefined, 'me')).rejects.toThrow(/read whole/);
  });
});
