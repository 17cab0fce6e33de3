/**
 * Persisting parsed records: validates each with the canonical models, then
 * loads a batch into the warehouse in one transaction through the appender.
 * Re-loading the same records changes nothing: rows and streams equal to the
 * stored ones are left alone (no rewrite, so the file does not grow), and
 * only what changed is marked for deduplication (see core/pending.ts).
 */
import { formatZodError, SourceWorkout, BiometricReading, type ImportError, type ParseResult, type WorkoutStream } from '../core/models.ts';
import { sourceRecordId, stableHash } from '../core/ids.ts';
import { gateResult } from '../core/plausibility.ts';
import { dataQualityScore } from '../core/quality.ts';
import { redact, redactString } from '../core/redact.ts';
import type { StreamColumns, Warehouse } from '../core/warehouse.ts';
import { markBiometricDays, markRecords } from '../core/pending.ts';
import { createHash } from 'node:crypto';

/** What one store call wrote. */
export interface StoreSummary {
  workouts: number;
  biometrics: number;
  points: number;
  /** Problems recorded in import_errors (parse errors plus invalid records). */
  errors: number;
  /** Records not stored: they failed validation, or the plausibility gate rejected them (their dates). */
  invalid: number;
  /** Of `errors`, the plausibility warnings: a value stored as null, its record kept (see {@link isValueWarning}). */
  warnings: number;
}

/** Add `b`'s counts to `a` (a running total over batches). */
export function addStoreSummary(a: StoreSummary, b: StoreSummary): void {
  a.workouts += b.workouts;
  a.biometrics += b.biometrics;
  a.points += b.points;
  a.errors += b.errors;
  a.invalid += b.invalid;
  a.warnings += b.warnings;
}

/**
 * Whether a row is a plausibility warning rather than something not
 * imported: the gate (core/plausibility.ts), whether a parser or this store
 * applied it, ends those rows with "stored as null".
 */
