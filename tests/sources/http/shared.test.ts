import { describe, expect, it } from 'vitest';
import { chmodSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { redact, redactString, registerSecret } from '../../../lib/core/redact.ts';
import { backoffDelay, standardRetryAfter, stravaRetryAfter } from '../../../lib/sources/http/http.ts';
import { missingScopes, pkceChallenge } from '../../../lib/sources/http/oauth2.ts';
import { chain, nextTokens, offsets, pageNumbers } from '../../../lib/sources/http/paginate.ts';
import { daysOf, parseOffset } from '../../../lib/sources/base.ts';
import { ENV_VARS, configuredConnectors, createConnector, envExample } from '../../../lib/sources/registry.ts';
import { modeOf, tempStore } from '../helpers.ts';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('redact', () => {
  it('blanks secret keys at any depth and bearer strings in text', () => {
    const out = redact({ a: 1, access_token: 'x1', nested: [{ Refresh_Token: 'x2', client_secret: 's', Password: 'p', code_verifier: 'v', ok: 'Bearer abc.def' }], headers: { Authorization: 'Bearer zzz' } });
    expect(out).toEqual({ a: 1, access_token: '[redacted]', nested: [{ Refresh_Token: '[redacted]', client_secret: '[redacted]', Password: '[redacted]', code_verifier: '[redacted]', ok: 'Bearer [redacted]' }], headers: { Authorization: '[redacted]' } });
    expect(redactString('GET /x?access_token=abc123&page=2 failed')).toBe('GET /x?access_token=[redacted]&page=2 failed');
    expect(redactString('{"refresh_token":"r-123","n":1}')).toBe('{"refresh_token":"[redacted]","n":1}');
    registerSecret('very-secret-value-42');
    expect(redactString('saw very-secret-value-42 here')).toBe('saw [redacted] here');
  });
});

describe('token store', () => {
  it('writes atomically with mode 0600, fixes loose permissions, and lists without secrets', async () => {
    const { store, path, cleanup } = tempStore();
    try {
      await store.set('strava', { access_token: 'acc-123456', refresh_token: 'ref-123456', expires_at: 2_000_000_000, scope: 'read' });
      await store.set('whoop', { refresh_token: 'ref-whoop-1', expires_at: 1 });
      expect(modeOf(path)).toBe(0o600);
      expect(modeOf(dirname(path))).toBe(0o700);
      chmodSync(path, 0o644);
      expect((await store.get('strava'))?.refresh_token).toBe('ref-123456');
      expect(modeOf(path)).toBe(0o600);
      const list = await store.list();
      expect(list.map((l) => [l.source, l.hasAccessToken, l.hasRefreshToken, l.expired])).toEqual([
        ['strava', true, true, false],
        ['whoop', false, true, true],
      ]);
      expect(list[0]!.expiresAt).toEqual(new Date(2_000_000_000_000));
      expect(JSON.stringify(list)).not.toMatch(/acc-123456|ref-123456|ref-whoop-1/);
      await store.delete('whoop');
      expect(Object.keys((JSON.parse(readFileSync(path, 'utf8')) as { athletes: { me: object } }).athletes.me)).toEqual(['strava']);
    } finally {
      cleanup();
    }
  });

  it('names the file but never its content when it is corrupt', async () => {
    const { store, path, cleanup } = tempStore();
    try {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, '{"strava": {"access_token": "leaky-token-1"', { mode: 0o600 });
      const err = (await store.get('strava').catch((e: unknown) => e)) as Error;
      expect(err.message).toContain(path);
      expect(err.message).not.toContain('leaky-token-1');
    } finally {
      cleanup();
    }
  });
});

describe('http helpers', () => {
  it('full-jitter backoff stays under the capped exponential', () => {
    expect([0, 1, 2, 3, 10].map((a) => backoffDelay(a, 500, 4000, () => 0.999))).toEqual([499, 999, 1998, 3996, 3996]);
    expect(backoffDelay(3, 500, 4000, () => 0)).toBe(0);
  });
  it('reads Strava and standard rate-limit headers', () => {
    const now = new Date('2024-03-01T23:59:00Z');
    expect(stravaRetryAfter({ 'x-ratelimit-limit': '200,2000', 'x-ratelimit-usage': '200,10' }, now).retryAfter).toBe(60);
    expect(stravaRetryAfter({ 'x-ratelimit-limit': '200,2000', 'x-ratelimit-usage': '10,10', 'x-readratelimit-limit': '100,1000', 'x-readratelimit-usage': '5,1000' }, new Date('2024-03-01T12:00:01Z')).retryAfter).toBe(43199);
    expect(standardRetryAfter({ 'retry-after': '17' }, now).retryAfter).toBe(17);
    expect(standardRetryAfter({ 'x-ratelimit-reset': String(Date.parse('2024-03-02T00:00:00Z') / 1000) }, now).retryAfter).toBe(60);
  });
});

