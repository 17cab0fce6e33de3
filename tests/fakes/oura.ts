/** A fake Oura API v2: OAuth token endpoint, usercollections with start_date/end_date/next_token. */
import { FakeOAuth } from './oauth.ts';
import { startFake, type Fake } from './server.ts';

/** Fake server state. */
export interface OuraFake {
  fake: Fake;
  oauth: FakeOAuth;
  /** Personal access token also accepted. */
  pat: string;
  collections: Record<string, Array<Record<string, unknown>>>;
  pageSize: number;
}

/** A long_sleep period in Oura's field names (durations in s, HRV ms), from the evening before `day` to its morning. */
export function ouraSleep(id: string, day: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  const eve = new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  return {
    id,
    average_breath: 14.75,
    average_heart_rate: 52.25,
    average_hrv: 61,
    awake_time: 2310,
    bedtime_end: `${day}T06:47:52+02:00`,
    bedtime_start: `${eve}T23:01:22+02:00`,
    day,
    deep_sleep_duration: 5250,
    efficiency: 91,
    latency: 690,
    light_sleep_duration: 15180,
    lowest_heart_rate: 47,
    period: 0,
    rem_sleep_duration: 5040,
    time_in_bed: 27990,
    total_sleep_duration: 25470,
    type: 'long_sleep',
    ...over,
  };
}

/** Start a fake Oura. */
export async function startOuraFake(clientId = 'cid-oura', clientSecret = 'csecret-oura-789'): Promise<OuraFake> {
  const oauth = new FakeOAuth(clientId, clientSecret);
  const state: OuraFake = { fake: undefined as unknown as Fake, oauth, pat: 'PAT-oura-0123456789', collections: {}, pageSize: 2 };
  state.fake = await startFake((r) => {
    if (r.path === '/oauth/authorize') return oauth.authorize(r);
    if (r.path === '/oauth/token') return oauth.token(r);
    if (!oauth.authorized(r) && r.headers.authorization !== `Bearer ${state.pat}`) return { status: 401, body: { detail: 'Unauthorized' } };
    const m = /^\/v2\/usercollection\/(\w+)$/.exec(r.path);
    const list = m ? state.collections[m[1]!] : undefined;
    if (!list) return { status: 404, body: { detail: 'Not Found' } };
    const start = r.query.get('start_date') ?? '0000-00-00';
    const end = r.query.get('end_date') ?? '9999-99-99';
    const inWin = list.filter((x) => String(x.day) >= start && String(x.day) <= end);
    const offset = Number(r.query.get('next_token') ?? 0);
    const data = inWin.slice(offset, offset + state.pageSize);
    return { body: { data, next_token: offset + state.pageSize < inWin.length ? String(offset + state.pageSize) : null } };
  });
  return state;
}
