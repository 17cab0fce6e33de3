/**
 * `athlete export --format lake`: the warehouse as a hive-partitioned Parquet
 * lake, `<table>/athlete_id=<id>/year=<yyyy>/part-<n>.parquet`, that Spark,
 * Trino or DuckDB read as it is, locally or on object storage. Each
 * partition's rows are fingerprinted; a re-export rewrites only partitions
 * whose fingerprint changed (or whose files went missing) and removes those
 * whose rows are gone. A partition is written into a staging folder inside
 * the lake and moved into place whole, so a reader sees its old files or its
 * new ones.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Warehouse } from '../core/warehouse.ts';
import { MANIFEST, partitionPath, readManifest, writeManifest, type LakeManifest, type LakePartition, type LakeTableManifest } from './manifest.ts';
import { LAKE_TABLES, lakeColumns, type LakeColumn, type LakeTable } from './tables.ts';

/** Largest a lake file is let grow to before the next one starts: 128 MiB. */
export const DEFAULT_MAX_FILE_BYTES = 128 * 1024 * 1024;

/** Rows per Parquet row group (DuckDB's default). */
export const DEFAULT_ROW_GROUP_ROWS = 122_880;

/** Options of `exportLake`. */
export interface LakeExportOptions {
  /** Largest a file is let grow to; a file stops after the row group that passes it. Default 128 MiB (or the lake's). */
  maxFileBytes?: number;
  /** Rows per row group. Default 122,880. */
  rowGroupRows?: number;
  /** Told after each table. */
  onTable?: (table: string, t: LakeTableSummary) => void;
}

/** What one table's export did. */
export interface LakeTableSummary {
  partitions: number;
  written: number;
  unchanged: number;
  removed: number;
  rows: number;
  bytes: number;
}

/** What `exportLake` did. */
export interface LakeExportSummary {
  dir: string;
  tables: Record<string, LakeTableSummary>;
  written: number;
  unchanged: number;
  removed: number;
  files: number;
  bytes: number;
}

/** A path as an SQL string literal: COPY takes no parameter for its target. */
function sqlLiteral(s: string): string {
  if (s.includes('\u0000')) throw new Error('path contains a NUL character');
  return `'${s.replace(/'/g, "''")}'`;
}

/** The SQL of a row's partition key: `<athlete>/<year>`, or `<athlete>`. */
function keyExpr(t: LakeTable): string {
  return t.year === null ? t.athlete : `${t.athlete} || '/' || CAST(${t.year} AS VARCHAR)`;
}

/** Row count and order-independent hashes of every partition's rows. */
async function fingerprints(wh: Warehouse, t: LakeTable, cols: LakeColumn[]): Promise<Map<string, { fingerprint: string; rows: number }>> {
  const rows = await wh.all<{ key: string; n: number; s: string; x: string }>(
    `SELECT key, count(*) AS n, CAST(sum(h) AS VARCHAR) AS s, CAST(bit_xor(h) AS VARCHAR) AS x
     FROM (SELECT ${keyExpr(t)} AS key, hash(${cols.map((c) => c.expr).join(', ')}) AS h FROM ${t.from}) GROUP BY key`,
  );
  return new Map(rows.map((r) => [r.key, { fingerprint: `${r.n}:${r.s}:${r.x}`, rows: r.n }]));
}

/** The files of a partition folder, relative to the table folder, with their sizes. */
function filesOf(tableDir: string, key: string): { path: string; bytes: number }[] {
  const dir = join(tableDir, partitionPath(key));
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.parquet'))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .map((f) => ({ path: join(partitionPath(key), f), bytes: statSync(join(dir, f)).size }));
}

/** Whether a partition's files are on disk as the manifest lists them. */
function intact(tableDir: string, p: LakePartition): boolean {
  return p.files.every((f) => existsSync(join(tableDir, f.path)) && statSync(join(tableDir, f.path)).size === f.bytes);
}

/** Write the partitions `keys` of table `t` under `stageDir` (hive layout), one COPY over the warehouse. */
async function writePartitions(wh: Warehouse, t: LakeTable, cols: LakeColumn[], keys: string[], all: boolean, stageDir: string, rowGroupRows: number): Promise<void> {
  const partitionBy = t.year === null ? 'athlete_id' : 'athlete_id, year';
  const select = [`${t.athlete} AS athlete_id`, ...(t.year === null ? [] : [`CAST(${t.year} AS INTEGER) AS year`]), ...cols.map((c) => `${c.expr} AS "${c.name}"`)];
  const where = all ? '' : `WHERE ${keyExpr(t)} IN (SELECT unnest(from_json(?, '["VARCHAR"]')))`;
  await wh.run(
    `COPY (SELECT ${select.join(', ')} FROM ${t.from} ${where})
     TO ${sqlLiteral(stageDir)} (FORMAT parquet, PARTITION_BY (${partitionBy}), FILENAME_PATTERN 'part-{i}', COMPRESSION snappy, ROW_GROUP_SIZE ${rowGroupRows})`,
    all ? [] : [JSON.stringify(keys)],
  );
}

/**
 * Split a partition's files larger than `maxBytes` into files that stop
 * growing once they pass it (DuckDB's FILE_SIZE_BYTES checks after each row
 * group), numbered part-0, part-1, ... Files with no rows are dropped.
 */
