/**
 * The DuckDB warehouse: opening the file, applying the numbered migrations in
 * warehouse/, running queries with plain-JS results, and bulk loading through
 * DuckDB's appender.
 */
import type { DuckDBConnection, DuckDBDataChunk, DuckDBInstance, DuckDBResultReader, DuckDBType, DuckDBTypeId, DuckDBValue } from '@duckdb/node-api';
import { duckdbApi, duckdbBindings as duckdb } from './duckdb.ts';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { WAREHOUSE_DIR, databasePath } from './database_path.ts';
import { openWhenFree, recordHolder } from './warehouse_lock.ts';

export { DEFAULT_DATABASE, WAREHOUSE_DIR, databasePath } from './database_path.ts';

const api = duckdbApi;

/** A row as plain JS: numbers, strings, booleans, null; TIMESTAMP as Date (UTC); DATE as 'YYYY-MM-DD'. */
export type Row = Record<string, unknown>;

/** Something that runs SQL: the warehouse, or a test double. */
export interface SqlRunner {
  all<T = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
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
    case api.DuckDBTypeId.BIGINT:
      return BigInt(v as number);
    case api.DuckDBTypeId.DATE: {
      const ms = v instanceof Date ? v.getTime() : Date.parse(`${String(v)}T00:00:00Z`);
      return api.dateValue(Math.floor(ms / 86_400_000));
    }
    case api.DuckDBTypeId.TIMESTAMP:
      return api.timestampValue(BigInt((v as Date).getTime()) * 1000n);
    case api.DuckDBTypeId.TIMESTAMP_MS:
      return api.timestampMillisValue(BigInt((v as Date).getTime()));
    default:
      return typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : (v as DuckDBValue);
  }
}

function toDuckValue(v: unknown): DuckDBValue {
  if (v === undefined || v === null) return null;
  if (v instanceof Date) return api.timestampMillisValue(BigInt(v.getTime()));
  if (typeof v === 'object') return JSON.stringify(v);
  return v as DuckDBValue;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/**
 * A result's rows as objects keyed by column name, values converted as
 * convertValue says. Read column by column: the client converts a column in
 * about half the time it takes row by row, and a column's dates repeat.
 */
function rowObjects(reader: DuckDBResultReader): Row[] {
  const names = reader.columnNames();
  const types = reader.columnTypes().map((t) => t.typeId);
  const columns = reader.getColumnsJS().map((col, c) => {
    if (types[c] !== api.DuckDBTypeId.DATE) return col.map((v) => convertValue(v, types[c]!));
    const days = new Map<number, unknown>();
    return col.map((v) => {
      if (!(v instanceof Date)) return convertValue(v, types[c]!);
      let day = days.get(v.getTime());
      if (day === undefined) days.set(v.getTime(), (day = convertValue(v, types[c]!)));
      return day;
    });
  });
  const rows = new Array<Row>(reader.currentRowCount);
  for (let r = 0; r < rows.length; r++) {
    const o: Row = {};
    for (let c = 0; c < names.length; c++) o[names[c]!] = columns[c]![r];
    rows[r] = o;
  }
  return rows;
}

function convertValue(v: unknown, typeId: DuckDBTypeId): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (typeId === api.DuckDBTypeId.DATE && v instanceof Date) {
    return `${v.getUTCFullYear()}-${pad(v.getUTCMonth() + 1)}-${pad(v.getUTCDate())}`;
  }
  return v;
}

/** One stream to bulk-load: its id, epoch-ms times, and value columns (NaN = NULL; undefined = all NULL). */
export interface StreamColumns {
  id: number;
  time: Float64Array;
  values: readonly (Float64Array | undefined)[];
}

/** Rows in one DuckDB vector: a data chunk holds at most this many. */
const VECTOR_SIZE = duckdb.vector_size();

// The buffers below are copied byte for byte into DuckDB's vectors, which use
// the CPU's byte order; DuckDB's Node builds exist for little-endian CPUs only.
if (endianness() !== 'LE') throw new Error('the warehouse loader needs a little-endian CPU');

