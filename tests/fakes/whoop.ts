/** A fake WHOOP API v2: OAuth (with PKCE check), collections with start/end/limit/nextToken. */
import { FakeOAuth } from './oauth.ts';
import { startFake, type Fake, type FakeRequest } from './server.ts';

/** Fake server state: records per collection path. */
export interface WhoopFake {
  fake: Fake;
  oauth: FakeOAuth;
  collections: Record<string, Array<Record<string, unknown>>>;
}

/** A scored v2 workout in WHOOP's field names and units. */
export function whoopWorkout(id: string, start: string, end: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    v1_id: null,
    user_id: 10129,
    created_at: end,
    updated_at: end,
    start,
    end,
    timezone_offset: '-05:00',
    sport_name: 'running',
    sport_id: 0,
    score_state: 'SCORED',
    score: {
      strain: 8.2463,
      average_heart_rate: 123,
      max_heart_rate: 146,
      kilojoule: 1569.34,
      percent_recorded: 100,
      distance_meter: 1772.77,
      altitude_gain_meter: 46.64,
      altitude_change_meter: -0.78,
      zone_durations: { zone_zero_milli: 13458, zone_one_milli: 389370, zone_two_milli: 388367, zone_three_milli: 71137, zone_four_milli: 0, zone_five_milli: 0 },
    },
    ...over,
  };
}

/** A scored v2 sleep. */
export function whoopSleep(id: string, start: string, end: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    cycle_id: 93845,
    user_id: 10129,
    start,
    end,
    timezone_offset: '-05:00',
    nap: false,
    score_state: 'SCORED',
    score: {
      stage_summary: {
        total_in_bed_time_milli: 30272735,
        total_awake_time_milli: 1403507,
        total_no_data_time_milli: 0,
        total_light_sleep_time_milli: 14905851,
        total_slow_wave_sleep_time_milli: 6630370,
        total_rem_sleep_time_milli: 5879573,
        sleep_cycle_count: 3,
        disturbance_count: 12,
      },
      sleep_needed: { baseline_milli: 27395716, need_from_sleep_debt_milli: 352230, need_from_recent_strain_milli: 208595, need_from_recent_nap_milli: -12312 },
      respiratory_rate: 16.11328125,
      sleep_performance_percentage: 98,
      sleep_consistency_percentage: 90,
      sleep_efficiency_percentage: 91.69533848,
    },
    ...over,
  };
}

/** A scored v2 recovery. */
export function whoopRecovery(cycleId: number, sleepId: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    cycle_id: cycleId,
    sleep_id: sleepId,
    user_id: 10129,
    created_at: '2024-03-02T11:25:44.774Z',
    updated_at: '2024-03-02T14:25:44.774Z',
    score_state: 'SCORED',
    score: { user_calibrating: false, recovery_score: 44, resting_heart_rate: 64, hrv_rmssd_milli: 31.813562, spo2_percentage: 95.6875, skin_temp_celsius: 33.7 },
    ...over,
  };
}

/** A scored v2 cycle. */
export function whoopCycle(id: number, start: string, end: string | null, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    user_id: 10129,
    created_at: start,
    updated_at: start,
    start,
    end,
    timezone_offset: '-05:00',
    score_state: 'SCORED',
    score: { strain: 5.2951527, kilojoule: 8288.297, average_heart_rate: 68, max_heart_rate: 141 },
    ...over,
  };
}

function startOf(rec: Record<string, unknown>): number {
  return Date.parse(String(rec.start ?? rec.created_at));
}

/** Start a fake WHOOP. */
export async function startWhoopFake(clientId = 'cid-whoop', clientSecret = 'csecret-whoop-456'): Promise<WhoopFake> {
  const oauth = new FakeOAuth(clientId, clientSecret);
  oauth.requirePkce = true;
  const state: WhoopFake = { fake: undefined as unknown as Fake, oauth, collections: {} };
  state.fake = await startFake((r: FakeRequest) => {
    if (r.path === '/oauth/oauth2/auth') return oauth.authorize(r);
    if (r.path === '/oauth/oauth2/token') return oauth.token(r);
    if (!oauth.authorized(r)) return { status: 401, body: { message: 'Unauthorized' } };
    const byId = /^\/developer\/v2\/activity\/sleep\/([^/]+)$/.exec(r.path);
    if (byId) {
      const s = (state.collections['/developer/v2/activity/sleep'] ?? []).find((x) => x.id === byId[1]);
      return s ? { body: s } : { status: 404, body: { message: 'not found' } };
    }
    const list = state.collections[r.path];
    if (!list) return { status: 404, body: { message: 'not found' } };
    const limit = Number(r.query.get('limit') ?? 10);
    if (limit > 25) return { status: 400, body: { message: 'limit must be <= 25' } };
    const start = Date.parse(r.query.get('start') ?? '1970-01-01T00:00:00Z');
    const end = Date.parse(r.query.get('end') ?? '2100-01-01T00:00:00Z');
    const inWin = list.filter((x) => startOf(x) >= start && startOf(x) < end).sort((a, b) => startOf(b) - startOf(a));
    const offset = Number(r.query.get('nextToken') ? Buffer.from(r.query.get('nextToken')!, 'base64url').toString() : 0);
    const records = inWin.slice(offset, offset + limit);
    const next = offset + limit < inWin.length ? Buffer.from(String(offset + limit)).toString('base64url') : null;
    return { headers: { 'X-RateLimit-Limit': '100, 100;window=60', 'X-RateLimit-Remaining': '98', 'X-RateLimit-Reset': '42' }, body: { records, next_token: next } };
  });
  return state;
}
