import { describe, expect, it } from 'vitest';
import type { HrvBaselineDay, LoadDay, ReportData, WeeklyDistance, WeeklyVolume } from '../../lib/report/data.ts';
import type { RiskDriver } from '../../lib/report/risk.ts';
import {
  ACWR_BAND,
  acwrFigure,
  buildFigures,
  FIGURE_WIDTH,
  fitStoredFigure,
  hrvFigure,
  restingHrFigure,
  riskDriversFigure,
  sleepFigure,
  STORED_FIGURE_MAX_HEIGHT,
  trainingLoadFigure,
  weeklyDistanceFigure,
  weeklyHoursFigure,
  weightFigure,
  type Figure,
} from '../../lib/report/figures.ts';

const weekly: WeeklyVolume[] = [
  { week: '2024-01-01', category: 'ENDURANCE', hours: 4.25, km: 40 },
  { week: '2024-01-01', category: 'STRENGTH', hours: 1, km: 0 },
  // 2024-01-08 has no training at all.
  { week: '2024-01-15', category: 'ENDURANCE', hours: 6, km: 62.5 },
  { week: '2024-01-15', category: 'BALL_SPORT', hours: 1.5, km: 8 },
];

const distance: WeeklyDistance[] = [
  { week: '2024-01-01', sport: 'running', km: 40 },
  { week: '2024-01-15', sport: 'running', km: 20.5 },
  { week: '2024-01-15', sport: 'cycling', km: 42 },
  { week: '2024-01-15', sport: 'other', km: 8 },
];

const load: LoadDay[] = [
  { date: '2024-01-01', load: 80, ctl: 1.9047619, atl: 11.4285714, tsb: null, acwr: 3.625, acwrRolling: 2.5, coverage: 1 },
  { date: '2024-01-02', load: null, ctl: 1.8594104, atl: 9.7959184, tsb: -9.5238095, acwr: 3.1, acwrRolling: null, coverage: 0.96 },
  { date: '2024-01-03', load: 0, ctl: 1.8151387, atl: 8.3965015, tsb: -7.936508, acwr: null, acwrRolling: null, coverage: 0.96 },
];

/** Every `size` inside any `font`/`tickfont`/`titlefont` object of the layout. */
function fontSizes(value: unknown, inFont = false, out: number[] = []): number[] {
  if (Array.isArray(value)) for (const v of value) fontSizes(v, inFont, out);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'size' && inFont && typeof v === 'number') out.push(v);
      else fontSizes(v, /font$/i.test(k), out);
    }
  }
  return out;
}

function checkFrame(fig: Figure, yTitle: string): void {
  expect(fig.layout.width).toBe(FIGURE_WIDTH);
  expect(fig.layout.width).toBeLessThanOrEqual(700);
  expect(fig.layout.height).toBeGreaterThan(150);
  expect(fig.layout.yaxis.title.text).toBe(yTitle);
  expect(fig.layout.title.text.length).toBeGreaterThan(0);
  const sizes = fontSizes(fig.layout);
  expect(sizes.length).toBeGreaterThan(0);
  expect(Math.min(...sizes)).toBeGreaterThanOrEqual(11);
}

