import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Warehouse } from '../../lib/core/warehouse.ts';
import type { DailyRow } from '../../lib/ml/features.ts';
import { loadDailyRows } from '../../lib/ml/history.ts';
import { filterTrainable } from '../../lib/ml/predictor.ts';
import { day } from './synthetic.ts';
import { loadWorkouts, metricsRow } from './warehouse_rows.ts';

describe('loadDailyRows: data lineage', () => {
  let wh: Warehouse;
  let rows: DailyRow[];
  beforeAll(async () => {
    wh = await Warehouse.open(':memory:');
    const days = [1, 2, 3, 4, 5].map((n) => ({ ...day('me', `2024-03-0${n}`, n === 5 ? null : 50), sleep_h: n === 1 ? 7.5 : null }));
    await wh.appendRows('daily_metrics', [
      ...days.slice(0, 4).map((d) => metricsRow(d, 'strava')),
      metricsRow(days[4]!, 'whoop'),
      metricsRow(day('other', '2024-03-01', 10), 'garmin'),
    ]);
    await loadWorkouts(wh, [
      // 20:00 UTC at UTC+10 is the next local day: lands on 03-01.
      { id: 'w1', records: [{ id: 'g1', athlete: 'me', start: '2024-02-29T20:00:00Z', offsetMin: 600, source: 'garmin' }] },
      { id: 'w2', records: [{ id: 's2', athlete: 'me', start: '2024-03-02T06:00:00Z', source: 'strava', via: 'strava_api' }] },
      {
        id: 'w3',
        records: [
          { id: 's3e', athlete: 'me', start: '2024-03-03T06:00:00Z', source: 'strava' },
          { id: 's3a', athlete: 'me', start: '2024-03-03T06:00:10Z', source: 'strava', via: 'strava_api' },
        ],
      },
      {
        id: 'w4',
        records: [
          { id: 'g4', athlete: 'me', start: '2024-03-04T06:00:00Z', source: 'garmin' },
          { id: 's4a', athlete: 'me', start: '2024-03-04T06:00:05Z', source: 'strava', via: 'strava_api' },
        ],
      },
    ]);
    rows = await loadDailyRows(wh, 'me');
  });
  afterAll(() => wh.close());

  it('tags Strava API records as strava_api, per local day', () => {
    expect(rows.map((r) => [r.date, r.sources])).toEqual([
      ['2024-03-01', ['garmin']],
      ['2024-03-02', ['strava_api']],
      ['2024-03-03', ['strava', 'strava_api']],
      ['2024-03-04', ['garmin', 'strava_api']],
      // No workouts in the warehouse: daily_metrics' own list.
      ['2024-03-05', ['whoop']],
    ]);
    expect(rows[0]).toMatchObject({ athlete_id: 'me', load: 50, sessions: 1, sleep_h: 7.5 });
    expect(rows[1]!.sleep_h).toBeNull();
    // A day nothing recorded keeps its unknown load.
    expect(rows[4]!.load).toBeNull();
  });

  it('lets filterTrainable drop the Strava-API-only days', () => {
    const t = filterTrainable(rows);
    expect(t.days.map((d) => d.date)).toEqual(['2024-03-01', '2024-03-04', '2024-03-05']);
    expect(t.dropped).toBe(2);
  });

  it('reads every athlete without an id', async () => {
    const all = await loadDailyRows(wh);
    expect(all.map((r) => `${r.athlete_id} ${r.date}`)).toEqual([
      'me 2024-03-01', 'me 2024-03-02', 'me 2024-03-03', 'me 2024-03-04', 'me 2024-03-05', 'other 2024-03-01',
    ]);
    expect(all[5]!.sources).toEqual(['garmin']);
  });
});
