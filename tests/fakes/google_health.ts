/**
 * A fake Google Health API v4 and Google OAuth, built from the REST
 * reference: `GET /v4/users/me/dataTypes/{type}/dataPoints` with an AIP-160
 * `filter` (checked against the field each data type documents), `pageSize`
 * (at most 25 for exercise and sleep, 10000 otherwise), `pageToken` and
 * `nextPageToken`, points newest first; `:exportExerciseTcx?alt=media`;
 * Google's error body `{error: {code, message, status}}`; the OAuth consent
 * page (PKCE required) and token endpoint, which can refuse an expired
 * refresh token as Google does (`invalid_grant`, "Token has been expired or
 * revoked.").
 */
import { FakeOAuth } from './oauth.ts';
import { formOf, startFake, type Fake, type FakeRequest, type FakeResponse } from './server.ts';

/** Fake server state. */
export interface GoogleHealthFake {
  fake: Fake;
  oauth: FakeOAuth;
  /** Data points by data type (`exercise`, `heart-rate`, ...). */
  points: Record<string, Array<Record<string, unknown>>>;
  /** TCX text by exercise id. */
  tcx: Record<string, string>;
  /** Refuse every refresh token, as Google does once a testing-mode project's 7 days are up. */
  expireRefreshTokens: boolean;
  /** Scopes the user unticks on Google's consent page (granular consent). */
  deniedScopes: string[];
}

/** Google's JSON error body. */
export function googleError(code: number, status: string, message: string): FakeResponse {
  return { status: code, body: { error: { code, message, status } } };
}

const FILTER = /^(\S+) >= "([^"]+)" AND (\S+) < "([^"]+)"$/;

/** The filter field the REST reference documents for each data type, and how a point's value of it is found. */
function fieldOf(type: string): { field: string; value: (p: Record<string, unknown>) => string } {
  const snake = type.replace(/-/g, '_');
  const get = (p: Record<string, unknown>, ...path: string[]) => path.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], p);
  const camel = snake.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  if (type === 'exercise') {
    return {
      field: 'exercise.interval.civil_start_time',
      value: (p) => {
        const i = get(p, 'exercise', 'interval') as { startTime: string; startUtcOffset: string };
        return new Date(Date.parse(i.startTime) + Number(i.startUtcOffset.slice(0, -1)) * 1000).toISOString().slice(0, 19);
      },
    };
  }
  if (type === 'sleep') return { field: 'sleep.interval.end_time', value: (p) => String(get(p, 'sleep', 'interval', 'endTime')) };
  if (type.startsWith('daily-')) {
    return {
      field: `${snake}.date`,
      value: (p) => {
        const d = get(p, camel, 'date') as { year: number; month: number; day: number };
        return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
      },
    };
  }
  return { field: `${snake}.sample_time.physical_time`, value: (p) => String(get(p, camel, 'sampleTime', 'physicalTime')) };
}

/** A bound of a filter in the form of the stored values: instants compared as epoch ms, civil times and dates as text. */
function comparable(v: string): string | number {
  return /[Zz]$|[+-]\d{2}:\d{2}$/.test(v) ? Date.parse(v) : v;
}

function list(state: GoogleHealthFake, type: string, r: FakeRequest): FakeResponse {
  const all = state.points[type];
  if (!all) return googleError(404, 'NOT_FOUND', `data type ${type} not found`);
  const filter = r.query.get('filter') ?? '';
  const m = FILTER.exec(filter);
  const { field, value } = fieldOf(type);
  if (!m || m[1] !== field || m[3] !== field) return googleError(400, 'INVALID_ARGUMENT', `Invalid filter: ${filter}`);
  const from = comparable(m[2]!);
  const to = comparable(m[4]!);
  const keyOf = (p: Record<string, unknown>) => comparable(value(p));
  const session = type === 'exercise' || type === 'sleep';
  const size = Math.min(Number(r.query.get('pageSize') ?? (session ? 25 : 1440)), session ? 25 : 10000);
  const selected = all.filter((p) => keyOf(p) >= from && keyOf(p) < to).sort((a, b) => (keyOf(a) < keyOf(b) ? 1 : keyOf(a) > keyOf(b) ? -1 : 0));
  let offset = 0;
  const token = r.query.get('pageToken');
  if (token) {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString()) as { offset: number; filter: string };
    if (t.filter !== filter) return googleError(400, 'INVALID_ARGUMENT', 'page token does not match the request');
    offset = t.offset;
  }
  const page = selected.slice(offset, offset + size);
  const next = offset + size < selected.length ? Buffer.from(JSON.stringify({ offset: offset + size, filter })).toString('base64url') : undefined;
  return { body: next ? { dataPoints: page, nextPageToken: next } : { dataPoints: page } };
}

/** Start a fake Google Health API with Google's OAuth endpoints on the same host. */
export async function startGoogleHealthFake(clientId = 'cid-google-health', clientSecret = 'csecret-google-health-321'): Promise<GoogleHealthFake> {
  const oauth = new FakeOAuth(clientId, clientSecret);
  oauth.requirePkce = true;
  oauth.expiresIn = 3599;
  const state: GoogleHealthFake = { fake: undefined as unknown as Fake, oauth, points: {}, tcx: {}, expireRefreshTokens: false, deniedScopes: [] };
  state.fake = await startFake((r) => {
    if (r.path === '/o/oauth2/v2/auth') {
      if (r.query.get('response_type') !== 'code' || r.query.get('code_challenge_method') !== 'S256') return { status: 400, raw: 'invalid_request' };
      // Google names the granted scopes on the redirect and in the token answer.
      const granted = (r.query.get('scope') ?? '').split(' ').filter((x) => x && !state.deniedScopes.includes(x)).join(' ');
      oauth.grantedScope = granted;
      oauth.extra = { scope: granted };
      return oauth.authorize(r);
    }
    if (r.path === '/token' && r.method === 'POST') {
      if (state.expireRefreshTokens && formOf(r).grant_type === 'refresh_token') {
        return { status: 400, body: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' } };
      }
      return oauth.token(r);
    }
    if (!oauth.authorized(r)) return googleError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token.');
    const tcx = /^\/v4\/users\/me\/dataTypes\/exercise\/dataPoints\/([^/:]+):exportExerciseTcx$/.exec(r.path);
    if (tcx) {
      const text = state.tcx[tcx[1]!];
      if (!text) return googleError(404, 'NOT_FOUND', 'No GPS data for this exercise');
      if (r.query.get('alt') !== 'media') return { body: { tcxData: text } };
      return { headers: { 'Content-Type': 'application/vnd.garmin.tcx+xml' }, raw: text };
    }
    const listing = /^\/v4\/users\/me\/dataTypes\/([a-z0-9-]+)\/dataPoints$/.exec(r.path);
    if (listing && r.method === 'GET') return list(state, listing[1]!, r);
    return googleError(404, 'NOT_FOUND', `no route ${r.method} ${r.path}`);
  });
  return state;
}
