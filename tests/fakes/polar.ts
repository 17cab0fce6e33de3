/**
 * A fake Polar AccessLink v3: authorize redirect, token endpoint with HTTP
 * Basic client auth (answer carries x_user_id), user registration (201, then
 * 409), and exercise transactions that stay on offer until committed (PUT).
 */
import { randomBytes } from 'node:crypto';
import { formOf, startFake, type Fake, type FakeRequest, type FakeResponse } from './server.ts';

/** Fake state shared with the test. */
export interface PolarFake {
  fake: Fake;
  clientId: string;
  clientSecret: string;
  userId: number;
  accessToken: string;
  /** Exercises not yet committed, by id. */
  pending: Map<string, Record<string, unknown>>;
  /** Users registered to the client (member ids). */
  registered: string[];
  /** Transactions created, with the exercise ids each offered. */
  transactions: Map<number, string[]>;
  committed: number[];
  /** `/v3/users/sleep` nights and `/v3/users/nightly-recharge` recharges. */
  nights: Array<Record<string, unknown>>;
  recharges: Array<Record<string, unknown>>;
}

/** An exercise summary in AccessLink's field names. */
export function polarExercise(id: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    'upload-time': '2024-03-01T10:05:00.000Z',
    'polar-user': 'https://www.polaraccesslink.com/v3/users/1',
    device: 'Polar Vantage V2',
    'start-time': '2024-03-01T07:30:00',
    'start-time-utc-offset': 120,
    duration: 'PT1H2M3.500S',
    calories: 712,
    distance: 10234.5,
    'heart-rate': { average: 148, maximum: 176 },
    'training-load': 93.4,
    sport: 'RUNNING',
    'has-route': true,
    'detailed-sport-info': 'TRAIL_RUNNING',
    ...over,
  };
}

/** Start the fake. */
export async function startPolarFake(clientId = 'cid-polar', clientSecret = 'csecret-polar-789'): Promise<PolarFake> {
  const codes = new Map<string, string>();
  let nextTx = 100;
  const state: Omit<PolarFake, 'fake'> = {
    clientId,
    clientSecret,
    userId: 4242,
    accessToken: `pol_${randomBytes(8).toString('hex')}`,
    pending: new Map(),
    registered: [],
    transactions: new Map(),
    committed: [],
    nights: [],
    recharges: [],
  };
  const txPath = `/v3/users/${state.userId}/exercise-transactions`;
  const fake = await startFake((r: FakeRequest): FakeResponse => {
    if (r.path === '/oauth2/authorization') {
      const code = `code_${randomBytes(6).toString('hex')}`;
      const redirect = r.query.get('redirect_uri') ?? '';
      codes.set(code, redirect);
      const to = new URL(redirect);
      to.searchParams.set('code', code);
      to.searchParams.set('state', r.query.get('state') ?? '');
      return { status: 302, headers: { Location: to.toString() }, raw: '' };
    }
    if (r.path === '/v2/oauth2/token') {
      const basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
      if (r.headers.authorization !== basic) return { status: 401, body: { error: 'invalid_client' } };
      const f = formOf(r);
      if (f.grant_type !== 'authorization_code' || !f.code || codes.get(f.code) !== f.redirect_uri) return { status: 400, body: { error: 'invalid_grant' } };
      codes.delete(f.code);
      return { body: { access_token: state.accessToken, token_type: 'bearer', expires_in: 315359999, x_user_id: state.userId } };
    }
    if (r.headers.authorization !== `Bearer ${state.accessToken}`) return { status: 401, body: { error: 'unauthorized' } };
    if (r.path === '/v3/users/sleep') return { body: { nights: state.nights } };
    if (r.path === '/v3/users/nightly-recharge') return { body: { recharges: state.recharges } };
    if (r.path === '/v3/users' && r.method === 'POST') {
      const member = (JSON.parse(r.body) as { 'member-id'?: string })['member-id'] ?? '';
      if (state.registered.length > 0) return { status: 409, body: { error: 'user already registered' } };
      state.registered.push(member);
      return { status: 201, body: { 'polar-user-id': state.userId, 'member-id': member } };
    }
    if (r.path === txPath && r.method === 'POST') {
      if (state.pending.size === 0) return { status: 204, raw: '' };
      const id = nextTx++;
      state.transactions.set(id, [...state.pending.keys()]);
      return { status: 201, body: { 'transaction-id': id, 'resource-uri': `${fake.url}${txPath}/${id}` } };
    }
    const tx = new RegExp(`^${txPath}/(\\d+)(?:/exercises/([^/]+))?$`).exec(r.path);
    if (tx) {
      const id = Number(tx[1]);
      const ids = state.transactions.get(id);
      if (!ids) return { status: 404, body: { error: 'no such transaction' } };
      if (r.method === 'PUT') {
        for (const e of ids) state.pending.delete(e);
        state.transactions.delete(id);
        state.committed.push(id);
        return { status: 200, raw: '' };
      }
      if (tx[2]) {
        const e = state.pending.get(tx[2]);
        return e ? { body: e } : { status: 404, body: { error: 'no such exercise' } };
      }
      return { body: { exercises: ids.map((e) => `${fake.url}${txPath}/${id}/exercises/${e}`) } };
    }
    return { status: 404, body: { error: `no route ${r.method} ${r.path}` } };
  });
  return Object.assign(state, { fake });
}
