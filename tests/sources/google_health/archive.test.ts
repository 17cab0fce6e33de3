/**
 * The Fitbit account archive, both generations, imported the way a user
 * would (`importPaths` over the folder or the zip) into DuckDB: the clock of
 * each file type, the units, exercises joined with their track and heart
 * rate, the daily values, and one broken member.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../../../lib/core/warehouse.ts';
import { importPaths } from '../../../lib/ingest/importer.ts';
import { detectFormat } from '../../../lib/ingest/detect.ts';
import { googleHealthMemberKind } from '../../../lib/sources/google_health/export.ts';
import { jsonArrayBatches } from '../../../lib/sources/google_health/archive_stream.ts';
import {
  NIGHT,
  RUN,
  WALK,
  dayOfHeartRate,
  exerciseEntry,
  exerciseHr,
  fitbitShort,
  fitbitTcx,
  heartRateCsv,
  heartRateJson,
  olderArchive,
  sleepEntry,
  writeTree,
  zipOf,
  type ExerciseSpec,
} from './samples.ts';

const enc = new TextEncoder();
let dir: string;
let wh: Warehouse;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gh-archive-'));
  wh = await Warehouse.open(join(dir, 'w.duckdb'));
});
afterEach(() => {
  wh.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A run of the newer archive: no GPS, at UTC-07:00. */
const RUN2: ExerciseSpec = { ...RUN, logId: '71000000042', startUtc: '2025-06-01T14:00:00.000Z', offsetMin: -420, durationS: 2400, activeS: 2400, distance: 6.2, gps: false };

/** The newer Takeout ("Google Health"): per-metric CSV time series beside the JSON, an account in kilograms. */
function generation2(): Record<string, string> {
  const root = 'Takeout/Google Health';
  const hr = dayOfHeartRate(Date.parse('2025-06-01T07:00:00Z'), [RUN2]);
  return {
    [`${root}/Global Export Data/exercise-100.json`]: JSON.stringify([exerciseEntry(RUN2)]),
    [`${root}/Physical Activity_GoogleData/heart_rate_2025-06-01.csv`]: heartRateCsv(hr),
    [`${root}/Physical Activity_GoogleData/daily_resting_heart_rate.csv`]: 'timestamp,beats per minute,data source\n2025-06-01T00:00:00Z,51.87,Pixel Watch 3\n',
    [`${root}/Physical Activity_GoogleData/daily_heart_rate_variability.csv`]:
      'timestamp,average heart rate variability milliseconds,non rem heart rate beats per minute,entropy,deep sleep root mean square of successive differences milliseconds,data source\n' +
      '2025-06-01T00:00:00Z,41.2,54,3.1,45.0,Pixel Watch 3\n2025-06-02T00:00:00Z,0,0,0,0,Pixel Watch 3\n',
    [`${root}/Physical Activity_GoogleData/weight.csv`]: 'timestamp,weight grams,data source\n2025-06-01T14:30:00Z,72450.0,Fitbit App\n',
    [`${root}/Global Export Data/weight-2025-06-01.json`]: JSON.stringify([{ logId: 1748788200000, weight: 72.45, bmi: 23.1, date: '06/01/25', time: '07:30:00', source: 'API' }]),
    [`${root}/Physical Activity_GoogleData/body_fat_2025-06-01.csv`]: 'timestamp,body fat percentage,data source\n2025-06-01T14:30:00Z,18.2,Fitbit App\n',
    [`${root}/Global Export Data/sleep-2025-05-31.json`]: JSON.stringify([
      sleepEntry({ ...NIGHT, logId: '48000000001', startLocal: '2025-05-31T23:10:00', endLocal: '2025-06-01T06:40:00', offsetMin: -420 }),
    ]),
  };
}

interface WorkoutRow {
  external_id: string;
  name: string;
  start_time: Date;
  end_time: Date;
  duration_s: number;
  moving_time_s: number;
  utc_offset_min: number | null;
  sport: string;
  distance_m: number;
  calories_kcal: number;
  avg_hr: number;
  max_hr: number;
  elevation_gain_m: number;
  has_gps: boolean;
  source: string;
}

const workouts = () => wh.all<WorkoutRow>('SELECT * FROM source_workouts ORDER BY start_time');
const readings = () =>
  wh.all<{ date: string; metric_type: string; value: number; time: Date | null }>(
    "SELECT strftime(date, '%Y-%m-%d') AS date, metric_type, value, time FROM source_biometrics WHERE source = 'google_health' ORDER BY date, metric_type, time NULLS FIRST",
  );
