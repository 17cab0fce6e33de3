/**
 * The squad report's figures: the squad's last-week load and ACWR side by
 * side, and for each athlete the report's own load, ACWR and HRV figures
 * (built by figures.ts) over their last weeks, made shorter to share a page.
 */
import type { AcwrBand } from '../analysis/daily.ts';
import type { ReportData } from './data.ts';
import { ACWR_BAND, acwrFigure, FIGURE_WIDTH, hrvFigure, trainingLoadFigure, type Figure, type PlacedFigure, type Trace } from './figures.ts';
import { lastDays, type SquadAthlete, type SquadData } from './squad_data.ts';

/** Colours of the ACWR bands: green in the target band, amber and red above it, blue below. */
export const BAND_COLOR: Record<AcwrBand | 'none', string> = {
  low: '#6baed6',
  optimal: '#2ca02c',
  caution: '#ff9f1c',
  high: '#d62728',
  none: '#bdbdbd',
};

/** Weeks of history each athlete's page shows. */
export const ATHLETE_PAGE_DAYS = 84;

const FONT = { family: 'DejaVu Sans, Liberation Sans, Arial, sans-serif', size: 12, color: '#222' };

/** The label of an athlete on an axis: display name, with the id when they differ. */
export function athleteLabel(a: Pick<SquadAthlete, 'athleteId' | 'displayName'>): string {
  return a.displayName && a.displayName !== a.athleteId ? `${a.displayName} (${a.athleteId})` : a.athleteId;
}

function r2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Height of a bar-per-athlete chart: room for each athlete's label. */
function rowsHeight(n: number): number {
  return Math.max(220, 90 + 22 * n);
}

function squadLayout(title: string, xTitle: string, n: number): Figure['layout'] {
  return {
    title: { text: title, font: { size: 15 } },
    width: FIGURE_WIDTH / 2,
    height: rowsHeight(n),
    autosize: false,
    font: FONT,
    margin: { l: 170, r: 15, t: 45, b: 50 },
    paper_bgcolor: '#ffffff',
    plot_bgcolor: '#ffffff',
    showlegend: false,
    xaxis: { title: { text: xTitle }, type: 'linear', gridcolor: '#e5e5e5', zerolinecolor: '#999', rangemode: 'tozero', tickfont: { size: 11 } },
    // Athletes in the page's order, the most concerning at the top.
    yaxis: { title: { text: '' }, type: 'category', autorange: 'reversed', automargin: true, tickfont: { size: 11 } },
  };
}

/** Each athlete's load over the 7 days to their status day, coloured by ACWR band. */
export function squadLoadFigure(squad: SquadData): Figure {
  const rows = squad.athletes;
  const data: Trace[] = [
    {
      type: 'bar',
      orientation: 'h',
      name: '7-day load',
      x: rows.map((a) => (a.load7d === null ? null : r2(a.load7d))),
      y: rows.map(athleteLabel),
      marker: { color: rows.map((a) => BAND_COLOR[a.acwrBand ?? 'none']) },
    },
  ];
  return { data, layout: squadLayout('Load of the last 7 days', 'Training load (a.u.)', rows.length) };
}

/** Each athlete's ACWR (EWMA 7:28) with the 0.8–1.3 target band shaded. */
export function squadAcwrFigure(squad: SquadData): Figure {
  const rows = squad.athletes;
  const xs = rows.map((a) => (a.acwr === null ? null : r2(a.acwr)));
  const data: Trace[] = [
    {
      type: 'scatter',
      mode: 'markers',
      name: 'ACWR',
      x: xs,
      y: rows.map(athleteLabel),
      marker: { size: 11, color: rows.map((a) => BAND_COLOR[a.acwrBand ?? 'none']), line: { color: '#333', width: 1 } },
    },
  ];
  const layout = squadLayout('ACWR (EWMA 7:28 days)', 'ACWR (ratio)', rows.length);
  const top = Math.max(2, ...xs.filter((x): x is number => x !== null).map((x) => x * 1.1));
  layout.xaxis = { ...layout.xaxis, range: [0, r2(top)], rangemode: 'normal' };
  layout.shapes = [
    { type: 'rect', xref: 'x', yref: 'paper', x0: ACWR_BAND.low, x1: ACWR_BAND.high, y0: 0, y1: 1, fillcolor: 'rgba(44, 160, 44, 0.18)', line: { width: 0 }, layer: 'below' },
  ];
  return { data, layout };
}

/** The squad page's figures. */
export function squadFigures(squad: SquadData): PlacedFigure[] {
  return [
    { id: 'fig-squad-load', figure: squadLoadFigure(squad) },
    { id: 'fig-squad-acwr', figure: squadAcwrFigure(squad) },
  ];
}

/** A report figure made `height` tall; its date axis keeps no title, so the legend below it has room. */
function shorter(fig: Figure, height: number): Figure {
  return { data: fig.data, layout: { ...fig.layout, height, xaxis: { ...fig.layout.xaxis, title: { text: '' } } } };
}

/**
 * One athlete's figures for their page: daily load with fitness and fatigue,
 * ACWR, and HRV against its normal range, over the ATHLETE_PAGE_DAYS days to
 * their last day of data.
 */
export function athletePageFigures(report: ReportData, key: string): PlacedFigure[] {
  const end = report.period.end;
  const load = lastDays(report.load, end, ATHLETE_PAGE_DAYS);
  return [
    { id: `fig-${key}-load`, figure: shorter(trainingLoadFigure(load), 300) },
    { id: `fig-${key}-acwr`, figure: shorter(acwrFigure(load), 220) },
    { id: `fig-${key}-hrv`, figure: shorter(hrvFigure(lastDays(report.biometrics.hrv, end, ATHLETE_PAGE_DAYS), lastDays(report.biometrics.hrvBaseline, end, ATHLETE_PAGE_DAYS)), 210) },
  ];
}
