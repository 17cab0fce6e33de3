/**
 * The report as one self-contained HTML document: plotly.js inlined, every
 * figure drawn into a fixed-size div, one A4 page per section.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ReportData } from './data.ts';
import type { PlacedFigure, ReportFigures } from './figures.ts';
import { BAND_WORDS, dayNumber } from '../analysis/daily.ts';
import { escapeHtml, figureDivs, fixed, numOrDash, SECTION_TITLES, table } from './markup.ts';
import { ACWR_NOTE, ballSportsSection, riskOverviewText, riskSection, runningSection } from './sections.ts';

export { escapeHtml, SECTION_TITLES } from './markup.ts';

/** Options for the HTML report. */
export interface HtmlOptions {
  title?: string;
  /** A "generated" line to print; taken from the caller so the same data gives the same HTML. */
  generated?: string;
  /** The day the report is made (YYYY-MM-DD): data older than `STALE_DAYS` before it is flagged. */
  asOf?: string;
  /** plotly.js source to inline; defaults to the installed plotly.min.js. */
  plotlySource?: string;
}

let plotlyCache: string | undefined;

/** The installed plotly.min.js, read once. */
export function plotlySource(): string {
  if (plotlyCache === undefined) {
    const path = createRequire(import.meta.url).resolve('plotly.js/dist/plotly.min.js');
    plotlyCache = readFileSync(path, 'utf8');
  }
  return plotlyCache;
}

/** Keep inlined script text from closing its <script> element early. */
function scriptSafe(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1');
}

/** JSON that can sit inside a <script> element (no `<`, no line separators that break JS). */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function days(start: string, end: string): number {
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 86_400_000) + 1;
}

/** Days between the latest data and the report after which the report warns that it is out of date. */
export const STALE_DAYS = 7;

/** The warning that the data stops well before the report's day; null when it is recent (or either day is unknown). */
export function staleWarning(lastDataDay: string | null, asOf: string | undefined): string | null {
  if (!lastDataDay || !asOf) return null;
  const gap = dayNumber(asOf) - dayNumber(lastDataDay);
  if (gap <= STALE_DAYS) return null;
  return `The latest data is from ${lastDataDay}, ${gap} days before this report (${asOf}): every figure below ends there. Run \`athlete sync\` (or import newer files) to bring it up to date.`;
}

const HRV_STATUS_TEXT: Record<string, string> = {
  below: 'HRV below its normal range',
  normal: 'HRV within its normal range',
  above: 'HRV above its normal range',
};
const RHR_STATUS_TEXT: Record<string, string> = {
  elevated: 'resting HR elevated (over baseline + 5 bpm)',
  normal: 'resting HR normal',
};

function recoveryText(d: ReportData): string | null {
  const { hrv, restingHr } = d.recoveryStatus;
  const hrvText = hrv ? (HRV_STATUS_TEXT[hrv.status] ?? `HRV ${hrv.status}`) : null;
  const rhrText = restingHr ? (RHR_STATUS_TEXT[restingHr.status] ?? `resting HR ${restingHr.status}`) : null;
  let text: string | null;
  if (hrv && restingHr && hrvText && rhrText) {
    // One date when both are from the same day keeps the line short.
    text = hrv.date === restingHr.date ? `${hrvText} · ${rhrText} (${hrv.date})` : `${hrvText} (${hrv.date}) · ${rhrText} (${restingHr.date})`;
  } else if (hrv && hrvText) text = `${hrvText} (${hrv.date})`;
  else if (restingHr && rhrText) text = `${rhrText} (${restingHr.date})`;
  else text = null;
  return text === null ? null : escapeHtml(text);
}

