import { describe, expect, it } from 'vitest';
import type { ReportData } from '../../lib/report/data.ts';
import { riskMeaning } from '../../lib/ml/meaning.ts';
import type { ModelEvaluation } from '../../lib/report/risk.ts';
import { buildFigures } from '../../lib/report/figures.ts';
import { escapeHtml, plotlySource, renderReportHtml, SECTION_TITLES } from '../../lib/report/html.ts';

const data: ReportData = {
  athleteId: 'ann <b>&</b>',
  displayName: 'Ann <b>&</b> Smith',
  period: { start: '2024-01-01', end: '2024-01-14' },
  sources: [
    { source: 'garmin', workouts: 9, biometricRows: 14, firstDate: '2024-01-01', lastDate: '2024-01-14', matchedShare: 2 / 9 },
    { source: 'strava', workouts: 3, biometricRows: 0, firstDate: '2024-01-02', lastDate: '2024-01-12', matchedShare: 2 / 3 },
  ],
  workouts: 10,
  sourceRecords: 12,
  mergedRecords: 2,
  mergedByTier: [{ tier: 1, records: 2 }],
  weekly: [{ week: '2024-01-01', category: 'ENDURANCE', hours: 5, km: 50 }],
  weeklyDistance: [{ week: '2024-01-01', sport: 'running', km: 50 }],
  analysis: 'daily_metrics',
  load: [{ date: '2024-01-14', load: 60, ctl: 30.04, atl: 45.5, tsb: -12.26, acwr: 1.174, acwrRolling: 0.654, coverage: 26 / 28 }],
  latest: { date: '2024-01-14', ctl: 30.04, atl: 45.5, tsb: -12.26, acwr: 1.174, band: 'optimal', acwrRolling: 0.654, coverage: 26 / 28 },
  biometrics: {
    restingHr: [{ date: '2024-01-14', value: 47 }],
    restingHrBaseline: [{ date: '2024-01-14', value: 46 }],
    hrv: [{ date: '2024-01-14', value: 71 }],
    hrvBaseline: [{ date: '2024-01-14', ln7d: 4.25, baseline: 4.2, lower: 4.1, upper: 4.3, status: 'normal' }],
    sleepHours: [{ date: '2024-01-14', value: 7.5 }],
    sleepTrend: [],
    weight: [{ date: '2024-01-14', value: 70.2 }],
  },
  recoveryStatus: { hrv: { date: '2024-01-14', status: 'normal' }, restingHr: { date: '2024-01-13', status: 'elevated' } },
  risk: {
    latest: {
      date: '2024-01-14',
      horizonDays: 7,
      risk: 0.072,
      band: 'low',
      model: 'athlete',
      calibration: 'platt_forward_chaining',
      meaning: riskMeaning({ date: '2024-01-14', horizonDays: 7, risk: 0.072, model: 'athlete', calibration: 'platt_forward_chaining' }),
      drivers: [
        { name: 'acwr_rolling', label: 'ACWR, rolling 7-day over 28-day mean', unit: 'ratio', contribution: 0.021, value: 0.654 },
        { name: 'acute_load_7d', label: 'Acute load (7-day mean)', unit: 'a.u./day', contribution: -0.012, value: 55.04 },
        { name: 'sleep_missing', label: 'Sleep data missing', unit: 'yes/no', contribution: -0.004, value: 0 },
      ],
      computedAt: '2024-01-15 06:00 UTC',
    },
    evaluation: {
      status: 'trained',
      message: null,
      trainedAt: '2024-01-15 05:00 UTC',
      horizonDays: 7,
      injuryEvents: 9,
      minInjuries: 8,
      rocAuc: 0.754,
      rocAucCi: [0.62, 0.86],
      prAuc: 0.165,
      prAucCi: [0.09, 0.27],
      prevalence: 0.106,
      baselineRocAuc: 0.731,
      baselinePrAuc: 0.34,
      beatsBaseline: false,
      folds: [{ testStart: '2023-05-10', testEnd: '2023-09-19', testRows: 119, testInjuries: 1, rocAuc: 0.84, prAuc: 0.26, baselineRocAuc: 0.8, baselinePrAuc: 0.3 }],
    },
    fallback: { date: '2024-01-14', acwr: 1.174, band: 'optimal' },
    injuries: [{ date: '2023-11-02', area: 'knee <left>', severity: null }],
  },
  plugins: {
    ballSports: {
      sessions: [
        { workoutId: 'w9', date: '2024-01-13', sport: 'rugby_union', durationS: 4800, distanceM: 6123.4, hsrDistanceM: 412.6, hsrThresholdKmh: 19.8, sprints: 7, topSpeedKmh: 29.36, accelerations: 15, decelerations: 18, sampleIntervalS: 0.1 },
        { workoutId: 'w8', date: '2024-01-10', sport: 'soccer', durationS: null, distanceM: null, hsrDistanceM: null, hsrThresholdKmh: null, sprints: null, topSpeedKmh: null, accelerations: null, decelerations: null, sampleIntervalS: 3.6 },
      ],
      figures: [{ title: 'Speed profile', figure: { data: [], layout: { title: { text: 'Speed profile: 7 sprints' }, width: 690, height: 320 } } }],
      figuresDate: '2024-01-13',
    },
    running: { sessions: [{ workoutId: 'w7', date: '2024-01-12', durationS: 3000, distanceM: 10_050, cadenceSpm: 172.4, paHrDecouplingPct: -1.23, pwHrDecouplingPct: null }] },
  },
  sync: [{ source: 'strava', status: 'ok', lastSync: '2024-01-14 21:00 UTC', records: 3, message: null }],
  importErrors: {
    count: 3,
    latest: [{ input: 'a.csv', record: 'row 4', field: 'date', reason: 'bad date </script><script>alert(1)</script>', occurredAt: '2024-01-15 08:00 UTC' }],
  },
};

