/**
 * Building the canonical tables (`workouts`, `workout_sources`,
 * `workout_aliases`, `biometrics`) from the source rows with the dedup
 * engine: in full (rebuildCanonical), or only where records changed
 * (updateCanonical). One transaction: readers see the old tables or the new
 * ones. Only rows that differ are written, and the days and workouts that
 * changed are marked for the analysis and the plugins (core/pending.ts).
 * Source rows are read and canonical rows written column-wise through
 * DuckDB's own API: per-row JS objects and per-value conversion were most of
 * a rebuild's time.
 */
import { duckdbApi } from '../duckdb.ts';
import type { Warehouse } from '../warehouse.ts';
import type { DedupMember, DedupRecord, DedupOptions, DedupResult, DedupRoute, DedupStats } from './types.ts';
import { deduplicate, aliasChanges, reconcileBiometrics, type WorkoutCluster } from './deduplicate.ts';
import type { MetricType, SportCategory, Workout } from '../models.ts';
import { markAnalysisFrom, markBiometricDays, markPlugins } from '../pending.ts';
import { DEFAULT_DEDUP_OPTIONS } from './types.ts';

/** What a rebuild produced. */
export interface RebuildSummary {
  sourceRecords: number;
  workouts: number;
  merged: number;
  aliases: number;
  biometricDays: number;
  stats: DedupStats;
  /** Source records deduplicated again: all of them in a full rebuild, the changed ones' neighbourhood in an update. */
  scope: number;
  /** Canonical rows written or removed (workouts, members, biometric day-values). */
  changedRows: number;
}

const ROUTE_POINTS = 200;

/**
 * Text columns whose values repeat: each read as a position in the list of
 * its distinct values when they are few (up to CODE_MAX), else as text.
 */
const CODED = ['athlete_id', 'source', 'sport', 'sport_category', 'parent_external_id'] as const;
const CODE_MAX = 1000;

/** The source rows to read: all, or those whose record_id is in a temp table of that name. */
const sourceRows = (scope?: string) => `source_workouts${scope ? ` WHERE record_id IN (SELECT record_id FROM ${scope})` : ''}`;

// Reading a string through the client costs far more than a number, so repeated strings come as
// codes, times as epoch ms, and external_ids only when it holds more than the record's own id.
const NUMBERS = ['duration_s', 'moving_time_s', 'utc_offset_min', 'distance_m', 'calories_kcal', 'avg_hr', 'max_hr', 'elevation_gain_m',
  'avg_power_w', 'max_power_w', 'avg_cadence', 'training_load', 'perceived_exertion', 'has_gps', 'has_power', 'data_quality_score'] as const;

/**
 * The source query, CODED columns first: as codes where `coded` says so, the
 * list of values then given as the next parameter ($1, $2, ...), else as text.
 * A code is found by joining that list, not by searching it, which per row
 * would grow with rows times values.
 */
function sourceQuery(coded: readonly boolean[], scope?: string): string {
  let param = 0;
  const joins: string[] = [];
  const cols = CODED.map((c, k) => {
    if (!coded[k]) return `s.${c}`;
    const p = `$${++param}::VARCHAR[]`;
    joins.push(`LEFT JOIN (SELECT unnest(${p}) AS value, generate_subscripts(${p}, 1) AS code) d${k} ON s.${c} = d${k}.value`);
    return `d${k}.code::DOUBLE`;
  });
  return `SELECT ${cols.join(', ')},
    s.record_id, s.external_id, s.name, epoch_ms(s.start_time)::DOUBLE, epoch_ms(s.end_time)::DOUBLE, ${NUMBERS.map((c) => `s.${c}::DOUBLE`).join(', ')},
    CASE WHEN s.external_ids IS NULL THEN '' WHEN s.external_ids::VARCHAR = json_object(s.source, s.external_id)::VARCHAR THEN NULL ELSE s.external_ids::VARCHAR END
  FROM (SELECT * FROM ${sourceRows(scope)}) s
  ${joins.join('\n  ')}
  ORDER BY s.athlete_id, s.start_time, s.record_id`;
}

