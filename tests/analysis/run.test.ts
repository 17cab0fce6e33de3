import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { powerTss } from '../../lib/analysis/load.ts';
import { runAnalysis } from '../../lib/analysis/run.ts';
import { Warehouse } from '../../lib/core/warehouse.ts';

/**
 * `athlete analyze` on a hand-made warehouse: a 10-minute ride with a power
 * stream (5 min at 300 W, 5 min at 100 W) on 2024-03-01, a run on 03-04, a
 * night of sleep recorded on 03-02 and nothing at all on 03-03.
 */
const FTP = 250;

async function insert(wh: Warehouse, table: string, rows: Record<string, unknown>[]): Promise<void> {
  const cols = (await wh.all<{ column_name: string }>('SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position', [table])).map(
    (r) => r.column_name,
  );
  await wh.appendRows(table, rows.map((r) => cols.map((c) => r[c] ?? null)));
}

async function seed(wh: Warehouse): Promise<void> {
  const ride = new Date('2024-03-01T08:00:00Z');
  const run = new Date('2024-03-04T08:00:00Z');
  const base = { athlete_id: 'me', utc_offset_min: 0, data_quality_score: 0.9, source: 'garmin', source_count: 1, has_gps: false };
  await insert(wh, 'workouts', [
    { ...base, workout_id: 'ride', name: 'ride', start_time: ride, end_time: new Date(ride.getTime() + 600_000), duration_s: 600, sport: 'cycling', sport_category: 'ENDURANCE', avg_power_w: 200, has_power: true },
    { ...base, workout_id: 'run', name: 'run', start_time: run, end_time: new Date(run.getTime() + 1800_000), duration_s: 1800, sport: 'running', sport_category: 'ENDURANCE', has_power: false, perceived_exertion: 6 },
  ]);
  await insert(wh, 'workout_sources', [
    { workout_id: 'ride', record_id: 'r-ride', source: 'garmin', external_id: 'r-ride' },
    { workout_id: 'run', record_id: 'r-run', source: 'garmin', external_id: 'r-run' },
  ]);
  await insert(wh, 'streams', [{ stream_id: 1, record_id: 'r-ride', points: 600 }]);
  await insert(
    wh,
    'stream_points',
    Array.from({ length: 600 }, (_, i) => ({ stream_id: 1, time: new Date(ride.getTime() + i * 1000), power_w: i < 300 ? 300 : 100 })),
  );
  await insert(wh, 'biometrics', [{ athlete_id: 'me', date: '2024-03-02', metric_type: 'sleep_duration', value: 27000, unit: 's', source: 'oura', confidence: 1, source_count: 1 }]);
}

describe('runAnalysis', () => {
  let wh: Warehouse;
  beforeAll(async () => {
    wh = await Warehouse.open(':memory:');
    await seed(wh);
    await runAnalysis(wh, { sex: 'male', ftpW: FTP, maxHr: 190, restHr: 50 });
  });
  afterAll(() => wh.close());

  it('computes TSS from Normalized Power of the power stream, not from average power (Coggan)', async () => {
    const [row] = await wh.all<{ load: number; method: string; raw: number; np_w: number }>("SELECT load, method, raw, np_w FROM workout_loads WHERE workout_id = 'ride'");
    // 30-s rolling means: 271 windows at 300 W (ending at s 29..299), 29 mixed ones ending at s 300..328
    // ((300 × (329 − i) + 100 × (i − 299))/30 W), 271 at 100 W (ending at s 329..599); NP = (mean of 4th powers)^¼.
    let fourth = 271 * 300 ** 4 + 271 * 100 ** 4;
    for (let i = 300; i <= 328; i++) fourth += ((300 * (329 - i) + 100 * (i - 299)) / 30) ** 4;
    const np = (fourth / 571) ** 0.25;
    expect(row!.method).toBe('power_tss');
    expect(row!.np_w).toBeCloseTo(np, 9);
    // TSS = s × NP × IF / (FTP × 3600) × 100, IF = NP/FTP.
    expect(row!.raw).toBeCloseTo((600 * np * (np / FTP) * 100) / (FTP * 3600), 9);
    // Average power (200 W) would read a quarter lower on this ride.
    expect(powerTss(600, 200, FTP)! / row!.raw).toBeLessThan(0.8);
  });

  it('keeps a day with nothing recorded unknown, counts a recorded day without a workout as rest, and says how much is known', async () => {
    const days = await wh.all<{ date: string; load: number | null; load_coverage_28d: number; days_since_rest: number | null }>(
      "SELECT CAST(date AS VARCHAR) AS date, load, load_coverage_28d, days_since_rest FROM daily_metrics WHERE athlete_id = 'me' ORDER BY date",
    );
    expect(days.map((d) => [d.date, d.load === null ? null : d.load > 0 ? 'training' : 'rest'])).toEqual([
      ['2024-03-01', 'training'],
      ['2024-03-02', 'rest'],
      ['2024-03-03', null],
      ['2024-03-04', 'training'],
    ]);
    expect(days.map((d) => d.load_coverage_28d)).toEqual([1 / 28, 2 / 28, 2 / 28, 3 / 28]);
    // Unknown before the first rest day, 0 on it, unknown again after the unknown day.
    expect(days.map((d) => d.days_since_rest)).toEqual([null, 0, null, null]);
  });
});
