/**
 * A small RFC 4180 CSV reader (whole text, or a stream of chunks in bounded
 * memory), plus the column maps and cell converters the export importers share. Columns are addressed by position (a header name
 * and its occurrence), because real export headers repeat names.
 */
import type { ImportError } from '../core/models.ts';

/** A CSV file read into its header and data rows. */
export interface CsvTable {
  header: string[];
  rows: string[][];
  /** 1-based line of the file on which each data row starts (quoted fields can span lines). */
  lines: number[];
}

/** Options every export parser accepts. */
export interface ExportOptions {
  /** Overrides the source name the parser would otherwise give its records. */
  source?: string;
  athleteId?: string;
}

/** Longest record a streamed CSV may hold (characters); longer ones are reported and skipped. */
export const MAX_CSV_RECORD_CHARS = 4 * 1024 * 1024;

/** Options of a {@link CsvReader}. */
export interface CsvReaderOptions {
  /** Longest record accepted, in characters (default {@link MAX_CSV_RECORD_CHARS}; Infinity for none). */
  maxRecordChars?: number;
  /** Called for a record longer than the limit, which is skipped up to the next line break. */
  onTooLong?: (line: number, chars: number) => void;
}

const COMMA = 44;
const QUOTE = 34;
const CR = 13;
const LF = 10;

/**
 * An incremental RFC 4180 reader: text goes in as chunks (`write`, then
 * `end`), records come out through `onRecord` with the line each starts on.
 * Quoted fields may hold commas, doubled quotes and line breaks; CRLF or LF;
 * a leading BOM is dropped; blank lines are skipped. It finds delimiters with
 * `indexOf` rather than stepping through every character, and holds at most
 * one record: a record longer than the limit is reported and skipped, so a
 * file that is one enormous line costs bounded memory.
 */
export class CsvReader {
  private buf = '';
  private line = 1;
  private started = false;
  /** Skipping a too-long record: looking for the line break that ends it. */
  private skipping = false;
  private readonly max: number;

  constructor(
    private readonly onRecord: (fields: string[], line: number) => void,
    private readonly opts: CsvReaderOptions = {},
  ) {
    this.max = opts.maxRecordChars ?? MAX_CSV_RECORD_CHARS;
  }

  /** Feed the next chunk of text. */
  write(chunk: string): void {
    if (!this.started && chunk.length > 0) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    if (this.skipping) {
      const nl = chunk.indexOf('\n');
      if (nl < 0) return;
      this.skipping = false;
      this.line++;
      chunk = chunk.slice(nl + 1);
    }
    const s = this.buf.length === 0 ? chunk : this.buf + chunk;
    const stop = this.scan(s, false);
    this.buf = stop === s.length ? '' : s.slice(stop);
    if (this.buf.length > this.max) {
      this.opts.onTooLong?.(this.line, this.buf.length);
      const nl = this.buf.indexOf('\n');
      if (nl < 0) {
        this.skipping = true;
        this.buf = '';
      } else {
        this.line++;
        const rest = this.buf.slice(nl + 1);
        this.buf = '';
        this.write(rest);
      }
    }
  }

  /** The input is complete. Throws when a quoted field is never closed, since the rest is then ambiguous. */
  end(): void {
    if (this.buf.length > 0) {
      const s = this.buf;
      this.buf = '';
      const stop = this.scan(s, true);
      if (stop < s.length) throw new Error(`quoted field opened on line ${this.quoteLine(s, stop)} is never closed`);
    }
  }

  /** The line of the first unclosed quote of the record starting at `from`. */
  private quoteLine(s: string, from: number): number {
    let line = this.line;
    const q = s.indexOf('"', from);
    for (let i = from; i < q; i++) if (s.charCodeAt(i) === LF) line++;
    return line;
  }