const errors = () => wh.all<{ input: string; record: string | null; field: string | null; reason: string }>('SELECT input, record, field, reason FROM import_errors ORDER BY input');
const streamOf = (externalId: string) =>
  wh.all<{ t: number; lat: number | null; hr: number | null }>(
    "SELECT epoch_ms(time) AS t, lat, hr FROM workout_streams WHERE record_id = (SELECT record_id FROM source_workouts WHERE external_id = ?) ORDER BY time",
    [externalId],
  );

describe('recognising archive members', () => {
  it('by content and name, leaving look-alikes to their own formats', () => {
    const kind = (name: string, text: string) => googleHealthMemberKind(name, enc.encode(text));
    expect(kind('a/exercise-0.json', JSON.stringify([exerciseEntry(RUN)]))).toBe('exercise_json');
    expect(kind('b/heart_rate-2023-04-09.json', heartRateJson({ time: [0], bpm: [60] }))).toBe('heart_rate_json');
    expect(kind('heart_rate_2025-06-01.csv', 'timestamp,beats per minute,data source\n')).toBe('heart_rate_csv');
    expect(kind('daily_resting_heart_rate.csv', 'timestamp,beats per minute,data source\n')).toBe('daily_resting_heart_rate_csv');
    // Steps share the heart-rate layout but are not read; a renamed exercise file is not taken on its name alone.
    expect(kind('steps-2023-04-09.json', '[{"dateTime":"04/09/23 00:00:00","value":"0"}]')).toBeNull();
    expect(kind('exercise-0.json', '[{"id": 1}]')).toBeNull();
    expect(detectFormat('x/sleep-2023-04-08.json', enc.encode(JSON.stringify([sleepEntry(NIGHT)])))).toBe('google_health');
    expect(detectFormat('x/run.tcx', enc.encode(fitbitTcx(RUN).slice(0, 4096)))).toBe('tcx');
  });
});

