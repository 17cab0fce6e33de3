/**
 * The report: data from the warehouse, Plotly figures, a self-contained HTML
 * document, and its PDF.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { SqlRunner } from '../core/warehouse.ts';
import { loadReportData } from './data.ts';
import { buildFigures } from './figures.ts';
import { renderReportHtml } from './html.ts';
import { renderPdf } from './pdf.ts';

export * from './data.ts';
export * from './figures.ts';
export * from './html.ts';
export * from './pdf.ts';
export * from './plugin_data.ts';
export * from './risk.ts';
export * from './sections.ts';
export { tableExists } from './schema.ts';

/** Options for `buildReport`. */
export interface BuildReportOptions {
  /** Where the PDF goes. */
  outPdf: string;
  /** Where the HTML goes; defaults to the PDF's path with `.html`. */
  outHtml?: string;
  athleteId?: string;
  /** The athlete's name when none is registered (ATHLETE_NAME); the id otherwise. */
  displayName?: string;
  title?: string;
  /** A "generated" line for the first page (kept out unless given, so output is reproducible). */
  generated?: string;
  /** The day the report is made, YYYY-MM-DD (today in UTC): data much older than it is flagged as out of date. */
  asOf?: string;
}

/**
 * Build the report for one athlete: writes the HTML and prints it to PDF.
 * @example
 * const wh = await Warehouse.open();
 * const { pdf, pages } = await buildReport(wh, { outPdf: 'reports/report.pdf' });
 */
export async function buildReport(db: SqlRunner, opts: BuildReportOptions): Promise<{ pdf: string; html: string; pages: number }> {
  const pdf = resolve(opts.outPdf);
  const html = resolve(opts.outHtml ?? pdf.replace(/\.pdf$/i, '') + '.html');
  const data = await loadReportData(db, { athleteId: opts.athleteId, displayName: opts.displayName });
  const title = opts.title ?? `Training report: ${data.displayName}`;
  const asOf = opts.asOf ?? new Date().toISOString().slice(0, 10);
  const doc = renderReportHtml(data, buildFigures(data), { title, generated: opts.generated, asOf });
  mkdirSync(dirname(html), { recursive: true });
  mkdirSync(dirname(pdf), { recursive: true });
  writeFileSync(html, doc);
  const pages = await renderPdf(html, pdf, { footer: title });
  return { pdf, html, pages };
}
