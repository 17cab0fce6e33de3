/**
 * A planted secret never reaches the output, the logs or the warehouse: each
 * connector's error paths are driven on its fake server, whose error answers
 * echo every secret (plain, form-encoded, JSON-escaped, and one straddling the
 * point where a message is cut), and everything `athlete sync` printed,
 * logged and stored is searched for them.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../lib/cli/cli.ts';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { ENV_VARS } from '../../lib/sources/registry.ts';
import { startGarminFake } from '../fakes/garmin.ts';
import { startGoogleHealthFake } from '../fakes/google_health.ts';
import { startOuraFake } from '../fakes/oura.ts';
import { startPolarFake } from '../fakes/polar.ts';
import type { Fake, FakeResponse } from '../fakes/server.ts';
import { startStravaFake } from '../fakes/strava.ts';
import { startVesyncFake } from '../fakes/vesync.ts';
import { startWhoopFake } from '../fakes/whoop.ts';
import { startWithingsFake } from '../fakes/withings.ts';

const dir = mkdtempSync(join(tmpdir(), 'secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The secrets planted for one service: what the program learns from its settings and its token store. */
interface Planted {
  clientSecret: string;
  accessToken: string;
  refreshToken: string;
  password: string;
  consumerSecret: string;
  oauth1Secret: string;
}

function planted(source: string): Planted {
  const tag = source.replace(/_/g, '');
  return {
    clientSecret: `cs-${tag}-4f7a9c2e`,
    accessToken: `at-${tag}-81b3d0aa`,
    refreshToken: `rt-${tag}-c95e7712`,
    password: `pw ${tag}/&"9x`,
    consumerSecret: `ck-${tag}-0e4d55f1`,
    oauth1Secret: `o1-${tag}-73aa91c0`,
  };
}

/** The secret values a scenario's program learns: those it uses, and the MD5 of the password when it sends that. */
function secretsOf(s: Scenario, p: Planted): string[] {
  return [...s.uses.map((k) => p[k]), ...(s.sendsPasswordMd5 ? [createHash('md5').update(p.password).digest('hex')] : [])];
}

/** Every way a secret must never appear: plain, URL- and form-encoded, JSON-escaped, or cut short. */
function searchedForms(values: readonly string[]): string[] {
  const forms = values.flatMap((v) => [v, encodeURIComponent(v), new URLSearchParams({ v }).toString().slice(2), JSON.stringify(v).slice(1, -1)]);
  // A secret cut where a message is shortened would leave its start: look for that too.
  return [...new Set([...forms, ...values.map((v) => v.slice(0, 10))])];
}

/** An error answer echoing the secrets back: in a JSON string inside JSON, form-encoded, plain, and one across byte 300 of the body. */
function echo(secrets: readonly string[], status = 400): FakeResponse {
  const request = JSON.stringify({ secret: secrets[0], note: secrets.join(' ') });
  const form = new URLSearchParams(secrets.map((v, i) => [`s${i}`, v])).toString();
  const head = JSON.stringify({ error: 'invalid_request', request });
  const pad = 'x'.repeat(Math.max(0, 300 - head.length - 30));
  return { status, raw: JSON.stringify({ error: 'invalid_request', request, pad, cut: secrets[secrets.length - 1], form, plain: secrets.join(' ') }) };
}

interface Scenario {
  source: string;
  /** The planted values this source's program learns (from its settings or its token store). */
  uses: Array<keyof Planted>;
  sendsPasswordMd5?: boolean;
  start: () => Promise<{ fake: Fake }>;
  env: (url: string, p: Planted) => Record<string, string>;
  /** The token store entry (expired: the first request refreshes it), or null for a login. */
  tokens: (p: Planted, expired: boolean) => Record<string, unknown> | null;
}

const past = () => Math.floor(Date.now() / 1000) - 3600;
const future = () => Math.floor(Date.now() / 1000) + 86_400;

