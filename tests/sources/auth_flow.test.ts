import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createHash } from 'node:crypto';
import { authenticateSource, importGarminTokens, listAuth, type AuthIO } from '../../lib/sources/auth_flow.ts';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { startStravaFake, type StravaFake } from '../fakes/strava.ts';
import { startWhoopFake, type WhoopFake } from '../fakes/whoop.ts';
import { startOuraFake, type OuraFake } from '../fakes/oura.ts';
import { startWithingsFake, type WithingsFake } from '../fakes/withings.ts';
import { startGarminFake, type GarminFake } from '../fakes/garmin.ts';
import { startVesyncFake, type VesyncFake } from '../fakes/vesync.ts';
import { modeOf, quickHttp, tempStore } from './helpers.ts';

let ts: ReturnType<typeof tempStore>;
const closers: Array<() => Promise<void>> = [];

beforeEach(() => {
  ts = tempStore();
});
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
  ts.cleanup();
});

/** Captured terminal output; `url()` waits for the printed authorisation URL. */
function capture(): AuthIO & { lines: string[]; url: () => Promise<string> } {
  const lines: string[] = [];
  return {
    lines,
    out: (s) => lines.push(s),
    async url() {
      for (let i = 0; i < 200; i++) {
        const m = /https?:\/\/\S+/.exec(lines.join('\n'));
        if (m) return m[0];
        await new Promise((r) => setTimeout(r, 5));
      }
      throw new Error('no URL was printed');
    },
  };
}

function savedFile(): Record<string, Record<string, unknown>> {
  return (JSON.parse(readFileSync(ts.path, 'utf8')) as { athletes: { me: Record<string, Record<string, unknown>> } }).athletes.me;
}

describe('OAuth sources', () => {
  it('strava: prints the URL, follows the loopback redirect, saves rotating tokens (0600), prints no secret', async () => {
    const sf: StravaFake = await startStravaFake();
    closers.push(() => sf.fake.close());
    sf.oauth.grantedScope = 'read,activity:read_all';
    const env = { STRAVA_CLIENT_ID: 'cid-strava', STRAVA_CLIENT_SECRET: 'csecret-strava-123', STRAVA_BASE_URL: sf.fake.url, TOKEN_STORE_PATH: ts.path };
    const io = capture();
    const pending = authenticateSource('strava', env, io, { http: quickHttp() });
    const url = new URL(await io.url());
    expect(url.origin + url.pathname).toBe(`${sf.fake.url}/oauth/authorize`);
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    expect(url.searchParams.get('client_id')).toBe('cid-strava');
    const res = await fetch(url);
    expect(res.status).toBe(200);
    const r = await pending;
    expect(r).toMatchObject({ source: 'strava', ok: true, method: 'oauth' });
    const saved = savedFile().strava!;
    expect(saved.access_token).toBe(sf.oauth.accessToken);
    expect(saved.refresh_token).toBe(sf.oauth.refreshToken);
    expect(r.expires).toBe(new Date((saved.expires_at as number) * 1000).toISOString());
    expect(modeOf(ts.path)).toBe(0o600);
    const text = io.lines.join('\n');
    expect(text).toContain(ts.path);
    for (const s of [sf.oauth.accessToken, sf.oauth.refreshToken, 'csecret-strava-123']) expect(text).not.toContain(s);
  });

  it('whoop: PKCE flow against the fake token endpoint', async () => {
    const wf: WhoopFake = await startWhoopFake();
    closers.push(() => wf.fake.close());
    const env = { WHOOP_CLIENT_ID: 'cid-whoop', WHOOP_CLIENT_SECRET: 'csecret-whoop-456', WHOOP_BASE_URL: wf.fake.url, TOKEN_STORE_PATH: ts.path };
    const io = capture();
    const pending = authenticateSource('whoop', env, io, { http: quickHttp() });
    const url = new URL(await io.url());
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('scope')).toContain('offline');
    await fetch(url);
    expect(await pending).toMatchObject({ ok: true, method: 'oauth' });
    expect(savedFile().whoop!.refresh_token).toBe(wf.oauth.refreshToken);
  });

  it('withings: unwraps the {status, body} token answer', async () => {
    const wi: WithingsFake = await startWithingsFake();
    closers.push(() => wi.fake.close());
    const env = {
      WITHINGS_CLIENT_ID: 'cid-withings',
      WITHINGS_CLIENT_SECRET: 'csecret-withings-321',
      WITHINGS_BASE_URL: wi.fake.url,
      WITHINGS_AUTH_BASE_URL: wi.fake.url,
      TOKEN_STORE_PATH: ts.path,
    };
    const io = capture();
    const pending = authenticateSource('withings', env, io, { http: quickHttp() });
    await fetch(await io.url());
    expect(await pending).toMatchObject({ ok: true, method: 'oauth' });
    expect(savedFile().withings!.access_token).toBe(wi.oauth.accessToken);
  });

  it('a declined authorisation is reported, not thrown, and saves nothing', async () => {
    const sf = await startStravaFake();
    closers.push(() => sf.fake.close());
    sf.oauth.grantedScope = 'read';
    const env = { STRAVA_CLIENT_ID: 'cid-strava', STRAVA_CLIENT_SECRET: 'csecret-strava-123', STRAVA_BASE_URL: sf.fake.url, TOKEN_STORE_PATH: ts.path };
    const io = capture();
    const pending = authenticateSource('strava', env, io, { http: quickHttp() });
    await fetch(await io.url());
    const r = await pending;
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/activity:read_all were not granted/);
    expect(io.lines.at(-1)).toMatch(/activity:read_all were not granted/);
    expect(await ts.store.get('strava')).toBeNull();
  });

  it('stops waiting when the signal aborts', async () => {
    const env = { STRAVA_CLIENT_ID: 'cid', STRAVA_CLIENT_SECRET: 'sec-abcdef', STRAVA_BASE_URL: 'http://127.0.0.1:9', TOKEN_STORE_PATH: ts.path };
    const ac = new AbortController();
    const io = { ...capture(), signal: ac.signal };
    const pending = authenticateSource('strava', env, io).catch((e: unknown) => e);
    await io.url();
    ac.abort(new Error('user pressed Ctrl-C'));
    expect(String(await pending)).toMatch(/Ctrl-C/);
  });

  it('without client credentials says which variables to set', async () => {
    const io = capture();
    const r = await authenticateSource('whoop', { TOKEN_STORE_PATH: ts.path }, io);
    expect(r.ok).toBe(false);
    expect(io.lines.join('\n')).toMatch(/set WHOOP_CLIENT_ID and WHOOP_CLIENT_SECRET/);
  });

  it('rejects an unknown source', async () => {
    await expect(authenticateSource('fitbit', {}, capture())).rejects.toThrow(/unknown API source "fitbit"/);
  });
});