/** A downsampled route per record id, for the records (all, or those in `scope`) that have GPS points. */
async function loadRoutes(wh: Warehouse, scope?: string): Promise<Map<string, DedupRoute>> {
  const streams = scope ? `(SELECT * FROM streams WHERE record_id IN (SELECT record_id FROM ${scope}))` : 'streams';
  const reader = await wh.connection.runAndReadAll(
    `SELECT record_id, list(lat ORDER BY time) AS lat, list(lon ORDER BY time) AS lon
     FROM (SELECT s.record_id, p.time, p.lat, p.lon,
                  row_number() OVER (PARTITION BY s.record_id ORDER BY p.time) AS rn,
                  count(*) OVER (PARTITION BY s.record_id) AS n
           FROM stream_points p JOIN ${streams} s USING (stream_id) WHERE p.lat IS NOT NULL AND p.lon IS NOT NULL)
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
 * Read every source record (or those whose record_id is in the temp table
 * `scope`) with a downsampled route for those that have GPS, ordered by
 * athlete, start and record id (the order the engine sorts into). Fields the
 * engine does not use are not read: raw_data, source_sport and input are null
 * (an input path per record was a quarter of the reading).
 */
export async function loadDedupRecords(wh: Warehouse, scope?: string): Promise<DedupRecord[]> {
  const dictReader = await wh.connection.runAndReadAll(
    `SELECT ${CODED.map((c) => `list(DISTINCT ${c}) FILTER (WHERE ${c} IS NOT NULL)`).join(', ')} FROM ${sourceRows(scope)}`,
  );
  const dictRow = dictReader.getRowsJS()[0] ?? [];
  // Read as text (null here): too many values to code, or none (no rows, or NULL in every row).
  const dict = CODED.map((_, k) => {
    const values = dictRow[k] as string[] | null | undefined;
    return values && values.length <= CODE_MAX ? values : null;
  });
  const lists = dict.filter((d): d is string[] => d !== null);
  const c = await wh.columns(sourceQuery(dict.map((d) => d !== null), scope), lists.map((d) => duckdbApi.listValue(d)), lists.map(() => duckdbApi.LIST(duckdbApi.VARCHAR)));
  const n = c[0]?.length ?? 0;
  const code = (k: number): (string | null)[] => {
    const values = dict[k];
    if (!values) return c[k] as (string | null)[];
    const col = c[k] as Float64Array;
    const out = new Array<string | null>(n);
    for (let i = 0; i < n; i++) out[i] = col[i] !== col[i] ? null : values[col[i]! - 1]!;
    return out;
  };
  const [athlete = [], source = [], sport = [], category = [], parent = []] = CODED.map((_, k) => code(k));
  const at = CODED.length;
  const [recordId, externalId, name] = [c[at] as string[], c[at + 1] as string[], c[at + 2] as (string | null)[]];
  const [start, end] = [c[at + 3] as Float64Array, c[at + 4] as Float64Array];
  const [duration, moving, offset, distance, calories, avgHr, maxHr, elevation, avgPower, maxPower, cadence, load, rpe, gps, power, quality] = NUMBERS.map(
    (_, k) => c[at + 5 + k] as Float64Array,
  );
  const externalIds = c[at + 5 + NUMBERS.length] as (string | null)[];
  // NaN is the only value not equal to itself: a NULL.
  const opt = (col: Float64Array, i: number): number | null => (col[i] !== col[i] ? null : col[i]!);
  const routes = await loadRoutes(wh, scope);

  const out = new Array<DedupRecord>(n);
  for (let i = 0; i < n; i++) {
    const ids = externalIds[i];
    out[i] = {
      record_id: recordId[i]!,
      athlete_id: athlete[i]!,
      source: source[i]!,
      external_id: externalId[i]!,
      name: name[i]!,
      start_time: new Date(start[i]!),
      end_time: new Date(end[i]!),
      duration_s: duration![i]!,
      moving_time_s: opt(moving!, i),
      utc_offset_min: opt(offset!, i),
      sport: sport[i]!,
      source_sport: null,
      sport_category: category[i] as SportCategory,
      distance_m: opt(distance!, i),
      calories_kcal: opt(calories!, i),
      avg_hr: opt(avgHr!, i),
      max_hr: opt(maxHr!, i),
      elevation_gain_m: opt(elevation!, i),
      avg_power_w: opt(avgPower!, i),
      max_power_w: opt(maxPower!, i),
      avg_cadence: opt(cadence!, i),
      training_load: opt(load!, i),
      perceived_exertion: opt(rpe!, i),
      // '' stands for no ids at all, NULL for the record's own id only.
      external_ids: ids === '' ? {} : ids ? (JSON.parse(ids) as Record<string, string>) : { [source[i]!]: externalId[i]! },
      raw_data: null,
      has_gps: gps![i] === 1,
      has_power: power![i] === 1,
      data_quality_score: quality![i]!,
      parent_external_id: parent[i]!,
      input: null,
      route: routes.get(recordId[i]!),
    };
  }
  return out;
}

const json = (v: unknown): string | null => (v == null ? null : JSON.stringify(v));

/** A staged cell: times as epoch ms. */
type Cell = string | number | boolean | null;

/** The `workouts` table's columns for these workouts, in table order. */
function workoutColumns(workouts: readonly Workout[], sourceCount: ReadonlyMap<string, number>): Cell[][] {
  const cols: Cell[][] = Array.from({ length: 28 }, () => new Array<Cell>(workouts.length));
  for (let i = 0; i < workouts.length; i++) {
    const w = workouts[i]!;
    const row: Cell[] = [
      w.workout_id, w.athlete_id, w.name, w.start_time.getTime(), w.end_time.getTime(), w.duration_s, w.utc_offset_min,
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

/** A base member's match_info: the engine gives it no fields. */
const EMPTY_INFO = '{}';

/** The `workout_sources` table's columns for these members, in table order. */
function memberColumns(members: readonly DedupMember[]): Cell[][] {
  const n = members.length;
  const cols: Cell[][] = Array.from({ length: 6 }, () => new Array<Cell>(n));
  for (let i = 0; i < n; i++) {
    const m = members[i]!;
    cols[0]![i] = m.workout_id;
    cols[1]![i] = m.record_id;
    cols[2]![i] = m.source;
    cols[3]![i] = m.external_id;
    cols[4]![i] = m.match_tier;
    cols[5]![i] = m.match_tier === null ? EMPTY_INFO : JSON.stringify(m.match_info);
  }
  return cols;
}

/** Fill a temp table `dedup_stage_<table>`, shaped like `table` but without its keys, with `columns`. */
async function stageTable(wh: Warehouse, table: string, columns: Cell[][]): Promise<void> {
  await wh.run(`CREATE OR REPLACE TEMP TABLE dedup_stage_${table} AS SELECT * FROM ${table} LIMIT 0`);
  await wh.appendColumns(`dedup_stage_${table}`, columns);
}

/** The local day of a workout row (start plus its UTC offset), as the analysis counts it. */
const LOCAL_DATE = 'CAST(start_time + to_minutes(coalesce(utc_offset_min, 0)) AS DATE)';

/**
 * Make the rows of `table` selected by `current` (all of them, or those of
 * the re-deduplicated workouts) equal to its stage, touching only the rows
 * that differ: rebuilds mostly reproduce what is there, and rewriting every
 * row is the slowest part of a rebuild and makes the file grow. EXCEPT
 * compares whole rows, NULLs equal, but for the `ignored` column, which
 * another step owns (the analysis sets each workout's training_load). The
 * rows removed and added are left in `dedup_removed_<table>` and
 * `dedup_added_<table>`; returns how many.
 */
async function replaceChanged(wh: Warehouse, table: string, key: string, current: string, ignored?: string): Promise<number> {
  const stage = `dedup_stage_${table}`;
  const cols = ignored ? `* EXCLUDE (${ignored})` : '*';
  const [held] = await wh.all<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${current}) AS "any"`);
  if (held?.any) {
    await wh.run(`CREATE OR REPLACE TEMP TABLE dedup_removed_${table} AS SELECT ${cols} FROM ${current} EXCEPT SELECT ${cols} FROM ${stage}`);
    await wh.run(`CREATE OR REPLACE TEMP TABLE dedup_added_${table} AS SELECT ${cols} FROM ${stage} EXCEPT SELECT ${cols} FROM ${current}`);
    await wh.run(`DELETE FROM ${table} WHERE (${key}) IN (SELECT (${key}) FROM dedup_removed_${table})`);
    await wh.run(`INSERT INTO ${table} SELECT * FROM ${stage} WHERE (${key}) IN (SELECT (${key}) FROM dedup_added_${table})`);
  } else {
    // Nothing to compare with (a first deduplication): every staged row is added, and comparing rows would only cost.
    await wh.run(`CREATE OR REPLACE TEMP TABLE dedup_removed_${table} AS SELECT ${cols} FROM ${stage} LIMIT 0`);
    await wh.run(`CREATE OR REPLACE TEMP TABLE dedup_added_${table} AS SELECT ${cols} FROM ${stage}`);
    await wh.run(`INSERT INTO ${table} SELECT * FROM ${stage}`);
  }
  const [n] = await wh.all<{ n: number }>(
    `SELECT (SELECT count(*) FROM dedup_removed_${table}) + (SELECT count(*) FROM dedup_added_${table}) AS n`,
  );
  return n?.n ?? 0;
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
    await wh.appendColumns('dedup_alias_stage', [oldIds, oldIds.map((id) => aliases[id]!)]);
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

/**
 * Write a dedup result over the canonical workouts it replaces: all of them,
 * or (`scope` given) those holding a record in the temp table `scope`. Marks
 * the local days of changed workouts for the analysis and the changed
 * workouts, and those holding a changed record, for the plugins.
 */
async function writeWorkouts(wh: Warehouse, result: DedupResult, scope?: string): Promise<{ aliases: number; changed: number }> {
  const current = new Map<string, string[]>();
  for (const m of result.members) {
    const list = current.get(m.workout_id);
    if (list) list.push(m.record_id);
    else current.set(m.workout_id, [m.record_id]);
  }
  const sourceCount = new Map<string, number>();
  for (const [id, list] of current) sourceCount.set(id, list.length);

  await wh.run(
    scope
      ? `CREATE OR REPLACE TEMP TABLE dedup_old AS SELECT DISTINCT workout_id FROM workout_sources WHERE record_id IN (SELECT record_id FROM ${scope})`
      : 'CREATE OR REPLACE TEMP TABLE dedup_old AS SELECT workout_id FROM workouts',
  );
  const old = (table: string) => (scope ? `(SELECT * FROM ${table} WHERE workout_id IN (SELECT workout_id FROM dedup_old))` : table);
  await stageTable(wh, 'workouts', workoutColumns(result.workouts, sourceCount));
  await stageTable(wh, 'workout_sources', memberColumns(result.members));
  let aliases: Record<string, string> = {};
  let changed = 0;
  try {
    // Only previous workouts whose id is gone can need an alias.
    const gone = await wh.all<WorkoutCluster>(
      `SELECT workout_id, list(record_id ORDER BY record_id) AS record_ids FROM ${old('workout_sources')}
       WHERE workout_id NOT IN (SELECT workout_id FROM dedup_stage_workouts) GROUP BY workout_id ORDER BY workout_id`,
    );
    if (gone.length > 0) {
      aliases = aliasChanges(gone, [...current].map(([workout_id, record_ids]) => ({ workout_id, record_ids })));
    }
    changed += await replaceChanged(wh, 'workouts', 'workout_id', old('workouts'), 'training_load');
    changed += await replaceChanged(wh, 'workout_sources', 'workout_id, record_id', old('workout_sources'));
    await markAnalysisFrom(
      wh,
      `SELECT athlete_id, ${LOCAL_DATE} AS date FROM dedup_removed_workouts UNION ALL SELECT athlete_id, ${LOCAL_DATE} FROM dedup_added_workouts`,
    );
    // A workout whose members changed, or one of whose records (its stream perhaps) changed, is looked at again.
    await markPlugins(
      wh,
      `SELECT workout_id FROM dedup_added_workouts UNION ALL SELECT workout_id FROM dedup_added_workout_sources
       UNION ALL SELECT workout_id FROM dedup_stage_workout_sources WHERE record_id IN (SELECT record_id FROM pending_records)`,
    );
    await writeAliases(wh, aliases);
    // Ids that were superseded and came back, and what hung on the workouts that are gone: only removed rows can be either.
    await wh.run('CREATE OR REPLACE TEMP TABLE dedup_gone AS SELECT workout_id FROM dedup_removed_workouts EXCEPT SELECT workout_id FROM workouts');
    await wh.run('DELETE FROM workout_aliases WHERE old_id IN (SELECT workout_id FROM dedup_added_workouts)');
    // Plugin results follow their workout to its new id; those of workouts that are gone go too.
    await wh.run(
      `INSERT INTO plugin_results SELECT a.workout_id, p.* EXCLUDE (workout_id) FROM plugin_results p
       JOIN workout_aliases a ON p.workout_id = a.old_id WHERE a.old_id IN (SELECT workout_id FROM dedup_gone) ON CONFLICT DO NOTHING`,
    );
    await wh.run('DELETE FROM plugin_results WHERE workout_id IN (SELECT workout_id FROM dedup_gone)');
    await wh.run('DELETE FROM pending_plugins WHERE workout_id IN (SELECT workout_id FROM dedup_gone)');
  } finally {
    for (const t of ['stage_workouts', 'stage_workout_sources', 'removed_workouts', 'added_workouts', 'removed_workout_sources', 'added_workout_sources', 'old', 'gone']) {
      await wh.run(`DROP TABLE IF EXISTS dedup_${t}`);
    }
  }
  return { aliases: Object.keys(aliases).length, changed };
}

/**
 * Reconcile the daily biometrics of every day, or (`incremental`) of the days
 * marked in pending_biometric_days, writing only the day-values that differ
 * and marking their days for the analysis. Returns the day-values reconciled
 * and the rows changed.
 */
async function writeBiometrics(wh: Warehouse, incremental: boolean): Promise<{ days: number; changed: number }> {
  const days = incremental ? ' JOIN pending_biometric_days USING (athlete_id, date)' : '';
  const readings = await wh.all<{ athlete_id: string; date: string; metric_type: MetricType; value: number; unit: string; source: string; confidence: number }>(
    `SELECT athlete_id, date, metric_type, value, unit, source, confidence FROM source_biometrics${days} ORDER BY reading_id`,
  );
  const daily = reconcileBiometrics(readings);
  await wh.run('CREATE OR REPLACE TEMP TABLE dedup_stage_biometrics AS SELECT * FROM biometrics LIMIT 0');
  await wh.appendRows(
    'dedup_stage_biometrics',
    daily.map((b) => [b.athlete_id, b.date, b.metric_type, b.value, b.unit, b.source, b.confidence, b.source_count]),
  );
  const current = incremental ? `(SELECT b.* FROM biometrics b${days})` : 'biometrics';
  try {
    const changed = await replaceChanged(wh, 'biometrics', 'athlete_id, date, metric_type', current);
    await markAnalysisFrom(wh, 'SELECT athlete_id, date FROM dedup_removed_biometrics UNION ALL SELECT athlete_id, date FROM dedup_added_biometrics');
    return { days: daily.length, changed };
  } finally {
    for (const t of ['stage', 'removed', 'added']) await wh.run(`DROP TABLE IF EXISTS dedup_${t}_biometrics`);
  }
}

/** Totals of the canonical tables, for a summary. */
async function totals(wh: Warehouse): Promise<{ sources: number; workouts: number; days: number }> {
  const [t] = await wh.all<{ sources: number; workouts: number; days: number }>(
    'SELECT (SELECT count(*) FROM source_workouts) AS sources, (SELECT count(*) FROM workouts) AS workouts, (SELECT count(*) FROM biometrics) AS days',
  );
  return t!;
}

/** The results of deduplicating disjoint groups of records, as one result (the groups given in athlete order). */
function concatResults(parts: readonly DedupResult[]): DedupResult {
  const stats = deduplicate([]).stats;
  for (const p of parts) {
    for (const k of ['records', 'duplicates', 'comparisons', 'routeComparisons', 'conflicts', 'copies', 'routeRejections'] as const) stats[k] += p.stats[k];
    for (const k of ['tier1', 'tier2', 'tier3'] as const) stats.links[k] += p.stats.links[k];
  }
  return { workouts: parts.flatMap((p) => p.workouts), members: parts.flatMap((p) => p.members), stats };
}

/**
 * Deduplicate every source record (or those whose record_id is in the temp
 * table `scope`), one athlete at a time: records of two athletes never link,
 * and a squad's routes together would not fit in memory (50 athletes × 10
 * years hold about 375,000 records with a route each).
 */
async function deduplicateByAthlete(wh: Warehouse, opts: DedupOptions, scope?: string): Promise<{ records: number; result: DedupResult }> {
  const athletes = (await wh.all<{ athlete_id: string }>(`SELECT DISTINCT athlete_id FROM ${sourceRows(scope)}`))
    .map((r) => r.athlete_id)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (athletes.length <= 1) {
    const records = await loadDedupRecords(wh, scope);
    return { records: records.length, result: deduplicate(records, opts) };
  }
  let records = 0;
  const parts: DedupResult[] = [];
  try {
    for (const athlete of athletes) {
      await wh.run(`CREATE OR REPLACE TEMP TABLE dedup_athlete AS SELECT record_id FROM ${sourceRows(scope)}${scope ? ' AND' : ' WHERE'} athlete_id = ?`, [athlete]);
      const recs = await loadDedupRecords(wh, 'dedup_athlete');
      records += recs.length;
      parts.push(deduplicate(recs, opts));
    }
  } finally {
    await wh.run('DROP TABLE IF EXISTS dedup_athlete');
  }
  return { records, result: concatResults(parts) };
}

/** Deduplicate every source record and reconcile every day (inside the caller's transaction). */
async function rebuildAll(wh: Warehouse, opts: DedupOptions): Promise<RebuildSummary> {
  const { records, result } = await deduplicateByAthlete(wh, opts);
  const w = await writeWorkouts(wh, result);
  const b = await writeBiometrics(wh, false);
  await wh.run('DELETE FROM pending_records');
  await wh.run('DELETE FROM pending_biometric_days');
  return {
    sourceRecords: records,
    workouts: result.workouts.length,
    merged: records - result.workouts.length,
    aliases: w.aliases,
    biometricDays: b.days,
    stats: result.stats,
    scope: records,
    changedRows: w.changed + b.changed,
  };
}

/**
 * Re-run deduplication and biometric reconciliation over all source rows
 * (`athlete dedup --full`). Whatever was pending is done with.
 */
export async function rebuildCanonical(wh: Warehouse, opts: DedupOptions = {}): Promise<RebuildSummary> {
  return wh.transaction(() => rebuildAll(wh, opts));
}

/** Above this share of all records in an update's scope, a full rebuild does the same work with fewer queries. */
const FULL_REBUILD_SHARE = 0.5;

/**
 * Fill the temp table `dedup_scope` with the records whose deduplication can
 * change: those marked in pending_records, those not yet deduplicated and
 * those deduplicated but gone from source_workouts, closed under "could
 * affect": the other records of their workouts, records starting within the
 * matcher's window or overlapping in time (which also place a workout's local
 * offset), and records sharing an id within `idLinkMaxGapS`. Every link the
 * engine could make from a record in the scope then lies inside it, so
 * deduplicating the scope alone gives what a full rebuild gives there, and
 * the workouts outside it stay as they are. Returns the scope's size.
 */
async function collectScope(wh: Warehouse, o: Required<DedupOptions>): Promise<number> {
  const windowS = Math.max(o.startToleranceS, o.routeStartToleranceS, o.copyStartToleranceS);
  const gapS = o.idLinkMaxGapS;
  await wh.run('CREATE OR REPLACE TEMP TABLE dedup_scope (record_id VARCHAR PRIMARY KEY)');
  await wh.run(
    `CREATE OR REPLACE TEMP TABLE dedup_frontier AS
     SELECT record_id FROM pending_records
     UNION SELECT s.record_id FROM source_workouts s ANTI JOIN workout_sources m USING (record_id)
     UNION SELECT m.record_id FROM workout_sources m ANTI JOIN source_workouts s USING (record_id)`,
  );
  const keys = (t: string) => `SELECT record_id, athlete_id, start_time, source || '=' || external_id AS k FROM ${t}
    UNION ALL SELECT record_id, athlete_id, start_time, key || '=' || (external_ids ->> key) FROM
      (SELECT record_id, athlete_id, start_time, external_ids, unnest(json_keys(external_ids)) AS key FROM ${t} WHERE external_ids IS NOT NULL)`;
  for (;;) {
    const [f] = await wh.all<{ n: number }>('SELECT count(*) AS n FROM dedup_frontier');
    if (!f?.n) break;
    await wh.run('INSERT INTO dedup_scope SELECT record_id FROM dedup_frontier ON CONFLICT DO NOTHING');
    await wh.run(
      `CREATE OR REPLACE TEMP TABLE dedup_next AS
       WITH f AS (SELECT s.* FROM source_workouts s SEMI JOIN dedup_frontier USING (record_id)),
       near AS (SELECT s.* FROM source_workouts s JOIN (SELECT DISTINCT athlete_id, start_time FROM f) g
                  ON s.athlete_id = g.athlete_id AND s.start_time BETWEEN g.start_time - to_seconds(${gapS}) AND g.start_time + to_seconds(${gapS})),
       fk AS (${keys('f')}),
       nk AS (${keys('near')})
       SELECT s.record_id FROM source_workouts s JOIN f ON s.athlete_id = f.athlete_id
         AND s.start_time BETWEEN f.start_time - to_seconds(${windowS}) AND f.start_time + to_seconds(${windowS})
       UNION SELECT s.record_id FROM source_workouts s JOIN f ON s.athlete_id = f.athlete_id
         AND s.start_time <= f.end_time AND s.end_time >= f.start_time
       UNION SELECT nk.record_id FROM nk JOIN fk ON nk.athlete_id = fk.athlete_id AND nk.k = fk.k
         AND nk.start_time BETWEEN fk.start_time - to_seconds(${gapS}) AND fk.start_time + to_seconds(${gapS})
       UNION SELECT m.record_id FROM workout_sources w SEMI JOIN dedup_frontier USING (record_id) JOIN workout_sources m USING (workout_id)`,
    );
    await wh.run('CREATE OR REPLACE TEMP TABLE dedup_frontier AS SELECT record_id FROM dedup_next ANTI JOIN dedup_scope USING (record_id)');
  }
  await wh.run('DROP TABLE IF EXISTS dedup_frontier');
  await wh.run('DROP TABLE IF EXISTS dedup_next');
  const [n] = await wh.all<{ n: number }>('SELECT count(*) AS n FROM dedup_scope');
  return n?.n ?? 0;
}

/**
 * Bring the canonical tables up to date with what changed since the last
 * deduplication (the marks in pending_records and pending_biometric_days,
 * and records added or removed behind its back): only the workouts those
 * records can affect are deduplicated again, and only the marked days'
 * biometrics reconciled. The result equals a full rebuild's. Nothing pending:
 * nothing is written.
 */
export async function updateCanonical(wh: Warehouse, opts: DedupOptions = {}): Promise<RebuildSummary> {
  const o: Required<DedupOptions> = { ...DEFAULT_DEDUP_OPTIONS, ...(Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as DedupOptions) };
  return wh.transaction(async () => {
    const scope = await collectScope(wh, o);
    const all = await totals(wh);
    if (scope > FULL_REBUILD_SHARE * all.sources && scope > 1000) {
      await wh.run('DROP TABLE IF EXISTS dedup_scope');
      return rebuildAll(wh, opts);
    }
    let stats: DedupStats = deduplicate([], opts).stats;
    let w = { aliases: 0, changed: 0 };
    if (scope > 0) {
      const { result } = await deduplicateByAthlete(wh, opts, 'dedup_scope');
      stats = result.stats;
      w = await writeWorkouts(wh, result, 'dedup_scope');
    }
    await wh.run('DROP TABLE IF EXISTS dedup_scope');
    // Days whose readings were all removed behind the loader's back (a regenerated demo) are reconciled too.
    await markBiometricDays(wh, 'SELECT athlete_id, date FROM biometrics ANTI JOIN source_biometrics USING (athlete_id, date)');
    const [pendingDays] = await wh.all<{ n: number }>('SELECT count(*) AS n FROM pending_biometric_days');
    const b = pendingDays?.n ? await writeBiometrics(wh, true) : { days: 0, changed: 0 };
    await wh.run('DELETE FROM pending_records');
    await wh.run('DELETE FROM pending_biometric_days');
    const after = w.changed || b.changed ? await totals(wh) : all;
    return {
      sourceRecords: after.sources,
      workouts: after.workouts,
      merged: after.sources - after.workouts,
      aliases: w.aliases,
      biometricDays: after.days,
      stats,
      scope,
      changedRows: w.changed + b.changed,
    };
  });
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
