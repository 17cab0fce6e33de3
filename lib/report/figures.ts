/**
 * Plotly figure objects for the report, built from plain data with no DOM, so
 * the HTML report and notebooks show the same figures and tests can inspect them.
 */
import type { SportCategory } from '../core/models.ts';
import { addDays, dayNumber } from '../analysis/daily.ts';
import { SHORT_NIGHT_S } from '../analysis/recovery.ts';
import type { HrvBaselineDay, LoadDay, MetricPoint, ReportData, WeeklyDistance, WeeklyVolume } from './data.ts';
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
  title: { text: string; standoff?: number };
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
    legend: { orientation: 'h', x: 0, y: -0.22, yanchor: 'top', font: { size: 11 } },
    // Upright tick labels and automargin: rotated dates ran over the axis titles.
    xaxis: { title: { text: xTitle, standoff: 8 }, type: 'date', tickformat: '%d %b %Y', tickangle: 0, automargin: true, gridcolor: '#e5e5e5', tickfont: { size: 11 } },
    yaxis: { title: { text: yTitle, standoff: 8 }, automargin: true, gridcolor: '#e5e5e5', zerolinecolor: '#999', tickfont: { size: 11 }, rangemode: 'tozero' },
  };
}

/**
 * Date ticks that fit upright: day and month over a few weeks, month and year
 * (two lines) over a longer span, at most about eight of them.
 */