  /** Read the records of `s`; returns where the first incomplete one starts (s.length when none is). */
  private scan(s: string, final: boolean): number {
    const n = s.length;
    let pos = 0;
    // Next comma, CR and LF at or after the cursor, searched again only once passed.
    let comma = -1;
    let cr = -1;
    let lf = -1;
    while (pos < n) {
      const fields: string[] = [];
      let p = pos;
      let lines = 0;
      let complete = false;
      for (;;) {
        if (s.charCodeAt(p) === QUOTE) {
          // Quoted field: up to the quote not doubled; what follows it up to the delimiter is kept too.
          let field = '';
          let q = p + 1;
          let closed = -1;
          for (;;) {
            const close = s.indexOf('"', q);
            if (close < 0) break;
            for (let i = s.indexOf('\n', q); i >= 0 && i < close; i = s.indexOf('\n', i + 1)) lines++;
            field += s.slice(q, close);
            if (s.charCodeAt(close + 1) === QUOTE) {
              field += '"';
              q = close + 2;
              continue;
            }
            if (close + 1 >= n && !final) break;
            closed = close;
            break;
          }
          if (closed < 0) return pos;
          p = closed + 1;
          if (p < n && s.charCodeAt(p) !== COMMA && s.charCodeAt(p) !== CR && s.charCodeAt(p) !== LF) {
            if (comma < p) comma = indexOrEnd(s, ',', p);
            if (cr < p) cr = indexOrEnd(s, '\r', p);
            if (lf < p) lf = indexOrEnd(s, '\n', p);
            const end = Math.min(comma, cr, lf);
            field += s.slice(p, end);
            p = end;
          }
          fields.push(field);
        } else {
          if (comma < p) comma = indexOrEnd(s, ',', p);
          if (cr < p) cr = indexOrEnd(s, '\r', p);
          if (lf < p) lf = indexOrEnd(s, '\n', p);
          const end = Math.min(comma, cr, lf);
          fields.push(s.slice(p, end));
          p = end;
        }
        if (p >= n) {
          if (!final) return pos;
          complete = true;
          break;
        }
        const d = s.charCodeAt(p);
        if (d === COMMA) {
          p++;
          continue;
        }
        if (d === CR) {
          if (p + 1 >= n && !final) return pos;
          p += s.charCodeAt(p + 1) === LF ? 2 : 1;
        } else p++;
        complete = true;
        break;
      }
      if (complete) {
        if (!(fields.length === 1 && fields[0] === '')) this.onRecord(fields, this.line);
        this.line += lines + 1;
        pos = p;
      }
    }
    return n;
  }
}

function indexOrEnd(s: string, ch: string, from: number): number {
  const i = s.indexOf(ch, from);
  return i < 0 ? s.length : i;
}

/**
 * Read CSV text (RFC 4180: quoted fields holding commas, doubled quotes and
 * line breaks; CRLF or LF; an optional BOM). Blank lines are skipped. Throws
 * only when a quoted field is never closed, since the rest is then ambiguous.
 */
export function readCsv(text: string): CsvTable {
  const records: string[][] = [];
  const starts: number[] = [];
  const reader = new CsvReader((fields, line) => {
    records.push(fields);
    starts.push(line);
  }, { maxRecordChars: Infinity });
  reader.write(text);
  reader.end();
  const header = records.shift() ?? [];
  starts.shift();
  return { header: header.map((h) => h.trim()), rows: records, lines: starts };
}

/** A CSV read as a stream: its header, then each data row with the line it starts on. */
export interface CsvStreamHandler {
  header(fields: string[]): void;
  row(fields: string[], line: number): void;
}

/**
 * Read a CSV given as byte chunks (UTF-8, a BOM dropped), record by record:
 * memory holds one record, not the file. A record longer than
 * {@link MAX_CSV_RECORD_CHARS} is reported through `onTooLong` and skipped.
 * Throws when a quoted field is never closed.
 */
export async function readCsvStream(chunks: AsyncIterable<Uint8Array>, handler: CsvStreamHandler, opts: CsvReaderOptions = {}): Promise<void> {
  let headerSeen = false;
  const reader = new CsvReader((fields, line) => {
    if (headerSeen) handler.row(fields, line);
    else {
      headerSeen = true;
      handler.header(fields.map((h) => h.trim()));
    }
  }, opts);
  const decoder = new TextDecoder('utf-8');
  // Text in small pieces: V8 collects strings of this size young, while megabyte strings linger (see xml_text.ts).
  for await (const chunk of chunks) {
    for (let at = 0; at < chunk.length; at += 1 << 16) reader.write(decoder.decode(chunk.subarray(at, at + (1 << 16)), { stream: true }));
  }
  reader.write(decoder.decode());
  reader.end();
}

/** Position of the `occurrence`-th (0-based) column named `name`, or -1. */
export function columnIndex(header: readonly string[], name: string, occurrence = 0): number {
  let seen = 0;
  for (let i = 0; i < header.length; i++) {
    if (header[i] === name) {
      if (seen === occurrence) return i;
      seen++;
    }
  }
  return -1;
}

/** Turns a non-empty cell into a value, or throws an Error whose message says why it cannot. */
export type CellConverter<V> = (cell: string) => V;

/** One row of a column map: source column (name + occurrence) to a canonical field and its converter. */
export interface ColumnSpec<F extends string> {
  column: string;
  /** Which of several same-named columns (0 = the first). */
  occurrence?: number;
  field: F;
  convert: CellConverter<unknown>;
}

/** A column map resolved against one header. */
export interface BoundColumnMap<F extends string> {
  specs: { spec: ColumnSpec<F>; index: number }[];
  /** Columns of the map the header lacks. */
  missing: string[];
}

/** Resolve a column map's columns to positions in `header`. */
export function bindColumns<F extends string>(header: readonly string[], map: readonly ColumnSpec<F>[]): BoundColumnMap<F> {
  const specs: { spec: ColumnSpec<F>; index: number }[] = [];
  const missing: string[] = [];
  for (const spec of map) {
    const index = columnIndex(header, spec.column, spec.occurrence ?? 0);
    if (index < 0) missing.push(columnLabel(spec));
    else specs.push({ spec, index });
  }
  return { specs, missing };
}

