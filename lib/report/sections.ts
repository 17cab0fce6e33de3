/**
 * HTML of the report's injury-risk and plugin sections, each starting on a
 * new sheet.
 */
import { BAND_WORDS } from '../analysis/daily.ts';
import { riskPercent } from '../ml/meaning.ts';
import type { ReportData } from './data.ts';
import type { PlacedFigure, PlotlyFigure } from './figures.ts';
import { escapeHtml, figureDivs, fixed, numOrDash, SECTION_TITLES, table } from './markup.ts';
import type { BallSportsSession, RunningSession } from './plugin_data.ts';
import { RISK_THRESHOLDS, type ModelEvaluation, type RiskData, type RiskPrediction } from './risk.ts';

export { riskPercent } from '../ml/meaning.ts';

/** What the report says when there is no prediction to show. */
export const NO_PREDICTION_TEXT = 'No injury-risk prediction yet: run `athlete train` and `athlete predict`.';

/** Both ACWRs the report shows, defined. */
export const ACWR_NOTE =
  'ACWR (acute:chronic workload ratio) compares the last week\'s load with the last four weeks\'. Exponentially weighted (EWMA, Williams et al. 2017): 7- and 28-day exponentially weighted averages, started from the first 28 days\' means; the summary and the ACWR chart show it. Rolling (Gabbett 2016): the mean of the last 7 days over the mean of the last 28; the model uses both. They differ most after a change in load, where the weighted one reacts faster. 0.8–1.3 is the usual target band, above 1.5 the "danger zone".';

const MODEL_TEXT: Record<string, string> = {
  athlete: "the athlete's own model",
  cohort: "the runners' cohort model (trained on other athletes)",
};

/** One line for a prediction: risk, band, day and model. */
export function riskSummaryText(p: RiskPrediction | null): string {
  if (!p) return 'no prediction yet';
  return `${riskPercent(p.risk)} (${p.band}) on ${p.date}, ${p.model} model`;
}

/** One line for the summary page: the latest risk, or why there is none and the ACWR band instead. */
export function riskOverviewText(r: RiskData): string {
  const p = r.latest;
  if (p) return `${riskSummaryText(p)}${p.model === 'athlete' && r.evaluation?.beatsBaseline === false ? ' (does not beat the ACWR alone)' : ''}`;
  const f = r.fallback;
  const acwr = f && f.acwr !== null && f.band !== null ? `; ACWR ${fixed(f.acwr, 2)}, ${BAND_WORDS[f.band]}` : '';
  if (r.evaluation && r.evaluation.status === 'too_few_injuries') return `no personal model: ${r.evaluation.injuryEvents ?? 0} injuries, ${r.evaluation.minInjuries ?? '?'} needed${acwr}`;
  return `no prediction yet${acwr}`;
}

