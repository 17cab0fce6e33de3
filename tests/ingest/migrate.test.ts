/**
 * `athlete migrate` on an old checkout in each shape of the earlier version's
 * SQLite warehouse (built by the test, see tests/sources/legacy/old_checkout.ts),
 * run twice: every rule of the migration is checked on the warehouse it leaves.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../lib/cli/cli.ts';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { loadDailyRows } from '../../lib/ml/history.ts';
import { filterTrainable } from '../../lib/ml/predictor.ts';
import { loadReportData } from '../../lib/report/data.ts';
import { TokenStore } from '../../lib/sources/http/token_store.ts';
import { ACTIVITIES, GARMIN_ROW, PLANTED, placeholder, writeOldCheckout, type Shape } from '../sources/legacy/old_checkout.ts';

type Row = Record<string, unknown>;

interface Run {
  code: number;
  out: string;
  err: string;
  /** Log lines written to standard error while it ran. */
  logs: string;
}

/** Run `athlete migrate` with the warehouse and token store of `dir`, capturing output and logs. */
async function migrate(dir: string, checkout: string): Promise<Run> {
  const saved = { DATABASE_URL: process.env.DATABASE_URL, TOKEN_STORE_PATH: process.env.TOKEN_STORE_PATH, LOG_LEVEL: process.env.LOG_LEVEL };
  process.env.DATABASE_URL = join(dir, 'athlete.duckdb');
  process.env.TOKEN_STORE_PATH = join(dir, 'tokens', 'tokens.json');
  process.env.LOG_LEVEL = 'debug';
  const out: string[] = [];
  const err: string[] = [];
  const logs: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    logs.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(['migrate', checkout], { out: (s) => out.push(s), err: (s) => err.push(s) });
    return { code, out: out.join('\n'), err: err.join('\n'), logs: logs.join('') };
  } finally {
    process.stderr.write = write;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** Every table of the warehouse, rows in a fixed order; run-time stamps of the analysis tables left out. */
async function snapshot(wh: Warehouse): Promise<Record<string, Row[]>> {
  const tables = await wh.all<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY table_name",
  );
  const out: Record<string, Row[]> = {};
  for (const { table_name: t } of tables) {
    if (t === 'schema_migrations') continue;
    const rows = await wh.all(`SELECT * FROM "${t}" ORDER BY ALL`);
    // When the analysis ran is not data: those stamps (not ingested_at, occurred_at or last_sync) may move.
    out[t] = rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !/^(computed_at|created_at|updated_at|evaluated_at|run_at)$/.test(k))));
  }
  return out;
}

const json = (v: unknown): Record<string, unknown> => (typeof v === 'string' ? JSON.parse(v) : (v as Record<string, unknown>));

/** What each shape holds, beyond what all three share. */
const EXPECT: Record<Shape, { workouts: number; placeholders: number; zeroWeights: number; notBiometric: number; token: string; profile: string[] }> = {
  early: { workouts: 6, placeholders: 1, zeroWeights: 2, notBiometric: 0, token: PLANTED.envRefresh, profile: [] },
  later: { workouts: 7, placeholders: 3, zeroWeights: 3, notBiometric: 5, token: PLANTED.dbRefresh, profile: ['strava_legacy height 181 cm 2024-06-01', 'strava_legacy weight 73 kg 2024-06-01'] },
  multi: {
    workouts: 6,
    placeholders: 3,
    zeroWeights: 3,
    notBiometric: 5,
    token: PLANTED.envRefresh,
    profile: ['legacy age 35 - -', 'legacy gender male - -', 'legacy height 181 cm -', 'legacy weight 74 kg -', 'strava_legacy height 181 cm 2024-06-01', 'strava_legacy weight 73 kg 2024-06-01'],
  },
};

