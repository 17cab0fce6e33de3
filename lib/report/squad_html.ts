/**
 * The squad report as one self-contained HTML document: a first page listing
 * every athlete by concern with the squad's figures, then one compact page
 * per athlete. Plotly is inlined; the same data give the same text.
 */
import type { ReportData } from './data.ts';
import type { PlacedFigure } from './figures.ts';
import { plotlySource } from './html.ts';
import { escapeHtml, figureDivs, fixed, numOrDash, table } from './markup.ts';
import { riskPercent, riskSummaryText } from './sections.ts';
import { CONCERNS, OPEN_WITHOUT_END_DAYS, STALE_AFTER_DAYS, type OpenInjury, type SquadAthlete, type SquadData } from './squad_data.ts';
import { athleteLabel, ATHLETE_PAGE_DAYS } from './squad_figures.ts';

/** One athlete's page: their line of the squad table, their report data and figures. */
export interface AthletePage {
  athlete: SquadAthlete;
  report: ReportData;
  figures: PlacedFigure[];
}

/** Options of the squad HTML. */
export interface SquadHtmlOptions {
  title?: string;
  /** plotly.js source to inline; defaults to the installed plotly.min.js. */
  plotlySource?: string;
}

const BAND_WORDS = { low: 'low', optimal: 'target', caution: 'caution', high: 'high' } as const;

function scriptSafe(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1');
}

function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function acwrText(a: SquadAthlete): string {
  return a.acwr === null || a.acwrBand === null ? '–' : `${fixed(a.acwr, 2)} ${BAND_WORDS[a.acwrBand]}`;
}

function freshnessText(a: SquadAthlete): string {
  if (a.lastData === null) return 'no data';
  return `${a.lastData} (${a.staleDays === 0 ? 'today' : `${a.staleDays} d ago`})`;
}

function injuryText(list: OpenInjury[]): string {
  return list.length ? list.map((i) => `${i.area}${i.severity ? ` (${i.severity})` : ''} since ${i.date}`).join('; ') : 'none';
}

function riskText(a: SquadAthlete): string {
  return a.risk ? `${riskPercent(a.risk.risk)} ${a.risk.band}` : '–';
}

function overviewSection(squad: SquadData, title: string, figures: PlacedFigure[]): string {
  const rows = squad.athletes.map((a) => [
    `<strong>${escapeHtml(athleteLabel(a))}</strong>`,
    a.concerns.length ? escapeHtml(a.concerns.join(', ')) : 'none',
    escapeHtml(a.lastSync ?? 'files only'),
    escapeHtml(freshnessText(a)),
    numOrDash(a.load7d, 0),
    escapeHtml(acwrText(a)),
    escapeHtml(a.hrvStatus ?? '–'),
    escapeHtml(riskText(a)),
    escapeHtml(injuryText(a.openInjuries)),
  ]);
  const weights = `injury risk high ${CONCERNS.riskHigh}, moderate ${CONCERNS.riskModerate}; an open injury ${CONCERNS.openInjury}; ACWR above 1.5 ${CONCERNS.acwrHigh}, 1.3–1.5 ${CONCERNS.acwrCaution}, below 0.8 ${CONCERNS.acwrLow}; HRV below its range ${CONCERNS.hrvBelow}; resting HR elevated ${CONCERNS.rhrElevated}; no new data for over ${STALE_AFTER_DAYS} days ${CONCERNS.stale}`;
  return `<section id="squad">
<h1>${escapeHtml(title)}</h1>
<p class="generated">${squad.athletes.length} athlete${squad.athletes.length === 1 ? '' : 's'}, as of ${escapeHtml(squad.asOf)}; most concerning first.</p>
${squad.athletes.length ? table(['Athlete', 'Concern', 'Last sync', 'Latest data', '7-day load', 'ACWR', 'HRV', 'Injury risk', 'Open injuries'], rows, 'squad') : '<p class="empty">No athletes yet: athlete athletes add ID, then import or sync their data.</p>'}
<div class="row">${figureDivs(figures)}</div>
<p class="note">Status is each athlete's latest analysed day (athlete analyze): the 7-day load ends on it, ACWR is the EWMA 7:28-day ratio that day with its band (Gabbett 2016: target 0.8–1.3, caution to 1.5, high above, low under 0.8), HRV is the 7-day mean of ln RMSSD against its 60-day normal range (Plews et al. 2012). Concern adds up: ${escapeHtml(weights)}; ties are broken by injury risk. An injury is open until its recorded end, or for ${OPEN_WITHOUT_END_DAYS} days when none is recorded. The squad page's convention, not a clinical score.</p>
</section>`;
}

