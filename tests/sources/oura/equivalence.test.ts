/**
 * One night and one workout, once fetched from the fake Oura API by the real
 * connector and once read from export files (JSON, and CSV) by the real export
 * reader: the canonical rows must be the same, field by field.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BiometricReading, SourceWorkout, type ParseResult } from '../../../lib/core/models.ts';
import { OuraConnector } from '../../../lib/sources/oura/api.ts';
import { parseOura } from '../../../lib/sources/oura/export.ts';
import { ouraSleep, startOuraFake, type OuraFake } from '../../fakes/oura.ts';
import { drain, quickHttp, range, tempStore } from '../helpers.ts';

/** Fields allowed to differ between the paths, each with the reason. */
const PROVENANCE: Record<string, string> = {
  input: 'the API rows name the collection URL, the export rows the file',
  raw_data: 'the API rows keep the whole (redacted) record; an export keeps only ids and labels, as it is read years at a time',
};

const DAY = '2024-03-02';
const MAIN = ouraSleep('night-1', DAY, { average_hrv: 58, heart_rate: { interval: 300, items: [60, 55, 52], timestamp: `${DAY}T01:00:00+02:00` } });
// The same day also holds a shorter `sleep` period and a nap; neither may give a reading. Sent first, they fill the
// fake's first page, so the main period arrives on the second.
const SHORT = ouraSleep('short-1', DAY, { type: 'sleep', average_hrv: 30, total_sleep_duration: 5400, bedtime_end: `${DAY}T02:00:00+02:00` });
const NAP = ouraSleep('nap-1', DAY, { type: 'late_nap', average_hrv: 99, total_sleep_duration: 1800, bedtime_end: `${DAY}T15:30:00+02:00` });
const DAILY_SLEEP = {
  id: 'ds-1', day: DAY, score: 81, timestamp: `${DAY}T00:00:00+02:00`,
  contributors: { deep_sleep: 90, efficiency: 85, latency: 70, rem_sleep: 80, restfulness: 75, timing: 95, total_sleep: 88 },
};
const READINESS = {
  id: 'dr-1', day: DAY, score: 74, temperature_deviation: -0.18, temperature_trend_deviation: 0.05, timestamp: `${DAY}T00:00:00+02:00`,
  contributors: { activity_balance: 80, body_temperature: 100, hrv_balance: 70, previous_day_activity: 90, previous_night: 85, recovery_index: 60, resting_heart_rate: 95, sleep_balance: 80 },
};
const ACTIVITY = {
  id: 'da-1', day: DAY, score: 88, steps: 12_345, active_calories: 610, total_calories: 2_480, equivalent_walking_distance: 10_200,
  class_5_min: '1111222233334444', timestamp: `${DAY}T04:00:00+02:00`,
};
const WORKOUT = {
  id: 'wk-1', activity: 'running', calories: 402.5, day: DAY, distance: 10_012.4, end_datetime: `${DAY}T18:41:07+02:00`,
  intensity: 'hard', label: null, source: 'autodetected', start_datetime: `${DAY}T17:30:00+02:00`,
};

/** A canonical row as the warehouse would get it: the model's defaults applied. */
type Row = Record<string, unknown>;

function canonical(r: ParseResult): { workouts: Map<string, Row>; readings: Map<string, Row> } {
  const workouts = new Map(r.workouts.map((w) => [w.external_id, SourceWorkout.parse(w) as Row]));
  const readings = new Map(r.biometrics.map((b) => [`${b.date} ${b.metric_type}`, BiometricReading.parse(b) as Row]));
  return { workouts, readings };
}

/** Every field that differs between the two paths (provenance aside), named by row and field. */
function differences(api: ParseResult, other: ParseResult): string[] {
  const a = canonical(api);
  const b = canonical(other);
  const out: string[] = [];
  for (const [kind, left, right] of [['workout', a.workouts, b.workouts], ['reading', a.readings, b.readings]] as const) {
    for (const key of new Set([...left.keys(), ...right.keys()])) {
      const l = left.get(key);
      const r = right.get(key);
      if (!l || !r) {
        out.push(`${kind} ${key}: only in the ${l ? 'API' : 'export'} rows`);
        continue;
      }
      for (const field of new Set([...Object.keys(l), ...Object.keys(r)])) {
        if (field in PROVENANCE) continue;
        const [x, y] = [JSON.stringify(l[field]), JSON.stringify(r[field])];
        if (x !== y) out.push(`${kind} ${key} ${field}: API ${x}, export ${y}`);
      }
    }
  }
  return out;
}

