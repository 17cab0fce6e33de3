import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/shared.ts';

const dir = mkdtempSync(join(tmpdir(), 'config-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run the real `athlete` command with extra environment; at most 30 s (a hang fails the test). */
function athlete(env: Record<string, string>, ...argv: string[]): { code: number | null; err: string; ms: number } {
  const t = performance.now();
  const r = spawnSync(process.execPath, ['lib/bin/athlete.mjs', ...argv], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: join(dir, 'w.duckdb'), TOKEN_STORE_PATH: join(dir, 'tokens.json'), ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, err: r.stderr, ms: performance.now() - t };
}

describe('a bad setting stops any command with exit code 3', () => {
  it('names the key, the value and what is allowed, for the values once accepted', () => {
    const r = athlete({ STRAVA_BASE_URL: 'strava.com', STRAVA_FETCH_STREAMS: 'sometimes', STRAVA_REDIRECT_PORT: '99999', VESYNC_TIME_ZONE: 'Central', SYNC_DAYS: '1e9' }, 'status');
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/STRAVA_BASE_URL: expected an http:\/\/ or https:\/\/ URL.*; was "strava\.com"/);
    expect(r.err).toMatch(/STRAVA_FETCH_STREAMS: expected true or false.*; was "sometimes"/);
    expect(r.err).toMatch(/STRAVA_REDIRECT_PORT: expected a whole number from 0 to 65535.*; was "99999"/);
    expect(r.err).toMatch(/VESYNC_TIME_ZONE: expected an IANA time zone.*; was "Central"/);
    expect(r.err).toMatch(/SYNC_DAYS: expected a whole number of days from 1 to 15000; was "1e9"/);
  });

  it('checks DATABASE_URL before anything opens or waits on it', () => {
    const r = athlete({ DATABASE_URL: '/proc/self/nonexistent/x' }, 'status');
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/DATABASE_URL: .*folder \/proc\/self\/nonexistent does not exist and cannot be made/);
    const other = athlete({ DATABASE_URL: 'mysql://user:secret-pw@db/athlete' }, 'sql', 'SELECT 1');
    expect(other.code).toBe(3);
    expect(other.err).toMatch(/DATABASE_URL: .*only DuckDB files are supported/);
    expect(other.err).not.toContain('secret-pw');
  });

  it('masks secret values', () => {
    const r = athlete({ OURA_CLIENT_SECRET: 'tab\there-secret' }, 'status');
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/OURA_CLIENT_SECRET: expected text without control characters; was \(secret, 15 characters\)/);
    expect(r.err).not.toContain('here-secret');
  });
});
