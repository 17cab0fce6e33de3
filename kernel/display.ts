/**
 * Display helpers for notebooks run by the tslab kernel: tables as escaped
 * HTML, Plotly figures as a PNG (seen in any viewer, also statically) bundled
 * with Plotly's JSON (interactive where a Plotly renderer exists: JupyterLab,
 * VS Code). No plotly.js is inlined into outputs, so committed notebooks stay small.
 */
import { createRequire } from 'node:module';
import { renderFigurePng, type PlotlyFigure, type PngOptions, DEFAULT_PNG_SIZE } from './figure_png.ts';

export type { PlotlyFigure } from './figure_png.ts';

/** Mime type Jupyter's and VS Code's Plotly renderers read. */
export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';
/** Rows shown by `showTable` unless told otherwise. */
export const DEFAULT_MAX_ROWS = 50;

/** A Jupyter display_data payload: one representation per mime type. */
export interface DisplayBundle {
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

type WriteDisplayData = (msg: DisplayBundle & { transient: Record<string, unknown> }, update: boolean) => void;

/** Send one display_data message holding every representation in `bundle`; the viewer picks the richest it can show. */
export function displayBundle(bundle: DisplayBundle): void {
  // tslab's public `display.raw` sends a single mime type; its Jupyter module exposes the current cell's writer.
  const jupyter = createRequire(import.meta.url)('tslab/dist/jupyter.js') as { lastWriteDisplayData: WriteDisplayData | null };
  const write = jupyter.lastWriteDisplayData;
  if (!write) throw new Error('display needs a running tslab kernel: call it from a notebook cell');
  write({ ...bundle, transient: {} }, false);
}

// ---- tables

/** Something `showTable` can show: an array of row objects, an arquero table or a danfo DataFrame. */
export type TableInput = readonly object[] | ArqueroLike | DanfoLike;

/** The part of an arquero table used here. */
export interface ArqueroLike {
  numRows(): number;
  columnNames(): string[];
  objects(opts?: { limit?: number }): object[];
}

/** The part of a danfo.js DataFrame used here. */
export interface DanfoLike {
  columns: string[];
  values: unknown[][];
  shape: number[];
}

/** Options for `showTable` / `tableHtml`. */
export interface TableOptions {
  /** Rows shown at most; a note tells how many there were. */
  maxRows?: number;
  /** A caption above the table. */
  caption?: string;
}

/** Columns, the rows shown (cells in column order) and the total row count. */
export interface TableData {
  columns: string[];
  rows: unknown[][];
  total: number;
}

function isArquero(t: unknown): t is ArqueroLike {
  const o = t as Partial<ArqueroLike> | null;
  return typeof o?.numRows === 'function' && typeof o.columnNames === 'function' && typeof o.objects === 'function';
}

function isDanfo(t: unknown): t is DanfoLike {
  const o = t as Partial<DanfoLike> | null;
  return !Array.isArray(t) && Array.isArray(o?.columns) && Array.isArray(o?.values) && Array.isArray(o?.shape);
}

/** Bring any `TableInput` to columns and rows, keeping at most `maxRows` rows. */
export function tableData(input: TableInput, maxRows = DEFAULT_MAX_ROWS): TableData {
  if (isArquero(input)) {
    const columns = input.columnNames();
    const rows = input.objects({ limit: maxRows }).map((r) => columns.map((c) => (r as Record<string, unknown>)[c]));
    return { columns, rows, total: input.numRows() };
  }
  if (isDanfo(input)) {
    return { columns: [...input.columns], rows: input.values.slice(0, maxRows), total: input.values.length };
  }
  // Interface-typed rows (e.g. InjuryRecord[]) are plain objects too.
  const rows = input as readonly Record<string, unknown>[];
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
    }
  }
  return { columns, rows: rows.slice(0, maxRows).map((r) => columns.map((c) => r[c])), total: rows.length };
}

/** Escape text for HTML content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A cell value as text: UTC ISO for dates, six significant digits for fractions, JSON for objects, empty for null. */
export function formatCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
  if (typeof v === 'number') return Number.isInteger(v) || !Number.isFinite(v) ? String(v) : String(Number(v.toPrecision(6)));
  if (typeof v === 'object') return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  return String(v);
}

function truncationNote(t: TableData): string {
  return t.rows.length < t.total ? `${t.rows.length} of ${t.total} rows shown` : '';
}

/** The table as an HTML fragment, every value escaped. */
export function tableHtml(input: TableInput, opts: TableOptions = {}): string {
  const t = tableData(input, opts.maxRows);
  const head = t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = t.rows
    .map((r) => `<tr>${r.map((v) => `<td${typeof v === 'number' ? ' style="text-align:right"' : ''}>${escapeHtml(formatCell(v))}</td>`).join('')}</tr>`)
    .join('\n');
  const caption = opts.caption ? `<caption>${escapeHtml(opts.caption)}</caption>` : '';
  const note = truncationNote(t);
  return [
    `<table class="apt-table">${caption}<thead><tr>${head}</tr></thead>`,
    `<tbody>\n${body}\n</tbody></table>`,
    note ? `<p class="apt-table-note">${escapeHtml(note)}</p>` : '',
  ].join('');
}

/** The table as plain text (tab-separated), for text-only viewers. */
export function tableText(input: TableInput, opts: TableOptions = {}): string {
  const t = tableData(input, opts.maxRows);
  const lines = [t.columns.join('\t'), ...t.rows.map((r) => r.map(formatCell).join('\t'))];
  const note = truncationNote(t);
  return (note ? [...lines, note] : lines).join('\n');
}

/** Show a table in the notebook: HTML, with a plain-text fallback. */
export function showTable(input: TableInput, opts: TableOptions = {}): void {
  displayBundle({ data: { 'text/html': tableHtml(input, opts), 'text/plain': tableText(input, opts) }, metadata: {} });
}

// ---- figures

/** Options for `showFigure`: the PNG's size in CSS pixels and its pixel density. */
export type FigureOptions = PngOptions;

/** The figure as plain JSON: typed arrays become arrays, dates ISO strings, NaN null. */
export function plainFigure(fig: PlotlyFigure): PlotlyFigure {
  const json = JSON.stringify(fig, (_k, v: unknown) => (ArrayBuffer.isView(v) && !(v instanceof DataView) ? Array.from(v as unknown as ArrayLike<number>) : v));
  return JSON.parse(json) as PlotlyFigure;
}

/** The display bundle for a figure: PNG, Plotly JSON and a text line. */
export function figureBundle(fig: PlotlyFigure, png: Uint8Array, opts: FigureOptions = {}): DisplayBundle {
  const plain = plainFigure(fig);
  const plotly: Record<string, unknown> = { data: plain.data, layout: plain.layout ?? {} };
  if (plain.config) plotly.config = plain.config;
  const width = opts.width ?? DEFAULT_PNG_SIZE.width;
  const height = opts.height ?? DEFAULT_PNG_SIZE.height;
  return {
    data: {
      'image/png': Buffer.from(png).toString('base64'),
      [PLOTLY_MIME]: plotly,
      'text/plain': `Plotly figure with ${plain.data.length} trace${plain.data.length === 1 ? '' : 's'}`,
    },
    metadata: { 'image/png': { width, height } },
  };
}

/** Show a Plotly figure: a PNG drawn by headless Chromium plus the interactive Plotly JSON. */
export async function showFigure(fig: PlotlyFigure, opts: FigureOptions = {}): Promise<void> {
  const plain = plainFigure(fig);
  displayBundle(figureBundle(plain, await renderFigurePng(plain, opts), opts));
}
