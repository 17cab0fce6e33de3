/**
 * A squad in one warehouse, through the `athlete` command: registering
 * athletes, `--athlete` choosing whose data a command reads and writes
 * (imports, injuries, sync cursors and tokens), each athlete's own settings
 * in the analysis and dedup, and removing an athlete with all their rows.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../lib/cli/cli.ts';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { athleteModelPath } from '../../lib/ml/model_file.ts';
import { TokenStore } from '../../lib/sources/http/token_store.ts';
import { startStravaFake, stravaActivity, type StravaFake } from '../fakes/strava.ts';
import { athleteRecords, store } from '../lake/synthetic.ts';

let dir: string;
const saved = { ...process.env };
const db = () => join(dir, 'squad.duckdb');
const tokens = () => join(dir, 'tokens.json');

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Run `fn` on the warehouse, closed again afterwards so the next command can open it. */
async function withDb<T>(fn: (wh: Warehouse) => Promise<T>): Promise<T> {
  const wh = await Warehouse.open(db());
  try {
    return await fn(wh);
  } finally {
    wh.close();
  }
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  return withDb(async (wh) => (await wh.all<{ n: number }>(sql, params))[0]!.n);
}

/** A small GPX run at `startIso`. */
function gpx(startIso: string): string {
  const t0 = Date.parse(startIso);
  const pts = Array.from({ length: 30 }, (_, i) => `<trkpt lat="${(47.37 + i * 0.0005).toFixed(4)}" lon="8.54"><ele>410</ele><time>${new Date(t0 + i * 20_000).toISOString()}</time></trkpt>`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="Test" xmlns="http://www.topografix.com/GPX/1/1"><trk><name>Lunch run</name><type>running</type><trkseg>
${pts.join('\n')}
</trkseg></trk></gpx>`;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'squad-athletes-'));
  Object.assign(process.env, { DATABASE_URL: db(), TOKEN_STORE_PATH: tokens(), LOG_LEVEL: 'silent', AUTO_DEDUPLICATE: 'true', ENABLE_PLUGINS: 'false' });
  delete process.env.ATHLETE_ID;
});

afterAll(() => {
  process.env = saved;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('athlete athletes', () => {
  it('registers athletes, updates the fields given, and says which field is wrong', async () => {
    const a = await run('athletes', 'add', 'ann', '--name', 'Ann Lee', '--birth-year', '1994', '--sex', 'female', '--max-hr', '188', '--resting-hr', '46', '--time-zone', 'Asia/Tokyo');
    expect(a.code, a.err).toBe(0);
    expect(a.out).toBe('registered athlete ann: Ann Lee, born 1994, female, max HR 188, resting HR 46, Asia/Tokyo');
    expect((await run('athletes', 'add', 'bob', '--time-zone', 'America/New_York')).code).toBe(0);
    const upd = await run('athletes', 'add', 'ann', '--max-hr', '190');
    expect(upd.out).toBe('updated athlete ann: Ann Lee, born 1994, female, max HR 190, resting HR 46, Asia/Tokyo');

    const bad: [string[], RegExp][] = [
      [['--max-hr', '300'], /max_hr: 300 is outside 100–240 bpm/],
      [['--resting-hr', '200'], /resting_hr: 200 is outside 25–110 bpm/],
      [['--birth-year', '1850'], /birth_year: 1850 is outside 1900–/],
      [['--sex', 'x'], /--sex must be one of male, female/],
      [['--time-zone', 'Mars/Olympus'], /home_time_zone: "Mars\/Olympus" is not an IANA time zone/],
      [['--max-hr', 'fast'], /--max-hr needs a number, got fast/],
    ];
    for (const [args, message] of bad) {
      const r = await run('athletes', 'add', 'cid', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(message);
    }
    for (const id of ['.hidden', '-x', '../up', 'a/b', 'x'.repeat(65)]) {
      const r = await run('athletes', 'add', id);
      expect(r.code, id).toBe(2);
      expect(r.err).toContain('athlete id');
    }
    const list = await run('athletes', 'list', '--format', 'json');
    const rows = JSON.parse(list.out) as Record<string, unknown>[];
    expect(rows.map((r) => r.athlete_id)).toEqual(['ann', 'bob']);
    expect(rows[0]).toMatchObject({ display_name: 'Ann Lee', birth_year: 1994, sex: 'female', max_hr: 190, resting_hr: 46, home_time_zone: 'Asia/Tokyo', registered: true, workouts: 0 });
  });

  it('takes --athlete before or after the command, and refuses an athlete the warehouse does not know', async () => {
    const run1 = join(dir, 'ann-run.gpx');
    writeFileSync(run1, gpx('2025-03-01T06:00:00Z'));
    const a = await run('--athlete', 'ann', 'import', '--source', 'garmin', run1);
    expect(a.code, a.err).toBe(0);
    const b = await run('import', '--source', 'garmin', '--athlete=bob', run1);
    expect(b.code, b.err).toBe(0);
    expect(await count("SELECT count(*) AS n FROM source_workouts WHERE athlete_id = 'ann'")).toBe(1);
    expect(await count("SELECT count(*) AS n FROM source_workouts WHERE athlete_id = 'bob'")).toBe(1);
    expect(await count("SELECT count(*) AS n FROM source_workouts WHERE athlete_id = 'me'")).toBe(0);

    const typo = await run('import', '--athlete', 'anne', run1);
    expect(typo.code).toBe(2);
    expect(typo.err).toContain('no athlete anne in this warehouse (registered: ann, bob); add them first with: athlete athletes add anne');
    expect(await count("SELECT count(*) AS n FROM source_workouts WHERE athlete_id = 'anne'")).toBe(0);
    expect((await run('status', '--athlete', '../x')).code).toBe(2);

    expect((await run('injuries', 'add', '--athlete', 'bob', '--date', '2025-03-02', '--area', 'calf')).code).toBe(0);
    const inj = await run('--athlete', 'bob', 'injuries', 'list');
    expect(inj.out).toContain('calf');
    expect((await run('injuries', 'list', '--athlete', 'ann')).out).toBe('no injuries recorded');
    expect((await run('import', '--help')).out).toContain('--athlete ID');
  });

  it("places each athlete's workouts in their own home zone and analyses them with their own heart rates", async () => {
    await withDb(async (wh) => {
      // Records that say nothing of their zone: only the athlete's home zone places them.
      const start = new Date('2025-03-05T01:00:00Z');
      for (const athlete of ['ann', 'bob']) {
        await store(wh, athlete, {
          workouts: [{ athlete_id: athlete, source: 'polar', external_id: `p-${athlete}`, start_time: start, end_time: new Date(start.getTime() + 3_600_000), duration_s: 3600, sport: 'running', sport_category: 'ENDURANCE', avg_hr: 150, max_hr: 181, input: 'x.json' }],
          biometrics: [],
          streams: [],
          errors: [],
        });
      }
    });
    expect((await run('dedup')).code).toBe(0);
    const rows = await withDb((wh) => wh.all<{ athlete_id: string; utc_offset_min: number }>("SELECT athlete_id, utc_offset_min FROM workouts WHERE source = 'polar' ORDER BY athlete_id"));
    expect(rows).toEqual([
      { athlete_id: 'ann', utc_offset_min: 540 },
      { athlete_id: 'bob', utc_offset_min: -300 },
    ]);
    const profile = await withDb((wh) => wh.all<{ athlete_id: string; max_hr: number; rest_hr: number; sex: string }>('SELECT athlete_id, max_hr, rest_hr, sex FROM athlete_profile ORDER BY athlete_id'));
    expect(profile[0]).toEqual({ athlete_id: 'ann', max_hr: 190, rest_hr: 46, sex: 'female' });
    // Bob has no heart rates of his own: estimated, with the configured sex.
    expect(profile[1]!.athlete_id).toBe('bob');
    expect(profile[1]!.max_hr).not.toBe(190);
    expect(profile[1]!.sex).toBe('male');
  });
});

describe('sync cursors and tokens per athlete', () => {
  let sf: StravaFake;
  beforeAll(async () => {
    sf = await startStravaFake();
    const now = Date.now();
    for (let i = 0; i < 3; i++) sf.activities.push(stravaActivity(7001 + i, new Date(now - (3 + i) * 86_400_000).toISOString()));
    process.env.STRAVA_BASE_URL = sf.fake.url;
    // Only Ann connected Strava.
    await new TokenStore(tokens(), { athleteId: 'ann' }).set('strava', { access_token: sf.oauth.accessToken, refresh_token: sf.oauth.refreshToken, expires_at: Math.floor(now / 1000) + 3600 });
  });
  afterAll(async () => {
    delete process.env.STRAVA_BASE_URL;
    await sf.fake.close();
  });

  it("syncs with the athlete's own token into their rows and cursor; another athlete has none", async () => {
    const ann = await run('sync', '--athlete', 'ann', '--source', 'strava');
    expect(ann.code, ann.err + ann.out).toBe(0);
    expect(ann.out).toMatch(/strava\s+ok\s+3 workouts/);
    const bob = await run('--athlete', 'bob', 'sync', '--source', 'strava');
    expect(bob.out).toMatch(/strava\s+skipped\s+not configured/);
    expect(await count("SELECT count(*) AS n FROM source_workouts WHERE source = 'strava' AND athlete_id = 'ann'")).toBe(3);
    expect(await count("SELECT count(*) AS n FROM source_workouts WHERE source = 'strava' AND athlete_id <> 'ann'")).toBe(0);
    const meta = await withDb((wh) => wh.all<{ athlete_id: string; sync_status: string }>("SELECT athlete_id, sync_status FROM sync_metadata WHERE source = 'strava'"));
    expect(meta).toEqual([{ athlete_id: 'ann', sync_status: 'success' }]);
    // Again: Ann's cursor carries on; nothing new.
    const again = await run('sync', '--athlete', 'ann', '--source', 'strava');
    expect(again.out).toMatch(/strava\s+ok\s+0 workouts/);

    const list = await run('auth', '--list', '--athlete', 'ann');
    expect(list.out).toMatch(/strava\s+\S+\s+yes/);
    expect((await run('auth', '--list', '--athlete', 'bob')).out).toMatch(/strava\s+\S+\s+no/);
  });
});

describe('athlete athletes remove', () => {
  const perTable = async (athlete: string): Promise<Record<string, number>> =>
    withDb(async (wh) => {
      const tables = await wh.all<{ table_name: string }>(
        "SELECT table_name FROM duckdb_columns() WHERE schema_name = 'main' AND column_name = 'athlete_id' AND table_name IN (SELECT table_name FROM duckdb_tables()) ORDER BY 1",
      );
      const out: Record<string, number> = {};
      for (const { table_name } of tables) out[table_name] = (await wh.all<{ n: number }>(`SELECT count(*) AS n FROM ${table_name} WHERE athlete_id = ?`, [athlete]))[0]!.n;
      const [s] = await wh.all<{ p: number; s: number; ws: number; pr: number }>(
        `SELECT (SELECT count(*) FROM stream_points WHERE stream_id IN (SELECT stream_id FROM streams JOIN source_workouts USING (record_id) WHERE athlete_id = ?)) AS p,
                (SELECT count(*) FROM streams JOIN source_workouts USING (record_id) WHERE athlete_id = ?) AS s,
                (SELECT count(*) FROM workout_sources JOIN workouts USING (workout_id) WHERE athlete_id = ?) AS ws,
                (SELECT count(*) FROM plugin_results JOIN workouts USING (workout_id) WHERE athlete_id = ?) AS pr`,
        [athlete, athlete, athlete, athlete],
      );
      return { ...out, stream_points: s!.p, streams: s!.s, workout_sources: s!.ws, plugin_results: s!.pr };
    });

  beforeAll(async () => {
    await withDb(async (wh) => {
      await store(wh, 'ann', athleteRecords('ann', '2025-01-01', 40, 0, 60));
      await store(wh, 'bob', athleteRecords('bob', '2025-01-01', 40, 1, 60));
    });
    expect((await run('dedup')).code).toBe(0);
    await withDb(async (wh) => {
      await wh.run(
        `INSERT INTO plugin_results (workout_id, plugin, plugin_version, status, metrics, computed_at)
         SELECT workout_id, 'running', '1', 'ok', '{}', now()::TIMESTAMP FROM workouts`,
      );
      await wh.run(
        `INSERT INTO predictions (athlete_id, date, horizon_days, risk, model, computed_at) VALUES
         ('ann', '2025-02-09', 7, 0.2, 'athlete', now()::TIMESTAMP), ('bob', '2025-02-09', 7, 0.1, 'athlete', now()::TIMESTAMP)`,
      );
    });
    await new TokenStore(tokens(), { athleteId: 'bob' }).set('whoop', { access_token: 'bob-whoop-access', refresh_token: 'bob-whoop-refresh' });
    writeFileSync(athleteModelPath(dir, 'ann'), '{}');
  });

  it('says what it would delete, and deletes nothing, without --yes', async () => {
    const before = await perTable('ann');
    const r = await run('athletes', 'remove', 'ann');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/removing ann deletes .*stream_points \d+.*source_workouts \d+.*nothing was removed: add --yes/);
    expect(await perTable('ann')).toEqual(before);
  });

  it("deletes the athlete's rows from every table, their tokens and model, and leaves the others", async () => {
    const ann = await perTable('ann');
    const bob = await perTable('bob');
    for (const t of ['source_workouts', 'workouts', 'workout_sources', 'streams', 'stream_points', 'source_biometrics', 'biometrics', 'daily_metrics', 'workout_loads', 'predictions', 'plugin_results', 'sync_metadata', 'athletes']) {
      expect(ann[t], t).toBeGreaterThan(0);
    }
    const r = await run('athletes', 'remove', 'ann', '--yes');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^removed athlete ann: .*; tokens of strava; the injury model$/);
    const after = await perTable('ann');
    expect(Object.entries(after).filter(([, n]) => n > 0)).toEqual([]);
    expect(await perTable('bob')).toEqual(bob);
    expect(await new TokenStore(tokens(), { athleteId: 'ann' }).list()).toEqual([]);
    expect((await new TokenStore(tokens(), { athleteId: 'bob' }).get('whoop'))?.access_token).toBe('bob-whoop-access');
    expect(existsSync(athleteModelPath(dir, 'ann'))).toBe(false);
    const list = JSON.parse((await run('athletes', 'list', '--format', 'json')).out) as { athlete_id: string }[];
    expect(list.map((a) => a.athlete_id)).toEqual(['bob']);
  });
});
