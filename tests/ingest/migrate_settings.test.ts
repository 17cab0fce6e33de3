import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../lib/cli/cli.ts';
import { ConfigError, loadConfig, loadEnv } from '../../lib/core/config.ts';
import { applyEarlierKeyAliases, earlierDatabaseProblem } from '../../lib/core/earlier_keys.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'migrate-settings-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the earlier version's settings keys", () => {
  it('reads its key names as ours, one warning each naming the new key, never the value', () => {
    const file = join(dir, 'old.env');
    writeFileSync(file, 'VESYNC_USERNAME=runner@example.org\nVESYNC_TIMEZONE=Europe/Zurich\nGARMIN_USERNAME=g@example.org\nOURA_ACCESS_TOKEN=secret-oura-pat-1234\n');
    const warnings: string[] = [];
    const env = loadEnv(file, {}, (w) => warnings.push(w));
    expect(env).toMatchObject({ VESYNC_EMAIL: 'runner@example.org', VESYNC_TIME_ZONE: 'Europe/Zurich', GARMIN_EMAIL: 'g@example.org', OURA_PERSONAL_ACCESS_TOKEN: 'secret-oura-pat-1234' });
    expect(warnings).toHaveLength(4);
    for (const [old, current] of [['VESYNC_USERNAME', 'VESYNC_EMAIL'], ['VESYNC_TIMEZONE', 'VESYNC_TIME_ZONE'], ['GARMIN_USERNAME', 'GARMIN_EMAIL'], ['OURA_ACCESS_TOKEN', 'OURA_PERSONAL_ACCESS_TOKEN']]) {
      expect(warnings.filter((w) => w.startsWith(`${old} `) && w.includes(current!))).toHaveLength(1);
    }
    expect(warnings.join('\n')).not.toMatch(/runner@|secret-oura/);
    expect(warnings.every((w) => !w.includes('\n'))).toBe(true);
  });

  it('lets our name win when both are set', () => {
    const { env, warnings } = applyEarlierKeyAliases({ VESYNC_USERNAME: 'old@example.org', VESYNC_EMAIL: 'new@example.org' });
    expect(env.VESYNC_EMAIL).toBe('new@example.org');
    expect(warnings).toEqual(["VESYNC_USERNAME is the earlier version's name of VESYNC_EMAIL, which is also set: VESYNC_USERNAME is ignored (remove it from .env)"]);
  });

  it("explains that WHOOP uses OAuth when WHOOP_API_KEY is set, and where the Strava refresh token goes", () => {
    const { warnings } = applyEarlierKeyAliases({ WHOOP_API_KEY: 'k-123456', STRAVA_REFRESH_TOKEN: 'r-123456' });
    expect(warnings[0]).toMatch(/^WHOOP_API_KEY is not used: .*OAuth.*WHOOP_CLIENT_ID and WHOOP_CLIENT_SECRET.*athlete auth whoop/);
    expect(warnings[1]).toMatch(/^STRAVA_REFRESH_TOKEN .*athlete migrate PATH/);
    expect(warnings.join(' ')).not.toMatch(/k-123456|r-123456/);
  });

  it('stops on a DATABASE_URL of the earlier version (sqlite:///, postgresql://, or a SQLite file by DATABASE_PATH), pointing to athlete migrate', async () => {
    for (const url of ['sqlite:///data/athlete_performance.db', 'postgresql://me@localhost/athletes', 'postgres+psycopg2://db/x']) {
      expect(earlierDatabaseProblem(url), url).toMatch(/athlete migrate PATH/);
      expect(() => loadConfig({ DATABASE_URL: url }), url).toThrow(ConfigError);
    }
    const SQL = await initSqlJs();
    const db = new SQL.Database();
    db.run('CREATE TABLE workouts (workout_id TEXT)');
    const sqlite = join(dir, 'athlete_performance.db');
    writeFileSync(sqlite, db.export());
    db.close();
    expect(earlierDatabaseProblem(sqlite)).toMatch(/SQLite database.*athlete migrate PATH/);
    expect(earlierDatabaseProblem(join(dir, 'new.duckdb'))).toBeNull();
    expect(earlierDatabaseProblem(undefined)).toBeNull();

    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = 'sqlite:///data/athlete_performance.db';
    const err: string[] = [];
    try {
      const code = await main(['status'], { out: () => undefined, err: (s) => err.push(s) });
      expect(code).toBe(3);
      expect(err.join('\n')).toMatch(/^athlete: DATABASE_URL names the earlier version's SQLite database.*athlete migrate PATH/);
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
  });
});
