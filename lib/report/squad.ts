/**
 * `athlete report --squad`: every athlete of the warehouse on a first page
 * sorted by concern, then one compact page per athlete, as HTML and PDF.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { SqlRunner } from '../core/warehouse.ts';
import { loadReportData } from './data.ts';
import { renderPdf } from './pdf.ts';
import { loadSquadData, type SquadData } from './squad_data.ts';
import { athletePageFigures, squadFigures } from './squad_figures.ts';
import { renderSquadHtml, type AthletePage } from './squad_html.ts';

/** Options of `buildSquadReport`. */
export interface SquadReportOptions {
  outPdf: string;
  /** Defaults to the PDF's path with `.html`. */
  outHtml?: string;
  /** The report's day, YYYY-MM-DD (default today, UTC). */
  asOf?: string;
  title?: string;
}

/** The squad's data and each athlete's page, ready to render. */
export async function loadSquadPages(db: SqlRunner, opts: { asOf?: string } = {}): Promise<{ squad: SquadData; pages: AthletePage[] }> {
  const squad = await loadSquadData(db, opts);
  const pages: AthletePage[] = [];
  for (const [i, athlete] of squad.athletes.entries()) {
    // Plugin pages are not part of the squad report: no plugin sessions are read.
    const report = await loadReportData(db, { athleteId: athlete.athleteId, latestErrors: 0, pluginSessions: 0 });
    pages.push({ athlete, report, figures: athletePageFigures(report, `a${i + 1}`) });
  }
  return { squad, pages };
}

/**
 * Write the squad report's HTML and print it to PDF.
 * @example
 * const { pdf, pages } = await buildSquadReport(wh, { outPdf: 'reports/squad_report.pdf' });
 */
export async function buildSquadReport(db: SqlRunner, opts: SquadReportOptions): Promise<{ pdf: string; html: string; pages: number; athletes: number }> {
  const pdf = resolve(opts.outPdf);
  const html = resolve(opts.outHtml ?? pdf.replace(/\.pdf$/i, '') + '.html');
  const { squad, pages } = await loadSquadPages(db, { asOf: opts.asOf });
  const title = opts.title ?? 'Squad report';
  mkdirSync(dirname(html), { recursive: true });
  mkdirSync(dirname(pdf), { recursive: true });
  writeFileSync(html, renderSquadHtml(squad, squadFigures(squad), pages, { title }));
  const n = await renderPdf(html, pdf, { footer: `${title}, as of ${squad.asOf}` });
  return { pdf, html, pages: n, athletes: squad.athletes.length };
}
