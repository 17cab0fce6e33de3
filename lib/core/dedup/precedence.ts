/** Where a source stands in the merge order of workouts and of each biometric metric. */
import { DEFAULT_BIOMETRIC_PRECEDENCE } from './biometrics.ts';
import { DEFAULT_DEDUP_OPTIONS } from './types.ts';

/** A source's rank (0 = trusted first) for workouts and for each metric it is ranked in; null when unranked. */
export interface SourcePrecedence {
  workouts: number | null;
  metrics: Record<string, number>;
}

/** The default precedence of `source`, as the dedup engine applies it. */
export function sourcePrecedence(source: string): SourcePrecedence {
  const w = DEFAULT_DEDUP_OPTIONS.precedence.indexOf(source);
  const metrics: Record<string, number> = {};
  for (const [metric, order] of Object.entries(DEFAULT_BIOMETRIC_PRECEDENCE)) {
    const i = order.indexOf(source);
    if (i >= 0) metrics[metric] = i;
  }
  return { workouts: w < 0 ? null : w, metrics };
}