async function boundFiles(wh: Warehouse, dir: string, maxBytes: number, rowGroupRows: number): Promise<void> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.parquet'));
  if (files.every((f) => statSync(join(dir, f)).size <= maxBytes)) return;
  const split = join(dir, '.split');
  mkdirSync(split);
  let n = 0;
  for (const f of files.sort()) {
    const out = join(split, String(n++));
    await wh.run(
      `COPY (SELECT * FROM read_parquet(?)) TO ${sqlLiteral(out)} (FORMAT parquet, FILE_SIZE_BYTES ${Math.floor(maxBytes)}, FILENAME_PATTERN 'part-{i}', COMPRESSION snappy, ROW_GROUP_SIZE ${rowGroupRows})`,
      [join(dir, f)],
    );
    rmSync(join(dir, f));
  }
  let part = 0;
  for (let i = 0; i < n; i++) {
    const sub = join(split, String(i));
    for (const f of readdirSync(sub).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))) {
      const [meta] = await wh.all<{ num_rows: number }>('SELECT num_rows FROM parquet_file_metadata(?)', [join(sub, f)]);
      if ((meta?.num_rows ?? 0) > 0) renameSync(join(sub, f), join(dir, `part-${part++}.parquet`));
    }
  }
  rmSync(split, { recursive: true, force: true });
}

/** Remove `dir` and then its parent folders up to (not including) `stop` while they are empty. */
function removeUp(dir: string, stop: string): void {
  rmSync(dir, { recursive: true, force: true });
  for (let d = dirname(dir); d.startsWith(stop) && d !== stop; d = dirname(d)) {
    if (!existsSync(d) || readdirSync(d).length > 0) break;
    rmdirSync(d);
  }
}

/** A folder the export may write into: missing, empty, or a lake it wrote before. */
function checkTarget(dir: string): LakeManifest | null {
  const old = readManifest(dir);
  if (!old && existsSync(dir) && readdirSync(dir).some((f) => !f.startsWith('.'))) {
    throw new Error(`${dir}: not empty and not a lake (no ${MANIFEST}); give a new or empty folder`);
  }
  return old;
}

/**
 * Write (or bring up to date) the lake at `dir` from the warehouse: every
 * table of LAKE_TABLES the warehouse has, partitioned by athlete and year.
 */
export async function exportLake(wh: Warehouse, dir: string, opts: LakeExportOptions = {}): Promise<LakeExportSummary> {
  const root = resolve(dir);
  const old = checkTarget(root);
  mkdirSync(root, { recursive: true });
  const maxFileBytes = opts.maxFileBytes ?? old?.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const rowGroupRows = opts.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
  if (!(maxFileBytes > 0) || !Number.isInteger(rowGroupRows) || rowGroupRows <= 0) throw new RangeError('lake: the file size and row group size must be positive');
  const manifest: LakeManifest = { format: 'athlete-lake', version: 1, maxFileBytes, tables: {} };
  const summary: LakeExportSummary = { dir: root, tables: {}, written: 0, unchanged: 0, removed: 0, files: 0, bytes: 0 };
  const staging = join(root, `.staging-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(staging);
  try {
    for (const t of LAKE_TABLES) {
      const cols = await lakeColumns(wh, t);
      if (cols.length === 0) continue;
      const tableDir = join(root, t.name);
      const prev = old?.tables[t.name];
      const columns = cols.map((c) => ({ name: c.name, type: c.type }));
      // A new column, another type or another file size makes every partition new.
      const sameShape = prev !== undefined && JSON.stringify(prev.columns) === JSON.stringify(columns) && old?.maxFileBytes === maxFileBytes;
      const now = await fingerprints(wh, t, cols);
      const changed = [...now.keys()].filter((k) => {
        const p = sameShape ? prev.partitions[k] : undefined;
        return !p || p.fingerprint !== now.get(k)!.fingerprint || !intact(tableDir, p);
      });
      const gone = Object.keys(prev?.partitions ?? {}).filter((k) => !now.has(k));
      const rewritten = new Set(changed);
      const stageDir = join(staging, t.name);
      if (changed.length > 0) await writePartitions(wh, t, cols, changed, changed.length === now.size, stageDir, rowGroupRows);
      for (const k of changed) {
        const staged = join(stageDir, partitionPath(k));
        await boundFiles(wh, staged, maxFileBytes, rowGroupRows);
        const target = join(tableDir, partitionPath(k));
        rmSync(target, { recursive: true, force: true });
        mkdirSync(dirname(target), { recursive: true });
        renameSync(staged, target);
      }
      for (const k of gone) removeUp(join(tableDir, partitionPath(k)), root);
      const entry: LakeTableManifest = { partitionBy: t.year === null ? ['athlete_id'] : ['athlete_id', 'year'], columns, partitions: {} };
      const ts: LakeTableSummary = { partitions: now.size, written: changed.length, unchanged: now.size - changed.length, removed: gone.length, rows: 0, bytes: 0 };
      for (const [k, fp] of [...now].sort(([a], [b]) => a.localeCompare(b))) {
        const files = rewritten.has(k) ? filesOf(tableDir, k) : prev!.partitions[k]!.files;
        entry.partitions[k] = { ...fp, files };
        ts.rows += fp.rows;
        for (const f of files) ts.bytes += f.bytes;
        summary.files += files.length;
      }
      manifest.tables[t.name] = entry;
      summary.tables[t.name] = ts;
      summary.written += ts.written;
      summary.unchanged += ts.unchanged;
      summary.removed += ts.removed;
      summary.bytes += ts.bytes;
      opts.onTable?.(t.name, ts);
    }
    // Tables the warehouse no longer has leave the lake too.
    for (const t of LAKE_TABLES) if (old?.tables[t.name] && !manifest.tables[t.name]) rmSync(join(root, t.name), { recursive: true, force: true });
    writeManifest(root, manifest);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return summary;
}
