/**
 * What a stored injury-risk number means, in words: the one sentence the
 * CLI, the report and the notebooks print beside it, so the same row reads
 * the same everywhere.
 */
import type { Calibration } from './predictor.ts';

/** A stored prediction, as far as its meaning goes. */
export interface RiskStatement {
  /** The day whose features were scored. */
  date: string;
  horizonDays: number;
  /** Probability in 0..1. */
  risk: number;
  model: 'athlete' | 'cohort';
  /** How the risk is calibrated; null for rows stored before calibration was recorded. */
  calibration: Calibration | null;
}

/** A risk in 0..1 as a percentage: one decimal below 10 %, whole numbers from there. */
export function riskPercent(risk: number): string {
  const digits = risk < 0.1 ? 1 : 0;
  return `${(Math.round(risk * 100 * 10 ** digits) / 10 ** digits).toFixed(digits)} %`;
}

const MODEL_WORDS: Record<RiskStatement['model'], string> = {
  athlete: "this athlete's own model",
  cohort: "the runners' cohort model (Lövdal et al. 2021, other athletes)",
};

const CALIBRATION_WORDS: Record<Calibration, string> = {
  platt_forward_chaining: "calibrated (Platt) on the model's forward-in-time test days",
  platt_calibration_athletes: 'calibrated (Platt) on runners held out from its training',
  uncalibrated: 'not calibrated: compare it with other days rather than read it as a chance',
};

/** When the injury would start: "within the 7 days after D", or "on the day after D". */
export function horizonWords(date: string, horizonDays: number): string {
  return horizonDays === 1 ? `on the day after ${date}` : `within the ${horizonDays} days after ${date}`;
}

/**
 * The sentence for a prediction, e.g. "4.2 %: the probability that an injury
 * starts within the 7 days after 2026-10-31, by this athlete's own model,
 * calibrated (Platt) on the model's forward-in-time test days."
 */
export function riskMeaning(p: RiskStatement): string {
  const calibration = CALIBRATION_WORDS[p.calibration ?? 'uncalibrated'];
  return `${riskPercent(p.risk)}: the probability that an injury starts ${horizonWords(p.date, p.horizonDays)}, by ${MODEL_WORDS[p.model]}, ${calibration}.`;
}
