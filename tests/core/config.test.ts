import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseDotenv } from '../../lib/core/config.ts';
import { redactString, REDACTED } from '../../lib/core/redact.ts';
import { MAX_SYNC_DAYS, parseBoolean, settingProblem, type SettingKind } from '../../lib/core/settings.ts';
import { defaultTokenStorePath } from '../../lib/sources/http/token_store.ts';
import { ENV_VARS } from '../../lib/sources/registry.ts';

const dir = mkdtempSync(join(tmpdir(), 'config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The ConfigError message `loadConfig` raises for `env` (with every source's keys). */
function problem(env: Record<string, string>): string {
  try {
    loadConfig(env, ENV_VARS);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('configuration', () => {
  it('has defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ LOG_LEVEL: 'info', ATHLETE_ID: 'me', AUTO_DEDUPLICATE: true, ENABLE_GPS_ANALYSIS: true, SYNC_DAYS: 30 });
  });

  it('names each bad key, its value and what is allowed, all in one message', () => {
    const msg = problem({ LOG_LEVEL: 'loud', AUTO_DEDUPLICATE: 'sometimes' });
    expect(msg).toContain('LOG_LEVEL');
    expect(msg).toContain('"loud"');
    expect(msg).toMatch(/AUTO_DEDUPLICATE: expected true or false .*; was "sometimes"/);
  });

  it('rejects the values the known offenders used to accept', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['STRAVA_BASE_URL', 'not a url', /STRAVA_BASE_URL: expected an http:\/\/ or https:\/\/ URL.*; was "not a url"/],
      ['STRAVA_BASE_URL', 'file:///etc/passwd', /STRAVA_BASE_URL: .*the scheme is file/],
      ['STRAVA_FETCH_STREAMS', 'maybe', /STRAVA_FETCH_STREAMS: expected true or false.*; was "maybe"/],
      ['STRAVA_REDIRECT_PORT', '70000', /STRAVA_REDIRECT_PORT: expected a whole number from 0 to 65535.*; was "70000"/],
      ['STRAVA_REDIRECT_PORT', 'eighty', /STRAVA_REDIRECT_PORT: expected a whole number/],
      ['VESYNC_TIME_ZONE', 'Mars/Olympus', /VESYNC_TIME_ZONE: expected an IANA time zone.*; was "Mars\/Olympus"/],
      ['SYNC_DAYS', '1e9', new RegExp(`SYNC_DAYS: expected a whole number of days from 1 to ${MAX_SYNC_DAYS}; was "1e9"`)],
      ['SYNC_DAYS', '0', /SYNC_DAYS: expected a whole number of days/],
      ['SYNC_DAYS', '2.5', /SYNC_DAYS: expected a whole number of days/],
      ['VESYNC_EMAIL', 'nobody', /VESYNC_EMAIL: expected an e-mail address/],
      ['GARMIN_TOKEN_FILE', join(dir, 'missing.json'), /GARMIN_TOKEN_FILE: expected an existing, readable file or folder: .*missing\.json does not exist/],
    ];
    for (const [key, value, re] of cases) expect(problem({ [key]: value }), `${key}=${value}`).toMatch(re);
  });

  it('masks secret values and URL credentials in its messages', () => {
    const msg = problem({ VESYNC_PASSWORD: 'hunter2\u0007secret', WHOOP_BASE_URL: 'ftp://user:pa55word@host' });
    expect(msg).toMatch(/VESYNC_PASSWORD: expected text without control characters; was \(secret, 14 characters\)/);
    expect(msg).toContain('ftp://***@host');
    expect(msg).not.toContain('hunter2');
    expect(msg).not.toContain('pa55word');
  });

  it('accepts every default the sources declare, and sensible values', () => {
    const env: Record<string, string> = {};
    for (const v of ENV_VARS) if (v.default !== null && v.kind !== 'file_path') env[v.name] = v.default;
    expect(() => loadConfig(env, ENV_VARS)).not.toThrow();
    expect(() =>
      loadConfig(
        { STRAVA_BASE_URL: 'http://127.0.0.1:8080', STRAVA_REDIRECT_PORT: '8721', STRAVA_FETCH_STREAMS: 'off', VESYNC_TIME_ZONE: 'Europe/Zurich', SYNC_DAYS: '3650', TOKEN_STORE_PATH: join(dir, 'new', 'tokens.json') },
        ENV_VARS,
      ),
    ).not.toThrow();
  });

  it('registers the values of secret settings with the redactor', () => {
    loadConfig({ OURA_CLIENT_SECRET: 'oura-client-secret-42' }, ENV_VARS);
    expect(redactString('answer: {"error":"bad client oura-client-secret-42"}')).toBe(`answer: {"error":"bad client ${REDACTED}"}`);
  });

  it('parses .env files', () => {
    expect(parseDotenv('# c\nA=1\nexport B="two words"\nC=x # note\n\nD=\'q\'')).toEqual({ A: '1', B: 'two words', C: 'x', D: 'q' });
    expect(() => parseDotenv('A=1\nnot a line', '.env')).toThrow('.env:2: expected KEY=value');
  });
});

