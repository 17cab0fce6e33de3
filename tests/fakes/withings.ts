/** A fake Withings API: enveloped `{status, body}` answers with HTTP 200, getmeas paged by offset/more. */
import { FakeOAuth } from './oauth.ts';
import { formOf, startFake, type Fake, type FakeRequest, type FakeResponse } from './server.ts';

/** Fake server state. */
export interface WithingsFake {
  fake: Fake;
  oauth: FakeOAuth;
  groups: Array<Record<string, unknown>>;
  pageSize: number;
}

/** Start a fake Withings. */
export async function startWithingsFake(): Promise<WithingsFake> {
  const oauth = new FakeOAuth('cid-withings', 'csecret-withings-321');
  const st: WithingsFake = { fake: undefined as unknown as Fake, oauth, groups: [], pageSize: 2 };
  st.fake = await startFake((r: FakeRequest): FakeResponse => {
    if (r.path === '/oauth2_user/authorize2') return oauth.authorize(r);
    if (r.path === '/v2/oauth2') {
      if (formOf(r).action !== 'requesttoken') return { body: { status: 503, error: 'Invalid params' } };
      const t = oauth.token(r);
      return { body: t.status && t.status !== 200 ? { status: 503, error: 'invalid grant' } : { status: 0, body: { userid: '363', ...(t.body as object) } } };
    }
    if (!oauth.authorized(r)) return { body: { status: 401, body: {}, error: 'XRequestID: Not provided invalid_token' } };
    if (r.path === '/measure') {
      const f = formOf(r);
      if (f.action !== 'getmeas') return { body: { status: 2555, error: 'unknown action' } };
      const s = Number(f.startdate);
      const e = Number(f.enddate);
      const win = st.groups.filter((g) => Number(g.date) >= s && Number(g.date) <= e);
      const off = Number(f.offset ?? 0);
      const page = win.slice(off, off + st.pageSize);
      const more = off + st.pageSize < win.length;
      return { body: { status: 0, body: { updatetime: 1709300000, timezone: 'Europe/Paris', measuregrps: page, more: more ? 1 : 0, ...(more ? { offset: off + st.pageSize } : {}) } } };
    }
    return { body: { status: 2555, error: 'not found' } };
  });
  return st;
}