/**
 * `chunk` emptied and sized for `rows` rows, to be filled again. One chunk per
 * append serves every batch: a new chunk's memory is fresh pages, and the
 * page faults of filling them cost more than the copying itself.
 */
function reusedChunk(chunk: DuckDBDataChunk, rows: number): DuckDBDataChunk {
  chunk.reset();
  chunk.rowCount = rows;
  return chunk;
}

/** Column buffers of one data chunk being filled, laid out as DuckDB's vectors are. */
class ChunkBuffer {
  size = 0;
  private readonly ids = new Int32Array(VECTOR_SIZE);
  /** int64 epoch ms as (low, high) 32-bit words, so no BigInt is made per row. */
  private readonly times = new Uint32Array(VECTOR_SIZE * 2);
  private readonly values: Float64Array[];
  /** Validity bitmaps, one bit per row (1 = valid), as DuckDB's uint64 words in little-endian order. */
  private readonly valid: Uint8Array[];
  private chunk?: DuckDBDataChunk;

  constructor(width: number) {
    this.values = Array.from({ length: width }, () => new Float64Array(VECTOR_SIZE));
    this.valid = Array.from({ length: width }, () => new Uint8Array(VECTOR_SIZE / 8).fill(0xff));
  }

  /** Copy rows [off, off + n) of a stream to the end of the buffer. */
  add(s: StreamColumns, off: number, n: number): void {
    const at = this.size;
    this.ids.fill(s.id, at, at + n);
    const times = this.times;
    for (let i = 0; i < n; i++) {
      const ms = Math.round(s.time[off + i]!);
      const high = Math.floor(ms / 4294967296);
      times[2 * (at + i)] = ms - high * 4294967296;
      times[2 * (at + i) + 1] = high;
    }
    for (let c = 0; c < this.values.length; c++) {
      const col = s.values[c];
      const out = this.values[c]!;
      const valid = this.valid[c]!;
      if (!col) {
        for (let i = at; i < at + n; i++) valid[i >> 3]! &= ~(1 << (i & 7));
        continue;
      }
      const part = col.subarray(off, off + n);
      out.set(part, at);
      for (let i = 0; i < n; i++) {
        const v = part[i]!;
        // NaN is the only value not equal to itself.
        if (v !== v) valid[(at + i) >> 3]! &= ~(1 << ((at + i) & 7));
      }
    }
    this.size += n;
  }

  /**
   * The buffered rows as a data chunk, valid until the next call (the
   * appender copies what it is given); the buffer is empty again afterwards.
   */
  toChunk(types: readonly DuckDBType[]): DuckDBDataChunk {
    const n = this.size;
    const chunk = reusedChunk(this.chunk ??= api.DuckDBDataChunk.create(types), n);
    const vector = (c: number) => duckdb.data_chunk_get_vector(chunk.chunk, c);
    duckdb.copy_data_to_vector(vector(0), 0, this.ids.buffer, 0, n * 4);
    duckdb.copy_data_to_vector(vector(1), 0, this.times.buffer, 0, n * 8);
    for (let c = 0; c < this.values.length; c++) {
      const v = vector(c + 2);
      duckdb.copy_data_to_vector(v, 0, this.values[c]!.buffer, 0, n * 8);
      duckdb.vector_ensure_validity_writable(v);
      const valid = this.valid[c]!;
      // Whole uint64 words: bits past the last row are never read.
      duckdb.copy_data_to_vector_validity(v, 0, valid.buffer, 0, Math.ceil(n / 64) * 8);
      valid.fill(0xff);
    }
    this.size = 0;
    return chunk;
  }
}

/** How to open the warehouse. */
export interface OpenOptions {
  /**
   * Open the file read-only: several readers may share it, and nothing can be
   * written. A missing file or pending migrations are first dealt with by a
   * short read-write open.
   */
  readOnly?: boolean;
  /** How long to wait while another process holds the file, in ms (default 60 s). */
  lockTimeoutMs?: number;
  /** Told, while waiting, what holds the file. */
  onWait?: (message: string) => void;
  /** What this process is, as others waiting for the file are told (default: its command line). */
  holder?: string;
  /** Further DuckDB settings for the instance, e.g. `{ enable_external_access: 'false' }`. */
  settings?: Record<string, string>;
}