describe('DATABASE_URL', () => {
  it('is checked on disk before anything opens it, quickly', () => {
    const t = performance.now();
    expect(problem({ DATABASE_URL: '/proc/self/nonexistent/x' })).toMatch(/DATABASE_URL: .*folder \/proc\/self\/nonexistent does not exist and cannot be made/);
    expect(performance.now() - t).toBeLessThan(1000);
  });

  it('rejects other databases, folders and paths under a file, and accepts a new file in a new folder', () => {
    const file = join(dir, 'plain.txt');
    writeFileSync(file, 'x');
    expect(problem({ DATABASE_URL: 'mysql://u:pw@host/db' })).toMatch(/DATABASE_URL: .*only DuckDB files are supported.*; was "mysql:\/\/\*\*\*@host\/db"/);
    expect(problem({ DATABASE_URL: dir })).toMatch(/is a folder, not a file/);
    expect(problem({ DATABASE_URL: join(file, 'sub', 'w.duckdb') })).toMatch(/plain\.txt is a file, not a folder/);
    expect(loadConfig({ DATABASE_URL: `duckdb://${join(dir, 'a', 'b', 'w.duckdb')}` }).DATABASE_URL).toContain('w.duckdb');
    expect(loadConfig({ DATABASE_URL: ':memory:' }).DATABASE_URL).toBe(':memory:');
  });
});

describe('setting kinds', () => {
  it('every source setting declares one', () => {
    for (const v of ENV_VARS) expect(v.kind, v.name).toMatch(/^[a-z_]+$/);
    const kinds = (name: string) => ENV_VARS.find((v) => v.name === name)?.kind;
    expect([kinds('STRAVA_BASE_URL'), kinds('STRAVA_FETCH_STREAMS'), kinds('STRAVA_REDIRECT_PORT'), kinds('VESYNC_TIME_ZONE')]).toEqual(['url', 'boolean', 'port', 'time_zone']);
  });

  it('accept and refuse what they say', () => {
    const ok: Array<[SettingKind, string]> = [
      ['url', 'https://www.strava.com'],
      ['port', '0'],
      ['port', '65535'],
      ['boolean', 'Yes'],
      ['time_zone', 'UTC'],
      ['days', '1'],
      ['folder_path', join(dir, 'x', 'y')],
      ['input_path', dir],
      ['database_url', ':memory:'],
    ];
    const bad: Array<[SettingKind, string]> = [
      ['url', 'https://'],
      ['url', 'https://user@host'],
      ['port', '-1'],
      ['port', '1e3'],
      ['boolean', 'tru'],
      ['time_zone', ' '],
      ['days', String(MAX_SYNC_DAYS + 1)],
      ['days', '1e9'],
      ['folder_path', '/proc/self/nonexistent/x'],
      ['text', 'line\nbreak'],
    ];
    for (const [k, v] of ok) expect(settingProblem(k, v), `${k} ${v}`).toBeNull();
    for (const [k, v] of bad) expect(settingProblem(k, v), `${k} ${v}`).not.toBeNull();
    expect([parseBoolean('ON'), parseBoolean('0'), parseBoolean('maybe')]).toEqual([true, false, null]);
  });
});

describe('TOKEN_STORE_PATH', () => {
  it('reads a leading ~ as the home folder, as .env.example writes it', () => {
    expect(defaultTokenStorePath({ TOKEN_STORE_PATH: '~/.config/athlete-performance/tokens.json' })).toBe(join(homedir(), '.config', 'athlete-performance', 'tokens.json'));
    expect(defaultTokenStorePath({ TOKEN_STORE_PATH: join(dir, 't.json') })).toBe(join(dir, 't.json'));
    expect(settingProblem('file_path', '~/.config/athlete-performance/tokens.json')).toBeNull();
  });
});
