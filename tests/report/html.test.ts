import { describe, expect, it } from 'vitest';
import type { ReportData } from '../../lib/report/data.ts';
import { buildFigures } from '../../lib/report/figures.ts';
import { escapeHtml, plotlySource, renderReportHtml, SECTION_TITLES } from '../../lib/report/html.ts';

const data: ReportData = {
  athleteId: 'ann <b>&</b>',
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
  load: [{ date: '2024-01-14', load: 60, ctl: 30.04, atl: 45.5, tsb: -12.26, acwr: 1.174 }],
  latest: { date: '2024-01-14', ctl: 30.04, atl: 45.5, tsb: -12.26, acwr: 1.174, band: 'optimal' },
  biometrics: {
    restingHr: [{ date: '2024-01-14', value: 47 }],
    hrv: [{ date: '2024-01-14', value: 71 }],
    sleepHours: [{ date: '2024-01-14', value: 7.5 }],
    weight: [{ date: '2024-01-14', value: 70.2 }],
  },
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
    expect(html.match(/<section /g)).toHaveLength(5);
    expect(html.match(/<section id="\w+" class="page">/g)).toHaveLength(4);
    expect(html).toContain('section.page { break-before: page; }');
  });

  it('shows the summary numbers and the coverage table', () => {
    expect(html).toContain('<span class="big">10</span> from 12 source records (2 merged as duplicates)');
    expect(html).toContain('2024-01-01 to 2024-01-14 (14 days)');
    expect(html).toContain('CTL 30.0 · ATL 45.5 · TSB -12.3');
    expect(html).toContain('1.17 (0.8–1.3: target band)');
    expect(html).toContain('<td>garmin</td><td>9</td><td>2024-01-01</td><td>2024-01-14</td><td>14</td><td>22 %</td>');
    expect(html).toContain('<td>strava</td><td>3</td><td>2024-01-02</td><td>2024-01-12</td><td>0</td><td>67 %</td>');
    expect(html).toContain('<span class="big">3</span> import errors recorded');
  });

  it('escapes text from data and keeps figure JSON inside its script element', () => {
    expect(html).toContain('<title>Report for &#60;ann&#62;</title>');
    expect(html).toContain('<td>ann &#60;b&#62;&#38;&#60;/b&#62;</td>');
    expect(html).toContain('bad date &#60;/script&#62;&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).not.toContain('<b>&</b>');
    expect(html.match(/<script/g)).toHaveLength(3);
    const json = /<script id="report-figures" type="application\/json">([\s\S]*?)<\/script>/.exec(html)![1]!;
    const figs = JSON.parse(json) as { id: string; figure: { layout: { width: number; height: number } } }[];
    expect(figs.map((f) => f.id)).toEqual([
      'fig-weekly-hours', 'fig-weekly-distance', 'fig-training-load', 'fig-acwr',
      'fig-resting-hr', 'fig-hrv', 'fig-sleep', 'fig-weight',
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
    expect(stamped).toContain('<title>Training report: ann &#60;b&#62;&#38;&#60;/b&#62;</title>');
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

describe('escapeHtml', () => {
  it('escapes the five HTML-special characters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
  });
});
