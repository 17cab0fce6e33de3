/**
 * HTML of the report's injury-risk and plugin sections, each one page that
 * starts on a new sheet.
 */
import type { ReportData } from './data.ts';
import type { PlacedFigure, PlotlyFigure } from './figures.ts';
import { escapeHtml, figureDivs, fixed, numOrDash, SECTION_TITLES, table } from './markup.ts';
import type { BallSportsSession, RunningSession } from './plugin_data.ts';
import { RISK_THRESHOLDS, type RiskPrediction } from './risk.ts';

/** What the report says when there is no prediction to show. */
export const NO_PREDICTION_TEXT = 'No injury-risk prediction yet: run `athlete train` and `athlete predict`.';

/** A risk in 0..1 as a percentage: one decimal below 10 %, whole numbers above. */
export function riskPercent(risk: number): string {
  return `${fixed(risk * 100, risk < 0.1 ? 1 : 0)} %`;
}

const MODEL_TEXT: Record<string, string> = {
  athlete: "the athlete's own model",
  cohort: 'the cohort model (trained on other athletes)',
};

/** One line for the summary page. */
export function riskSummaryText(p: RiskPrediction | null): string {
  if (!p) return 'no prediction yet';
  return `${riskPercent(p.risk)} (${p.band}) on ${p.date}, ${p.model} model`;
}

function code(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function bandNote(): string {
  const m = fixed(RISK_THRESHOLDS.moderate * 100, 0);
  const h = fixed(RISK_THRESHOLDS.high * 100, 0);
  return `Bands: low under ${m} %, moderate ${m}–${h} %, high ${h} % and over (the report's convention, not a clinical cut-off). A driver's contribution is how much the predicted risk changes when that feature is set back to its typical (training median) value; red raises the risk, green lowers it.`;
}

/** The injury-risk page: the latest prediction, its drivers (chart and table) and the last year's injuries. */
export function riskSection(d: ReportData, figs: PlacedFigure[]): string {
  const p = d.risk.latest;
  const injuries = d.risk.injuries.length
    ? table(
        ['Date', 'Area', 'Severity'],
        d.risk.injuries.map((i) => [escapeHtml(i.date), escapeHtml(i.area), escapeHtml(i.severity ?? '–')]),
      )
    : '<p>No injuries recorded in the last 12 months.</p>';
  let body: string;
  if (!p) {
    body = `<p class="empty">${code(NO_PREDICTION_TEXT)}</p>`;
  } else {
    const horizon = p.horizonDays === null ? 'within the model’s horizon' : `within ${p.horizonDays} days`;
    const facts: [string, string][] = [
      ['Predicted injury risk', `<span class="big">${riskPercent(p.risk)}</span> (${p.band})`],
      ['What it predicts', `an injury starting ${escapeHtml(horizon)} after ${escapeHtml(p.date)}`],
      ['Model', escapeHtml(MODEL_TEXT[p.model] ?? p.model)],
    ];
    if (p.computedAt) facts.push(['Computed', escapeHtml(p.computedAt)]);
    const drivers = p.drivers.length
      ? table(
          ['Driver', 'Value on the day', 'Contribution (percentage points)', 'Effect'],
          p.drivers.map((x) => [
            escapeHtml(x.label),
            x.value === null ? '–' : Number.isInteger(x.value) ? String(x.value) : fixed(x.value, 2),
            `${x.contribution >= 0 ? '+' : '−'}${fixed(Math.abs(x.contribution) * 100, 1)}`,
            x.contribution >= 0 ? 'raises risk' : 'lowers risk',
          ]),
          'numeric',
        )
      : '';
    body = `<table class="facts">\n${facts.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${v}</td></tr>`).join('\n')}\n</table>
${figureDivs(figs)}
${drivers}
<p class="note">${escapeHtml(bandNote())}</p>`;
  }
  return `<section id="risk" class="page">
<h2>${SECTION_TITLES.risk}</h2>
${body}
<h3>Injuries in the last 12 months</h3>
${injuries}
</section>`;
}

function minutes(s: number | null): string {
  return s === null ? '–' : fixed(s / 60, 0);
}

function ballRow(s: BallSportsSession): string[] {
  const effort = s.accelerations === null && s.decelerations === null ? '–' : `${numOrDash(s.accelerations)} / ${numOrDash(s.decelerations)}`;
  return [
    escapeHtml(s.date),
    escapeHtml(s.sport.replace(/_/g, ' ')),
    minutes(s.durationS),
    numOrDash(s.distanceM),
    numOrDash(s.hsrDistanceM),
    numOrDash(s.sprints),
    numOrDash(s.topSpeedKmh, 1),
    effort,
  ];
}

/** The ball-sports page: recent sessions' external load and the latest session's stored figures; empty without results. */
export function ballSportsSection(d: ReportData, figs: PlacedFigure<PlotlyFigure>[]): string {
  const b = d.plugins.ballSports;
  if (!b) return '';
  const hsr = b.sessions.find((s) => s.hsrThresholdKmh !== null)?.hsrThresholdKmh ?? null;
  const figuresPart = figs.length
    ? `<h3>Latest session with figures: ${escapeHtml(b.figuresDate ?? '')}</h3>\n${figureDivs(figs)}`
    : '';
  return `<section id="ball-sports" class="page">
<h2>${SECTION_TITLES.ballSports}</h2>
<p>External load from GPS of the ${b.sessions.length} most recent ${b.sessions.length === 1 ? 'session' : 'sessions'} (ball_sports plugin), newest first.${hsr === null ? '' : ` High-speed running is distance above ${fixed(hsr, 1)} km/h.`}</p>
${table(['Date', 'Sport', 'Duration (min)', 'Distance (m)', 'High-speed running (m)', 'Sprints', 'Top speed (km/h)', 'Accel. / decel.'], b.sessions.map(ballRow), 'numeric ball')}
${figuresPart}
</section>`;
}

function runRow(s: RunningSession): string[] {
  return [
    escapeHtml(s.date),
    s.distanceM === null ? '–' : fixed(s.distanceM / 1000, 2),
    minutes(s.durationS),
    numOrDash(s.cadenceSpm, 0),
    numOrDash(s.paHrDecouplingPct, 1),
    numOrDash(s.pwHrDecouplingPct, 1),
  ];
}

/** The running page: recent runs' cadence and aerobic decoupling; empty without results. */
export function runningSection(d: ReportData): string {
  const r = d.plugins.running;
  if (!r) return '';
  return `<section id="running" class="page">
<h2>${SECTION_TITLES.running}</h2>
<p>Cadence and aerobic decoupling of the ${r.sessions.length} most recent ${r.sessions.length === 1 ? 'run' : 'runs'} (running plugin), newest first.</p>
${table(['Date', 'Distance (km)', 'Duration (min)', 'Cadence (steps/min)', 'Pa:HR decoupling (%)', 'Pw:HR decoupling (%)'], r.sessions.map(runRow), 'numeric')}
<p class="note">Decoupling compares speed (Pa:HR) or power (Pw:HR) per heartbeat between the run's first and second halves (Friel); under about 5 % is usually read as a well-paced aerobic effort.</p>
</section>`;
}