const SCENARIOS: Scenario[] = [
  {
    source: 'strava',
    uses: ['clientSecret', 'accessToken', 'refreshToken'],
    start: () => startStravaFake('cid-strava', planted('strava').clientSecret),
    env: (url, p) => ({ STRAVA_CLIENT_ID: 'cid-strava', STRAVA_CLIENT_SECRET: p.clientSecret, STRAVA_BASE_URL: url, STRAVA_FETCH_STREAMS: 'false' }),
    tokens: (p, expired) => ({ access_token: p.accessToken, refresh_token: p.refreshToken, expires_at: expired ? past() : future() }),
  },
  {
    source: 'whoop',
    uses: ['clientSecret', 'accessToken', 'refreshToken'],
    start: () => startWhoopFake('cid-whoop', planted('whoop').clientSecret),
    env: (url, p) => ({ WHOOP_CLIENT_ID: 'cid-whoop', WHOOP_CLIENT_SECRET: p.clientSecret, WHOOP_BASE_URL: url }),
    tokens: (p, expired) => ({ access_token: p.accessToken, refresh_token: p.refreshToken, expires_at: expired ? past() : future() }),
  },
  {
    source: 'oura',
    uses: ['clientSecret', 'accessToken', 'refreshToken'],
    start: () => startOuraFake('cid-oura', planted('oura').clientSecret),
    env: (url, p) => ({ OURA_CLIENT_ID: 'cid-oura', OURA_CLIENT_SECRET: p.clientSecret, OURA_BASE_URL: url, OURA_AUTH_BASE_URL: url }),
    tokens: (p, expired) => ({ access_token: p.accessToken, refresh_token: p.refreshToken, expires_at: expired ? past() : future() }),
  },
  {
    source: 'withings',
    uses: ['clientSecret', 'accessToken', 'refreshToken'],
    start: () => startWithingsFake(),
    env: (url, p) => ({ WITHINGS_CLIENT_ID: 'cid-withings', WITHINGS_CLIENT_SECRET: p.clientSecret, WITHINGS_BASE_URL: url, WITHINGS_AUTH_BASE_URL: url }),
    tokens: (p, expired) => ({ access_token: p.accessToken, refresh_token: p.refreshToken, expires_at: expired ? past() : future() }),
  },
  {
    source: 'polar',
    uses: ['clientSecret', 'accessToken'],
    start: () => startPolarFake('cid-polar', planted('polar').clientSecret),
    env: (url, p) => ({ POLAR_CLIENT_ID: 'cid-polar', POLAR_CLIENT_SECRET: p.clientSecret, POLAR_BASE_URL: url, POLAR_AUTH_BASE_URL: url, POLAR_TOKEN_URL: url }),
    tokens: (p) => ({ access_token: p.accessToken, token_type: 'bearer', extra: { user_id: '99887766' } }),
  },
  {
    source: 'google_health',
    uses: ['clientSecret', 'accessToken', 'refreshToken'],
    start: () => startGoogleHealthFake('cid-google-health', planted('google_health').clientSecret),
    env: (url, p) => ({
      GOOGLE_HEALTH_CLIENT_ID: 'cid-google-health',
      GOOGLE_HEALTH_CLIENT_SECRET: p.clientSecret,
      GOOGLE_HEALTH_BASE_URL: url,
      GOOGLE_HEALTH_TOKEN_URL: `${url}/token`,
      GOOGLE_HEALTH_AUTHORIZE_URL: `${url}/o/oauth2/v2/auth`,
    }),
    tokens: (p, expired) => ({ access_token: p.accessToken, refresh_token: p.refreshToken, expires_at: expired ? past() : future() }),
  },
  {
    source: 'garmin',
    uses: ['password', 'consumerSecret', 'accessToken', 'oauth1Secret'],
    start: () => startGarminFake(),
    env: (url, p) => ({
      GARMIN_BASE_URL: url,
      GARMIN_SSO_URL: url,
      GARMIN_EMAIL: 'me@example.com',
      GARMIN_PASSWORD: p.password,
      GARMIN_OAUTH_CONSUMER_KEY: 'consumer-key-garmin',
      GARMIN_OAUTH_CONSUMER_SECRET: p.consumerSecret,
    }),
    tokens: (p, expired) => ({ access_token: p.accessToken, expires_at: expired ? past() : future(), extra: { oauth1_token: `o1t-${p.oauth1Secret}`, oauth1_token_secret: p.oauth1Secret } }),
  },
  {
    source: 'vesync',
    uses: ['password'],
    sendsPasswordMd5: true,
    start: () => startVesyncFake(),
    env: (url, p) => ({ VESYNC_EMAIL: 'me@example.com', VESYNC_PASSWORD: p.password, VESYNC_BASE_URL: url }),
    tokens: () => null,
  },
];

