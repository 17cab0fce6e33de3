/**
 * Loading the same data again must not grow the warehouse file: unchanged
 * rows and streams are not rewritten, and nothing downstream is redone.
 * Repeated `athlete sync` runs of the demo athlete, each a command of its own.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../lib/cli/cli.ts';
import { Warehouse } from '../../lib/core/warehouse.ts';

let dir: string;
const saved = { ...process.env };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'wh-bloat-'));
  Object.assign(process.env, {
    DATABASE_URL: join(dir, 'athlete.duckdb'),
    DEMO_DATA_DIR: join(dir, 'demo'),
    // Enough data that DuckDB's fixed few blocks of bookkeeping per checkpoint do not decide the ratio.
    DEMO_DAYS: '200',
    LOG_LEVEL: 'silent',
  });
});
afterAll(() => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});

async function athlete(...argv: string[]): Promise<string> {
  const out: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: () => {} });
  expect(code, out.join('\n')).toBe(0);
  return out.join('\n');
}

/** Row counts of the tables a sync writes. */
async function counts(): Promise<Record<string, number>> {
  const wh = await Warehouse.open(process.env.DATABASE_URL, { readOnly: true });
  try {
    const tables = ['source_workouts', 'stream_points', 'source_biometrics', 'workouts', 'workout_sources', 'biometrics', 'workout_loads', 'daily_metrics', 'plugin_results'];
    const [row] = await wh.all<Record<string, number>>(`SELECT ${tables.map((t) => `(SELECT count(*) FROM ${t}) AS ${t}`).join(', ')}`);
    return row!;
  } finally {
    wh.close();
  }
}

describe('repeated syncs of the same data', () => {
  it('leave the warehouse file within 10 % of its size and its tables as they were', { timeout: 300_000 }, async () => {
    await athlete('sync');
    const size = statSync(process.env.DATABASE_URL!).size;
    const rows = await counts();
    expect(rows.stream_points).toBeGreaterThan(1000);
    expect(rows.daily_metrics).toBeGreaterThan(30);
    const sizes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const out = await athlete('sync');
      // Nothing new: deduplication looked at no record again.
      expect(out).toMatch(/deduplicated: nothing new/);
      sizes.push(statSync(process.env.DATABASE_URL!).size);
    }
    expect(await counts()).toEqual(rows);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(size * 1.1);
  });
});
