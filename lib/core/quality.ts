/**
 * data_quality_score: how complete a workout record is, 0-1.
 *
 * score = Σ wᵢ·presentᵢ / Σ wᵢ over the fields that apply to the workout's sport:
 *   duration > 0 (w 2), average HR (2), max HR (1), calories (1),
 *   distance (2; endurance sports only), GPS track (1; outdoor endurance and ball sports),
 *   elevation gain (0.5; when it has GPS), power (1; cycling only), cadence (0.5; endurance only).
 * A record with every applicable field scores 1; a manual entry with only a
 * duration scores about 0.2-0.3. Dedup prefers higher scores among equals.
 */
import type { SourceWorkout } from './models.ts';
import { sportFamily } from './sports.ts';

const INDOOR = new Set(['treadmill_running', 'indoor_cycling', 'indoor_rowing', 'swimming', 'elliptical', 'stair_climbing']);

/** The data_quality_score of a source record (formula in the module comment). */
export function dataQualityScore(w: SourceWorkout): number {
  const endurance = w.sport_category === 'ENDURANCE';
  const outdoor = (endurance || w.sport_category === 'BALL_SPORT') && !INDOOR.has(w.sport);
  const parts: [number, boolean][] = [
    [2, w.duration_s > 0],
    [2, w.avg_hr != null],
    [1, w.max_hr != null],
    [1, w.calories_kcal != null],
  ];
  if (endurance) parts.push([2, w.distance_m != null && w.distance_m > 0], [0.5, w.avg_cadence != null]);
  if (outdoor) parts.push([1, w.has_gps]);
  if (w.has_gps) parts.push([0.5, w.elevation_gain_m != null]);
  if (sportFamily(w.sport) === 'cycling') parts.push([1, w.has_power]);
  let num = 0;
  let den = 0;
  for (const [wt, ok] of parts) {
    den += wt;
    if (ok) num += wt;
  }
  return Math.round((num / den) * 1000) / 1000;
}