export function isValueWarning(e: ImportError): boolean {
  return typeof e.reason === 'string' && e.reason.endsWith('stored as null');
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

/**
 * Drop from `stage` the rows equal to the stored ones, so the upsert writes
 * only new and changed rows. Where the record was read from (`input`) and
 * when (`ingested_at`) do not make a record different.
 */
function dropUnchangedSql(table: string, stage: string, columns: readonly string[], key: string): string {
  const compared = columns.filter((c) => c !== key && c !== 'input' && c !== 'ingested_at');
  // JSON compares as its text; NULLs are equal.
  const row = (t: string) => `row(${compared.map((c) => `${t}.${c}::VARCHAR`).join(', ')})`;
  return `DELETE FROM ${stage} WHERE ${key} IN (SELECT s.${key} FROM ${stage} s JOIN ${table} t USING (${key}) WHERE ${row('t')} IS NOT DISTINCT FROM ${row('s')})`;
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

/** Stream channels in the column order of stream_points (after stream_id and time). */
export const STREAM_CHANNELS = ['lat', 'lon', 'altitude_m', 'distance_m', 'speed_mps', 'hr', 'power_w', 'cadence'] as const;

/** Why a stream cannot be stored (a channel's length differs from time's, or a time is not a number), or undefined. */
function streamProblem(st: WorkoutStream): { field: string; reason: string } | undefined {
  const n = st.time.length;
  for (const [name, col] of Object.entries(st.channels)) {
    if (col && col.length !== n) return { field: name, reason: `stream channel ${name} has ${col.length} samples for ${n} times (track not stored)` };
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(st.time[i]!)) return { field: 'time', reason: `sample ${i + 1} has no valid time (track not stored)` };
  }
  return undefined;
}

/** A hash of a stream's samples: its times and each channel's values (an absent channel differs from one of NaNs). */
function streamHash(st: WorkoutStream): string {
  const h = createHash('sha1');
  const add = (a: Float64Array | undefined) => {
    h.update(a ? `${a.length};` : '-;');
    if (a) h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  };
  add(st.time);
  for (const c of STREAM_CHANNELS) add(st.channels[c]);
  return h.digest('base64');
}

/**
 * Store the streams of these records (inside the caller's transaction): a
 * stream equal to the stored one is left alone; a changed one keeps its
 * stream_id and gets its points replaced; new records get the next free ids.
 * Points are bulk-loaded. Returns the points written and the records whose
 * stream changed.
 */
async function storeStreams(wh: Warehouse, streams: ReadonlyMap<string, WorkoutStream>): Promise<{ points: number; changed: string[] }> {
  const hashes = new Map([...streams].map(([id, st]) => [id, streamHash(st)]));
  await wh.run('CREATE OR REPLACE TEMP TABLE stage_stream_keys (record_id VARCHAR, points INTEGER, content_hash VARCHAR)');
  await wh.appendRows('stage_stream_keys', [...streams].map(([id, st]) => [id, st.time.length, hashes.get(id)]));
  const known = await wh.all<{ record_id: string; stream_id: number; content_hash: string | null }>(
    'SELECT s.record_id, s.stream_id, s.content_hash FROM streams s JOIN stage_stream_keys k USING (record_id)',
  );
  const ids = new Map(known.map((r) => [r.record_id, r.stream_id]));
  const same = new Set(known.filter((r) => r.content_hash === hashes.get(r.record_id)).map((r) => r.record_id));
  if (same.size === streams.size) return { points: 0, changed: [] };
  if (same.size) {
    await wh.run('DELETE FROM stage_stream_keys WHERE record_id IN (SELECT unnest(?::VARCHAR[]))', [[...same]]);
  }
  if (ids.size > same.size) {
    await wh.run('DELETE FROM stream_points WHERE stream_id IN (SELECT stream_id FROM streams JOIN stage_stream_keys USING (record_id))');
    await wh.run(
      'UPDATE streams SET points = k.points, content_hash = k.content_hash FROM stage_stream_keys k WHERE streams.record_id = k.record_id',
    );
  }
  const [top] = await wh.all<{ max: number | null }>('SELECT max(stream_id) AS max FROM streams');
  let next = (top?.max ?? 0) + 1;
  const fresh: unknown[][] = [];
  for (const [id, st] of streams) {
    if (ids.has(id)) continue;
    ids.set(id, next);
    fresh.push([next++, id, st.time.length, hashes.get(id)]);
  }
  await wh.appendRows('streams', fresh);
  // New streams in id order, so each stream's points sit together and in order of id.
  const changed = [...streams.keys()].filter((id) => !same.has(id));
  const columns: StreamColumns[] = changed
    .map((id) => {
      const st = streams.get(id)!;
      return { id: ids.get(id)!, time: st.time, values: STREAM_CHANNELS.map((c) => st.channels[c]) };
    })
    .sort((a, b) => a.id - b.id);
  return { points: await wh.appendStreamColumns('stream_points', columns), changed };
}

/**
 * Validate and load a parse result. Every record first passes the
 * plausibility gate (core/plausibility.ts), whatever it came from (an API
 * page, an export file, a device file): an implausible value is stored as
 * null with a warning row, a record dated before 1990 or more than a day
 * ahead is not stored and gets a row. Invalid records become import_errors
 * rows naming input, record and field; the valid rest is stored. All writes
 * of one call are one transaction. The result is gated in place.
 */
export async function storeResult(
  wh: Warehouse,
  result: ParseResult,
  opts: { athleteId: string; now?: Date; /** More writes that must commit with these rows (a sync cursor). */ alsoInTransaction?: () => Promise<void> },
): Promise<StoreSummary> {
  const now = opts.now ?? new Date();
  const recordsBefore = result.workouts.length + result.biometrics.length;
  gateResult(result);
  const errors: ImportError[] = [...result.errors];
  let invalid = recordsBefore - (result.workouts.length + result.biometrics.length);

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

  // The last stream given for a record replaces any earlier one, as records do.
  const streams = new Map<string, WorkoutStream>();
  for (const st of result.streams) {
    const id = sourceRecordId(opts.athleteId, st.source, st.external_id);
    const w = workouts.get(id);
    if (!w) continue;
    const problem = streamProblem(st);
    if (problem) {
      streams.delete(id);
      errors.push({ input: String(w[SW_COLUMNS.indexOf('input')] ?? '(unknown input)'), record: `${st.source} ${st.external_id}`, ...problem });
      continue;
    }
    streams.set(id, st);
  }

  const errorRows = errors.map((e) => {
    // A parser's row without its input still names something, so it can be stored.
    const input = String(e.input ?? '(unknown input)');
    const id = stableHash(input, e.record ?? '', e.field ?? '', e.reason);
    return [id, redactString(input), e.record == null ? null : redactString(String(e.record)), e.field == null ? null : String(e.field), redactString(String(e.reason)), now];
  });

  let points = 0;
  await wh.transaction(async () => {
    if (workouts.size) {
      await wh.run('CREATE OR REPLACE TEMP TABLE stage_source_workouts AS SELECT * FROM source_workouts LIMIT 0');
      await wh.appendRows('stage_source_workouts', [...workouts.values()]);
      await wh.run(dropUnchangedSql('source_workouts', 'stage_source_workouts', SW_COLUMNS, 'record_id'));
      await markRecords(wh, 'SELECT record_id FROM stage_source_workouts');
      await wh.run(upsertSql('source_workouts', 'stage_source_workouts', SW_COLUMNS, 'record_id'));
    }
    if (streams.size) {
      const stored = await storeStreams(wh, streams);
      points = stored.points;
      // A record's track takes part in matching (routes): a changed one is deduplicated again.
      if (stored.changed.length) await markRecords(wh, 'SELECT unnest(?::VARCHAR[]) AS record_id', [stored.changed]);
    }
    if (readings.size) {
      await wh.run('CREATE OR REPLACE TEMP TABLE stage_source_biometrics AS SELECT * FROM source_biometrics LIMIT 0');
      await wh.appendRows('stage_source_biometrics', [...readings.values()]);
      await wh.run(dropUnchangedSql('source_biometrics', 'stage_source_biometrics', SB_COLUMNS, 'reading_id'));
      await markBiometricDays(wh, 'SELECT athlete_id, date FROM stage_source_biometrics');
      // One reading keyed twice: the same value from one source on one day, once with its time and once without
      // (an earlier version's mapping gave no time; an archive's JSON twin of its timed CSV). The timed one is kept,
      // whichever arrives first.
      await wh.run(
        `DELETE FROM stage_source_biometrics WHERE time IS NULL AND (athlete_id, source, metric_type, date, value) IN
           (SELECT (athlete_id, source, metric_type, date, value) FROM source_biometrics WHERE time IS NOT NULL
            UNION ALL SELECT (athlete_id, source, metric_type, date, value) FROM stage_source_biometrics WHERE time IS NOT NULL)`,
      );
      await wh.run(upsertSql('source_biometrics', 'stage_source_biometrics', SB_COLUMNS, 'reading_id'));
      await wh.run(
        `DELETE FROM source_biometrics WHERE time IS NULL AND (athlete_id, source, metric_type, date, value) IN
           (SELECT (athlete_id, source, metric_type, date, value) FROM stage_source_biometrics WHERE time IS NOT NULL)`,
      );
    }
    if (errorRows.length) {
      await wh.run('CREATE OR REPLACE TEMP TABLE stage_import_errors AS SELECT * FROM import_errors LIMIT 0');
      await wh.appendRows('stage_import_errors', errorRows);
      await wh.run('INSERT INTO import_errors SELECT DISTINCT ON (error_id) * FROM stage_import_errors ON CONFLICT (error_id) DO NOTHING');
    }
    await opts.alsoInTransaction?.();
  });
  return { workouts: workouts.size, biometrics: readings.size, points, errors: errorRows.length, invalid, warnings: errors.filter(isValueWarning).length };
}