/** Default wait for a busy warehouse file. */
export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;

function defaultHolder(): string {
  return process.argv.slice(1).map((a) => basename(a)).join(' ').slice(0, 120);
}

/** The warehouse: one DuckDB file, migrated on open. */
export class Warehouse implements SqlRunner {
  private constructor(
    private readonly instance: DuckDBInstance,
    /** The underlying connection, for callers that need DuckDB's own API. */
    readonly connection: DuckDBConnection,
    /** The database file path (or `:memory:`). */
    readonly path: string,
    /** True when opened read-only. */
    readonly readOnly: boolean,
    private readonly release: () => void,
  ) {}

  /**
   * Open (creating if needed) the database at `url` and apply pending
   * migrations. When another process holds the file, waits up to
   * `lockTimeoutMs`, then throws a WarehouseBusyError (exit code 75).
   */
  static async open(url?: string, options: OpenOptions = {}): Promise<Warehouse> {
    const path = databasePath(url);
    if (path === ':memory:' || !options.readOnly) {
      const wh = await Warehouse.connect(path, false, options);
      try {
        await wh.migrate();
      } catch (err) {
        wh.close();
        throw err;
      }
      return wh;
    }
    if (existsSync(path)) {
      const wh = await Warehouse.connect(path, true, options);
      if (await wh.migrated()) return wh;
      wh.close();
    }
    // Creating the file or migrating it needs a writer, briefly.
    (await Warehouse.open(url, { ...options, readOnly: false })).close();
    return Warehouse.connect(path, true, options);
  }

  /** Open the DuckDB instance at `path`, waiting while another process holds the file. */
  private static async connect(path: string, readOnly: boolean, options: OpenOptions): Promise<Warehouse> {
    const memory = path === ':memory:';
    if (!memory) mkdirSync(dirname(path), { recursive: true });
    // Nothing may try the network: extensions other than the built-in ones would be downloaded.
    const settings: Record<string, string> = {
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      ...options.settings,
      ...(readOnly ? { access_mode: 'READ_ONLY' } : {}),
    };
    const wait = { timeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS, onWait: options.onWait };
    const instance = memory
      ? await api.DuckDBInstance.create(path, settings)
      : await openWhenFree(path, readOnly, wait, () => api.DuckDBInstance.create(path, settings));
    const release = memory ? () => {} : recordHolder(path, readOnly ? 'read' : 'write', options.holder ?? defaultHolder());
    try {
      return new Warehouse(instance, await instance.connect(), path, readOnly, release);
    } catch (err) {
      instance.closeSync();
      release();
      throw err;
    }
  }

  /** True when every migration in warehouse/ has been applied to this file. */
  private async migrated(): Promise<boolean> {
    const [t] = await this.all<{ n: number }>("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = 'schema_migrations'");
    if (!t?.n) return false;
    const done = new Set((await this.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => r.version));
    return readMigrations(WAREHOUSE_DIR).every((m) => done.has(m.version));
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
    return rowObjects(await this.connection.runAndReadAll(sql, params.map(toDuckValue))) as T[];
  }