describe('oauth2 helpers', () => {
  it('computes the RFC 7636 appendix B challenge', () => {
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });
  it('lists scopes that were not granted', () => {
    expect(missingScopes(['read', 'activity:read_all'], 'read,activity:read', ['read'])).toEqual(['activity:read_all']);
    expect(missingScopes(['a', 'b'], 'b a')).toEqual([]);
  });
});

describe('pagination', () => {
  it('drives page numbers, tokens, offsets and chains', async () => {
    const data = [1, 2, 3, 4, 5];
    expect((await collect(pageNumbers(async (p) => data.slice((p - 1) * 2, p * 2)))).map((b) => [b.items, b.cursor])).toEqual([
      [[1, 2], '2'],
      [[3, 4], '3'],
      [[5], '4'],
      [[], null],
    ]);
    expect((await collect(offsets(async (o, l) => data.slice(o, o + l), 2, '2'))).map((b) => b.items)).toEqual([[3, 4], [5]]);
    const tok = await collect(nextTokens(async (t) => (t ? { items: ['b'], next: null } : { items: ['a'], next: 'T1' })));
    expect(tok.map((b) => [b.items, b.cursor])).toEqual([
      [['a'], 'T1'],
      [['b'], null],
    ]);
    const parts = ['x', 'y'].map((key) => ({
      key,
      run: async function* (c: string | null) {
        if (!c) yield { page: `${key}1`, cursor: '2' };
        yield { page: `${key}2`, cursor: null };
      },
    }));
    expect((await collect(chain(parts))).map((p) => [p.page, p.cursor])).toEqual([
      ['x1', '{"part":"x","cursor":"2"}'],
      ['x2', '{"part":"y","cursor":null}'],
      ['y1', '{"part":"y","cursor":"2"}'],
      ['y2', null],
    ]);
    expect((await collect(chain(parts, '{"part":"y","cursor":"2"}'))).map((p) => p.page)).toEqual(['y2']);
  });
});

describe('base helpers', () => {
  it('parses offsets and lists days', () => {
    expect([parseOffset('-05:00'), parseOffset('2024-03-02T08:00:00+02:00'), parseOffset('UTC-04:00'), parseOffset('Z'), parseOffset('x')]).toEqual([-300, 120, -240, 0, null]);
    expect(daysOf({ start: new Date('2024-02-28T10:00:00Z'), end: new Date('2024-03-01T00:00:00Z') })).toEqual(['2024-02-28', '2024-02-29']);
  });
});

describe('registry', () => {
  it('lists every variable once and builds configured connectors', async () => {
    const names = ENV_VARS.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of ['STRAVA_CLIENT_ID', 'STRAVA_BASE_URL', 'WHOOP_CLIENT_SECRET', 'OURA_PERSONAL_ACCESS_TOKEN', 'GARMIN_TOKEN_FILE', 'GARMIN_EMAIL', 'GARMIN_PASSWORD', 'VESYNC_EMAIL', 'VESYNC_PASSWORD', 'TOKEN_STORE_PATH']) {
      expect(names).toContain(n);
    }
    expect(ENV_VARS.find((v) => v.name === 'STRAVA_BASE_URL')!.default).toBe('https://www.strava.com');
    expect(ENV_VARS.filter((v) => v.secret).map((v) => v.name)).toEqual(expect.arrayContaining(['STRAVA_CLIENT_SECRET', 'GARMIN_PASSWORD', 'VESYNC_PASSWORD']));
    expect(envExample()).toContain('STRAVA_CLIENT_SECRET=\n');
    const { path, cleanup } = tempStore();
    try {
      const env = { TOKEN_STORE_PATH: path, STRAVA_CLIENT_ID: '1', STRAVA_CLIENT_SECRET: 'x', OURA_PERSONAL_ACCESS_TOKEN: 'pat' };
      expect((await configuredConnectors(env)).map((c) => c.source).sort()).toEqual(['oura', 'strava']);
      expect((await createConnector('whoop', env)).isConfigured()).toBe(false);
      await expect(createConnector('fitbit', env)).rejects.toThrow(/unknown API source "fitbit"/);
    } finally {
      cleanup();
    }
  });
});