/** A column's name with its occurrence when it is not the first (`Distance #2`). */
export function columnLabel(spec: { column: string; occurrence?: number }): string {
  return spec.occurrence ? `${spec.column} #${spec.occurrence + 1}` : spec.column;
}

/**
 * Convert one row through a bound column map. Empty cells are absent (null);
 * a cell its converter rejects becomes an ImportError naming input, record and
 * column, and the field is left absent so the rest of the row is kept.
 */
export function convertRow<F extends string>(
  bound: BoundColumnMap<F>,
  row: readonly string[],
  input: string,
  record: string,
  errors: ImportError[],
): Partial<Record<F, unknown>> {
  const out: Partial<Record<F, unknown>> = {};
  for (const { spec, index } of bound.specs) {
    const cell = (row[index] ?? '').trim();
    if (cell === '' || out[spec.field] != null) continue;
    try {
      out[spec.field] = spec.convert(cell);
    } catch (e) {
      errors.push({ input, record, field: columnLabel(spec), reason: `${(e as Error).message} (got "${cell}")` });
    }
  }
  return out;
}

/** Whether a problem with this record's column was already reported (so a missing value is not reported twice). */
export function reported(errors: readonly ImportError[], record: string, column: string): boolean {
  return errors.some((e) => e.record === record && e.field === column);
}

/** Cell converter: the text itself. */
export const text: CellConverter<string> = (cell) => cell;

/** Cell converter: a decimal number. */
export const num: CellConverter<number> = (cell) => {
  const v = Number(cell);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cell) || !Number.isFinite(v)) throw new Error('not a number');
  return v;
};

/** Cell converter factory: a decimal number times `factor` (unit conversion). */
export function scaled(factor: number): CellConverter<number> {
  return (cell) => num(cell) * factor;
}

/** Cell converter: `true`/`false` (also `yes`/`no`, `1`/`0`). */
export const bool: CellConverter<boolean> = (cell) => {
  const v = cell.toLowerCase();
  if (v === 'true' || v === 'yes' || v === '1') return true;
  if (v === 'false' || v === 'no' || v === '0') return false;
  throw new Error('not true or false');
};

/** A local wall-clock time, kept as its calendar fields (ms since epoch as if it were UTC). */
export interface WallTime {
  /** Epoch ms of the wall-clock reading taken as UTC; subtract the offset to get the instant. */
  wallMs: number;
  /** The local calendar day, YYYY-MM-DD. */
  day: string;
}

/** Cell converter: `YYYY-MM-DD HH:MM[:SS]` (or with `T`) local wall time without a zone. */
export const wallTime: CellConverter<WallTime> = (cell) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$/.exec(cell);
  if (!m) throw new Error('not a date-time of the form YYYY-MM-DD HH:MM:SS');
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number) as number[];
  const wallMs = Date.UTC(y!, mo! - 1, d!, h!, mi!, s!);
  const t = new Date(wallMs);
  if (t.getUTCDate() !== d || t.getUTCMonth() !== mo! - 1 || h! > 23 || mi! > 59 || s! > 59) throw new Error('not a valid calendar date-time');
  return { wallMs, day: `${m[1]}-${m[2]}-${m[3]}` };
};

/** Cell converter: a UTC offset `+01:00`, `-0400`, `UTC-04:00`, `GMT+1`, `Z` or `UTC`, in minutes east. */
export const utcOffset: CellConverter<number> = (cell) => {
  const c = cell.trim().replace(/^(UTC|GMT)\s*/i, '');
  if (c === '' || c === 'Z') return 0;
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(c);
  if (!m) throw new Error('not a UTC offset such as UTC-04:00');
  const min = Number(m[2]) * 60 + Number(m[3] ?? 0);
  if (min > 14 * 60) throw new Error('UTC offset out of range');
  return m[1] === '-' ? -min : min;
};

/** An instant with the offset it was written in. */
export interface OffsetInstant {
  time: Date;
  /** Minutes east of UTC as written (0 for `Z`). */
  offsetMin: number;
  /** The local calendar day at that offset, YYYY-MM-DD. */
  day: string;
}

/** Cell converter: an ISO 8601 date-time that carries its offset (`Z` or `±HH:MM`); a zone-less one is refused. */
export const isoInstant: CellConverter<OffsetInstant> = (cell) => {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2})?)(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/i.exec(cell.trim());
  if (!m) throw new Error('not an ISO 8601 date-time with an offset');
  const wall = wallTime(`${m[1]} ${m[2]}`);
  const offsetMin = utcOffset(m[4]!.toUpperCase());
  const fraction = m[3] ? Math.round(Number(m[3]) * 1000) : 0;
  return { time: new Date(wall.wallMs + fraction - offsetMin * 60_000), offsetMin, day: wall.day };
};

/** The local day (YYYY-MM-DD) of an instant at an offset in minutes. */
export function localDay(time: Date, offsetMin: number): string {
  return new Date(time.getTime() + offsetMin * 60_000).toISOString().slice(0, 10);
}