describe('oura personal access token', () => {
  it('is saved as a token without expiry, with a deprecation note and without printing it', async () => {
    const pat = 'PAT-oura-0123456789';
    const io = capture();
    const r = await authenticateSource('oura', { OURA_PERSONAL_ACCESS_TOKEN: pat, TOKEN_STORE_PATH: ts.path }, io);
    expect(r).toEqual({ source: 'oura', ok: true, method: 'personal_access_token', expires: 'no expiry' });
    expect(savedFile().oura).toMatchObject({ access_token: pat, token_type: 'personal_access_token' });
    expect(io.lines.join('\n')).toMatch(/deprecated/);
    expect(io.lines.join('\n')).not.toContain(pat);
  });

  it('OAuth wins when client credentials are also set', async () => {
    const of: OuraFake = await startOuraFake();
    closers.push(() => of.fake.close());
    const env = {
      OURA_CLIENT_ID: 'cid-oura',
      OURA_CLIENT_SECRET: 'csecret-oura-789',
      OURA_PERSONAL_ACCESS_TOKEN: of.pat,
      OURA_BASE_URL: of.fake.url,
      OURA_AUTH_BASE_URL: of.fake.url,
      TOKEN_STORE_PATH: ts.path,
    };
    const io = capture();
    const pending = authenticateSource('oura', env, io, { http: quickHttp() });
    await fetch(await io.url());
    expect(await pending).toMatchObject({ ok: true, method: 'oauth' });
    expect(savedFile().oura!.access_token).toBe(of.oauth.accessToken);
  });
});

