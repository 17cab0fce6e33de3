/**
 * The injury-risk section's data: the latest stored prediction (written by
 * `athlete predict`) with its main drivers and its meaning in words, the
 * stored evaluation of the athlete's model (written by `athlete train`), the
 * ACWR band to go by when there is no model, and the injuries of the last
 * year. Nothing here computes a risk. Tables from later migrations may be
 * absent, which reads as "no prediction yet".
 */
import { acwrBand, addDays, type AcwrBand } from '../analysis/daily.ts';
import type { SqlRunner } from '../core/warehouse.ts';
import { FEATURE_INFO } from '../ml/features.ts';
import { riskMeaning } from '../ml/meaning.ts';
import type { Calibration, TimeAwareReport } from '../ml/predictor.ts';
import { parseJsonColumn, tableExists } from './schema.ts';

/** Plain-language band of a predicted risk. */
export type RiskBand = 'low' | 'moderate' | 'high';

/**
 * Band thresholds on the predicted probability of an injury starting within
 * the horizon (7 days by default): under 10 % is low, 10 % to under 25 %
 * moderate, 25 % and over high. For a week's horizon an athlete with a few
 * injuries a year has a base rate of a few per cent, so "moderate" is already
 * several times that and "high" is one chance in four. These are the report's
 * conventions, not clinical cut-offs.
 */
export const RISK_THRESHOLDS = { moderate: 0.1, high: 0.25 } as const;

/** The band of a risk in 0..1. */
export function riskBand(risk: number): RiskBand {
  if (risk >= RISK_THRESHOLDS.high) return 'high';
  if (risk >= RISK_THRESHOLDS.moderate) return 'moderate';
  return 'low';
}

/** One feature's push on the prediction: positive raises the risk (in 0..1 units). */
export interface RiskDriver {
  name: string;
  label: string;
  /** The unit `value` is shown in ('' for the cohort model's z-scores). */
  unit: string;
  contribution: number;
  /** The feature's value on the day in `unit`, when the prediction stored it. */
  value: number | null;
}

/** A stored prediction. */
export interface RiskPrediction {
  /** The local day predicted from. */
  date: string;
  horizonDays: number | null;
  risk: number;
  band: RiskBand;
  /** 'athlete' (the athlete's own model) or 'cohort'. */
  model: 'athlete' | 'cohort';
  calibration: Calibration | null;
  /** The number in words (lib/ml/meaning.ts), as `athlete predict` prints it. */
  meaning: string;
  /** Largest |contribution| first. */
  drivers: RiskDriver[];
  computedAt: string | null;
}

/** One forward-chaining fold of the stored evaluation. */
export interface EvaluationFold {
  testStart: string;
  testEnd: string;
  testRows: number;
  testInjuries: number;
  rocAuc: number | null;
  prAuc: number | null;
  baselineRocAuc: number | null;
  baselinePrAuc: number | null;
}

/** What `athlete train` stored about the athlete's model. */
export interface ModelEvaluation {
  status: 'trained' | 'too_few_injuries' | 'no_data';
  /** Why there is no model, in words; null when trained. */
  message: string | null;
  trainedAt: string | null;
  horizonDays: number | null;
  injuryEvents: number | null;
  minInjuries: number | null;
  rocAuc: number | null;
  rocAucCi: [number, number] | null;
  prAuc: number | null;
  prAucCi: [number, number] | null;
  /** Chance level of PR AUC: the share of days before an injury. */
  prevalence: number | null;
  baselineRocAuc: number | null;
  baselinePrAuc: number | null;
  beatsBaseline: boolean | null;
  folds: EvaluationFold[];
}

/** The ACWR to go by when there is no model: the latest value and its band. */
export interface AcwrFallback {
  date: string;
  acwr: number | null;
  band: AcwrBand | null;
}

/** One recorded injury. */
export interface InjuryRow {
  date: string;
  area: string;
  severity: string | null;
}

/** What the injury-risk section shows. */
export interface RiskData {
  /** The latest prediction; null when the predictions table is absent or has none for the athlete. */
  latest: RiskPrediction | null;
  /** The athlete model's stored evaluation; null when `athlete train` has not run. */
  evaluation: ModelEvaluation | null;
  /** The latest ACWR (EWMA) and its band, for when there is no prediction. */
  fallback: AcwrFallback | null;
  /** Injuries in the 365 days up to the reference day, newest first. */
  injuries: InjuryRow[];
}

/** Drivers from a stored `top_features` value ([{name, contribution, value?}]), values in their display unit; malformed entries are skipped. */
export function parseDrivers(raw: unknown, limit = 8): RiskDriver[] {
  const list = parseJsonColumn(raw);
  if (!Array.isArray(list)) return [];
  const out: RiskDriver[] = [];
  for (const item of list) {
    if (!item || typeof item !== 'object') continue;
    const { name, contribution, value } = item as Record<string, unknown>;
    if (typeof name !== 'string' || typeof contribution !== 'number' || !Number.isFinite(contribution)) continue;
    const info = FEATURE_INFO[name];
    out.push({
      name,
      label: info?.label ?? name,
      // The cohort model's features are z-scores: standard deviations from the athlete's own mean.
      unit: info?.unit ?? 'SD from own mean',
      contribution,
      value: typeof value === 'number' && Number.isFinite(value) ? value * (info?.scale ?? 1) : null,
    });
  }
  // Stable order for equal magnitudes, so the same data gives the same page.
  out.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution) || a.name.localeCompare(b.name));
  return out.slice(0, limit);
}

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v);
}

