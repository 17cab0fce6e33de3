/**
 * Several processes on one warehouse: readers share it, a command that finds
 * it busy waits saying what holds it and gives up with exit 75 after
 * WAREHOUSE_LOCK_TIMEOUT, writers queue, and a notebook kernel lets go.
 * Every party is a real process (DuckDB's lock is per process).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeWarehouse, sql } from '../../kernel/sql.ts';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { holdersDir } from '../../lib/core/warehouse_lock.ts';
import { ROOT } from '../helpers/shared.ts';

let dir: string;
let db: string;
const holders: ChildProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wh-concurrency-'));
  db = join(dir, 'shared.duckdb');
  const wh = await Warehouse.open(db);
  await wh.run("INSERT INTO injuries (athlete_id, date, area, severity, source) VALUES ('me', DATE '2024-01-02', 'calf', 'minor', 'manual')");
  wh.close();
});
afterEach(() => {
  for (const h of holders.splice(0)) h.kill();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Start a process holding the warehouse; resolves once it has the file open. */
async function hold(mode: 'read' | 'write', label: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'tests/cli/hold_warehouse.ts'), db, mode, label], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  holders.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => b.toString().includes('holding') && resolve());
    child.on('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });
  return child;
}

/** Let a holder go (closing its stdin) and wait until it has ended. */
function release(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.on('exit', () => resolve());
    child.stdin!.end();
  });
}

interface Ran {
  code: number | null;
  out: string;
  err: string;
  ms: number;
}

/** Run the real `athlete` command against the shared warehouse. */
function athlete(args: string[], env: Record<string, string> = {}): { done: Promise<Ran>; child: ChildProcess } {
  const t = Date.now();
  const child = spawn(process.execPath, [join(ROOT, 'lib/bin/athlete.mjs'), ...args], {
    cwd: dir,
    env: { ...process.env, DATABASE_URL: db, LOG_LEVEL: 'silent', WAREHOUSE_LOCK_TIMEOUT: '20', ...env },
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const done = new Promise<Ran>((resolve) => child.on('close', (code) => resolve({ code, out, err, ms: Date.now() - t })));
  return { done, child };
}

/** Resolves when `child` has written `text` to stderr. */
function saidOnStderr(child: ChildProcess, text: string): Promise<void> {
  return new Promise((resolve) => {
    let err = '';
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      if (err.includes(text)) resolve();
    });
  });
}

describe('sharing the warehouse between processes', () => {
  it('lets readers share it: sql runs while a notebook-like reader holds the file', async () => {
    await hold('read', 'a reader');
    const r = await athlete(['sql', 'SELECT area FROM injuries', '--format', 'csv']).done;
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('calf');
  });

  it('gives up with exit 75 and a sentence naming the writer after WAREHOUSE_LOCK_TIMEOUT', async () => {
    await hold('write', 'athlete import');
    const r = await athlete(['sql', 'SELECT 1'], { WAREHOUSE_LOCK_TIMEOUT: '1' }).done;
    expect(r.code).toBe(75);
    expect(r.err).toMatch(/athlete sql: the warehouse is in use by `athlete import` \(pid \d+, writing since [\d:]+ UTC\); waiting up to 1 s/);
    expect(r.err).toMatch(/in use by `athlete import` .*gave up reading after waiting 1 s \(WAREHOUSE_LOCK_TIMEOUT\)\. Try again when it has finished\./);
    expect(r.ms).toBeGreaterThanOrEqual(1000);
  });

  it('waits for a writer to finish, then answers', async () => {
    const writer = await hold('write', 'athlete sync');
    const status = athlete(['status', '--format', 'json']);
    await saidOnStderr(status.child, 'in use by `athlete sync`');
    await release(writer);
    const r = await status.done;
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)[0].injuries).toBe(1);
  });

  it('queues writers behind a reader and behind each other', async () => {
    const reader = await hold('read', 'athlete report');
    const first = athlete(['injuries', 'add', '--date', '2024-02-03', '--area', 'knee']);
    await saidOnStderr(first.child, 'in use by `athlete report`');
    const second = athlete(['injuries', 'add', '--date', '2024-02-04', '--area', 'hip']);
    await saidOnStderr(second.child, 'in use by `athlete report`');
    await release(reader);
    const [a, b] = await Promise.all([first.done, second.done]);
    expect([a.code, b.code]).toEqual([0, 0]);
    const r = await athlete(['sql', 'SELECT area FROM injuries ORDER BY date', '--format', 'csv']).done;
    expect(r.out.trim().split('\n')).toEqual(['area', 'calf', 'knee', 'hip']);
  });

  it('a notebook kernel reads read-only and lets go of the file when idle, so a writer gets it', async () => {
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = db;
    try {
      expect(await sql<{ n: number }>('SELECT count(*)::INTEGER AS n FROM injuries')).toEqual([{ n: 3 }]);
      await expect(sql("INSERT INTO injuries (athlete_id, date, area, source) VALUES ('me', DATE '2024-03-01', 'back', 'manual')")).rejects.toThrow(/read-only/);
      const w = athlete(['injuries', 'add', '--date', '2024-03-02', '--area', 'foot']);
      await saidOnStderr(w.child, 'in use by `notebook kernel`');
      const r = await w.done;
      expect(r.code).toBe(0);
      expect(r.ms).toBeLessThan(15_000);
    } finally {
      await closeWarehouse();
      process.env.DATABASE_URL = saved;
    }
  });

  it('leaves no holder records behind', () => {
    expect(existsSync(holdersDir(db)) ? readdirSync(holdersDir(db)) : []).toEqual([]);
  });
});
