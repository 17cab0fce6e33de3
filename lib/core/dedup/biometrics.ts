/** Reconciling daily biometrics reported by several sources into one value per day and metric. */
import { MetricType } from '../models.ts';

/** A reading as reconciliation needs it (a BiometricReading has these fields). */
export interface BiometricInput {
  athlete_id: string;
  /** Local day, YYYY-MM-DD. */
  date: string;
  metric_type: string;
  value: number;
  unit: string;
  source: string;
  confidence: number;
}

/** One reconciled value per (athlete_id, date, metric_type). */
export interface ReconciledBiometric {
  athlete_id: string;
  date: string;
  metric_type: string;
  value: number;
  unit: string;
  /** The source the value came from. */
  source: string;
  /** The chosen source's confidence scaled by how far the other sources agree. */
  confidence: number;
  source_count: number;
  /** Every source that reported this metric that day, in precedence order. */
  sources: string[];
}

// google_health (Fitbit, Pixel Watch): good sleep staging and overnight wrist heart rate, so right after the ring and strap
// for sleep and after the others for resting HR and HRV; its weights (Aria scale or typed in) after the dedicated scales.
const SLEEP_FIRST = ['oura', 'whoop', 'google_health', 'garmin', 'apple_health'];
const RECOVERY_FIRST = ['whoop', 'oura', 'garmin', 'google_health'];
const SCALE_FIRST = ['vesync', 'withings', 'garmin', 'google_health', 'apple_health'];

/**
 * Default source precedence per metric: ring and strap first for sleep, strap
 * first for HRV/resting HR/recovery, scales first for body composition.
 * Metrics not listed order sources alphabetically.
 */
export const DEFAULT_BIOMETRIC_PRECEDENCE: Record<string, string[]> = Object.fromEntries(
  MetricType.options.flatMap((m): [string, string[]][] => {
    if (m.startsWith('sleep_')) return [[m, SLEEP_FIRST]];
    if (m === 'hrv_rmssd' || m === 'resting_hr' || m === 'recovery_score') return [[m, RECOVERY_FIRST]];
    if (m === 'weight' || m === 'body_fat_pct') return [[m, SCALE_FIRST]];
    return [];
  }),
);

/** An uncorroborated value keeps this share of its source's confidence. */
const SINGLE_SOURCE_FACTOR = 0.9;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function rank(order: string[], source: string): number {
  const i = order.indexOf(source);
  return i < 0 ? order.length : i;
}

/**
 * One row per (athlete_id, date, metric_type); metric types are never mixed
 * (RMSSD and SDNN stay apart). Several readings of one source that day count
 * as their median, with their highest confidence. The value is the one of the
 * highest-precedence source present (`precedence[metric]` overrides the
 * defaults; unlisted sources follow alphabetically). Confidence: with one
 * source, its confidence × 0.9; with several, its confidence × (1 − spread),
 * spread = the largest difference between the chosen value and another
 * source's (same unit) over the largest absolute value, bounded to 0..1.
 * Non-finite values are ignored.
 */
export function reconcileBiometrics(
  readings: BiometricInput[],
  precedence: Record<string, string[]> = {},
): ReconciledBiometric[] {
  const groups = new Map<string, BiometricInput[]>();
  for (const r of readings) {
    if (!Number.isFinite(r.value)) continue;
    const k = `${r.athlete_id}\u0000${r.date}\u0000${r.metric_type}`;
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  const out: ReconciledBiometric[] = [];
  for (const g of groups.values()) {
    const first = g[0]!;
    const order = precedence[first.metric_type] ?? DEFAULT_BIOMETRIC_PRECEDENCE[first.metric_type] ?? [];
    const bySource = new Map<string, BiometricInput[]>();
    for (const r of g) {
      const s = bySource.get(r.source);
      if (s) s.push(r);
      else bySource.set(r.source, [r]);
    }
    const sources = [...bySource.keys()].sort(
      (a, b) => rank(order, a) - rank(order, b) || (a < b ? -1 : a > b ? 1 : 0),
    );
    const perSource = sources.map((s) => {
      const rs = bySource.get(s)!;
      // One unit per source (the alphabetically first, for determinism): other units are not comparable.
      const unit = [...rs].sort((a, b) => (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0))[0]!.unit;
      const same = rs.filter((r) => r.unit === unit);
      return {
        source: s,
        unit,
        value: median(same.map((r) => r.value)),
        confidence: Math.max(...same.map((r) => r.confidence)),
      };
    });
    const chosen = perSource[0]!;
    const comparable = perSource.filter((p) => p.unit === chosen.unit);
    let factor = SINGLE_SOURCE_FACTOR;
    if (comparable.length > 1) {
      const scale = Math.max(...comparable.map((p) => Math.abs(p.value)));
      const diff = Math.max(...comparable.map((p) => Math.abs(p.value - chosen.value)));
      factor = Math.min(1, Math.max(0, 1 - (scale > 0 ? diff / scale : 0)));
    }
    out.push({
      athlete_id: first.athlete_id,
      date: first.date,
      metric_type: first.metric_type,
      value: chosen.value,
      unit: chosen.unit,
      source: chosen.source,
      confidence: Math.round(Math.min(1, Math.max(0, chosen.confidence * factor)) * 1000) / 1000,
      source_count: sources.length,
      sources,
    });
  }
  return out.sort(
    (a, b) =>
      (a.athlete_id < b.athlete_id ? -1 : a.athlete_id > b.athlete_id ? 1 : 0) ||
      (a.date < b.date ? -1 : a.date > b.date ? 1 : 0) ||
      (a.metric_type < b.metric_type ? -1 : a.metric_type > b.metric_type ? 1 : 0),
  );
}
