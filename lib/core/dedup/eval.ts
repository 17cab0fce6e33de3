/** Scoring a clustering against a hand-labelled truth, pair by pair. */

/** Pairwise precision and recall of "same workout" links. */
export interface LinkScores {
  precision: number;
  recall: number;
  tp: number;
  fp: number;
  fn: number;
}

function pairs(groups: string[][]): Set<string> {
  const out = new Set<string>();
  for (const g of groups) {
    const keys = [...new Set(g)].sort();
    for (let i = 0; i < keys.length; i++) {
      for (let j = i + 1; j < keys.length; j++) out.add(`${keys[i]}\u0000${keys[j]}`);
    }
  }
  return out;
}

/**
 * Compare predicted groups of record keys (e.g. `garmin:123`) with the true
 * groups over all pairs of keys said to be the same workout. With no
 * predicted (or true) pairs, precision (or recall) is 1: nothing was wrong.
 */
export function evaluateLinks(predicted: string[][], truth: string[][]): LinkScores {
  const p = pairs(predicted);
  const t = pairs(truth);
  let tp = 0;
  for (const k of p) if (t.has(k)) tp++;
  const fp = p.size - tp;
  const fn = t.size - tp;
  return {
    precision: tp + fp === 0 ? 1 : tp / (tp + fp),
    recall: tp + fn === 0 ? 1 : tp / (tp + fn),
    tp,
    fp,
    fn,
  };
}
