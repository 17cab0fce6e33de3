/** A fake VeSync cloud: login with an MD5 password, device list, fat-scale weigh-ins paged by index. */
import { createHash } from 'node:crypto';
import { startFake, type Fake, type FakeRequest, type FakeResponse } from './server.ts';

/** Fake server state. */
export interface VesyncFake {
  fake: Fake;
  email: string;
  password: string;
  token: string;
  logins: number;
  weighIns: Array<Record<string, unknown>>;
}

/** Start a fake VeSync cloud. */
export async function startVesyncFake(): Promise<VesyncFake> {
  const st: VesyncFake = { fake: undefined as unknown as Fake, email: 'me@example.com', password: 'scale-pass-999', token: '', logins: 0, weighIns: [] };
  st.fake = await startFake((r: FakeRequest): FakeResponse => {
    const body = (r.body ? JSON.parse(r.body) : {}) as Record<string, unknown>;
    if (r.path === '/cloud/v1/user/login') {
      const md5 = createHash('md5').update(st.password).digest('hex');
      if (body.email !== st.email || body.password !== md5 || body.method !== 'login') return { body: { traceId: '1', code: -11201022, msg: 'password error' } };
      st.logins += 1;
      st.token = `vesync-token-${st.logins}-abcdef`;
      return { body: { traceId: '1', code: 0, msg: 'request success', result: { accountID: '8812345', token: st.token, acceptLanguage: 'en', countryCode: 'US' } } };
    }
    if (r.headers.tk !== st.token || body.token !== st.token) return { body: { traceId: '1', code: -11012022, msg: 'token expired' } };
    if (r.path === '/cloud/v1/deviceManaged/devices') {
      return {
        body: {
          code: 0,
          msg: 'request success',
          result: {
            total: 2,
            list: [
              { deviceName: 'Outlet', deviceType: 'wifi-switch-1.3', type: 'wifi-switch', cid: 'plug-1', configModule: 'WifiSmartOutlet' },
              { deviceName: 'Smart Fitness Scale', deviceType: 'ESF-551', type: 'fat-scale', cid: 'scale-cid-1', configModule: 'EtekcityScale' },
            ],
          },
        },
      };
    }
    if (r.path === '/cloud/v1/deviceManaged/fatScale/getWeighData') {
      if (body.cid !== 'scale-cid-1') return { body: { code: -1, msg: 'no device' } };
      const start = Number(body.startTime);
      const end = Number(body.endTime);
      const inWin = st.weighIns.filter((w) => Number(w.timestamp) >= start && Number(w.timestamp) <= end);
      const index = Number(body.index);
      const size = Number(body.pageSize);
      return { body: { code: 0, msg: 'request success', result: { data: inWin.slice(index, index + size), pageSize: size, index } } };
    }
    return { status: 404, body: { code: -1, msg: 'not found' } };
  });
  return st;
}
