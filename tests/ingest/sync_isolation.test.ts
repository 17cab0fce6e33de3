/**
 * API pages get the treatment files get: malformed activities in a page, or
 * one the warehouse refuses, are rows of import_errors; the page's other
 * activities are stored, the cursor moves on, and the sync succeeds.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncConnector } from '../../lib/ingest/sync.ts';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { TokenStore } from '../../lib/sources/http/token_store.ts';
import { StravaConnector } from '../../lib/sources/strava/api.ts';
import { startStravaFake, stravaActivity, type StravaFake } from '../fakes/strava.ts';
import { quickHttp } from '../sources/helpers.ts';

const NOW = new Date('2024-03-20T12:00:00Z');
let dir: string;
let sf: StravaFake;
let wh: Warehouse;
let store: TokenStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sync-isolation-'));
  store = new TokenStore(join(dir, 'tokens.json'));
  sf = await startStravaFake();
  await store.set('strava', { access_token: sf.oauth.accessToken, refresh_token: sf.oauth.refreshToken, expires_at: Math.floor(Date.now() / 1000) + 3600 });
  wh = await Warehouse.open(join(dir, 'a.duckdb'));
});
afterEach(async () => {
  wh.close();
  await sf.fake.close();
  rmSync(dir, { recursive: true, force: true });
});

const strava = () => new StravaConnector({ baseUrl: sf.fake.url, clientId: 'cid-strava', clientSecret: 'csecret-strava-123', tokenStore: store, http: quickHttp(), perPage: 4, fetchStreams: false });
const at = (d: number) => `2024-03-${String(d).padStart(2, '0')}T06:00:00Z`;

describe('a sync with malformed activities', () => {
  it('stores the good ones, records each bad one, and completes its window', async () => {
    sf.activities.push(
      stravaActivity(1, at(2)),
      // A local time that is no time: the instant and utc_offset stand, so the activity is kept.
      stravaActivity(2, at(3), { start_date_local: '2024-13-45T07:00:00Z' }),
      stravaActivity(3, at(4), { distance: 'far' }),
      stravaActivity(4, at(5), { id: null, name: { text: 'not a name' } }),
      stravaActivity(5, at(6), { elapsed_time: -60 }),
      stravaActivity(6, at(7)),
      { id: 7, start_date: at(8) },
      stravaActivity(8, at(9)),
    );
    const r = await syncConnector(wh, strava(), { athleteId: 'me', days: 30, now: NOW });
    expect(r.status, r.message).toBe('success');
    const ids = await wh.all<{ external_id: string }>('SELECT external_id FROM source_workouts ORDER BY 1');
    expect(ids.map((x) => x.external_id)).toEqual(['1', '2', '6', '8']);
    const rows = await wh.all<{ input: string; record: string; field: string }>('SELECT input, record, field FROM import_errors ORDER BY record');
    // A row for each bad item, naming the page, the item and the field; none of them aborts the page.
    expect(rows.map(({ record, field }) => [record, field])).toEqual([
      ['activity 3', 'distance'],
      ['activity 5', 'elapsed_time'],
      ['activity 7', 'elapsed_time'],
      ['item 3', 'id'],
    ]);
    for (const row of rows) expect(row.input).toBe(`${sf.fake.url}/api/v3/athlete/activities`);
    const [m] = await wh.all<{ sync_status: string; cursor: string }>("SELECT sync_status, cursor FROM sync_metadata WHERE source = 'strava'");
    expect(m!.sync_status).toBe('success');
    expect(JSON.parse(m!.cursor)).toEqual({ complete_until: NOW.toISOString() });
  });

  it('an activity the warehouse refuses is a row of its own; the rest of its page is stored and the cursor moves on', async () => {
    for (const d of [2, 3, 4, 5, 6]) sf.activities.push(stravaActivity(100 + d, at(d)));
    // The warehouse refuses any batch holding activity 104 (as it would a value it cannot convert).
    const picky = Object.create(wh) as Warehouse;
    picky.appendRows = async (table, rows) => {
      if (table === 'stage_source_workouts' && rows.some((row) => row[3] === '104')) throw new Error('Conversion Error: could not convert value (injected)');
      return wh.appendRows(table, rows);
    };
    const r = await syncConnector(picky, strava(), { athleteId: 'me', days: 30, now: NOW });
    expect(r).toMatchObject({ status: 'success', workouts: 4 });
    const ids = await wh.all<{ external_id: string }>('SELECT external_id FROM source_workouts ORDER BY 1');
    expect(ids.map((x) => x.external_id)).toEqual(['102', '103', '105', '106']);
    expect(await wh.all('SELECT record, reason FROM import_errors')).toEqual([
      { record: 'strava 104', reason: 'could not be stored: Conversion Error: could not convert value (injected)' },
    ]);
    const [m] = await wh.all<{ cursor: string }>("SELECT cursor FROM sync_metadata WHERE source = 'strava'");
    expect(JSON.parse(m!.cursor)).toEqual({ complete_until: NOW.toISOString() });
  });
});