describe.each(['early', 'later', 'multi'] as const)('athlete migrate, %s shape of its database', (shape) => {
  let dir: string;
  let checkout: string;
  let first: Run;
  let second: Run;
  let wh: Warehouse;
  let afterFirst: Record<string, Row[]>;
  let afterSecond: Record<string, Row[]>;
  const e = EXPECT[shape];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `migrate-${shape}-`));
    checkout = join(dir, 'old-checkout');
    mkdirSync(checkout);
    await writeOldCheckout(checkout, shape);
    first = await migrate(dir, checkout);
    let w = await Warehouse.open(join(dir, 'athlete.duckdb'));
    afterFirst = await snapshot(w);
    w.close();
    // The second run names the data/ folder instead of the checkout: the same files.
    second = await migrate(dir, join(checkout, 'data'));
    w = await Warehouse.open(join(dir, 'athlete.duckdb'));
    afterSecond = await snapshot(w);
    wh = w;
  });
  afterAll(() => {
    wh?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const workoutOf = async (stravaId: number): Promise<Row[]> =>
    wh.all(`SELECT * FROM workouts WHERE json_extract_string(external_ids, '$.strava') = ?`, [String(stravaId)]);

  it('runs, prints what it found, took and left out, and a second run changes nothing', () => {
    expect(first.code, first.err).toBe(0);
    expect(second.code, second.err).toBe(0);
    expect(first.out).toMatch(/^found:$/m);
    expect(first.out).toMatch(/^taken:$/m);
    expect(first.out).toMatch(/data\/athlete_performance\.db +SQLite warehouse/);
    expect(first.out).toContain(`athlete me: ${e.workouts} activities from 2024-04-20 to 2024-05-12`);
    expect(first.out).toMatch(/left out \(each item is a row of import_errors\):/);
    if (e.placeholders) expect(first.out).toMatch(new RegExp(`^ +${e.placeholders}  calories the earlier version invented`, 'm'));
    expect(first.out).toMatch(new RegExp(`^ +${e.zeroWeights}  a zero weight is the collector's placeholder`, 'm'));
    expect(afterSecond).toEqual(afterFirst);
    expect(second.out).toContain('Strava token: already stored');
  });

  it('makes one workout of an activity held by the JSON, the CSV, the database and the export, naming every file', async () => {
    expect(await wh.all('SELECT count(*)::INTEGER AS n FROM workouts')).toEqual([{ n: e.workouts }]);
    const [a] = await workoutOf(ACTIVITIES.A.id);
    expect(a).toBeDefined();
    const members = await wh.all<{ source: string; input: string }>(
      `SELECT s.source, s.input FROM workout_sources ws JOIN source_workouts s USING (record_id) WHERE ws.workout_id = ? ORDER BY s.input`,
      [a!.workout_id],
    );
    const files = members.map((m) => m.input.replace(`${checkout}/`, ''));
    expect(files).toEqual(['data/activities.csv', 'data/athlete_performance.db#workouts', 'data/export_20240601_workouts.csv', 'data/strava_activities.json']);
    expect(a).toMatchObject({ source: 'strava', distance_m: ACTIVITIES.A.distance, duration_s: ACTIVITIES.A.elapsed, utc_offset_min: 120 });
    // B is in the JSON and the CSV only; D in the CSV only; each is one workout too.
    for (const k of ['B', 'C', 'D', 'E', 'F'] as const) expect(await workoutOf(ACTIVITIES[k].id).then((r) => r.length), k).toBe(k === 'D' ? 0 : 1);
    expect(await wh.all(`SELECT count(*)::INTEGER AS n FROM workouts WHERE name = 'Hike'`)).toEqual([{ n: 1 }]);
  });

  it('stores placeholder calories as unknown, keeps real ones, and lists each placeholder in import_errors', async () => {
    for (const k of ['A', 'E'] as const) expect((await workoutOf(ACTIVITIES[k].id))[0]!.calories_kcal, k).toBeNull();
    expect((await workoutOf(ACTIVITIES.F.id))[0]!.calories_kcal).toBe(ACTIVITIES.F.calories);
    const invented = [placeholder(ACTIVITIES.A.elapsed), placeholder(ACTIVITIES.E.elapsed)];
    expect(await wh.all(`SELECT count(*)::INTEGER AS n FROM source_workouts WHERE calories_kcal IN (?, ?)`, invented)).toEqual([{ n: 0 }]);
    // Nor does it resurface from raw_data.
    for (const r of await wh.all<{ raw_data: string }>('SELECT raw_data FROM source_workouts')) {
      expect(json(r.raw_data).legacy_row && (json(r.raw_data).legacy_row as Row).calories).not.toBeOneOf(invented);
    }
    const rows = await wh.all<{ input: string; field: string; reason: string }>(`SELECT input, field, reason FROM import_errors WHERE reason LIKE '%invented%' ORDER BY input, record`);
    expect(rows).toHaveLength(e.placeholders);
    expect(rows.every((r) => r.field === 'calories')).toBe(true);
    if (shape === 'later') expect((await wh.all(`SELECT calories_kcal FROM source_workouts WHERE external_id LIKE ?`, [`%#${GARMIN_ROW.id}`]))[0]!.calories_kcal).toBe(GARMIN_ROW.calories);
  });

  it('treats zero weights as absent and leaves out values that are not biometrics, listing each', async () => {
    expect(await wh.all(`SELECT count(*)::INTEGER AS n FROM source_biometrics WHERE metric_type = 'weight' AND value = 0`)).toEqual([{ n: 0 }]);
    expect(await wh.all(`SELECT count(*)::INTEGER AS n FROM import_errors WHERE reason LIKE '%zero weight%'`)).toEqual([{ n: e.zeroWeights }]);
    const notBio = await wh.all<{ field: string }>(`SELECT field FROM import_errors WHERE reason LIKE '%account statistic%' ORDER BY field`);
    expect(notBio.map((r) => r.field)).toEqual(e.notBiometric ? ['all_run_totals_distance', 'followers', 'heart_rate_zones_1', 'recent_run_calories', 'recent_run_distance'] : []);
    // The collector's real weigh-in is a reading, in kg, on its local day (beside the database's own VeSync weight).
    const weights = await wh.all(`SELECT date::VARCHAR AS date, value FROM source_biometrics WHERE source = 'vesync_legacy' AND metric_type = 'weight' ORDER BY date`);
    expect(weights).toEqual([...(shape === 'early' ? [] : [{ date: '2024-05-02', value: 72.4 }]), { date: '2024-05-31', value: 72.1 }]);
    expect(await wh.all(`SELECT count(*)::INTEGER AS n FROM import_errors WHERE reason LIKE '%body water%'`)).toEqual([{ n: 2 }]);
  });

  it('keeps profile snapshots only as profile values, never as a day\'s measurement', async () => {
    const profile = await wh.all<Row>(`SELECT source, key, coalesce(text, value::VARCHAR) AS v, coalesce(unit, '-') AS unit, coalesce(as_of::VARCHAR, '-') AS as_of FROM profile_values ORDER BY ALL`);
    expect(profile.map((p) => `${p.source} ${p.key} ${String(p.v).replace(/\.0$/, '')} ${p.unit} ${p.as_of}`)).toEqual(e.profile);
    expect(await wh.all(`SELECT count(*)::INTEGER AS n FROM source_biometrics WHERE source = 'strava_legacy' OR date = DATE '2024-06-01'`)).toEqual([{ n: 0 }]);
    expect(await wh.all(`SELECT count(*)::INTEGER AS n FROM biometrics WHERE date = DATE '2024-06-01'`)).toEqual([{ n: 0 }]);
  });

  it('keeps the Strava-API lineage of everything from Strava, so the model never trains on those days', async () => {
    const lineage = await wh.all<{ source: string; via: string | null; n: number }>(
      `SELECT source, raw_data->>'via' AS via, count(*)::INTEGER AS n FROM source_workouts GROUP BY ALL ORDER BY ALL`,
    );
    expect(lineage.filter((l) => l.source === 'strava' || l.source === 'strava_legacy').every((l) => l.via === 'strava_api')).toBe(true);
    expect(lineage.filter((l) => l.via === 'strava_api').reduce((a, l) => a + l.n, 0)).toBe(10);
    const days = await loadDailyRows(wh, 'me');
    expect(days.length).toBeGreaterThan(0);
    const kept = new Set(filterTrainable(days).days.map((d) => d.date));
    for (const a of Object.values(ACTIVITIES)) {
      const day = new Date(Date.parse(a.start) + a.offsetS * 1000).toISOString().slice(0, 10);
      expect(kept.has(day), `${a.name} on ${day}`).toBe(false);
    }
    if (shape === 'later') {
      expect(lineage.find((l) => l.source === 'garmin_legacy')).toEqual({ source: 'garmin_legacy', via: null, n: 1 });
      expect(kept.has('2024-04-25')).toBe(true);
    }
  });

  it('runs the normal analysis on the migrated history', async () => {
    const [day] = await wh.all<{ load: number }>(`SELECT load FROM daily_metrics WHERE athlete_id = 'me' AND date = DATE '2024-05-06'`);
    expect(day!.load).toBeGreaterThan(0);
  });

  it('puts the Strava refresh token in the owner-only token store, and nowhere else', async () => {
    const path = join(dir, 'tokens', 'tokens.json');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect((await new TokenStore(path).get('strava'))?.refresh_token).toBe(e.token);
    const store = readFileSync(path, 'utf8');
    for (const s of [PLANTED.envClientSecret, PLANTED.vesyncToken, PLANTED.vesyncPassword, PLANTED.whoopKey, PLANTED.encrypted, PLANTED.passwordHash]) expect(store).not.toContain(s);
    const everything = JSON.stringify(afterSecond) + first.out + first.err + first.logs + second.out + second.err + second.logs;
    expect(first.logs.length).toBeGreaterThan(0);
    for (const [name, secret] of Object.entries(PLANTED)) expect(everything.includes(secret), name).toBe(false);
  });

  it("says which history was migrated: a row of sync_metadata, listed in the report's data-quality section and by athlete status", async () => {
    const [m] = await wh.all<{ sync_status: string; message: string; records: number }>(`SELECT sync_status, message, records FROM sync_metadata WHERE source = 'strava_legacy'`);
    expect(m).toMatchObject({ sync_status: 'migrated', records: e.workouts });
    expect(m!.message).toMatch(new RegExp(`^earlier version's history: ${e.workouts} workouts 2024-04-20\\.\\.2024-05-12, `));
    expect(m!.message).toContain(`from strava_activities.json, athlete_performance.db, `);
    expect(m!.message.endsWith(` in ${checkout}`)).toBe(true);
    const report = await loadReportData(wh, { athleteId: 'me' });
    expect(report.sync.find((s) => s.source === 'strava_legacy')).toMatchObject({ status: 'migrated' });
  });
});
