/**
 * The Strava refresh token of the earlier version's .env, carried into the
 * token store by the migration, lets the next sync continue without a new
 * consent: the connector refreshes with it against a fake Strava.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { migrateLegacy } from '../../lib/ingest/migrate.ts';
import { TokenStore } from '../../lib/sources/http/token_store.ts';
import { StravaConnector } from '../../lib/sources/strava/api.ts';
import { startStravaFake, stravaActivity, type StravaFake } from '../fakes/strava.ts';
import { drain, quickHttp, range } from '../sources/helpers.ts';
import { PLANTED, writeOldCheckout } from '../sources/legacy/old_checkout.ts';

let dir: string;
let sf: StravaFake;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'migrate-token-'));
  sf = await startStravaFake();
});
afterAll(async () => {
  await sf.fake.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the migrated Strava token', () => {
  it('is refreshed by the next sync, which then fetches activities without a new consent', async () => {
    const checkout = join(dir, 'old');
    mkdirSync(checkout);
    // Early shape: no data_sources table, so the token comes from its .env.
    await writeOldCheckout(checkout, 'early');
    sf.oauth.refreshToken = PLANTED.envRefresh;
    sf.activities.push(stravaActivity(9200000001, '2024-07-01T06:00:00Z'));

    const store = new TokenStore(join(dir, 'tokens.json'));
    const wh = await Warehouse.open(join(dir, 'athlete.duckdb'));
    try {
      const summary = await migrateLegacy(wh, checkout, { athleteId: 'me', tokenStore: store });
      expect(summary.token).toEqual({ outcome: 'stored', from: '.env (STRAVA_REFRESH_TOKEN)' });
    } finally {
      wh.close();
    }

    const c = new StravaConnector({ baseUrl: sf.fake.url, clientId: 'cid-strava', clientSecret: 'csecret-strava-123', tokenStore: store, http: quickHttp() });
    const pages = await drain(c.fetchWorkouts(range('2024-06-01', '2024-08-01')));
    expect(pages.flatMap((p) => p.result.workouts.map((w) => w.external_id))).toEqual(['9200000001']);
    expect(sf.oauth.refreshCount).toBe(1);
    // Strava rotated the refresh token: the new one is saved, the migrated one is spent.
    expect((await store.get('strava'))?.refresh_token).toBe(sf.oauth.refreshToken);
    expect(sf.oauth.refreshToken).not.toBe(PLANTED.envRefresh);
  });
});
