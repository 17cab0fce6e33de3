import { afterEach, describe, expect, it } from 'vitest';
import { Warehouse } from '../../lib/core/warehouse.ts';
import { storeResult } from '../../lib/ingest/store.ts';
import { emptyResult, type SourceWorkoutInput } from '../../lib/core/models.ts';
import { loadDedupRecords, rebuildCanonical, resolveWorkoutId } from '../../lib/core/dedup/rebuild.ts';
import { sourceRecordId } from '../../lib/core/ids.ts';
import { workoutId } from '../../lib/core/dedup/deduplicate.ts';

const opened: Warehouse[] = [];
afterEach(() => {
  for (const wh of opened.splice(0)) wh.close();
});

async function warehouse(workouts: SourceWorkoutInput[]): Promise<Warehouse> {
  const wh = await Warehouse.open(':memory:');
  opened.push(wh);
  const batch = emptyResult();
  batch.workouts = workouts;
  await storeResult(wh, batch, { athleteId: 'me' });
  return wh;
}

function run(source: string, id: string, startIso: string, extra: Partial<SourceWorkoutInput> = {}): SourceWorkoutInput {
  const start = new Date(startIso);
  return {
    athlete_id: 'me',
    source,
    external_id: id,
    start_time: start,
    end_time: new Date(start.getTime() + 3_600_000),
    duration_s: 3600,
    sport: 'running',
    sport_category: 'ENDURANCE',
    distance_m: 10_000,
    external_ids: { [source]: id },
    ...extra,
  };
}

const dump = async (wh: Warehouse) =>
  JSON.stringify([
    await wh.all('SELECT * FROM workouts ORDER BY workout_id'),
    await wh.all('SELECT * FROM workout_sources ORDER BY workout_id, record_id'),
  ]);

describe('loadDedupRecords', () => {
  it('reads an empty warehouse as no records', async () => {
    expect(await loadDedupRecords(await warehouse([]))).toEqual([]);
  });

  it('decodes every field the engine uses, in start order', async () => {
    const wh = await warehouse([
      run('strava', 's1', '2024-03-02T07:00:00+10:00', { external_ids: { strava: 's1', garmin: 'g1' }, name: 'Hills', avg_hr: 150 }),
      run('garmin', 'g1', '2024-03-01T21:00:30Z', { external_ids: {}, max_hr: 181, has_gps: true, utc_offset_min: 600 }),
    ]);
    const recs = await loadDedupRecords(wh);
    expect(recs.map((r) => r.source)).toEqual(['strava', 'garmin']);
    const [s, g] = recs as [(typeof recs)[0], (typeof recs)[0]];
    expect(g.record_id).toBe(sourceRecordId('me', 'garmin', 'g1'));
    expect(g.start_time.toISOString()).toBe('2024-03-01T21:00:30.000Z');
    expect(g.end_time.getTime() - g.start_time.getTime()).toBe(3_600_000);
    expect(g.external_ids).toEqual({});
    expect(g.max_hr).toBe(181);
    expect(g.avg_hr).toBeNull();
    expect(g.utc_offset_min).toBe(600);
    expect(g.has_gps).toBe(true);
    expect(g.sport_category).toBe('ENDURANCE');
    expect(s.start_time.toISOString()).toBe('2024-03-01T21:00:00.000Z');
    expect(s.external_ids).toEqual({ strava: 's1', garmin: 'g1' });
    expect(s.name).toBe('Hills');
    expect(s.source_sport).toBeNull();
    expect(s.parent_external_id).toBeNull();
  });

  it('reads a column of many distinct values as text, and one of few as codes, alike; fields the engine does not use are null', async () => {
    // 1,500 multisport legs with a parent each, three hours apart: more values than are read as codes; 3 sports and 2 sources: few.
    const sports = ['running', 'cycling', 'swimming'] as const;
    const workouts = Array.from({ length: 1500 }, (_, i) =>
      run(i % 2 ? 'garmin' : 'strava', `a${i}`, new Date(Date.UTC(2024, 0, 1) + i * 10_800_000).toISOString(), {
        input: `activities/${i}.fit`,
        sport: sports[i % 3]!,
        source_sport: 'Run',
        parent_external_id: i % 500 === 0 ? null : `multi${i}`,
      }),
    );
    const recs = await loadDedupRecords(await warehouse(workouts));
    expect(recs).toHaveLength(1500);
    recs.forEach((r, i) => {
      expect(r.source).toBe(i % 2 ? 'garmin' : 'strava');
      expect(r.sport).toBe(sports[i % 3]);
      expect(r.parent_external_id).toBe(i % 500 === 0 ? null : `multi${i}`);
      expect([r.input, r.source_sport, r.raw_data]).toEqual([null, null, null]);
    });
  });
});

describe('rebuildCanonical', () => {
  it('merges, then rewrites only what changed with the result of a full rewrite', async () => {
    const wh = await warehouse([
      run('garmin', 'g1', '2024-03-01T06:00:00Z', { avg_hr: 140 }),
      run('strava', 's1', '2024-03-01T06:01:00Z', { avg_hr: 150 }),
      run('garmin', 'g2', '2024-03-03T06:00:00Z'),
    ]);
    const first = await rebuildCanonical(wh);
    expect(first).toMatchObject({ sourceRecords: 3, workouts: 2, merged: 1, aliases: 0 });
    const merged = await wh.all<{ workout_id: string; source_count: number; avg_hr: number }>(
      'SELECT workout_id, source_count, avg_hr FROM workouts ORDER BY start_time',
    );
    const garminBase = workoutId({ athlete_id: 'me', record_id: sourceRecordId('me', 'garmin', 'g1') } as never);
    expect(merged[0]).toEqual({ workout_id: garminBase, source_count: 2, avg_hr: 140 });
    expect(merged[1]!.source_count).toBe(1);

    const unchanged = await dump(wh);
    await rebuildCanonical(wh);
    expect(await dump(wh)).toBe(unchanged);

    // The Garmin base goes: the merged workout gets the Strava id and the old id an alias.
    await wh.run('DELETE FROM source_workouts WHERE record_id = ?', [sourceRecordId('me', 'garmin', 'g1')]);
    await wh.run("UPDATE source_workouts SET distance_m = 12000 WHERE external_id = 'g2'");
    const second = await rebuildCanonical(wh);
    expect(second).toMatchObject({ workouts: 2, aliases: 1 });
    const stravaBase = workoutId({ athlete_id: 'me', record_id: sourceRecordId('me', 'strava', 's1') } as never);
    expect(await resolveWorkoutId(wh, garminBase)).toBe(stravaBase);
    const after = await wh.all<{ workout_id: string; distance_m: number; avg_hr: number | null }>(
      'SELECT workout_id, distance_m, avg_hr FROM workouts ORDER BY start_time',
    );
    expect(after.map((w) => w.distance_m)).toEqual([10_000, 12_000]);
    expect(after[0]).toMatchObject({ workout_id: stravaBase, avg_hr: 150 });

    const incremental = await dump(wh);
    await wh.run('DELETE FROM workouts');
    await wh.run('DELETE FROM workout_sources');
    await rebuildCanonical(wh);
    expect(await dump(wh)).toBe(incremental);
  });
});
