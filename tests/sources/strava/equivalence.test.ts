/**
 * One Strava activity arriving three ways gives the same warehouse rows: through
 * the API (fake Strava server, real connector and sync), as an account export
 * (activities.csv row plus its FIT file, real importer) and as the predecessor's
 * strava_activities.json (real importer). Rows are compared field by field; the
 * only differences allowed are listed below with the reason, and each listed
 * difference must really be there, so the lists stay honest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Encoder, Profile, type Mesg } from '@garmin/fitsdk';
import { Warehouse, type Row } from '../../../lib/core/warehouse.ts';
import { importPaths } from '../../../lib/ingest/importer.ts';
import { syncConnector } from '../../../lib/ingest/sync.ts';
import { StravaConnector } from '../../../lib/sources/strava/api.ts';
import { STRAVA_HEADER_94 } from '../../../lib/demo/write_strava.ts';
import { startStravaFake, stravaActivity, type StravaFake } from '../../fakes/strava.ts';
import { quickHttp, tempStore } from '../helpers.ts';

const ID = 11834261999;
const START = '2024-05-04T07:30:00Z';
const START_MS = Date.parse(START);
const NOW = new Date('2024-05-20T12:00:00Z');

/** A ride with power, HR and GPS, as `GET /athlete/activities` lists it (no calories in the list). */
const ACTIVITY = stravaActivity(ID, START, {
  name: 'Morning Ride', type: 'Ride', sport_type: 'Ride', distance: 40123.4, moving_time: 5322, elapsed_time: 5400,
  total_elevation_gain: 412.6,
  // Summer in Zurich: the label keeps the standard offset, utc_offset is right.
  start_date_local: '2024-05-04T09:30:00Z', timezone: '(GMT+01:00) Europe/Zurich', utc_offset: 7200,
  average_speed: 7.539, max_speed: 15.2, average_heartrate: 141.2, max_heartrate: 172, average_watts: 203.4, max_watts: 688,
  weighted_average_watts: 214, kilojoules: 1082.5, device_watts: true, average_cadence: 87.3,
  external_id: 'garmin_push_14123456789', start_latlng: [47.37, 8.54],
});

/** Samples of the ride: the API's streams and the FIT file's records hold the same ones. */
const SAMPLES = {
  t: [0, 900, 1800, 2700, 3600, 5399],
  lat: [47.37, 47.4012, 47.4533, 47.4901, 47.4207, 47.3702],
  lon: [8.54, 8.6021, 8.6617, 8.7012, 8.6233, 8.5405],
  alt: [408.2, 455.6, 612.4, 701.8, 530.2, 410],
  dist: [0, 6700.5, 13400.25, 20100, 26800.75, 40123.4],
  speed: [0, 7.445, 7.444, 7.445, 7.446, 0],
  hr: [98, 135, 148, 152, 150, 120],
  watts: [0, 210, 230, 225, 215, 0],
  cadence: [0, 88, 90, 89, 87, 0],
};

const STREAMS = {
  time: { data: SAMPLES.t, series_type: 'time', original_size: 6, resolution: 'high' },
  latlng: { data: SAMPLES.lat.map((lat, i) => [lat, SAMPLES.lon[i]]) },
  altitude: { data: SAMPLES.alt },
  distance: { data: SAMPLES.dist },
  velocity_smooth: { data: SAMPLES.speed },
  heartrate: { data: SAMPLES.hr },
  watts: { data: SAMPLES.watts },
  cadence: { data: SAMPLES.cadence },
};

/** The same ride's activities.csv cells; `Name#2` is the second column of that name. */
const CSV_ROW: Record<string, string> = {
  'Activity ID': String(ID), 'Activity Date': 'May 4, 2024, 7:30:00 AM', 'Activity Name': 'Morning Ride', 'Activity Type': 'Ride',
  'Elapsed Time': '5400', Distance: '40.12', 'Max Heart Rate': '172', 'Relative Effort': '88', Commute: 'false',
  Filename: `activities/${ID}.fit.gz`, 'Elapsed Time#2': '5400.0', 'Moving Time': '5322.0', 'Distance#2': '40123.4',
  'Max Speed': '15.2', 'Average Speed': '7.539', 'Elevation Gain': '412.6', 'Average Cadence': '87.3', 'Max Heart Rate#2': '172.0',
  'Average Heart Rate': '141.2', 'Max Watts': '688.0', 'Average Watts': '203.4', Calories: '1023.0', 'Relative Effort#2': '88.0',
  'Perceived Exertion': '6.0', 'Commute#2': '0.0', 'Training Load': '97.0',
};

