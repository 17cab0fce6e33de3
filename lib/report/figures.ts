/**
 * Plotly figure objects for the report, built from plain data with no DOM, so
 * the HTML report and notebooks show the same figures and tests can inspect them.
 */
import type { SportCategory } from '../core/models.ts';
import { addDays } from '../analysis/daily.ts';
import type { HrvBaselineDay, LoadDay, MetricPoint, ReportData, WeeklyVolume } from './data.ts';
import type { StoredFigure } from './plugin_data.ts';
import type { RiskDriver } from './risk.ts';

/** One Plotly trace (the subset of attributes the report uses, plus any other). */
export interface Trace {
  type: 'bar' | 'scatter';
  name: string;
  x: (string | number | null)[];
  y: (number | string | null)[];
  [attr: string]: unknown;
}

/** A Plotly axis. */
export interface Axis {
  title: { text: string };
  [attr: string]: unknown;
}

/** A Plotly layout with a fixed size. */
export interface Layout {
  title: { text: string; font?: { size: number } };
  width: number;
  height: number;
  xaxis: Axis;
  yaxis: Axis;
  [attr: string]: unknown;
}

/** A Plotly figure: `Plotly.newPlot(div, fig.data, fig.layout)`. */
export interface Figure {
  data: Trace[];
  layout: Layout;
}

/** Widths that fit an A4 page's printable width at 96 px/inch with 12 mm margins. */
export const FIGURE_WIDTH = 690;

const FONT = { family: 'DejaVu Sans, Liberation Sans, Arial, sans-serif', size: 12, color: '#222' };

const CATEGORY_ORDER: readonly SportCategory[] = ['ENDURANCE', 'STRENGTH', 'BALL_SPORT', 'MIXED'];
const CATEGORY_LABEL: Record<SportCategory, string> = {
  ENDURANCE: 'Endurance',
  STRENGTH: 'Strength',
  BALL_SPORT: 'Ball sports',
  MIXED: 'Mixed',
};
const CATEGORY_COLOR: Record<SportCategory, string> = {
  ENDURANCE: '#1f77b4',
  STRENGTH: '#d62728',
  BALL_SPORT: '#2ca02c',
  MIXED: '#9467bd',
};

/** Rounded so the HTML stays small and stable across platforms' float printing. */
function r3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function baseLayout(title: string, xTitle: string, yTitle: string, height: number): Layout {
  return {
    title: { text: title, font: { size: 15 } },
    width: FIGURE_WIDTH,
    height,
    autosize: false,
    font: FONT,
    margin: { l: 70, r: 20, t: 50, b: 60 },
    paper_bgcolor: '#ffffff',
    plot_bgcolor: '#ffffff',
    showlegend: true,
    legend: { orientation: 'h', x: 0, y: -0.22, font: { size: 11 } },
    xaxis: { title: { text: xTitle }, type: 'date', tickformat: '%d %b %Y', gridcolor: '#e5e5e5', tickfont: { size: 11 } },
    yaxis: { title: { text: yTitle }, gridcolor: '#e5e5e5', zerolinecolor: '#999', tickfont: { size: 11 }, rangemode: 'tozero' },
  };
}

/** A note in the middle of an empty chart, so a missing series reads as "no data", not as a blank box. */
function noDataNote(fig: Figure): Figure {
  if (fig.data.some((t) => t.y.some((v) => v !== null))) return fig;
  fig.layout.annotations = [
    { text: 'No data for this period', xref: 'paper', yref: 'paper', x: 0.5, y: 0.5, showarrow: false, font: { size: 14, color: '#777' } },
  ];
  return fig;
}

/** Every Monday from the first to the last week present. */
function allWeeks(weekly: WeeklyVolume[]): string[] {
  if (weekly.length === 0) return [];
  const sorted = weekly.map((w) => w.week).sort();
  const last = sorted[sorted.length - 1]!;
  const weeks: string[] = [];
  for (let w = sorted[0]!; w <= last; w = addDays(w, 7)) weeks.push(w);
  return weeks;
}

