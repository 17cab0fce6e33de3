/**
 * Reading a SQLite file (the predecessor's warehouse) with sql.js: SQLite
 * compiled to WebAssembly, installed from npm with nothing to build or
 * download. The file is read into memory, which its size allows (a
 * predecessor's database holds years of one athlete's summaries in a few MB).
 */
import initSqlJs from 'sql.js';
import type { Database, SqlJsStatic, SqlValue } from 'sql.js';

/** A value as SQLite returns it. */
export type SqliteValue = SqlValue;

/** One row, by column name. */
export type SqliteRow = Record<string, SqliteValue>;

/** The first 16 bytes of every SQLite 3 database file. */
const MAGIC = 'SQLite format 3\u0000';

/** Whether `head` is the start of a SQLite 3 database file. */
export function isSqliteFile(head: Uint8Array): boolean {
  return head.length >= 16 && String.fromCharCode(...head.subarray(0, 16)) === MAGIC;
}

let engine: Promise<SqlJsStatic> | undefined;

/** A SQLite database opened read-only in memory. */
export class SqliteFile {
  private constructor(private readonly db: Database) {}

  /** Open a SQLite file's bytes; throws when they are not a readable SQLite database. */
  static async open(bytes: Uint8Array): Promise<SqliteFile> {
    if (!isSqliteFile(bytes)) throw new Error('not a SQLite 3 database (its first bytes are not "SQLite format 3")');
    engine ??= initSqlJs();
    const SQL = await engine;
    const file = new SqliteFile(new SQL.Database(bytes));
    // Fail now, naming the problem, rather than on the first query.
    file.tables();
    return file;
  }

  /** Names of the tables. */
  tables(): string[] {
    return this.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").map((r) => String(r.name));
  }

  /** Column names of `table` (empty when there is no such table). */
  columns(table: string): string[] {
    if (!this.tables().includes(table)) return [];
    return this.query(`SELECT name FROM pragma_table_info(${quoteLiteral(table)}) ORDER BY cid`).map((r) => String(r.name));
  }

  /** Every row of `table`, in rowid order where it has one. */
  *rows(table: string): Generator<SqliteRow> {
    if (!this.tables().includes(table)) return;
    yield* this.iterate(`SELECT * FROM ${quoteIdentifier(table)}`);
  }

  /** Number of rows of `table`. */
  count(table: string): number {
    if (!this.tables().includes(table)) return 0;
    return Number(this.query(`SELECT count(*) AS n FROM ${quoteIdentifier(table)}`)[0]?.n ?? 0);
  }

  /** Free the memory. */
  close(): void {
    this.db.close();
  }

  private query(sql: string): SqliteRow[] {
    return [...this.iterate(sql)];
  }

  // Rows come as arrays and are named once per statement: getAsObject per row is 3x slower.
  private *iterate(sql: string): Generator<SqliteRow> {
    const st = this.db.prepare(sql);
    try {
      const names = st.getColumnNames();
      while (st.step()) {
        const values = st.get();
        const row: SqliteRow = {};
        for (let i = 0; i < names.length; i++) row[names[i]!] = values[i] ?? null;
        yield row;
      }
    } finally {
      st.free();
    }
  }
}

/** A table or column name from the file's own catalogue, quoted as SQLite quotes identifiers. */
function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}