function csvText(row: Record<string, string>): string {
  const cells = STRAVA_HEADER_94.map(() => '');
  for (const [key, value] of Object.entries(row)) {
    const [name, nth] = key.split('#');
    let seen = 0;
    const i = STRAVA_HEADER_94.findIndex((h) => h === name && ++seen === Number(nth ?? 1));
    if (i < 0) throw new Error(`no column ${key}`);
    cells[i] = value;
  }
  const quote = (c: string) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c);
  return `${STRAVA_HEADER_94.map(quote).join(',')}\n${cells.map(quote).join(',')}\n`;
}

/** The ride as the Garmin Edge recorded it: the file Strava keeps in the export. */
function fitFile(): Uint8Array {
  const mesg = (name: string) => Profile.MesgNum[name]!;
  const semicircles = (deg: number) => Math.round((deg * 2 ** 31) / 180);
  const enc = new Encoder();
  const put = (name: string, fields: Record<string, unknown>) => enc.onMesg(mesg(name), fields as Mesg);
  const start = new Date(START_MS);
  const end = new Date(START_MS + 5400_000);
  put('FILE_ID', { type: 'activity', manufacturer: 'garmin', product: 3121, serialNumber: 3912345678, timeCreated: start });
  put('EVENT', { timestamp: start, event: 'timer', eventType: 'start', eventGroup: 0 });
  SAMPLES.t.forEach((t, i) => {
    put('RECORD', {
      timestamp: new Date(START_MS + t * 1000),
      positionLat: semicircles(SAMPLES.lat[i]!),
      positionLong: semicircles(SAMPLES.lon[i]!),
      enhancedAltitude: SAMPLES.alt[i],
      distance: SAMPLES.dist[i],
      enhancedSpeed: SAMPLES.speed[i],
      heartRate: SAMPLES.hr[i],
      power: SAMPLES.watts[i],
      cadence: SAMPLES.cadence[i],
    });
  });
  put('EVENT', { timestamp: end, event: 'timer', eventType: 'stopAll', eventGroup: 0 });
  put('SESSION', {
    messageIndex: 0, timestamp: end, startTime: start, event: 'session', eventType: 'stop', trigger: 'activityEnd',
    sport: 'cycling', subSport: 'road', totalElapsedTime: 5400, totalTimerTime: 5322, totalDistance: 40123.4,
    totalCalories: 1023, avgHeartRate: 141, maxHeartRate: 172, avgPower: 203, maxPower: 688, avgCadence: 87, totalAscent: 413,
  });
  put('ACTIVITY', {
    timestamp: end, totalTimerTime: 5322, numSessions: 1, type: 'manual', event: 'activity', eventType: 'stop',
    // FIT seconds (epoch 1989-12-31) of local time: two hours ahead in May.
    localTimestamp: (START_MS + 5400_000) / 1000 - 631_065_600 + 7200,
  });
  return enc.close();
}

let dir: string;
let sf: StravaFake;
let tokens: ReturnType<typeof tempStore>;
const open: Warehouse[] = [];

async function warehouse(name: string): Promise<Warehouse> {
  const wh = await Warehouse.open(join(dir, `${name}.duckdb`));
  open.push(wh);
  return wh;
}

/** The one source_workouts row of a warehouse (ingested_at is when, not what). */
async function onlyRow(wh: Warehouse): Promise<Row> {
  const rows = await wh.all('SELECT * EXCLUDE (ingested_at) FROM source_workouts');
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

async function points(wh: Warehouse): Promise<Row[]> {
  return wh.all('SELECT * EXCLUDE (record_id) FROM workout_streams ORDER BY time');
}

/** Compare field by field: equal except the listed fields, which must really differ. */
function expectSameRow(row: Row, reference: Row, differing: Record<string, string>): void {
  expect(Object.keys(row).sort()).toEqual(Object.keys(reference).sort());
  for (const field of Object.keys(reference)) {
    if (field in differing) expect(row[field], `${field} is listed as differing (${differing[field]})`).not.toEqual(reference[field]);
    else expect(row[field], field).toEqual(reference[field]);
  }
}

const json = (v: unknown): Record<string, unknown> => (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>;

let api: { row: Row; points: Row[] };
let exported: { row: Row; points: Row[] };
let legacy: { row: Row; points: Row[] };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strava-equivalence-'));
  tokens = tempStore();
  sf = await startStravaFake();
  sf.activities.push(ACTIVITY);
  sf.streams.set(String(ID), STREAMS);
  await tokens.store.set('strava', { access_token: sf.oauth.accessToken, refresh_token: sf.oauth.refreshToken, expires_at: Math.floor(Date.now() / 1000) + 3600 });
  const connector = new StravaConnector({
    baseUrl: sf.fake.url, clientId: 'cid-strava', clientSecret: 'csecret-strava-123', tokenStore: tokens.store, http: quickHttp(), fetchStreams: true,
  });
  const whApi = await warehouse('api');
  const synced = await syncConnector(whApi, connector, { athleteId: 'me', days: 30, now: NOW });
  expect(synced).toMatchObject({ status: 'success', workouts: 1, errors: 0 });
  api = { row: await onlyRow(whApi), points: await points(whApi) };

  const exportDir = join(dir, 'export_strava');
  mkdirSync(join(exportDir, 'activities'), { recursive: true });
  writeFileSync(join(exportDir, 'activities.csv'), csvText(CSV_ROW));
  writeFileSync(join(exportDir, 'activities', `${ID}.fit.gz`), gzipSync(fitFile()));
  const whExport = await warehouse('export');
  const imported = await importPaths(whExport, [exportDir], { athleteId: 'me', workers: 0 });
  expect(imported).toMatchObject({ workouts: 1, errors: 0, invalid: 0 });
  exported = { row: await onlyRow(whExport), points: await points(whExport) };

  const legacyDir = join(dir, 'data');
  mkdirSync(legacyDir);
  writeFileSync(join(legacyDir, 'strava_activities.json'), JSON.stringify([ACTIVITY], null, 2));
  const whLegacy = await warehouse('legacy');
  const migrated = await importPaths(whLegacy, [legacyDir], { athleteId: 'me', workers: 0 });
  expect(migrated).toMatchObject({ workouts: 1, errors: 0, invalid: 0 });
  legacy = { row: await onlyRow(whLegacy), points: await points(whLegacy) };
});

