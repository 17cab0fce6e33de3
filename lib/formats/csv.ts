/**
 * A small RFC 4180 CSV reader, plus the column maps and cell converters the
 * export importers share. Columns are addressed by position (a header name
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

/**
 * Read CSV text (RFC 4180: quoted fields holding commas, doubled quotes and
 * line breaks; CRLF or LF; an optional BOM). Blank lines are skipped. Throws
 * only when a quoted field is never closed, since the rest is then ambiguous.
 */
export function readCsv(text: string): CsvTable {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: string[][] = [];
  const starts: number[] = [];
  let field = '';
  let record: string[] = [];
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let quoteLine = 0;
  let i = 0;
  const endRecord = () => {
    record.push(field);
    field = '';
    if (!(record.length === 1 && record[0] === '')) {
      records.push(record);
      starts.push(recordLine);
    }
    record = [];
  };
  while (i < src.length) {
    const c = src[i]!;
    if (quoted) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      quoteLine = line;
    } else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\r' || c === '\n') {
      endRecord();
      if (c === '\r' && src[i + 1] === '\n') i++;
      line++;
      recordLine = line;
    } else {
      field += c;
    }
    i++;
  }
  if (quoted) throw new Error(`quoted field opened on line ${quoteLine} is never closed`);
  if (field !== '' || record.length > 0) endRecord();
  const header = records.shift() ?? [];
  starts.shift();
  return { header: header.map((h) => h.trim()), rows: records, lines: starts };
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
