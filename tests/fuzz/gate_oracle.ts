/**
 * The fuzzer's oracle for stored values: everything in the warehouse must
 * pass the plausibility gate again unchanged. Stored workouts, readings and
 * track samples are read back and put through the gate's own checks; any
 * warning or rejection is a value that was stored outside the gate.
 */
import { STREAM_CHANNELS, type BiometricReadingInput, type ImportError, type MetricType, type SourceWorkoutInput, type WorkoutStream } from '../../lib/core/models.ts';
import { gateBiometric, gateStream, gateWorkout } from '../../lib/core/plausibility.ts';
import type { Warehouse } from '../../lib/core/warehouse.ts';

interface WorkoutRow {
  record_id: string;
  source: string;
  external_id: string;
  sport: string;
  start_time: Date;
  end_time: Date;
  duration_s: number;
  moving_time_s: number | null;
  distance_m: number | null;
  calories_kcal: number | null;
  avg_hr: number | null;
  max_hr: number | null;
  elevation_gain_m: number | null;
  avg_power_w: number | null;
  max_power_w: number | null;
  avg_cadence: number | null;
  input: string | null;
}

/** Values stored since `since` that the gate would flag, each as the row the gate would write. */
export async function storedOutsideGate(wh: Warehouse, since: Date, now = Date.now()): Promise<ImportError[]> {
  const out: ImportError[] = [];
  const workouts = await wh.all<WorkoutRow>(
    `SELECT record_id, source, external_id, sport, start_time, end_time, duration_s, moving_time_s, distance_m, calories_kcal, avg_hr, max_hr,
            elevation_gain_m, avg_power_w, max_power_w, avg_cadence, input FROM source_workouts WHERE ingested_at >= ?`,
    [since],
  );
  const sportOf = new Map<string, WorkoutRow>();
  for (const w of workouts) {
    sportOf.set(w.record_id, w);
    const g = gateWorkout({ ...w, sport_category: 'ENDURANCE', input: w.input ?? '(stored)' } as SourceWorkoutInput, now);
    out.push(...g.warnings);
  }
  const readings = await wh.all<{ date: string; time: Date | null; metric_type: MetricType; value: number; source: string; input: string | null }>(
    'SELECT date::VARCHAR AS date, time, metric_type, value, source, input FROM source_biometrics WHERE ingested_at >= ?',
    [since],
  );
  for (const b of readings) out.push(...gateBiometric({ ...b, unit: '', input: b.input ?? '(stored)' } as BiometricReadingInput, now).warnings);
  if (sportOf.size) {
    const points = await wh.all<Record<string, number | null> & { record_id: string; t: number }>(
      `SELECT s.record_id, epoch_ms(p.time) AS t, ${STREAM_CHANNELS.map((c) => `p.${c}`).join(', ')}
       FROM stream_points p JOIN streams s USING (stream_id) WHERE s.record_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY s.record_id, p.time`,
      [[...sportOf.keys()]],
    );
    const byRecord = new Map<string, typeof points>();
    for (const p of points) {
      const list = byRecord.get(p.record_id);
      if (list) list.push(p);
      else byRecord.set(p.record_id, [p]);
    }
    for (const [id, list] of byRecord) {
      const stream: WorkoutStream = {
        source: sportOf.get(id)!.source,
        external_id: sportOf.get(id)!.external_id,
        time: Float64Array.from(list, (p) => Number(p.t)),
        channels: Object.fromEntries(STREAM_CHANNELS.map((c) => [c, Float64Array.from(list, (p) => (p[c] == null ? NaN : Number(p[c])))])),
      };
      out.push(...gateStream(stream, sportOf.get(id)!.sport, { input: sportOf.get(id)!.input ?? '(stored)', record: `stream of ${id}` }));
    }
  }
  return out;
}
