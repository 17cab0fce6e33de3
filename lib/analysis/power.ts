/**
 * Normalized Power of workouts from their recorded power streams, for the
 * power-based training load. The I/O edge of `normalizedPower` (load.ts).
 */
import type { SqlRunner } from '../core/warehouse.ts';
import { normalizedPower } from './load.ts';

/**
 * The power stream of each workout's member record with the most power
 * samples, in time order; workouts without one are absent.
 */
const POWER_STREAMS = `
  WITH counts AS (
    SELECT s.workout_id, s.record_id, count(p.power_w) AS n
    FROM workout_sources s JOIN workout_streams p ON p.record_id = s.record_id
    WHERE s.workout_id = ?
    GROUP BY ALL),
  best AS (SELECT record_id FROM counts WHERE n > 0 ORDER BY n DESC, record_id LIMIT 1)
  SELECT epoch_ms(p.time) AS t, p.power_w AS w
  FROM workout_streams p JOIN best ON best.record_id = p.record_id
  ORDER BY p.time`;

/**
 * Normalized Power (W) of each workout in `workoutIds` from its power stream;
 * a workout without power samples, or with under 30 s of them, is left out,
 * so its load comes from another method rather than from average power
 * (which reads low on any ride that is not steady).
 */
export async function normalizedPowers(wh: SqlRunner, workoutIds: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const id of workoutIds) {
    const rows = await wh.all<{ t: number | bigint; w: number | null }>(POWER_STREAMS, [id]);
    if (rows.length === 0) continue;
    const times = new Float64Array(rows.length);
    const watts = new Float64Array(rows.length);
    rows.forEach((r, i) => {
      times[i] = Number(r.t);
      watts[i] = r.w ?? NaN;
    });
    const np = normalizedPower(watts, times);
    if (np !== null) out.set(id, np);
  }
  return out;
}
