/**
 * Variety of training: how evenly workouts spread over sports or categories,
 * as Shannon entropy.
 */
import { dayNumber, dayString } from './daily.ts';

/** Shannon diversity of a set of labels. */
export interface Diversity {
  /** Workouts counted. */
  count: number;
  /** Distinct labels seen. */
  distinct: number;
  /** H = −Σ p·ln p (nats); null when there is nothing to count. */
  shannon: number | null;
  /**
   * H divided by its maximum, 0..1: ln(`possible`) when given, otherwise
   * ln(distinct) (Pielou's evenness). 0 when only one label is possible or seen.
   */
  normalized: number | null;
}

/**
 * Shannon entropy (Shannon 1948) of the share of each label (a sport or a
 * category) among `labels`, in natural-log units, with a 0..1 normalised
 * variant. Pass `possible` (e.g. 4 categories) to normalise against every
 * label that could occur, so windows with different sports seen compare.
 */
export function sportDiversity(labels: string[], possible?: number): Diversity {
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const count = labels.length;
  if (count === 0) return { count: 0, distinct: 0, shannon: null, normalized: null };
  let h = 0;
  for (const c of counts.values()) {
    const p = c / count;
    h -= p * Math.log(p);
  }
  // −0 from a single label reads oddly; report 0.
  const shannon = h === 0 ? 0 : h;
  const of = possible !== undefined ? Math.max(possible, counts.size) : counts.size;
  return { count, distinct: counts.size, shannon, normalized: of > 1 ? shannon / Math.log(of) : 0 };
}

/** Diversity of the workouts in the window ending on one day. */
export interface DiversityDay extends Diversity {
  date: string;
}

/**
 * Shannon diversity of the workouts in the `window` local days ending on each
 * day, for every day from the first to the last workout date.
 */
export function rollingDiversity(
  workouts: { localDate: string; label: string }[],
  window = 28,
  possible?: number,
): DiversityDay[] {
  const byDay = new Map<number, string[]>();
  let first = Infinity;
  let last = -Infinity;
  workouts.forEach((w, i) => {
    const d = dayNumber(w.localDate, `workouts[${i}].localDate`);
    first = Math.min(first, d);
    last = Math.max(last, d);
    const list = byDay.get(d) ?? [];
    list.push(w.label);
    byDay.set(d, list);
  });
  const out: DiversityDay[] = [];
  for (let d = first; d <= last; d++) {
    const labels: string[] = [];
    for (let x = d - window + 1; x <= d; x++) labels.push(...(byDay.get(x) ?? []));
    out.push({ date: dayString(d), ...sportDiversity(labels, possible) });
  }
  return out;
}