describe('garmin, token-first', () => {
  let gf: GarminFake;
  beforeEach(async () => {
    gf = await startGarminFake();
    closers.push(() => gf.fake.close());
  });

  function tokenDir(expiresIn: number): string {
    const dir = join(dirname(ts.path), 'garth');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'oauth1_token.json'), JSON.stringify({ oauth_token: gf.oauth1.token, oauth_token_secret: gf.oauth1.secret }));
    writeFileSync(join(dir, 'oauth2_token.json'), JSON.stringify({ access_token: gf.accessToken, expires_at: Math.floor(Date.now() / 1000) + expiresIn }));
    return dir;
  }

  it('importGarminTokens saves the OAuth1 and OAuth2 tokens', async () => {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const file = join(dirname(ts.path), 'garmin.json');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ oauth1: { oauth_token: 'o1-token-abc', oauth_token_secret: 'o1-secret-def' }, oauth2: { access_token: 'o2-access-ghi', expires_at: exp } }));
    const r = await importGarminTokens(file, { TOKEN_STORE_PATH: ts.path });
    expect(r.expires).toBe(new Date(exp * 1000).toISOString());
    expect(savedFile().garmin).toMatchObject({ access_token: 'o2-access-ghi', expires_at: exp, extra: { oauth1_token: 'o1-token-abc', oauth1_token_secret: 'o1-secret-def' } });
    expect(modeOf(ts.path)).toBe(0o600);
  });

  it('GARMIN_TOKEN_FILE: imports, and renews an expired OAuth2 token from the OAuth1 token', async () => {
    const env = {
      GARMIN_TOKEN_FILE: tokenDir(-60),
      GARMIN_BASE_URL: gf.fake.url,
      GARMIN_SSO_URL: gf.fake.url,
      GARMIN_OAUTH_CONSUMER_KEY: 'consumer-key-123',
      GARMIN_OAUTH_CONSUMER_SECRET: 'consumer-secret-456',
      TOKEN_STORE_PATH: ts.path,
    };
    const io = capture();
    const r = await authenticateSource('garmin', env, io, { http: quickHttp() });
    expect(r).toMatchObject({ ok: true, method: 'token_file' });
    expect(gf.exchanges).toBe(1);
    expect(savedFile().garmin!.access_token).toBe(gf.accessToken);
    expect(gf.fake.requests.some((q) => q.path === '/sso/signin')).toBe(false);
    expect(io.lines.join('\n')).not.toContain(gf.accessToken);
    expect(io.lines.join('\n')).not.toContain(gf.oauth1.secret);
  });

  it('a refused login prints the blocked-login advice and leaves a saved token alone', async () => {
    const env = { GARMIN_EMAIL: 'me@example.com', GARMIN_PASSWORD: 'garmin-pass-777', GARMIN_BASE_URL: gf.fake.url, GARMIN_SSO_URL: gf.fake.url, TOKEN_STORE_PATH: ts.path };
    const io = capture();
    const r = await authenticateSource('garmin', env, io, { http: quickHttp() });
    expect(r.ok).toBe(false);
    expect(r.method).toBe('login');
    const text = io.lines.join('\n');
    expect(text).toMatch(/early 2026/);
    expect(text).toMatch(/athlete import/);
    expect(text).toMatch(/FIT files/);
    expect(text).not.toContain('garmin-pass-777');
    expect(gf.fake.requests.filter((q) => q.path === '/sso/signin')).toHaveLength(1);
    expect(await ts.store.get('garmin')).toBeNull();
  });

  it('with a saved token, does not try a login at all', async () => {
    await ts.store.set('garmin', { access_token: gf.accessToken, expires_at: Math.floor(Date.now() / 1000) + 3600 });
    const env = { GARMIN_EMAIL: 'me@example.com', GARMIN_PASSWORD: 'garmin-pass-777', GARMIN_BASE_URL: gf.fake.url, GARMIN_SSO_URL: gf.fake.url, TOKEN_STORE_PATH: ts.path };
    const r = await authenticateSource('garmin', env, capture(), { http: quickHttp() });
    expect(r).toMatchObject({ ok: true, method: 'saved_token' });
    expect(gf.fake.requests).toHaveLength(0);
  });
});

