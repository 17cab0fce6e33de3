/**
 * One cycle with its recovery and sleep, and one workout, once as API v2
 * records served by the fake WHOOP and fetched by the real connector, once as
 * rows of the account export read by the real export reader: the canonical
 * rows must be the same, field by field, but for the differences listed here.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BiometricReading, SourceWorkout, type ParseResult } from '../../../lib/core/models.ts';
import { WHOOP_CYCLES_HEADER, WHOOP_SLEEPS_HEADER, WHOOP_WORKOUTS_HEADER } from '../../../lib/demo/write_whoop.ts';
import { WhoopConnector } from '../../../lib/sources/whoop/api.ts';
import { parseWhoopCsv } from '../../../lib/sources/whoop/export.ts';
import { startWhoopFake, whoopCycle, whoopRecovery, whoopSleep, whoopWorkout, type WhoopFake } from '../../fakes/whoop.ts';
import { drain, quickHttp, range, tempStore } from '../helpers.ts';

/** Fields the two paths may disagree on, and why. */
const PROVENANCE = {
  raw_data: 'provenance: the API record as fetched vs the CSV row number and cells',
  input: 'provenance: the API URL vs the export file',
};
const WORKOUT_DIFFERENCES: Record<string, string> = {
  ...PROVENANCE,
  external_id: 'the CSV export has no id for the workout: it is keyed by its start instead',
  external_ids: "only the API gives WHOOP's workout id (kept with the start instant)",
  name: "the API's sport_name is WHOOP's key (\"running\"), the export's Activity name the app's label (\"Running\")",
  source_sport: 'the same sport name as `name`',
  has_gps: 'only the export says whether GPS was on (GPS enabled); the API record has no such field',
};
const BIOMETRIC_DIFFERENCES: Record<string, string> = { ...PROVENANCE };

// At UTC-04:00: the cycle starts at sleep onset, 23:05 on 2024-03-03; the sleep ends at 06:50 on the 4th.
const CYCLE_ID = 93845;
const SLEEP_ID = 'ecfc6a15-4661-442f-a9a4-f160dd7afae8';
const WORKOUT_ID = '5cc3b6a2-0d4e-4c8e-9f3a-1b2c3d4e5f60';
const MIN = 60_000;

const apiCycle = whoopCycle(CYCLE_ID, '2024-03-04T03:05:00.000Z', '2024-03-05T02:40:00.000Z', {
  timezone_offset: '-04:00',
  score: { strain: 12.8, kilojoule: 10250.8, average_heart_rate: 68, max_heart_rate: 171 },
});
const apiSleep = whoopSleep(SLEEP_ID, '2024-03-04T03:05:00.000Z', '2024-03-04T10:50:00.000Z', {
  cycle_id: CYCLE_ID,
  timezone_offset: '-04:00',
  score: {
    stage_summary: {
      total_in_bed_time_milli: 460 * MIN,
      total_awake_time_milli: 60 * MIN,
      total_no_data_time_milli: 0,
      total_light_sleep_time_milli: 200 * MIN,
      total_slow_wave_sleep_time_milli: 100 * MIN,
      total_rem_sleep_time_milli: 100 * MIN,
      sleep_cycle_count: 4,
      disturbance_count: 9,
    },
    respiratory_rate: 15.2,
    sleep_performance_percentage: 88,
    sleep_consistency_percentage: 80,
    sleep_efficiency_percentage: 87,
  },
});
const apiRecovery = whoopRecovery(CYCLE_ID, SLEEP_ID, {
  created_at: '2024-03-04T10:55:00.000Z',
  score: { user_calibrating: false, recovery_score: 67, resting_heart_rate: 52, hrv_rmssd_milli: 62, spo2_percentage: 96.2, skin_temp_celsius: 33.41 },
});
// 17:01:00-17:46:30 local; 2142.208 kJ is 512 kcal.
const apiWorkout = whoopWorkout(WORKOUT_ID, '2024-03-04T21:01:00.000Z', '2024-03-04T21:46:30.000Z', {
  timezone_offset: '-04:00',
  sport_name: 'running',
  score: {
    strain: 11.2,
    average_heart_rate: 149,
    max_heart_rate: 178,
    kilojoule: 2142.208,
    percent_recorded: 100,
    distance_meter: 8012.5,
    altitude_gain_meter: 85.2,
    altitude_change_meter: -3.1,
    zone_durations: { zone_zero_milli: 0, zone_one_milli: 273000, zone_two_milli: 546000, zone_three_milli: 1092000, zone_four_milli: 682500, zone_five_milli: 136500 },
  },
});

