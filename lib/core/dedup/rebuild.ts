/**
 * Rebuilding the canonical tables (`workouts`, `workout_sources`,
 * `workout_aliases`, `biometrics`) from the source rows with the dedup
 * engine. One transaction: readers see the old tables or the new ones.
 * Source rows are read and canonical rows written column-wise through
 * DuckDB's own API: per-row JS objects and per-value conversion were most of
 * a rebuild's time.
 */
import { DuckDBDataChunk, LIST, VARCHAR, listValue, timestampValue, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import type { Warehouse } from '../warehouse.ts';
import type { DedupMember, DedupRecord, DedupOptions, DedupRoute, DedupStats } from './types.ts';
import { deduplicate, aliasChanges, reconcileBiometrics, type WorkoutCluster } from './deduplicate.ts';
import type { MetricType, SportCategory, Workout } from '../models.ts';

/** What a rebuild produced. */
export interface RebuildSummary {
  sourceRecords: number;
  workouts: number;
  merged: number;
  aliases: number;
  biometricDays: number;
  stats: DedupStats;
}

const ROUTE_POINTS = 200;

/** Columns with few distinct values: read as positions in a list of those values. */
const CODED = ['athlete_id', 'source', 'sport', 'source_sport', 'sport_category', 'parent_external_id', 'input'] as const;

// Reading a string through the client costs far more than a number, so repeated strings come as
// codes, times as epoch ms, and external_ids only when it holds more than the record's own id.
const SOURCE_QUERY = `SELECT ${CODED.map((c, k) => `list_position($${k + 1}::VARCHAR[], ${c})::DOUBLE`).join(', ')},
    record_id, external_id, name, epoch_ms(start_time)::DOUBLE, epoch_ms(end_time)::DOUBLE, duration_s,
    moving_time_s, utc_offset_min, distance_m, calories_kcal, avg_hr, max_hr, elevation_gain_m, avg_power_w,
    max_power_w, avg_cadence, training_load, perceived_exertion,
    CASE WHEN external_ids::VARCHAR = json_object(source, external_id)::VARCHAR THEN NULL ELSE external_ids::VARCHAR END,
    external_ids IS NULL, has_gps, has_power, data_quality_score
  FROM source_workouts ORDER BY athlete_id, start_time, record_id`;

/** A downsampled route per record id, for the records that have GPS points. */
async function loadRoutes(wh: Warehouse): Promise<Map<string, DedupRoute>> {
  const reader = await wh.connection.runAndReadAll(
    `SELECT record_id, list(lat ORDER BY time) AS lat, list(lon ORDER BY time) AS lon
     FROM (SELECT record_id, time, lat, lon,
                  row_number() OVER (PARTITION BY record_id ORDER BY time) AS rn,
                  count(*) OVER (PARTITION BY record_id) AS n
           FROM workout_streams WHERE lat IS NOT NULL AND lon IS NOT NULL)
     WHERE (rn - 1) % greatest(1, n // ${ROUTE_POINTS}) = 0
     GROUP BY record_id`,
  );
  // An empty result has no chunks, hence no columns.
  const [ids = [], lats = [], lons = []] = reader.getColumnsJS() as [string[]?, number[][]?, number[][]?];
  const routes = new Map<string, DedupRoute>();
  for (let i = 0; i < ids.length; i++) {
    routes.set(ids[i]!, { lat: Float64Array.from(lats[i]!), lon: Float64Array.from(lons[i]!) });
  }
  return routes;
}

/**
 * Read every source record with a downsampled route for those that have GPS,
 * ordered by athlete, start and record id (the order the engine sorts into).
 */
export async function loadDedupRecords(wh: Warehouse): Promise<DedupRecord[]> {
  const dictReader = await wh.connection.runAndReadAll(
    `SELECT ${CODED.map((c) => `list(DISTINCT ${c}) FILTER (WHERE ${c} IS NOT NULL)`).join(', ')} FROM source_workouts`,
  );
  const dictRow = dictReader.getRowsJS()[0] ?? [];
  const dict = CODED.map((_, k) => (dictRow[k] ?? []) as string[]);
  const reader = await wh.connection.runAndReadAll(SOURCE_QUERY, dict.map((d) => listValue(d)), dict.map(() => LIST(VARCHAR)));
  const c = reader.getColumns();
  if (c.length === 0) return []; // no rows: no chunks, hence no columns
  const decode = (k: number): (string | null)[] => (c[k] as (number | null)[]).map((p) => (p === null ? null : dict[k]![p - 1]!));
  const [athlete = [], source = [], sport = [], sourceSport = [], category = [], parent = [], input = []] = CODED.map((_, k) => decode(k));
  const num = (k: number) => c[k] as number[];
  const opt = (k: number) => c[k] as (number | null)[];
  const [recordId, externalId, name] = [c[7] as string[], c[8] as string[], c[9] as (string | null)[]];
  const [start, end, duration, moving, offset] = [num(10), num(11), num(12), opt(13), opt(14)];
  const [distance, calories, avgHr, maxHr, elevation] = [opt(15), opt(16), opt(17), opt(18), opt(19)];
  const [avgPower, maxPower, cadence, load, rpe] = [opt(20), opt(21), opt(22), opt(23), opt(24)];
  const [externalIds, noIds] = [c[25] as (string | null)[], c[26] as boolean[]];
  const [gps, power, quality] = [c[27] as boolean[], c[28] as boolean[], num(29)];
  const routes = await loadRoutes(wh);

  const out = new Array<DedupRecord>(recordId.length);
  for (let i = 0; i < out.length; i++) {
    const ids = externalIds[i];
    const own: Record<string, string> = noIds[i] ? {} : { [source[i]!]: externalId[i]! };
    out[i] = {
      record_id: recordId[i]!,
      athlete_id: athlete[i]!,
      source: source[i]!,
      external_id: externalId[i]!,
      name: name[i]!,
      start_time: new Date(start[i]!),
      end_time: new Date(end[i]!),
      duration_s: duration[i]!,
      moving_time_s: moving[i]!,
      utc_offset_min: offset[i]!,
      sport: sport[i]!,
      source_sport: sourceSport[i]!,
      sport_category: category[i] as SportCategory,
      distance_m: distance[i]!,
      calories_kcal: calories[i]!,
      avg_hr: avgHr[i]!,
      max_hr: maxHr[i]!,
      elevation_gain_m: elevation[i]!,
      avg_power_w: avgPower[i]!,
      max_power_w: maxPower[i]!,
      avg_cadence: cadence[i]!,
      training_load: load[i]!,
      perceived_exertion: rpe[i]!,
      external_ids: ids ? (JSON.parse(ids) as Record<string, string>) : own,
      raw_data: null,
      has_gps: gps[i]!,
      has_power: power[i]!,
      data_quality_score: quality[i]!,
      parent_external_id: parent[i]!,
      input: input[i]!,
      route: routes.get(recordId[i]!),
    };
  }
  return out;
}

const json = (v: unknown): string | null => (v == null ? null : JSON.stringify(v));
const timestamp = (d: Date): DuckDBValue => timestampValue(BigInt(d.getTime()) * 1000n);

/** Append whole columns (values already in the table's types) to `table` in data chunks. */
async function appendColumns(wh: Warehouse, table: string, columns: DuckDBValue[][]): Promise<void> {
  const rows = columns[0]?.length ?? 0;
  if (rows === 0) return;
  const appender = await wh.connection.createAppender(table);
  try {
    const types: DuckDBType[] = [];
    for (let i = 0; i < appender.columnCount; i++) types.push(appender.columnType(i));
    const CHUNK = 2048;
    for (let off = 0; off < rows; off += CHUNK) {
      const n = Math.min(CHUNK, rows - off);
      const chunk = DuckDBDataChunk.create(types, n);
      chunk.setColumns(columns.map((col) => col.slice(off, off + n)));
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}

/** The `workouts` table's columns for these workouts, in table order. */
function workoutColumns(workouts: readonly Workout[], sourceCount: ReadonlyMap<string, number>): DuckDBValue[][] {
  const cols: DuckDBValue[][] = Array.from({ length: 28 }, () => new Array<DuckDBValue>(workouts.length));
  for (let i = 0; i < workouts.length; i++) {
    const w = workouts[i]!;
    const row: DuckDBValue[] = [
      w.workout_id, w.athlete_id, w.name, timestamp(w.start_time), timestamp(w.end_time), w.duration_s, w.utc_offset_min,
      w.sport, w.sport_category, w.distance_m, w.calories_kcal, w.avg_hr, w.max_hr, w.elevation_gain_m, w.avg_power_w,
      w.max_power_w, w.avg_cadence, w.training_load, w.perceived_exertion, w.source, json(w.external_ids),
      json(w.raw_data), w.has_gps, w.has_power, w.data_quality_score, json(w.provenance), sourceCount.get(w.workout_id) ?? 1,
      // Added by migration 070, so last.
      w.moving_time_s,
    ];
    for (let c = 0; c < row.length; c++) cols[c]![i] = row[c]!;
  }
  return cols;
}

/** The `workout_sources` table's columns for these members, in table order. */
function memberColumns(members: readonly DedupMember[]): DuckDBValue[][] {
  const n = members.length;
  const cols: DuckDBValue[][] = Array.from({ length: 6 }, () => new Array<DuckDBValue>(n));
  for (let i = 0; i < n; i++) {
    const m = members[i]!;
    cols[0]![i] = m.workout_id;
    cols[1]![i] = m.record_id;
    cols[2]![i] = m.source;
    cols[3]![i] = m.external_id;
    cols[4]![i] = m.match_tier;
    cols[5]![i] = JSON.stringify(m.match_info);
  }
  return cols;
}

/** Fill a temp table `dedup_stage_<table>`, shaped like `table` but without its keys, with `columns`. */
async function stageTable(wh: Warehouse, table: string, columns: DuckDBValue[][]): Promise<void> {
  await wh.run(`CREATE OR REPLACE TEMP TABLE dedup_stage_${table} AS SELECT * FROM ${table} LIMIT 0`);
  await appendColumns(wh, `dedup_stage_${table}`, columns);
}

/**
 * Make `table` hold exactly the rows of its stage, touching only the rows that
 * differ: rebuilds mostly reproduce what is there, and deleting and
 * re-inserting every keyed row is the slowest part of a rewrite. EXCEPT
 * compares whole rows, NULLs equal, so the result is that of a full rewrite.
 */
async function replaceChanged(wh: Warehouse, table: string, key: string): Promise<void> {
  const stage = `dedup_stage_${table}`;
  await wh.run(
    `DELETE FROM ${table} WHERE (${key}) IN (SELECT (${key}) FROM (SELECT * FROM ${table} EXCEPT SELECT * FROM ${stage}))`,
  );
  await wh.run(`INSERT INTO ${table} SELECT * FROM ${stage} EXCEPT SELECT * FROM ${table}`);
}

/**
 * Map superseded workout ids to their successors: earlier aliases that pointed
 * at a superseded id follow it, then each superseded id gets (or moves) its own.
 * Successors are live workouts, never superseded ones, so the order of the
 * aliases does not matter and one statement does each step.
 */
async function writeAliases(wh: Warehouse, aliases: Record<string, string>): Promise<void> {
  const oldIds = Object.keys(aliases);
  if (oldIds.length === 0) return;
  await wh.run('CREATE OR REPLACE TEMP TABLE dedup_alias_stage (old_id VARCHAR, workout_id VARCHAR)');
  try {
    await appendColumns(wh, 'dedup_alias_stage', [oldIds, oldIds.map((id) => aliases[id]!)]);
    await wh.run(
      `UPDATE workout_aliases SET workout_id = s.workout_id FROM dedup_alias_stage s
       WHERE workout_aliases.workout_id = s.old_id`,
    );
    await wh.run(
      `INSERT INTO workout_aliases SELECT old_id, workout_id, ? FROM dedup_alias_stage
       ON CONFLICT (old_id) DO UPDATE SET workout_id = excluded.workout_id`,
      [new Date()],
    );
  } finally {
    await wh.run('DROP TABLE IF EXISTS dedup_alias_stage');
  }
}

/** Re-run deduplication and biometric reconciliation over all source rows. */
export async function rebuildCanonical(wh: Warehouse, opts: DedupOptions = {}): Promise<RebuildSummary> {
  const records = await loadDedupRecords(wh);
  const result = deduplicate(records, opts);

  const current = new Map<string, string[]>();
  for (const m of result.members) {
    const list = current.get(m.workout_id);
    if (list) list.push(m.record_id);
    else current.set(m.workout_id, [m.record_id]);
  }
  const sourceCount = new Map<string, number>();
  for (const [id, list] of current) sourceCount.set(id, list.length);

  const readings = await wh.all<{ athlete_id: string; date: string; metric_type: MetricType; value: number; unit: string; source: string; confidence: number }>(
    'SELECT athlete_id, date, metric_type, value, unit, source, confidence FROM source_biometrics ORDER BY reading_id',
  );
  const daily = reconcileBiometrics(readings);

  let aliases: Record<string, string> = {};
  await wh.transaction(async () => {
    await stageTable(wh, 'workouts', workoutColumns(result.workouts, sourceCount));
    await stageTable(wh, 'workout_sources', memberColumns(result.members));
    try {
      // Only previous workouts whose id is gone can need an alias.
      const gone = await wh.all<WorkoutCluster>(
        `SELECT workout_id, list(record_id ORDER BY record_id) AS record_ids FROM workout_sources
         WHERE workout_id NOT IN (SELECT workout_id FROM dedup_stage_workouts) GROUP BY workout_id ORDER BY workout_id`,
      );
      if (gone.length > 0) {
        aliases = aliasChanges(gone, [...current].map(([workout_id, record_ids]) => ({ workout_id, record_ids })));
      }
      await replaceChanged(wh, 'workouts', 'workout_id');
      await replaceChanged(wh, 'workout_sources', 'workout_id, record_id');
    } finally {
      await wh.run('DROP TABLE IF EXISTS dedup_stage_workouts');
      await wh.run('DROP TABLE IF EXISTS dedup_stage_workout_sources');
    }
    await writeAliases(wh, aliases);
    await wh.run('DELETE FROM workout_aliases WHERE old_id IN (SELECT workout_id FROM workouts)');
    // Plugin results follow their workout to its new id; those of workouts that are gone go too.
    await wh.run(
      `INSERT INTO plugin_results SELECT a.workout_id, p.* EXCLUDE (workout_id) FROM plugin_results p
       JOIN workout_aliases a ON p.workout_id = a.old_id ON CONFLICT DO NOTHING`,
    );
    await wh.run('DELETE FROM plugin_results WHERE workout_id NOT IN (SELECT workout_id FROM workouts)');
    await wh.run('DELETE FROM biometrics');
    await wh.appendRows(
      'biometrics',
      daily.map((b) => [b.athlete_id, b.date, b.metric_type, b.value, b.unit, b.source, b.confidence, b.source_count]),
    );
  });

  return {
    sourceRecords: records.length,
    workouts: result.workouts.length,
    merged: records.length - result.workouts.length,
    aliases: Object.keys(aliases).length,
    biometricDays: daily.length,
    stats: result.stats,
  };
}

/** The current id of a workout id that may have been superseded by a rebuild. */
export async function resolveWorkoutId(wh: Warehouse, id: string): Promise<string | null> {
  const rows = await wh.all<{ workout_id: string }>(
    `SELECT workout_id FROM workouts WHERE workout_id = ?
     UNION ALL SELECT workout_id FROM workout_aliases WHERE old_id = ?`,
    [id, id],
  );
  return rows[0]?.workout_id ?? null;
}
