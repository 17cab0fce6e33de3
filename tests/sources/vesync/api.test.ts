import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VesyncConnector } from '../../../lib/sources/vesync/api.ts';
import { zoneOffset } from '../../../lib/sources/base.ts';
import { AuthError } from '../../../lib/sources/http/http.ts';
import { startVesyncFake, type VesyncFake } from '../../fakes/vesync.ts';
import { drain, dump, modeOf, quickHttp, range, tempStore } from '../helpers.ts';

let vf: VesyncFake;
let ts: ReturnType<typeof tempStore>;

function connector(over: Partial<ConstructorParameters<typeof VesyncConnector>[0]> = {}) {
  const http = quickHttp();
  return { c: new VesyncConnector({ baseUrl: vf.fake.url, email: vf.email, password: vf.password, tokenStore: ts.store, timeZone: 'America/New_York', pageSize: 2, http, ...over }), http };
}
const at = (iso: string) => Date.parse(iso) / 1000;

beforeEach(async () => {
  vf = await startVesyncFake();
  ts = tempStore();
});
afterEach(async () => {
  await vf.fake.close();
  ts.cleanup();
});

describe('vesync', () => {
  it('logs in with the MD5 password and saves the token (0600)', async () => {
    const { c } = connector();
    await c.authenticate();
    expect(vf.logins).toBe(1);
    expect((await ts.store.get('vesync'))?.extra?.account_id).toBe('8812345');
    expect(modeOf(ts.path)).toBe(0o600);
    const login = JSON.parse(vf.fake.requests[0]!.body) as { password: string };
    expect(login.password).toMatch(/^[0-9a-f]{32}$/);
  });

  it('refuses a wrong password with a clear error', async () => {
    const { c } = connector({ password: 'wrong-password-1' });
    const err = await c.authenticate().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toMatch(/login refused \(code -11201022: password error\)/);
    expect((err as Error).message).not.toContain('wrong-password-1');
  });

  it('pages weigh-ins, treats 0 kg as absent, and places readings on the local day', async () => {
    vf.weighIns.push(
      { timestamp: at('2024-03-01T03:30:00Z'), weigh_kg: 80.2, weigh_lb: 176.8, bodyFat: 18.4, impedence: 512, unit: 'kg' },
      { timestamp: at('2024-03-01T12:00:00Z'), weigh_kg: 0.0, weigh_lb: 0.0, unit: 'kg' },
      { timestamp: at('2024-03-02T12:00:00Z'), weigh_kg: 79.9, unit: 'kg' },
      { timestamp: at('2024-03-03T12:00:00Z'), weigh_kg: 'heavy', unit: 'kg' },
    );
    const { c, http } = connector();
    const pages = await drain(c.fetchBiometrics(range('2024-03-01T00:00:00Z', '2024-03-05T00:00:00Z')));
    expect(pages.map((p) => p.cursor)).toEqual(['{"part":"scale-cid-1","cursor":"2"}', '{"part":"scale-cid-1","cursor":"4"}', null]);
    const bio = pages.flatMap((p) => p.result.biometrics).map((b) => [b.metric_type, b.date, b.value]);
    expect(bio).toEqual([
      ['weight', '2024-02-29', 80.2], // 03:30Z is the evening before in New York
      ['body_fat_pct', '2024-02-29', 18.4],
      ['weight', '2024-03-02', 79.9],
    ]);
    const errs = pages.flatMap((p) => p.result.errors);
    expect(errs).toEqual([expect.objectContaining({ record: `weigh-in at ${at('2024-03-03T12:00:00Z')}`, field: 'weigh_kg' })]);
    expect(dump(pages) + dump(http.logs)).not.toContain(vf.token);
  });

  it('logs in again when the cloud reports an expired token', async () => {
    await ts.store.set('vesync', { access_token: 'stale-vesync-token', extra: { account_id: '8812345' } });
    vf.weighIns.push({ timestamp: at('2024-03-02T12:00:00Z'), weigh_kg: 79.9 });
    const { c, http } = connector();
    const pages = await drain(c.fetchBiometrics(range('2024-03-01T00:00:00Z', '2024-03-05T00:00:00Z')));
    expect(vf.logins).toBe(1);
    expect(pages.flatMap((p) => p.result.biometrics)).toHaveLength(1);
    expect((await ts.store.get('vesync'))?.access_token).toBe(vf.token);
    expect(dump(http.logs) + dump(pages)).not.toContain('stale-vesync-token');
  });

  it('computes zone offsets from the IANA zone, not the process zone', () => {
    expect(zoneOffset('America/New_York', new Date('2024-03-01T12:00:00Z'))).toBe(-300);
    expect(zoneOffset('America/New_York', new Date('2024-07-01T12:00:00Z'))).toBe(-240);
    expect(zoneOffset('UTC', new Date('2024-07-01T12:00:00Z'))).toBe(0);
  });
});
