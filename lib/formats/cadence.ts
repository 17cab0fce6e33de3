/**
 * Running and walking cadence in track files that do not say their unit.
 * The canonical unit is steps per minute. FIT's profile says strides (one per
 * two steps) and fit.ts doubles them; GPX (`gpxtpx:cad`) and TCX
 * (`RunCadence`, `Cadence`) carry a bare number that Garmin, Strava and Apple
 * exports write as strides per minute and some other apps as steps. Which one
 * a file holds shows in its values: runners stride 75-95 times a minute while
 * even a run slowed to a walk up a mountain keeps above 100 steps (the corpus
 * has such runs at 103-106), and walkers stride 45-70 times a minute against
 * 90-130 steps. So a step sport's cadence whose median while moving lies
 * below its ceiling is read as strides and doubled; above it, as steps.
 */
import { isStepSport, sportFamily } from '../core/sports.ts';

/** Median moving cadence below which a step sport's values are strides per minute. */
export const STRIDE_CEILING: Record<string, number> = { running: 100, walking: 72 };

/**
 * The factor that turns a track's cadence values into the canonical unit: 2
 * for a step sport whose values are strides per minute, else 1.
 */
export function cadenceFactor(sport: string, cadence: Float64Array | undefined): 1 | 2 {
  if (!cadence || !isStepSport(sport)) return 1;
  const ceiling = STRIDE_CEILING[sportFamily(sport)] ?? STRIDE_CEILING.running!;
  // Median of the positive values by counting whole cadences (0-299): one pass, no sort.
  const counts = new Uint32Array(300);
  let n = 0;
  for (let i = 0; i < cadence.length; i++) {
    const v = cadence[i]!;
    if (v > 0 && v < 300) {
      counts[Math.floor(v)]!++;
      n++;
    }
  }
  if (n === 0) return 1;
  let seen = 0;
  for (let c = 0; c < 300; c++) {
    seen += counts[c]!;
    if (seen * 2 >= n) return c < ceiling ? 2 : 1;
  }
  return 1;
}