  /**
   * Run a query whose columns are DOUBLE or VARCHAR and return each column
   * whole: a DOUBLE column as a Float64Array (NULL as NaN) copied straight out
   * of DuckDB's vectors, with no JS value made per row; a VARCHAR column as
   * an array of strings and nulls.
   */
  async columns(sql: string, params: readonly DuckDBValue[] = [], types?: readonly DuckDBType[]): Promise<(Float64Array | (string | null)[])[]> {
    const result = await this.connection.run(sql, params as DuckDBValue[], types as DuckDBType[] | undefined);
    const width = result.columnCount;
    const numeric: boolean[] = [];
    for (let c = 0; c < width; c++) {
      const id = result.columnTypeId(c);
      if (id !== api.DuckDBTypeId.DOUBLE && id !== api.DuckDBTypeId.VARCHAR) throw new Error(`columns: column ${result.columnName(c)} is neither DOUBLE nor VARCHAR`);
      numeric.push(id === api.DuckDBTypeId.DOUBLE);
    }
    const chunks = await result.fetchAllChunks();
    let rows = 0;
    for (const ch of chunks) rows += ch.rowCount;
    const out = numeric.map((isNumber) => (isNumber ? new Float64Array(rows) : new Array<string | null>(rows)));
    let at = 0;
    for (const ch of chunks) {
      const n = ch.rowCount;
      for (let c = 0; c < width; c++) {
        const col = out[c]!;
        if (!(col instanceof Float64Array)) {
          const vector = ch.getColumnVector(c);
          for (let i = 0; i < n; i++) col[at + i] = vector.getItem(i) as string | null;
          continue;
        }
        const v = duckdb.data_chunk_get_vector(ch.chunk, c);
        const bytes = duckdb.vector_get_data(v, n * 8);
        col.set(new Float64Array(bytes.buffer, bytes.byteOffset, n), at);
        const valid = duckdb.vector_get_validity(v, Math.ceil(n / 64) * 8);
        if (valid) {
          for (let i = 0; i < n; i++) if ((valid[i >> 3]! & (1 << (i & 7))) === 0) col[at + i] = NaN;
        }
      }
      at += n;
    }
    return out;
  }