/** Ticks on Mondays only, at most about a dozen of them. */
function weekTicks(layout: Layout, weeks: string[]): void {
  if (weeks.length === 0) return;
  const step = Math.max(1, Math.ceil(weeks.length / 12));
  layout.xaxis.tick0 = weeks[0];
  layout.xaxis.dtick = step * 7 * 86_400_000;
  layout.xaxis.range = [addDays(weeks[0]!, -4), addDays(weeks[weeks.length - 1]!, 4)];
}

/** Weekly training hours, one stacked bar trace per sport category present. */
export function weeklyHoursFigure(weekly: WeeklyVolume[]): Figure {
  const weeks = allWeeks(weekly);
  const data: Trace[] = [];
  for (const category of CATEGORY_ORDER) {
    const rows = weekly.filter((w) => w.category === category);
    if (rows.length === 0) continue;
    const byWeek = new Map<string, number>();
    for (const w of rows) byWeek.set(w.week, (byWeek.get(w.week) ?? 0) + w.hours);
    data.push({
      type: 'bar',
      name: CATEGORY_LABEL[category],
      x: weeks,
      y: weeks.map((w) => r3(byWeek.get(w) ?? 0)),
      marker: { color: CATEGORY_COLOR[category] },
    });
  }
  const layout = baseLayout('Weekly training hours by sport category', 'Week starting (Monday, local time)', 'Duration (h)', 400);
  layout.barmode = 'stack';
  layout.legend = { ...(layout.legend as object), traceorder: 'normal' };
  weekTicks(layout, weeks);
  return noDataNote({ data, layout });
}

/** Weekly distance over all sports. */
export function weeklyDistanceFigure(weekly: WeeklyVolume[]): Figure {
  const weeks = allWeeks(weekly);
  const byWeek = new Map<string, number>();
  for (const w of weekly) byWeek.set(w.week, (byWeek.get(w.week) ?? 0) + w.km);
  const data: Trace[] = weeks.length
    ? [{ type: 'bar', name: 'Distance', x: weeks, y: weeks.map((w) => r3(byWeek.get(w) ?? 0)), marker: { color: '#ff7f0e' } }]
    : [];
  const layout = baseLayout('Weekly distance', 'Week starting (Monday, local time)', 'Distance (km)', 320);
  layout.showlegend = false;
  weekTicks(layout, weeks);
  return noDataNote({ data, layout });
}

/** The same daily x range on both load charts, so they line up on the page. */
function dayRange(layout: Layout, load: LoadDay[]): void {
  const first = load[0];
  const last = load[load.length - 1];
  if (first && last) layout.xaxis.range = [`${addDays(first.date, -1)} 12:00`, `${last.date} 12:00`];
}

/** Daily load as bars with CTL (fitness), ATL (fatigue) and TSB (form) lines. */
export function trainingLoadFigure(load: LoadDay[]): Figure {
  const x = load.map((d) => d.date);
  const data: Trace[] = load.length
    ? [
        { type: 'bar', name: 'Daily load', x, y: load.map((d) => r3(d.load)), marker: { color: '#c7c7c7' } },
        { type: 'scatter', mode: 'lines', name: 'CTL (fitness, 42 d)', x, y: load.map((d) => r3(d.ctl)), line: { color: '#1f77b4', width: 2.5 } },
        { type: 'scatter', mode: 'lines', name: 'ATL (fatigue, 7 d)', x, y: load.map((d) => r3(d.atl)), line: { color: '#e377c2', width: 2 } },
        { type: 'scatter', mode: 'lines', name: 'TSB (form)', x, y: load.map((d) => r3(d.tsb)), line: { color: '#2ca02c', width: 2, dash: 'dash' } },
      ]
    : [];
  const layout = baseLayout('Daily training load, fitness, fatigue and form', 'Date (local)', 'Training load (TSS-equivalent, a.u.)', 430);
  layout.yaxis.rangemode = 'normal';
  layout.bargap = 0.15;
  dayRange(layout, load);
  return noDataNote({ data, layout });
}

