/**
 * The DuckDB warehouse: opening the file, applying the numbered migrations in
 * warehouse/, running queries with plain-JS results, and bulk loading through
 * DuckDB's appender.
 */
import {
  DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  DuckDBTypeId,
  DOUBLE,
  TIMESTAMP_MS,
  VARCHAR,
  dateValue,
  timestampMillisValue,
  timestampValue,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder holding the numbered `.sql` migrations (and, by default, the database file). */
export const WAREHOUSE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'warehouse');

/** Default database file when DATABASE_URL is not set. */
export const DEFAULT_DATABASE = join(WAREHOUSE_DIR, 'athlete.duckdb');

/** A row as plain JS: numbers, strings, booleans, null; TIMESTAMP as Date (UTC); DATE as 'YYYY-MM-DD'. */
export type Row = Record<string, unknown>;

/** Something that runs SQL: the warehouse, or a test double. */
export interface SqlRunner {
  all<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

/**
 * Resolve DATABASE_URL to a file path: a plain path, `duckdb://path`,
 * `duckdb:///abs/path`, or `:memory:`.
 */
export function databasePath(url: string | undefined): string {
  if (!url) return DEFAULT_DATABASE;
  if (url === ':memory:' || url === 'duckdb://:memory:') return ':memory:';
  const m = /^duckdb:\/\/(.*)$/.exec(url);
  const path = m ? m[1]! : url;
  if (!path) throw new Error('DATABASE_URL: duckdb:// needs a file path, e.g. duckdb://warehouse/athlete.duckdb');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    throw new Error(`DATABASE_URL: only DuckDB files are supported (a path or duckdb://path), got a ${path.split(':')[0]} URL`);
  }
  return resolve(path);
}

/** A numbered migration file. */
interface Migration {
  version: number;
  name: string;
  sql: string;
}

function readMigrations(dir: string): Migration[] {
  return readdirSync(dir)
    .map((f) => /^(\d+)_([\w-]+)\.sql$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ version: Number(m[1]), name: m[2]!, sql: readFileSync(join(dir, m[0]), 'utf8') }))
    .sort((a, b) => a.version - b.version);
}

/** Convert a JS value for a column of the given type (appender path). */
function toTypedValue(v: unknown, typeId: DuckDBTypeId): DuckDBValue {
  if (v === undefined || v === null) return null;
  switch (typeId) {
    case DuckDBTypeId.BIGINT:
      return BigInt(v as number);
    case DuckDBTypeId.DATE: {
      const ms = v instanceof Date ? v.getTime() : Date.parse(`${String(v)}T00:00:00Z`);
      return dateValue(Math.floor(ms / 86_400_000));
    }
    case DuckDBTypeId.TIMESTAMP:
      return timestampValue(BigInt((v as Date).getTime()) * 1000n);
    case DuckDBTypeId.TIMESTAMP_MS:
      return timestampMillisValue(BigInt((v as Date).getTime()));
    default:
      return typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : (v as DuckDBValue);
  }
}

function toDuckValue(v: unknown): DuckDBValue {
  if (v === undefined || v === null) return null;
  if (v instanceof Date) return timestampMillisValue(BigInt(v.getTime()));
  if (typeof v === 'object') return JSON.stringify(v);
  return v as DuckDBValue;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

function convertValue(v: unknown, typeId: DuckDBTypeId): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeId === DuckDBTypeId.DATE && v instanceof Date) {
    return `${v.getUTCFullYear()}-${pad(v.getUTCMonth() + 1)}-${pad(v.getUTCDate())}`;
  }
  return v;
}

/** The warehouse: one DuckDB file, migrated on open. */
export class Warehouse implements SqlRunner {
  private constructor(
    private readonly instance: DuckDBInstance,
    /** The underlying connection, for callers that need DuckDB's own API. */
    readonly connection: DuckDBConnection,
    /** The database file path (or `:memory:`). */
    readonly path: string,
  ) {}

  /** Open (creating if needed) the database at `url` and apply pending migrations. */
  static async open(url?: string): Promise<Warehouse> {
    const path = databasePath(url);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    // Nothing may try the network: extensions other than the built-in ones would be downloaded.
    const instance = await DuckDBInstance.create(path, {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
    });
    const connection = await instance.connect();
    const wh = new Warehouse(instance, connection, path);
    await wh.migrate();
    return wh;
  }