describe('the older archive (per-type JSON)', () => {
  it('joins the run with its TCX, and the GPS-less walk with the UTC heart-rate samples of its local day', async () => {
    writeTree(dir, olderArchive());
    const s = await importPaths(wh, [join(dir, 'MyFitbitData')], { athleteId: 'me' });
    expect(s.byFormat).toEqual({ google_health: 1 });
    const [run, walk] = await workouts();
    // startTime is UTC; the TCX (local time with +10:00) gives the offset.
    expect(run).toMatchObject({ external_id: RUN.logId, source: 'google_health', name: 'Run', sport: 'running', utc_offset_min: 600, has_gps: true });
    expect(run!.start_time.toISOString()).toBe('2023-04-08T20:50:26.000Z');
    expect(run!.duration_s).toBe(1800);
    expect(run!.moving_time_s).toBe(1740);
    expect(run!.distance_m).toBeCloseTo(5040, 6);
    expect(run!.elevation_gain_m).toBeCloseTo(31.5, 6);
    expect(run!.avg_hr).toBe(149);
    expect(run!.max_hr).toBe(149);
    const track = await streamOf(RUN.logId);
    expect(track).toHaveLength(360);
    expect(track[0]).toMatchObject({ t: Date.parse(RUN.startUtc), hr: 120 });
    expect(track.every((p) => p.lat !== null)).toBe(true);
    // No TCX and no offset in the archive for the walk: UTC start, offset unknown; miles to metres.
    expect(walk).toMatchObject({ external_id: WALK.logId, sport: 'walking', utc_offset_min: null, has_gps: false });
    expect(walk!.start_time.toISOString()).toBe('2023-04-09T07:10:00.000Z');
    expect(walk!.distance_m).toBeCloseTo(0.8 * 1609.344, 6);
    const hr = await streamOf(WALK.logId);
    expect(hr.map((p) => p.t)).toEqual(exerciseHr(WALK).time);
    expect(hr.map((p) => p.hr)).toEqual(exerciseHr(WALK).bpm);
    expect(hr.every((p) => p.lat === null)).toBe(true);
    // The TCX was joined, not imported again as a workout of its own.
    expect((await wh.all('SELECT 1 FROM source_workouts')).length).toBe(2);
  });

  it('puts the night on its local day of waking, rounds resting HR, skips the nap and the missing day, and reads pounds', async () => {
    writeTree(dir, olderArchive());
    await importPaths(wh, [join(dir, 'MyFitbitData')], { athleteId: 'me' });
    const r = await readings();
    const by = (m: string) => r.filter((x) => x.metric_type === m);
    expect(by('sleep_duration')).toEqual([expect.objectContaining({ date: '2023-04-09', value: 392 * 60, time: null })]);
    expect(by('sleep_in_bed')[0]!.value).toBe(434 * 60);
    expect(by('sleep_deep')[0]!.value).toBe(75 * 60);
    expect(by('sleep_light')[0]!.value).toBe(269 * 60);
    expect(by('sleep_rem')[0]!.value).toBe(48 * 60);
    expect(by('sleep_awake')[0]!.value).toBe(42 * 60);
    expect(by('sleep_efficiency')[0]!.value).toBeCloseTo((392 / 434) * 100, 9);
    expect(by('resting_hr')).toEqual([expect.objectContaining({ date: '2023-04-09', value: 53 })]);
    expect(by('hrv_rmssd')).toEqual([expect.objectContaining({ date: '2023-04-09', value: 38.412 })]);
    expect(by('weight')).toEqual([expect.objectContaining({ date: '2023-04-09', time: null })]);
    expect(by('weight')[0]!.value).toBeCloseTo(176.4 * 0.45359237, 9);
    expect(by('body_fat_pct')[0]!.value).toBe(19.5);
    const e = await errors();
    expect(e).toEqual([expect.objectContaining({ field: 'weight', reason: expect.stringMatching(/pounds/) })]);
    expect(e[0]!.input).toMatch(/weight-2023-04-01\.json$/);
  });

  it('reads the zip itself as it reads the folder', async () => {
    writeFileSync(join(dir, 'takeout.zip'), zipOf(olderArchive()));
    await importPaths(wh, [join(dir, 'takeout.zip')], { athleteId: 'me' });
    const fromZip = { w: await workouts(), r: await readings(), s: (await streamOf(RUN.logId)).length };
    const other = await Warehouse.open(join(dir, 'folder.duckdb'));
    try {
      writeTree(join(dir, 'tree'), olderArchive());
      await importPaths(other, [join(dir, 'tree')], { athleteId: 'me' });
      const w = await other.all<WorkoutRow>('SELECT * FROM source_workouts ORDER BY start_time');
      const strip = (rows: WorkoutRow[]) => rows.map(({ ...x }) => ({ ...x, input: null, raw_data: null, ingested_at: null, record_id: null }));
      expect(strip(fromZip.w)).toEqual(strip(w));
      expect(fromZip.r.length).toBe((await other.all('SELECT 1 FROM source_biometrics')).length);
      expect(fromZip.s).toBe(360);
    } finally {
      other.close();
    }
  });

  it('joins a TCX named otherwise by its start, and trusts its instant when the JSON wrote local time', async () => {
    const files = olderArchive();
    delete files[`MyFitbitData/Ana/tcx/${RUN.logId}.tcx`];
    files['MyFitbitData/Ana/Activities/morning run.tcx'] = fitbitTcx(RUN);
    // The local reading of startTime that one public reader assumes: 06:50:26 at UTC+10:00.
    const local = { ...exerciseEntry(RUN), startTime: fitbitShort(Date.parse(RUN.startUtc) + RUN.offsetMin * 60_000), tcxLink: undefined };
    files['MyFitbitData/Ana/Physical Activity/exercise-0.json'] = JSON.stringify([local, exerciseEntry(WALK)]);
    writeTree(dir, files);
    await importPaths(wh, [join(dir, 'MyFitbitData')], { athleteId: 'me' });
    const [run] = await workouts();
    expect(run).toMatchObject({ external_id: RUN.logId, utc_offset_min: 600, has_gps: true });
    expect(run!.start_time.toISOString()).toBe('2023-04-08T20:50:26.000Z');
    expect((await streamOf(RUN.logId)).length).toBe(360);
    expect((await workouts()).length).toBe(2);
  });

  it('keeps the rest of the archive when one member is broken, naming the member', async () => {
    const files = olderArchive();
    files['MyFitbitData/Ana/Physical Activity/exercise-100.json'] = '[{\n  "logId" : 61000000001,\n  "activityName" : "Run",\n  "startTime" : "04/10/23 06:00:00",\n  "dura';
    writeTree(dir, files);
    await importPaths(wh, [join(dir, 'MyFitbitData')], { athleteId: 'me' });
    const broken = (await errors()).filter((e) => e.input.endsWith('exercise-100.json'));
    expect(broken).toEqual([expect.objectContaining({ reason: expect.stringMatching(/unreadable JSON/) })]);
    expect((await workouts()).map((w) => w.external_id)).toEqual([RUN.logId, WALK.logId]);
    expect((await readings()).some((r) => r.metric_type === 'sleep_duration')).toBe(true);
  });

  it('reports an entry it cannot read by its logId and field, and an unknown distance unit', async () => {
    const files = olderArchive();
    files['MyFitbitData/Ana/Physical Activity/exercise-0.json'] = JSON.stringify([
      { ...exerciseEntry(RUN), distanceUnit: 'Furlong' },
      { ...exerciseEntry(WALK), duration: 'twenty minutes' },
    ]);
    writeTree(dir, files);
    await importPaths(wh, [join(dir, 'MyFitbitData')], { athleteId: 'me' });
    const e = (await errors()).filter((x) => x.input.endsWith('exercise-0.json'));
    expect(e).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ record: `logId ${RUN.logId}`, field: 'distanceUnit' }),
        expect.objectContaining({ record: `logId ${WALK.logId}`, field: 'duration' }),
      ]),
    );
    const w = await workouts();
    expect(w.map((x) => x.external_id)).toEqual([RUN.logId]);
    expect(w[0]!.distance_m).toBeNull();
  });
});

