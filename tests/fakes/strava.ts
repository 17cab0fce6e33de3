/** A fake Strava API v3: OAuth, athlete activities with after/before/page/per_page, streams, rate-limit headers. */
import { FakeOAuth } from './oauth.ts';
import { startFake, type Fake } from './server.ts';

/** A SummaryActivity in Strava's own field names and units. */
export function stravaActivity(id: number, startIso: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    resource_state: 2,
    athlete: { id: 134815, resource_state: 1 },
    name: `Run ${id}`,
    distance: 10012.4,
    moving_time: 2950,
    elapsed_time: 3061,
    total_elevation_gain: 84.2,
    type: 'Run',
    sport_type: 'Run',
    id,
    start_date: startIso,
    // Strava writes local wall time with a Z suffix; the fake's athlete is at UTC+01:00.
    start_date_local: new Date(Date.parse(startIso) + 3_600_000).toISOString().replace('.000', ''),
    timezone: '(GMT+01:00) Europe/Zurich',
    utc_offset: 3600,
    average_speed: 3.394,
    max_speed: 5.1,
    average_heartrate: 151.3,
    max_heartrate: 178,
    average_cadence: 86.4,
    trainer: false,
    manual: false,
    external_id: `garmin_ping_${id * 7}`,
    upload_id: id * 3,
    start_latlng: [47.37, 8.54],
    map: { id: `a${id}`, summary_polyline: 'ki{eFvqfiVqAWQIGEEKAYJgBVqDJ{BHa@jAkNJw@Pw@V{APs@^aABQAOEQGKoJ_FuJkFqAo@', resource_state: 2 },
    ...over,
  };
}

/** Fake server state. */
export interface StravaFake {
  fake: Fake;
  oauth: FakeOAuth;
  activities: Array<Record<string, unknown>>;
  /** Streams response (`key_by_type=true`) by activity id; others get a short default track. */
  streams: Map<string, Record<string, unknown>>;
  usage: { limit: string; usage: string };
}

/** Start a fake Strava. */
export async function startStravaFake(clientId = 'cid-strava', clientSecret = 'csecret-strava-123'): Promise<StravaFake> {
  const oauth = new FakeOAuth(clientId, clientSecret);
  const state: StravaFake = { fake: undefined as unknown as Fake, oauth, activities: [], streams: new Map(), usage: { limit: '200,2000', usage: '15,300' } };
  state.fake = await startFake((r) => {
    const rl = { 'X-RateLimit-Limit': state.usage.limit, 'X-RateLimit-Usage': state.usage.usage };
    if (r.path === '/oauth/authorize') return oauth.authorize(r);
    if (r.path === '/oauth/token' && r.method === 'POST') return oauth.token(r);
    if (!oauth.authorized(r)) {
      return { status: 401, headers: rl, body: { message: 'Authorization Error', errors: [{ resource: 'Athlete', field: 'access_token', code: 'invalid' }] } };
    }
    if (r.path === '/api/v3/athlete/activities') {
      const after = Number(r.query.get('after') ?? 0);
      const before = Number(r.query.get('before') ?? 1e12);
      const page = Number(r.query.get('page') ?? 1);
      const per = Number(r.query.get('per_page') ?? 30);
      const list = state.activities
        .filter((a) => {
          const t = Date.parse(String(a.start_date)) / 1000;
          return t > after && t < before;
        })
        .sort((a, b) => Date.parse(String(a.start_date)) - Date.parse(String(b.start_date)));
      return { headers: rl, body: list.slice((page - 1) * per, page * per) };
    }
    const m = /^\/api\/v3\/activities\/(\d+)\/streams$/.exec(r.path);
    if (m) {
      if (r.query.get('key_by_type') !== 'true') return { status: 400, body: { message: 'Bad Request' } };
      const own = state.streams.get(m[1]!);
      if (own) return { headers: rl, body: own };
      return {
        headers: rl,
        body: {
          time: { data: [0, 1, 2, 3], series_type: 'distance', original_size: 4, resolution: 'high' },
          latlng: { data: [[47.37, 8.54], [47.3701, 8.5402], [47.3702, 8.5404], [47.3703, 8.5406]] },
          distance: { data: [0, 3.1, 6.3, 9.6] },
          altitude: { data: [408.2, 408.4, 408.5, 408.9] },
          heartrate: { data: [120, 122, null, 125] },
          velocity_smooth: { data: [0, 3.1, 3.2, 3.3] },
        },
      };
    }
    return { status: 404, body: { message: 'Record Not Found' } };
  });
  return state;
}