describe('vesync login', () => {
  let vf: VesyncFake;
  beforeEach(async () => {
    vf = await startVesyncFake();
    closers.push(() => vf.fake.close());
  });

  it('logs in with the MD5 of the password and saves the token and account id', async () => {
    const env = { VESYNC_EMAIL: vf.email, VESYNC_PASSWORD: vf.password, VESYNC_BASE_URL: vf.fake.url, TOKEN_STORE_PATH: ts.path };
    const io = capture();
    const r = await authenticateSource('vesync', env, io, { http: quickHttp() });
    expect(r).toEqual({ source: 'vesync', ok: true, method: 'login', expires: 'no expiry' });
    const login = JSON.parse(vf.fake.requests[0]!.body) as { password: string };
    expect(login.password).toBe(createHash('md5').update(vf.password).digest('hex'));
    expect(savedFile().vesync).toMatchObject({ access_token: vf.token, extra: { account_id: '8812345' } });
    const text = io.lines.join('\n');
    expect(text).not.toContain(vf.token);
    expect(text).not.toContain(vf.password);
  });

  it('a wrong password is reported with the cloud code', async () => {
    const env = { VESYNC_EMAIL: vf.email, VESYNC_PASSWORD: 'wrong-password', VESYNC_BASE_URL: vf.fake.url, TOKEN_STORE_PATH: ts.path };
    const io = capture();
    const r = await authenticateSource('vesync', env, io, { http: quickHttp() });
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/login refused \(code -11201022: password error\)/);
    expect(io.lines.join('\n')).not.toContain('wrong-password');
  });
});

describe('listAuth', () => {
  it('shows credentials, tokens, expiry and the last sync, without secrets', async () => {
    const now = new Date('2024-03-20T12:00:00Z');
    const exp = Date.parse('2024-03-20T18:00:00Z') / 1000;
    await ts.store.set('strava', { access_token: 'strava-access-secret', refresh_token: 'strava-refresh-secret', expires_at: exp });
    await ts.store.set('whoop', { access_token: 'whoop-access-secret', expires_at: Date.parse('2024-03-20T11:00:00Z') / 1000 });
    await ts.store.set('vesync', { access_token: 'vesync-token-secret', extra: { account_id: '1' } });
    const wh = await Warehouse.open(join(dirname(ts.path), 'wh.duckdb'));
    try {
      await wh.run(
        `INSERT INTO sync_metadata (source, athlete_id, last_sync, sync_status, cursor, message, records)
         VALUES ('strava', 'me', TIMESTAMP '2024-03-19 07:30:00', 'success', '{}', NULL, 12),
                ('whoop', 'me', TIMESTAMP '2024-03-19 07:31:00', 'rate_limited', '{}', 'whoop: rate limit reached', 0),
                ('strava', 'coach', TIMESTAMP '2024-01-01 00:00:00', 'error', '{}', 'other athlete', 0)`,
      );
      const env = { TOKEN_STORE_PATH: ts.path, STRAVA_CLIENT_ID: 'a', STRAVA_CLIENT_SECRET: 'b', GARMIN_TOKEN_FILE: '/x', OURA_PERSONAL_ACCESS_TOKEN: 'pat' };
      const rows = await listAuth(env, { warehouse: wh, now });
      expect(rows.map((r) => r.source).sort()).toEqual(['garmin', 'google_health', 'oura', 'polar', 'strava', 'vesync', 'whoop', 'withings']);
      const by = Object.fromEntries(rows.map((r) => [r.source, r]));
      expect(by.strava).toEqual({
        source: 'strava', configured: true, token: true, expires: '2024-03-20T18:00:00.000Z', expired: false,
        last_sync: '2024-03-19T07:30:00.000Z', status: 'success', message: null,
      });
      expect(by.whoop).toMatchObject({ configured: false, token: true, expires: '2024-03-20T11:00:00.000Z', expired: true, status: 'rate_limited', message: 'whoop: rate limit reached' });
      expect(by.vesync).toMatchObject({ configured: false, token: true, expires: 'no expiry', expired: false, last_sync: null, status: null });
      expect(by.garmin).toMatchObject({ configured: true, token: false, expires: '' });
      expect(by.oura).toMatchObject({ configured: true, token: false });
      expect(by.withings).toMatchObject({ configured: false, token: false, last_sync: null });
      expect(JSON.stringify(rows)).not.toMatch(/secret/);
    } finally {
      wh.close();
    }
  });

  it('works without a warehouse or a token file', async () => {
    const rows = await listAuth({ TOKEN_STORE_PATH: ts.path });
    expect(rows).toHaveLength(8);
    expect(rows.every((r) => !r.configured && !r.token && r.last_sync === null)).toBe(true);
  });
});
