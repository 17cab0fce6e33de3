/**
 * A fake Garmin Connect (connectapi + SSO): bearer-checked endpoints serving the
 * recorded response bodies from ../shared/fixtures, an OAuth1→OAuth2 exchange,
 * and an SSO that refuses scripted logins the way Garmin does since 2026.
 */
import { readFixture } from '../helpers/shared.ts';
import { startFake, type Fake, type FakeRequest, type FakeResponse } from './server.ts';

const FIX = 'health/garmin_connect_api';

/** The recorded response body of a fixture file. */
export function garminFixture(name: string): unknown {
  return JSON.parse(readFixture(`${FIX}/${name}`).toString('utf8'));
}

/** A list item of activities/search/activities in Garmin's field names. */
export function garminListItem(id: number, startGmt: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  const local = new Date(Date.parse(`${startGmt.replace(' ', 'T')}Z`) - 6 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
  return {
    activityId: id,
    activityName: `Ride ${id}`,
    startTimeLocal: local,
    startTimeGMT: startGmt,
    activityType: { typeId: 2, typeKey: 'road_biking', parentTypeId: 17 },
    distance: 40210.5,
    duration: 5400.2,
    elapsedDuration: 5600.7,
    movingDuration: 5300,
    elevationGain: 412,
    averageHR: 138,
    maxHR: 171,
    calories: 1104,
    avgPower: 201,
    maxPower: 640,
    averageBikingCadenceInRevPerMinute: 88,
    hasPolyline: true,
    ...over,
  };
}

/** `2026-01-08T14:10:21.0` (the detail's time text) as the list writes it: `2026-01-08 14:10:21`. */
const listTime = (t: string): string => t.replace('T', ' ').replace(/\.\d+$/, '');

/** The parts of an activity detail response (activity-service/activity/{id}) the list item is made from. */
export interface GarminDetail {
  activityId: number;
  activityName: string;
  activityTypeDTO: Record<string, unknown>;
  metadataDTO?: { hasPolyline?: boolean };
  summaryDTO: { startTimeGMT: string; startTimeLocal: string; averageRunCadence?: number; maxRunCadence?: number; averagePower?: number } & Record<string, unknown>;
}

/**
 * The item activities/search/activities lists for the activity of a recorded
 * detail response: the same summary under the list's field names.
 */
export function garminListItemOf(detail: GarminDetail): Record<string, unknown> {
  const { startTimeGMT, startTimeLocal, averageRunCadence, maxRunCadence, averagePower, ...summary } = detail.summaryDTO;
  return {
    activityId: detail.activityId,
    activityName: detail.activityName,
    activityType: detail.activityTypeDTO,
    ...summary,
    startTimeGMT: listTime(startTimeGMT),
    startTimeLocal: listTime(startTimeLocal),
    averageRunningCadenceInStepsPerMinute: averageRunCadence,
    maxRunningCadenceInStepsPerMinute: maxRunCadence,
    avgPower: averagePower,
    hasPolyline: detail.metadataDTO?.hasPolyline,
  };
}

/** One weigh-in of the weight service: grams, `date` the local wall clock (UTC+2 here) and `timestampGMT` the instant, both epoch ms. */
export function garminWeighIn(timestampGMT: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  const t = Date.parse(timestampGMT);
  return { samplePk: t, date: t + 2 * 3_600_000, calendarDate: new Date(t + 2 * 3_600_000).toISOString().slice(0, 10), timestampGMT: t, sourceType: 'INDEX_SCALE', ...over };
}

/** Fake server state. */
export interface GarminFake {
  fake: Fake;
  accessToken: string;
  oauth1: { token: string; secret: string };
  exchanges: number;
  activities: Array<Record<string, unknown>>;
  /** What weight-service/weight/dateRange lists. */
  weighIns: Array<Record<string, unknown>>;
  /** What the SSO does with a login: 'block403', 'block429' or 'challenge'. */
  sso: 'block403' | 'block429' | 'challenge';
}

/** Start a fake Garmin. */
export async function startGarminFake(): Promise<GarminFake> {
  const st: GarminFake = {
    fake: undefined as unknown as Fake,
    accessToken: 'garmin-access-initial-0001',
    oauth1: { token: 'oauth1-token-abcdef', secret: 'oauth1-secret-ghijkl' },
    exchanges: 0,
    activities: [],
    weighIns: [
      garminWeighIn('2025-07-07T06:10:00Z', { weight: 72450, bmi: 22.4, bodyFat: 14.2, muscleMass: 34100 }),
      garminWeighIn('2025-07-07T06:11:00Z', { weight: 0, sourceType: 'MANUAL' }),
    ],
    sso: 'block403',
  };
  st.fake = await startFake((r: FakeRequest): FakeResponse => {
    if (r.path === '/sso/signin') {
      if (st.sso === 'block429') return { status: 429, headers: { 'Retry-After': '3600' }, raw: 'Too Many Requests' };
      if (st.sso === 'challenge') return { status: 200, headers: { 'Content-Type': 'text/html' }, raw: '<html><div id="cf-chl-widget">Just a moment...</div></html>' };
      return { status: 403, headers: { 'Content-Type': 'text/html' }, raw: '<html>Forbidden</html>' };
    }
    if (r.path === '/oauth-service/oauth/exchange/user/2.0' && r.method === 'POST') {
      const auth = String(r.headers.authorization ?? '');
      if (!auth.startsWith('OAuth ') || !auth.includes(`oauth_token="${st.oauth1.token}"`) || !auth.includes('oauth_signature=')) return { status: 401, body: { error: 'bad oauth1' } };
      st.exchanges += 1;
      st.accessToken = `garmin-access-${st.exchanges}-xyz789`;
      return { body: { scope: 'CONNECT_READ', jti: 'j', access_token: st.accessToken, token_type: 'Bearer', refresh_token: `garmin-refresh-${st.exchanges}`, expires_in: 3600, refresh_token_expires_in: 7200 } };
    }
    if (r.headers.authorization !== `Bearer ${st.accessToken}`) return { status: 401, body: { message: 'Unauthorized' } };
    if (r.path === '/activitylist-service/activities/search/activities') {
      const start = Number(r.query.get('start') ?? 0);
      const limit = Number(r.query.get('limit') ?? 20);
      return { body: st.activities.slice(start, start + limit) };
    }
    if (r.path === '/userprofile-service/socialProfile') return { body: { displayName: 'mtamizi', id: 2591602 } };
    if (r.path === '/hrv-service/hrv/2023-07-20') return { body: garminFixture('hrv_2023-07-20.json') };
    if (r.path === '/sleep-service/sleep/dailySleepData' && r.query.get('date') === '2025-07-07') return { body: garminFixture('sleep-service_dailySleepData_2025-07-07.json') };
    if (r.path === '/usersummary-service/usersummary/daily/mtamizi' && r.query.get('calendarDate') === '2025-06-14') return { body: garminFixture('usersummary_daily_2025-06-14.json') };
    if (r.path === '/weight-service/weight/dateRange') {
      return {
        body: {
          startDate: r.query.get('startDate'),
          endDate: r.query.get('endDate'),
          dateWeightList: st.weighIns.filter((w) => String(w.calendarDate) >= String(r.query.get('startDate')) && String(w.calendarDate) <= String(r.query.get('endDate'))),
        },
      };
    }
    // Garmin answers days without data with 204 No Content.
    if (r.path.startsWith('/hrv-service/') || r.path.startsWith('/sleep-service/') || r.path.startsWith('/usersummary-service/')) return { status: 204, raw: '' };
    return { status: 404, body: { message: 'not found' } };
  });
  return st;
}