function instantText(v: unknown): string | null {
  if (v instanceof Date) return `${v.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return text(v);
}

const finiteOrNull = (v: unknown): number | null => (v === null || v === undefined || !Number.isFinite(Number(v)) ? null : Number(v));

/** The athlete model's row of model_evaluations, with its folds; null when absent. */
async function loadEvaluation(db: SqlRunner, athleteId: string): Promise<ModelEvaluation | null> {
  if (!(await tableExists(db, 'model_evaluations'))) return null;
  const [r] = await db.all("SELECT * FROM model_evaluations WHERE athlete_id = ? AND model = 'athlete'", [athleteId]);
  if (!r) return null;
  const report = parseJsonColumn(r.report) as Partial<TimeAwareReport> | null;
  const pair = (lo: unknown, hi: unknown): [number, number] | null => {
    const a = finiteOrNull(lo);
    const b = finiteOrNull(hi);
    return a === null || b === null ? null : [a, b];
  };
  return {
    status: String(r.status) as ModelEvaluation['status'],
    message: text(r.message),
    trainedAt: instantText(r.trained_at),
    horizonDays: finiteOrNull(r.horizon_days),
    injuryEvents: finiteOrNull(r.injury_events),
    minInjuries: finiteOrNull(r.min_injuries),
    rocAuc: finiteOrNull(r.roc_auc),
    rocAucCi: pair(r.roc_auc_low, r.roc_auc_high),
    prAuc: finiteOrNull(r.pr_auc),
    prAucCi: pair(r.pr_auc_low, r.pr_auc_high),
    prevalence: finiteOrNull(r.prevalence),
    baselineRocAuc: finiteOrNull(r.baseline_roc_auc),
    baselinePrAuc: finiteOrNull(r.baseline_pr_auc),
    beatsBaseline: r.beats_baseline === null || r.beats_baseline === undefined ? null : Boolean(r.beats_baseline),
    folds: (report?.folds ?? []).map((f) => ({
      testStart: f.testStart,
      testEnd: f.testEnd,
      testRows: f.testRows,
      testInjuries: f.testInjuries,
      rocAuc: finiteOrNull(f.rocAuc),
      prAuc: finiteOrNull(f.prAuc),
      baselineRocAuc: finiteOrNull(f.baseline?.rocAuc),
      baselinePrAuc: finiteOrNull(f.baseline?.prAuc),
    })),
  };
}

/**
 * Read the latest prediction, the athlete model's evaluation and the last
 * year's injuries for `athleteId`. "Latest" is the latest date; on a tie the
 * athlete's own model wins over the cohort model. Predictions of an athlete
 * model that `athlete train` has since withdrawn (too few injuries) are not
 * shown. `referenceDate` (the report's last day) bounds the injury list;
 * without one, the latest injury date does. `latestAcwr` is the fallback.
 */
export async function loadRiskData(
  db: SqlRunner,
  athleteId: string,
  referenceDate: string | null,
  latestAcwr: { date: string; acwr: number | null } | null = null,
): Promise<RiskData> {
  const evaluation = await loadEvaluation(db, athleteId);
  const ownShown = evaluation === null || evaluation.status === 'trained';
  let latest: RiskPrediction | null = null;
  if (await tableExists(db, 'predictions')) {
    const hasCalibration = (await db.all("SELECT 1 FROM information_schema.columns WHERE table_name = 'predictions' AND column_name = 'calibration'")).length > 0;
    const [row] = await db.all(
      `SELECT CAST(date AS DATE) AS date, horizon_days, risk, model, top_features, computed_at, ${hasCalibration ? 'calibration' : 'NULL AS calibration'}
       FROM predictions WHERE athlete_id = ? AND risk IS NOT NULL ${ownShown ? '' : "AND model <> 'athlete'"}
       ORDER BY date DESC, (model = 'athlete') DESC, computed_at DESC NULLS LAST, model
       LIMIT 1`,
      [athleteId],
    );
    if (row) {
      const risk = Number(row.risk);
      const date = text(row.date) ?? '';
      const model = String(row.model) === 'athlete' ? 'athlete' : 'cohort';
      const horizonDays = row.horizon_days === null || row.horizon_days === undefined ? null : Number(row.horizon_days);
      const calibration = (text(row.calibration) as Calibration | null) ?? null;
      latest = {
        date,
        horizonDays,
        risk,
        band: riskBand(risk),
        model,
        calibration,
        meaning: riskMeaning({ date, horizonDays: horizonDays ?? (model === 'cohort' ? 1 : 7), risk, model, calibration }),
        drivers: parseDrivers(row.top_features),
        computedAt: instantText(row.computed_at),
      };
    }
  }
  const fallback = latestAcwr ? { date: latestAcwr.date, acwr: latestAcwr.acwr, band: acwrBand(latestAcwr.acwr) } : null;

  let injuries: InjuryRow[] = [];
  if (await tableExists(db, 'injuries')) {
    const rows = await db.all(
      `SELECT CAST(date AS DATE) AS date, area, severity FROM injuries WHERE athlete_id = ? ORDER BY date DESC, area`,
      [athleteId],
    );
    const all = rows.map((r) => ({ date: text(r.date) ?? '', area: String(r.area), severity: text(r.severity) }));
    const ref = referenceDate ?? all[0]?.date;
    injuries = ref ? all.filter((i) => i.date > addDays(ref, -365)) : [];
  }
  return { latest, evaluation, fallback, injuries };
}