describe('weekly volume figures', () => {
  it('stacks hours per category over every week, empty weeks as zero', () => {
    const fig = weeklyHoursFigure(weekly);
    checkFrame(fig, 'Duration (h)');
    expect(fig.layout.barmode).toBe('stack');
    expect(fig.layout.xaxis.title.text).toContain('Week');
    expect(fig.data.map((t) => t.name)).toEqual(['Endurance', 'Strength', 'Ball sports']);
    for (const t of fig.data) {
      expect(t.type).toBe('bar');
      expect(t.x).toEqual(['2024-01-01', '2024-01-08', '2024-01-15']);
    }
    expect(fig.data[0]!.y).toEqual([4.25, 0, 6]);
    expect(fig.data[1]!.y).toEqual([1, 0, 0]);
    expect(fig.data[2]!.y).toEqual([0, 0, 1.5]);
    expect(fig.layout.xaxis.dtick).toBe(7 * 86_400_000);
    expect(fig.layout.xaxis.tickformat).toBe('%d %b<br>%Y');
  });

  it('stacks distance per week by sport, never adding a run\'s km to a ride\'s in one bar', () => {
    const fig = weeklyDistanceFigure(distance);
    checkFrame(fig, 'Distance (km)');
    expect(fig.layout.barmode).toBe('stack');
    // Most distance first, other sports last.
    expect(fig.data.map((t) => t.name)).toEqual(['Running', 'Cycling', 'Other sports']);
    expect(fig.data[0]!.y).toEqual([40, 0, 20.5]);
    expect(fig.data[1]!.y).toEqual([0, 0, 42]);
    expect(fig.data[2]!.y).toEqual([0, 0, 8]);
  });

  it('keeps tick labels upright with room for the axis titles', () => {
    const long = Array.from({ length: 60 }, (_, i) => ({ week: new Date(Date.UTC(2024, 0, 1 + 7 * i)).toISOString().slice(0, 10), category: 'ENDURANCE' as const, hours: 3, km: 30 }));
    for (const fig of [weeklyHoursFigure(long), weeklyHoursFigure(weekly), trainingLoadFigure(load)]) {
      expect(fig.layout.xaxis.tickangle).toBe(0);
      expect(fig.layout.xaxis.automargin).toBe(true);
      expect(fig.layout.yaxis.automargin).toBe(true);
    }
    // Over a long span: month ticks on two lines, about eight of them.
    expect(weeklyHoursFigure(long).layout.xaxis).toMatchObject({ tickformat: '%b<br>%Y', dtick: 'M2' });
  });

  it('says "no data" instead of drawing an empty box', () => {
    const fig = weeklyHoursFigure([]);
    expect(fig.data).toEqual([]);
    expect(fig.layout.annotations).toEqual([expect.objectContaining({ text: 'No data for this period' })]);
  });
});

describe('training load figures', () => {
  it('draws daily load bars and CTL/ATL/TSB lines', () => {
    const fig = trainingLoadFigure(load);
    checkFrame(fig, 'Load (TSS-equivalent, a.u./day)');
    expect(fig.layout.xaxis.title.text).toBe('Date (local)');
    expect(fig.data.map((t) => [t.type, t.name])).toEqual([
      ['bar', 'Daily load'],
      ['scatter', 'CTL (fitness, 42 d)'],
      ['scatter', 'ATL (fatigue, 7 d)'],
      ['scatter', 'TSB (form)'],
    ]);
    // An unknown day has no bar, and TSB is a gap until defined.
    expect(fig.data[0]!.y).toEqual([80, null, 0]);
    expect(fig.layout.annotations).toBeUndefined();
    const early = trainingLoadFigure(load.map((d) => ({ ...d, ctl: null, atl: null, tsb: null })));
    expect(early.layout.annotations).toEqual([expect.objectContaining({ text: 'Fitness, fatigue and form start after 42 days of recorded load' })]);
    expect(fig.data[1]!.y).toEqual([1.905, 1.859, 1.815]);
    expect(fig.data[3]!.y).toEqual([null, -9.524, -7.937]);
  });

  it('draws both ACWRs where defined with the 0.8–1.3 band shaded and its label above the plot', () => {
    const fig = acwrFigure(load);
    checkFrame(fig, 'ACWR (ratio)');
    expect(fig.data.map((t) => t.name)).toEqual(['ACWR, exponentially weighted 7:28 d', 'ACWR, rolling 7-day ÷ 28-day mean']);
    expect(fig.data[0]!.x).toEqual(['2024-01-01', '2024-01-02', '2024-01-03']);
    expect(fig.data[0]!.y).toEqual([3.625, 3.1, null]);
    expect(fig.data[1]!.y).toEqual([2.5, null, null]);
    // The band's label sits in the top margin (paper y ≥ 1), where no line can be.
    expect(fig.layout.annotations).toEqual([expect.objectContaining({ yref: 'paper', y: 1, yanchor: 'bottom', text: expect.stringContaining('0.8–1.3') })]);
    // Same x range as the load chart above it.
    expect(fig.layout.xaxis.range).toEqual(['2023-12-31 12:00', '2024-01-03 12:00']);
    expect(trainingLoadFigure(load).layout.xaxis.range).toEqual(fig.layout.xaxis.range);
    const shapes = fig.layout.shapes as Record<string, unknown>[];
    expect(shapes).toHaveLength(1);
    expect(shapes[0]).toMatchObject({ type: 'rect', xref: 'paper', y0: ACWR_BAND.low, y1: ACWR_BAND.high });
    expect(ACWR_BAND).toEqual({ low: 0.8, high: 1.3 });
    // The axis reaches above the highest value so the line is not clipped.
    expect((fig.layout.yaxis.range as number[])[1]).toBeCloseTo(3.625 * 1.1, 3);
  });

  it('notes when ACWR is not yet defined', () => {
    const fig = acwrFigure(load.map((d) => ({ ...d, acwr: null, acwrRolling: null })));
    expect(fig.data).toEqual([]);
    expect(fig.layout.annotations).toEqual([expect.objectContaining({ text: 'No data for this period' })]);
  });
});