/** The same cycle, night and workout as the export writes them: local wall times with the cycle's offset. */
const CYCLE_CELLS = { 'Cycle start time': '2024-03-03 23:05:00', 'Cycle end time': '2024-03-04 22:40:00', 'Cycle timezone': 'UTC-04:00' };
const SLEEP_CELLS = {
  'Sleep onset': '2024-03-03 23:05:00', 'Wake onset': '2024-03-04 06:50:00', 'Sleep performance %': '88', 'Respiratory rate (rpm)': '15.2',
  'Asleep duration (min)': '400', 'In bed duration (min)': '460', 'Light sleep duration (min)': '200', 'Deep (SWS) duration (min)': '100',
  'REM duration (min)': '100', 'Awake duration (min)': '60', 'Sleep need (min)': '480', 'Sleep debt (min)': '80', 'Sleep efficiency %': '87',
  'Sleep consistency %': '80',
};
const EXPORT_FILES: Record<string, [readonly string[], Record<string, string>]> = {
  'physiological_cycles.csv': [WHOOP_CYCLES_HEADER, {
    ...CYCLE_CELLS, ...SLEEP_CELLS, 'Recovery score %': '67', 'Resting heart rate (bpm)': '52', 'Heart rate variability (ms)': '62',
    'Skin temp (celsius)': '33.41', 'Blood oxygen %': '96.2', 'Day Strain': '12.8', 'Energy burned (cal)': '2450', 'Max HR (bpm)': '171',
    'Average HR (bpm)': '68',
  }],
  'sleeps.csv': [WHOOP_SLEEPS_HEADER, { ...CYCLE_CELLS, ...SLEEP_CELLS, Nap: 'false' }],
  'workouts.csv': [WHOOP_WORKOUTS_HEADER, {
    ...CYCLE_CELLS, 'Workout start time': '2024-03-04 17:01:00', 'Workout end time': '2024-03-04 17:46:30', 'Duration (min)': '45.5',
    'Activity name': 'Running', 'Activity Strain': '11.2', 'Energy burned (cal)': '512', 'Max HR (bpm)': '178', 'Average HR (bpm)': '149',
    'HR Zone 1 %': '10', 'HR Zone 2 %': '20', 'HR Zone 3 %': '40', 'HR Zone 4 %': '25', 'HR Zone 5 %': '5', 'GPS enabled': 'true',
    'Distance (meters)': '8012.5', 'Altitude gain (meters)': '85.2', 'Altitude change (meters)': '-3.1',
  }],
};

function csvOf(header: readonly string[], cells: Record<string, string>): string {
  for (const k of Object.keys(cells)) if (!header.includes(k)) throw new Error(`column "${k}" is not in the export's header`);
  return `${header.join(',')}\n${header.map((h) => cells[h] ?? '').join(',')}\n`;
}

let wf: WhoopFake;
let ts: ReturnType<typeof tempStore>;
let dir: string;
let api: ParseResult;
let fromExport: ParseResult;