  /** Column names and rows of a query, for tabular output. */
  async table(sql: string, params: readonly unknown[] = []): Promise<{ columns: string[]; rows: Row[] }> {
    const reader = await this.connection.runAndReadAll(sql, params.map(toDuckValue));
    return { columns: reader.columnNames(), rows: rowObjects(reader) };
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
      const reused = api.DuckDBDataChunk.create(types);
      for (let off = 0; off < rows.length; off += VECTOR_SIZE) {
        const n = Math.min(VECTOR_SIZE, rows.length - off);
        // Setting the row count drops the chunk's cached vectors, so setColumns writes the new rows afresh.
        const chunk = reusedChunk(reused, n);
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
   * Append whole columns to `table`, in table order, through DuckDB's
   * appender, each copied into the chunk's vectors by type: DOUBLE, INTEGER
   * and BOOLEAN from numbers or booleans, TIMESTAMP from epoch milliseconds,
   * VARCHAR (and JSON) from strings. null, undefined and NaN are NULL. No
   * DuckDB value object is made per cell.
   */
  async appendColumns(table: string, columns: readonly ArrayLike<number | string | boolean | null | undefined>[]): Promise<void> {
    const rows = columns[0]?.length ?? 0;
    if (rows === 0) return;
    const appender = await this.connection.createAppender(table);
    try {
      if (appender.columnCount !== columns.length) throw new Error(`${table}: has ${appender.columnCount} columns, ${columns.length} given`);
      const types: DuckDBType[] = [];
      for (let c = 0; c < appender.columnCount; c++) types.push(appender.columnType(c));
      const words = new Uint32Array(VECTOR_SIZE * 2);
      const doubles = new Float64Array(VECTOR_SIZE);
      const ints = new Int32Array(VECTOR_SIZE);
      const bools = new Uint8Array(VECTOR_SIZE);
      const valid = new Uint8Array(VECTOR_SIZE / 8);
      const reused = api.DuckDBDataChunk.create(types);
      for (let off = 0; off < rows; off += VECTOR_SIZE) {
        const n = Math.min(VECTOR_SIZE, rows - off);
        const chunk = reusedChunk(reused, n);
        for (let c = 0; c < types.length; c++) {
          const col = columns[c]!;
          const v = duckdb.data_chunk_get_vector(chunk.chunk, c);
          const typeId = types[c]!.typeId;
          valid.fill(0xff);
          let nulls = 0;
          const isNull = (i: number, x: unknown) => {
            // NaN is the only value not equal to itself.
            if (x == null || x !== x) {
              valid[i >> 3]! &= ~(1 << (i & 7));
              nulls++;
              return true;
            }
            return false;
          };
          if (typeId === api.DuckDBTypeId.VARCHAR) {
            for (let i = 0; i < n; i++) {
              const x = col[off + i];
              if (!isNull(i, x)) duckdb.vector_assign_string_element(v, i, x as string);
            }
          } else if (typeId === api.DuckDBTypeId.DOUBLE) {
            for (let i = 0; i < n; i++) {
              const x = col[off + i];
              doubles[i] = isNull(i, x) ? 0 : (x as number);
            }
            duckdb.copy_data_to_vector(v, 0, doubles.buffer, 0, n * 8);
          } else if (typeId === api.DuckDBTypeId.INTEGER) {
            for (let i = 0; i < n; i++) {
              const x = col[off + i];
              ints[i] = isNull(i, x) ? 0 : (x as number);
            }
            duckdb.copy_data_to_vector(v, 0, ints.buffer, 0, n * 4);
          } else if (typeId === api.DuckDBTypeId.BOOLEAN) {
            for (let i = 0; i < n; i++) {
              const x = col[off + i];
              bools[i] = isNull(i, x) ? 0 : x ? 1 : 0;
            }
            duckdb.copy_data_to_vector(v, 0, bools.buffer, 0, n);
          } else if (typeId === api.DuckDBTypeId.TIMESTAMP) {
            for (let i = 0; i < n; i++) {
              const x = col[off + i];
              // int64 microseconds as (low, high) 32-bit words, so no BigInt is made per row.
              const us = isNull(i, x) ? 0 : Math.round(x as number) * 1000;
              const high = Math.floor(us / 4294967296);
              words[2 * i] = us - high * 4294967296;
              words[2 * i + 1] = high;
            }
            duckdb.copy_data_to_vector(v, 0, words.buffer, 0, n * 8);
          } else {
            throw new Error(`${table}: column ${c} has type ${types[c]!.toString()}, which appendColumns does not write`);
          }
          if (nulls > 0) {
            duckdb.vector_ensure_validity_writable(v);
            duckdb.copy_data_to_vector_validity(v, 0, valid.buffer, 0, Math.ceil(n / 64) * 8);
          }
        }
        appender.appendDataChunk(chunk);
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  /**
   * Bulk-load streams into `table`, whose columns must be (INTEGER stream id,
   * TIMESTAMP_MS, DOUBLE...), one DOUBLE per entry of each stream's `values`.
   * Chunks are filled straight from the typed arrays, several streams per
   * chunk, with no per-value JS objects. Returns the rows written.
   */
  async appendStreamColumns(table: string, streams: readonly StreamColumns[]): Promise<number> {
    const first = streams.find((s) => s.time.length > 0);
    if (!first) return 0;
    const width = first.values.length;
    const appender = await this.connection.createAppender(table);
    try {
      if (appender.columnCount !== width + 2) {
        throw new Error(`${table}: has ${appender.columnCount} columns, a stream gives ${width + 2} (id, time and ${width} values)`);
      }
      const types: DuckDBType[] = [api.INTEGER, api.TIMESTAMP_MS, ...first.values.map(() => api.DOUBLE)];
      const buf = new ChunkBuffer(width);
      let rows = 0;
      for (const s of streams) {
        const n = s.time.length;
        if (s.values.length !== width) throw new Error(`stream ${s.id}: ${s.values.length} value columns, expected ${width}`);
        for (const [c, col] of s.values.entries()) {
          if (col && col.length !== n) throw new Error(`stream ${s.id}: value column ${c} has ${col.length} values for ${n} times`);
        }
        for (let off = 0; off < n; ) {
          const take = Math.min(n - off, VECTOR_SIZE - buf.size);
          buf.add(s, off, take);
          off += take;
          if (buf.size === VECTOR_SIZE) appender.appendDataChunk(buf.toChunk(types));
        }
        rows += n;
      }
      if (buf.size > 0) appender.appendDataChunk(buf.toChunk(types));
      appender.flushSync();
      return rows;
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
    try {
      this.connection.closeSync();
      this.instance.closeSync();
    } finally {
      this.release();
    }
  }
}
