/**
 * The injury-risk section's data: the latest stored prediction with its main
 * drivers, and the injuries of the last year. The predictions table comes
 * from a later migration, so its absence reads as "no prediction yet".
 */
import { addDays } from '../analysis/daily.ts';
import type { SqlRunner } from '../core/warehouse.ts';
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

/** Readable names of the predictor's features (lib/ml/features.ts); unknown names show as they are. */
export const FEATURE_LABELS: Readonly<Record<string, string>> = {
  acute_load_7d: 'Acute load (7 d)',
  chronic_load_28d: 'Chronic load (28 d)',
  acwr_ewma: 'ACWR (EWMA)',
  acwr_rolling: 'ACWR (rolling)',
  load_change_wow: 'Week-over-week load change',
  monotony: 'Training monotony',
  strain: 'Training strain',
  days_since_rest: 'Days since a rest day',
  high_intensity_min_7d: 'High-intensity minutes (7 d)',
  sleep_h_7d: 'Sleep (7-day mean)',
  sleep_efficiency_7d: 'Sleep efficiency (7 d)',
  hrv_trend: 'HRV trend vs baseline',
  rhr_delta: 'Resting HR vs baseline',
  diversity_28d: 'Sport diversity (28 d)',
  tsb: 'Form (TSB)',
  sleep_missing: 'Sleep data missing',
  hrv_missing: 'HRV data missing',
  rhr_missing: 'Resting HR data missing',
  short_history: 'Short training history',
};

/** One feature's push on the prediction: positive raises the risk (in 0..1 units). */
export interface RiskDriver {
  name: string;
  label: string;
  contribution: number;
  /** The feature's value on the day, when the prediction stored it. */
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
  model: string;
  /** Largest |contribution| first. */
  drivers: RiskDriver[];
  computedAt: string | null;
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
  /** Injuries in the 365 days up to the reference day, newest first. */
  injuries: InjuryRow[];
}

/** Drivers from a stored `top_features` value ([{name, contribution, value?}]); malformed entries are skipped. */
export function parseDrivers(raw: unknown, limit = 8): RiskDriver[] {
  const list = parseJsonColumn(raw);
  if (!Array.isArray(list)) return [];
  const out: RiskDriver[] = [];
  for (const item of list) {
    if (!item || typeof item !== 'object') continue;
    const { name, contribution, value } = item as Record<string, unknown>;
    if (typeof name !== 'string' || typeof contribution !== 'number' || !Number.isFinite(contribution)) continue;
    out.push({
      name,
      label: FEATURE_LABELS[name] ?? name,
      contribution,
      value: typeof value === 'number' && Number.isFinite(value) ? value : null,
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

/**
 * Read the latest prediction and the last year's injuries for `athleteId`.
 * "Latest" is the latest date; on a tie the athlete's own model wins over the
 * cohort model. `referenceDate` (the report's last day) bounds the injury list;
 * without one, the latest injury date does.
 */
export async function loadRiskData(db: SqlRunner, athleteId: string, referenceDate: string | null): Promise<RiskData> {
  let latest: RiskPrediction | null = null;
  if (await tableExists(db, 'predictions')) {
    const [row] = await db.all(
      `SELECT CAST(date AS DATE) AS date, horizon_days, risk, model, top_features, computed_at
       FROM predictions WHERE athlete_id = ? AND risk IS NOT NULL
       ORDER BY date DESC, (model = 'athlete') DESC, computed_at DESC NULLS LAST, model
       LIMIT 1`,
      [athleteId],
    );
    if (row) {
      const risk = Number(row.risk);
      latest = {
        date: text(row.date) ?? '',
        horizonDays: row.horizon_days === null || row.horizon_days === undefined ? null : Number(row.horizon_days),
        risk,
        band: riskBand(risk),
        model: String(row.model),
        drivers: parseDrivers(row.top_features),
        computedAt: instantText(row.computed_at),
      };
    }
  }

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
  return { latest, injuries };
}