function code(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function bandNote(): string {
  const m = fixed(RISK_THRESHOLDS.moderate * 100, 0);
  const h = fixed(RISK_THRESHOLDS.high * 100, 0);
  return `Bands: low under ${m} %, moderate ${m}–${h} %, high ${h} % and over (the report's convention, not a clinical cut-off). A driver's contribution is how much the predicted risk changes, in percentage points, when that feature is set back to its typical (training median) value; red raises the risk, green lowers it.`;
}

const auc = (v: number | null): string => numOrDash(v, 2);
const ci = (v: [number, number] | null): string => (v ? `${fixed(v[0], 2)}–${fixed(v[1], 2)}` : '–');

/** The stored forward-in-time evaluation: pooled scores with intervals beside the ACWR alone, the verdict, and each fold. */
function evaluationPart(e: ModelEvaluation): string {
  const pooled = table(
    ['Score', 'ROC AUC', '95 % CI', 'PR AUC', '95 % CI'],
    [
      [escapeHtml("The athlete's model"), auc(e.rocAuc), ci(e.rocAucCi), auc(e.prAuc), ci(e.prAucCi)],
      ['ACWR (EWMA) alone', auc(e.baselineRocAuc), '–', auc(e.baselinePrAuc), '–'],
      ['Chance', '0.50', '–', auc(e.prevalence), '–'],
    ],
    'numeric',
  );
  const verdict = e.beatsBaseline
    ? '<p>The model ranks the days before an injury better than the ACWR alone (its ROC AUC gain over the ACWR is above zero across the bootstrap interval).</p>'
    : `<p class="caveat">${escapeHtml("Caveat: on this athlete's history the model does not beat the ACWR alone (its advantage in ROC AUC is not clearly above zero, or its PR AUC is lower). Read its risk as no more informative than the ACWR band.")}</p>`;
  const folds = e.folds.length
    ? table(
        ['Test block', 'Days', 'Injuries', 'Model ROC AUC', 'Model PR AUC', 'ACWR ROC AUC', 'ACWR PR AUC'],
        e.folds.map((f) => [
          `${escapeHtml(f.testStart)} to ${escapeHtml(f.testEnd)}`,
          String(f.testRows),
          String(f.testInjuries),
          auc(f.rocAuc),
          auc(f.prAuc),
          auc(f.baselineRocAuc),
          auc(f.baselinePrAuc),
        ]),
        'numeric',
      )
    : '';
  return `<h3>How well the model did, forward in time</h3>
<p>Trained on earlier days and tested on later ones only (${e.folds.length} blocks, ${e.injuryEvents ?? '–'} injuries in all). ROC AUC: the chance that a day before an injury gets a higher risk than another day (0.5 = coin toss); PR AUC: how precise the warnings are (chance = the share of days before an injury). Intervals: 95 % bootstrap of whole weeks. A block without an injury has no score (–).</p>
${pooled}
${verdict}
${folds}`;
}

/** The ACWR band to go by when there is no model. */
function fallbackPart(r: RiskData): string {
  const f = r.fallback;
  if (!f || f.acwr === null || f.band === null) return '<p>No ACWR yet either: it needs 28 days of recorded load.</p>';
  return `<p>Instead, the ACWR (EWMA 7:28 days) on ${escapeHtml(f.date)}: <span class="big">${fixed(f.acwr, 2)}</span>, ${escapeHtml(BAND_WORDS[f.band])}.</p>`;
}

/** The value of a driver on the day, with its unit. */
function driverValue(value: number | null, unit: string): string {
  if (value === null) return '–';
  if (unit === 'yes/no') return value >= 0.5 ? 'yes' : 'no';
  const text = Number.isInteger(value) ? fixed(value, 0) : fixed(value, Math.abs(value) >= 100 ? 0 : 2);
  return `${text} ${escapeHtml(unit)}`;
}

/** The injury-risk page: the latest prediction in words, its drivers, the model's evaluation (or why there is no model), and the last year's injuries. */
export function riskSection(d: ReportData, figs: PlacedFigure[]): string {
  const r = d.risk;
  const p = r.latest;
  const injuries = r.injuries.length
    ? table(
        ['Date', 'Area', 'Severity'],
        r.injuries.map((i) => [escapeHtml(i.date), escapeHtml(i.area), escapeHtml(i.severity ?? '–')]),
      )
    : '<p>No injuries recorded in the last 12 months.</p>';
  const noModel = r.evaluation && r.evaluation.status !== 'trained' && r.evaluation.message ? `<p class="empty">No personal model. ${code(r.evaluation.message)}</p>` : '';
  let body: string;
  if (!p) {
    body = `${noModel || `<p class="empty">${code(NO_PREDICTION_TEXT)}</p>`}\n${fallbackPart(r)}`;
  } else {
    const facts: [string, string][] = [
      ['Predicted injury risk', `<span class="big">${riskPercent(p.risk)}</span> (${p.band})`],
      ['What it means', escapeHtml(p.meaning)],
      ['Model', escapeHtml(MODEL_TEXT[p.model] ?? p.model)],
    ];
    if (p.computedAt) facts.push(['Computed', escapeHtml(p.computedAt)]);
    const drivers = p.drivers.length
      ? table(
          ['Driver', 'Value on the day', 'Contribution (percentage points)', 'Effect'],
          p.drivers.map((x) => [
            escapeHtml(x.label),
            driverValue(x.value, x.unit),
            `${x.contribution >= 0 ? '+' : '−'}${fixed(Math.abs(x.contribution) * 100, 1)}`,
            x.contribution >= 0 ? 'raises risk' : 'lowers risk',
          ]),
          'numeric',
        )
      : '';
    const evaluation = p.model === 'athlete' && r.evaluation?.status === 'trained' ? evaluationPart(r.evaluation) : noModel;
    body = `<table class="facts">\n${facts.map(([k, v]) => `<tr><th scope="row">${escapeHtml(k)}</th><td>${v}</td></tr>`).join('\n')}\n</table>
${figureDivs(figs)}
${drivers}
<p class="note">${escapeHtml(bandNote())} ${escapeHtml(ACWR_NOTE)}</p>
${evaluation}`;
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
  const sparse = b.sessions.filter((s) => s.accelerations === null && s.sampleIntervalS !== null);
  const coarsest = sparse.length ? Math.max(...sparse.map((s) => s.sampleIntervalS!)) : null;
  const accelNote =
    coarsest === null
      ? ''
      : ` Accelerations and decelerations (changes of speed beyond ±3 m/s²) read “–” where the GPS recorded a position only every ${fixed(coarsest, 1)} s: counting them needs at least one position a second.`;
  const figuresPart = figs.length
    ? `<h3>Latest session with figures: ${escapeHtml(b.figuresDate ?? '')}</h3>\n${figureDivs(figs)}`
    : '';
  return `<section id="ball-sports" class="page">
<h2>${SECTION_TITLES.ballSports}</h2>
<p>External load from GPS of the ${b.sessions.length} most recent ${b.sessions.length === 1 ? 'session' : 'sessions'} (ball_sports plugin), newest first.${hsr === null ? '' : ` High-speed running is distance above ${fixed(hsr, 1)} km/h.`}${accelNote}</p>
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
