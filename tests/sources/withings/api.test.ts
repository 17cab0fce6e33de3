import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WithingsConnector } from '../../../lib/sources/withings/api.ts';
import { startWithingsFake, type WithingsFake } from '../../fakes/withings.ts';
import { drain, dump, modeOf, quickHttp, range, tempStore } from '../helpers.ts';

let wf: WithingsFake;
let ts: ReturnType<typeof tempStore>;
const at = (iso: string) => Date.parse(iso) / 1000;
function group(grpid: number, iso: string, measures: Array<[number, number, number]>, category = 1) {
  return { grpid, attrib: 0, date: at(iso), created: at(iso), modified: at(iso), category, deviceid: 'dev1', measures: measures.map(([value, type, unit]) => ({ value, type, unit, algo: 0, fm: 131 })) };
}
function connector() {
  const http = quickHttp();
  return { c: new WithingsConnector({ baseUrl: wf.fake.url, authBaseUrl: wf.fake.url, clientId: 'cid-withings', clientSecret: 'csecret-withings-321', tokenStore: ts.store, http }), http };
}

beforeEach(async () => {
  wf = await startWithingsFake();
  ts = tempStore();
});
afterEach(async () => {
  await wf.fake.close();
  ts.cleanup();
});

describe('withings', () => {
  it('authorises through the enveloped token endpoint', async () => {
    const { c } = connector();
    let url = '';
    const done = c.authorize({ onUrl: (u) => (url = u) });
    await new Promise((r) => setTimeout(r, 20));
    expect(new URL(url).searchParams.get('scope')).toBe('user.metrics,user.activity');
    await fetch(url);
    await done;
    expect((await ts.store.get('withings'))?.access_token).toBe(wf.oauth.accessToken);
    expect(modeOf(ts.path)).toBe(0o600);
  });

  it('decodes value x 10^unit, pages with offset/more, skips objectives and refreshes on status 401', async () => {
    const old = wf.oauth.refreshToken;
    await ts.store.set('withings', { access_token: 'revoked-withings', refresh_token: old, expires_at: Math.floor(Date.now() / 1000) + 3600 });
    wf.groups.push(
      group(1, '2024-03-01T23:30:00Z', [[72450, 1, -3], [1823, 6, -2]]), // 00:30 in Paris: the next local day
      group(2, '2024-03-02T06:00:00Z', [[70000, 1, -3]], 2),
      group(3, '2024-03-03T06:00:00Z', [[7180, 1, -2], [3410, 76, -2]]),
      group(4, '2024-03-04T06:00:00Z', [[0, 1, 0]]),
    );
    const { c, http } = connector();
    const pages = await drain(c.fetchBiometrics(range('2024-03-01T00:00:00Z', '2024-03-05T00:00:00Z')));
    expect(pages.map((p) => p.cursor)).toEqual(['2', null]);
    const bio = pages.flatMap((p) => p.result.biometrics).map((b) => [b.metric_type, b.date, b.value]);
    expect(bio).toEqual([
      ['weight', '2024-03-02', 72.45],
      ['body_fat_pct', '2024-03-02', 18.23],
      ['weight', '2024-03-03', 71.8],
      ['muscle_mass', '2024-03-03', 34.1],
    ]);
    expect(wf.oauth.refreshCount).toBe(1);
    expect((await ts.store.get('withings'))?.refresh_token).toBe(wf.oauth.refreshToken);
    const text = dump(pages) + dump(http.logs);
    for (const s of ['revoked-withings', old, wf.oauth.accessToken, wf.oauth.refreshToken, 'csecret-withings-321']) expect(text).not.toContain(s);
  });
});
