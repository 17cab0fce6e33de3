/**
 * The token file keeps each athlete's tokens apart, and a file written before
 * athletes existed keeps serving its athlete: read as theirs, rewritten in
 * the per-athlete shape on the next save, and never handed to another athlete
 * chosen with --athlete.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chooseAthlete } from '../../lib/cli/athlete_choice.ts';
import { loadConfig } from '../../lib/core/config.ts';
import { main } from '../../lib/cli/cli.ts';
import { TokenStore, tokenStoreFor } from '../../lib/sources/http/token_store.ts';
import { PLANTED, writeOldCheckout } from '../sources/legacy/old_checkout.ts';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'squad-tokens-'));
  path = join(dir, 'cfg', 'tokens.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const legacy = { strava: { access_token: 'legacy-access-1', refresh_token: 'legacy-refresh-1', expires_at: 2_000_000_000 } };

function writeLegacy(): void {
  mkdirSync(join(dir, 'cfg'), { recursive: true });
  writeFileSync(path, JSON.stringify(legacy), { mode: 0o600 });
}

describe('per-athlete tokens', () => {
  it("keeps each athlete's entries apart in one owner-only file", async () => {
    const ann = new TokenStore(path, { athleteId: 'ann' });
    const bob = new TokenStore(path, { athleteId: 'bob' });
    await ann.set('strava', { access_token: 'ann-a', refresh_token: 'ann-r' });
    await bob.set('strava', { access_token: 'bob-a', refresh_token: 'bob-r' });
    await bob.set('oura', { access_token: 'bob-oura' });
    expect((await ann.get('strava'))?.access_token).toBe('ann-a');
    expect((await bob.get('strava'))?.access_token).toBe('bob-a');
    expect(ann.has('oura')).toBe(false);
    expect(bob.has('oura')).toBe(true);
    expect((await ann.list()).map((t) => t.source)).toEqual(['strava']);
    expect(await bob.deleteAthlete()).toEqual(['oura', 'strava']);
    expect(bob.has('strava')).toBe(false);
    expect((await ann.get('strava'))?.refresh_token).toBe('ann-r');
    const file = JSON.parse(readFileSync(path, 'utf8')) as { version: number; athletes: Record<string, Record<string, { access_token?: string }>> };
    expect(file.version).toBe(2);
    expect(Object.keys(file.athletes)).toEqual(['ann']);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('connectors built from the environment use the tokens of ATHLETE_ID (default me)', async () => {
    await new TokenStore(path, { athleteId: 'ann' }).set('whoop', { access_token: 'ann-whoop' });
    expect(tokenStoreFor({ TOKEN_STORE_PATH: path, ATHLETE_ID: 'ann' }).has('whoop')).toBe(true);
    expect(tokenStoreFor({ TOKEN_STORE_PATH: path }).athleteId).toBe('me');
    expect(tokenStoreFor({ TOKEN_STORE_PATH: path }).has('whoop')).toBe(false);
  });
});

describe('a token file from before athletes existed', () => {
  it("is read as its athlete's, and rewritten per athlete on the next save", async () => {
    writeLegacy();
    const me = new TokenStore(path, { athleteId: 'me' });
    expect(me.has('strava')).toBe(true);
    expect((await me.get('strava'))?.refresh_token).toBe('legacy-refresh-1');
    expect(new TokenStore(path, { athleteId: 'bob', legacyOwner: 'me' }).has('strava')).toBe(false);
    await me.set('whoop', { access_token: 'me-whoop' });
    const file = JSON.parse(readFileSync(path, 'utf8')) as { version: number; athletes: Record<string, Record<string, unknown>> };
    expect(file.version).toBe(2);
    expect(Object.keys(file.athletes.me!).sort()).toEqual(['strava', 'whoop']);
    expect(file.athletes.me!.strava).toMatchObject(legacy.strava);
  });

  it('goes to the configured athlete when --athlete chooses another, before anyone reads it', async () => {
    writeLegacy();
    const config = loadConfig({ ATHLETE_ID: 'coach' });
    const env = { TOKEN_STORE_PATH: path, ATHLETE_ID: 'coach' };
    const choice = await chooseAthlete('bob', config, env);
    expect(choice.config.ATHLETE_ID).toBe('bob');
    expect(choice.env.ATHLETE_ID).toBe('bob');
    expect(choice.chosen).toBe(true);
    expect(tokenStoreFor(choice.env).has('strava')).toBe(false);
    expect(tokenStoreFor(env).has('strava')).toBe(true);
    const file = JSON.parse(readFileSync(path, 'utf8')) as { athletes: Record<string, unknown> };
    expect(Object.keys(file.athletes)).toEqual(['coach']);
    // Without --athlete nothing changes.
    expect(await chooseAthlete(undefined, config, env)).toEqual({ config, env, chosen: false });
    await expect(chooseAthlete('../etc', config, env)).rejects.toThrow(/an athlete id is up to 64 letters/);
  });

  it('names the file but never its content when it is not a token file', async () => {
    writeLegacy();
    writeFileSync(path, JSON.stringify({ version: 7, athletes: { me: { strava: { access_token: 'leaky-secret-9' } } } }));
    const err = (await new TokenStore(path).get('strava').catch((e: unknown) => e)) as Error;
    expect(err.message).toContain(path);
    expect(err.message).not.toContain('leaky-secret-9');
  });
});

describe('athlete migrate --athlete', () => {
  it("stores the earlier version's Strava token as the chosen athlete's, not as the default athlete's", async () => {
    const saved = { ...process.env };
    try {
      const checkout = join(dir, 'old');
      mkdirSync(checkout);
      await writeOldCheckout(checkout, 'early');
      process.env.DATABASE_URL = join(dir, 'athlete.duckdb');
      process.env.TOKEN_STORE_PATH = path;
      process.env.LOG_LEVEL = 'silent';
      const quiet = { out: () => {}, err: () => {} };
      expect(await main(['athletes', 'add', 'ana', '--name', 'Ana'], quiet)).toBe(0);
      expect(await main(['migrate', '--athlete', 'ana', checkout], quiet)).toBe(0);
      expect((await new TokenStore(path, { athleteId: 'ana' }).get('strava'))?.refresh_token).toBe(PLANTED.envRefresh);
      expect(new TokenStore(path, { athleteId: 'me' }).has('strava')).toBe(false);
    } finally {
      process.env = saved;
    }
  });
});
