/**
 * What the lake holds: which warehouse tables, how each row finds its
 * athlete and year (the hive partition `athlete_id=…/year=…`), and the type
 * each column has in Parquet. Columns follow the warehouse schema, so a
 * migration's new column reaches the lake by itself; each is cast to an
 * explicit type: instants become TIMESTAMP WITH TIME ZONE (Parquet
 * `isAdjustedToUTC=true`, microseconds), JSON becomes text, the rest keep
 * the warehouse's declared type.
 */
import type { SqlRunner } from '../core/warehouse.ts';

/** One table of the lake. */
export interface LakeTable {
  /** The folder under the lake, and the warehouse table it is read back into. */
  name: string;
  /** FROM clause over the warehouse; `t` is the table's own rows. */
  from: string;
  /** The warehouse table whose columns the lake table has (`t`). */
  columnsOf: string;
  /** Columns of `columnsOf` left out (the partition's athlete_id is always left out: it is in the path). */
  omit: readonly string[];
  /** Columns added before the table's own, as [name, SQL expression, warehouse type]. */
  extra: readonly (readonly [name: string, expr: string, type: string])[];
  /** The athlete each row belongs to. */
  athlete: string;
  /** The year each row belongs to (UTC for instants, the local day's year for dates); null: partitioned by athlete only. */
  year: string | null;
}

/** The lake's tables, in the order they are read back (a table's rows before those pointing at them). */
export const LAKE_TABLES: readonly LakeTable[] = [
  { name: 'athletes', from: 'athletes t', columnsOf: 'athletes', omit: [], extra: [], athlete: 't.athlete_id', year: null },
  { name: 'source_workouts', from: 'source_workouts t', columnsOf: 'source_workouts', omit: [], extra: [], athlete: 't.athlete_id', year: 'year(t.start_time)' },
  { name: 'workouts', from: 'workouts t', columnsOf: 'workouts', omit: [], extra: [], athlete: 't.athlete_id', year: 'year(t.start_time)' },
  {
    name: 'workout_sources',
    from: 'workout_sources t JOIN workouts w ON w.workout_id = t.workout_id',
    columnsOf: 'workout_sources',
    omit: [],
    extra: [],
    athlete: 'w.athlete_id',
    year: 'year(w.start_time)',
  },
  {
    name: 'workout_aliases',
    from: 'workout_aliases t JOIN workouts w ON w.workout_id = t.workout_id',
    columnsOf: 'workout_aliases',
    omit: [],
    extra: [],
    athlete: 'w.athlete_id',
    year: 'year(w.start_time)',
  },
  {
    // Stream ids are the warehouse's own: the lake keys samples by their source record.
    name: 'stream_points',
    from: 'stream_points t JOIN streams s ON s.stream_id = t.stream_id JOIN source_workouts r ON r.record_id = s.record_id',
    columnsOf: 'stream_points',
    omit: ['stream_id'],
    extra: [['record_id', 's.record_id', 'VARCHAR']],
    athlete: 'r.athlete_id',
    year: 'year(t.time)',
  },
  { name: 'source_biometrics', from: 'source_biometrics t', columnsOf: 'source_biometrics', omit: [], extra: [], athlete: 't.athlete_id', year: 'year(t.date)' },
  { name: 'biometrics', from: 'biometrics t', columnsOf: 'biometrics', omit: [], extra: [], athlete: 't.athlete_id', year: 'year(t.date)' },
  { name: 'injuries', from: 'injuries t', columnsOf: 'injuries', omit: [], extra: [], athlete: 't.athlete_id', year: 'year(t.date)' },
  { name: 'workout_loads', from: 'workout_loads t', columnsOf: 'workout_loads', omit: [], extra: [], athlete: 't.athlete_id', year: 'year(t.local_date)' },
  { name: 'daily_metrics', from: 'daily_metrics t', columnsOf: 'daily_metrics', omit: [], extra: [], athlete: 't.athlete_id', year: 'year(t.date)' },
  { name: 'predictions', from: 'predictions t', columnsOf: 'predictions', omit: [], extra: [], athlete: 't.athlete_id', year: 'year(t.date)' },
];

/** A column as the lake stores it. */
export interface LakeColumn {
  name: string;
  /** The DuckDB type written to Parquet. */
  type: string;
  /** The column's type in the warehouse. */
  warehouseType: string;
  /** The SQL expression giving the lake value from the warehouse rows. */
  expr: string;
}

/** The lake type of a warehouse type: instants as UTC-adjusted timestamps, JSON as text. */
export function lakeType(warehouseType: string): string {
  if (warehouseType.startsWith('TIMESTAMP')) return 'TIMESTAMP WITH TIME ZONE';
  if (warehouseType === 'JSON') return 'VARCHAR';
  return warehouseType;
}

/**
 * The SQL expression of a warehouse value as its lake type. The warehouse's
 * TIMESTAMP columns hold UTC wall-clock time: `timezone('UTC', …)` makes the
 * instant, whatever the session's time zone.
 */
function toLake(expr: string, warehouseType: string): string {
  const type = lakeType(warehouseType);
  if (type === 'TIMESTAMP WITH TIME ZONE') return `timezone('UTC', CAST(${expr} AS TIMESTAMP))`;
  return `CAST(${expr} AS ${type})`;
}

/** The SQL expression reading a lake column back as its warehouse type. */
export function fromLake(column: string, warehouseType: string): string {
  if (lakeType(warehouseType) === 'TIMESTAMP WITH TIME ZONE') return `CAST(timezone('UTC', ${column}) AS ${warehouseType})`;
  return `CAST(${column} AS ${warehouseType})`;
}

/** The lake columns of `table` in this warehouse (none when the warehouse has no such table). */
export async function lakeColumns(db: SqlRunner, table: LakeTable): Promise<LakeColumn[]> {
  const rows = await db.all<{ column_name: string; data_type: string }>(
    `SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index`,
    [table.columnsOf],
  );
  if (rows.length === 0) return [];
  const own = rows.filter((r) => r.column_name !== 'athlete_id' && !table.omit.includes(r.column_name));
  return [
    ...table.extra.map(([name, expr, type]) => ({ name, type: lakeType(type), warehouseType: type, expr: toLake(expr, type) })),
    ...own.map((r) => ({ name: r.column_name, type: lakeType(r.data_type), warehouseType: r.data_type, expr: toLake(`t."${r.column_name}"`, r.data_type) })),
  ];
}
