/**
 * Measuring deduplication against a ground-truth file (the demo athlete's
 * ground_truth.json): pairwise precision and recall of "same workout" links,
 * and whether the known near-misses were kept apart.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Warehouse } from '../warehouse.ts';
import { evaluateLinks } from './deduplicate.ts';

const Ref = z.object({ source: z.string(), external_id: z.string() });
const Truth = z.object({
  clusters: z.array(z.object({ records: z.array(Ref) })),
  near_misses: z.array(z.tuple([Ref, Ref])).default([]),
});

/** Precision/recall of the warehouse's current clusters against the truth file. */
export interface TruthEvaluation {
  precision: number;
  recall: number;
  tp: number;
  fp: number;
  fn: number;
  nearMisses: number;
  nearMissesApart: number;
  /** Truth clusters split across several workouts, and workouts joining several truth clusters (keys). */
  missed: string[][];
  wrong: string[][];
}

const key = (r: { source: string; external_id: string }) => `${r.source}:${r.external_id}`;

/** Compare `workout_sources` with the ground truth in `path`. */
export async function evaluateAgainstTruth(wh: Warehouse, path: string): Promise<TruthEvaluation> {
  const parsed = Truth.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path}: not a ground-truth file (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`);
  const truth = parsed.data.clusters.map((c) => c.records.map(key));
  const rows = await wh.all<{ workout_id: string; k: string }>(`SELECT workout_id, source || ':' || external_id AS k FROM workout_sources ORDER BY 1, 2`);
  const byWorkout = new Map<string, string[]>();
  for (const r of rows) byWorkout.set(r.workout_id, [...(byWorkout.get(r.workout_id) ?? []), r.k]);
  const predicted = [...byWorkout.values()];
  const known = new Set(truth.flat());
  // Only records the truth knows about are judged.
  const judged = predicted.map((c) => c.filter((k) => known.has(k))).filter((c) => c.length > 0);
  const m = evaluateLinks(judged, truth);
  const clusterOf = new Map<string, number>();
  judged.forEach((c, i) => c.forEach((k) => clusterOf.set(k, i)));
  const truthOf = new Map<string, number>();
  truth.forEach((c, i) => c.forEach((k) => truthOf.set(k, i)));
  const nm = parsed.data.near_misses;
  const apart = nm.filter(([a, b]) => clusterOf.get(key(a)) === undefined || clusterOf.get(key(a)) !== clusterOf.get(key(b))).length;
  return {
    ...m,
    nearMisses: nm.length,
    nearMissesApart: apart,
    missed: truth.filter((c) => new Set(c.map((k) => clusterOf.get(k))).size > 1),
    wrong: judged.filter((c) => new Set(c.map((k) => truthOf.get(k))).size > 1),
  };
}
