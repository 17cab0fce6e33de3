import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeWarehouse, sql } from '../../kernel/sql.ts';
import { main } from '../../lib/cli/cli.ts';
import { Warehouse } from '../../lib/core/warehouse.ts';

const dir = mkdtempSync(join(tmpdir(), 'sql-sandbox-'));
const db = join(dir, 'athlete.duckdb');
const tokens = join(dir, 'tokens.json');
const TOKEN = 'planted-access-token-8c1f';
const saved = { DATABASE_URL: process.env.DATABASE_URL, TOKEN_STORE_PATH: process.env.TOKEN_STORE_PATH };

beforeAll(async () => {
  writeFileSync(tokens, JSON.stringify({ version: 2, athletes: { me: { strava: { access_token: TOKEN } } } }), { mode: 0o600 });
  process.env.DATABASE_URL = db;
  process.env.TOKEN_STORE_PATH = tokens;
  const wh = await Warehouse.open(db);
  await wh.run("INSERT INTO import_errors (error_id, input, reason, occurred_at) VALUES ('e1', 'a.fit', 'kept', now()::TIMESTAMP)");
  wh.close();
});
afterAll(async () => {
  await closeWarehouse();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  rmSync(dir, { recursive: true, force: true });
});

async function athleteSql(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['sql', ...args], { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function errorRows(): Promise<number> {
  const r = await athleteSql('SELECT count(*) AS n FROM import_errors', '--format', 'json');
  expect(r.code, r.err).toBe(0);
  return (JSON.parse(r.out) as Array<{ n: number }>)[0]!.n;
}

describe('athlete sql', () => {
  it('reads the warehouse', async () => {
    expect(await errorRows()).toBe(1);
  });

  const refused: Array<[string, string, RegExp]> = [
    ['a system file', "SELECT * FROM read_text('/etc/passwd')", /refused: queries may not read or write files or URLs \(\/etc\/passwd\)/],
    ['the token store', `SELECT content FROM read_text('${tokens}')`, /refused: queries may not read or write files or URLs/],
    ['the token store as CSV', `SELECT * FROM read_csv('${tokens}', header = false)`, /refused: queries may not read or write files/],
    ['a file listing', `SELECT * FROM glob('${dir}/*')`, /refused: queries may not read or write files/],
    ['a URL', "SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')", /refused: queries may not read or write files or URLs/],
    ['COPY TO', `COPY import_errors TO '${join(dir, 'leak.csv')}'`, /refused: queries may not read or write files/],
    ['EXPORT DATABASE', `EXPORT DATABASE '${join(dir, 'dump')}'`, /refused: queries may not read or write files/],
    ['ATTACH of a file', `ATTACH '${join(dir, 'other.duckdb')}' AS other`, /refused: queries may not read or write files/],
    ['ATTACH in memory', "ATTACH ':memory:' AS scratch", /refused: other databases cannot be attached/],
    ['DROP TABLE', 'DROP TABLE import_errors', /refused: the warehouse is open read-only, so DROP is refused; add --write/],
    ['DELETE', 'DELETE FROM import_errors', /refused: the warehouse is open read-only, so DELETE is refused/],
    ['SET enable_external_access', 'SET enable_external_access = true', /refused: settings are locked for queries: enable_external_access cannot be changed/],
    ['RESET lock_configuration', 'RESET lock_configuration', /refused: settings are locked/],
    ['LOAD of an extension', 'LOAD httpfs', /refused: extensions cannot be installed or loaded/],
  ];
  for (const [what, query, message] of refused) {
    it(`refuses ${what} with a clear message`, async () => {
      const r = await athleteSql(query);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(message);
      expect(r.out + r.err).not.toContain(TOKEN);
    });
  }

  it('left everything as it was: no file written, no table dropped', async () => {
    expect(existsSync(join(dir, 'leak.csv'))).toBe(false);
    expect(existsSync(join(dir, 'dump'))).toBe(false);
    expect(existsSync(join(dir, 'other.duckdb'))).toBe(false);
    expect(await errorRows()).toBe(1);
  });

  it('--write opts in to changes and says so, still without files or settings', async () => {
    const made = await athleteSql('--write', 'CREATE TABLE notes AS SELECT 1 AS x');
    expect(made.code, made.err).toBe(0);
    expect(made.err).toMatch(/--write: changes this statement makes to the warehouse .* are saved/);
    expect(JSON.parse((await athleteSql('SELECT x FROM notes', '--format', 'json')).out)).toEqual([{ x: 1 }]);
    for (const q of [`COPY notes TO '${join(dir, 'notes.csv')}'`, `SELECT * FROM read_text('${tokens}')`, 'SET enable_external_access = true']) {
      const r = await athleteSql('--write', q);
      expect(r.code, q).toBe(1);
      expect(r.err, q).toMatch(/refused/);
    }
    expect(existsSync(join(dir, 'notes.csv'))).toBe(false);
  });
});

describe('notebook SQL', () => {
  it('reads the warehouse, and is read-only and sandboxed by default', async () => {
    expect(await sql<{ n: number }>('SELECT count(*) AS n FROM import_errors')).toEqual([{ n: 1 }]);
    await expect(sql(`SELECT * FROM read_text('${tokens}')`)).rejects.toThrow(/file system operations are disabled/);
    await expect(sql(`COPY import_errors TO '${join(dir, 'nb.csv')}'`)).rejects.toThrow(/file system operations are disabled/);
    await expect(sql('DROP TABLE import_errors')).rejects.toThrow(/read-only/);
    await expect(sql('SET enable_external_access = true')).rejects.toThrow(/configuration has been locked/);
    expect(existsSync(join(dir, 'nb.csv'))).toBe(false);
    await closeWarehouse();
  });
});
