import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Decoder, Stream } from '@garmin/fitsdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemo, type DemoSummary } from '../../lib/demo/generate.ts';
import { demoAthleteName } from '../../lib/demo/files.ts';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { storeResult } from '../../lib/ingest/store.ts';
import { emptyResult, type SourceWorkoutInput } from '../../lib/core/models.ts';
import { zurichOffsetMin } from '../../lib/demo/clock.ts';
import { STRAVA_HEADER_94, stravaDate } from '../../lib/demo/write_strava.ts';
import { garminExternalId } from '../../lib/demo/source_ids.ts';
import { parseTcx } from '../../lib/formats/tcx.ts';

const OPTS = { seed: 42, endDate: '2026-11-01', days: 60 };
let dirA: string;
let dirB: string;
let dirC: string;
let summary: DemoSummary;

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(root, p));
    }
  };
  walk(root);
  return out;
}

/** Minimal CSV reader for the tests (quotes, doubled quotes, embedded newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  return rows;
}

function decodeFit(path: string) {
  const bytes = readFileSync(path);
  const decoder = new Decoder(Stream.fromBuffer(bytes));
  expect(decoder.isFIT()).toBe(true);
  expect(decoder.checkIntegrity()).toBe(true);
  const { messages, errors } = decoder.read();
  expect(errors).toEqual([]);
  return messages;
}

beforeAll(async () => {
  dirA = mkdtempSync(join(tmpdir(), 'demo-a-'));
  dirB = mkdtempSync(join(tmpdir(), 'demo-b-'));
  dirC = mkdtempSync(join(tmpdir(), 'demo-c-'));
  summary = await generateDemo(dirA, OPTS);
  await generateDemo(dirB, OPTS);
  await generateDemo(dirC, { ...OPTS, seed: 7 });
});

afterAll(() => {
  for (const d of [dirA, dirB, dirC]) rmSync(d, { recursive: true, force: true });
});

describe('generateDemo determinism', () => {
  it('writes byte-identical files for the same seed and end date', () => {
    const a = listFiles(dirA);
    expect(a).toEqual(listFiles(dirB));
    expect([...a].sort()).toEqual(summary.files);
    for (const rel of a) expect(readFileSync(join(dirA, rel)).equals(readFileSync(join(dirB, rel))), rel).toBe(true);
  });

  it('writes different data for a different seed', () => {
    expect(readFileSync(join(dirA, 'ground_truth.json'), 'utf8')).not.toBe(readFileSync(join(dirC, 'ground_truth.json'), 'utf8'));
    expect(readFileSync(join(dirA, 'vesync/weights.csv'), 'utf8')).not.toBe(readFileSync(join(dirC, 'vesync/weights.csv'), 'utf8'));
  });

  it('reports what it wrote', () => {
    expect(summary.days).toBe(60);
    expect(summary.firstDay).toBe('2026-09-03');
    expect(summary.truthWorkouts).toBeGreaterThan(35);
    expect(summary.workouts.garmin).toBeGreaterThan(summary.truthWorkouts * 0.75);
    expect(summary.biometrics.whoop_cycles).toBe(60);
    expect(summary.biometrics.oura_sleep).toBe(60);
  });
});

describe('Garmin FIT files', () => {
  it('decode with the FIT SDK into the expected sessions, records and ids', () => {
    const fits = summary.files.filter((f) => f.startsWith('garmin/') && f.endsWith('.fit'));
    expect(fits.length).toBe(summary.workouts.garmin_files);
    let multisport = 0;
    for (const rel of fits) {
      const m = decodeFit(join(dirA, rel));
      const fileId = (m.fileIdMesgs ?? [])[0]!;
      expect(fileId.type).toBe('activity');
      expect(fileId.manufacturer).toBe('garmin');
      expect([4024, 4315]).toContain(fileId.product);
      const sessions = (m.sessionMesgs ?? []);
      expect(sessions.length).toBeGreaterThanOrEqual(1);
      if (sessions.length === 2) {
        multisport++;
        expect(sessions.map((s: { sport?: unknown }) => s.sport)).toEqual(['cycling', 'running']);
      }
      const records = (m.recordMesgs ?? []);
      const first = sessions[0]!;
      const last = sessions[sessions.length - 1]!;
      const startMs = (first.startTime as Date).getTime();
      expect((fileId.timeCreated as Date).getTime()).toBe(startMs);
      // Smart recording: one record every 2–15 s over the whole activity.
      const spanS = ((last.timestamp as Date).getTime() - startMs) / 1000;
      expect(records.length).toBeGreaterThan(spanS / 16);
      expect(records.length).toBeLessThan(spanS / 1.4);
      expect((records[0]!.timestamp as Date).getTime()).toBe(startMs);
      for (const s of sessions) {
        expect(s.totalElapsedTime).toBeGreaterThan(600);
        expect(s.avgHeartRate).toBeGreaterThan(70);
        expect(s.maxHeartRate).toBeGreaterThanOrEqual(s.avgHeartRate as number);
      }
      if (first.sport === 'running' && first.subSport === 'road') {
        const lastRec = records.filter((r: { timestamp?: unknown }) => (r.timestamp as Date) <= (first.timestamp as Date)).pop()!;
        expect(Math.abs((lastRec.distance as number) - (first.totalDistance as number))).toBeLessThan(60);
        expect(records[0]!.positionLat).toBeDefined();
        const lat = (records[0]!.positionLat as number) * (180 / 2 ** 31);
        expect(lat).toBeGreaterThan(-28);
      }
    }
    expect(multisport).toBeGreaterThanOrEqual(0);
  });

  it('carries the local offset in activity.local_timestamp, +10:00 during the Brisbane trip', () => {
    const athlete = JSON.parse(readFileSync(join(dirA, 'athlete.json'), 'utf8')) as { trip: { firstDay: string; lastDay: string } };
    let tripFiles = 0;
    let homeFiles = 0;
    for (const rel of summary.files.filter((f) => f.startsWith('garmin/') && f.endsWith('.fit'))) {
      const m = decodeFit(join(dirA, rel));
      const act = (m.activityMesgs ?? [])[0]!;
      const utcS = (act.timestamp as Date).getTime() / 1000;
      const offsetS = (act.localTimestamp as number) + 631_065_600 - utcS;
      const start = ((m.sessionMesgs ?? [])[0]!.startTime as Date).getTime();
      const localDay = new Date(start + offsetS * 1000).toISOString().slice(0, 10);
      if (localDay >= athlete.trip.firstDay && localDay <= athlete.trip.lastDay && offsetS === 36_000) tripFiles++;
      else {
        expect(offsetS).toBe(zurichOffsetMin(utcS * 1000) * 60);
        homeFiles++;
      }
    }
    expect(tripFiles).toBeGreaterThan(0);
    expect(homeFiles).toBeGreaterThan(10);
  });
});

describe('Strava export', () => {
  it('has the 94-column header with duplicated names where real exports have them', () => {
    const rows = parseCsv(readFileSync(join(dirA, 'strava_export/activities.csv'), 'utf8'));
    const header = rows[0]!;
    expect(header.length).toBe(94);
    expect(header).toEqual([...STRAVA_HEADER_94]);
    const positions = (name: string): number[] => header.flatMap((h, i) => (h === name ? [i] : []));
    expect(positions('Elapsed Time')).toEqual([5, 15]);
    expect(positions('Distance')).toEqual([6, 17]);
    expect(positions('Max Heart Rate')).toEqual([7, 30]);
    expect(positions('Relative Effort')).toEqual([8, 37]);
    expect(positions('Commute')).toEqual([9, 50]);
    expect(header[93]).toBe('Media');
    for (const row of rows.slice(1)) expect(row.length).toBe(94);
    expect(rows.length - 1).toBe(summary.workouts.strava);
  });

  it('writes km then metres, UTC dates in Strava style, unsorted rows and an existing file per Filename', () => {
    const rows = parseCsv(readFileSync(join(dirA, 'strava_export/activities.csv'), 'utf8')).slice(1);
    const dates = rows.map((r) => Date.parse(`${r[1]!.replace(/, (\d+:)/, ' $1')} UTC`));
    const sorted = [...dates].sort((a, b) => a - b);
    expect(dates).not.toEqual(sorted);
    expect(dates.slice().sort((a, b) => b - a)).not.toEqual(dates);
    let files = 0;
    for (const r of rows) {
      expect(r[1]).toMatch(/^[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2} [AP]M$/);
      const km = Number(r[6]);
      const m = Number(r[17]);
      if (m > 0) expect(Math.abs(km * 1000 - m)).toBeLessThan(6);
      if (r[12]) {
        files++;
        const raw = readFileSync(join(dirA, 'strava_export', r[12]));
        const xml = r[12].endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
        expect(xml).toContain('creator="StravaGPX"');
        expect(xml).toContain('<gpxtpx:hr>');
        if (r[3] === 'Ride' && r[33]) expect(xml).toContain('<power>');
      }
    }
    expect(files).toBeGreaterThan(rows.length / 2);
    expect(stravaDate(Date.UTC(2022, 9, 6, 23, 19, 20))).toBe('Oct 6, 2022, 11:19:20 PM');
  });
});

describe('WHOOP export', () => {
  const read = (name: string): string[][] => parseCsv(readFileSync(join(dirA, 'whoop_export', name), 'utf8'));
  it('has exactly the real headers', () => {
    expect(read('physiological_cycles.csv')[0]!.join(',')).toBe(
      'Cycle start time,Cycle end time,Cycle timezone,Recovery score %,Resting heart rate (bpm),Heart rate variability (ms),Skin temp (celsius),Blood oxygen %,Day Strain,Energy burned (cal),Max HR (bpm),Average HR (bpm),Sleep onset,Wake onset,Sleep performance %,Respiratory rate (rpm),Asleep duration (min),In bed duration (min),Light sleep duration (min),Deep (SWS) duration (min),REM duration (min),Awake duration (min),Sleep need (min),Sleep debt (min),Sleep efficiency %,Sleep consistency %',
    );
    expect(read('sleeps.csv')[0]!.join(',')).toBe(
      'Cycle start time,Cycle end time,Cycle timezone,Sleep onset,Wake onset,Sleep performance %,Respiratory rate (rpm),Asleep duration (min),In bed duration (min),Light sleep duration (min),Deep (SWS) duration (min),REM duration (min),Awake duration (min),Sleep need (min),Sleep debt (min),Sleep efficiency %,Sleep consistency %,Nap',
    );
    expect(read('workouts.csv')[0]!.join(',')).toBe(
      'Cycle start time,Cycle end time,Cycle timezone,Workout start time,Workout end time,Duration (min),Activity name,Activity Strain,Energy burned (cal),Max HR (bpm),Average HR (bpm),HR Zone 1 %,HR Zone 2 %,HR Zone 3 %,HR Zone 4 %,HR Zone 5 %,GPS enabled,Distance (meters),Altitude gain (meters),Altitude change (meters)',
    );
    expect(read('journal_entries.csv')[0]!.join(',')).toBe('Cycle start time,Cycle end time,Cycle timezone,Question text,Answered yes,Notes');
  });

  it('leaves the current cycle open and keeps physiology in range', () => {
    const rows = read('physiological_cycles.csv').slice(1);
    expect(rows.length).toBe(60);
    expect(rows[0]![1]).toBe('');
    for (const r of rows.slice(1)) expect(r[1]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const rhr = rows.map((r) => Number(r[4]));
    const hrv = rows.map((r) => Number(r[5]));
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(rhr)).toBeGreaterThan(46);
    expect(mean(rhr)).toBeLessThan(57);
    expect(mean(hrv)).toBeGreaterThan(52);
    expect(mean(hrv)).toBeLessThan(85);
  });

  it('writes trip workouts at UTC+10:00 and ids that match their start', () => {
    const rows = read('workouts.csv').slice(1);
    const trip = rows.filter((r) => r[2] === 'UTC+10:00');
    expect(trip.length).toBeGreaterThan(0);
    const truth = JSON.parse(readFileSync(join(dirA, 'ground_truth.json'), 'utf8')) as { clusters: { records: { source: string; external_id: string }[] }[] };
    const whoopIds = new Set(truth.clusters.flatMap((c) => c.records.filter((r) => r.source === 'whoop').map((r) => r.external_id)));
    for (const r of rows) {
      const off = r[2]!.slice(3);
      const utc = new Date(`${r[3]!.replace(' ', 'T')}${off}`).toISOString().slice(0, 19);
      expect(whoopIds.has(`whoop:${utc}Z`), r[3]).toBe(true);
    }
    expect(whoopIds.size).toBe(rows.length);
  });
});

describe('ground truth', () => {
  interface Ref {
    source: string;
    external_id: string;
  }
  const load = (): { clusters: { truth_id: string; sport: string; start_utc: string; records: Ref[] }[]; near_misses: [Ref, Ref][] } =>
    JSON.parse(readFileSync(join(dirA, 'ground_truth.json'), 'utf8'));

  it('references only records that exist in the written files', () => {
    const truth = load();
    const existing = new Set<string>();
    for (const rel of summary.files.filter((f) => f.startsWith('garmin/') && f.endsWith('.fit'))) {
      const m = decodeFit(join(dirA, rel));
      const f = (m.fileIdMesgs ?? [])[0]!;
      const created = (f.timeCreated as Date).getTime();
      const n = (m.sessionMesgs ?? []).length;
      for (let i = 0; i < n; i++) existing.add(`garmin|${garminExternalId(f.serialNumber as number, created, n > 1 ? i : undefined)}`);
    }
    // Garmin Connect TCX exports of some watch runs: the same recording, a second garmin record of its cluster.
    for (const rel of summary.files.filter((f) => f.startsWith('garmin/') && f.endsWith('.tcx'))) {
      for (const w of parseTcx(readFileSync(join(dirA, rel)), rel, { source: 'garmin' }).workouts) existing.add(`garmin|${w.external_id}`);
    }
    for (const r of parseCsv(readFileSync(join(dirA, 'strava_export/activities.csv'), 'utf8')).slice(1)) existing.add(`strava|${r[0]}`);
    const oura = JSON.parse(readFileSync(join(dirA, 'oura_export/oura.json'), 'utf8')) as { workout: { id: string }[] };
    for (const w of oura.workout) existing.add(`oura|${w.id}`);
    for (const r of parseCsv(readFileSync(join(dirA, 'whoop_export/workouts.csv'), 'utf8')).slice(1)) {
      existing.add(`whoop|whoop:${new Date(`${r[3]!.replace(' ', 'T')}${r[2]!.slice(3)}`).toISOString().slice(0, 19)}Z`);
    }
    const referenced = truth.clusters.flatMap((c) => c.records.map((r) => `${r.source}|${r.external_id}`));
    for (const ref of referenced) expect(existing.has(ref), ref).toBe(true);
    // Every written workout record belongs to exactly one cluster.
    expect(new Set(referenced).size).toBe(referenced.length);
    expect(referenced.length).toBe(existing.size);
    expect(truth.clusters.length).toBe(summary.clusters);
  });

  it('lists near-misses between different clusters, each within hours of the other', () => {
    const truth = load();
    expect(truth.near_misses.length).toBeGreaterThan(0);
    const clusterOf = new Map<string, { truth_id: string; start_utc: string }>();
    for (const c of truth.clusters) for (const r of c.records) clusterOf.set(`${r.source}|${r.external_id}`, c);
    for (const [a, b] of truth.near_misses) {
      const ca = clusterOf.get(`${a.source}|${a.external_id}`)!;
      const cb = clusterOf.get(`${b.source}|${b.external_id}`)!;
      expect(ca).toBeDefined();
      expect(cb).toBeDefined();
      expect(ca.truth_id).not.toBe(cb.truth_id);
      expect(Math.abs(Date.parse(ca.start_utc) - Date.parse(cb.start_utc))).toBeLessThan(14 * 3_600_000);
    }
  });
});

describe('other files', () => {
  it('writes VeSync weights with local times and a realistic weight', () => {
    const rows = parseCsv(readFileSync(join(dirA, 'vesync/weights.csv'), 'utf8'));
    expect(rows[0]).toEqual(['Time', 'Weight(kg)', 'Body Fat(%)', 'BMI', 'Muscle Mass(kg)']);
    const real = rows.slice(1).filter((r) => r[1] !== '0.0');
    expect(real.length).toBeGreaterThan(20);
    for (const r of real) {
      expect(r[0]).toMatch(/^\d{4}-\d{2}-\d{2} 0[6-7]:\d{2}:\d{2}$/);
      expect(Number(r[1])).toBeGreaterThan(68);
      expect(Number(r[1])).toBeLessThan(77);
      expect(Number(r[3])).toBeCloseTo(Number(r[1]) / 1.78 ** 2, 0);
    }
  });

  it('writes Oura sleep periods with offsets and the profile', () => {
    const oura = JSON.parse(readFileSync(join(dirA, 'oura_export/oura.json'), 'utf8')) as Record<string, { day: string; bedtime_start?: string; average_hrv?: number }[]>;
    expect(Object.keys(oura)).toEqual(['sleep', 'daily_sleep', 'daily_readiness', 'daily_activity', 'workout']);
    const sleep = oura.sleep!;
    expect(sleep.length).toBe(60);
    expect(sleep[0]!.bedtime_start).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0[12]:00$/);
    expect(sleep.some((s) => s.bedtime_start!.endsWith('+10:00'))).toBe(true);
    const profile = JSON.parse(readFileSync(join(dirA, 'athlete.json'), 'utf8')) as { name: string; home_timezone: string };
    expect(profile.name).toBe('Demo Athlete');
    expect(profile.home_timezone).toBe('Europe/Zurich');
  });

  it('names the demo athlete for the report, when all their workouts come from the demo files', async () => {
    const wh = await Warehouse.open(':memory:');
    try {
      const run = (input: string, day: number): SourceWorkoutInput => ({
        athlete_id: 'me', source: 'garmin', external_id: `run-${day}`, start_time: new Date(Date.UTC(2026, 9, day, 7)),
        end_time: new Date(Date.UTC(2026, 9, day, 8)), duration_s: 3600, sport: 'running', sport_category: 'ENDURANCE', input,
      });
      expect(await demoAthleteName(wh, 'me', dirA)).toBeUndefined();
      await storeResult(wh, { ...emptyResult(), workouts: [run(join(dirA, 'garmin', 'a.fit'), 1)] }, { athleteId: 'me' });
      expect(await demoAthleteName(wh, 'me', dirA)).toBe('Demo Athlete');
      expect(await demoAthleteName(wh, 'someone-else', dirA)).toBeUndefined();
      expect(await demoAthleteName(wh, 'me', join(dirA, 'no-such-folder'))).toBeUndefined();
      // The athlete's own files beside the demo's: no longer only the demo athlete.
      await storeResult(wh, { ...emptyResult(), workouts: [run('/home/ann/rides/b.fit', 2)] }, { athleteId: 'me' });
      expect(await demoAthleteName(wh, 'me', dirA)).toBeUndefined();
    } finally {
      wh.close();
    }
  });
});