function athleteSection(p: AthletePage, index: number): string {
  const a = p.athlete;
  const r = p.report;
  const l = r.latest;
  const facts: [string, string][] = [
    ['Concern', a.concerns.length ? escapeHtml(a.concerns.join(', ')) : 'none'],
    ['Last sync', escapeHtml(a.lastSync ?? 'files only (no API sync)')],
    ['Latest data', escapeHtml(freshnessText(a))],
    ['Workouts', `${r.workouts} from ${r.sourceRecords} source records`],
  ];
  if (l) {
    facts.push(
      [`Training status on ${escapeHtml(l.date)}`, `7-day load ${numOrDash(a.load7d, 0)} · CTL ${numOrDash(l.ctl, 1)} · ATL ${numOrDash(l.atl, 1)} · TSB ${numOrDash(l.tsb, 1)}`],
      ['ACWR (EWMA 7:28 days)', escapeHtml(acwrText(a))],
    );
  }
  facts.push(
    ['Recovery', escapeHtml(`HRV ${a.hrvStatus ?? 'no baseline yet'} · resting HR ${a.rhrStatus ?? 'no baseline yet'}`)],
    ['Injury risk', escapeHtml(riskSummaryText(a.risk))],
  );
  if (a.risk?.drivers.length) {
    facts.push(['Main drivers', escapeHtml(a.risk.drivers.slice(0, 3).map((d) => `${d.label} ${d.contribution >= 0 ? '+' : '−'}${fixed(Math.abs(d.contribution) * 100, 1)} pp`).join(' · '))]);
  }
  facts.push(['Open injuries', escapeHtml(injuryText(a.openInjuries))]);
  const factRows = facts.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${v}</td></tr>`).join('\n');
  return `<section id="athlete-${index + 1}" class="page">
<h2>${escapeHtml(athleteLabel(a))}</h2>
<table class="facts">\n${factRows}\n</table>
${figureDivs(p.figures)}
<p class="note">The last ${ATHLETE_PAGE_DAYS} days to ${escapeHtml(r.period.end ?? '–')}. The full report of one athlete: athlete report --athlete ${escapeHtml(a.athleteId)}.</p>
</section>`;
}

const CSS = `
@page { size: A4; }
* { box-sizing: border-box; }
html, body { margin: 0; padding: 0; background: #fff; }
body { font-family: 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif; font-size: 12px; color: #222; width: 690px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 0 0 8px; padding-bottom: 4px; border-bottom: 2px solid #1f77b4; }
section.page { break-before: page; }
.row { display: flex; flex-wrap: wrap; break-inside: avoid; }
.fig { margin: 0 0 6px; break-inside: avoid; overflow: hidden; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 8px; }
tr { break-inside: avoid; }
th, td { border: 1px solid #ccc; padding: 3px 5px; text-align: left; vertical-align: top; font-size: 11px; }
thead th { background: #eef3f8; }
table.squad th, table.squad td { font-size: 9.5px; padding: 2px 3px; overflow-wrap: break-word; }
table.facts th { width: 200px; background: #f7f7f7; font-weight: 600; }
p.empty { font-size: 14px; padding: 12px; border: 1px solid #ccc; background: #fafafa; }
.generated { color: #555; margin: 0 0 8px; }
.note { color: #555; font-size: 10px; margin-top: 8px; }
`;

/** Draws every figure, then flags readiness for the PDF printer (or the error that stopped it). */
const BOOT = `(function () {
  var figs = JSON.parse(document.getElementById('report-figures').textContent);
  var config = { staticPlot: true, displayModeBar: false, responsive: false };
  Promise.all(figs.map(function (f) { return Plotly.newPlot(f.id, f.figure.data, f.figure.layout, config); }))
    .then(function () { window.__reportReady = true; })
    .catch(function (e) { window.__reportError = String(e && e.stack || e); window.__reportReady = true; });
})();`;

/** The squad report's HTML. */
export function renderSquadHtml(squad: SquadData, squadFigs: PlacedFigure[], pages: AthletePage[], opts: SquadHtmlOptions = {}): string {
  const title = opts.title ?? 'Squad report';
  const all = [...squadFigs, ...pages.flatMap((p) => p.figures)];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
<script id="plotly-lib">${scriptSafe(opts.plotlySource ?? plotlySource())}</script>
</head>
<body>
${overviewSection(squad, title, squadFigs)}
${pages.map(athleteSection).join('\n')}
<script id="report-figures" type="application/json">${jsonForScript(all)}</script>
<script>${BOOT}</script>
</body>
</html>
`;
}
