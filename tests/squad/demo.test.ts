/**
 * The demo squad (DEMO_ATHLETES=N): N different, deterministic athletes
 * written as real export files and loaded by `athlete sync`; one athlete is
 * exactly the single demo athlete.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../lib/cli/cli.ts';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { generateDemo } from '../../lib/demo/generate.ts';
import { demoSquad, squadDir } from '../../lib/demo/squad.ts';

let dir: string;
const saved = { ...process.env };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'squad-demo-'));
});
afterAll(() => {
  process.env = saved;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function sync(name: string, athletes: number): Promise<Warehouse> {
  Object.assign(process.env, {
    DATABASE_URL: join(dir, `${name}.duckdb`),
    DEMO_DATA_DIR: join(dir, name, 'demo'),
    DEMO_DAYS: '40',
    DEMO_ATHLETES: String(athletes),
    LOG_LEVEL: 'silent',
    ENABLE_PLUGINS: 'false',
  });
  delete process.env.ATHLETE_ID;
  const log: string[] = [];
  const code = await main(['sync'], { out: (s) => log.push(s), err: (s) => log.push(s) });
  if (code !== 0) throw new Error(`athlete sync failed (${code}):\n${log.join('\n')}`);
  return Warehouse.open(join(dir, `${name}.duckdb`));
}

describe('demoSquad', () => {
  it('gives the same squad for the same seed, each athlete different, the first the demo athlete', () => {
    const a = demoSquad(5, { athleteId: 'me', dir: '/x/demo', seed: 42 });
    expect(demoSquad(5, { athleteId: 'me', dir: '/x/demo', seed: 42 })).toEqual(a);
    expect(a.map((m) => m.athleteId)).toEqual(['me', 'demo-02', 'demo-03', 'demo-04', 'demo-05']);
    expect(a[0]).toMatchObject({ dir: '/x/demo', seed: 42 });
    expect(a[0]!.endDate ?? a[0]!.variation).toBeUndefined();
    expect(squadDir('/x/demo')).toBe('/x/demo-squad');
    expect(a[3]!.dir).toBe('/x/demo-squad/demo-04');
    expect(new Set(a.map((m) => m.seed)).size).toBe(5);
    expect(new Set(a.map((m) => JSON.stringify(m.variation))).size).toBe(5);
    for (const m of a.slice(1)) {
      expect(m.registration.max_hr!).toBeGreaterThanOrEqual(170);
      expect(m.registration.max_hr!).toBeLessThanOrEqual(205);
      expect(m.endDate! <= '2026-11-01').toBe(true);
    }
    expect(demoSquad(5, { athleteId: 'me', dir: '/x/demo', seed: 7 })[1]!.variation).not.toEqual(a[1]!.variation);
  });

  it("writes a member's own profile into their files", async () => {
    const m = demoSquad(2, { athleteId: 'me', dir: join(dir, 'gen'), seed: 42 })[1]!;
    await generateDemo(join(dir, 'gen-member'), { seed: m.seed, days: 30, endDate: m.endDate, variation: m.variation });
    const profile = JSON.parse(readFileSync(join(dir, 'gen-member', 'athlete.json'), 'utf8')) as Record<string, unknown>;
    expect(profile).toMatchObject({ athlete_id: 'demo-02', name: m.registration.display_name, max_hr: m.registration.max_hr, resting_hr: m.registration.resting_hr, last_day: m.endDate });
  });
});

describe('athlete sync with the demo squad', () => {
  it('DEMO_ATHLETES=1 loads the single demo athlete, unregistered, and nothing else', async () => {
    const wh = await sync('one', 1);
    try {
      expect(await wh.all('SELECT DISTINCT athlete_id FROM source_workouts')).toEqual([{ athlete_id: 'me' }]);
      expect(await wh.all('SELECT * FROM athletes')).toEqual([]);
      expect(existsSync(squadDir(join(dir, 'one', 'demo')))).toBe(false);
    } finally {
      wh.close();
    }
  });

  it('DEMO_ATHLETES=3 registers and loads three different athletes; syncing again changes nothing', async () => {
    let wh = await sync('three', 3);
    const facts = async () =>
      wh.all<{ athlete_id: string; workouts: number; rhr: number; injuries: number }>(
        `SELECT a.athlete_id, (SELECT count(*) FROM workouts w WHERE w.athlete_id = a.athlete_id) AS workouts,
                (SELECT round(avg(value), 3) FROM biometrics b WHERE b.athlete_id = a.athlete_id AND metric_type = 'resting_hr') AS rhr,
                (SELECT count(*) FROM injuries i WHERE i.athlete_id = a.athlete_id) AS injuries
         FROM athletes a ORDER BY a.athlete_id`,
      );
    let first;
    try {
      first = await facts();
      expect(first.map((f) => f.athlete_id)).toEqual(['demo-02', 'demo-03', 'me']);
      for (const f of first) expect(f.workouts, f.athlete_id).toBeGreaterThan(10);
      expect(new Set(first.map((f) => f.rhr)).size).toBe(3);
      const [me] = await wh.all<{ display_name: string; max_hr: number }>("SELECT display_name, max_hr FROM athletes WHERE athlete_id = 'me'");
      expect(me).toEqual({ display_name: 'Demo Athlete', max_hr: 191 });
    } finally {
      wh.close();
    }
    wh = await sync('three', 3);
    try {
      expect(await facts()).toEqual(first);
    } finally {
      wh.close();
    }
  });
});