function summarySection(d: ReportData, title: string, generated: string | undefined, asOf: string | undefined): string {
  const period =
    d.period.start && d.period.end
      ? `${escapeHtml(d.period.start)} to ${escapeHtml(d.period.end)} (${days(d.period.start, d.period.end)} days)`
      : 'no data';
  const facts: [string, string][] = [
    ['Athlete', d.displayName === d.athleteId ? escapeHtml(d.athleteId) : `${escapeHtml(d.displayName)} (${escapeHtml(d.athleteId)})`],
    ['Period covered', period],
    ['Workouts after deduplication', `<span class="big">${d.workouts}</span> from ${d.sourceRecords} source records (${d.mergedRecords} merged as duplicates)`],
  ];
  if (d.latest) {
    const l = d.latest;
    facts.push(
      [
        `Training status on ${escapeHtml(l.date)}`,
        `fitness (CTL) ${numOrDash(l.ctl, 1)} · fatigue (ATL) ${numOrDash(l.atl, 1)} · form (TSB) ${numOrDash(l.tsb, 1)} a.u./day`,
      ],
      [
        'ACWR (last week’s load ÷ last four weeks’)',
        l.acwr === null || l.band === null
          ? '– (not enough recorded load history)'
          : `${fixed(l.acwr, 2)} exponentially weighted (${BAND_WORDS[l.band]}); ${numOrDash(l.acwrRolling, 2)} from rolling 7- and 28-day means`,
      ],
      ['Days with recorded data, last 28', `${fixed(l.coverage * 100, 0)} %`],
    );
  }
  const recovery = recoveryText(d);
  if (recovery) facts.push(['Recovery (vs own baseline)', recovery]);
  facts.push(['Injury risk', escapeHtml(riskOverviewText(d.risk))]);
  const stale = staleWarning(d.period.end, asOf);
  const factRows = facts.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${v}</td></tr>`).join('\n');
  const sources = table(
    ['Source', 'Workout records', 'Biometric rows'],
    d.sources.map((s) => [escapeHtml(s.source), String(s.workouts), String(s.biometricRows)]),
    'numeric',
  );
  return `<section id="summary">
<h1>${escapeHtml(title)}</h1>
${generated ? `<p class="generated">Generated ${escapeHtml(generated)}</p>\n` : ''}${stale ? `<p class="warning">${escapeHtml(stale)}</p>\n` : ''}<h2>${SECTION_TITLES.summary}</h2>
<table class="facts">\n${factRows}\n</table>
<h3>Sources</h3>
${d.sources.length ? sources : '<p>No sources imported yet.</p>'}
<p class="note">Load is in arbitrary units on the TSS scale (an hour at threshold ≈ 100 a.u.). CTL, ATL: 42- and 7-day exponentially weighted daily load, started from the first 42 days' means; TSB = previous day's CTL − ATL. A day with nothing recorded has an unknown load, not a rest day's 0. ${escapeHtml(ACWR_NOTE)} ${d.analysis === 'daily_metrics' ? 'Load and baselines are those stored by <code>athlete analyze</code>.' : "Load is the source's training load, else session RPE, else a duration-based estimate (run <code>athlete analyze</code> for the full method)."}</p>
</section>`;
}

const RECOVERY_NOTE =
  'HRV normal range: baseline of ln RMSSD over the 60 days before the 7-day window ± 0.5 SD, the 7-day mean compared with it (Plews et al. 2012), drawn back-transformed to ms. Resting HR baseline: mean of the previous 60 days; elevated is over baseline + 5 bpm. Sleep: each night as a point, the line is the mean of the last 7 nights (at least 4 recorded); the dashed line is the 7-hour adult minimum.';

function figureSection(key: 'volume' | 'load' | 'recovery', figs: PlacedFigure[]): string {
  const note = key === 'recovery' ? `\n<p class="note">${escapeHtml(RECOVERY_NOTE)}</p>` : '';
  return `<section id="${key}" class="page">\n<h2>${SECTION_TITLES[key]}</h2>\n${figureDivs(figs)}${note}\n</section>`;
}

function pct(share: number | null): string {
  return share === null ? '–' : `${fixed(share * 100, 0)} %`;
}

const TIER_TEXT: Record<number, string> = { 1: 'same external id', 2: 'overlapping time, sport and distance', 3: 'similar GPS route' };

function qualitySection(d: ReportData): string {
  const coverage = table(
    ['Source', 'Workouts', 'First date', 'Last date', 'Biometric rows', 'Workouts matched in another source'],
    d.sources.map((s) => [
      escapeHtml(s.source),
      String(s.workouts),
      escapeHtml(s.firstDate ?? '–'),
      escapeHtml(s.lastDate ?? '–'),
      String(s.biometricRows),
      pct(s.matchedShare),
    ]),
    'numeric',
  );
  const tiers = d.mergedByTier.length
    ? table(
        ['Match tier', 'Records merged'],
        d.mergedByTier.map((t) => [`${t.tier}: ${escapeHtml(TIER_TEXT[t.tier] ?? 'other')}`, String(t.records)]),
        'numeric',
      )
    : '';
  const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
  const sync = d.sync.length
    ? table(
        ['Source', 'Status', 'Last sync', 'Records', 'Message'],
        d.sync.map((s) => [
          escapeHtml(s.source),
          escapeHtml(s.status),
          escapeHtml(s.lastSync ?? '–'),
          s.records === null ? '–' : String(s.records),
          escapeHtml(clip(s.message ?? '', 160)),
        ]),
        'sync',
      )
    : '<p>No source has been synced through an API (file imports only).</p>';
  const errors = d.importErrors.latest.length
    ? table(
        ['When', 'Input', 'Record', 'Field', 'Reason'],
        d.importErrors.latest.map((e) => [
          escapeHtml(e.occurredAt),
          escapeHtml(clip(e.input, 120)),
          escapeHtml(e.record ?? '–'),
          escapeHtml(e.field ?? '–'),
          escapeHtml(clip(e.reason, 240)),
        ]),
        'errors',
      )
    : '';
  return `<section id="quality" class="page">
<h2>${SECTION_TITLES.quality}</h2>
<h3>Source coverage</h3>
${d.sources.length ? coverage : '<p>No sources imported yet.</p>'}
<h3>Duplicates merged</h3>
<p><span class="big">${d.mergedRecords}</span> source records were merged into other workouts: ${d.sourceRecords} source records became ${d.workouts} workouts.</p>
${tiers}
<h3>Sync status</h3>
${sync}
<h3>Import errors</h3>
<p><span class="big">${d.importErrors.count}</span> import ${d.importErrors.count === 1 ? 'error' : 'errors'} recorded (inputs or records that could not be read)${d.importErrors.latest.length ? `; latest ${d.importErrors.latest.length} below.` : '.'}</p>
${errors}
</section>`;
}

const CSS = `
@page { size: A4; }
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; background: #fff; }
body { font-family: 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif; font-size: 12px; color: #222; width: 690px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 0 0 10px; padding-bottom: 4px; border-bottom: 2px solid #1f77b4; }
h3 { font-size: 14px; margin: 16px 0 6px; }
section.page { break-before: page; }
.fig { margin: 0 0 8px; break-inside: avoid; overflow: hidden; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; break-inside: auto; }
tr { break-inside: avoid; }
th, td { border: 1px solid #ccc; padding: 4px 6px; text-align: left; vertical-align: top; font-size: 12px; }
thead th { background: #eef3f8; }
table.facts th { width: 230px; background: #f7f7f7; font-weight: 600; }
table.numeric td:not(:first-child) { text-align: right; }
table.numeric td:first-child { white-space: nowrap; }
table.errors { table-layout: fixed; }
table.errors td { font-size: 11px; overflow-wrap: anywhere; }
table.errors th:nth-child(1) { width: 120px; }
table.errors th:nth-child(3), table.errors th:nth-child(4) { width: 80px; }
table.sync td { font-size: 11px; overflow-wrap: anywhere; }
table.ball th, table.ball td { font-size: 11px; padding: 3px 4px; }
code { font-family: 'DejaVu Sans Mono', 'Liberation Mono', monospace; font-size: 11px; background: #f2f2f2; padding: 0 2px; }
p.empty { font-size: 14px; padding: 12px; border: 1px solid #ccc; background: #fafafa; }
.big { font-size: 16px; font-weight: 700; }
.generated { color: #555; margin: 0 0 10px; }
.note { color: #555; font-size: 11px; margin-top: 14px; }
.warning { border: 2px solid #d62728; background: #fdecea; padding: 8px 10px; font-size: 13px; font-weight: 600; }
.caveat { border-left: 4px solid #d62728; padding: 4px 8px; background: #fff5f5; }
`;

/** Draws every figure, then flags readiness for the PDF printer (or the error that stopped it). */
const BOOT = `(function () {
  var figs = JSON.parse(document.getElementById('report-figures').textContent);
  var config = { staticPlot: true, displayModeBar: false, responsive: false };
  Promise.all(figs.map(function (f) { return Plotly.newPlot(f.id, f.figure.data, f.figure.layout, config); }))
    .then(function () { window.__reportReady = true; })
    .catch(function (e) { window.__reportError = String(e && e.stack || e); window.__reportReady = true; });
})();`;

/** Build the report's HTML document. Same data and options give the same text. */
export function renderReportHtml(data: ReportData, figures: ReportFigures, opts: HtmlOptions = {}): string {
  const title = opts.title ?? `Training report: ${data.displayName}`;
  const all = [...figures.volume, ...figures.load, ...figures.recovery, ...figures.risk, ...figures.ballSports];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
<script id="plotly-lib">${scriptSafe(opts.plotlySource ?? plotlySource())}</script>
</head>
<body>
${summarySection(data, title, opts.generated, opts.asOf)}
${figureSection('volume', figures.volume)}
${figureSection('load', figures.load)}
${figureSection('recovery', figures.recovery)}
${riskSection(data, figures.risk)}
${[ballSportsSection(data, figures.ballSports), runningSection(data)].filter((x) => x).map((x) => `${x}\n`).join('')}${qualitySection(data)}
<script id="report-figures" type="application/json">${jsonForScript(all)}</script>
<script>${BOOT}</script>
</body>
</html>
`;
}