// A stand-in for plotly.js keeps these tests fast; the real library is checked once below.
const html = renderReportHtml(data, buildFigures(data), { title: 'Report for <ann>', plotlySource: 'window.Plotly = {};' });

/** The document with the inlined library taken out. */
function withoutLibrary(doc: string): string {
  return doc.replace(/<script id="plotly-lib">[\s\S]*?<\/script>/, '<script id="plotly-lib"></script>');
}

describe('renderReportHtml', () => {
  it('has every section, each after the first on a new page', () => {
    for (const t of Object.values(SECTION_TITLES)) expect(html).toContain(`<h2>${t}</h2>`);
    expect(html.match(/<section /g)).toHaveLength(8);
    expect(html.match(/<section id="[\w-]+" class="page">/g)).toHaveLength(7);
    expect([...html.matchAll(/<section id="([\w-]+)"/g)].map((m) => m[1])).toEqual([
      'summary', 'volume', 'load', 'recovery', 'risk', 'ball-sports', 'running', 'quality',
    ]);
    expect(html).toContain('section.page { break-before: page; }');
  });

  it('shows the summary numbers and the coverage table', () => {
    expect(html).toContain('<span class="big">10</span> from 12 source records (2 merged as duplicates)');
    expect(html).toContain('2024-01-01 to 2024-01-14 (14 days)');
    // Units on the numbers, and a real minus sign.
    expect(html).toContain('fitness (CTL) 30.0 · fatigue (ATL) 45.5 · form (TSB) −12.3 a.u./day');
    // Both ACWRs, each named, and the coverage of the last four weeks.
    expect(html).toContain('1.17 exponentially weighted (0.8–1.3: the target band); 0.65 from rolling 7- and 28-day means');
    expect(html).toContain('<th scope="row">Days with recorded data, last 28</th><td>93 %</td>');
    expect(html).toContain('Rolling (Gabbett 2016): the mean of the last 7 days over the mean of the last 28');
    expect(html).toContain('<td>HRV within its normal range (2024-01-14) · resting HR elevated (over baseline + 5 bpm) (2024-01-13)</td>');
    expect(html).toContain('<th scope="row">Injury risk</th><td>7.2 % (low) on 2024-01-14, athlete model (does not beat the ACWR alone)</td>');
    expect(html).toContain('<th scope="row">Athlete</th><td>Ann &#60;b&#62;&#38;&#60;/b&#62; Smith (ann &#60;b&#62;&#38;&#60;/b&#62;)</td>');
    expect(html).toContain('Load and baselines are those stored by <code>athlete analyze</code>.');
    expect(html).toContain('<td>garmin</td><td>9</td><td>2024-01-01</td><td>2024-01-14</td><td>14</td><td>22 %</td>');
    expect(html).toContain('<td>strava</td><td>3</td><td>2024-01-02</td><td>2024-01-12</td><td>0</td><td>67 %</td>');
    expect(html).toContain('<span class="big">3</span> import errors recorded');
  });

  it('escapes text from data and keeps figure JSON inside its script element', () => {
    expect(html).toContain('<title>Report for &#60;ann&#62;</title>');
    expect(html).toContain('Ann &#60;b&#62;&#38;&#60;/b&#62; Smith (ann');
    expect(html).toContain('bad date &#60;/script&#62;&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).not.toContain('<b>&</b>');
    expect(html.match(/<script/g)).toHaveLength(3);
    const json = /<script id="report-figures" type="application\/json">([\s\S]*?)<\/script>/.exec(html)![1]!;
    const figs = JSON.parse(json) as { id: string; figure: { layout: { width: number; height: number } } }[];
    expect(figs.map((f) => f.id)).toEqual([
      'fig-weekly-hours', 'fig-weekly-distance', 'fig-training-load', 'fig-acwr',
      'fig-resting-hr', 'fig-hrv', 'fig-sleep', 'fig-weight', 'fig-risk-drivers', 'fig-ball-sports-1',
    ]);
    for (const f of figs) expect(html).toContain(`<div class="fig" id="${f.id}" style="width:${f.figure.layout.width}px;height:${f.figure.layout.height}px"></div>`);
    expect(html).toContain('staticPlot: true');
    expect(html).toContain('window.__reportReady = true');
  });

  it('is deterministic and prints a "generated" line only when given one', () => {
    const again = renderReportHtml(data, buildFigures(data), { title: 'Report for <ann>', plotlySource: 'window.Plotly = {};' });
    expect(again).toBe(html);
    expect(html).not.toContain('Generated');
    const stamped = renderReportHtml(data, buildFigures(data), { generated: '2024-01-15', plotlySource: '' });
    expect(stamped).toContain('<p class="generated">Generated 2024-01-15</p>');
    expect(stamped).toContain('<title>Training report: Ann &#60;b&#62;&#38;&#60;/b&#62; Smith</title>');
  });

  it('warns when the latest data is more than a week older than the report', () => {
    expect(html).not.toContain('class="warning"');
    const fresh = renderReportHtml(data, buildFigures(data), { asOf: '2024-01-21', plotlySource: '' });
    expect(fresh).not.toContain('class="warning"');
    const stale = renderReportHtml(data, buildFigures(data), { asOf: '2024-02-15', plotlySource: '' });
    expect(stale).toContain('<p class="warning">The latest data is from 2024-01-14, 32 days before this report (2024-02-15): every figure below ends there.');
  });

  it('inlines the installed plotly.js and refers to nothing outside the file', () => {
    const doc = renderReportHtml(data, buildFigures(data));
    const lib = plotlySource();
    expect(lib.length).toBeGreaterThan(1_000_000);
    expect(doc).toContain(lib.slice(0, 200));
    expect(doc.length).toBeGreaterThan(lib.length);
    const rest = withoutLibrary(doc);
    expect(rest).not.toMatch(/https?:/i);
    expect(rest).not.toMatch(/\b(src|href)\s*=/i);
    expect(rest).not.toMatch(/<link\b/i);
  });
});

describe('injury-risk, plugin and data-quality sections', () => {
  const section = (id: string): string => new RegExp(`<section id="${id}"[\\s\\S]*?</section>`).exec(html)![0];

  it('shows the latest prediction, its drivers and the injuries', () => {
    const risk = section('risk');
    expect(risk).toContain('<tr><th scope="row">Predicted injury risk</th><td><span class="big">7.2 %</span> (low)</td></tr>');
    expect(risk).toContain(
      "<tr><th scope=\"row\">What it means</th><td>7.2 %: the probability that an injury starts within the 7 days after 2024-01-14, by this athlete&#39;s own model, calibrated (Platt) on the model&#39;s forward-in-time test days.</td></tr>",
    );
    expect(risk).toContain("the athlete&#39;s own model");
    // Each driver's value with its unit: a mean acute load, a ratio, a yes/no.
    expect(risk).toContain('<tr><td>ACWR, rolling 7-day over 28-day mean</td><td>0.65 ratio</td><td>+2.1</td><td>raises risk</td></tr>');
    expect(risk).toContain('<tr><td>Acute load (7-day mean)</td><td>55.04 a.u./day</td><td>−1.2</td><td>lowers risk</td></tr>');
    expect(risk).toContain('<tr><td>Sleep data missing</td><td>no</td><td>−0.4</td><td>lowers risk</td></tr>');
    // The forward-in-time evaluation beside the ACWR alone, with intervals and the plain caveat.
    expect(risk).toContain("<tr><td>The athlete&#39;s model</td><td>0.75</td><td>0.62–0.86</td><td>0.17</td><td>0.09–0.27</td></tr>");
    expect(risk).toContain('<tr><td>ACWR (EWMA) alone</td><td>0.73</td><td>–</td><td>0.34</td><td>–</td></tr>');
    expect(risk).toContain('<tr><td>Chance</td><td>0.50</td><td>–</td><td>0.11</td><td>–</td></tr>');
    expect(risk).toContain('Caveat: on this athlete&#39;s history the model does not beat the ACWR alone');
    expect(risk).toContain('<tr><td>2023-05-10 to 2023-09-19</td><td>119</td><td>1</td><td>0.84</td><td>0.26</td><td>0.80</td><td>0.30</td></tr>');
    expect(risk).toContain('<div class="fig" id="fig-risk-drivers"');
    expect(risk).toContain('Bands: low under 10 %, moderate 10–25 %, high 25 % and over');
    expect(risk).toContain('<tr><td>2023-11-02</td><td>knee &#60;left&#62;</td><td>–</td></tr>');
  });

  it('says how to get a prediction when there is none, and gives the ACWR band instead', () => {
    const bare = { ...data, risk: { latest: null, evaluation: null, fallback: data.risk.fallback, injuries: [] } };
    const none = renderReportHtml(bare, buildFigures(bare), { plotlySource: '' });
    const risk = /<section id="risk"[\s\S]*?<\/section>/.exec(none)![0];
    expect(risk).toContain('No injury-risk prediction yet: run <code>athlete train</code> and <code>athlete predict</code>.');
    expect(risk).toContain('Instead, the ACWR (EWMA 7:28 days) on 2024-01-14: <span class="big">1.17</span>, 0.8–1.3: the target band.');
    expect(risk).toContain('No injuries recorded in the last 12 months.');
    expect(risk).not.toContain('class="fig"');
    expect(none).toContain('<th scope="row">Injury risk</th><td>no prediction yet; ACWR 1.17, 0.8–1.3: the target band</td>');
  });

  it('says why there is no personal model when there are too few injuries', () => {
    const evaluation: ModelEvaluation = {
      ...data.risk.evaluation!,
      status: 'too_few_injuries',
      message: 'ann: 4 injuries usable for training (4 recorded); a personal model needs 8.',
      injuryEvents: 4,
      rocAuc: null,
      folds: [],
    };
    const few = { ...data, risk: { ...data.risk, latest: null, evaluation } };
    const doc = renderReportHtml(few, buildFigures(few), { plotlySource: '' });
    const risk = /<section id="risk"[\s\S]*?<\/section>/.exec(doc)![0];
    expect(risk).toContain('No personal model. ann: 4 injuries usable for training (4 recorded); a personal model needs 8.');
    expect(risk).toContain('Instead, the ACWR (EWMA 7:28 days) on 2024-01-14');
    expect(doc).toContain('<th scope="row">Injury risk</th><td>no personal model: 4 injuries, 8 needed; ACWR 1.17, 0.8–1.3: the target band</td>');
  });

  it('tables the recent ball-sports sessions and runs, and places the stored figures', () => {
    const ball = section('ball-sports');
    expect(ball).toContain('<tr><td>2024-01-13</td><td>rugby union</td><td>80</td><td>6123</td><td>413</td><td>7</td><td>29.4</td><td>15 / 18</td></tr>');
    expect(ball).toContain('<tr><td>2024-01-10</td><td>soccer</td><td>–</td><td>–</td><td>–</td><td>–</td><td>–</td><td>–</td></tr>');
    expect(ball).toContain('High-speed running is distance above 19.8 km/h.');
    expect(ball).toContain('read “–” where the GPS recorded a position only every 3.6 s: counting them needs at least one position a second.');
    expect(ball).toContain('Latest session with figures: 2024-01-13');
    expect(ball).toContain('<div class="fig" id="fig-ball-sports-1" style="width:690px;height:320px"></div>');
    expect(section('running')).toContain('<tr><td>2024-01-12</td><td>10.05</td><td>50</td><td>172</td><td>−1.2</td><td>–</td></tr>');
  });

  it('leaves plugin pages out without results', () => {
    const bare = { ...data, plugins: { ballSports: null, running: null } };
    const doc = renderReportHtml(bare, buildFigures(bare), { plotlySource: '' });
    expect(doc).not.toContain('<h2>Ball sports</h2>');
    expect(doc).not.toContain('<h2>Running</h2>');
    expect(doc.match(/<section /g)).toHaveLength(6);
  });

  it('shows match tiers and the sync status on the data-quality page', () => {
    const quality = section('quality');
    expect(quality).toContain('<tr><td>1: same external id</td><td>2</td></tr>');
    expect(quality).toContain('<tr><td>strava</td><td>ok</td><td>2024-01-14 21:00 UTC</td><td>3</td><td></td></tr>');
    const unsynced = renderReportHtml({ ...data, sync: [] }, buildFigures(data), { plotlySource: '' });
    expect(unsynced).toContain('No source has been synced through an API (file imports only).');
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
  });
});