const KEYS = [...ENV_VARS.map((v) => v.name), 'DATABASE_URL', 'TOKEN_STORE_PATH', 'LOG_LEVEL', 'ATHLETE_ID'];
let saved: Record<string, string | undefined>;
beforeEach(() => {
  saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
  for (const k of KEYS) delete process.env[k];
});
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  vi.restoreAllMocks();
});

/** Every text the warehouse holds, table by table. */
async function warehouseText(db: string): Promise<string> {
  const wh = await Warehouse.open(db);
  try {
    const tables = await wh.all<{ name: string }>("SELECT table_name AS name FROM duckdb_tables() WHERE schema_name = 'main'");
    const parts: string[] = [];
    for (const t of tables) parts.push(JSON.stringify(await wh.all(`SELECT * FROM "${t.name}"`), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
    return parts.join('\n');
  } finally {
    wh.close();
  }
}

/** Run `athlete sync --source <source>` against a fake whose every answer is `answer`; what it printed, logged and stored. */
async function syncThroughEcho(s: Scenario, p: Planted, expired: boolean, answer: FakeResponse, run: string): Promise<{ code: number; printed: string; logged: string; stored: string; status: string; message: string }> {
  const { fake } = await s.start();
  try {
    fake.inject(() => true, answer, 1_000);
    const db = join(dir, `${s.source}-${run}.duckdb`);
    const store = join(dir, `${s.source}-${run}-tokens.json`);
    const entry = s.tokens(p, expired);
    writeFileSync(store, JSON.stringify({ version: 2, athletes: { me: entry ? { [s.source]: entry } : {} } }), { mode: 0o600 });
    Object.assign(process.env, s.env(fake.url, p), { DATABASE_URL: db, TOKEN_STORE_PATH: store, LOG_LEVEL: 'debug' });
    const logged: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    });
    const printed: string[] = [];
    const code = await main(['sync', '--source', s.source], { out: (x) => printed.push(x), err: (x) => printed.push(x) });
    vi.restoreAllMocks();
    const stored = await warehouseText(db);
    const wh = await Warehouse.open(db);
    const [meta] = await wh.all<{ sync_status: string; message: string | null }>('SELECT sync_status, message FROM sync_metadata WHERE source = ?', [s.source]);
    wh.close();
    expect(fake.requests.length, `${s.source}: the fake was asked`).toBeGreaterThan(0);
    return { code, printed: printed.join('\n'), logged: logged.join(''), stored, status: meta?.sync_status ?? '(none)', message: meta?.message ?? '' };
  } finally {
    await fake.close();
  }
}

function expectNoSecret(where: string, text: string, forms: readonly string[]): void {
  for (const f of forms) expect(text.includes(f), `${where} holds ${JSON.stringify(f)}`).toBe(false);
}

describe('planted secrets on every connector error path', () => {
  for (const s of SCENARIOS) {
    const p = planted(s.source);
    const secrets = secretsOf(s, p);
    const forms = searchedForms(secrets);
    const paths: Array<[string, boolean, FakeResponse]> =
      s.source === 'vesync'
        ? [
            ['a refused login echoing the request', true, { status: 200, raw: JSON.stringify({ code: -11201022, msg: `password error: ${JSON.stringify({ email: 'me@example.com', password: secrets[1] })} ${secrets.join(' ')}` }) }],
            ['an error answer', true, echo(secrets)],
          ]
        : s.source === 'polar'
          ? [['an error answer to a data request', false, echo(secrets)]]
          : [
              ['an error answer to the token refresh', true, echo(secrets)],
              ['an error answer to a data request', false, echo(secrets)],
            ];
    for (const [what, expired, answer] of paths) {
      it(`${s.source}: ${what}`, async () => {
        const r = await syncThroughEcho(s, p, expired, answer, what.replace(/\W+/g, '_'));
        expect(r.code, r.printed).toBe(1);
        expect(r.status).toBe('error');
        expect(r.message.length).toBeGreaterThan(0);
        expectNoSecret('the output', r.printed, forms);
        expectNoSecret('the log', r.logged, forms);
        expectNoSecret('the warehouse', r.stored, forms);
      });
    }
  }
});