function dateTicks(layout: Layout, first: string, last: string): void {
  const days = dayNumber(last) - dayNumber(first) + 1;
  if (days > 120) {
    const months = Math.max(1, Math.ceil(days / 30.4 / 8));
    layout.xaxis.tickformat = '%b<br>%Y';
    layout.xaxis.dtick = `M${months}`;
    layout.xaxis.tick0 = `${first.slice(0, 7)}-01`;
  } else {
    layout.xaxis.tickformat = '%d %b<br>%Y';
    layout.xaxis.nticks = 8;
  }
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

/** Ticks on Mondays (a few weeks) or months (longer), upright, with the range around the bars. */
function weekTicks(layout: Layout, weeks: string[]): void {
  if (weeks.length === 0) return;
  layout.xaxis.range = [addDays(weeks[0]!, -4), addDays(weeks[weeks.length - 1]!, 4)];
  if (weeks.length > 17) {
    dateTicks(layout, weeks[0]!, weeks[weeks.length - 1]!);
    return;
  }
  const step = Math.max(1, Math.ceil(weeks.length / 8));
  layout.xaxis.tick0 = weeks[0];
  layout.xaxis.dtick = step * 7 * 86_400_000;
  layout.xaxis.tickformat = '%d %b<br>%Y';
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

const SPORT_COLORS = ['#ff7f0e', '#1f77b4', '#17becf', '#bcbd22', '#8c564b'];

/** A sport's name for a legend: `road_running` → "Road running". */
function sportLabel(sport: string): string {
  const t = sport.replace(/_/g, ' ');
  return t.charAt(0).toUpperCase() + t.slice(1);
}

/**
 * Weekly distance stacked by sport: a kilometre run and a kilometre ridden are
 * different efforts, so each sport is its own bar segment, not one total.
 */
export function weeklyDistanceFigure(weekly: WeeklyDistance[]): Figure {
  const weeks = allWeeks(weekly.map((w) => ({ week: w.week, category: 'MIXED' as const, hours: 0, km: w.km })));
  const totals = new Map<string, number>();
  for (const w of weekly) totals.set(w.sport, (totals.get(w.sport) ?? 0) + w.km);
  // Most distance first, 'other' last.
  const sports = [...totals.keys()].sort((a, b) => (a === 'other' ? 1 : b === 'other' ? -1 : totals.get(b)! - totals.get(a)! || a.localeCompare(b)));
  const data: Trace[] = sports.map((sport, k) => {
    const byWeek = new Map(weekly.filter((w) => w.sport === sport).map((w) => [w.week, w.km]));
    return {
      type: 'bar',
      name: sport === 'other' ? 'Other sports' : sportLabel(sport),
      x: weeks,
      y: weeks.map((w) => r3(byWeek.get(w) ?? 0)),
      marker: { color: sport === 'other' ? '#7f7f7f' : SPORT_COLORS[k % SPORT_COLORS.length] },
    };
  });
  const layout = baseLayout('Weekly distance by sport', 'Week starting (Monday, local time)', 'Distance (km)', 340);
  layout.barmode = 'stack';
  layout.legend = { ...(layout.legend as object), traceorder: 'normal' };
  weekTicks(layout, weeks);
  return noDataNote({ data, layout });
}

/** The same daily x range on both load charts, so they line up on the page, with ticks that fit upright. */
function dayRange(layout: Layout, load: LoadDay[]): void {
  const first = load[0];
  const last = load[load.length - 1];
  if (!first || !last) return;
  layout.xaxis.range = [`${addDays(first.date, -1)} 12:00`, `${last.date} 12:00`];
  dateTicks(layout, first.date, last.date);
}

const nullable = (v: number | null): number | null => (v === null ? null : r3(v));

/**
 * Daily load as bars (none on a day nothing was recorded) with CTL (fitness),
 * ATL (fatigue) and TSB (form) lines, drawn from the end of the first 42
 * days, where they start at the window's means rather than at 0.
 */
export function trainingLoadFigure(load: LoadDay[]): Figure {
  const x = load.map((d) => d.date);
  const data: Trace[] = load.length
    ? [
        { type: 'bar', name: 'Daily load', x, y: load.map((d) => nullable(d.load)), marker: { color: '#c7c7c7' } },
        { type: 'scatter', mode: 'lines', name: 'CTL (fitness, 42 d)', x, y: load.map((d) => nullable(d.ctl)), line: { color: '#1f77b4', width: 2.5 } },
        { type: 'scatter', mode: 'lines', name: 'ATL (fatigue, 7 d)', x, y: load.map((d) => nullable(d.atl)), line: { color: '#e377c2', width: 2 } },
        { type: 'scatter', mode: 'lines', name: 'TSB (form)', x, y: load.map((d) => nullable(d.tsb)), line: { color: '#2ca02c', width: 2, dash: 'dash' } },
      ]
    : [];
  const layout = baseLayout('Daily training load, fitness, fatigue and form', 'Date (local)', 'Load (TSS-equivalent, a.u./day)', 430);
  layout.yaxis.rangemode = 'normal';
  layout.bargap = 0.15;
  dayRange(layout, load);
  if (load.length && load.every((d) => d.ctl === null)) {
    layout.annotations = [
      {
        text: 'Fitness, fatigue and form start after 42 days of recorded load',
        xref: 'paper',
        yref: 'paper',
        x: 0.5,
        y: 1,
        yanchor: 'bottom',
        showarrow: false,
        font: { size: 11, color: '#777' },
      },
    ];
  }
  return noDataNote({ data, layout });
}

/** The ACWR band the report shades: 0.8–1.3 (Gabbett 2016). */
export const ACWR_BAND = { low: 0.8, high: 1.3 } as const;

/**
 * Both ACWRs over time with the 0.8–1.3 band shaded: exponentially weighted
 * (the one the summary quotes) and from rolling means (a feature of the
 * model); days before they are defined, or with too little recorded, are gaps.
 */
export function acwrFigure(load: LoadDay[]): Figure {
  const x = load.map((d) => d.date);
  const y = load.map((d) => (d.acwr === null ? null : r3(d.acwr)));
  const rolling = load.map((d) => (d.acwrRolling === null ? null : r3(d.acwrRolling)));
  const defined = [...y, ...rolling].filter((v): v is number => v !== null);
  const data: Trace[] = defined.length
    ? [
        { type: 'scatter', mode: 'lines', name: 'ACWR, exponentially weighted 7:28 d', x, y, line: { color: '#17becf', width: 2.5 } },
        { type: 'scatter', mode: 'lines', name: 'ACWR, rolling 7-day ÷ 28-day mean', x, y: rolling, line: { color: '#7f7f7f', width: 1.2, dash: 'dot' } },
      ]
    : [];
  const layout = baseLayout('Acute:chronic workload ratio (last week’s load ÷ last four weeks’)', 'Date (local)', 'ACWR (ratio)', 350);
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
  // Above the plot area, so it never covers the lines.
  layout.annotations = [
    {
      text: `shaded: target band ${ACWR_BAND.low}–${ACWR_BAND.high} (Gabbett 2016)`,
      xref: 'paper',
      yref: 'paper',
      x: 1,
      y: 1,
      xanchor: 'right',
      yanchor: 'bottom',
      showarrow: false,
      font: { size: 11, color: '#2c7a2c' },
    },
  ];
  return noDataNote({ data, layout });
}

const RECOVERY_HEIGHT = 210;

function recoveryLayout(title: string, yTitle: string, points: readonly { date: string }[] = []): Layout {
  const layout = baseLayout(title, 'Date (local)', yTitle, RECOVERY_HEIGHT);
  layout.margin = { l: 70, r: 20, t: 40, b: 45 };
  layout.xaxis.title = { text: '' };
  layout.yaxis.rangemode = 'normal';
  layout.legend = { orientation: 'h', x: 1, xanchor: 'right', y: 1.2, font: { size: 11 } };
  if (points.length) dateTicks(layout, points[0]!.date, points[points.length - 1]!.date);
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
  const layout = recoveryLayout('Resting heart rate', 'Resting HR (bpm)', points);
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
  return noDataNote({ data, layout: recoveryLayout('Heart rate variability (RMSSD)', 'HRV RMSSD (ms)', points) });
}

/**
 * Sleep per night as faint points, its 7-night mean as the trend line, and
 * the 7-hour adult minimum (Watson et al. 2015) as a reference: a line, not
 * hundreds of bars.
 */
export function sleepFigure(points: MetricPoint[], trend: MetricPoint[] = []): Figure {
  const layout = recoveryLayout('Sleep duration', 'Sleep (h)', points);
  layout.yaxis.rangemode = 'tozero';
  const data: Trace[] = [];
  if (points.length) {
    data.push({ ...pointTrace('Night', points, '#bcbddc', 2), mode: 'markers', marker: { size: 3, color: '#bcbddc' } });
    if (trend.length) data.push({ type: 'scatter', mode: 'lines', name: '7-night mean', x: trend.map((p) => p.date), y: trend.map((p) => Math.round(p.value * 100) / 100), line: { color: '#54278f', width: 2.5 } });
    layout.shapes = [{ type: 'line', xref: 'paper', x0: 0, x1: 1, y0: SHORT_NIGHT_S / 3600, y1: SHORT_NIGHT_S / 3600, line: { color: '#999', width: 1, dash: 'dash' } }];
    layout.annotations = [
      { text: '7 h', xref: 'paper', yref: 'y', x: 0, y: SHORT_NIGHT_S / 3600, xanchor: 'left', yanchor: 'bottom', showarrow: false, font: { size: 11, color: '#777' } },
    ];
  }
  layout.showlegend = data.length > 1;
  return noDataNote({ data, layout });
}

/** Body weight per day. */
export function weightFigure(points: MetricPoint[]): Figure {
  const layout = recoveryLayout('Body weight', 'Weight (kg)', points);
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
  // The labels name the features; an axis title beside them only collided with the longest.
  layout.yaxis = { title: { text: '' }, type: 'category', automargin: true, tickfont: { size: 12 } };
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
      { id: 'fig-weekly-distance', figure: weeklyDistanceFigure(data.weeklyDistance) },
    ],
    load: [
      { id: 'fig-training-load', figure: trainingLoadFigure(data.load) },
      { id: 'fig-acwr', figure: acwrFigure(data.load) },
    ],
    recovery: [
      { id: 'fig-resting-hr', figure: restingHrFigure(data.biometrics.restingHr, data.biometrics.restingHrBaseline) },
      { id: 'fig-hrv', figure: hrvFigure(data.biometrics.hrv, data.biometrics.hrvBaseline) },
      { id: 'fig-sleep', figure: sleepFigure(data.biometrics.sleepHours, data.biometrics.sleepTrend) },
      { id: 'fig-weight', figure: weightFigure(data.biometrics.weight) },
    ],
    risk: data.risk.latest ? [{ id: 'fig-risk-drivers', figure: riskDriversFigure(data.risk.latest.drivers) }] : [],
    ballSports: (data.plugins.ballSports?.figures ?? []).map((f, i) => ({ id: `fig-ball-sports-${i + 1}`, figure: fitStoredFigure(f) })),
  };
}
