/** Small HTML building blocks shared by the report's sections. */
import type { PlacedFigure, PlotlyFigure } from './figures.ts';

/** Section titles, in page order; the risk page is always there, the plugin pages only with results. */
export const SECTION_TITLES = {
  summary: 'Summary',
  volume: 'Training volume',
  load: 'Training load',
  recovery: 'Recovery',
  risk: 'Injury risk',
  ballSports: 'Ball sports',
  running: 'Running',
  quality: 'Data quality',
} as const;

/** Escape text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `x` rounded half away from zero to `digits` decimals, as text, negative with a minus sign (−), never a hyphen. */
export function fixed(x: number, digits: number): string {
  const text = (Math.round(x * 10 ** digits) / 10 ** digits).toFixed(digits);
  return /^-0?\.?0*$/.test(text) ? text.slice(1) : text.replace(/^-/, '−');
}

/** A number with `digits` decimals, or an en dash when absent. */
export function numOrDash(x: number | null, digits = 0): string {
  return x === null ? '–' : fixed(x, digits);
}

/** A table; header text is escaped, cells are HTML already. */
export function table(headers: string[], rows: string[][], cls = ''): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  return `<table${cls ? ` class="${cls}"` : ''}><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

/** Fixed-size divs the figures are drawn into. */
export function figureDivs(figs: PlacedFigure<PlotlyFigure>[]): string {
  return figs
    .map(
      ({ id, figure }) =>
        `<div class="fig" id="${escapeHtml(id)}" style="width:${figure.layout.width}px;height:${figure.layout.height}px"></div>`,
    )
    .join('\n');
}