beforeAll(async () => {
  wf = await startWhoopFake();
  ts = tempStore();
  wf.collections['/developer/v2/activity/workout'] = [apiWorkout];
  wf.collections['/developer/v2/activity/sleep'] = [apiSleep];
  wf.collections['/developer/v2/recovery'] = [apiRecovery];
  wf.collections['/developer/v2/cycle'] = [apiCycle];
  await ts.store.set('whoop', { access_token: wf.oauth.accessToken, refresh_token: wf.oauth.refreshToken, expires_at: Math.floor(Date.now() / 1000) + 3600 });
  const c = new WhoopConnector({ baseUrl: wf.fake.url, clientId: 'cid-whoop', clientSecret: 'csecret-whoop-456', tokenStore: ts.store, http: quickHttp() });
  const window = range('2024-03-03T00:00:00Z', '2024-03-06T00:00:00Z');
  const pages = [...(await drain(c.fetchWorkouts(window))), ...(await drain(c.fetchBiometrics(window)))];
  api = { workouts: pages.flatMap((p) => p.result.workouts), biometrics: pages.flatMap((p) => p.result.biometrics), streams: [], errors: pages.flatMap((p) => p.result.errors) };

  dir = mkdtempSync(join(tmpdir(), 'whoop-export-'));
  fromExport = { workouts: [], biometrics: [], streams: [], errors: [] };
  for (const [name, [header, cells]] of Object.entries(EXPORT_FILES)) {
    const path = join(dir, name);
    writeFileSync(path, csvOf(header, cells));
    const r = parseWhoopCsv(readFileSync(path, 'utf8'), path);
    for (const k of ['workouts', 'biometrics', 'errors'] as const) (fromExport[k] as unknown[]).push(...r[k]);
  }
});

afterAll(async () => {
  await wf.fake.close();
  ts.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** Every field of two canonical rows is equal, but for the listed ones; a failure names the field. */
function expectSameRow(what: string, a: Record<string, unknown>, b: Record<string, unknown>, allowed: Record<string, string>): void {
  for (const field of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (field in allowed) continue;
    expect(a[field], `${what}: field ${field}`).toEqual(b[field]);
  }
}

describe('WHOOP: the API and the export give the same canonical rows', () => {
  it('reads both without errors', () => {
    expect(api.errors).toEqual([]);
    expect(fromExport.errors).toEqual([]);
  });

  it('the workout', () => {
    expect(api.workouts).toHaveLength(1);
    expect(fromExport.workouts).toHaveLength(1);
    const a = SourceWorkout.parse(api.workouts[0]);
    const e = SourceWorkout.parse(fromExport.workouts[0]);
    expectSameRow('workout', a, e, WORKOUT_DIFFERENCES);
    expect(a).toMatchObject({ calories_kcal: 512, utc_offset_min: -240, duration_s: 2730, start_time: new Date('2024-03-04T21:01:00Z') });
    expect(e.external_id).toBe('whoop:2024-03-04T21:01:00Z');
    expect(a.external_ids).toEqual({ whoop: WORKOUT_ID, whoop_start: '2024-03-04T21:01:00.000Z' });
  });

  it('the night, its recovery and its cycle', () => {
    const byMetric = (r: ParseResult) => new Map(r.biometrics.map((b) => [b.metric_type, BiometricReading.parse(b)]));
    const a = byMetric(api);
    const e = byMetric(fromExport);
    expect(api.biometrics).toHaveLength(a.size);
    expect(fromExport.biometrics).toHaveLength(e.size);
    expect([...e.keys()].sort()).toEqual([...a.keys()].sort());
    expect(a.size).toBe(9 + 5 + 1);
    for (const [metric, reading] of a) expectSameRow(metric, reading, e.get(metric)!, BIOMETRIC_DIFFERENCES);
    expect(a.get('hrv_rmssd')).toMatchObject({ date: '2024-03-04', time: new Date('2024-03-04T10:50:00Z'), value: 62 });
    expect(a.get('sleep_duration')).toMatchObject({ date: '2024-03-04', value: 400 * 60 });
    expect(a.get('day_strain')).toMatchObject({ date: '2024-03-04', time: new Date('2024-03-04T03:05:00Z'), value: 12.8 });
  });
});
