/** Keeping superseded workout ids resolvable when a re-run of dedup regroups records. */
import type { DedupResult } from './types.ts';

/** A workout and the source records it holds. */
export interface WorkoutCluster {
  workout_id: string;
  record_ids: string[];
}

/** The clusters of a dedup result, one per workout, records in member order. */
export function clustersOf(result: Pick<DedupResult, 'members'>): WorkoutCluster[] {
  const byId = new Map<string, string[]>();
  for (const m of result.members) {
    const ids = byId.get(m.workout_id);
    if (ids) ids.push(m.record_id);
    else byId.set(m.workout_id, [m.record_id]);
  }
  return [...byId].map(([workout_id, record_ids]) => ({ workout_id, record_ids }));
}

/**
 * Old id → new id for every previous workout whose id no longer exists: it
 * maps to the current workout holding most of its records (ties: the smaller
 * id). A previous workout none of whose records remain gets no alias.
 */
export function aliasChanges(previous: WorkoutCluster[], current: WorkoutCluster[]): Record<string, string> {
  const live = new Set(current.map((c) => c.workout_id));
  const holder = new Map<string, string>();
  for (const c of current) for (const r of c.record_ids) holder.set(r, c.workout_id);
  const aliases: Record<string, string> = {};
  for (const p of previous) {
    if (live.has(p.workout_id)) continue;
    const counts = new Map<string, number>();
    for (const r of new Set(p.record_ids)) {
      const h = holder.get(r);
      if (h !== undefined) counts.set(h, (counts.get(h) ?? 0) + 1);
    }
    let best: string | undefined;
    let bestCount = 0;
    for (const [id, n] of counts) {
      if (n > bestCount || (n === bestCount && best !== undefined && id < best)) {
        best = id;
        bestCount = n;
      }
    }
    if (best !== undefined) aliases[p.workout_id] = best;
  }
  return aliases;
}