  /** Apply the migrations not yet recorded in schema_migrations, each in its own transaction. */
  async migrate(dir = WAREHOUSE_DIR): Promise<number[]> {
    await this.run(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)',
    );
    const done = new Set((await this.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version));
    const applied: number[] = [];
    for (const m of readMigrations(dir)) {
      if (done.has(m.version)) continue;
      await this.transaction(async () => {
        await this.connection.run(m.sql);
        await this.run('INSERT INTO schema_migrations VALUES (?, ?, now()::TIMESTAMP)', [m.version, m.name]);
      });
      applied.push(m.version);
    }
    return applied;
  }

  /** Run a statement with positional `?` parameters. */
  async run(sql: string, params: readonly unknown[] = []): Promise<void> {
    await this.connection.run(sql, params.map(toDuckValue));
  }

  /** Run a query and return its rows as plain JS objects. */
  async all<T = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    const reader = await this.connection.runAndReadAll(sql, params.map(toDuckValue));
    const names = reader.columnNames();
    const types = reader.columnTypes().map((t) => t.typeId);
    const rows = reader.getRowsJS();
    return rows.map((r) => {
      const o: Row = {};
      for (let i = 0; i < names.length; i++) o[names[i]!] = convertValue(r[i], types[i]!);
      return o as T;
    });
  }

  /** Column names and rows of a query, for tabular output. */
  async table(sql: string, params: readonly unknown[] = []): Promise<{ columns: string[]; rows: Row[] }> {
    const reader = await this.connection.runAndReadAll(sql, params.map(toDuckValue));
    const names = reader.columnNames();
    const types = reader.columnTypes().map((t) => t.typeId);
    const rows = reader.getRowsJS().map((r) => {
      const o: Row = {};
      for (let i = 0; i < names.length; i++) o[names[i]!] = convertValue(r[i], types[i]!);
      return o;
    });
    return { columns: names, rows };
  }

  /** Run `fn` inside one transaction: all of it is committed, or none. */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.connection.run('BEGIN TRANSACTION');
    try {
      const out = await fn();
      await this.connection.run('COMMIT');
      return out;
    } catch (err) {
      await this.connection.run('ROLLBACK');
      throw err;
    }
  }

  /**
   * Append rows to `table` through DuckDB's appender, column values in table
   * order. Dates become timestamps, objects JSON text.
   */
  async appendRows(table: string, rows: readonly (readonly unknown[])[]): Promise<void> {
    if (rows.length === 0) return;
    const appender = await this.connection.createAppender(table);
    try {
      const types: DuckDBType[] = [];
      for (let i = 0; i < appender.columnCount; i++) types.push(appender.columnType(i));
      const CHUNK = 2048;
      for (let off = 0; off < rows.length; off += CHUNK) {
        const n = Math.min(CHUNK, rows.length - off);
        const chunk = DuckDBDataChunk.create(types, n);
        const columns: DuckDBValue[][] = types.map(() => new Array<DuckDBValue>(n));
        for (let r = 0; r < n; r++) {
          const row = rows[off + r]!;
          for (let c = 0; c < types.length; c++) columns[c]![r] = toTypedValue(row[c], types[c]!.typeId);
        }
        chunk.setColumns(columns);
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  /**
   * Append column-wise numeric data (a stream): `key` repeated, `time` epoch ms,
   * then one Float64Array per remaining column (NaN = NULL). The target table's
   * columns must be (VARCHAR, TIMESTAMP_MS, DOUBLE...).
   */
  async appendStreamColumns(table: string, key: string, time: Float64Array, values: readonly (Float64Array | undefined)[]): Promise<void> {
    const n = time.length;
    if (n === 0) return;
    const appender = await this.connection.createAppender(table);
    try {
      const types: DuckDBType[] = [VARCHAR, TIMESTAMP_MS, ...values.map(() => DOUBLE)];
      const CHUNK = 2048;
      for (let off = 0; off < n; off += CHUNK) {
        const len = Math.min(CHUNK, n - off);
        const chunk = DuckDBDataChunk.create(types, len);
        const keys = new Array<DuckDBValue>(len).fill(key);
        const times = new Array<DuckDBValue>(len);
        for (let i = 0; i < len; i++) times[i] = timestampMillisValue(BigInt(Math.round(time[off + i]!)));
        const cols: DuckDBValue[][] = [keys, times];
        for (const col of values) {
          const out = new Array<DuckDBValue>(len);
          for (let i = 0; i < len; i++) {
            const v = col ? col[off + i]! : NaN;
            out[i] = Number.isNaN(v) ? null : v;
          }
          cols.push(out);
        }
        chunk.setColumns(cols);
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  /** Write a checkpoint so the file holds everything (the WAL is folded in). */
  async checkpoint(): Promise<void> {
    await this.connection.run('CHECKPOINT');
  }

  /** Close the connection and the database. */
  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