/** The ACWR band the report shades: 0.8–1.3 (Gabbett 2016). */
export const ACWR_BAND = { low: 0.8, high: 1.3 } as const;

/** ACWR (EWMA) over time with the 0.8–1.3 band shaded; days before it is defined are gaps. */
export function acwrFigure(load: LoadDay[]): Figure {
  const x = load.map((d) => d.date);
  const y = load.map((d) => (d.acwr === null ? null : r3(d.acwr)));
  const defined = y.filter((v): v is number => v !== null);
  const data: Trace[] = defined.length
    ? [{ type: 'scatter', mode: 'lines', name: 'ACWR (EWMA 7:28 d)', x, y, line: { color: '#17becf', width: 2.5 } }]
    : [];
  const layout = baseLayout('Acute:chronic workload ratio', 'Date (local)', 'ACWR (ratio)', 330);
  const top = Math.max(2, ...defined.map((v) => v * 1.1));
  dayRange(layout, load);
  layout.yaxis.range = [0, r3(top)];
  layout.yaxis.rangemode = 'normal';
  layout.shapes = [
    {
      type: 'rect',
      xref: 'paper',
      yref: 'y',
      x0: 0,
      x1: 1,
      y0: ACWR_BAND.low,
      y1: ACWR_BAND.high,
      fillcolor: 'rgba(44, 160, 44, 0.18)',
      line: { width: 0 },
      layer: 'below',
    },
  ];
  layout.annotations = [
    {
      text: `target band ${ACWR_BAND.low}–${ACWR_BAND.high}`,
      xref: 'paper',
      yref: 'y',
      x: 1,
      y: ACWR_BAND.low,
      xanchor: 'right',
      yanchor: 'top',
      showarrow: false,
      font: { size: 11, color: '#2c7a2c' },
    },
  ];
  return noDataNote({ data, layout });
}

const RECOVERY_HEIGHT = 210;

function recoveryLayout(title: string, yTitle: string): Layout {
  const layout = baseLayout(title, 'Date (local)', yTitle, RECOVERY_HEIGHT);
  layout.margin = { l: 70, r: 20, t: 40, b: 45 };
  layout.xaxis.title = { text: '' };
  layout.yaxis.rangemode = 'normal';
  layout.legend = { orientation: 'h', x: 1, xanchor: 'right', y: 1.2, font: { size: 11 } };
  return layout;
}

function pointTrace(name: string, points: MetricPoint[], color: string, digits = 1): Trace {
  const f = 10 ** digits;
  return {
    type: 'scatter',
    mode: 'lines+markers',
    name,
    x: points.map((p) => p.date),
    y: points.map((p) => Math.round(p.value * f) / f),
    line: { color, width: 1.5 },
    marker: { size: 4, color },
  };
}

/** Resting heart rate per day, with its 60-day baseline as a dashed line when there is one. */
export function restingHrFigure(points: MetricPoint[], baseline: MetricPoint[] = []): Figure {
  const layout = recoveryLayout('Resting heart rate', 'Resting HR (bpm)');
  const data: Trace[] = [];
  if (points.length) {
    data.push(pointTrace('Resting HR', points, '#d62728'));
    if (baseline.length) data.push({ ...pointTrace('60-day baseline', baseline, '#7f7f7f'), mode: 'lines', line: { color: '#7f7f7f', width: 2, dash: 'dash' } });
  }
  layout.showlegend = data.length > 1;
  return noDataNote({ data, layout });
}

/** e^x in ms, rounded, for ln-RMSSD values; null stays null. */
function msFromLn(x: number | null): number | null {
  return x === null ? null : Math.round(Math.exp(x) * 10) / 10;
}