describe('the newer archive (per-metric CSV time series)', () => {
  it('reads UTC heart-rate CSV into the exercise, daily CSV dates unshifted, grams, and a kilogram account', async () => {
    writeFileSync(join(dir, 'takeout-001.zip'), zipOf(generation2()));
    await importPaths(wh, [join(dir, 'takeout-001.zip')], { athleteId: 'me' });
    const [run] = await workouts();
    expect(run).toMatchObject({ external_id: RUN2.logId, utc_offset_min: null, has_gps: false, max_hr: 149 });
    expect(run!.start_time.toISOString()).toBe('2025-06-01T14:00:00.000Z');
    expect(run!.distance_m).toBeCloseTo(6200, 6);
    const hr = await streamOf(RUN2.logId);
    expect(hr.map((p) => p.t)).toEqual(exerciseHr(RUN2).time);
    const r = await readings();
    const by = (m: string) => r.filter((x) => x.metric_type === m);
    // "2025-06-01T00:00:00Z" is the local day 2025-06-01 even for an athlete at UTC-07:00.
    expect(by('resting_hr')).toEqual([expect.objectContaining({ date: '2025-06-01', value: 52 })]);
    // An HRV of 0 is Fitbit's "no value".
    expect(by('hrv_rmssd')).toEqual([expect.objectContaining({ date: '2025-06-01', value: 41.2 })]);
    // weight.csv (grams, UTC instant) and its JSON twin (kg once the same day's grams decide the unit) are one
    // weighing: the timed reading is kept.
    expect(by('weight').map((x) => [x.date, x.value, x.time?.toISOString() ?? null])).toEqual([
      ['2025-06-01', 72.45, '2025-06-01T14:30:00.000Z'],
    ]);
    expect(by('body_fat_pct')).toEqual([expect.objectContaining({ date: '2025-06-01', value: 18.2 })]);
    expect(by('sleep_duration')).toEqual([expect.objectContaining({ date: '2025-06-01' })]);
    expect(await errors()).toEqual([]);
  });

  it('joins heart rate split over two archive parts', async () => {
    const files = generation2();
    const part1: Record<string, string> = {};
    const part2: Record<string, string> = {};
    for (const [k, v] of Object.entries(files)) (k.includes('heart_rate_') ? part2 : part1)[k] = v;
    writeFileSync(join(dir, 'takeout-001.zip'), zipOf(part1));
    writeFileSync(join(dir, 'takeout-002.zip'), zipOf(part2));
    await importPaths(wh, [join(dir, 'takeout-001.zip'), join(dir, 'takeout-002.zip')], { athleteId: 'me' });
    expect((await streamOf(RUN2.logId)).length).toBe(exerciseHr(RUN2).time.length);
  });
});

describe('reading a JSON array item by item', () => {
  async function* chunks(text: string, size: number): AsyncIterable<Uint8Array> {
    const b = enc.encode(text);
    for (let i = 0; i < b.length; i += size) yield b.subarray(i, i + size);
  }
  const all = async (text: string, size = 7) => {
    const out: unknown[] = [];
    for await (const batch of jsonArrayBatches(chunks(text, size))) out.push(...batch);
    return out;
  };

  it('yields each object whatever the chunking, braces and escapes inside strings included', async () => {
    const items = [{ a: 'x}{"]', b: { c: [1, { d: '\\"' }] } }, { dateTime: fitbitShort(0), value: { bpm: 60 } }];
    for (const size of [1, 3, 64, 4096]) expect(await all(JSON.stringify(items, null, 2), size)).toEqual(items);
    expect(await all('\uFEFF[]')).toEqual([]);
  });

  it('names the item where a truncated file ends, after yielding those before', async () => {
    const seen: unknown[] = [];
    const err = await (async () => {
      for await (const batch of jsonArrayBatches(chunks('[{"a":1},{"a":2},{"a":', 5))) seen.push(...batch);
    })().catch((e: Error) => e);
    expect(seen).toEqual([{ a: 1 }, { a: 2 }]);
    expect((err as Error).message).toMatch(/truncated.*item 3/);
    await expect(all('{"a":1}')).rejects.toThrow(/not a JSON array/);
  });
});