describe('recovery figures', () => {
  const hrv = [
    { date: '2024-01-01', value: 60 },
    { date: '2024-01-02', value: 62 },
    { date: '2024-01-10', value: 70 },
  ];

  const band: HrvBaselineDay[] = [
    { date: '2024-01-01', ln7d: null, baseline: null, lower: null, upper: null, status: null },
    { date: '2024-01-02', ln7d: Math.log(61), baseline: Math.log(60), lower: Math.log(55), upper: Math.log(66), status: 'normal' },
    { date: '2024-01-10', ln7d: Math.log(70), baseline: Math.log(61), lower: Math.log(56), upper: Math.log(67), status: 'above' },
  ];

  it('shows HRV with its 7-day mean and the baseline band back in ms', () => {
    const fig = hrvFigure(hrv, band);
    checkFrame(fig, 'HRV RMSSD (ms)');
    expect(fig.data.map((t) => t.name)).toEqual(['Normal range upper', 'Normal range', 'Baseline', 'Daily', '7-day mean']);
    expect(fig.data[0]).toMatchObject({ y: [null, 66, 67], showlegend: false });
    expect(fig.data[1]).toMatchObject({ y: [null, 55, 56], fill: 'tonexty' });
    expect(fig.data[2]!.y).toEqual([null, 60, 61]);
    expect(fig.data[3]).toMatchObject({ mode: 'markers', x: ['2024-01-01', '2024-01-02', '2024-01-10'], y: [60, 62, 70] });
    expect(fig.data[4]!.y).toEqual([null, 61, 70]);
  });

  it('leaves the band out until there is a baseline', () => {
    const fig = hrvFigure(hrv, band.map((d) => ({ ...d, lower: null, upper: null, baseline: null })));
    expect(fig.data.map((t) => t.name)).toEqual(['Daily', '7-day mean']);
    expect(hrvFigure([], band).data).toEqual([]);
  });

  it('labels resting HR, sleep and weight with their units', () => {
    const rhr = restingHrFigure([{ date: '2024-01-01', value: 48 }]);
    checkFrame(rhr, 'Resting HR (bpm)');
    expect(rhr.data[0]!.y).toEqual([48]);
    expect(rhr.layout.showlegend).toBe(false);
    const withBaseline = restingHrFigure([{ date: '2024-01-01', value: 48 }], [{ date: '2024-01-01', value: 46.25 }]);
    expect(withBaseline.data.map((t) => [t.name, t.y])).toEqual([['Resting HR', [48]], ['60-day baseline', [46.3]]]);
    expect(withBaseline.data[1]!.line).toMatchObject({ dash: 'dash' });
    expect(withBaseline.layout.showlegend).toBe(true);
    const sleep = sleepFigure([{ date: '2024-01-01', value: 7.4833333 }]);
    checkFrame(sleep, 'Sleep (h)');
    expect(sleep.data[0]).toMatchObject({ type: 'scatter', mode: 'markers', y: [7.48] });
    const weight = weightFigure([{ date: '2024-01-01', value: 71.25 }]);
    checkFrame(weight, 'Weight (kg)');
    expect(weight.data[0]!.y).toEqual([71.3]);
  });
});

describe('sleep trend', () => {
  it('draws nights as points and their 7-night mean as a line, with the 7-hour line', () => {
    const nights = Array.from({ length: 10 }, (_, i) => ({ date: `2024-01-${String(i + 1).padStart(2, '0')}`, value: i % 2 ? 8 : 6 }));
    const trend = [{ date: '2024-01-07', value: 6.857142 }];
    const fig = sleepFigure(nights, trend);
    expect(fig.data.map((t) => [t.name, t.mode])).toEqual([['Night', 'markers'], ['7-night mean', 'lines']]);
    expect(fig.data[1]!.y).toEqual([6.86]);
    expect(fig.layout.shapes).toEqual([expect.objectContaining({ y0: 7, y1: 7 })]);
    expect(fig.layout.showlegend).toBe(true);
  });
});