/** A CSV of records' scalar fields (nested objects are not CSV material), nulls as empty cells. */
function csv(records: Record<string, unknown>[]): string {
  const cols = [...new Set(records.flatMap((r) => Object.keys(r).filter((k) => typeof r[k] !== 'object' || r[k] === null)))];
  const cell = (v: unknown) => (v == null ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  return [cols.join(','), ...records.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}

let of: OuraFake;
let ts: ReturnType<typeof tempStore>;
let dir: string;
let api: ParseResult;

beforeAll(async () => {
  of = await startOuraFake();
  ts = tempStore();
  dir = mkdtempSync(join(tmpdir(), 'oura-equivalence-'));
  of.collections = { sleep: [SHORT, NAP, MAIN], daily_sleep: [DAILY_SLEEP], daily_readiness: [READINESS], daily_activity: [ACTIVITY], workout: [WORKOUT] };
  await ts.store.set('oura', { access_token: of.oauth.accessToken, refresh_token: of.oauth.refreshToken, expires_at: Math.floor(Date.now() / 1000) + 86400 });
  const c = new OuraConnector({ baseUrl: of.fake.url, authBaseUrl: of.fake.url, clientId: 'cid-oura', clientSecret: 'csecret-oura-789', tokenStore: ts.store, http: quickHttp() });
  const window = range(`${DAY}T00:00:00Z`, '2024-03-03T00:00:00Z');
  const pages = [...(await drain(c.fetchWorkouts(window))), ...(await drain(c.fetchBiometrics(window)))];
  api = { workouts: pages.flatMap((p) => p.result.workouts), biometrics: pages.flatMap((p) => p.result.biometrics), streams: [], errors: pages.flatMap((p) => p.result.errors) };
});

afterAll(async () => {
  await of.fake.close();
  ts.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('oura: API and export give the same rows', () => {
  it('the API path maps the night from its main period and the workout', () => {
    expect(api.errors).toEqual([]);
    expect(of.fake.requests.filter((r) => r.path === '/v2/usercollection/sleep')).toHaveLength(2);
    const values = Object.fromEntries(api.biometrics.map((b) => [b.metric_type, b.value]));
    expect(values).toEqual({
      hrv_rmssd: 58, resting_hr: 47, respiratory_rate: 14.75, sleep_duration: 25_470, sleep_efficiency: 91, sleep_deep: 5_250, sleep_rem: 5_040,
      sleep_light: 15_180, sleep_awake: 2_310, sleep_in_bed: 27_990, sleep_score: 81, readiness_score: 74, steps: 12_345,
    });
    expect(api.biometrics.find((b) => b.metric_type === 'hrv_rmssd')!.time).toEqual(new Date('2024-03-02T04:47:52Z'));
    expect(api.workouts.map((w) => [w.external_id, w.duration_s, w.utc_offset_min])).toEqual([['wk-1', 4_267, 120]]);
  });

  it('an export JSON keyed by collection', () => {
    const path = join(dir, 'oura.json');
    writeFileSync(path, JSON.stringify({ sleep: [SHORT, NAP, MAIN], daily_sleep: [DAILY_SLEEP], daily_readiness: [READINESS], daily_activity: [ACTIVITY], workout: [WORKOUT] }, null, 1));
    const r = parseOura(readFileSync(path), path);
    expect(r.errors).toEqual([]);
    expect(differences(api, r)).toEqual([]);
    expect(r.biometrics.every((b) => b.input === path)).toBe(true);
  });

  it('export CSVs, one per collection', () => {
    const files: [string, Record<string, unknown>[]][] = [
      ['sleep.csv', [SHORT, NAP, MAIN]],
      ['daily_sleep.csv', [DAILY_SLEEP]],
      ['daily_readiness.csv', [READINESS]],
      ['daily_activity.csv', [ACTIVITY]],
      ['workout.csv', [WORKOUT]],
    ];
    const r: ParseResult = { workouts: [], biometrics: [], streams: [], errors: [] };
    for (const [name, records] of files) {
      const path = join(dir, name);
      writeFileSync(path, csv(records));
      const one = parseOura(readFileSync(path), path);
      r.workouts.push(...one.workouts);
      r.biometrics.push(...one.biometrics);
      r.errors.push(...one.errors);
    }
    expect(r.errors).toEqual([]);
    expect(differences(api, r)).toEqual([]);
  });

  it('a difference is named by its row and field', () => {
    const changed = parseOura(JSON.stringify({ sleep: [{ ...MAIN, average_breath: 15 }], workout: [{ ...WORKOUT, calories: 400 }] }), 'x.json');
    const found = differences(api, changed);
    expect(found).toContain('reading 2024-03-02 respiratory_rate value: API 14.75, export 15');
    expect(found).toContain('workout wk-1 calories_kcal: API 402.5, export 400');
    expect(found).toContain('reading 2024-03-02 steps: only in the API rows');
  });
});
