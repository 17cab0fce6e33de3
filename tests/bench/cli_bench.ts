/**
 * Start-up benchmark of the `athlete` command, against bare `node -e ''` in
 * the same run: `athlete --help`, and `athlete sql "select 1"` on a 1 GB
 * warehouse (generated once into the temp folder and kept for later runs).
 * The command runs the compiled build (dist/), brought up to date first.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { ROOT } from '../helpers/shared.ts';
import { seededRandom as rng } from '../../lib/core/random.ts';
import { fmt, median, report, RUNS } from './measure.ts';

const GB = 1024 ** 3;

/** Median wall time in seconds of running `node args` (output discarded), over `runs` runs after one warm-up. */
function spawnTime(args: string[], env: NodeJS.ProcessEnv, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    const s = (performance.now() - t) / 1000;
    if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${r.status}: ${r.stderr.toString()}`);
    if (i > 0) times.push(s);
  }
  return median(times);
}

/**
 * A warehouse file of at least `bytes`: track points of random values (they
 * do not compress), appended until the file is that large. Kept in the temp
 * folder: later runs reuse it.
 */
async function bigWarehouse(bytes: number): Promise<string> {
  const dir = join(tmpdir(), 'app-bench-cache');
  const path = join(dir, `warehouse-${Math.round(bytes / GB)}gb.duckdb`);
  if (existsSync(path) && statSync(path).size >= bytes) return path;
  mkdirSync(dir, { recursive: true });
  const building = `${path}.building`;
  rmSync(building, { force: true });
  rmSync(`${building}.wal`, { force: true });
  const wh = await Warehouse.open(building);
  const r = rng(11);
  const n = 100_000;
  let id = 0;
  try {
    while (!existsSync(building) || statSync(building).size < bytes) {
      const streams = Array.from({ length: 20 }, () => {
        const time = new Float64Array(n);
        const t0 = Date.UTC(2020, 0, 1) + id * 86_400_000;
        for (let i = 0; i < n; i++) time[i] = t0 + i * 1000;
        const values = Array.from({ length: 8 }, () => Float64Array.from({ length: n }, () => r() * 1000));
        return { id: ++id, time, values };
      });
      await wh.appendStreamColumns('stream_points', streams);
      await wh.checkpoint();
    }
  } finally {
    wh.close();
  }
  renameSync(building, path);
  return path;
}

/** Run the start-up benchmark and print its figures. */
export async function benchCli(): Promise<void> {
  execFileSync(process.execPath, ['lib/bin/build.mjs', '--quiet'], { cwd: ROOT, stdio: 'inherit' });
  const runs = Math.max(RUNS, 9);
  const env = { ...process.env, LOG_LEVEL: 'silent' };
  console.log(`CLI start-up: medians of ${runs} runs each (compiled build in dist/)`);
  const bare = spawnTime(['-e', ''], env, runs);
  report("baseline: node -e ''", { s: bare });
  const help = spawnTime(['lib/bin/athlete.mjs', '--help'], env, runs);
  report('athlete --help', { s: help, 'x bare node': help / bare, 'goal <= 2x': help <= 2 * bare ? 'ok' : 'MISSED' });

  const db = await bigWarehouse(GB);
  const sql = spawnTime(['lib/bin/athlete.mjs', 'sql', 'select 1'], { ...env, DATABASE_URL: db }, runs);
  report(`athlete sql "select 1" on a ${fmt(statSync(db).size / GB)} GB warehouse`, {
    s: sql,
    'x bare node': sql / bare,
    'goal <= 0.5 s': sql <= 0.5 ? 'ok' : 'MISSED',
  });
}