afterAll(async () => {
  for (const wh of open) wh.close();
  await sf?.fake.close();
  tokens?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('one Strava activity through the API, the account export and the legacy JSON', () => {
  it('the API gives the row every other path is compared with', () => {
    expect(api.row).toMatchObject({
      source: 'strava', external_id: String(ID), sport: 'cycling', source_sport: 'Ride', duration_s: 5400, moving_time_s: 5322,
      utc_offset_min: 120, distance_m: 40123.4, avg_hr: 141.2, max_hr: 172, avg_power_w: 203.4, max_power_w: 688, avg_cadence: 87.3,
      elevation_gain_m: 412.6, has_gps: true, has_power: true, calories_kcal: null, perceived_exertion: null, training_load: null,
    });
    expect(api.points).toHaveLength(SAMPLES.t.length);
  });

  it('export (activities.csv row + its FIT file): identical but for provenance and the ids and metrics one side lacks', () => {
    expectSameRow(exported.row, api.row, {
      raw_data: 'provenance: the API keeps the SummaryActivity tagged via strava_api, the export the CSV columns it has no field for',
      input: 'provenance: an API URL against the CSV file',
      external_ids: "each side knows a different link: the API's external_id names the Garmin upload, the export's FIT file gives its own file id",
      calories_kcal: 'the API list has no calories (only the detail endpoint does); the CSV has them',
      perceived_exertion: 'the API list has no perceived_exertion; the CSV has the athlete\'s rating',
      data_quality_score: 'scores which fields are filled: the calories the API list lacks count',
    });
    expect(json(api.row.external_ids)).toEqual({ strava: String(ID), garmin: '14123456789' });
    expect(json(exported.row.external_ids)).toEqual({ strava: String(ID), fit: `3912345678-${START_MS / 1000}` });
    expect(exported.row.calories_kcal).toBe(1023);
    expect(exported.row.perceived_exertion).toBe(6);
    expect(json(api.row.raw_data).via).toBe('strava_api');
    expect(json(exported.row.raw_data)).toMatchObject({ training_load: 97, relative_effort: 88, filename: `activities/${ID}.fit.gz` });
    expect(json(exported.row.raw_data).via).toBeUndefined();
  });

  it('export: the FIT file\'s samples match the API\'s streams', () => {
    expect(exported.points).toHaveLength(api.points.length);
    // FIT stores positions in semicircles, altitude in 0.2 m, distance in cm and speed in mm/s.
    const tolerance: Record<string, number> = { lat: 1e-6, lon: 1e-6, altitude_m: 0.2, distance_m: 0.01, speed_mps: 0.001 };
    exported.points.forEach((p, i) => {
      const ref = api.points[i]!;
      expect(Object.keys(p).sort()).toEqual(Object.keys(ref).sort());
      for (const field of Object.keys(ref)) {
        const tol = tolerance[field];
        if (tol !== undefined) expect(Math.abs((p[field] as number) - (ref[field] as number)), `${field} at point ${i}`).toBeLessThanOrEqual(tol);
        else expect(p[field], `${field} at point ${i}`).toEqual(ref[field]);
      }
    });
  });

  it('legacy strava_activities.json: identical but for provenance, and it has no streams', () => {
    expectSameRow(legacy.row, api.row, {
      input: 'provenance: the JSON file against an API URL',
    });
    // The predecessor took the list from Strava's API: the saved SummaryActivity keeps that lineage.
    expect(json(legacy.row.raw_data)).toEqual(json(api.row.raw_data));
    expect(json(legacy.row.raw_data).via).toBe('strava_api');
    // The predecessor saved the activity list only.
    expect(legacy.points).toEqual([]);
  });
});