/**
 * HRV (RMSSD) per day with its 7-day mean and normal range: the 60-day
 * baseline ± 0.5 SD of ln RMSSD (Plews et al. 2012), back-transformed to ms.
 * The log scale is monotonic, so a 7-day mean outside the band here is outside
 * it in ln units too.
 */
export function hrvFigure(points: MetricPoint[], band: HrvBaselineDay[] = []): Figure {
  const data: Trace[] = [];
  if (points.length) {
    const x = band.map((d) => d.date);
    if (band.some((d) => d.lower !== null && d.upper !== null)) {
      data.push(
        { type: 'scatter', mode: 'lines', name: 'Normal range upper', x, y: band.map((d) => msFromLn(d.upper)), line: { width: 0, color: 'rgba(44, 160, 44, 0)' }, showlegend: false },
        {
          type: 'scatter',
          mode: 'lines',
          name: 'Normal range',
          x,
          y: band.map((d) => msFromLn(d.lower)),
          line: { width: 0, color: 'rgba(44, 160, 44, 0)' },
          fill: 'tonexty',
          fillcolor: 'rgba(44, 160, 44, 0.2)',
        },
        { type: 'scatter', mode: 'lines', name: 'Baseline', x, y: band.map((d) => msFromLn(d.baseline)), line: { color: '#2c7a2c', width: 1.5, dash: 'dot' } },
      );
    }
    data.push({ ...pointTrace('Daily', points, '#9ecae1'), mode: 'markers' });
    if (band.some((d) => d.ln7d !== null)) {
      data.push({ type: 'scatter', mode: 'lines', name: '7-day mean', x, y: band.map((d) => msFromLn(d.ln7d)), line: { color: '#08519c', width: 2.5 } });
    }
  }
  return noDataNote({ data, layout: recoveryLayout('Heart rate variability (RMSSD)', 'HRV RMSSD (ms)') });
}

/** Sleep duration per night, in hours. */
export function sleepFigure(points: MetricPoint[]): Figure {
  const layout = recoveryLayout('Sleep duration', 'Sleep (h)');
  layout.showlegend = false;
  layout.yaxis.rangemode = 'tozero';
  const data: Trace[] = points.length
    ? [{ type: 'bar', name: 'Sleep', x: points.map((p) => p.date), y: points.map((p) => Math.round(p.value * 100) / 100), marker: { color: '#6a51a3' } }]
    : [];
  return noDataNote({ data, layout });
}

/** Body weight per day. */
export function weightFigure(points: MetricPoint[]): Figure {
  const layout = recoveryLayout('Body weight', 'Weight (kg)');
  layout.showlegend = false;
  return noDataNote({ data: points.length ? [pointTrace('Weight', points, '#8c564b')] : [], layout });
}

/**
 * The main drivers of an injury-risk prediction as horizontal bars, largest on
 * top, in percentage points of risk: red raises the risk, green lowers it.
 */
export function riskDriversFigure(drivers: RiskDriver[]): Figure {
  const shown = [...drivers].reverse();
  const layout = baseLayout('Main drivers of the injury-risk prediction', 'Contribution to risk (percentage points)', 'Feature', Math.max(240, 110 + 34 * drivers.length));
  layout.showlegend = false;
  layout.margin = { l: 230, r: 30, t: 50, b: 60 };
  layout.xaxis = { title: { text: 'Contribution to risk (percentage points)' }, type: 'linear', gridcolor: '#e5e5e5', zerolinecolor: '#555', zerolinewidth: 1.5, tickfont: { size: 11 } };
  layout.yaxis = { title: { text: 'Feature' }, type: 'category', automargin: true, tickfont: { size: 12 } };
  const data: Trace[] = drivers.length
    ? [
        {
          type: 'bar',
          orientation: 'h',
          name: 'Contribution',
          x: shown.map((d) => r3(d.contribution * 100)),
          y: shown.map((d) => d.label),
          marker: { color: shown.map((d) => (d.contribution >= 0 ? '#d62728' : '#2ca02c')) },
        },
      ]
    : [];
  if (!drivers.length) {
    layout.annotations = [
      { text: 'No drivers stored with this prediction', xref: 'paper', yref: 'paper', x: 0.5, y: 0.5, showarrow: false, font: { size: 14, color: '#777' } },
    ];
  }
  return { data, layout };
}

