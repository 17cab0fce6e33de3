/**
 * Persisting parsed records: validates each with the canonical models, then
 * loads a batch into the warehouse in one transaction through the appender.
 * Re-loading the same records changes nothing (upserts keyed by hashes).
 */
import { formatZodError, SourceWorkout, BiometricReading, type ImportError, type ParseResult } from './models.ts';
import { sourceRecordId, stableHash } from './ids.ts';
import { dataQualityScore } from './quality.ts';
import { redact } from './redact.ts';
import type { Warehouse } from './warehouse.ts';

/** What one store call wrote. */
export interface StoreSummary {
  workouts: number;
  biometrics: number;
  points: number;
  /** Problems recorded in import_errors (parse errors plus invalid records). */
  errors: number;
  /** Records that failed validation and were skipped. */
  invalid: number;
}

const SW_COLUMNS = [
  'record_id', 'athlete_id', 'source', 'external_id', 'name', 'start_time', 'end_time', 'duration_s', 'moving_time_s',
  'utc_offset_min', 'sport', 'source_sport', 'sport_category', 'distance_m', 'calories_kcal', 'avg_hr', 'max_hr',
  'elevation_gain_m', 'avg_power_w', 'max_power_w', 'avg_cadence', 'training_load', 'perceived_exertion', 'external_ids',
  'raw_data', 'has_gps', 'has_power', 'data_quality_score', 'parent_external_id', 'input', 'ingested_at',
] as const;
const SB_COLUMNS = [
  'reading_id', 'athlete_id', 'date', 'time', 'metric_type', 'value', 'unit', 'source', 'confidence', 'raw_data', 'input', 'ingested_at',
] as const;

function upsertSql(table: string, stage: string, columns: readonly string[], key: string): string {
  const updates = columns.filter((c) => c !== key && c !== 'ingested_at').map((c) => `${c} = excluded.${c}`);
  return `INSERT INTO ${table} SELECT * FROM ${stage} ON CONFLICT (${key}) DO UPDATE SET ${updates.join(', ')}`;
}

function recordLabel(source: unknown, id: unknown, index: number): string {
  return typeof source === 'string' && typeof id === 'string' ? `${source} ${id}` : `record ${index + 1}`;
}

function validationErrors(err: import('zod').ZodError, input: string, record: string): ImportError[] {
  return err.issues.map((i) => ({
    input,
    record,
    field: i.path.join('.') || undefined,
    reason: formatZodError({ issues: [i] } as import('zod').ZodError),
  }));
}

/**
 * Validate and load a parse result. Invalid records become import_errors rows
 * naming input, record and field; the valid rest is stored. All writes of one
 * call are one transaction.
 */
export async function storeResult(
  wh: Warehouse,
  result: ParseResult,
  opts: { athleteId: string; now?: Date; /** More writes that must commit with these rows (a sync cursor). */ alsoInTransaction?: () => Promise<void> },
): Promise<StoreSummary> {
  const now = opts.now ?? new Date();
  const errors: ImportError[] = [...result.errors];
  let invalid = 0;

  const workouts = new Map<string, unknown[]>();
  result.workouts.forEach((raw, i) => {
    const parsed = SourceWorkout.safeParse({ ...raw, athlete_id: raw.athlete_id ?? opts.athleteId });
    const input = raw.input ?? '(unknown input)';
    if (!parsed.success) {
      invalid++;
      errors.push(...validationErrors(parsed.error, input, recordLabel(raw.source, raw.external_id, i)));
      return;
    }
    const w = parsed.data;
    const id = sourceRecordId(w.athlete_id, w.source, w.external_id);
    workouts.set(id, [
      id, w.athlete_id, w.source, w.external_id, w.name, w.start_time, w.end_time, w.duration_s, w.moving_time_s,
      w.utc_offset_min, w.sport, w.source_sport, w.sport_category, w.distance_m, w.calories_kcal, w.avg_hr, w.max_hr,
      w.elevation_gain_m, w.avg_power_w, w.max_power_w, w.avg_cadence, w.training_load, w.perceived_exertion,
      w.external_ids, redact(w.raw_data ?? null), w.has_gps, w.has_power, dataQualityScore(w), w.parent_external_id,
      w.input, now,
    ]);
  });

  const readings = new Map<string, unknown[]>();
  result.biometrics.forEach((raw, i) => {
    const parsed = BiometricReading.safeParse({ ...raw, athlete_id: raw.athlete_id ?? opts.athleteId });
    const input = raw.input ?? '(unknown input)';
    if (!parsed.success) {
      invalid++;
      errors.push(...validationErrors(parsed.error, input, `${raw.source ?? '?'} ${raw.metric_type ?? '?'} ${raw.date ?? `reading ${i + 1}`}`));
      return;
    }
    const b = parsed.data;
    const id = stableHash(b.athlete_id, b.source, b.metric_type, b.date, b.time ? b.time.toISOString() : '');
    readings.set(id, [id, b.athlete_id, b.date, b.time, b.metric_type, b.value, b.unit, b.source, b.confidence, redact(b.raw_data ?? null), b.input, now]);
  });

  const streams = result.streams
    .map((s) => ({ s, id: sourceRecordId(opts.athleteId, s.source, s.external_id) }))
    .filter(({ id }) => workouts.has(id));

  const errorRows = errors.map((e) => {
    const id = stableHash(e.input, e.record ?? '', e.field ?? '', e.reason);
    return [id, e.input, e.record ?? null, e.field ?? null, String(redact(e.reason)), now];
  });

  let points = 0;
  await wh.transaction(async () => {
    if (workouts.size) {
      await wh.run('CREATE OR REPLACE TEMP TABLE stage_source_workouts AS SELECT * FROM source_workouts LIMIT 0');
      await wh.appendRows('stage_source_workouts', [...workouts.values()]);
      await wh.run(upsertSql('source_workouts', 'stage_source_workouts', SW_COLUMNS, 'record_id'));
    }
    if (streams.length) {
      await wh.run('CREATE OR REPLACE TEMP TABLE stage_stream_keys (record_id VARCHAR)');
      await wh.appendRows('stage_stream_keys', streams.map(({ id }) => [id]));
      await wh.run('DELETE FROM workout_streams WHERE record_id IN (SELECT record_id FROM stage_stream_keys)');
      for (const { s, id } of streams) {
        const c = s.channels;
        await wh.appendStreamColumns('workout_streams', id, s.time, [c.lat, c.lon, c.altitude_m, c.distance_m, c.speed_mps, c.hr, c.power_w, c.cadence]);
        points += s.time.length;
      }
    }
    if (readings.size) {
      await wh.run('CREATE OR REPLACE TEMP TABLE stage_source_biometrics AS SELECT * FROM source_biometrics LIMIT 0');
      await wh.appendRows('stage_source_biometrics', [...readings.values()]);
      await wh.run(upsertSql('source_biometrics', 'stage_source_biometrics', SB_COLUMNS, 'reading_id'));
    }
    if (errorRows.length) {
      await wh.run('CREATE OR REPLACE TEMP TABLE stage_import_errors AS SELECT * FROM import_errors LIMIT 0');
      await wh.appendRows('stage_import_errors', errorRows);
      await wh.run('INSERT INTO import_errors SELECT DISTINCT ON (error_id) * FROM stage_import_errors ON CONFLICT (error_id) DO NOTHING');
    }
    await opts.alsoInTransaction?.();
  });
  return { workouts: workouts.size, biometrics: readings.size, points, errors: errorRows.length, invalid };
}