describe('riskDriversFigure', () => {
  const drivers: RiskDriver[] = [
    { name: 'acwr_ewma', label: 'ACWR (EWMA)', unit: 'ratio', contribution: 0.0625, value: 1.5 },
    { name: 'hrv_trend', label: 'HRV trend vs baseline', unit: 'ln ms', contribution: -0.0125, value: 0.1 },
  ];

  it('draws contributions in percentage points as horizontal bars, largest on top', () => {
    const fig = riskDriversFigure(drivers);
    checkFrame(fig, '');
    expect(fig.layout.xaxis.title.text).toBe('Contribution to risk (percentage points)');
    expect(fig.layout.xaxis.type).toBe('linear');
    expect(fig.data).toHaveLength(1);
    // Plotly draws the first category at the bottom, so the list is reversed.
    expect(fig.data[0]).toMatchObject({ type: 'bar', orientation: 'h', x: [-1.25, 6.25], y: ['HRV trend vs baseline', 'ACWR (EWMA)'] });
    expect(fig.data[0]!.marker).toEqual({ color: ['#2ca02c', '#d62728'] });
  });

  it('says when a prediction stored no drivers', () => {
    const fig = riskDriversFigure([]);
    expect(fig.data).toEqual([]);
    expect(fig.layout.annotations).toEqual([expect.objectContaining({ text: 'No drivers stored with this prediction' })]);
  });
});

describe('fitStoredFigure', () => {
  it('keeps a figure that fits and gives it the report font', () => {
    const fig = fitStoredFigure({ title: 'Speed profile', figure: { data: [{ type: 'scatter' }], layout: { title: { text: 'Speed' }, width: 690, height: 320, font: { size: 10 } } } });
    expect(fig.layout).toMatchObject({ title: { text: 'Speed' }, width: 690, height: 320, autosize: false });
    expect((fig.layout.font as { size: number }).size).toBe(11);
    expect(fig.data).toEqual([{ type: 'scatter' }]);
  });

  it('shrinks a tall figure in proportion and falls back to the plugin title', () => {
    const fig = fitStoredFigure({ title: 'Field coverage', figure: { data: [], layout: { width: 800, height: 800 } } });
    expect(fig.layout.height).toBe(STORED_FIGURE_MAX_HEIGHT);
    expect(fig.layout.width).toBe(Math.round(690 * (STORED_FIGURE_MAX_HEIGHT / 800)));
    expect(fig.layout.title).toEqual({ text: 'Field coverage' });
  });
});

describe('buildFigures', () => {
  it('places every figure once and each section fits an A4 page', () => {
    const data = {
      weekly,
      weeklyDistance: distance,
      load,
      biometrics: { restingHr: [], restingHrBaseline: [], hrv: [], hrvBaseline: [], sleepHours: [], sleepTrend: [], weight: [] },
      risk: { latest: null, injuries: [] },
      plugins: { ballSports: null, running: null },
    } as unknown as ReportData;
    const figs = buildFigures(data);
    expect(figs.risk).toEqual([]);
    expect(figs.ballSports).toEqual([]);
    const ids = [...figs.volume, ...figs.load, ...figs.recovery].map((f) => f.id);
    expect(new Set(ids).size).toBe(8);
    // A4 minus 12 mm top and 16 mm bottom margins is about 1017 px at 96 px/inch; leave room for the heading.
    for (const section of [figs.volume, figs.load, figs.recovery]) {
      const height = section.reduce((s, f) => s + f.figure.layout.height + 8, 0);
      expect(height).toBeLessThan(1017 - 60);
    }
    expect(figs.recovery.every((f) => f.figure.layout.annotations !== undefined)).toBe(true);
  });

  it('adds the drivers chart with a prediction and the stored plugin figures', () => {
    const data = {
      weekly: [],
      weeklyDistance: [],
      load: [],
      biometrics: { restingHr: [], restingHrBaseline: [], hrv: [], hrvBaseline: [], sleepHours: [], sleepTrend: [], weight: [] },
      risk: { latest: { date: '2024-01-03', horizonDays: 7, risk: 0.3, band: 'high', model: 'athlete', drivers: [], computedAt: null }, injuries: [] },
      plugins: {
        ballSports: { sessions: [], figuresDate: '2024-01-02', figures: [{ title: 'a', figure: { data: [], layout: { height: 300 } } }, { title: 'b', figure: { data: [], layout: {} } }] },
        running: null,
      },
    } as unknown as ReportData;
    const figs = buildFigures(data);
    expect(figs.risk.map((f) => f.id)).toEqual(['fig-risk-drivers']);
    expect(figs.ballSports.map((f) => [f.id, f.figure.layout.width, f.figure.layout.height])).toEqual([
      ['fig-ball-sports-1', FIGURE_WIDTH, 300],
      ['fig-ball-sports-2', FIGURE_WIDTH, 400],
    ]);
  });
});