/** Any Plotly figure with a fixed size. */
export interface PlotlyFigure {
  data: unknown[];
  layout: { width: number; height: number; [attr: string]: unknown };
}

/** Tallest a stored figure may be so it shares a page with its heading. */
export const STORED_FIGURE_MAX_HEIGHT = 400;

/**
 * A plugin's stored figure made to fit the page: at most the page's width and
 * STORED_FIGURE_MAX_HEIGHT tall (shrunk in proportion, so a pitch keeps its
 * shape), the report's font, its title kept (else the plugin's name for it).
 */
export function fitStoredFigure(stored: StoredFigure): PlotlyFigure {
  const layout = stored.figure.layout;
  let width = typeof layout.width === 'number' && layout.width > 0 ? Math.min(layout.width, FIGURE_WIDTH) : FIGURE_WIDTH;
  let height = typeof layout.height === 'number' && layout.height > 0 ? layout.height : 400;
  if (height > STORED_FIGURE_MAX_HEIGHT) {
    width = Math.round(width * (STORED_FIGURE_MAX_HEIGHT / height));
    height = STORED_FIGURE_MAX_HEIGHT;
  }
  const title = layout.title ?? (stored.title ? { text: stored.title } : undefined);
  const font = { ...FONT, ...(typeof layout.font === 'object' && layout.font ? layout.font : {}) };
  font.size = Math.max(11, Number(font.size) || FONT.size);
  return {
    data: stored.figure.data,
    layout: { ...layout, ...(title === undefined ? {} : { title }), font, width, height, autosize: false },
  };
}

/** A figure with the id of the div it is drawn into. */
export interface PlacedFigure<F extends PlotlyFigure = Figure> {
  id: string;
  figure: F;
}

/** The report's figures, grouped by the section that shows them. */
export interface ReportFigures {
  volume: PlacedFigure[];
  load: PlacedFigure[];
  recovery: PlacedFigure[];
  /** The drivers chart, when there is a prediction. */
  risk: PlacedFigure[];
  /** The latest ball-sports session's stored figures. */
  ballSports: PlacedFigure<PlotlyFigure>[];
}

/** Build every figure of the report from its data. */
export function buildFigures(data: ReportData): ReportFigures {
  return {
    volume: [
      { id: 'fig-weekly-hours', figure: weeklyHoursFigure(data.weekly) },
      { id: 'fig-weekly-distance', figure: weeklyDistanceFigure(data.weekly) },
    ],
    load: [
      { id: 'fig-training-load', figure: trainingLoadFigure(data.load) },
      { id: 'fig-acwr', figure: acwrFigure(data.load) },
    ],
    recovery: [
      { id: 'fig-resting-hr', figure: restingHrFigure(data.biometrics.restingHr, data.biometrics.restingHrBaseline) },
      { id: 'fig-hrv', figure: hrvFigure(data.biometrics.hrv, data.biometrics.hrvBaseline) },
      { id: 'fig-sleep', figure: sleepFigure(data.biometrics.sleepHours) },
      { id: 'fig-weight', figure: weightFigure(data.biometrics.weight) },
    ],
    risk: data.risk.latest ? [{ id: 'fig-risk-drivers', figure: riskDriversFigure(data.risk.latest.drivers) }] : [],
    ballSports: (data.plugins.ballSports?.figures ?? []).map((f, i) => ({ id: `fig-ball-sports-${i + 1}`, figure: fitStoredFigure(f) })),
  };
}
