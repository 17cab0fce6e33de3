/**
 * `athlete import --lake DIR`: read a lake written by `exportLake` back into
 * the warehouse. Every athlete found in the lake is replaced whole: their
 * rows are deleted from every table and the lake's inserted, in one
 * transaction. Other athletes are left as they are. Columns the warehouse
 * and the lake both have are read; timestamps go back to UTC wall-clock time.
 */
import { resolve } from 'node:path';
import { deleteAthleteRows } from '../core/athletes.ts';
import type { Warehouse } from '../core/warehouse.ts';
import { MANIFEST, readManifest } from './manifest.ts';
import { fromLake, LAKE_TABLES, lakeColumns, type LakeColumn, type LakeTable } from './tables.ts';

/** What `importLake` read. */
export interface LakeImportSummary {
  athletes: string[];
  /** Rows inserted per table. */
  rows: Record<string, number>;
}

/** One table's files (the glob is the parameter), as one hive-partitioned scan with the partition columns typed. */
function scan(t: LakeTable): string {
  const types = t.year === null ? "{'athlete_id': VARCHAR}" : "{'athlete_id': VARCHAR, 'year': INTEGER}";
  return `read_parquet(?, hive_partitioning = true, hive_types = ${types}, union_by_name = true)`;
}

/** Read the lake at `dir` into the warehouse, replacing the athletes it holds. */
export async function importLake(wh: Warehouse, dir: string): Promise<LakeImportSummary> {
  const root = resolve(dir);
  const manifest = readManifest(root);
  if (!manifest) throw new Error(`${root}: not a lake (no ${MANIFEST}): write one with athlete export --format lake`);
  const athletes = new Set<string>();
  for (const t of Object.values(manifest.tables)) for (const k of Object.keys(t.partitions)) athletes.add(k.split('/')[0]!);
  const rows: Record<string, number> = {};
  await wh.transaction(async () => {
    for (const id of athletes) await deleteAthleteRows(wh, id);
    for (const t of LAKE_TABLES) {
      const inLake = manifest.tables[t.name];
      if (!inLake || Object.keys(inLake.partitions).length === 0) continue;
      const lakeNames = new Set(inLake.columns.map((c) => c.name));
      const cols = (await lakeColumns(wh, t)).filter((c) => lakeNames.has(c.name));
      const glob = `${root}/${t.name}/**/*.parquet`;
      if (t.name === 'stream_points') {
        rows[t.name] = await importStreamPoints(wh, t, glob, cols.filter((c) => c.name !== 'record_id'));
        continue;
      }
      // The partition's athlete_id is stored only by tables that have the column (not by links found through workouts).
      const own = t.athlete === 't.athlete_id';
      const names = [...(own ? ['athlete_id'] : []), ...cols.map((c) => c.name)];
      const values = [...(own ? ['athlete_id'] : []), ...cols.map((c) => fromLake(`"${c.name}"`, c.warehouseType))];
      const r = await wh.connection.run(
        `INSERT INTO ${t.name} (${names.map((n) => `"${n}"`).join(', ')}) SELECT ${values.join(', ')} FROM ${scan(t)}`,
        [glob],
      );
      rows[t.name] = r.rowsChanged;
    }
  });
  return { athletes: [...athletes].sort(), rows };
}

/**
 * Stream samples keyed by source record: each record gets a new stream id
 * after the warehouse's highest, and its samples are appended in time order.
 */
async function importStreamPoints(wh: Warehouse, t: LakeTable, glob: string, cols: LakeColumn[]): Promise<number> {
  await wh.run(`CREATE OR REPLACE TEMP TABLE lake_streams AS SELECT record_id, count(*) AS points FROM ${scan(t)} GROUP BY record_id`, [glob]);
  try {
    await wh.run(
      `INSERT INTO streams (stream_id, record_id, points)
       SELECT (SELECT coalesce(max(stream_id), 0) FROM streams) + row_number() OVER (ORDER BY record_id), record_id, points FROM lake_streams`,
    );
    const r = await wh.connection.run(
      `INSERT INTO stream_points (stream_id, ${cols.map((c) => `"${c.name}"`).join(', ')})
       SELECT s.stream_id, ${cols.map((c) => fromLake(`p."${c.name}"`, c.warehouseType)).join(', ')}
       FROM ${scan(t)} p JOIN streams s ON s.record_id = p.record_id ORDER BY s.stream_id, p.time`,
      [glob],
    );
    return r.rowsChanged;
  } finally {
    await wh.run('DROP TABLE IF EXISTS lake_streams');
  }
}
